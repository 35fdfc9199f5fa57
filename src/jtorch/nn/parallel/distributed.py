"""nn.parallel.DistributedDataParallel: data parallelism across processes.

Each process holds a replica of the module; construction broadcasts rank 0's parameters and
buffers, and the backward pass that follows a forward ends with the gradients averaged over
the process group — one flat ``all_reduce`` per dtype ("one bucket").  N processes on batches
of B therefore take the same steps as one process on the global batch of N*B (for a loss that
is a mean over the batch), and the optimizer step stays one compiled program per process.
"""
from __future__ import annotations

import contextlib

from ... import distributed as dist
from ...autograd import is_grad_enabled, no_grad
from ...autograd._backward import queue_callback
from ..modules.module import Module

__all__ = ["DistributedDataParallel"]


def _flat(tensors):
    from ... import cat
    return cat([t.reshape(-1) for t in tensors])


def _by_dtype(tensors):
    groups = {}
    for t in tensors:
        groups.setdefault((t.dtype, t.device), []).append(t)
    return groups.values()


def _broadcast_coalesced(tensors, pg, src=0):
    """Copy rank ``src``'s values of ``tensors`` into them on every rank (one op per dtype)."""
    with no_grad():
        for group in _by_dtype(tensors):
            flat = _flat(group)
            dist.broadcast(flat, src=src, group=pg)
            start = 0
            for t in group:
                n = t.numel()
                t.copy_(flat[start:start + n].view(t.shape))
                start += n


class DistributedDataParallel(Module):
    """Wrap ``module`` so that gradients are averaged across the processes of
    ``process_group`` after each backward pass.

    Args:
        module: the module to replicate (its parameters are broadcast from rank 0).
        device_ids: for a module on one GPU, ``[its index]``; None for CPU modules.
        broadcast_buffers: broadcast rank 0's buffers before each forward (default True).
        process_group: the group to average over (the default group if None).
        find_unused_parameters: accepted; parameters without a gradient count as zeros.

    ``no_sync()`` skips the averaging (gradients accumulate locally; the next synchronized
    backward averages the accumulated gradients).

    Differences from PyTorch: ``bucket_cap_mb`` is ignored (one bucket per dtype, reduced
    after the backward pass rather than overlapped with it); communication hooks and
    ``join()`` are not supported.
    """

    def __init__(self, module, device_ids=None, output_device=None, dim=0,
                 broadcast_buffers=True, init_sync=True, process_group=None,
                 bucket_cap_mb=None, find_unused_parameters=False, check_reduction=False,
                 gradient_as_bucket_view=False, static_graph=False,
                 delay_all_reduce_named_params=None, param_to_hook_all_reduce=None, mixed_precision=None, device_mesh=None,
                 skip_all_reduce_unused_params=False):
        super().__init__()
        if device_mesh is not None:
            raise NotImplementedError("DistributedDataParallel(device_mesh=...) is not "
                                      "supported by jtorch")
        params = [p for p in module.parameters() if p.requires_grad]
        if not params:
            raise RuntimeError("DistributedDataParallel is not needed when a module doesn't "
                               "have any parameter that requires a gradient.")
        devices = {p.device for p in module.parameters()}
        if (device_ids or output_device is not None) and \
                any(d.type == "cpu" for d in devices):
            raise ValueError(
                "DistributedDataParallel device_ids and output_device arguments only work with "
                "single-device/multiple-device GPU modules or CPU modules, but got device_ids "
                f"{device_ids}, output_device {output_device}, and module parameters "
                f"{ {d for d in devices} }.")
        self.module = module
        self.device_ids = list(device_ids) if device_ids else None
        self.output_device = output_device
        self.dim = dim
        self.broadcast_buffers = broadcast_buffers
        self.process_group = process_group if process_group is not None else \
            dist.distributed_c10d._default()
        self.find_unused_parameters = find_unused_parameters
        self.gradient_as_bucket_view = gradient_as_bucket_view
        self.static_graph = static_graph
        self.require_backward_grad_sync = True
        self.require_forward_param_sync = True
        self._sync_pending = False
        if init_sync:
            _broadcast_coalesced(list(module.parameters()) + list(module.buffers()),
                                 self.process_group)

    # ------------------------------------------------------------------------------------

    def forward(self, *inputs, **kwargs):
        if self.broadcast_buffers and self.require_forward_param_sync:
            buffers = list(self.module.buffers())
            if buffers and self.process_group.size() > 1:
                _broadcast_coalesced(buffers, self.process_group)
        if is_grad_enabled() and self.require_backward_grad_sync and not self._sync_pending:
            self._sync_pending = True
            queue_callback(self._average_gradients)
        return self.module(*inputs, **kwargs)

    def _average_gradients(self):
        """Average .grad over the group: the end of the backward pass after a forward."""
        from ... import zeros_like
        self._sync_pending = False
        pg = self.process_group
        n = pg.size()
        params = [p for p in self.module.parameters() if p.requires_grad]
        if n == 1 or not any(p.grad is not None for p in params):
            return
        with no_grad():
            for group in _by_dtype(params):
                flat = _flat([p.grad if p.grad is not None else zeros_like(p) for p in group])
                dist.all_reduce(flat, group=pg)
                flat = flat / n
                start = 0
                for p in group:
                    k = p.numel()
                    g = flat[start:start + k].view(p.shape)
                    start += k
                    if p.grad is None:
                        p.grad = g.clone()
                    else:
                        p.grad.copy_(g)

    @contextlib.contextmanager
    def no_sync(self):
        """Inside, backward passes accumulate gradients locally without averaging."""
        old = self.require_backward_grad_sync
        self.require_backward_grad_sync = False
        try:
            yield
        finally:
            self.require_backward_grad_sync = old

    def register_comm_hook(self, state, hook):
        raise NotImplementedError("DistributedDataParallel.register_comm_hook is not supported "
                                  "by jtorch")

    def join(self, divide_by_initial_world_size=True, enable=True,
             throw_on_early_termination=False):
        raise NotImplementedError("DistributedDataParallel.join is not supported by jtorch")

    def _set_static_graph(self):
        self.static_graph = True
