"""torch.autograd.Function: user-defined forward/backward pairs.

``forward`` runs without recording; the outputs get a node whose backward calls the user's
``backward`` (with jtorch ops, so it is recorded/compiled like the rest of the backward pass).
"""
from __future__ import annotations

import functools

from . import grad_mode
from .graph import _acc_node, _FREED_MSG, _NodeBase

__all__ = ["Function", "FunctionCtx", "once_differentiable", "BackwardCFunction"]


class FunctionCtx:
    """The ``ctx`` object handed to ``forward``/``setup_context``/``backward``."""

    def __init__(self):
        self._saved = None
        self._saved_versions = None
        self._freed = False
        self.needs_input_grad = ()
        self._non_differentiable = set()
        self._materialize_grads = True
        self._dirty = set()
        self.saved_for_forward = ()

    def save_for_backward(self, *tensors):
        """Save tensors for ``backward`` (they are checked for in-place changes)."""
        from .._tensor import Tensor
        for t in tensors:
            if t is not None and not isinstance(t, Tensor):
                raise TypeError("save_for_backward can only save variables, but argument "
                                f"{tensors.index(t)} is of type {type(t).__name__}")
        self._saved = tensors
        self._saved_versions = tuple(None if t is None else (t._ver, t._ver[0]) for t in tensors)

    def save_for_forward(self, *tensors):
        self.saved_for_forward = tensors

    @property
    def saved_tensors(self):
        if self._freed:
            raise RuntimeError(_FREED_MSG)
        if self._saved is None:
            return ()
        for t, v in zip(self._saved, self._saved_versions):
            if v is not None and v[0][0] != v[1]:
                raise RuntimeError(
                    "one of the variables needed for gradient computation has been modified by "
                    f"an inplace operation: [torch.{t._dtype._legacy} "
                    f"[{', '.join(map(str, t._shape))}]] is at version {v[0][0]}; expected "
                    f"version {v[1]} instead. Hint: enable anomaly detection to find the "
                    "operation that failed to compute its gradient, with "
                    "torch.autograd.set_detect_anomaly(True, check_nan=False).")
        return self._saved

    saved_variables = saved_tensors

    def mark_non_differentiable(self, *tensors):
        self._non_differentiable.update(id(t) for t in tensors)

    def mark_dirty(self, *tensors):
        self._dirty.update(id(t) for t in tensors)

    def set_materialize_grads(self, value):
        self._materialize_grads = bool(value)


class BackwardCFunction(_NodeBase):
    """The grad_fn of a custom Function's outputs (its class name is ``<Name>Backward``)."""

    _forward_cls = None

    def __init__(self, ctx, edges, n_inputs, tensor_positions, outputs_meta):
        self._ctx = ctx
        self._edges = edges
        self._n_inputs = n_inputs
        self._tpos = tensor_positions
        self._outputs_meta = outputs_meta  # (shape, dtype, device) of each output
        self._hooks = None
        self._pre_hooks = None
        self._tensor_hooks = None
        self._retained = None
        self.metadata = {}


    @property
    def saved_tensors(self):
        return self._ctx.saved_tensors

    def _n_outputs(self):
        return len(self._outputs_meta)

    def _apply(self, cts, create_graph):
        from .._ops.creation import zeros
        ctx = self._ctx
        if ctx._materialize_grads:
            cts = [c if c is not None else zeros(*m[0], dtype=m[1], device=m[2])
                   for c, m in zip(cts, self._outputs_meta)]
        prev = grad_mode.state.enabled
        grad_mode.state.enabled = create_graph
        try:
            grads = self._forward_cls.backward(ctx, *cts)
        finally:
            grad_mode.state.enabled = prev
        if not isinstance(grads, tuple):
            grads = (grads,)
        if len(grads) != self._n_inputs:
            if len(grads) > self._n_inputs and all(g is None for g in grads[self._n_inputs:]):
                grads = grads[:self._n_inputs]
            else:
                raise RuntimeError(f"function {type(self).__name__} returned an incorrect number "
                                   f"of gradients (expected {self._n_inputs}, got {len(grads)})")
        out = [None] * len(self._edges)
        for pos, k in self._tpos.items():
            out[k] = grads[pos]
        return out

    def _release(self):
        self._ctx._freed = True

    def __call__(self, *grads):
        return self._apply(list(grads), False)


class _FunctionMeta(type):
    """Gives each Function subclass its backward node class, named ``<Name>Backward``."""

    def __init__(cls, name, bases, attrs):
        cls._backward_cls = type(name + "Backward", (BackwardCFunction,),
                                 {"_forward_cls": cls})
        super().__init__(name, bases, attrs)


class Function(metaclass=_FunctionMeta):
    """Base class for custom autograd operations.

    Define ``forward(ctx, *args)`` (or ``forward(*args)`` plus ``setup_context(ctx, inputs,
    output)``) and ``backward(ctx, *grad_outputs)`` as static methods, and call ``apply``.
    """

    def __init__(self, *args, **kwargs):
        import warnings
        warnings.warn(f"{type(self)} should not be instantiated. Methods on autograd functions "
                      "are all static, so you should invoke them on the class itself. "
                      "Instantiating an autograd function will raise an error in a future version "
                      "of PyTorch.", DeprecationWarning, stacklevel=2)

    @staticmethod
    def forward(*args, **kwargs):
        raise NotImplementedError("You must implement the forward function for custom "
                                  "autograd.Function.")

    @staticmethod
    def setup_context(ctx, inputs, output):
        raise NotImplementedError("setup_context is not implemented.")

    @staticmethod
    def backward(ctx, *grad_outputs):
        raise NotImplementedError("You must implement either the backward or vjp method for your "
                                  "custom autograd.Function to use it with backward mode AD.")

    vjp = backward

    @staticmethod
    def jvp(ctx, *grad_inputs):
        raise NotImplementedError("You must implement the jvp function for custom "
                                  "autograd.Function to use it with forward mode AD.")

    @classmethod
    def apply(cls, *args, **kwargs):
        from .._tensor import Tensor
        ctx = FunctionCtx()
        tensor_args = [(i, a) for i, a in enumerate(args) if isinstance(a, Tensor)]
        ctx.needs_input_grad = tuple(isinstance(a, Tensor) and a._rg for a in args)
        uses_setup = cls.setup_context is not Function.setup_context
        prev = grad_mode.state.enabled
        grad_mode.state.enabled = False
        try:
            if uses_setup:
                output = cls.forward(*args, **kwargs)
                cls.setup_context(ctx, args, output)
            else:
                output = cls.forward(ctx, *args, **kwargs)
        finally:
            grad_mode.state.enabled = prev
        from .. import _dispatch
        if _dispatch.forward_ad_hook is not None:  # forward-mode AD: the Function's jvp
            from .forward_ad import function_jvp
            function_jvp(cls, ctx, args, output)
        if not (prev and any(a._rg for _, a in tensor_args)):
            return output
        multi = isinstance(output, tuple)
        outs = output if multi else (output,)
        edges = []
        tpos = {}
        for i, a in tensor_args:
            tpos[i] = len(edges)
            if a._rg:
                edges.append((a._fn, a._out_nr) if a._fn is not None else (_acc_node(a), 0))
            else:
                edges.append(None)
        meta = tuple((o._shape, o._dtype, o._device) if isinstance(o, Tensor) else ((), None, None)
                     for o in outs)
        node = cls._backward_cls(ctx, tuple(edges), len(args), tpos, meta)
        new_outs = []
        input_ids = {id(a) for _, a in tensor_args}
        for nr, o in enumerate(outs):
            if not isinstance(o, Tensor):
                new_outs.append(o)
                continue
            if id(o) in input_ids and id(o) not in ctx._dirty:
                # an input returned as-is becomes a new alias carrying this node
                from .._tensor import _alias
                o = _alias(o)
            if id(o) in ctx._non_differentiable or not (o._dtype.is_floating_point or
                                                         o._dtype.is_complex):
                o._rg = False
                new_outs.append(o)
                continue
            o._fn = node
            o._out_nr = nr
            o._rg = True
            new_outs.append(o)
        return tuple(new_outs) if multi else new_outs[0]


def once_differentiable(fn):
    """Decorate a backward that is not itself differentiable (runs under no_grad)."""

    @functools.wraps(fn)
    def wrapper(ctx, *args):
        with grad_mode.no_grad():
            return fn(ctx, *args)

    return wrapper

