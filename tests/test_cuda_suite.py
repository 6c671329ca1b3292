"""The op, autograd, nn, optimizer, data, serialization and program tests rerun with "cuda" as the
default device, in a subprocess (so the rest of the suite keeps a machine without CUDA).

In CI the device is the CPU stand-in for CuPy (EMBER_FAKE_CUDA=1): a NumPy call that leaks a
device array, a host array mixed into a device op, a device scalar used as a Python index all
fail there as they would on a GPU. Under scripts/gpu_check.sh (EMBER_CUDA_TESTS=real) the same
groups run on the real GPU. The tests that only hold on the CPU are listed, with their reason,
in tests/_cuda_rerun.py and skipped by tests/conftest.py.
"""
import os
import re
import subprocess
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

# Groups small enough for one xdist worker each (seconds on one core, measured on the stand-in).
GROUPS = {
    "elementwise": ["test_elementwise.py", "test_promotion.py"],
    "shape-index": ["test_shape.py", "test_indexing.py", "test_joining.py", "test_views_inplace.py"],
    "math": ["test_reduction.py", "test_matmul.py", "test_extra_math.py", "test_sorting.py",
             "test_statistics.py", "test_creation.py"],
    "autograd": ["test_autograd_gradcheck.py", "test_autograd_engine.py", "test_autograd_function.py"],
    "nn": ["test_nn_functional.py", "test_nn_layers.py", "test_nn_modules.py", "test_nn_rnn.py"],
    "optim-data": ["test_optim.py", "test_lr_scheduler.py", "test_data.py", "test_serialization.py"],
    "programs": ["test_programs.py"],
}
# CI runs five of the programs (each one a torch and an ember process); a GPU machine all of them.
REAL = os.environ.get("EMBER_CUDA_TESTS") == "real"
EXTRA = {} if REAL else {"programs": ["-k", "regression or classification or lenet or save_reload or "
                                            "transformer_reverse or compare_lines"]}


def run_group(files, extra=()):
    env = dict(os.environ, EMBER_TEST_DEVICE="cuda", OMP_NUM_THREADS="1")
    if not REAL:
        env["EMBER_FAKE_CUDA"] = "1"
    cmd = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-p", "no:xdist", "-x", *extra,
           *(os.path.join(HERE, f) for f in files)]
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)
    return proc.returncode, proc.stdout + proc.stderr


@pytest.mark.parametrize("group", sorted(GROUPS))
def test_suite_on_cuda(group):
    rc, out = run_group(GROUPS[group], EXTRA.get(group, ()))
    lines = out.splitlines()
    failures = [i for i, line in enumerate(lines) if line.startswith(("FAILED", "ERROR", "E   "))]
    tail = "\n".join([lines[i] for i in failures[:40]] + lines[-3:])
    assert rc == 0, tail
    print(f"{group}: {lines[-1]}")  # the group's counts (shown by pytest -rP, as scripts/gpu_check.sh runs it)
    counts = dict((k, int(n)) for n, k in re.findall(r"(\d+) (passed|failed|skipped|error)", tail))
    assert counts.get("passed", 0) > 0 and not counts.get("failed") and not counts.get("error"), tail
