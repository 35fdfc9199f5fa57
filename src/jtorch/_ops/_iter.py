"""PyTorch's TensorIterator layout rule: the strides of an output it allocates.

An op built on TensorIterator (advanced indexing, most elementwise kernels) gives its output the
memory order of its inputs: dimensions are sorted by the inputs' strides (the first input whose
strides tell two dimensions apart decides; broadcast dimensions, stride 0, say nothing), and the
output is contiguous in that order.  So ``t[idx]`` of a transposed ``t`` is itself "transposed".
"""
from __future__ import annotations

__all__ = ["iterator_strides", "contiguous_strides"]


def contiguous_strides(shape):
    strides = []
    acc = 1
    for s in reversed(shape):
        strides.append(acc)
        acc *= max(s, 1)
    return tuple(reversed(strides))


def iterator_strides(shape, operand_strides):
    """Output strides for ``shape`` given the operands' strides (each as long as ``shape``;
    broadcast dims must have stride 0).  ``None`` when the result is the contiguous layout."""
    nd = len(shape)
    if nd <= 1:
        return None

    def should_swap(d0, d1):
        for st in operand_strides:
            s0, s1 = st[d0], st[d1]
            if s0 == 0 or s1 == 0:
                continue
            if s0 < s1:
                return -1
            if s0 > s1:
                return 1
            if shape[d0] > shape[d1]:
                return 1
        return 0

    # perm[0] is the innermost (fastest) dim; start from the contiguous order
    perm = list(range(nd - 1, -1, -1))
    for i in range(1, nd):
        dim1 = i
        for dim0 in range(i - 1, -1, -1):
            c = should_swap(perm[dim0], perm[dim1])
            if c > 0:
                perm[dim0], perm[dim1] = perm[dim1], perm[dim0]
                dim1 = dim0
            elif c < 0:
                break
    if perm == list(range(nd - 1, -1, -1)):
        return None
    out = [0] * nd
    acc = 1
    for d in perm:
        out[d] = acc
        acc *= shape[d]
    out = tuple(out)
    return None if out == contiguous_strides(shape) else out
