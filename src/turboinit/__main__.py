"""Command line: ``python -m turboinit COMMAND ...``.

Each command lives in its own module, imported only when it runs.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Sequence
from typing import Optional

# command -> (module with a ``main(argv) -> int`` function, one-line help)
COMMANDS: dict[str, tuple[str, str]] = {
    "bench": (
        "turboinit._bench.cli",
        "time turboinit against NumPy (and PyTorch) and print a table",
    ),
    "checkpoint": (
        "turboinit.checkpoint",
        "write a safetensors checkpoint from a spec, out of core",
    ),
    "config": ("turboinit._config", "print the build and run-time configuration"),
    "demo": (
        "turboinit.demos.cli",
        "run the experiments behind the initialisers (figures, tables)",
    ),
}


def _usage() -> str:
    width = max(len(c) for c in COMMANDS)
    lines = ["usage: python -m turboinit [--version] COMMAND [options]", "", "commands:"]
    lines += [f"  {name.ljust(width)}  {help_}" for name, (_, help_) in sorted(COMMANDS.items())]
    lines += ["", "python -m turboinit COMMAND --help: the options of COMMAND"]
    return "\n".join(lines)


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in ("-h", "--help"):
        print(_usage())
        return 0
    if args[0] in ("-V", "--version"):
        from . import __version__

        print(f"turboinit {__version__}")
        return 0
    name, rest = args[0], args[1:]
    if name not in COMMANDS:
        print(f"turboinit: unknown command {name!r}\n\n{_usage()}", file=sys.stderr)
        return 2
    module = importlib.import_module(COMMANDS[name][0])
    return int(module.main(rest) or 0)


if __name__ == "__main__":
    sys.exit(main())
