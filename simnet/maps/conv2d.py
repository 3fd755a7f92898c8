"""``Conv2D``: 2-D convolution over neuron maps, weights in im2col row form (see ``simnet.maps``)."""
import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from ..checks import check_pair, check_positive_int
from .base import MapLayer, describe_shape


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
        self.filters = check_positive_int(filters, f"layer {name!r}: filters")
        self.kernel_size = check_pair(kernel_size, f"layer {name!r}: kernel_size")
        self.stride = check_pair(stride, f"layer {name!r}: stride")
        if padding not in ("valid", "same"):
            raise (ValueError if isinstance(padding, str) else TypeError)(
                f"layer {name!r}: padding must be 'valid' or 'same', got {padding!r}")
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

    def im2col(self, maps, training=True):
        """``(batch, C, H, W)`` maps -> ``(batch, C * kh * kw, H_out * W_out)``.

        Column p is the patch under output p."""
        b, c, h, w = maps.shape
        (kh, kw), (sh, sw) = self.kernel_size, self.stride
        _, ho, wo = self.shape
        top, bottom, left, right = self._pads
        if top or bottom or left or right:
            padded = self._buffer("padded", (b, c, h + top + bottom, w + left + right), training, zero=True)
            padded[:, :, top:top + h, left:left + w] = maps  # the border stays zero
            maps = padded
        windows = sliding_window_view(maps, (kh, kw), axis=(2, 3))[:, :, ::sh, ::sw][:, :, :ho, :wo]
        cols = self._buffer("cols", (b, c, kh, kw, ho, wo), training)
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

    def _forward(self, x, z, training):
        b = len(x)
        cols = self.im2col(x.reshape(b, *self.input_shape), training)
        if training:
            self._cols = cols  # learn() makes the weight gradient from it
        out = z.reshape(b, self.filters, -1)
        np.matmul(self.source.weight_col_mat, cols, out=out)  # (filters, K) @ (K, P) for every sample
        if self.bias is not None:
            out += self.bias[:, None]

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

    def _weight_gradient(self, x, d, out):
        """``out`` = the sum over samples of ``cols @ delta.T``: the dense rule summed over patches."""
        b = len(d)
        dz = d.reshape(b, self.filters, -1)
        per_sample = self._buffer("wgrad", (b,) + out.shape)
        np.matmul(self._cols, dz.transpose(0, 2, 1), out=per_sample)
        per_sample.sum(axis=0, out=out)

    def _bias_gradient(self, d):
        """One bias per filter: the delta summed over samples and positions."""
        return d.reshape(len(d), self.filters, -1).sum(axis=(0, 2))

    def config(self):
        return {**super().config(), "filters": self.filters, "kernel_size": list(self.kernel_size),
                "stride": list(self.stride), "padding": self.padding, "bias": self.bias is not None}
