"""torch.Tensor: state (storage + view, dtype, device, autograd metadata) and Python protocol.

No math lives here: every computation is an op of the op table (``jtorch/_ops``), whose
surfaces (``Tensor.add``, ``Tensor.add_``, ``__add__``, ...) are attached by the registry.
"""
from __future__ import annotations

import numpy as np

from . import _dtype
from ._device import device as _device_cls
from ._engine import core as engine
from ._classrepr import TorchClassRepr
from ._size import Size
from ._storage import Storage, UntypedStorage

__all__ = ["Tensor", "make", "is_tensor"]

CPU = _device_cls("cpu")
# C++ type names PyTorch uses in some messages
_CPP_NAMES = {_dtype.float32: "float", _dtype.float64: "double", _dtype.float16: "c10::Half",
              _dtype.bfloat16: "c10::BFloat16", _dtype.int64: "long int", _dtype.int32: "int",
              _dtype.int16: "short int", _dtype.int8: "signed char", _dtype.uint8: "unsigned char",
              _dtype.bool_: "bool", _dtype.complex64: "c10::complex<float>",
              _dtype.complex128: "c10::complex<double>", _dtype.uint16: "unsigned short",
              _dtype.uint32: "unsigned int", _dtype.uint64: "unsigned long",
              _dtype.float8_e4m3fn: "c10::Float8_e4m3fn", _dtype.float8_e5m2: "c10::Float8_e5m2"}
_tnew = object.__new__


def _contiguous_strides(shape):
    strides = []
    acc = 1
    for s in reversed(shape):
        strides.append(acc)
        acc *= s if s > 1 else 1
    return tuple(reversed(strides))


class Tensor(metaclass=TorchClassRepr):
    """A multi-dimensional array with PyTorch's semantics, backed by JAX.

    ``torch.Tensor(*sizes)`` and ``torch.Tensor(data)`` are the legacy constructors (float32);
    use ``torch.tensor``, ``torch.zeros`` etc. to create tensors.
    """

    __slots__ = ("_st", "_view", "_vc", "_vver", "_shape", "_dtype", "_stride", "_offset",
                 "_device", "_rg", "_fn", "_out_nr", "_ver", "_grad", "_base_", "_ag",
                 "__dict__", "__weakref__")

    def __new__(cls, *args, **kwargs):
        from ._ops.creation import legacy_tensor_new
        return legacy_tensor_new(cls, args, kwargs)

    def __init__(self, *args, **kwargs):
        pass

    # ---------------------------------------------------------------------------------------
    # values

    def _ref(self):
        """This tensor's value as an engine ref (concrete, or pending)."""
        st = self._st
        v = st.value
        view = self._view
        if view is None:
            if type(v) is np.ndarray:
                return st.snapshot()
            return v
        if type(v) is np.ndarray:
            from ._ops.view import read_chain_numpy
            return _snapshot(read_chain_numpy(v, view))
        if self._vver == st.version:
            return self._vc
        from ._ops.view import read_chain
        r = self._vc = read_chain(v, view)
        self._vver = st.version
        return r

    def _value(self):
        """The concrete jax array (a sync point if the value is pending)."""
        r = self._ref()
        if type(r) is engine.Pending:
            r = engine.materialize(r)
            st = self._st
            if self._view is None and st.value is not r and type(st.value) is engine.Pending \
                    and st.value.value is not None:
                st.value = st.value.value
        return r

    def _numpy_view(self):
        """A host numpy array with this tensor's values (read-only, may share memory)."""
        if self._device.type == "meta":
            raise NotImplementedError("Cannot copy out of meta tensor; no data!")
        st = self._st
        if type(st.value) is np.ndarray:
            if self._view is None:
                return st.value
            from ._ops.view import read_chain_numpy
            return read_chain_numpy(st.value, self._view)
        if self._view is not None and engine.jax_forbidden() and type(st.value) is not \
                engine.Pending:
            # a forked DataLoader worker cannot run JAX: read the view of a host value in NumPy
            from ._ops.view import read_chain_numpy
            return read_chain_numpy(np.asarray(st.value), self._view)
        return np.asarray(self._value())

    def _write(self, ref):
        """Set this tensor's value in place (``ref`` already has its shape and dtype)."""
        st = self._st
        view = self._view
        if view is None:
            st.set(ref)
        else:
            from ._ops.view import write_chain
            base = st.value
            if type(base) is np.ndarray:
                base = _snapshot(base)
            st.set(write_chain(base, view, ref))
            if type(st.value) is not np.ndarray:
                self._vc = ref
                self._vver = st.version
        self._ver[0] += 1

    # ---------------------------------------------------------------------------------------
    # metadata

    @property
    def shape(self):
        return tuple.__new__(Size, self._shape)

    @property
    def dtype(self):
        return self._dtype

    @property
    def device(self):
        return self._device

    @property
    def ndim(self):
        return len(self._shape)

    def dim(self):
        return len(self._shape)

    ndimension = dim

    def size(self, dim=None):
        if dim is None:
            return tuple.__new__(Size, self._shape)
        from ._ops._util import wrap_dim
        return self._shape[wrap_dim(dim, len(self._shape))]

    def numel(self):
        n = 1
        for s in self._shape:
            n *= s
        return n

    nelement = numel

    def element_size(self):
        return self._dtype.itemsize

    @property
    def itemsize(self):
        return self._dtype.itemsize

    @property
    def nbytes(self):
        return self.numel() * self._dtype.itemsize

    def stride(self, dim=None):
        s = self._stride
        if s is None:
            s = self._stride = _contiguous_strides(self._shape)
        if dim is None:
            return s
        from ._ops._util import wrap_dim
        return s[wrap_dim(dim, len(self._shape))]

    def storage_offset(self):
        return self._offset

    def is_contiguous(self, memory_format=None):
        s = self._stride
        if s is None:
            return True
        if 0 in self._shape:  # PyTorch: a tensor without elements is contiguous
            return True
        expected = 1
        for size, st in zip(reversed(self._shape), reversed(s)):
            if size == 1:
                continue
            if st != expected:
                return False
            expected *= size
        return True

    def data_ptr(self):
        if 0 in self._shape:  # PyTorch: a tensor without elements points nowhere
            return 0
        return self._st.data_ptr() + self._offset * self._dtype.itemsize

    def untyped_storage(self):
        return UntypedStorage(self._st, self._device)

    def is_floating_point(self):
        return self._dtype.is_floating_point

    def is_complex(self):
        return self._dtype.is_complex

    def is_signed(self):
        return self._dtype.is_signed

    @property
    def is_cuda(self):
        return self._device.type == "cuda"

    @property
    def is_cpu(self):
        return self._device.type == "cpu"

    @property
    def is_meta(self):
        return self._device.type == "meta"

    @property
    def is_sparse(self):
        return False

    @property
    def is_quantized(self):
        return False

    @property
    def is_mkldnn(self):
        return False

    @property
    def layout(self):
        from ._layout import strided
        return strided

    def get_device(self):
        return self._device.index if self._device.type == "cuda" else -1

    @property
    def T(self):
        """The tensor with its dims reversed (the transpose of a matrix)."""
        nd = len(self._shape)
        if nd != 2:
            import warnings
            warnings.warn(
                "Tensor.T is deprecated on 0-D tensors. This function is the identity in these "
                "cases." if nd == 0 else
                "The use of `x.T` on tensors of dimension other than 2 to reverse their shape is "
                "deprecated and it will throw an error in a future release. Consider `x.mT` to "
                "transpose batches of matrices or `x.permute(*torch.arange(x.ndim - 1, -1, -1))` "
                "to reverse the dimensions of a tensor.", UserWarning, stacklevel=2)
        from ._ops.view import PERMUTE, make_view
        return make_view(self, PERMUTE, (tuple(range(nd - 1, -1, -1)),))

    def _matrix_prop(self, name):
        """PyTorch's checks of the T-like properties; False for a 0-d tensor (an identity,
        deprecated)."""
        nd = len(self._shape)
        if nd == 0:
            import warnings
            hint = "This function is the identity in these cases." if name == "mT" else \
                "Consider using x.conj()."
            warnings.warn(f"Tensor.{name} is deprecated on 0-D tensors. {hint}", UserWarning,
                          stacklevel=3)
            return False
        if name == "H" and nd != 2:
            raise RuntimeError("tensor.H is only supported on matrices (2-D tensors). Got "
                               f"{nd}-D tensor." + (" For batches of matrices, consider using "
                                                    "tensor.mH" if nd > 2 else ""))
        if nd < 2:
            raise RuntimeError(f"tensor.{name} is only supported on matrices or batches of "
                               f"matrices. Got {nd}-D tensor.")
        return True

    @property
    def mT(self):
        """The transpose of the last two dims (batches of matrices)."""
        if not self._matrix_prop("mT"):
            return self
        return self.transpose(-2, -1)

    @property
    def H(self):
        """The conjugate transpose of a matrix."""
        if not self._matrix_prop("H"):
            return self.conj() if self._dtype.is_complex else self
        t = self.transpose(0, 1)
        return t.conj() if self._dtype.is_complex else t

    @property
    def mH(self):
        """The conjugate transpose of the last two dims."""
        if not self._matrix_prop("mH"):
            return self.conj() if self._dtype.is_complex else self
        t = self.transpose(-2, -1)
        return t.conj() if self._dtype.is_complex else t

    @property
    def real(self):
        from ._ops.pointwise import real
        return real(self)

    @property
    def imag(self):
        from ._ops.pointwise import imag
        return imag(self)

    @property
    def _version(self):
        return self._ver[0]

    @property
    def _base(self):
        return self._base_

    # ---------------------------------------------------------------------------------------
    # autograd state (the graph itself lives in jtorch.autograd)

    @property
    def requires_grad(self):
        return self._rg

    @requires_grad.setter
    def requires_grad(self, value):
        self._set_requires_grad(value, "only Tensors of floating point and complex dtype can "
                                       "require gradients")

    def requires_grad_(self, requires_grad=True):
        """Set whether autograd records operations on this (leaf) tensor; returns self."""
        return self._set_requires_grad(requires_grad, "only Tensors of floating point dtype can "
                                                      "require gradients")

    def _set_requires_grad(self, requires_grad, dtype_msg=(
            "Only Tensors of floating point and complex dtype can require gradients")):
        # PyTorch words the dtype error differently for the setter, requires_grad_() and the
        # factories' requires_grad=True (the default message)
        requires_grad = bool(requires_grad)
        if self._fn is not None:
            if not requires_grad:
                raise RuntimeError(
                    "you can only change requires_grad flags of leaf variables. If you want to use "
                    "a computed variable in a subgraph that doesn't require differentiation use "
                    "var_no_grad = var.detach().")
            return self
        if requires_grad and not (self._dtype.is_floating_point or self._dtype.is_complex):
            raise RuntimeError(dtype_msg)
        self._rg = requires_grad
        return self

    @property
    def is_leaf(self):
        return self._fn is None

    @property
    def grad_fn(self):
        return self._fn

    @property
    def grad(self):
        if self._fn is not None and not self.retains_grad:
            import warnings
            warnings.warn(
                "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its "
                ".grad attribute won't be populated during autograd.backward(). If you indeed want "
                "the .grad field to be populated for a non-leaf Tensor, use .retain_grad() on the "
                "non-leaf Tensor. If you access the non-leaf Tensor by mistake, make sure you "
                "access the leaf Tensor instead. See github.com/pytorch/pytorch/pull/30531 for "
                "more information. (Triggered internally at "
                "/__w/pytorch/pytorch/build/aten/src/ATen/core/TensorBody.h:493.)", UserWarning,
                stacklevel=2)
        return self._grad

    @grad.setter
    def grad(self, value):
        if value is not None:
            if not isinstance(value, Tensor):
                raise TypeError(f"assigned grad expected to be a Tensor or None but got grad of "
                                f"type {type(value).__name__}")
            if value._dtype is not self._dtype:
                raise RuntimeError(
                    f"attempting to assign a gradient with dtype '{_CPP_NAMES[value._dtype]}' to a "
                    f"tensor with grad_dtype '{_dtype._short(self._dtype)}'. The gradient must "
                    "match the tensor's grad_dtype (defaults to the tensor's dtype). You can set "
                    "the tensor's grad_dtype attribute with a specific dtype, or None to allow any "
                    "dtype. Set grad_dtype with caution. Diverging the dtypes of a tensor and its "
                    "gradient may break downstream systems that assume they match.")
            if value._shape != self._shape:
                raise RuntimeError(
                    f"attempting to assign a gradient of size '[{', '.join(map(str, value._shape))}]'"
                    f" to a tensor of size '[{', '.join(map(str, self._shape))}]'. Please ensure "
                    "that the gradient and the tensor are the same size")
        self._grad = value

    @grad.deleter
    def grad(self):
        self._grad = None

    @property
    def retains_grad(self):
        ag = self._ag
        return ag is not None and ag.retains_grad

    def retain_grad(self):
        """Populate ``.grad`` for this non-leaf tensor during backward."""
        from .autograd.graph import autograd_meta, retain_grad
        if not self._rg:
            raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
        if self._fn is None:
            return
        autograd_meta(self).retains_grad = True
        retain_grad(self)

    def register_hook(self, hook):
        """Register a hook called with this tensor's gradient; it may return a replacement."""
        from .autograd.graph import register_tensor_hook
        return register_tensor_hook(self, hook)

    def backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None):
        """Compute the gradient of this tensor w.r.t. graph leaves (accumulated in ``.grad``)."""
        from .autograd import backward
        backward(self, gradient, retain_graph, create_graph, inputs=inputs)

    @property
    def data(self):
        """This tensor detached from autograd, sharing storage (not the version counter)."""
        t = _alias(self)
        t._ver = [self._ver[0]]
        return t

    @data.setter
    def data(self, value):
        if not isinstance(value, Tensor):
            raise TypeError(f"data must be a Tensor, not {type(value).__name__}")
        _assign_storage(self, value)

    def detach(self):
        """A new tensor sharing this one's storage, outside the autograd graph."""
        return _alias(self)

    def detach_(self):
        """Detach this tensor from the graph that created it, making it a leaf."""
        if self._base_ is not None:
            raise RuntimeError(
                "Can't detach views in-place. Use detach() instead. If you are using "
                "DistributedDataParallel (DDP) for training, and gradient_as_bucket_view is set "
                "as True, gradients are views of DDP buckets, and hence detach_() cannot be called "
                "on these gradients. To fix this error, please refer to the Optimizer.zero_grad() "
                "function in torch/optim/optimizer.py as the solution.")
        self._fn = None
        self._rg = False
        return self

    # ---------------------------------------------------------------------------------------
    # Python protocol

    def __repr__(self, *, tensor_contents=None):
        from ._tensor_str import tensor_repr
        return tensor_repr(self)

    def __str__(self):
        return self.__repr__()

    def __format__(self, spec):
        if len(self._shape) == 0:
            return self.item().__format__(spec)
        return object.__format__(self, spec)

    def __len__(self):
        if not self._shape:
            raise TypeError("len() of a 0-d tensor")
        return self._shape[0]

    def __iter__(self):
        if not self._shape:
            raise TypeError("iteration over a 0-d tensor")
        return iter(self.unbind(0))

    def __hash__(self):
        return id(self)

    def __bool__(self):
        if self.numel() != 1:
            raise RuntimeError(f"Boolean value of Tensor with more than one value is ambiguous"
                               if self.numel() > 1 else
                               "Boolean value of Tensor with no values is ambiguous")
        return bool(self._item_view())

    def __int__(self):
        self._check_scalar("int")
        return int(self._item_view())

    def __float__(self):
        self._check_scalar("float")
        return float(self._item_view())

    def __complex__(self):
        self._check_scalar("complex")
        return complex(self._item_view())

    def __index__(self):
        if self._dtype.is_floating_point or self._dtype.is_complex or self.numel() != 1:
            raise TypeError("only integer tensors of a single element can be converted to an "
                            "index")
        return int(self._item_view())

    def _item_view(self):
        if self._device.type == "meta":
            raise RuntimeError("Tensor.item() cannot be called on meta tensors")
        return self._numpy_view().reshape(())

    def _check_scalar(self, what):
        # int()/float()/complex() raise ValueError in PyTorch; item() a RuntimeError
        if self.numel() != 1:
            raise ValueError("only one element tensors can be converted to Python scalars")

    def item(self):
        """The value of a one-element tensor as a Python number (a sync point)."""
        if self.numel() != 1:
            raise RuntimeError(f"a Tensor with {self.numel()} elements cannot be converted to "
                               "Scalar")
        return self._item_view().item()

    def tolist(self):
        """The values as (nested) Python lists of numbers (a sync point)."""
        a = self._numpy_view()
        if self._dtype is _dtype.bfloat16 or self._dtype is _dtype.float16:
            a = a.astype(np.float32)
        return a.tolist()

    def numpy(self, *, force=False):
        """A numpy array sharing memory with this CPU tensor (changes show in both)."""
        if not force:
            if self._rg:
                raise RuntimeError("Can't call numpy() on Tensor that requires grad. Use "
                                   "tensor.detach().numpy() instead.")
            if self._device.type != "cpu":
                d = self._device
                name = f"cuda:{d.index or 0}" if d.type == "cuda" else str(d)
                raise TypeError(f"can't convert {name} device type tensor to numpy. Use "
                                "Tensor.cpu() to copy the tensor to host memory first.")
        if force:
            return np.array(self._numpy_view())
        if self._dtype is _dtype.bfloat16:
            raise TypeError("Got unsupported ScalarType BFloat16")
        st = self._st
        if type(st.value) is not np.ndarray:
            # from now on the storage lives in a numpy array the user may write to
            base = st.value
            st.value = np.array(engine.materialize(base))
            st.version += 1
        return self._numpy_view()

    def __array__(self, dtype=None, copy=None):
        a = self._numpy_view()
        if self._dtype is _dtype.bfloat16 and dtype is None:
            pass
        return a if dtype is None else a.astype(dtype, copy=False)

    def __array_wrap__(self, array, context=None, return_scalar=False):
        from ._ops.creation import from_numpy_copy
        return from_numpy_copy(array)

    __array_priority__ = 1000

    def __contains__(self, element):
        if isinstance(element, (Tensor, int, float, bool, complex)):
            return bool((self == element).any())
        raise RuntimeError(f"Tensor.__contains__ only supports Tensor or scalar, but you passed "
                           f"in a {type(element)}.")

    def __reversed__(self):
        return self.flip(0)

    def __deepcopy__(self, memo):
        if id(self) in memo:
            return memo[id(self)]
        from ._ops.creation import deepcopy_tensor
        new = deepcopy_tensor(self, memo)
        memo[id(self)] = new
        return new

    def __reduce_ex__(self, proto):
        from ._ops.creation import rebuild_tensor
        return (rebuild_tensor, (np.array(self._numpy_view()), self._dtype._name, self._rg))

    def __dir__(self):
        return sorted(set(super().__dir__()))

    def __getattr__(self, name):
        # reached only when normal lookup fails: a torch.Tensor API jtorch lacks raises
        # UnsupportedError (also an AttributeError, so hasattr stays False); others as Python
        from ._unsupported import attribute_error
        raise attribute_error("torch.Tensor", name, f"'{type(self).__name__}' object")


Tensor.__module__ = "jtorch"


def _snapshot(a):
    """A jax array copy of a numpy array (the user may change the numpy array afterwards)."""
    import jax.numpy as jnp
    with engine.x64(True):
        return jnp.array(a)


def is_tensor(obj) -> bool:
    """True if ``obj`` is a jtorch Tensor."""
    return isinstance(obj, Tensor)


def make(ref, shape, dtype, device=CPU, cls=Tensor):
    """A new tensor owning a new storage holding ``ref``."""
    t = _tnew(cls)
    t._st = Storage(ref)
    t._view = None
    t._vc = None
    t._vver = -1
    t._shape = shape
    t._dtype = dtype
    t._stride = None
    t._offset = 0
    t._device = device
    t._rg = False
    t._fn = None
    t._out_nr = 0
    t._ver = [0]
    t._grad = None
    t._base_ = None
    t._ag = None
    return t


def _alias(src, cls=Tensor):
    """A tensor sharing storage, view, metadata and version counter with ``src``; no autograd."""
    t = _tnew(cls)
    t._st = src._st
    t._view = src._view
    t._vc = src._vc
    t._vver = src._vver
    t._shape = src._shape
    t._dtype = src._dtype
    t._stride = src._stride
    t._offset = src._offset
    t._device = src._device
    t._rg = False
    t._fn = None
    t._out_nr = 0
    t._ver = src._ver
    t._grad = None
    t._base_ = None
    t._ag = None
    return t


def _assign_storage(dst, src):
    """``dst.data = src``: dst now shares src's storage and metadata (autograd state kept)."""
    dst._st = src._st
    dst._view = src._view
    dst._vc = src._vc
    dst._vver = src._vver
    dst._shape = src._shape
    dst._dtype = src._dtype
    dst._stride = src._stride
    dst._offset = src._offset
    dst._device = src._device
