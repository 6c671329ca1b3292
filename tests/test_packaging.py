"""A normal (non-editable) install works: the wheel carries the data sets, and the demo runs from it
in a fresh virtual environment outside the source tree."""
import os
import shutil
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    out = tmp_path_factory.mktemp("wheel")
    # Build from a copy: an in-tree build/ left by an earlier build would mask a file missing from the wheel.
    src = out / "src"
    shutil.copytree(ROOT, src, ignore=shutil.ignore_patterns(".git", ".venv", "build", "dist", "*.egg-info",
                                                             "__pycache__", "demo_output", ".pytest_cache"))
    p = subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation",
                        "-w", str(out), str(src)], capture_output=True, text=True, timeout=300)
    if p.returncode != 0:
        pytest.fail(f"building the wheel failed:\n{p.stderr[-3000:]}")
    (whl,) = out.glob("ember-*.whl")
    return whl


def test_wheel_ships_the_datasets(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    assert "ember/datasets/cal_housing.data.gz" in names
    assert "ember/datasets/digits.npz" in names


def test_demo_runs_from_an_installed_wheel(wheel, tmp_path):
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    py = env_dir / "bin" / "python"
    p = subprocess.run([str(py), "-m", "pip", "install", "-q", str(wheel)], capture_output=True, text=True,
                       timeout=600)
    if p.returncode != 0:
        pytest.skip(f"cannot install the wheel's dependencies here (no package index?):\n{p.stderr[-2000:]}")
    work = tmp_path / "elsewhere"
    work.mkdir()
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    p = subprocess.run([str(py), "-m", "ember.demo", "--quick", "--out", str(work / "out")], cwd=work, env=env,
                       capture_output=True, text=True, timeout=600)
    assert p.returncode == 0, p.stderr[-3000:]
    assert "test MSE" in p.stdout and "test accuracy" in p.stdout
    # the demo imported the installed copy, not the source tree
    p = subprocess.run([str(py), "-c", "import ember; print(ember.__file__)"], cwd=work, env=env,
                       capture_output=True, text=True)
    assert str(env_dir) in p.stdout, p.stdout
