"""Linear algebra products: matmul and ``@``, mm, bmm, mv, dot, vdot, inner, outer/ger, the
``add*`` family (addmm, addmv, addr, addbmm, baddbmm), kron, tensordot, trace, chain_matmul,
multi_dot, vecdot, cross and cdist.

Matrix products follow PyTorch's kernels: no type promotion (both operands must have one dtype,
with PyTorch's per-kernel messages), 16-bit floats accumulate in float32, float32 is computed at
full precision (no TF32/bf16 passes on accelerators) unless ``torch.set_float32_matmul_precision``
says otherwise, and integers wrap.
``matmul`` picks PyTorch's strategy (dot, mv, mm, folding the batch of the larger operand into an
mm/mv, or bmm) only to reproduce its error messages and ``grad_fn`` names; the value is always one
``jnp.matmul``.

einsum lives in ``einsum.py``; decompositions, solvers and norms (``torch.linalg``) in
``linalg_decomp.py`` and ``linalg_norm.py``.
"""
from __future__ import annotations

import math
import numbers
import warnings

import jax.lax as lax
import jax.numpy as jnp

from .. import _dtype as D
from .. import _promotion as P
from .._dispatch import dispatch
from .._engine import core as engine
from .._tensor import Tensor
from ._registry import register
from ._util import broadcast_shapes, wrap_dim

__all__ = ["matmul", "mm", "bmm", "mv", "dot", "vdot", "inner", "outer", "addmm", "addmv",
           "addr", "addbmm", "baddbmm", "kron", "tensordot", "trace", "chain_matmul",
           "multi_dot", "vecdot", "cross", "linalg_cross", "cdist", "cpp_name", "HIGHEST",
           "mm_precision"]

HIGHEST = lax.Precision.HIGHEST
_PRECISIONS = {"highest": lax.Precision.HIGHEST, "high": lax.Precision.HIGH,
               "medium": lax.Precision.DEFAULT}


def mm_precision():
    """The precision of float32 products: ``torch.set_float32_matmul_precision`` ('highest' by
    default, as PyTorch; read when an op is traced, and changing it clears the plan caches)."""
    import jtorch
    return _PRECISIONS[getattr(jtorch, "_matmul_precision", ["highest"])[0]]

# the C++ type names PyTorch's messages use ("expected m1 and m2 to have the same dtype, but
# got: float != double")
_CPP = {D.bool_: "bool", D.uint8: "unsigned char", D.int8: "signed char", D.int16: "short int",
        D.int32: "int", D.int64: "long int", D.float16: "c10::Half",
        D.bfloat16: "c10::BFloat16", D.float32: "float", D.float64: "double",
        D.complex64: "c10::complex<float>", D.complex128: "c10::complex<double>",
        D.uint16: "unsigned short", D.uint32: "unsigned int", D.uint64: "unsigned long"}


def cpp_name(dt):
    return _CPP.get(dt, dt._name)


_short = D._short


def _dims(shape):
    return "x".join(map(str, shape))


def _lst(shape):
    return "[" + ", ".join(map(str, shape)) + "]"


def _acc(dt):
    """The dtype a product accumulates in: float32 for 16-bit floats (PyTorch's CPU kernels)."""
    return D.float32 if dt in (D.float16, D.bfloat16) else dt


def _not_implemented(kernel, dt):
    return NotImplementedError(f"\"{kernel}\" not implemented for '{_short(dt)}'")


def _check_kernel_dtype(kernel, dt):
    """Dtypes PyTorch's BLAS kernels have no instance for."""
    if dt is D.bool_ or dt in (D.uint16, D.uint32, D.uint64, D.float8_e4m3fn, D.float8_e5m2):
        raise _not_implemented(kernel, dt)


def expand_check(shape, target, dt):
    """PyTorch's errors for ``tensor(shape).expand(target)`` (the bias of the add* ops)."""
    if len(target) < len(shape):
        raise RuntimeError(
            f"expand(torch.{dt._legacy or 'Tensor'}{{{_lst(shape)}}}, size={_lst(target)}): the "
            f"number of sizes provided ({len(target)}) must be greater or equal to the number of "
            f"dimensions in the tensor ({len(shape)})")
    n_new = len(target) - len(shape)
    for i, s in enumerate(shape):
        t = target[i + n_new]
        if s != t and s != 1:
            raise RuntimeError(
                f"The expanded size of the tensor ({t}) must match the existing size ({s}) at "
                f"non-singleton dimension {i + n_new}.  Target sizes: {_lst(target)}.  "
                f"Tensor sizes: {_lst(shape)}")


# --------------------------------------------------------------------------------------------
# the one product body


def _prod_impl(a, b, ct):
    """``a @ b`` in the accumulation dtype, rounded to the operands' dtype."""
    rt = a.dtype
    return jnp.matmul(a.astype(ct), b.astype(ct), precision=mm_precision()).astype(rt)


def _same_dtype_mm(a, b):
    if a is not b:
        raise RuntimeError(f"expected m1 and m2 to have the same dtype, but got: {cpp_name(a)} "
                           f"!= {cpp_name(b)}")


def _mm_checks(s1, d1, s2, d2, shapes1=None):
    """torch.mm's checks (``shapes1`` overrides the first shape shown, for folded matmuls)."""
    if s1[1] != s2[0]:
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({_dims(s1)} and "
                           f"{_dims(s2)})")
    _same_dtype_mm(d1, d2)
    _check_kernel_dtype("addmm_impl_cpu_", d1)


def _mv_checks(s1, d1, s2, d2):
    if s1[1] != s2[0]:
        raise RuntimeError(f"size mismatch, got input ({s1[0]}), mat ({_dims(s1)}), vec "
                           f"({s2[0]})")
    if d1 is not d2:
        raise RuntimeError(f"addmv input tensors must have the same dtype, but got {_short(d2)}, "
                           f"{_short(d1)}, and {_short(d2)}")
    _check_kernel_dtype("addmv_impl_cpu", d1)


def _dot_checks(s1, d1, s2, d2, name="dot"):
    if len(s1) != 1 or len(s2) != 1:
        raise RuntimeError(f"1D tensors expected, but got {len(s1)}D and {len(s2)}D tensors")
    if d1 is not d2:
        raise RuntimeError(f"dot : expected both vectors to have same dtype, but found "
                           f"{_short(d1)} and {_short(d2)}")
    if s1[0] != s2[0]:
        raise RuntimeError(f"inconsistent tensor size, expected tensor [{s1[0]}] and src "
                           f"[{s2[0]}] to have the same number of elements, but got {s1[0]} and "
                           f"{s2[0]} elements respectively")
    _check_kernel_dtype(name, d1)


def _bmm_checks(s1, d1, s2, d2):
    if s2[0] != s1[0] or s2[1] != s1[2]:
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: "
                           f"[{s1[0]}, {s1[2]}] but got: [{s2[0]}, {s2[1]}].")
    if d1 is not d2:
        raise RuntimeError(f"expected scalar type {_short(d1)} but found {_short(d2)}")
    _check_kernel_dtype("bmm", d1)


# --------------------------------------------------------------------------------------------
# matmul


def _prod(s):
    return math.prod(s)


def _matmul_prepare(sigs, static):
    """PyTorch's checks for the strategy ``kind`` matmul chose (see ``_matmul_kind``)."""
    (kind,) = static
    (s1, d1), (s2, d2) = sigs
    if kind == "dot":
        _dot_checks(s1, d1, s2, d2)
    elif kind == "mv":
        _mv_checks(s1, d1, s2, d2)
    elif kind == "vm":
        _mm_checks((1,) + s1, d1, s2, d2)
    elif kind == "mm":
        _mm_checks(s1, d1, s2, d2)
    elif kind in ("fold_mm", "fold_mv"):
        f1 = (_prod(s1[:-1]), s1[-1])
        if kind == "fold_mm":
            _mm_checks(f1, d1, s2, d2)
        else:
            _mv_checks(f1, d1, s2, d2)
    elif kind in ("foldT_mm", "foldT_mv"):
        # tensor2.mT folded, times tensor1.t() (2-D) or tensor1 (1-D)
        t2 = s2[:-2] + (s2[-1], s2[-2])
        f2 = (_prod(t2[:-1]), t2[-1])
        if kind == "foldT_mm":
            _mm_checks(f2, d2, (s1[1], s1[0]), d1)
        else:
            _mv_checks(f2, d2, s1, d1)
    else:  # bmm over broadcast batch dims
        b1 = s1[:-2] if len(s1) > 2 else ()
        b2 = s2[:-2] if len(s2) > 2 else ()
        batch = broadcast_shapes(b1, b2)
        nb = _prod(batch)
        n = s1[-2] if len(s1) > 1 else 1
        m2 = s2[-2] if len(s2) > 1 else s2[0]
        p = s2[-1] if len(s2) > 1 else 1
        _bmm_checks((nb, n, s1[-1]), d1, (nb, m2, p), d2)
    return (_acc(d1).np,)


def _matmul_impl(a, b, ct):
    return _prod_impl(a, b, ct)


_MATMUL_OPS = {}


def _matmul_op(grad):
    op = _MATMUL_OPS.get(grad)
    if op is None:
        op = _MATMUL_OPS[grad] = engine.Op("matmul", _matmul_impl, prepare=_matmul_prepare,
                                           grad=grad)
    return op


_GRAD = {"dot": "DotBackward0", "mv": "MvBackward0", "vm": "SqueezeBackward4",
         "mm": "MmBackward0", "fold_mm": "UnsafeViewBackward0", "fold_mv": "UnsafeViewBackward0",
         "foldT_mm": "CloneBackward0", "foldT_mv": "UnsafeViewBackward0",
         "bmm": "UnsafeViewBackward0"}


def _foldable(t):
    """``t.view(-1, t.size(-1))`` needs no copy (PyTorch's should_fold stride test)."""
    shape, stride = t._shape, t.stride()
    for i in range(len(shape) - 2):
        if stride[i] != stride[i + 1] * shape[i + 1]:
            return False
    return True


def _foldable_mT(t):
    shape = t._shape[:-2] + (t._shape[-1], t._shape[-2])
    st = t.stride()
    stride = st[:-2] + (st[-1], st[-2])
    for i in range(len(shape) - 2):
        if stride[i] != stride[i + 1] * shape[i + 1]:
            return False
    return True


def _matmul_kind(a, b):
    """The strategy PyTorch's at::matmul takes for these operands (at::native::matmul)."""
    n1, n2 = a.ndim, b.ndim
    if n1 == 0 or n2 == 0:
        raise RuntimeError(f"both arguments to matmul need to be at least 1D, but they are "
                           f"{n1}D and {n2}D")
    if n1 == 1 and n2 == 1:
        return "dot"
    if n1 == 2 and n2 == 1:
        return "mv"
    if n1 == 1 and n2 == 2:
        return "vm"
    if n1 == 2 and n2 == 2:
        return "mm"
    # should_fold: the larger operand has >= 3 dims and the smaller 1 or 2
    larger_first = n1 >= n2
    big, small = (a, b) if larger_first else (b, a)
    if big.ndim >= 3 and small.ndim <= 2:
        fold = small._rg
        if not fold and a.ndim != 2:
            if big.numel() == 0:
                fold = True
            else:
                fold = _foldable(big) if larger_first else _foldable_mT(big)
        if fold:
            if larger_first:
                return "fold_mm" if n2 == 2 else "fold_mv"
            return "foldT_mm" if n1 == 2 else "foldT_mv"
    return "bmm"


@register(out=True)
def matmul(input, other):
    """Matrix product with NumPy's rules: dot for 1-D/1-D, matrix-vector, matrix-matrix, and
    batched products with broadcast batch dimensions."""
    if not isinstance(other, Tensor):
        raise TypeError(f"matmul(): argument 'other' (position 2) must be Tensor, not "
                        f"{type(other).__name__}")
    kind = _matmul_kind(input, other)
    return dispatch(_matmul_op(_GRAD[kind]), (input, other), (kind,))


def _matmul_operator(self, other):
    if not isinstance(other, Tensor):
        return NotImplemented
    return matmul(self, other)


def _rmatmul_operator(self, other):
    if not isinstance(other, Tensor):
        return NotImplemented
    return matmul(other, self)


# ``@``: PyTorch defines __matmul__ and __rmatmul__ only (``a @= b`` rebinds ``a`` to a new
# tensor, as Python does without __imatmul__)
Tensor.__matmul__ = _matmul_operator
Tensor.__rmatmul__ = _rmatmul_operator


# --------------------------------------------------------------------------------------------
# mm, bmm, mv, dot, vdot


def _mm_prepare(sigs, static):
    (s1, d1), (s2, d2) = sigs
    if len(s1) != 2:
        raise RuntimeError("self must be a matrix")
    if len(s2) != 2:
        raise RuntimeError("mat2 must be a matrix")
    _mm_checks(s1, d1, s2, d2)
    return (_acc(d1).np,)


_MM = engine.Op("mm", _prod_impl, prepare=_mm_prepare, grad="MmBackward0")


@register(out=True)
def mm(input, mat2):
    """Matrix product of two 2-D tensors (no broadcasting)."""
    return dispatch(_MM, (input, mat2))


def _bmm_prepare(sigs, static):
    (s1, d1), (s2, d2) = sigs
    if len(s1) != 3:
        raise RuntimeError("batch1 must be a 3D tensor")
    if len(s2) != 3:
        raise RuntimeError("batch2 must be a 3D tensor")
    _bmm_checks(s1, d1, s2, d2)
    return (_acc(d1).np,)


_BMM = engine.Op("bmm", _prod_impl, prepare=_bmm_prepare, grad="BmmBackward0")


@register(out=True)
def bmm(input, mat2):
    """Batched matrix product of two 3-D tensors with the same batch size."""
    return dispatch(_BMM, (input, mat2))


def _mv_prepare(sigs, static):
    (s1, d1), (s2, d2) = sigs
    if len(s1) != 2 or len(s2) != 1:
        raise RuntimeError(f"vector + matrix @ vector expected, got 1, {len(s1)}, {len(s2)}")
    _mv_checks(s1, d1, s2, d2)
    return (_acc(d1).np,)


_MV = engine.Op("mv", _prod_impl, prepare=_mv_prepare, grad="MvBackward0")


@register(out=True)
def mv(input, vec):
    """Matrix-vector product."""
    return dispatch(_MV, (input, vec))


def _dot_prepare(sigs, static):
    (s1, d1), (s2, d2) = sigs
    (name,) = static
    _dot_checks(s1, d1, s2, d2, name)
    return (_acc(d1).np, name == "vdot")


def _dot_impl(a, b, ct, conj):
    rt = a.dtype
    a = a.astype(ct)
    if conj:
        a = jnp.conj(a)
    return jnp.dot(a, b.astype(ct), precision=mm_precision()).astype(rt)


_DOT = engine.Op("dot", _dot_impl, prepare=_dot_prepare, grad="DotBackward0")
_VDOT = engine.Op("vdot", _dot_impl, prepare=_dot_prepare, grad="VdotBackward0")


@register(out=True)
def dot(input, tensor):
    """Dot product of two 1-D tensors of the same dtype (no broadcasting)."""
    return dispatch(_DOT, (input, tensor), ("dot",))


@register(out=True)
def vdot(input, other):
    """Dot product conjugating the first vector."""
    return dispatch(_VDOT, (input, other), ("vdot",))


# --------------------------------------------------------------------------------------------
# inner, outer, kron, tensordot


@register(out=True)
def inner(input, other):
    """Sum of products over the last dims: ``tensordot(input, other, ([-1], [-1]))``."""
    if input.ndim == 0 or other.ndim == 0:
        from .pointwise import mul
        return mul(input, other)
    if input._shape[-1] != other._shape[-1]:
        raise RuntimeError(f"inner() the last dimension must match on both input tensors but "
                           f"got shapes {_lst(input._shape)} and {_lst(other._shape)}")
    return tensordot(input, other, ([-1], [-1]))


@register(out=True, aliases=("ger",))
def outer(input, vec2):
    """Outer product of two 1-D tensors (with type promotion, like ``*``)."""
    if input.ndim != 1:
        raise RuntimeError(f"outer: Expected 1-D argument self, but got {input.ndim}-D")
    if vec2.ndim != 1:
        raise RuntimeError(f"outer: Expected 1-D argument vec2, but got {vec2.ndim}-D")
    from .pointwise import mul
    return mul(input.reshape(-1, 1), vec2)


def _tensordot_prepare(sigs, static):
    (s1, d1), (s2, d2) = sigs
    da, db = static
    if d1 is not d2:
        raise RuntimeError("both inputs should have same dtype")
    for x, y in zip(da, db):
        if s1[x] != s2[y]:
            raise RuntimeError(f"contracted dimensions need to match, but first has size "
                               f"{s1[x]} in dim {x} and second has size {s2[y]} in dim {y}")
    if d1 is D.bool_:
        raise _not_implemented("addmm_impl_cpu_", d1)
    return (da, db, _acc(d1).np)


def _tensordot_impl(a, b, da, db, ct):
    rt = a.dtype
    return jnp.tensordot(a.astype(ct), b.astype(ct), (da, db), precision=mm_precision()).astype(rt)


_TENSORDOT = engine.Op("tensordot", _tensordot_impl, prepare=_tensordot_prepare,
                       grad="ViewBackward0")


def _dim_list(x, name):
    if isinstance(x, Tensor):
        x = x.tolist()
    if isinstance(x, numbers.Integral):
        return [int(x)]
    try:
        return [int(d) for d in x]
    except TypeError:
        raise TypeError(f"tensordot(): argument '{name}' must be tuple of ints") from None


@register(method=False, out=True)
def tensordot(a, b, dims=2):
    """Contract ``dims`` trailing dims of ``a`` with leading dims of ``b`` (an int), or the
    listed dims (a pair of lists)."""
    if isinstance(dims, Tensor):
        dims = dims.tolist()
    if isinstance(dims, numbers.Integral):
        n = int(dims)
        if n < 0:
            raise RuntimeError(f"tensordot expects dims >= 0, but got dims={n}")
        if n > a.ndim or n > b.ndim:
            raise RuntimeError(f"tensordot expects dims < ndim_a or ndim_b, but got dims={n}")
        da = list(range(a.ndim - n, a.ndim))
        db = list(range(n))
        shown = (list(range(-n, 0)), list(range(n)))
    else:
        if len(dims) != 2:
            raise RuntimeError("tensordot expects dims to be a pair of lists")
        if isinstance(dims[0], numbers.Integral) and not isinstance(dims[0], bool) and \
                isinstance(dims[1], numbers.Integral):
            raise TypeError("tensordot(): argument 'dims_self' (position 3) must be tuple of "
                            "ints, not int")
        da = _dim_list(dims[0], "dims_self")
        db = _dim_list(dims[1], "dims_other")
        shown = (da, db)
        if len(da) != len(db):
            raise RuntimeError("both dimension lists should have same length")
    for x, y, sx, sy in zip(da, db, *shown):
        ax, by = a._shape[wrap_dim(x, a.ndim)], b._shape[wrap_dim(y, b.ndim)]
        if ax != by:
            raise RuntimeError(f"contracted dimensions need to match, but first has size {ax} "
                               f"in dim {sx} and second has size {by} in dim {sy}")
    da = tuple(wrap_dim(x, a.ndim) for x in da)
    db = tuple(wrap_dim(y, b.ndim) for y in db)
    return dispatch(_TENSORDOT, (a, b), (da, db))


def _kron_prepare(sigs, static):
    (s1, _), (s2, _) = sigs
    rt = P.result_type_sigs(sigs)
    return (rt.np,)


def _kron_impl(a, b, rt):
    return jnp.kron(a.astype(rt), b.astype(rt))


_KRON = engine.Op("kron", _kron_impl, prepare=_kron_prepare, grad="UnsafeViewBackward0")


@register(out=True)
def kron(input, other):
    """Kronecker product (dims aligned from the right; type promotion as ``*``)."""
    return dispatch(_KRON, (input, other))


# --------------------------------------------------------------------------------------------
# the add* family: beta * input + alpha * (product)


def _scalar_checks(kind, rt, types):
    """PyTorch's checks of the beta/alpha scalars (``types``: their Python types)."""
    for t, n in zip(types, ("beta", "alpha")):
        if t is complex and not rt.is_complex:
            name = "int64_t" if rt is D.int64 else cpp_name(rt)
            raise RuntimeError(f"value cannot be converted to type {name} without overflow")
        if kind != "addr":
            continue
        if rt.is_integral and t is float:
            raise RuntimeError(f"For integral input tensors, argument {n} must not be a floating "
                               "point number.")
        if t is bool and rt is not D.bool_:
            raise RuntimeError(f"Boolean {n} only supported for Boolean results.")


def _addprod_impl(c, a, b, beta, alpha, kind, beta_zero, ct):
    rt = c.dtype if kind != "addr" else ct
    if kind == "addr":
        prod = jnp.outer(a.astype(ct), b.astype(ct))
    elif kind == "addbmm":
        prod = jnp.sum(jnp.matmul(a.astype(ct), b.astype(ct), precision=mm_precision()), axis=0)
    else:
        prod = jnp.matmul(a.astype(ct), b.astype(ct), precision=mm_precision())
    if ct == jnp.bool_:
        # bool: (beta and input) or (alpha and product)
        out = jnp.logical_and(prod, alpha != 0)
        if not beta_zero:
            out = jnp.logical_or(out, jnp.logical_and(c, beta != 0))
        return out
    if jnp.issubdtype(ct, jnp.integer):
        beta = jnp.asarray(beta).astype(ct)
        alpha = jnp.asarray(alpha).astype(ct)
    prod = prod * alpha
    if not beta_zero:
        prod = prod + c.astype(ct) * beta
    return prod.astype(rt)


def _addprod_prepare(sigs, static):
    kind, beta_zero = static
    (sc, dc), (s1, d1), (s2, d2) = sigs[:3]
    if kind == "addmm":
        if len(s1) != 2:
            raise RuntimeError(f"mat1 must be a matrix, got {len(s1)}-D tensor")
        if len(s2) != 2:
            raise RuntimeError(f"mat2 must be a matrix, got {len(s2)}-D tensor")
        _mm_checks(s1, d1, s2, d2)
        if dc is not d2:
            raise RuntimeError(f"self and mat2 must have the same dtype, but got {_short(dc)} "
                               f"and {_short(d2)}")
        target = (s1[0], s2[1])
        expand_check(sc, target, dc)
        ct = _acc(d1)
    elif kind == "addmv":
        if len(s1) != 2 or len(s2) != 1 or len(sc) > 1:
            raise RuntimeError(f"vector + matrix @ vector expected, got {len(sc)}, {len(s1)}, "
                               f"{len(s2)}")
        if not (dc is d1 is d2):
            raise RuntimeError(f"addmv input tensors must have the same dtype, but got "
                               f"{_short(dc)}, {_short(d1)}, and {_short(d2)}")
        target = (s1[0],)
        if s1[1] != s2[0] or (sc and sc[0] not in (1, s1[0])):
            raise RuntimeError(f"size mismatch, got input ({sc[0] if sc else 1}), mat "
                               f"({_dims(s1)}), vec ({s2[0]})")
        _check_kernel_dtype("addmv_impl_cpu", d1)
        ct = _acc(d1)
    elif kind == "addr":
        if len(s1) != 1:
            raise RuntimeError(f"addr: Expected 1-D argument vec1, but got {len(s1)}-D")
        if len(s2) != 1:
            raise RuntimeError(f"addr: Expected 1-D argument vec2, but got {len(s2)}-D")
        target = (s1[0], s2[0])
        expand_check(sc, target, dc)
        rt = P.result_type_sigs(sigs[:3])
        ct = rt
    else:  # addbmm, baddbmm
        if len(s1) != 3:
            raise RuntimeError("batch1 must be a 3D tensor")
        if len(s2) != 3:
            raise RuntimeError("batch2 must be a 3D tensor")
        if kind == "addbmm":
            if s1[0] != s2[0]:
                raise RuntimeError(f"batch1 and batch2 must have same number of batches, got "
                                   f"{s1[0]} and {s2[0]}")
            if s1[2] != s2[1]:
                raise RuntimeError(f"Incompatible matrix sizes for bmm ({s1[1]}x{s1[2]} and "
                                   f"{s2[1]}x{s2[2]})")
            target = (s1[1], s2[2])
            if dc is not d2:
                raise RuntimeError(f"self and mat2 must have the same dtype, but got "
                                   f"{_short(dc)} and {_short(d2)}")
            expand_check(sc, target, dc)
            _same_dtype_mm(d1, d2)
            _check_kernel_dtype("addmm_impl_cpu_", d1)
        else:
            if not (dc is d1 is d2):
                raise RuntimeError(f"Input dtypes must be the same, got: input {cpp_name(dc)}, "
                                   f"batch1: {cpp_name(d1)}, batch2: {cpp_name(d2)}")
            _bmm_checks(s1, d1, s2, d2)
            target = (s1[0], s1[1], s2[2])
            expand_check(sc, target, dc)
        ct = _acc(d1)
    _scalar_checks(kind, ct if kind == "addr" else dc, sigs[3:5])
    return (kind, beta_zero, ct.np)


_ADDPROD = {k: engine.Op(k, _addprod_impl, prepare=_addprod_prepare, grad=g)
            for k, g in (("addmm", "AddmmBackward0"), ("addmv", "AddmvBackward0"),
                         ("addr", "AddrBackward0"), ("addbmm", "AddbmmBackward0"),
                         ("baddbmm", "BaddbmmBackward0"))}


def _scalar(x, name):
    if isinstance(x, Tensor):
        return x.item()
    if isinstance(x, (bool, int, float, complex)):
        return x
    if hasattr(x, "item"):
        return x.item()
    raise TypeError(f"argument '{name}' must be Number, not {type(x).__name__}")


def _addprod(kind, input, a, b, beta, alpha):
    beta = _scalar(beta, "beta")
    alpha = _scalar(alpha, "alpha")
    return dispatch(_ADDPROD[kind], (input, a, b, beta, alpha), (kind, beta == 0))


@register(out=True)
def addmm(input, mat1, mat2, *, beta=1, alpha=1):
    """``beta * input + alpha * (mat1 @ mat2)``; with ``beta=0`` input is ignored (NaNs in it
    do not propagate)."""
    return _addprod("addmm", input, mat1, mat2, beta, alpha)


@register(out=True)
def addmv(input, mat, vec, *, beta=1, alpha=1):
    """``beta * input + alpha * (mat @ vec)``."""
    return _addprod("addmv", input, mat, vec, beta, alpha)


@register(out=True)
def addr(input, vec1, vec2, *, beta=1, alpha=1):
    """``beta * input + alpha * outer(vec1, vec2)`` (with type promotion)."""
    return _addprod("addr", input, vec1, vec2, beta, alpha)


@register(out=True)
def addbmm(input, batch1, batch2, *, beta=1, alpha=1):
    """``beta * input + alpha * sum_i(batch1[i] @ batch2[i])``."""
    return _addprod("addbmm", input, batch1, batch2, beta, alpha)


@register(out=True)
def baddbmm(input, batch1, batch2, *, beta=1, alpha=1):
    """``beta * input + alpha * bmm(batch1, batch2)``."""
    return _addprod("baddbmm", input, batch1, batch2, beta, alpha)


def _addprod_inplace(kind):
    def method(self, a, b, *, beta=1, alpha=1):
        from ._inplace import apply_inplace, check_inplace
        check_inplace(self)
        if kind == "addr" and self.ndim != 2:
            raise RuntimeError(f"2D tensor expected, got {self.ndim}D tensor for input")
        result = _addprod(kind, self, a, b, beta, alpha)
        if result._shape != self._shape:
            if kind == "addbmm":  # PyTorch resizes self here
                from ._inplace import _resize_out
                _resize_out(self, result)
                return self
            raise RuntimeError(f"Bad in-place call: input tensor size {_lst(self._shape)} and "
                               f"output tensor size {_lst(result._shape)} should match")
        return apply_inplace(self, result)

    method.__name__ = method.__qualname__ = kind + "_"
    method.__doc__ = f"In-place version of :meth:`Tensor.{kind}`."
    return register(kind + "_", function=False)(method)


for _k in ("addmm", "addmv", "addr", "addbmm", "baddbmm"):
    _addprod_inplace(_k)


# --------------------------------------------------------------------------------------------
# trace, chain_matmul, multi_dot, vecdot


def _trace_prepare(sigs, static):
    ((s, dt),) = sigs
    if len(s) != 2:
        raise RuntimeError(f"trace: expected a matrix, but got tensor with dim {len(s)}")
    if dt is D.bool_:
        raise _not_implemented("trace", dt)
    rt = D.int64 if dt.is_integral else dt
    return (rt.np, P.opmath(rt).np)


def _trace_impl(x, rt, ct):
    return jnp.trace(x.astype(ct)).astype(rt)


_TRACE = engine.Op("trace", _trace_impl, prepare=_trace_prepare, grad="TraceBackward0",
                   linear=True)


@register()
def trace(input):
    """Sum of the main diagonal of a 2-D tensor (integers sum to int64)."""
    return dispatch(_TRACE, (input,))


def _multi_dot_prepare(sigs, static):
    shapes = [s for s, _ in sigs]
    d0 = sigs[0][1]
    for i, (_, d) in enumerate(sigs):
        if d is not d0:
            raise RuntimeError(f"multi_dot(): all tensors must have be the same dtype but tensor "
                               f"0 is {cpp_name(d0)} and tensor {i} {cpp_name(d)}")
    _check_kernel_dtype("addmm_impl_cpu_", d0)
    for i in range(len(shapes) - 1):
        a, b = shapes[i], shapes[i + 1]
        if a[-1] != b[0]:
            raise RuntimeError(f"multi_dot(): tensors {i} and {i + 1} with shapes {_lst(a)} and "
                               f"{_lst(b)} cannot be multiplied")
    return (_acc(d0).np,)


def _multi_dot_impl(*a):
    *arrays, ct = a
    rt = arrays[0].dtype
    return jnp.linalg.multi_dot([x.astype(ct) for x in arrays], precision=mm_precision()).astype(rt)


_MULTI_DOT = engine.Op("multi_dot", _multi_dot_impl, prepare=_multi_dot_prepare,
                       grad="ViewBackward0")


def multi_dot(tensors):
    """Product of a chain of matrices (first/last may be 1-D), in an efficient order."""
    tensors = tuple(tensors)
    if len(tensors) < 2:
        raise RuntimeError(f"multi_dot(): expected at least 2 tensors but got {len(tensors)}")
    n = len(tensors)
    for i, t in enumerate(tensors):
        nd = t.ndim
        if i == 0:
            if nd not in (1, 2):
                raise RuntimeError(f"multi_dot(): the first tensor must be 1D or 2D but got "
                                   f"{nd}D")
        elif i == n - 1:
            if nd not in (1, 2):
                raise RuntimeError(f"multi_dot(): the last tensor must be 1D or 2D but got "
                                   f"{nd}D")
        elif nd != 2:
            raise RuntimeError(f"multi_dot(): tensor {i} must be 2D but got {nd}D")
    return dispatch(_MULTI_DOT, tensors)


@register(method=False)
def chain_matmul(*matrices, out=None):
    """Product of 2-D matrices (deprecated in PyTorch: use ``torch.linalg.multi_dot``)."""
    warnings.warn(
        "torch.chain_matmul is deprecated and will be removed in a future PyTorch release. Use "
        "torch.linalg.multi_dot instead, which accepts a list of two or more tensors rather than "
        "multiple parameters.", UserWarning, stacklevel=2)
    if len(matrices) == 1 and isinstance(matrices[0], (list, tuple)):
        matrices = tuple(matrices[0])
    if not matrices:
        raise RuntimeError("chain_matmul(): Expected one or more matrices")
    for t in matrices:
        if t.ndim != 2:
            raise RuntimeError(f"Tensor dimension is {t.ndim}, expected 2 instead.")
    if len(matrices) == 1:
        from .shape import clone
        result = clone(matrices[0])
    else:
        result = multi_dot(matrices)
    if out is not None:
        from ._inplace import write_out
        return write_out(out, result, "chain_matmul")
    return result


def _vecdot_prepare(sigs, static):
    (s1, d1), (s2, d2) = sigs
    (dim,) = static
    shape = broadcast_shapes(s1, s2)
    if d1 is not d2:
        raise RuntimeError(f"linalg.vecdot: Expected x and y to have the same dtype, but found x "
                           f"of type {_short(d1)} and y of type {_short(d2)} instead")
    if not (d1.is_floating_point or d1.is_complex):
        raise RuntimeError(f"linalg.vecdot: Expected a floating point or complex tensor as "
                           f"input. Got {_short(d1)}")
    return (wrap_dim(dim, len(shape)), P.opmath(d1).np)


def _vecdot_impl(x, y, dim, ct):
    rt = x.dtype
    return jnp.sum(jnp.conj(x.astype(ct)) * y.astype(ct), axis=dim).astype(rt)


_VECDOT = engine.Op("vecdot", _vecdot_impl, prepare=_vecdot_prepare, grad="SumBackward1")


def vecdot(x, y, *, dim=-1):
    """Dot product of vectors along ``dim`` (conjugating ``x``), with broadcasting."""
    return dispatch(_VECDOT, (x, y), (dim,))


# --------------------------------------------------------------------------------------------
# cross


def _cross_prepare(sigs, static):
    (s1, d1), (s2, d2) = sigs
    (dim,) = static
    if len(s1) != len(s2):
        raise RuntimeError("linalg.cross: inputs must have the same number of dimensions.")
    d = wrap_dim(dim, len(s1))
    if s1[d] != 3 or s2[d] != 3:
        raise RuntimeError(f"linalg.cross: inputs dimension {dim} must have length 3. Got "
                           f"{s1[d]} and {s2[d]}")
    broadcast_shapes(s1, s2)
    if d1 is not d2:
        raise RuntimeError(f"expected scalar type {_short(d1)} but found {_short(d2)}")
    if d1 is D.bool_:
        raise _not_implemented("cross", d1)
    return (d,)


def _cross_impl(a, b, dim):
    shape = jnp.broadcast_shapes(a.shape, b.shape)
    a = jnp.broadcast_to(a, shape)
    b = jnp.broadcast_to(b, shape)
    a0, a1, a2 = (jnp.take(a, i, axis=dim) for i in range(3))
    b0, b1, b2 = (jnp.take(b, i, axis=dim) for i in range(3))
    return jnp.stack([a1 * b2 - a2 * b1, a2 * b0 - a0 * b2, a0 * b1 - a1 * b0], axis=dim)


_CROSS = engine.Op("cross", _cross_impl, prepare=_cross_prepare, grad="LinalgCrossBackward0")


@register(out=True)
def cross(input, other, dim=None):
    """Cross product of 3-vectors along ``dim`` (default: the first dim of size 3, with a
    deprecation warning, as PyTorch)."""
    if dim is None:
        warnings.warn(
            "Using torch.cross without specifying the dim arg is deprecated.\nPlease either pass "
            "the dim explicitly or simply use torch.linalg.cross.\nThe default value of dim will "
            "change to agree with that of linalg.cross in a future release.", UserWarning,
            stacklevel=2)
        dim = next((i for i, s in enumerate(input._shape) if s == 3), None)
        if dim is None:
            raise RuntimeError("no dimension of size 3 in input")
    return dispatch(_CROSS, (input, other), (dim,))


def linalg_cross(input, other, *, dim=-1):
    """``torch.linalg.cross``: cross product along ``dim`` (default -1), with broadcasting."""
    return dispatch(_CROSS, (input, other), (dim,))


# --------------------------------------------------------------------------------------------
# cdist


def _cdist_prepare(sigs, static):
    (s1, d1), (s2, d2) = sigs
    p, mode = static
    if len(s1) < 2:
        raise RuntimeError(f"cdist only supports at least 2D tensors, X1 got: {len(s1)}D")
    if len(s2) < 2:
        raise RuntimeError(f"cdist only supports at least 2D tensors, X2 got: {len(s2)}D")
    if s1[-1] != s2[-1]:
        raise RuntimeError(f"X1 and X2 must have the same number of columns. X1: {s1[-1]} "
                           f"X2: {s2[-1]}")
    if not d1.is_floating_point:
        raise RuntimeError(f"cdist only supports floating-point dtypes, X1 got: {_short(d1)}")
    if not d2.is_floating_point:
        raise RuntimeError(f"cdist only supports floating-point dtypes, X2 got: {_short(d2)}")
    if p < 0:
        raise RuntimeError("cdist only supports non-negative p values")
    batch = broadcast_shapes(s1[:-2], s2[:-2])
    if d1 is not d2:
        raise RuntimeError(f"expected scalar type {_short(d1)} but found {_short(d2)}")
    if d1 not in (D.float32, D.float64):
        raise _not_implemented("cdist", d1)
    return (p, mode, batch)


def _cdist_impl(x1, x2, p, mode, batch):
    x1 = jnp.broadcast_to(x1, batch + x1.shape[-2:])
    x2 = jnp.broadcast_to(x2, batch + x2.shape[-2:])
    if mode:  # PyTorch's _euclidean_dist: |x|^2 - 2 x.y + |y|^2 through one matmul
        n1 = jnp.sum(x1 * x1, axis=-1, keepdims=True)
        n2 = jnp.sum(x2 * x2, axis=-1, keepdims=True)
        a = jnp.concatenate([x1 * -2, n1, jnp.ones_like(n1)], axis=-1)
        b = jnp.concatenate([x2, jnp.ones_like(n2), n2], axis=-1)
        r = jnp.matmul(a, jnp.swapaxes(b, -1, -2), precision=mm_precision())
        return jnp.sqrt(jnp.maximum(r, 0))
    diff = x1[..., :, None, :] - x2[..., None, :, :]
    if p == 0:
        return jnp.sum(lax.stop_gradient(diff != 0).astype(x1.dtype), axis=-1)
    if p == 1:
        # sign(d) * d: derivative sign(d), 0 at 0 as in PyTorch's cdist backward
        return jnp.sum(jnp.sign(diff) * diff, axis=-1)
    if p == math.inf:
        a = jnp.sign(diff) * diff
        m = jnp.max(lax.stop_gradient(a), axis=-1, keepdims=True)
        # every tie gets the full gradient (PyTorch's backward), not a share of it
        mask = lax.stop_gradient(a == m)
        return jnp.squeeze(m, -1) + jnp.sum(mask * (a - lax.stop_gradient(a)), axis=-1)
    if p == 2:
        s = jnp.sum(diff * diff, axis=-1)
    else:
        s = jnp.sum((jnp.sign(diff) * diff) ** p, axis=-1)
    # zero distance: value 0 and gradient 0 (PyTorch), not JAX's inf * 0
    zero = s == 0
    safe = jnp.where(zero, 1, s)
    r = jnp.sqrt(safe) if p == 2 else safe ** (1 / p)
    return jnp.where(zero, 0, r)


_CDIST = engine.Op("cdist", _cdist_impl, prepare=_cdist_prepare, grad="CdistBackward0")
_CDIST_MM = engine.Op("cdist", _cdist_impl, prepare=_cdist_prepare, grad="ViewBackward0")

_CDIST_MODES = ("use_mm_for_euclid_dist_if_necessary", "use_mm_for_euclid_dist",
                "donot_use_mm_for_euclid_dist")


@register(method=False)
def cdist(x1, x2, p=2.0, compute_mode="use_mm_for_euclid_dist_if_necessary"):
    """p-norm distances between each pair of rows of ``x1`` (..., P, M) and ``x2`` (..., R, M).

    For p=2 PyTorch computes through a matrix product when ``compute_mode`` says so (by default
    when P > 25 or R > 25), which is faster and less exact; jtorch does the same.
    """
    if compute_mode not in _CDIST_MODES:
        raise ValueError(f"{compute_mode} is not a valid value for compute_mode")
    p = float(p)
    use_mm = False
    if p == 2 and x1.ndim >= 2 and x2.ndim >= 2:
        if compute_mode == "use_mm_for_euclid_dist":
            use_mm = True
        elif compute_mode == "use_mm_for_euclid_dist_if_necessary":
            use_mm = x1._shape[-2] > 25 or x2._shape[-2] > 25
    return dispatch(_CDIST_MM if use_mm else _CDIST, (x1, x2), (p, use_mm))


# the rest of the family registers its ops on import
from . import einsum as _einsum  # noqa: E402,F401
from . import linalg_decomp as _decomp  # noqa: E402,F401
from . import linalg_norm as _norm  # noqa: E402,F401
