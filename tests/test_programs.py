"""Whole PyTorch programs (tests/programs/*.py) run under real torch and under
`ember run`: every printed line must agree, numbers within a tolerance that suits
the program, and the training loss must go down.

ember's generator reproduces torch's CPU generator, so initial weights, data,
shuffles and dropout masks are the same; what is left is float rounding (BLAS
summation order, last-ulp differences in transcendental functions), which a long
float32 training run can amplify. TOLERANCE below says how much is allowed and why.
"""
import os
import re
import subprocess
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
PROGRAMS = os.path.join(HERE, "programs")
NUMBER = re.compile(r"^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$")

# name -> (rtol, atol) for the printed floats; integers and words must be equal.
# Measured: every float32 program agrees with torch to within 3e-6 relative (the
# printed 6 decimals included), the float64 ones digit for digit; 1e-4 leaves room for
# BLAS differences between machines without hiding a wrong gradient or a wrong mask.
TOLERANCE = {
    "regression": (1e-4, 1e-5),
    "classification": (1e-4, 1e-5),
    "lstm_tagger": (1e-4, 1e-5),
    "rnn_sine": (1e-4, 1e-5),
    "char_lm": (1e-4, 1e-5),
    "lenet": (1e-4, 1e-5),
    "packed_names": (1e-4, 1e-5),
    "transformer_reverse": (1e-4, 1e-5),
    "save_reload": (1e-4, 1e-5),
    "schedulers_clip": (1e-4, 1e-5),
    # bfloat16 under autocast: 8 significant bits, so each rounding is worth up to 0.4%, and
    # rounding ties can go either way after BLAS-order differences in the float32 accumulation.
    # Measured: 7.6e-4 relative at most over the 20 steps; 5e-3 leaves room for other machines.
    # (A loop that missed autocast would differ by about as much: the printed dtypes catch that.)
    "amp_bf16": (5e-3, 1e-5),
    # float64 throughout: only summation order can differ.
    "lbfgs_lstmcell": (1e-7, 1e-9),
    "higher_order": (1e-7, 1e-9),
}


def _run(args, env=None):
    return subprocess.Popen([sys.executable, *args], cwd=PROGRAMS, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=env)


def _finish(proc, who):
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, f"{who} failed:\n{err[-3000:]}"
    return out.strip().splitlines()


# On the rerun on another device (EMBER_TEST_DEVICE=cuda), ember runs the programs with that
# device as the default, against torch on the CPU: the same numbers are expected.
_DEVICE = os.environ.get("EMBER_TEST_DEVICE")
_EMBER_RUN = (["-m", "ember", "run"] if not _DEVICE else
              ["-c", f"import sys, ember; ember.set_default_device({_DEVICE!r}); from ember._run import main; "
                     "sys.exit(main(['run'] + sys.argv[1:]))"])


def run_both(name, torch_env=None):
    """Run the program under torch and ember at the same time; their stdout lines. torch_env: the
    environment of the torch run (default: this one's)."""
    script = name + ".py"
    torch_proc, ember_proc = _run([script], torch_env), _run([*_EMBER_RUN, script])
    return _finish(torch_proc, "torch"), _finish(ember_proc, "ember")


def _close(a, b, rtol, atol):
    return abs(a - b) <= atol + rtol * abs(b)


def compare_lines(torch_lines, ember_lines, rtol, atol):
    assert len(ember_lines) == len(torch_lines), (torch_lines, ember_lines)
    for want, got in zip(torch_lines, ember_lines):
        wt, gt = want.split(), got.split()
        assert len(wt) == len(gt), (want, got)
        for w, g in zip(wt, gt):
            is_float = NUMBER.match(w) and any(c in w for c in ".eE")
            if is_float and NUMBER.match(g):
                assert _close(float(g), float(w), rtol, atol), f"torch: {want}\nember: {got}"
            else:
                assert g == w, f"torch: {want}\nember: {got}"


def losses(lines, prefix=""):
    """The number after each 'loss' word, in the lines starting with prefix."""
    out = []
    for line in lines:
        if line.startswith(prefix):
            words = line.split()
            out += [float(words[i + 1]) for i, w in enumerate(words[:-1]) if w == "loss"]
    return out


def test_compare_lines_catches_differences():
    compare_lines(["epoch 1 loss 0.500000 acc 3"], ["epoch 1 loss 0.500001 acc 3"], 1e-4, 1e-5)
    for bad in ["epoch 1 loss 0.510000 acc 3", "epoch 1 loss 0.500000 acc 4", "epoch 2 loss 0.500000 acc 3",
                "epoch 1 loss nan acc 3"]:
        with pytest.raises(AssertionError):
            compare_lines(["epoch 1 loss 0.500000 acc 3"], [bad], 1e-4, 1e-5)


@pytest.mark.parametrize("name", sorted(TOLERANCE))
def test_program_matches_torch(name):
    torch_lines, ember_lines = run_both(name)
    compare_lines(torch_lines, ember_lines, *TOLERANCE[name])
    trace = losses(ember_lines)
    assert len(trace) >= 2 and trace[-1] < trace[0], trace
    if name == "save_reload":
        assert "identical outputs True epoch 5" in ember_lines
        assert losses(ember_lines, "reloaded") == losses(ember_lines, "original")
