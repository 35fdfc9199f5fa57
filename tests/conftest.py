"""Test configuration: every test starts from jtorch's defaults."""
import pytest

import jtorch


@pytest.fixture(autouse=True)
def _defaults():
    # counters per test: a worker process compiles hundreds of graphs across tests, which
    # would otherwise put the engine into its graph-churn mode for every later test
    jtorch.engine.reset_stats()
    yield
    if jtorch.get_default_dtype() is not jtorch.float32:
        jtorch.set_default_dtype(jtorch.float32)
    jtorch.set_printoptions(profile="default")
    jtorch.set_default_device(None)
    jtorch.autograd.grad_mode.state.enabled = True
    jtorch.autograd.grad_mode.state.inference = False


@pytest.fixture(params=["lazy", "eager"])
def engine_mode(request):
    """Run a test under both engine modes (lazy graphs and op-by-op eager execution)."""
    from jtorch._engine import core
    jtorch.sync()
    prev = core.EAGER
    core.EAGER = request.param == "eager"
    yield request.param
    jtorch.sync()
    core.EAGER = prev
