"""``SimpleLayer``: a layer of explicit neurons, linked to its source and target.

Everything one layer does is here: its neurons in row and column form, the
weights of the connection to its target (which it owns), the forward step
``train()`` and the backward step ``learn()``.

Shapes, for a layer of ``n`` neurons whose target has ``m`` neurons, with a
batch of ``B`` samples (B = 1 in the walk-through's per-sample mode):

- ``neuron_row_array``  (B, n)     ``neuron_col_array``  (n, B)  its transpose
- ``weight_row_mat``    (n, m)     ``weight_col_mat``    (m, n)  its transpose
- ``delta``             (B, n)     the direction that moves this layer's input
                                   sums towards the goal (``-1/2 dE/dz``)
- ``bias``              (n,)       optional, added to this layer's input sums

The column forms are views of the row forms, so the two can never disagree.
Buffers are reused from step to step (the arrays are overwritten in place);
copy a value if you want to keep it, or declare a history with ``record``.
"""
from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike, DTypeLike

from .activations import Activation, get_activation
from .checks import as_numbers, check_bool, check_choice, check_dtype, check_finite, check_name, check_rng, is_int
from .history import VARIABLES, Monitor
from .losses import get_loss
from .optimizers import Optimizer, as_optimizer

Rng = np.random.Generator | np.random.RandomState | None
"""A generator for drawing weights: numpy's Generator, a RandomState, or None (numpy's global state)."""

POINTS = VARIABLES + ("train", "learn")  # a layer's monitor points (see SimpleLayer.listen)
INITS = ("uniform", "he", "glorot", "normal", "scaled-normal")
NORMAL_BIAS_INITS = ("normal", "scaled-normal")  # Nielsen's: these also draw the biases N(0, 1)


def connection_name(source, target):
    """How figures, tables and files name a connection: by both ends, ``'input→hidden'``."""
    return f"{source.name}→{target.name}"


def draw_weights(n_in, n_out, init="uniform", rng=None, dtype=np.float64):
    """Initial weights of a connection, shape ``(n_in, n_out)``.

    ``'uniform'`` is the walk-through's ``2 * random((n_in, n_out)) - 1``; with
    ``rng=None`` it draws from numpy's global random state, in the walk-through's
    order.  ``'he'`` is normal with std ``sqrt(2 / n_in)``, ``'glorot'`` uniform on
    ``+-sqrt(6 / (n_in + n_out))``; those (and uniform with a generator) draw from
    ``rng``, a ``numpy.random.Generator`` (or a legacy ``numpy.random.RandomState``,
    which gives the stream ``np.random.seed`` gives without touching the global state).
    ``'normal'`` is N(0, 1), Nielsen's chapter 1 (``network.py``); ``'scaled-normal'`` is
    N(0, 1/n_in), his chapter 3 default (``network2.py``'s ``default_weight_initializer``).
    With these two, ``connect`` also draws the target's biases N(0, 1) (``draw_bias``).
    """
    check_choice(init, INITS, "weight init")
    check_rng(rng)
    if init == "uniform":
        r = np.random.random((n_in, n_out)) if rng is None else rng.random((n_in, n_out))
        w = 2 * r - 1
    else:
        if rng is None:
            rng = np.random.default_rng()
        if init == "he":
            w = rng.standard_normal((n_in, n_out)) * np.sqrt(2.0 / n_in)
        elif init == "normal":
            w = rng.standard_normal((n_in, n_out))
        elif init == "scaled-normal":
            w = rng.standard_normal((n_in, n_out)) / np.sqrt(n_in)
        else:
            limit = np.sqrt(6.0 / (n_in + n_out))
            w = rng.uniform(-limit, limit, (n_in, n_out))
    return np.ascontiguousarray(w, dtype=dtype)


def draw_bias(shape, init, rng=None, dtype=np.float64):
    """Initial biases of a layer fed with ``init`` weights: N(0, 1) for ``'normal'`` and
    ``'scaled-normal'`` (Nielsen draws weights and biases alike), None (keep zeros) otherwise."""
    if init not in NORMAL_BIAS_INITS:
        return None
    if rng is None:
        rng = np.random.default_rng()
    return rng.standard_normal(shape).astype(dtype)


# The arithmetic of a dense connection, over the last two axes, so that a stack of
# copies of one network (simnet.sweeps.population) runs the very same code as one layer.

def dense_sums(x, weights, bias, out):
    """``out = x @ weights + bias``: the input sums of the neurons a dense connection feeds."""
    np.matmul(x, weights, out=out)
    if bias is not None:
        out += bias
    return out


def dense_backward(d, weights, out):
    """``out = d @ weights.T``: what each source neuron gets back, before its derivative."""
    return np.matmul(d, weights.swapaxes(-1, -2), out=out)


def outer(x, d, out):
    """``out = x.T @ d``: the gradient of a dense connection (summed over the batch).

    For one sample an element-wise outer product, which is faster.
    """
    if x.shape[-2] == 1:
        if out.ndim == 2 and out.size > 4096:  # einsum's outer-product loop beats the broadcast multiply
            return np.einsum("i,j->ij", x[0], d[0], out=out)
        return np.multiply(x.swapaxes(-1, -2), d, out=out)
    return np.matmul(x.swapaxes(-1, -2), d, out=out)


class SimpleLayer:
    """A dense layer of ``num_neurons`` explicit neurons.

    Create layers output first, giving each its ``target``; a layer with a target
    draws the weights of that connection at once (see ``draw_weights``).
    """

    kind = "dense"

    # What a layer holds (see __init__); the links and buffers are None until connected or first used.
    source: Any  # SimpleLayer | None: the layer that feeds this one (None for the input layer)
    target: Any  # SimpleLayer | None: the layer this one feeds (None for the output layer)
    neuron_row_array: np.ndarray
    delta: Any  # np.ndarray | None: set by calc_delta (output) or the target's learn()
    bias: np.ndarray | None
    weight_state: dict[str, np.ndarray]
    bias_state: dict[str, np.ndarray]
    monitors: dict[str, Monitor]
    _watch: dict[str, list[Any]]
    _weights: Any
    _grad: Any
    _scaled: Any
    _bias_grad: Any
    sums: Any
    _goal: Any
    _errors: Any

    def __init__(self, name: str, num_neurons: int, target: SimpleLayer | None = None,
                 activation: str | Activation | None = None, bias: bool = False, init: str = "uniform",
                 rng: Rng = None, dtype: DTypeLike = np.float64) -> None:
        check_name(name)
        if not is_int(num_neurons):
            raise TypeError(f"layer {name!r}: num_neurons must be an int, got {num_neurons!r}")
        if num_neurons <= 0:
            raise ValueError(f"layer {name!r}: num_neurons must be positive, got {num_neurons}")
        check_bool(bias, f"layer {name!r}: bias")
        self.name = name
        self.num_neurons = int(num_neurons)
        self.dtype = check_dtype(dtype, f"layer {name!r}")
        try:
            self.activation = get_activation(activation)
        except (TypeError, ValueError) as e:
            raise type(e)(f"layer {name!r}: {e}") from None
        self.source = None
        self.target = None
        self.neuron_row_array = np.zeros((1, self.num_neurons), dtype=self.dtype)
        self.delta = None
        self.bias = np.zeros(self.num_neurons, dtype=self.dtype) if bias else None
        self._weights = None
        self._grad = None  # gradient buffer of the weights, same shape
        self._scaled = None  # buffer for the delta the optimizer scales (plain SGD)
        self._bias_grad = None
        self.weight_state = {}  # optimizer state of the weights (lives with them)
        self.bias_state = {}
        self.sums = None  # the input sums of the last train(), kept when the loss needs them
        self._keep_sums = False
        self.loss = get_loss(None)  # used by calc_delta when this is the output layer
        self._goal = None  # the goal of the last calc_delta, until the next forward step
        self._errors = None  # its per-sample errors, computed when first read
        self.monitors = {}
        # The monitor points: lists of listeners (anything with a ``record()`` method), called when
        # a variable changes ('neurons', 'delta', 'weights', 'bias') or a phase ends ('train', 'learn';
        # the input layer's 'learn' ends a whole step).  Monitors, the explorer, layer health and
        # watchpoints all listen here (``listen``); no method of a layer is replaced at run time.
        self._watch = {v: [] for v in POINTS}
        # the same lists, as attributes: the hot loop reads them without a dictionary lookup
        self._watch_neurons, self._watch_delta = self._watch["neurons"], self._watch["delta"]
        self._watch_weights, self._watch_bias = self._watch["weights"], self._watch["bias"]
        self._watch_train, self._watch_learn = self._watch["train"], self._watch["learn"]
        if target is not None:
            self.connect(target, init=init, rng=rng)

    # ---- linking ---------------------------------------------------------
    def connect(self, target: SimpleLayer, init: str = "uniform", rng: Rng = None,
                weights: ArrayLike | None = None) -> None:
        """Make ``target`` this layer's target and draw the weights between them (or take ``weights``,
        checked for shape first: loading a network draws nothing)."""
        if not isinstance(target, SimpleLayer):
            raise TypeError(f"layer {self.name!r}: target must be a SimpleLayer, got {type(target).__name__}")
        if self.target is not None:
            raise ValueError(f"layer {self.name!r} already feeds {self.target.name!r}; "
                             f"cannot link it to {target.name!r}")
        if target.source is not None:
            raise ValueError(f"layer {target.name!r} is already fed by {target.source.name!r}; "
                             f"cannot link {self.name!r} to it")
        layer = target
        while layer is not None:  # walking downstream from target must not reach self
            if layer is self:
                raise ValueError(f"linking {self.name!r} to {target.name!r} would make a cycle")
            layer = layer.target
        if target.dtype != self.dtype:
            raise TypeError(f"layer {self.name!r} is {self.dtype} but its target {target.name!r} is {target.dtype}")
        shape = target._connection_shape(self)  # checks the link; None: a connection without weights
        if weights is not None:
            if shape is None or tuple(np.shape(weights)) != tuple(shape):
                raise ValueError(f"layer {self.name!r}: weights of shape {np.shape(weights)} given, the link to "
                                 f"{target.name!r} takes {shape}")
        try:
            w = None if shape is None else np.array(weights, dtype=self.dtype) if weights is not None else \
                draw_weights(*shape, init, rng, self.dtype)
        except (TypeError, ValueError) as e:
            raise type(e)(f"layer {self.name!r}: {e}") from None
        if w is not None and target.bias is not None:
            b = draw_bias(target.bias.shape, init, rng, self.dtype)
            if b is not None:
                target.bias[...] = b
        self.target = target
        target.source = self
        self._weights = w
        self._grad = None if w is None else np.empty_like(w)

    def _connection_shape(self, source):
        """Shape of the weights ``source`` owns to feed this layer: ``(n_source, n_self)`` for a dense layer.

        Other layer kinds (``simnet.maps``) check the link here and may return None (no weights).
        """
        return (source.num_neurons, self.num_neurons)

    @property
    def loss(self):
        """The loss ``calc_delta`` uses when this is the output layer (``Network`` sets it)."""
        return self._loss

    @loss.setter
    def loss(self, value):
        self._loss = get_loss(value)
        self._keep_sums = self._loss.uses_sums  # cross-entropy is computed exactly from the sums
        if not self._keep_sums:
            self.sums = None

    @property
    def weight_row_mat(self):
        """Weights to the target, ``(n_self, n_target)``: row i is what neuron i sends."""
        return self._weights

    @weight_row_mat.setter
    def weight_row_mat(self, value):
        if self._weights is None:
            raise ValueError(f"layer {self.name!r} has no target, so it owns no weights")
        value = as_numbers(value, self.dtype, f"layer {self.name!r}: weight_row_mat")
        if value.shape != self._weights.shape:
            raise ValueError(f"layer {self.name!r}: weight_row_mat must have shape {self._weights.shape}, "
                             f"got {value.shape}")
        check_finite(value, f"layer {self.name!r}: weight_row_mat")
        self._weights[...] = value  # in place: views and optimizer state stay valid

    @property
    def weight_col_mat(self):
        """The same weights in column form, ``(n_target, n_self)``: a view, never a copy."""
        return None if self._weights is None else self._weights.T

    @property
    def weights_in(self):
        """The weights that feed this layer (owned by its source, read them here), or None."""
        return None if self.source is None else self.source._weights

    @property
    def connection_in(self):
        """The name of the connection that feeds this layer, ``'<source>→<self>'``, or None for the input."""
        return None if self.source is None else connection_name(self.source, self)

    @property
    def neuron_col_array(self):
        """The neurons in column form, ``(n, batch)``: a view of ``neuron_row_array``."""
        return self.neuron_row_array.T

    @property
    def shape(self):
        """The shape of one sample's neurons: ``(n,)`` here, ``(channels, height, width)`` for maps."""
        return (self.num_neurons,)

    # ---- forward ---------------------------------------------------------
    def set_neurons(self, values: ArrayLike) -> None:
        """Load values into the neurons (the input layer's job): ``(n,)`` or ``(batch, n)``."""
        a = as_numbers(values, self.dtype, f"layer {self.name!r}: set_neurons values")
        if a.ndim == 1:
            a = a[None, :]
        if a.ndim != 2 or a.shape[1] != self.num_neurons or a.shape[0] == 0:
            raise ValueError(f"layer {self.name!r} has {self.num_neurons} neurons; set_neurons got shape "
                             f"{np.shape(values)} (expected ({self.num_neurons},) or (batch, {self.num_neurons}))")
        check_finite(a, f"layer {self.name!r}: set_neurons input")
        self._load(a)

    def _load(self, a, rows=None):
        """set_neurons without checks, for loops that validated their data up front.

        With ``rows`` (indices), the neurons are ``a[rows]``, gathered straight into the
        neuron buffer: one copy of a mini-batch, not two (``Network.run_epoch``).
        """
        shape = a.shape if rows is None else (len(rows), a.shape[1])
        if self.neuron_row_array.shape != shape:
            self.neuron_row_array = np.empty(shape, dtype=self.dtype)
        if rows is None:
            np.copyto(self.neuron_row_array, a)
        else:
            np.take(a, rows, axis=0, out=self.neuron_row_array, mode="clip")  # 'clip': unbuffered
        for m in self._watch_neurons:
            m.record()

    def train(self) -> np.ndarray:
        """Forward step: neurons = activation(source neurons @ source weights [+ bias]).

        The input layer (no source) keeps what ``set_neurons`` put there.
        """
        src = self.source
        if src is None:
            for m in self._watch_train:
                m.record()
            return self.neuron_row_array
        x = src.neuron_row_array
        z = self.neuron_row_array
        if z.shape[0] != x.shape[0]:
            z = self.neuron_row_array = np.empty((x.shape[0], self.num_neurons), dtype=self.dtype)
        if self._goal is not None:  # the errors of the last step are no longer computable
            self._goal = self._errors = None
        if not self._forward(x, z, True):  # the input sums (True: the neurons, the layer kind applied the activation)
            if self._keep_sums:  # the output layer of a cross-entropy network: its loss reads the sums
                if self.sums is None or self.sums.shape != z.shape:
                    self.sums = np.empty_like(z)
                np.copyto(self.sums, z)
            self.activation.forward_in_place(z)
        for m in self._watch_neurons:
            m.record()
        for m in self._watch_train:
            m.record()
        return z

    def infer(self, x: np.ndarray) -> np.ndarray:
        """The forward step for inference: this layer's neurons for source neurons ``x`` ``(batch, n_source)``.

        Returns a new array and changes nothing: no buffer, cache or history of any
        layer, so it is safe inside a monitor, between steps, or twice at once.
        Training-only behaviour (dropout) is off.  The input layer returns ``x``.
        """
        if self.source is None:
            return x
        z = self.infer_sums(x)
        return self.activation.forward(z, out=z)

    def infer_sums(self, x):
        """The input sums (before the activation) ``infer`` starts from; a new array (the input layer: ``x``)."""
        if self.source is None:
            return x
        z = np.empty((x.shape[0], self.num_neurons), dtype=self.dtype)
        self._forward(x, z, False)
        return z

    def _forward(self, x, z, training):
        """The connection into this layer: ``z = x @ source weights + bias``, the input sums, in place.

        ``train`` and ``infer`` then apply the activation.  ``training`` says whether this
        is a training step (which may keep what ``learn`` needs) or inference (which must
        change nothing).  Every layer kind says here how its connection works.  A kind that
        applies the activation itself in a training step, part by part while the sums are
        fresh in the cache (convolution), returns True: ``train`` then does not apply it again.
        """
        dense_sums(x, self.source._weights, self.bias, z)

    # ---- backward --------------------------------------------------------
    def calc_delta(self, goal: ArrayLike) -> np.ndarray:
        """Output layer: ``delta = goal - neuron_row_array`` (through ``self.loss``); returns it.

        ``sample_errors`` then holds each sample's error (``sum(delta ** 2)`` for squared error).
        """
        g = as_numbers(goal, self.dtype, f"layer {self.name!r}: goal")
        if g.ndim == 1 and self.neuron_row_array.shape[0] == 1:
            g = g[None, :]
        if g.shape != self.neuron_row_array.shape:
            raise ValueError(f"layer {self.name!r}: goal has shape {np.shape(goal)}, but the neurons have "
                             f"shape {self.neuron_row_array.shape}")
        check_finite(g, f"layer {self.name!r}: goal")
        self.loss.check(self.activation, g, f"layer {self.name!r}")
        return self._calc_delta(g)

    @property
    def sample_errors(self):
        """Each sample's error for the last ``calc_delta`` (``sum(delta ** 2)`` for squared error), or None.

        Computed when first read, from the goal, the neurons and the input sums of that step
        (a training loop that never reads it does not pay for it); valid until the next forward step.
        """
        if self._errors is None and self._goal is not None:
            self._errors = self.loss.sample_errors(self._goal, self.neuron_row_array, self.activation, self.sums)
        return self._errors

    def _calc_delta(self, goal):
        y = self.neuron_row_array
        self._goal, self._errors = goal, None
        d = self.delta
        if d is None or d.shape != y.shape:
            d = self.delta = np.empty_like(y)
        self.loss.delta(goal, y, self.activation, out=d)
        for m in self._watch_delta:
            m.record()
        return d

    def learn(self, optimizer: Optimizer | float, check: bool = True) -> None:
        """Backward step, the walk-through's two lines, for every layer kind:

        1. ``pass_delta()``: ``source.delta = (delta @ source.weight_col_mat) * derivative(source neurons)``,
           with the weights *before* they change;
        2. ``update(optimizer)``: ``source.weight_row_mat += alpha * (source.neuron_col_array @ delta)``
           (and the bias by ``alpha * delta``), through the optimizer.

        ``optimizer`` is an ``Optimizer`` or a number: the learning rate ``alpha`` of plain SGD,
        as in the walk-through's ``learn(0.2)``.  The input layer learns nothing; nothing
        upstream of it needs a delta.  Layer kinds differ only in the hooks these steps call.
        ``check=False`` skips the checks, for a training loop whose own forward step and
        ``calc_delta`` made this step's delta and caches and whose optimizer is an ``Optimizer``
        (``Network.step``): the hot path validates nothing.
        """
        src = self.source
        if src is None:  # the input layer learns nothing; its learn() is the end of the step
            for m in self._watch_learn:
                m.record()
            return
        if check:
            d = self.delta
            batch = src.neuron_row_array.shape[0]
            if d is None or d.shape[0] != batch:
                raise ValueError(f"layer {self.name!r}: learn() needs a delta for the current batch "
                                 f"(a batch of {batch}); call calc_delta (output layer) "
                                 f"or the target's learn() first")
            if not isinstance(optimizer, Optimizer):
                optimizer = as_optimizer(optimizer)
            self._check_cache(batch)
        self._complete_delta()
        if src.source is not None:
            self.pass_delta()
        self.update(optimizer)  # type: ignore[arg-type]  # (check=False: the caller passes an Optimizer)
        for m in self._watch_learn:
            m.record()

    def _complete_delta(self) -> None:
        """Before the two steps: a layer kind whose delta needs more than its target gave it completes it
        here (a recurrent layer carries it back through time).  Dense layers: nothing to do."""

    def pass_delta(self) -> None:
        """Step 1 of ``learn``: the source's delta, from this layer's delta and the weights between them."""
        src = self.source
        d = self.delta
        sd = src.delta
        if sd is None or sd.shape[0] != d.shape[0]:
            sd = src.delta = np.empty((d.shape[0], src.num_neurons), dtype=src.dtype)
        if not self._backward(d, sd):  # True: the hook applied the derivative itself
            src.activation.backprop(sd, src.neuron_row_array, out=sd)
        for m in src._watch_delta:
            m.record()
        return sd

    def update(self, optimizer: Optimizer) -> None:
        """Step 2 of ``learn``: correct the weights into this layer (and its bias) through ``optimizer``."""
        src = self.source
        d = self.delta
        if self._scaled is None or self._scaled.shape != d.shape:
            self._scaled = np.empty_like(d)
        d = optimizer.scale_delta(d, self._scaled)  # plain SGD: alpha * delta; the others: delta itself
        if src._weights is not None:
            self._weight_gradient(src.neuron_row_array, d, src._grad)
            optimizer.decay(src._weights)  # L2 weight decay (weights only), when the optimizer has one
            optimizer.update(src._weights, src._grad, src.weight_state)
            for m in src._watch_weights:
                m.record()
        if self.bias is not None:
            optimizer.update(self.bias, self._bias_gradient(d), self.bias_state)
            for m in self._watch_bias:
                m.record()

    def _check_cache(self, batch):
        """Raise if the forward step did not keep what ``learn()`` needs for this batch (layer kinds that cache)."""

    def _backward(self, d, sd):
        """``sd`` = the delta ``d`` carried back to the source's neurons, before their derivative: ``d @ W.T``.

        A layer kind may fold the source's derivative into this routing when that is
        cheaper (max pooling over ReLU maps); it then returns True and ``pass_delta``
        does not apply the derivative again.
        """
        dense_backward(d, self.source._weights, sd)

    def _weight_gradient(self, x, d, out):
        """``out`` = the gradient of the weights into this layer: ``x.T @ d`` (``x`` the source's neurons)."""
        outer(x, d, out)

    def _bias_gradient(self, d):
        """The gradient of this layer's bias: ``d`` summed over the batch."""
        g = self._bias_grad
        if g is None:
            g = self._bias_grad = np.empty_like(self.bias)
        return np.add.reduce(d, axis=0, out=g)  # np.sum's own reduction, without its wrapper

    # ---- history ---------------------------------------------------------
    def variable_shape(self, variable):
        if variable == "weights":
            if self._weights is None:
                raise ValueError(f"layer {self.name!r} has no target, so it has no weights to record")
            return self._weights.shape
        if variable == "bias" and self.bias is None:
            raise ValueError(f"layer {self.name!r} has no bias to record")
        return (self.num_neurons,)

    def variable_value(self, variable):
        if variable == "neurons":
            return self.neuron_row_array
        if variable == "weights":
            return self._weights
        if variable == "bias":
            return self.bias
        if self.delta is None:
            return np.zeros_like(self.neuron_row_array)
        return self.delta

    def record(self, variable, select=None, every=1, capacity=1000, summary=False, key=None,
               dtype=np.float64):
        """Declare a history of ``variable`` ('neurons', 'weights', 'delta', 'bias'); returns its Monitor.

        It is kept in ``self.monitors`` under ``key``, by default ``'<variable>'``
        (``'<variable>_stats'`` with summary).
        """
        return self._attach(*self._monitor(variable, select, every, capacity, summary, key, dtype))

    def _monitor(self, variable, select=None, every=1, capacity=1000, summary=False, key=None,
                 dtype=np.float64):
        """``(key, Monitor)`` for ``record``, checked but not attached: building one changes nothing."""
        if key is not None and (not isinstance(key, str) or not key):
            raise TypeError(f"layer {self.name!r}: record key must be a non-empty string, got {key!r}")
        if not isinstance(variable, str):
            raise TypeError(f"layer {self.name!r}: variable must be one of {VARIABLES}, got {variable!r}")
        key = key or variable + ("_stats" if summary else "")
        if key in self.monitors:
            raise ValueError(f"layer {self.name!r} already records {key!r}")
        return key, Monitor(self, variable, select=select, every=every, capacity=capacity, summary=summary,
                            dtype=dtype, key=key)

    def listen(self, point, listener):
        """Call ``listener.record()`` at the monitor point ``point`` of this layer, from now on.

        Points: ``'neurons'`` (after ``train()``, or ``set_neurons`` on the input layer), ``'delta'``
        (after ``calc_delta`` on the output, after the target's ``pass_delta`` otherwise),
        ``'weights'`` (after the weights this layer owns changed), ``'bias'``, ``'train'`` (the end of
        ``train()``) and ``'learn'`` (the end of ``learn()``; the input layer's ends a whole step).
        Listeners run in the training thread, in the order they were added; ``unlisten`` removes one.
        """
        if point not in POINTS:
            raise ValueError(f"layer {self.name!r}: no monitor point {point!r}; points are {POINTS}")
        if not callable(getattr(listener, "record", None)):
            raise TypeError(f"layer {self.name!r}: a listener needs a record() method, got {listener!r}")
        self._watch[point].append(listener)
        return listener

    def unlisten(self, point, listener):
        """Stop calling ``listener`` at ``point`` (nothing happens if it was not listening)."""
        watch = self._watch.get(point, [])
        for k, m in enumerate(watch):
            if m is listener:
                del watch[k]
                return

    def _attach(self, key, m):
        if key in self.monitors:
            raise ValueError(f"layer {self.name!r} already records {key!r}")
        self.monitors[key] = m
        self._watch[m.variable].append(m)
        return m

    def monitor(self, key: str) -> Monitor:
        """The Monitor recording ``key`` ('neurons', 'weights', 'delta', 'bias', or '<variable>_stats')."""
        try:
            return self.monitors[key]
        except KeyError:
            raise KeyError(f"layer {self.name!r} does not record {key!r}; it records {sorted(self.monitors)}. "
                           f"Declare it with layer.record({key.split('_stats')[0]!r}) before training") from None

    def history(self, key):
        """The History (``steps``, ``values``) recorded under ``key``: ``monitor(key).history``."""
        return self.monitor(key).history

    # ---- description -----------------------------------------------------
    def parameters_in(self):
        """How many parameters feed this layer: the weights its source owns for it, plus its own bias."""
        w = self.weights_in
        return (0 if w is None else w.size) + (0 if self.bias is None else self.bias.size)

    def describe(self) -> str:
        """What the layer does, in words."""
        return f"{self.num_neurons} neurons, {self.activation}" + (", bias" if self.bias is not None else "")

    def config(self):
        """The constructor arguments that rebuild this layer (its weights aside)."""
        return {"name": self.name, "num_neurons": self.num_neurons, "bias": self.bias is not None,
                "dtype": str(self.dtype)}

    @classmethod
    def from_config(cls, config, target=None):
        """A new layer from ``config()`` (plus an ``activation``), linked to ``target``."""
        return cls(config["name"], config["num_neurons"], target=target, activation=config.get("activation"),
                   bias=config.get("bias", False), dtype=config.get("dtype", "float64"),
                   rng=np.random.default_rng(0))

    def __repr__(self):
        src = self.source.name if self.source else None
        tgt = self.target.name if self.target else None
        b = ", bias" if self.bias is not None else ""
        return f"SimpleLayer({self.name!r}, {self.num_neurons}, {self.activation}{b}, source={src!r}, target={tgt!r})"

    def __str__(self):
        tgt = self.target.name if self.target else None
        src = self.source.name if self.source else None
        lines = [f"Layer: {self.name}  ({self.num_neurons} neurons, activation {self.activation})",
                 f"  target: {tgt}",
                 f"  source: {src}",
                 f"  neurons (row form, {self.neuron_row_array.shape}):",
                 "    " + np.array2string(self.neuron_row_array, precision=4).replace("\n", "\n    ")]
        if self.bias is not None:
            lines += [f"  bias ({self.num_neurons},):",
                      "    " + np.array2string(self.bias, precision=4).replace("\n", "\n    ")]
        if self._weights is not None:
            lines += [f"  weights to {tgt} (row form, {self._weights.shape}):",
                      "    " + np.array2string(self._weights, precision=4).replace("\n", "\n    ")]
        return "\n".join(lines)
