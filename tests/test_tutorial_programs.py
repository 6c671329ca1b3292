"""The five tutorial-style programs of issue 10 (tests/programs/tutorial_*.py: CIFAR-like CNN on
torchvision FakeData with transforms, autocast bfloat16 training, REINFORCE with Categorical,
checkpoint + torch.func, ONNX export run in onnxruntime) run under real torch and under `ember run`;
their printed lines must be identical, a printed number allowed to differ by one unit of its last
printed digit (float32 summation order, and bfloat16 rounding after it, can move a last digit;
each program prints 3 to 5 significant digits so that is all they may differ by).

They live in tests/programs/ beside the other whole programs so that test_programs.run_both runs
them. For the torch run of the CNN program, torchvision (whose wheels cannot be installed beside
the CPU torch oracle) is tests/programs/torchvision_shim: ember.vision's own pure-Python source
served over real torch, so both runs execute the same transform and dataset code and the
comparison tests ember's core against torch's."""
import os
import re

import pytest

import test_programs as programs

SHIM = os.path.join(programs.PROGRAMS, "torchvision_shim")
NAMES = ["tutorial_cifar_cnn", "tutorial_autocast_bf16", "tutorial_reinforce", "tutorial_checkpoint_func",
         "tutorial_onnx_export"]
NUMBER = re.compile(r"^[-+]?\d+\.(\d+)$")


def _last_digit_close(want, got):
    """Two printed fixed-point numbers that differ by at most one unit of the last digit."""
    w, g = NUMBER.match(want), NUMBER.match(got)
    if not (w and g) or len(w.group(1)) != len(g.group(1)):
        return False
    unit = 10.0 ** -len(w.group(1))
    return abs(float(want) - float(got)) <= unit * 1.001


def _words(line):
    return re.findall(r"[-+]?\d+\.\d+|[^\s\[\],'()]+", line)


def compare(torch_lines, ember_lines):
    assert len(ember_lines) == len(torch_lines), (torch_lines, ember_lines)
    for want, got in zip(torch_lines, ember_lines):
        if want == got:
            continue
        ww, gw = _words(want), _words(got)
        assert len(ww) == len(gw) and all(a == b or _last_digit_close(a, b) for a, b in zip(ww, gw)), \
            f"torch: {want}\nember: {got}"


def test_compare_allows_only_the_last_digit():
    compare(["step 1 loss 0.265 ok [0.12, 1.00]"], ["step 1 loss 0.266 ok [0.13, 1.00]"])
    for bad in ["step 1 loss 0.267 ok [0.12, 1.00]", "step 1 loss 0.265 ok [0.12, 1.01, 2]",
                "step 2 loss 0.265 ok [0.12, 1.00]", "step 1 loss 0.2650 ok [0.12, 1.00]",
                "step 1 loss 0.265 no [0.12, 1.00]"]:
        with pytest.raises(AssertionError):
            compare(["step 1 loss 0.265 ok [0.12, 1.00]"], [bad])


def _torch_env(name):
    env = dict(os.environ)
    if name == "tutorial_cifar_cnn":
        env["PYTHONPATH"] = os.pathsep.join(p for p in [SHIM, env.get("PYTHONPATH")] if p)
    return env


@pytest.mark.parametrize("name", NAMES)
def test_tutorial_matches_torch(name):
    if name == "tutorial_onnx_export":
        pytest.importorskip("onnx", reason="onnx is not installed")
        pytest.importorskip("onnxruntime", reason="onnxruntime is not installed")
    if name == "tutorial_cifar_cnn":
        pytest.importorskip("PIL", reason="Pillow is not installed")
    torch_lines, ember_lines = programs.run_both(name, _torch_env(name))
    compare(torch_lines, ember_lines)
    assert len(ember_lines) >= 5
