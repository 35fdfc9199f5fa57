"""torch.func.vmap on ``jax.vmap``: PyTorch's ``in_dims``/``out_dims``/``randomness``
semantics and error messages."""
from __future__ import annotations

import functools

import jax

from .. import _dtype as D
from .. import _random
from .._compile import state as S
from .._tensor import Tensor, make
from ._core import execute, is_array, ordered
from ._eager_transforms import RANDOM_ERROR

__all__ = ["vmap"]

_CONTROL_FLOW = ("vmap: It looks like you're attempting to use a Tensor in some data-dependent "
                 "control flow. We don't support that yet, please file an issue at "
                 "https://github.com/pytorch/pytorch/issues .")
_ITEM = ("vmap: It looks like you're calling .item() on a Tensor. We don't support vmap over "
         "calling .item() on a Tensor, please try to rewrite what you're doing with other "
         "operations. If error is occurring somewhere inside PyTorch internals, please file a "
         "bug report.")


def _errors(e):
    if isinstance(e, (jax.errors.ConcretizationTypeError, jax.errors.TracerBoolConversionError,
                      jax.errors.TracerArrayConversionError,
                      jax.errors.TracerIntegerConversionError)):
        return RuntimeError(_CONTROL_FLOW if _in_frame(e, "__bool__") else _ITEM)
    return None


def _in_frame(e, name):
    tb = e.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_name == name:
            return True
        tb = tb.tb_next
    return False


def _spec(tree):
    """PyTorch's ``TreeSpec`` repr of a tuple/list/dict structure (leaves as ``*``)."""
    def node(x, indent):
        if isinstance(x, (tuple, list)) and not isinstance(x, Tensor):
            kind = "tuple" if isinstance(x, tuple) else "list"
            ctx, children = "None", list(x)
        elif isinstance(x, dict):
            kind, ctx, children = "dict", repr(list(x.keys())), list(x.values())
        else:
            return "*"
        if not children:
            return f"TreeSpec({kind}, {ctx}, [])"
        sub = [node(c, indent + 2) for c in children]
        inner = (",\n" + " " * (indent + 2)).join(sub)
        return f"TreeSpec({kind}, {ctx}, [{inner}])"
    return node(tree, 0)


def _name(func):
    return getattr(func, "__name__", None) or repr(func)


def _broadcast(dims, tree, where):
    """The in_dim (out_dim) of each leaf of ``tree``, ``dims`` being a prefix of it."""
    if dims is None or (isinstance(dims, int) and not isinstance(dims, bool)):
        leaves, _ = S.flatten(tree)
        return [dims] * len(leaves)
    if isinstance(dims, (tuple, list)) and isinstance(tree, (tuple, list)) and \
            not isinstance(tree, Tensor) and len(dims) == len(tree):
        out = []
        for d, t in zip(dims, tree):
            out += _broadcast(d, t, where)
        return out
    if isinstance(dims, dict) and isinstance(tree, dict) and set(dims) == set(tree):
        out = []
        for k in tree:  # the flatten order of (ordered) dicts
            out += _broadcast(dims[k], tree[k], where)
        return out
    raise where(dims, tree)


def vmap(func, in_dims=0, out_dims=0, randomness="error", *, chunk_size=None):
    """Vectorize ``func`` over dimension ``in_dims`` of its inputs, stacking results along
    ``out_dims`` (``jax.vmap``).  ``randomness``: 'error' (random ops raise), 'same' (one
    draw shared by the batch) or 'different' (independent draws per element)."""
    if randomness not in ("error", "different", "same"):
        raise RuntimeError("Only allowed values for randomness are 'error', 'different', or "
                           f"'same'. Got {randomness}")
    if chunk_size is not None and not (isinstance(chunk_size, int) and chunk_size > 0):
        raise ValueError(f"vmap: chunk_size should be None or greater than 0. (got "
                         f"{chunk_size})")
    name = _name(func)

    @functools.wraps(func)
    def wrapped(*args, **kwargs):
        pre = f"vmap({name}, in_dims={in_dims}, ...)(<inputs>)"
        if not args:
            raise ValueError(f"vmap({name})(<inputs>): got no inputs. Maybe you forgot to add "
                             "inputs, or you are trying to vmap over a function with no inputs. "
                             "The latter is unsupported.")
        if not (in_dims is None or isinstance(in_dims, (int, tuple))) or \
                isinstance(in_dims, bool):
            raise ValueError(f"{pre}: expected `in_dims` to be int or a (potentially nested) "
                             f"tuple matching the structure of inputs, got: {type(in_dims)}.")

        def bad_in(d, t):
            return ValueError(f"{pre}: in_dims is not compatible with the structure of `inputs`. "
                              f"in_dims has structure {_spec(in_dims)} but inputs has structure "
                              f"{_spec(args)}.")

        dims = in_dims if not isinstance(in_dims, tuple) else tuple(in_dims)
        args = ordered(args)
        axes = _broadcast(dims, args, bad_in)
        leaves, _ = S.flatten(args)
        sizes = []
        for leaf, d in zip(leaves, axes):
            if d is None:
                continue
            if not isinstance(leaf, Tensor):
                raise ValueError(f"{pre}: Got in_dim={d} for an input but the input is of type "
                                 f"{type(leaf)}. We cannot vmap over non-Tensor arguments, "
                                 "please use None as the respective in_dim")
            n = leaf.ndim
            if not (isinstance(d, int) and -n <= d < n):
                raise ValueError(f"{pre}: Got in_dim={d} for some input, but that input is a "
                                 f"Tensor of dimensionality {n} so expected in_dim to satisfy "
                                 f"-{n} <= in_dim < {n}.")
            sizes.append(leaf._shape[d])
        if not sizes:
            raise ValueError("vmap: Expected at least one Tensor to vmap over")
        if len(set(sizes)) > 1:
            raise ValueError("vmap: Expected all tensors to have the same size in the mapped "
                             f"dimension, got sizes {sizes} for the mapped dimension")
        batch = sizes[0]
        dev = next(v._device for v in leaves if isinstance(v, Tensor))
        # JAX's in_axes: the same pytree as the arguments, None for non-tensor leaves
        _, treedef = S.flatten(args)
        in_axes = S.unflatten(treedef, [d if isinstance(v, Tensor) else None
                                        for v, d in zip(leaves, axes)])

        def build(f, key_arr=None):
            def per_example(k, *a):
                if k is None:
                    out = f(*a, **kwargs_arrays[0])
                else:
                    prev = _random._key_hook
                    _random._key_hook = S.KeySource(make(k, (2,), D.uint32, dev))
                    try:
                        out = f(*a, **kwargs_arrays[0])
                    finally:
                        _random._key_hook = prev
                _check_out(out)
                return out

            def run(*a, **k):
                kwargs_arrays[0] = k
                if key_arr is None:
                    keys, k_axis = None, None
                elif randomness == "different":
                    keys, k_axis = jax.random.split(key_arr, batch), 0
                else:
                    keys, k_axis = key_arr, None
                return jax.vmap(per_example, in_axes=(k_axis, *in_axes),
                                out_axes=out_dims)(keys, *a)
            return run

        kwargs_arrays = [{}]

        def _check_out(out):
            odims = out_dims
            try:
                o_axes = _broadcast(odims, out, lambda d, t: ValueError())
            except ValueError:
                raise ValueError(
                    f"vmap({name}, ..., out_dims={out_dims})(<inputs>): out_dims is not "
                    f"compatible with the structure of `outputs`. out_dims has structure "
                    f"{_spec(out_dims)} but outputs has structure {_spec(out)}.") from None
            if out is None and out_dims is not None:
                raise ValueError(f"vmap({name}, ...): `{name}` must only return Tensors, got "
                                 f"type {type(out)}. Did you mean to set out_dims= to None for "
                                 "output?")
            o_leaves = jax.tree_util.tree_leaves(out)
            for v, d in zip(o_leaves, o_axes):
                if d is None:
                    continue
                if not is_array(v):
                    raise ValueError(f"vmap({name}, ...): `{name}` must only return Tensors, "
                                     f"got type {type(v)}. Did you mean to set out_dims= to "
                                     "None for output?")
                n = v.ndim
                if not (-(n + 1) <= d <= n):
                    raise IndexError(f"Dimension out of range (expected to be in range of "
                                     f"[{-(n + 1)}, {n}], but got {d})")

        err = RuntimeError(RANDOM_ERROR) if randomness == "error" else None
        res, _ = execute("vmap", func, args, build, kwargs=kwargs, grad="VmapBackward",
                         rng="lazy" if err else "input", rng_error=err,
                         cache_key=(_key(in_dims), _key(out_dims), randomness), errors=_errors)
        return res

    return wrapped


def _key(dims):
    try:
        hash(dims)
        return dims
    except TypeError:
        return repr(dims)
