"""torch.func: transforms compared with PyTorch (values, structure, errors), nesting, caching,
randomness, and autograd through transforms."""
from __future__ import annotations

import types

import numpy as np
import pytest

import jtorch
from oracle import check, check_grad, needs_torch

pytestmark = needs_torch

X = [0.5, -1.0, 2.0]
M = [[1.0, 2.0, -1.0], [0.5, 0.0, 3.0]]


def _x(torch):
    return torch.tensor(X)


def _m(torch):
    return torch.tensor(M)


def _lin(torch):
    torch.manual_seed(0)
    m = torch.nn.Linear(3, 2)
    with torch.no_grad():
        m.weight.copy_(torch.tensor([[0.1, -0.2, 0.3], [0.4, 0.5, -0.6]]))
        m.bias.copy_(torch.tensor([0.01, -0.02]))
    return m


def _cube(x):
    return (x ** 3).sum()


CASES = {
    # grad / grad_and_value
    "grad": lambda torch: torch.func.grad(_cube)(_x(torch)),
    "grad_argnums1": lambda torch: torch.func.grad(lambda a, b: (a * b).sum(), argnums=1)(
        _x(torch), _x(torch) * 2),
    "grad_argnums_tuple": lambda torch: torch.func.grad(lambda a, b: (a * b.sin()).sum(),
                                                        argnums=(0, 1))(_x(torch), _x(torch)),
    "grad_negative_argnum": lambda torch: torch.func.grad(lambda a, b: (a * b).sum(),
                                                          argnums=-1)(_x(torch), _x(torch)),
    "grad_dict": lambda torch: torch.func.grad(lambda d: (d["w"] * d["b"]).sum())(
        {"w": _x(torch), "b": _x(torch) + 1}),
    "grad_has_aux": lambda torch: torch.func.grad(lambda x: (_cube(x), x.cos()),
                                                  has_aux=True)(_x(torch)),
    "grad_and_value": lambda torch: torch.func.grad_and_value(_cube)(_x(torch)),
    "grad_and_value_aux": lambda torch: torch.func.grad_and_value(
        lambda x: (_cube(x), {"c": x.cos()}), has_aux=True)(_x(torch)),
    "grad_kwargs": lambda torch: torch.func.grad(lambda x, scale=1.0: (x * scale).sum())(
        _x(torch), scale=3.0),
    "grad_double": lambda torch: torch.func.grad(_cube)(_x(torch).double()),
    "grad_of_grad": lambda torch: torch.func.grad(
        lambda x: torch.func.grad(lambda y: (y ** 3).sum())(x).sum())(_x(torch)),
    "grad_module": lambda torch: (lambda m: torch.func.grad(
        lambda p, x: torch.func.functional_call(m, p, (x,)).pow(2).sum())(
        dict(m.named_parameters()), _m(torch)))(_lin(torch)),
    # errors
    "err_not_scalar": lambda torch: torch.func.grad(lambda x: x * 2)(_x(torch)),
    "err_not_tensor": lambda torch: torch.func.grad(lambda x: 3.0)(_x(torch)),
    "err_argnum_range": lambda torch: torch.func.grad(_cube, argnums=1)(_x(torch)),
    "err_argnum_type": lambda torch: torch.func.grad(_cube, argnums=1.5)(_x(torch)),
    "err_argnum_empty": lambda torch: torch.func.grad(_cube, argnums=())(_x(torch)),
    "err_int_input": lambda torch: torch.func.grad(_cube)(torch.ones(3, dtype=torch.long)),
    "err_non_tensor_input": lambda torch: torch.func.grad(lambda a, b: (a * b).sum(),
                                                          argnums=(0, 1))(_x(torch), 2.0),
    "err_aux_not_tuple": lambda torch: torch.func.grad(_cube, has_aux=True)(_x(torch)),
    "err_aux_int": lambda torch: torch.func.grad(lambda x: (x.sum(), 1), has_aux=True)(
        _x(torch)),
    # vjp / jvp / linearize
    "vjp": lambda torch: (lambda o: (o[0], o[1](torch.ones(3))))(
        torch.func.vjp(lambda x: x.sin(), _x(torch))),
    "vjp_two_outputs": lambda torch: torch.func.vjp(lambda x: (x.sin(), x.cos()), _x(torch))[1](
        (torch.ones(3), torch.tensor([1.0, 2.0, 3.0]))),
    "vjp_two_primals": lambda torch: torch.func.vjp(lambda a, b: a * b, _x(torch),
                                                    _x(torch) + 1)[1](torch.ones(3)),
    "vjp_aux": lambda torch: (lambda o: (o[0], o[2], o[1](torch.ones(3))))(
        torch.func.vjp(lambda x: (x.sin(), x.cos()), _x(torch), has_aux=True)),
    "err_vjp_shape": lambda torch: torch.func.vjp(lambda x: x.sin(), _x(torch))[1](
        torch.ones(4)),
    "err_vjp_aux": lambda torch: torch.func.vjp(lambda x: x.sin(), _x(torch), has_aux=True),
    "jvp": lambda torch: torch.func.jvp(lambda x: x.sin(), (_x(torch),), (torch.ones(3),)),
    "jvp_two": lambda torch: torch.func.jvp(lambda a, b: a * b.exp(), (_x(torch), _x(torch)),
                                            (torch.ones(3), torch.ones(3) * 2)),
    "jvp_aux": lambda torch: torch.func.jvp(lambda x: (x.sin(), x.cos()), (_x(torch),),
                                            (torch.ones(3),), has_aux=True),
    "err_jvp_not_tuple": lambda torch: torch.func.jvp(lambda x: x.sin(), _x(torch),
                                                      torch.ones(3)),
    "err_jvp_size": lambda torch: torch.func.jvp(lambda x: x.sin(), (_x(torch),),
                                                 (torch.ones(4),)),
    "err_jvp_aux_int": lambda torch: torch.func.jvp(lambda x: (x.sin(), 1), (_x(torch),),
                                                    (_x(torch),), has_aux=True),
    "linearize": lambda torch: (lambda o: (o[0], o[1](torch.ones(3))))(
        torch.func.linearize(lambda x: x.sin() * 2, _x(torch))),
    # Jacobians
    "jacrev": lambda torch: torch.func.jacrev(lambda x: x.sin())(_x(torch)),
    "jacrev_matrix": lambda torch: torch.func.jacrev(lambda m: m @ m.T)(_m(torch)),
    "jacrev_argnums": lambda torch: torch.func.jacrev(lambda a, b: a * b, argnums=(0, 1))(
        _x(torch), _x(torch) + 1),
    "jacrev_tuple1": lambda torch: torch.func.jacrev(lambda x: x.sum(), argnums=(0,))(
        _x(torch)),
    "jacrev_aux": lambda torch: torch.func.jacrev(lambda x: (x.sin(), x.cos()),
                                                  has_aux=True)(_x(torch)),
    "jacrev_dict_out": lambda torch: torch.func.jacrev(lambda x: {"s": x.sin(), "c": x.cos()})(
        _x(torch)),
    "jacfwd": lambda torch: torch.func.jacfwd(lambda x: x.sin() * x)(_x(torch)),
    "jacfwd_random_error": lambda torch: torch.func.jacfwd(lambda x: torch.rand(3) * x)(
        _x(torch)),
    "hessian": lambda torch: torch.func.hessian(_cube)(_x(torch)),
    "hessian_matrix": lambda torch: torch.func.hessian(lambda m: (m ** 2).prod())(
        _m(torch)),
    # vmap
    "vmap": lambda torch: torch.func.vmap(lambda a, b: a * b)(_m(torch), _m(torch) + 1),
    "vmap_in_dims": lambda torch: torch.func.vmap(lambda a: a.sum(), in_dims=1)(_m(torch)),
    "vmap_negative_dim": lambda torch: torch.func.vmap(lambda a: a * 2, in_dims=-1)(
        _m(torch)),
    "vmap_none": lambda torch: torch.func.vmap(lambda a, b: a @ b, in_dims=(0, None))(
        _m(torch), _x(torch)),
    "vmap_out_dims": lambda torch: torch.func.vmap(lambda a: (a * 2, a.sum()),
                                                   out_dims=(1, 0))(_m(torch)),
    "vmap_dict_in": lambda torch: torch.func.vmap(lambda d: d["a"] * 2,
                                                  in_dims=({"a": 1},))({"a": _m(torch)}),
    "vmap_dict_out": lambda torch: torch.func.vmap(lambda x: {"z": x, "a": x * 2})(_x(torch)),
    "vmap_none_out": lambda torch: torch.func.vmap(lambda x: (x, None), out_dims=(0, None))(
        _x(torch)),
    "vmap_nested": lambda torch: torch.func.vmap(torch.func.vmap(lambda x: x ** 2))(
        _m(torch)),
    "vmap_grad": lambda torch: torch.func.vmap(torch.func.grad(_cube))(_m(torch)),
    "vmap_jacrev": lambda torch: torch.func.vmap(torch.func.jacrev(lambda x: x.sin()))(
        _m(torch)),
    "vmap_scalar_arg": lambda torch: torch.func.vmap(lambda a, s: a * s, in_dims=(0, None))(
        _x(torch), 3.0),
    "vmap_kwargs": lambda torch: torch.func.vmap(lambda a, s=None: a * s)(_x(torch),
                                                                          s=_x(torch)),
    "vmap_matmul_batch": lambda torch: torch.func.vmap(torch.mm, in_dims=(0, None))(
        torch.ones(4, 2, 3), torch.ones(3, 5)),
    "vmap_chunk": lambda torch: torch.func.vmap(lambda a: a + 1, chunk_size=1)(_m(torch)),
    "vmap_torch_alias": lambda torch: torch.vmap(lambda a: a.exp())(_x(torch)),
    "err_vmap_non_tensor": lambda torch: torch.func.vmap(lambda a, b: a * b,
                                                         in_dims=(0, 0))(_x(torch), 2.0),
    "err_vmap_nothing": lambda torch: torch.func.vmap(lambda a, b: a * b,
                                                      in_dims=(None, None))(_x(torch),
                                                                            _x(torch)),
    "err_vmap_structure": lambda torch: torch.func.vmap(lambda a, b: a * b, in_dims=(0,))(
        _x(torch), _x(torch)),
    "err_vmap_in_dims_type": lambda torch: torch.func.vmap(lambda a: a, in_dims="a")(
        _x(torch)),
    "err_vmap_randomness_arg": lambda torch: torch.func.vmap(lambda a: a, randomness="x"),
    "err_vmap_no_inputs": lambda torch: torch.func.vmap(lambda: 1)(),
    "err_vmap_dim_range": lambda torch: torch.func.vmap(lambda a: a, in_dims=1)(_x(torch)),
    "err_vmap_sizes": lambda torch: torch.func.vmap(lambda a, b: a * b)(_x(torch),
                                                                        torch.ones(4)),
    "err_vmap_random": lambda torch: torch.func.vmap(lambda a: torch.rand(2))(_x(torch)),
    "err_vmap_item": lambda torch: torch.func.vmap(lambda a: a.item())(_x(torch)),
    "err_vmap_control_flow": lambda torch: torch.func.vmap(
        lambda a: a if a.sum() > 0 else -a)(_x(torch)),
    "err_vmap_returns_int": lambda torch: torch.func.vmap(lambda a: 3)(_x(torch)),
    "err_vmap_returns_none": lambda torch: torch.func.vmap(lambda a: None)(_x(torch)),
    "err_vmap_out_dim_range": lambda torch: torch.func.vmap(lambda a: a, out_dims=2)(
        _x(torch)),
    # functional_call / stack_module_state
    "functional_call": lambda torch: torch.func.functional_call(
        _lin(torch), {"weight": torch.ones(2, 3), "bias": torch.zeros(2)}, (_m(torch),)),
    "functional_call_partial": lambda torch: torch.func.functional_call(
        _lin(torch), {"weight": torch.ones(2, 3)}, _m(torch)),
    "functional_call_kwargs": lambda torch: torch.func.functional_call(
        torch.nn.Bilinear(3, 3, 1), {"weight": torch.ones(1, 3, 3), "bias": torch.zeros(1)},
        (), {"input1": _m(torch), "input2": _m(torch)}),
    "functional_call_two_dicts": lambda torch: torch.func.functional_call(
        _lin(torch), ({"weight": torch.ones(2, 3)}, {"bias": torch.ones(2)}), (_m(torch),)),
    "functional_call_restores": lambda torch: (lambda m: (torch.func.functional_call(
        m, {"weight": torch.zeros(2, 3)}, (_m(torch),)), m.weight))(_lin(torch)),
    "functional_call_buffers": lambda torch: (lambda bn: (torch.func.functional_call(
        bn, {"running_mean": torch.ones(3), "running_var": torch.ones(3) * 4}, (_m(torch),)),
        bn.running_mean))(torch.nn.BatchNorm1d(3).eval()),
    "err_functional_call_missing": lambda torch: torch.func.functional_call(
        _lin(torch), {"weight": torch.zeros(2, 3)}, (_m(torch),), strict=True),
    "err_functional_call_unexpected": lambda torch: torch.func.functional_call(
        _lin(torch), {"weight": torch.zeros(2, 3), "bias": torch.zeros(2), "foo": torch.ones(1)},
        (_m(torch),), strict=True),
    "err_functional_call_dup": lambda torch: torch.func.functional_call(
        _lin(torch), ({"weight": torch.zeros(2, 3)}, {"weight": torch.ones(2, 3)}),
        (_m(torch),)),
    "stack_module_state": lambda torch: (lambda s: ({k: v.shape for k, v in s[0].items()},
                                                    s[0]["weight"].requires_grad,
                                                    s[0]["weight"].is_leaf, s[1]))(
        torch.func.stack_module_state([_lin(torch) for _ in range(3)])),
    "stack_module_state_buffers": lambda torch: {k: v.shape for k, v in
                                                 torch.func.stack_module_state(
                                                     [torch.nn.BatchNorm1d(3)] * 2)[1].items()},
    "err_stack_empty": lambda torch: torch.func.stack_module_state([]),
    "err_stack_shapes": lambda torch: torch.func.stack_module_state(
        [torch.nn.Linear(2, 2), torch.nn.Linear(2, 3)]),
    "ensemble": lambda torch: (lambda ms: torch.func.vmap(
        lambda p, b, x: torch.func.functional_call(ms[0], (p, b), (x,)),
        in_dims=(0, 0, None))(*torch.func.stack_module_state(ms), _m(torch)))(
        [_lin(torch) for _ in range(3)]),
    "functionalize": lambda torch: torch.func.functionalize(lambda x: x.add_(1) * 2)(
        _x(torch)),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_func(name):
    check(CASES[name], message=name.startswith("err_"))


def test_grad_through_transform():
    """A transform's result is differentiable by jtorch's autograd (as in PyTorch)."""
    check_grad(lambda torch, x: torch.func.grad(_cube)(x), np.array(X, np.float32))
    check_grad(lambda torch, x: torch.func.vmap(lambda r: r.sin() * r)(x),
               np.array(M, np.float32))
    check_grad(lambda torch, x: torch.func.jacrev(lambda v: v.exp())(x),
               np.array(X, np.float32))


def test_cached_and_not_retraced():
    calls = types.SimpleNamespace(n=0)

    def f(x):
        calls.n += 1
        return (x * x).sum()

    g = jtorch.func.grad(f)
    for i in range(3):
        g(jtorch.ones(3) * i)
    assert calls.n == 1
    g(jtorch.ones(4))
    assert calls.n == 2
    jtorch.func.grad(f)(jtorch.ones(3))  # a new transform of the same function hits the cache
    assert calls.n == 2


def test_closure_values_are_inputs():
    """Tensors a function closes over are inputs of the cached program, not constants."""
    w = jtorch.tensor([1.0, 2.0, 3.0])
    g = jtorch.func.grad(lambda x: (x * w).sum())
    assert g(jtorch.ones(3)).tolist() == [1.0, 2.0, 3.0]
    w.mul_(2)
    assert g(jtorch.ones(3)).tolist() == [2.0, 4.0, 6.0]
    scale = [2.0]

    def h(x):
        return (x * scale[0]).sum()
    assert jtorch.func.grad(h)(jtorch.ones(2)).tolist() == [2.0, 2.0]
    m = jtorch.nn.Linear(2, 1)
    gm = jtorch.func.grad(lambda x: m(x).sum())
    a = gm(jtorch.ones(2)).tolist()
    with jtorch.no_grad():
        m.weight.mul_(3)
    assert gm(jtorch.ones(2)).tolist() == pytest.approx([v * 3 for v in a])


def test_python_values_guard():
    k = 2.0

    def f(x):
        return (x * k).sum()
    assert jtorch.func.grad(f)(jtorch.ones(2)).tolist() == [2.0, 2.0]
    k = 5.0  # noqa: F841  (read by f through its closure)
    assert jtorch.func.grad(f)(jtorch.ones(2)).tolist() == [5.0, 5.0]


def test_vmap_randomness():
    torch = jtorch
    torch.manual_seed(0)
    d = torch.func.vmap(lambda x: torch.rand(4) + x, randomness="different")(torch.zeros(3))
    assert d.shape == (3, 4) and not torch.equal(d[0], d[1])
    s = torch.func.vmap(lambda x: torch.rand(4) + x, randomness="same")(torch.zeros(3))
    assert torch.equal(s[0], s[1]) and torch.equal(s[1], s[2])
    s2 = torch.func.vmap(lambda x: torch.rand(4) + x, randomness="same")(torch.zeros(3))
    assert not torch.equal(s[0], s2[0])  # each call draws fresh numbers


def test_vjp_replays_randomness():
    torch = jtorch
    x = torch.ones(1000)
    out, fn = torch.func.vjp(lambda v: torch.nn.functional.dropout(v, 0.5), x)
    (g,) = fn(torch.ones(1000))
    assert torch.equal((out != 0), (g != 0))


def test_print_falls_back():
    def f(x):
        print("inside")
        return (x * 2).sum()
    assert jtorch.func.grad(f)(jtorch.ones(2)).tolist() == [2.0, 2.0]


def test_buffers_as_state():
    bn = jtorch.nn.BatchNorm1d(3).eval()
    x = jtorch.tensor(M)
    g = jtorch.func.grad(lambda v: bn(v).sum())(x)
    assert g.shape == (2, 3)
