"""The explorer in a real browser: headless Chromium driven by Playwright.

Skipped with a reason where playwright or /usr/bin/chromium is missing.  The offline page and
an in-process live streetlights run are the fast tier (about 5 s with the browser's start); the
hidden page, image runs (saved and live) and the scenario run from its command line (Stop ends
it with exit status 130 and its files saved) are in the slow tier (``pytest -m slow``).
"""
import io
import os
import threading
import time

import numpy as np
import pytest
from explorer_support import (
    LABELS,
    ROOT,
    LiveStreetlights,
    Page,
    X,
    Y,
    fashion_test_set,
    live_scenario,
    request,
    streetlights_network,
    tiny_image_run,
    tiny_network,
)

from simnet.explorer.command import write_view

SCREENSHOT = os.path.join(ROOT, "docs", "explorer.png")


@pytest.fixture(scope="module")
def offline_page(tmp_path_factory):
    folder = tmp_path_factory.mktemp("streetlights")
    network = streetlights_network()
    network.fit(X, Y, 0.2)
    network.save_history(folder / "history.npz", {"sample_labels": LABELS})
    return write_view(str(folder)), network


def numbers(locator, attr="data-value"):
    return [float(v) if v not in (None, "") else None for v in locator.evaluate_all(
        f"els => els.map(e => e.getAttribute('{attr}'))")]


def counter_shows(pg, value):
    """Wait until the step counter shows ``value``: it is drawn on the animation frame after the status line,
    so a read right after the status changed may see the frame before."""
    pg.wait_for_function(f"document.querySelector('#step-value').dataset.value === {str(value)!r}", timeout=5000)


def test_offline_page_draws_the_network_and_moves_with_the_timeline(browser, offline_page):
    path, network = offline_page
    p = Page(browser, viewport=(1400, 690))
    pg = p.page
    pg.goto("file://" + path)
    pg.wait_for_selector("circle[data-layer]")
    # counts match the network: 3 + 4 + 1 neurons, 3x4 + 4x1 weights
    assert pg.locator("circle[data-layer][data-neuron]").count() == 8
    for la in network.layers:
        assert pg.locator(f'circle[data-layer="{la.name}"]').count() == la.num_neurons
    assert pg.locator("line[data-source][data-target][data-i][data-j]").count() == 16
    assert pg.locator('line[data-source="input"][data-target="hidden"]').count() == 12
    # at the end of the timeline the weights drawn are the trained ones
    for i in range(3):
        for j in range(4):
            v = pg.locator(f'line[data-source="input"][data-i="{i}"][data-j="{j}"]').get_attribute("data-value")
            assert float(v) == pytest.approx(network.input.weight_row_mat[i, j], rel=1e-5)
    slider = pg.get_by_role("slider")
    assert slider.count() == 1
    end = float(pg.locator("#step-value").get_attribute("data-value"))
    pg.get_by_role("button", name="Back").click()
    assert float(pg.locator("#step-value").get_attribute("data-value")) == end - 1
    pg.get_by_role("button", name="Step", exact=True).click()
    assert float(pg.locator("#step-value").get_attribute("data-value")) == end
    slider.fill("0")
    assert float(pg.locator("#step-value").get_attribute("data-value")) == 0
    initial = network.all_histories()["input/weights"].values[0]
    v = pg.locator('line[data-source="input"][data-i="0"][data-j="0"]').get_attribute("data-value")
    assert float(v) == pytest.approx(initial[0, 0], rel=1e-5)
    # Play moves the timeline; Pause stops it
    pg.get_by_role("button", name="Play").click()
    pg.wait_for_function("Number(document.querySelector('#step-value').dataset.value) > 5")
    pg.get_by_role("button", name="Pause").click()
    t = pg.locator("#step-value").get_attribute("data-value")
    pg.wait_for_timeout(300)
    assert pg.locator("#step-value").get_attribute("data-value") == t
    # a neuron's value (and delta) history; the current sample, its goal and the prediction
    slider.fill("41")
    pg.locator('circle[data-layer="hidden"][data-neuron="1"]').click()
    h = network.all_histories()
    assert float(pg.locator("#sel-value").get_attribute("data-value")) == pytest.approx(
        h["hidden/neurons"].values[40][1], rel=1e-5, abs=1e-9)
    assert float(pg.locator("#sel-delta").get_attribute("data-value")) == pytest.approx(
        h["hidden/delta"].values[40][1], rel=1e-5, abs=1e-9)
    assert pg.locator("#detail-svg path").count() == 2
    assert "sample 0: lights [1 0 1]" in pg.locator("#sample-body").inner_text()
    pg.locator('line[data-source="hidden"][data-i="2"]').click(force=True)
    assert float(pg.locator("#sel-value").get_attribute("data-value")) == pytest.approx(
        h["hidden/weights"].values[41][2, 0], rel=1e-5)
    pg.locator('circle[data-layer="hidden"][data-neuron="1"]').click()  # a neuron that learns, for the README
    shot = pg.screenshot()  # the README's picture: refreshed with SIMNET_UPDATE_SCREENSHOT=1 (or when missing)
    assert len(shot) > 10_000
    if os.environ.get("SIMNET_UPDATE_SCREENSHOT") == "1" or not os.path.exists(SCREENSHOT):
        os.makedirs(os.path.dirname(SCREENSHOT), exist_ok=True)
        with open(SCREENSHOT, "wb") as f:
            f.write(shot)
    assert p.errors == []
    assert all(u.startswith("file://") for u in p.requests), p.requests  # no request to any server
    p.close()


@pytest.mark.slow
def test_hidden_page_renders_nothing(browser, offline_page):
    path, _ = offline_page
    p = Page(browser)
    pg = p.page
    pg.goto("file://" + path)
    pg.get_by_role("slider").fill("0")
    # pretend the tab is hidden: the timeline may move, the diagram is not redrawn
    pg.evaluate("Object.defineProperty(document, 'hidden', {get: () => true, configurable: true})")
    before = pg.locator('line[data-source="input"][data-i="0"][data-j="0"]').get_attribute("data-value")
    pg.get_by_role("button", name="Step", exact=True).click()
    pg.get_by_role("button", name="Step", exact=True).click()
    assert pg.locator('line[data-source="input"][data-i="0"][data-j="0"]').get_attribute("data-value") == before
    pg.evaluate("Object.defineProperty(document, 'hidden', {get: () => false, configurable: true});"
                "document.dispatchEvent(new Event('visibilitychange'))")
    assert pg.locator("#step-value").get_attribute("data-value") == "2"
    assert p.errors == []
    p.close()


def test_live_page_steps_phases_and_edits_the_running_network(browser):
    run = LiveStreetlights()
    p = Page(browser)
    pg = p.page
    net = run.network
    try:
        pg.goto(run.live.url)
        pg.wait_for_selector("circle[data-layer]")
        pg.wait_for_function("document.querySelector('#status').textContent === 'paused'")
        assert pg.locator("circle[data-layer]").count() == 8 and pg.locator("line[data-source]").count() == 16
        # one phase at a time, the layer highlighted: set_neurons, train() x3, calc_delta
        for name, layer in [("train", "input"), ("train", "hidden"), ("train", "output"), ("calc_delta", "output")]:
            pg.get_by_role("button", name="Phase").click()
            pg.wait_for_function(f"document.querySelector('#phaseinfo').textContent.startsWith('at {name}({layer})')")
            # (the highlight is drawn on the next frame after the status line: wait for it, not for a fixed time)
            pg.wait_for_function(f"document.querySelector('rect[data-layer-column=\"{layer}\"]')"
                                 f".getAttribute('visibility') === 'visible'", timeout=5000)
            assert pg.locator("rect[data-layer-column][visibility=visible]").count() == 1
        # after train() of every layer the page shows the values Python holds
        for la in net.layers:
            shown = numbers(pg.locator(f'circle[data-layer="{la.name}"] + text'))
            assert shown == pytest.approx(la.neuron_row_array[0], rel=1e-5, abs=1e-9)
        # one sample: the rest of the backward pass; the weights are Python's after the update
        pg.get_by_role("button", name="Step", exact=True).click()
        pg.wait_for_function("document.querySelector('#step-value').dataset.value === '1'")
        for la in net.layers[:2]:
            for i, j in np.ndindex(la.weight_row_mat.shape):
                v = pg.locator(f'line[data-source="{la.name}"][data-i="{i}"][data-j="{j}"]').get_attribute("data-value")
                assert float(v) == pytest.approx(la.weight_row_mat[i, j], rel=1e-5)
        # another sample: again the values Python holds after the same step
        pg.get_by_role("button", name="Step", exact=True).click()
        pg.wait_for_function("document.querySelector('#step-value').dataset.value === '2'")
        assert run.live.steps == 2
        shown = numbers(pg.locator('circle[data-layer="hidden"] + text'))
        assert shown == pytest.approx(net.layer("hidden").neuron_row_array[0], rel=1e-5, abs=1e-9)
        assert "sample 1: lights [0 1 1]" in pg.locator("#sample-body").inner_text()
        # edit a weight in the page: it is the value of weight_row_mat in the process
        pg.locator('line[data-source="input"][data-i="2"][data-j="1"]').click(force=True)
        pg.fill("#edit-value", "0.375")
        pg.get_by_role("button", name="Apply").click()
        pg.wait_for_function("document.querySelector('#edit-msg').textContent.startsWith('set')")
        assert net.input.weight_row_mat[2, 1] == 0.375
        pg.wait_for_function("document.querySelector('line[data-source=\"input\"][data-i=\"2\"][data-j=\"1\"]')"
                             ".dataset.value === '0.375'")
        # a refused value is explained and changes nothing
        before = net.input.weight_row_mat.copy()
        pg.fill("#edit-value", "1e999")
        pg.get_by_role("button", name="Apply").click()
        pg.wait_for_function("document.querySelector('#edit-msg').textContent.startsWith('refused')")
        assert "NaN or infinite" in pg.locator("#edit-msg").inner_text()
        assert np.array_equal(net.input.weight_row_mat, before)
        # resume: it runs to the end
        pg.get_by_role("button", name="Play").click()
        run.thread.join(30)
        assert not run.thread.is_alive()
        assert p.errors == []
    finally:
        p.close()
        run.close()


@pytest.mark.slow
def test_saved_image_run_shows_images_and_predicted_classes(browser, tmp_path):
    network, images, _ = tiny_image_run(tmp_path)
    path = write_view(str(tmp_path))
    p = Page(browser)
    pg = p.page
    pg.goto("file://" + path)
    captions = pg.locator("#sample figcaption.predicted")
    assert captions.count() == 8 and pg.locator("#sample canvas").count() == 8
    x = images[:8].reshape(8, -1).astype(np.float32) / 255
    assert [int(v) for v in numbers(captions)] == list(network.predict(x).argmax(axis=1))
    # big layers: a named subset and "+N"
    assert pg.locator('circle[data-layer="input"]').count() < 784 and pg.locator(".more").first.text_content().startswith("+")
    assert pg.locator("line[data-source]").count() > 0
    assert p.errors == [] and all(u.startswith("file://") for u in p.requests)
    p.close()


@pytest.mark.slow
def test_live_image_run_steps_one_batch_and_shows_the_image(browser):
    from explorer_support import data_module, run_epoch

    from simnet.explorer.server import LiveRun
    from simnet.optimizers import get_optimizer

    images, labels = fashion_test_set()
    x, y = data_module().to_inputs(images[:3200]), data_module().one_hot(labels[:3200])
    network = tiny_network()
    live = LiveRun(network, image_shape=(28, 28), class_names=list("ABCDEFGHIJ"), out=io.StringIO())
    live.start()
    thread = threading.Thread(target=run_epoch, args=(network, x, y, get_optimizer("adam", 0.01), 8), daemon=True)
    p = Page(browser)
    pg = p.page
    try:
        pg.goto(live.url)
        pg.wait_for_selector("circle[data-layer]")
        thread.start()
        pg.get_by_role("button", name="Pause").click()
        pg.wait_for_function("document.querySelector('#status').textContent === 'paused'")
        step = live.steps
        pg.wait_for_function(f"document.querySelector('#step-value').dataset.value === '{step}'")
        pg.get_by_role("button", name="Step", exact=True).click()
        pg.wait_for_function(f"document.querySelector('#step-value').dataset.value === '{step + 1}'")
        assert live.steps == step + 1 and live.paused
        out = network.output.neuron_row_array[0]
        assert numbers(pg.locator('circle[data-layer="output"] + text')) == pytest.approx(out, rel=1e-5, abs=1e-7)
        assert pg.locator("#sample canvas").count() == 1
        assert f"predicted: {'ABCDEFGHIJ'[int(out.argmax())]}" in pg.locator("#sample-body").inner_text()
        pg.get_by_role("button", name="Play").click()
        thread.join(60)
        assert not thread.is_alive()
        assert p.errors == []
    finally:
        p.close()
        live.close()
        thread.join(60)


@pytest.mark.slow
def test_stop_in_the_page_ends_the_scenario_as_ctrl_c_does(browser, tmp_path):
    plots = tmp_path / "plots"
    proc, url = live_scenario("scenarios/streetlights.py", "--live", "0", "--plots", str(plots),
                              "--max-iter", "100000", "--epsilon", "0")
    try:
        assert request(url, "/", token=False)[0] == 403
        assert request(url, "/state", token="0" * 32)[0] == 403
        p = Page(browser)
        p.page.goto(url)
        p.page.wait_for_function("document.querySelector('#status').textContent === 'paused'")
        p.page.get_by_role("button", name="Play").click()
        p.page.wait_for_function("Number(document.querySelector('#step-value').dataset.value) > 100")
        p.page.get_by_role("button", name="Stop").click()
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 130, err
        assert "interrupted (Ctrl-C)" in out
        assert (plots / "history.npz").exists() and (plots / "network.png").exists()
        assert p.errors == [] or all("Failed to fetch" in e for e in p.errors)
        p.close()
    finally:
        if proc.poll() is None:
            proc.kill()


@pytest.mark.slow
def test_pause_lands_on_the_next_step_at_full_speed(browser):
    """At full speed (tens of thousands of samples a second), Pause stops the run at the end of the step that
    ran when the click reached the server: at most one more step; the counter read twice is the same."""
    run = LiveStreetlights(iterations=200_000)  # far more than the test lets it run
    p = Page(browser)
    pg = p.page
    try:
        pg.goto(run.live.url)
        pg.wait_for_function("document.querySelector('#status').textContent === 'paused'")
        assert pg.locator("#pace").input_value() == "full"
        pg.get_by_role("button", name="Play").click()
        pg.wait_for_function("Number(document.querySelector('#step-value').dataset.value) > 2000")
        pg.get_by_role("button", name="Pause").click()
        pg.wait_for_function("document.querySelector('#status').textContent === 'paused'")
        assert run.live.paused_after is not None and run.live.paused_after <= 1
        counter_shows(pg, run.live.steps)
        first = pg.locator("#step-value").get_attribute("data-value")
        time.sleep(0.5)
        pg.wait_for_timeout(300)  # a few more polls
        assert pg.locator("#step-value").get_attribute("data-value") == first == str(run.live.steps)
        assert run.live.paused and run.thread.is_alive()
        assert p.errors == []
    finally:
        p.close()
        run.close()


@pytest.mark.slow
def test_pace_spaces_the_steps_and_the_page_changes_it(browser):
    """A pace of 40 samples a second (streetlights' default: 10 iterations) never runs faster than that; the
    page's pace control changes it while the run goes on, and Pause still lands at once."""
    run = LiveStreetlights(iterations=100_000, pace=40)
    p = Page(browser)
    pg = p.page
    try:
        pg.goto(run.live.url)
        pg.wait_for_function("document.querySelector('#status').textContent === 'paused'")
        assert pg.locator("#pace").input_value() == "40"
        pg.get_by_role("button", name="Play").click()
        pg.wait_for_function("Number(document.querySelector('#step-value').dataset.value) >= 4")
        t0, s0 = time.monotonic(), run.live.steps
        time.sleep(1.0)
        steps, seconds = run.live.steps - s0, time.monotonic() - t0
        assert 0 < steps <= 40 * seconds + 2  # never faster than the pace (slower only if the machine is busy)
        pg.select_option("#pace", "400")
        run.wait(lambda: run.live.pace == 400)
        pg.get_by_role("button", name="Pause").click()
        pg.wait_for_function("document.querySelector('#status').textContent === 'paused'")
        assert run.live.paused_after <= 1
        counter_shows(pg, run.live.steps)
        assert p.errors == []
    finally:
        p.close()
        run.close()


@pytest.mark.slow
def test_a_watchpoint_from_the_page_pauses_at_its_step_and_shows_what_fired(browser):
    run = LiveStreetlights(iterations=1000, health_every=4, pace=400)
    p = Page(browser)
    pg = p.page
    try:
        pg.goto(run.live.url)
        pg.wait_for_function("document.querySelector('#status').textContent === 'paused'")
        pg.fill("#watch-text", "hidden.deadd > 1")  # refused, with the reason, and nothing declared
        pg.get_by_role("button", name="Add watchpoint").click()
        pg.wait_for_function("document.querySelector('#edit-msg').textContent.startsWith('watchpoint refused')")
        assert "'deadd' is not a layer health value" in pg.locator("#edit-msg").inner_text()
        pg.fill("#watch-text", "hidden.dead >= 0.5")
        pg.get_by_role("button", name="Add watchpoint").click()
        pg.wait_for_selector('button.watchpoint[data-condition="hidden.dead >= 0.5"]')
        pg.get_by_role("button", name="Play").click()
        pg.wait_for_function("document.querySelector('#fired').textContent.includes('hidden.dead >= 0.5')")
        assert run.live.paused and run.live.steps == 8  # the window of samples 5-8: half the hidden ReLUs dead
        assert "fired after 8 steps (0.5)" in pg.locator("#fired").inner_text()
        pg.wait_for_selector('td.fired[data-layer="hidden"][data-health="dead"]')
        counter_shows(pg, 8)
        # a second one; the first stays true, so it does not fire again
        pg.fill("#watch-text", "step == 30")
        pg.locator("#watch-text").press("Enter")
        pg.wait_for_selector('button.watchpoint[data-condition="step == 30"]')
        pg.get_by_role("button", name="Play").click()
        pg.wait_for_function("document.querySelector('#fired').textContent.includes('step == 30')")
        assert run.live.steps == 30 and run.live.paused
        pg.locator('button.watchpoint[data-condition="step == 30"]').click()  # removed from the page
        pg.wait_for_function("!document.querySelector('button.watchpoint[data-condition=\"step == 30\"]')")
        assert [wp.text for wp in run.network.watch.points] == ["hidden.dead >= 0.5"]
        assert p.errors == []
    finally:
        p.close()
        run.close()


@pytest.mark.slow
def test_the_curves_have_round_ticks_a_log_scale_and_a_whole_x_label(browser, offline_page):
    path, _ = offline_page
    p = Page(browser)
    pg = p.page
    pg.goto("file://" + path)
    pg.wait_for_selector("#curve-svg svg")
    ticks = numbers(pg.locator("#curve-svg text.ytick"))
    assert ticks[0] == 0  # the error reaches ~1e-22: the axis starts at a round 0, not at 2.71e-22
    steps = np.diff(ticks)
    assert np.allclose(steps, steps[0]) and steps[0] in (0.1, 0.2, 0.5, 1.0)
    assert pg.locator("#watch-box").is_hidden() and pg.locator("#pace").is_hidden()  # live controls only
    pg.check("#log-scale")
    labels = pg.locator("#curve-svg text.ytick").all_text_contents()
    assert labels and all(t.startswith("1e") for t in labels)
    box = pg.locator("#curve-svg text.xlabel").bounding_box()
    svg = pg.locator("#curve-svg svg").bounding_box()
    assert box["y"] + box["height"] <= svg["y"] + svg["height"] + 0.5  # the x label is not cut off
    assert p.errors == []
    p.close()


@pytest.mark.slow
def test_mid_step_the_counter_says_the_phase_in_words(browser):
    run = LiveStreetlights(iterations=2)
    p = Page(browser)
    pg = p.page
    try:
        pg.goto(run.live.url)
        pg.wait_for_function("document.querySelector('#status').textContent === 'paused'")
        pg.get_by_role("button", name="Phase").click()
        pg.wait_for_function("document.querySelector('#phaseinfo').textContent.startsWith('at train(input)')")
        want = f"samples done: 0 (then phase {run.live._phase_no} of the next)"
        # (the counter is drawn on the next animation frame after the status line: wait for it, not a fixed time)
        pg.wait_for_function(f"document.querySelector('#step-value').textContent === {want!r}", timeout=5000)
        text = pg.locator("#step-value").inner_text()
        assert text == want and "0.0" not in text
    finally:
        p.close()
        run.close()


@pytest.mark.slow
def test_fork_from_the_page_gives_the_command_that_forks_there(browser, tmp_path, capsys):
    """The offline page of a run that kept its states: move the timeline, Fork here gives the command for the
    kept state at or before that moment; run as given, the fork ends where the original ended."""
    import shlex

    from simnet.cli import main as simnet_main
    from simnet.rewind import load_state

    run = tmp_path / "run"
    assert simnet_main(["run", "streetlights", "--plots", str(run)]) == 0
    page = write_view(str(run))
    capsys.readouterr()
    p = Page(browser)
    pg = p.page
    pg.goto("file://" + page)
    pg.wait_for_selector("#fork")
    frames = int(pg.locator("#slider").get_attribute("max"))
    pg.locator("#slider").fill(str(frames // 2))
    t = float(pg.locator("#step-value").get_attribute("data-value"))
    pg.fill("#fork-edit", "input.weights[1,2]=0.9")
    pg.get_by_role("button", name="Fork here").click()
    command = pg.locator("#fork-cmd").text_content()
    at = int(pg.locator("#fork-cmd").get_attribute("data-at"))
    assert 0 < at <= t and command == f"simnet fork {run} --at {at} --edit 'input.weights[1,2]=0.9'"  # (quoted)
    words = shlex.split(command)
    assert simnet_main(words[1:] + ["--out", str(tmp_path / "forked")]) == 0
    assert f"forked: from the state after {at} samples" in capsys.readouterr().out
    assert load_state(tmp_path / "forked" / "states.npz", at)[0]["input.weights"][1, 2] == 0.9
    # the fork's page, compared with the original: the Run diff section names that step and that weight
    pg.goto("file://" + write_view(str(tmp_path / "forked"), diff=str(run)))
    pg.wait_for_selector("#diff-first")
    assert pg.locator("#diff-first").get_attribute("data-step") == str(at)
    assert f"first difference after {at} samples: input→hidden[1, 2]" in pg.locator("#diff-first").inner_text()
    assert pg.locator("#diff-svg path").count() >= 2
    assert p.errors == []
    p.close()


@pytest.mark.slow
def test_fork_here_on_the_live_page_starts_the_fork_from_the_paused_run(browser, tmp_path):
    """A live streetlights run, paused: Fork here (with an edit) starts `simnet fork` in the background from
    the state kept at that moment; the original goes on (Stop ends it as Ctrl-C); the fork, in its own
    folder, starts from that state with the edit and runs to the original's end."""
    from simnet import load_histories
    from simnet.rewind import load_state

    plots = tmp_path / "plots"
    proc, url = live_scenario("scenarios/streetlights.py", "--live", "0", "--plots", str(plots),
                              "--max-iter", "300", "--epsilon", "0", "--pace", "400")
    try:
        p = Page(browser)
        pg = p.page
        pg.goto(url)
        pg.wait_for_function("document.querySelector('#status').textContent === 'paused'")
        assert not pg.locator("#fork-box").is_hidden()
        pg.get_by_role("button", name="Play").click()
        pg.wait_for_function("Number(document.querySelector('#step-value').dataset.value) > 100")
        status, body = request(url, "/control", "POST", {"action": "fork", "at": 50})
        assert status == 200 and not body["ok"] and "pause the run first" in body["error"]  # running: refused
        pg.get_by_role("button", name="Pause").click()
        pg.wait_for_function("document.querySelector('#status').textContent === 'paused'")
        step = request(url, "/state")[1]["status"]["step"]  # (the page's last frame may lag behind it)
        pg.fill("#fork-edit", "input.weights[7,0]=0.9")  # no such neuron: refused, nothing written
        pg.get_by_role("button", name="Fork here").click()
        pg.wait_for_function("document.querySelector('#fork-cmd').textContent.startsWith('refused')")
        assert "outside input.weights of shape (3, 4)" in pg.locator("#fork-cmd").text_content()
        assert not [f for f in os.listdir(tmp_path) if "fork" in f]
        pg.fill("#fork-edit", "input.weights[1,2]=0.9")
        pg.get_by_role("button", name="Fork here").click()
        pg.wait_for_selector("#fork-cmd[data-at]")
        at = int(pg.locator("#fork-cmd").get_attribute("data-at"))
        folder = pg.locator("#fork-cmd").get_attribute("data-folder")
        assert at == step and folder == f"{plots}-fork-{at}"  # paused at a step's end: that very step's state
        assert f"simnet fork {folder}.origin --at {at} --out {folder} --edit 'input.weights[1,2]=0.9'" in \
            pg.locator("#fork-cmd").text_content()
        pg.get_by_role("button", name="Stop").click()  # the original ends as Ctrl-C ends it; the fork goes on
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 130, err
        assert "explorer: forked from the page (pid " in out
        log = f"{folder}.log"
        deadline = time.monotonic() + 120
        while "wrote" not in (open(log).read() if os.path.exists(log) else "") and time.monotonic() < deadline:
            time.sleep(0.2)
        text = open(log).read()
        assert f"forked: from the state after {at} samples" in text and "input.weights[1,2]" in text, text
        assert "-> 0.9" in text
        assert load_state(os.path.join(folder, "states.npz"), at)[0]["input.weights"][1, 2] == 0.9
        histories, _ = load_histories(os.path.join(folder, "history.npz"))
        assert histories["error/average"].steps[-1] == 299  # the fork ran to the original's end
        p.close()
    finally:
        if proc.poll() is None:
            proc.kill()

