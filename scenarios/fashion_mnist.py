"""Fashion-MNIST: the classic 784-128-10 network on Zalando's article images.

The same script as ``mnist.py`` (same options), with Fashion-MNIST as its data
set. Run ``python scenarios/fashion_mnist.py --help`` for the options.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mnist import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main(dataset="fashion-mnist"))
