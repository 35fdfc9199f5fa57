"""torch.func.functional_call and stack_module_state."""
from __future__ import annotations

import contextlib

from .._tensor import Tensor

__all__ = ["functional_call", "stack_module_state", "reparametrize"]


def _resolve(module, name):
    *path, attr = name.split(".")
    m = module
    for p in path:
        m = getattr(m, p)
    return m, attr


@contextlib.contextmanager
def reparametrize(module, values, tie_weights=True, strict=False):
    """Within the block, ``module``'s parameters/buffers named in ``values`` read those values
    (PyTorch's ``_reparametrize_module``)."""
    values = dict(values)
    named = dict(module.named_parameters(remove_duplicate=False))
    named.update(module.named_buffers(remove_duplicate=False))
    if strict:
        missing = [k for k in named if k not in values]
        unexpected = [k for k in values if k not in named and not _is_attr(module, k)]
        if missing or unexpected:
            msgs = []
            if unexpected:
                msgs.append("Unexpected key(s): " + ", ".join(repr(k) for k in unexpected) + ".")
            if missing:
                msgs.append("Missing key(s): " + ", ".join(repr(k) for k in missing) + ".")
            raise RuntimeError(f"Error(s) in reparametrizing for {type(module).__name__}:\n\t"
                               + "\n\t".join(msgs))
    if tie_weights:
        # names sharing one tensor take the value given for any of them
        by_id = {}
        for k, t in named.items():
            by_id.setdefault(id(t), []).append(k)
        for names in by_id.values():
            if len(names) < 2:
                continue
            given = [k for k in names if k in values]
            if not given:
                continue
            v = values[given[0]]
            for k in given[1:]:
                if values[k] is not v:
                    raise ValueError(f"functional_call got multiple values for keys {given}, "
                                     "which are tied. Consider using tie_weights=False")
            for k in names:
                values.setdefault(k, v)
    saved = []
    try:
        for k, v in values.items():
            m, attr = _resolve(module, k)
            d = m.__dict__
            if attr in d["_parameters"]:
                saved.append((d["_parameters"], attr, d["_parameters"][attr]))
                d["_parameters"][attr] = v
            elif attr in d["_buffers"]:
                saved.append((d["_buffers"], attr, d["_buffers"][attr]))
                d["_buffers"][attr] = v
            elif attr in d:
                saved.append((d, attr, d[attr]))
                d[attr] = v
            else:
                saved.append((d, attr, _MISSING))
                d[attr] = v
        yield
    finally:
        for d, attr, old in reversed(saved):
            if old is _MISSING:
                d.pop(attr, None)
            else:
                d[attr] = old


_MISSING = object()


def _is_attr(module, name):
    try:
        m, attr = _resolve(module, name)
    except AttributeError:
        return False
    return attr in m.__dict__


def functional_call(module, parameter_and_buffer_dicts, args=None, kwargs=None, *,
                    tie_weights=True, strict=False):
    """Call ``module`` with its parameters and buffers replaced by the given tensors (one dict
    or a sequence of dicts); the module itself is unchanged afterwards."""
    if isinstance(parameter_and_buffer_dicts, dict):
        values = parameter_and_buffer_dicts
    elif isinstance(parameter_and_buffer_dicts, (list, tuple)):
        keys = [k for d in parameter_and_buffer_dicts for k in d]
        dup = sorted({k for k in keys if keys.count(k) > 1})
        if dup:
            raise ValueError(f"{dup} appeared in multiple dictionaries; behavior of functional "
                             "call is ambiguous")
        values = {k: v for d in parameter_and_buffer_dicts for k, v in d.items()}
    else:
        raise ValueError(f"Expected parameter_and_buffer_dicts to be a dict, or a list/tuple of "
                         f"dicts, but got {type(parameter_and_buffer_dicts)}")
    if kwargs is None:
        kwargs = {}
    if args is None:
        args = ()
    elif not isinstance(args, tuple):
        args = (args,)
    with reparametrize(module, values, tie_weights=tie_weights, strict=strict):
        return module(*args, **kwargs)


def _stacked_leaf(tensors, name):
    from .._ops.shape import stack
    all_rg = all(t.requires_grad for t in tensors)
    none_rg = all(not t.requires_grad for t in tensors)
    if not all_rg and not none_rg:
        raise RuntimeError(f"Expected {name} from each model to have the same .requires_grad")
    result = stack(tensors)
    if all_rg:
        result = result.detach().requires_grad_()
    return result


def stack_module_state(models):
    """``(params, buffers)``: each model's parameters and buffers stacked along a new first
    dimension (for ``vmap`` over an ensemble with ``functional_call``)."""
    if len(models) == 0:
        raise RuntimeError("stack_module_state: Expected at least one model, got 0.")
    if not (all(m.training for m in models) or all(not m.training for m in models)):
        raise RuntimeError("stack_module_state: Expected all models to have the same "
                           "training/eval mode.")
    t0 = type(models[0])
    if not all(type(m) is t0 for m in models):
        raise RuntimeError("stack_module_state: Expected all models to be of the same class.")
    all_params = [dict(m.named_parameters()) for m in models]
    params = {k: _stacked_leaf(tuple(p[k] for p in all_params), k) for k in all_params[0]}
    all_buffers = [dict(m.named_buffers()) for m in models]
    buffers = {k: _stacked_leaf(tuple(b[k] for b in all_buffers), k) for k in all_buffers[0]}
    return params, buffers
