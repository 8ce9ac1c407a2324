import pytest
from clihelpers import run_minigen


@pytest.fixture
def minigen():
    return run_minigen
