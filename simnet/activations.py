"""Activation functions, each paired with its derivative.

Like the walk-through, a derivative is written in terms of the layer's *output*
(its neurons after activation): ``relu2deriv(output) = output > 0``.  Every
activation also has ``backprop(delta, output)``, the delta times the derivative,
which is an element-wise product for all of them but softmax (whose Jacobian is
not diagonal).  All functions accept an ``out=`` array so the hot path can work
in place on preallocated buffers.
"""
import numpy as np


class Activation:
    """An activation function ``forward`` and its ``derivative``."""

    name = "activation"

    def forward(self, x, out=None):
        raise NotImplementedError

    def derivative(self, y):
        """d output / d input, expressed through the output ``y``."""
        raise NotImplementedError

    def backprop(self, delta, y, out=None):
        """``delta * derivative(y)``: the delta before this activation."""
        return np.multiply(delta, self.derivative(y), out=out)

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

    def derivative(self, y):
        return np.ones_like(y)

    def backprop(self, delta, y, out=None):
        if out is None:
            return delta
        if out is not delta:
            out[...] = delta
        return out


class ReLU(Activation):
    name = "relu"

    def forward(self, x, out=None):
        return np.maximum(x, 0, out=out)

    def derivative(self, y):
        return (y > 0).astype(y.dtype)

    def backprop(self, delta, y, out=None):
        # delta * (y > 0) without building the 0/1 mask as floats
        out = np.multiply(delta, y > 0, out=out)
        return out


class LeakyReLU(Activation):
    name = "leaky_relu"

    def __init__(self, slope=0.01):
        if not 0 <= slope < 1:
            raise ValueError(f"LeakyReLU slope must be in [0, 1), got {slope!r}")
        self.slope = slope

    def forward(self, x, out=None):
        # max(x, slope * x) is x for x > 0 and slope * x otherwise
        return np.maximum(x, self.slope * x, out=out)

    def derivative(self, y):
        return np.where(y > 0, 1.0, self.slope).astype(y.dtype)

    def __repr__(self):
        return f"leaky_relu({self.slope})"


class Sigmoid(Activation):
    name = "sigmoid"

    def forward(self, x, out=None):
        # 1 / (1 + exp(-x)) computed without overflow: exp of a non-positive number only
        e = np.exp(-np.abs(x))
        pos = x >= 0
        y = np.where(pos, 1.0 / (1.0 + e), e / (1.0 + e)).astype(np.result_type(x), copy=False)
        if out is None:
            return y
        out[...] = y
        return out

    def derivative(self, y):
        return y * (1 - y)


class Tanh(Activation):
    name = "tanh"

    def forward(self, x, out=None):
        return np.tanh(x, out=out)

    def derivative(self, y):
        return 1 - y * y


class Softmax(Activation):
    """Softmax over each row (each sample), shifted by the row maximum so it never overflows."""

    name = "softmax"

    def forward(self, x, out=None):
        out = np.subtract(x, np.maximum.reduce(x, axis=-1, keepdims=True), out=out)  # max and sum, as ufunc
        np.exp(out, out=out)                                                        # reductions: no wrapper
        out /= np.add.reduce(out, axis=-1, keepdims=True)
        return out

    def derivative(self, y):
        """The diagonal of the Jacobian, ``y * (1 - y)``; see ``backprop`` for the full product."""
        return y * (1 - y)

    def backprop(self, delta, y, out=None):
        # Jacobian-vector product: J = diag(y) - y y^T, so delta @ J = y * (delta - sum(delta * y))
        s = np.sum(delta * y, axis=-1, keepdims=True)
        return np.multiply(y, delta - s, out=out)


ACTIVATIONS = {
    "linear": Linear,
    "relu": ReLU,
    "leaky_relu": LeakyReLU,
    "sigmoid": Sigmoid,
    "tanh": Tanh,
    "softmax": Softmax,
}


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
