"""Run one program on torch and on ember; results (or errors) must agree."""
import torch

import ember


def _norm(r):
    if isinstance(r, (torch.Tensor, ember.Tensor)):
        return ("tensor", str(r.dtype).split(".")[-1], r.detach().tolist())
    if isinstance(r, (tuple, list)):
        return type(r).__name__, [_norm(x) for x in r]
    return r


def same(fn, msg_words=40):
    """fn(m) gives equal results with m=torch and m=ember, or raises the same class with the same message start."""
    out = []
    for m in (torch, ember):
        try:
            out.append(("ok", _norm(fn(m))))
        except Exception as e:  # noqa: BLE001 - any error must match torch's
            out.append(("error", type(e).__name__, str(e)))
    t, e = out
    if t[0] == "error":
        assert e[0] == "error", f"torch raised {t[1]}: {t[2]}; ember returned {e[1]!r}"
        assert e[1] == t[1], f"ember raised {e[1]}: {e[2]}; torch raised {t[1]}: {t[2]}"
        head = t[2][:msg_words]
        assert e[2].startswith(head), f"ember's message {e[2]!r} does not start like torch's {t[2]!r}"
    else:
        assert e == t, f"ember {e} != torch {t}"
    return e
