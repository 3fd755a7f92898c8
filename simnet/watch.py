"""Watchpoints: stop a run at the step where something happens, not at a line of code.

A watchpoint is a condition checked at the end of every step (it listens at the input layer's
``learn`` monitor point, as the explorer does).  When it becomes true, its action runs in the
training thread, at that step: the live explorer pauses there and shows what fired
(``Network.pause_when``, ``--pause-when``), or Python's debugger opens with the layers in scope
(``Network.break_when``, ``--break-when``).

The grammar of a condition written as text (``parse``), one comparison::

    nan                         any error or output neuron is NaN or infinite
    step == 120                 steps done (samples in a per-sample run, batches in a mini-batch run)
    error < 0.01                the mean sample error over the last ``window`` steps
    hidden.dead > 0.5           a layer's health (Network.record_health): dead, saturated, mean, std,
                                grad_norm, update_ratio, checked each time a health window ends

Comparisons: ``<``, ``<=``, ``>``, ``>=``, ``==``, ``!=``; the number is any Python float literal.
Give several watchpoints to watch several things (any of them fires).  A condition can also be
a Python callable taking the ``WatchState`` (``step``, ``error``, ``health``, ``network``) and
returning a truth value.
"""
import math
import operator
import re

import numpy as np

from .health import HEALTH

OPERATORS = {"<=": operator.le, ">=": operator.ge, "==": operator.eq, "!=": operator.ne, "<": operator.lt,
             ">": operator.gt}
GRAMMAR = ("'nan', or NAME OP NUMBER with NAME 'step', 'error' or LAYER.STAT (STAT one of "
           + ", ".join(HEALTH) + ") and OP one of < <= > >= == !=; e.g. 'hidden.dead > 0.5', 'error < 0.01', "
           "'step == 120'")
_COMPARISON = re.compile(r"^\s*([A-Za-z_][\w\-]*(?:\.[A-Za-z_]\w*)?)\s*(<=|>=|==|!=|<|>)\s*(\S+)\s*$")


class WatchState:
    """What a condition sees at the end of a step: ``step`` (steps done), ``error`` (mean sample error over the
    last window, or None between windows), ``health`` (``{layer: {stat: value}}``, the newest rows) and ``network``."""

    __slots__ = ("error", "health", "health_new", "network", "step")

    def __init__(self, network):
        self.network, self.step, self.error, self.health, self.health_new = network, 0, None, {}, False


class Condition:
    """One parsed condition: ``kind`` ('nan', 'step', 'error' or 'health'), and for comparisons ``layer``,
    ``stat``, ``op``, ``number``.  ``str()`` gives it back as text."""

    def __init__(self, text, kind, layer=None, stat=None, op=None, number=None):
        self.text, self.kind, self.layer, self.stat, self.op, self.number = text, kind, layer, stat, op, number

    def value(self, state):
        """The watched value now (None when it is not known at this step)."""
        if self.kind == "step":
            return state.step
        if self.kind == "error":
            return state.error
        if self.kind == "health":
            if not state.health_new:
                return None
            row = state.health.get(self.layer)
            return None if row is None else row[self.stat]
        return None

    def __call__(self, state):
        """True or False, or None when the watched value is not known at this step (between windows)."""
        if self.kind == "nan":
            return state.error is not None and not math.isfinite(state.error) or _output_not_finite(state.network)
        v = self.value(state)
        if v is None:
            return None
        if isinstance(v, float) and math.isnan(v):
            return False
        return OPERATORS[self.op](v, self.number)

    def __str__(self):
        return self.text

    def __repr__(self):
        return f"Condition({self.text!r})"


def _output_not_finite(network):
    out = network.output.neuron_row_array
    return not np.isfinite(out).all()


def parse(text, network=None):
    """The ``Condition`` of ``text`` (see the module docstring); with ``network``, its layer names are checked.

    Raises ValueError naming what is wrong and the grammar.
    """
    if not isinstance(text, str):
        raise TypeError(f"a watchpoint condition must be text or a callable, got {type(text).__name__}")
    t = " ".join(text.split())
    if t.lower() == "nan":
        return Condition("nan", "nan")
    m = _COMPARISON.match(t)
    if not m:
        raise ValueError(f"cannot read the watchpoint {text!r}: write {GRAMMAR}")
    name, op, number = m.groups()
    try:
        value = float(number)
    except ValueError:
        raise ValueError(f"watchpoint {text!r}: {number!r} is not a number") from None
    if math.isnan(value):
        raise ValueError(f"watchpoint {text!r}: compare with a number, not NaN (write 'nan' to watch for NaN)")
    text = f"{name} {op} {number}"
    if name in ("step", "error"):
        return Condition(text, name, op=op, number=value)
    if "." not in name:
        raise ValueError(f"watchpoint {text!r}: {name!r} is not 'step', 'error' or LAYER.STAT; write {GRAMMAR}")
    layer, stat = name.split(".", 1)
    if stat not in HEALTH:
        raise ValueError(f"watchpoint {text!r}: {stat!r} is not a layer health value; choose one of {HEALTH}")
    if network is not None:
        names = [la.name for la in network.layers if la.source is not None]
        if layer not in names:
            raise ValueError(f"watchpoint {text!r}: no layer {layer!r} with health; layers are {names}")
    return Condition(text, "health", layer=layer, stat=stat, op=op, number=value)


class Watchpoint:
    """A condition and what to do when it becomes true: ``action`` is ``'pause'`` or ``'break'``.

    It fires when its condition turns true (not again while it stays true); ``fired`` lists the steps it fired at.
    """

    def __init__(self, condition, action, network=None):
        if action not in ("pause", "break"):
            raise ValueError(f"a watchpoint's action is 'pause' or 'break', got {action!r}")
        if callable(condition) and not isinstance(condition, Condition):
            self.condition, self.text = condition, getattr(condition, "__name__", "a predicate")
        else:
            self.condition = condition if isinstance(condition, Condition) else parse(condition, network)
            self.text = str(self.condition)
        self.action = action
        self.fired = []
        self._was = False

    @property
    def wants_error(self):
        """Whether the step's errors are read for it (an 'error' or 'nan' condition, or a callable)."""
        return getattr(self.condition, "kind", "callable") in ("error", "nan", "callable")

    @property
    def needs_health(self):
        return getattr(self.condition, "kind", None) == "health"

    def check(self, state):
        now = self.condition(state)
        if now is None:  # not known at this step: nothing changes
            return False
        now = bool(now)
        was, self._was = self._was, now
        if now and not was:
            self.fired.append(state.step)
            return True
        return False

    def describe(self, state):
        """What fired, for the terminal and the page: the condition and the value it saw."""
        value = self.condition.value(state) if isinstance(self.condition, Condition) else None
        shown = "" if value is None else f" ({value:.6g})" if isinstance(value, float) else f" ({value})"
        return f"watchpoint '{self.text}' fired after {state.step} steps{shown}"

    def __repr__(self):
        return f"Watchpoint({self.text!r}, {self.action})"


class Watch:
    """Every watchpoint of a network (``network.watch``), checked at the end of every step.

    ``window``: the steps the ``error`` condition averages over (a per-sample run's iteration: its samples).
    ``on_pause``: callables ``f(fired, state, source)`` that pause a run (the live explorer registers one);
    ``fired`` lists ``(watchpoint, description)``, ``source`` is the listener checking now (this, or the health).
    """

    def __init__(self, network, window=1):
        self.network = network
        self.window = int(window)
        self.points = []
        self.on_pause = []
        self.state = WatchState(network)
        self._sum, self._n = 0.0, 0
        self._health_hooked = False
        self._errors_wanted = False
        self.last = []  # the (watchpoint, description) pairs that fired last
        network.input.listen("learn", self)

    def add(self, condition, action):
        wp = Watchpoint(condition, action, self.network)
        if wp.needs_health:
            health = self.network.health
            if health is None:
                raise ValueError(f"watchpoint '{wp.text}' watches layer health, which this network does not "
                                 f"record; declare it first: network.record_health(every=...)")
            if not self._health_hooked:
                health.fired.append(self._health_row)
                self._health_hooked = True
        self.points.append(wp)
        self._errors_wanted = any(p.wants_error for p in self.points)
        return wp

    def remove(self, wp):
        self.points = [p for p in self.points if p is not wp]
        self._errors_wanted = any(p.wants_error for p in self.points)

    def record(self):
        """The end of a step: the step and error conditions (and callables) are checked here."""
        st = self.state
        st.step += 1
        if not self.points:
            return  # nothing watched: the cheapest path
        if self._errors_wanted:  # reading the errors costs a fast step a good part of its time: only when watched
            errors = self.network.output.sample_errors
            if errors is not None:
                self._sum += float(errors.sum())
                self._n += errors.size
            st.error = None
            if st.step % self.window == 0 and self._n:
                st.error = self._sum / self._n
                self._sum, self._n = 0.0, 0
        self._check(lambda wp: not wp.needs_health, self)

    def _health_row(self, health):
        st = self.state
        own = st.step
        st.health, st.health_new, st.step = health.latest, True, health.steps  # the step this row ends
        try:
            self._check(lambda wp: wp.needs_health, health)
        finally:
            st.health_new, st.step = False, own

    def _check(self, which, source):
        st = self.state
        fired = [wp for wp in self.points if which(wp) and wp.check(st)]
        if not fired:
            return
        self.last = [(wp, wp.describe(st)) for wp in fired]
        if any(wp.action == "break" for wp in fired):
            break_here(self.network, st, [d for _, d in self.last])
        if any(wp.action == "pause" for wp in fired):
            for f in self.on_pause:
                f(self.last, st, source)

    def detach(self):
        self.network.input.unlisten("learn", self)


def break_here(network, state, fired):
    """Open Python's debugger (``breakpoint()``, so ``PYTHONBREAKPOINT`` and IDEs apply) at this step, with the
    layers in scope by name, ``network``, ``layers``, ``step`` and ``fired``; 'c' goes on training."""
    import sys

    names = {la.name: la for la in network.layers if la.name.isidentifier()}
    print(f"simnet: {'; '.join(fired)}. In scope: {', '.join(names)}, network, layers, step, fired "
          f"(p hidden.neuron_row_array, p network.summary()); 'c' goes on training", file=sys.stderr, flush=True)
    scope = {**names, "network": network, "layers": network.layers, "step": state.step, "fired": fired,
             "__name__": "simnet_watchpoint"}
    code = compile("breakpoint()  # a watchpoint fired: the layers are in scope\npass\n", "<simnet watchpoint>", "exec")
    exec(code, scope)  # our own two lines, with the layers as their globals
