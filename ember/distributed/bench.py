"""Benchmark: all_reduce bandwidth and a DDP training step, ember (MPI) beside real torch (gloo), one run.

    python -m ember.distributed.bench                    # 1, 2 and 4 ranks, 1 KB - 64 MB
    python -m ember.distributed.bench --ranks 2 --max-mb 4

ember's ranks start under mpiexec; torch's are started here with torchrun's environment (RANK, WORLD_SIZE,
MASTER_ADDR=127.0.0.1, MASTER_PORT) and init_process_group("gloo") over TCP. The same worker code runs
against a module `m` that is ember or torch. Bandwidth is the algorithm bandwidth (bytes / time) and the
bus bandwidth (x 2(n-1)/n, as nccl-tests). PyTorch is needed (the test extras install it); ember never
imports it outside this script."""
import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import time

KB = 1024


# -- worker: runs in every rank ---------------------------------------------------------------------------------
def _worker(args):
    if args.worker == "torch":
        import torch as m
    else:
        import ember as m
    dist = m.distributed
    m.manual_seed(0)
    dist.init_process_group("gloo")
    rank, n = dist.get_rank(), dist.get_world_size()
    results = {"allreduce": [], "ddp": None}
    if n > 1:
        size = KB
        while size <= args.max_mb * KB * KB:
            t = m.ones(size // 4)
            iters = max(3, min(200, (4 * KB * KB) // size * 20))
            for _ in range(2):
                dist.all_reduce(t)
            dist.barrier()
            start = time.perf_counter()
            for _ in range(iters):
                dist.all_reduce(t)
            dist.barrier()
            per = (time.perf_counter() - start) / iters
            results["allreduce"].append({"bytes": size, "seconds": per})
            size *= 4
    results["ddp"] = _ddp_step(m, dist, args.steps)
    if rank == 0:
        print("RESULT " + json.dumps(results), flush=True)
    dist.destroy_process_group()


def _ddp_step(m, dist, steps):
    """Median seconds of one SGD step of an MLP (784-512-512-10, batch 64 per rank) under DDP."""
    nn = m.nn
    model = nn.parallel.DistributedDataParallel(nn.Sequential(nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 512),
                                                              nn.ReLU(), nn.Linear(512, 10)))
    opt = m.optim.SGD(model.parameters(), lr=0.01)
    x, y = m.randn(64, 784), m.randint(0, 10, (64,))
    times = []
    for i in range(steps + 3):
        dist.barrier()
        start = time.perf_counter()
        opt.zero_grad()
        nn.functional.cross_entropy(model(x), y).backward()
        opt.step()
        if i >= 3:
            times.append(time.perf_counter() - start)
    return statistics.median(times)


# -- launcher ---------------------------------------------------------------------------------------------------
def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _launch(lib, n, args):
    env = dict(os.environ, OMP_NUM_THREADS="1")
    worker = [sys.executable, "-m", "ember.distributed.bench", "--worker", lib, "--max-mb", str(args.max_mb),
              "--steps", str(args.steps)]
    if lib == "ember":
        from .run import mpiexec_path

        procs = [subprocess.Popen([mpiexec_path(), "-n", str(n)] + worker, env=env, stdout=subprocess.PIPE,
                                  text=True)]
    else:
        env.update(MASTER_ADDR="127.0.0.1", MASTER_PORT=str(_free_port()), WORLD_SIZE=str(n))
        procs = [subprocess.Popen(worker, env=dict(env, RANK=str(r), LOCAL_RANK=str(r)), stdout=subprocess.PIPE,
                                  text=True) for r in range(n)]
    outs = [p.communicate(timeout=args.timeout)[0] for p in procs]
    for p, out in zip(procs, outs):
        if p.returncode:
            raise RuntimeError(f"{lib} at {n} ranks failed:\n{out}")
    for out in outs:
        for line in out.splitlines():
            if line.startswith("RESULT "):
                return json.loads(line[7:])
    raise RuntimeError(f"{lib} at {n} ranks printed no result")


def _human(size):
    return f"{size // (KB * KB)} MB" if size >= KB * KB else f"{size // KB} KB"


def main(argv=None):
    p = argparse.ArgumentParser(prog="python -m ember.distributed.bench")
    p.add_argument("--ranks", default="1,2,4")
    p.add_argument("--max-mb", type=int, default=64)
    p.add_argument("--steps", type=int, default=10)
    p.add_argument("--timeout", type=float, default=600)
    p.add_argument("--worker", choices=["ember", "torch"], help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.worker:
        _worker(args)
        return 0
    ranks = [int(r) for r in args.ranks.split(",")]
    runs = {(lib, n): _launch(lib, n, args) for n in ranks for lib in ("ember", "torch")}
    print(f"all_reduce, float32 (ember: MPI {_mpi_name()}; torch: gloo)")
    print(f"{'ranks':>5} {'size':>7} {'ember ms':>10} {'GB/s alg':>9} {'GB/s bus':>9} {'torch ms':>10} "
          f"{'GB/s alg':>9} {'GB/s bus':>9} {'ember/torch':>11}")
    for n in ranks:
        for e, t in zip(runs["ember", n]["allreduce"], runs["torch", n]["allreduce"]):
            size, bus = e["bytes"], 2 * (n - 1) / n
            print(f"{n:>5} {_human(size):>7} {e['seconds'] * 1e3:>10.3f} {size / e['seconds'] / 1e9:>9.3f} "
                  f"{size / e['seconds'] / 1e9 * bus:>9.3f} {t['seconds'] * 1e3:>10.3f} "
                  f"{size / t['seconds'] / 1e9:>9.3f} {size / t['seconds'] / 1e9 * bus:>9.3f} "
                  f"{e['seconds'] / t['seconds']:>11.2f}")
    print("\nDDP step: MLP 784-512-512-10, batch 64 per rank, SGD (median ms)")
    print(f"{'ranks':>5} {'ember ms':>10} {'torch ms':>10} {'ember/torch':>11}")
    for n in ranks:
        e, t = runs["ember", n]["ddp"], runs["torch", n]["ddp"]
        print(f"{n:>5} {e * 1e3:>10.2f} {t * 1e3:>10.2f} {e / t:>11.2f}")
    return 0


def _mpi_name():
    try:
        from mpi4py import MPI

        return MPI.Get_library_version().split("\n")[0].split(",")[0].strip()
    except Exception:
        return "?"


if __name__ == "__main__":
    sys.exit(main())
