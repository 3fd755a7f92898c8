"""MNIST (or Fashion-MNIST) on the same explicit-neuron layers as streetlights.

The classic "flatten, dense 128 relu, dense 10 softmax" network: 784 input
neurons (one per pixel), a hidden layer, 10 softmax outputs, cross-entropy,
mini-batches, Adam.  Each epoch shows a progress bar and ends with a summary
line; at the end the test accuracy, the time it took and the figures.
The steps are in ``simnet/image_scenario.py``; run ``python scenarios/mnist.py --help`` for the options.
"""
import sys

from simnet.image_scenario import main

if __name__ == "__main__":
    sys.exit(main())
