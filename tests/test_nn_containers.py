"""Containers (Sequential, ModuleList, ModuleDict, ParameterList, ParameterDict) compared with
PyTorch: construction, indexing, mutation, reprs and errors."""
from collections import OrderedDict

import pytest

import numpy as np

from oracle import check, needs_torch

pytestmark = needs_torch


def _fixed(torch, m):
    """Give every parameter deterministic values (same in both libraries)."""
    rng = np.random.default_rng(0)
    with torch.no_grad():
        for p in m.parameters():
            p.copy_(torch.tensor(rng.uniform(-1, 1, tuple(p.shape)).astype(np.float32)))
    return m


SEQUENTIAL = {
    "repr": lambda torch: repr(_seq(torch)),
    "ordered_dict": lambda torch: repr(torch.nn.Sequential(OrderedDict(
        [("fc", torch.nn.Linear(2, 3)), ("act", torch.nn.ReLU())]))),
    "index": lambda torch: [type(_seq(torch)[i]).__name__ for i in (0, 1, -1, -3)],
    "slice": lambda torch: (repr(_seq(torch)[1:]), type(_seq(torch)[::2]).__name__),
    "slice_names": lambda torch: list(torch.nn.Sequential(OrderedDict(
        [("a", torch.nn.ReLU()), ("b", torch.nn.Tanh())]))[1:]._modules),
    "index_error": lambda torch: _seq(torch)[3],
    "neg_index_error": lambda torch: _seq(torch)[-4],
    "len_iter": lambda torch: (len(_seq(torch)), [type(m).__name__ for m in _seq(torch)]),
    "append": lambda torch: repr(_seq(torch).append(torch.nn.Sigmoid())),
    "insert": lambda torch: repr(_seq(torch).insert(1, torch.nn.Sigmoid())),
    "insert_neg": lambda torch: repr(_seq(torch).insert(-1, torch.nn.Sigmoid())),
    "insert_error": lambda torch: _seq(torch).insert(7, torch.nn.Sigmoid()),
    "insert_type": lambda torch: _seq(torch).insert(0, 3),
    "extend": lambda torch: repr(_seq(torch).extend([torch.nn.Sigmoid(), torch.nn.ReLU()])),
    "pop": lambda torch: _seq_pop(torch),
    "del": lambda torch: _seq_del(torch),
    "del_slice": lambda torch: _seq_del(torch, slice(0, 2)),
    "setitem": lambda torch: _seq_set(torch),
    "add": lambda torch: repr(_seq(torch) + torch.nn.Sequential(torch.nn.Sigmoid())),
    "add_error": lambda torch: _seq(torch) + torch.nn.ReLU(),
    "iadd": lambda torch: _seq_iadd(torch),
    "mul": lambda torch: repr(torch.nn.Sequential(torch.nn.ReLU(), torch.nn.Tanh()) * 2),
    "mul_error": lambda torch: _seq(torch) * 0,
    "mul_type_error": lambda torch: _seq(torch) * 1.5,
    "forward": lambda torch: _fixed(torch, _seq(torch))(torch.tensor([[1.0, -1.0]])),
    "empty_forward": lambda torch: torch.nn.Sequential()(torch.ones(2)),
    "dir": lambda torch: "0" in dir(_seq(torch)),
}


def _seq(torch):
    nn = torch.nn
    return nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))


def _seq_pop(torch):
    s = _seq(torch)
    p = s.pop(1)
    return type(p).__name__, repr(s), list(s._modules)


def _seq_del(torch, idx=1):
    s = _seq(torch)
    del s[idx]
    return repr(s), list(s._modules)


def _seq_set(torch):
    s = _seq(torch)
    s[-1] = torch.nn.Sigmoid()
    return repr(s)


def _seq_iadd(torch):
    s = _seq(torch)
    t = s
    s += torch.nn.Sequential(torch.nn.Sigmoid())
    return s is t, repr(s)


@pytest.mark.parametrize("name", list(SEQUENTIAL))
def test_sequential(name):
    check(SEQUENTIAL[name], message=True)


MODULELIST = {
    "repr_collapse": lambda torch: repr(torch.nn.ModuleList(
        [torch.nn.Linear(2, 2) for _ in range(3)] + [torch.nn.ReLU(), torch.nn.ReLU()] +
        [torch.nn.Linear(2, 2)])),
    "repr_nested": lambda torch: repr(torch.nn.ModuleList(
        [torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.ReLU()) for _ in range(2)])),
    "repr_empty": lambda torch: repr(torch.nn.ModuleList()),
    "index": lambda torch: _ml_index(torch),
    "index_error": lambda torch: torch.nn.ModuleList([torch.nn.ReLU()])[1],
    "slice": lambda torch: repr(_ml(torch)[1:]),
    "append_extend_insert": lambda torch: _ml_ops(torch),
    "extend_error": lambda torch: torch.nn.ModuleList().extend(3),
    "add": lambda torch: repr(_ml(torch) + _ml(torch)),
    "del": lambda torch: _ml_del(torch),
    "pop": lambda torch: _ml_pop(torch),
    "setitem": lambda torch: _ml_set(torch),
    "params": lambda torch: [n for n, _ in torch.nn.ModuleList(
        [torch.nn.Linear(2, 2), torch.nn.Linear(2, 1)]).named_parameters()],
    "not_callable": lambda torch: torch.nn.ModuleList([torch.nn.ReLU()])(torch.ones(1)),
}


def _ml(torch):
    return torch.nn.ModuleList([torch.nn.ReLU(), torch.nn.Tanh(), torch.nn.Sigmoid()])


def _ml_index(torch):
    m = _ml(torch)
    return [type(m[i]).__name__ for i in (0, -1, 1)], len(m), [type(x).__name__ for x in m]


def _ml_ops(torch):
    m = _ml(torch)
    r = m.append(torch.nn.ELU())
    m.extend([torch.nn.GELU()])
    m.insert(1, torch.nn.SiLU())
    m += [torch.nn.Mish()]
    return r is m, repr(m), list(m._modules)


def _ml_del(torch):
    m = _ml(torch)
    del m[0]
    del m[-1:]
    return repr(m), list(m._modules)


def _ml_pop(torch):
    m = _ml(torch)
    return type(m.pop(-1)).__name__, repr(m)


def _ml_set(torch):
    m = _ml(torch)
    m[1] = torch.nn.ELU()
    return repr(m)


@pytest.mark.parametrize("name", list(MODULELIST))
def test_module_list(name):
    check(MODULELIST[name], message=True)


MODULEDICT = {
    "repr": lambda torch: repr(_md(torch)),
    "ops": lambda torch: _md_ops(torch),
    "from_pairs": lambda torch: repr(torch.nn.ModuleDict([("b", torch.nn.ReLU()),
                                                           ("a", torch.nn.Tanh())])),
    "update_error": lambda torch: torch.nn.ModuleDict().update(3),
    "update_elem_error": lambda torch: torch.nn.ModuleDict().update([("a", torch.nn.ReLU(),
                                                                      1)]),
    "missing": lambda torch: _md(torch)["zzz"],
}


def _md(torch):
    return torch.nn.ModuleDict({"act": torch.nn.ReLU(), "fc": torch.nn.Linear(2, 2)})


def _md_ops(torch):
    d = _md(torch)
    d["new"] = torch.nn.Tanh()
    p = d.pop("act")
    r = (list(d.keys()), [type(v).__name__ for v in d.values()],
         [(k, type(v).__name__) for k, v in d.items()], "fc" in d, len(d), list(d),
         type(p).__name__)
    d.clear()
    return r, len(d)


@pytest.mark.parametrize("name", list(MODULEDICT))
def test_module_dict(name):
    check(MODULEDICT[name], message=True)


PARAMLIST = {
    "repr": lambda torch: repr(torch.nn.ParameterList(
        [torch.nn.Parameter(torch.ones(2, 3)), torch.zeros(4, dtype=torch.float64), "x"])),
    "ops": lambda torch: _pl_ops(torch),
    "extend_error": lambda torch: torch.nn.ParameterList().extend(torch.ones(2)),
    "call": lambda torch: torch.nn.ParameterList()(1),
    "dict_repr": lambda torch: repr(torch.nn.ParameterDict(
        {"b": torch.nn.Parameter(torch.ones(2)), "a": torch.zeros(3, 2)})),
    "dict_ops": lambda torch: _pd_ops(torch),
    "dict_key_error": lambda torch: torch.nn.ParameterDict()[1],
    "dict_call": lambda torch: torch.nn.ParameterDict()(1),
}


def _pl_ops(torch):
    pl = torch.nn.ParameterList([torch.ones(2)])
    pl.append(torch.nn.Parameter(torch.zeros(1)))
    pl.extend([torch.ones(3)])
    m = torch.nn.Module()
    m.pl = pl
    return (len(pl), [type(p).__name__ for p in pl], [n for n, _ in m.named_parameters()],
            len(pl[1:]), type(pl[1:]).__name__, pl[-1])


def _pd_ops(torch):
    pd = torch.nn.ParameterDict({"w": torch.ones(2)})
    pd["v"] = torch.zeros(1)
    pd.update({"z": torch.ones(1), "a": torch.ones(1)})
    got = pd.get("nope", 5)
    k, v = pd.popitem()
    r = (list(pd.keys()), [type(v).__name__ for v in pd.values()], "w" in pd, len(pd), k,
         got, list(reversed(pd)), list(pd.copy().keys()), pd.setdefault("q", None))
    return r


@pytest.mark.parametrize("name", list(PARAMLIST))
def test_parameter_containers(name):
    check(PARAMLIST[name], message=True)


