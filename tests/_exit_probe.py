"""The interpreter-exit probe of tests/test_interpreter_exit_and_fp_mode.py and
fuzz/sweep_process.py (which imports it from here): a fresh interpreter starts daemon
threads that run a call in a loop, and exits while they are inside it.

CPython ends daemon threads during finalisation with ``pthread_exit``; C++ code that takes
the GIL back in a destructor at that moment cannot unwind and aborts the process
("terminate called without an active exception", return code 134).
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

_TEMPLATE = """\
import sys, threading, time
{setup}
started = threading.Event()
def loop(i):
    while True:
{body}
        started.set()
for i in range({threads}):
    threading.Thread(target=loop, args=(i,), daemon=True).start()
started.wait()
time.sleep(0.01)
"""


def exit_script(setup: str, body: str, threads: int = 2) -> str:
    """The probe's script: after ``setup``, ``threads`` daemon threads run ``body``
    (statements; ``i`` is the thread's number) in a loop, and the main thread returns
    (ending the interpreter) once one of them has run it."""
    return _TEMPLATE.format(
        setup=textwrap.dedent(setup).strip(),
        body=textwrap.indent(textwrap.dedent(body).strip(), " " * 8),
        threads=threads,
    )


def run_exit_probe(
    script: str, *argv: str, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """Run ``script`` in a fresh interpreter with ``argv`` as ``sys.argv[1:]``; raises
    ``subprocess.TimeoutExpired`` if it has not exited after ``timeout`` seconds."""
    return subprocess.run(
        [sys.executable, "-c", script, *argv], capture_output=True, text=True, timeout=timeout
    )
