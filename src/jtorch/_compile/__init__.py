"""Tracing jtorch code into JAX programs: the machinery shared by ``torch.compile``,
``torch.func`` and ``jtorch.interop``.

``state`` finds the tensors a function reads besides its arguments (module parameters and
buffers, tensors it closes over) and swaps their values for tracers while JAX traces it;
``program`` turns one traced signature into an engine ``Op`` running the traced jaxpr, so the
result joins jtorch's lazy graph and autograd like any other op.
"""
