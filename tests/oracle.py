"""The comparison helper every test uses: run the same code on real PyTorch and on jtorch.

    from oracle import check, needs_torch

    @needs_torch
    def test_add():
        check(lambda torch: torch.tensor([1, 2]) + 2.5)

``check(fn)`` calls ``fn(torch)`` and ``fn(jtorch)`` and compares what they return (tensors by
shape, dtype and values; tuples/lists/dicts element-wise; Python values by equality) or the
exception they raise (same type; same message with ``message=True``).  ``check_grad`` also
compares the gradients of the inputs.
"""
from __future__ import annotations

import math

import numpy as np
import pytest

import jtorch

try:
    import torch as TORCH
except ImportError:  # the oracle is optional: tests that need it skip
    TORCH = None

needs_torch = pytest.mark.skipif(TORCH is None, reason="PyTorch (the oracle) is not installed")

__all__ = ["check", "check_grad", "needs_torch", "TORCH", "to_numpy", "run", "assert_same"]


class _Raised:
    def __init__(self, exc):
        self.exc = exc

    def __repr__(self):
        return f"raised {type(self.exc).__name__}: {self.exc}"


def run(fn, lib):
    try:
        return fn(lib)
    except Exception as e:  # noqa: BLE001  (the exception is the result under test)
        return _Raised(e)


def _is_tensor(x):
    return (TORCH is not None and isinstance(x, TORCH.Tensor)) or isinstance(x, jtorch.Tensor)


def to_numpy(t):
    """Values of a torch or jtorch tensor as numpy (16-bit floats widened to float32)."""
    if isinstance(t, jtorch.Tensor):
        if t.dtype in (jtorch.bfloat16, jtorch.float16):
            return np.asarray(t.detach().float().numpy())
        return np.array(t.detach().numpy(force=True))
    t = t.detach().cpu()
    if t._is_zerotensor():  # PyTorch's lazily-zero gradients (sign, sgn, ...)
        t = TORCH.zeros(t.shape, dtype=t.dtype)
    if t.dtype in (TORCH.bfloat16, TORCH.float16):
        t = t.float()
    return t.resolve_conj().resolve_neg().numpy().copy()


def _dtype_name(t):
    return str(t.dtype).replace("torch.", "")


def assert_same(expected, actual, *, rtol=1e-5, atol=1e-6, message=False, path="result",
                check_dtype=True, check_stride=False, check_grad_fn=False):
    """Assert that jtorch's ``actual`` matches PyTorch's ``expected``."""
    if isinstance(expected, _Raised) or isinstance(actual, _Raised):
        assert isinstance(expected, _Raised), f"{path}: PyTorch returned {expected!r}, " \
                                              f"jtorch {actual!r}"
        assert isinstance(actual, _Raised), f"{path}: PyTorch {expected!r}, jtorch returned " \
                                            f"{actual!r}"
        assert type(expected.exc).__name__ == type(actual.exc).__name__, \
            f"{path}: PyTorch {expected!r}, jtorch {actual!r}"
        if message:
            assert str(expected.exc) == str(actual.exc), \
                f"{path}: message\n  torch:  {expected.exc}\n  jtorch: {actual.exc}"
        return
    if _is_tensor(expected):
        assert isinstance(actual, jtorch.Tensor), f"{path}: expected a Tensor, got {actual!r}"
        assert tuple(expected.shape) == tuple(actual.shape), \
            f"{path}: shape {tuple(expected.shape)} vs {tuple(actual.shape)}"
        if check_dtype:
            assert _dtype_name(expected) == _dtype_name(actual), \
                f"{path}: dtype {expected.dtype} vs {actual.dtype}"
        assert expected.requires_grad == actual.requires_grad, \
            f"{path}: requires_grad {expected.requires_grad} vs {actual.requires_grad}"
        if check_stride:
            assert expected.stride() == actual.stride(), \
                f"{path}: stride {expected.stride()} vs {actual.stride()}"
            assert expected.storage_offset() == actual.storage_offset(), \
                f"{path}: storage_offset {expected.storage_offset()} vs {actual.storage_offset()}"
        if check_grad_fn:
            en = type(expected.grad_fn).__name__ if expected.grad_fn is not None else None
            an = type(actual.grad_fn).__name__ if actual.grad_fn is not None else None
            assert en == an, f"{path}: grad_fn {en} vs {an}"
        e = to_numpy(expected)
        a = to_numpy(actual)
        if e.dtype == np.bool_ or np.issubdtype(e.dtype, np.integer):
            np.testing.assert_array_equal(a, e, err_msg=path)
        else:
            np.testing.assert_allclose(a, e, rtol=rtol, atol=atol, equal_nan=True, err_msg=path)
        return
    if isinstance(expected, (tuple, list)):
        assert isinstance(actual, (tuple, list)), f"{path}: expected a sequence, got {actual!r}"
        assert len(expected) == len(actual), f"{path}: length {len(expected)} vs {len(actual)}"
        if hasattr(expected, "_fields"):
            assert getattr(actual, "_fields", None) == expected._fields, \
                f"{path}: named tuple fields {expected._fields} vs {getattr(actual, '_fields', None)}"
        for i, (e, a) in enumerate(zip(expected, actual)):
            assert_same(e, a, rtol=rtol, atol=atol, message=message, path=f"{path}[{i}]",
                        check_dtype=check_dtype, check_stride=check_stride,
                        check_grad_fn=check_grad_fn)
        return
    if isinstance(expected, dict):
        assert isinstance(actual, dict) and expected.keys() == actual.keys(), \
            f"{path}: keys {list(expected)} vs {list(actual) if isinstance(actual, dict) else actual}"
        for k in expected:
            assert_same(expected[k], actual[k], rtol=rtol, atol=atol, message=message,
                        path=f"{path}[{k!r}]", check_dtype=check_dtype,
                        check_stride=check_stride, check_grad_fn=check_grad_fn)
        return
    if TORCH is not None and isinstance(expected, (TORCH.dtype, TORCH.Size, TORCH.device)):
        assert str(expected) == str(actual), f"{path}: {expected} vs {actual}"
        return
    if isinstance(expected, float) and isinstance(actual, float):
        if math.isnan(expected):
            assert math.isnan(actual), f"{path}: {expected} vs {actual}"
        else:
            assert actual == pytest.approx(expected, rel=rtol, abs=atol), f"{path}: {expected} vs {actual}"
        return
    assert type(expected).__name__ == type(actual).__name__, \
        f"{path}: type {type(expected).__name__} vs {type(actual).__name__}"
    assert expected == actual, f"{path}: {expected!r} vs {actual!r}"


def check(fn, **kwargs):
    """Run ``fn(torch)`` and ``fn(jtorch)``; assert the results (or errors) match."""
    expected = run(fn, TORCH)
    actual = run(fn, jtorch)
    assert_same(expected, actual, **kwargs)
    return actual


def check_grad(fn, *inputs, seed=0, rtol=1e-5, atol=1e-6, check_forward=True):
    """Compare forward values and input gradients of ``fn(lib, *tensors)``.

    ``inputs`` are numpy arrays; floating ones become leaf tensors requiring grad in both
    libraries.  The output is reduced against the same random cotangent in both.
    """
    results = {}
    for name, lib in (("torch", TORCH), ("jtorch", jtorch)):
        ts = []
        for a in inputs:
            if isinstance(a, np.ndarray):
                t = lib.tensor(a)
                if t.is_floating_point() or t.is_complex():
                    t.requires_grad_(True)
                ts.append(t)
            else:
                ts.append(a)
        out = fn(lib, *ts)
        outs = out if isinstance(out, (tuple, list)) else (out,)
        loss = 0
        r = np.random.default_rng(seed)
        for o in outs:
            if _is_tensor(o) and o.requires_grad:
                ct = r.standard_normal(tuple(o.shape)).astype(to_numpy(o).dtype)
                loss = loss + (o * lib.tensor(ct, dtype=o.dtype)).sum()
        grads = None
        if not isinstance(loss, int):
            leaves = [t for t in ts if _is_tensor(t) and t.requires_grad]
            grads = lib.autograd.grad(loss, leaves, allow_unused=True)
        results[name] = (out, grads)
    if check_forward:
        assert_same(results["torch"][0], results["jtorch"][0], rtol=rtol, atol=atol,
                    path="forward")
    eg, ag = results["torch"][1], results["jtorch"][1]
    assert (eg is None) == (ag is None), f"gradients: torch {eg} vs jtorch {ag}"
    if eg is not None:
        for i, (e, a) in enumerate(zip(eg, ag)):
            if e is None or a is None:
                assert e is None and a is None, f"grad[{i}]: torch {e} vs jtorch {a}"
                continue
            assert_same(e.detach(), a.detach(), rtol=rtol, atol=atol, path=f"grad[{i}]")
