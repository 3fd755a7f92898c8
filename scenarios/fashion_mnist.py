"""Fashion-MNIST: the classic 784-128-10 network on Zalando's article images.

The same scenario as ``mnist.py`` (same script, same options), with Fashion-MNIST as its
data set. Run ``simnet run fashion-mnist --help`` (or ``python scenarios/fashion_mnist.py --help``)
for the options.
"""
import sys

from simnet.scenarios import mnist


def parse_args(argv=None):
    return mnist.parse_args(argv, dataset="fashion-mnist")


def main(argv=None):
    return mnist.main(argv, dataset="fashion-mnist")


if __name__ == "__main__":
    sys.exit(main())
