"""The playground's maps in a real browser (headless Chromium, Playwright): the live page while the scenario
learns, run from its command line, and the offline page's Back/Step. Slow tier (pytest -m slow)."""
import os
import sys

import pytest
from explorer_support import ROOT, Page, live_scenario

pytestmark = pytest.mark.slow


def sums(pg):
    """``{(layer, neuron): checksum of its drawn map}`` for every map canvas of the panel."""
    return {(c["layer"], c["neuron"]): c["sum"] for c in pg.locator("#playground canvas").evaluate_all(
        "els => els.map(e => ({layer: e.dataset.layer, neuron: e.dataset.neuron, sum: e.dataset.sum}))")}


def test_live_page_shows_a_map_per_neuron_that_changes_as_it_learns(browser, tmp_path):
    plots = tmp_path / "plots"
    proc, url = live_scenario("-m", "simnet", "run", "playground", "--live", "0", "--data", "spiral",
                              "--features", "x1", "x2", "sin(x1)", "sin(x2)", "--hidden", "6-5", "--epochs", "100000",
                              "--pace", "400", "--plots", str(plots))
    p = None
    try:
        p = Page(browser, viewport=(1500, 1000))
        pg = p.page
        pg.goto(url)
        pg.wait_for_selector("#pg-output[data-sum]")
        # a map per neuron: 4 features, 6 + 5 hidden neurons, and the output
        first = sums(pg)
        assert sorted(first) == sorted([("input", str(i)) for i in range(4)] + [("hidden1", str(i)) for i in range(6)]
                                       + [("hidden2", str(i)) for i in range(5)] + [("output", "all")])
        t0 = int(pg.locator("#pg-output").get_attribute("data-t"))
        pg.wait_for_function(f"Number(document.querySelector('#pg-output').dataset.t) > {t0 + 200}", timeout=60_000)
        later = sums(pg)
        changed = [k for k in later if k[0] != "input" and later[k] != first[k]]
        assert len(changed) == 12, (first, later)  # every hidden neuron's map and the output's moved
        assert all(later[k] == first[k] for k in later if k[0] == "input")  # the features do not learn
        assert "test loss" in pg.locator("#pg-caption").text_content()
        assert pg.locator("#pg-loss path.pg-loss-line").count() == 2
        assert pg.locator("circle.pg-train").count() == 250 and pg.locator("circle.pg-test").count() == 250
        pg.get_by_role("button", name="Stop").click()
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 130, err
        assert "interrupted (Ctrl-C)" in out
        assert (plots / "maps.npz").exists() and (plots / "decision_maps.png").exists()
        assert p.errors == [] or all("Failed to fetch" in e for e in p.errors)
    finally:
        if p is not None:
            p.close()
        if proc.poll() is None:
            proc.kill()


def test_offline_page_moves_the_maps_with_back_and_step(browser, tmp_path):
    from simnet.explorer.command import write_view

    sys.path.insert(0, os.path.join(ROOT, "scenarios"))
    try:
        import playground
    finally:
        sys.path.pop(0)
    plots = tmp_path / "run"
    assert playground.main(["--data", "xor", "--hidden", "3", "--epochs", "40", "--plots", str(plots),
                            "--no-plots"]) == 0
    path = write_view(str(plots))
    p = Page(browser, viewport=(1500, 1000))
    pg = p.page
    try:
        pg.goto("file://" + path)
        pg.wait_for_selector("#pg-output[data-sum]")
        assert pg.locator("#playground canvas").count() == 2 + 3 + 1
        end = pg.locator("#pg-output").get_attribute("data-t")
        assert end == "1000"  # 40 epochs of 25 batches
        before = sums(pg)
        for _ in range(40):
            pg.get_by_role("button", name="Back").click()
        t = int(pg.locator("#pg-output").get_attribute("data-t"))
        assert t < 1000
        back = sums(pg)
        assert back[("output", "all")] != before[("output", "all")]
        assert back[("hidden", "0")] != before[("hidden", "0")]
        while pg.locator("#pg-output").get_attribute("data-t") != end:
            pg.get_by_role("button", name="Step").click()
        assert sums(pg) == before
        assert p.errors == []
    finally:
        p.close()
