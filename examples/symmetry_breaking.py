"""Symmetry breaking: with zero (or constant) weights the hidden units of a network stay
identical through training; random initialisation makes them differ.

    python examples/symmetry_breaking.py [--quick] [--out DIR] [--seed N] [--no-plots]

Experiment: src/turboinit/demos/symmetry.py; ``python -m turboinit demo symmetry``.
"""

import sys

from turboinit.demos.cli import main

if __name__ == "__main__":
    sys.exit(main(["symmetry", *sys.argv[1:]]))
