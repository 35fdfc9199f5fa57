"""Test configuration: every test starts from jtorch's defaults."""
import pytest

import jtorch


@pytest.fixture(autouse=True)
def _defaults():
    yield
    if jtorch.get_default_dtype() is not jtorch.float32:
        jtorch.set_default_dtype(jtorch.float32)
    jtorch.set_printoptions(profile="default")
    jtorch.set_default_device(None)
    jtorch.autograd.grad_mode.state.enabled = True
    jtorch.autograd.grad_mode.state.inference = False
