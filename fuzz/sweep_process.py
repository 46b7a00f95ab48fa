"""Sweep of process life and concurrency (issue 13), as a hostile user.

    PYTHONPATH=src python fuzz/sweep_process.py exit [--runs 3]
    PYTHONPATH=src python fuzz/sweep_process.py threads [--rounds 3]

``exit``: for every kind of long call in CALLS (and EXTRA_EXIT), a fresh
interpreter starts two daemon threads looping over it and exits while they are
inside (tests/_exit_probe.py); anything but return code 0 with a clean stderr is
a finding.

``threads``: for every call in CALLS, 6 threads make it at once (each with its
own Generator of one seed, plus one Generator shared by all) while another
thread keeps changing ``set_num_threads``; every result made with a private
Generator must equal the sequential one bit for bit, and the shared one must
not raise.  Prints the number of cases and the findings.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import textwrap
from pathlib import Path

# The interpreter-exit probe is the test suite's (tests/_exit_probe.py).
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from _exit_probe import exit_script, run_exit_probe  # noqa: E402

CALLS = {
    # samplers and initializers
    "normal": "ti.normal(2**15, seed=0)",
    "uniform_f16": "ti.uniform((128, 256), seed=0, dtype='float16')",
    "truncated_tail": "ti.truncated_normal(2**14, 0, 1, 3.0, 8.0, seed=0)",
    "kaiming": "ti.kaiming_normal((256, 128), seed=0)",
    "variance_scaling": "ti.variance_scaling((64, 64, 3, 3), seed=0, distribution='uniform')",
    "sparse": "ti.sparse((300, 200), 0.5, seed=0)",
    "sparse_band": "ti.sparse((2**30, 64), 0.5, seed=0, region=(slice(5, 200),))",
    "sparse_martens": "ti.sparse((200, 300), nonzero_per_unit=15, seed=0)",
    "orthogonal_qr": "ti.orthogonal((96, 64), seed=0)",
    "orthogonal_svd": "ti.orthogonal((48, 48), seed=0, method='svd')",
    "orthogonal_svd_row": "ti.orthogonal((1, 40), seed=0, method='svd')",
    "delta_orthogonal": "ti.delta_orthogonal((16, 16, 3, 3), seed=0)",
    "eye_region": "ti.eye((2**20, 2**20), region=(slice(10, 300), slice(0, 300)))",
    "dirac": "ti.dirac((32, 16, 3, 3))",
    "output_bias": "ti.output_bias(np.arange(10000) % 7, 'multiclass')",
    # Generator: bulk distributions
    "g_random": "rng().random(2**14)",
    "g_integers_arr": "rng().integers(np.arange(1, 1001), 2000, size=(8, 1000))",
    "g_gamma": "rng().gamma(0.3, size=2**13)",
    "g_beta": "rng().beta(0.5, 0.5, size=2**13)",
    "g_binomial": "rng().binomial(1000, 0.3, size=2**13)",
    "g_poisson": "rng().poisson(50.0, size=2**13)",
    "g_hypergeometric": "rng().hypergeometric(100, 200, 50, size=2**12)",
    "g_zipf": "rng().zipf(1.5, size=2**12)",
    "g_permutation": "rng().permutation(70000)",
    "g_choice": "rng().choice(10**6, 1000, replace=False)",
    "g_choice_p": "rng().choice(1000, 2**16, p=np.full(1000, 1e-3))",
    "g_shuffle": "(lambda a: (rng().shuffle(a), a)[1])(np.arange(5000))",
    "g_multinomial": "rng().multinomial(100, [0.2, 0.3, 0.5], size=500)",
    "g_dirichlet": "rng().dirichlet([0.5, 1, 2], size=500)",
    "g_mvn": "rng().multivariate_normal([0, 0], [[1, 0.5], [0.5, 1]], size=500)",
    "g_truncated": "rng().truncated_normal(0, 1, 2, 4, size=2**13)",
    "g_bytes": "rng().bytes(2**15)",
}

PRELUDE = """
import numpy as np, turboinit as ti
from turboinit.random import default_rng
def rng():
    return default_rng(7)
"""

# Calls with more Python around them: (setup, loop body); ``i`` is the thread's number.
EXTRA_EXIT = {
    "checkpoint": (
        """
        import tempfile, os
        from turboinit.checkpoint import write
        d = tempfile.mkdtemp()
        spec = {"tensors": {
            "w": {"shape": [512, 512], "init": "kaiming_normal"},
            "s": {"shape": [256, 256], "init": "sparse", "args": {"sparsity": 0.5}},
        }}
        """,
        'write(spec, os.path.join(d, f"x{i}.safetensors"), seed=0, max_memory=2**16)',
    ),
    "dask": (
        """
        import turboinit.dask as tid
        x = tid.sparse((400, 300), 0.5, chunks=(64, 64), seed=0)
        """,
        'x.compute(scheduler="threads")',
    ),
    "set_num_threads": (
        """
        import itertools
        turns = itertools.count(1)
        """,
        """
        ti.set_num_threads(next(turns) % 3 + 1)
        ti.normal(2**15, seed=0)
        """,
    ),
}


def sweep_exit(runs: int) -> int:
    prelude = textwrap.dedent(PRELUDE)
    scripts = {k: exit_script(prelude, v) for k, v in CALLS.items()}
    for k, (setup, body) in EXTRA_EXIT.items():
        scripts[k] = exit_script(prelude + textwrap.dedent(setup), body)
    found = 0
    cases = 0
    for name, script in scripts.items():
        for _ in range(runs):
            cases += 1
            try:
                done = run_exit_probe(script)
            except subprocess.TimeoutExpired:
                print(f"FINDING {name}: hang at exit")
                found += 1
                continue
            err = done.stderr.strip()
            if done.returncode != 0 or err:
                found += 1
                print(f"FINDING {name}: rc {done.returncode}: {err[-600:]}")
    print(f"exit: {cases} runs of {len(scripts)} kinds, {found} findings")
    return found


THREADS_SCRIPT = (
    PRELUDE
    + """
import threading, sys
exprs = {exprs!r}
want = {{k: eval(v) for k, v in exprs.items()}}
shared = default_rng(1)
stop = threading.Event()
def flipper():
    n = 0
    while not stop.is_set():
        ti.set_num_threads(n % 4 + 1); n += 1
errors = []
def worker(i):
    try:
        for r in range({rounds}):
            for k, v in exprs.items():
                got = eval(v)
                a, b = (np.asarray(got), np.asarray(want[k]))
                if a.tobytes() != b.tobytes():
                    errors.append(f"{{k}}: bits differ (round {{r}}, thread {{i}})")
                shared.standard_normal(1000); shared.gamma(0.5, size=500)
                shared.integers(0, 7, size=300); shared.permutation(100)
    except BaseException as exc:
        errors.append(f"thread {{i}}: {{type(exc).__name__}}: {{exc}}")
f = threading.Thread(target=flipper); f.start()
ts = [threading.Thread(target=worker, args=(i,)) for i in range(6)]
[t.start() for t in ts]; [t.join() for t in ts]
stop.set(); f.join()
print(len(exprs) * 6 * {rounds}, "calls")
for e in errors[:30]:
    print("FINDING", e)
"""
)


def sweep_threads(rounds: int) -> int:
    script = THREADS_SCRIPT.format(exprs=CALLS, rounds=rounds)
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=1200
    )
    print(done.stdout[-4000:], done.stderr[-2000:])
    found = done.stdout.count("FINDING") + (done.returncode != 0)
    print(f"threads: rc {done.returncode}, {found} findings")
    return found


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("what", choices=["exit", "threads"])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--rounds", type=int, default=3)
    a = ap.parse_args()
    found = sweep_exit(a.runs) if a.what == "exit" else sweep_threads(a.rounds)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
