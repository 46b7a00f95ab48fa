"""Saturation: y = x sin x + eps fitted by a 3x100 tanh network from U[-1, 1], U[-5, 5],
Xavier and He weights; large weights saturate the units (tanh' near 0) and the fit fails.

    python examples/saturation.py [--quick] [--out DIR] [--seed N] [--no-plots]

Prints the table of final losses and saturated fractions, writes saturation.json/.md and the
figures (matplotlib). The experiment itself: src/turboinit/demos/saturation.py; the same as
``python -m turboinit demo saturation``.
"""

import sys

from turboinit.demos.cli import main

if __name__ == "__main__":
    sys.exit(main(["saturation", *sys.argv[1:]]))
