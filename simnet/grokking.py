"""Grokking Deep Learning (Trask), chapters 8-14: the networks as the book builds them, written once.

``scenarios/grokking.py`` runs each chapter as a plain loop over these layers; the tests and the
docs use the same builders.  Every place where the book's code differs from what its text (or the
gradient) says is a named choice, listed in ``QUIRKS``: ``book=True`` builds the code as printed
(the printed numbers, to the digit), ``book=False`` the version the text describes (``--corrected``).

The book draws its weights from numpy's *global* random state, input side first, right after
``np.random.seed(1)``; the builders do the same (``book_random``), then link the layers with
those weights (``connect(target, weights=...)``), so nothing else draws in between.
"""
import numpy as np

from .activations import ReLU, Softmax
from .layer import SimpleLayer
from .losses import CrossEntropy, SquaredError
from .maps import Dropout, MapInput
from .maps.sections import Conv2DSections
from .network import Network
from .optimizers import SGD
from .sequence import Embedding, Recurrent

# Each quirk: chapter, the book's code, the corrected version, and where the choice is made.
QUIRKS = {
    "relu-derivative": ("8", ("relu2deriv(output) = output >= 0: true for every ReLU output, so a dead "
                              "neuron's delta is never blocked"), "output > 0 (the book's own comment)",
                        "ReLU(derivative=...)"),
    "batch-update": ("8", ("the delta and both updates sit inside the loop over the batch's 100 samples: "
                           "100 updates from one forward pass"), "one update per batch",
                     "repeats of the backward loop"),
    "double-division": ("9, 10", "output delta / (batch_size * batch_size)", "/ batch_size",
                        "CrossEntropy(divide_by=...)"),
    "tanh-derivative": ("9, 10", "tanh2deriv taken on the dropped-out (x2) hidden values",
                        "on the hidden values themselves", "Dropout(derivative_on=...)"),
    "kernel-sign": ("10", "kernels -= alpha * update (the output weights +=)", "kernels += alpha * update",
                    "Conv2DSections(kernel_update=...)"),
    "positions": ("10", ("range(28 - 3) kernel positions each way: 25 x 25 = 625, the last row and column "
                         "never seen"), "range(28 - 3 + 1): all 26 x 26 = 676", "Conv2DSections(positions=...)"),
    "bptt-offsets": ("12", ("embedding rows take the hidden delta two steps early, the recurrent matrix and "
                            "start one step early"), "backpropagation through time", "Recurrent(gradients=...)"),
}


def book_random(shape, scale, shift):
    """``scale * np.random.random(shape) - shift``: the book's draw, from numpy's global state."""
    return scale * np.random.random(shape) - shift


def str5(x):
    """The book prints errors as ``str(x)[0:5]``."""
    return str(x)[0:5]


# ---- chapters 8 and 9: 784 - hidden - 10 ---------------------------------------------------------
def mnist_layers(hidden, activation, output_activation=None, dropout=False, book=True, init=(0.2, 0.1)):
    """Input 784, hidden (relu or tanh), an optional Dropout, output 10: the layers, input first.

    The weights are drawn ``init[0] * random - init[1]`` for the input side, then ``0.2 * random -
    0.1`` for the output side, from the global state (call ``np.random.seed(1)`` first).
    """
    if activation == "relu":
        activation = ReLU("output >= 0" if book else "output > 0")
    inp = SimpleLayer("input", 784)
    hid = SimpleLayer("hidden", hidden, activation=activation)
    out = SimpleLayer("output", 10, activation=output_activation)
    w01 = book_random((784, hidden), *init)
    w12 = book_random((hidden, 10), 0.2, 0.1)
    inp.connect(hid, weights=w01)
    layers = [inp, hid]
    if dropout:
        drop = Dropout("dropout", 0.5, source=hid, dtype=np.float64, delta_mask="unscaled",
                       derivative_on="dropped" if book else "source")
        layers.append(drop)
    layers[-1].connect(out, weights=w12)
    return layers + [out]


def chapter8_network(variant="plain", book=True):
    """Chapter 8: 784-40-10 (plain) or 784-100-10 with dropout (``'dropout'``, ``'batch'``), squared error."""
    hidden = 40 if variant == "plain" else 100
    return Network(mnist_layers(hidden, "relu", dropout=variant != "plain", book=book), loss=SquaredError())


def chapter9_network(book=True):
    """Chapter 9: 784-100(tanh)-dropout-10(softmax), cross-entropy (its delta divided by batch * batch in the book)."""
    layers = mnist_layers(100, "tanh", Softmax(subtract_max=not book), dropout=True, book=book, init=(0.02, 0.01))
    return Network(layers, loss=CrossEntropy(divide_by="batch squared" if book else "batch"))


def chapter10_network(book=True):
    """Chapter 10: image (1, 28, 28) - 16 kernels 3x3 as image sections (tanh) - dropout - 10 (softmax)."""
    image = MapInput("image", (1, 28, 28), dtype=np.float64)
    conv = Conv2DSections("kernels", 16, 3, activation="tanh", positions="book" if book else "valid",
                          kernel_update="book" if book else "gradient", input_shape=(1, 28, 28))
    kernels = book_random((9, 16), 0.02, 0.01)
    w12 = book_random((conv.num_neurons, 10), 0.2, 0.1)
    image.connect(conv, weights=kernels)
    drop = Dropout("dropout", 0.5, source=conv, dtype=np.float64, delta_mask="unscaled",
                   derivative_on="dropped" if book else "source")
    out = SimpleLayer("output", 10, activation=Softmax(subtract_max=not book))
    drop.connect(out, weights=w12)
    return Network([image, conv, drop, out], loss=CrossEntropy(divide_by="batch squared" if book else "batch"))


def book_sgd(alpha):
    """Plain SGD in the book's order of operations: ``weights += alpha * (x.T @ delta)``."""
    return SGD(alpha, scale="gradient")


# ---- chapter 12: next-word prediction ------------------------------------------------------------
def babi_tokens(lines):
    """The book's tokens: each line lower-cased, its newline removed, split on single spaces, the number dropped."""
    return [line.lower().replace("\n", "").split(" ")[1:] for line in lines]


def chapter12_network(vocab_size, embed_size=10, book=True):
    """Chapter 12: one-hot words - Embedding (looked-up rows) - Recurrent (identity start matrix, linear,
    its state shown *before* each word) - output (softmax), cross-entropy.

    Drawn as the book: ``embed = (rand(V, 10) - 0.5) * 0.1``, then ``decoder = (rand(10, V) - 0.5) * 0.1``
    (call ``np.random.seed(1)`` first); the recurrent matrix starts as the identity, the start state at zero.
    """
    words = SimpleLayer("words", vocab_size)
    embed = Embedding("embedding", embed_size)
    hidden = Recurrent("hidden", embed_size, activation=None, input_weights=False, emit="before",
                       gradients="book" if book else "bptt")
    out = SimpleLayer("output", vocab_size, activation="softmax")
    e = (np.random.rand(vocab_size, embed_size) - 0.5) * 0.1
    d = (np.random.rand(embed_size, vocab_size) - 0.5) * 0.1
    words.connect(embed, weights=e)
    embed.connect(hidden)
    hidden.recurrent_row_mat = np.eye(embed_size)
    hidden.connect(out, weights=d)
    return Network([words, embed, hidden, out], loss=CrossEntropy())


# ---- chapter 14: vanishing and exploding gradients -----------------------------------------------
def chapter14_layer(activation, start, weights=((1, 4), (4, 1))):
    """A recurrent layer of two neurons with the given recurrent matrix, no input, starting from ``start``."""
    layer = Recurrent("state", 2, activation=activation, input_weights=False, emit="after")
    layer.recurrent_row_mat = np.array(weights, dtype=float)
    layer.start[...] = start
    return layer
