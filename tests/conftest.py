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


@pytest.fixture(scope="module")
def browser():
    """Headless Chromium through Playwright, one per test module (the explorer's and the playground's
    browser tests); skipped with the reason where Playwright or the browser is missing."""
    from explorer_support import CHROMIUM, CHROMIUM_ARGS

    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install playwright)")
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"no browser: {CHROMIUM} is missing (apt-get install chromium)")
    with sync_api.sync_playwright() as p:
        try:
            b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        except Exception as e:  # noqa: BLE001 - any launch failure means: no usable browser here
            pytest.skip(f"chromium does not start here: {e}")
        yield b
        b.close()
