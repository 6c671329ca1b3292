"""The benchmark script runs and prints a ratio row (no timing is asserted: speed is
measured by `python -m ember.bench`, not by tests)."""
import re
import subprocess
import sys


def test_bench_prints_a_ratio_row():
    p = subprocess.run([sys.executable, "-m", "ember.bench", "-k", "tiny op, no grad", "--repeats", "1"],
                       capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stderr
    row = [line for line in p.stdout.splitlines() if line.startswith("tiny op, no grad")]
    assert len(row) == 1 and re.search(r"\d+\.\d+\s+1\.50", row[0]), p.stdout
