"""Under `ember run`, child processes started with spawn or forkserver see ember as torch
(Pool, Process + Queue, DataLoader workers), as fork children do."""
import os
import subprocess
import sys

import pytest

SCRIPT = os.path.join(os.path.dirname(__file__), "programs", "mp_start_methods.py")


@pytest.mark.parametrize("method", ["spawn", "forkserver", "fork"])
def test_children_import_ember_as_torch(method):
    p = subprocess.run([sys.executable, "-m", "ember", "run", SCRIPT, method], capture_output=True, text=True,
                       timeout=180)
    assert p.returncode == 0, p.stderr[-3000:]
    assert "pool [(1.0, 'ember'), (4.0, 'ember'), (9.0, 'ember')]" in p.stdout
    assert "process ember:2.0" in p.stdout
    assert "loader [([0.0, 1.0, 4.0], ('ember', 'ember', 'ember')), ([9.0, 16.0, 25.0], " \
           "('ember', 'ember', 'ember'))]" in p.stdout
