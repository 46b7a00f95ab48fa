"""Issue-6 full matrix: ``python -m turboinit bench --full`` into ``benchmarks/results/full/``.

    python benchmarks/run_full.py                    # everything (long: see benchmarks/README.md)
    python benchmarks/run_full.py --dtypes float32   # any option of ``python -m turboinit bench``

Every case in the table (the initializers too, once turboinit has them), every dtype, sizes
1e3 .. 1e9 elements that fit in memory, fresh and ``out=``, all threads; then a thread sweep
(1, 2, 4 .. N) at 2**20 and 2**26 float32 elements; peak memory of every call at its
largest size.
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
