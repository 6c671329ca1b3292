"""`ember run`: unmodified PyTorch scripts see ember as torch."""
import subprocess
import sys
import textwrap


def run(tmp_path, source, *args):
    script = tmp_path / "script.py"
    script.write_text(textwrap.dedent(source))
    return subprocess.run([sys.executable, "-m", "ember", "run", str(script), *args], capture_output=True,
                          text=True, timeout=120)


def test_torch_and_submodules_resolve_to_ember(tmp_path):
    p = run(tmp_path, """
        import torch, torch.autograd, torch.linalg
        from torch.autograd import Variable
        import ember
        assert torch is ember and torch.autograd is ember.autograd
        print(torch.tensor([1., 2.]) * 2)
    """)
    assert p.returncode == 0, p.stderr
    assert p.stdout.strip() == "tensor([2., 4.])"


def test_argv_main_and_exit_status(tmp_path):
    p = run(tmp_path, """
        import sys
        if __name__ == "__main__":
            print(sys.argv[1:])
            sys.exit(3)
    """, "--lr", "0.1")
    assert p.stdout.strip() == "['--lr', '0.1']"
    assert p.returncode == 3


def test_missing_attribute_names_the_torch_name(tmp_path):
    p = run(tmp_path, """
        import torch
        torch.definitely_not_a_function()
    """)
    assert p.returncode != 0
    assert "torch.definitely_not_a_function" in p.stderr


def test_missing_module_names_the_torch_module(tmp_path):
    p = run(tmp_path, "import torch.not_a_module\n")
    assert p.returncode != 0
    assert "torch.not_a_module" in p.stderr and "ModuleNotFoundError" in p.stderr


def test_script_directory_is_importable(tmp_path):
    (tmp_path / "helper_mod.py").write_text("VALUE = 41\n")
    p = run(tmp_path, "import helper_mod\nprint(helper_mod.VALUE + 1)\n")
    assert p.returncode == 0, p.stderr
    assert p.stdout.strip() == "42"


def test_usage_without_script():
    p = subprocess.run([sys.executable, "-m", "ember", "run"], capture_output=True, text=True, timeout=60)
    assert p.returncode == 2 and "usage" in p.stderr


def test_torch_submodule_ember_lacks_is_named():
    import ember
    import pytest

    with pytest.raises(AttributeError, match=r"torch\.ao"):
        ember.ao  # quantization: out of ember's scope
    assert ember.nn.Linear is not None and ember.backends is not None
