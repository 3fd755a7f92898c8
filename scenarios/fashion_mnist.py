"""Fashion-MNIST: the classic 784-128-10 network on Zalando's article images.

The same scenario as ``mnist.py`` (``simnet/image_scenario.py``, same options), with
Fashion-MNIST as its data set. Run ``python scenarios/fashion_mnist.py --help`` for the options.
"""
import sys

from simnet.image_scenario import main

if __name__ == "__main__":
    sys.exit(main(dataset="fashion-mnist"))
