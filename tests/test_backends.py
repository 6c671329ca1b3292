"""torch.accelerator and torch.backends as a CPU build of torch answers them."""
import subprocess
import sys

import pytest
import torch

import ember


def test_accelerator_answers_like_a_cpu_build():
    if ember.cuda.is_available():
        pytest.skip("a CUDA device is present: the CPU-build answers do not apply")
    for m in (torch, ember):
        assert m.accelerator.is_available() is False
        assert m.accelerator.current_accelerator() is None
        assert m.accelerator.device_count() == 0
    for name in ("current_device_index", "synchronize", "empty_cache"):
        with pytest.raises(RuntimeError, match="Cannot access accelerator device when none is available"):
            getattr(ember.accelerator, name)()


def test_backends_flags_and_availability():
    for m in (torch, ember):
        assert m.backends.mps.is_available() is False and m.backends.mps.is_built() is False
        assert m.backends.cudnn.version() is None
    for name in ("enabled", "benchmark", "deterministic", "allow_tf32"):
        assert getattr(ember.backends.cudnn, name) == getattr(torch.backends.cudnn, name), name
    assert ember.backends.cuda.matmul.allow_tf32 == torch.backends.cuda.matmul.allow_tf32
    ember.backends.cudnn.benchmark = True
    try:
        assert ember.backends.cudnn.benchmark is True
    finally:
        ember.backends.cudnn.benchmark = False


def test_tutorial_device_selection_runs_under_ember_run(tmp_path):
    script = tmp_path / "pick.py"
    script.write_text(
        "import torch\nimport torch.backends.cudnn as cudnn\ncudnn.deterministic = True\n"
        "device = torch.accelerator.current_accelerator().type if torch.accelerator.is_available() else 'cpu'\n"
        "if torch.backends.mps.is_available():\n    device = 'mps'\n"
        "print(device, torch.ones(2).to(device).sum().item())\n")
    out = subprocess.run([sys.executable, "-m", "ember", "run", str(script)], capture_output=True, text=True,
                         timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["cuda" if ember.cuda.is_available() else "cpu", "2.0"]
