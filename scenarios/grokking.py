"""Grokking Deep Learning, chapters 8-14, with explicit layers: the book's printed lines, to the digit.

    simnet run grokking --chapter 8 [--variant plain|dropout|batch] [--corrected]
    simnet run grokking --chapter 9 | 10 | 12 | 14 [--corrected]

Each chapter is a plain loop over layers built as the book builds them (``simnet/grokking.py``):
set the inputs, ``train()`` every layer forward, ``calc_delta`` on the output, ``learn()`` every
layer backward.  Where the book's code differs from its text, ``--corrected`` runs the text's
version (the differences: ``simnet.grokking.QUIRKS``, docs/grokking.md).
"""
import functools
import os
import sys

import numpy as np

from simnet.grokking import (
    QUIRKS,
    babi_tokens,
    book_sgd,
    chapter8_network,
    chapter9_network,
    chapter10_network,
    chapter12_network,
    chapter14_layer,
    str5,
)
from simnet.interrupt import StopOnInterrupt
from simnet.layer import SimpleLayer
from simnet.runs import ArgumentParser, UsageError, entry_point

ITERATIONS = {"8": {"plain": 350, "dropout": 300, "batch": 300}, "9": 300, "10": 300, "12": 30000, "14": 10}


def parse_args(argv=None):
    p = ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--chapter", choices=["8", "9", "10", "12", "14"], required=True,
                   help="the book's chapter: 8 regularization, 9 activations, 10 convolution, 12 recurrence, "
                        "14 exploding and vanishing gradients")
    p.add_argument("--variant", choices=["plain", "dropout", "batch"], default="plain",
                   help="chapter 8's network: plain (default), dropout or batch")
    p.add_argument("--notebook", choices=["fresh", "saved"], default="fresh",
                   help="chapter 14: a fresh run of all cells (default), or what the saved notebook shows "
                        "(its relu cell run a second time, from the first run's first relu activation)")
    p.add_argument("--corrected", action="store_true",
                   help="run the version the book's text describes instead of its code as printed")
    p.add_argument("--iterations", type=int, default=None, help="fewer iterations than the book's (for a quick look)")
    p.add_argument("--data", default=None, help="folder with the data (default: SIMNET_DATA, the cache, a download)")
    p.add_argument("--plots", default=os.path.join("plots", "grokking"),
                   help="folder for chapter 12's and 14's figures (a sequence step by step)")
    p.add_argument("--no-plots", action="store_true", help="write no figures")
    args = p.parse_args(argv)
    if args.notebook != "fresh" and args.chapter != "14":
        raise UsageError(f"--notebook is chapter 14's (fresh, saved); chapter {args.chapter} has none")
    if args.variant != "plain" and args.chapter != "8":
        raise UsageError(f"--variant is chapter 8's (plain, dropout, batch); chapter {args.chapter} has none")
    if args.iterations is not None and args.iterations < 1:
        raise UsageError(f"--iterations must be at least 1, got {args.iterations}")
    return args


def write(text):
    sys.stdout.write(text)
    sys.stdout.flush()


# ---- data --------------------------------------------------------------------------------------
@functools.lru_cache(maxsize=2)  # read once per process (the arrays are only read)
def mnist_1000(path=None):
    """The book's data: the first 1,000 training images and all 10,000 test images, /255, one-hot labels."""
    from simnet.data import ChecksumError, DatasetNotFoundError, load_mnist

    try:
        x, y = load_mnist("train", path=path)
        tx, ty = load_mnist("test", path=path)
    except (DatasetNotFoundError, ChecksumError, ValueError) as e:  # missing, failed download, malformed file
        raise UsageError(str(e)) from None
    images = x[0:1000].reshape(1000, 28 * 28) / 255
    labels = np.zeros((1000, 10))
    labels[np.arange(1000), y[0:1000]] = 1
    test_images = tx.reshape(len(tx), 28 * 28) / 255
    test_labels = np.zeros((len(ty), 10))
    test_labels[np.arange(len(ty)), ty] = 1
    for a in (images, labels, test_images, test_labels):
        a.flags.writeable = False
    return images, labels, test_images, test_labels


def test_pass(network, test_images, test_labels, chunk=1000, softmax=False):
    """``(error, correct)`` on the test images without dropout: the output layer's sums (the book's test pass
    applies no softmax), error the summed squares over the outputs."""
    error, correct = 0.0, 0
    for a in range(0, len(test_images), chunk):
        x = test_images[a:a + chunk]
        for layer in network.layers[:-1]:
            x = layer.infer(x)
        out = network.output.infer_sums(x)
        goal = test_labels[a:a + chunk]
        error += float(np.sum((goal - out) ** 2))
        correct += int(np.count_nonzero(out.argmax(axis=1) == goal.argmax(axis=1)))
    return error, correct


# ---- chapter 8 ---------------------------------------------------------------------------------
def chapter8(args, book, stop):
    images, labels, test_images, test_labels = mnist_1000(args.data)
    variant = args.variant
    iterations = args.iterations or ITERATIONS["8"][variant]
    np.random.seed(1)
    network = chapter8_network(variant, book)
    layers, output = network.layers, network.output
    dropout = network.layer("dropout") if variant != "plain" else None
    sgd = book_sgd(0.001 if variant == "batch" else 0.005)
    batch_size = 100 if variant == "batch" else 1
    repeats = batch_size if (variant == "batch" and book) else 1  # the book's batch update, 100 times
    progress = sys.stdout.isatty()
    for j in range(iterations):
        if stop.requested:
            break
        error, correct = 0.0, 0
        for i in range(len(images) // batch_size):
            start, end = i * batch_size, (i + 1) * batch_size
            layers[0].set_neurons(images[start:end])
            if dropout is not None:
                dropout.fixed_mask = np.random.randint(2, size=(end - start, 100))
            for layer in layers:
                layer.train()
            output.calc_delta(labels[start:end])
            error += float(np.sum((labels[start:end] - output.neuron_row_array) ** 2))
            correct += int(np.count_nonzero(output.neuron_row_array.argmax(axis=1) ==
                                            labels[start:end].argmax(axis=1)))
            for _ in range(repeats):
                for layer in reversed(layers):
                    layer.learn(sgd)
            if stop.requested:
                break
        if stop.requested:
            break
        train = f"Train-Err:{str5(error / float(len(images)))} Train-Acc:{correct / float(len(images))}"
        if variant == "plain":
            if progress:
                write(f"\r I:{j} {train}")
            if j % 10 == 0 or j == iterations - 1:
                test_error, test_correct = test_pass(network, test_images, test_labels)
                write(("\r" if progress else "") + f" I:{j} {train} Test-Err:{str5(test_error / len(test_images))}"
                      f" Test-Acc:{test_correct / float(len(test_images))}\n")
        elif j % 10 == 0:
            test_error, test_correct = test_pass(network, test_images, test_labels)
            write(f"\nI:{j} Test-Err:{str5(test_error / float(len(test_images)))} "
                  f"Test-Acc:{test_correct / float(len(test_images))} {train}")
    if variant != "plain":
        write("\n")
    return network


# ---- chapters 9 and 10 -------------------------------------------------------------------------
def chapters_9_10(args, book, stop):
    images, labels, test_images, test_labels = mnist_1000(args.data)
    chapter = args.chapter
    iterations = args.iterations or ITERATIONS[chapter]
    np.random.seed(1)
    network = chapter9_network(book) if chapter == "9" else chapter10_network(book)
    layers, output, dropout = network.layers, network.output, network.layer("dropout")
    sgd = book_sgd(2)
    batch_size = 100 if chapter == "9" else 128
    every = 10 if chapter == "9" else 1
    for j in range(iterations):
        if stop.requested:
            break
        correct = 0
        for i in range(len(images) // batch_size):
            start, end = i * batch_size, (i + 1) * batch_size
            layers[0].set_neurons(images[start:end])
            layers[1].train()
            dropout.fixed_mask = np.random.randint(2, size=layers[1].neuron_row_array.shape)
            for layer in layers[2:]:
                layer.train()
            correct += int(np.count_nonzero(output.neuron_row_array.argmax(axis=1) ==
                                            labels[start:end].argmax(axis=1)))
            output.calc_delta(labels[start:end])
            for layer in reversed(layers):
                layer.learn(sgd)
            if stop.requested:
                break
        if stop.requested:
            break
        if j % every == 0:
            _, test_correct = test_pass(network, test_images, test_labels, chunk=1000 if chapter == "9" else 500)
            write(f"\nI:{j} Test-Acc:{test_correct / float(len(test_images))} "
                  f"Train-Acc:{correct / float(len(images))}")
    write("\n")
    return network


# ---- chapter 12 --------------------------------------------------------------------------------
def babi_lines(path=None):
    """The first 1,000 lines of bAbI task 1's training file (``simnet.data.babi``)."""
    from simnet.data import DatasetNotFoundError, read_babi_lines

    try:
        return read_babi_lines("train", path=path)[0:1000]
    except DatasetNotFoundError as e:
        raise UsageError(str(e)) from None


def chapter12(args, book, stop):
    tokens = babi_tokens(babi_lines(args.data))
    vocab = sorted({word for sent in tokens for word in sent})  # the book's set, in a fixed order
    word2index = {word: i for i, word in enumerate(vocab)}
    one_hot = np.eye(len(vocab))
    np.random.seed(1)
    network = chapter12_network(len(vocab), book=book)
    layers, output = network.layers, network.output
    sgd = book_sgd(0.001)  # the book's alpha
    iterations = args.iterations or ITERATIONS["12"]
    for it in range(iterations):
        if stop.requested:
            break
        sent = [word2index[w] for w in tokens[it % len(tokens)][1:]]
        layers[0].set_neurons(one_hot[sent])
        for layer in layers:
            layer.train()
        output.calc_delta(one_hot[sent])  # predict each word from what was read before it
        loss = float(output.sample_errors.sum())
        for layer in reversed(layers):
            layer.learn(sgd)
        if it % 1000 == 0:
            print("Perplexity:" + str(np.exp(loss / len(sent))))
    if not args.no_plots:  # one sentence, step by step: the book's sentence 4, forward and its delta through time
        sentence = tokens[4]
        sent = [word2index[w] for w in sentence]
        layers[0].set_neurons(one_hot[sent])
        for layer in layers:
            layer.train()
        output.calc_delta(one_hot[sent])
        output.pass_delta()  # the hidden layer's delta from every prediction, weights unchanged
        hidden = network.layer("hidden")
        hidden.unroll_delta(hidden.delta)
        draw_sequence(args, "chapter12_sentence4.png", hidden, ["(start)"] + sentence,
                      f"chapter 12: the hidden state while reading {' '.join(sentence)!r}")
    return network, vocab, tokens


def draw_sequence(args, name, layer, labels, title):
    """The sequence step by step: a figure, and an explorer page whose timeline steps through the time steps."""
    from simnet.explorer.export import page_data  # plotting and the explorer are only imported to draw
    from simnet.explorer.page import write as write_page
    from simnet.plots import plot_sequence
    from simnet.sequence import sequence_histories

    os.makedirs(args.plots, exist_ok=True)
    path = os.path.join(args.plots, name)
    plot_sequence(layer.states, layer.state_gradients, layer.name, labels, path, title)
    info = {"network": {"layers": [{"name": layer.name, "num_neurons": layer.num_neurons,
                                    "activation": str(layer.activation), "bias": False}], "loss": None}}
    page = path[:-4] + ".html"
    write_page(page_data(sequence_histories(layer), info, title=title), page)
    print(f"wrote {path} and {page} (the explorer, one frame per time step)")


# ---- chapter 14 --------------------------------------------------------------------------------
def run_chapter14_layer(activation, start, steps=10):
    """One recurrent layer of two neurons, ``steps`` steps with no input; the gradient of the sum of the last
    state carried back through time.  Returns the layer (``states``, ``state_gradients``)."""
    inputs = SimpleLayer("input", 2)
    layer = chapter14_layer(activation, start)
    inputs.connect(layer)
    inputs.set_neurons(np.zeros((steps, 2)))
    layer.train()
    delta = np.zeros((steps, 2))
    delta[-1] = layer.activation.derivative(layer.neuron_row_array[-1].copy())  # d(sum of the last state)
    layer.unroll_delta(delta)
    return layer


def chapter14(args, book):
    sigmoid = run_chapter14_layer("sigmoid", [1, 0.01])
    print("Activations")
    for a in sigmoid.neuron_row_array:
        print(a)
    print("\nGradients")
    for g in sigmoid.state_gradients[::-1]:
        print(g)
    # The book's relu cell starts from whatever `activation` is left over: after the sigmoid cell, the
    # loop variable of its gradient loop, the *first* sigmoid activation (a fresh run of all cells).
    relu = run_chapter14_layer("relu", sigmoid.neuron_row_array[0])
    if args.notebook == "saved":  # the cell run again: `activation` is now the first relu run's first activation
        relu = run_chapter14_layer("relu", relu.neuron_row_array[0])
    print("Relu Activations")
    for a in relu.neuron_row_array:
        print(a)
    print("\nRelu Gradients")
    for g in relu.state_gradients[::-1]:
        print(g)
    if not args.no_plots:
        draw_sequence(args, "chapter14_sigmoid.png", sigmoid, None, "chapter 14, sigmoid: the gradient vanishes")
        draw_sequence(args, "chapter14_relu.png", relu, None, "chapter 14, relu: the gradient explodes")
    return sigmoid, relu


@entry_point
def main(argv=None):
    args = parse_args(argv)
    book = not args.corrected
    if args.corrected:
        which = [k for k, q in QUIRKS.items() if args.chapter in q[0].split(", ")]
        if args.chapter == "8" and args.variant != "batch":
            which = [k for k in which if k != "batch-update"]
        print(f"corrected: {', '.join(which) if which else 'nothing to correct in this chapter'}")
    with StopOnInterrupt() as stop:  # Ctrl-C (or SIGTERM) ends the run after the step it came in
        if args.chapter == "8":
            chapter8(args, book, stop)
        elif args.chapter in ("9", "10"):
            chapters_9_10(args, book, stop)
        elif args.chapter == "12":
            chapter12(args, book, stop)
        else:
            chapter14(args, book)
    if stop.requested:
        print(f"\ninterrupted ({stop.name}): the lines above are the iterations that finished")
        return stop.status
    return 0


if __name__ == "__main__":
    sys.exit(main())
