"""``MapLayer``: the base of the layer kinds whose neurons are maps ``(channels, height, width)``.

It links by shape (a map layer knows its input's shape and computes its own) and
gives each kind the hooks of ``SimpleLayer``'s one ``learn()``: ``_forward``,
``_backward``, ``_weight_gradient``, ``_bias_gradient`` and ``_check_cache``.
"""
import numpy as np

from ..activations import Linear, get_activation
from ..checks import check_shape
from ..layer import SimpleLayer


def describe_shape(shape):
    """``(30, 24, 24)`` -> ``'maps (30, 24, 24)'``; ``(375,)`` -> ``'375 neurons'``."""
    shape = tuple(shape)
    return f"{shape[0]} neurons" if len(shape) == 1 else f"maps {shape}"


class MapLayer(SimpleLayer):
    """A layer whose neurons have a shape: maps ``(channels, height, width)`` (or flat ``(n,)``).

    The base of the layer kinds in this module; see the module docstring for the
    model.  Give ``source`` (create input first) or ``input_shape``.
    """

    kind = "map layer"
    takes_activation = False
    splits_batch = True  # its steps split the batch over threads (``simnet.maps.split``)

    def __init__(self, name, *, source=None, input_shape=None, target=None, activation=None, bias=False,
                 init="he", rng=None, dtype=np.float32):
        if source is not None and not isinstance(source, SimpleLayer):
            raise TypeError(f"layer {name!r}: source must be a layer, got {type(source).__name__}")
        if source is not None:
            in_shape = tuple(source.shape)
            if input_shape is not None and tuple(input_shape) != in_shape:
                raise ValueError(f"{self.kind} {name!r} was given input_shape {tuple(input_shape)}, but its source "
                                 f"{source.name!r} gives {describe_shape(in_shape)}")
            where = f"its source {source.name!r}"
        elif input_shape is not None:
            in_shape = self._check_shape(input_shape, name)
            where = "its input"
        else:
            raise ValueError(f"{self.kind} {name!r} needs source=<layer> (create map layers input first) or "
                             f"input_shape=(channels, height, width) to know its shape")
        shape = self._output_shape(in_shape, name, where)
        super().__init__(name, int(np.prod(shape)), activation=activation, dtype=dtype)
        self.input_shape, self._shape = in_shape, tuple(int(s) for s in shape)
        self._buffers = {}
        if bias:
            self.bias = np.zeros(self._bias_shape(), dtype=self.dtype)
        if target is not None:
            self._check_link(target)  # before the source is linked: nothing changes if either fails
        if source is not None:
            source.connect(self, init=init, rng=rng)
        if target is not None:
            self.connect(target, init=init, rng=rng)

    # ---- shapes and linking -----------------------------------------------
    @staticmethod
    def _check_shape(shape, name):
        return check_shape(shape, f"layer {name!r}: a shape")

    def _output_shape(self, in_shape, name, where):
        """One sample's output shape for input ``in_shape`` (raise ValueError if it does not fit)."""
        return in_shape

    @staticmethod
    def _maps_only(kind, in_shape, name, where):
        if len(in_shape) != 3:
            raise ValueError(f"{kind} {name!r} takes maps (channels, height, width), but {where} gives "
                             f"{describe_shape(in_shape)}")
        return in_shape

    def _bias_shape(self):
        return (self.num_neurons,)

    @property
    def shape(self):
        """One sample's neurons: ``(channels, height, width)``, or ``(n,)`` for flat layers."""
        return self._shape

    def _connection_shape(self, source):
        if tuple(source.shape) != self.input_shape:
            raise ValueError(f"layer {source.name!r} gives {describe_shape(source.shape)}, but {self.kind} "
                             f"{self.name!r} takes {describe_shape(self.input_shape)}")
        return self._weight_shape(source)

    def _weight_shape(self, source):
        """Shape of the weights ``source`` owns to feed this layer; None: this connection has none."""
        return

    def _check_link(self, target):
        """Every check ``connect(target)`` makes, without linking anything."""
        if not isinstance(target, SimpleLayer):
            raise TypeError(f"layer {self.name!r}: target must be a SimpleLayer, got {type(target).__name__}")
        if target.source is not None:
            raise ValueError(f"layer {target.name!r} is already fed by {target.source.name!r}; "
                             f"cannot link {self.name!r} to it")
        if target.dtype != self.dtype:
            raise TypeError(f"layer {self.name!r} is {self.dtype} but its target {target.name!r} is {target.dtype}")
        if not isinstance(target, MapLayer) and len(self.shape) != 1:
            raise ValueError(f"layer {self.name!r} gives {describe_shape(self.shape)}, but dense layer "
                             f"{target.name!r} takes a flat row of neurons: put a Flatten between them")
        target._connection_shape(self)

    def connect(self, target, init="he", rng=None, weights=None):
        """Make ``target`` this layer's target (after checking the shapes) and draw the weights between them."""
        if isinstance(target, SimpleLayer) and not isinstance(target, MapLayer) and len(self.shape) != 1:
            self._check_link(target)  # raises: maps need a Flatten before a dense layer
        super().connect(target, init=init, rng=rng, weights=weights)

    # ---- neurons as maps ---------------------------------------------------
    @property
    def neuron_maps(self):
        """The neurons as ``(batch, *shape)``: a view of ``neuron_row_array``."""
        return self.neuron_row_array.reshape(len(self.neuron_row_array), *self._shape)

    @property
    def delta_maps(self):
        """The delta as ``(batch, *shape)`` (a view), or None before the first backward step."""
        return None if self.delta is None else self.delta.reshape(len(self.delta), *self._shape)

    def _buffer(self, key, shape, training=True, dtype=None, zero=False):
        """A work array reused from training step to step; a fresh one for inference, which changes nothing."""
        make = np.zeros if zero else np.empty
        if not training:
            return make(shape, dtype=dtype or self.dtype)
        b = self._buffers.get(key)
        if b is None or b.shape != shape:
            b = self._buffers[key] = make(shape, dtype=dtype or self.dtype)
        return b

    # ---- the hooks of SimpleLayer.train / infer / learn --------------------
    def _forward(self, x, z, training):
        raise NotImplementedError

    def _backward(self, d, sd):
        """``sd`` = the delta ``d`` carried back to the source's neurons (before their derivative).

        Return True if the source's derivative was applied too (see ``SimpleLayer._backward``)."""
        raise NotImplementedError

    # ---- history, description, saving ----------------------------------
    def variable_shape(self, variable):
        if variable == "bias" and self.bias is not None:
            return self.bias.shape
        return super().variable_shape(variable)

    def describe(self):
        """What the layer does, in words (the subclass's settings)."""
        return self.kind

    def config(self):
        """The constructor arguments that rebuild this layer (its weights aside)."""
        return {"name": self.name, "input_shape": list(self.input_shape), "dtype": str(self.dtype)}

    @classmethod
    def from_config(cls, config, target=None):
        """A new layer from ``config()`` (plus an ``activation``), linked to ``target``."""
        cfg = dict(config)
        act = get_activation(cfg.pop("activation", None))
        rng_state = cfg.pop("rng_state", None)
        if cls.takes_activation:
            cfg["activation"] = act
        elif not isinstance(act, Linear):
            raise ValueError(f"{cls.kind} {cfg.get('name')!r} has no activation, but its config says {act}")
        layer = cls(**cfg, target=target, rng=np.random.default_rng(0))
        if rng_state is not None:
            layer.rng.bit_generator.state = rng_state
        return layer

    def __repr__(self):
        src = self.source.name if self.source else None
        tgt = self.target.name if self.target else None
        return (f"{type(self).__name__}({self.name!r}, {self.describe()}, {self.input_shape} -> {self.shape}, "
                f"source={src!r}, target={tgt!r})")

    def __str__(self):
        src = self.source.name if self.source else None
        tgt = self.target.name if self.target else None
        n_in = self.parameters_in()
        lines = [f"Layer: {self.name}  ({type(self).__name__}: {self.describe()})",
                 f"  source: {src}, {describe_shape(self.input_shape)}",
                 f"  neurons: {describe_shape(self.shape)} = {self.num_neurons:,} per sample; row form "
                 f"{self.neuron_row_array.shape}" + (f", maps {self.neuron_maps.shape}" if len(self.shape) > 1 else ""),
                 f"  target: {tgt}"]
        if self.source is not None:
            w = self.source.weight_row_mat
            part = "no weights" if w is None else (f"{w.size:,} weights of {self.connection_in}, owned by {src} "
                                                   f"(weight_row_mat {w.shape})")
            if self.bias is not None:
                part += f" + {self.bias.size} biases"
            lines.append(f"  parameters in: {part} = {n_in:,}")
        if self._weights is not None:
            lines.append(f"  owns the weights to {tgt}: weight_row_mat {self._weights.shape} = {self._weights.size:,}")
        elif self.target is not None:
            lines.append(f"  owns no weights (the connection to {tgt} has none)")
        return "\n".join(lines)
