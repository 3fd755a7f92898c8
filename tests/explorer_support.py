"""Shared by the explorer tests: a streetlights network trained in a thread under a live server,
HTTP requests with chosen headers, and the browser (skipped with a reason where there is none)."""
import http.client
import io
import json
import os
import re
import subprocess
import sys
import threading
import time
from urllib.parse import urlsplit

import numpy as np
import pytest

from simnet import Network, SimpleLayer
from simnet.explorer.server import LiveRun

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
X = np.array([[1, 0, 1], [0, 1, 1], [0, 0, 1], [1, 1, 1]], float)
Y = np.array([[1], [1], [0], [0]], float)
LABELS = [f"lights {x.astype(int)}" for x in X]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-sync"]


def streetlights_network(seed=0):
    """The walk-through's 3-4-1 network, created output first after np.random.seed(seed), recording everything."""
    np.random.seed(seed)
    output = SimpleLayer("output", 1)
    hidden = SimpleLayer("hidden", 4, target=output, activation="relu")
    inp = SimpleLayer("input", 3, target=hidden)
    network = Network([inp, hidden, output])
    network.record_all()
    return network


def train_per_sample(network, iterations, alpha=0.2, stop=None):
    """The scenario's loop: per sample, set the inputs, train() forward, calc_delta, learn() backward
    (``stop``: a threading.Event that ends it after the current iteration)."""
    layers = network.layers
    for _ in range(iterations):
        if stop is not None and stop.is_set():
            return
        for i in range(len(X)):
            layers[0].set_neurons(X[i])
            for layer in layers:
                layer.train()
            layers[-1].calc_delta(Y[i])
            for layer in reversed(layers):
                layer.learn(alpha)


def data_module():
    from simnet import data

    return data


def run_epoch(network, *args, **kwargs):
    return network.run_epoch(*args, **kwargs)


def fashion_test_set():
    """Fashion-MNIST's test images and labels, or a skip where they are not on this machine."""
    data = data_module()
    load_dataset, DatasetNotFoundError = data.load_dataset, data.DatasetNotFoundError

    try:
        return load_dataset("fashion-mnist", "test", download=False)
    except (DatasetNotFoundError, ValueError):
        pytest.skip("Fashion-MNIST test set not found (apt-get install dataset-fashion-mnist)")


def tiny_network(seed=0):
    network = Network.build([784, 16, 10], activations=["relu", "softmax"], bias=True, init="he", seed=seed,
                            dtype=np.float32, loss="cross_entropy")
    network.record_summaries(every=2)
    return network


def tiny_image_run(folder):
    """A 784-16-10 network trained 2 epochs of 20 batches on 640 Fashion-MNIST images, saved to ``folder``."""
    from simnet.optimizers import get_optimizer
    from simnet.saving import save_network

    one_hot, to_inputs = data_module().one_hot, data_module().to_inputs
    images, labels = fashion_test_set()
    x, y = to_inputs(images[:640]), one_hot(labels[:640])
    network = tiny_network()
    optimizer = get_optimizer("adam", 0.01)
    for _ in range(2):
        run_epoch(network, x, y, optimizer, batch_size=32)
    network.close_histories()
    save_network(folder, network, optimizer, {"dataset": "fashion-mnist", "class_names": list("ABCDEFGHIJ")})
    return network, images, labels


class LiveStreetlights:
    """A live server on a streetlights network that starts paused, trained in a background thread."""

    def __init__(self, iterations=50, health_every=None, **kw):
        self.network = streetlights_network()
        if health_every:
            self.network.record_health(every=health_every)
        self.live = LiveRun(self.network, port=0, title="streetlights", samples=LABELS, start_paused=True,
                            out=io.StringIO(), **kw)
        self.live.start()
        self.stop = threading.Event()
        self.thread = threading.Thread(target=train_per_sample, args=(self.network, iterations, 0.2, self.stop),
                                       daemon=True)
        self.thread.start()
        self.wait(lambda: self.live.paused)

    @staticmethod
    def wait(condition, timeout=10.0):
        import time

        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                raise AssertionError("timed out waiting for the live run")
            time.sleep(0.01)

    def close(self):
        self.stop.set()
        self.live.close()
        self.thread.join(10)


def request(url, path, method="GET", body=None, token=True, headers=None, raw=None):
    """``(status, parsed JSON or text)`` of one request to the live server at ``url``."""
    u = urlsplit(url)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=10)
    tok = dict(p.split("=", 1) for p in u.query.split("&"))["token"]
    if token is True:
        path += ("&" if "?" in path else "?") + "token=" + tok
    elif isinstance(token, str):
        path += ("&" if "?" in path else "?") + "token=" + token
    h = {"Host": f"{u.hostname}:{u.port}"}
    data = raw
    if body is not None:
        data = json.dumps(body).encode()
        h["Content-Type"] = "application/json"
    if data is not None:
        h["Content-Length"] = str(len(data))
    h.update(headers or {})
    conn.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
    for k, v in h.items():
        conn.putheader(k, v)
    conn.endheaders(data)
    r = conn.getresponse()
    text = r.read().decode()
    conn.close()
    try:
        return r.status, json.loads(text)
    except ValueError:
        return r.status, text


class Page:
    """A browser page that collects console errors, page errors and every request it makes."""

    def __init__(self, browser, viewport=(1400, 900)):
        # bypass_csp: wait_for_function evaluates strings, which the page's own CSP forbids
        self.page = browser.new_page(viewport={"width": viewport[0], "height": viewport[1]}, bypass_csp=True)
        self.errors, self.requests = [], []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("request", lambda r: self.requests.append(r.url))

    def close(self):
        self.page.close()


def live_scenario(*args):
    """Start ``python ARGS...`` (a scenario with ``--live 0``) in the checkout and read the URL it prints:
    ``(process, url)``; its stdout and stderr are pipes (the lines after the URL are the caller's)."""
    env = dict(os.environ, PYTHONUNBUFFERED="1", MPLBACKEND="Agg", PYTHONPATH=ROOT)
    proc = subprocess.Popen([sys.executable, *map(str, args)], cwd=ROOT, env=env, text=True, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    url = None
    deadline = time.monotonic() + 60
    while url is None and time.monotonic() < deadline:
        m = re.search(r"(http://127\.0\.0\.1:\d+/\?token=\S+)", proc.stdout.readline())
        url = m and m.group(1)
    if url is None:
        proc.kill()
        raise AssertionError(f"the scenario printed no URL: {proc.communicate()[1][-2000:]}")
    return proc, url
