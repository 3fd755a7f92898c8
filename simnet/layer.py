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
import numpy as np

from .activations import get_activation
from .history import VARIABLES, Monitor
from .losses import get_loss
from .optimizers import SGD, Optimizer, check_rate

INITS = ("uniform", "he", "glorot")
DTYPES = (np.float32, np.float64)


def _check_dtype(dtype, where):
    try:
        dt = np.dtype(dtype)
    except TypeError:
        raise TypeError(f"{where}: dtype must be float32 or float64, got {dtype!r}") from None
    if dt.type not in DTYPES:
        raise TypeError(f"{where}: dtype must be float32 or float64, got {dt}")
    return dt


def as_numbers(values, dtype, what):
    """``values`` as a numpy array of ``dtype``, or a ``TypeError``/``ValueError`` naming ``what``.

    Only numbers convert: bool, int and float arrays (or lists of them).  Strings, None,
    complex numbers and other objects are a ``TypeError``, ragged lists a ``ValueError``.
    """
    if isinstance(values, np.ndarray):
        a = values
    else:
        try:
            a = np.asarray(values)
        except (TypeError, ValueError) as e:
            raise ValueError(f"{what} must be a rectangular array of numbers ({e})") from None
    if a.dtype.kind not in "biuf":
        raise TypeError(f"{what} must be numbers (bool, int or float), got "
                        f"{type(values).__name__} of dtype {a.dtype}")
    if a.dtype.kind == "f" and a.dtype.itemsize > np.dtype(dtype).itemsize:  # float64 data, float32 layer
        with np.errstate(over="ignore"):
            out = a.astype(dtype)
        overflow = np.isinf(out) & np.isfinite(a)
        if overflow.any():
            where = tuple(int(i) for i in np.argwhere(overflow)[0])
            raise ValueError(f"{what}: value {a[where]} at index {where} is too large for "
                             f"{np.dtype(dtype)} (at most {np.finfo(dtype).max:.3g})")
        return out
    return a.astype(dtype, copy=False)


def check_finite(a, what):
    """Raise ``ValueError`` naming ``what`` and the first NaN or infinite entry of ``a``."""
    if not np.isfinite(a).all():
        where = tuple(int(i) for i in np.argwhere(~np.isfinite(a))[0])
        raise ValueError(f"{what} contains NaN or infinite values (first at index {where}: {a[where]})")


def draw_weights(n_in, n_out, init="uniform", rng=None, dtype=np.float64):
    """Initial weights of a connection, shape ``(n_in, n_out)``.

    ``'uniform'`` is the walk-through's ``2 * random((n_in, n_out)) - 1``; with
    ``rng=None`` it draws from numpy's global random state, in the walk-through's
    order.  ``'he'`` is normal with std ``sqrt(2 / n_in)``, ``'glorot'`` uniform on
    ``+-sqrt(6 / (n_in + n_out))``; those (and uniform with a generator) draw from
    ``rng``, a ``numpy.random.Generator`` (or a legacy ``numpy.random.RandomState``,
    which gives the stream ``np.random.seed`` gives without touching the global state).
    """
    if not isinstance(init, str) or init not in INITS:
        raise ValueError(f"unknown weight init {init!r}; choose one of {INITS}")
    if rng is not None and not isinstance(rng, (np.random.Generator, np.random.RandomState)):
        raise TypeError(f"rng must be a numpy.random.Generator (np.random.default_rng(seed)), a RandomState or None, "
                        f"got {type(rng).__name__}")
    if init == "uniform":
        r = np.random.random((n_in, n_out)) if rng is None else rng.random((n_in, n_out))
        w = 2 * r - 1
    else:
        if rng is None:
            rng = np.random.default_rng()
        if init == "he":
            w = rng.standard_normal((n_in, n_out)) * np.sqrt(2.0 / n_in)
        else:
            limit = np.sqrt(6.0 / (n_in + n_out))
            w = rng.uniform(-limit, limit, (n_in, n_out))
    return np.ascontiguousarray(w, dtype=dtype)


class SimpleLayer:
    """A dense layer of ``num_neurons`` explicit neurons.

    Create layers output first, giving each its ``target``; a layer with a target
    draws the weights of that connection at once (see ``draw_weights``).
    """

    training = True  # Network.predict sets it False while it runs (Dropout looks at it)

    def __init__(self, name, num_neurons, target=None, activation=None, bias=False,
                 init="uniform", rng=None, dtype=np.float64):
        if not isinstance(name, str) or not name:
            raise TypeError(f"layer name must be a non-empty string, got {name!r}")
        if isinstance(num_neurons, bool) or not isinstance(num_neurons, (int, np.integer)):
            raise TypeError(f"layer {name!r}: num_neurons must be an int, got {num_neurons!r}")
        if num_neurons <= 0:
            raise ValueError(f"layer {name!r}: num_neurons must be positive, got {num_neurons}")
        if not isinstance(bias, (bool, np.bool_)):
            raise TypeError(f"layer {name!r}: bias must be True or False, got {bias!r}")
        self.name = name
        self.num_neurons = int(num_neurons)
        self.dtype = _check_dtype(dtype, f"layer {name!r}")
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
        self.weight_state = {}  # optimizer state of the weights (lives with them)
        self.bias_state = {}
        self.loss = get_loss(None)  # used by calc_delta when this is the output layer
        self.sample_errors = None
        self.monitors = {}
        self._watch = {v: [] for v in VARIABLES}
        if target is not None:
            self.connect(target, init=init, rng=rng)

    # ---- linking ---------------------------------------------------------
    def connect(self, target, init="uniform", rng=None):
        """Make ``target`` this layer's target and draw the weights between them."""
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
        try:
            w = None if shape is None else draw_weights(*shape, init, rng, self.dtype)
        except (TypeError, ValueError) as e:
            raise type(e)(f"layer {self.name!r}: {e}") from None
        self.target = target
        target.source = self
        self._weights = w
        self._grad = None if w is None else np.empty_like(w)

    def _connection_shape(self, source):
        """Shape of the weights ``source`` owns to feed this layer: ``(n_source, n_self)`` for a dense layer.

        Other layer kinds (``simnet.conv``) check the link here and may return None (no weights).
        """
        return (source.num_neurons, self.num_neurons)

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
    def neuron_col_array(self):
        """The neurons in column form, ``(n, batch)``: a view of ``neuron_row_array``."""
        return self.neuron_row_array.T

    @property
    def shape(self):
        """The shape of one sample's neurons: ``(n,)`` here, ``(channels, height, width)`` for maps."""
        return (self.num_neurons,)

    # ---- forward ---------------------------------------------------------
    def set_neurons(self, values):
        """Load values into the neurons (the input layer's job): ``(n,)`` or ``(batch, n)``."""
        a = as_numbers(values, self.dtype, f"layer {self.name!r}: set_neurons values")
        if a.ndim == 1:
            a = a[None, :]
        if a.ndim != 2 or a.shape[1] != self.num_neurons or a.shape[0] == 0:
            raise ValueError(f"layer {self.name!r} has {self.num_neurons} neurons; set_neurons got shape "
                             f"{np.shape(values)} (expected ({self.num_neurons},) or (batch, {self.num_neurons}))")
        check_finite(a, f"layer {self.name!r}: set_neurons input")
        self._load(a)

    def _load(self, a):
        """set_neurons without checks, for loops that validated their data up front."""
        if self.neuron_row_array.shape != a.shape:
            self.neuron_row_array = np.empty(a.shape, dtype=self.dtype)
        self.neuron_row_array[...] = a
        for m in self._watch["neurons"]:
            m.record()

    def train(self):
        """Forward step: neurons = activation(source neurons @ source weights [+ bias]).

        The input layer (no source) keeps what ``set_neurons`` put there.
        """
        src = self.source
        if src is None:
            return self.neuron_row_array
        x = src.neuron_row_array
        z = self.neuron_row_array
        if z.shape[0] != x.shape[0]:
            z = self.neuron_row_array = np.empty((x.shape[0], self.num_neurons), dtype=self.dtype)
        self._forward(x, z)
        for m in self._watch["neurons"]:
            m.record()
        return z

    def _forward(self, x, z):
        """The dense connection: ``z = activation(x @ source weights + bias)``, in place.

        Layers of other kinds (``simnet.conv``) say here how their connection works.
        """
        np.matmul(x, self.source._weights, out=z)
        if self.bias is not None:
            z += self.bias
        self.activation.forward(z, out=z)

    # ---- backward --------------------------------------------------------
    def calc_delta(self, goal):
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

    def _calc_delta(self, goal):
        y = self.neuron_row_array
        self.sample_errors = self.loss.sample_errors(goal, y, self.activation)
        d = self.delta
        if d is None or d.shape != y.shape:
            d = self.delta = np.empty_like(y)
        self.loss.delta(goal, y, self.activation, out=d)
        for m in self._watch["delta"]:
            m.record()
        return d

    def learn(self, alpha):
        """Backward step: pass the delta to the source, then correct the source's weights.

        ``source.delta = (delta @ source.weight_col_mat) * derivative(source neurons)``,
        computed with the weights *before* they change; then
        ``source.weight_row_mat += alpha * (source.neuron_col_array @ delta)``.
        ``alpha`` is a learning rate (plain SGD, the walk-through's) or an ``Optimizer``.
        The input layer has no delta: nothing upstream of it needs one.
        """
        src = self.source
        if src is None:
            return
        d = self.delta
        if d is None or d.shape[0] != src.neuron_row_array.shape[0]:
            raise ValueError(f"layer {self.name!r}: learn() needs a delta for the current batch "
                             f"({src.neuron_row_array.shape[0]} samples); call calc_delta (output layer) "
                             f"or the target's learn() first")
        if not isinstance(alpha, Optimizer):
            alpha = check_rate(alpha)
        if src.source is not None:
            sd = src.delta
            if sd is None or sd.shape != d.shape[:1] + (src.num_neurons,):
                sd = src.delta = np.empty((d.shape[0], src.num_neurons), dtype=src.dtype)
            np.matmul(d, src._weights.T, out=sd)
            src.activation.backprop(sd, src.neuron_row_array, out=sd)
            for m in src._watch["delta"]:
                m.record()
        grad = src._grad
        x = src.neuron_row_array
        if isinstance(alpha, SGD):
            alpha = alpha.alpha
        if isinstance(alpha, Optimizer):
            self._outer(x, d, grad)
            alpha.update(src._weights, grad, src.weight_state)
        else:  # plain SGD, the walk-through's: scale the (small) delta, not the (large) gradient
            scaled = d * alpha
            self._outer(x, scaled, grad)
            src._weights += grad
        for m in src._watch["weights"]:
            m.record()
        if self.bias is not None:
            if isinstance(alpha, Optimizer):
                alpha.update(self.bias, d.sum(axis=0), self.bias_state)
            else:
                self.bias += scaled.sum(axis=0)
            for m in self._watch["bias"]:
                m.record()

    @staticmethod
    def _outer(x, d, out):
        """``out = x.T @ d``; for one sample an element-wise outer product, which is faster."""
        if x.shape[0] == 1:
            np.multiply(x.T, d, out=out)
        else:
            np.matmul(x.T, d, out=out)

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

    def _attach(self, key, m):
        if key in self.monitors:
            raise ValueError(f"layer {self.name!r} already records {key!r}")
        self.monitors[key] = m
        self._watch[m.variable].append(m)
        return m

    def history(self, key):
        """The Monitor recording ``key`` ('neurons', 'weights', 'delta', 'bias', or '<variable>_stats')."""
        try:
            return self.monitors[key]
        except KeyError:
            raise KeyError(f"layer {self.name!r} does not record {key!r}; it records {sorted(self.monitors)}. "
                           f"Declare it with layer.record({key.split('_stats')[0]!r}) before training") from None

    # ---- description -----------------------------------------------------
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
