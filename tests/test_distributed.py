"""ember.distributed on MPI: collectives against NumPy at 2 and 4 ranks, torch's errors (mismatched calls,
bad ranks, timeouts), a torchrun script under `ember run --nproc-per-node 2` against real torch in one
process, a crashing rank ending the job, DDP and SyncBatchNorm against one process (tests/distributed_programs).
Ranks are started with the mpiexec beside this Python (the mpich wheel); skipped when mpi4py or it is missing."""
import os
import subprocess
import sys
import time

import numpy as np
import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
PROGRAMS = os.path.join(HERE, "distributed_programs")
MPIEXEC = os.path.join(os.path.dirname(sys.executable), "mpiexec")

try:
    import mpi4py  # noqa: F401

    _missing = None if os.access(MPIEXEC, os.X_OK) else f"no mpiexec beside {sys.executable} (pip install mpich)"
except ImportError:
    _missing = "mpi4py is not installed (pip install mpich mpi4py)"
pytestmark = pytest.mark.skipif(_missing is not None, reason=str(_missing))


def _env():
    env = dict(os.environ)
    env["PYTHONPATH"] = ROOT + os.pathsep + env.get("PYTHONPATH", "")
    env["OMP_NUM_THREADS"] = "1"
    return env


def _mpirun(n, program, *args, timeout=120):
    cmd = [MPIEXEC, "-n", str(n), sys.executable, "-m", "ember", "run", os.path.join(PROGRAMS, program), *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=_env())


def _oks(proc):
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return {line.split()[1] for line in proc.stdout.splitlines() if line.startswith("ok ")}


COLLECTIVES = {"all_reduce_SUM", "all_reduce_AVG", "all_reduce_PRODUCT", "all_reduce_MIN", "all_reduce_MAX",
               "all_reduce_float64", "all_reduce_int64", "all_reduce_int32", "all_reduce_bool", "all_reduce_bfloat16",
               "all_reduce_strided_view", "all_reduce_async", "reduce_to_0", "reduce_to_1", "broadcast_from_0",
               "broadcast_from_1", "all_gather", "all_gather_into_tensor", "gather", "scatter", "reduce_scatter",
               "reduce_scatter_tensor", "all_to_all", "all_to_all_single", "send_recv", "isend_irecv", "recv_any_source",
               "objects", "new_group_all_reduce", "new_group_broadcast", "send_recv_object_list",
               "batch_isend_irecv"}


@pytest.mark.parametrize("n", [2, 4])
def test_collectives_match_numpy(n):
    got = _oks(_mpirun(n, "collectives.py"))
    missing = COLLECTIVES - got
    assert not missing, missing
    if n == 4:
        assert {"reduce_to_3", "broadcast_from_3"} <= got


def test_errors_as_torch_and_timeout():
    got = _oks(_mpirun(2, "errors.py"))
    assert got == {"mismatched_shapes", "mismatched_dtypes", "mismatched_ops", "root_out_of_range", "send_to_self",
                   "all_gather_list_length", "not_a_tensor", "init_twice", "recv_longer_message",
                   "recv_shorter_message", "timeout"}, got


@pytest.mark.parametrize("n", [2, 4])
def test_ddp_matches_one_process(n):
    got = _oks(_mpirun(n, "ddp.py"))
    assert got == {"SGD_default", "SGD_view", "Adam_default", "Adam_view", "no_sync", "find_unused_parameters",
                   "sync_batchnorm", "broadcast_buffers", "overlap", "allreduce_hook", "fp16_compress_hook"}, got


def test_crashing_rank_ends_the_job():
    start = time.monotonic()
    proc = _mpirun(2, "crash.py", timeout=40)
    assert proc.returncode != 0
    assert "ZeroDivisionError: rank 1 failed on purpose" in proc.stderr
    assert time.monotonic() - start < 30


def test_torchrun_script_under_ember_run(tmp_path):
    """The torchrun script on 2 ranks ends where real torch ends in one process on the same batches."""
    import torch

    out = tmp_path / "result.pt"
    proc = subprocess.run([sys.executable, "-m", "ember", "run", "--nproc-per-node", "2", "--standalone",
                           os.path.join(PROGRAMS, "torchrun_train.py"), str(out)],
                          capture_output=True, text=True, timeout=120, env=_env())
    assert proc.returncode == 0, proc.stdout + proc.stderr
    result = torch.load(out)
    g = torch.Generator().manual_seed(5)
    data = torch.utils.data.TensorDataset(torch.randn(50, 4, generator=g), torch.randn(50, 2, generator=g))
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.ReLU(), torch.nn.Linear(8, 2))
    opt = torch.optim.Adam(model.parameters(), lr=0.01)
    for epoch in range(2):
        per_rank = []
        for rank in range(2):
            sampler = torch.utils.data.distributed.DistributedSampler(data, 2, rank, shuffle=True, seed=3)
            sampler.set_epoch(epoch)
            per_rank.append(list(sampler))
            assert result["seen"][rank][epoch] == per_rank[-1]  # torch's own index order
        for step in range(0, len(per_rank[0]), 5):
            opt.zero_grad()
            # DDP averages the ranks' mean losses: the mean of the per-rank losses, in one process
            loss = sum(torch.nn.functional.mse_loss(model(data[idx[step:step + 5]][0]), data[idx[step:step + 5]][1])
                       for idx in per_rank) / 2
            loss.backward()
            opt.step()
    for k, v in model.state_dict().items():
        np.testing.assert_allclose(np.asarray(result["state"][k]), v.numpy(), rtol=1e-4, atol=1e-5, err_msg=k)


def test_launcher_sets_torchrun_environment(tmp_path):
    script = tmp_path / "env.py"
    # each rank writes its own file (the ranks' stdout lines may interleave)
    script.write_text("import os, sys\nopen(os.path.join(sys.argv[1], 'env' + os.environ['RANK']), 'w').write(' '.join("
                      "os.environ[k] for k in ('RANK', 'LOCAL_RANK', 'WORLD_SIZE', 'MASTER_ADDR', 'MASTER_PORT')))\n")
    proc = subprocess.run([sys.executable, "-m", "ember.distributed.run", "--nproc_per_node=2", "--master-port",
                           "29555", str(script), str(tmp_path)], capture_output=True, text=True, timeout=120,
                          env=_env())
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "env0").read_text() == "0 0 2 127.0.0.1 29555"
    assert (tmp_path / "env1").read_text() == "1 1 2 127.0.0.1 29555"


def test_nccl_on_gpus():
    """CUDA tensors in an nccl group (as many ranks as GPUs); skipped without a GPU."""
    import ember

    if not ember.cuda.is_available():
        pytest.skip("no CUDA device: the NCCL path needs a GPU")
    got = _oks(_mpirun(ember.cuda.device_count(), "nccl.py", timeout=120))
    assert got == {"all_reduce", "all_reduce_avg", "broadcast", "all_gather_into_tensor", "reduce_scatter_tensor",
                   "all_reduce_strided", "ddp_grad"}, got
