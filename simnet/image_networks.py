"""The image scenarios' networks, built once here for the scenarios, sweeps, tests and benchmarks.

- ``build_dense(hidden, activation, seed, dtype)``: 784 -> hidden -> 10, softmax output,
  cross-entropy, biases, He (ReLU) or Glorot initialisation (``scenarios/mnist.py``,
  ``scenarios/fashion_mnist.py`` and the image sweep tasks); ``output``, ``loss`` and ``init``
  give Nielsen's networks too (sigmoid outputs, the quadratic cost, N(0, 1) weights and biases).
- ``build_cnn(seed, dtype)``: the Keras "larger CNN" of ``scenarios/mnist_cnn.py``::

    image 1x28x28 -> conv1 30 filters 5x5 relu -> pool1 2x2 -> conv2 15 filters 3x3 relu -> pool2 2x2
    -> dropout 0.2 -> flatten -> dense1 128 relu -> dense2 50 relu -> output 10 softmax
"""
import numpy as np

from .layer import SimpleLayer
from .maps import Conv2D, Dropout, Flatten, MapInput, MaxPool2D
from .network import Network


def default_init(activation):
    """He for ReLU-like activations, Glorot otherwise."""
    return "he" if "relu" in activation else "glorot"


def build_dense(hidden=(128,), activation="relu", seed=0, dtype=np.float32, output="softmax", loss="cross_entropy",
                init=None):
    """784 -> ``hidden`` -> 10: ``activation`` on the hidden layers, ``output`` on the 10 outputs, ``loss``, biases.

    Weights are drawn with ``init`` (``default_init(activation)`` when None: He for ReLU-like
    activations, Glorot otherwise) from the network's own generator seeded with ``seed``.
    Nielsen's chapter 1 network is ``build_dense([30], "sigmoid", output="sigmoid",
    loss="squared_error", init="normal")``.
    """
    hidden = list(hidden)
    return Network.build([784, *hidden, 10], activations=[activation] * len(hidden) + [output], bias=True,
                         init=init or default_init(activation), seed=seed, dtype=dtype, loss=loss)


def build_cnn(seed=0, dtype=np.float32):
    """The larger CNN, built input first: each map layer's shape follows from its source's.

    Weights are drawn from one generator seeded with ``seed`` (kept as the
    network's ``rng``, which also shuffles); the dropout masks come from a child
    generator of it, so saving and loading restores both streams.
    """
    rng = np.random.default_rng(seed)
    image = MapInput("image", (1, 28, 28), dtype=dtype)
    conv1 = Conv2D("conv1", 30, 5, activation="relu", source=image, init="he", rng=rng, dtype=dtype)
    pool1 = MaxPool2D("pool1", 2, source=conv1, dtype=dtype)
    conv2 = Conv2D("conv2", 15, 3, activation="relu", source=pool1, init="he", rng=rng, dtype=dtype)
    pool2 = MaxPool2D("pool2", 2, source=conv2, dtype=dtype)
    dropout = Dropout("dropout", 0.2, source=pool2, rng=rng.spawn(1)[0], dtype=dtype)
    flatten = Flatten("flatten", source=dropout, dtype=dtype)
    dense1 = SimpleLayer("dense1", 128, activation="relu", bias=True, dtype=dtype)
    flatten.connect(dense1, init="he", rng=rng)  # flatten owns the 375 x 128 weights
    dense2 = SimpleLayer("dense2", 50, activation="relu", bias=True, dtype=dtype)
    dense1.connect(dense2, init="he", rng=rng)
    output = SimpleLayer("output", 10, activation="softmax", bias=True, dtype=dtype)
    dense2.connect(output, init="glorot", rng=rng)
    layers = [image, conv1, pool1, conv2, pool2, dropout, flatten, dense1, dense2, output]
    return Network(layers, loss="cross_entropy", rng=rng)
