"""The rows of tests/test_bad_input_table.py: calls run on torch and on ember alike.

Each row is `(name, kind, fn)`, `fn(t)` taking the library (`torch` or `ember`):
- "bad": torch raises; ember must raise the same class with the same leading words;
- "ok": torch accepts the call; ember must too, with torch's result.
Most rows come from generators: one bad argument crossed with every op of a family.
"""
import math

ROWS = []


def bad(name, fn):
    ROWS.append((name, "bad", fn))


def ok(name, fn):
    ROWS.append((name, "ok", fn))


def F(t):
    return t.nn.functional


def ar(t, *shape, dtype=None):
    """A deterministic float tensor of `shape` (values 0.1, 0.2, ...)."""
    n = 1
    for s in shape:
        n *= s
    return ((t.arange(n, dtype=t.float32) + 1) / 10).reshape(shape).to(dtype or t.float32)


# ---------------------------------------------------------------- creation
_CREATORS = {
    "zeros": lambda t, *a, **k: t.zeros(*a, **k),
    "ones": lambda t, *a, **k: t.ones(*a, **k),
    "empty": lambda t, *a, **k: t.empty(*a, **k),
    "rand": lambda t, *a, **k: t.rand(*a, **k),
    "randn": lambda t, *a, **k: t.randn(*a, **k),
    "full": lambda t, *a, **k: t.full(a if len(a) != 1 else a[0], 1.0, **k),
}
_BAD_SIZES = {
    "neg": (-1,),
    "neg2": (2, -3),
    "float": (2.5,),
    "str": ("3",),
    "none": (None,),
    "list_float": ([2, 1.5],),
    "huge": (2 ** 50,),
    "huge2": (2 ** 25, 2 ** 25),
}
for _c, _make in _CREATORS.items():
    for _s, _size in _BAD_SIZES.items():
        bad(f"create_{_c}_{_s}", lambda t, m=_make, s=_size: m(t, *s))
    bad(f"create_{_c}_dtype_str", lambda t, m=_make: m(t, 2, dtype="float32"))
    bad(f"create_{_c}_dtype_int", lambda t, m=_make: m(t, 2, dtype=5))
    bad(f"create_{_c}_device_bad", lambda t, m=_make: m(t, 2, device="bogus"))
    bad(f"create_{_c}_device_neg", lambda t, m=_make: m(t, 2, device=-2))
    bad(f"create_{_c}_unknown_kw", lambda t, m=_make: m(t, 2, shape=3))
for _c in ("zeros", "ones", "rand", "randn", "empty"):
    bad(f"create_{_c}_int_requires_grad" if _c not in ("rand", "randn") else f"create_{_c}_int_dtype",
        lambda t, c=_c: getattr(t, c)(2, dtype=t.int64, requires_grad=True))
bad("randn_no_size", lambda t: t.randn())
bad("rand_no_size", lambda t: t.rand())
bad("zeros_no_size_kw", lambda t: t.zeros(dtype=t.float32, size="a"))
bad("randint_no_high", lambda t: t.randint(3))
bad("randint_low_ge_high", lambda t: t.randint(5, 2, (3,)))
bad("randint_float_size", lambda t: t.randint(0, 5, (2.5,)))
bad("randint_huge", lambda t: t.randint(0, 5, (2 ** 50,)))
bad("randperm_neg", lambda t: t.randperm(-1))
bad("randperm_float", lambda t: t.randperm(2.5))
bad("randperm_huge", lambda t: t.randperm(2 ** 50))
bad("arange_step0", lambda t: t.arange(0, 5, 0))
bad("arange_wrong_dir", lambda t: t.arange(5, 0, 1))
bad("arange_nan", lambda t: t.arange(0, float("nan")))
bad("arange_inf", lambda t: t.arange(0, float("inf")))
bad("arange_str", lambda t: t.arange("5"))
bad("arange_huge", lambda t: t.arange(2 ** 50))
bad("linspace_neg", lambda t: t.linspace(0, 1, -1))
bad("linspace_no_steps", lambda t: t.linspace(0, 1))
bad("linspace_float_steps", lambda t: t.linspace(0, 1, 2.5))
bad("logspace_neg", lambda t: t.logspace(0, 1, -2))
bad("eye_neg", lambda t: t.eye(-1))
bad("eye_neg_m", lambda t: t.eye(2, -1))
bad("eye_float", lambda t: t.eye(2.5))
bad("eye_huge", lambda t: t.eye(2 ** 26))
bad("full_no_fill", lambda t: t.full((2,)))
bad("full_str_fill", lambda t: t.full((2,), "a"))
bad("full_int8_overflow", lambda t: t.full((2,), 1e10, dtype=t.int8))
bad("full_like_str", lambda t: t.full_like(t.ones(2), "a"))
bad("zeros_like_list", lambda t: t.zeros_like([1, 2]))
bad("ones_like_none", lambda t: t.ones_like(None))
bad("empty_like_int_grad", lambda t: t.empty_like(t.ones(2), dtype=t.int64, requires_grad=True))
bad("tril_indices_neg", lambda t: t.tril_indices(-1, 2))
bad("triu_indices_neg", lambda t: t.triu_indices(2, -1))
bad("empty_strided_len", lambda t: t.empty_strided((2, 3), (1,)))
bad("empty_strided_huge", lambda t: t.empty_strided((2 ** 50,), (1,)))
bad("zeros_huge_float64", lambda t: t.zeros(2 ** 48, dtype=t.float64))
bad("ones_huge_int8", lambda t: t.ones(2 ** 52, dtype=t.int8))
bad("full_huge", lambda t: t.full((2 ** 50,), 2.0))
bad("new_zeros_huge", lambda t: t.ones(2).new_zeros(2 ** 50))
bad("new_ones_neg", lambda t: t.ones(2).new_ones(-1))
bad("new_full_bad", lambda t: t.ones(2).new_full((2,), "x"))
bad("zeros_like_huge_via_expand_clone", lambda t: t.ones(1).expand(2 ** 50).clone())
bad("repeat_huge", lambda t: t.ones(2).repeat(2 ** 49))
bad("matmul_huge", lambda t: t.ones(2 ** 24, 1) @ t.ones(1, 2 ** 24))
bad("add_huge_broadcast", lambda t: t.ones(2 ** 24, 1) + t.ones(2 ** 24))
bad("cat_huge", lambda t: t.cat([t.ones(1).expand(2 ** 50), t.ones(1)]))
bad("multinomial_neg", lambda t: t.multinomial(t.tensor([-1.0, 1.0]), 1))
bad("multinomial_zero", lambda t: t.multinomial(t.tensor([0.0, 0.0]), 1))
bad("multinomial_too_many", lambda t: t.multinomial(t.tensor([1.0, 1.0]), 3))
bad("normal_neg_std", lambda t: t.normal(0.0, -1.0, (2,)))
bad("normal_tensor_neg_std", lambda t: t.normal(t.zeros(2), -t.ones(2)))
bad("bernoulli_p_out", lambda t: t.bernoulli(t.tensor([1.5])))
bad("poisson_neg", lambda t: t.poisson(t.tensor([-1.0])))
bad("uniform_from_gt_to", lambda t: t.empty(2).uniform_(2, 1))
bad("random_from_gt_to", lambda t: t.empty(2).random_(5, 2))
bad("exponential_neg", lambda t: t.empty(2).exponential_(-1.0))
bad("geometric_p0", lambda t: t.empty(2).geometric_(0.0))
ok("randn_empty_size", lambda t: t.randn(0).shape)
ok("zeros_size_tuple_kw", lambda t: t.zeros(size=(2, 3)))
ok("arange_float_end", lambda t: t.arange(2.5))
ok("linspace_zero_steps", lambda t: t.linspace(0, 1, 0))
ok("eye_zero", lambda t: t.eye(0))
ok("full_bool_fill", lambda t: t.full((2,), True))
ok("randperm_zero", lambda t: t.randperm(0))

# ---------------------------------------------------------------- tensor() from bad data
_BAD_DATA = {
    "ragged": lambda t: [[1, 2], [3]],
    "ragged_deep": lambda t: [[[1], [2, 3]]],
    "str": lambda t: "abc",
    "str_in_list": lambda t: [1, "a"],
    "dict": lambda t: {"a": 1},
    "set": lambda t: {1, 2},
    "none": lambda t: None,
    "none_in_list": lambda t: [1, None],
    "object": lambda t: object(),
    "multi_elem_tensors": lambda t: [t.ones(2), t.ones(2)],
    "mixed_tensor_number": lambda t: [t.ones(2), 3],
    "tensors_of_diff_len": lambda t: [t.ones(2), t.ones(3)],
    "bytes": lambda t: b"ab",
    "list_of_lists_and_numbers": lambda t: [[1, 2], 3],
    "nan_to_int": lambda t: float("nan"),
    "inf_to_int": lambda t: [float("inf")],
    "big_int": lambda t: [2 ** 64],
}
for _d, _data in _BAD_DATA.items():
    if _d in ("nan_to_int", "inf_to_int"):
        bad(f"tensor_{_d}", lambda t, d=_data: t.tensor(d(t), dtype=t.int64))
        continue
    bad(f"tensor_{_d}", lambda t, d=_data: t.tensor(d(t)))
    if _d not in ("multi_elem_tensors", "mixed_tensor_number", "tensors_of_diff_len", "none"):
        bad(f"as_tensor_{_d}", lambda t, d=_data: t.as_tensor(d(t)))
bad("tensor_complex_to_int", lambda t: t.tensor([1 + 2j], dtype=t.int64))
bad("tensor_dtype_str", lambda t: t.tensor([1], dtype="int"))
bad("tensor_int_requires_grad", lambda t: t.tensor([1, 2], requires_grad=True))
bad("tensor_bad_kw", lambda t: t.tensor([1], foo=1))
bad("tensor_two_positional", lambda t: t.tensor([1], [2]))
bad("Tensor_ctor_float_size", lambda t: t.Tensor(2.5))
bad("Tensor_ctor_neg_size", lambda t: t.Tensor(-1))
bad("from_numpy_list", lambda t: t.from_numpy([1, 2]))
bad("from_numpy_object", lambda t: t.from_numpy(__import__("numpy").array(["a"], dtype=object)))
bad("from_numpy_str", lambda t: t.from_numpy(__import__("numpy").array(["a"])))
bad("tensor_int8_overflow", lambda t: t.tensor([300], dtype=t.int8))
ok("tensor_scalar_tensors", lambda t: t.tensor([t.tensor(1.0), t.tensor(2.0)]))
ok("tensor_one_elem_tensors", lambda t: t.tensor([t.ones(1), t.ones(1)]))
ok("tensor_empty_nested", lambda t: t.tensor([[], []]))
ok("tensor_bool_list", lambda t: t.tensor([True, False]))
ok("tensor_nan_float", lambda t: t.tensor(float("nan")))

# ---------------------------------------------------------------- elementwise binary
_BINARY = {
    "add": lambda t, a, b: t.add(a, b),
    "sub": lambda t, a, b: t.sub(a, b),
    "mul": lambda t, a, b: t.mul(a, b),
    "div": lambda t, a, b: t.div(a, b),
    "pow": lambda t, a, b: t.pow(a, b),
    "maximum": lambda t, a, b: t.maximum(a, b),
    "minimum": lambda t, a, b: t.minimum(a, b),
    "atan2": lambda t, a, b: t.atan2(a, b),
    "fmod": lambda t, a, b: t.fmod(a, b),
    "remainder": lambda t, a, b: t.remainder(a, b),
    "eq": lambda t, a, b: t.eq(a, b),
    "lt": lambda t, a, b: t.lt(a, b),
    "ge": lambda t, a, b: t.ge(a, b),
    "hypot": lambda t, a, b: t.hypot(a, b),
    "copysign": lambda t, a, b: t.copysign(a, b),
    "logical_and": lambda t, a, b: t.logical_and(a, b),
    "logical_or": lambda t, a, b: t.logical_or(a, b),
    "logical_xor": lambda t, a, b: t.logical_xor(a, b),
    "floor_divide": lambda t, a, b: t.floor_divide(a, b),
    "bitwise_and": lambda t, a, b: t.bitwise_and(a, b),
    "xlogy": lambda t, a, b: t.xlogy(a, b),
    "fmax": lambda t, a, b: t.fmax(a, b),
}
for _o, _f in _BINARY.items():
    _int = _o.startswith("bitwise")
    _mk = (lambda t, *s: t.ones(*s, dtype=t.int64)) if _int else (lambda t, *s: t.ones(*s))
    bad(f"{_o}_shape", lambda t, f=_f, mk=_mk: f(t, mk(t, 2, 3), mk(t, 4)))
    bad(f"{_o}_shape_3d", lambda t, f=_f, mk=_mk: f(t, mk(t, 2, 3, 4), mk(t, 3, 3, 1)))
    bad(f"{_o}_list", lambda t, f=_f, mk=_mk: f(t, mk(t, 3), [1, 2, 3]))
    bad(f"{_o}_str", lambda t, f=_f, mk=_mk: f(t, mk(t, 3), "a"))
    bad(f"{_o}_none", lambda t, f=_f, mk=_mk: f(t, mk(t, 3), None))
    ok(f"{_o}_out_resized", lambda t, f=_f, o=_o, mk=_mk: getattr(t, o)(mk(t, 2, 3), mk(t, 3), out=mk(t, 4, 4)[:, 0]))
for _op, _sym in (("add", "+"), ("sub", "-"), ("mul", "*"), ("truediv", "/"), ("pow", "**"), ("floordiv", "//"),
                  ("mod", "%"), ("and", "&"), ("or", "|"), ("xor", "^"), ("lshift", "<<"), ("matmul", "@"),
                  ("lt", "<"), ("eq_", "==")):
    if _op == "eq_":
        ok("operator_eq_list", lambda t: t.ones(3) == [1, 1, 1])
        continue
    bad(f"operator_{_op}_list", lambda t, s=_sym: eval(f"a {s} [1.0, 2.0, 3.0]", {"a": t.ones(3)}))
    bad(f"operator_{_op}_rlist", lambda t, s=_sym: eval(f"[1.0, 2.0, 3.0] {s} a", {"a": t.ones(3)}))
    bad(f"operator_{_op}_str", lambda t, s=_sym: eval(f"a {s} 'x'", {"a": t.ones(3)}))
    bad(f"operator_{_op}_object", lambda t, s=_sym: eval(f"a {s} object()", {"a": t.ones(3)}))
for _op in ("add_", "sub_", "mul_", "div_", "pow_", "clamp_min_", "maximum"):
    if _op == "maximum":
        continue
    bad(f"inplace_{_op}_broadcast_grow", lambda t, o=_op: getattr(t.ones(3), o)(t.ones(2, 3)))
    bad(f"inplace_{_op}_int_by_float", lambda t, o=_op: getattr(t.ones(3, dtype=t.int64), o)(t.ones(3) * 1.5))
bad("sub_bool", lambda t: t.tensor([True]) - t.tensor([False]))
bad("rsub_bool", lambda t: t.rsub(t.tensor([True]), t.tensor([False])))
bad("neg_bool", lambda t: -t.tensor([True]))
bad("bitwise_and_float", lambda t: t.bitwise_and(t.ones(2), t.ones(2)))
bad("bitwise_not_float", lambda t: t.bitwise_not(t.ones(2)))
bad("lshift_float", lambda t: t.ones(2) << 1)
bad("floor_divide_int_zero", lambda t: t.tensor([1]) // t.tensor([0]))
bad("remainder_int_zero", lambda t: t.tensor([1]) % t.tensor([0]))
bad("div_bad_rounding", lambda t: t.div(t.ones(2), 2, rounding_mode="round"))
bad("pow_int_neg_scalar", lambda t: t.tensor([2]) ** -1)
bad("pow_int_neg_scalar_fn", lambda t: t.pow(t.tensor([2, 3]), -2))
bad("lerp_dtype", lambda t: t.lerp(t.ones(2), t.ones(2, dtype=t.float64), 0.5))
bad("lerp_shape", lambda t: t.lerp(t.ones(2), t.ones(3), 0.5))
bad("where_cond_float", lambda t: t.where(t.ones(2), t.ones(2), t.zeros(2)))
bad("where_shape", lambda t: t.where(t.ones(2) > 0, t.ones(3), t.zeros(2)))
bad("clamp_none", lambda t: t.clamp(t.ones(2)))
bad("clamp_shape", lambda t: t.clamp(t.ones(2), min=t.zeros(3)))
bad("addcmul_shape", lambda t: t.addcmul(t.ones(2), t.ones(3), t.ones(2)))
bad("addcdiv_int", lambda t: t.addcdiv(t.ones(2, dtype=t.int64), t.ones(2, dtype=t.int64), t.ones(2, dtype=t.int64)))
bad("isclose_dtype", lambda t: t.isclose(t.ones(2), t.ones(2, dtype=t.float64)))
bad("allclose_shape", lambda t: t.allclose(t.ones(2), t.ones(3)))
bad("equal_list", lambda t: t.equal(t.ones(2), [1, 1]))
bad("logical_and_shape_bool", lambda t: t.logical_and(t.ones(2, 3) > 0, t.ones(2) > 0))
bad("logical_or_shape_bool", lambda t: t.logical_or(t.ones(4) > 0, t.ones(3) > 0))
bad("logical_xor_shape_bool", lambda t: t.logical_xor(t.ones(4, 1) > 0, t.ones(3, 2) > 0))
bad("mul_complex_int_out", lambda t: t.mul(t.ones(2, dtype=t.complex64), 2, out=t.ones(2)))
bad("add_alpha_float_int", lambda t: t.add(t.ones(2, dtype=t.int64), t.ones(2, dtype=t.int64), alpha=1.5))
bad("add_alpha_bool", lambda t: t.add(t.ones(2, dtype=t.bool), t.ones(2, dtype=t.bool), alpha=2))
ok("int_pow_neg_int_tensor", lambda t: t.tensor([2, 1, -1]) ** t.tensor([-1, -2, -3]))
ok("int8_pow_neg_int8_tensor", lambda t: t.tensor([2, 1, -1, 0], dtype=t.int8) ** t.tensor([-1, -2, -3, -1], dtype=t.int8))
ok("int_pow_bcast_neg", lambda t: t.tensor([[2], [-1]]) ** t.tensor([-1, 2, -3]))
ok("int_scalar_pow_neg_tensor", lambda t: 2 ** t.tensor([-1, 2]))
ok("float_pow_neg_int", lambda t: t.tensor([2.0]) ** -1)
ok("add_list_via_tensor", lambda t: t.ones(3) + t.tensor([1, 2, 3]))
ok("add_empty_broadcast", lambda t: t.ones(0, 3) + t.ones(3))
ok("mul_scalar_bool", lambda t: t.tensor([True, False]) * 2)
ok("div_int_by_int", lambda t: t.tensor([3]) / t.tensor([2]))
ok("floor_divide_float_zero", lambda t: t.tensor([1.0, -1.0, 0.0]) // 0)

# ---------------------------------------------------------------- elementwise unary
_UNARY = ["exp", "log", "sin", "cos", "tanh", "sigmoid", "sqrt", "rsqrt", "abs", "neg", "floor", "ceil", "round",
          "trunc", "sign", "erf", "expm1", "log1p", "reciprocal", "square", "frac", "sinh", "asin", "lgamma",
          "digamma", "logit", "exp2", "deg2rad", "nan_to_num", "signbit"]
for _u in _UNARY:
    bad(f"{_u}_list", lambda t, u=_u: getattr(t, u)([1.0, 2.0]))
    bad(f"{_u}_str", lambda t, u=_u: getattr(t, u)("a"))
    bad(f"{_u}_out_int", lambda t, u=_u: getattr(t, u)(t.ones(2), out=t.ones(2, dtype=t.int64))) \
        if _u not in ("abs", "neg", "floor", "ceil", "round", "trunc", "sign", "square", "nan_to_num", "signbit") else None
for _u in ("exp_", "log_", "sqrt_", "sin_", "sigmoid_", "tanh_", "reciprocal_", "erf_"):
    bad(f"inplace_{_u}_int", lambda t, u=_u: getattr(t.ones(2, dtype=t.int64), u)())
bad("abs_bool", lambda t: t.abs(t.tensor([True])))
bad("round_decimals_int", lambda t: t.round(t.tensor([1]), decimals=2))
bad("sign_complex", lambda t: t.sign(t.ones(2, dtype=t.complex64)))
bad("clamp_complex", lambda t: t.clamp(t.ones(2, dtype=t.complex64), 0, 1))
bad("floor_complex", lambda t: t.floor(t.ones(2, dtype=t.complex64)))
bad("erfinv_complex", lambda t: t.erfinv(t.ones(2, dtype=t.complex64)))
ok("exp_int", lambda t: t.exp(t.tensor([1, 2])))
ok("sqrt_neg", lambda t: t.sqrt(t.tensor([-1.0])))
ok("log_zero", lambda t: t.log(t.tensor([0.0])))

# ---------------------------------------------------------------- reductions
_REDUCE = ["sum", "mean", "prod", "amax", "amin", "argmax", "argmin", "std", "var", "logsumexp", "cumsum", "cumprod",
           "all", "any", "nansum", "count_nonzero", "softmax", "log_softmax", "max", "min", "median", "mode",
           "nanmean", "norm", "cummax", "logcumsumexp", "std_mean", "var_mean", "aminmax", "nanmedian"]
_DIM_KW = {"count_nonzero": "dim", "aminmax": "dim"}
for _r in _REDUCE:
    if _r == "aminmax":
        bad("aminmax_dim_oob", lambda t: t.aminmax(t.ones(2, 3), dim=2))
        bad("aminmax_dim_float", lambda t: t.aminmax(t.ones(2, 3), dim=1.0))
        continue
    bad(f"{_r}_dim_oob", lambda t, r=_r: getattr(t, r)(t.ones(2, 3), dim=2))
    bad(f"{_r}_dim_neg_oob", lambda t, r=_r: getattr(t, r)(t.ones(2, 3), dim=-3))
    bad(f"{_r}_dim_float", lambda t, r=_r: getattr(t, r)(t.ones(2, 3), dim=1.0))
    bad(f"{_r}_dim_str_bad", lambda t, r=_r: getattr(t, r)(t.ones(2, 3), dim="x"))
    bad(f"{_r}_list_input", lambda t, r=_r: getattr(t, r)([1.0, 2.0], dim=0))
for _r in ("sum", "mean", "amax", "amin", "std", "var", "logsumexp", "nansum", "count_nonzero", "norm", "all", "any"):
    bad(f"{_r}_dup_dims", lambda t, r=_r: getattr(t, r)(t.ones(2, 3), dim=(0, 0)))
    bad(f"{_r}_dims_oob_tuple", lambda t, r=_r: getattr(t, r)(t.ones(2, 3), dim=(0, 5)))
for _r in ("max", "min", "amax", "amin", "argmax", "argmin", "aminmax", "median", "mode", "kthvalue"):
    if _r == "kthvalue":
        bad("kthvalue_empty", lambda t: t.kthvalue(t.ones(0), 1))
        bad("kthvalue_k_oob", lambda t: t.kthvalue(t.ones(3), 4))
        bad("kthvalue_k_zero", lambda t: t.kthvalue(t.ones(3), 0))
        continue
    bad(f"{_r}_empty_dim", lambda t, r=_r: getattr(t, r)(t.ones(0, 3), dim=0))
for _r in ("max", "min", "argmax", "argmin", "aminmax", "amax", "amin"):
    bad(f"{_r}_empty_full", lambda t, r=_r: getattr(t, r)(t.ones(0)))
for _r in ("mean", "std", "var", "nanmean", "std_mean", "var_mean", "logsumexp", "softmax", "log_softmax"):
    bad(f"{_r}_int", lambda t, r=_r: getattr(t, r)(t.ones(3, dtype=t.int64), dim=0) if r in ("softmax", "log_softmax")
        else getattr(t, r)(t.ones(3, dtype=t.int64)))
bad("sum_dtype_bad", lambda t: t.sum(t.ones(2), dtype="float"))
bad("mean_dtype_int", lambda t: t.mean(t.ones(2), dtype=t.int64))
bad("std_correction_and_unbiased", lambda t: t.std(t.ones(2), unbiased=True, correction=1))
bad("norm_p_str", lambda t: t.norm(t.ones(2), p="bogus"))
bad("prod_int_out_float", lambda t: t.prod(t.ones(2), dim=0, out=t.ones((), dtype=t.int64)))
bad("sum_out_wrong_dtype", lambda t: t.sum(t.ones(2, 3), dim=0, out=t.ones(3, dtype=t.int64)))
bad("cumsum_no_dim", lambda t: t.cumsum(t.ones(3)))
bad("softmax_no_dim_kw_bad", lambda t: t.softmax(t.ones(3), dim=None))
bad("topk_k_oob", lambda t: t.topk(t.ones(3), 4))
bad("topk_neg", lambda t: t.topk(t.ones(3), -1))
bad("sort_dim_oob", lambda t: t.sort(t.ones(3), dim=2))
bad("argsort_dim_oob", lambda t: t.argsort(t.ones(3), dim=1))
bad("quantile_q_oob", lambda t: t.quantile(t.ones(3), 1.5))
bad("quantile_int", lambda t: t.quantile(t.ones(3, dtype=t.int64), 0.5))
bad("quantile_interp", lambda t: t.quantile(t.ones(3), 0.5, interpolation="bogus"))
bad("histc_int", lambda t: t.histc(t.ones(3, dtype=t.int64)))
bad("histc_bins_neg", lambda t: t.histc(t.ones(3), bins=-1))
bad("bincount_float", lambda t: t.bincount(t.ones(3)))
bad("bincount_neg", lambda t: t.bincount(t.tensor([-1, 2])))
bad("bincount_2d", lambda t: t.bincount(t.ones(2, 2, dtype=t.int64)))
bad("unique_dim_oob", lambda t: t.unique(t.ones(3), dim=1))
bad("cross_dim_size", lambda t: t.cross(t.ones(2, 4), t.ones(2, 4), dim=1))
bad("dist_shape", lambda t: t.dist(t.ones(2), t.ones(3)))
bad("cdist_dims", lambda t: t.cdist(t.ones(2, 3), t.ones(2, 4)))
bad("cdist_1d", lambda t: t.cdist(t.ones(3), t.ones(3)))
ok("softmax_empty_dim", lambda t: t.softmax(t.ones(2, 0), dim=1))
ok("log_softmax_empty_dim", lambda t: t.log_softmax(t.ones(0, 3), dim=0))
ok("median_empty", lambda t: t.median(t.ones(0)))
ok("nanmedian_empty", lambda t: t.nanmedian(t.ones(0)))
ok("sum_empty", lambda t: t.sum(t.ones(0)))
ok("prod_empty", lambda t: t.prod(t.ones(0, 2), dim=0))
ok("mean_empty_nan", lambda t: t.mean(t.ones(0)))
ok("std_single", lambda t: t.std(t.ones(1)))
ok("logsumexp_empty", lambda t: t.logsumexp(t.ones(0), dim=0))
ok("amax_empty_other_dim", lambda t: t.amax(t.ones(0, 3), dim=1))
ok("cumsum_empty", lambda t: t.cumsum(t.ones(0), dim=0))
ok("sum_dim_empty_tuple", lambda t: t.sum(t.ones(2, 3), dim=()))
ok("sum_int_dtype_arg", lambda t: t.sum(t.ones(2), dtype=t.int64))
ok("topk_zero", lambda t: t.topk(t.ones(3), 0))
ok("max_dim_0d", lambda t: t.max(t.tensor(2.0), dim=0))
ok("norm_inf", lambda t: t.norm(t.tensor([1.0, -3.0]), p=float("inf")))
ok("var_single_correction0", lambda t: t.var(t.ones(1), correction=0))

# ---------------------------------------------------------------- shape and views
_x23 = lambda t: ar(t, 2, 3)  # noqa: E731
SHAPE_BAD = {
    "reshape_size": lambda t: _x23(t).reshape(5),
    "reshape_int_arg_fn": lambda t: t.reshape(_x23(t), 6),
    "reshape_float_input": lambda t: t.reshape(2.0, 3),
    "reshape_two_neg": lambda t: _x23(t).reshape(-1, -1),
    "reshape_float_size": lambda t: _x23(t).reshape(2.0, 3),
    "reshape_neg_other": lambda t: _x23(t).reshape(-2, 3),
    "reshape_infer_bad": lambda t: _x23(t).reshape(-1, 4),
    "reshape_str": lambda t: _x23(t).reshape("a"),
    "reshape_empty_infer": lambda t: t.ones(0, 3).reshape(-1, 0),
    "view_size": lambda t: _x23(t).view(4),
    "view_noncontig": lambda t: _x23(t).t().view(6),
    "view_dtype_size": lambda t: t.ones(3, dtype=t.int8).view(t.int32),
    "view_float": lambda t: _x23(t).view(6.0),
    "view_two_neg": lambda t: _x23(t).view(-1, -1),
    "permute_len": lambda t: _x23(t).permute(0),
    "permute_repeat": lambda t: _x23(t).permute(0, 0),
    "permute_oob": lambda t: _x23(t).permute(0, 2),
    "transpose_oob": lambda t: _x23(t).transpose(0, 2),
    "t_3d": lambda t: t.ones(2, 3, 4).t(),
    "T_3d_ok_warn_free": lambda t: t.ones(2, 3).mT.reshape(7),
    "squeeze_oob": lambda t: t.ones(2).squeeze(1),
    "squeeze_tuple_oob": lambda t: t.ones(2, 1).squeeze((0, 3)),
    "unsqueeze_oob": lambda t: t.ones(2).unsqueeze(3),
    "unsqueeze_neg_oob": lambda t: t.ones(2).unsqueeze(-3),
    "flatten_dims": lambda t: _x23(t).flatten(1, 0),
    "flatten_oob": lambda t: _x23(t).flatten(0, 5),
    "unflatten_bad": lambda t: _x23(t).unflatten(1, (2, 2)),
    "unflatten_two_neg": lambda t: t.ones(6).unflatten(0, (-1, -1)),
    "expand_bad": lambda t: _x23(t).expand(3, 3),
    "expand_fewer": lambda t: _x23(t).expand(3),
    "expand_neg_new": lambda t: _x23(t).expand(-1, 2, 3),
    "expand_as_bad": lambda t: _x23(t).expand_as(t.ones(3, 2)),
    "repeat_fewer": lambda t: _x23(t).repeat(2),
    "repeat_neg": lambda t: _x23(t).repeat(-1, 1),
    "repeat_interleave_neg": lambda t: t.repeat_interleave(t.ones(2), t.tensor([-1, 1])),
    "repeat_interleave_len": lambda t: t.repeat_interleave(t.ones(2), t.tensor([1, 1, 1])),
    "narrow_oob": lambda t: t.ones(3).narrow(0, 2, 3),
    "narrow_neg_len": lambda t: t.ones(3).narrow(0, 0, -1),
    "narrow_dim_oob": lambda t: t.ones(3).narrow(1, 0, 1),
    "split_dim": lambda t: t.ones(3).split(1, dim=1),
    "split_sizes_sum": lambda t: t.ones(3).split([1, 1]),
    "split_neg": lambda t: t.ones(3).split(-1),
    "chunk_zero": lambda t: t.ones(3).chunk(0),
    "chunk_dim": lambda t: t.ones(3).chunk(2, dim=1),
    "tensor_split_zero": lambda t: t.tensor_split(t.ones(3), 0),
    "cat_shape": lambda t: t.cat([_x23(t), t.ones(2, 4)]),
    "cat_dim": lambda t: t.cat([t.ones(2), t.ones(2)], dim=2),
    "cat_empty_list": lambda t: t.cat([]),
    "cat_ndim": lambda t: t.cat([_x23(t), t.ones(3)]),
    "cat_tensor_arg": lambda t: t.cat(t.ones(2, 2)),
    "cat_non_tensor": lambda t: t.cat([t.ones(2), [1.0]]),
    "cat_0d": lambda t: t.cat([t.tensor(1.0), t.tensor(2.0)]),
    "stack_shape": lambda t: t.stack([t.ones(2), t.ones(3)]),
    "stack_empty": lambda t: t.stack([]),
    "stack_dim": lambda t: t.stack([t.ones(2), t.ones(2)], dim=3),
    "hstack_empty": lambda t: t.hstack([]),
    "vstack_shape": lambda t: t.vstack([t.ones(2), t.ones(3)]),
    "movedim_oob": lambda t: t.movedim(_x23(t), 0, 2),
    "movedim_len": lambda t: t.movedim(_x23(t), (0, 1), (0,)),
    "movedim_dup": lambda t: t.movedim(_x23(t), (0, 0), (0, 1)),
    "flip_dup": lambda t: _x23(t).flip(0, 0),
    "flip_oob": lambda t: _x23(t).flip(2),
    "roll_dims": lambda t: _x23(t).roll(1, dims=(0, 1)),
    "roll_oob": lambda t: _x23(t).roll(1, dims=3),
    "rot90_dims": lambda t: t.rot90(_x23(t), 1, (0, 0)),
    "rot90_1d": lambda t: t.rot90(t.ones(3)),
    "tile_str": lambda t: t.tile(t.ones(2), "a"),
    "unbind_oob": lambda t: t.ones(2).unbind(2),
    "select_oob": lambda t: _x23(t).select(0, 5),
    "select_dim_oob": lambda t: _x23(t).select(2, 0),
    "diagonal_same_dims": lambda t: _x23(t).diagonal(0, 0, 0),
    "diag_3d": lambda t: t.diag(t.ones(2, 2, 2)),
    "diag_embed_dims": lambda t: t.diag_embed(t.ones(2), dim1=0, dim2=0),
    "tril_1d": lambda t: t.tril(t.ones(3)),
    "triu_1d": lambda t: t.triu(t.ones(3)),
    "trace_1d": lambda t: t.trace(t.ones(3)),
    "swapaxes_oob": lambda t: t.swapaxes(_x23(t), 0, 3),
    "as_strided_oob": lambda t: t.ones(4).as_strided((3,), (2,)),
    "as_strided_neg_stride": lambda t: t.ones(4).as_strided((2,), (-1,)),
    "unfold_size_big": lambda t: t.ones(3).unfold(0, 4, 1),
    "unfold_step0": lambda t: t.ones(3).unfold(0, 2, 0),
    "contiguous_bad_fmt": lambda t: t.ones(2, 3).contiguous(memory_format=t.channels_last),
    "resize_neg": lambda t: t.ones(2).resize_(-1),
    "broadcast_to_bad": lambda t: t.broadcast_to(t.ones(3), (2, 2)),
    "broadcast_tensors_bad": lambda t: t.broadcast_tensors(t.ones(3), t.ones(2)),
    "broadcast_shapes_bad": lambda t: t.broadcast_shapes((3,), (2,)),
    "meshgrid_2d": lambda t: t.meshgrid(t.ones(2, 2), t.ones(2), indexing="ij"),
    "meshgrid_indexing": lambda t: t.meshgrid(t.ones(2), indexing="bogus"),
    "block_diag_3d": lambda t: t.block_diag(t.ones(2, 2, 2)),
    "atleast_bad": lambda t: t.atleast_2d("a"),
    "dsplit_1d": lambda t: t.dsplit(t.ones(4), 2),
    "hsplit_uneven": lambda t: t.hsplit(t.ones(2, 3), 2),
    "view_as_complex_bad": lambda t: t.view_as_complex(t.ones(2, 3)),
    "view_as_real_real": lambda t: t.view_as_real(t.ones(2)),
    "take_along_dim_shape": lambda t: t.take_along_dim(_x23(t), t.tensor([[0, 1, 2, 0]]), dim=0),
    "squeeze_str": lambda t: t.ones(1).squeeze("a"),
    "size_oob": lambda t: _x23(t).size(2),
    "stride_oob": lambda t: _x23(t).stride(-3),
}
for _n, _f in SHAPE_BAD.items():
    bad(_n, _f)
bad("reshape_empty", lambda t: t.ones(0, 3).reshape(0, -1))
ok("view_empty", lambda t: t.ones(0).view(0, 5))
ok("squeeze_non1", lambda t: t.ones(2).squeeze(0))
ok("cat_with_empty_1d", lambda t: t.cat([t.ones(2, 3), t.ones(0)]))
ok("stack_one", lambda t: t.stack([t.ones(2)]))
ok("expand_neg1", lambda t: t.ones(1, 3).expand(-1, 3))
ok("narrow_zero_len", lambda t: t.ones(3).narrow(0, 3, 0))
ok("split_bigger", lambda t: t.ones(3).split(5))
ok("chunk_more_than_size", lambda t: t.ones(3).chunk(5))
ok("flatten_0d", lambda t: t.tensor(1.0).flatten())
ok("unsqueeze_neg", lambda t: t.ones(2).unsqueeze(-2))
ok("permute_neg", lambda t: t.ones(2, 3).permute(-1, -2))

# ---------------------------------------------------------------- indexing
_IX = {
    "getitem_oob": lambda t: t.ones(3)[5],
    "getitem_oob_neg": lambda t: t.ones(3)[-4],
    "getitem_too_many": lambda t: t.ones(3)[0, 0],
    "getitem_float": lambda t: t.ones(3)[1.5],
    "getitem_float_tensor": lambda t: t.ones(3)[t.tensor([0.5])],
    "getitem_str": lambda t: t.ones(3)["a"],
    "getitem_list_oob": lambda t: t.ones(3)[[0, 5]],
    "getitem_tensor_oob": lambda t: t.ones(3)[t.tensor([3])],
    "getitem_mask_shape": lambda t: t.ones(3)[t.tensor([True, False])],
    "getitem_mask_2d_shape": lambda t: t.ones(2, 3)[t.ones(3, 2) > 0],
    "getitem_two_ellipsis": lambda t: t.ones(3)[..., ...],
    "getitem_step_neg": lambda t: t.ones(3)[::-1],
    "getitem_step_zero": lambda t: t.ones(3)[::0],
    "getitem_adv_bcast": lambda t: t.ones(3, 3)[[0, 1], [0, 1, 2]],
    "getitem_dict": lambda t: t.ones(3)[{}],
    "setitem_shape": lambda t: t.ones(3).__setitem__(slice(None), t.ones(2)),
    "setitem_oob": lambda t: t.ones(3).__setitem__(5, 1.0),
    "setitem_str": lambda t: t.ones(3).__setitem__(0, "a"),
    "setitem_mask_vals": lambda t: t.ones(3).__setitem__(t.tensor([True, True, False]), t.ones(3)),
    "setitem_leaf_grad": lambda t: t.ones(3, requires_grad=True).__setitem__(0, 2.0),
    "index_select_neg": lambda t: t.index_select(t.ones(3), 0, t.tensor([-1])),
    "index_select_oob": lambda t: t.index_select(t.ones(3), 0, t.tensor([3])),
    "index_select_float": lambda t: t.index_select(t.ones(3), 0, t.tensor([0.0])),
    "index_select_2d_index": lambda t: t.index_select(t.ones(3), 0, t.tensor([[0]])),
    "index_select_dim_oob": lambda t: t.index_select(t.ones(3), 1, t.tensor([0])),
    "index_select_list": lambda t: t.index_select(t.ones(3), 0, [0]),
    "gather_dtype": lambda t: t.gather(t.ones(2, 2), 1, t.tensor([[0.0]])),
    "gather_oob": lambda t: t.gather(t.ones(2, 2), 1, t.tensor([[2]])),
    "gather_neg": lambda t: t.gather(t.ones(2, 2), 1, t.tensor([[-1]])),
    "gather_ndim": lambda t: t.gather(t.ones(2, 2), 1, t.tensor([0])),
    "gather_size": lambda t: t.gather(t.ones(2, 2), 1, t.zeros(3, 1, dtype=t.int64)),
    "scatter_oob": lambda t: t.zeros(3).scatter(0, t.tensor([5]), 1.0),
    "scatter_neg": lambda t: t.zeros(3).scatter(0, t.tensor([-1]), 1.0),
    "scatter_dtype": lambda t: t.zeros(3).scatter(0, t.tensor([0]), t.ones(1, dtype=t.float64)),
    "scatter_reduce_bad": lambda t: t.zeros(3).scatter(0, t.tensor([0]), 1.0, reduce="max"),
    "scatter_add_ndim": lambda t: t.zeros(3).scatter_add(0, t.tensor([[0]]), t.ones(1, 1)),
    "scatter_reduce_mode": lambda t: t.zeros(3).scatter_reduce(0, t.tensor([0]), t.ones(1), reduce="bogus"),
    "index_add_oob": lambda t: t.zeros(3).index_add(0, t.tensor([3]), t.ones(1)),
    "index_add_shape": lambda t: t.zeros(3).index_add(0, t.tensor([0]), t.ones(2)),
    "index_add_dtype": lambda t: t.zeros(3).index_add(0, t.tensor([0]), t.ones(1, dtype=t.float64)),
    "index_copy_oob": lambda t: t.zeros(3).index_copy(0, t.tensor([4]), t.ones(1)),
    "index_copy_neg": lambda t: t.zeros(3).index_copy(0, t.tensor([-1]), t.ones(1)),
    "index_fill_oob": lambda t: t.zeros(3).index_fill(0, t.tensor([4]), 1.0),
    "index_fill_float_idx": lambda t: t.zeros(3).index_fill(0, t.tensor([0.0]), 1.0),
    "index_put_oob": lambda t: t.zeros(3).index_put((t.tensor([4]),), t.ones(1)),
    "masked_fill_float_mask": lambda t: t.ones(2).masked_fill(t.ones(2), 0.0),
    "masked_fill_shape": lambda t: t.ones(2).masked_fill(t.ones(3) > 0, 0.0),
    "masked_fill_value_tensor_1d": lambda t: t.ones(2).masked_fill(t.ones(2) > 0, t.ones(2)),
    "masked_select_shape": lambda t: t.masked_select(t.ones(2), t.ones(3) > 0),
    "masked_select_float": lambda t: t.masked_select(t.ones(2), t.ones(2)),
    "masked_scatter_small": lambda t: t.zeros(3).masked_scatter(t.ones(3) > 0, t.ones(2)),
    "take_oob": lambda t: t.take(t.ones(2, 2), t.tensor([4])),
    "take_float": lambda t: t.take(t.ones(2, 2), t.tensor([0.0])),
    "put_oob": lambda t: t.zeros(3).put_(t.tensor([4]), t.ones(1)),
    "put_size": lambda t: t.zeros(3).put_(t.tensor([0, 1]), t.ones(1)),
    "nonzero_astuple_kw": lambda t: t.nonzero(t.ones(2), as_tuple="x").shape,
    "one_hot_neg": lambda t: F(t).one_hot(t.tensor([-1])),
    "one_hot_float": lambda t: F(t).one_hot(t.tensor([1.0])),
    "one_hot_small_classes": lambda t: F(t).one_hot(t.tensor([3]), 2),
    "searchsorted_dtype": lambda t: t.searchsorted(t.ones(3), t.ones(2, dtype=t.float64)),
    "searchsorted_shape": lambda t: t.searchsorted(t.ones(2, 3), t.ones(3, 1)),
    "searchsorted_side": lambda t: t.searchsorted(t.ones(3), t.ones(2), side="middle"),
    "bucketize_2d_bounds": lambda t: t.bucketize(t.ones(2), t.ones(2, 2)),
}
for _n, _f in _IX.items():
    bad(_n, _f)
ok("index_select_empty", lambda t: t.index_select(t.ones(3), 0, t.tensor([], dtype=t.int64)))
ok("getitem_empty_list", lambda t: t.ones(3)[[]])
ok("getitem_none", lambda t: t.ones(3)[None])
ok("getitem_slice_oob", lambda t: t.ones(3)[5:10])
ok("getitem_bool_scalar", lambda t: t.ones(3)[True])
ok("gather_empty", lambda t: t.gather(t.ones(2, 2), 1, t.zeros(2, 0, dtype=t.int64)))
ok("index_int32", lambda t: t.arange(5.0)[t.tensor([1, 3], dtype=t.int32)])
ok("masked_fill_0d_value", lambda t: t.ones(2).masked_fill(t.tensor([True, False]), t.tensor(5.0)))

# ---------------------------------------------------------------- linalg and matmul
_LINALG = {
    "mm_1d": lambda t: t.mm(t.ones(3), t.ones(3)),
    "mm_shape": lambda t: t.mm(t.ones(2, 3), t.ones(4, 5)),
    "mm_dtype": lambda t: t.mm(t.ones(2, 2), t.ones(2, 2, dtype=t.float64)),
    "mm_int_float": lambda t: t.mm(t.ones(2, 2, dtype=t.int64), t.ones(2, 2)),
    "bmm_2d": lambda t: t.bmm(t.ones(2, 3), t.ones(3, 2)),
    "bmm_batch": lambda t: t.bmm(t.ones(2, 2, 3), t.ones(3, 3, 2)),
    "bmm_inner": lambda t: t.bmm(t.ones(2, 2, 3), t.ones(2, 4, 2)),
    "matmul_shape": lambda t: t.ones(2, 3) @ t.ones(2, 3),
    "matmul_0d": lambda t: t.matmul(t.tensor(1.0), t.ones(2)),
    "matmul_1d_len": lambda t: t.matmul(t.ones(2), t.ones(3)),
    "matmul_batch_bcast": lambda t: t.matmul(t.ones(2, 2, 3), t.ones(3, 3, 2)),
    "matmul_dtype": lambda t: t.matmul(t.ones(2, 2), t.ones(2, 2, dtype=t.float64)),
    "dot_2d": lambda t: t.dot(t.ones(2, 2), t.ones(2, 2)),
    "dot_len": lambda t: t.dot(t.ones(2), t.ones(3)),
    "dot_dtype": lambda t: t.dot(t.ones(2), t.ones(2, dtype=t.float64)),
    "vdot_len": lambda t: t.vdot(t.ones(2), t.ones(3)),
    "mv_shape": lambda t: t.mv(t.ones(2, 3), t.ones(2)),
    "mv_1d": lambda t: t.mv(t.ones(3), t.ones(3)),
    "addmm_shape": lambda t: t.addmm(t.ones(2, 2), t.ones(2, 3), t.ones(4, 2)),
    "addmm_bias_shape": lambda t: t.addmm(t.ones(3, 3), t.ones(2, 3), t.ones(3, 2)),
    "baddbmm_shape": lambda t: t.baddbmm(t.ones(2, 2, 2), t.ones(2, 2, 3), t.ones(2, 2, 2)),
    "outer_2d": lambda t: t.outer(t.ones(2, 2), t.ones(2)),
    "ger_2d": lambda t: t.ger(t.ones(2, 2), t.ones(2)),
    "kron_str": lambda t: t.kron(t.ones(2), "a"),
    "tensordot_dims": lambda t: t.tensordot(t.ones(2, 3), t.ones(4, 5), dims=1),
    "einsum_bad": lambda t: t.einsum("ij,jk->ik", t.ones(2, 3), t.ones(2, 3)),
    "einsum_operands": lambda t: t.einsum("ij,jk->ik", t.ones(2, 3)),
    "einsum_subscripts": lambda t: t.einsum("ij->ijk", t.ones(2, 3)),
    "inv_nonsquare": lambda t: t.linalg.inv(t.ones(2, 3)),
    "inv_1d": lambda t: t.linalg.inv(t.ones(3)),
    "inv_int": lambda t: t.linalg.inv(t.eye(2, dtype=t.int64)),
    "inv_singular": lambda t: t.linalg.inv(t.zeros(2, 2)),
    "det_1d": lambda t: t.linalg.det(t.ones(3)),
    "det_nonsquare": lambda t: t.det(t.ones(2, 3)),
    "slogdet_nonsquare": lambda t: t.linalg.slogdet(t.ones(2, 3)),
    "solve_shape": lambda t: t.linalg.solve(t.eye(2), t.ones(3)),
    "solve_nonsquare": lambda t: t.linalg.solve(t.ones(2, 3), t.ones(2)),
    "solve_singular": lambda t: t.linalg.solve(t.zeros(2, 2), t.ones(2)),
    "solve_dtype": lambda t: t.linalg.solve(t.eye(2), t.ones(2, dtype=t.float64)),
    "cholesky_nonsquare": lambda t: t.linalg.cholesky(t.ones(2, 3)),
    "cholesky_not_pd": lambda t: t.linalg.cholesky(-t.eye(2)),
    "qr_1d": lambda t: t.linalg.qr(t.ones(3)),
    "qr_mode": lambda t: t.linalg.qr(t.ones(2, 2), mode="bogus"),
    "svd_1d": lambda t: t.linalg.svd(t.ones(3)),
    "svdvals_int": lambda t: t.linalg.svdvals(t.ones(2, 2, dtype=t.int64)),
    "eigh_nonsquare": lambda t: t.linalg.eigh(t.ones(2, 3)),
    "eigh_uplo": lambda t: t.linalg.eigh(t.eye(2), UPLO="X"),
    "eig_1d": lambda t: t.linalg.eig(t.ones(3)),
    "eigvalsh_int": lambda t: t.linalg.eigvalsh(t.eye(2, dtype=t.int64)),
    "norm_ord_str": lambda t: t.linalg.norm(t.ones(2, 2), ord="bogus"),
    "norm_ord_1d_fro": lambda t: t.linalg.norm(t.ones(2), ord="fro"),
    "matrix_norm_1d": lambda t: t.linalg.matrix_norm(t.ones(3)),
    "matrix_norm_ord": lambda t: t.linalg.matrix_norm(t.ones(2, 2), ord=3),
    "vector_norm_int": lambda t: t.linalg.vector_norm(t.ones(3, dtype=t.int64)),
    "vector_norm_dim": lambda t: t.linalg.vector_norm(t.ones(3), dim=1),
    "cross_bad": lambda t: t.linalg.cross(t.ones(2), t.ones(2)),
    "cross_shape": lambda t: t.linalg.cross(t.ones(3), t.ones(2, 4)),
    "matrix_power_nonsquare": lambda t: t.linalg.matrix_power(t.ones(2, 3), 2),
    "matrix_power_float_n": lambda t: t.linalg.matrix_power(t.eye(2), 1.5),
    "matrix_power_neg_int": lambda t: t.linalg.matrix_power(t.eye(2, dtype=t.int64), -1),
    "matrix_exp_nonsquare": lambda t: t.linalg.matrix_exp(t.ones(2, 3)),
    "pinv_1d": lambda t: t.linalg.pinv(t.ones(3)),
    "lstsq_rows": lambda t: t.linalg.lstsq(t.ones(3, 2), t.ones(2, 1)),
    "lu_factor_1d": lambda t: t.linalg.lu_factor(t.ones(3)),
    "matrix_rank_1d": lambda t: t.linalg.matrix_rank(t.ones(3)),
    "multi_dot_one": lambda t: t.linalg.multi_dot([t.ones(2, 2)]),
    "multi_dot_3d": lambda t: t.linalg.multi_dot([t.ones(2, 2, 2), t.ones(2, 2)]),
    "multi_dot_shape": lambda t: t.linalg.multi_dot([t.ones(2, 3), t.ones(2, 3)]),
    "tensorinv_ind": lambda t: t.linalg.tensorinv(t.ones(4, 2, 2), ind=0),
    "vander_0d": lambda t: t.linalg.vander(t.tensor(1.0)),
    "householder_product_shape": lambda t: t.linalg.householder_product(t.ones(2, 3), t.ones(3)),
    "cholesky_ex_1d": lambda t: t.linalg.cholesky_ex(t.ones(3)),
    "triangular_solve_shape": lambda t: t.linalg.solve_triangular(t.eye(2), t.ones(3, 1), upper=True),
    "cond_1d": lambda t: t.linalg.cond(t.ones(3)),
    "diagonal_linalg_1d": lambda t: t.linalg.diagonal(t.ones(3)),
    "chain_matmul_1d": lambda t: t.chain_matmul(t.ones(2), t.ones(2)),
    "cholesky_solve_shape": lambda t: t.cholesky_solve(t.ones(3, 1), t.eye(2)),
}
for _n, _f in _LINALG.items():
    bad(_n, _f)
ok("mm_empty", lambda t: t.mm(t.ones(2, 0), t.ones(0, 3)))
ok("inv_empty", lambda t: t.linalg.inv(t.ones(0, 0)))
ok("det_empty", lambda t: t.linalg.det(t.ones(0, 0)))
ok("matmul_1d_1d", lambda t: t.matmul(t.ones(3), t.ones(3)))
ok("solve_batched_bcast", lambda t: t.linalg.solve(t.eye(2).expand(3, 2, 2), t.ones(2)))
ok("norm_empty", lambda t: t.linalg.vector_norm(t.ones(0)))

# ---------------------------------------------------------------- nn.functional: convolution
_CONV = {
    "conv2d_channels": lambda t: F(t).conv2d(t.ones(1, 3, 5, 5), t.ones(2, 4, 3, 3)),
    "conv2d_small": lambda t: F(t).conv2d(t.ones(1, 1, 2, 2), t.ones(1, 1, 3, 3)),
    "conv2d_groups_mismatch": lambda t: F(t).conv2d(t.ones(1, 4, 5, 5), t.ones(4, 2, 3, 3), groups=3),
    "conv2d_groups_out": lambda t: F(t).conv2d(t.ones(1, 4, 5, 5), t.ones(3, 2, 3, 3), groups=2),
    "conv2d_groups_zero": lambda t: F(t).conv2d(t.ones(1, 4, 5, 5), t.ones(4, 2, 3, 3), groups=0),
    "conv2d_dtype_mismatch": lambda t: F(t).conv2d(t.ones(1, 1, 5, 5), t.ones(1, 1, 3, 3, dtype=t.float64)),
    "conv2d_bias_dtype": lambda t: F(t).conv2d(t.ones(1, 1, 5, 5), t.ones(1, 1, 3, 3), t.ones(1, dtype=t.float64)),
    "conv2d_dilation0": lambda t: F(t).conv2d(t.ones(1, 1, 5, 5), t.ones(1, 1, 3, 3), dilation=0),
    "conv2d_dilation_neg": lambda t: F(t).conv2d(t.ones(1, 1, 5, 5), t.ones(1, 1, 3, 3), dilation=-1),
    "conv2d_stride3": lambda t: F(t).conv2d(t.ones(1, 1, 5, 5), t.ones(1, 1, 3, 3), stride=(1, 1, 1)),
    "conv2d_stride0": lambda t: F(t).conv2d(t.ones(1, 1, 5, 5), t.ones(1, 1, 3, 3), stride=0),
    "conv2d_padding_neg": lambda t: F(t).conv2d(t.ones(1, 1, 5, 5), t.ones(1, 1, 3, 3), padding=-1),
    "conv2d_padding3": lambda t: F(t).conv2d(t.ones(1, 1, 5, 5), t.ones(1, 1, 3, 3), padding=(1, 1, 1)),
    "conv2d_padding_str": lambda t: F(t).conv2d(t.ones(1, 1, 5, 5), t.ones(1, 1, 3, 3), padding="bogus"),
    "conv2d_same_stride": lambda t: F(t).conv2d(t.ones(1, 1, 5, 5), t.ones(1, 1, 3, 3), stride=2, padding="same"),
    "conv2d_weight_3d": lambda t: F(t).conv2d(t.ones(1, 1, 5, 5), t.ones(1, 3, 3)),
    "conv2d_input_2d": lambda t: F(t).conv2d(t.ones(5, 5), t.ones(1, 1, 3, 3)),
    "conv2d_input_5d": lambda t: F(t).conv2d(t.ones(1, 1, 1, 5, 5), t.ones(1, 1, 3, 3)),
    "conv2d_bias_shape": lambda t: F(t).conv2d(t.ones(1, 1, 5, 5), t.ones(2, 1, 3, 3), t.ones(3)),
    "conv2d_int": lambda t: F(t).conv2d(t.ones(1, 1, 5, 5, dtype=t.int64), t.ones(1, 1, 3, 3, dtype=t.int64)),
    "conv1d_channels": lambda t: F(t).conv1d(t.ones(1, 3, 5), t.ones(2, 4, 3)),
    "conv1d_4d": lambda t: F(t).conv1d(t.ones(1, 1, 5, 5), t.ones(1, 1, 3)),
    "conv1d_stride2": lambda t: F(t).conv1d(t.ones(1, 1, 5), t.ones(1, 1, 3), stride=(1, 1)),
    "conv1d_small": lambda t: F(t).conv1d(t.ones(1, 1, 2), t.ones(1, 1, 3)),
    "conv3d_channels": lambda t: F(t).conv3d(t.ones(1, 2, 3, 3, 3), t.ones(1, 1, 2, 2, 2)),
    "conv3d_4d_weight": lambda t: F(t).conv3d(t.ones(1, 1, 3, 3, 3), t.ones(1, 1, 2, 2)),
    "conv_transpose2d_channels": lambda t: F(t).conv_transpose2d(t.ones(1, 3, 5, 5), t.ones(2, 1, 3, 3)),
    "conv_transpose2d_outpad": lambda t: F(t).conv_transpose2d(t.ones(1, 1, 5, 5), t.ones(1, 1, 3, 3), output_padding=2),
    "conv_transpose2d_groups": lambda t: F(t).conv_transpose2d(t.ones(1, 3, 5, 5), t.ones(3, 1, 3, 3), groups=2),
    "conv_transpose1d_stride0": lambda t: F(t).conv_transpose1d(t.ones(1, 1, 5), t.ones(1, 1, 3), stride=0),
    "unfold_3d": lambda t: F(t).unfold(t.ones(2, 5, 5), 3) if False else F(t).unfold(t.ones(5, 5), 3),
    "unfold_kernel_big": lambda t: F(t).unfold(t.ones(1, 1, 2, 2), 3),
    "fold_bad_size": lambda t: F(t).fold(t.ones(1, 4, 3), (3, 3), 2),
}
for _n, _f in _CONV.items():
    bad(_n, _f)
ok("conv2d_same_even_kernel", lambda t: F(t).conv2d(ar(t, 1, 1, 4, 4), ar(t, 1, 1, 2, 2), padding="same"))
ok("conv2d_unbatched", lambda t: F(t).conv2d(ar(t, 1, 4, 4), ar(t, 1, 1, 3, 3)))
ok("conv2d_empty_batch", lambda t: F(t).conv2d(t.ones(0, 1, 4, 4), t.ones(1, 1, 3, 3)))
ok("conv2d_empty_batch_grad", lambda t: _conv_empty_batch_grads(t))


def _conv_empty_batch_grads(t):
    x, w = t.ones(0, 1, 4, 4, requires_grad=True), t.ones(1, 1, 3, 3, requires_grad=True)
    F(t).conv2d(x, w).sum().backward()
    return x.grad, w.grad
ok("conv1d_valid_str", lambda t: F(t).conv1d(ar(t, 1, 1, 5), ar(t, 1, 1, 3), padding="valid"))

# ---------------------------------------------------------------- nn.functional: pooling
_POOL = {
    "max_pool2d_kernel_big": lambda t: F(t).max_pool2d(t.ones(1, 1, 2, 2), 3),
    "max_pool2d_pad_big": lambda t: F(t).max_pool2d(t.ones(1, 1, 4, 4), 2, padding=2),
    "max_pool2d_stride0": lambda t: F(t).max_pool2d(t.ones(1, 1, 4, 4), 2, stride=0),
    "max_pool2d_kernel0": lambda t: F(t).max_pool2d(t.ones(1, 1, 4, 4), 0),
    "max_pool2d_2d_input": lambda t: F(t).max_pool2d(t.ones(4), 2),
    "max_pool2d_kernel3": lambda t: F(t).max_pool2d(t.ones(1, 1, 4, 4), (2, 2, 2)),
    "max_pool2d_dilation0": lambda t: F(t).max_pool2d(t.ones(1, 1, 4, 4), 2, dilation=0),
    "max_pool2d_int": lambda t: F(t).max_pool2d(t.ones(1, 1, 4, 4, dtype=t.int64), 2),
    "max_pool1d_2d_ok_3d_bad": lambda t: F(t).max_pool1d(t.ones(1, 1, 1, 1, 4), 2),
    "max_pool1d_kernel_big": lambda t: F(t).max_pool1d(t.ones(1, 1, 2), 3),
    "max_pool3d_4d_kernel": lambda t: F(t).max_pool3d(t.ones(1, 1, 2, 2, 2), (1, 1, 1, 1)),
    "avg_pool2d_kernel_big": lambda t: F(t).avg_pool2d(t.ones(1, 1, 2, 2), 3),
    "avg_pool2d_pad_big": lambda t: F(t).avg_pool2d(t.ones(1, 1, 4, 4), 2, padding=2),
    "avg_pool2d_stride0": lambda t: F(t).avg_pool2d(t.ones(1, 1, 4, 4), 2, stride=0),
    "avg_pool2d_1d_input": lambda t: F(t).avg_pool2d(t.ones(4), 2),
    "avg_pool2d_divisor0": lambda t: F(t).avg_pool2d(t.ones(1, 1, 4, 4), 2, divisor_override=0),
    "avg_pool1d_kernel0": lambda t: F(t).avg_pool1d(t.ones(1, 1, 4), 0),
    "avg_pool3d_2d": lambda t: F(t).avg_pool3d(t.ones(4, 4), 2),
    "adaptive_avg_pool2d_neg": lambda t: F(t).adaptive_avg_pool2d(t.ones(1, 1, 4, 4), -1),
    "adaptive_avg_pool2d_1d": lambda t: F(t).adaptive_avg_pool2d(t.ones(4), 2),
    "adaptive_avg_pool2d_3size": lambda t: F(t).adaptive_avg_pool2d(t.ones(1, 1, 4, 4), (1, 1, 1)),
    "adaptive_max_pool2d_empty": lambda t: F(t).adaptive_max_pool2d(t.ones(1, 1, 0, 4), 2),
    "adaptive_avg_pool1d_2d_size": lambda t: F(t).adaptive_avg_pool1d(t.ones(1, 1, 4), (2, 2)),
    "lp_pool2d_kernel_big": lambda t: F(t).lp_pool2d(t.ones(1, 1, 2, 2), 2, 3),
    "max_unpool2d_shape": lambda t: F(t).max_unpool2d(t.ones(1, 1, 2, 2), t.zeros(1, 1, 3, 3, dtype=t.int64), 2),
    "pixel_shuffle_div": lambda t: F(t).pixel_shuffle(t.ones(1, 3, 2, 2), 2),
    "pixel_shuffle_2d": lambda t: F(t).pixel_shuffle(t.ones(4, 2), 2),
    "pixel_unshuffle_div": lambda t: F(t).pixel_unshuffle(t.ones(1, 1, 3, 3), 2),
    "channel_shuffle_div": lambda t: F(t).channel_shuffle(t.ones(1, 3, 2, 2), 2),
}
for _n, _f in _POOL.items():
    bad(_n, _f)
ok("max_pool2d_ceil", lambda t: F(t).max_pool2d(ar(t, 1, 1, 5, 5), 2, ceil_mode=True))
ok("avg_pool2d_unbatched", lambda t: F(t).avg_pool2d(ar(t, 1, 4, 4), 2))
ok("adaptive_avg_pool_bigger", lambda t: F(t).adaptive_avg_pool2d(ar(t, 1, 1, 2, 2), 4))
ok("max_pool_empty_batch", lambda t: F(t).max_pool2d(t.ones(0, 1, 4, 4), 2))

# ---------------------------------------------------------------- nn.functional: losses
_LOSS = {
    "cross_entropy_target_oob": lambda t: F(t).cross_entropy(t.ones(2, 3), t.tensor([0, 3])),
    "cross_entropy_target_neg": lambda t: F(t).cross_entropy(t.ones(2, 3), t.tensor([0, -2])),
    "cross_entropy_target_float_shape": lambda t: F(t).cross_entropy(t.ones(2, 3), t.tensor([0.0, 1.0])),
    "cross_entropy_target_shape": lambda t: F(t).cross_entropy(t.ones(2, 3), t.tensor([0, 1, 2])),
    "cross_entropy_target_2d": lambda t: F(t).cross_entropy(t.ones(2, 3), t.zeros(2, 1, dtype=t.int64)),
    "cross_entropy_weight_len": lambda t: F(t).cross_entropy(t.ones(2, 3), t.tensor([0, 1]), weight=t.ones(4)),
    "cross_entropy_weight_2d": lambda t: F(t).cross_entropy(t.ones(2, 3), t.tensor([0, 1]), weight=t.ones(3, 1)),
    "cross_entropy_reduction": lambda t: F(t).cross_entropy(t.ones(2, 3), t.tensor([0, 1]), reduction="bogus"),
    "cross_entropy_smoothing": lambda t: F(t).cross_entropy(t.ones(2, 3), t.tensor([0, 1]), label_smoothing=1.5),
    "cross_entropy_prob_shape": lambda t: F(t).cross_entropy(t.ones(2, 3), t.ones(2, 4)),
    "cross_entropy_int_input": lambda t: F(t).cross_entropy(t.ones(2, 3, dtype=t.int64), t.tensor([0, 1])),
    "cross_entropy_spatial_shape": lambda t: F(t).cross_entropy(t.ones(2, 3, 4), t.zeros(2, 5, dtype=t.int64)),
    "cross_entropy_0d_input": lambda t: F(t).cross_entropy(t.tensor(1.0), t.tensor(0)),
    "nll_loss_target_shape": lambda t: F(t).nll_loss(t.ones(2, 3), t.tensor([0, 1, 2])),
    "nll_loss_target_oob": lambda t: F(t).nll_loss(t.ones(2, 3), t.tensor([0, 5])),
    "nll_loss_weight_len": lambda t: F(t).nll_loss(t.ones(2, 3), t.tensor([0, 1]), weight=t.ones(2)),
    "nll_loss_float_target": lambda t: F(t).nll_loss(t.ones(2, 3), t.tensor([0.0, 1.0])),
    "nll_loss_1d_input_target_2": lambda t: F(t).nll_loss(t.ones(3), t.tensor([0, 1])),
    "nll_loss_spatial_shape": lambda t: F(t).nll_loss(t.ones(2, 3, 4, 4), t.zeros(2, 4, 5, dtype=t.int64)),
    "mse_loss_shape": lambda t: F(t).mse_loss(t.ones(2, 3), t.ones(3, 2)),
    "mse_loss_reduction": lambda t: F(t).mse_loss(t.ones(2), t.ones(2), reduction="bogus"),
    "mse_loss_int": lambda t: F(t).mse_loss(t.ones(2, dtype=t.int64), t.ones(2, dtype=t.int64)),
    "l1_loss_shape": lambda t: F(t).l1_loss(t.ones(2, 3), t.ones(4)),
    "smooth_l1_beta_neg": lambda t: F(t).smooth_l1_loss(t.ones(2), t.ones(2), beta=-1.0),
    "huber_delta_neg": lambda t: F(t).huber_loss(t.ones(2), t.ones(2), delta=-1.0),
    "huber_delta_zero": lambda t: F(t).huber_loss(t.ones(2), t.ones(2), delta=0.0),
    "huber_shape": lambda t: F(t).huber_loss(t.ones(2), t.ones(3)),
    "bce_target_gt1": lambda t: F(t).binary_cross_entropy(t.full((2,), 0.5), t.tensor([0.0, 2.0])),
    "bce_target_neg": lambda t: F(t).binary_cross_entropy(t.full((2,), 0.5), t.tensor([0.0, -1.0])),
    "bce_input_gt1": lambda t: F(t).binary_cross_entropy(t.tensor([1.5, 0.5]), t.tensor([0.0, 1.0])),
    "bce_shape": lambda t: F(t).binary_cross_entropy(t.full((2,), 0.5), t.ones(3)),
    "bce_weight_shape": lambda t: F(t).binary_cross_entropy(t.full((2,), 0.5), t.ones(2), weight=t.ones(3)),
    "bce_int_target": lambda t: F(t).binary_cross_entropy(t.full((2,), 0.5), t.ones(2, dtype=t.int64)),
    "bce_logits_shape": lambda t: F(t).binary_cross_entropy_with_logits(t.ones(2), t.ones(3)),
    "bce_logits_pos_weight": lambda t: F(t).binary_cross_entropy_with_logits(t.ones(2, 3), t.ones(2, 3), pos_weight=t.ones(4)),
    "gaussian_nll_var_neg": lambda t: F(t).gaussian_nll_loss(t.ones(2), t.ones(2), -t.ones(2)),
    "gaussian_nll_var_shape": lambda t: F(t).gaussian_nll_loss(t.ones(2, 3), t.ones(2, 3), t.ones(3, 2)),
    "gaussian_nll_reduction": lambda t: F(t).gaussian_nll_loss(t.ones(2), t.ones(2), t.ones(2), reduction="x"),
    "poisson_nll_shape": lambda t: F(t).poisson_nll_loss(t.ones(2), t.ones(3)),
    "kl_div_shape": lambda t: F(t).kl_div(t.ones(2, 3), t.ones(4, 3)),
    "kl_div_reduction": lambda t: F(t).kl_div(t.ones(2), t.ones(2), reduction="bogus"),
    "margin_ranking_shape": lambda t: F(t).margin_ranking_loss(t.ones(2), t.ones(3), t.ones(2)),
    "hinge_embedding_shape": lambda t: F(t).hinge_embedding_loss(t.ones(2), t.ones(3)),
    "soft_margin_shape": lambda t: F(t).soft_margin_loss(t.ones(2), t.ones(3)),
    "multilabel_margin_shape": lambda t: F(t).multilabel_margin_loss(t.ones(2, 3), t.ones(2, 4, dtype=t.int64)),
    "multi_margin_p": lambda t: F(t).multi_margin_loss(t.ones(2, 3), t.tensor([0, 1]), p=3),
    "multi_margin_target_oob": lambda t: F(t).multi_margin_loss(t.ones(2, 3), t.tensor([0, 5])),
    "cosine_embedding_shape": lambda t: F(t).cosine_embedding_loss(t.ones(2, 3), t.ones(2, 4), t.ones(2)),
    "triplet_margin_shape": lambda t: F(t).triplet_margin_loss(t.ones(2, 3), t.ones(2, 3), t.ones(2, 4)),
    "triplet_margin_dims": lambda t: F(t).triplet_margin_loss(t.ones(2, 3), t.ones(3), t.ones(2, 3)),
    "ctc_bad_lengths": lambda t: F(t).ctc_loss(t.ones(5, 2, 4).log_softmax(2), t.ones(2, 3, dtype=t.int64),
                                               t.tensor([6, 5]), t.tensor([3, 3])),
    "ctc_blank_oob": lambda t: F(t).ctc_loss(t.ones(5, 2, 4).log_softmax(2), t.ones(2, 3, dtype=t.int64),
                                             t.tensor([5, 5]), t.tensor([3, 3]), blank=4),
}
for _n, _f in _LOSS.items():
    bad(_n, _f)
ok("cross_entropy_ignore_index_oob", lambda t: F(t).cross_entropy(ar(t, 2, 3), t.tensor([0, -100])))
ok("cross_entropy_probs", lambda t: F(t).cross_entropy(ar(t, 2, 3), ar(t, 2, 3).softmax(1)))
ok("cross_entropy_unbatched", lambda t: F(t).cross_entropy(ar(t, 3), t.tensor(1)))
ok("cross_entropy_empty", lambda t: F(t).cross_entropy(t.ones(0, 3), t.zeros(0, dtype=t.int64), reduction="sum"))
ok("nll_loss_all_ignored", lambda t: F(t).nll_loss(ar(t, 2, 3), t.tensor([-100, -100])))
ok("bce_edges", lambda t: F(t).binary_cross_entropy(t.tensor([0.0, 1.0]), t.tensor([0.0, 1.0])))
ok("huber_delta_small", lambda t: F(t).huber_loss(ar(t, 3), t.zeros(3), delta=1e-3))
ok("gaussian_nll_var_zero_eps", lambda t: F(t).gaussian_nll_loss(ar(t, 2), t.zeros(2), t.zeros(2)))
ok("mse_broadcast_warn", lambda t: F(t).mse_loss(ar(t, 2, 3), ar(t, 1, 3)))
ok("kl_div_log_target", lambda t: F(t).kl_div(ar(t, 2), ar(t, 2).log(), log_target=True))

# ---------------------------------------------------------------- nn.functional: norms, activations, embedding, misc
_NN = {
    "batch_norm_weight_len": lambda t: F(t).batch_norm(t.ones(2, 3), t.zeros(3), t.ones(3), weight=t.ones(4)),
    "batch_norm_running_len": lambda t: F(t).batch_norm(t.ones(2, 3), t.zeros(4), t.ones(4)),
    "batch_norm_bias_len": lambda t: F(t).batch_norm(t.ones(2, 3), t.zeros(3), t.ones(3), bias=t.ones(2)),
    "batch_norm_train_single": lambda t: F(t).batch_norm(t.ones(1, 3), None, None, training=True),
    "batch_norm_1d_input": lambda t: F(t).batch_norm(t.ones(3), t.zeros(3), t.ones(3)),
    "layer_norm_shape": lambda t: F(t).layer_norm(t.ones(2, 3), (4,)),
    "layer_norm_weight_shape": lambda t: F(t).layer_norm(t.ones(2, 3), (3,), weight=t.ones(4)),
    "layer_norm_bias_shape": lambda t: F(t).layer_norm(t.ones(2, 3), (3,), bias=t.ones(2)),
    "layer_norm_too_many_dims": lambda t: F(t).layer_norm(t.ones(3), (2, 3)),
    "group_norm_div": lambda t: F(t).group_norm(t.ones(2, 3, 4), 2),
    "group_norm_weight": lambda t: F(t).group_norm(t.ones(2, 4, 4), 2, weight=t.ones(3)),
    "instance_norm_running": lambda t: F(t).instance_norm(t.ones(2, 3, 4), running_mean=t.zeros(4), running_var=t.ones(4)),
    "instance_norm_single": lambda t: F(t).instance_norm(t.ones(2, 3, 1)),
    "local_response_norm_2d": lambda t: F(t).local_response_norm(t.ones(2), 2),
    "rms_norm_shape": lambda t: F(t).rms_norm(t.ones(2, 3), (4,)),
    "normalize_dim": lambda t: F(t).normalize(t.ones(2, 3), dim=3),
    "linear_shape": lambda t: F(t).linear(t.ones(2, 3), t.ones(4, 5)),
    "linear_bias_shape": lambda t: F(t).linear(t.ones(2, 3), t.ones(4, 3), t.ones(5)),
    "linear_dtype": lambda t: F(t).linear(t.ones(2, 3), t.ones(4, 3, dtype=t.float64)),
    "linear_0d": lambda t: F(t).linear(t.tensor(1.0), t.ones(2, 1)),
    "linear_weight_3d": lambda t: F(t).linear(t.ones(2, 3), t.ones(2, 4, 3)),
    "bilinear_shape": lambda t: F(t).bilinear(t.ones(2, 3), t.ones(2, 4), t.ones(5, 3, 3)),
    "F_softmax_dim_oob": lambda t: F(t).softmax(t.ones(2, 3), dim=2),
    "F_log_softmax_dim_oob": lambda t: F(t).log_softmax(t.ones(2, 3), dim=-3),
    "softmax_str_dim": lambda t: F(t).softmax(t.ones(2, 3), dim="a"),
    "softmin_int": lambda t: F(t).softmin(t.ones(3, dtype=t.int64), dim=0),
    "gumbel_softmax_tau_neg": lambda t: F(t).gumbel_softmax(t.ones(3), tau=-1.0, hard=True).sum() * 0 + t.ones(2, 3) @ t.ones(2),
    "glu_odd": lambda t: F(t).glu(t.ones(2, 3)),
    "glu_0d": lambda t: F(t).glu(t.tensor(1.0)),
    "gelu_approx": lambda t: F(t).gelu(t.ones(2), approximate="bogus"),
    "gelu_int": lambda t: F(t).gelu(t.ones(2, dtype=t.int64)),
    "relu_list": lambda t: F(t).relu([1.0]),
    "relu_str": lambda t: F(t).relu("a"),
    "hardtanh_min_gt_max": lambda t: F(t).hardtanh(t.ones(2), 1.0, -1.0),
    "leaky_relu_inplace_int": lambda t: F(t).leaky_relu(t.ones(2, dtype=t.int64), inplace=True),
    "elu_int": lambda t: F(t).elu(t.ones(2, dtype=t.int64)),
    "silu_int": lambda t: F(t).silu(t.ones(2, dtype=t.int64)),
    "sigmoid_bool": lambda t: t.sigmoid(t.tensor([True])),
    "prelu_weight_len": lambda t: F(t).prelu(t.ones(2, 3), t.ones(2)),
    "prelu_0d_input": lambda t: F(t).prelu(t.tensor(1.0), t.ones(2)),
    "rrelu_bounds": lambda t: F(t).rrelu(t.ones(2), lower=0.5, upper=0.1, training=True),
    "threshold_str": lambda t: F(t).threshold(t.ones(2), "a", 0.0),
    "softplus_int": lambda t: F(t).softplus(t.ones(2, dtype=t.int64)),
    "logsigmoid_int": lambda t: F(t).logsigmoid(t.ones(2, dtype=t.int64)),
    "dropout_p_gt1": lambda t: F(t).dropout(t.ones(2), p=1.5),
    "dropout_p_neg": lambda t: F(t).dropout(t.ones(2), p=-0.1),
    "dropout2d_p": lambda t: F(t).dropout2d(t.ones(1, 2, 2, 2), p=2.0),
    "alpha_dropout_p": lambda t: F(t).alpha_dropout(t.ones(2), p=2.0, training=True),
    "embedding_oob": lambda t: F(t).embedding(t.tensor([5]), t.ones(3, 2)),
    "embedding_neg": lambda t: F(t).embedding(t.tensor([-1]), t.ones(3, 2)),
    "embedding_float_idx": lambda t: F(t).embedding(t.tensor([0.0]), t.ones(3, 2)),
    "embedding_1d_weight": lambda t: F(t).embedding(t.tensor([0]), t.ones(3)),
    "embedding_padding_oob": lambda t: F(t).embedding(t.tensor([0]), t.ones(3, 2), padding_idx=5),
    "embedding_bag_offsets": lambda t: F(t).embedding_bag(t.tensor([0, 1]), t.ones(3, 2), t.tensor([1, 0])),
    "embedding_bag_mode": lambda t: F(t).embedding_bag(t.tensor([[0, 1]]), t.ones(3, 2), mode="bogus"),
    "interpolate_mode": lambda t: F(t).interpolate(t.ones(1, 1, 4), size=8, mode="bogus"),
    "interpolate_size_and_scale": lambda t: F(t).interpolate(t.ones(1, 1, 4), size=8, scale_factor=2.0),
    "interpolate_neither": lambda t: F(t).interpolate(t.ones(1, 1, 4)),
    "interpolate_size_len": lambda t: F(t).interpolate(t.ones(1, 1, 4, 4), size=(8, 8, 8)),
    "interpolate_bilinear_3d": lambda t: F(t).interpolate(t.ones(1, 1, 4), size=8, mode="bilinear"),
    "interpolate_align_nearest": lambda t: F(t).interpolate(t.ones(1, 1, 4), size=8, mode="nearest", align_corners=True),
    "interpolate_1d_input": lambda t: F(t).interpolate(t.ones(4), size=8),
    "interpolate_zero_size": lambda t: F(t).interpolate(t.ones(1, 1, 4), size=0),
    "interpolate_neg_scale": lambda t: F(t).interpolate(t.ones(1, 1, 4), scale_factor=-1.0),
    "upsample_scale_len": lambda t: F(t).interpolate(t.ones(1, 1, 4, 4), scale_factor=(2.0, 2.0, 2.0)),
    "pad_odd_len": lambda t: F(t).pad(t.ones(2, 3), (1,)),
    "pad_too_long": lambda t: F(t).pad(t.ones(3), (1, 1, 1, 1)),
    "pad_mode": lambda t: F(t).pad(t.ones(1, 2, 3), (1, 1), mode="bogus"),
    "pad_reflect_big": lambda t: F(t).pad(t.ones(1, 2, 3), (3, 3), mode="reflect"),
    "pad_reflect_2d_len4_on_1d": lambda t: F(t).pad(t.ones(1, 3), (1, 1, 1, 1), mode="reflect"),
    "pad_neg_too_big": lambda t: F(t).pad(t.ones(3), (-2, -2)),
    "pad_circular_big": lambda t: F(t).pad(t.ones(1, 1, 3), (4, 4), mode="circular"),
    "grid_sample_shape": lambda t: F(t).grid_sample(t.ones(1, 1, 4, 4), t.ones(1, 2, 2, 3), align_corners=False),
    "grid_sample_mode": lambda t: F(t).grid_sample(t.ones(1, 1, 4, 4), t.zeros(1, 2, 2, 2), mode="x", align_corners=False),
    "affine_grid_theta": lambda t: F(t).affine_grid(t.ones(1, 3, 3), (1, 1, 4, 4), align_corners=False),
    "cosine_similarity_shape": lambda t: F(t).cosine_similarity(t.ones(2, 3), t.ones(2, 4)),
    "pairwise_distance_shape": lambda t: F(t).pairwise_distance(t.ones(2, 3), t.ones(2, 4)),
    "pdist_1d": lambda t: F(t).pdist(t.ones(3)),
    "scaled_dot_product_shape": lambda t: F(t).scaled_dot_product_attention(t.ones(1, 2, 3), t.ones(1, 2, 4), t.ones(1, 2, 4)),
    "scaled_dot_product_mask": lambda t: F(t).scaled_dot_product_attention(t.ones(1, 2, 3), t.ones(1, 2, 3), t.ones(1, 2, 3),
                                                                           attn_mask=t.ones(3, 3)),
    "multi_head_attention_dims": lambda t: t.nn.MultiheadAttention(4, 2)(t.ones(2, 1, 3), t.ones(2, 1, 3), t.ones(2, 1, 3)),
}
for _n, _f in _NN.items():
    bad(_n, _f)
ok("batch_norm_empty_batch", lambda t: t.nn.BatchNorm1d(3)(t.ones(0, 3)).shape)
ok("batch_norm_eval_single", lambda t: F(t).batch_norm(ar(t, 1, 3), t.zeros(3), t.ones(3), training=False))
ok("layer_norm_empty", lambda t: F(t).layer_norm(t.ones(0, 3), (3,)))
ok("group_norm_empty_batch", lambda t: F(t).group_norm(t.ones(0, 4, 2), 2))
ok("softmax_0d", lambda t: F(t).softmax(t.tensor(2.0), dim=0))
ok("embedding_empty", lambda t: F(t).embedding(t.zeros(0, dtype=t.int64), ar(t, 3, 2)))
ok("embedding_int32_idx", lambda t: F(t).embedding(t.tensor([1], dtype=t.int32), ar(t, 3, 2)))
ok("dropout_p1", lambda t: F(t).dropout(t.ones(2), p=1.0))
ok("dropout_p0", lambda t: F(t).dropout(ar(t, 2), p=0.0))
ok("one_hot_empty", lambda t: F(t).one_hot(t.zeros(0, dtype=t.int64), 3))
ok("pad_negative", lambda t: F(t).pad(ar(t, 4), (-1, 1)))
ok("interpolate_same_size", lambda t: F(t).interpolate(ar(t, 1, 1, 4), size=4))
ok("linear_empty", lambda t: F(t).linear(t.ones(0, 3), ar(t, 2, 3)))
ok("relu_empty", lambda t: F(t).relu(t.ones(0)))
ok("hardtanh_equal", lambda t: F(t).hardtanh(ar(t, 3), 0.2, 0.2))
ok("pack_padded_sequence", lambda t: t.nn.utils.rnn.pack_padded_sequence(
    ar(t, 3, 2, 1), t.tensor([3, 2]), enforce_sorted=True).data)
ok("pack_padded_unsorted", lambda t: t.nn.utils.rnn.pack_padded_sequence(
    ar(t, 3, 2, 1), [2, 3], enforce_sorted=False).batch_sizes)
bad("pack_padded_unsorted_enforced", lambda t: t.nn.utils.rnn.pack_padded_sequence(ar(t, 3, 2, 1), [2, 3]))
bad("pack_padded_zero_len", lambda t: t.nn.utils.rnn.pack_padded_sequence(ar(t, 3, 2, 1), [3, 0]))
bad("pad_sequence_dims", lambda t: t.nn.utils.rnn.pad_sequence([t.ones(2, 3), t.ones(2, 4)]))
bad("clip_grad_norm_type", lambda t: t.nn.utils.clip_grad_norm_([t.nn.Parameter(t.ones(2))], 1.0, norm_type="x"))

# ---------------------------------------------------------------- nn modules
_MOD = {
    "Linear_neg": lambda t: t.nn.Linear(-1, 2),
    "Linear_float": lambda t: t.nn.Linear(2.5, 2),
    "Linear_call_shape": lambda t: t.nn.Linear(3, 2)(t.ones(2, 4)),
    "Linear_call_int": lambda t: t.nn.Linear(3, 2)(t.ones(2, 3, dtype=t.int64)),
    "Conv2d_groups_in": lambda t: t.nn.Conv2d(3, 4, 3, groups=2),
    "Conv2d_groups_out": lambda t: t.nn.Conv2d(4, 3, 3, groups=2),
    "Conv2d_groups_zero": lambda t: t.nn.Conv2d(4, 4, 3, groups=0),
    "Conv2d_padding_mode": lambda t: t.nn.Conv2d(1, 1, 3, padding_mode="bogus"),
    "Conv2d_same_stride": lambda t: t.nn.Conv2d(1, 1, 3, stride=2, padding="same"),
    "Conv2d_padding_str": lambda t: t.nn.Conv2d(1, 1, 3, padding="bogus"),
    "Conv2d_call_channels": lambda t: t.nn.Conv2d(3, 2, 3)(t.ones(1, 4, 5, 5)),
    "Conv2d_neg_channels": lambda t: t.nn.Conv2d(-1, 2, 3),
    "ConvTranspose2d_same": lambda t: t.nn.ConvTranspose2d(1, 1, 3, padding="same"),
    "BatchNorm1d_call_channels": lambda t: t.nn.BatchNorm1d(3)(t.ones(2, 4)),
    "BatchNorm2d_call_3d": lambda t: t.nn.BatchNorm2d(3)(t.ones(2, 3, 4)),
    "BatchNorm1d_single_train": lambda t: t.nn.BatchNorm1d(3)(t.ones(1, 3)),
    "BatchNorm_neg": lambda t: t.nn.BatchNorm1d(-1),
    "LayerNorm_call_shape": lambda t: t.nn.LayerNorm(4)(t.ones(2, 3)),
    "GroupNorm_div": lambda t: t.nn.GroupNorm(3, 4),
    "GroupNorm_call_channels": lambda t: t.nn.GroupNorm(2, 4)(t.ones(2, 6, 3)),
    "Embedding_neg": lambda t: t.nn.Embedding(-1, 2),
    "Embedding_padding_oob": lambda t: t.nn.Embedding(3, 2, padding_idx=3),
    "Embedding_call_oob": lambda t: t.nn.Embedding(3, 2)(t.tensor([3])),
    "Embedding_from_pretrained_1d": lambda t: t.nn.Embedding.from_pretrained(t.ones(3)),
    "Dropout_p": lambda t: t.nn.Dropout(p=1.5),
    "Dropout_p_neg": lambda t: t.nn.Dropout2d(p=-1),
    "MultiheadAttention_div": lambda t: t.nn.MultiheadAttention(5, 2),
    "TransformerEncoderLayer_div": lambda t: t.nn.TransformerEncoderLayer(5, 2),
    "TransformerEncoderLayer_act": lambda t: t.nn.TransformerEncoderLayer(4, 2, activation="bogus"),
    "LSTM_call_size": lambda t: t.nn.LSTM(3, 4)(t.ones(2, 1, 5)),
    "LSTM_dropout": lambda t: t.nn.LSTM(3, 4, dropout=1.5),
    "LSTM_hidden0": lambda t: t.nn.LSTM(3, 0),
    "LSTM_proj_ge_hidden": lambda t: t.nn.LSTM(3, 4, proj_size=4),
    "GRU_call_h0_shape": lambda t: t.nn.GRU(3, 4)(t.ones(2, 1, 3), t.ones(1, 2, 4)),
    "RNN_nonlinearity": lambda t: t.nn.RNN(3, 4, nonlinearity="bogus"),
    "RNN_call_2d_h0_3d": lambda t: t.nn.RNN(3, 4)(t.ones(2, 3), t.ones(1, 1, 4)),
    "LSTMCell_call_size": lambda t: t.nn.LSTMCell(3, 4)(t.ones(2, 5)),
    "MaxPool2d_call_small": lambda t: t.nn.MaxPool2d(3)(t.ones(1, 1, 2, 2)),
    "AvgPool2d_call_1d": lambda t: t.nn.AvgPool2d(2)(t.ones(4)),
    "Upsample_mode": lambda t: t.nn.Upsample(scale_factor=2, mode="bogus")(t.ones(1, 1, 4)),
    "Flatten_call_dims": lambda t: t.nn.Flatten(2, 5)(t.ones(2, 3)),
    "Unflatten_call": lambda t: t.nn.Unflatten(1, (2, 2))(t.ones(2, 3)),
    "Softmax_call_dim": lambda t: t.nn.Softmax(dim=3)(t.ones(2, 3)),
    "PReLU_call_channels": lambda t: t.nn.PReLU(3)(t.ones(2, 4)),
    "Bilinear_call": lambda t: t.nn.Bilinear(2, 3, 4)(t.ones(5, 2), t.ones(5, 4)),
    "Sequential_index": lambda t: t.nn.Sequential(t.nn.ReLU())[3],
    "ModuleList_index": lambda t: t.nn.ModuleList([t.nn.ReLU()])[2],
    "ModuleList_non_module": lambda t: t.nn.ModuleList([1]),
    "ModuleDict_non_module": lambda t: t.nn.ModuleDict({"a": 1}),
    "ParameterList_index": lambda t: t.nn.ParameterList([t.nn.Parameter(t.ones(1))])[1],
    "register_buffer_dot": lambda t: t.nn.Module().register_buffer("a.b", t.ones(1)),
    "register_buffer_non_tensor": lambda t: t.nn.Module().register_buffer("a", 1),
    "register_parameter_tensor": lambda t: t.nn.Module().register_parameter("a", t.ones(1)),
    "add_module_non_module": lambda t: t.nn.Module().add_module("a", 1),
    "add_module_empty_name": lambda t: t.nn.Module().add_module("", t.nn.ReLU()),
    "setattr_param_tensor": lambda t: _set_weight(t),
    "load_state_dict_missing": lambda t: t.nn.Linear(2, 2).load_state_dict({}),
    "load_state_dict_shape": lambda t: t.nn.Linear(2, 2).load_state_dict({"weight": t.ones(3, 2), "bias": t.ones(2)}),
    "load_state_dict_not_mapping": lambda t: t.nn.Linear(2, 2).load_state_dict([1]),
    "module_to_bad": lambda t: t.nn.Linear(2, 2).to("bogus"),
    "module_to_int_dtype": lambda t: t.nn.Linear(2, 2).to(t.int64),
    "module_call_unknown_kw": lambda t: t.nn.ReLU()(t.ones(2), foo=1),
    "module_getattr_missing": lambda t: t.nn.Linear(2, 2).nope,
    "get_submodule_missing": lambda t: t.nn.Linear(2, 2).get_submodule("x"),
    "get_parameter_missing": lambda t: t.nn.Linear(2, 2).get_parameter("x"),
    "Parameter_int_grad": lambda t: t.nn.Parameter(t.ones(2, dtype=t.int64)),
    "CrossEntropyLoss_weight_len": lambda t: t.nn.CrossEntropyLoss(weight=t.ones(4))(t.ones(2, 3), t.tensor([0, 1])),
    "CrossEntropyLoss_reduction": lambda t: t.nn.CrossEntropyLoss(reduction="bogus")(t.ones(2, 3), t.tensor([0, 1])),
    "NLLLoss_target_shape": lambda t: t.nn.NLLLoss()(t.ones(2, 3), t.tensor([[0, 1]])),
    "HuberLoss_delta_neg": lambda t: t.nn.HuberLoss(delta=-1.0)(t.ones(2), t.ones(2)),
    "GaussianNLLLoss_var_neg": lambda t: t.nn.GaussianNLLLoss()(t.ones(2), t.ones(2), -t.ones(2)),
    "BCELoss_target": lambda t: t.nn.BCELoss()(t.full((2,), 0.5), t.tensor([2.0, 0.0])),
    "Identity_ok_bad_args": lambda t: t.nn.ZeroPad2d((1, 1, 1))(t.ones(1, 1, 2, 2)),
    "Fold_call_bad": lambda t: t.nn.Fold((3, 3), 2)(t.ones(1, 4, 3)),
    "Transformer_call_dims": lambda t: t.nn.Transformer(4, 2, 1, 1, 8)(t.ones(2, 1, 3), t.ones(2, 1, 4)),
    "init_fan_1d": lambda t: t.nn.init.kaiming_uniform_(t.empty(3)),
    "init_xavier_1d": lambda t: t.nn.init.xavier_normal_(t.empty(3)),
    "init_orthogonal_1d": lambda t: t.nn.init.orthogonal_(t.empty(3)),
    "init_calculate_gain": lambda t: t.nn.init.calculate_gain("bogus"),
    "init_sparse_3d": lambda t: t.nn.init.sparse_(t.empty(2, 2, 2), 0.5),
    "init_dirac_2d": lambda t: t.nn.init.dirac_(t.empty(2, 2)),
    "init_eye_3d": lambda t: t.nn.init.eye_(t.empty(2, 2, 2)),
}


def _set_weight(t):
    m = t.nn.Linear(2, 2)
    m.weight = t.ones(2, 2)


for _n, _f in _MOD.items():
    bad(_n, _f)
ok("Linear_zero_features", lambda t: t.nn.Linear(0, 2).weight.shape)
ok("BatchNorm2d_empty_batch", lambda t: t.nn.BatchNorm2d(2)(t.ones(0, 2, 3, 3)).shape)
ok("LSTM_empty_batch_ok", lambda t: t.nn.LSTM(3, 4)(t.ones(2, 0, 3))[0].shape)
ok("Embedding_max_norm", lambda t: t.nn.Embedding(3, 2, max_norm=1.0).weight.shape)
ok("Sequential_neg_index", lambda t: type(t.nn.Sequential(t.nn.ReLU(), t.nn.Tanh())[-1]).__name__)
ok("load_state_dict_nonstrict", lambda t: t.nn.Linear(2, 2).load_state_dict({}, strict=False).missing_keys)

# ---------------------------------------------------------------- optim constructors
def _p(t):
    return [t.nn.Parameter(t.ones(2))]


_OPT = {
    "SGD_lr_neg": lambda t: t.optim.SGD(_p(t), lr=-1.0),
    "SGD_momentum_neg": lambda t: t.optim.SGD(_p(t), lr=0.1, momentum=-1.0),
    "SGD_wd_neg": lambda t: t.optim.SGD(_p(t), lr=0.1, weight_decay=-1.0),
    "SGD_nesterov_no_momentum": lambda t: t.optim.SGD(_p(t), lr=0.1, nesterov=True),
    "SGD_empty_params": lambda t: t.optim.SGD([], lr=0.1),
    "SGD_tensor_params": lambda t: t.optim.SGD(t.nn.Parameter(t.ones(2)), lr=0.1),
    "SGD_non_leaf": lambda t: t.optim.SGD([t.ones(2, requires_grad=True) * 2], lr=0.1),
    "SGD_non_tensor": lambda t: t.optim.SGD([1.0], lr=0.1),
    "SGD_dup_params": lambda t: t.optim.SGD(_p(t) * 2, lr=0.1),
    "SGD_dampening_nesterov": lambda t: t.optim.SGD(_p(t), lr=0.1, momentum=0.9, dampening=0.5, nesterov=True),
    "SGD_group_missing_params": lambda t: t.optim.SGD([{"lr": 0.1}], lr=0.1),
    "Adam_lr_neg": lambda t: t.optim.Adam(_p(t), lr=-1.0),
    "Adam_beta0": lambda t: t.optim.Adam(_p(t), betas=(1.5, 0.9)),
    "Adam_beta1": lambda t: t.optim.Adam(_p(t), betas=(0.9, -0.1)),
    "Adam_eps_neg": lambda t: t.optim.Adam(_p(t), eps=-1.0),
    "Adam_wd_neg": lambda t: t.optim.Adam(_p(t), weight_decay=-1.0),
    "Adam_empty": lambda t: t.optim.Adam([]),
    "AdamW_lr_neg": lambda t: t.optim.AdamW(_p(t), lr=-1.0),
    "AdamW_beta": lambda t: t.optim.AdamW(_p(t), betas=(1.0, 0.9)),
    "RMSprop_alpha_neg": lambda t: t.optim.RMSprop(_p(t), alpha=-1.0),
    "RMSprop_momentum_neg": lambda t: t.optim.RMSprop(_p(t), momentum=-1.0),
    "RMSprop_eps_neg": lambda t: t.optim.RMSprop(_p(t), eps=-1.0),
    "Adagrad_lr_decay_neg": lambda t: t.optim.Adagrad(_p(t), lr_decay=-1.0),
    "Adagrad_init_acc_neg": lambda t: t.optim.Adagrad(_p(t), initial_accumulator_value=-1.0),
    "Adadelta_rho": lambda t: t.optim.Adadelta(_p(t), rho=1.5),
    "Adamax_beta": lambda t: t.optim.Adamax(_p(t), betas=(0.9, 1.0)),
    "NAdam_momentum_decay": lambda t: t.optim.NAdam(_p(t), momentum_decay=-1.0),
    "RAdam_eps": lambda t: t.optim.RAdam(_p(t), eps=-1.0),
    "Rprop_etas": lambda t: t.optim.Rprop(_p(t), etas=(1.5, 1.2)),
    "ASGD_lr": lambda t: t.optim.ASGD(_p(t), lr=-1.0),
    "LBFGS_groups": lambda t: t.optim.LBFGS([{"params": _p(t)}, {"params": _p(t)}]),
    "add_param_group_dup": lambda t: (lambda ps: t.optim.SGD(ps, lr=0.1).add_param_group({"params": ps}))(_p(t)),
    "load_state_dict_groups": lambda t: t.optim.SGD(_p(t), lr=0.1).load_state_dict({"state": {}, "param_groups": []}),
    "StepLR_non_optimizer": lambda t: t.optim.lr_scheduler.StepLR(object(), 1),
    "LambdaLR_len": lambda t: t.optim.lr_scheduler.LambdaLR(t.optim.SGD(_p(t), lr=0.1), [lambda e: 1, lambda e: 1]),
    "OneCycleLR_no_steps": lambda t: t.optim.lr_scheduler.OneCycleLR(t.optim.SGD(_p(t), lr=0.1), max_lr=1.0),
    "OneCycle_anneal": lambda t: t.optim.lr_scheduler.OneCycleLR(t.optim.SGD(_p(t), lr=0.1), 1.0, total_steps=10,
                                                                  anneal_strategy="x"),
    "ReduceLROnPlateau_mode": lambda t: t.optim.lr_scheduler.ReduceLROnPlateau(t.optim.SGD(_p(t), lr=0.1), mode="x"),
    "ReduceLROnPlateau_factor": lambda t: t.optim.lr_scheduler.ReduceLROnPlateau(t.optim.SGD(_p(t), lr=0.1), factor=1.0),
    "CosineAnnealingWarmRestarts_T0": lambda t: t.optim.lr_scheduler.CosineAnnealingWarmRestarts(
        t.optim.SGD(_p(t), lr=0.1), T_0=0),
    "CyclicLR_mode": lambda t: t.optim.lr_scheduler.CyclicLR(t.optim.SGD(_p(t), lr=0.1, momentum=0.9), 0.1, 1.0, mode="x"),
    "SequentialLR_milestones": lambda t: (lambda o: t.optim.lr_scheduler.SequentialLR(
        o, [t.optim.lr_scheduler.StepLR(o, 1)], milestones=[1]))(t.optim.SGD(_p(t), lr=0.1)),
}
for _n, _f in _OPT.items():
    bad(_n, _f)
ok("SGD_lr_nan", lambda t: t.optim.SGD(_p(t), lr=float("nan")).param_groups[0]["lr"] != 0)
ok("SGD_lr_zero", lambda t: t.optim.SGD(_p(t), lr=0.0).param_groups[0]["lr"])
ok("SGD_lr_tensor", lambda t: float(t.optim.SGD(_p(t), lr=t.tensor(0.1)).param_groups[0]["lr"]))
ok("Adam_betas_zero", lambda t: t.optim.Adam(_p(t), betas=(0.0, 0.0)).defaults["betas"])
ok("SGD_generator_params", lambda t: len(t.optim.SGD(iter(_p(t)), lr=0.1).param_groups))
ok("SGD_step_no_grad", lambda t: t.optim.SGD(_p(t), lr=0.1).step())

# ---------------------------------------------------------------- DataLoader and datasets
_DL = {
    "batch_size_zero": lambda t, d: d.DataLoader([1, 2], batch_size=0),
    "batch_size_neg": lambda t, d: d.DataLoader([1, 2], batch_size=-1),
    "batch_size_float": lambda t, d: d.DataLoader([1, 2], batch_size=1.5),
    "shuffle_and_sampler": lambda t, d: d.DataLoader([1, 2], shuffle=True, sampler=d.SequentialSampler([1, 2])),
    "batch_sampler_and_bs": lambda t, d: d.DataLoader([1, 2], batch_size=2,
                                                      batch_sampler=d.BatchSampler(d.SequentialSampler([1, 2]), 1, False)),
    "batch_sampler_drop_last": lambda t, d: d.DataLoader([1, 2], drop_last=True,
                                                         batch_sampler=d.BatchSampler(d.SequentialSampler([1, 2]), 1, False)),
    "num_workers_neg": lambda t, d: d.DataLoader([1, 2], num_workers=-1),
    "timeout_neg": lambda t, d: d.DataLoader([1, 2], timeout=-1),
    "prefetch_no_workers": lambda t, d: d.DataLoader([1, 2], prefetch_factor=2),
    "persistent_no_workers": lambda t, d: d.DataLoader([1, 2], persistent_workers=True),
    "prefetch_neg": lambda t, d: d.DataLoader([1, 2], num_workers=1, prefetch_factor=-1),
    "mp_context_bad": lambda t, d: d.DataLoader([1, 2], num_workers=1, multiprocessing_context="bogus"),
    "mp_context_no_workers": lambda t, d: d.DataLoader([1, 2], multiprocessing_context="fork"),
    "iterable_shuffle": lambda t, d: d.DataLoader(_iterable(d)(), shuffle=True),
    "iterable_sampler": lambda t, d: d.DataLoader(_iterable(d)(), sampler=[0]),
    "len_iterable": lambda t, d: len(d.DataLoader(_iterable(d)())),
    "random_split_sum": lambda t, d: d.random_split(range(10), [3, 3]),
    "random_split_frac": lambda t, d: d.random_split(range(10), [0.5, 0.6]),
    "random_split_neg": lambda t, d: d.random_split(range(10), [-1, 11]),
    "BatchSampler_bs0": lambda t, d: d.BatchSampler(range(3), 0, False),
    "BatchSampler_drop_last": lambda t, d: d.BatchSampler(range(3), 1, "x"),
    "RandomSampler_num_samples": lambda t, d: d.RandomSampler(range(3), num_samples=0),
    "RandomSampler_replacement": lambda t, d: d.RandomSampler(range(3), replacement=1),
    "WeightedRandomSampler_neg": lambda t, d: d.WeightedRandomSampler([1.0, 1.0], -1),
    "WeightedRandomSampler_weights_2d": lambda t, d: d.WeightedRandomSampler([[1.0]], 1),
    "TensorDataset_sizes": lambda t, d: d.TensorDataset(t.ones(2), t.ones(3)),
    "Subset_index_oob": lambda t, d: d.Subset([1, 2], [5])[0],
    "ConcatDataset_empty": lambda t, d: d.ConcatDataset([]),
    "ConcatDataset_iterable": lambda t, d: d.ConcatDataset([_iterable(d)()]),
    "default_collate_mixed": lambda t, d: d.default_collate([t.ones(2), t.ones(3)]),
    "default_collate_str_obj": lambda t, d: d.default_collate([object(), object()]),
    "dataset_getitem_abstract": lambda t, d: d.Dataset()[0],
    "DistributedSampler_rank": lambda t, d: d.DistributedSampler(range(4), num_replicas=2, rank=2),
}


def _iterable(d):
    class It(d.IterableDataset):
        def __iter__(self):
            return iter([1, 2])
    return It


for _n, _f in _DL.items():
    bad(f"data_{_n}", lambda t, f=_f: f(t, t.utils.data))
ok("data_batch_size_none", lambda t: list(t.utils.data.DataLoader([1, 2], batch_size=None)))
ok("data_empty_dataset", lambda t: list(t.utils.data.DataLoader([], batch_size=2)))
ok("data_random_split_frac_ok", lambda t: [len(s) for s in t.utils.data.random_split(range(10), [0.5, 0.5])])
ok("data_len_drop_last", lambda t: len(t.utils.data.DataLoader(list(range(5)), batch_size=2, drop_last=True)))

# ---------------------------------------------------------------- dtype and device arguments
_DT = {
    "to_bad_str": lambda t: t.ones(2).to("bogus"),
    "to_int": lambda t: t.ones(2).to(5),
    "to_dtype_str": lambda t: t.ones(2).to(dtype="float32"),
    "to_device_bad_kw": lambda t: t.ones(2).to(device="gpu"),
    "to_two_dtypes": lambda t: t.ones(2).to(t.float32, t.float64),
    "type_bad": lambda t: t.ones(2).type("bogus"),
    "type_bad_class": lambda t: t.ones(2).type(int),
    "device_ctor_bad": lambda t: t.device("bogus"),
    "device_ctor_neg": lambda t: t.device("cpu", -1),
    "device_ctor_str_index": lambda t: t.device("cpu:x"),
    "device_ctor_two_index": lambda t: t.device("cpu:0", 1),
    "device_ctor_int_neg": lambda t: t.device(-1),
    "device_ctor_none": lambda t: t.device(None),
    "cuda_index_bad": lambda t: t.ones(2, device="cuda:x"),
    "dtype_is_floating_str": lambda t: t.is_floating_point("a"),
    "promote_types_str": lambda t: t.promote_types("float32", t.int64),
    "can_cast_str": lambda t: t.can_cast(t.float32, "int"),
    "set_default_dtype_int": lambda t: t.set_default_dtype(t.int64),
    "set_default_dtype_str": lambda t: t.set_default_dtype("float64"),
    "finfo_int": lambda t: t.finfo(t.int64),
    "iinfo_float": lambda t: t.iinfo(t.float32),
    "finfo_str": lambda t: t.finfo("float32"),
    "result_type_str": lambda t: t.result_type("a", 1),
    "empty_dtype_np": lambda t: t.empty(2, dtype=__import__("numpy").float32),
    "tensor_dtype_np_str": lambda t: t.tensor([1.0], dtype="float"),
    "ones_layout_bad": lambda t: t.ones(2, layout="strided"),
    "ones_memory_format_bad": lambda t: t.empty(2, memory_format=t.channels_last),
    "zeros_device_list": lambda t: t.zeros(2, device=["cpu"]),
    "as_tensor_device_bad": lambda t: t.as_tensor([1.0], device="bogus"),
    "new_tensor_dtype_bad": lambda t: t.ones(2).new_tensor([1], dtype="x"),
    "view_dtype_bad": lambda t: t.ones(2).view("float32"),
    "element_size_bad_type": lambda t: t.ones(2).type(t.int64).to("cpu", "x"),
    "get_default_device_arg": lambda t: t.set_default_device("bogus"),
    "randn_dtype_int": lambda t: t.randn(2, dtype=t.int64),
    "rand_dtype_bool": lambda t: t.rand(2, dtype=t.bool),
    "arange_dtype_bool": lambda t: t.arange(3, dtype=t.bool),
    "linspace_dtype_bool_steps": lambda t: t.linspace(0, 3, 4, dtype=t.bool) + "x",
    "normal_int": lambda t: t.empty(2, dtype=t.int64).normal_(),
    "uniform_int": lambda t: t.empty(2, dtype=t.int64).uniform_(),
    "bernoulli_int": lambda t: t.bernoulli(t.ones(2, dtype=t.int64)),
    "from_dlpack_bad": lambda t: t.from_dlpack([1, 2]),
}
for _n, _f in _DT.items():
    bad(_n, _f)
ok("to_same_dtype", lambda t: t.ones(2).to(t.float32))
ok("ones_dtype_python_float", lambda t: t.ones(2, dtype=float))
ok("ones_dtype_python_int", lambda t: t.ones(2, dtype=int))
ok("ones_dtype_python_bool", lambda t: t.ones(2, dtype=bool))
bad("device_int_no_accelerator", lambda t: str(t.device(0)))
ok("to_cpu_str", lambda t: t.ones(2).to("cpu:0"))
ok("type_str_name", lambda t: t.ones(2).type("torch.DoubleTensor") if t.__name__ == "torch"
   else t.ones(2).type("torch.DoubleTensor"))
ok("randint_dtype_float", lambda t: t.randint(0, 1, (2,), dtype=t.float32))

# ---------------------------------------------------------------- autograd misuse
_AG = {
    "req_grad_int": lambda t: t.ones(2, dtype=t.int64).requires_grad_(),
    "backward_nonscalar": lambda t: (t.ones(2, requires_grad=True) * 2).backward(),
    "backward_noreq": lambda t: t.ones(2).sum().backward(),
    "backward_grad_shape": lambda t: (t.ones(2, requires_grad=True) * 2).backward(t.ones(3)),
    "grad_noreq_input": lambda t: t.autograd.grad(t.ones(2, requires_grad=True).sum(), t.ones(2)),
    "grad_outputs_shape": lambda t: t.autograd.grad(t.ones(2, requires_grad=True) * 2, t.ones(1, requires_grad=True),
                                                    grad_outputs=t.ones(3)),
    "inplace_leaf": lambda t: t.ones(2, requires_grad=True).add_(1),
    "numpy_req": lambda t: t.ones(2, requires_grad=True).numpy(),
    "item_many": lambda t: t.ones(2).item(),
    "bool_many": lambda t: bool(t.ones(2)),
    "int_many": lambda t: int(t.ones(2)),
    "index_many": lambda t: [0, 1][t.ones(2, dtype=t.int64)],
    "index_float_tensor": lambda t: [0, 1][t.tensor(1.0)],
    "len_0d": lambda t: len(t.tensor(1.0)),
    "iter_0d": lambda t: iter(t.tensor(1.0)),
    "detach_inplace_view": lambda t: t.ones(2, 2, requires_grad=True).clone()[0].detach_(),
    "set_grad_shape": lambda t: setattr(t.ones(2, requires_grad=True), "grad", t.ones(3)),
    "hash_ok_but_setattr_data_shape": lambda t: setattr(t.ones(2), "data", [1.0]),
    "clone_memory_format_bad": lambda t: t.ones(2).clone(memory_format="x"),
    "copy_shape": lambda t: t.ones(2).copy_(t.ones(3)),
    "copy_non_tensor": lambda t: t.ones(2).copy_([1.0, 2.0]),
    "fill_non_scalar": lambda t: t.ones(2).fill_(t.ones(2)),
    "zero_on_leaf": lambda t: t.ones(2, requires_grad=True).zero_(),
    "jacobian_non_tensor": lambda t: t.autograd.functional.jacobian(lambda x: x, [1.0]),
}
for _n, _f in _AG.items():
    bad(_n, _f)
ok("fill_0d_tensor", lambda t: t.ones(2).fill_(t.tensor(3.0)))
ok("copy_broadcast", lambda t: t.ones(2, 2).copy_(t.tensor([1.0, 2.0])))
ok("copy_dtype_cast", lambda t: t.ones(2).copy_(t.tensor([1, 2])))
ok("backward_empty", lambda t: t.ones(0, requires_grad=True).sum().backward())

# Calls that look wrong but torch accepts (each was written as a bad call and torch took it):
# ember must accept them too, with torch's result.
TORCH_ACCEPTS = {
    "add_alpha_bool", "prod_int_out_float", "sum_out_wrong_dtype", "searchsorted_dtype", "sigmoid_bool",
    "data_random_split_neg", "getitem_two_ellipsis", "conv2d_int",
    "max_pool2d_int", "ConvTranspose2d_same", "SGD_dup_params",
}
ROWS[:] = [(n, "ok" if n in TORCH_ACCEPTS else k, f) for n, k, f in ROWS]
_dups = [n for n, c in __import__("collections").Counter(r[0] for r in ROWS).items() if c > 1]
assert not _dups, _dups
_ = math
