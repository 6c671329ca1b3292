"""Matrix products: matmul (`@`), mm, bmm, mv, dot, outer, addmm, addmv, baddbmm,
addbmm, einsum, tensordot, inner, kron.

One op computes every product: `forward` is the array module's `matmul` (BLAS
on NumPy and CuPy; no copies), `backward` is the same product with the other
operand transposed,

    C = A @ B   =>   dA = dC @ B^T,   dB = A^T @ dC,

with 1-D operands treated as a row (left) or column (right) vector, and the
broadcast batch dims summed down by `Op._apply`. The subclasses only carry the
name PyTorch gives the node for each case (MmBackward0, MvBackward0, ...).
Like torch, the operands must share a dtype (no promotion) and bool is refused.
"""
import numpy as np

from .. import _dtype as D
from .._autocast import call as _autocast, state as _amp
from .._device import xp_of
from .._tensor import Tensor
from ..autograd import grad_mode
from ._base import Op, _wrap
from ._inplace import _TYPE_WORDS

# C++ type names that torch prints in "expected m1 and m2 to have the same dtype".
_CPP_NAMES = {"float32": "float", "float64": "double", "float16": "c10::Half", "bfloat16": "c10::BFloat16",
              "int64": "long int", "int32": "int", "int16": "short int", "int8": "signed char",
              "uint8": "unsigned char", "bool": "bool", "complex64": "c10::complex<float>",
              "complex128": "c10::complex<double>"}


_np_matmul = np.matmul
_state = grad_mode.state


def matmul_arrays(a, b):
    """a @ b on arrays; NumPy has no fast half-precision GEMM, so those go through float32."""
    if type(a) is np.ndarray:
        if a.dtype.itemsize == 2 and a.dtype.kind not in "iu":
            return _np_matmul(a.astype(np.float32), b.astype(np.float32)).astype(a.dtype)
        if a.ndim > 1 and b.ndim > 1 and a.shape[-1] == 1:
            # an inner dimension of 1 (batch-1 weight gradients: x^T g) is an outer product;
            # NumPy's matmul skips BLAS there and runs ~10x slower than this one exact multiply
            return np.multiply(a, b)
        return _np_matmul(a, b)
    xp = xp_of(a)
    if a.dtype.name == "bfloat16":  # no bfloat16 GEMM behind CuPy's matmul: float32, rounded once
        return xp.matmul(a.astype(np.float32), b.astype(np.float32)).astype(a.dtype)
    return xp.matmul(a, b)


class MmBackward0(Op):
    """The product of two tensors of any rank >= 1 (see the module docstring)."""

    save_inputs = True

    saved_names = ("self?mat2", "mat2?self", "self_sym_sizes", "self_sym_strides?self", "mat2_sym_sizes", "mat2_sym_strides?mat2")

    def forward(self, a, b):
        return matmul_arrays(a, b)

    def backward(self, g):
        a, b = self.saved_tensors
        want_a = self.next_functions[0][0] is not None
        want_b = self.next_functions[1][0] is not None
        na, nb = a._data.ndim, b._data.ndim
        if na == 1 and nb == 1:
            return (g * b if want_a else None), (g * a if want_b else None)
        if nb == 1:  # (..., m, k) @ (k,) -> (..., m)
            gc = g.unsqueeze(-1)
            gb = None
            if want_b:  # a^T g: a matrix-vector product when a is a matrix
                gb = _product(a, g, transpose_x=True) if na == 2 else _product(a, gc, transpose_x=True).squeeze(-1)
            return (gc * b if want_a else None), gb
        if na == 1:  # (k,) @ (..., k, n) -> (..., n)
            gr = g.unsqueeze(-2)
            ga = None
            if want_a:  # g b^T: b g for a matrix b
                ga = _product(b, g) if nb == 2 else _product(gr, b, transpose_y=True).squeeze(-2)
            return ga, (a.unsqueeze(-1) * gr if want_b else None)
        return (_product(g, b, transpose_y=True) if want_a else None), \
            (_product(a, g, transpose_x=True) if want_b else None)


def _product(x, y, transpose_x=False, transpose_y=False):
    """x @ y with the last two dims of x or y swapped (x.mT @ y, x @ y.mT): the products of
    the backward formulas. With no graph to record (every backward without create_graph)
    the swaps and the product are one step on the arrays; else they are the
    differentiable ops, so that higher-order gradients flow through them."""
    if _state.enabled:
        return (x.mT if transpose_x else x) @ (y.mT if transpose_y else y)
    xa, ya = x._data, y._data
    return _wrap(matmul_arrays(xa.swapaxes(-1, -2) if transpose_x else xa, ya.swapaxes(-1, -2) if transpose_y else ya))


class MvBackward0(MmBackward0):
    pass


class DotBackward0(MmBackward0):
    pass


class BmmBackward0(MmBackward0):
    pass


class SqueezeBackward4(MmBackward0):
    """vector @ matrix: torch computes it as a squeezed (1, k) @ (k, n) product."""

    saved_names = ()  # torch's node of this name is a view of the product, not the product


class UnsafeViewBackward0(MmBackward0):
    """Batched products: torch folds batch dims into one bmm/mm and views the result."""

    saved_names = ()  # torch's node of this name is a view of the product, not the product


_NODE_BY_RANKS = {(1, 1): DotBackward0, (2, 1): MvBackward0, (1, 2): SqueezeBackward4, (2, 2): MmBackward0}


# -- argument checks (torch's messages) -----------------------------------------------------------
def _require_tensors(name, a, b):
    if not isinstance(a, Tensor):
        raise TypeError(f"{name}(): argument 'input' (position 1) must be Tensor, not {type(a).__name__}")
    if not isinstance(b, Tensor):
        raise TypeError(f"{name}(): argument 'other' (position 2) must be Tensor, not {type(b).__name__}")


def _check_dtypes(a, b, kernel):
    if a._dtype is not b._dtype:
        raise RuntimeError(f"expected m1 and m2 to have the same dtype, but got: {_CPP_NAMES[a._dtype.name]} != "
                           f"{_CPP_NAMES[b._dtype.name]}")
    if a._dtype is D.bool_:
        raise NotImplementedError(f"\"{kernel}\" not implemented for 'Bool'")


def _dims(shape):
    return "x".join(map(str, shape))


def _shape_error(a, b):
    """The RuntimeError torch raises for operands whose inner sizes do not match."""
    sa, sb = a._data.shape, b._data.shape
    if len(sa) == 1 and len(sb) == 1:
        return RuntimeError(f"inconsistent tensor size, expected tensor [{sa[0]}] and src [{sb[0]}] to have the same "
                            f"number of elements, but got {sa[0]} and {sb[0]} elements respectively")
    if len(sb) == 1:
        if len(sa) == 2:
            return RuntimeError(f"size mismatch, got input ({sa[0]}), mat ({_dims(sa)}), vec ({sb[0]})")
        return RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({int(np.prod(sa[:-1]))}x{sa[-1]} and "
                            f"{sb[0]}x1)")
    if len(sa) == 1:
        sa = (1,) + sa
    if len(sb) == 2:
        return RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({int(np.prod(sa[:-1]))}x{sa[-1]} and "
                            f"{_dims(sb)})")
    batch_a, batch_b = sa[:-2], sb[:-2]
    try:
        batch = np.broadcast_shapes(batch_a, batch_b)
    except ValueError:
        n = max(len(batch_a), len(batch_b))
        for i in range(1, min(len(batch_a), len(batch_b)) + 1):
            x, y = batch_a[-i], batch_b[-i]
            if x != y and x != 1 and y != 1:
                return RuntimeError(f"The size of tensor a ({x}) must match the size of tensor b ({y}) at "
                                    f"non-singleton dimension {n - i}")
        batch = ()
    nb = int(np.prod(batch))
    return RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: [{nb}, {sa[-1]}] but got: "
                        f"[{nb}, {sb[-2]}].")


# -- functions ------------------------------------------------------------------------------------------
def matmul(input, other, *, out=None):
    """torch.matmul: dot, matrix-vector, matrix-matrix or broadcast batched product by operand ranks."""
    if _amp.active: return _autocast("matmul", matmul, input, other, out=out)  # noqa: E701
    _require_tensors("matmul", input, other)
    na, nb = input._data.ndim, other._data.ndim
    if na == 0 or nb == 0:
        raise RuntimeError(f"both arguments to matmul need to be at least 1D, but they are {na}D and {nb}D")
    if input._dtype is not other._dtype or input._dtype is D.bool_:
        kernel = "dot" if na == nb == 1 else "addmv_impl_cpu" if nb == 1 and na == 2 else \
            "addmm_impl_cpu_" if na <= 2 and nb <= 2 else "bmm"
        if na == nb == 1:
            _check_dot_dtypes(input, other)
        _check_dtypes(input, other, kernel)
    node = _NODE_BY_RANKS.get((na, nb), UnsafeViewBackward0)
    try:
        result = node.apply(input, other)
    except ValueError:
        raise _shape_error(input, other) from None
    return _out(result, out)


def _out(result, out):
    if out is None:
        return result
    from .elementwise import _out as copy_out

    return copy_out(result, out)


def mm(input, mat2, *, out=None):
    if _amp.active: return _autocast("mm", mm, input, mat2, out=out)  # noqa: E701
    _require_tensors("mm", input, mat2)
    if input._data.ndim != 2:
        raise RuntimeError("self must be a matrix")
    if mat2._data.ndim != 2:
        raise RuntimeError("mat2 must be a matrix")
    return matmul(input, mat2, out=out)


def bmm(input, mat2, *, out=None):
    if _amp.active: return _autocast("bmm", bmm, input, mat2, out=out)  # noqa: E701
    _require_tensors("bmm", input, mat2)
    if input._data.ndim != 3:
        raise RuntimeError("batch1 must be a 3D tensor")
    if mat2._data.ndim != 3:
        raise RuntimeError("batch2 must be a 3D tensor")
    sa, sb = input._data.shape, mat2._data.shape
    if sb[0] != sa[0] or sb[1] != sa[2]:
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: [{sa[0]}, {sa[2]}] but "
                           f"got: [{sb[0]}, {sb[1]}].")
    if input._dtype is not mat2._dtype:
        raise RuntimeError(f"expected scalar type {_TYPE_WORDS[input._dtype.name]} but found "
                           f"{_TYPE_WORDS[mat2._dtype.name]}")
    _check_dtypes(input, mat2, "bmm")
    return _out(BmmBackward0.apply(input, mat2), out)


def mv(input, vec, *, out=None):
    if _amp.active: return _autocast("mv", mv, input, vec, out=out)  # noqa: E701
    _require_tensors("mv", input, vec)
    if input._data.ndim != 2 or vec._data.ndim != 1:
        raise RuntimeError(f"vector + matrix @ vector expected, got 1, {input._data.ndim}, {vec._data.ndim}")
    if input._data.shape[1] != vec._data.shape[0]:
        raise _shape_error(input, vec)
    if input._dtype is not vec._dtype:
        raise RuntimeError(f"expected scalar type {_TYPE_WORDS[input._dtype.name]} but found "
                           f"{_TYPE_WORDS[vec._dtype.name]}")
    _check_dtypes(input, vec, "addmv_impl_cpu")
    return _out(MvBackward0.apply(input, vec), out)


def _check_dot_dtypes(a, b):
    if a._dtype is not b._dtype:
        raise RuntimeError(f"dot : expected both vectors to have same dtype, but found {_TYPE_WORDS[a._dtype.name]} "
                           f"and {_TYPE_WORDS[b._dtype.name]}")


def dot(input, tensor, *, out=None):
    if _amp.active: return _autocast("dot", dot, input, tensor, out=out)  # noqa: E701
    _require_tensors("dot", input, tensor)
    if input._data.ndim != 1 or tensor._data.ndim != 1:
        raise RuntimeError(f"1D tensors expected, but got {input._data.ndim}D and {tensor._data.ndim}D tensors")
    _check_dot_dtypes(input, tensor)
    _check_dtypes(input, tensor, "dot")
    if input._data.shape != tensor._data.shape:
        raise _shape_error(input, tensor)
    return _out(DotBackward0.apply(input, tensor), out)


def vdot(input, other, *, out=None):
    """dot(conj(input), other): the first vector is conjugated (the same as dot for reals)."""
    if _amp.active: return _autocast("vdot", vdot, input, other, out=out)  # noqa: E701
    return dot(input.conj(), other, out=out)


def outer(input, vec2, *, out=None):
    """Outer product of two vectors (a broadcast multiply, as in torch: MulBackward0)."""
    _require_tensors("outer", input, vec2)
    for v in (input, vec2):
        if v._data.ndim != 1:
            raise RuntimeError(f"outer: Expected 1-D argument self, but got {v._data.ndim}-D")
    return _out(input.unsqueeze(1) * vec2, out)


ger = outer


class AddmmBackward0(Op):
    """beta * input + alpha * (mat1 @ mat2) in one node (nn.Linear's op): the product's
    fresh array is scaled and accumulated in place. beta == 0 ignores input (even NaN)."""

    save_inputs = True

    saved_names = ("", "mat1?mat2", "mat2?mat1", "mat1_sym_sizes", "mat1_sym_strides?mat1", "mat2_sym_sizes", "mat2_sym_strides?mat2", "alpha=alpha", "beta=beta")

    def forward(self, c, a, b, beta, alpha):
        self.beta, self.alpha = beta, alpha
        half = type(a) is np.ndarray and a.dtype.itemsize == 2 and a.dtype.kind not in "iu"
        if half:  # torch accumulates in float32 and adds input before its one rounding
            dtype = a.dtype
            a, b = a.astype(np.float32), b.astype(np.float32)
            c = c.astype(np.float32) if isinstance(c, np.ndarray) else c
        out = matmul_arrays(a, b)
        if alpha != 1:
            out *= alpha
        if beta != 0:
            out += c if beta == 1 else c * beta
        return out.astype(dtype) if half else out

    def backward(self, g):
        c, a, b = self.saved_tensors
        beta, alpha = self.beta, self.alpha
        if alpha != 1:
            g_prod = g * alpha
        else:
            g_prod = g
        gc = None
        if self.next_functions[0][0] is not None:
            gc = g if beta == 1 else g * beta
        ga = g_prod @ b.mT if self.next_functions[1][0] is not None else None
        gb = None
        if self.next_functions[2][0] is not None:
            if b._data.flags.f_contiguous and not b._data.flags.c_contiguous:
                # b is a transposed matrix (linear's weight.t()): its gradient in b's layout, so
                # that the weight's gradient comes out of TBackward0 contiguous, as torch's does
                gb = (g_prod.mT @ a).mT
            else:
                gb = a.mT @ g_prod
        return gc, ga, gb


def addmm(input, mat1, mat2, *, beta=1, alpha=1, out=None):
    """beta * input + alpha * (mat1 @ mat2)."""
    if _amp.active: return _autocast("addmm", addmm, input, mat1, mat2, beta=beta, alpha=alpha, out=out)  # noqa: E701,E501
    _require_tensors("addmm", mat1, mat2)
    if mat1._data.ndim != 2:
        raise RuntimeError(f"mat1 must be a matrix, got {mat1._data.ndim}-D tensor")
    if mat2._data.ndim != 2:
        raise RuntimeError(f"mat2 must be a matrix, got {mat2._data.ndim}-D tensor")
    if input._dtype is not mat2._dtype:
        raise RuntimeError(f"self and mat2 must have the same dtype, but got {_TYPE_WORDS[input._dtype.name]} and "
                           f"{_TYPE_WORDS[mat2._dtype.name]}")
    _check_dtypes(mat1, mat2, "addmm_impl_cpu_")
    n, m = mat1._data.shape[0], mat2._data.shape[1]
    if mat1._data.shape[1] != mat2._data.shape[0]:
        raise _shape_error(mat1, mat2)
    ishape = input._data.shape
    if ishape != (m,) and ishape != (n, m):  # the common bias shapes skip the broadcast check
        input.expand(n, m)  # raises torch's expand error when input does not broadcast
    beta, alpha = _integral_scalars(mat1, beta, alpha)
    return _out(AddmmBackward0.apply(input, mat1, mat2, beta=beta, alpha=alpha), out)


def _integral_scalars(t, beta, alpha, name=None):
    """torch casts beta / alpha to an integral operand's type (0.6 -> 0, 2 -> True); addr refuses floats."""
    if t._dtype.is_floating_point or t._dtype.is_complex:
        return beta, alpha
    if name is not None:
        for word, v in (("beta", beta), ("alpha", alpha)):
            if isinstance(v, float):
                raise RuntimeError(f"For integral input tensors, argument {word} must not be a floating point number.")
    cast = bool if t._dtype.name == "bool" else int
    return cast(beta), cast(alpha)


def addmv(input, mat, vec, *, beta=1, alpha=1, out=None):
    if _amp.active: return _autocast("addmv", addmv, input, mat, vec, beta=beta, alpha=alpha, out=out)  # noqa: E701,E501
    return _out(_scaled_sum(input, mv(mat, vec), beta, alpha), out)


def baddbmm(input, batch1, batch2, *, beta=1, alpha=1, out=None):
    if _amp.active: return _autocast("baddbmm", baddbmm, input, batch1, batch2, beta=beta, alpha=alpha, out=out)  # noqa: E701,E501
    return _out(_scaled_sum(input, bmm(batch1, batch2), beta, alpha), out)


def addbmm(input, batch1, batch2, *, beta=1, alpha=1, out=None):
    if _amp.active: return _autocast("addbmm", addbmm, input, batch1, batch2, beta=beta, alpha=alpha, out=out)  # noqa: E701,E501
    return _out(_scaled_sum(input, bmm(batch1, batch2).sum(0), beta, alpha), out)


def addr(input, vec1, vec2, *, beta=1, alpha=1, out=None):
    if _amp.active: return _autocast("addr", addr, input, vec1, vec2, beta=beta, alpha=alpha, out=out)  # noqa: E701,E501
    return _out(_scaled_sum(input, outer(vec1, vec2), *_integral_scalars(vec1, beta, alpha, "addr")), out)


def _scaled_sum(input, product, beta, alpha):
    """beta * input + alpha * product; beta == 0 ignores input (even NaN), as torch does."""
    beta, alpha = _integral_scalars(product, beta, alpha)
    if alpha != 1:
        product = product * alpha
    if beta == 0:
        return product
    return product + (input if beta == 1 else input * beta)


def vecdot(x, y, *, dim=-1, out=None):
    """linalg.vecdot: the dot product of vectors along `dim` (real dtypes: no conjugation)."""
    if _amp.active: return _autocast("vecdot", vecdot, x, y, dim=dim, out=out)  # noqa: E701
    return _out((x * y).sum(dim), out)


def chain_matmul(*matrices, out=None):
    if _amp.active: return _autocast("chain_matmul", chain_matmul, *matrices, out=out)  # noqa: E701
    for m in matrices:
        if m.ndim != 2:
            raise RuntimeError(f"Tensor dimension is {m.ndim}, expected 2 instead.")
    if len(matrices) == 1:
        return _out(matrices[0].clone(), out)
    return multi_dot(matrices, out=out)


def multi_dot(tensors, *, out=None):
    """The product of a chain of matrices (first/last may be vectors), left to right."""
    if _amp.active: return _autocast("multi_dot", multi_dot, tensors, out=out)  # noqa: E701
    tensors = list(tensors)
    if len(tensors) < 2:
        raise RuntimeError(f"multi_dot(): expected at least 2 tensors but got {len(tensors)}")
    for i, t in enumerate(tensors):  # torch's checks (aten/src/ATen/native/LinearAlgebra.cpp), in its order
        end = "first" if i == 0 else "last" if i == len(tensors) - 1 else None
        if end and t.ndim not in (1, 2):
            raise RuntimeError(f"multi_dot(): the {end} tensor must be 1D or 2D but got {t.ndim}D")
        if not end and t.ndim != 2:
            raise RuntimeError(f"multi_dot(): tensor {i} must be 2D but got {t.ndim}D")
    for i in range(len(tensors) - 1):
        a, b = tensors[i], tensors[i + 1]
        if a._data.shape[-1] != b._data.shape[0]:
            raise RuntimeError(f"multi_dot(): tensors {i} and {i + 1} with shapes {list(a.shape)} and "
                               f"{list(b.shape)} cannot be multiplied")
    result = tensors[0]
    for t in tensors[1:]:
        result = matmul(result, t)
    return _out(result, out)


# -- einsum and tensordot ----------------------------------------------------------------------------
class EinsumBackward(Op):
    """einsum forward on arrays; each operand's gradient is the einsum of the output
    gradient with the other operands, with that operand's subscripts as output."""

    save_inputs = True

    def forward(self, *arrays, spec):
        self.spec = spec
        dt = arrays[0].dtype
        if dt.itemsize == 2 and dt.kind not in "iu":  # NumPy's einsum has no bfloat16: float32, rounded once
            return xp_of(arrays[0]).einsum(spec, *(a.astype("float32") for a in arrays), optimize=len(arrays) > 2).astype(dt)  # noqa: E501
        return xp_of(arrays[0]).einsum(spec, *arrays, optimize=len(arrays) > 2)

    def backward(self, g):
        ops = self.saved_tensors
        ins, out_sub = self.spec.split("->")
        subs = ins.split(",")
        grads = []
        for i, x in enumerate(ops):
            if self.next_functions[i][0] is None:
                grads.append(None)
                continue
            others = [o for j, o in enumerate(ops) if j != i]
            other_subs = [s for j, s in enumerate(subs) if j != i]
            target = subs[i]
            # A label repeated in an operand (a diagonal) or absent from everything else
            # (summed over) needs help: build the gradient on distinct labels, then expand.
            distinct = "".join(dict.fromkeys(target))
            known = set(out_sub) | set("".join(other_subs))
            kept = "".join(c for c in distinct if c in known)
            gi = einsum(",".join([out_sub] + other_subs) + "->" + kept, g, *others)
            if kept != distinct:
                sizes = dict(zip(kept, gi._data.shape))
                gi = gi.reshape(tuple(sizes.get(c, 1) for c in distinct))
            # Expand over labels this operand has and gi lacks (summed away, or of size 1 in the
            # other operands: einsum broadcasts size-1 labels); a label of size 1 here and larger
            # elsewhere is summed down by Op._apply.
            full = dict(zip(target, x._data.shape))
            want = tuple(full[c] if n == 1 else n for c, n in zip(distinct, gi._data.shape))
            if want != gi._data.shape:
                gi = gi.expand(want)
            if distinct != target:
                gi = _undiagonal(gi, distinct, target)
            grads.append(gi)
        return tuple(grads)


def _undiagonal(g, distinct, target):
    """Spread a gradient over distinct labels onto an operand with repeated labels
    (zero off the diagonal), e.g. 'i' -> 'ii'."""
    from .._creation import eye

    result = g
    letters = list(distinct)
    for pos, c in enumerate(target):
        if target.index(c) != pos:  # a repeat: multiply by the identity that ties it to the first
            n = g._data.shape[distinct.index(c)]
            ident = eye(n, dtype=g._dtype, device=g.device)
            new = chr(ord("A") + len(letters)) if c.islower() else chr(ord("a") + len(letters))
            letters.append(new)
            spec_in = "".join(letters[:-1])
            result = einsum(f"{spec_in},{c}{new}->{spec_in}{new}", result, ident)
    # letters now name every position; map the expanded labels to the target order.
    order = []
    seen = {}
    extra = iter(letters[len(distinct):])
    for pos, c in enumerate(target):
        if c in seen:
            order.append(next(extra))
        else:
            seen[c] = True
            order.append(c)
    return einsum("".join(letters) + "->" + "".join(order), result)


def _normalize_einsum(equation, n_operands, shapes):
    """Make the output explicit and expand '...' into capital letters."""
    eq = equation.replace(" ", "")
    ins, arrow, out_sub = eq.partition("->")
    subs = ins.split(",")
    if len(subs) != n_operands:
        raise RuntimeError(f"einsum(): more operands were provided than specified in the equation"
                           if len(subs) < n_operands else
                           "einsum(): fewer operands were provided than specified in the equation")
    ell_rank = 0
    for s, shape in zip(subs, shapes):
        if "..." in s:
            ell_rank = max(ell_rank, len(shape) - (len(s) - 3))
    fill = "".join(chr(ord("A") + i) for i in range(ell_rank))
    new_subs = []
    for s, shape in zip(subs, shapes):
        if "..." in s:
            k = len(shape) - (len(s) - 3)
            s = s.replace("...", fill[ell_rank - k:])
        new_subs.append(s)
    sizes = {}
    for i, (s, shape) in enumerate(zip(new_subs, shapes)):
        for c, n in zip(s, shape):
            seen = sizes.setdefault(c, n)
            if seen != n and n != 1 and seen != 1:
                raise RuntimeError(f"einsum(): subscript {c} has size {n} for operand {i} which does not broadcast "
                                   f"with previously seen size {seen}")
    if not arrow:
        counts = {}
        for c in "".join(new_subs):
            counts[c] = counts.get(c, 0) + 1
        out_sub = fill + "".join(sorted(c for c, n in counts.items() if n == 1 and c not in fill))
    else:
        out_sub = out_sub.replace("...", fill)
    return ",".join(new_subs) + "->" + out_sub


def einsum(equation, *operands):
    """torch.einsum(equation, *operands) (operands may also be given as one list)."""
    if _amp.active: return _autocast("einsum", einsum, equation, *operands)  # noqa: E701
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    spec = _normalize_einsum(equation, len(operands), [o._data.shape for o in operands])
    dts = {o._dtype for o in operands}
    if len(dts) > 1:
        a, b = operands[0]._dtype, next(o._dtype for o in operands if o._dtype is not operands[0]._dtype)
        raise RuntimeError(f"expected scalar type {_TYPE_WORDS[a.name]} but found {_TYPE_WORDS[b.name]}")
    try:
        return EinsumBackward.apply(*operands, spec=spec)
    except ValueError as e:
        raise RuntimeError(f"einsum(): {e}") from None


def tensordot(a, b, dims=2, out=None):
    """Contract dims of a with dims of b: an int (last/first n) or a pair of lists."""
    if _amp.active: return _autocast("tensordot", tensordot, a, b, dims, out)  # noqa: E701
    if isinstance(dims, int):
        if dims < 0:
            raise RuntimeError(f"tensordot expects dims >= 0, but got dims={dims}")
        da = list(range(a._data.ndim - dims, a._data.ndim))
        db = list(range(dims))
    else:
        if isinstance(dims, Tensor):
            dims = dims.tolist()
        da, db = dims
        da = [da] if isinstance(da, int) else list(da)
        db = [db] if isinstance(db, int) else list(db)
    da = [a._wrap_dim(d) for d in da]
    db = [b._wrap_dim(d) for d in db]
    for x, y in zip(da, db):
        sx, sy = a._data.shape[x], b._data.shape[y]
        if sx != sy and 1 in (sx, sy):  # torch broadcasts a size-1 contracted dim: sum the other side first
            a, b = (a, b.sum(y, keepdim=True)) if sx == 1 else (a.sum(x, keepdim=True), b)
        elif sx != sy:
            raise RuntimeError(f"contracted dimensions need to match, but first has size {a._data.shape[x]} in dim "
                               f"{x} and second has size {b._data.shape[y]} in dim {y}")
    la = "".join(chr(ord("a") + i) for i in range(a._data.ndim))
    lb = [chr(ord("a") + a._data.ndim + i) for i in range(b._data.ndim)]
    for x, y in zip(da, db):
        lb[y] = la[x]
    out_sub = "".join(c for i, c in enumerate(la) if i not in da) + "".join(c for i, c in enumerate(lb) if i not in db)
    return _out(einsum(f"{la},{''.join(lb)}->{out_sub}", a, b), out)


def inner(input, other, *, out=None):
    """Sum over the last dims of both (a scalar product for 0-d operands)."""
    if _amp.active: return _autocast("inner", inner, input, other, out=out)  # noqa: E701
    if input._data.ndim == 0 or other._data.ndim == 0:
        return _out(input * other, out)
    if input._data.shape[-1] != other._data.shape[-1]:
        raise RuntimeError(f"inner() the last dimension must match on both input tensors but got shapes "
                           f"[{', '.join(map(str, input._data.shape))}] and [{', '.join(map(str, other._data.shape))}]")
    return tensordot(input, other, ([-1], [-1]), out=out)


def kron(input, other, *, out=None):
    """Kronecker product: interleave the dims of a broadcast multiply, then merge pairs."""
    nd = max(input._data.ndim, other._data.ndim)
    a = input.reshape((1,) * (nd - input._data.ndim) + input._data.shape)
    b = other.reshape((1,) * (nd - other._data.ndim) + other._data.shape)
    sa, sb = a._data.shape, b._data.shape
    a = a.reshape(tuple(x for n in sa for x in (n, 1)))
    b = b.reshape(tuple(x for n in sb for x in (1, n)))
    return _out((a * b).reshape(tuple(x * y for x, y in zip(sa, sb))), out)


# -- Tensor methods and operators -----------------------------------------------------------------------
def _imatmul(self, other):
    from ._inplace import commit

    return commit(self, matmul(self, other))


Tensor.matmul = matmul
# Anything else is NotImplemented both ways, as in torch: Tensor @ ndarray is then NumPy's own
# (the tensor read through __array__, the result wrapped back into a Tensor), ndarray @ Tensor a TypeError.
Tensor.__matmul__ = lambda self, other: matmul(self, other) if isinstance(other, Tensor) else NotImplemented
# Called directly (t.__rmatmul__(other), as torch's OpInfo does) it is matmul(other, self).
Tensor.__rmatmul__ = lambda self, other: matmul(other, self) if isinstance(other, Tensor) else NotImplemented
Tensor.__imatmul__ = _imatmul
Tensor.mm = mm
Tensor.bmm = bmm
Tensor.mv = mv
Tensor.dot = dot
Tensor.vdot = vdot
Tensor.outer = outer
Tensor.ger = ger
Tensor.inner = inner
Tensor.kron = kron
Tensor.addmm = addmm
Tensor.addmv = addmv
Tensor.baddbmm = baddbmm
Tensor.addbmm = addbmm
Tensor.addr = addr

# torch's sparse-times-dense products. ember's tensors are all dense (strided), where torch computes
# spmm and dsmm as mm and refuses hsmm and saddmm, which need a sparse input.
spmm = dsmm = mm


def hsmm(mat1, mat2):
    raise NotImplementedError("Could not run 'aten::hspmm' with arguments from the 'CPU' backend. This could be "
                              "because the operator doesn't exist for this backend, or was omitted during the "
                              "selective/custom build process (if using custom build).")


def saddmm(input, mat1, mat2, *, beta=1, alpha=1, out=None):
    raise RuntimeError("tensor.sspaddmm(...) can only be called on sparse tensors")


__all__ = ["matmul", "mm", "bmm", "mv", "dot", "vdot", "outer", "ger", "addmm", "addmv", "baddbmm", "addbmm",
           "addr", "chain_matmul", "einsum", "tensordot", "inner", "kron", "spmm", "dsmm", "hsmm", "saddmm"]
