"""``Conv2D``: 2-D convolution over neuron maps, weights in im2col row form (see ``simnet.maps``)."""
import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from ..checks import check_pair, check_positive_int
from .base import MapLayer, describe_shape
from .split import over_batch


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
        self._bias_grad_ready = None  # the bias gradient _weight_gradient found beside the weights'
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

    def im2col(self, maps, training=True, ones=False):
        """``(batch, C, H, W)`` maps -> ``(batch, C * kh * kw, H_out * W_out)``.

        Column p is the patch under output p.  With ``ones``, one more row of ones
        follows (``(batch, C * kh * kw + 1, H_out * W_out)``): the bias's input, so
        that one product gives the input sums with the bias and the weight
        gradient with the bias gradient."""
        cols, padded = self._im2col_buffers(maps.shape, training, ones)
        over_batch(lambda s, e: self._im2col_part(maps[s:e], cols[s:e], padded, s, e, ones), len(maps))
        return cols

    def _im2col_buffers(self, shape, training, ones):
        """The im2col matrix (and the zero-bordered maps, with padding) for maps of ``shape``."""
        b, c, h, w = shape
        _, ho, wo = self.shape
        top, bottom, left, right = self._pads
        padded = None
        if top or bottom or left or right:
            padded = self._buffer("padded", (b, c, h + top + bottom, w + left + right), training, zero=True)
        kh, kw = self.kernel_size
        return self._buffer("cols", (b, c * kh * kw + ones, ho * wo), training), padded

    def _im2col_part(self, maps, cols, padded, start, stop, ones):
        """im2col of samples ``start:stop`` (``maps`` and ``cols`` are theirs) into ``cols``."""
        b, c, h, w = maps.shape
        (kh, kw), (sh, sw) = self.kernel_size, self.stride
        _, ho, wo = self.shape
        if padded is not None:
            top, _, left, _ = self._pads
            padded = padded[start:stop]
            padded[:, :, top:top + h, left:left + w] = maps  # the border stays zero
            maps = padded
        windows = sliding_window_view(maps, (kh, kw), axis=(2, 3))[:, :, ::sh, ::sw][:, :, :ho, :wo]
        k = c * kh * kw
        patches = cols[:, :k].reshape(b, c, kh, kw, ho, wo)  # a view: rows k.. split, columns split
        np.copyto(patches, windows.transpose(0, 1, 4, 5, 2, 3))  # (b, c, ho, wo, kh, kw) -> (b, c, kh, kw, ho, wo)
        if ones:
            cols[:, k] = 1

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
        """One product per sample, ``[weights; bias] (filters, K + 1) @ [cols; ones] (K + 1, P)``.

        It lands directly in the neurons' row form ``(filters, H_out * W_out)`` per
        sample: no separate bias pass, no copy.  The batch is split over threads
        (``simnet.maps.split``): each part makes its own columns and products, and in a
        training step applies the activation to its own neurons (returns True)."""
        b = len(x)
        bias = self.bias is not None
        maps = x.reshape(b, *self.input_shape)
        cols, padded = self._im2col_buffers(maps.shape, training, bias)
        if training:
            self._cols = cols  # learn() makes the weight (and bias) gradient from it
        w = self.source.weight_col_mat  # (filters, K)
        if bias:
            wb = self._buffer("weights_bias", (self.filters, w.shape[1] + 1), training)
            wb[:, :-1] = w
            wb[:, -1] = self.bias
            w = wb
        sums = z.reshape(b, self.filters, -1)
        activate = training and not self._keep_sums  # (the loss of an output layer reads its sums)

        def part(s, e):
            self._im2col_part(maps[s:e], cols[s:e], padded, s, e, bias)
            np.matmul(w, cols[s:e], out=sums[s:e])
            if activate:  # while this part's sums are in the cache, and in this part's thread
                self.activation.forward(z[s:e], out=z[s:e])

        over_batch(part, b)
        return activate

    def _check_cache(self, batch):
        if self._cols is None or len(self._cols) != batch:
            raise ValueError(f"convolution {self.name!r}: learn() needs the forward step train() of this batch "
                             f"(a batch of {batch}) in training mode first")

    def _backward(self, d, sd):
        b = len(d)
        out = sd.reshape(b, *self.input_shape)
        if self.stride != (1, 1):
            dz = d.reshape(b, self.filters, -1)
            dcols = self._buffer("dcols", (b,) + self.source.weight_row_mat.shape[:1] + dz.shape[2:])
            np.matmul(self.source.weight_row_mat, dz, out=dcols)  # (K, filters) @ (filters, P): what each element sent
            self.col2im(dcols, out)
            return
        # Stride 1: the same sums as col2im without its scatter.  What pixel (i, j) of the (padded) input
        # gets back is the full correlation of the delta maps with the flipped kernels: im2col of the delta,
        # zero-padded by kernel - 1 on every side, then one product per sample with the flipped filters,
        # landing directly in the source's maps.  The batch is split over threads.
        c, h, w = self.input_shape
        f, ho, wo = self.shape
        kh, kw = self.kernel_size
        top, bottom, left, right = self._pads
        hp, wp = h + top + bottom, w + left + right
        padded = self._buffer("dpadded", (b, f, hp + kh - 1, wp + kw - 1), zero=True)
        dcols = self._buffer("dcols_full", (b, f, kh, kw, hp, wp))
        flipped = self._buffer("flipped", (c, f, kh, kw))  # flipped[c, f, u, v] = weight of (c, kh-1-u, kw-1-v) to f
        np.copyto(flipped, self.source.weight_row_mat.reshape(c, kh, kw, f)[:, ::-1, ::-1].transpose(0, 3, 1, 2))
        flipped = flipped.reshape(c, -1)
        dmaps = d.reshape(b, f, ho, wo)
        pad = top or bottom or left or right
        full = self._buffer("dfull", (b, c, hp, wp)) if pad else out

        def part(s, e):
            padded[s:e, :, kh - 1:kh - 1 + ho, kw - 1:kw - 1 + wo] = dmaps[s:e]  # the border stays zero
            np.copyto(dcols[s:e], sliding_window_view(padded[s:e], (kh, kw), axis=(2, 3)).transpose(0, 1, 4, 5, 2, 3))
            np.matmul(flipped, dcols[s:e].reshape(e - s, f * kh * kw, -1), out=full[s:e].reshape(e - s, c, -1))
            if pad:
                out[s:e] = full[s:e, :, top:top + h, left:left + w]

        over_batch(part, b)

    def _weight_gradient(self, x, d, out):
        """``out`` = the sum over samples of ``cols @ delta.T``: the dense rule summed over patches.

        With a bias, the row of ones in ``cols`` gives its gradient in the same product
        (kept for ``_bias_gradient``)."""
        b = len(d)
        dz = d.reshape(b, self.filters, -1)
        cols = self._cols
        per_sample = self._buffer("wgrad", (b, cols.shape[1], self.filters))
        dzt = dz.transpose(0, 2, 1)  # (b, P, filters), a strided view
        # many patch rows for each position: a contiguous copy of the (comparatively small) delta makes
        # the per-sample products about 1.7x faster than reading it through the strided view
        contiguous = self._buffer("delta_t", dzt.shape) if cols.shape[1] >= 64 else None

        def part(s, e):
            t = dzt[s:e]
            if contiguous is not None:
                np.copyto(contiguous[s:e], t)
                t = contiguous[s:e]
            np.matmul(cols[s:e], t, out=per_sample[s:e])

        over_batch(part, b)
        if self.bias is None:
            per_sample.sum(axis=0, out=out)
            return
        total = self._buffer("wgrad_sum", per_sample.shape[1:])
        per_sample.sum(axis=0, out=total)
        np.copyto(out, total[:-1])
        self._bias_grad_ready = total[-1]

    def _bias_gradient(self, d):
        """One bias per filter: the delta summed over samples and positions (from ``_weight_gradient``'s product)."""
        g = getattr(self, "_bias_grad_ready", None)
        if g is not None:
            self._bias_grad_ready = None
            return g
        return d.reshape(len(d), self.filters, -1).sum(axis=(0, 2))

    def config(self):
        return {**super().config(), "filters": self.filters, "kernel_size": list(self.kernel_size),
                "stride": list(self.stride), "padding": self.padding, "bias": self.bias is not None}
