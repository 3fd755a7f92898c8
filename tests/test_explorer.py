"""The explorer without a browser: page data, the `view` command, simnet.view, and the live server over HTTP."""
import json
import os
import re

import numpy as np
import pytest
from explorer_support import (
    LABELS,
    LiveStreetlights,
    X,
    Y,
    request,
    streetlights_network,
    tiny_image_run,
    train_per_sample,
)

import simnet
from simnet.cli import main as cli_main
from simnet.explorer.export import load_run, page_data
from simnet.explorer.server import MAX_BODY


@pytest.fixture
def run_folder(tmp_path):
    network = streetlights_network()
    network.fit(X, Y, 0.2)
    network.save_history(tmp_path / "history.npz", {"sample_labels": LABELS})
    return tmp_path, network


def embedded_data(html):
    m = re.search(r'<script type="application/json" id="simnet-data">(.*?)</script>', html, re.DOTALL)
    return json.loads(m.group(1))


def test_view_writes_one_self_contained_page(run_folder, capsys):
    folder, network = run_folder
    assert cli_main(["view", str(folder), "--no-open"]) == 0
    path = capsys.readouterr().out.strip()
    assert path == str(folder / "explorer.html")
    with open(path, encoding="utf-8") as f:
        html = f.read()
    assert os.path.getsize(path) < 1_000_000  # a streetlights run: well under 1 MB
    # everything inline: no external script, style, image or font
    assert not re.search(r'<(script|link|img|iframe)[^>]+(src|href)="(?!data:)', html)
    assert "@import" not in html and "url(" not in html
    data = embedded_data(html)
    assert [la["name"] for la in data["layers"]] == ["input", "hidden", "output"]
    assert [la["shown"] for la in data["layers"]] == [[0, 1, 2], [0, 1, 2, 3], [0]]
    assert [len(c["pairs"]) for c in data["connections"]] == [12, 4]
    assert data["unit"] == "sample" and data["samples"] == LABELS
    # the last frame's weights are the trained network's
    last = {s["layer"]: s for s in data["series"] if s["variable"] == "weights"}
    for layer in network.layers[:2]:
        s = last[layer.name]
        assert s["t"][-1] == data["frames"][-1]
        for (i, j), v in zip(s["pairs"], s["v"][-1]):
            assert v == pytest.approx(layer.weight_row_mat[i, j], rel=1e-5)
    # the error curve is on the same time axis: iteration k ends after 4 (k + 1) samples
    curve = data["curves"][0]
    assert curve["x"][0] == 4 and curve["x"][-1] == data["frames"][-1]


def test_view_also_takes_the_history_file_and_out(run_folder, tmp_path, capsys):
    folder, _ = run_folder
    out = tmp_path / "page.html"
    assert cli_main(["view", str(folder / "history.npz"), "--out", str(out), "--no-open"]) == 0
    assert out.exists()


def test_view_of_nothing_is_a_one_line_error(tmp_path, capsys):
    assert cli_main(["view", str(tmp_path / "missing"), "--no-open"]) == 2
    assert "no such file" in capsys.readouterr().err
    assert cli_main(["view", str(tmp_path), "--no-open"]) == 2
    assert "no history.npz" in capsys.readouterr().err


def test_names_in_the_file_cannot_break_out_of_the_page(tmp_path):
    network = streetlights_network()
    network.fit(X, Y, 0.2, max_iter=3)
    evil = "</script><script>alert(1)</script>"
    network.save_history(tmp_path / "history.npz", {"sample_labels": [evil] * 4})
    histories, info, _ = load_run(tmp_path)
    from simnet.explorer.page import render

    html = render(page_data(histories, info, title=evil))
    assert html.count("<script") == 2  # the data block and the page's script, nothing injected
    assert embedded_data(html)["samples"] == [evil] * 4


def test_notebook_view_of_a_network_and_of_a_run(run_folder):
    folder, network = run_folder
    for thing in (network, str(folder)):
        ex = simnet.view(thing)
        html = ex._repr_html_()
        assert html.startswith("<iframe srcdoc=") and "simnet-data" in html
    bare = simnet.Network.build([3, 4, 1], seed=0)  # nothing recorded: its current state is drawn
    data = simnet.view(bare).data
    assert [len(c["pairs"]) for c in data["connections"]] == [12, 4]
    with pytest.raises(TypeError):
        simnet.view(42)


# ---- the live server, over plain HTTP ------------------------------------------------------------

@pytest.fixture
def live():
    run = LiveStreetlights()
    yield run
    run.close()


def test_every_request_needs_the_token(live):
    url = live.live.url
    for path in ("/", "/state", "/nothing"):
        assert request(url, path, token=False)[0] == 403
        assert request(url, path, token="wrong")[0] == 403
    assert request(url, "/control", "POST", {"action": "resume"}, token=False)[0] == 403
    assert live.live.paused  # the refused request changed nothing
    status, page = request(url, "/")
    assert status == 200 and "simnet-data" in page
    assert request(url, "/state", token=False, headers={"X-Simnet-Token": live.live.token})[0] == 200


def test_cross_origin_and_foreign_hosts_are_refused(live):
    url = live.live.url
    port = live.live.port
    assert request(url, "/state", headers={"Origin": "http://evil.example"})[0] == 403
    assert request(url, "/state", headers={"Origin": f"http://127.0.0.1:{port + 1}"})[0] == 403
    assert request(url, "/state", headers={"Host": f"evil.example:{port}"})[0] == 403  # DNS rebinding
    assert request(url, "/state", headers={"Sec-Fetch-Site": "cross-site"})[0] == 403
    assert request(url, "/state", headers={"Origin": f"http://127.0.0.1:{port}"})[0] == 200
    edit = {"what": "weight", "layer": "input", "i": 0, "j": 0, "value": 9.0}
    before = live.network.input.weight_row_mat.copy()
    assert request(url, "/edit", "POST", edit, headers={"Origin": "http://evil.example"})[0] == 403
    assert np.array_equal(live.network.input.weight_row_mat, before)


def test_bodies_are_bounded_and_must_be_json(live):
    url = live.live.url
    big = json.dumps({"action": "pause", "pad": "x" * MAX_BODY}).encode()
    assert request(url, "/control", "POST", raw=big, headers={"Content-Type": "application/json"})[0] == 413
    assert request(url, "/control", "POST", raw=b"action=stop",
                   headers={"Content-Type": "application/x-www-form-urlencoded"})[0] == 415
    assert request(url, "/control", "POST", raw=b"{not json", headers={"Content-Type": "application/json"})[0] == 400
    assert request(url, "/control", "POST", raw=b"[" * 3000 + b"]" * 3000,
                   headers={"Content-Type": "application/json"})[0] == 413
    assert request(url, "/control", "POST", {"action": "explode"})[0] == 400


@pytest.mark.parametrize("value, reason", [("abc", "must be numbers"), (None, "must be numbers"),
                                           ("nan", "NaN or infinite"), ("1e999", "NaN or infinite"), ([1, 2], "one number"),
                                           (1e400, "NaN or infinite")])
def test_a_refused_edit_is_explained_and_changes_nothing(live, value, reason):
    url = live.live.url
    before = [la.weight_row_mat.copy() for la in live.network.layers[:2]]
    body = {"what": "weight", "layer": "input", "i": 0, "j": 1, "value": value}
    raw = json.dumps(body).replace("1e+400", "1e400").encode()  # JSON's 1e400 reads as inf
    status, answer = request(url, "/edit", "POST", raw=raw, headers={"Content-Type": "application/json"})
    assert status == 200 and answer["ok"] is False and reason in answer["error"]
    for la, w in zip(live.network.layers[:2], before):
        assert np.array_equal(la.weight_row_mat, w)


def test_refused_edits_name_what_is_wrong(live):
    url = live.live.url
    cases = [({"what": "weight", "layer": "output", "i": 0, "j": 0, "value": 1}, "owns no weights"),
             ({"what": "weight", "layer": "input", "i": 3, "j": 0, "value": 1}, "i must be in 0..2"),
             ({"what": "weight", "layer": "input", "i": True, "j": 0, "value": 1}, "whole number"),
             ({"what": "weight", "layer": "nope", "i": 0, "j": 0, "value": 1}, "no layer named"),
             ({"what": "bias", "layer": "hidden", "i": 0, "value": 1}, "has no bias"),
             ({"what": "input", "layer": "hidden", "i": 0, "value": 1}, "only the input layer"),
             ({"what": "delta", "layer": "hidden", "i": 0, "value": 1}, "what must be")]
    for body, reason in cases:
        _, answer = request(url, "/edit", "POST", body)
        assert answer["ok"] is False and reason in answer["error"], (body, answer)


def test_edits_and_steps_act_on_the_running_network(live):
    url = live.live.url
    _, answer = request(url, "/edit", "POST", {"what": "weight", "layer": "input", "i": 1, "j": 2, "value": 0.25})
    assert answer["ok"] and answer["value"] == 0.25
    assert live.network.input.weight_row_mat[1, 2] == 0.25
    _, answer = request(url, "/edit", "POST", {"what": "input", "i": 0, "value": 0.5})
    assert answer["ok"] and live.network.input.neuron_row_array[0, 0] == 0.5
    # one sample: paused again at its end, with the sample's values in the network
    assert request(url, "/control", "POST", {"action": "step"})[1]["ok"]
    live.wait(lambda: live.live.paused and live.live.steps == 1)
    frame = request(url, "/state?since=-1")[1]["frames"][-1]
    assert frame["t"] == 1
    data = live.live.structure
    for s, values in zip(data["series"], frame["values"]):
        layer = live.network.layer(s["layer"])
        if s["variable"] == "neurons":
            assert values == pytest.approx(layer.neuron_row_array[0, s["idx"]], rel=1e-5)
        elif s["variable"] == "weights":
            p = np.array(s["pairs"])
            assert values == pytest.approx(layer.weight_row_mat[p[:, 0], p[:, 1]], rel=1e-5)
    # one phase: the first thing of the next sample is loading its inputs
    assert request(url, "/control", "POST", {"action": "phase"})[1]["ok"]
    live.wait(lambda: live.live.paused and live.live.phase == ("set_neurons", "input"))
    assert np.array_equal(live.network.input.neuron_row_array[0], X[1])
    sample = request(url, "/state?since=-1")[1]["frames"][-1]["sample"]
    assert sample == {"sample": 1, "prediction_fresh": False, "goal_fresh": False}  # the output is still sample 0's
    request(url, "/control", "POST", {"action": "phase"})
    live.wait(lambda: live.live.paused and live.live.phase == ("train", "input"))
    # resume: it runs to the end without waiting for anyone
    assert request(url, "/control", "POST", {"action": "resume"})[1]["ok"]
    live.thread.join(20)
    assert not live.thread.is_alive()


def test_the_run_never_waits_for_a_page_and_records_the_same(tmp_path):
    quiet = streetlights_network()
    train_per_sample(quiet, 30)
    watched = LiveStreetlights(iterations=30)  # starts paused; resume, then poll as fast as we can
    try:
        request(watched.live.url, "/control", "POST", {"action": "resume"})
        while watched.thread.is_alive():
            request(watched.live.url, "/state?since=-1")
        watched.thread.join()
    finally:
        watched.close()
    for a, b in zip(quiet.layers, watched.network.layers):
        assert np.array_equal(a.weight_row_mat, b.weight_row_mat) if a.weight_row_mat is not None else True
    ha, hb = quiet.all_histories(), watched.network.all_histories()
    assert ha.keys() == hb.keys()
    for k in ha:
        assert np.array_equal(ha[k].values, hb[k].values) and np.array_equal(ha[k].steps, hb[k].steps), k
    # no method of a layer was replaced at any time, and the listeners are gone when the run is over
    for layer in watched.network.layers:
        assert not {"train", "learn", "_load", "_calc_delta", "set_neurons"} & set(vars(layer))
        assert all(type(m).__name__ == "Monitor" for ms in layer._watch.values() for m in ms)


def test_the_live_run_listens_on_the_monitor_points_and_replaces_no_method():
    """While served and stepped phase by phase, every layer keeps its class's methods; the run is heard through
    listeners on the layers' monitor points, which go when the run is over."""
    run = LiveStreetlights(iterations=2)
    try:
        layers = run.network.layers
        for layer in layers:
            assert not {"train", "learn", "_load", "_calc_delta"} & set(vars(layer))
        heard = {la.name: {p: [type(m).__name__ for m in ms] for p, ms in la._watch.items()} for la in layers}
        assert "_Listener" in heard["input"]["learn"] and "_Listener" in heard["hidden"]["train"]
        assert "_Listener" in heard["output"]["delta"] and "_Listener" in heard["output"]["learn"]
        request(run.live.url, "/control", "POST", {"action": "resume"})
        run.thread.join(20)
    finally:
        run.close()
    for layer in layers:
        assert all(type(m).__name__ == "Monitor" for ms in layer._watch.values() for m in ms), layer.name


def test_listen_calls_a_listener_at_each_point_in_the_walk_through_order():
    network = streetlights_network()
    order = []

    class Spy:
        def __init__(self, what):
            self.what = what

        def record(self):
            order.append(self.what)

    spies = []
    for layer in network.layers:
        for point in ("neurons", "delta", "weights", "train", "learn"):
            spies.append((layer, point, layer.listen(point, Spy(f"{layer.name}.{point}"))))
    train_per_sample(network, 1)
    assert order[:14] == ["input.neurons", "input.train", "hidden.neurons", "hidden.train", "output.neurons",
                          "output.train", "output.delta", "hidden.delta", "hidden.weights", "output.learn",
                          "input.weights", "hidden.learn", "input.learn", "input.neurons"]
    assert len(order) == 4 * 13
    for layer, point, spy in spies:
        layer.unlisten(point, spy)
    order.clear()
    train_per_sample(network, 1)
    assert order == []
    with pytest.raises(ValueError, match="no monitor point 'forward'"):
        network.input.listen("forward", Spy("x"))
    with pytest.raises(TypeError, match="needs a record"):
        network.input.listen("learn", object())


def test_a_saved_image_run_shows_test_images_classified_along_the_timeline(tmp_path):
    from simnet.explorer.export import run_page_data

    network, images, labels = tiny_image_run(tmp_path)
    data = run_page_data(str(tmp_path))
    im = data["images"]
    assert len(im["images"]) == 8 and im["labels"] == [int(v) for v in labels[:8]]
    assert im["t"][0] == 0 and im["t"][-1] == data["frames"][-1] == 40
    x = images[:8].reshape(8, -1).astype(np.float32) / 255
    assert im["predicted"][-1] == [int(c) for c in network.predict(x).argmax(axis=1)]
    assert cli_main(["view", str(tmp_path), "--no-open"]) == 0
    assert os.path.getsize(tmp_path / "explorer.html") < 10_000_000


def test_a_port_in_use_is_a_one_line_error(capsys):
    import socket

    from simnet.explorer.server import serve

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        with pytest.raises(SystemExit) as e:
            serve(taken.getsockname()[1], streetlights_network())
    assert e.value.code == 2
    assert "cannot serve the explorer on 127.0.0.1:" in capsys.readouterr().err


@pytest.mark.slow
def test_ctrl_c_in_the_terminal_while_the_page_holds_the_run(tmp_path):
    import signal
    import subprocess
    import sys
    import time

    from explorer_support import ROOT

    env = dict(os.environ, PYTHONUNBUFFERED="1", MPLBACKEND="Agg", PYTHONPATH=ROOT)
    proc = subprocess.Popen([sys.executable, "scenarios/streetlights.py", "--live", "--plots", str(tmp_path)],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    for line in proc.stdout:
        if "explorer: http" in line:
            url = line.split()[1]
            break
    deadline = time.monotonic() + 30
    while not request(url, "/state")[1]["status"]["paused"]:  # it waits for the page
        assert time.monotonic() < deadline
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    assert (tmp_path / "history.npz").exists()


def test_a_paused_run_whose_page_left_says_so_in_the_terminal(live, monkeypatch):
    """The page paused the run, then stopped asking (closed): the terminal says why nothing moves, once,
    and the run stays paused until a page comes back."""
    import time

    import simnet.explorer.server as server

    monkeypatch.setattr(server, "DETACHED_S", 0.5)
    url = live.live.url
    request(url, "/state?since=-1")  # a page asks ...
    time.sleep(1.3)  # ... then leaves
    said = live.live.out.getvalue()
    assert said.count("its page has not asked for 0.5 s") == 1 and url in said and "Ctrl-C" in said
    assert live.live.paused and live.live.steps == 0
    for _ in range(12):  # it came back: nothing more is said while it asks
        request(url, "/state?since=-1")
        time.sleep(0.05)
    assert live.live.out.getvalue().count("has not asked") == 1
    assert request(url, "/control", "POST", {"action": "resume"})[1]["ok"]
    live.thread.join(20)
    assert not live.thread.is_alive()


def test_an_image_run_without_save_shows_the_test_images_it_recorded(tmp_path):
    """An image run writes figures.npz (its shown test images, labels, final predictions) beside its history in
    --plots, with or without --save: the offline page shows those images, classified by the final weights."""
    from simnet import Network
    from simnet.explorer.export import run_page_data
    from simnet.plots.redraw import save_figure_data

    net = Network.build([784, 8, 10], activations=["relu", "softmax"], bias=True, init="he", seed=0,
                        loss="cross_entropy")
    net.record_summaries(every=2)
    rng = np.random.default_rng(0)
    x, y = rng.random((64, 784)), np.eye(10)[rng.integers(0, 10, 64)]
    net.run_epoch(x, y, 0.1, batch_size=16)
    net.save_history(tmp_path / "history.npz", {"dataset": "mnist", "class_names": [str(c) for c in range(10)]})
    images = rng.integers(0, 256, (25, 28, 28)).astype(np.uint8)
    labels, predicted = rng.integers(0, 10, 25), rng.integers(0, 10, 25)
    save_figure_data(tmp_path / "figures.npz", {}, {"shown_images": images, "shown_labels": labels,
                                                    "shown_predicted": predicted})
    im = run_page_data(str(tmp_path))["images"]
    assert im["final_only"] and im["shape"] == [28, 28] and len(im["images"]) == 8
    assert im["labels"] == labels[:8].tolist() and im["predicted"] == [predicted[:8].tolist()] and im["t"] == [4]
    assert im["images"][0] == images[0].reshape(-1).tolist()


def test_a_refused_nan_names_the_value_not_an_empty_index():
    from simnet.checks import check_finite

    with pytest.raises(ValueError, match=r"^edit value must be a finite number, not NaN or infinite; got nan$"):
        check_finite(np.array(np.nan), "edit value")
