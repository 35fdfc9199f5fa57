"""Tensor printing, character for character against PyTorch."""
import numpy as np
import pytest

from oracle import check, needs_torch

pytestmark = needs_torch

CASES = [
    "torch.tensor([1.0, 2.0, 3.0])",
    "torch.tensor([1.5, -2.25, 3.0])",
    "torch.tensor([[1.0, 2.0], [3.0, 4.0]])",
    "torch.tensor([1e-5, 1.0])",
    "torch.tensor([1e10, 1.0])",
    "torch.tensor([123456789.0])",
    "torch.tensor([1.0, 1000.5])",
    "torch.tensor([0.1, 0.25, 100.0])",
    "torch.tensor([float('nan'), float('inf'), -float('inf'), 1.0])",
    "torch.tensor([float('nan'), 2.5])",
    "torch.tensor([0.0, -0.0])",
    "torch.tensor(3.5)",
    "torch.tensor(-7)",
    "torch.tensor(True)",
    "torch.tensor([True, False])",
    "torch.tensor([1, -20, 300])",
    "torch.tensor([[1, 2], [3, 4]], dtype=torch.int32)",
    "torch.tensor([1.0, 2.0], dtype=torch.float64)",
    "torch.tensor([1.0, 2.0], dtype=torch.float16)",
    "torch.tensor([1.0, 2.5], dtype=torch.bfloat16)",
    "torch.tensor([1, 2], dtype=torch.uint8)",
    "torch.tensor([1 + 2j, -3.5 - 1j])",
    "torch.tensor([], dtype=torch.float32)",
    "torch.zeros(0, 3)",
    "torch.zeros(2, 0, dtype=torch.int64)",
    "torch.arange(2000.0)",
    "torch.arange(2000)",
    "torch.arange(3000.0).reshape(30, 100)",
    "torch.arange(24.0).reshape(2, 3, 4)",
    "torch.arange(40.0) / 7",
    "torch.arange(100) * 1000",
    "torch.ones(2, 3, requires_grad=True)",
    "torch.ones(3, requires_grad=True) * 2",
    "torch.arange(30.0).reshape(5, 6) / 3 - 4",
    "torch.tensor([[1e-8, 1.0], [2.0, 3.0]])",
    "torch.tensor([5e-5])",
]


@pytest.mark.parametrize("expr", CASES)
def test_repr(expr):
    check(lambda torch: repr(eval(expr)))


@pytest.mark.parametrize("opts", [dict(precision=2), dict(sci_mode=True), dict(sci_mode=False),
                                  dict(threshold=5), dict(edgeitems=1, threshold=5),
                                  dict(linewidth=40), dict(profile="short"), dict(profile="full")])
def test_printoptions(opts):
    def f(torch):
        torch.set_printoptions(**opts)
        try:
            return [repr(torch.arange(12.0).reshape(3, 4) / 3), repr(torch.arange(20) * 7),
                    repr(torch.tensor([1e-6, 5.0]))]
        finally:
            torch.set_printoptions(profile="default")
    check(f)


def test_format_and_str():
    check(lambda torch: (f"{torch.tensor(3.14159):.2f}", str(torch.tensor([1.0])),
                         "{}".format(torch.tensor(2)), f"{torch.tensor(7):5d}"))


def test_random_values_print_like_torch():
    rng = np.random.default_rng(0)
    for scale in (1e-3, 1.0, 1e3, 1e6):
        a = (rng.standard_normal((7, 9)) * scale).astype(np.float32)
        check(lambda torch: repr(torch.from_numpy(a.copy())))
