"""nn.DataParallel: one process, the batch split over this process's GPUs.

Each forward splits the inputs along ``dim`` into one chunk per device, copies the module's
parameters to each device (differentiable copies, so gradients flow back to the originals),
runs the chunks, and concatenates the outputs on ``output_device``.  JAX runs each device's
part; gradients summed on ``device_ids[0]`` equal single-device training on the whole batch.
Without GPUs it calls the module directly, as PyTorch does.
"""
from __future__ import annotations

from ... import _devices
from ..modules.module import Module

__all__ = ["DataParallel", "data_parallel"]


def _device(d):
    from ... import device
    if isinstance(d, int):
        return device("cuda", d)
    d = device(d)
    return device("cuda", d.index or 0) if d.type == "cuda" else d


def _scatter(obj, devices, dim):
    """One copy of ``obj`` per device: tensors split along ``dim``, the rest repeated."""
    from ... import Tensor
    if isinstance(obj, Tensor):
        chunks = obj.chunk(len(devices), dim)
        return [c.to(d) for c, d in zip(chunks, devices)]
    if isinstance(obj, (list, tuple)) and obj:
        parts = [_scatter(o, devices, dim) for o in obj]
        n = min(len(p) for p in parts)
        return [type(obj)(p[i] for p in parts) if not hasattr(obj, "_fields")
                else type(obj)(*(p[i] for p in parts)) for i in range(n)]
    if isinstance(obj, dict) and obj:
        parts = {k: _scatter(v, devices, dim) for k, v in obj.items()}
        n = min(len(p) for p in parts.values())
        return [type(obj)((k, v[i]) for k, v in parts.items()) for i in range(n)]
    return [obj] * len(devices)


def _gather(outputs, device, dim):
    from ... import Tensor, cat
    first = outputs[0]
    if isinstance(first, Tensor):
        if first.dim() == 0:
            from ... import stack
            return stack([o.to(device) for o in outputs])
        return cat([o.to(device) for o in outputs], dim)
    if first is None:
        return None
    if isinstance(first, dict):
        return type(first)((k, _gather([o[k] for o in outputs], device, dim)) for k in first)
    if isinstance(first, (list, tuple)):
        items = [_gather(list(x), device, dim) for x in zip(*outputs)]
        return type(first)(*items) if hasattr(first, "_fields") else type(first)(items)
    return outputs


class DataParallel(Module):
    """Split the batch over ``device_ids`` (default: every GPU) in one process.

    Args:
        module: the module, on ``device_ids[0]``.
        device_ids: GPU indices or devices.
        output_device: where outputs are gathered (``device_ids[0]``).
        dim: the batch dimension (0).
    """

    def __init__(self, module, device_ids=None, output_device=None, dim=0):
        super().__init__()
        self.module = module
        self.dim = dim
        if not _devices.cuda_available():
            self.device_ids = []
            self.output_device = None
            self.src_device_obj = None
            return
        if device_ids is None:
            device_ids = list(range(len(_devices.cuda_devices())))
        self.device_ids = [_device(d).index for d in device_ids]
        if output_device is None:
            output_device = self.device_ids[0]
        self.output_device = _device(output_device)
        self.src_device_obj = _device(self.device_ids[0])

    def forward(self, *inputs, **kwargs):
        if not self.device_ids:
            return self.module(*inputs, **kwargs)
        src = self.src_device_obj
        for t in list(self.module.parameters()) + list(self.module.buffers()):
            if t.device != src:
                raise RuntimeError(f"module must have its parameters and buffers on device "
                                   f"{src} (device_ids[0]) but found one of them on device: "
                                   f"{t.device}")
        devices = [_device(i) for i in self.device_ids]
        args = _scatter(tuple(inputs), devices, self.dim) if inputs else []
        kws = _scatter(kwargs, devices, self.dim) if kwargs else []
        n = max(len(args), len(kws))
        if n == 0:
            args, kws, n = [()], [{}], 1
        args = args or [()] * n
        kws = kws or [{}] * n
        if n == 1:
            return self.module(*args[0], **kws[0])
        from ...func import functional_call
        state = dict(self.module.named_parameters())
        state.update(self.module.named_buffers())
        outputs = []
        for i in range(n):
            if devices[i] == src:
                outputs.append(self.module(*args[i], **kws[i]))
                continue
            replica = {k: v.to(devices[i]) for k, v in state.items()}
            outputs.append(functional_call(self.module, replica, tuple(args[i]), kws[i]))
        return _gather(outputs, self.output_device, self.dim)


def data_parallel(module, inputs, device_ids=None, output_device=None, dim=0,
                  module_kwargs=None):
    """The functional form of ``DataParallel``: one forward of ``module`` over devices."""
    if not isinstance(inputs, tuple):
        inputs = (inputs,) if inputs is not None else ()
    return DataParallel(module, device_ids, output_device, dim)(*inputs, **(module_kwargs or {}))
