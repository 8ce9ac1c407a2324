import sys
from pathlib import Path

import pytest

# The gradcheck registry (gradcases.py, cases_*.py) is imported by module name.
sys.path.insert(0, str(Path(__file__).parent))


@pytest.fixture(autouse=True)
def _seed_and_default_device():
    """Each test starts from the same seed, on the CPU."""
    import minigen as mg
    from minigen.backend import device

    mg.manual_seed(0)
    saved = list(device._default)
    device._default[:] = [device.Device("cpu")]
    yield
    device._default[:] = saved
