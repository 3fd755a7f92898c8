"""Layers of neuron maps: convolution, max pooling, dropout, flatten, and the map input (a module per kind).

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
- backward, ``conv.learn(optimizer)`` (``SimpleLayer.learn``, the same for every
  kind; this kind supplies the hooks): with the weights before they change,
  ``source.delta = col2im(source.weight_row_mat @ delta) * derivative(source
  neurons)`` (every patch element gets back what it sent, and col2im adds it to
  the pixel it was copied from); then
  ``source.weight_row_mat += alpha * sum over samples of cols @ delta.T`` (for
  plain SGD), the dense rule ``neuron_col_array @ delta`` summed over patches.

How it is computed (the same sums, faster): ``cols`` has one more row of ones and
the weights one more column, the bias, so one product per sample gives the input
sums with their bias and the weight gradient with the bias gradient; at stride 1
the col2im routing is computed as what it adds up to, the full correlation of the
delta maps with the flipped filters (im2col of the zero-padded delta, one product
per sample landing in the source's maps: no scatter).

Pooling, dropout and flatten have no weights: the connection into them has none
(``source.weight_row_mat`` is None), so ``learn()`` only passes the delta
back: max pooling to the first maximum of each window (the argmax mask, found
by comparing the source's neurons with the maxima), dropout through the same
mask, flatten unchanged.  When 2x2 windows sit side by side (the usual case),
pooling takes the larger of each horizontal pair of neighbours, then of the two
rows, and routes the delta back in the same two steps (ties to the first
maximum); other tiling windows keep a copy of the input arranged as window
planes (element ``(u, v)`` of every window, contiguous).  Either way the maxima
and the first-maximum search are whole-array operations, and over a ReLU source
the derivative is folded into the routing (a window whose maximum is not
positive sends nothing).  Convolution and pooling split each batch over threads
(``split``: the same numbers for any thread count).  ``Flatten``
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
declared (simnet.saving does this); linking a source then checks that it gives
that shape.  Any mismatch (a kernel larger than its input maps, a source giving
the wrong shape, maps fed to a dense layer without ``Flatten``) is a
``ValueError`` naming both layers and their shapes, raised before any layer
changes.

Data.  ``Network`` methods (``predict``, ``evaluate``, ``run_epoch``) take
inputs in row form, ``(samples, channels * height * width)``, as ``to_inputs``
makes them; ``images.reshape(len(images), -1)`` turns maps into rows.
``MapInput.set_neurons`` and ``Network.feature_maps`` take maps as well.

Mode.  ``train()`` is the training forward step: it keeps what the next
``learn()`` needs (the im2col matrix, the pair maxima or window planes, the dropout mask).  Inference
(``layer.infer``, used by ``Network.predict``, ``evaluate`` and ``feature_maps``)
passes ``training=False`` to the same ``_forward``: ``Dropout`` passes its input
through unchanged and no layer's buffers or caches are touched.

Everything is vectorised numpy, float32 by default: no Python loop runs over
samples, channels or pixels; col2im (strides above 1) and pooling loop over the
kernel (window) offsets only.
"""
from .base import MapLayer, describe_shape
from .conv2d import Conv2D
from .dropout import Dropout
from .flatten import Flatten
from .input import MapInput
from .pool import MaxPool2D
from .sections import Conv2DSections

MAP_LAYER_KINDS = {cls.__name__: cls for cls in (MapInput, Conv2D, MaxPool2D, Dropout, Flatten, Conv2DSections)}

__all__ = ["MAP_LAYER_KINDS", "Conv2D", "Conv2DSections", "Dropout", "Flatten", "MapInput", "MapLayer", "MaxPool2D", "describe_shape"]
