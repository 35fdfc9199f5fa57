"""Complex parts: real and imag (views, as in PyTorch), conj, conj_physical, resolve_conj,
resolve_neg.

jtorch has no lazy conjugate or negative bit: ``conj`` of a complex tensor is a new tensor
holding the conjugate values, so ``is_conj()`` is always False and ``resolve_conj``/
``resolve_neg`` return their input.
"""
from __future__ import annotations

import jax.lax as lax
import jax.numpy as jnp

from .. import _promotion as P
from .._dispatch import dispatch
from .._tensor import Tensor
from ._argparse import arg_error
from ._registry import register
from .pointwise import unary
from .view import ViewOp, make_view

__all__ = ["real", "imag", "conj", "conj_physical", "resolve_conj", "resolve_neg", "is_conj",
           "is_neg"]


def _part_meta(part):
    def meta(shape, stride, offset):
        # the parts of complex elements are interleaved floats: strides and offset double
        return shape, tuple(2 * s for s in stride), 2 * offset + part
    return meta


def _real_update(inp, v):
    return lax.complex(v.astype(inp.real.dtype), inp.imag)


def _imag_update(inp, v):
    return lax.complex(inp.real, v.astype(inp.imag.dtype))


# PyTorch computes real/imag as view_as_real(x).select(-1, i): their grad_fn is a select
REAL = ViewOp("real", lambda x: x.real, _part_meta(0), update=_real_update,
              grad="SelectBackward0")
IMAG = ViewOp("imag", lambda x: x.imag, _part_meta(1), update=_imag_update,
              grad="SelectBackward0")


def _check(input, name):
    if not isinstance(input, Tensor):
        raise arg_error(name, ("Tensor input",), (input,))


@register(method=False)
def real(input):
    """The real part: a view of a complex tensor; a real tensor itself."""
    _check(input, "real")
    if not input._dtype.is_complex:
        return input
    return make_view(input, REAL, (), dtype=input._dtype.to_real())


@register(method=False)
def imag(input):
    """The imaginary part of a complex tensor (a view)."""
    _check(input, "imag")
    if not input._dtype.is_complex:
        raise RuntimeError("imag is not implemented for tensors with non-complex dtypes.")
    return make_view(input, IMAG, (), dtype=input._dtype.to_real())


_CONJ = unary("conj", jnp.conj, P.DEFAULT, grad="ConjBackward0", linear=True)
_CONJ_PHYSICAL = unary("conj_physical", jnp.conj, P.DEFAULT, grad="ConjPhysicalBackward0",
                       linear=True)


@register()
def conj(input):
    """The complex conjugate (a real tensor itself).

    Differences from PyTorch: the result is a new tensor, not a lazily conjugated view, so
    ``is_conj()`` is False and writing to it does not change ``input``.
    """
    _check(input, "conj")
    if not input._dtype.is_complex:
        return input
    return dispatch(_CONJ, (input,))


@register(inplace=True, out=True)
def conj_physical(input):
    """The complex conjugate, computed (a real tensor itself)."""
    _check(input, "conj_physical")
    if not input._dtype.is_complex:
        return input
    return dispatch(_CONJ_PHYSICAL, (input,))


@register()
def resolve_conj(input):
    """``input`` with its conjugate bit resolved: jtorch has none, so ``input`` itself."""
    _check(input, "resolve_conj")
    return input


@register()
def resolve_neg(input):
    """``input`` with its negative bit resolved: jtorch has none, so ``input`` itself."""
    _check(input, "resolve_neg")
    return input


@register()
def is_conj(input):
    """Whether ``input`` is a lazily conjugated view: never in jtorch."""
    _check(input, "is_conj")
    return False


@register()
def is_neg(input):
    """Whether ``input`` has a lazy negative bit: never in jtorch."""
    _check(input, "is_neg")
    return False
