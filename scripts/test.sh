#!/usr/bin/env bash
# Set everything up (a virtual environment with the test extras) and run the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
.venv/bin/python -m pip install -q --disable-pip-version-check -e ".[test]"
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-1}
.venv/bin/python -m pytest -n 2 tests "$@"
.venv/bin/python ../shared/tools/check_seed_programs.py --runner ".venv/bin/python -m ember run"
