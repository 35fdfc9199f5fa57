"""nn.Module, Parameter and the containers, compared with PyTorch scenario by scenario.

Each scenario is a function of the library (``torch`` or ``jtorch``) returning plain values
(strings, lists, bools, tensors) or raising; ``check`` runs it on both and compares, errors
included word for word.
"""
import copy
import pickle
import warnings
from collections import OrderedDict

import numpy as np
import pytest

import jtorch
from nn_oracle import check_module, copy_state
from oracle import TORCH, check, needs_torch

pytestmark = needs_torch


def _model(torch):
    nn = torch.nn

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc1 = nn.Linear(3, 4)
            self.act = nn.ReLU()
            self.blocks = nn.Sequential(nn.Linear(4, 4), nn.Tanh())
            self.register_buffer("steps", torch.zeros(2))
            self.register_buffer("cache", torch.ones(1), persistent=False)
            self.scale = nn.Parameter(torch.ones(1))

        def forward(self, x):
            return self.blocks(self.act(self.fc1(x))) * self.scale + self.steps.sum()

    torch.manual_seed(0)
    return Net()


def _fixed(torch, m):
    """Give every parameter deterministic values (same in both libraries)."""
    rng = np.random.default_rng(0)
    with torch.no_grad():
        for p in m.parameters():
            p.copy_(torch.tensor(rng.uniform(-1, 1, tuple(p.shape)).astype(np.float32)))
    return m


def _msg(fn):
    return lambda torch: fn(torch)


# --------------------------------------------------------------------------------------------
# registration and attribute errors

REGISTRATION = {
    "param_not_parameter": lambda torch: torch.nn.Module().register_parameter("w", torch.ones(2)),
    "param_dot": lambda torch: torch.nn.Module().register_parameter(
        "a.b", torch.nn.Parameter(torch.ones(1))),
    "param_empty": lambda torch: torch.nn.Module().register_parameter(
        "", torch.nn.Parameter(torch.ones(1))),
    "param_name_type": lambda torch: torch.nn.Module().register_parameter(
        1, torch.nn.Parameter(torch.ones(1))),
    "param_nonleaf": lambda torch: torch.nn.Module().register_parameter(
        "w", torch.nn.Parameter(torch.ones(1)) * 2),
    "buffer_dot": lambda torch: torch.nn.Module().register_buffer("a.b", torch.ones(1)),
    "buffer_empty": lambda torch: torch.nn.Module().register_buffer("", torch.ones(1)),
    "buffer_type": lambda torch: torch.nn.Module().register_buffer("b", [1, 2]),
    "buffer_name_type": lambda torch: torch.nn.Module().register_buffer(2, torch.ones(1)),
    "module_type": lambda torch: torch.nn.Module().add_module("m", 3),
    "module_dot": lambda torch: torch.nn.Module().add_module("a.b", torch.nn.ReLU()),
    "module_empty": lambda torch: torch.nn.Module().add_module("", torch.nn.ReLU()),
    "module_name_type": lambda torch: torch.nn.Module().add_module(1.5, torch.nn.ReLU()),
    "getattr_missing": lambda torch: torch.nn.Linear(2, 2).nothing,
    "assign_tensor_to_param": lambda torch: setattr(torch.nn.Linear(2, 2), "weight",
                                                    torch.ones(2, 2)),
    "assign_int_to_module": lambda torch: setattr(torch.nn.Sequential(torch.nn.ReLU()), "0", 3),
    "assign_list_to_buffer": lambda torch: setattr(torch.nn.BatchNorm1d(2), "running_mean",
                                                   [1.0, 2.0]),
    "existing_attr": lambda torch: _existing_attr(torch),
    "forward_missing": lambda torch: torch.nn.Module()(torch.ones(1)),
    "init_kwargs": lambda torch: torch.nn.Module(foo=1),
    "init_args": lambda torch: torch.nn.Module(1, 2),
    "no_super_init": lambda torch: _no_super(torch),
    "no_super_init_param": lambda torch: _no_super(torch, "param"),
    "no_super_init_buffer": lambda torch: _no_super(torch, "buffer"),
    "train_not_bool": lambda torch: torch.nn.ReLU().train(1),
    "to_int_dtype": lambda torch: torch.nn.Linear(2, 2).to(torch.int64),
    "state_dict_not_mapping": lambda torch: torch.nn.Linear(2, 2).load_state_dict([1, 2]),
}


def _existing_attr(torch):
    m = torch.nn.Module()
    m.foo = 3
    m.register_buffer("foo", torch.ones(1))


def _no_super(torch, what="module"):
    class Bad(torch.nn.Module):
        def __init__(self):
            if what == "module":
                self.fc = torch.nn.Linear(2, 2)
            elif what == "param":
                self.w = torch.nn.Parameter(torch.ones(1))
            else:
                self.register_buffer("b", torch.ones(1))

    return Bad()


@pytest.mark.parametrize("name", list(REGISTRATION))
def test_registration_errors(name):
    check(REGISTRATION[name], message=True)


def test_super_init_forms():
    def run(torch):
        class A(torch.nn.Module):
            def __init__(self):
                super(A, self).__init__()
                self.fc = torch.nn.Linear(2, 3)

        class B(torch.nn.Module):
            def __init__(self):
                torch.nn.Module.__init__(self)
                self.fc = torch.nn.Linear(2, 3)

        class C(A):
            def __init__(self):
                super().__init__()
                self.extra = torch.nn.ReLU()

        return [repr(A()), repr(B()), repr(C()), [n for n, _ in C().named_parameters()]]

    check(run)


def test_setattr_moves_between_registries():
    def run(torch):
        nn = torch.nn
        m = nn.Module()
        m.x = nn.Parameter(torch.ones(1))
        a = (list(m._parameters), list(m._modules), list(m._buffers))
        m.x = nn.ReLU()
        b = (list(m._parameters), list(m._modules), list(m._buffers))
        m.register_buffer("y", torch.ones(1))
        m.y = None
        c = (list(m._buffers), m.y)
        m.x = None
        del m.x
        d = (list(m._modules), hasattr(m, "x"))
        m.z = nn.Buffer(torch.ones(2), persistent=False)
        e = (list(m._buffers), sorted(m._non_persistent_buffers_set), list(m.state_dict()))
        m.w = nn.Parameter(torch.ones(1))
        m.w = None
        f = (list(m._parameters), m.w, list(m.state_dict()))
        return a, b, c, d, e, f

    check(run)


def test_dir_and_repr_of_custom_module():
    def run(torch):
        nn = torch.nn

        class Custom(nn.Module):
            def __init__(self):
                super().__init__()
                self.inner = nn.Sequential(nn.Linear(2, 2), nn.ReLU())
                self.w = nn.Parameter(torch.ones(1))

            def extra_repr(self):
                return "first line\nsecond line"

        m = Custom()
        d = dir(m)
        return repr(m), "inner" in d, "w" in d, "forward" in d, "0" in dir(m.inner)

    check(run)


# --------------------------------------------------------------------------------------------
# iteration

def test_named_members():
    def run(torch):
        m = _model(torch)
        return ([n for n, _ in m.named_parameters()],
                [n for n, _ in m.named_parameters(prefix="model")],
                [n for n, _ in m.named_parameters(recurse=False)],
                [n for n, _ in m.named_buffers()],
                [n for n, _ in m.named_buffers(recurse=False, prefix="p")],
                [n for n, _ in m.named_modules()],
                [n for n, _ in m.named_modules(prefix="root")],
                [n for n, _ in m.named_children()],
                [type(c).__name__ for c in m.children()],
                [type(c).__name__ for c in m.modules()],
                len(list(m.parameters())), len(list(m.parameters(recurse=False))),
                len(list(m.buffers())))

    check(run)


def test_shared_parameters_counted_once():
    def run(torch):
        nn = torch.nn
        shared = nn.Linear(2, 2)
        tied = nn.Sequential(shared, nn.ReLU(), shared)
        enc = nn.Linear(3, 3)
        dec = nn.Linear(3, 3)
        dec.weight = enc.weight
        pair = nn.ModuleDict({"enc": enc, "dec": dec})
        return ([n for n, _ in tied.named_parameters()],
                [n for n, _ in tied.named_parameters(remove_duplicate=False)],
                len(list(tied.parameters())), [n for n, _ in tied.named_modules()],
                [n for n, _ in tied.named_modules(remove_duplicate=False)],
                len(list(tied.modules(remove_duplicate=False))),
                [n for n, _ in tied.named_children()],
                [n for n, _ in pair.named_parameters()], list(pair.state_dict()),
                sum(p.numel() for p in pair.parameters()))

    check(run)


def test_get_submodule_parameter_buffer():
    def run(torch):
        m = _model(torch)
        return (type(m.get_submodule("blocks.0")).__name__, m.get_submodule("") is m,
                tuple(m.get_parameter("blocks.0.weight").shape),
                tuple(m.get_buffer("steps").shape), tuple(m.get_parameter("scale").shape))

    check(run)


@pytest.mark.parametrize("expr", [
    "m.get_submodule('blocks.5')", "m.get_submodule('fc1.weight')",
    "m.get_parameter('blocks.0.nothing')", "m.get_parameter('steps')",
    "m.get_buffer('scale')", "m.get_buffer('fc1.bias')", "m.get_buffer('zz.a')",
    "m.set_submodule('', torch.nn.ReLU())", "m.set_submodule('fc1', 3)",
    "m.set_submodule('blocks.9', torch.nn.ReLU(), strict=True)",
    "m.set_submodule('scale', torch.nn.ReLU())",
])
def test_get_errors(expr):
    def run(torch):
        m = _model(torch)  # noqa: F841
        return eval(expr)

    check(run, message=True)


def test_set_submodule():
    def run(torch):
        m = _model(torch)
        m.set_submodule("blocks.1", torch.nn.Sigmoid())
        m.set_submodule("new", torch.nn.ReLU())
        return repr(m)

    check(run)


# --------------------------------------------------------------------------------------------
# modes, conversion, bulk operations

def test_train_eval():
    def run(torch):
        m = _model(torch)
        a = [x.training for x in m.modules()]
        r = m.eval()
        b = [x.training for x in m.modules()]
        m.blocks.train()
        c = [x.training for x in m.modules()]
        return a, r is m, b, c, m.train(False) is m

    check(run)


def test_apply_order_and_requires_grad():
    def run(torch):
        m = _model(torch)
        seen = []
        r = m.apply(lambda x: seen.append(type(x).__name__))
        m.requires_grad_(False)
        a = [p.requires_grad for p in m.parameters()]
        m.blocks.requires_grad_()
        b = [p.requires_grad for p in m.parameters()]
        return seen, r is m, a, b

    check(run)


@pytest.mark.parametrize("conv", ["double", "half", "bfloat16", "float", "to64", "to_tensor",
                                  "type64", "cpu", "to_device_dtype", "to_kw"])
def test_conversions(conv):
    def run(torch):
        m = _model(torch)
        m.register_buffer("count", torch.tensor(3))
        w = m.fc1.weight
        m.fc1.weight.grad = torch.ones(4, 3)
        r = {"double": lambda: m.double(), "half": lambda: m.half(),
             "bfloat16": lambda: m.bfloat16(), "float": lambda: m.double().float(),
             "to64": lambda: m.to(torch.float64),
             "to_tensor": lambda: m.to(torch.zeros(1, dtype=torch.float64)),
             "type64": lambda: m.type(torch.float64), "cpu": lambda: m.cpu(),
             "to_device_dtype": lambda: m.to("cpu", torch.float64),
             "to_kw": lambda: m.to(dtype=torch.float16, device="cpu")}[conv]()
        return (r is m, m.fc1.weight is w, isinstance(m.fc1.weight, torch.nn.Parameter),
                [(n, str(t.dtype)) for n, t in m.state_dict(keep_vars=True).items()],
                str(m.fc1.weight.grad.dtype), m.fc1.weight.requires_grad,
                str(m.cache.dtype))

    check(run)


def test_zero_grad():
    def run(torch):
        m = _fixed(torch, _model(torch))
        m(torch.ones(2, 3)).sum().backward()
        g = m.fc1.weight.grad
        m.zero_grad(set_to_none=False)
        a = (m.fc1.weight.grad is g, float(g.abs().sum()))
        m(torch.ones(2, 3)).sum().backward()
        m.zero_grad()
        return a, [p.grad is None for p in m.parameters()]

    check(run)


# --------------------------------------------------------------------------------------------
# state_dict

def test_state_dict_contents():
    def run(torch):
        m = _fixed(torch, _model(torch))
        sd = m.state_dict()
        kv = m.state_dict(keep_vars=True)
        pre = m.state_dict(prefix="net.")
        return (list(sd), [t.requires_grad for t in sd.values()],
                [t.requires_grad for t in kv.values()], kv["fc1.weight"] is m.fc1.weight,
                list(pre), dict(sd._metadata), type(sd).__name__, sd["fc1.bias"],
                type(kv["scale"]).__name__, type(sd["scale"]).__name__)

    check(run)


def test_state_dict_shares_storage():
    def run(torch):
        m = torch.nn.Linear(2, 2)
        sd = m.state_dict()
        with torch.no_grad():
            m.weight.fill_(3.0)
        return sd["weight"]

    check(run)


def test_load_state_dict_roundtrip():
    def run(torch):
        src = _fixed(torch, _model(torch))
        dst = _model(torch)
        r = dst.load_state_dict(src.state_dict())
        return repr(r), str(r), r.missing_keys, list(dst.state_dict().values())[0], \
            dst.fc1.weight.requires_grad

    check(run)


@pytest.mark.parametrize("case", ["missing", "unexpected", "both", "size", "not_tensor",
                                  "nested_unexpected", "scalar_from_1elem"])
def test_load_state_dict_errors(case):
    def run(torch):
        m = _model(torch)
        sd = dict(_fixed(torch, _model(torch)).state_dict())
        if case == "missing":
            del sd["fc1.weight"], sd["steps"]
        elif case == "unexpected":
            sd["extra"] = torch.ones(1)
        elif case == "both":
            del sd["blocks.0.bias"]
            sd["blocks.0.foo"] = torch.ones(1)
            sd["blocks.7.weight"] = torch.ones(1)
        elif case == "size":
            sd["fc1.weight"] = torch.ones(2, 2)
            sd["scale"] = torch.ones(3)
        elif case == "not_tensor":
            sd["scale"] = [1.0]
        elif case == "nested_unexpected":
            sd["blocks.1.weight"] = torch.ones(1)
        elif case == "scalar_from_1elem":
            m.register_buffer("s", torch.tensor(2.0))
            sd["s"] = torch.tensor([5.0])
            m.load_state_dict(sd)
            return m.s
        return m.load_state_dict(sd)

    check(run, message=True)


@pytest.mark.parametrize("case", ["missing", "unexpected", "size"])
def test_load_state_dict_non_strict(case):
    def run(torch):
        m = _model(torch)
        sd = dict(_fixed(torch, _model(torch)).state_dict())
        if case == "missing":
            del sd["fc1.weight"]
        elif case == "unexpected":
            sd["zzz"] = torch.ones(1)
            sd["blocks.3.weight"] = torch.ones(1)
        else:
            sd["fc1.weight"] = torch.ones(1)
        r = m.load_state_dict(sd, strict=False)
        return repr(r), r.missing_keys, r.unexpected_keys, m.fc1.bias

    check(run, message=True)


def test_load_state_dict_assign():
    def run(torch):
        m = _model(torch)
        src = _fixed(torch, _model(torch))
        src.fc1.weight.requires_grad_(False)
        sd = src.state_dict()
        w = sd["fc1.weight"]
        old = m.fc1.weight
        m.load_state_dict(sd, assign=True)
        new = m.fc1.weight
        return (new is old, isinstance(new, torch.nn.Parameter), new.requires_grad,
                m.steps is sd["steps"], new.data_ptr() == w.data_ptr(), m.fc1.weight)

    check(run)


def test_state_dict_hooks():
    def run(torch):
        m = torch.nn.Linear(2, 2)
        log = []
        m.register_state_dict_pre_hook(lambda mod, prefix, keep: log.append(("pre", prefix,
                                                                             keep)))

        def post(mod, sd, prefix, meta):
            sd[prefix + "added"] = torch.zeros(1)

        h = m.register_state_dict_post_hook(post)
        a = list(m.state_dict(prefix="x."))
        h.remove()
        b = list(m.state_dict())
        m._register_state_dict_hook(lambda mod, sd, prefix, meta: OrderedDict(only=torch.ones(1)))
        c = list(m.state_dict())
        return log, a, b, c

    check(run)


def test_state_dict_post_hook_must_return_none():
    def run(torch):
        m = torch.nn.Linear(2, 2)
        m.register_state_dict_post_hook(lambda mod, sd, prefix, meta: {})
        return m.state_dict()

    check(run, message=True)


def test_load_state_dict_hooks():
    def run(torch):
        m = torch.nn.Sequential(torch.nn.Linear(2, 2))
        log = []

        def pre(mod, sd, prefix, meta, strict, missing, unexpected, errors):
            log.append(("pre", type(mod).__name__, prefix, sorted(sd), strict))
            sd[prefix + "bias"] = torch.zeros(2)

        def post(mod, keys):
            log.append(("post", type(mod).__name__, list(keys.missing_keys),
                        list(keys.unexpected_keys)))
            keys.missing_keys.clear()

        m[0].register_load_state_dict_pre_hook(pre)
        m.register_load_state_dict_post_hook(post)
        sd = {"0.weight": torch.ones(2, 2)}
        r = m.load_state_dict(sd)
        return log, repr(r), m[0].bias

    check(run)


def test_load_state_dict_post_hook_must_return_none():
    def run(torch):
        m = torch.nn.Linear(2, 2)
        m.register_load_state_dict_post_hook(lambda mod, keys: 1)
        return m.load_state_dict(m.state_dict())

    check(run, message=True)


def test_extra_state():
    def run(torch):
        class WithExtra(torch.nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = torch.nn.Linear(1, 1)
                self.value = 3

            def get_extra_state(self):
                return {"value": self.value}

            def set_extra_state(self, state):
                self.value = state["value"]

        a = WithExtra()
        a.value = 7
        b = WithExtra()
        b.load_state_dict(a.state_dict())
        sd = a.state_dict()
        del sd["_extra_state"]
        try:
            b.load_state_dict(sd)
            err = None
        except RuntimeError as e:
            err = str(e)
        return list(a.state_dict()), b.value, err

    check(run)


# --------------------------------------------------------------------------------------------
# forward hooks

def test_forward_hooks():
    def run(torch):
        m = _fixed(torch, torch.nn.Linear(2, 2))
        log = []

        def pre(mod, args):
            log.append(("pre", len(args)))
            return (args[0] * 2,)

        def pre_kw(mod, args, kwargs):
            log.append(("pre_kw", sorted(kwargs)))
            return None

        def fwd(mod, args, out):
            log.append(("fwd", tuple(out.shape)))
            return out + 1

        def fwd_kw(mod, args, kwargs, out):
            log.append(("fwd_kw", sorted(kwargs)))

        h1 = m.register_forward_pre_hook(pre)
        m.register_forward_pre_hook(pre_kw, with_kwargs=True)
        m.register_forward_pre_hook(lambda mod, args: log.append("first"), prepend=True)
        h2 = m.register_forward_hook(fwd)
        m.register_forward_hook(fwd_kw, with_kwargs=True)
        y1 = m(torch.ones(1, 2))
        h1.remove()
        h2.remove()
        y2 = m(torch.ones(1, 2))
        with m.register_forward_hook(fwd):
            y3 = m(torch.ones(1, 2))
        y4 = m(torch.ones(1, 2))
        return log, y1, y2, y3, y4

    check(run)


def test_forward_pre_hook_bad_return():
    def run(torch):
        m = torch.nn.ReLU()
        m.register_forward_pre_hook(lambda mod, args, kwargs: 5, with_kwargs=True)
        return m(torch.ones(1))

    check(run, message=True)


def test_forward_hook_always_call():
    def run(torch):
        class Boom(torch.nn.Module):
            def forward(self, x):
                raise ValueError("boom")

        m = Boom()
        log = []
        m.register_forward_hook(lambda mod, args, out: log.append(("always", out)),
                                always_call=True)
        m.register_forward_hook(lambda mod, args, out: log.append("never"))
        try:
            m(torch.ones(1))
        except ValueError as e:
            log.append(str(e))
        return log

    check(run)


def test_global_forward_hooks():
    def run(torch):
        log = []
        mm = torch.nn.modules.module
        h1 = mm.register_module_forward_pre_hook(lambda mod, args: log.append(
            ("pre", type(mod).__name__)))
        h2 = mm.register_module_forward_hook(lambda mod, args, out: log.append(
            ("fwd", type(mod).__name__)))
        try:
            torch.nn.Sequential(torch.nn.ReLU(), torch.nn.Tanh())(torch.ones(1))
        finally:
            h1.remove()
            h2.remove()
        torch.nn.ReLU()(torch.ones(1))
        return log

    check(run)


def test_registration_hooks():
    def run(torch):
        log = []
        mm = torch.nn.modules.module
        hs = [mm.register_module_parameter_registration_hook(
                  lambda mod, name, p: log.append(("param", name))),
              mm.register_module_buffer_registration_hook(
                  lambda mod, name, b: log.append(("buffer", name))),
              mm.register_module_module_registration_hook(
                  lambda mod, name, sub: log.append(("module", name)))]
        try:
            torch.nn.Sequential(torch.nn.Linear(1, 1), torch.nn.BatchNorm1d(1))
        finally:
            for h in hs:
                h.remove()
        return log

    check(run)


# --------------------------------------------------------------------------------------------
# backward hooks

def _hooked(torch, inputs_grad=True, modify=None):
    nn = torch.nn
    m = _fixed(torch, nn.Linear(3, 2))
    log = []

    def hook(mod, grad_input, grad_output):
        log.append(("hook", [None if g is None else g.clone() for g in grad_input],
                    [g.clone() for g in grad_output]))
        if modify == "input":
            return tuple(None if g is None else g * 10 for g in grad_input)

    def pre_hook(mod, grad_output):
        log.append(("pre", [g.clone() for g in grad_output]))
        if modify == "output":
            return tuple(g * 3 for g in grad_output)

    m.register_full_backward_pre_hook(pre_hook)
    m.register_full_backward_hook(hook)
    x = torch.tensor([[1.0, -2.0, 0.5], [0.3, 0.2, -1.0]], requires_grad=inputs_grad)
    y = m(x)
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        (y * torch.tensor([[1.0, 2.0], [3.0, 4.0]])).sum().backward()
    return (log, x.grad, m.weight.grad, type(y.grad_fn).__name__,
            [str(x.message)[:60] for x in w])


@pytest.mark.parametrize("modify", [None, "input", "output"])
def test_full_backward_hooks(modify):
    check(lambda torch: _hooked(torch, modify=modify))


def test_full_backward_hook_inputs_without_grad():
    check(lambda torch: _hooked(torch, inputs_grad=False))


def test_backward_hook_multiple_inputs_and_outputs():
    def run(torch):
        class Two(torch.nn.Module):
            def forward(self, a, b, scale):
                return a * b * scale, a + 1

        m = Two()
        log = []
        m.register_full_backward_hook(lambda mod, gi, go: log.append(
            ([None if g is None else g.clone() for g in gi],
             [None if g is None else g.clone() for g in go])))
        a = torch.tensor([1.0, 2.0], requires_grad=True)
        b = torch.tensor([3.0, 4.0])
        y, z = m(a, b, 2.0)
        (y.sum() + 2 * z.sum()).backward()
        return log, a.grad

    check(run)


def test_backward_hook_mixing_errors():
    def run(torch):
        m = torch.nn.Linear(1, 1)
        m.register_backward_hook(lambda *a: None)
        m.register_full_backward_hook(lambda *a: None)

    check(run, message=True)


def test_old_backward_hook():
    def run(torch):
        m = _fixed(torch, torch.nn.Linear(2, 2, bias=False))
        log = []
        m.register_backward_hook(lambda mod, gi, go: log.append(
            ([None if g is None else tuple(g.shape) for g in gi], [tuple(g.shape) for g in go])))
        x = torch.ones(3, 2, requires_grad=True)
        m(x).sum().backward()
        return log

    check(run)


# --------------------------------------------------------------------------------------------
# copying and pickling

def test_deepcopy():
    def run(torch):
        m = _fixed(torch, _model(torch))
        m.fc1.weight.grad = torch.ones(4, 3)
        c = copy.deepcopy(m)
        with torch.no_grad():
            c.fc1.weight.add_(1)
        return (repr(c) == repr(m), c.fc1.weight is m.fc1.weight,
                isinstance(c.fc1.weight, torch.nn.Parameter), c.fc1.weight.requires_grad,
                c.fc1.weight.grad, m.fc1.weight, c.fc1.weight, list(c.state_dict()),
                c(torch.ones(1, 3)) - 0)

    check(run)


def test_pickle_roundtrip():
    def run(torch):
        m = _fixed(torch, _model(torch))
        m.eval()
        c = pickle.loads(pickle.dumps(m))
        return repr(c), c.training, list(c.state_dict()), c.state_dict()["blocks.0.weight"], \
            c(torch.ones(1, 3))

    check(run)


def test_deepcopy_shared_parameters_stay_shared():
    def run(torch):
        shared = torch.nn.Linear(2, 2)
        m = torch.nn.Sequential(shared, shared)
        c = copy.deepcopy(m)
        return c[0] is c[1], c[0].weight is c[1].weight, c[0] is shared

    check(run)


# --------------------------------------------------------------------------------------------
# Parameter and Buffer

PARAMETER = {
    "repr": lambda torch: repr(torch.nn.Parameter(torch.tensor([1.0, 2.0]))),
    "repr_no_grad": lambda torch: repr(torch.nn.Parameter(torch.tensor([1, 2]),
                                                          requires_grad=False)),
    "empty": lambda torch: repr(torch.nn.Parameter()),
    "int_error": lambda torch: torch.nn.Parameter(torch.tensor([1, 2])),
    "list_error": lambda torch: torch.nn.Parameter([1.0, 2.0]),
    "leaf": lambda torch: _param_leaf(torch),
    "shares_storage": lambda torch: _param_shares(torch),
    "under_no_grad": lambda torch: _param_no_grad(torch),
    "ops": lambda torch: _param_ops(torch),
    "isinstance": lambda torch: (isinstance(torch.nn.Parameter(torch.ones(1)), torch.Tensor),
                                 type(torch.nn.Parameter(torch.ones(1)) * 2).__name__),
    "deepcopy": lambda torch: _param_deepcopy(torch),
    "pickle": lambda torch: _param_pickle(torch),
    "buffer": lambda torch: _buffer(torch),
}


def _param_leaf(torch):
    x = torch.ones(2, requires_grad=True) * 3
    p = torch.nn.Parameter(x)
    return p.is_leaf, p.grad_fn, p.requires_grad, p


def _param_shares(torch):
    t = torch.zeros(2)
    p = torch.nn.Parameter(t)
    with torch.no_grad():
        p.add_(1)
    return t


def _param_no_grad(torch):
    with torch.no_grad():
        p = torch.nn.Parameter(torch.ones(2))
    return p.requires_grad, (p * 2).requires_grad


def _param_ops(torch):
    p = torch.nn.Parameter(torch.tensor([1.0, 2.0]))
    y = (p * p).sum()
    y.backward()
    return y, p.grad, type(y.grad_fn).__name__, p.detach(), type(p.data).__name__


def _param_deepcopy(torch):
    p = torch.nn.Parameter(torch.tensor([1.0, 2.0]))
    p.grad = torch.ones(2)
    q = copy.deepcopy(p)
    return type(q).__name__, q, q.grad, q.requires_grad, q is p


def _param_pickle(torch):
    p = torch.nn.Parameter(torch.tensor([1.0, 2.0]), requires_grad=False)
    q = pickle.loads(pickle.dumps(p))
    return type(q).__name__, repr(q), q.requires_grad


def _buffer(torch):
    b = torch.nn.Buffer(torch.ones(2))
    m = torch.nn.Module()
    m.b = b
    m.c = torch.nn.Buffer(torch.zeros(1), persistent=False)
    return (isinstance(b, torch.nn.Buffer), type(b).__name__, list(m._buffers),
            list(m.state_dict()), isinstance(torch.ones(1), torch.nn.Buffer))


@pytest.mark.parametrize("name", list(PARAMETER))
def test_parameter(name):
    check(PARAMETER[name], message=True)


# --------------------------------------------------------------------------------------------
# Lazy modules

def test_lazy_linear():
    def run(torch):
        m = torch.nn.LazyLinear(3)
        before = (repr(m), type(m).__name__, [repr(v) for v in m.state_dict().values()],
                  m.has_uninitialized_params(), repr(m.weight))
        y = m(torch.ones(2, 5))
        after = (repr(m), type(m).__name__, tuple(m.weight.shape), tuple(y.shape),
                 type(m.weight).__name__, m.weight.requires_grad, list(m.state_dict()))
        return before, after

    check(run)


def test_lazy_load_state_dict():
    def run(torch):
        src = _fixed(torch, torch.nn.Linear(4, 2))
        m = torch.nn.LazyLinear(2)
        m.load_state_dict(src.state_dict())
        return type(m).__name__, tuple(m.weight.shape), m.weight, m(torch.ones(1, 4))

    check(run)


def test_uninitialized_shape_error():
    check(lambda torch: torch.nn.UninitializedParameter().shape, message=True)


# --------------------------------------------------------------------------------------------
# containers

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


# --------------------------------------------------------------------------------------------
# end to end through nn_oracle

def test_model_through_oracle():
    def build(torch):
        return _model(torch)

    check_module(build, np.linspace(-1, 1, 6, dtype=np.float32).reshape(2, 3), build_lib=True)


def test_copy_state_helper():
    tm = _fixed(TORCH, _model(TORCH))
    jm = _model(jtorch)
    copy_state(tm, jm)
    np.testing.assert_allclose(jm.fc1.weight.detach().numpy(), tm.fc1.weight.detach().numpy())
