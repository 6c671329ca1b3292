"""Bad calls across the library raise torch's exception class with torch's message.

Each case runs on torch and on ember (tests/oracle.py `same_error`): the classes must
match, and the first line of torch's message (its first 60 characters, the key words)
must appear in ember's message.
"""
import warnings

import pytest

from tests.oracle import same_error

CASES = {
    "add_shape": lambda m: m.ones(2, 3) + m.ones(4),
    "mul_shape": lambda m: m.ones(2, 3) * m.ones(3, 2),
    "matmul_shape": lambda m: m.ones(2, 3) @ m.ones(2, 3),
    "mm_1d": lambda m: m.mm(m.ones(3), m.ones(3)),
    "mm_shape": lambda m: m.mm(m.ones(2, 3), m.ones(4, 5)),
    "bmm_2d": lambda m: m.bmm(m.ones(2, 3), m.ones(3, 2)),
    "bmm_batch": lambda m: m.bmm(m.ones(2, 2, 3), m.ones(3, 3, 2)),
    "matmul_0d": lambda m: m.matmul(m.tensor(1.0), m.ones(2)),
    "dot_2d": lambda m: m.dot(m.ones(2, 2), m.ones(2, 2)),
    "dot_len": lambda m: m.dot(m.ones(2), m.ones(3)),
    "dot_dtype": lambda m: m.dot(m.ones(2), m.ones(2, dtype=m.float64)),
    "mv_shape": lambda m: m.mv(m.ones(2, 3), m.ones(2)),
    "cat_shape": lambda m: m.cat([m.ones(2, 3), m.ones(2, 4)]),
    "cat_dim": lambda m: m.cat([m.ones(2), m.ones(2)], dim=2),
    "cat_empty": lambda m: m.cat([]),
    "cat_ndim": lambda m: m.cat([m.ones(2, 3), m.ones(3)]),
    "stack_shape": lambda m: m.stack([m.ones(2), m.ones(3)]),
    "stack_empty": lambda m: m.stack([]),
    "view_size": lambda m: m.ones(2, 3).view(4),
    "view_two_neg": lambda m: m.ones(2, 3).view(-1, -1),
    "view_noncontig": lambda m: m.ones(2, 3).t().view(6),
    "reshape_size": lambda m: m.ones(2, 3).reshape(5),
    "transpose_dim": lambda m: m.ones(2, 3).transpose(0, 2),
    "permute_len": lambda m: m.ones(2, 3).permute(0),
    "permute_repeat": lambda m: m.ones(2, 3).permute(0, 0),
    "sum_dim": lambda m: m.ones(2, 3).sum(dim=3),
    "mean_int": lambda m: m.ones(3, dtype=m.int64).mean(),
    "mean_dim": lambda m: m.ones(2).mean(dim=-2),
    "softmax_dim": lambda m: m.softmax(m.ones(2, 3), dim=2),
    "unsqueeze_dim": lambda m: m.ones(2).unsqueeze(3),
    "squeeze_dim": lambda m: m.ones(2).squeeze(1),
    "expand_bad": lambda m: m.ones(2, 3).expand(3, 3),
    "expand_fewer": lambda m: m.ones(2, 3).expand(3),
    "index_oob": lambda m: m.ones(3)[5],
    "index_oob_neg": lambda m: m.ones(3)[-4],
    "index_too_many": lambda m: m.ones(3)[0, 0],
    "index_float": lambda m: m.ones(3)[m.tensor([0.5])],
    "index_select_oob": lambda m: m.index_select(m.ones(3), 0, m.tensor([3])),
    "gather_dtype": lambda m: m.gather(m.ones(2, 2), 1, m.tensor([[0.0]])),
    "gather_oob": lambda m: m.gather(m.ones(2, 2), 1, m.tensor([[2]])),
    "narrow_oob": lambda m: m.ones(3).narrow(0, 2, 3),
    "split_dim": lambda m: m.ones(3).split(1, dim=1),
    "chunk_zero": lambda m: m.ones(3).chunk(0),
    "req_grad_int": lambda m: m.ones(2, dtype=m.int64).requires_grad_(),
    "req_grad_factory_int": lambda m: m.tensor([1, 2], requires_grad=True),
    "backward_nonscalar": lambda m: (m.ones(2, requires_grad=True) * 2).backward(),
    "backward_noreq": lambda m: m.ones(2).sum().backward(),
    "backward_twice": lambda m: [y.backward() for y in [(m.ones(2, requires_grad=True) * 2).sum()] * 2],
    "inplace_leaf": lambda m: m.ones(2, requires_grad=True).add_(1),
    "inplace_view_leaf": lambda m: m.ones(2, 2, requires_grad=True)[0].mul_(2),
    "numpy_req": lambda m: m.ones(2, requires_grad=True).numpy(),
    "item_many": lambda m: m.ones(2).item(),
    "bool_many": lambda m: bool(m.ones(2)),
    "float_many": lambda m: float(m.ones(2)),
    "index_many": lambda m: [0, 1][m.ones(2, dtype=m.int64)],
    "len_0d": lambda m: len(m.tensor(1.0)),
    "iter_0d": lambda m: iter(m.tensor(1.0)),
    "tensor_ragged": lambda m: m.tensor([[1, 2], [3]]),
    "tensor_str": lambda m: m.tensor("abc"),
    "zeros_neg": lambda m: m.zeros(-1),
    "arange_step0": lambda m: m.arange(0, 5, 0),
    "arange_dir": lambda m: m.arange(5, 0, 1),
    "linspace_neg": lambda m: m.linspace(0, 1, -1),
    "eye_neg": lambda m: m.eye(-1),
    "sub_bool": lambda m: m.tensor([True]) - m.tensor([False]),
    "neg_bool": lambda m: -m.tensor([True]),
    "inplace_cast": lambda m: m.ones(2, dtype=m.int64).add_(1.5),
    "inplace_broadcast": lambda m: m.ones(2).add_(m.ones(2, 2)),
    "div_int_zero_floor": lambda m: m.tensor([1]) // m.tensor([0]),
    "grad_noreq_input": lambda m: m.autograd.grad(m.ones(2, requires_grad=True).sum(), m.ones(2)),
    "grad_unused": lambda m: m.autograd.grad((m.ones(2, requires_grad=True) * 2).sum(), m.ones(2, requires_grad=True)),
    "nonleaf_req_false": lambda m: (m.ones(2, requires_grad=True) * 2).requires_grad_(False),
    "where_dtype": lambda m: m.where(m.ones(2), m.ones(2), m.zeros(2)),
    "clamp_none": lambda m: m.clamp(m.ones(2)),
    "max_empty": lambda m: m.ones(0).max(),
    "argmax_empty": lambda m: m.ones(0).argmax(),
    "topk_k": lambda m: m.ones(3).topk(4),
    "sort_dim": lambda m: m.ones(3).sort(dim=2),
    "flatten_dims": lambda m: m.ones(2, 3).flatten(1, 0),
    "linear_shape": lambda m: m.nn.functional.linear(m.ones(2, 3), m.ones(4, 5)),
    "cross_entropy_target": lambda m: m.nn.functional.cross_entropy(m.ones(2, 3), m.tensor([0, 3])),
    "cross_entropy_dtype": lambda m: m.nn.functional.cross_entropy(m.ones(2, 3), m.tensor([0.0, 1.0])),
    "backward_grad_type": lambda m: (m.ones(2, requires_grad=True) * 2).backward([1.0, 2.0]),
    "grad_outputs_count": lambda m: m.autograd.grad([(m.ones(2, requires_grad=True) * 2).sum()] * 2,
                                                    m.ones(1, requires_grad=True), grad_outputs=[m.tensor(1.0)]),
    "version_mismatch": lambda m: _modified_saved(m),
    "set_grad_non_tensor": lambda m: setattr(m.ones(2, requires_grad=True), "grad", 3),
    "custom_fn_grad_count": lambda m: _bad_function(m),
    "mse_shape_warn_err": lambda m: m.nn.functional.mse_loss(m.ones(2, 3), m.ones(3, 2)),
    "embedding_oob": lambda m: m.nn.functional.embedding(m.tensor([5]), m.ones(3, 2)),
    "embedding_float": lambda m: m.nn.functional.embedding(m.tensor([0.0]), m.ones(3, 2)),
    "conv2d_channels": lambda m: m.nn.functional.conv2d(m.ones(1, 3, 5, 5), m.ones(2, 4, 3, 3)),
    "conv2d_small": lambda m: m.nn.functional.conv2d(m.ones(1, 1, 2, 2), m.ones(1, 1, 3, 3)),
    "linear_module": lambda m: m.nn.Linear(3, 2)(m.ones(2, 4)),
    "randint_range": lambda m: m.randint(5, 2, (3,)),
    "multinomial_neg": lambda m: m.multinomial(m.tensor([-1.0, 1.0]), 1),
    "to_bad": lambda m: m.ones(2).to("bogus"),
    "device_bad": lambda m: m.ones(2, device="bogus"),
    "pow_int_neg": lambda m: m.tensor([2]) ** -1,
    "lerp_dtype": lambda m: m.lerp(m.ones(2), m.ones(2, dtype=m.float64), 0.5),
    "var_int": lambda m: m.ones(3, dtype=m.int64).var(),
    "prod_dim": lambda m: m.ones(2).prod(dim=1),
    "cumsum_dim": lambda m: m.ones(2).cumsum(dim=1),
    "masked_fill_mask": lambda m: m.ones(2).masked_fill(m.ones(2), 0.0),
    "set_grad_shape": lambda m: setattr(m.ones(2, requires_grad=True), "grad", m.ones(3)),
    "set_grad_dtype": lambda m: setattr(m.ones(2, requires_grad=True), "grad", m.ones(2, dtype=m.float64)),
    "retain_noreq": lambda m: m.ones(2).retain_grad(),
    "hook_noreq": lambda m: m.ones(2).register_hook(lambda g: g),
    "deepcopy_nonleaf": lambda m: __import__("copy").deepcopy(m.ones(2, requires_grad=True) * 2),
    "one_hot_neg": lambda m: m.nn.functional.one_hot(m.tensor([-1])),
    "softmax_int": lambda m: m.softmax(m.tensor([1, 2]), dim=0),
    "exp_int_out": lambda m: m.exp(m.ones(2), out=m.ones(2, dtype=m.int64)),
    "sqrt_inplace_int": lambda m: m.ones(2, dtype=m.int64).sqrt_(),
    "repeat_fewer": lambda m: m.ones(2, 3).repeat(2),
    "flip_dup": lambda m: m.ones(2, 3).flip(0, 0),
    "roll_dims": lambda m: m.ones(2, 3).roll(1, dims=(0, 1)),
    "tril_1d": lambda m: m.tril(m.ones(3)),
    "diag_3d": lambda m: m.diag(m.ones(2, 2, 2)),
    "trace_1d": lambda m: m.trace(m.ones(3)),
    "einsum_bad": lambda m: m.einsum("ij,jk->ik", m.ones(2, 3), m.ones(2, 3)),
    "outer_2d": lambda m: m.outer(m.ones(2, 2), m.ones(2)),
    "nonzero_0d_astuple_ok": lambda m: m.ones(2).unbind(2),
}


def _modified_saved(m):
    x = m.ones(3, requires_grad=True)
    h = x * 2
    y = (h * h).sum()
    h.add_(1)
    y.backward()


def _bad_function(m):
    class Twice(m.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return g, g
    Twice.apply(m.ones(2, requires_grad=True)).sum().backward()


def _key_words(message):
    return message.split("\n")[0][:60]


@pytest.mark.parametrize("name", list(CASES))
def test_bad_call_raises_like_torch(name):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # e.g. mse_loss warns about broadcasting before raising
        ember_msg, torch_msg = same_error(CASES[name])
    assert _key_words(torch_msg) in ember_msg, f"ember: {ember_msg!r}\ntorch: {torch_msg!r}"


def test_enough_distinct_cases():
    assert len(CASES) >= 50
