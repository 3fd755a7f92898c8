"""The live explorer: the running training serves its own page, and the page can steer it.

``serve(port, network, ...)`` (what a scenario's ``--live [PORT]`` calls) starts an HTTP
server on 127.0.0.1 in a background thread and prints the URL with a random token, as
Jupyter does.  The page polls ``/state`` for frames and sends commands to ``/control``
(pause, resume, step one sample or batch, step one phase, stop, pace, watchpoints, and fork:
``simnet fork`` started in the background from a kept state of the paused run, where the
scenario gives ``fork``) and ``/edit`` (a weight, a bias or an input neuron).

Why the standard library (``http.server`` + ``threading``): the page only needs a few small
JSON requests a second from one local browser; polling does that with no extra dependency,
no event loop to share with the training, and nothing to install for a learner.

How the run is observed: ``LiveRun`` is a listener on the layers' monitor points
(``SimpleLayer.listen``), as the recording monitors are; no method of a layer is replaced.  It
always listens at the end of a step (the input layer's ``learn`` point, the last call of every
backward pass) and, while the page steps phase by phase, at every phase (``set_neurons``, each
``train()``, ``calc_delta``, each ``learn()``).  Everything the controller does happens in the
training thread, at those points: it pauses there, applies edits there (through the same checks
as the Python API) and copies the values the page shows there.  It copies them only while a page
is polling and at most ``fps`` times a second (frames may be dropped; the training never waits
for the browser, and nothing it computes or records changes).

Control: Pause is taken at the end of the step that runs when it reaches the server (the request
sets the mode itself; nothing waits in a queue), so at most one step ends after it.  ``pace``
(steps a second, None for full speed) spaces the steps out so a person can follow them; the
training thread waits between steps then, so the server answers at once.  Resume, step, phase,
pace and edits are queued and taken by the training thread at its next monitor point.

Security: every request needs the token (query ``token=`` or header ``X-Simnet-Token``),
otherwise 403; the Host header must name this server and a cross-origin request (an
``Origin`` other than this server's, or ``Sec-Fetch-Site: cross-site``) is refused with 403;
POST bodies must be JSON (``Content-Type: application/json``) of at most ``MAX_BODY``
bytes; the server binds 127.0.0.1 unless another host is asked for.  Stop sends this process
a SIGINT, so it ends the run exactly as Ctrl-C does.
"""
import argparse
import functools
import hmac
import io
import ipaddress
import json
import math
import os
import queue
import secrets
import selectors
import signal
import socket
import socketserver
import sys
import threading
import time
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs, urlsplit

import numpy as np

from ..checks import as_numbers, check_finite  # the API's own checks
from ..interrupt import StopOnInterrupt
from ..watch import parse
from .export import network_page_data, rounded
from .page import render

MAX_BODY = 4096  # bytes of a POST body
MAX_HEAD = 16384  # bytes of a request's line and headers
WORKERS = 8  # threads that answer complete requests
MAX_OPEN = 1024  # connections held at once (the oldest is dropped beyond)
MAX_QUEUED = 64  # complete requests waiting for a worker (beyond: 503)
IDLE_S = 10.0  # a connection that sends nothing for this long is dropped
REQUEST_S = 20.0  # a request must arrive whole within this long of the connection
SEND_S = 5.0  # an answer must be taken by the client within this long
KEEP_FRAMES = 300  # frames the server holds for pollers
SEND_FRAMES = 100  # at most this many per answer (the newest)
ATTACHED_S = 3.0  # a page that polled this recently is attached
DETACHED_S = 10.0  # a paused run whose page has not polled for this long says so in the terminal
ERROR_EVERY_S = 0.002  # while running, a step's errors are read at most this often (reading them costs a fast
#                        per-sample step a seventh of its time; sampled steps give the same mean)


def port_number(text):
    """argparse type of ``--live [PORT]``: 0..65535 (0: a free port)."""
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"PORT must be a number 0..65535, got {text!r}") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"PORT must be 0..65535 (0: a free port), got {port}")
    return port


def pace_number(text):
    """argparse type of ``--pace``: steps a second (a positive number), or ``full``."""
    if text.strip().lower() in ("full", "0", "none"):
        return None
    try:
        return _check_pace(float(text))
    except ValueError:
        raise argparse.ArgumentTypeError(f"--pace must be a number of steps a second in (0, {MAX_PACE}] or "
                                         f"'full', got {text!r}") from None


def add_live_argument(p, pace=None, unit="step"):
    """Add ``--live [PORT]``, ``--live-host`` and ``--pace`` to the ArgumentParser ``p``.

    ``pace``: the default steps a second of a live run (None: full speed); ``unit`` names a step in the help.
    """
    p.add_argument("--live", nargs="?", const=0, type=port_number, metavar="PORT",
                   help="serve the explorer of this run at http://127.0.0.1:PORT with a token "
                        "(no PORT or 0: a free port); pause, step, edit and stop it from the page")
    p.add_argument("--live-host", default="127.0.0.1",
                   help="address the --live server binds (default 127.0.0.1, this machine only)")
    p.add_argument("--pace", type=pace_number, default=pace, metavar="N",
                   help=f"with --live: {unit}s a second, so a person can follow the run ('full': as fast as it goes; "
                        f"default {'full' if pace is None else f'{pace:g}'}); the page changes it while it runs")


def serve(port, network, host="127.0.0.1", **kw):
    """Start a ``LiveRun`` for ``network`` when ``port`` is not None (``--live``); returns it (or None).

    For scripts: a port or address that cannot be served is a one-line error and exit status 2.
    """
    if port is None:
        return None
    live = LiveRun(network, port=port, host=host, **kw)
    try:
        live.start()
    except OSError as e:  # port taken, address not on this machine: the user's to fix, in one line
        print(f"error: cannot serve the explorer on {host}:{port} ({e.strerror or e})", file=sys.stderr)
        raise SystemExit(2) from None
    return live


class EditRefused(ValueError):
    pass


MAX_PACE = 100_000  # steps a second a pace may ask for (more is full speed: None)


def _check_pace(pace, error=ValueError):
    """A pace in steps a second (a positive number up to ``MAX_PACE``), or None for full speed."""
    if pace is None:
        return None
    if isinstance(pace, bool) or not isinstance(pace, (int, float)) or not (0 < pace <= MAX_PACE):
        raise error(f"pace must be a number of steps a second in (0, {MAX_PACE}] or null (full speed), got {pace!r}")
    return float(pace)


class _Listener:
    """A listener on a layer's monitor point (``SimpleLayer.listen``): ``record()`` calls ``fn``."""

    __slots__ = ("fn",)

    def __init__(self, fn):
        self.fn = fn

    def record(self):
        self.fn()


class BodyRefused(ValueError):
    """A request body that is not the strict JSON the server takes (400)."""


class SentNumber(float):
    """A JSON number as it was sent: a float that shows itself as the text that came (``1e39``, not ``1e+39``)."""

    def __new__(cls, text):
        number = super().__new__(cls, text)
        number.text = text
        return number

    def __repr__(self):
        return self.text


class NotFinite:
    """A JSON number no float holds (``1e400``), or a constant JSON has not (``NaN``, ``Infinity``): kept as
    sent, so that the field it stands in is refused by name, with the value."""

    def __init__(self, text):
        self.text = text

    def __repr__(self):
        return self.text


def _unique_keys(pairs):
    d = {}
    for k, v in pairs:
        if k in d:
            raise BodyRefused(f"the key {k!r} is given twice")
        d[k] = v
    return d


def _json_number(text):
    number = SentNumber(text)
    return number if math.isfinite(number) else NotFinite(text)


def parse_body(data):
    """A request body, read strictly: UTF-8 JSON with unique keys; numbers keep the text they were sent as,
    and those that are not finite (``1e400``, ``NaN``, ``Infinity``) stay marked as such (``NotFinite``), for
    the field's own check to refuse by name.  Anything else is a ``BodyRefused`` saying what."""
    try:
        return json.loads(data.decode("utf-8") or "null", object_pairs_hook=_unique_keys,
                          parse_float=_json_number, parse_constant=NotFinite)
    except BodyRefused:
        raise
    except UnicodeDecodeError:
        raise BodyRefused("the body is not UTF-8 text") from None
    except RecursionError:
        raise BodyRefused("the body is nested too deeply") from None
    except ValueError as e:  # JSONDecodeError, an integer of too many digits
        raise BodyRefused(f"the body is not valid JSON ({e})") from None


def shown(value):
    """A value of a request as a message shows it: JSON's spelling for true, false and null, strings in quotes,
    numbers as they were sent."""
    if value is None or isinstance(value, bool):
        return json.dumps(value)
    text = repr(value)
    return text if len(text) <= 60 else text[:60] + "..."


def _index(value, size, what):
    whole = isinstance(value, int) or (isinstance(value, float) and value.is_integer())
    if isinstance(value, bool) or not whole:
        raise EditRefused(f"{what} must be a whole number in 0..{size - 1}, got {shown(value)}")
    if not 0 <= value < size:
        raise EditRefused(f"{what} must be in 0..{size - 1}, got {shown(value)}")
    return int(value)


class LiveRun:
    """Serve the explorer of ``network`` while it trains, and let the page steer the run."""

    def __init__(self, network, port=0, host="127.0.0.1", title=None, samples=None, image_shape=None,
                 class_names=None, unit=None, fps=20, start_paused=False, pace=None, watch_window=1, out=sys.stdout,
                 panels=(), fork=None):
        self.network = network
        # the scenario's fork(at, edit) -> what the page shows (simnet.runs.fork.fork_live), called in the
        # training thread while the run is paused; None: this run cannot fork from its page
        self.fork = fork
        self.layers = list(network.layers)
        self.host, self.port = host, int(port)
        self.token = secrets.token_urlsafe(24)
        self.samples = samples  # per-sample runs: the sample labels, in training order
        self.image_shape = tuple(image_shape) if image_shape else None
        self.fps = float(fps)
        self.pace = _check_pace(pace)  # steps a second, or None: full speed
        self.out = out
        self.unit = unit or ("sample" if samples else "batch")
        # extra panels of the page (the playground's maps): each gives its part of the page (page_data) under
        # its key, and a part of a frame (frame(step, now), None when it has nothing new), in the training thread
        self.panels = list(panels)
        data = network_page_data(network, title=title or repr(network))
        self.structure = self._live_structure(data, class_names)
        self.structure["fork"] = fork is not None
        self._lock = threading.Lock()
        self._commands = queue.Queue()
        self._frames = deque(maxlen=KEEP_FRAMES)
        self._n = 0
        self._mode = "phase" if start_paused else "run"  # run | pause (at the next step's end) | step | phase
        self.paused = False
        self.finished = False
        self.stopping = False
        self.phase = None
        self.steps = 0
        self._phase_no = 0
        self._in_step = False  # between the first and the last phase of a step
        self._done = set()  # the (phase, layer) pairs done in the current step, while stepping phases
        self._last_poll = 0.0
        self._told_left = False  # said that the paused run's page stopped asking
        self._last_frame = 0.0
        self._err_sum, self._err_n = 0.0, 0
        self._last_error = 0.0
        self.capture_s = 0.0  # time the training thread spent copying frames for the page
        self._broken = False
        self._health_sent = None  # the step of the last health rows sent
        self.watch_window = watch_window  # the steps the watchpoints' 'error' averages over
        self.fired = []  # what the last watchpoint that fired said
        self._hooks = []  # (layer, point, listener) listening for the whole run
        self._phased = []  # listening while stepping phase by phase
        self._next_due = 0.0  # with a pace: when the next step may end
        self._wake = threading.Event()  # set by every command: a pace's wait ends at once
        self._pause_asked = None  # the step count when the last Pause reached the server
        self.paused_after = None  # steps that ended between that and the pause (at most 1)
        self._server = None
        self.url = None

    # ---- the page's structure and frames -----------------------------------
    def _live_structure(self, data, class_names):
        series = []
        conns = {c["source"]: c for c in data["connections"]}
        self._columns = []  # per series: how to read its values from the network
        for layer, la in zip(self.layers, data["layers"]):
            idx = np.asarray(la["shown"], dtype=np.int64)
            series.append({"layer": layer.name, "variable": "neurons", "idx": la["shown"], "t": [], "v": []})
            self._columns.append(("neurons", layer, idx))
            if layer.source is not None:
                series.append({"layer": layer.name, "variable": "delta", "idx": la["shown"], "t": [], "v": []})
                self._columns.append(("delta", layer, idx))
            if layer.bias is not None and np.shape(layer.bias) == (layer.num_neurons,):
                series.append({"layer": layer.name, "variable": "bias", "idx": la["shown"], "t": [], "v": []})
                self._columns.append(("bias", layer, idx))
            c = conns.get(layer.name)
            if c is not None and c["pairs"]:
                pairs = np.asarray(c["pairs"], dtype=np.int64)
                series.append({"layer": layer.name, "variable": "weights", "pairs": c["pairs"], "t": [], "v": []})
                self._columns.append(("weights", layer, (pairs[:, 0], pairs[:, 1])))
        return {**data, "mode": "live", "unit": self.unit, "series": series, "frames": [],
                "curves": [{"name": "error per sample (mean of the steps sampled since the last frame)", "x": [], "y": [], "main": True}],
                "samples": list(self.samples) if self.samples else None, "class_names": class_names,
                "summary": {}, "poll_ms": 250, "pace": self.pace, **{p.key: p.page_data() for p in self.panels}}

    def _values(self):
        out = []
        for var, layer, idx in self._columns:
            if var == "weights":
                w = layer.weight_row_mat
                out.append(rounded(w[idx]))
            elif var == "bias":
                out.append(rounded(layer.bias[idx]))
            else:
                a = layer.neuron_row_array if var == "neurons" else layer.delta
                if a is None:
                    out.append([None] * len(idx))
                else:
                    out.append(rounded(a.reshape(len(a), -1)[0][idx]))
        return out

    def _fresh(self):
        """Which of the current step's results exist yet: mid-step (phase by phase) the output and its
        delta still hold the previous sample's or batch's values until train() and calc_delta reach them."""
        if not self._in_step:
            return True, True
        last = self.layers[-1].name
        return ("train", last) in self._done, ("calc_delta", last) in self._done

    def _sample(self):
        predicted_ok, goal_ok = self._fresh()
        if self.samples:  # per-sample runs take the samples in order
            return {"sample": (self.steps - (not self._in_step)) % len(self.samples),
                    "prediction_fresh": predicted_ok, "goal_fresh": goal_ok}
        if self.image_shape:
            x = self.layers[0].neuron_row_array.reshape(len(self.layers[0].neuron_row_array), -1)[0]
            out = self.layers[-1]
            y = out.neuron_row_array.reshape(len(out.neuron_row_array), -1)[0]
            d = out.delta
            goal = int(np.argmax(y + d.reshape(len(d), -1)[0])) if d is not None and d.shape[0] else None
            img = np.clip(np.nan_to_num(x) * 255, 0, 255).astype(np.uint8)
            return {"image": img.tolist(), "image_shape": list(self.image_shape),
                    "predicted": int(np.argmax(y)) if predicted_ok else None, "goal": goal if goal_ok else None}
        return None

    def _capture(self, t):
        if self._broken:
            return
        started = time.perf_counter()
        try:
            frame = {"t": t, "values": self._values(), "sample": self._sample(),
                     "error": (self._err_sum / self._err_n) if self._err_n else None, "health": self._health()}
            for p in self.panels:
                part = p.frame(t, time.monotonic())
                if part is not None:
                    frame.setdefault("panels", {})[p.key] = part
        except Exception as e:  # noqa: BLE001 - the page must never break the training
            self._broken = True
            print(f"explorer: cannot show this network's values ({type(e).__name__}: {e}); the run goes on",
                  file=sys.stderr, flush=True)
            return
        if frame["error"] is not None and not np.isfinite(frame["error"]):
            frame["error"] = None
        self._err_sum, self._err_n = 0.0, 0
        with self._lock:
            self._n += 1
            frame["n"] = self._n
            self._frames.append(frame)
        self._last_frame = time.monotonic()
        self.capture_s += time.perf_counter() - started

    def _health(self):
        """The newest layer-health rows (``Network.record_health``), once per row: ``{layer: [t, values]}``."""
        health = self.network.health
        if health is None or not health.latest or health.steps == self._health_sent:
            return None
        self._health_sent = health.steps
        return {name: [health.steps, rounded(list(row.values()))] for name, row in health.latest.items()}

    def status(self):
        ph = self.phase
        return {"paused": self.paused, "finished": self.finished, "stopping": self.stopping, "step": self.steps,
                "mode": self._mode, "phase": None if ph is None else {"name": ph[0], "layer": ph[1]},
                "pace": self.pace, "paused_after": self.paused_after, "fired": self.fired,
                "watchpoints": [wp.text for wp in self.network.watch.points if wp.action == "pause"]
                if self.network.watch is not None else []}

    # ---- listeners, in the training thread ---------------------------------------
    def _listen(self, layer, point, fn, into):
        listener = _Listener(fn)
        layer.listen(point, listener)
        into.append((layer, point, listener))

    def attach(self):
        """Listen at the step's end (the input layer's ``learn`` point) always, and at every phase in phase
        mode only (a call each costs time).  Nothing of the layers is replaced: they call the listeners."""
        self._made_watch = self.network.watch is None
        watch = self.network._watchpoints(self.watch_window)  # before our listener: it checks first
        watch.on_pause.append(self._watch_fired)
        self._listen(self.layers[0], "learn", self._step_end, self._hooks)
        self._phase_hooks(self._mode == "phase")

    def _phase_hooks(self, on):
        """Add the phase listeners (``on``), or remove them; removed only at a step's end, where none of the
        lists they sit in is being walked."""
        if on and not self._phased:
            first, last = self.layers[0], self.layers[-1]
            self._listen(first, "neurons", functools.partial(self._at_phase, "set_neurons", first.name), self._phased)
            for layer in self.layers:
                self._listen(layer, "train", functools.partial(self._at_phase, "train", layer.name), self._phased)
            self._listen(last, "delta", functools.partial(self._at_phase, "calc_delta", last.name), self._phased)
            for layer in self.layers[1:]:
                self._listen(layer, "learn", functools.partial(self._at_phase, "learn", layer.name), self._phased)
        elif not on:
            self._unlisten(self._phased)

    @staticmethod
    def _unlisten(hooks):
        for layer, point, listener in hooks:
            layer.unlisten(point, listener)
        hooks.clear()

    def detach(self):
        self._unlisten(self._phased)
        self._unlisten(self._hooks)
        watch = self.network.watch
        if watch is not None and self._watch_fired in watch.on_pause:
            watch.on_pause.remove(self._watch_fired)
            if self._made_watch and not watch.points:  # the page declared none: the network is as it was
                watch.detach()
                self.network.watch = None

    def _watch_fired(self, fired, state, source):
        """A watchpoint fired (in the training thread, at a step's end): pause at this step and say what fired."""
        self.fired = [{"text": wp.text, "what": words, "step": state.step,
                       "layer": getattr(wp.condition, "layer", None),
                       "name": getattr(wp.condition, "stat", None) or getattr(wp.condition, "kind", None)}
                      for wp, words in fired]
        for f in self.fired:
            print(f"explorer: {f['what']}; the run is paused", file=self.out, flush=True)
        points = self.layers[0]._watch["learn"]
        ours = next((k for k, m in enumerate(points) if any(m is h[2] for h in self._hooks)), -1)
        theirs = next((k for k, m in enumerate(points) if m is source), -1)
        if theirs < ours:  # our step-end listener comes after it in this step: it pauses there
            self._mode = "pause"
        else:  # it came before: pause here
            self.phase = ("learn", self.layers[0].name)
            self._hold()

    def _attached(self, now):
        return now - self._last_poll < ATTACHED_S

    def _step_end(self):
        self.steps += 1
        self._phase_no = 0
        self._in_step = False
        self._done.clear()
        mode = self._mode
        if mode == "run" and self.pace is None and not self._commands.queue:
            now = time.monotonic()
            if now - self._last_poll >= ATTACHED_S:
                return  # nobody watching, nothing asked, no pace: the cheapest path
        else:
            now = time.monotonic()
        if self._phased and mode != "phase":
            self._phase_hooks(False)  # here no list they sit in is being walked
        if self._attached(now) or mode != "run" or self.pace is not None:
            errors = None
            if mode != "run" or self.pace is not None or now - self._last_error >= ERROR_EVERY_S:
                self._last_error = now
                errors = self.layers[-1].sample_errors
            if errors is not None:  # item() of one sample's error is much cheaper than a sum
                self._err_sum += errors.item() if errors.size == 1 else float(errors.sum())
                self._err_n += errors.size
            if mode != "run":
                self.phase = ("learn", self.layers[0].name)
                self._hold()
            else:
                if now - self._last_frame >= 1.0 / self.fps:
                    self.phase = None
                    self._capture(self.steps)
                if self.pace is not None:
                    self._keep_pace(now)
        self._commands_now()

    def _keep_pace(self, now):
        """Wait until this step may end at the chosen pace; a command (Pause) ends the wait at once."""
        due = self._next_due
        if due > now:
            self._wake.clear()
            self._wake.wait(due - now)
            now = time.monotonic()
        self._next_due = max(due, now - 0.25) + 1.0 / self.pace  # catch up a little after a slow step, not more

    def _at_phase(self, name, layer):
        if self._mode != "phase":
            return  # the phase listeners go at the step's end
        self._phase_no += 1
        self._in_step = True
        self.phase = (name, layer)
        self._done.add(self.phase)
        self._hold()

    def _hold(self):
        """Pause here (between two phases) until the page says go on; apply edits meanwhile."""
        sub = self._phase_no / 100 if self.phase and self._phase_no else 0
        if self._pause_asked is not None:
            self.paused_after, self._pause_asked = self.steps - self._pause_asked, None
        self._mode = "pause"
        self._capture(self.steps + sub)  # the frame of where it stops, before it says it is paused there
        self.paused = True
        while self.paused:
            if self.stopping or self._interrupted():
                self.paused, self._mode = False, "run"
                break
            try:
                cmd = self._commands.get(timeout=0.05)
            except queue.Empty:
                self._say_if_left()
                continue
            self._do(cmd, held=True)
            if cmd[0] in ("edit", "pace", "watch", "unwatch"):
                self._capture(self.steps + sub)
        self._next_due = time.monotonic() + (1.0 / self.pace if self.pace else 0.0)

    def _say_if_left(self):
        """Paused, and the page that paused it has stopped asking (closed?): say once, in the terminal, why
        nothing moves and what goes on (the run stays paused: the page may come back)."""
        if self._told_left or not self._last_poll or time.monotonic() - self._last_poll < DETACHED_S:
            return
        self._told_left = True
        print(f"explorer: the run is paused at step {self.steps} and its page has not asked for {DETACHED_S:g} s; "
              f"open {self.url} to go on, or press Ctrl-C to stop (what was recorded is saved)",
              file=self.out, flush=True)

    def _interrupted(self):
        handler = signal.getsignal(signal.SIGINT)
        stop = getattr(handler, "__self__", None)
        return isinstance(stop, StopOnInterrupt) and stop.requested  # Ctrl-C in the terminal while paused

    def _commands_now(self):
        while self._commands.queue:
            try:
                cmd = self._commands.get_nowait()
            except queue.Empty:
                return
            self._do(cmd, held=False)

    def _do(self, cmd, held):
        kind, arg, reply = cmd
        try:
            if kind == "edit":
                if not held:
                    raise EditRefused("pause the run first: values are changed between steps")
                reply.put((True, self._edit(arg)))
                return
            if kind == "fork":
                if not held:
                    raise EditRefused("pause the run first: a fork starts from a state of a paused run")
                if any(phase == "learn" for phase, _ in self._done):  # weights of this step already changed
                    raise EditRefused("the run is paused mid-step, its backward pass begun (phase by phase): step "
                                      "to the end of the step first; a fork starts from the state after a whole step")
                forked = self.fork(arg.get("at"), arg.get("edit") or "")
                print(f"explorer: forked from the page (pid {forked['pid']}, output in {forked['log']}): "
                      f"{forked['command']}", file=self.out, flush=True)
                reply.put((True, forked))
                return
            if kind in ("resume", "step", "phase"):
                self._mode = {"resume": "run", "step": "step", "phase": "phase"}[kind]
                if kind == "phase":
                    self._phase_hooks(True)
                self.paused = False
            elif kind == "pause":
                self._mode = "pause"
            elif kind == "pace":
                self.pace = _check_pace(arg, EditRefused)
                self._next_due = 0.0
            elif kind == "watch":
                self.network._watchpoints(self.watch_window).add(arg, "pause")
            elif kind == "unwatch":
                watch = self.network.watch
                for wp in [p for p in watch.points if p.text == arg and p.action == "pause"] if watch else []:
                    watch.remove(wp)
            reply.put((True, {}))
        except (TypeError, ValueError) as e:  # a refusal: its message says why
            reply.put((False, str(e)))
        except Exception as e:  # noqa: BLE001 - whatever a command hits is its refusal; the training goes on
            reply.put((False, f"{kind} failed ({type(e).__name__}: {e}); nothing was changed and the run goes on"))

    def _edit(self, req):
        what = req.get("what")
        if what not in ("weight", "bias", "input"):
            raise EditRefused(f"what must be 'weight', 'bias' or 'input', got {shown(what)}")
        name = req.get("layer")
        layer = next((la for la in self.layers if la.name == name), None)
        if what == "input":
            layer = layer or self.layers[0]
            if layer is not self.layers[0]:
                raise EditRefused(f"only the input layer {self.layers[0].name!r} has input neurons; "
                                  f"got layer {shown(name)}")
        elif layer is None:
            raise EditRefused(f"no layer named {shown(name)}; layers are {[la.name for la in self.layers]}")
        value = req.get("value")
        if what == "weight":
            w = layer.weight_row_mat
            if w is None or w.ndim != 2:
                raise EditRefused(f"layer {layer.name!r} has no target, so it owns no weights")
            i, j = _index(req.get("i"), w.shape[0], "i"), _index(req.get("j"), w.shape[1], "j")
            v = self._number(value, layer, f"layer {layer.name!r}: weight_row_mat[{i}, {j}]")
            new = w.copy()
            new[i, j] = v
            layer.weight_row_mat = new  # the layer's own setter checks it again
            return {"what": "weight", "where": f"{layer.name}[{i}, {j}]", "value": float(layer.weight_row_mat[i, j])}
        if what == "bias":
            if layer.bias is None:
                raise EditRefused(f"layer {layer.name!r} has no bias")
            i = _index(req.get("i"), layer.bias.size, "i")
            v = self._number(value, layer, f"layer {layer.name!r}: bias[{i}]")
            layer.bias.reshape(-1)[i] = v
            return {"what": "bias", "where": f"{layer.name}[{i}]", "value": float(layer.bias.reshape(-1)[i])}
        row = layer.neuron_row_array
        i = _index(req.get("i"), row.reshape(len(row), -1).shape[1], "i")
        v = self._number(value, layer, f"layer {layer.name!r}: set_neurons input")
        row.reshape(len(row), -1)[0, i] = v
        return {"what": "input neuron", "where": f"{layer.name}[{i}]",
                "value": float(row.reshape(len(row), -1)[0, i])}

    @staticmethod
    def _number(value, layer, what):
        what = f"value for {what}"
        if isinstance(value, NotFinite):
            raise EditRefused(f"{what} must be a finite number, got {value.text} (NaN or infinite)")
        if isinstance(value, bool):
            raise EditRefused(f"{what} must be a number, got {shown(value)}")
        sent = value
        if isinstance(value, str):  # typed in the page: read as Python's float() reads text, if it can
            try:
                value = float(value.strip())
            except ValueError:
                pass  # not a number: the API's check below says so
        if isinstance(value, float) and math.isfinite(value) and abs(value) > float(np.finfo(layer.dtype).max):
            raise EditRefused(f"{what} is {shown(sent)}, outside {np.dtype(layer.dtype)}'s range "
                              f"(at most {np.finfo(layer.dtype).max:.4g} in size)")
        a = as_numbers(value, layer.dtype, what)  # the API's rules: numbers only, in the layer's dtype's range
        if a.ndim != 0:
            raise EditRefused(f"{what} must be one number, got {shown(sent)}")
        check_finite(a, what)
        return a

    # ---- requests, from the server's threads ------------------------------------
    def command(self, kind, arg=None, timeout=5.0):
        """Queue a command for the training thread and wait for its answer: ``(ok, result or message)``."""
        if self.finished:
            return False, "the run has finished"
        if kind == "stop":
            return self._stop()
        if kind == "edit" and not self.paused:
            return False, "pause the run first: values are changed between steps"
        if kind == "fork":
            if self.fork is None:
                return False, ("this run keeps no states to fork from (streetlights does with --plots, the image "
                               "scenarios with --save)")
            if not self.paused:
                return False, "pause the run first: a fork starts from a state of a paused run"
            at = arg.get("at") if isinstance(arg, dict) else None
            if isinstance(at, bool) or not isinstance(at, int) or at < 0:
                return False, f"at must be a step (an int >= 0), got {shown(at)}"
            if not isinstance(arg.get("edit", ""), (str, type(None))):
                return False, f"edit must be text, got {shown(arg.get('edit'))}"
        if kind == "pause":
            if not self.paused:  # taken at the end of the step that runs now: set here, not queued
                self._pause_asked = self.steps
                self._mode = "pause"
                self._wake.set()
            return True, {}
        if kind == "pace":
            try:
                _check_pace(arg, EditRefused)
            except EditRefused as e:
                return False, str(e)
        if kind in ("watch", "unwatch"):
            if not isinstance(arg, str) or not arg.strip():
                return False, f"condition must be text, for example 'hidden.dead > 0.5', got {arg!r}"
            if kind == "watch":
                try:
                    arg = parse(arg, self.network)  # refused here, in the server's thread, before anything changes
                except ValueError as e:
                    return False, str(e)
        reply = queue.Queue()
        self._commands.put((kind, arg, reply))
        self._wake.set()
        try:
            return reply.get(timeout=timeout)
        except queue.Empty:
            if kind in ("resume", "step", "phase", "pause"):
                return True, {}  # taken at the run's next phase
            return False, "the run did not answer in time (it may be between steps); try again"

    def _stop(self):
        if self.stopping:
            return True, {}  # already asked: a second SIGINT would be a second Ctrl-C (KeyboardInterrupt)
        handler = signal.getsignal(signal.SIGINT)
        if not isinstance(getattr(handler, "__self__", None), StopOnInterrupt):
            return False, "the run is not training now, so there is nothing to stop"
        self.stopping = True
        os.kill(os.getpid(), signal.SIGINT)  # exactly what Ctrl-C does
        return True, {}

    def poll(self, since):
        self._last_poll = time.monotonic()
        self._told_left = False
        with self._lock:
            frames = [f for f in self._frames if f["n"] > since][-SEND_FRAMES:]
        return {"frames": frames, "status": self.status()}

    def page(self):
        return render(self.structure)

    # ---- life cycle -------------------------------------------------------------
    def start(self):
        handler = type("Handler", (_Handler,), {"live": self})
        self._server = PooledHTTPServer((self.host, self.port), handler)
        self.port = self._server.server_address[1]
        self.names = _names(self.host)
        shown = self.host if ":" not in self.host else f"[{self.host}]"
        if self.host in ("0.0.0.0", "::", ""):
            shown = "127.0.0.1"
        self.url = f"http://{shown}:{self.port}/?token={self.token}"
        self.attach()
        self._capture(0)
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True,
                         name="simnet-live").start()
        loopback = _is_loopback(self.host)
        if self._mode == "phase":
            print("the run waits for the page: open the URL and press Play (or Step)", file=self.out, flush=True)
        print(f"explorer: {self.url}", file=self.out, flush=True)
        if not loopback:
            print(f"explorer: WARNING: bound to {self.host}, so the explorer is reachable from the network: anyone "
                  f"who has the URL can steer this run (the Host header must still name this machine)",
                  file=self.out, flush=True)
        return self

    def finish(self):
        """The training is over: no more pausing or stopping; the hooks are removed."""
        self.finished, self.paused, self._mode = True, False, "run"
        self.detach()
        self._capture(self.steps)

    def close(self):
        self.finish()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()


def _is_loopback(host):
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


def _names(host):
    """The names and addresses a request's Host may give for a server bound to ``host`` (lower case): the
    loopback ones and ``host``; bound to every address (0.0.0.0, ::), also this machine's names and the
    addresses they resolve to.  (The address a request came in on is allowed too, in ``_Handler._allowed``.)"""
    names = {"127.0.0.1", "localhost", "::1", host.lower()}
    if host in ("0.0.0.0", "::", ""):
        for name in {socket.gethostname(), socket.getfqdn()}:
            names.add(name.lower())
            try:
                names.update(info[4][0] for info in socket.getaddrinfo(name, None))
            except OSError:
                pass
    return names


def _host_name(header):
    """``(name, port)`` of a Host header (``[::1]:8000``, ``name:8000``); ``(None, None)`` if it is not one."""
    url = urlsplit("//" + header)
    try:
        return (url.hostname or "").lower() or None, url.port
    except ValueError:
        return None, None


class _Request:
    """A connection whose request has arrived whole (``data``), handed to a worker."""

    def __init__(self, sock, data):
        self.sock, self.data = sock, data


class PooledHTTPServer:
    """An HTTP server that no number of idle or slow clients can stall.

    One thread waits on every open connection at once (``selectors``) and gathers each request's bytes as
    they come, without blocking; only a request that has arrived whole (its line, headers and body) goes to
    one of ``WORKERS`` threads, which answers it and closes the connection.  A connection that sends nothing
    for ``IDLE_S`` seconds, or has not sent a whole request after ``REQUEST_S``, is dropped; beyond ``MAX_OPEN``
    connections the oldest is dropped; an answer the client does not take within ``SEND_S`` is abandoned.
    So a page's poll waits only for the requests ahead of it, never for a connection that is not ready.
    """

    def __init__(self, address, handler):
        host, port = address
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.socket = socket.create_server((host, port), family=family, backlog=128)
        self.socket.setblocking(False)
        self.server_address = self.socket.getsockname()
        self.handler = handler
        self._selector = selectors.DefaultSelector()
        self._open = {}  # socket -> [bytes so far, time opened, time of the last byte]
        self._pool = ThreadPoolExecutor(WORKERS, thread_name_prefix="simnet-live-worker")
        self._queued = 0
        self._queued_lock = threading.Lock()
        self._stop = threading.Event()
        self._stopped = threading.Event()
        self._serving = False
        self._wake, self._waker = socket.socketpair()  # a byte on it ends select() at once (shutdown)

    def serve_forever(self, poll_interval=0.2):
        self._serving = True
        self._selector.register(self.socket, selectors.EVENT_READ)
        self._selector.register(self._wake, selectors.EVENT_READ)
        try:
            while not self._stop.is_set():
                for key, _ in self._selector.select(min(poll_interval, 0.1)):
                    if key.fileobj is self._wake:
                        continue
                    if key.fileobj is self.socket:
                        self._accept()
                    else:
                        self._read(key.fileobj)
                self._expire()
        finally:
            for sock in list(self._open):
                self._drop(sock)
            self._stopped.set()

    def _accept(self):
        for _ in range(64):
            try:
                sock, _ = self.socket.accept()
            except (BlockingIOError, InterruptedError):
                return
            except OSError:
                return
            sock.setblocking(False)
            now = time.monotonic()
            self._open[sock] = [bytearray(), now, now]
            self._selector.register(sock, selectors.EVENT_READ)
            if len(self._open) > MAX_OPEN:
                self._drop(min(self._open, key=lambda s: self._open[s][1]))

    def _drop(self, sock):
        self._open.pop(sock, None)
        try:
            self._selector.unregister(sock)
        except (KeyError, ValueError):
            pass
        sock.close()

    def _expire(self):
        now = time.monotonic()
        for sock, (_, opened, last) in list(self._open.items()):
            if now - last > IDLE_S or now - opened > REQUEST_S:
                self._drop(sock)

    def _read(self, sock):
        try:
            chunk = sock.recv(65536)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            chunk = b""
        if not chunk:
            return self._drop(sock)
        state = self._open[sock]
        state[0] += chunk
        state[2] = time.monotonic()
        data = state[0]
        end = data.find(b"\r\n\r\n")
        if end < 0:
            if len(data) > MAX_HEAD:
                self._hand_over(sock)  # the worker answers it: a request line or headers too long
            return
        length = 0
        for line in bytes(data[:end]).split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                try:
                    length = int(value.strip())
                except ValueError:
                    length = 0
        if not 0 <= length <= MAX_BODY or len(data) >= end + 4 + length:
            self._hand_over(sock)  # whole (or its length is refused without reading it)

    def _hand_over(self, sock):
        data = bytes(self._open.pop(sock)[0])
        self._selector.unregister(sock)
        with self._queued_lock:
            busy = self._queued >= MAX_QUEUED
            if not busy:
                self._queued += 1
        if busy:
            try:
                sock.sendall(b"HTTP/1.0 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n")
            except OSError:
                pass
            sock.close()
            return
        self._pool.submit(self._answer, sock, data)

    def _answer(self, sock, data):
        try:
            sock.setblocking(True)
            sock.settimeout(SEND_S)
            self.handler(_Request(sock, data), sock.getpeername(), self)
        except Exception:  # noqa: BLE001 - a client gone, a send timed out: that connection only
            pass
        finally:
            with self._queued_lock:
                self._queued -= 1
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            sock.close()

    def shutdown(self):
        self._stop.set()
        try:
            self._waker.send(b"x")
        except OSError:
            pass
        if self._serving:
            self._stopped.wait(5)

    def server_close(self):
        self._pool.shutdown(wait=False)
        self.socket.close()
        self._wake.close()
        self._waker.close()


class _Handler(BaseHTTPRequestHandler):
    live = None
    server_version = "simnet-live"
    sys_version = ""

    def setup(self):  # the request arrived whole (PooledHTTPServer): read it from memory, answer on the socket
        self.connection = self.request.sock
        self.rfile = io.BytesIO(self.request.data)
        self.wfile = socketserver._SocketWriter(self.connection)

    def finish(self):
        self.rfile.close()

    def log_message(self, *args):  # keep the terminal for the training's own output
        pass

    def _send(self, code, body, ctype="application/json"):
        data = body.encode() if isinstance(body, str) else json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", ctype + "; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("X-Frame-Options", "DENY")
        self.send_header("Referrer-Policy", "no-referrer")
        self.send_header("Content-Security-Policy", "frame-ancestors 'none'")
        self.end_headers()
        self.wfile.write(data)

    def _refuse(self, code, why):
        self._send(code, {"error": why})
        return False

    def _allowed(self):
        live = self.live
        host = self.headers.get("Host", "")
        name, port = _host_name(host)
        here = self.connection.getsockname()[0].lower()  # the address this request came in on
        if port != live.port or (name not in live.names and name != here):  # DNS rebinding: another name
            return self._refuse(403, "wrong Host header")
        origin = self.headers.get("Origin")
        if origin is not None and origin != "http://" + host:
            return self._refuse(403, "cross-origin requests are refused")
        if self.headers.get("Sec-Fetch-Site", "same-origin") not in ("same-origin", "none"):
            return self._refuse(403, "cross-site requests are refused")
        query = parse_qs(urlsplit(self.path).query)
        token = self.headers.get("X-Simnet-Token") or (query.get("token") or [""])[0]
        if not hmac.compare_digest(token.encode(), live.token.encode()):
            return self._refuse(403, "a valid token is required (use the URL the run printed)")
        return True

    def do_GET(self):
        if not self._allowed():
            return
        url = urlsplit(self.path)
        if url.path in ("/", "/index.html"):
            return self._send(200, self.live.page(), "text/html")
        if url.path == "/state":
            try:
                since = int((parse_qs(url.query).get("since") or ["-1"])[0])
            except ValueError:
                return self._refuse(400, "since must be a number")
            return self._send(200, self.live.poll(since))
        return self._refuse(404, "not found")

    def do_POST(self):
        if not self._allowed():
            return
        url = urlsplit(self.path)
        if url.path not in ("/control", "/edit"):
            return self._refuse(404, "not found")
        media = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if media != "application/json":
            return self._refuse(415, "the body must be JSON (Content-Type: application/json)")
        try:
            length = int(self.headers.get("Content-Length"))
        except (TypeError, ValueError):
            return self._refuse(411, "Content-Length is required")
        if not 0 <= length <= MAX_BODY:
            self.close_connection = True
            return self._refuse(413, f"the body is limited to {MAX_BODY} bytes")
        try:
            body = parse_body(self.rfile.read(length))
        except BodyRefused as e:
            return self._refuse(400, str(e))
        if not isinstance(body, dict):
            return self._refuse(400, "the body must be a JSON object")
        if url.path == "/control":
            action = body.get("action")
            if action not in ("pause", "resume", "step", "phase", "stop", "pace", "watch", "unwatch", "fork"):
                return self._refuse(400, f"unknown action {shown(action)}")
            arg = body.get("condition") if action in ("watch", "unwatch") else \
                {"at": body.get("at"), "edit": body.get("edit")} if action == "fork" else body.get("pace")
            ok, result = self.live.command(action, arg, timeout=30.0 if action == "fork" else 5.0)
        else:
            ok, result = self.live.command("edit", body)
        if ok:
            return self._send(200, {"ok": True, **result, "status": self.live.status()})
        # a refused command or value is an answer, not a protocol error: 200 with ok false and the reason
        return self._send(200, {"ok": False, "error": result, "status": self.live.status()})
