"""Activation functions, each paired with its derivative.

Like the walk-through, a derivative is written in terms of the layer's *output*
(its neurons after activation): ``relu2deriv(output) = output > 0``.  Every
activation also has ``backprop(delta, output)``, the delta times the derivative,
which is an element-wise product for all of them but softmax (whose Jacobian is
not diagonal).  All functions accept an ``out=`` array so the hot path can work
in place on preallocated buffers.
"""
import numpy as np


def reuse(buffer, shape, dtype):
    """``buffer`` if it has this shape and dtype, else a new empty array: how the hot loop keeps its buffers."""
    if buffer is None or buffer.shape != shape or buffer.dtype != dtype:
        return np.empty(shape, dtype)
    return buffer


ACTIVATIONS: "dict[str, type[Activation]]" = {}  # name -> class: every Activation subclass with a name registers itself here


class Activation:
    """An activation function ``forward`` and its ``derivative``.

    ``forward`` keeps nothing (``infer`` calls it, from anywhere); the training step's
    ``forward_in_place`` and ``backprop`` may reuse buffers the activation keeps, so that
    after the first step the hot loop allocates no array.
    """

    name = "activation"
    settings: tuple[str, ...] = ()  # the constructor's arguments, saved by config() (LeakyReLU: slope)
    _d = None  # backprop's buffer: the derivative

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "name" in vars(cls):
            ACTIVATIONS[cls.name] = cls  # defining an activation registers it (get_activation, saving)

    def config(self):
        """What a save writes: ``{"name": ..., <settings>}``."""
        return {"name": self.name, **{k: getattr(self, k) for k in self.settings}}

    @staticmethod
    def from_config(cfg):
        """The activation a ``config()`` describes (its ``name`` picks the class)."""
        cfg = dict(cfg)
        name = cfg.pop("name")
        try:
            cls = ACTIVATIONS[name]
        except KeyError:
            raise ValueError(f"unknown activation {name!r}; known: {sorted(ACTIVATIONS)}") from None
        return cls(**cfg)

    def forward(self, x, out=None):
        raise NotImplementedError

    def forward_in_place(self, z):
        """``forward(z, out=z)``, for a training step (``SimpleLayer.train``)."""
        return self.forward(z, out=z)

    def derivative(self, y, out=None):
        """d output / d input, expressed through the output ``y``."""
        raise NotImplementedError

    def backprop(self, delta, y, out=None):
        """``delta * derivative(y)``: the delta before this activation (a training step's)."""
        d = self._d = reuse(self._d, y.shape, y.dtype)
        return np.multiply(delta, self.derivative(y, out=d), out=out)

    def __repr__(self):
        return self.name


class Linear(Activation):
    """Identity: the walk-through's output layer."""

    name = "linear"

    def forward(self, x, out=None):
        if out is None:
            return x
        if out is not x:
            out[...] = x
        return out

    def derivative(self, y, out=None):
        if out is None:
            return np.ones_like(y)
        out.fill(1)
        return out

    def backprop(self, delta, y, out=None):
        if out is None:
            return delta
        if out is not delta:
            out[...] = delta
        return out


RELU_DERIVATIVES = ("output > 0", "output >= 0")


class ReLU(Activation):
    """``max(x, 0)``; its derivative through the output is ``output > 0`` (the default).

    ``derivative="output >= 0"`` is Grokking Deep Learning's ``relu2deriv`` (chapter 8): true for
    every ReLU output, 0 included, so a dead neuron's delta is *not* blocked (a named choice, for
    reproducing that book's printed numbers; its own comment says ``> 0``).
    """

    name = "relu"

    def __init__(self, derivative="output > 0"):
        if derivative not in RELU_DERIVATIVES:
            raise ValueError(f"ReLU derivative must be one of {RELU_DERIVATIVES}, got {derivative!r}")
        self.derivative_rule = derivative

    def forward(self, x, out=None):
        return np.maximum(x, 0, out=out)

    def derivative(self, y, out=None):
        if self.derivative_rule == "output >= 0":
            if out is None:
                return (y >= 0).astype(y.dtype)
            np.copyto(out, y >= 0)
            return out
        # through the output: sign(y) is 1 where y > 0 and 0 where y == 0 (a ReLU's output is never
        # negative); unlike (y > 0), it is made in y's own type, with no conversion and no mask
        return np.sign(y, out=out)

    def __repr__(self):
        return "relu" if self.derivative_rule == "output > 0" else f"relu(derivative {self.derivative_rule!r})"


class LeakyReLU(Activation):
    name = "leaky_relu"
    settings = ("slope",)
    _active = None  # derivative's buffer: where y > 0

    def __init__(self, slope=0.01):
        if not 0 <= slope < 1:
            raise ValueError(f"LeakyReLU slope must be in [0, 1), got {slope!r}")
        self.slope = slope

    def forward(self, x, out=None):
        # max(x, slope * x) is x for x > 0 and slope * x otherwise
        return np.maximum(x, self.slope * x, out=out)

    def forward_in_place(self, z):
        d = self._d = reuse(self._d, z.shape, z.dtype)
        return np.maximum(z, np.multiply(z, self.slope, out=d), out=z)

    def derivative(self, y, out=None):
        if out is None:
            return np.where(y > 0, 1.0, self.slope).astype(y.dtype)
        active = self._active = reuse(self._active, y.shape, bool)
        np.greater(y, 0, out=active)
        out.fill(self.slope)
        np.copyto(out, 1, where=active)
        return out

    def __repr__(self):
        return f"leaky_relu({self.slope})"


class Sigmoid(Activation):
    name = "sigmoid"
    _e = _t = _positive = None  # forward_in_place's buffers

    def forward(self, x, out=None):
        # 1 / (1 + exp(-x)) computed without overflow: exp of a non-positive number only
        e = np.exp(-np.abs(x))
        pos = x >= 0
        y = np.where(pos, 1.0 / (1.0 + e), e / (1.0 + e)).astype(np.result_type(x), copy=False)
        if out is None:
            return y
        out[...] = y
        return out

    def forward_in_place(self, z):
        # forward's arithmetic, in buffers: y = (1 where z >= 0, else e) / (1 + e), e = exp(-|z|)
        e = self._e = reuse(self._e, z.shape, z.dtype)
        t = self._t = reuse(self._t, z.shape, z.dtype)
        positive = self._positive = reuse(self._positive, z.shape, bool)
        np.abs(z, out=e)
        np.negative(e, out=e)
        np.exp(e, out=e)
        np.add(e, 1.0, out=t)
        np.greater_equal(z, 0, out=positive)
        np.copyto(e, 1.0, where=positive)
        return np.divide(e, t, out=z)

    def derivative(self, y, out=None):
        out = np.subtract(1, y, out=out)
        return np.multiply(y, out, out=out)  # y * (1 - y)


class Tanh(Activation):
    name = "tanh"

    def forward(self, x, out=None):
        return np.tanh(x, out=out)

    def derivative(self, y, out=None):
        out = np.multiply(y, y, out=out)
        return np.subtract(1, out, out=out)  # 1 - y * y


class Softmax(Activation):
    """Softmax over each row (each sample), shifted by the row maximum so it never overflows."""

    name = "softmax"
    _rows = None  # forward_in_place's and backprop's buffer: one number per row

    def __init__(self, subtract_max=True):
        self.subtract_max = bool(subtract_max)

    def forward(self, x, out=None, rows=None):
        # the max and the sum as ufunc reductions (no wrapper), into ``rows`` when given
        if self.subtract_max:
            out = np.subtract(x, np.maximum.reduce(x, axis=-1, keepdims=True, out=rows), out=out)
            np.exp(out, out=out)
        else:  # Grokking Deep Learning's softmax (chapters 9, 10): exp(x) / sum, as written (may overflow)
            out = np.exp(x, out=out)
        out /= np.add.reduce(out, axis=-1, keepdims=True, out=rows)
        return out

    def forward_in_place(self, z):
        rows = self._rows = reuse(self._rows, z.shape[:-1] + (1,), z.dtype)
        return self.forward(z, out=z, rows=rows)

    def derivative(self, y, out=None):
        """The diagonal of the Jacobian, ``y * (1 - y)``; see ``backprop`` for the full product."""
        out = np.subtract(1, y, out=out)
        return np.multiply(y, out, out=out)

    def backprop(self, delta, y, out=None):
        # Jacobian-vector product: J = diag(y) - y y^T, so delta @ J = y * (delta - sum(delta * y))
        d = self._d = reuse(self._d, y.shape, y.dtype)
        s = self._rows = reuse(self._rows, y.shape[:-1] + (1,), y.dtype)
        np.add.reduce(np.multiply(delta, y, out=d), axis=-1, keepdims=True, out=s)
        return np.multiply(y, np.subtract(delta, s, out=d), out=out)

    def __repr__(self):
        return "softmax" if self.subtract_max else "softmax(subtract_max=False)"


def get_activation(activation):
    """An ``Activation`` from a name (``'relu'``), an instance, or None (linear)."""
    if activation is None:
        return Linear()
    if isinstance(activation, Activation):
        return activation
    if isinstance(activation, str):
        try:
            return ACTIVATIONS[activation]()
        except KeyError:
            raise ValueError(
                f"unknown activation {activation!r}; choose one of {sorted(ACTIVATIONS)}"
            ) from None
    raise TypeError(f"activation must be a name, an Activation or None, got {type(activation).__name__}")
