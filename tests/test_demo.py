"""The README's main job: the demo trains every model and reports sensible results."""
import re
import subprocess
import sys


def test_demo_quick_runs_and_learns(tmp_path):
    p = subprocess.run([sys.executable, "-m", "ember.demo", "--quick", "--out", str(tmp_path)], capture_output=True,
                       text=True, timeout=300)
    assert p.returncode == 0, p.stderr
    out = p.stdout
    # the Legendre fit starts from fixed values, so its printed losses fall
    losses = [float(x) for x in re.findall(r"step\s+\d+\s+loss\s+([\d.]+)", out.split("1b.")[1].split("2.")[0])]
    assert len(losses) == 4 and losses[-1] < losses[0]
    sgd, ls = map(float, re.search(r"test MSE: SGD ([\d.]+), least squares ([\d.]+)", out).groups())
    assert 0.4 < ls < 0.7 and sgd < 1.5
    acc = [float(a) for a in re.findall(r"test accuracy: ([\d.]+)", out)]
    assert len(acc) == 2 and acc[0] > 0.7 and acc[1] > 0.8
    assert sorted(f.name for f in tmp_path.iterdir()) == [
        "digits_confusion.png", "digits_mlp_loss.png", "housing_linear_regression_loss.png",
        "housing_logistic_regression_loss.png", "housing_predictions.png", "sin_fits.png"]
