"""torch.autograd.functional: jacobian, hessian, vjp, jvp, hvp, vhp on the autograd graph.

Forward-mode products (jvp, hvp) use the double-backward trick, as PyTorch does.
"""
from __future__ import annotations

from . import grad_mode
from ._backward import grad as _grad

__all__ = ["vjp", "jvp", "jacobian", "hessian", "hvp", "vhp"]


def _as_tuple(x):
    from .._tensor import Tensor
    if isinstance(x, Tensor):
        return (x,), False
    if not isinstance(x, tuple):
        raise TypeError("The inputs given to the function must be either a Tensor or a tuple of "
                        f"Tensors but the given argument has type {type(x).__name__}.")
    return x, True


def _prepare(inputs, create_graph):
    out = []
    for x in inputs:
        d = x.detach() if not create_graph else x.view_as(x)
        if not create_graph:
            d.requires_grad_(True)
        elif not d.requires_grad:
            d = x.detach().requires_grad_(True)
        out.append(d)
    return tuple(out)


def _fill_none(grads, like, create_graph):
    from .._ops.creation import zeros_like
    return tuple(zeros_like(t) if g is None else g for g, t in zip(grads, like))


def _check_outputs(outputs, what="outputs"):
    from .._tensor import Tensor
    for o in outputs:
        if not isinstance(o, Tensor):
            raise TypeError(f"The {what} of the user-provided function given to jacobian must be "
                            "either a Tensor or a tuple of Tensors")


def vjp(func, inputs, v=None, create_graph=False, strict=False):
    """(func(inputs), v^T J)."""
    with grad_mode.enable_grad():
        inputs, is_tuple = _as_tuple(inputs)
        inputs = _prepare(inputs, create_graph)
        outputs = func(*inputs)
        outs, out_tuple = _as_tuple(outputs)
        if v is None:
            if len(outs) != 1 or outs[0].numel() != 1:
                raise RuntimeError("The vector v can only be None if the user-provided function "
                                   "returns a single Tensor with a single element.")
            vs = (None,)
        else:
            vs, _ = _as_tuple(v)
        diff = [o for o in outs if o.requires_grad]
        if diff:
            grads = _grad([o for o in outs if o.requires_grad],
                          inputs, [g for o, g in zip(outs, vs) if o.requires_grad],
                          create_graph=create_graph, allow_unused=True)
        else:
            grads = (None,) * len(inputs)
        grads = _fill_none(grads, inputs, create_graph)
    outs = tuple(o if create_graph else o.detach() for o in outs)
    return (outs if out_tuple else outs[0]), (grads if is_tuple else grads[0])


def jvp(func, inputs, v=None, create_graph=False, strict=False):
    """(func(inputs), J v) by the double-backward trick."""
    from .._ops.creation import zeros_like
    with grad_mode.enable_grad():
        inputs, is_tuple = _as_tuple(inputs)
        inputs = _prepare(inputs, create_graph)
        if v is None:
            if len(inputs) != 1 or inputs[0].numel() != 1:
                raise RuntimeError("The vector v can only be None if the input to the "
                                   "user-provided function is a single Tensor with a single "
                                   "element.")
            from .._ops.creation import ones_like
            vs = (ones_like(inputs[0]),)
        else:
            vs, _ = _as_tuple(v)
        outputs = func(*inputs)
        outs, out_tuple = _as_tuple(outputs)
        us = tuple(zeros_like(o).requires_grad_(True) for o in outs)
        g = _grad([o for o in outs if o.requires_grad], inputs,
                  [u for o, u in zip(outs, us) if o.requires_grad],
                  create_graph=True, allow_unused=True)
        pairs = [(gi, vi) for gi, vi in zip(g, vs) if gi is not None and gi.requires_grad]
        if pairs:
            jv = _grad([p[0] for p in pairs], us, [p[1] for p in pairs],
                       create_graph=create_graph, allow_unused=True)
        else:
            jv = (None,) * len(us)
        jv = _fill_none(jv, outs, create_graph)
    outs = tuple(o if create_graph else o.detach() for o in outs)
    jv = tuple(j if create_graph else j.detach() for j in jv)
    return (outs if out_tuple else outs[0]), (jv if out_tuple else jv[0])


def jacobian(func, inputs, create_graph=False, strict=False, vectorize=False,
             strategy="reverse-mode"):
    """The Jacobian of ``func`` at ``inputs``: shape ``out.shape + in.shape`` per pair."""
    from .._ops.creation import zeros, zeros_like
    from .._ops.shape import stack
    with grad_mode.enable_grad():
        inputs, is_tuple = _as_tuple(inputs)
        inputs = _prepare(inputs, create_graph)
        outputs = func(*inputs)
        outs, out_tuple = _as_tuple(outputs)
        _check_outputs(outs)
        jac = []
        for o in outs:
            rows = [[] for _ in inputs]
            flat = o.reshape(-1)
            for k in range(flat.numel()):
                if o.requires_grad:
                    gs = _grad(_select(flat, k), inputs, retain_graph=True,
                               create_graph=create_graph, allow_unused=True)
                else:
                    gs = (None,) * len(inputs)
                for r, g, x in zip(rows, gs, inputs):
                    r.append(zeros_like(x) if g is None else g)
            per_in = []
            for r, x in zip(rows, inputs):
                if r:
                    j = stack(r).reshape(*(tuple(o.shape) + tuple(x.shape)))
                else:
                    j = zeros(*(tuple(o.shape) + tuple(x.shape)), dtype=x.dtype)
                per_in.append(j if create_graph else j.detach())
            jac.append(tuple(per_in))
    if out_tuple and is_tuple:
        return tuple(jac)
    if out_tuple:
        return tuple(j[0] for j in jac)
    if is_tuple:
        return jac[0]
    return jac[0][0]


def _select(flat, k):
    from .._ops.view import select
    return select(flat, 0, k)


def hessian(func, inputs, create_graph=False, strict=False, vectorize=False,
            outer_jacobian_strategy="reverse-mode"):
    """The Hessian of a scalar ``func`` at ``inputs``."""
    inputs_t, is_tuple = _as_tuple(inputs)

    def jac_func(*inp):
        out = func(*inp)
        outs, _ = _as_tuple(out)
        if len(outs) != 1 or outs[0].numel() != 1:
            raise RuntimeError("The function given to hessian should return a single Tensor "
                               "containing a single element")
        inp = tuple(inp)
        g = _grad(outs[0].reshape(()), inp, create_graph=True, allow_unused=True)
        return tuple(_fill_none(g, inp, True)) if is_tuple else _fill_none(g, inp, True)[0]

    return jacobian(jac_func, inputs, create_graph=create_graph)


def vhp(func, inputs, v=None, create_graph=False, strict=False):
    """(func(inputs), v^T H)."""
    with grad_mode.enable_grad():
        inputs, is_tuple = _as_tuple(inputs)
        inputs = _prepare(inputs, create_graph)
        out = func(*inputs)
        outs, _ = _as_tuple(out)
        if len(outs) != 1 or outs[0].numel() != 1:
            raise RuntimeError("The function given to vhp should return a single Tensor "
                               "containing a single element")
        vs, _ = _as_tuple(v) if v is not None else ((None,), False)
        g = _grad(outs[0], inputs, create_graph=True, allow_unused=True)
        pairs = [(gi, vi) for gi, vi in zip(g, vs) if gi is not None and gi.requires_grad]
        if pairs:
            res = _grad([p[0] for p in pairs], inputs, [p[1] for p in pairs],
                        create_graph=create_graph, allow_unused=True)
        else:
            res = (None,) * len(inputs)
        res = _fill_none(res, inputs, create_graph)
    value = outs[0] if create_graph else outs[0].detach()
    res = tuple(r if create_graph else r.detach() for r in res)
    return value, (res if is_tuple else res[0])


def hvp(func, inputs, v=None, create_graph=False, strict=False):
    """(func(inputs), H v) — equal to vhp for the symmetric Hessian of a twice-differentiable
    function, which is how PyTorch computes it too (double backward)."""
    return vhp(func, inputs, v, create_graph, strict)
