"""Fashion-MNIST: the classic 784-128-10 network on Zalando's article images.

The same scenario as ``mnist.py`` (same script, same options), with Fashion-MNIST as its
data set. Run ``python scenarios/fashion_mnist.py --help`` for the options.
"""
import os
import runpy
import sys

if __name__ == "__main__":
    mnist = runpy.run_path(os.path.join(os.path.dirname(os.path.abspath(__file__)), "mnist.py"))
    sys.exit(mnist["main"](dataset="fashion-mnist"))
