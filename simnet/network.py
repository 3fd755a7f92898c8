"""``Network``: the explicit per-layer loops, wrapped.

A network is just its list of linked layers, input first.  ``forward`` is
``set_neurons`` then ``train()`` on every layer from input to output;
``backward`` is ``calc_delta`` then ``learn()`` from output to input; ``fit``
repeats them over the samples until the error is at most epsilon.  The scenario
scripts spell these loops out; this class is for when you do not need to see them.
"""
from __future__ import annotations

import contextlib
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, DTypeLike

from .checks import as_numbers, check_callable, check_finite, check_int, check_rng
from .history import History, save_histories
from .layer import SimpleLayer
from .losses import Loss, get_loss
from .maps.split import one_blas_thread
from .optimizers import Optimizer, as_optimizer


@dataclass
class FitResult:
    converged: bool
    iterations: int  # iterations run (the one that reached epsilon included)
    error: float  # mean sample error of the last iteration


class DivergenceError(RuntimeError):
    """Training produced NaN or infinite values; ``layer`` and ``iteration`` say where and when."""

    def __init__(self, layer, what, iteration, unit="iteration"):
        self.layer, self.what, self.iteration = layer, what, iteration
        super().__init__(f"training diverged at {unit} {iteration}: layer {layer!r} has non-finite {what} "
                         f"(try a smaller learning rate)")


def check_data(layer: SimpleLayer, values: ArrayLike, what: str) -> np.ndarray:
    """Return ``values`` as a finite ``(samples, layer.num_neurons)`` array of the layer's dtype.

    For the output layer's goals (``what='goals'``) the layer's loss also checks their range
    (cross-entropy: in [0, 1], rows summing to 1 with softmax).
    """
    a = as_numbers(values, layer.dtype, f"{what} for layer {layer.name!r}")
    if a.ndim != 2 or a.shape[1] != layer.num_neurons or a.shape[0] == 0:
        raise ValueError(f"{what} must have shape (samples, {layer.num_neurons}) for layer {layer.name!r}; "
                         f"got {np.shape(values)}")
    check_finite(a, f"{what} for layer {layer.name!r}")
    if what == "goals":
        layer.loss.check(layer.activation, a, f"goals for layer {layer.name!r}")
    return a


def check_pairs(x, y):
    if len(x) != len(y):
        raise ValueError(f"inputs have {len(x)} samples but goals have {len(y)}")


FIT_ALPHA = 0.2
"""The learning rate of ``Network.fit`` when no optimizer is named: plain SGD at the walk-through's alpha."""


class Network:
    """A chain of linked layers, input first."""

    def __init__(self, layers: Iterable[SimpleLayer], loss: str | Loss | None = None,
                 rng: np.random.Generator | None = None) -> None:
        layers = list(layers)
        if not layers:
            raise ValueError("a network needs at least one layer")
        for i, layer in enumerate(layers):
            if not isinstance(layer, SimpleLayer):
                raise TypeError(f"layers[{i}] must be a SimpleLayer, got {type(layer).__name__}")
        for a, b in zip(layers, layers[1:]):
            if a.target is not b or b.source is not a:
                raise ValueError(f"layers {a.name!r} and {b.name!r} are not linked source -> target")
        if layers[0].source is not None:
            raise ValueError(f"the first layer {layers[0].name!r} is fed by {layers[0].source.name!r}; "
                             f"a network starts at its input layer (one with no source)")
        if layers[-1].target is not None:
            raise ValueError(f"the last layer {layers[-1].name!r} feeds {layers[-1].target.name!r}; "
                             f"a network ends at its output layer (one with no target)")
        names = [layer.name for layer in layers]
        if len(set(names)) != len(names):
            raise ValueError(f"layer names must be unique, got {names}")
        loss = get_loss(loss) if loss is not None else layers[-1].loss
        loss.check(layers[-1].activation, where=f"layer {layers[-1].name!r}")
        self.rng = check_rng(rng) if rng is not None else np.random.default_rng()  # shuffling, subsets
        self.layers = layers
        # layers that split a batch over threads (maps): BLAS at one thread while they step (_own_threads)
        self._splits = any(getattr(layer, "splits_batch", False) for layer in layers)
        self.output.loss = loss
        self.histories: dict[str, History] = {}  # run-level histories (errors, layer health), beside the layers' monitors
        self.health = None  # the LayerHealth recorder, once record_health declared it
        self.watch = None  # the watchpoints (simnet.watch.Watch), once pause_when or break_when declared one
        # where run_epoch stands in the data: the shuffling generator's state at the epoch's start ('rng') and the
        # batches done in the epoch ('batch'; run_epochs adds 'epoch'): what a full state keeps (simnet.rewind)
        self.data_position: dict = {}
        self._sgd: Optimizer | None = None  # the SGD of the last learning rate step() was given as a number

    @classmethod
    def build(cls, sizes: Sequence[int], activations: Sequence[str | None] | None = None,
              names: Sequence[str] | None = None, bias: bool | Sequence[bool] = False, init: str = "uniform",
              seed: int | None = None, dtype: DTypeLike = np.float64, loss: str | Loss | None = None) -> Network:
        """Create layers of ``sizes`` (input first), output first as the walk-through does.

        ``activations`` gives one per layer after the input (default relu for
        hidden layers, linear output).  Weights are drawn from a generator seeded
        with ``seed`` that the network keeps as ``self.rng``.
        """
        sizes = list(sizes)
        if len(sizes) < 2:
            raise ValueError(f"a network needs at least an input and an output layer, got sizes {sizes}")
        if activations is None:
            activations = ["relu"] * (len(sizes) - 2) + ["linear"]
        activations = list(activations)
        if len(activations) != len(sizes) - 1:
            raise ValueError(f"need {len(sizes) - 1} activations (one per layer after the input), got {activations}")
        if names is None:
            names = ["input"] + [f"hidden{i}" if len(sizes) > 3 else "hidden"
                                 for i in range(1, len(sizes) - 1)] + ["output"]
        names = list(names)
        if len(names) != len(sizes):
            raise ValueError(f"need {len(sizes)} names (one per layer), got {names}")
        biases = [bias] * len(sizes) if isinstance(bias, (bool, np.bool_)) else list(bias)
        if len(biases) != len(sizes) or not all(isinstance(b, (bool, np.bool_)) for b in biases):
            raise ValueError(f"bias must be True, False or one True/False per layer ({len(sizes)}), got {bias!r}")
        try:
            rng = np.random.default_rng(seed)
        except (TypeError, ValueError) as e:
            raise type(e)(f"seed must be None or a non-negative int, got {seed!r} ({e})") from None
        layer = None
        layers = []
        for i in range(len(sizes) - 1, -1, -1):
            act = activations[i - 1] if i > 0 else None
            layer = SimpleLayer(names[i], sizes[i], target=layer, activation=act,
                                bias=bool(biases[i]) and i > 0, init=init, rng=rng, dtype=dtype)
            layers.append(layer)
        return cls(layers[::-1], loss=loss, rng=rng)

    @property
    def input(self) -> SimpleLayer:
        return self.layers[0]

    @property
    def output(self) -> SimpleLayer:
        return self.layers[-1]

    def layer(self, name: str) -> SimpleLayer:
        for layer in self.layers:
            if layer.name == name:
                return layer
        raise KeyError(f"no layer named {name!r}; layers are {[la.name for la in self.layers]}")

    # ---- the loops ---------------------------------------------------------
    def forward(self, inputs: ArrayLike) -> np.ndarray:
        """Set the inputs and run ``train()`` on every layer; returns the output neurons."""
        self.input.set_neurons(inputs)
        return self._forward()

    def _forward(self):
        for layer in self.layers:
            layer.train()
        return self.output.neuron_row_array

    def backward(self, goal: ArrayLike, optimizer: Optimizer | float) -> np.ndarray:
        """``calc_delta(goal)`` on the output, then ``learn(optimizer)`` from output to input.

        ``optimizer``: an ``Optimizer``, or a number, the learning rate alpha of plain SGD.
        """
        optimizer = as_optimizer(optimizer)
        delta = self.output.calc_delta(goal)
        self._learn(optimizer)
        return delta

    def _learn(self, optimizer):
        for layer in reversed(self.layers):
            layer.learn(optimizer)

    def step(self, inputs: np.ndarray, goals: np.ndarray, optimizer: Optimizer | float) -> None:
        """One training step on a batch of checked arrays: forward, ``calc_delta``, backward.

        ``inputs`` (B, n_in) and ``goals`` (B, n_out) must already be valid (see
        ``check_data``): this is the hot loop's step, so it checks nothing itself.
        The step's per-sample errors are ``self.output.sample_errors``, computed when read.
        """
        if not isinstance(optimizer, Optimizer):  # a learning rate: its SGD, made once, not in every learn()
            sgd = self._sgd
            if sgd is None or sgd.alpha != optimizer:  # (SGD keeps no state: the same rate, the same SGD)
                sgd = self._sgd = as_optimizer(optimizer)
            optimizer = sgd
        self.input._load(inputs)
        with self._own_threads():
            self._step(goals, optimizer)

    def _step(self, goals, optimizer):
        """``step`` after the inputs are loaded: forward, ``calc_delta``, backward (``optimizer`` an Optimizer)."""
        for layer in self.layers:
            layer.train()
        self.output._calc_delta(goals)
        for layer in reversed(self.layers):  # without learn()'s checks: this step made the delta and caches
            layer.learn(optimizer, False)

    def _own_threads(self):
        """For a network whose layers split their batch over threads (maps): BLAS at one thread meanwhile
        (``simnet.maps.split.one_blas_thread``); for the others, nothing."""
        return one_blas_thread() if self._splits else contextlib.nullcontext()

    def run_epoch(self, inputs: ArrayLike, goals: ArrayLike, optimizer: Optimizer | float, batch_size: int = 32,
                  rng: np.random.Generator | None = None, progress: Callable[[int, float, float], object] | None = None,
                  stop: Any = None, start: int = 0) -> tuple[float, float]:
        """One epoch: one pass over ``inputs``/``goals`` in shuffled mini-batches, one ``step`` per batch.

        The data is checked once, up front (``check_data``); then every batch runs
        ``step``.  ``rng`` (a ``numpy.random.Generator``, default ``self.rng``)
        shuffles the order; ``progress(batch_index, mean_loss_so_far, accuracy_so_far)``
        is called after every batch.  Returns ``(mean loss, accuracy)`` over the epoch,
        accuracy counting samples whose largest output is the goal's largest entry.
        With a ``stop`` (``StopOnInterrupt``) it ends after the batch in which a stop
        was requested, returning the figures of the batches it ran.  Raises
        ``DivergenceError`` at the first batch whose loss is not finite.  ``start``: the batches of this
        epoch's order already done (a run continued from a recorded state, ``simnet.rewind``), skipped.
        """
        inputs = check_data(self.input, inputs, "inputs")
        goals = check_data(self.output, goals, "goals")
        check_pairs(inputs, goals)
        optimizer = as_optimizer(optimizer)
        batch_size = check_int(batch_size, "batch_size", minimum=1)
        rng = check_rng(rng) if rng is not None else self.rng
        check_callable(progress, "progress")
        n = len(inputs)
        batches = -(-n // batch_size)
        start = check_int(start, "start", minimum=0)
        if start >= batches:
            raise ValueError(f"start must be below the epoch's {batches} batches, got {start}")
        position = self.data_position
        bits = getattr(rng, "bit_generator", None)  # (a legacy RandomState has none: such a run cannot be forked)
        position["rng"] = None if bits is None else bits.state  # before the order is drawn: drawing it again gives it
        order = rng.permutation(n)
        loss_sum, correct, seen = 0.0, 0, 0
        with self._own_threads():  # (also between the steps: BLAS threads woken there would spin into the next)
            for b in range(start, batches):
                idx = order[b * batch_size:(b + 1) * batch_size]
                position["batch"] = b + 1  # the batches done once this step ends
                y = goals[idx]
                self.input._load(inputs, idx)  # the batch gathered straight into the input neurons
                self._step(y, optimizer)
                errors = self.output.sample_errors
                batch_loss = float(errors.sum())
                self.check_divergence(batch_loss, b, unit="batch")
                loss_sum += batch_loss
                correct += int(np.count_nonzero(self.output.neuron_row_array.argmax(axis=1) == y.argmax(axis=1)))
                seen += len(idx)
                if progress is not None:
                    progress(b, loss_sum / seen, correct / seen)
                if stop is not None and stop.requested:
                    break
        return loss_sum / seen, correct / seen

    def evaluate(self, inputs: ArrayLike, goals: ArrayLike, batch_size: int = 1024) -> tuple[float, float, np.ndarray]:
        """``(mean loss, accuracy, predictions)`` on ``inputs``/``goals`` in inference mode, changing nothing.

        The loss is computed as in training: cross-entropy from the output layer's input sums.
        """
        x = check_data(self.input, inputs, "inputs")
        goals = check_data(self.output, goals, "goals")
        check_pairs(x, goals)
        batch_size = check_int(batch_size, "batch_size", minimum=1)
        out = self.output
        errors, labels = [], []
        with self._own_threads():
            for i in range(0, len(x), batch_size):
                a = x[i:i + batch_size]
                for layer in self.layers[:-1]:
                    a = layer.infer(a)
                sums = out.infer_sums(a)
                y = out.activation.forward(sums.copy())
                errors.append(out.loss.sample_errors(goals[i:i + batch_size], y, out.activation,
                                                     sums if out.loss.uses_sums else None))
                labels.append(y.argmax(axis=1))
        predicted = np.concatenate(labels)
        loss = float(np.concatenate(errors).mean())
        return loss, float(np.mean(predicted == goals.argmax(axis=1))), predicted

    def feature_maps(self, inputs: ArrayLike) -> dict[str, np.ndarray]:
        """Every layer's neurons for ``inputs`` (one sample or a batch; maps or rows), in inference mode.

        Returns ``{layer name: array of (batch, *layer.shape)}``, new arrays made by
        ``infer``: the network's buffers, caches and histories are not touched.
        """
        first = self.input
        x = np.asarray(inputs, dtype=first.dtype) if isinstance(inputs, (list, tuple)) else inputs
        if isinstance(x, np.ndarray):
            if x.shape == tuple(first.shape) or x.ndim == 1:
                x = x[None]
            if x.ndim > 2 and x.shape[1:] == tuple(first.shape):  # maps: in row form
                x = x.reshape(len(x), -1)
        a = check_data(first, x, "inputs")
        result = {}
        for layer in self.layers:
            a = layer.infer(a)
            result[layer.name] = a.reshape(len(a), *layer.shape)
        return result

    def summary(self) -> str:
        """A table of the layers: kind, one sample's neurons, the connection that feeds each and its parameters."""
        rows = [("layer", "kind", "neurons", "fed by", "weights in", "parameters in")]
        total = 0
        for la in self.layers:
            n_in = la.parameters_in()
            total += n_in
            w = la.weights_in
            rows.append((la.name, type(la).__name__, str(tuple(la.shape)), la.connection_in or "-",
                         "-" if w is None else str(w.shape), f"{n_in:,}"))
        widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
        lines = ["  ".join(c.ljust(wd) if i < 5 else c.rjust(wd) for i, (c, wd) in enumerate(zip(r, widths)))
                 for r in rows]
        lines.insert(1, "-" * len(lines[0]))
        lines.append(f"total parameters: {total:,}")
        return "\n".join(lines)

    def first_nonfinite(self):
        """``(layer name, what)`` of the first layer, input first, holding NaN or infinite values."""
        for layer in self.layers:
            for what, value in (("neurons", layer.neuron_row_array), ("weights", layer.weight_row_mat),
                                ("bias", layer.bias), ("delta", layer.delta)):
                if value is not None and not np.isfinite(value).all():
                    return layer.name, what
        return self.output.name, "error"

    def check_divergence(self, error, iteration, unit="iteration"):
        """Raise ``DivergenceError`` if ``error`` is not finite, keeping the history up to the last finite step."""
        if math.isfinite(error):
            return
        name, what = self.first_nonfinite()
        for h in self.all_histories().values():
            h.drop_nonfinite_tail()
        raise DivergenceError(name, what, iteration, unit)

    def predict(self, inputs: ArrayLike, batch_size: int = 1024) -> np.ndarray:
        """Outputs for ``inputs`` (samples, n_in), in batches, in inference mode (``infer``).

        Changes nothing: no neuron buffer, cache or history of any layer.
        """
        x = check_data(self.input, inputs, "inputs")
        batch_size = check_int(batch_size, "batch_size", minimum=1)
        out = []
        for i in range(0, len(x), batch_size):
            a = x[i:i + batch_size]
            for layer in self.layers:
                a = layer.infer(a)
            out.append(a)
        return np.concatenate(out)

    def fit(self, inputs: ArrayLike, goals: ArrayLike, optimizer: Optimizer | float | None = None,
            epsilon: float = 0.001, max_iter: int = 1000, report: Callable[[int, float], object] | None = None,
            report_every: int = 10, capacity: int = 1000) -> FitResult:
        """Train per sample, the walk-through's way, until the mean error is at most ``epsilon``.

        ``optimizer``: an ``Optimizer``, a number (the learning rate alpha of plain SGD), or None for
        plain SGD at ``FIT_ALPHA`` (0.2, the walk-through's alpha, as ``simnet run streetlights`` uses).

        One iteration is one pass over the samples in order.  Records the error of
        every sample and their mean per iteration in ``self.histories``; calls
        ``report(iteration, error)`` every ``report_every`` iterations.
        """
        x = check_data(self.input, inputs, "inputs")
        y = check_data(self.output, goals, "goals")
        check_pairs(x, y)
        optimizer = as_optimizer(FIT_ALPHA if optimizer is None else optimizer)
        max_iter = check_int(max_iter, "max_iter", minimum=1)
        if isinstance(epsilon, bool) or not isinstance(epsilon, (int, float, np.integer, np.floating)):
            raise TypeError(f"epsilon must be a number, got {epsilon!r}")
        if not (np.isfinite(epsilon) and epsilon >= 0):
            raise ValueError(f"epsilon must be a finite number >= 0, got {epsilon!r}")
        check_callable(report, "report")
        check_int(report_every, "report_every", minimum=1)
        n = len(x)
        per_sample = self.histories.get("error/samples")
        if per_sample is not None and per_sample.shape != (n,):
            raise ValueError(f"this network's error history holds {per_sample.shape[0]} samples per iteration "
                             f"but fit got {n}; to fit other data, start new histories first "
                             f"(del network.histories['error/samples'], network.histories['error/average'])")
        new = {"error/samples": History((n,), capacity, name="error/samples"),  # checks capacity too
               "error/average": History((), capacity, name="error/average")}
        for key, h in new.items():
            self.histories.setdefault(key, h)
        per_sample, average = self.histories["error/samples"], self.histories["error/average"]
        errors = np.empty(n)
        start = per_sample.steps[-1] + 1 if len(per_sample) else 0
        if start == 0:
            self.set_period(n)  # histories thin by whole iterations: every sample stays in them
        error = float("nan")
        for it in range(int(max_iter)):
            for i in range(n):
                self.step(x[i:i + 1], y[i:i + 1], optimizer)
                errors[i] = self.output.sample_errors[0]
            error = errors.mean()
            self.check_divergence(error, start + it)
            per_sample.offer(start + it, errors)
            average.offer(start + it, error)
            if report is not None and it % report_every == 0:
                report(it, error)
            if error <= epsilon:
                self.close_histories(start + it, errors, error)
                return FitResult(True, it + 1, float(error))
        self.close_histories(start + it, errors, error)
        return FitResult(False, int(max_iter), float(error))

    # ---- history -----------------------------------------------------------
    def record_all(self, capacity: int = 1000, every: int = 1, period: int = 1) -> None:
        """Record every layer's neurons, deltas, weights and biases in full (those not recorded yet).

        ``period``: for a per-sample run, the number of samples in one iteration; the histories
        then keep whole iterations when they thin, so every sample stays represented (see
        ``History``).
        """
        planned = []
        for layer in self.layers:
            for var in ("neurons", "delta", "weights", "bias"):
                if var == "delta" and layer.source is None:
                    continue  # the input layer has no delta
                if var == "weights" and layer.weight_row_mat is None or var == "bias" and layer.bias is None:
                    continue
                if var not in layer.monitors:
                    planned.append((layer, layer._monitor(var, every=every, capacity=capacity)))
        if period != 1:
            for _, (_, monitor) in planned:
                monitor.set_period(period)  # checked before anything is attached
        for layer, (key, monitor) in planned:  # all checked: now attach them
            layer._attach(key, monitor)

    def set_period(self, period):
        """Give every monitor that has recorded no sample yet a ``period`` (samples per iteration).

        Returns the monitors set.  Monitors that recorded already, or whose capacity cannot hold two
        iterations, keep their plain stride.
        """
        done = []
        for m in self.monitors().values():
            if m.history.period == period:
                continue
            try:
                m.set_period(period)
            except ValueError:
                continue
            done.append(m)
        return done

    def record_summaries(self, every: int = 100, capacity: int = 1024, subset: int = 16, snapshots: int = 8) -> int:
        """The default history for large networks: bounded whatever the run's length.

        Every ``every`` steps: summaries (mean, std, min, percentiles, max) of each
        layer's weights, deltas and neurons (with the fraction of inactive neurons),
        the full biases, and full values of ``subset`` chosen weights per
        connection and ``subset`` neurons per layer; plus ``snapshots`` full
        snapshots of every weight matrix spread evenly over the run.  Returns the
        bound on the history's memory in bytes.  Nothing is declared (and the
        network's generator is not used) unless every declaration is valid.
        """
        check_int(every, "every", minimum=1)
        check_int(capacity, "capacity", minimum=2)
        check_int(subset, "subset", minimum=1)
        check_int(snapshots, "snapshots", minimum=2)
        for layer in self.layers:
            keys = set()
            if layer.source is not None:
                keys |= {"neurons_stats", "delta_stats", "neurons_subset"} | ({"bias"} if layer.bias is not None
                                                                                else set())
            if layer.weight_row_mat is not None:
                keys |= {"weights_stats", "weights_subset", "weights"}
            taken = sorted(keys & set(layer.monitors))
            if taken:
                raise ValueError(f"layer {layer.name!r} already records {taken}, which record_summaries declares")
        planned = []

        def plan(layer, *args, **kw):
            planned.append((layer, layer._monitor(*args, **kw)))

        for layer in self.layers:
            if layer.source is not None:
                plan(layer, "neurons", every=every, capacity=capacity, summary=True)
                plan(layer, "delta", every=every, capacity=capacity, summary=True)
                k = min(subset, layer.num_neurons)
                pick = np.sort(self.rng.choice(layer.num_neurons, k, replace=False))
                plan(layer, "neurons", select=pick, every=every, capacity=capacity, key="neurons_subset")
                if layer.bias is not None:
                    plan(layer, "bias", every=every, capacity=capacity)
            if layer.weight_row_mat is not None:  # a connection may have no weights (e.g. into pooling)
                plan(layer, "weights", every=every, capacity=capacity, summary=True)
                n_s, n_t = layer.weight_row_mat.shape
                k = min(subset, n_s * n_t)
                flat = np.sort(self.rng.choice(n_s * n_t, k, replace=False))
                pairs = np.stack(np.unravel_index(flat, (n_s, n_t)), axis=1)
                plan(layer, "weights", select=pairs, every=every, capacity=capacity, key="weights_subset")
                plan(layer, "weights", every=1, capacity=snapshots, dtype=layer.dtype)
        for layer, (key, monitor) in planned:
            layer._attach(key, monitor)
        return self.history_bytes()

    def record_health(self, every=100, capacity=1000):
        """Record every layer's health (dead and saturated fractions, activation mean and spread, gradient norm,
        update-to-weight ratio) every ``every`` steps, bounded to ``capacity`` rows; returns the ``LayerHealth``
        (see ``simnet.health``).  The rows are ``self.histories['health/<layer>']``; ``every`` is the window
        a neuron must stay inactive (or saturated) over to count as dead (or saturated)."""
        from .health import LayerHealth

        if self.health is not None:
            raise ValueError(f"this network records layer health already (every {self.health.every} steps)")
        # (health histories a loaded run brought in self.histories go on from their last row)
        self.health = LayerHealth(self, every=every, capacity=capacity)
        return self.health

    def pause_when(self, condition, window=1):
        """Pause the live explorer serving this network at the end of the step where ``condition`` becomes true.

        ``condition``: text in the grammar of ``simnet.watch`` (``'hidden.dead > 0.5'``, ``'error < 0.01'``,
        ``'step == 120'``, ``'nan'``) or a callable taking the ``WatchState``.  ``window``: the steps ``error``
        averages over (given with the first watchpoint).  Returns the ``Watchpoint``; what fired is in its ``fired``.
        """
        return self._watchpoints(window).add(condition, "pause")

    def break_when(self, condition, window=1):
        """Open Python's debugger (``breakpoint()``) at the end of the step where ``condition`` becomes true, with
        the layers in scope by name (as ``pause_when``, without a live explorer)."""
        return self._watchpoints(window).add(condition, "break")

    def _watchpoints(self, window):
        from .watch import Watch

        if self.watch is None:
            self.watch = Watch(self, check_int(window, "window", minimum=1))
        return self.watch

    def history_bytes(self):
        """The memory every layer's histories hold, in bytes: their fixed bound."""
        return sum(m.history.nbytes for m in self.monitors().values())

    def monitors(self):
        """Every layer's monitors, keyed ``'<layer>/<variable>'``."""
        return {m.key: m for layer in self.layers for m in layer.monitors.values()}

    def all_histories(self):
        """Run-level histories and every monitor's history, keyed by name."""
        return {**self.histories, **{k: m.history for k, m in self.monitors().items()}}

    def close_histories(self, step=None, errors=None, error=None):
        """Keep the current state as every history's final snapshot."""
        for m in self.monitors().values():
            m.close()
        if step is not None and "error/samples" in self.histories:
            self.histories["error/samples"].close(step, errors)
            self.histories["error/average"].close(step, error)

    def structure(self):
        """The structure as plain data (for history files and plots)."""
        return {"layers": [{"name": la.name, "num_neurons": la.num_neurons, "activation": str(la.activation),
                            "bias": la.bias is not None} for la in self.layers],
                "loss": str(self.output.loss)}

    def save_history(self, path: str, info: Mapping[str, Any] | None = None) -> None:
        """Write every recorded history and the network's structure to ``path`` (.npz)."""
        save_histories(path, self.all_histories(), {"network": self.structure(), **(info or {})})

    def __repr__(self):
        return "Network(" + " -> ".join(f"{la.name}[{la.num_neurons}]" for la in self.layers) + ")"

    def __str__(self):
        return "\n".join(str(la) for la in self.layers)
