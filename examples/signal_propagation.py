"""Signal propagation: the variance of activations and back-propagated gradients through a
50-layer tanh and ReLU network, for zeros, too small, too large, Xavier, He, orthogonal and
LSUV weights: the signal vanishes or explodes unless the variance is right.

    python examples/signal_propagation.py [--quick] [--out DIR] [--seed N] [--no-plots]

Experiment: src/turboinit/demos/signal_propagation.py; ``python -m turboinit demo signal``.
"""

import sys

from turboinit.demos.cli import main

if __name__ == "__main__":
    sys.exit(main(["signal", *sys.argv[1:]]))
