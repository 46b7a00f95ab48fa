"""Run a benchmark plan: every case x size x dtype x mode x thread count.

Each distinct call (library, call, target, thread count) is timed once and
shared by every case that uses it: the ``np.full`` bandwidth reference, our
``normal`` as the yardstick of ``truncnorm``, NumPy baselines (which ignore the
thread count) across a thread sweep.  The result is plain data (see
:func:`run`), written as JSON and turned into tables and plots by
:mod:`.report` and :mod:`.plots`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, NamedTuple, Protocol

from . import memory
from .machine import available_memory, describe, load_average
from .methods import CASES, FILL, MODES, THREAD_SETTERS, Case, Method, Target
from .timing import measure

SCHEMA = "turboinit-bench/1"


@dataclass
class Settings:
    repeat: int = 5
    warmup: int = 1
    min_sample_s: float = 0.005  # tiny sizes loop until a sample lasts this long
    budget_s: float | None = 10.0  # per measurement; at least 3 samples
    memory: bool = True  # peak memory in a fresh process, at the largest size of each call ...
    memory_min_bytes: int = 16 * 2**20  # ... for outputs at least this big
    # a call whose time at a smaller size, scaled linearly, predicts more seconds per call than
    # this is not timed at the larger size (listed in ``skipped``); None: time everything
    max_call_s: float | None = None
    extra: dict[str, Any] = field(default_factory=dict)  # free-form, copied to the JSON


@dataclass(frozen=True)
class Plan:
    """A cartesian product to measure; a run may hold several (a size sweep and a thread sweep)."""

    cases: Sequence[str]
    sizes: Sequence[int]
    dtypes: Sequence[str] = ("float32",)
    modes: Sequence[str] = MODES
    threads: Sequence[int] = ()  # () = turboinit's current default
    settings: Settings | None = None  # None: those given to run()


@dataclass(frozen=True)
class _Key:
    library: str
    call: str
    target: Target
    threads: int | None


class Progress(Protocol):
    """What :func:`run` reports to: the number of timed calls, then one step per call."""

    def total(self, n: int) -> None: ...

    def __call__(self, label: str) -> None: ...  # a timed call starts

    def note(self, label: str) -> None: ...  # other work (peak memory probes)


class _Job(NamedTuple):
    case: Case
    target: Target
    threads: int | None
    settings: Settings


def _jobs(plans: Iterable[Plan], settings: Settings) -> list[_Job]:
    """Every (case, target, threads) once, in plan order, big buffers grouped."""
    seen: set[tuple[str, Target, int | None]] = set()
    jobs = []
    for plan in plans:
        threads: Sequence[int | None] = tuple(plan.threads) or (None,)
        for n in plan.sizes:
            for dtype in plan.dtypes:
                for mode in plan.modes:
                    for name in plan.cases:
                        case = CASES[name]
                        if not case.applies(n, dtype):
                            continue
                        target = case.target(n, dtype, mode)
                        for t in threads:
                            if (name, target, t) not in seen:
                                seen.add((name, target, t))
                                jobs.append(_Job(case, target, t, plan.settings or settings))
    return jobs


def _key(method: Method, target: Target, threads: int | None) -> _Key:
    return _Key(method.library, method.call, target, threads if method.threaded else None)


def _fill_target(target: Target) -> Target:
    return Target(target.n, (target.n,), target.dtype, target.mode)


def _set_threads(method: Method, threads: int | None) -> int | None:
    """Apply ``threads`` to the method's library; returns the previous count to restore."""
    if threads is None or method.library not in THREAD_SETTERS:
        return None
    get, set_ = THREAD_SETTERS[method.library]
    previous = get()
    set_(threads)
    return previous


def _measure_one(
    method: Method, target: Target, threads: int | None, s: Settings
) -> dict[str, Any]:
    row: dict[str, Any] = {
        "method": method.name,
        "library": method.library,
        "call": method.call,
        "threaded": method.threaded,
        "n": target.n,
        "shape": list(target.shape),
        "dtype": target.dtype,
        "mode": target.mode,
        "threads": threads if method.threaded else None,
        "bytes": target.nbytes,
        "status": "ok",
        "error": "",
    }
    previous = _set_threads(method, threads)
    fn = None
    try:
        fn = method.build(target)
        if fn is None:
            row["status"] = "unsupported"
            return row
        t = measure(fn, s.repeat, warmup=s.warmup, min_sample_s=s.min_sample_s, budget_s=s.budget_s)
    except MemoryError as exc:
        row.update(status="error", error=f"MemoryError: {exc}")
        return row
    except Exception as exc:  # a baseline that cannot do this target is reported, not fatal
        row.update(status="error", error=f"{type(exc).__name__}: {exc}".splitlines()[0][:300])
        return row
    finally:
        del fn
        if previous is not None:
            THREAD_SETTERS[method.library][1](previous)
    row.update(
        median_s=t.median,
        min_s=t.min,
        max_s=t.max,
        samples_s=t.samples,
        inner=t.inner,
        warmup=t.warmup,
        elements_per_s=target.n / t.median,
        bytes_per_s=target.nbytes / t.median,
    )
    return row


def _fits(method: Method, target: Target, avail: int | None) -> str | None:
    """Why ``method`` cannot run ``target`` here (the output, its peak temporaries and
    an ``out=`` buffer or the previous result must fit in available memory), or None."""
    need = (method.peak_memory + 1) * target.nbytes
    if avail is not None and need > avail:
        return f"needs ~{need / 2**30:.1f} GiB, {avail / 2**30:.1f} GiB available"
    return None


def _skip(case: Case, method: Method, target: Target, reason: str) -> dict[str, Any]:
    """An entry of ``skipped``: a call not timed, and why."""
    return {
        "case": case.name,
        "method": method.name,
        "n": target.n,
        "dtype": target.dtype,
        "mode": target.mode,
        "reason": reason,
    }


def _calls(case: Case, target: Target) -> list[tuple[str, Method, Target]]:
    """(role, method, target) of every call a comparison needs: ours, the fill, the baselines."""
    calls = [("turboinit", case.ours, target), ("fill", FILL, _fill_target(target))]
    calls += [(b.name, b, _fill_target(target) if b is FILL else target) for b in case.baselines]
    return [(r, m, t) for r, m, t in calls if m.available() and t.mode in m.modes]


def run(
    plans: Sequence[Plan], settings: Settings, progress: Progress | None = None
) -> dict[str, Any]:
    """Measure ``plans``; returns the JSON-able results.

    ``measurements``: one entry per distinct timed call, with every sample.
    ``comparisons``: one per (case, target, threads): turboinit's measurement,
    each baseline's, and ``speedup[name] = baseline median / turboinit median``
    (> 1: turboinit is faster).  ``skipped``: calls that did not fit in memory or
    would have exceeded ``Settings.max_call_s``.
    """
    for plan in plans:
        unknown = [c for c in plan.cases if c not in CASES]
        if unknown:
            raise ValueError(f"unknown case(s) {unknown}; known: {sorted(CASES)}")

    machine = describe()  # before the run: the load average says how quiet the machine was
    jobs, skipped = [], []
    avail = available_memory()
    for job in _jobs(plans, settings):
        calls = []
        for role, method, t in _calls(job.case, job.target):
            reason = _fits(method, t, avail)
            if reason is None:
                calls.append((role, method, t))
            else:
                skipped.append(_skip(job.case, method, t, reason))
        if any(role == "turboinit" for role, _, _ in calls):
            jobs.append((job, calls))
    if progress is not None:
        progress.total(len({_key(m, t, job.threads) for job, calls in jobs for _, m, t in calls}))

    measurements: list[dict[str, Any]] = []
    index: dict[_Key, int | None] = {}
    comparisons: list[dict[str, Any]] = []
    for job, calls in jobs:
        case, target, threads = job.case, job.target, job.threads
        ids: dict[str, int | None] = {}
        for role, method, t in calls:
            key = _key(method, t, threads)
            if key not in index:
                if progress is not None:
                    thr = f" x{key.threads}" if key.threads else ""
                    progress(
                        f"{case.name}: {method.name} {t.dtype} n={size_label(t.n)} {t.mode}{thr}"
                    )
                reason = _too_slow(measurements, method, t, key.threads, job.settings.max_call_s)
                if reason is not None:
                    index[key] = None
                    skipped.append(_skip(case, method, t, reason))
                    ids[role] = None
                    continue
                row = _measure_one(method, t, threads, job.settings)
                index[key] = None
                if row["status"] != "unsupported":
                    index[key] = row["id"] = len(measurements)
                    measurements.append(row)
            ids[role] = index[key]
        if ids.get("turboinit") is None:
            continue
        comparisons.append(
            {
                "case": case.name,
                "description": case.description,
                "n": target.n,
                "shape": list(target.shape),
                "dtype": target.dtype,
                "mode": target.mode,
                "threads": threads,
                "turboinit": ids.pop("turboinit"),
                "fill": ids.pop("fill", None),
                "baselines": {k: v for k, v in ids.items() if v is not None},
            }
        )

    _derive(measurements, comparisons)
    if settings.memory and memory.supported():
        _peak_memory(measurements, comparisons, settings, progress)
    machine["load_average_after"] = load_average()
    return {
        "schema": SCHEMA,
        "machine": machine,
        "settings": {**asdict(settings), "plans": [asdict(p) for p in plans]},
        "measurements": measurements,
        "comparisons": comparisons,
        "skipped": skipped,
    }


def _too_slow(
    measurements: Sequence[dict[str, Any]],
    method: Method,
    target: Target,
    threads: int | None,
    max_call_s: float | None,
) -> str | None:
    """Why ``method`` is not timed at ``target`` (``max_call_s`` exceeded by its time at the
    largest smaller size already measured, same call, dtype, mode and threads, scaled by the
    size ratio), or None.  Linear scaling underestimates superlinear calls (QR), never
    overestimates a streaming one, so only calls certain to be slow are dropped."""
    if max_call_s is None:
        return None
    best: dict[str, Any] | None = None
    for m in measurements:
        if (
            _ok(m)
            and (m["library"], m["call"], m["dtype"], m["mode"])
            == (method.library, method.call, target.dtype, target.mode)
            and m["threads"] == threads
            and m["n"] < target.n
            and (best is None or m["n"] > best["n"])
        ):
            best = m
    if best is None:
        return None
    predicted = best["median_s"] * target.n / best["n"]
    if predicted <= max_call_s:
        return None
    return (
        f"~{predicted:.0f} s per call predicted from {best['median_s']:.3g} s "
        f"at n={size_label(best['n'])}, over the {max_call_s:g} s limit (--max-call)"
    )


def _ok(row: dict[str, Any] | None) -> bool:
    return row is not None and row["status"] == "ok"


def _derive(measurements: list[dict[str, Any]], comparisons: list[dict[str, Any]]) -> None:
    """Bandwidth fraction of every measurement and turboinit's speed-up over each baseline."""
    for c in comparisons:
        fill = measurements[c["fill"]] if c["fill"] is not None else None
        ours = measurements[c["turboinit"]]
        for i in (c["turboinit"], *c["baselines"].values()):
            m = measurements[i]
            if fill is not None and _ok(fill) and _ok(m) and "bandwidth_fraction" not in m:
                m["bandwidth_fraction"] = m["bytes_per_s"] / fill["bytes_per_s"]
        c["speedup"] = {
            name: measurements[i]["median_s"] / ours["median_s"]
            for name, i in c["baselines"].items()
            if _ok(measurements[i]) and _ok(ours)
        }
        c["bandwidth_fraction"] = ours.get("bandwidth_fraction")
    for m in measurements:
        m.setdefault("bandwidth_fraction", None)


def _peak_memory(
    measurements: list[dict[str, Any]],
    comparisons: list[dict[str, Any]],
    s: Settings,
    progress: Progress | None,
) -> None:
    """Peak memory of each call at its largest size (>= ``memory_min_bytes``) and thread count.

    One fresh process per probe; the ratio to the output size hardly changes
    with the size, and a probe per size would cost more than the timings.
    """
    largest: dict[tuple[Any, ...], int] = {}
    for m in measurements:
        if _ok(m) and m["bytes"] >= s.memory_min_bytes:
            k = _call_key(m)
            largest[k] = max(largest.get(k, 0), m["n"])
    probes: dict[tuple[Any, ...], dict[str, Any]] = {}
    for c in comparisons:
        for name, i in (("turboinit", c["turboinit"]), *c["baselines"].items()):
            m = measurements[i]
            key = _call_key(m)
            if not _ok(m) or largest.get(key) != m["n"] or "peak_memory_bytes" in m:
                continue
            if key not in probes:
                threads = max(
                    (
                        x["threads"]
                        for x in measurements
                        if x["threads"] and _call_key(x) == key and x["n"] == m["n"]
                    ),
                    default=None,
                )
                if progress is not None:
                    label = f"{m['method']} {m['dtype']} n={size_label(m['n'])} {m['mode']}"
                    progress.note(f"peak memory: {label}")
                probes[key] = memory.probe(c["case"], name, m["n"], m["dtype"], m["mode"], threads)
            r = probes[key]
            m["peak_memory_bytes"] = r["peak_bytes"]
            m["peak_memory_ratio"] = (
                None if r["peak_bytes"] is None else r["peak_bytes"] / m["bytes"]
            )
            if r["error"]:
                m["peak_memory_error"] = r["error"]


def _call_key(m: dict[str, Any]) -> tuple[Any, ...]:
    """A call at one dtype and mode, whatever the size and thread count."""
    return (m["library"], m["call"], m["dtype"], m["mode"])


def size_label(n: int) -> str:
    """2**26 -> '2^26', 10**6 -> '1e6', else the integer."""
    if n > 0 and n & (n - 1) == 0 and n >= 1024:
        return f"2^{n.bit_length() - 1}"
    e = round(math.log10(n)) if n > 0 else 0
    if n > 0 and 10**e == n and e >= 3:
        return f"1e{e}"
    return str(n)
