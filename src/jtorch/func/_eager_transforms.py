"""torch.func.grad, grad_and_value, vjp, jvp, jacrev, jacfwd, hessian, linearize,
functionalize — on JAX's transformations (see ``_core`` for how they run)."""
from __future__ import annotations

import functools

import jax

from .._compile import state as S
from .._tensor import Tensor
from ._core import execute, is_array

__all__ = ["grad", "grad_and_value", "vjp", "jvp", "jacrev", "jacfwd", "hessian", "linearize",
           "functionalize"]

RANDOM_ERROR = ("vmap: called random operation while in randomness error mode. Please either "
                "use the 'same' or 'different' randomness flags on vmap or perform the "
                "randomness operation out of vmap")


def _check_argnums(argnums, args):
    if isinstance(argnums, bool) or not isinstance(argnums, (int, tuple)):
        raise RuntimeError(f"argnums must be int or Tuple[int, ...], got: {type(argnums)}")
    nums = argnums if isinstance(argnums, tuple) else (argnums,)
    if not nums:
        raise RuntimeError("argnums must be non-empty")
    for a in nums:
        if isinstance(a, bool) or not isinstance(a, int):
            raise RuntimeError(f"argnums must be int or Tuple[int, ...], got: {type(argnums)}")
        if not -len(args) <= a < len(args):
            raise RuntimeError(f"Got argnum={a}, but only {len(args)} positional inputs")
    norm = tuple(a % len(args) for a in nums)
    if len(set(norm)) != len(norm):
        raise RuntimeError(f"argnums must be unique, got {argnums}")
    return norm if isinstance(argnums, tuple) else norm[0]


def _check_diff(args, argnums):
    """The differentiated arguments must be (pytrees of) floating tensors."""
    nums = argnums if isinstance(argnums, tuple) else (argnums,)
    for a in nums:
        leaves, _ = S.flatten(args[a])
        for v in leaves:
            if not isinstance(v, Tensor):
                raise ValueError(f"Thing passed to transform API must be Tensor, got {type(v)}")
            if not (v._dtype.is_floating_point or v._dtype.is_complex):
                raise RuntimeError("only Tensors of floating point dtype can require gradients")


def _check_tensors(tree):
    for v in jax.tree_util.tree_leaves(tree):
        if not is_array(v):
            raise RuntimeError(f"Expected tensors, got unsupported type {type(v)}")


def _split_aux(out, has_aux, api):
    if not has_aux:
        return out, None
    if not (isinstance(out, tuple) and len(out) == 2):
        raise RuntimeError(f"{api}: output of function f should be a tuple: (output, aux) if "
                           "has_aux is True")
    _check_tensors(out[1])
    return out


# --------------------------------------------------------------------------------------------
# grad


def grad_and_value(func, argnums=0, has_aux=False):
    """A function computing ``(gradient, value)`` of ``func``'s scalar output w.r.t. the
    arguments ``argnums`` (``(gradient, (value, aux))`` with ``has_aux``)."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        nums = _check_argnums(argnums, args)
        _check_diff(args, nums)
        api = "grad_and_value(f)(*args)"

        def build(f):
            def scalar(*a, **k):
                out, aux = _split_aux(f(*a, **k), has_aux, api)
                if not is_array(out):
                    raise RuntimeError(f"{api}: Expected f(*args) to return a Tensor, got "
                                       f"{type(out)}")
                if out.ndim != 0:
                    raise RuntimeError(f"{api}: Expected f(*args) to return a scalar Tensor, got "
                                       f"tensor with {out.ndim} dims. Maybe you wanted to use the "
                                       "vjp or jacrev APIs instead?")
                return out, ((out, aux) if has_aux else out)
            return jax.grad(scalar, argnums=nums, has_aux=True)

        res, _ = execute("grad", func, args, build, kwargs=kwargs, grad="GradBackward",
                         cache_key=(nums, has_aux))
        return res

    return wrapper


def grad(func, argnums=0, has_aux=False):
    """A function computing the gradient of ``func``'s scalar output w.r.t. the arguments
    ``argnums`` (a pytree like those arguments; ``(gradient, aux)`` with ``has_aux``)."""
    gv = grad_and_value(func, argnums, has_aux)

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        g, value = gv(*args, **kwargs)
        if has_aux:
            return g, value[1]
        return g

    return wrapper


# --------------------------------------------------------------------------------------------
# vjp / jvp / linearize


def vjp(func, *primals, has_aux=False):
    """``(func(*primals), vjp_fn)``: ``vjp_fn(cotangents)`` gives the vector-Jacobian products
    w.r.t. each primal (a tuple).  With ``has_aux``: ``(output, vjp_fn, aux)``."""
    api = "vjp(f, *primals)"
    for p in primals:
        _check_diff((p,), 0)

    def build_fwd(f):
        def fwd(*a):
            out, aux = _split_aux(f(*a), has_aux, api)
            _check_tensors(out)
            return (out, aux) if has_aux else out
        return fwd

    res, key = execute("vjp", func, primals, build_fwd, grad="VjpBackward", rng="lazy")
    out, aux = res if has_aux else (res, None)
    out_leaves, out_def = S.flatten(out)

    def vjp_fn(*cotangents):
        ct = cotangents[0] if len(cotangents) == 1 else cotangents
        ct_leaves, ct_def = S.flatten(ct)
        if ct_def != out_def:
            raise RuntimeError(f"Expected pytree structure of cotangents to be the same as "
                               f"pytree structure of outputs to the function. cotangents: "
                               f"{ct_def}, primal output: {out_def}")
        for i, (c, o) in enumerate(zip(ct_leaves, out_leaves)):
            if isinstance(c, Tensor) and c._shape != o._shape:
                raise RuntimeError(f"Mismatch in shape: grad_output[{i}] has a shape of "
                                   f"torch.Size({list(c._shape)}) and output[{i}] has a shape of "
                                   f"torch.Size({list(o._shape)}).")

        def build(f):
            def back(p, c):
                def main(*a):
                    o, _ = _split_aux(f(*a), has_aux, api)
                    return o
                _, pull = jax.vjp(main, *p)
                return pull(c)
            return back

        res2, _ = execute("vjp_fn", func, (tuple(primals), ct), build, grad="VjpBackward",
                          rng="lazy", key=key)
        return tuple(res2)

    if has_aux:
        return out, vjp_fn, aux
    return out, vjp_fn


def jvp(func, primals, tangents, *, strict=False, has_aux=False):
    """``(func(*primals), jvp_out)``: the Jacobian-vector product with ``tangents``
    (``(output, jvp_out, aux)`` with ``has_aux``)."""
    api = "jvp(f, primals, tangents)"
    if not isinstance(primals, tuple):
        raise RuntimeError(f"{api}: Expected primals to be a tuple. E.g. it should be valid to "
                           "call f(*primals).")
    if not isinstance(tangents, tuple):
        raise RuntimeError(f"{api}: Expected tangents to be a tuple. E.g. it should be valid to "
                           "call f(*primals).")
    pl, pd = S.flatten(primals)
    tl, td = S.flatten(tangents)
    if pd != td:
        raise RuntimeError(f"{api}: Expected primals and tangents to have the same python "
                           f"structure. For example, if primals is a tuple of 3 tensors, "
                           f"tangents also must be. Got primals with structure {pd} and tangents "
                           f"with structure {td}")
    for p, t in zip(pl, tl):
        if not isinstance(p, Tensor) or not isinstance(t, Tensor):
            raise RuntimeError(f"{api}: Expected primals and tangents to only contain Tensors, "
                               f"got {type(p) if not isinstance(p, Tensor) else type(t)}")
        if p._shape != t._shape:
            raise RuntimeError("Trying to set a forward gradient that has a different size than "
                               "that of the original Tensor, this is not supported. Tensor is of "
                               f"size {list(p._shape)} while the given forward gradient is of "
                               f"size {list(t._shape)}.")

    def build(f):
        def run(p, t):
            def main(*a):
                out, aux = _split_aux(f(*a), has_aux, api)
                _check_tensors(out)
                return (out, aux) if has_aux else out
            return jax.jvp(main, p, t, has_aux=has_aux)
        return run

    res, _ = execute("jvp", func, (primals, tangents), build, grad="JvpBackward")
    return tuple(res)


def linearize(func, *primals):
    """``(func(*primals), jvp_fn)`` where ``jvp_fn(*tangents)`` is the Jacobian-vector
    product at ``primals``."""
    out, _ = jvp(func, primals, tuple(p.detach() * 0 if isinstance(p, Tensor) else p
                                      for p in primals))

    def jvp_fn(*tangents):
        return jvp(func, primals, tangents)[1]

    return out, jvp_fn


# --------------------------------------------------------------------------------------------
# Jacobians


def _jac(kind, func, argnums, has_aux, randomness="same"):
    api = f"{kind}(f, ...)(*args)"

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        nums = _check_argnums(argnums, args)
        _check_diff(args, nums)

        def build(f):
            def main(*a, **k):
                out, aux = _split_aux(f(*a, **k), has_aux, api)
                _check_tensors(out)
                return (out, aux) if has_aux else out
            t = jax.jacrev if kind == "jacrev" else jax.jacfwd
            return t(main, argnums=nums, has_aux=has_aux)

        err = RuntimeError(RANDOM_ERROR) if randomness == "error" else None
        res, _ = execute(kind, func, args, build, kwargs=kwargs, grad="JacobianBackward",
                         cache_key=(nums, has_aux, randomness), rng_error=err)
        return res

    return wrapper


def jacrev(func, argnums=0, *, has_aux=False, chunk_size=None, _preallocate_and_copy=False):
    """A function computing the Jacobian of ``func`` w.r.t. the arguments ``argnums``
    (reverse mode).  Shape: output shape + input shape."""
    if chunk_size is not None and not (isinstance(chunk_size, int) and chunk_size > 0):
        raise ValueError("jacrev: `chunk_size` should be greater than 0.")
    return _jac("jacrev", func, argnums, has_aux)


def jacfwd(func, argnums=0, has_aux=False, *, randomness="error"):
    """A function computing the Jacobian of ``func`` w.r.t. the arguments ``argnums``
    (forward mode)."""
    if randomness not in ("error", "different", "same"):
        raise RuntimeError("Only allowed values for randomness are 'error', 'different', or "
                           f"'same'. Got {randomness}")
    return _jac("jacfwd", func, argnums, has_aux, randomness)


def hessian(func, argnums=0):
    """A function computing the Hessian of ``func`` w.r.t. the arguments ``argnums``."""
    return jacfwd(jacrev(func, argnums), argnums)


def functionalize(func, *, remove="mutations"):
    """``func`` itself: jtorch's traced programs are already free of mutations (in-place
    updates are functional updates of immutable JAX arrays)."""
    if remove not in ("mutations", "mutations_and_views"):
        raise RuntimeError(f"functionalize(f, remove='mutations'): received invalid argument for "
                           f"remove={remove}. Valid options are:\n     remove='mutations': all "
                           "inplace and out= operators will be removed from the program, and "
                           "replaced with their out-of-place equivalents.\n     "
                           "remove='mutations_and_views': In addition to the above, all aliasing "
                           "operators {view} will be replaced with their non-aliasing "
                           "counterparts, {view}_copy.\n")

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        return func(*args, **kwargs)

    return wrapper
