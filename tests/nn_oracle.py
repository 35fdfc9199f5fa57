"""Module comparison helper: the same nn.Module built in PyTorch and in jtorch, with the same
weights, must print the same, hold the same state and compute the same things.

    from nn_oracle import check_module

    @needs_torch
    def test_linear():
        check_module(lambda nn: nn.Linear(3, 4), np.ones((2, 3), np.float32))

``check_module(build, *inputs)``:

- ``build(nn)`` is called with ``torch.nn`` and with ``jtorch.nn`` (``build_lib=True`` passes
  the library instead: ``build(torch)``); the torch module's ``state_dict`` is copied into the
  jtorch module through numpy (``copy_state``), so default initialisation does not matter;
- ``repr(module)``, the ``state_dict()`` keys (in order), parameter names/shapes/dtypes/
  ``requires_grad`` and buffer names must match;
- in each of ``modes`` (``"train"``, ``"eval"``) the module is called on ``inputs`` (numpy
  arrays become tensors; floating ones require grad when ``input_grad``; a callable
  ``f(lib)`` builds an input per library; anything else is passed through), the outputs are
  compared (values, shapes, dtypes, ``requires_grad``; ``grad_fn`` names with
  ``check_grad_fn``), a backward pass with the same random cotangent runs in both, and the
  input gradients, parameter gradients and (updated) buffers are compared.

``forward(module, *inputs)`` replaces the plain call when a module needs keyword arguments.
Returns ``(torch_module, jtorch_module)`` for further checks.
"""
from __future__ import annotations

import numpy as np

import jtorch
from oracle import TORCH, assert_same, to_numpy

__all__ = ["check_module", "copy_state", "to_jtorch", "to_lib", "module_pair"]


def to_jtorch(t):
    """A jtorch tensor with a torch tensor's values and dtype (no autograd state)."""
    name = str(t.dtype).replace("torch.", "")
    return jtorch.tensor(to_numpy(t), dtype=getattr(jtorch, name))


def to_lib(x, lib, requires_grad=False):
    """A numpy array as a tensor of ``lib`` (floating ones requiring grad if asked)."""
    if callable(x) and not isinstance(x, np.ndarray):
        return x(lib)
    if isinstance(x, np.ndarray):
        t = lib.tensor(x)
        if requires_grad and (t.is_floating_point() or t.is_complex()):
            t.requires_grad_(True)
        return t
    return x


def copy_state(src, dst):
    """Load torch module ``src``'s state_dict into jtorch module ``dst`` (through numpy)."""
    state = {k: to_jtorch(v) for k, v in src.state_dict().items()}
    result = dst.load_state_dict(state)
    assert not result.missing_keys and not result.unexpected_keys, result
    return dst


def module_pair(build, build_lib=False):
    """``(torch_module, jtorch_module)`` built by ``build`` with the same weights."""
    if build_lib:
        tm, jm = build(TORCH), build(jtorch)
    else:
        tm, jm = build(TORCH.nn), build(jtorch.nn)
    copy_state(tm, jm)
    return tm, jm


def _check_structure(tm, jm, check_repr):
    if check_repr:
        assert repr(tm) == repr(jm), f"repr:\n  torch:  {tm!r}\n  jtorch: {jm!r}"
    assert list(tm.state_dict()) == list(jm.state_dict()), \
        f"state_dict keys: {list(tm.state_dict())} vs {list(jm.state_dict())}"
    tp = [(n, tuple(p.shape), str(p.dtype)[6:], p.requires_grad) for n, p in
          tm.named_parameters()]
    jp = [(n, tuple(p.shape), str(p.dtype)[6:], p.requires_grad) for n, p in
          jm.named_parameters()]
    assert tp == jp, f"parameters: {tp} vs {jp}"
    tb = [n for n, _ in tm.named_buffers()]
    jb = [n for n, _ in jm.named_buffers()]
    assert tb == jb, f"buffers: {tb} vs {jb}"
    assert tm.training == jm.training, f"training: {tm.training} vs {jm.training}"


def _run(lib, module, inputs, input_grad, forward, seed):
    ts = [to_lib(x, lib, input_grad) for x in inputs]
    out = forward(module, *ts) if forward is not None else module(*ts)
    outs = out if isinstance(out, (tuple, list)) else (out,)
    flat = []
    for o in outs:
        if isinstance(o, (tuple, list)):
            flat.extend(o)
        else:
            flat.append(o)
    rng = np.random.default_rng(seed)
    loss = None
    for o in flat:
        if isinstance(o, (TORCH.Tensor, jtorch.Tensor)) and o.requires_grad:
            ct = rng.standard_normal(tuple(o.shape)).astype(to_numpy(o).dtype)
            term = (o * lib.tensor(ct, dtype=o.dtype)).sum()
            loss = term if loss is None else loss + term
    if loss is not None:
        loss.backward()
    leaves = [t for t in ts if isinstance(t, (TORCH.Tensor, jtorch.Tensor)) and t.requires_grad]
    return out, [t.grad for t in leaves]


def check_module(build, *inputs, modes=("train", "eval"), rtol=1e-5, atol=1e-6,
                 input_grad=True, param_grad=True, check_repr=True, check_grad_fn=False,
                 forward=None, build_lib=False, seed=0, steps=1):
    """Compare a module built in torch and jtorch (see the module docstring)."""
    tm, jm = module_pair(build, build_lib)
    _check_structure(tm, jm, check_repr)
    for mode in modes:
        tm.train(mode == "train")
        jm.train(mode == "train")
        for step in range(steps):
            tm.zero_grad(set_to_none=True)
            jm.zero_grad(set_to_none=True)
            path = f"{mode}[{step}]"
            tout, tgrads = _run(TORCH, tm, inputs, input_grad, forward, seed + step)
            jout, jgrads = _run(jtorch, jm, inputs, input_grad, forward, seed + step)
            assert_same(tout, jout, rtol=rtol, atol=atol, path=f"{path} output",
                        check_grad_fn=check_grad_fn)
            for i, (e, a) in enumerate(zip(tgrads, jgrads)):
                assert (e is None) == (a is None), f"{path} input grad[{i}]: {e} vs {a}"
                if e is not None:
                    assert_same(e, a, rtol=rtol, atol=atol, path=f"{path} input grad[{i}]")
            if param_grad:
                for (n, tp), (_, jp) in zip(tm.named_parameters(), jm.named_parameters()):
                    e, a = tp.grad, jp.grad
                    assert (e is None) == (a is None), f"{path} {n}.grad: {e} vs {a}"
                    if e is not None:
                        assert_same(e, a, rtol=rtol, atol=atol, path=f"{path} {n}.grad")
            for (n, tb), (_, jb) in zip(tm.named_buffers(), jm.named_buffers()):
                assert_same(tb, jb, rtol=rtol, atol=atol, path=f"{path} buffer {n}")
    return tm, jm
