"""torch.einsum: Einstein summation over operands of one dtype.

The equation is parsed once per call in Python (PyTorch's errors, word for word), ellipses
are expanded to explicit labels and size-1 dims broadcast as in PyTorch; the body is one
``jnp.einsum`` at full precision.  A single operand whose output is a permutation of its labels
returns a ``permute`` view, as PyTorch does.
"""
from __future__ import annotations

import jax.numpy as jnp

from .. import _dtype as D
from .._dispatch import dispatch
from .._engine import core as engine
from .._tensor import Tensor
from ._registry import register
from .linalg import mm_precision

__all__ = ["einsum"]

_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def _label_index(c):
    return _LETTERS.index(c)


def _parse_operand(sub, k, ndim, start):
    """Labels of operand ``k`` (None stands for the ellipsis) and the ellipsis position."""
    labels = []
    ell = False
    i = 0
    while i < len(sub):
        c = sub[i]
        if c == ".":
            if ell:
                raise RuntimeError(f"einsum(): found '.' for operand {k} for which an ellipsis "
                                   "was already found")
            if sub[i:i + 3] != "...":
                raise RuntimeError(f"einsum(): found '.' for operand {k} that is not part of "
                                   "any ellipsis")
            ell = True
            labels.append(None)
            i += 3
            continue
        if c == " ":
            i += 1
            continue
        if c not in _LETTERS:
            raise RuntimeError(f"einsum(): invalid subscript given at index {start + i} in the "
                               "equation string, subscripts must be in [a-zA-Z]")
        labels.append(c)
        i += 1
    return labels, ell


def _parse(equation, shapes):
    """Expand ``equation`` for operands of ``shapes`` into an explicit jnp.einsum equation."""
    if "->" in equation:
        lhs, rhs = equation.split("->", 1)
    else:
        lhs, rhs = equation, None
    subs = lhs.split(",")
    if len(subs) > len(shapes):
        raise RuntimeError("einsum(): fewer operands were provided than specified in the "
                           "equation")
    if len(subs) < len(shapes):
        raise RuntimeError("einsum(): more operands were provided than specified in the equation")
    ops = []
    pos = 0
    for k, (sub, shape) in enumerate(zip(subs, shapes)):
        labels, ell = _parse_operand(sub, k, len(shape), pos)
        pos += len(sub) + 1
        n = len(labels) - (1 if ell else 0)
        if not ell and n != len(shape):
            raise RuntimeError(f"einsum(): the number of subscripts in the equation ({n}) does "
                               f"not match the number of dimensions ({len(shape)}) for operand "
                               f"{k} and no ellipsis was given")
        if ell and n > len(shape):
            raise RuntimeError(f"einsum(): the number of subscripts in the equation ({n}) is "
                               f"more than the number of dimensions ({len(shape)}) for operand "
                               f"{k}")
        ops.append((labels, ell))
    # ellipsis dims: broadcast across operands, named by letters the equation does not use
    used = set(c for labels, _ in ops for c in labels if c) | set(
        c for c in (rhs or "") if c in _LETTERS)
    free = [c for c in reversed(_LETTERS) if c not in used]
    ell_n = max((len(shape) - (len(lab) - 1) for (lab, e), shape in zip(ops, shapes) if e),
                default=0)
    ell_sizes = [1] * ell_n
    ell_labels = free[:ell_n][::-1] if ell_n <= len(free) else None
    if ell_labels is None:
        raise RuntimeError("einsum(): too many dimensions")
    sizes = {}
    expanded = []
    for k, ((labels, ell), shape) in enumerate(zip(ops, shapes)):
        full = []
        d = 0
        for c in labels:
            if c is None:
                m = len(shape) - (len(labels) - 1)
                for j in range(m):
                    size = shape[d + j]
                    slot = ell_n - m + j
                    prev = ell_sizes[slot]
                    if size != 1 and prev != 1 and size != prev:
                        raise RuntimeError(
                            f"einsum(): dimension {j} covered by ellipsis in operand {k}has "
                            f"size {size} which does not broadcast with previously seen "
                            f"ellipsis with size {prev} for the respective dimension")
                    if size != 1:
                        ell_sizes[slot] = size
                    full.append(ell_labels[slot])
                d += m
                continue
            full.append(c)
            d += 1
        seen = {}
        for c, size in zip(full, shape):
            if c in seen and seen[c] != size:
                raise RuntimeError(f"einsum(): subscript {c} is repeated for operand {k} but the "
                                   f"sizes don't match, {size} != {seen[c]}")
            seen[c] = size
            if c in ell_labels:
                continue
            prev = sizes.get(c)
            if prev is not None and size != 1 and prev != 1 and size != prev:
                raise RuntimeError(f"einsum(): subscript {c} has size {size} for operand {k} "
                                   f"which does not broadcast with previously seen size {prev}")
            if prev is None or prev == 1:
                sizes[c] = size
        expanded.append(full)
    for c, s in zip(ell_labels, ell_sizes):
        sizes[c] = s
    counts = {}
    for full in expanded:
        for c in full:
            counts[c] = counts.get(c, 0) + 1
    if rhs is None:
        out = ell_labels + sorted((c for c, n in counts.items() if n == 1 and c not in ell_labels),
                                  key=_label_index)
    else:
        out = []
        ell = False
        i = 0
        while i < len(rhs):
            c = rhs[i]
            if c == ".":
                if ell:
                    raise RuntimeError("einsum(): found '.' for output but an ellipsis (...) was "
                                       "already found")
                if rhs[i:i + 3] != "...":
                    raise RuntimeError("einsum(): found '.' for output that is not part of any "
                                       "ellipsis (...)")
                ell = True
                out.extend(ell_labels)
                i += 3
                continue
            if c == " ":
                i += 1
                continue
            if c in _LETTERS:
                if c in out:
                    raise RuntimeError(f"einsum(): output subscript {c} appears more than once in "
                                       "the output")
                if c not in counts:
                    raise RuntimeError(f"einsum(): output subscript {c} does not appear in the "
                                       "equation for any input operand")
                out.append(c)
            else:
                raise RuntimeError(f"einsum(): invalid subscript given at index "
                                   f"{len(lhs) + 2 + i} in the equation string, subscripts must "
                                   "be in [a-zA-Z]")
            i += 1
        if not ell and ell_n:
            # dims covered by an ellipsis that the output omits are summed
            pass
    return expanded, out, sizes


def _einsum_prepare(sigs, static):
    eq, squeeze = static
    d0 = sigs[0][1]
    for _, d in sigs[1:]:
        if d is not d0:
            raise RuntimeError(f"expected scalar type {D._short(d0)} but found {D._short(d)}")
    if d0 is D.bool_ and len(sigs) > 1:
        raise NotImplementedError("\"bmm\" not implemented for 'Bool'")
    ct = D.float32 if d0 in (D.float16, D.bfloat16) else d0
    return (eq, squeeze, ct.np)


def _einsum_impl(*a):
    *arrays, eq, squeeze, ct = a
    rt = arrays[0].dtype
    arrays = [jnp.squeeze(x, dims) if dims else x for x, dims in zip(arrays, squeeze)]
    return jnp.einsum(eq, *[x.astype(ct) for x in arrays],
                      precision=mm_precision()).astype(rt)


_OPS = {g: engine.Op("einsum", _einsum_impl, prepare=_einsum_prepare, grad=g)
        for g in ("ViewBackward0", "MulBackward0", "SumBackward1", "PermuteBackward0")}


def _from_sublists(args):
    """einsum(op1, sublist1, op2, sublist2, ..., [sublist_out]) -> (equation, operands)."""
    def sub(lst):
        s = ""
        for x in lst:
            if x is Ellipsis:
                s += "..."
            else:
                x = int(x)
                if not 0 <= x < 52:
                    raise ValueError(f"einsum(): subscript in subscript list is not within the "
                                     f"valid range [0, 52)")
                s += _LETTERS[x + 26] if x < 26 else _LETTERS[x - 26]
        return s

    operands = list(args[0::2])
    subs = list(args[1::2])
    out = None
    if len(operands) > len(subs):
        # odd count: the last element is the output sublist
        out = operands.pop()
    eq = ",".join(sub(s) for s in subs)
    if out is not None:
        eq += "->" + sub(out)
    return eq, operands


@register(method=False)
def einsum(*args):
    """Einstein summation: ``einsum("ij,jk->ik", a, b)``, operands as varargs or one list, or the
    sublist form ``einsum(a, [0, 1], b, [1, 2], [0, 2])``."""
    if len(args) < 2:
        raise ValueError("einsum(): must specify the equation string and at least one operand, "
                         "or at least one operand and its subscripts list")
    equation = args[0]
    if isinstance(equation, Tensor):
        equation, operands = _from_sublists(args)
    else:
        if not isinstance(equation, str):
            raise TypeError(f"einsum(): argument 'equation' (position 1) must be str, not "
                            f"{type(equation).__name__}")
        operands = args[1:]
        if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
            operands = operands[0]
    operands = tuple(operands)
    for i, t in enumerate(operands):
        if not isinstance(t, Tensor):
            raise TypeError(f"einsum(): argument 'tensors' (position 2) must be tuple of Tensors, "
                            f"not {type(t).__name__}")
    shapes = [t._shape for t in operands]
    expanded, out, sizes = _parse(equation, shapes)
    # size-1 dims of a label broadcast against the label's size elsewhere: drop them
    squeeze = []
    subs = []
    for full, shape in zip(expanded, shapes):
        drop = tuple(i for i, (c, s) in enumerate(zip(full, shape)) if s == 1 and sizes[c] != 1)
        squeeze.append(drop)
        subs.append("".join(c for i, c in enumerate(full) if i not in drop))
    eq = ",".join(subs) + "->" + "".join(out)
    if len(operands) == 1:
        full = expanded[0]
        if len(set(full)) == len(full) and sorted(full) == sorted(out):
            return operands[0].permute(*[full.index(c) for c in out])
        grad = "SumBackward1" if len(out) < len(set(full)) else "PermuteBackward0"
    else:
        summed = set(c for full in expanded for c in full) - set(out)
        grad = "ViewBackward0" if summed else "MulBackward0"
    return dispatch(_OPS[grad], operands, (eq, tuple(squeeze)))
