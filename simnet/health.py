"""Layer health: is each layer still learning?  Dead and saturated neurons, activations, gradients, updates.

``LayerHealth(network, every)`` (what ``Network.record_health`` declares) listens at the end of
every step (the input layer's ``learn`` monitor point) and keeps, for every layer fed by another,
one bounded ``History`` of ``HEALTH`` values, ``network.histories['health/<layer>']``, one row
every ``every`` steps (the *window*).  Nothing is run again: it reads what the step left in the
layers, and between two rows it keeps only a running summary of each layer's neurons (their
smallest and largest value, a sum and a sum of squares), so its memory is bounded by construction.

The values of one row, for the window of ``every`` steps (samples or batches) that ends there:

- ``dead``: the fraction of the layer's neurons that were never active (never above 0) for any sample
  of the window.  ReLU-family layers only (NaN for others): a dead ReLU passes no delta back, so the
  weights into it stop learning;
- ``saturated``: the fraction of neurons that stayed saturated for every sample of the window: a sigmoid
  within ``SATURATION`` (0.01) of 0 or of 1, a tanh within 0.01 of -1 or of 1 (NaN for other activations);
  their derivative is then near 0 and so is what they learn;
- ``mean`` and ``std``: of the layer's neuron values over every neuron and every sample of the window;
- ``grad_norm``: the Frobenius norm of the gradient of the weights into the layer on the window's last
  step, ``||source.neuron_col_array @ delta||`` (the walk-through's weight correction before ``alpha``,
  summed over the batch), through the layer kind's own ``_weight_gradient`` (NaN where no weights feed it);
- ``update_ratio``: ``||W_after - W_before|| / ||W_before||`` for those weights on the window's last step,
  whatever the optimizer (the weights are copied at the end of the step before it).  About 1e-3 is the
  usual healthy order; far above, the steps are too large; far below, the layer barely moves.

Row ``k`` is taken after ``k * every`` steps (its step in the history is that count), so it lines up
with the other histories' steps-done axis.
"""
import numpy as np

from .checks import check_int
from .history import History

HEALTH = ("dead", "saturated", "mean", "std", "grad_norm", "update_ratio")
SATURATION = 0.01
RELU_FAMILY = ("relu", "leaky_relu")
SATURATING = {"sigmoid": (0.0, 1.0), "tanh": (-1.0, 1.0)}  # the two values a saturated neuron sits near


def health_key(layer_name):
    """The name of a layer's health history: ``'health/<layer>'``."""
    return f"health/{layer_name}"


class _LayerWindow:
    """The running summary of one layer's neurons over the current window."""

    def __init__(self, layer):
        self.layer = layer
        act = layer.activation.name
        self.relu = act in RELU_FAMILY
        self.bounds = SATURATING.get(act)
        self.low = np.empty(layer.num_neurons)
        self.high = np.empty(layer.num_neurons)
        self.buf = np.empty(layer.num_neurons)
        self.reset()
        src = layer.source
        self.weights = src.weight_row_mat if src is not None else None
        self.before = None if self.weights is None else np.empty(self.weights.shape, dtype=np.float64)
        self.grad = None if self.weights is None else np.empty_like(self.weights)

    def reset(self):
        self.low.fill(np.inf)
        self.high.fill(-np.inf)
        self.total = 0.0
        self.squares = 0.0
        self.count = 0

    def add(self):
        a = self.layer.neuron_row_array
        a = a.reshape(len(a), -1)
        np.minimum.reduce(a, axis=0, out=self.buf)
        np.minimum(self.low, self.buf, out=self.low)
        np.maximum.reduce(a, axis=0, out=self.buf)
        np.maximum(self.high, self.buf, out=self.high)
        flat = a.reshape(-1)
        self.total += float(flat.sum(dtype=np.float64))
        self.squares += float(np.dot(flat, flat))
        self.count += flat.size

    def keep_weights(self):
        if self.weights is not None:
            np.copyto(self.before, self.weights)

    def row(self):
        n = self.layer.num_neurons
        dead = float(np.count_nonzero(self.high <= 0)) / n if self.relu else np.nan
        if self.bounds is not None:
            lo, hi = self.bounds
            stuck = (self.high <= lo + SATURATION) | (self.low >= hi - SATURATION)
            saturated = float(np.count_nonzero(stuck)) / n
        else:
            saturated = np.nan
        mean = self.total / self.count if self.count else np.nan
        var = self.squares / self.count - mean * mean if self.count else np.nan
        std = float(np.sqrt(max(var, 0.0))) if self.count else np.nan
        grad = ratio = np.nan
        layer = self.layer
        if self.weights is not None and layer.delta is not None:
            ready = getattr(layer, "_bias_grad_ready", None)  # a conv keeps its bias gradient beside: leave it
            layer._weight_gradient(layer.source.neuron_row_array, layer.delta, self.grad)
            if ready is not None or hasattr(layer, "_bias_grad_ready"):
                layer._bias_grad_ready = ready
            grad = float(np.linalg.norm(self.grad))
            size = float(np.linalg.norm(self.before))
            ratio = float(np.linalg.norm(self.weights - self.before)) / size if size > 0 else np.nan
        return np.array([dead, saturated, mean, std, grad, ratio])


class LayerHealth:
    """The health of every layer fed by another, every ``every`` steps (see the module docstring).

    A listener on the input layer's ``learn`` monitor point (the end of a step); ``rows`` are the
    layers' ``History`` objects (also in ``network.histories``), ``latest`` the newest values as
    ``{layer: {name: value}}`` (what the explorer and watchpoints read).
    """

    def __init__(self, network, every=100, capacity=1000):
        self.every = check_int(every, "health every", minimum=1)
        check_int(capacity, "health capacity", minimum=2)
        self.network = network
        self.windows = [_LayerWindow(layer) for layer in network.layers if layer.source is not None]
        self.histories = {}
        self.steps = 0
        for w in self.windows:  # a loaded run's health histories go on (the same window), others start
            key = health_key(w.layer.name)
            h = network.histories.get(key)
            if h is not None:
                if h.shape != (len(HEALTH),) or h.every != self.every:
                    raise ValueError(f"history {key!r} of this network holds health every {h.every} steps; "
                                     f"record_health(every={h.every}) continues it")
                self.steps = max(self.steps, int(h.steps[-1]) if len(h) else 0)
            else:
                h = History((len(HEALTH),), capacity, every=self.every, name=key)
                h.about = {"health_of": w.layer.name, "health": list(HEALTH), "activation": str(w.layer.activation)}
            self.histories[w.layer.name] = h
        self.latest = {}
        self.fired = []  # listeners called with this after every row (watchpoints)
        for w in self.windows:
            w.keep_weights()
        network.histories.update({h.name: h for h in self.histories.values()})
        network.input.listen("learn", self)

    def record(self):
        """The end of a step: add its neurons to the window; every ``every`` steps, one row per layer."""
        self.steps += 1
        for w in self.windows:
            w.add()
        if self.steps % self.every == 0:
            for w in self.windows:
                values = w.row()
                self.histories[w.layer.name].offer(self.steps, values)
                self.latest[w.layer.name] = dict(zip(HEALTH, values.tolist()))
                w.reset()
            for listener in self.fired:
                listener(self)
        if (self.steps + 1) % self.every == 0 or self.every == 1:
            for w in self.windows:  # the weights before the window's last step
                w.keep_weights()

    def detach(self):
        """Stop listening (the histories stay)."""
        self.network.input.unlisten("learn", self)

    def __repr__(self):
        return f"LayerHealth(every={self.every}, layers={[w.layer.name for w in self.windows]}, steps={self.steps})"
