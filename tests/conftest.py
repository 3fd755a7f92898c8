import os

import matplotlib
import pytest

matplotlib.use("Agg")

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# The real data sets the tests use: SIMNET_DATA (default ../shared/datasets); a relative path is
# taken from the repository root, and made absolute so the scenario subprocesses find it too.
_data = os.environ.get("SIMNET_DATA") or os.path.join("..", "shared", "datasets")
os.environ["SIMNET_DATA"] = os.path.normpath(os.path.join(ROOT, _data))


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    import matplotlib.pyplot as plt

    plt.close("all")

