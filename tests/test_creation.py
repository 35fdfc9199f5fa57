"""Creation ops against PyTorch: factories (sizes, dtypes, errors), ranges, eye, complex/polar,
torch.tensor's data conversion, as_tensor/from_numpy sharing, new_* and legacy constructors."""
import warnings

import numpy as np
import pytest

import jtorch
from oracle import check, check_grad, needs_torch


def run_expr(expr, **kw):
    def fn(lib):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            r = eval(expr, {"torch": lib, "np": np})
        if isinstance(r, type):
            return repr(r).replace("jtorch", "torch")
        if type(r).__name__ in ("tensortype",) or repr(r).startswith("<class"):
            return repr(r).replace("jtorch", "torch")
        return r
    return check(fn, message=True, **kw)


FACTORIES = [
    'torch.zeros(2,3)', 'torch.zeros((2,3))', 'torch.zeros([2,3])',
    'torch.zeros(torch.Size([2,3]))', 'torch.zeros(())', 'torch.zeros([])', 'torch.zeros()',
    'torch.zeros(0)', 'torch.zeros(-1)', 'torch.zeros(2,-3)', 'torch.zeros(2.5)',
    'torch.zeros((2,2.5))', "torch.zeros('a')", 'torch.zeros(2,dtype=torch.int32)',
    'torch.zeros(2,dtype=int)', 'torch.zeros(2,dtype=float)', 'torch.zeros(2,dtype=np.float64)',
    "torch.zeros(2,dtype='float32')", 'torch.zeros(np.int64(2))', 'torch.zeros(torch.tensor(2))',
    'torch.zeros(torch.tensor([2,3]))', 'torch.zeros(2, requires_grad=True)',
    'torch.zeros(2, dtype=torch.int64, requires_grad=True)', 'torch.zeros((2,),(3,))',
    'torch.zeros(None)', 'torch.zeros(2,None)', 'torch.ones(2,3,dtype=torch.bool)',
    'torch.ones(2,dtype=torch.complex64)', 'torch.ones(size=(2,3))', 'torch.zeros(size=(2,))',
    'torch.empty(2,3).shape', 'torch.empty((0,))', 'torch.empty(-2)', 'torch.full((2,),3)',
    'torch.full((2,),3.)', 'torch.full((2,),True)', 'torch.full((2,),1+2j)',
    'torch.full((2,),3,dtype=torch.float16)', 'torch.full(2,3)',
    'torch.full([2,2],torch.tensor(2.))', 'torch.full((2,),np.float32(2))',
    'torch.full((2,),np.int32(2))', "torch.full((2,),float('nan'))", 'torch.full((-1,),1)',
    "torch.full((2,),'a')", 'torch.full((),5)', 'torch.full((2,),3,requires_grad=True)',
    'torch.full((2,),3.,requires_grad=True)', 'torch.full(size=(2,),fill_value=1)',
    'torch.zeros_like(torch.ones(2,dtype=torch.int32))',
    'torch.ones_like(torch.ones(2),dtype=torch.float64)',
    'torch.full_like(torch.ones(2,dtype=torch.int64),2.7)', 'torch.full_like(torch.ones(2),7)',
    'torch.empty_like(torch.ones(2,3).t()).stride()',
    'torch.zeros_like(torch.ones(2,3).t()).stride()',
    'torch.ones_like(torch.ones(2),requires_grad=True)', 'torch.zeros_like([1,2])',
    'torch.linspace(0,1,5)', 'torch.linspace(0,1,1)', 'torch.linspace(0,1,0)',
    'torch.linspace(0,1,-1)', 'torch.linspace(0,10,5,dtype=torch.int64)', 'torch.linspace(1,0,5)',
    'torch.linspace(0,1)', 'torch.linspace(0,1,steps=3)',
    'torch.linspace(torch.tensor(0.),torch.tensor(1.),3)',
    'torch.linspace(0,1,3,dtype=torch.float64)', 'torch.linspace(0,1,3,requires_grad=True)',
    'torch.linspace(0,1,3.5)', 'torch.linspace(-1,1,7)',
    'torch.linspace(0,1,3,dtype=torch.complex64)', 'torch.linspace(0,5,6,dtype=torch.int32)',
    'torch.linspace(0,7,4,dtype=torch.int64)', 'torch.linspace(3,-4,5,dtype=torch.int64)',
    'torch.logspace(0,2,3)', 'torch.logspace(0,2,3,base=2)', 'torch.logspace(0,2,3,2)',
    'torch.logspace(0,2,1)', 'torch.logspace(0,2,0)', 'torch.logspace(0,2,3,dtype=torch.int64)',
    'torch.logspace(-1,1,3,dtype=torch.float64)', 'torch.logspace(0,1,-1)',
    'torch.logspace(0,3,4,base=10.,dtype=torch.int32)', 'torch.eye(3)', 'torch.eye(2,3)',
    'torch.eye(3,2)', 'torch.eye(0)', 'torch.eye(-1)', 'torch.eye(2,-1)',
    'torch.eye(2,dtype=torch.int64)', 'torch.eye(2,dtype=torch.bool)',
    'torch.eye(2,requires_grad=True)', 'torch.eye(2.0)', 'torch.eye(n=2,m=3)',
    'torch.eye(3, out=torch.empty(2))',
    'torch.complex(torch.tensor([1.,2.]),torch.tensor([3.,4.]))',
    'torch.complex(torch.tensor([1.]),torch.tensor([3.],dtype=torch.float64))',
    'torch.complex(torch.tensor([1]),torch.tensor([3]))',
    'torch.complex(torch.tensor([1.],dtype=torch.float64),torch.tensor([3.],dtype=torch.float64))',
    'torch.complex(torch.tensor([1.,2.]),torch.tensor(3.))',
    'torch.complex(torch.tensor([1.,2.]),torch.tensor([3.,4.,5.]))', 'torch.complex(1.,2.)',
    'torch.polar(torch.tensor([1.,2.]),torch.tensor([0.,1.5707963]))',
    'torch.polar(torch.tensor([1]),torch.tensor([0]))',
    'torch.polar(torch.tensor([1.],dtype=torch.float64),torch.tensor([0.],dtype=torch.float64))',
    'torch.polar(torch.tensor([1.]),torch.tensor([0.],dtype=torch.float64))',
    'torch.empty_strided((2,3),(1,2)).stride()', 'torch.empty_strided((2,3),(3,1)).shape',
    'torch.empty_strided((2,3),(1,)).shape',
    'torch.empty_strided((2,3),(1,2),dtype=torch.int64).dtype',
    'torch.empty_strided((2,),(1,)).is_contiguous()',
    'torch.empty_strided((2,3),(1,2)).is_contiguous()', 'torch.empty_strided((2,-1),(1,2))',
    'torch.Tensor',
]


@needs_torch
@pytest.mark.parametrize("expr", FACTORIES)
def test_factories(expr):
    run_expr(expr)


DATA = [
    'torch.tensor(3)', 'torch.tensor(3.5)', 'torch.tensor(True)', 'torch.tensor(1+2j)',
    'torch.tensor([])', 'torch.tensor([[]])', 'torch.tensor([[],[]])', 'torch.tensor([1,2.5])',
    'torch.tensor([True,2])', 'torch.tensor([1,2j])', 'torch.tensor([True,False])',
    'torch.tensor([[1,2],[3]])', 'torch.tensor([[1,2],3])', 'torch.tensor([1,[2,3]])',
    "torch.tensor('a')", "torch.tensor(['a'])", "torch.tensor([1,'a'])", 'torch.tensor([1,None])',
    'torch.tensor(None)', 'torch.tensor([1,2],[3,4])', 'torch.tensor([1,2],torch.float32)',
    'torch.tensor([1,2],dtype=torch.float16)', 'torch.tensor([1.7,-2.7],dtype=torch.int64)',
    'torch.tensor([1,2],requires_grad=True)', 'torch.tensor([1.,2],requires_grad=True)',
    'torch.tensor([torch.tensor(1),torch.tensor(2)])', 'torch.tensor([torch.tensor(1.),2])',
    'torch.tensor([torch.tensor([1,2]),torch.tensor([3,4])])',
    'torch.tensor([np.float32(1.5),2])', 'torch.tensor([np.int32(1),2])',
    'torch.tensor(np.float32(1.5))', 'torch.tensor(np.int16(3))',
    'torch.tensor(np.array([1,2],dtype=np.int32))', 'torch.tensor(np.array(2.5))',
    'torch.tensor([np.array([1,2]),np.array([3,4])])',
    'torch.tensor(np.array([1,2],dtype=np.uint16))', "torch.tensor(np.array(['a']))",
    'torch.tensor(np.array([1,2],dtype=object))', 'torch.tensor([1,2],dtype=torch.bool)',
    'torch.tensor([0.5,0],dtype=torch.bool)', 'torch.tensor(2**63)', 'torch.tensor(2**64)',
    'torch.tensor(-2**63)', 'torch.tensor([2**63])', 'torch.tensor(1e300)',
    'torch.tensor(1e300,dtype=torch.float64)', 'torch.tensor([1e40])', 'torch.tensor(range(3))',
    'torch.tensor((1,2))', 'torch.tensor([(1,2),(3,4)])', 'torch.tensor([[1,2],(3,4)])',
    'torch.tensor(torch.tensor([1,2]))', 'torch.tensor(torch.tensor([1.,2],requires_grad=True))',
    'torch.tensor(3,dtype=torch.complex64)', "torch.tensor([1,2],device='cpu')",
    'torch.tensor(1,dtype=float)', 'torch.tensor(1,dtype=np.float32)',
    'torch.tensor([[1,2],[3,4]]).stride()', 'torch.tensor(np.ones((2,3)).T).stride()',
    'torch.tensor([1.5],dtype=torch.uint8)', 'torch.tensor([-1],dtype=torch.uint8)',
    'torch.tensor([300],dtype=torch.uint8)', "torch.tensor(float('nan'),dtype=torch.int64)",
    'torch.tensor([[1,2],[3,4]],dtype=torch.float64).dtype', 'torch.tensor({1:2})',
    'torch.tensor({1,2})', 'torch.tensor([1,2,3][::2])',
    'torch.tensor(np.arange(6).reshape(2,3)[:,::2])', "torch.tensor(bytearray(b'ab'))",
    'torch.as_tensor([1,2])', 'torch.as_tensor([1,2],dtype=torch.float32)',
    'torch.as_tensor(np.array([1,2]))', 'torch.as_tensor(np.array([1,2]),dtype=torch.float32)',
    'torch.as_tensor(3.5)', 'torch.as_tensor(torch.tensor([1,2]),dtype=torch.float32)',
    'torch.from_numpy([1,2])', 'torch.from_numpy(np.array([1,2],dtype=np.float16))',
    "torch.from_numpy(np.array(['a']))", 'torch.from_numpy(np.array(3.0))',
    'torch.from_numpy(np.ones((2,3)).T).stride()',
    'torch.from_numpy(np.ones((2,3))[:, ::2]).stride()', 'torch.tensor([1,2]).new_tensor([3.,4])',
    'torch.tensor([1.,2]).new_tensor([3,4])', 'torch.tensor([1,2]).new_zeros(2,3)',
    'torch.tensor([1,2]).new_zeros((2,3))',
    'torch.tensor([1,2]).new_zeros([2,3],dtype=torch.float32)',
    'torch.tensor([1.,2]).new_ones(3,requires_grad=True)',
    'torch.tensor([1,2]).new_full((2,),3.5)',
    'torch.tensor([1,2]).new_full((2,),3.5,dtype=torch.float64)',
    'torch.tensor([1,2]).new_empty(2).shape', 'torch.tensor([1.,2]).new_zeros(())',
    'torch.tensor([1.,2]).new_zeros()', 'torch.Tensor(3).shape', 'torch.Tensor([1,2])',
    'torch.Tensor(2,3).shape', 'torch.Tensor()', 'torch.Tensor((2,3))',
    'torch.Tensor(torch.Size([2,3])).shape', 'torch.Tensor([[1,2],[3,4]]).dtype',
    'torch.Tensor(np.array([1,2]))', 'torch.Tensor(2.5)', "torch.Tensor('a')",
    'torch.Tensor(torch.tensor([1.,2]))', 'torch.Tensor(torch.tensor([1,2]))',
    'torch.Tensor([1,2],[3])', 'torch.FloatTensor(2,3).shape', 'torch.FloatTensor([1,2])',
    'torch.LongTensor([1,2])', 'torch.LongTensor(2).shape', 'torch.LongTensor([1.7])',
    'torch.DoubleTensor([1])', 'torch.ByteTensor([1,2])', 'torch.BoolTensor([1,0])',
    'torch.IntTensor([1,2])', 'torch.HalfTensor([1])', 'torch.ShortTensor([1])',
    'torch.CharTensor([1])', 'torch.LongTensor(torch.tensor([1,2]))',
    'torch.LongTensor(torch.tensor([1.,2]))', 'torch.FloatTensor()', 'torch.LongTensor((2,3))',
    'isinstance(torch.tensor([1.]),torch.FloatTensor)',
    'isinstance(torch.tensor([1]),torch.FloatTensor)',
    'isinstance(torch.tensor([1]),torch.LongTensor)',
    'isinstance(torch.FloatTensor([1]),torch.Tensor)', 'type(torch.FloatTensor([1])).__name__',
    'torch.FloatTensor', 'isinstance(torch.zeros(1), torch.Tensor)',
    'issubclass(torch.FloatTensor, torch.Tensor)', 'torch.tensor([1.]).type()',
    'torch.tensor([1]).type()', 'torch.FloatTensor.dtype', 'torch.scalar_tensor(3)',
    'torch.scalar_tensor(3,dtype=torch.int64)', 'torch.asarray([1,2])',
    'torch.asarray(np.array([1.,2]))', 'torch.asarray([1,2],dtype=torch.float64)',
]


@needs_torch
@pytest.mark.parametrize("expr", DATA)
def test_tensor_data_and_legacy(expr):
    run_expr(expr)


STRIDES = [
    "torch.empty_like(torch.ones(2, 3).t())", "torch.zeros_like(torch.ones(2, 3, 4).permute(2, 0, 1))",
    "torch.ones_like(torch.ones(3, 4).t().narrow(0, 0, 2))", "torch.full_like(torch.ones(2, 3).t(), 2.)",
    "torch.empty_strided((2, 3), (1, 2))", "torch.empty_strided((2, 3), (3, 1))",
    "torch.tensor(np.ones((2, 3)).T)", "torch.tensor(np.ones((2, 3, 4)).transpose(1, 0, 2))",
    "torch.tensor(np.ones((2, 3))[:, ::2])", "torch.from_numpy(np.ones((2, 3)).T)",
    "torch.from_numpy(np.ones((2, 3))[:, ::2])", "torch.as_tensor(np.ones((2, 3)).T)",
]


@needs_torch
@pytest.mark.parametrize("expr", STRIDES)
def test_layouts(expr):
    run_expr(f"(lambda r: (tuple(r.shape), r.stride(), r.dtype))({expr})")


@needs_torch
@pytest.mark.parametrize("args", [(0, 1, 5), (-1, 1, 7), (1, 0, 4), (0, 10, 5), (3, -4, 5),
                                  (0.1, 0.7, 13), (-3.3, 2.9, 100), (0, 1, 2), (2, 2, 3)])
@pytest.mark.parametrize("dtype", ["float32", "float64", "int64", "int32", "float16"])
def test_linspace_logspace_values(args, dtype):
    tol = 1e-3 if dtype == "float16" else 1e-6  # 16-bit: last-bit rounding differences
    run_expr(f"torch.linspace(*{args}, dtype=torch.{dtype})", rtol=tol, atol=tol)
    tol = 1e-2 if dtype == "float16" else 1e-5
    run_expr(f"torch.logspace(*{args}, dtype=torch.{dtype}, base=2)", rtol=tol, atol=1e-6)


def test_from_numpy_and_as_tensor_share_memory():
    a = np.arange(6.0).reshape(2, 3)
    t = jtorch.from_numpy(a)
    a[0, 0] = 100.0
    assert t.numpy()[0, 0] == 100.0 and t.sum().item() == 115.0
    t.add_(1)
    assert a[1, 2] == 6.0
    u = jtorch.as_tensor(a)
    u.mul_(2)
    assert a[1, 2] == 12.0
    v = jtorch.as_tensor(a, dtype=jtorch.float32)  # a conversion copies
    v.zero_()
    assert a[1, 2] == 12.0
    w = jtorch.tensor(a)  # torch.tensor always copies
    w.zero_()
    assert a[1, 2] == 12.0
    x = jtorch.ones(3)
    assert jtorch.as_tensor(x) is x and jtorch.asarray(x) is x


def test_legacy_constructors_and_isinstance():
    f = jtorch.FloatTensor(2, 3)
    assert f.shape == (2, 3) and f.dtype is jtorch.float32 and type(f) is jtorch.Tensor
    assert isinstance(f, jtorch.FloatTensor) and not isinstance(f, jtorch.LongTensor)
    assert isinstance(jtorch.LongTensor([1, 2]), jtorch.Tensor)
    x = jtorch.tensor([1, 2])
    y = jtorch.Tensor(x)  # an alias of any tensor, whatever its dtype
    assert y is not x and y.data_ptr() == x.data_ptr() and y.dtype is jtorch.int64
    n = jtorch.ones(2, dtype=jtorch.float64).new(2, 3)
    assert n.shape == (2, 3) and n.dtype is jtorch.float64
    assert jtorch.ones(2).new([1, 2]).tolist() == [1.0, 2.0]
    assert jtorch.ones(2).new().shape == (0,)


@needs_torch
def test_complex_polar_grads():
    re = np.array([1.0, -2.0, 0.5], np.float32)
    im = np.array([0.3, 2.0, -1.0], np.float32)
    check_grad(lambda t, a, b: (t.complex(a, b) * (0.5 - 2j)).abs(), re, im)
    check_grad(lambda t, a, b: (t.polar(a, b) * (1 + 1j)).abs(), np.abs(re), im)
    check_grad(lambda t, a, b: (t.polar(a, b) + t.complex(a, b)).abs(), np.abs(re), im)


@needs_torch
def test_grad_fn_names():
    def f(lib):
        a = lib.ones(2, requires_grad=True)
        b = lib.ones(2, requires_grad=True)
        return (type(lib.complex(a, b).grad_fn).__name__, type(lib.polar(a, b).grad_fn).__name__,
                lib.linspace(0, 1, 3, requires_grad=True).is_leaf,
                lib.eye(2, requires_grad=True).requires_grad)
    check(f)
