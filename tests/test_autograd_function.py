"""Custom autograd.Function against torch: ctx features, setup_context, several inputs/outputs,
errors, once_differentiable, node names."""
import warnings

import pytest
import torch

import ember
from tests._autograd_compare import same


def legendre(m):
    class LegendrePolynomial3(m.autograd.Function):
        @staticmethod
        def forward(ctx, input):
            ctx.save_for_backward(input)
            return 0.5 * (5 * input ** 3 - 3 * input)

        @staticmethod
        def backward(ctx, grad_output):
            (input,) = ctx.saved_tensors
            return grad_output * 1.5 * (5 * input ** 2 - 1)
    return LegendrePolynomial3


def test_legendre_values_grads_and_node_name():
    def f(m):
        x = m.tensor([0.5, 2.0], requires_grad=True)
        y = legendre(m).apply(x)
        y.sum().backward()
        return y, x.grad, y.grad_fn.name(), str(y), y.is_leaf, type(y.grad_fn).__name__
    same(f)
    y = legendre(ember).apply(ember.tensor([1.0], requires_grad=True))
    assert repr(y.grad_fn).startswith("<ember.autograd.function.LegendrePolynomial3Backward object at")


def test_several_inputs_outputs_and_non_tensor_arguments():
    def f(m):
        class F(m.autograd.Function):
            @staticmethod
            def forward(ctx, a, k, b):
                ctx.k = k
                ctx.save_for_backward(a, b)
                return a * b * k, a + b

            @staticmethod
            def backward(ctx, g1, g2):
                a, b = ctx.saved_tensors
                return g1 * b * ctx.k + g2, None, g1 * a * ctx.k + g2
        a = m.tensor([1.0, 2.0], requires_grad=True)
        b = m.tensor([3.0, 4.0], requires_grad=True)
        u, v = F.apply(a, 2.0, b)
        (u.sum() + 2 * v.sum()).backward()
        first = (a.grad.clone(), b.grad.clone())
        a.grad = None
        b.grad = None
        u, v = F.apply(a, 2.0, b)
        u.sum().backward()  # v's gradient arrives as zeros (materialized)
        return first, a.grad, b.grad, u.grad_fn is v.grad_fn, (u.output_nr, v.output_nr)
    same(f)


def test_setup_context_form():
    def f(m):
        class F(m.autograd.Function):
            @staticmethod
            def forward(x, k):
                return x * k

            @staticmethod
            def setup_context(ctx, inputs, output):
                x, k = inputs
                ctx.k = k
                ctx.save_for_backward(x, output)

            @staticmethod
            def backward(ctx, g):
                x, out = ctx.saved_tensors
                return g * ctx.k + 0 * out, None
        x = m.tensor([1.0, 2.0], requires_grad=True)
        y = F.apply(x, 3.0)
        y.sum().backward()
        return y, x.grad, y.grad_fn.name()
    same(f)


def test_needs_input_grad_and_forward_runs_without_grad():
    def f(m):
        seen = []

        class F(m.autograd.Function):
            @staticmethod
            def forward(ctx, x, y, k):
                seen.append((m.is_grad_enabled(), (x * 2).requires_grad))
                return x * y * k

            @staticmethod
            def backward(ctx, g):
                seen.append(ctx.needs_input_grad)
                return g, g, None
        a = m.tensor([1.0, 2.0], requires_grad=True)
        F.apply(a, m.tensor([1.0, 2.0]), 2).sum().backward()
        return seen, a.grad
    same(f)


def test_mark_dirty():
    def f(m):
        class F(m.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                x.mul_(2)
                ctx.mark_dirty(x)
                return x

            @staticmethod
            def backward(ctx, g):
                return g * 2
        a = m.tensor([1.0, 2.0], requires_grad=True)
        h = a * 1
        y = F.apply(h)
        y.sum().backward()
        return y is h, a.grad, h, y.grad_fn.name()
    same(f)

    def leaf(m):
        class F(m.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                x.mul_(2)
                ctx.mark_dirty(x)
                return x

            @staticmethod
            def backward(ctx, g):
                return g
        F.apply(m.tensor([1.0, 2.0], requires_grad=True))
    same(leaf)


def test_mark_non_differentiable_and_integer_outputs():
    def f(m):
        class F(m.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                y = x * 3
                ctx.mark_non_differentiable(y)
                return x * 2, y, (x > 1).long()

            @staticmethod
            def backward(ctx, g1, g2, g3):
                return g1 * 2
        a = m.tensor([1.0, 2.0], requires_grad=True)
        s, y, i = F.apply(a)
        s.sum().backward()
        return s.requires_grad, y.requires_grad, i.requires_grad, a.grad
    same(f)


def test_set_materialize_grads_false_passes_none():
    def f(m):
        class F(m.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                ctx.set_materialize_grads(False)
                return x * 2, x * 3

            @staticmethod
            def backward(ctx, g1, g2):
                assert g2 is None
                return g1 * 2
        a = m.tensor([1.0, 2.0], requires_grad=True)
        u, v = F.apply(a)
        u.sum().backward()
        return a.grad
    same(f)


def test_returning_an_input_and_no_grad_cases():
    def identity(m):
        class F(m.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                return x

            @staticmethod
            def backward(ctx, g):
                return g * 5
        a = m.tensor([1.0, 2.0], requires_grad=True)
        y = F.apply(a)
        y.sum().backward()
        return y is a, a.grad, y.is_leaf
    same(identity)

    def plain(m):
        class F(m.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                return x * 2

            @staticmethod
            def backward(ctx, g):
                return g
        y = F.apply(m.ones(2))
        with m.no_grad():
            z = F.apply(m.ones(2, requires_grad=True))
        return y.requires_grad, y.grad_fn, z.requires_grad
    same(plain)


def _fn(m, backward, forward=lambda x: x * 2, n_inputs=1):
    class F(m.autograd.Function):
        @staticmethod
        def forward(ctx, *xs):
            ctx.save_for_backward(*xs)
            return forward(*xs)

        @staticmethod
        def backward(ctx, g):
            return backward(m, ctx, g)
    xs = [m.ones(2, requires_grad=True) for _ in range(n_inputs)]
    F.apply(*xs).sum().backward()
    return [x.grad for x in xs]


def test_backward_results_checked_like_torch():
    same(lambda m: _fn(m, lambda m, ctx, g: g, forward=lambda a, b: a * b, n_inputs=2))
    same(lambda m: _fn(m, lambda m, ctx, g: (g, g, None)))
    same(lambda m: _fn(m, lambda m, ctx, g: (g, None)))
    same(lambda m: _fn(m, lambda m, ctx, g: m.ones(3)))
    same(lambda m: _fn(m, lambda m, ctx, g: m.ones(3, 2)))  # broadcast shape: summed down
    same(lambda m: _fn(m, lambda m, ctx, g: g.double()))  # cast back to the input's dtype
    same(lambda m: _fn(m, lambda m, ctx, g: None))


def test_saved_tensor_errors():
    def non_tensor(m):
        class F(m.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                ctx.save_for_backward(x, 3)
                return x * 2

            @staticmethod
            def backward(ctx, g):
                return g
        F.apply(m.ones(2, requires_grad=True))
    same(non_tensor)

    def twice(m):
        y = legendre(m).apply(m.ones(2, requires_grad=True)).sum()
        y.backward()
        y.backward()
    same(twice)

    def modified(m):
        h = m.ones(2, requires_grad=True) * 1
        y = legendre(m).apply(h)
        h.add_(1)
        y.sum().backward()
    same(modified, msg_words=200)


def test_once_differentiable():
    def make(m):
        class F(m.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                ctx.save_for_backward(x)
                return x * x

            @staticmethod
            @m.autograd.function.once_differentiable
            def backward(ctx, g):
                (x,) = ctx.saved_tensors
                return g * 2 * x
        return F

    def first_order(m):
        a = m.tensor([1.0, 2.0], requires_grad=True)
        make(m).apply(a).sum().backward()
        return a.grad
    same(first_order)

    def second_order(m):
        a = m.tensor([1.0, 2.0], requires_grad=True)
        (g,) = m.autograd.grad(make(m).apply(a).sum(), a, create_graph=True)
        g.sum().backward()
    same(second_order)


def test_double_backward_through_a_function():
    def f(m):
        a = m.tensor([1.0, 2.0], requires_grad=True)
        (g,) = m.autograd.grad(legendre(m).apply(a).sum(), a, create_graph=True)
        g.sum().backward()
        return g, a.grad
    same(f)


def test_hooks_on_function_outputs():
    def f(m):
        a = m.ones(2, requires_grad=True)
        y = legendre(m).apply(a)
        y.register_hook(lambda g: g * 10)
        y.sum().backward()
        return a.grad
    same(f)


def test_legacy_instance_call_refused():
    def f(m):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            legendre(m)()(m.ones(2))
    same(f)


def test_gradcheck_on_a_function():
    x = ember.tensor([0.3, -0.7, 1.2], dtype=ember.float64, requires_grad=True)
    assert ember.autograd.gradcheck(legendre(ember).apply, (x,))
    assert ember.autograd.gradgradcheck(legendre(ember).apply, (x,))


def test_saved_tensors_freed_after_backward():
    import gc
    import weakref

    x = ember.ones(3, requires_grad=True)
    h = x * 2
    y = legendre(ember).apply(h)
    ref = weakref.ref(h)
    del h
    gc.collect()
    assert ref() is not None
    y.sum().backward()
    assert ref() is None
