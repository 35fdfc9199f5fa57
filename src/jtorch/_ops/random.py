"""Random sampling: rand, randn, randint, randperm, normal, bernoulli, multinomial, poisson, the
``*_like`` samplers and the in-place samplers (uniform_, normal_, random_, bernoulli_,
exponential_, geometric_, cauchy_, log_normal_).

Every sampler takes a fresh PRNG key *tensor* from its generator (``_random.next_key``) as an
input, never as a static argument, so a lazy program that samples (dropout, noise) is the same
program at every step and hits the compile cache.  Distribution parameters that are Python
numbers are inputs too.  The streams differ from PyTorch's (values are not PyTorch's numbers);
seeding with ``manual_seed`` or ``Generator().manual_seed`` makes them reproducible.

Checks that need the values of a tensor argument (negative ``std``, ``p`` outside [0, 1],
negative Poisson rates) are made only when the argument is already computed, so sampling never
forces a sync; ``multinomial``, whose result is used as indices, does check (a sync point).
"""
from __future__ import annotations

import math
import numbers
import operator

import jax
import jax.lax as lax
import jax.numpy as jnp
import numpy as np

from .. import _dtype as D
from .._dispatch import dispatch, dispatch_nograd
from .._engine import core as engine
from .._random import Generator, next_key
from .._tensor import Tensor
from ._registry import register
from ._util import broadcast_shapes

__all__ = ["rand", "randn", "randint", "randperm", "normal", "bernoulli", "multinomial",
           "poisson", "rand_like", "randn_like", "randint_like"]

_short = D._short


def _cpp(dt):
    from .linalg import cpp_name
    return cpp_name(dt)


def _dev(device):
    from .creation import _dev as dev
    return dev(device)


def _not_impl(kernel, dt):
    return NotImplementedError(f"\"{kernel}\" not implemented for '{_short(dt)}'")


# --------------------------------------------------------------------------------------------
# argument parsing with PyTorch's messages

_SIZE_SIG = ("(tuple of ints size, *, torch.Generator generator, Tensor out = None, "
             "torch.dtype dtype = None, torch.layout layout = None, torch.device device = None, "
             "bool pin_memory = False, bool requires_grad = False)",
             "(tuple of ints size, *, Tensor out = None, torch.dtype dtype = None, "
             "torch.layout layout = None, torch.device device = None, bool pin_memory = False, "
             "bool requires_grad = False)")
_RANDINT_SIG = tuple("(int high, " + s[1:] for s in _SIZE_SIG) + tuple(
    "(int low, int high, " + s[1:] for s in _SIZE_SIG)
_NORMAL_SIG = (
    "(Tensor mean, Tensor std, *, torch.Generator generator = None, Tensor out = None)",
    "(Tensor mean, float std = 1, *, torch.Generator generator = None, Tensor out = None)",
    "(float mean, Tensor std, *, torch.Generator generator = None, Tensor out = None)",
    "(float mean, float std, tuple of ints size, *, torch.Generator generator = None, "
    "Tensor out = None, torch.dtype dtype = None, torch.layout layout = None, "
    "torch.device device = None, bool pin_memory = False, bool requires_grad = False)")


def _tname(x):
    return "Tensor" if isinstance(x, Tensor) else type(x).__name__


def _invalid(name, args, kwargs, sigs):
    got = [_tname(a) for a in args] + [f"{k}={_tname(v)}" for k, v in kwargs.items()]
    return TypeError(f"{name}() received an invalid combination of arguments - got "
                     f"({', '.join(got)}), but expected one of:\n" +
                     "".join(f" * {s}\n" for s in sigs))


def _size(name, size, pos=1):
    """Sizes as varargs, or one list/tuple/Size, with PyTorch's messages."""
    from .creation import parse_sizes
    return parse_sizes(name, size, pos=pos)


def _is_int(x):
    if isinstance(x, bool):
        return False
    if isinstance(x, numbers.Integral):
        return True
    if isinstance(x, Tensor):
        return x.ndim == 0 and x._dtype.is_integral and x._dtype is not D.bool_
    return hasattr(x, "__index__") and not isinstance(x, (list, tuple))


def _gen(name, generator, args, kwargs):
    if generator is not None and not isinstance(generator, Generator):
        raise _invalid(name, args, dict(kwargs, generator=generator), _SIZE_SIG)
    return generator


def _finish(t, requires_grad, out=None, name=None):
    if requires_grad:
        t._set_requires_grad(True)  # the factories' wording of the dtype error
    if out is not None:
        from ._inplace import write_out
        return write_out(out, t, name)
    return t


def _num(x):
    if isinstance(x, Tensor):
        return x.item()
    if isinstance(x, (np.generic,)):
        return x.item()
    return x


def _known_values(t):
    """The values of ``t`` if they are already computed (no sync), else None."""
    r = t._ref()
    if type(r) is engine.Pending:
        if r.value is None:
            return None
        r = r.value
    return np.asarray(r)


# --------------------------------------------------------------------------------------------
# the sampling bodies (key first; shapes and dtypes static)


def _uniform01(key, shape, dt):
    """Uniform [0, 1) in ``dt`` (complex: real and imaginary parts each uniform)."""
    if jnp.issubdtype(dt, jnp.complexfloating):
        real = jnp.finfo(dt).dtype
        k1, k2 = jax.random.split(key)
        return lax.complex(jax.random.uniform(k1, shape, real),
                           jax.random.uniform(k2, shape, real))
    return jax.random.uniform(key, shape, dt)


def _rand_impl(key, shape, dt):
    return _uniform01(key, shape, dt)


def _randn_impl(key, shape, dt):
    # complex: real and imaginary parts each N(0, 1/2), as PyTorch
    return jax.random.normal(key, shape, dt)


_RAND = engine.Op("rand", _rand_impl)
_RANDN = engine.Op("randn", _randn_impl)


def _dtype_kw(name, dtype):
    from .creation import dtype_kw
    return dtype_kw(name, dtype)


def _float_dtype(dtype, kernel, name="rand"):
    dt = _dtype_kw(name, dtype) or D.get_default_dtype()
    if not (dt.is_floating_point or dt.is_complex):
        raise _not_impl(kernel, dt)
    return dt


@register(method=False)
def rand(*size, generator=None, out=None, dtype=None, layout=None, device=None,
         pin_memory=False, requires_grad=False):
    """Uniform samples from [0, 1) of the given size (default dtype float32)."""
    if not size:
        raise _invalid("rand", size, {}, _SIZE_SIG)
    _gen("rand", generator, size, {})
    shape = _size("rand", size)
    dt = _float_dtype(dtype if dtype is not None or out is None else out.dtype,
                      "check_uniform_bounds")
    t = dispatch_nograd(_RAND, (next_key(generator, _dev(device)),), (shape, dt.np), device=_dev(device))
    return _finish(t, requires_grad, out, "rand")


@register(method=False)
def randn(*size, generator=None, out=None, dtype=None, layout=None, device=None,
          pin_memory=False, requires_grad=False):
    """Standard normal samples of the given size (default dtype float32)."""
    if not size:
        raise _invalid("randn", size, {}, _SIZE_SIG)
    _gen("randn", generator, size, {})
    shape = _size("randn", size)
    dt = _float_dtype(dtype if dtype is not None or out is None else out.dtype,
                      "normal_kernel_cpu", "randn")
    t = dispatch_nograd(_RANDN, (next_key(generator, _dev(device)),), (shape, dt.np),
                        device=_dev(device))
    return _finish(t, requires_grad, out, "randn")


def _like_dtype(input, dtype, name="rand_like"):
    if not isinstance(input, Tensor):
        raise TypeError(f"{name}(): argument 'input' (position 1) must be Tensor, not "
                        f"{_tname(input)}")
    return _dtype_kw(name, dtype) or input._dtype


@register(method=False)
def rand_like(input, *, dtype=None, layout=None, device=None, requires_grad=False,
              memory_format=None, generator=None):
    """Uniform [0, 1) samples shaped like ``input``."""
    dt = _like_dtype(input, dtype)
    if not (dt.is_floating_point or dt.is_complex):
        raise _not_impl("check_uniform_bounds", dt)
    dev = _dev(device) if device is not None else input._device
    t = dispatch_nograd(_RAND, (next_key(generator, dev),), (input._shape, dt.np), device=dev)
    return _finish(t, requires_grad)


@register(method=False)
def randn_like(input, *, dtype=None, layout=None, device=None, requires_grad=False,
               memory_format=None, generator=None):
    """Standard normal samples shaped like ``input`` (integer templates need ``dtype=``)."""
    dt = _like_dtype(input, dtype, "randn_like")
    if not (dt.is_floating_point or dt.is_complex):
        raise _not_impl("normal_kernel_cpu", dt)
    dev = _dev(device) if device is not None else input._device
    t = dispatch_nograd(_RANDN, (next_key(generator, dev),), (input._shape, dt.np), device=dev)
    return _finish(t, requires_grad)


# --------------------------------------------------------------------------------------------
# integers: randint, random_, randperm

_MANTISSA = {D.float16: 11, D.bfloat16: 8, D.float32: 24, D.float64: 53}


def _int_bounds(dt):
    if dt is D.bool_:
        return 0, 1
    if dt.is_floating_point:
        m = 2 ** _MANTISSA[dt]
        return -m, m
    info = np.iinfo(dt.np)
    return int(info.min), int(info.max)


def _check_range(lo, hi, dt):
    """PyTorch's random_ range checks: ``[lo, hi)`` within ``dt``."""
    if lo >= hi:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={lo} >= "
                           f"to={hi}")
    if dt.is_integral:
        mn, mx = _int_bounds(dt)
        if not mn <= lo <= mx:
            raise RuntimeError(f"from is out of bounds for {_cpp(dt)}")
        if not mn <= hi - 1 <= mx:
            raise RuntimeError(f"to - 1 is out of bounds for {_cpp(dt)}")


def _randint_impl(key, low, high, shape, dt):
    if dt == jnp.bool_:
        return jax.random.bernoulli(key, 0.5, shape)
    r = jax.random.randint(key, shape, jnp.asarray(low, jnp.int64), jnp.asarray(high, jnp.int64),
                           dtype=jnp.int64)
    return r.astype(dt)


def _random_full_impl(key, shape, dt):
    """random_() without bounds: [0, 2**mantissa] for floats, [0, max] for integers."""
    if dt == jnp.bool_:
        return jax.random.bernoulli(key, 0.5, shape)
    bits = jax.random.bits(key, shape, jnp.uint64)
    if jnp.issubdtype(dt, jnp.floating):
        m = {jnp.float16: 11, jnp.bfloat16: 8, jnp.float32: 24,
             jnp.float64: 53}[jnp.dtype(dt).type]
        return (bits % jnp.uint64(2 ** m + 1)).astype(dt)
    mx = jnp.iinfo(dt).max
    return (bits % jnp.uint64(int(mx) + 1) if int(mx) < 2 ** 64 - 1 else bits).astype(dt)


_RANDINT = engine.Op("randint", _randint_impl)


@register(method=False)
def randint(*args, size=None, generator=None, out=None, dtype=None, layout=None, device=None,
            pin_memory=False, requires_grad=False, low=None, high=None):
    """Integers uniform in [low, high) (low defaults to 0); int64 unless ``dtype=``."""
    pos = list(args)
    kw = {}
    if size is not None:
        kw["size"] = size
    if low is not None:
        kw["low"] = low
    if high is not None:
        kw["high"] = high
    if size is None and pos and not _is_int(pos[-1]) and not isinstance(pos[-1], float):
        size = pos.pop()
    if high is None and pos:
        high = pos.pop()
    if low is None and pos:
        low = pos.pop()
    if pos or high is None or size is None:
        if len(args) == 2 and _is_int(args[1]):
            raise TypeError("randint(): argument 'size' (position 2) must be tuple of ints, not "
                            "int")
        raise _invalid("randint", args, kw, _RANDINT_SIG)
    for v, n, p in ((low, "low", 1), (high, "high", 2 if low is not None else 1)):
        if v is not None and not _is_int(v):
            raise TypeError(f"randint(): argument '{n}' (position {p}) must be int, not "
                            f"{_tname(v)}")
    low = 0 if low is None else operator.index(low)
    high = operator.index(high)
    shape = _size("randint", (size,), 3 if args[:1] and len(args) == 3 else 2)
    dt = _dtype_kw("randint", dtype) or (out.dtype if out is not None else D.int64)
    _check_range(low, high, dt)
    t = dispatch_nograd(_RANDINT, (next_key(generator, _dev(device)), low, high), (shape, dt.np),
                        device=_dev(device))
    return _finish(t, requires_grad, out, "randint")


@register(method=False)
def randint_like(input, low=0, high=None, *, dtype=None, layout=None, device=None,
                 requires_grad=False, memory_format=None, generator=None):
    """Integers in [low, high) shaped like ``input`` (its dtype unless ``dtype=``)."""
    if high is None:
        low, high = 0, low
    dt = _like_dtype(input, dtype, "randint_like")
    low, high = operator.index(low), operator.index(high)
    _check_range(low, high, dt)
    dev = _dev(device) if device is not None else input._device
    t = dispatch_nograd(_RANDINT, (next_key(generator, dev), low, high), (input._shape, dt.np),
                        device=dev)
    return _finish(t, requires_grad)


def _randperm_impl(key, n, dt):
    return jax.random.permutation(key, n).astype(dt)


_RANDPERM = engine.Op("randperm", _randperm_impl)


@register(method=False)
def randperm(n, *, generator=None, out=None, dtype=None, layout=None, device=None,
             pin_memory=False, requires_grad=False):
    """A random permutation of 0..n-1 (int64 unless ``dtype=``)."""
    if not _is_int(n):
        raise TypeError(f"randperm(): argument 'n' (position 1) must be int, not {_tname(n)}")
    n = operator.index(n)
    if n < 0:
        raise RuntimeError(f"Trying to create tensor with negative dimension {n}: [{n}]")
    dt = _dtype_kw("randperm", dtype) or (out.dtype if out is not None else D.int64)
    if dt is D.bool_:
        raise _not_impl("randperm", dt)
    if dt.is_integral and n > 0 and n - 1 > _int_bounds(dt)[1]:
        name = {D.uint8: "uint8_t", D.int8: "int8_t", D.int16: "int16_t",
                D.int32: "int"}.get(dt, _cpp(dt))
        raise RuntimeError(f"value cannot be converted to type {name} without overflow")
    t = dispatch_nograd(_RANDPERM, (next_key(generator, _dev(device)),), (n, dt.np), device=_dev(device))
    return _finish(t, requires_grad, out, "randperm")


# --------------------------------------------------------------------------------------------
# normal


def _normal_prepare(sigs, static):
    (shape, dt) = static
    tensors = [s for s in sigs[1:] if type(s) is tuple]
    if tensors:
        shape = ()
        for s, _ in tensors:
            shape = broadcast_shapes(shape, s)
    return (shape, dt)


def _normal_impl(key, mean, std, shape, dt):
    # PyTorch's normal is not reparameterised: the gradients to mean and std are zero
    mean, std = lax.stop_gradient(mean), lax.stop_gradient(std)
    eps = jax.random.normal(key, shape, dt)
    return (mean + std * eps).astype(dt)


_NORMAL = {g: engine.Op("normal", _normal_impl, prepare=_normal_prepare, grad=g)
           for g in ("NormalBackward1", "NormalBackward2", "NormalBackward3")}
_NORMAL_PLAIN = engine.Op("normal", _normal_impl, prepare=_normal_prepare)


def _check_std(std, where="std"):
    if isinstance(std, Tensor):
        v = _known_values(std)
        if v is not None and v.size and not (v >= 0).all():
            raise RuntimeError("normal expects all elements of std >= 0.0")
    elif std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {_fmt(std)}")


def _fmt(x):
    """A Python number as PyTorch's messages print a c10::Scalar."""
    if isinstance(x, float) and x.is_integer():
        return str(int(x))
    return str(x)


@register(method=False)
def normal(mean=None, std=None, size=None, *, generator=None, out=None, dtype=None,
           layout=None, device=None, pin_memory=False, requires_grad=False):
    """Normal samples: tensor ``mean`` and/or ``std`` (broadcast), or scalar ``mean`` and
    ``std`` with a ``size``."""
    mt, st = isinstance(mean, Tensor), isinstance(std, Tensor)
    if std is None and mt:
        std = 1.0
    if not mt and not st:
        if size is None or mean is None or std is None:
            args = tuple(a for a in (mean, std) if a is not None)
            raise _invalid("normal", args, {}, _NORMAL_SIG)
        mean, std = float(_num(mean)), float(_num(std))
        _check_std(std)
        shape = _size("normal", (size,), 3)
        dt = _dtype_kw("normal", dtype) or (out.dtype if out is not None else
                                            D.get_default_dtype())
        t = dispatch_nograd(_NORMAL_PLAIN, (next_key(generator, _dev(device)), mean, std), (shape, dt.np),
                            device=_dev(device))
        return _finish(t, requires_grad, out, "normal")
    ref = mean if mt else std
    dt = ref._dtype
    if mt and st:
        broadcast_shapes(mean._shape, std._shape)
        dt = D.promote_types(mean._dtype, std._dtype)
    if not (dt.is_floating_point or dt.is_complex):
        raise _not_impl("normal_kernel_cpu", dt)
    if not mt:
        mean = float(_num(mean))
    if not st:
        std = float(_num(std))
    _check_std(std)
    grad = "NormalBackward3" if mt and st else ("NormalBackward1" if mt else "NormalBackward2")
    t = dispatch(_NORMAL[grad], (next_key(generator, ref._device), mean, std), ((), dt.np))
    return _finish(t, False, out, "normal")


# --------------------------------------------------------------------------------------------
# bernoulli, multinomial, poisson


def _check_p_tensor(p):
    v = _known_values(p)
    if v is not None and v.size and not ((v >= 0) & (v <= 1)).all():
        raise RuntimeError("Expected p_in >= 0 && p_in <= 1 to be true, but got false.  (Could "
                           "this error message be improved?  If so, please report an enhancement "
                           "request to PyTorch.)")


@register()
def bernoulli(input, p=None, *, generator=None, out=None):
    """0/1 samples: probability ``input`` elementwise, or ``p`` for every element."""
    dt = input._dtype
    if p is None:
        if not (dt.is_floating_point or dt.is_complex):
            raise _not_impl("bernoulli_tensor_cpu_p_", dt)
        _check_p_tensor(input)
        t = dispatch(_BERNOULLI_["BernoulliBackward0"], (input, next_key(generator, input._device), input))
    else:
        p = float(_num(p))
        if not 0 <= p <= 1:
            raise RuntimeError(f"bernoulli_ expects p to be in [0, 1], but got p={_fmt(p)}")
        t = dispatch(_BERNOULLI_["NotImplemented"], (input, next_key(generator, input._device), p))
    return _finish(t, False, out, "bernoulli")


def _multinomial_impl(key, probs, n, replacement):
    logits = jnp.log(probs.astype(jnp.float64 if probs.dtype == jnp.float64 else jnp.float32))
    batch = probs.shape[:-1]
    if replacement:
        s = jax.random.categorical(key, logits, axis=-1, shape=(n,) + batch)
        return jnp.moveaxis(s, 0, -1).astype(jnp.int64)
    # without replacement: the Gumbel top-k trick
    g = jax.random.gumbel(key, probs.shape, logits.dtype)
    return lax.top_k(logits + g, n)[1].astype(jnp.int64)


_MULTINOMIAL = engine.Op("multinomial", _multinomial_impl)


@register(out=True)
def multinomial(input, num_samples, replacement=False, *, generator=None):
    """Indices sampled from the categorical distribution(s) with (unnormalised) probabilities
    ``input`` (1-D, or 2-D: one distribution per row)."""
    dt = input._dtype
    if input.ndim not in (1, 2):
        raise RuntimeError("prob_dist must be 1 or 2 dim")
    if not dt.is_floating_point:
        raise RuntimeError(f"multinomial only supports floating-point dtypes for input, got: "
                           f"{_short(dt)}")
    n = operator.index(num_samples)
    if n <= 0:
        raise RuntimeError("cannot sample n_sample <= 0 samples")
    cats = input._shape[-1]
    if not replacement and n > cats:
        raise RuntimeError("cannot sample n_sample > prob_dist.size(-1) samples without "
                           "replacement")
    # data-dependent checks (a sync point: the samples are almost always used as indices)
    v = np.asarray(input.detach()._numpy_view(), dtype=np.float64)
    if not np.isfinite(v).all() or (v < 0).any():
        raise RuntimeError("probability tensor contains either `inf`, `nan` or element < 0")
    if v.size and (v.reshape(-1, cats).sum(-1) <= 0).any():
        raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
    return dispatch_nograd(_MULTINOMIAL, (next_key(generator, input._device), input.detach()),
                           (n, bool(replacement)))


def _poisson_impl(key, rates):
    dt = rates.dtype
    r = jax.random.poisson(key, rates.astype(jnp.float32 if dt.itemsize < 4 else dt),
                           rates.shape, dtype=jnp.int64)
    return r.astype(dt)


def _poisson_prepare(sigs, static):
    dt = sigs[1][1]
    if not dt.is_floating_point:
        raise _not_impl("poisson_cpu", dt)
    return static


_POISSON = engine.Op("poisson", _poisson_impl, prepare=_poisson_prepare,
                     grad="PoissonBackward0", linear=True)


@register(method=False)
def poisson(input, generator=None):
    """Poisson samples with rates ``input`` (same dtype)."""
    v = _known_values(input) if input._dtype.is_floating_point else None
    if v is not None and v.size and (v < 0).any():
        raise RuntimeError("invalid Poisson rate, expected rate to be non-negative")
    return dispatch(_POISSON, (next_key(generator, input._device), input))


# --------------------------------------------------------------------------------------------
# in-place samplers: Tensor.uniform_, normal_, random_, bernoulli_, exponential_, geometric_,
# cauchy_, log_normal_.  Each op takes the target as an input only for its shape and dtype (so
# autograd records PyTorch's node, whose gradient is zero), then writes the samples into it.


def _fill_prepare(sigs, static):
    return (sigs[0][0], sigs[0][1].np) + static


def _compute_dtype(dt):
    if dt in (jnp.float16, jnp.bfloat16) or not jnp.issubdtype(dt, jnp.floating):
        return jnp.float32
    return dt


def _uniform_body(x, key, lo, hi, shape, dt):
    ct = _compute_dtype(dt)
    u = jax.random.uniform(key, shape, ct)
    r = (lo + (hi - lo) * u).astype(dt)
    # rounding to a narrower dtype must not reach ``hi``
    return jnp.where(r >= hi, jnp.asarray(lo, dt), r) if dt != ct else r


def _normal_body(x, key, mean, std, shape, dt):
    ct = _compute_dtype(dt)
    return (mean + std * jax.random.normal(key, shape, ct)).astype(dt)


def _log_normal_body(x, key, mean, std, shape, dt):
    ct = _compute_dtype(dt)
    return jnp.exp(mean + std * jax.random.normal(key, shape, ct)).astype(dt)


def _exponential_body(x, key, lambd, shape, dt):
    ct = _compute_dtype(dt)
    return (jax.random.exponential(key, shape, ct) / lambd).astype(dt)


def _geometric_body(x, key, p, shape, dt):
    u = jax.random.uniform(key, shape, jnp.float64 if dt == jnp.float64 else jnp.float32)
    k = jnp.ceil(jnp.log1p(-u) / jnp.log1p(-p))
    return jnp.maximum(k, 1).astype(dt)


def _cauchy_body(x, key, median, sigma, shape, dt):
    ct = _compute_dtype(dt)
    u = jax.random.uniform(key, shape, ct)
    return (median + sigma * jnp.tan(math.pi * (u - 0.5))).astype(dt)


def _random_body(x, key, lo, hi, shape, dt):
    return _randint_impl(key, lo, hi, shape, dt)


def _random_full_body(x, key, shape, dt):
    return _random_full_impl(key, shape, dt)


def _bernoulli_body(x, key, p, shape, dt):
    pt = jnp.asarray(p)
    ct = jnp.float64 if pt.dtype == jnp.float64 else jnp.float32
    u = jax.random.uniform(key, shape, ct)
    return (u < jnp.broadcast_to(pt, shape)).astype(dt)


def _fill_op(name, body, grad):
    return engine.Op(name, body, prepare=_fill_prepare, grad=grad, linear=True)


_UNIFORM_ = _fill_op("uniform_", _uniform_body, "UniformBackward0")
_NORMAL_ = _fill_op("normal_", _normal_body, "NormalBackward0")
_LOG_NORMAL_ = _fill_op("log_normal_", _log_normal_body, "LogNormalBackward0")
_EXPONENTIAL_ = _fill_op("exponential_", _exponential_body, "ExponentialBackward0")
_GEOMETRIC_ = _fill_op("geometric_", _geometric_body, "GeometricBackward0")
_CAUCHY_ = _fill_op("cauchy_", _cauchy_body, "CauchyBackward0")
_RANDOM_ = {g: _fill_op("random_", _random_body, g) for g in ("RandomBackward0",
                                                             "RandomBackward1")}
_RANDOM_FULL_ = _fill_op("random_", _random_full_body, "RandomBackward2")
_BERNOULLI_ = {g: _fill_op("bernoulli", _bernoulli_body, g)
               for g in ("BernoulliBackward0", "NotImplemented", "BernoulliBackward1",
                         "BernoulliBackward2")}


def _fill(self, op, params, generator):
    from ._inplace import apply_inplace, check_inplace
    check_inplace(self)
    result = dispatch(op, (self, next_key(generator, self._device)) + tuple(params))
    return apply_inplace(self, result)


def _is_float(dt):
    return dt.is_floating_point or dt.is_complex


@register("uniform_", function=False)
def uniform_(self, from_=0, to=1, *, generator=None, **kwargs):
    """Fill with samples uniform in [from, to)."""
    from_ = kwargs.pop("from", from_)
    from_, to = float(_num(from_)), float(_num(to))
    dt = self._dtype
    if not dt.is_floating_point:
        raise _not_impl("check_uniform_bounds", dt)
    if from_ > to:
        raise RuntimeError(f"uniform_ expects to return a [from, to) range, but found "
                           f"from={_fmt(from_)} > to={_fmt(to)}")
    fmax = float(D.finfo(dt).max)
    for v, n in ((from_, "from"), (to, "to")):
        if not -fmax <= v <= fmax:
            raise RuntimeError(f"{n} is out of bounds for {_cpp(dt)}")
    return _fill(self, _UNIFORM_, (from_, to), generator)


@register("normal_", function=False)
def normal_(self, mean=0, std=1, *, generator=None):
    """Fill with normal samples N(mean, std**2)."""
    mean, std = float(_num(mean)), float(_num(std))
    if not _is_float(self._dtype):
        raise _not_impl("normal_kernel_cpu", self._dtype)
    _check_std(std)
    return _fill(self, _NORMAL_, (mean, std), generator)


@register("log_normal_", function=False)
def log_normal_(self, mean=1, std=2, *, generator=None):
    """Fill with samples whose log is N(mean, std**2)."""
    mean, std = float(_num(mean)), float(_num(std))
    if not self._dtype.is_floating_point:
        raise _not_impl("log_normal_cpu", self._dtype)
    if not std > 0:
        raise RuntimeError(f"log_normal_ expects std > 0.0, but found std={_fmt(std)}")
    return _fill(self, _LOG_NORMAL_, (mean, std), generator)


@register("exponential_", function=False)
def exponential_(self, lambd=1, *, generator=None):
    """Fill with exponential samples of rate ``lambd``."""
    lambd = float(_num(lambd))
    if not self._dtype.is_floating_point:
        raise RuntimeError(f"Exponential distribution is a continuous probability distribution. "
                           f"dtype must be a floating point but you specified "
                           f"{_short(self._dtype)}")
    if not lambd > 0:
        raise RuntimeError(f"exponential_ expects lambda > 0.0, but found lambda={_fmt(lambd)}")
    return _fill(self, _EXPONENTIAL_, (lambd,), generator)


@register("geometric_", function=False)
def geometric_(self, p, *, generator=None):
    """Fill with geometric samples (number of Bernoulli(p) trials to the first success)."""
    p = float(_num(p))
    if self._dtype is D.bool_:
        raise _not_impl("geometric_cpu", self._dtype)
    if not 0 < p < 1:
        raise RuntimeError(f"geometric_ expects p to be in (0, 1), but got p={_fmt(p)}")
    return _fill(self, _GEOMETRIC_, (p,), generator)


@register("cauchy_", function=False)
def cauchy_(self, median=0, sigma=1, *, generator=None):
    """Fill with Cauchy samples."""
    median, sigma = float(_num(median)), float(_num(sigma))
    if not self._dtype.is_floating_point:
        raise RuntimeError(f"Cauchy distribution is a continuous probability distribution. dtype "
                           f"must be a floating point but you specified {_cpp(self._dtype)}")
    if not sigma > 0:
        raise RuntimeError(f"cauchy_ expects sigma > 0.0, but found sigma={_fmt(sigma)}")
    return _fill(self, _CAUCHY_, (median, sigma), generator)


_MISSING = object()


@register("random_", function=False)
def random_(self, from_=None, to=_MISSING, *, generator=None, **kwargs):
    """Fill with integers uniform in [from, to) (``random_(to)``: [0, to); ``random_()``: [0,
    2**mantissa] for floats, [0, max] for integers; ``random_(from, None)``: [from, that max])."""
    if "from" in kwargs:
        from_ = kwargs.pop("from")
    dt = self._dtype
    if from_ is None and to in (None, _MISSING):
        return _fill(self, _RANDOM_FULL_, (), generator)
    if to is _MISSING:
        lo, hi, grad = 0, operator.index(from_), "RandomBackward1"
    elif to is None:
        lo = operator.index(from_)
        hi = _int_bounds(dt)[1] + 1 if dt is not D.bool_ else 2
        if dt.is_floating_point:
            hi = 2 ** _MANTISSA[dt] + 1
        grad = "RandomBackward0"
    else:
        lo = 0 if from_ is None else operator.index(from_)
        hi, grad = operator.index(to), "RandomBackward0"
    _check_range(lo, hi, dt)
    hi = min(hi, 2 ** 63 - 1)  # [from, max]: the kernel's bound is exclusive and int64
    return _fill(self, _RANDOM_[grad], (lo, hi), generator)


@register("bernoulli_", function=False)
def bernoulli_(self, p=0.5, *, generator=None):
    """Fill with 0/1 samples of probability ``p`` (a number or a broadcastable tensor)."""
    if isinstance(p, Tensor):
        from .linalg import expand_check
        expand_check(p._shape, self._shape, p._dtype)
        _check_p_tensor(p)
        return _fill(self, _BERNOULLI_["BernoulliBackward1"], (p,), generator)
    p = float(_num(p))
    if not 0 <= p <= 1:
        raise RuntimeError(f"bernoulli_ expects p to be in [0, 1], but got p={_fmt(p)}")
    return _fill(self, _BERNOULLI_["BernoulliBackward2"], (p,), generator)
