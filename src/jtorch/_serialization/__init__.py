"""The machinery behind ``jtorch.save`` / ``jtorch.load`` (see ``jtorch.serialization``).

``archive``    PyTorch's zip container: writing records straight from NumPy buffers, reading
               storages as NumPy views of the (memory-mapped) file.
``pickler``    the pickler that writes PyTorch's global names for tensors, dtypes and devices.
``unpickler``  the restricted (weights-only) and full unpicklers, storages and map_location.
``legacy``     PyTorch's pre-1.6 formats (the pickle stream; the tar format is refused).
"""
