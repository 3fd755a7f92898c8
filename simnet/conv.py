"""Layers of neuron maps: convolution, max pooling, dropout, flatten, and the map input.

A map layer is a ``SimpleLayer`` whose neurons, per sample, are arranged as maps
``(channels, height, width)``.  They are linked by ``source``/``target`` like every
other layer, and keep the same contract: ``train()`` is the forward step,
``learn(alpha)`` the backward step, the weights of a connection are owned by its
*source* layer, and histories, ``print(layer)`` and saving work unchanged.

Neurons.  Like every layer, a map layer keeps its neurons in row form,
``neuron_row_array`` of shape ``(batch, channels * height * width)``;
``neuron_maps`` is the same array seen as ``(batch, channels, height, width)``
(a view, never a copy), and ``delta_maps`` likewise for ``delta``.  ``shape`` is
one sample's ``(channels, height, width)``; ``input_shape`` is its source's.

Convolution weights.  A ``Conv2D`` layer with ``filters`` filters of
``kh x kw`` over ``C_in`` input maps is fed by weights its source owns, in
``source.weight_row_mat``, of shape ``(C_in * kh * kw, filters)``: the im2col
matrix.  Row ``i`` (for input map ``c`` and kernel offset ``(u, v)``, in that
order) is what one element of an input patch sends to each filter, exactly as
row ``i`` of a dense layer's weights is what neuron ``i`` sends to each target
neuron.  ``source.weight_col_mat`` is still its transpose (a view), and its row
``f`` reshaped to ``(C_in, kh, kw)`` is filter ``f``.  The bias, one per filter,
is the conv layer's own ``bias`` (``(filters,)``).

- forward, ``conv.train()``: ``cols = im2col(source maps)``, shape
  ``(batch, C_in * kh * kw, H_out * W_out)``: column ``p`` of a sample holds the
  input patch under output position ``p``.  Then, per sample,
  ``neurons = activation(source.weight_col_mat @ cols + bias)``: the dense
  layer's product, once per patch, landing directly in ``(filters, H_out * W_out)``.
- backward, ``conv.learn(alpha)``: with the weights before they change,
  ``source.delta = col2im(source.weight_row_mat @ delta) * derivative(source
  neurons)`` (every patch element gets back what it sent, and col2im adds it to
  the pixel it was copied from); then
  ``source.weight_row_mat += alpha * sum over samples of cols @ delta.T``, the
  dense rule ``neuron_col_array @ delta`` summed over patches.

Pooling, dropout and flatten have no weights: the connection into them has none
(``source.weight_row_mat`` is None), and their ``learn()`` only passes the delta
back: max pooling to the first maximum of each window (the argmax mask, found
by comparing the source's neurons with the maxima), dropout through the same
mask, flatten unchanged.  ``Flatten``
feeding a dense ``SimpleLayer`` owns that dense connection's weights like any
source.

Linking.  A map layer's shape follows from its input's, so map layers are
created *input first*, each given its ``source`` (the Keras way)::

    image = MapInput("image", (1, 28, 28))
    conv = Conv2D("conv", 8, 3, activation="relu", source=image, rng=rng)
    pool = MaxPool2D("pool", source=conv)
    flat = Flatten("flatten", source=pool)
    out = SimpleLayer("output", 10, activation="softmax", dtype=np.float32)
    flat.connect(out, init="glorot", rng=rng)

``init`` and ``rng`` of a constructor draw the weights made while linking that
layer.  A map layer may also be created output first with its ``input_shape``
declared (persistence does this); linking a source then checks that it gives
that shape.  Any mismatch (a kernel larger than its input maps, a source giving
the wrong shape, maps fed to a dense layer without ``Flatten``) is a
``ValueError`` naming both layers and their shapes, raised before any layer
changes.

Data.  ``Network`` methods (``predict``, ``evaluate``, ``train_epoch``) take
inputs in row form, ``(samples, channels * height * width)``, as ``to_inputs``
makes them; ``images.reshape(len(images), -1)`` turns maps into rows.
``MapInput.set_neurons`` and ``feature_maps`` take maps as well.

Training mode.  ``layer.training`` (True by default) is turned off by
``Network.predict`` and ``Network.evaluate``: then ``Dropout`` passes its input
through unchanged, and no layer overwrites what its next ``learn()`` needs
(the im2col matrix, the dropout mask).

Everything is vectorised numpy, float32 by default: no Python loop runs over
samples, channels or pixels; col2im and pooling loop over the kernel (window)
offsets only.
"""
import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from .activations import Linear, get_activation
from .layer import SimpleLayer
from .network import check_data
from .optimizers import Optimizer, check_rate


def _positive_int(value, what, name):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"layer {name!r}: {what} must be a positive int, got {value!r}")
    return int(value)


def _pair(value, what, name):
    """``3`` -> ``(3, 3)``; ``(3, 5)`` stays; both must be positive ints."""
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        value = (value, value)
    try:
        a, b = value
    except (TypeError, ValueError):
        raise ValueError(f"layer {name!r}: {what} must be an int or a pair of ints, got {value!r}") from None
    return _positive_int(a, what, name), _positive_int(b, what, name)


def describe_shape(shape):
    """``(30, 24, 24)`` -> ``'maps (30, 24, 24)'``; ``(375,)`` -> ``'375 neurons'``."""
    shape = tuple(shape)
    return f"{shape[0]} neurons" if len(shape) == 1 else f"maps {shape}"


def _delta_buffer(layer, batch):
    d = layer.delta
    if d is None or d.shape != (batch, layer.num_neurons):
        d = layer.delta = np.empty((batch, layer.num_neurons), dtype=layer.dtype)
    return d


def _apply(param, grad, state, alpha):
    """Change ``param`` by ``grad`` (which may be overwritten): plain SGD or an optimizer."""
    if isinstance(alpha, Optimizer):
        alpha.update(param, grad, state)
    else:
        grad *= alpha
        param += grad


class MapLayer(SimpleLayer):
    """A layer whose neurons have a shape: maps ``(channels, height, width)`` (or flat ``(n,)``).

    The base of the layer kinds in this module; see the module docstring for the
    model.  Give ``source`` (create input first) or ``input_shape``.
    """

    kind = "map layer"
    takes_activation = False

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
        try:
            shape = tuple(shape)
        except TypeError:
            raise ValueError(f"layer {name!r}: a shape must be a tuple of positive ints, got {shape!r}") from None
        if not shape or any(isinstance(s, bool) or not isinstance(s, (int, np.integer)) or s < 1 for s in shape):
            raise ValueError(f"layer {name!r}: a shape must be a tuple of positive ints, got {shape!r}")
        return tuple(int(s) for s in shape)

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
        return None

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

    def connect(self, target, init="he", rng=None):
        """Make ``target`` this layer's target (after checking the shapes) and draw the weights between them."""
        if isinstance(target, SimpleLayer) and not isinstance(target, MapLayer) and len(self.shape) != 1:
            self._check_link(target)  # raises: maps need a Flatten before a dense layer
        super().connect(target, init=init, rng=rng)

    # ---- neurons as maps ---------------------------------------------------
    @property
    def neuron_maps(self):
        """The neurons as ``(batch, *shape)``: a view of ``neuron_row_array``."""
        return self.neuron_row_array.reshape(len(self.neuron_row_array), *self._shape)

    @property
    def delta_maps(self):
        """The delta as ``(batch, *shape)`` (a view), or None before the first backward step."""
        return None if self.delta is None else self.delta.reshape(len(self.delta), *self._shape)

    def _buffer(self, key, shape, dtype=None, zero=False):
        """A work array reused from step to step (a fresh one when not training: predict keeps caches intact)."""
        make = np.zeros if zero else np.empty
        if not self.training:
            return make(shape, dtype=dtype or self.dtype)
        b = self._buffers.get(key)
        if b is None or b.shape != shape:
            b = self._buffers[key] = make(shape, dtype=dtype or self.dtype)
        return b

    # ---- forward and backward ----------------------------------------------

    def learn(self, alpha):
        """Backward step: pass the delta to the source, then correct the weights the source owns (if any).

        ``source.delta = back(delta) * derivative(source neurons)``, with the
        weights before they change; ``back`` is col2im of ``weight_row_mat @ delta``
        for a convolution, the argmax routing for pooling, the mask for dropout,
        the identity for flatten.
        """
        src = self.source
        if src is None:
            return
        d = self.delta
        batch = src.neuron_row_array.shape[0]
        if d is None or d.shape[0] != batch:
            raise ValueError(f"layer {self.name!r}: learn() needs a delta for the current batch ({batch} samples); "
                             f"call calc_delta (output layer) or the target's learn() first")
        if not isinstance(alpha, Optimizer):
            alpha = check_rate(alpha)
        self._check_cache(batch)
        if src.source is not None:
            sd = _delta_buffer(src, batch)
            self._backward(d, sd)
            src.activation.backprop(sd, src.neuron_row_array, out=sd)
            for m in src._watch["delta"]:
                m.record()
        self._update(d, alpha)

    def _forward(self, x, z):
        raise NotImplementedError

    def _backward(self, d, sd):
        """``sd`` = the delta ``d`` carried back to the source's neurons (before their derivative)."""
        raise NotImplementedError

    def _check_cache(self, batch):
        """Raise if the forward step did not keep what ``learn()`` needs for this batch."""

    def _update(self, d, alpha):
        """Correct the weights of the connection into this layer (none by default)."""

    # ---- history, description, persistence ----------------------------------
    def variable_shape(self, variable):
        if variable == "bias" and self.bias is not None:
            return self.bias.shape
        return super().variable_shape(variable)

    def parameters_in(self):
        """How many parameters feed this layer: the weights its source owns for it, plus its own bias."""
        w = self.source.weight_row_mat if self.source is not None else None
        return (0 if w is None else w.size) + (0 if self.bias is None else self.bias.size)

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
            part = "no weights" if w is None else (f"{w.size:,} weights owned by {src} (weight_row_mat {w.shape})")
            if self.bias is not None:
                part += f" + {self.bias.size} biases"
            lines.append(f"  parameters in: {part} = {n_in:,}")
        if self._weights is not None:
            lines.append(f"  owns the weights to {tgt}: weight_row_mat {self._weights.shape} = {self._weights.size:,}")
        elif self.target is not None:
            lines.append(f"  owns no weights (the connection to {tgt} has none)")
        return "\n".join(lines)


class MapInput(MapLayer):
    """The input layer of a network of maps: images of ``shape`` ``(channels, height, width)``.

    ``set_neurons`` takes ``(channels, height, width)``, ``(batch, channels, height, width)``
    or the row form ``(batch, channels * height * width)``.
    """

    kind = "map input"

    def __init__(self, name, shape, *, target=None, init="he", rng=None, dtype=np.float32):
        super().__init__(name, input_shape=shape, target=target, init=init, rng=rng, dtype=dtype)

    def _connection_shape(self, source):
        raise ValueError(f"map input {self.name!r} is an input layer: {source.name!r} cannot feed it")

    def set_neurons(self, values):
        """Load images: ``shape``, ``(batch, *shape)``, ``(n,)`` or ``(batch, n)``."""
        a = np.asarray(values, dtype=self.dtype)
        if a.shape == self.shape:
            a = a[None]
        if a.ndim == len(self.shape) + 1 and a.shape[1:] == self.shape and len(a):
            a = a.reshape(len(a), -1)
        elif a.ndim > 2:
            raise ValueError(f"map input {self.name!r} takes images {self.shape}: set_neurons got shape "
                             f"{np.shape(values)} (expected {self.shape}, (batch, *{self.shape}), "
                             f"({self.num_neurons},) or (batch, {self.num_neurons}))")
        super().set_neurons(a)

    def _load(self, a):
        if a.ndim > 2:
            a = a.reshape(len(a), -1)
        super()._load(a)

    def describe(self):
        return f"images {describe_shape(self.shape)}"

    def config(self):
        return {"name": self.name, "shape": list(self.shape), "dtype": str(self.dtype)}


class Conv2D(MapLayer):
    """2-D convolution: ``filters`` maps, each the response of one ``kernel_size`` filter.

    ``stride`` (int or pair), ``padding`` ``'valid'`` (no padding: the output
    shrinks by ``kernel - 1``) or ``'same'`` (zeros around, so the output is
    ``ceil(input / stride)``, split as Keras does), ``bias`` one per filter (on
    by default, as in Keras).
    """

    kind = "convolution"
    takes_activation = True

    def __init__(self, name, filters, kernel_size, stride=1, padding="valid", activation=None, bias=True, *,
                 source=None, input_shape=None, target=None, init="he", rng=None, dtype=np.float32):
        self.filters = _positive_int(filters, "filters", name)
        self.kernel_size = _pair(kernel_size, "kernel_size", name)
        self.stride = _pair(stride, "stride", name)
        if padding not in ("valid", "same"):
            raise ValueError(f"layer {name!r}: padding must be 'valid' or 'same', got {padding!r}")
        self.padding = padding
        self._cols = None  # the im2col matrix of the last training forward step
        super().__init__(name, source=source, input_shape=input_shape, target=target, activation=activation,
                         bias=bias, init=init, rng=rng, dtype=dtype)
        self._pads = self._padding(self.input_shape)

    def _padding(self, in_shape):
        """``(top, bottom, left, right)`` zeros around the input maps."""
        if self.padding == "valid":
            return (0, 0, 0, 0)
        pads = []
        for size, k, s in zip(in_shape[1:], self.kernel_size, self.stride):
            total = max((-(-size // s) - 1) * s + k - size, 0)
            pads += [total // 2, total - total // 2]
        return tuple(pads)

    def _output_shape(self, in_shape, name, where):
        c, h, w = self._maps_only(self.kind, in_shape, name, where)
        (kh, kw), (sh, sw) = self.kernel_size, self.stride
        if self.padding == "same":
            return (self.filters, -(-h // sh), -(-w // sw))
        if kh > h or kw > w:
            raise ValueError(f"convolution {name!r}: its {kh}x{kw} kernel is larger than the {h}x{w} maps "
                             f"{where} gives ({describe_shape(in_shape)}); use a smaller kernel or padding='same'")
        return (self.filters, (h - kh) // sh + 1, (w - kw) // sw + 1)

    def _bias_shape(self):
        return (self.filters,)

    def _weight_shape(self, source):
        kh, kw = self.kernel_size
        return (self.input_shape[0] * kh * kw, self.filters)

    def describe(self):
        (kh, kw), (sh, sw) = self.kernel_size, self.stride
        stride = f"stride {sh}" if sh == sw else f"stride {sh}x{sw}"
        return f"{self.filters} filters {kh}x{kw}, {stride}, padding {self.padding!r}, {self.activation}"

    def im2col(self, maps):
        """``(batch, C, H, W)`` maps -> ``(batch, C * kh * kw, H_out * W_out)``.

        Column p is the patch under output p."""
        b, c, h, w = maps.shape
        (kh, kw), (sh, sw) = self.kernel_size, self.stride
        _, ho, wo = self.shape
        top, bottom, left, right = self._pads
        if top or bottom or left or right:
            padded = self._buffer("padded", (b, c, h + top + bottom, w + left + right), zero=True)
            padded[:, :, top:top + h, left:left + w] = maps  # the border stays zero
            maps = padded
        windows = sliding_window_view(maps, (kh, kw), axis=(2, 3))[:, :, ::sh, ::sw][:, :, :ho, :wo]
        cols = self._buffer("cols", (b, c, kh, kw, ho, wo))
        np.copyto(cols, windows.transpose(0, 1, 4, 5, 2, 3))  # (b, c, ho, wo, kh, kw) -> (b, c, kh, kw, ho, wo)
        return cols.reshape(b, c * kh * kw, ho * wo)

    def col2im(self, dcols, out):
        """The inverse routing of ``im2col``: add every patch element of ``dcols`` back to its pixel in ``out``.

        ``dcols`` is ``(batch, C * kh * kw, H_out * W_out)``, ``out`` ``(batch, C, H, W)``
        (overwritten).  One vectorised addition per kernel offset.
        """
        b, c, h, w = out.shape
        (kh, kw), (sh, sw) = self.kernel_size, self.stride
        _, ho, wo = self.shape
        top, bottom, left, right = self._pads
        dc = dcols.reshape(b, c, kh, kw, ho, wo)
        if top or bottom or left or right:
            acc = self._buffer("dpadded", (b, c, h + top + bottom, w + left + right))
        else:
            acc = out
        acc[...] = 0
        for u in range(kh):
            for v in range(kw):
                acc[:, :, u:u + sh * (ho - 1) + 1:sh, v:v + sw * (wo - 1) + 1:sw] += dc[:, :, u, v]
        if acc is not out:
            out[...] = acc[:, :, top:top + h, left:left + w]
        return out

    def _forward(self, x, z):
        b = len(x)
        cols = self.im2col(x.reshape(b, *self.input_shape))
        if self.training:
            self._cols = cols
        out = z.reshape(b, self.filters, -1)
        np.matmul(self.source.weight_col_mat, cols, out=out)  # (filters, K) @ (K, P) for every sample
        if self.bias is not None:
            out += self.bias[:, None]
        self.activation.forward(z, out=z)

    def _check_cache(self, batch):
        if self._cols is None or len(self._cols) != batch:
            raise ValueError(f"convolution {self.name!r}: learn() needs the forward step train() of this batch "
                             f"({batch} samples) in training mode first")

    def _backward(self, d, sd):
        b = len(d)
        out = sd.reshape(b, *self.input_shape)
        if self.stride != (1, 1):
            dz = d.reshape(b, self.filters, -1)
            dcols = self._buffer("dcols", self._cols.shape)
            np.matmul(self.source.weight_row_mat, dz, out=dcols)  # (K, filters) @ (filters, P): what each element sent
            self.col2im(dcols, out)
            return
        # Stride 1, the same sums faster: let each output row run the full (padded) input width, the extra
        # columns holding a zero delta; then every kernel offset sends a sample's patch elements to one
        # contiguous run of the flattened (padded) input maps, instead of to many short rows.
        c, h, w = self.input_shape
        _, ho, wo = self.shape
        kh, kw = self.kernel_size
        top, bottom, left, right = self._pads
        hp, wp = h + top + bottom, w + left + right
        wide = self._buffer("dwide", (b, self.filters, ho, wp), zero=True)
        wide[:, :, :, :wo] = d.reshape(b, self.filters, ho, wo)  # columns wo.. stay zero
        dcols = self._buffer("dcols_wide", (b, c * kh * kw, ho * wp))
        np.matmul(self.source.weight_row_mat, wide.reshape(b, self.filters, -1), out=dcols)
        dc = dcols.reshape(b, c, kh * kw, ho * wp)
        flat = self._buffer("dflat", (b, c, hp * wp + kw - 1))
        flat[...] = 0
        for u in range(kh):
            for v in range(kw):
                start = u * wp + v
                flat[:, :, start:start + ho * wp] += dc[:, :, u * kw + v]
        out[...] = flat[:, :, :hp * wp].reshape(b, c, hp, wp)[:, :, top:top + h, left:left + w]

    def _update(self, d, alpha):
        src = self.source
        b = len(d)
        dz = d.reshape(b, self.filters, -1)
        per_sample = self._buffer("wgrad", (b,) + src.weight_row_mat.shape)
        np.matmul(self._cols, dz.transpose(0, 2, 1), out=per_sample)  # cols @ delta.T per sample
        per_sample.sum(axis=0, out=src._grad)
        _apply(src.weight_row_mat, src._grad, src.weight_state, alpha)
        for m in src._watch["weights"]:
            m.record()
        if self.bias is not None:
            _apply(self.bias, dz.sum(axis=(0, 2)), self.bias_state, alpha)
            for m in self._watch["bias"]:
                m.record()

    def config(self):
        return {**super().config(), "filters": self.filters, "kernel_size": list(self.kernel_size),
                "stride": list(self.stride), "padding": self.padding, "bias": self.bias is not None}


class MaxPool2D(MapLayer):
    """Max pooling: each output neuron is the largest of a ``pool_size`` window of its map.

    ``stride`` defaults to the pool size (windows side by side); rows and
    columns left over at the edge are dropped, as in Keras.
    """

    kind = "max pooling"

    def __init__(self, name, pool_size=2, stride=None, *, source=None, input_shape=None, target=None, init="he",
                 rng=None, dtype=np.float32):
        self.pool_size = _pair(pool_size, "pool_size", name)
        self.stride = self.pool_size if stride is None else _pair(stride, "stride", name)
        super().__init__(name, source=source, input_shape=input_shape, target=target, init=init, rng=rng,
                         dtype=dtype)

    def _output_shape(self, in_shape, name, where):
        c, h, w = self._maps_only(self.kind, in_shape, name, where)
        (ph, pw), (sh, sw) = self.pool_size, self.stride
        if ph > h or pw > w:
            raise ValueError(f"max pooling {name!r}: its {ph}x{pw} window is larger than the {h}x{w} maps "
                             f"{where} gives ({describe_shape(in_shape)})")
        return (c, (h - ph) // sh + 1, (w - pw) // sw + 1)

    def describe(self):
        (ph, pw), (sh, sw) = self.pool_size, self.stride
        return f"{ph}x{pw} windows, stride {sh}" + ("" if sh == sw else f"x{sw}")

    def _windows(self, maps):
        """For each window offset, the strided view of ``maps`` holding that element of every window."""
        (ph, pw), (sh, sw) = self.pool_size, self.stride
        _, ho, wo = self.shape
        return [maps[:, :, u:u + sh * (ho - 1) + 1:sh, v:v + sw * (wo - 1) + 1:sw]
                for u in range(ph) for v in range(pw)]

    def _forward(self, x, z):
        b = len(x)
        views = self._windows(x.reshape(b, *self.input_shape))
        out = z.reshape(b, *self.shape)
        np.copyto(out, views[0])
        for view in views[1:]:
            np.maximum(out, view, out=out)

    def _backward(self, d, sd):
        """Each window's delta goes to its first maximum (the argmax mask), the others get 0.

        The mask is found from the neurons themselves: window element k is the
        argmax where it equals the window's maximum and no earlier element did.
        """
        b = len(d)
        dmaps = d.reshape(b, *self.shape)
        out = sd.reshape(b, *self.input_shape)
        (ph, pw), (sh, sw) = self.pool_size, self.stride
        _, h, w = self.input_shape
        _, ho, wo = self.shape
        tiled = (sh, sw) == (ph, pw) and h == ho * ph and w == wo * pw  # every input neuron in one window
        if not tiled:
            out[...] = 0
        maxima = self.neuron_maps
        hit = self._buffer("hit", dmaps.shape, dtype=bool)
        taken = self._buffer("taken", dmaps.shape, dtype=bool)
        inputs = self._windows(self.source.neuron_maps)
        for k, (view, back) in enumerate(zip(inputs, self._windows(out))):
            np.equal(view, maxima, out=hit)
            if k:
                np.greater(hit, taken, out=hit)  # hit and not taken: the first maximum wins ties
                taken |= hit
            else:
                taken[...] = hit
            if tiled:
                np.multiply(dmaps, hit, out=back)
            else:
                back += dmaps * hit

    def config(self):
        return {**super().config(), "pool_size": list(self.pool_size), "stride": list(self.stride)}


class Dropout(MapLayer):
    """Dropout: in training, each neuron is zeroed with probability ``rate``, the others scaled by ``1 / (1 - rate)``.

    Inverted scaling, so nothing changes at evaluation, where (``training``
    False, as in ``Network.predict``) it passes its input through unchanged.
    The mask is drawn from ``rng`` (a ``numpy.random.Generator``); ``mask`` is the
    last one used, scaled.  Set ``fixed_mask`` (0/1, ``(batch, n)`` or ``(n,)``) to
    use that mask instead of drawing one (for tests and demonstrations).
    Works on maps and on flat layers alike.
    """

    kind = "dropout"

    def __init__(self, name, rate=0.5, *, source=None, input_shape=None, target=None, init="he", rng=None,
                 dtype=np.float32):
        if isinstance(rate, bool) or not isinstance(rate, (int, float, np.floating)) or not 0 <= rate < 1:
            raise ValueError(f"dropout {name!r}: rate must be a number in [0, 1), got {rate!r}")
        self.rate = float(rate)
        self.rng = rng if rng is not None else np.random.default_rng()
        self.fixed_mask = None
        self.mask = None
        super().__init__(name, source=source, input_shape=input_shape, target=target, init=init, rng=rng,
                         dtype=dtype)

    def describe(self):
        return f"rate {self.rate:g}"

    def _forward(self, x, z):
        if not self.training:
            np.copyto(z, x)
            return
        scale = self.dtype.type(1 / (1 - self.rate))
        if self.fixed_mask is not None:
            keep = np.broadcast_to(np.asarray(self.fixed_mask) != 0, x.shape)
        else:
            keep = self._buffer("keep", x.shape, dtype=bool)
            np.greater_equal(self.rng.random(x.shape, dtype=self.dtype), self.rate, out=keep)
        self.mask = self._buffer("mask", x.shape)
        np.multiply(keep, scale, out=self.mask)
        np.multiply(x, self.mask, out=z)

    def _check_cache(self, batch):
        if self.mask is None or len(self.mask) != batch:
            raise ValueError(f"dropout {self.name!r}: learn() needs the forward step train() of this batch "
                             f"({batch} samples) in training mode first")

    def _backward(self, d, sd):
        np.multiply(d, self.mask, out=sd)

    def config(self):
        return {**super().config(), "rate": self.rate, "rng_state": self.rng.bit_generator.state}


class Flatten(MapLayer):
    """Maps ``(channels, height, width)`` as one flat row of ``channels * height * width`` neurons.

    The row form of maps is already flat, so the neurons are copied as they are
    (channel by channel, row by row).  A dense ``SimpleLayer`` after it is fed by
    weights ``Flatten`` owns, ``(channels * height * width, n_dense)``.
    """

    kind = "flatten"

    def _output_shape(self, in_shape, name, where):
        return (int(np.prod(in_shape)),)

    def describe(self):
        return f"{describe_shape(self.input_shape)} as one row"

    def _forward(self, x, z):
        np.copyto(z, x)

    def _backward(self, d, sd):
        np.copyto(sd, d)


MAP_LAYER_KINDS = {cls.__name__: cls for cls in (MapInput, Conv2D, MaxPool2D, Dropout, Flatten)}


def summary(layers):
    """A table of the layers: kind, shape of one sample's neurons, parameters in, weights owned."""
    rows = [("layer", "kind", "neurons", "parameters in", "owns weights")]
    total = 0
    for la in layers:
        if isinstance(la, MapLayer):
            n_in = la.parameters_in()
        else:
            w = la.source.weight_row_mat if la.source is not None else None
            n_in = (0 if w is None else w.size) + (0 if la.bias is None else la.bias.size)
        total += n_in
        owns = "-" if la.weight_row_mat is None else f"{la.weight_row_mat.shape}"
        rows.append((la.name, type(la).__name__, str(tuple(la.shape)), f"{n_in:,}", owns))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(c.ljust(wd) if i < 3 else c.rjust(wd) for i, (c, wd) in enumerate(zip(r, widths)))
             for r in rows]
    lines.insert(1, "-" * len(lines[0]))
    lines.append(f"total parameters: {total:,}")
    return "\n".join(lines)


def feature_maps(network, inputs):
    """Every layer's neurons for ``inputs`` (one sample or a batch), as in ``predict``.

    Returns ``{layer name: array of (batch, *layer.shape)}`` (copies), computed
    with ``training`` off and no recording; the live buffers, caches and
    histories of the network are left untouched.
    """
    first = network.layers[0]
    x = np.asarray(inputs, dtype=first.dtype)
    if x.shape == tuple(first.shape) or x.ndim == 1:
        x = x[None]
    if x.ndim > 2 and x.shape[1:] == tuple(first.shape):  # maps: in row form
        x = x.reshape(len(x), -1)
    x = check_data(first, x, "inputs")
    saved = [(la._watch, la.neuron_row_array, la.training) for la in network.layers]
    quiet = {k: [] for k in first._watch}
    try:
        for la in network.layers:
            la._watch, la.training = quiet, False
            la.neuron_row_array = la.neuron_row_array.copy()
        first._load(x)
        result = {}
        for la in network.layers:
            la.train()
            result[la.name] = la.neuron_row_array.reshape(len(x), *la.shape).copy()
    finally:
        for la, (watch, neurons, training) in zip(network.layers, saved):
            la._watch, la.neuron_row_array, la.training = watch, neurons, training
    return result
