"""Hundreds of calls, bad and borderline, run on torch and on ember (rows in tests/_bad_input_rows.py).

A "bad" row: torch raises; ember must raise the same exception class and its message must start
with the same leading words (first line, ember.* names read as torch.*). An "ok" row: torch
accepts the call; ember must accept it too and return torch's result.
Every divergence still left is listed in tests/_bad_input_divergences.py with the reason; those
rows are strict xfails, so fixing one makes the test fail until its entry is removed.
"""
import math
import re
import warnings

import numpy as np
import pytest
import torch

import ember
from tests._bad_input_divergences import DIVERGENCES
from tests._bad_input_rows import ROWS

LEADING_WORDS = 4

def _run(fn, lib):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return "ok", fn(lib)
        except Exception as e:  # noqa: BLE001
            return "raise", e


def _lead(message):
    line = str(message).strip().split("\n")[0].replace("ember.", "torch.")
    line = re.sub(r"0x[0-9a-f]+", "0x", line)  # object addresses
    return line.split()[:LEADING_WORDS]


def _class_name(exc):
    name = type(exc).__name__
    return "LinAlgError" if name == "_LinAlgError" else name


def _same_result(e, t, where="result"):
    if isinstance(t, torch.Tensor):
        assert isinstance(e, ember.Tensor), f"{where}: ember gave {type(e).__name__}, torch a Tensor"
        assert str(e.dtype).replace("ember.", "torch.") == str(t.dtype), f"{where}: dtype {e.dtype} != {t.dtype}"
        assert tuple(e.shape) == tuple(t.shape), f"{where}: shape {tuple(e.shape)} != {tuple(t.shape)}"
        en, tn = e.detach().numpy(), t.detach().numpy()
        if en.dtype.kind in "fc":
            np.testing.assert_allclose(en, tn, rtol=1e-5, atol=1e-6, equal_nan=True, err_msg=where)
        else:
            assert (en == tn).all(), f"{where}: {en} != {tn}"
    elif isinstance(t, (tuple, list)):
        assert isinstance(e, (tuple, list)) and len(e) == len(t), f"{where}: {e!r} vs {t!r}"
        for i, (a, b) in enumerate(zip(e, t)):
            _same_result(a, b, f"{where}[{i}]")
    elif isinstance(t, torch.Size):
        assert tuple(e) == tuple(t), f"{where}: {e} != {t}"
    elif isinstance(t, float) and math.isnan(t):
        assert isinstance(e, float) and math.isnan(e), f"{where}: {e} != nan"
    elif isinstance(t, (bool, int, float, str, type(None))):
        assert e == t, f"{where}: {e!r} != {t!r}"
    else:  # modules, optimizers, packed sequences...: the same kind of object
        assert type(e).__name__ == type(t).__name__, f"{where}: {type(e).__name__} != {type(t).__name__}"


def check_row(kind, fn):
    t_out, t_val = _run(fn, torch)
    e_out, e_val = _run(fn, ember)
    if kind == "bad":
        assert t_out == "raise", f"torch accepted the call (returned {t_val!r:.100}); fix the row"
        assert e_out == "raise", f"ember accepted what torch refuses with {type(t_val).__name__}: {t_val}"
        assert isinstance(e_val, type(t_val)) or _class_name(e_val) == _class_name(t_val), (
            f"ember raised {type(e_val).__name__}: {e_val}\ntorch raised {type(t_val).__name__}: {t_val}")
        assert _lead(e_val) == _lead(t_val), f"ember: {str(e_val)[:300]!r}\ntorch: {str(t_val)[:300]!r}"
    else:
        assert t_out == "ok", f"torch refused the call ({type(t_val).__name__}: {t_val}); fix the row"
        assert e_out == "ok", f"ember refused what torch accepts: {type(e_val).__name__}: {e_val}"
        _same_result(e_val, t_val)


def _params():
    for name, kind, fn in ROWS:
        marks = ()
        if name in DIVERGENCES:
            marks = pytest.mark.xfail(strict=True, reason=DIVERGENCES[name])
        yield pytest.param(kind, fn, id=name, marks=marks)


@pytest.fixture(autouse=True)
def _restore_defaults():
    yield
    torch.set_default_dtype(torch.float32)
    ember.set_default_dtype(ember.float32)


@pytest.mark.parametrize("kind, fn", list(_params()))
def test_row(kind, fn):
    check_row(kind, fn)


def test_table_is_large_and_divergences_are_rows():
    names = {r[0] for r in ROWS}
    assert len(ROWS) >= 400
    assert set(DIVERGENCES) <= names, sorted(set(DIVERGENCES) - names)
