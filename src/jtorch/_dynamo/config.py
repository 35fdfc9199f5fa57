"""torch._dynamo.config: the settings jtorch's torch.compile reads."""
from __future__ import annotations

# compiled signatures per function before new ones run uncompiled (PyTorch's default: 8)
recompile_limit = 8
cache_size_limit = 8
accumulated_recompile_limit = 256
# False makes every compiled function run uncompiled
enabled = True
suppress_errors = False
verbose = False
capture_scalar_outputs = False
capture_dynamic_output_shape_ops = False
automatic_dynamic_shapes = True
assume_static_by_default = True
