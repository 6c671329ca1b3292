"""ember.distributions against torch.distributions: the same parameters give the same log_prob,
cdf/icdf, entropy, moments, shapes, KL divergences and parameter gradients; the same seed gives
the same samples wherever torch draws with its CPU generator's plain kernels."""
import os
import subprocess
import sys

import numpy as np
import pytest
import torch

import ember

from oracle import to_numpy

RNG = np.random.default_rng(0)


def _pos(*shape):
    return RNG.uniform(0.5, 2.0, size=shape)


def _real(*shape):
    return RNG.uniform(-1.5, 1.5, size=shape)


def _unit(*shape):
    return RNG.uniform(0.1, 0.9, size=shape)


def _simplex(*shape):
    p = RNG.uniform(0.1, 1.0, size=shape)
    return p / p.sum(-1, keepdims=True)


def _spd(n, *batch):
    a = RNG.normal(size=batch + (n, n))
    return a @ np.swapaxes(a, -1, -2) + n * np.eye(n)


def _tril(n, *batch):
    return np.linalg.cholesky(_spd(n, *batch))


# name -> (params builder, extra kwargs, seed-equal sampling?). Params are NumPy arrays (made
# into leaf tensors requiring grad) or Python numbers.
CASES = {
    "Normal": (lambda: {"loc": _real(3), "scale": _pos(3)}, True),
    "Normal_scalar": (lambda: {"loc": 0.5, "scale": 2.0}, True),
    "Normal_broadcast": (lambda: {"loc": _real(2, 1), "scale": _pos(3)}, True),
    "Bernoulli_probs": (lambda: {"probs": _unit(4)}, True),
    "Bernoulli_logits": (lambda: {"logits": _real(2, 3)}, True),
    "Categorical_probs": (lambda: {"probs": _simplex(3, 4)}, True),
    "Categorical_logits": (lambda: {"logits": _real(5)}, True),
    "OneHotCategorical": (lambda: {"probs": _simplex(2, 3)}, True),
    "OneHotCategoricalStraightThrough": (lambda: {"logits": _real(2, 3)}, True),
    "Uniform": (lambda: {"low": _real(3) - 2, "high": _pos(3)}, True),
    "Exponential": (lambda: {"rate": _pos(3)}, True),
    "Laplace": (lambda: {"loc": _real(3), "scale": _pos(3)}, True),
    "MultivariateNormal_cov": (lambda: {"loc": _real(2, 3), "covariance_matrix": _spd(3)}, True),
    "MultivariateNormal_tril": (lambda: {"loc": _real(3), "scale_tril": _tril(3, 2)}, True),
    "MultivariateNormal_prec": (lambda: {"loc": _real(3), "precision_matrix": _spd(3)}, True),
    "LogNormal": (lambda: {"loc": _real(3), "scale": _pos(3)}, True),
    "HalfNormal": (lambda: {"scale": _pos(3)}, True),
    "Cauchy": (lambda: {"loc": _real(3), "scale": _pos(3)}, True),
    "HalfCauchy": (lambda: {"scale": _pos(3)}, True),
    "Gumbel": (lambda: {"loc": _real(3), "scale": _pos(3)}, True),
    "Pareto": (lambda: {"scale": _pos(3), "alpha": _pos(3) + 2}, True),
    "Geometric": (lambda: {"probs": _unit(3)}, True),
    "RelaxedBernoulli": (lambda: {"temperature": _pos(3), "probs": _unit(3)}, True),
    "LogisticNormal": (lambda: {"loc": _real(2, 3), "scale": _pos(3)}, True),
    "ContinuousBernoulli_probs": (lambda: {"probs": np.array([0.2, 0.4995, 0.7])}, True),
    "ContinuousBernoulli_logits": (lambda: {"logits": _real(3)}, True),
    "LowRankMultivariateNormal": (lambda: {"loc": _real(2, 3), "cov_factor": _real(3, 2), "cov_diag": _pos(3)},
                                  True),
    "MixtureSameFamily": (lambda: {"mixture": _real(2, 3), "loc": _real(2, 3), "scale": _pos(2, 3)}, True),
    "MixtureSameFamily_mvn": (lambda: {"mixture": _real(3), "loc": _real(3, 2), "scale_tril": _tril(2, 3)}, True),
    "MixtureSameFamily_independent": (lambda: {"mixture": _real(4, 3), "loc": _real(4, 3, 2), "scale": _pos(3, 2)},
                                      True),
    "VonMises": (lambda: {"loc": _real(3), "concentration": np.array([0.5, 2.0, 6.0])}, True),
    "GeneralizedPareto": (lambda: {"loc": _real(3), "scale": _pos(3), "concentration": np.array([-0.3, 0.0, 0.4])},
                          True),
    "RelaxedOneHotCategorical": (lambda: {"temperature": np.array(0.7), "probs": _simplex(2, 3)}, True),
    "Weibull": (lambda: {"scale": _pos(3), "concentration": _pos(3) + 0.5}, True),
    "Kumaraswamy": (lambda: {"concentration1": _pos(3), "concentration0": _pos(3)}, True),
    "Gamma": (lambda: {"concentration": np.array([0.3, 1.5, 9.0]), "rate": _pos(3)}, True),
    "Chi2": (lambda: {"df": _pos(3) * 3}, True),
    "Beta": (lambda: {"concentration1": np.array([0.4, 2.0, 8.0]), "concentration0": np.array([3.0, 0.6, 9.0])},
             True),
    "Beta_scalar": (lambda: {"concentration1": 2.0, "concentration0": 3.0}, True),
    "Dirichlet": (lambda: {"concentration": np.array([[0.3, 1.0, 2.5], [7.0, 8.0, 0.9]])}, True),
    "StudentT": (lambda: {"df": _pos(3) + 2, "loc": _real(3), "scale": _pos(3)}, True),
    "FisherSnedecor": (lambda: {"df1": _pos(3) * 3, "df2": _pos(3) * 5 + 4}, True),
    "InverseGamma": (lambda: {"concentration": _pos(3) + 2, "rate": _pos(3)}, True),
    "Poisson": (lambda: {"rate": np.array([0.5, 4.0, 25.0])}, True),
    "Binomial": (lambda: {"total_count": 12, "probs": np.array([0.1, 0.5, 0.95])}, True),
    "Binomial_counts": (lambda: {"total_count": np.array([3.0, 40.0, 200.0]), "logits": _real(3)}, True),
    "Multinomial": (lambda: {"total_count": 5, "probs": _simplex(2, 3)}, True),
    "NegativeBinomial": (lambda: {"total_count": _pos(3) * 3, "probs": _unit(3)}, True),
    "Wishart": (lambda: {"df": np.array([4.0, 5.5]), "covariance_matrix": _spd(3)}, True),
    "LKJCholesky": (lambda: {"dim": 3, "concentration": _pos(2)}, True),
}

# cases whose distribution is made from other distributions
MAKERS = {
    "MixtureSameFamily": lambda d, p: d.MixtureSameFamily(d.Categorical(logits=p["mixture"]),
                                                          d.Normal(p["loc"], p["scale"])),
    "MixtureSameFamily_mvn": lambda d, p: d.MixtureSameFamily(
        d.Categorical(logits=p["mixture"]), d.MultivariateNormal(p["loc"], scale_tril=p["scale_tril"])),
    "MixtureSameFamily_independent": lambda d, p: d.MixtureSameFamily(
        d.Categorical(logits=p["mixture"]), d.Independent(d.Normal(p["loc"], p["scale"]), 1)),
}


def _class_name(case):
    return case.split("#")[0].split("_")[0]


def _tensor(mod, v, dtype):
    if isinstance(v, np.ndarray):
        return mod.tensor(v, dtype=dtype, requires_grad=True)
    return v


# torch's GeneralizedPareto.log_prob compares with a float32 zero, which fails for float64 parameters
DTYPES = {"GeneralizedPareto": "float32"}


def build(mod, case):
    dt = getattr(mod, DTYPES.get(_class_name(case), "float64"))
    params = {k: _tensor(mod, v, dt) for k, v in _PARAMS[case].items()}
    maker = MAKERS.get(case.split("#")[0])
    if maker is not None:
        return maker(mod.distributions, params), params
    return getattr(mod.distributions, _class_name(case))(**params), params


_PARAMS = {case: fn() for case, (fn, _) in CASES.items()}


def assert_close(e, t, what, rtol=1e-6, atol=1e-8):
    if t is None:  # no gradient reached this parameter in torch: none in ember either
        assert e is None, f"{what}: {type(e)} vs None"
        return
    assert isinstance(e, ember.Tensor), f"{what}: {type(e)}"
    assert tuple(e.shape) == tuple(t.shape), f"{what}: shape {tuple(e.shape)} vs {tuple(t.shape)}"
    assert str(e.dtype).split(".")[-1] == str(t.dtype).split(".")[-1], f"{what}: {e.dtype} vs {t.dtype}"
    if t.dtype == torch.float32:
        rtol, atol = max(rtol, 2e-5), max(atol, 1e-6)
    np.testing.assert_allclose(to_numpy(e), to_numpy(t), rtol=rtol, atol=atol, equal_nan=True, err_msg=what)


def _same_or_both_raise(fn_e, fn_t, what, **tol):
    try:
        t = fn_t()
    except (NotImplementedError, ValueError) as exc:
        with pytest.raises(type(exc)):
            fn_e()
        return None
    except AttributeError:  # a torch bug (Multinomial.expand forgets _binomial): ember must still work
        assert isinstance(fn_e(), ember.Tensor)
        return None
    e = fn_e()
    if isinstance(t, torch.Tensor):
        assert_close(e, t, what, **tol)
    else:
        assert e == t, what
    return e


def _grads(params):
    return [p.grad for p in params.values() if hasattr(p, "grad") and p.requires_grad]


@pytest.mark.parametrize("case", CASES)
def test_shapes_moments_entropy(case):
    de, _ = build(ember, case)
    dt, _ = build(torch, case)
    assert tuple(de.batch_shape) == tuple(dt.batch_shape)
    assert tuple(de.event_shape) == tuple(dt.event_shape)
    assert de.has_rsample == dt.has_rsample
    assert de.has_enumerate_support == dt.has_enumerate_support
    for prop in ("mean", "variance", "stddev", "mode"):
        _same_or_both_raise(lambda: getattr(de, prop), lambda: getattr(dt, prop), f"{case}.{prop}")
    _same_or_both_raise(de.entropy, dt.entropy, f"{case}.entropy")
    assert repr(de) == repr(dt)
    # expand: new batch dims in front
    shape = (2,) + tuple(dt.batch_shape)
    ee, et = de.expand(shape), dt.expand(shape)
    assert tuple(ee.batch_shape) == tuple(et.batch_shape) and type(ee) is getattr(ember.distributions,
                                                                                    type(et).__name__)
    _same_or_both_raise(ee.entropy, et.entropy, f"{case}.expand.entropy")


@pytest.mark.parametrize("case", CASES)
def test_log_prob_cdf_icdf_and_grads(case):
    de, pe = build(ember, case)
    dt, pt = build(torch, case)
    torch.manual_seed(1)
    value_t = dt.sample((2,))
    value_e = ember.tensor(value_t.numpy())
    lp_e, lp_t = de.log_prob(value_e), dt.log_prob(value_t)
    assert_close(lp_e, lp_t, f"{case}.log_prob")
    assert lp_e.requires_grad == lp_t.requires_grad
    if lp_t.requires_grad:
        lp_t.sum().backward()
        lp_e.sum().backward()
    for ge, gt in zip(_grads(pe), _grads(pt)):
        assert_close(ge, gt, f"{case}.log_prob grad", rtol=1e-5, atol=1e-7)
    _same_or_both_raise(lambda: de.cdf(value_e), lambda: dt.cdf(value_t), f"{case}.cdf")
    q = np.linspace(0.05, 0.95, 2 * max(1, int(np.prod(dt.batch_shape)))).reshape((2,) + tuple(dt.batch_shape))
    _same_or_both_raise(lambda: de.icdf(ember.tensor(q)), lambda: dt.icdf(torch.tensor(q)), f"{case}.icdf",
                        rtol=1e-6, atol=1e-7)
    if dt.has_enumerate_support:
        for expand in (True, False):
            _same_or_both_raise(lambda: de.enumerate_support(expand), lambda: dt.enumerate_support(expand),
                                f"{case}.enumerate_support({expand})")


@pytest.mark.parametrize("case", CASES)
def test_samples(case):
    de, pe = build(ember, case)
    dt, pt = build(torch, case)
    seed_equal = CASES[case][1]
    ember.manual_seed(3)
    torch.manual_seed(3)
    se, st = de.sample((4, 5)), dt.sample((4, 5))
    assert tuple(se.shape) == tuple(st.shape) and se.dtype == getattr(ember, str(st.dtype).split(".")[-1])
    assert not se.requires_grad
    if seed_equal:
        assert_close(se, st, f"{case}.sample", rtol=1e-12, atol=1e-12)
    if dt.has_rsample:
        re, rt = de.rsample((3,)), dt.rsample((3,))
        if seed_equal:
            assert_close(re, rt, f"{case}.rsample", rtol=1e-12, atol=1e-12)
        w = np.random.default_rng(5).uniform(-1, 1, size=tuple(rt.shape))
        assert re.requires_grad == rt.requires_grad
        if rt.requires_grad:
            try:
                (rt * torch.tensor(w)).sum().backward()
            except RuntimeError:  # torch's Wishart.rsample modifies a tensor its graph saved; ember's does not
                (re * ember.tensor(w)).sum().backward()
                assert all(bool(g.isfinite().all()) for g in _grads(pe))
                return
            (re * ember.tensor(w)).sum().backward()
        for ge, gt in zip(_grads(pe), _grads(pt)):
            assert_close(ge, gt, f"{case}.rsample grad", rtol=1e-6, atol=1e-8)
    else:
        with pytest.raises(NotImplementedError):
            de.rsample()


def _kl_case(cls_name):
    """A case of the class whose batch shape broadcasts with (3,) (the common one of the cases)."""
    for case in CASES:
        if _class_name(case) == cls_name:
            shape = tuple(build(torch, case)[0].batch_shape)
            if shape[-1:] in ((3,), (1,), ()):
                return case
    return None


# Every pair torch registers whose two families have a case here (the abstract ones, ExponentialFamily,
# TransformedDistribution and Independent, are reached through Wishart, LogNormal and Independent below).
KL_PAIRS = sorted({(_kl_case(p.__name__), _kl_case(q.__name__))
                   for p, q in torch.distributions.kl._KL_REGISTRY
                   if _kl_case(p.__name__) and _kl_case(q.__name__)})
KL_PAIRS += [("Chi2", "Chi2"), ("Wishart", "Wishart"), ("LogNormal", "LogNormal"), ("Bernoulli_logits", "Poisson"),
             ("MultivariateNormal_tril", "MultivariateNormal_prec"), ("ContinuousBernoulli_logits", "Uniform")]


def test_kl_pairs_cover_torch_registry():
    assert len(KL_PAIRS) >= 80
    ours = {(p.__name__, q.__name__) for p, q in ember.distributions.kl._KL_REGISTRY}
    assert ours == {(p.__name__, q.__name__) for p, q in torch.distributions.kl._KL_REGISTRY}


def _second(case):
    """Other parameters for the same family (the q of KL(p || q))."""
    saved = _PARAMS[case]
    fresh = CASES[case][0]()
    return {k: (fresh[k] if isinstance(v, np.ndarray) and fresh[k].shape == v.shape else v)
            for k, v in saved.items()}


@pytest.mark.parametrize("p_case,q_case", KL_PAIRS)
def test_kl_divergence(p_case, q_case):
    if q_case == p_case:
        _PARAMS[q_case + "#q"] = _second(q_case)
        CASES[q_case + "#q"] = CASES[q_case]
        q_case = q_case + "#q"
    p_e, pe = build(ember, p_case)
    p_t, pt = build(torch, p_case)
    q_e, qe = build(ember, q_case)
    q_t, qt = build(torch, q_case)
    kt = torch.distributions.kl_divergence(p_t, q_t)
    ke = ember.distributions.kl_divergence(p_e, q_e)
    assert_close(ke, kt, f"KL({p_case} || {q_case})")
    if kt.requires_grad and torch.isfinite(kt).all():
        kt.sum().backward()
        ke.sum().backward()
        for ge, gt in zip(_grads(pe) + _grads(qe), _grads(pt) + _grads(qt)):
            assert_close(ge, gt, f"KL({p_case} || {q_case}) grad", rtol=1e-5, atol=1e-7)


def test_kl_not_implemented_and_register():
    d = ember.distributions
    with pytest.raises(NotImplementedError, match="No KL"):
        d.kl_divergence(d.Cauchy(0.0, 1.0), d.Normal(0.0, 1.0))

    class MyNormal(d.Normal):
        pass

    @d.register_kl(MyNormal, d.Normal)
    def _kl(p, q):
        return ember.tensor(42.0)

    assert d.kl_divergence(MyNormal(0.0, 1.0), d.Normal(0.0, 1.0)).item() == 42.0
    # the plain pair still dispatches to the Normal/Normal formula
    assert d.kl_divergence(d.Normal(0.0, 1.0), d.Normal(0.0, 1.0)).item() == 0.0


# -- validation ---------------------------------------------------------------------------------
def _error(fn):
    try:
        fn()
    except Exception as exc:  # noqa: BLE001 - the point is to compare what torch raises
        return type(exc), str(exc)
    return None


@pytest.mark.parametrize("make", [
    lambda m: m.distributions.Normal(m.tensor([0.0, 1.0]), m.tensor([1.0, -1.0])),
    lambda m: m.distributions.Normal(0.0, 0.0),
    lambda m: m.distributions.Bernoulli(probs=m.tensor([1.5])),
    lambda m: m.distributions.Bernoulli(),
    lambda m: m.distributions.Bernoulli(probs=0.5, logits=0.0),
    lambda m: m.distributions.Categorical(probs=m.tensor(0.5)),
    lambda m: m.distributions.Categorical(probs=m.tensor([-0.1, 1.1])),
    lambda m: m.distributions.Uniform(1.0, 0.0),
    lambda m: m.distributions.Exponential(m.tensor([-1.0])),
    lambda m: m.distributions.MultivariateNormal(m.zeros(2)),
    lambda m: m.distributions.MultivariateNormal(m.zeros(()), m.eye(2)),
    lambda m: m.distributions.MultivariateNormal(m.zeros(2), m.tensor([[1.0, 2.0], [2.0, 1.0]])),
    lambda m: m.distributions.MultivariateNormal(m.zeros(2), scale_tril=m.ones(2)),
    lambda m: m.distributions.Independent(m.distributions.Normal(m.zeros(2), 1.0), 2),
    lambda m: m.distributions.Geometric(m.tensor([0.0, 0.5])),
    lambda m: m.distributions.Normal(0.0, 1.0).log_prob(1.0),
    lambda m: m.distributions.Normal(m.zeros(3), 1.0).log_prob(m.zeros(2)),
    lambda m: m.distributions.Bernoulli(m.tensor([0.5])).log_prob(m.tensor([0.5])),
    lambda m: m.distributions.Categorical(m.tensor([0.5, 0.5])).log_prob(m.tensor(2)),
    lambda m: m.distributions.Exponential(1.0).log_prob(m.tensor(-1.0)),
    lambda m: m.distributions.OneHotCategorical(m.tensor([0.5, 0.5])).log_prob(m.tensor([1.0, 1.0])),
    lambda m: m.distributions.MultivariateNormal(m.zeros(2), m.eye(2)).log_prob(m.zeros(3)),
    lambda m: m.distributions.Uniform(0.0, 1.0).log_prob(m.tensor(2.0)),
    lambda m: m.distributions.transforms.Transform(cache_size=2),
    lambda m: m.distributions.TransformedDistribution(m.distributions.Normal(0.0, 1.0), 3),
    lambda m: m.distributions.biject_to(m.distributions.constraints.boolean),
    lambda m: m.distributions.Distribution.set_default_validate_args(3),
    lambda m: m.distributions.Gamma(m.tensor([-1.0]), 1.0),
    lambda m: m.distributions.Dirichlet(m.tensor(1.0)),
    lambda m: m.distributions.Dirichlet(m.tensor([1.0, -1.0])),
    lambda m: m.distributions.Binomial(10, probs=m.tensor([1.5])),
    lambda m: m.distributions.Binomial(m.tensor([2.5]), probs=m.tensor([0.5])),
    lambda m: m.distributions.Poisson(m.tensor([-1.0])),
    lambda m: m.distributions.Multinomial(2.5, probs=m.tensor([0.5, 0.5])),
    lambda m: m.distributions.LKJCholesky(1),
    lambda m: m.distributions.Wishart(m.tensor(1.0), covariance_matrix=m.eye(3)),
    lambda m: m.distributions.MixtureSameFamily(m.distributions.Normal(0.0, 1.0), m.distributions.Normal(0.0, 1.0)),
    lambda m: m.distributions.MixtureSameFamily(m.distributions.Categorical(m.ones(3)),
                                                m.distributions.Normal(m.zeros(2), 1.0)),
    lambda m: m.distributions.LowRankMultivariateNormal(m.zeros(3), m.ones(2, 1), m.ones(3)),
    lambda m: m.distributions.StudentT(m.tensor([-1.0])),
    lambda m: m.distributions.Beta(m.tensor([2.0]), m.tensor([2.0])).log_prob(m.tensor([1.5])),
    lambda m: m.distributions.Poisson(m.tensor([2.0])).log_prob(m.tensor([0.5])),
    lambda m: m.distributions.Dirichlet(m.ones(3)).log_prob(m.tensor([0.5, 0.5, 0.5])),
    lambda m: m.distributions.ContinuousBernoulli(probs=m.tensor([1.5]), validate_args=True),
    lambda m: m.distributions.RelaxedBernoulli(m.tensor(0.5), probs=m.tensor([1.5])),
    lambda m: m.distributions.Pareto(1.0, 1.0).log_prob(m.tensor(0.5)),
])
def test_validation_errors(make):
    expected = _error(lambda: make(torch))
    assert expected is not None
    got = _error(lambda: make(ember))
    assert got is not None, f"ember raised nothing; torch raised {expected}"
    assert got[0] is expected[0], f"{got} vs {expected}"
    # the message's leading words (values in it are formatted by each library's printer)
    assert got[1].split("(")[0].split("\n")[0] == expected[1].split("(")[0].split("\n")[0], f"{got} vs {expected}"


def test_validate_args_off_and_default():
    d = ember.distributions
    d.Normal(0.0, -1.0, validate_args=False)  # no check
    d.Distribution.set_default_validate_args(False)
    try:
        d.Normal(0.0, -1.0)
        assert d.Normal(0.0, 1.0).log_prob(ember.tensor(1.0)).item() == pytest.approx(-1.4189385332)
    finally:
        d.Distribution.set_default_validate_args(True)
    with pytest.raises(ValueError):
        d.Normal(0.0, -1.0)


def test_sample_n_warns():
    with pytest.warns(FutureWarning):
        assert ember.distributions.Normal(0.0, 1.0).sample_n(3).shape == (3,)


# -- transforms -------------------------------------------------------------------------------------
TRANSFORMS = {
    "ExpTransform": (lambda m: m.distributions.ExpTransform(), _real(2, 3)),
    "AffineTransform": (lambda m: m.distributions.AffineTransform(m.tensor(_PARAMS["Normal"]["loc"]), -2.0),
                        _real(2, 3)),
    "SigmoidTransform": (lambda m: m.distributions.SigmoidTransform(), _real(2, 3)),
    "TanhTransform": (lambda m: m.distributions.TanhTransform(), _real(2, 3)),
    "SoftplusTransform": (lambda m: m.distributions.SoftplusTransform(), _real(2, 3)),
    "PowerTransform": (lambda m: m.distributions.PowerTransform(m.tensor(2.5)), _pos(2, 3)),
    "AbsTransform": (lambda m: m.distributions.AbsTransform(), _real(2, 3)),
    "SoftmaxTransform": (lambda m: m.distributions.SoftmaxTransform(), _real(2, 3)),
    "StickBreakingTransform": (lambda m: m.distributions.StickBreakingTransform(), _real(2, 3)),
    "LowerCholeskyTransform": (lambda m: m.distributions.LowerCholeskyTransform(), _real(2, 3, 3)),
    "PositiveDefiniteTransform": (lambda m: m.distributions.PositiveDefiniteTransform(), _real(2, 3, 3)),
    "CorrCholeskyTransform": (lambda m: m.distributions.CorrCholeskyTransform(), _real(2, 6)),
    "ComposeTransform": (lambda m: m.distributions.ComposeTransform(
        [m.distributions.AffineTransform(1.0, 2.0), m.distributions.ExpTransform()]), _real(2, 3)),
    "ReshapeTransform": (lambda m: m.distributions.ReshapeTransform((6,), (2, 3)), _real(2, 6)),
    "IndependentTransform": (lambda m: m.distributions.IndependentTransform(m.distributions.ExpTransform(), 1),
                             _real(2, 3)),
    "CatTransform": (lambda m: m.distributions.CatTransform(
        [m.distributions.ExpTransform(), m.distributions.identity_transform], dim=1, lengths=[2, 1]), _real(2, 3)),
    "StackTransform": (lambda m: m.distributions.StackTransform(
        [m.distributions.ExpTransform(), m.distributions.SigmoidTransform()], dim=0), _real(2, 3)),
    "Inverse": (lambda m: m.distributions.ExpTransform().inv, _pos(2, 3)),
    "CumulativeDistributionTransform": (lambda m: m.distributions.CumulativeDistributionTransform(
        m.distributions.Normal(0.0, 1.0)), _real(2, 3)),
}


@pytest.mark.parametrize("name", TRANSFORMS)
def test_transform(name):
    make, x = TRANSFORMS[name]
    te, tt = make(ember), make(torch)
    xe, xt = ember.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    ye, yt = te(xe), tt(xt)
    assert_close(ye, yt, f"{name} forward")
    assert_close(te.inv(ye), tt.inv(yt), f"{name} inverse", rtol=1e-6, atol=1e-7)
    _same_or_both_raise(lambda: te.log_abs_det_jacobian(xe, ye), lambda: tt.log_abs_det_jacobian(xt, yt),
                        f"{name} log_abs_det_jacobian")
    assert te.bijective == tt.bijective
    assert repr(te.domain) == repr(tt.domain) and repr(te.codomain) == repr(tt.codomain)
    assert tuple(te.forward_shape(x.shape)) == tuple(tt.forward_shape(x.shape))
    assert tuple(te.inverse_shape(tuple(yt.shape))) == tuple(tt.inverse_shape(tuple(yt.shape)))
    yt.sum().backward()
    ye.sum().backward()
    assert_close(xe.grad, xt.grad, f"{name} grad")


def test_transform_cache_and_equality():
    d = ember.distributions
    t = d.ExpTransform(cache_size=1)
    x = ember.randn(3)
    y = t(x)
    assert t.inv(y) is x and t(x) is y
    assert d.ExpTransform() == d.ExpTransform() and d.ExpTransform() != d.SigmoidTransform()
    assert d.AffineTransform(1.0, 2.0) == d.AffineTransform(1.0, 2.0)
    assert d.ExpTransform().inv == d.ExpTransform().inv
    assert d.identity_transform(x) is x


@pytest.mark.parametrize("constraint", [
    "real", "positive", "nonnegative", "unit_interval", "simplex", "lower_cholesky", "positive_definite",
    "corr_cholesky", "greater_than(2.0)", "less_than(-1.0)", "interval(-1.0, 3.0)", "half_open_interval(0.0, 2.0)",
    "independent(constraints.positive, 1)", "greater_than_eq(1.0)",
])
def test_biject_and_transform_to(constraint):
    size = {"lower_cholesky": (2, 3, 3), "positive_definite": (2, 3, 3), "corr_cholesky": (2, 3)}
    x = _real(*size.get(constraint, (2, 3)))
    for registry in ("biject_to", "transform_to"):
        te_c = eval("constraints." + constraint, {"constraints": ember.distributions.constraints})
        tt_c = eval("constraints." + constraint, {"constraints": torch.distributions.constraints})
        try:
            tt = getattr(torch.distributions, registry)(tt_c)
        except NotImplementedError:
            with pytest.raises(NotImplementedError):
                getattr(ember.distributions, registry)(te_c)
            continue
        te = getattr(ember.distributions, registry)(te_c)
        assert type(te).__name__ == type(tt).__name__
        ye, yt = te(ember.tensor(x)), tt(torch.tensor(x))
        assert_close(ye, yt, f"{registry}({constraint})")
        assert bool(te_c.check(ye).all()) and bool(tt_c.check(yt).all())


def test_constraints_check():
    c_e, c_t = ember.distributions.constraints, torch.distributions.constraints
    x = np.array([[-1.0, 0.0, 0.5, 1.0, 2.0, np.nan]])
    for name in ("real", "positive", "nonnegative", "unit_interval", "boolean", "nonnegative_integer",
                 "positive_integer"):
        assert_close(getattr(c_e, name).check(ember.tensor(x)), getattr(c_t, name).check(torch.tensor(x)), name)
        assert repr(getattr(c_e, name)) == repr(getattr(c_t, name))
        assert getattr(c_e, name).is_discrete == getattr(c_t, name).is_discrete
    assert repr(c_e.integer_interval(0, 3)) == repr(c_t.integer_interval(0, 3))
    assert repr(c_e.independent(c_e.real, 1)) == repr(c_t.independent(c_t.real, 1))
    s = _simplex(3, 4)
    assert_close(c_e.simplex.check(ember.tensor(s)), c_t.simplex.check(torch.tensor(s)), "simplex")
    with pytest.raises(ValueError, match="Cannot determine validity"):
        c_e.dependent.check(ember.zeros(1))


def test_transformed_distribution_matches_lognormal():
    d = ember.distributions
    loc, scale = ember.tensor([0.2, -0.3]), ember.tensor([1.1, 0.7])
    td = d.TransformedDistribution(d.Normal(loc, scale), [d.ExpTransform()])
    x = ember.tensor([0.5, 2.0])
    assert_close(td.log_prob(x), torch.distributions.LogNormal(torch.tensor([0.2, -0.3]),
                                                               torch.tensor([1.1, 0.7])).log_prob(
        torch.tensor([0.5, 2.0])), "log_prob")
    assert_close(td.cdf(x), torch.distributions.TransformedDistribution(
        torch.distributions.Normal(torch.tensor([0.2, -0.3]), torch.tensor([1.1, 0.7])),
        [torch.distributions.ExpTransform()]).cdf(torch.tensor([0.5, 2.0])), "cdf")


def test_independent():
    locs = _real(2, 3)
    de = ember.distributions.Independent(ember.distributions.Normal(ember.tensor(locs), 1.0), 1)
    dt = torch.distributions.Independent(torch.distributions.Normal(torch.tensor(locs), 1.0), 1)
    assert tuple(de.batch_shape) == (2,) and tuple(de.event_shape) == (3,)
    v = _real(4, 2, 3)
    assert_close(de.log_prob(ember.tensor(v)), dt.log_prob(torch.tensor(v)), "log_prob")
    assert_close(de.entropy(), dt.entropy(), "entropy")
    assert repr(de) == repr(dt)
    assert tuple(de.expand((5, 2)).batch_shape) == (5, 2)
    assert repr(de.support) == repr(dt.support)
    other = _real(2, 3)
    qe = ember.distributions.Independent(ember.distributions.Normal(ember.tensor(other), 2.0), 1)
    qt = torch.distributions.Independent(torch.distributions.Normal(torch.tensor(other), 2.0), 1)
    assert_close(ember.distributions.kl_divergence(de, qe), torch.distributions.kl_divergence(dt, qt), "KL")
    with pytest.raises(NotImplementedError):
        ember.distributions.kl_divergence(de, ember.distributions.Independent(qe.base_dist, 2))


def test_under_ember_run(tmp_path):
    """A script written for torch, run with `ember run`, gets ember's distributions."""
    script = tmp_path / "script.py"
    script.write_text(
        "import torch\n"
        "from torch.distributions import Normal, constraints, kl_divergence\n"
        "from torch.distributions.transforms import ExpTransform\n"
        "torch.manual_seed(0)\n"
        "d = Normal(torch.zeros(3), torch.ones(3))\n"
        "print(type(d).__module__, d.sample().tolist(), constraints.positive, ExpTransform())\n"
        "print(kl_divergence(d, Normal(1.0, 2.0)).tolist())\n")
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    out = subprocess.run([sys.executable, "-m", "ember", "run", str(script)], capture_output=True, text=True,
                         env={**os.environ, "PYTHONPATH": root}, timeout=120)
    assert out.returncode == 0, out.stderr
    first, second = out.stdout.splitlines()
    torch.manual_seed(0)
    d = torch.distributions.Normal(torch.zeros(3), torch.ones(3))
    assert first.startswith("ember.distributions.normal " + str(d.sample().tolist()))
    np.testing.assert_allclose(eval(second), torch.distributions.kl_divergence(
        d, torch.distributions.Normal(1.0, 2.0)).tolist(), rtol=1e-6)


# -- REINFORCE ------------------------------------------------------------------------------------
def _reinforce(m, steps=20):
    """Policy-gradient loop: a linear policy over 4 actions, reward 1 for action 2."""
    m.manual_seed(0)
    policy = m.nn.Linear(3, 4)
    opt = m.optim.SGD(policy.parameters(), lr=0.1)
    obs = m.ones(8, 3)
    history = []
    for _ in range(steps):
        dist = m.distributions.Categorical(logits=policy(obs))
        actions = dist.sample()
        reward = (actions == 2).to(m.float32)
        loss = -(dist.log_prob(actions) * (reward - reward.mean())).mean() - 0.01 * dist.entropy().mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        history.append((actions.tolist(), loss.item()))
    return history, policy.weight.detach().numpy().copy()


def test_reinforce_same_as_torch():
    he, we = _reinforce(ember)
    ht, wt = _reinforce(torch)
    assert [a for a, _ in he] == [a for a, _ in ht]
    np.testing.assert_allclose([l for _, l in he], [l for _, l in ht], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(we, wt, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("make", [
    lambda m, a: m.distributions.Gamma(m.tensor(a), 2.0),
    lambda m, a: m.distributions.Dirichlet(m.tensor(a).reshape(4, 5)),
    lambda m, a: m.distributions.Beta(m.tensor(a), m.tensor(a[::-1].copy())),
    lambda m, a: m.distributions.Poisson(m.tensor(a) * 4),
    lambda m, a: m.distributions.Binomial(m.tensor(np.round(a * 10)), probs=m.tensor(a / a.max())),
    lambda m, a: m.distributions.NegativeBinomial(m.tensor(a), logits=m.tensor(a - 1)),
    lambda m, a: m.distributions.StudentT(m.tensor(a)),
])
def test_float32_samplers_exact(make):
    """The float32 paths of torch's serial samplers (float arithmetic in a few steps) give the same
    numbers, to the bit."""
    a = np.array([0.05, 0.3, 0.9, 1.0, 1.7, 2.5, 4.0, 7.5, 12.0, 30.0] * 2, dtype=np.float32)
    ember.manual_seed(7)
    torch.manual_seed(7)
    se, st = make(ember, a).sample((3,)), make(torch, a).sample((3,))
    assert se.dtype == ember.float32
    np.testing.assert_array_equal(se.numpy(), st.numpy())


@pytest.mark.parametrize("make", [
    lambda m: m.distributions.Normal(m.zeros(5, 7), m.ones(7) * 2),
    lambda m: m.distributions.Uniform(m.zeros(40), 3.0),
    lambda m: m.distributions.Laplace(m.zeros(40), 0.5),
    lambda m: m.distributions.Exponential(m.ones(40) * 1.5),
    lambda m: m.distributions.Cauchy(m.zeros(40), 1.0),
    lambda m: m.distributions.Gumbel(m.zeros(40), 1.0),
    lambda m: m.distributions.Bernoulli(m.full((40,), 0.3)),
    lambda m: m.distributions.Categorical(m.softmax(m.arange(12.0).reshape(3, 4), -1)),
    lambda m: m.distributions.MultivariateNormal(m.zeros(3), m.eye(3) * 2),
    lambda m: m.distributions.Geometric(m.full((40,), 0.2)),
    lambda m: m.distributions.LogNormal(m.zeros(40), 1.0),
])
def test_float32_default_dtype_samples_match(make):
    """Default-dtype (float32) parameters: the same draws as torch (to an ulp: float32 log/exp of
    NumPy and of torch's vectorised kernels may round differently)."""
    ember.manual_seed(11)
    torch.manual_seed(11)
    de, dt = make(ember), make(torch)
    np.testing.assert_allclose(de.sample((2, 3)).numpy(), dt.sample((2, 3)).numpy(), rtol=1e-6, atol=1e-6)
    if dt.has_rsample:
        np.testing.assert_allclose(de.rsample((17,)).detach().numpy(), dt.rsample((17,)).detach().numpy(),
                                   rtol=1e-6, atol=1e-6)


def test_sampler_edge_values_as_torch():
    """Invalid or degenerate parameters give torch's samples (its floor for gamma, its errors)."""
    from ember.distributions import _samplers

    a = [-0.5, -1.0, -3.0, float("nan"), 0.0, 0.2]
    ember.manual_seed(0)
    torch.manual_seed(0)
    np.testing.assert_array_equal(_samplers.standard_gamma(ember.tensor(a)).numpy(),
                                  torch._standard_gamma(torch.tensor(a)).numpy())
    for bad in ([-1.0], [float("nan")]):
        with pytest.raises(RuntimeError, match="invalid Poisson rate"):
            ember.poisson(ember.tensor(bad))
    counts, probs = [5.0, -1.0, 3.0, 4.0], [0.5, 0.5, float("nan"), 1.0]
    np.testing.assert_array_equal(ember.binomial(ember.tensor(counts), ember.tensor(probs)).numpy(),
                                  torch.binomial(torch.tensor(counts), torch.tensor(probs)).numpy())
