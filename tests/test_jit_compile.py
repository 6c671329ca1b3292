"""ember.jit, torch.compile, ember._dynamo, ember.compiler, ember.nn.parallel and ember.onnx against torch."""
import io
import subprocess
import sys
import warnings

import numpy as np
import pytest
import torch

import ember


def _net(lib):
    lib.manual_seed(0)
    return lib.nn.Sequential(lib.nn.Linear(3, 4), lib.nn.BatchNorm1d(4), lib.nn.Dropout(0.2), lib.nn.Linear(4, 2))


def _deprecations(fn):
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        out = fn()
    return out, [str(x.message) for x in w if x.category is DeprecationWarning]


@pytest.mark.parametrize("how", ["script", "trace", "trace_module"])
def test_script_and_trace_behave_as_the_module(how, tmp_path):
    x_np = np.random.default_rng(0).standard_normal((5, 3)).astype("f")
    results, warned = [], []
    for lib in (torch, ember):
        m = _net(lib).eval()  # torch's trace reruns forward to check it: training-mode statistics would drift
        x = lib.tensor(x_np)
        make = {"script": lambda: lib.jit.script(m), "trace": lambda: lib.jit.trace(m, x),
                "trace_module": lambda: lib.jit.trace_module(m, {"forward": x})}[how]
        s, w = _deprecations(make)
        warned.append(w)
        assert not s.training
        s.train()
        assert s.training
        s.eval()
        path = tmp_path / f"{lib.__name__}.pt"
        _deprecations(lambda: lib.jit.save(s, str(path)))
        loaded, _ = _deprecations(lambda: lib.jit.load(str(path)))
        results.append((s(x), loaded(x), sorted(s.state_dict()), [p.shape for p in s.parameters()], loaded.training))
    t, e = results
    np.testing.assert_allclose(t[0].detach().numpy(), e[0].detach().numpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(e[0].detach().numpy(), e[1].detach().numpy())
    assert t[2] == e[2] and [tuple(s) for s in t[3]] == [tuple(s) for s in e[3]]
    assert t[4] == e[4]
    assert warned[0][:1] == warned[1][:1]


def test_save_load_file_objects_extra_files_and_errors():
    m = ember.nn.Linear(2, 2)
    buf = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ember.jit.save(ember.jit.script(m), buf, _extra_files={"meta.txt": b"hello"})
        buf.seek(0)
        extra = {"meta.txt": ""}
        loaded = ember.jit.load(buf, _extra_files=extra)
        assert extra["meta.txt"] == b"hello"
        assert ember.equal(loaded.weight, m.weight)
        for lib in (torch, ember):
            with pytest.raises(ValueError, match="The provided filename /nonexistent/x.pt does not exist"):
                lib.jit.load("/nonexistent/x.pt")
        bad = io.BytesIO()
        ember.save({"a": ember.ones(1)}, bad)
        bad.seek(0)
        with pytest.raises(RuntimeError):
            ember.jit.load(bad)


def test_decorators_and_queries():
    for lib in (torch, ember):
        class M(lib.nn.Module):
            x: lib.jit.Final[int] = 3

            def __init__(self):
                super().__init__()
                self.a = lib.jit.Attribute(lib.ones(2), lib.Tensor)

            @lib.jit.ignore
            def helper(self, t):
                return t + 1

            @lib.jit.ignore(drop=True)
            def dropped(self, t):
                return t

            @lib.jit.unused
            def unused(self, t):
                return t

            @lib.jit.export
            def other(self, t):
                return t * 2

            def forward(self, t):
                assert not lib.jit.is_scripting()
                return lib.jit.annotate(lib.Tensor, self.helper(t)) + self.other(t)

        m = M()
        assert m.a.value.shape == (2,) and m.a.type is lib.Tensor
        np.testing.assert_allclose(m(lib.ones(2)).numpy(), [4.0, 4.0])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fut = lib.jit.fork(lambda a, b: a + b, lib.ones(1), b=lib.ones(1))
            assert float(lib.jit.wait(fut)) == 2.0
        assert not lib.jit.is_tracing()
        assert issubclass(lib.jit.ScriptModule, lib.nn.Module)
        assert lib.jit.isinstance([1, 2], list[int]) and not lib.jit.isinstance([1, "a"], list[int])
    seen = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ember.jit.trace(lambda t: seen.append(ember.jit.is_tracing()) or t, ember.ones(1))
    assert seen == [True] and not ember.jit.is_tracing()
    assert set(torch.jit.__all__) <= set(dir(ember.jit)) | {"ScriptModule"}


def test_compile_is_identity_and_checks_arguments():
    def f(x):
        return x + 1

    assert ember.compile(f) is f
    assert ember.compile(f, mode="max-autotune", fullgraph=True, dynamic=False, backend="inductor") is f
    assert ember.compile(f, options={"triton.cudagraphs": False}, disable=True) is f
    assert ember.compile()(f) is f
    assert ember.compile(mode="reduce-overhead")(f) is f
    m = ember.nn.Linear(2, 2)
    assert ember.compile(m) is m
    assert m._orig_mod is m and sorted(m.state_dict()) == ["bias", "weight"]
    assert len(list(m.modules())) == 1
    for kwargs, exc in (({"mode": "fast"}, RuntimeError), ({"mode": "default", "options": {}}, RuntimeError)):
        msgs = []
        for lib in (torch, ember):
            with pytest.raises(exc) as e:
                lib.compile(f, **kwargs)
            msgs.append(str(e.value))
        assert msgs[0] == msgs[1]
    with pytest.raises(Exception, match="Invalid backend: 'nope'"):
        ember.compile(f, backend="nope")
    with pytest.raises(AssertionError, match="A callable function is expected"):
        ember.compile(3)


def test_dynamo_and_compiler():
    d = ember._dynamo
    assert d.config.cache_size_limit == torch._dynamo.config.cache_size_limit
    assert d.config.suppress_errors is False
    with d.config.patch(suppress_errors=True):
        assert d.config.suppress_errors
    assert not d.config.suppress_errors
    with pytest.raises(AttributeError, match="torch._dynamo.config.nope does not exist"):
        d.config.nope = 1
    d.reset()
    x = ember.ones(3, 4)
    d.mark_dynamic(x, 0)
    d.mark_dynamic(x, [0, 1])

    def g(t):
        return t

    assert d.disable(g) is g and d.disable()(g) is g and d.allow_in_graph(g) is g
    assert d.optimize("inductor")(g) is g
    assert d.list_backends() == torch._dynamo.list_backends()
    c = ember.compiler
    assert not c.is_compiling() and not c.is_dynamo_compiling() and not c.is_exporting()
    assert c.disable(g) is g and c.allow_in_graph(g) is g and c.assume_constant_result(g) is g
    c.reset()
    assert set(ember.compiler.__all__) - set(torch.compiler.__all__) == set()


def test_parallel():  # (torch.onnx.export is tested in test_onnx_export.py)
    for lib in (torch, ember):
        with pytest.raises(ValueError, match="Default process group has not been initialized"):
            lib.nn.parallel.DistributedDataParallel(lib.nn.Linear(2, 2))
    from ember.nn.parallel import DataParallel, DistributedDataParallel, data_parallel  # noqa: F401
    assert DataParallel is ember.nn.DataParallel
    if not ember.cuda.is_available():
        for lib in (torch, ember):
            with pytest.raises(RuntimeError, match="device type could not be determined"):
                lib.nn.parallel.data_parallel(lib.nn.Linear(2, 2), lib.ones(1, 2))


def test_new_packages_load_lazily():
    code = ("import sys, ember; names = ['func', 'jit', '_dynamo', 'compiler', 'testing', 'onnx', 'utils.checkpoint',"
            " 'utils.benchmark', 'nn.parallel']; print([n for n in names if 'ember.' + n in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_script_module_subclass_with_script_method():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")

        class M(ember.jit.ScriptModule):
            def __init__(self):
                super().__init__()
                self.w = ember.nn.Parameter(ember.ones(2))

            @ember.jit.script_method
            def forward(self, x):
                return x * self.w * 2

    m = M()
    assert isinstance(m, ember.nn.Module)
    assert ember.equal(m(ember.ones(2)), ember.full((2,), 2.0))
    assert list(m.state_dict()) == ["w"]
