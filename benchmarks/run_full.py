"""The full matrix: ``python -m turboinit bench --full`` into ``benchmarks/results/full/``.

    python benchmarks/run_full.py                    # everything (long: see benchmarks/README.md)
    python benchmarks/run_full.py --dtypes float32   # any option of ``python -m turboinit bench``

normal, uniform and truncated normal in float32 from 1e3 to 1e9 elements (what fits in
memory); every case (initializers included) and dtype from 1e3 to 1e8; fresh and ``out=``, all
threads; then a thread sweep (1, 2, 4 .. N) at 2**20 and 2**26 float32 elements; peak memory of
every call at its largest size. A call predicted to take over 15 s at a size is not timed there
(``--max-call``).
"""

from __future__ import annotations

import os
import sys

from turboinit._bench.cli import main as bench

HERE = os.path.dirname(os.path.abspath(__file__))


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if "--out" not in args:
        args += ["--out", os.path.join(HERE, "results", "full")]
    return bench(["--full", *args])


if __name__ == "__main__":
    sys.exit(main())
