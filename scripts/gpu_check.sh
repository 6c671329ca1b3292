#!/usr/bin/env bash
# The CUDA checks, for a machine with an NVIDIA GPU (about 5-8 minutes):
#   1. tests/test_cuda.py: torch.cuda, devices, streams/events, memory, seeding, pinned
#      DataLoader, save/load with map_location, training vs CPU, CuPy DLPack round trip;
#   2. tests/test_cuda_suite.py: the op/autograd/nn/optim/data/program tests rerun with "cuda"
#      as the default device;
#   3. python -m ember.bench --device cuda: ember vs torch on the same GPU.
# Needs CuPy (pip install cupy-cuda12x); torch with CUDA for the benchmark's torch column.
# With EMBER_FAKE_CUDA=1 it runs end to end on the CPU stand-in for CuPy instead (no GPU):
#   EMBER_FAKE_CUDA=1 bash scripts/gpu_check.sh
set -uo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-$( [ -x .venv/bin/python ] && echo .venv/bin/python || echo python3 )}
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-1}
if [ "${EMBER_FAKE_CUDA:-}" = 1 ]; then
  echo "== on the CPU stand-in for CuPy (EMBER_FAKE_CUDA=1): no GPU, times are NumPy's"
  unset EMBER_CUDA_TESTS
else
  if ! "$PY" -c "import cupy, sys; sys.exit(cupy.cuda.runtime.getDeviceCount() == 0)" 2>/dev/null; then
    echo "needs CuPy and an NVIDIA GPU (pip install cupy-cuda12x), or EMBER_FAKE_CUDA=1 for the stand-in" >&2
    exit 2
  fi
  export EMBER_CUDA_TESTS=real
  "$PY" -c "import cupy; print('== GPU:', cupy.cuda.runtime.getDeviceProperties(0)['name'].decode(), \
'| CuPy', cupy.__version__)"
fi
WORKERS=${WORKERS:-$(( $(nproc) > 8 ? 8 : $(nproc) ))}
XDIST=()
[ "$WORKERS" -gt 1 ] && "$PY" -c "import xdist" 2>/dev/null && XDIST=(-n "$WORKERS")
status=0
SECONDS=0
echo "== tests/test_cuda.py and tests/test_cuda_suite.py"
timeout "${TEST_TIMEOUT:-420}" "$PY" -m pytest -p no:cacheprovider -rsP "${XDIST[@]}" tests/test_cuda.py tests/test_cuda_suite.py \
  || status=1
echo "== tests took ${SECONDS}s"
if [ -f ../shared/tools/check_seed_programs.py ]; then
  echo "== the seed programs with cuda as the default device"
  timeout 120 "$PY" ../shared/tools/check_seed_programs.py --runner "$PY -c 'import sys, ember; \
ember.set_default_device(\"cuda\"); from ember._run import main; sys.exit(main([\"run\"] + sys.argv[1:]))'" \
    | tail -3 || status=1
fi
echo "== python -m ember.bench --device cuda"
timeout 240 "$PY" -m ember.bench --device cuda --repeats 5 || status=1
echo "== gpu_check finished in ${SECONDS}s, status $status"
exit $status
