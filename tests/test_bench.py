"""The benchmark harness (``python -m turboinit bench``): its outputs' structure, never timings."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

import turboinit
from turboinit._bench import cli, harness, memory, methods, report
from turboinit._bench.methods import CASES, Case, Method, Target

MEASUREMENT_FIELDS = {
    "id", "method", "library", "call", "threaded", "n", "shape", "dtype", "mode", "threads",
    "bytes", "status", "error", "bandwidth_fraction",
}  # fmt: skip
TIMING_FIELDS = {"median_s", "min_s", "max_s", "samples_s", "inner", "warmup", "elements_per_s"}


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """One ``--quick --no-plots`` run of the CLI, shared by the tests below."""
    out = tmp_path_factory.mktemp("bench")
    capture = pytest.MonkeyPatch()
    stdout, stderr = _run_main(["--quick", "--no-plots", "--out", str(out)], capture)
    return {"out": out, "stdout": stdout, "stderr": stderr}


def _run_main(argv: list[str], mp: pytest.MonkeyPatch) -> tuple[str, str]:
    import io

    so, se = io.StringIO(), io.StringIO()
    with mp.context() as m:
        m.setattr(sys, "stdout", so)
        m.setattr(sys, "stderr", se)
        rc = cli.main(argv)
    assert rc == 0, se.getvalue()
    return so.getvalue(), se.getvalue()


def test_quick_run_writes_consistent_json(quick_run: dict) -> None:
    data = json.loads((quick_run["out"] / "results.json").read_text())
    assert data["schema"] == harness.SCHEMA
    machine = data["machine"]
    assert machine["turboinit"]["kernel"] == turboinit.build_info()["kernel"]
    assert machine["numpy"] and machine["logical_cores"] >= 1

    meas = data["measurements"]
    assert [m["id"] for m in meas] == list(range(len(meas)))
    for m in meas:
        assert MEASUREMENT_FIELDS <= m.keys()
        if m["status"] == "ok":
            assert TIMING_FIELDS <= m.keys()
            assert m["min_s"] <= m["median_s"] <= m["max_s"]
            assert len(m["samples_s"]) >= 1 and m["inner"] >= 1
            assert m["bytes"] == m["n"] * {"float32": 4, "float64": 8}.get(m["dtype"], 2)

    # --quick: the headline cases, two sizes, float32, fresh and out=, one thread count.
    comps = data["comparisons"]
    seen = {(c["case"], c["n"], c["mode"]) for c in comps}
    expected = {
        (case, n, mode)
        for case in ("normal", "uniform", "truncnorm")
        for n in (1000, 2**16)
        for mode in ("fresh", "out")
    }
    assert seen == expected
    for c in comps:
        ours = meas[c["turboinit"]]
        assert ours["library"] == "turboinit" and ours["status"] == "ok"
        assert ours["n"] == c["n"] and ours["dtype"] == c["dtype"] and ours["mode"] == c["mode"]
        assert meas[c["fill"]]["method"] == "np.full"
        assert set(c["speedup"]) <= set(c["baselines"])
        for name, i in c["baselines"].items():
            # one measurement may serve several cases (our normal is truncnorm's yardstick)
            assert meas[i]["call"] == CASES[c["case"]].method(name).call
            assert meas[i]["n"] == c["n"]
            if meas[i]["status"] == "ok":
                assert c["speedup"][name] == pytest.approx(meas[i]["median_s"] / ours["median_s"])
    normal_out = [c for c in comps if c["case"] == "normal" and c["mode"] == "out"]
    assert all({"numpy-pcg64", "numpy-philox"} <= set(c["speedup"]) for c in normal_out)
    truncnorm = [c for c in comps if c["case"] == "truncnorm"]
    assert all("turboinit-normal" in c["speedup"] for c in truncnorm)


def test_quick_run_prints_table_and_files(quick_run: dict) -> None:
    out, stdout = quick_run["out"], quick_run["stdout"]
    assert stdout.startswith("## turboinit benchmark")
    lines = stdout.splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("| case | dtype | n |"))
    rows = []
    for line in lines[header + 2 :]:
        if not line.startswith("|"):
            break
        rows.append([cell.strip() for cell in line.strip("|").split("|")])
    columns = [cell.strip() for cell in lines[header].strip("|").split("|")]
    assert "vs numpy-pcg64" in columns and "turboinit" in columns
    assert len(rows) == 12 and all(len(r) == len(columns) for r in rows)
    assert {r[0] for r in rows} == {"normal", "uniform", "truncnorm"}
    assert {r[2] for r in rows} == {"1e3", "2^16"}
    assert str(out / "results.json") in stdout
    assert (out / "results.md").read_text().count("### Every measurement") == 1
    assert not list(out.glob("*.png"))  # --no-plots
    assert "## turboinit" not in quick_run["stderr"]  # the progress bar stays on stderr


def test_command_is_registered() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "turboinit", "bench", "--list"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert "normal:" in proc.stdout and "Generator(PCG64).standard_normal" in proc.stdout


def test_plots_are_written(tmp_path) -> None:
    pytest.importorskip("matplotlib")
    argv = ["--quick", "--sizes", "256,4096", "--methods", "uniform", "--modes", "out"]
    argv += ["--threads", "1,2"]
    _run_main(argv + ["--no-progress", "--out", str(tmp_path)], pytest.MonkeyPatch())
    names = {p.name for p in tmp_path.glob("*.png")}
    assert {"throughput_float32.png", "time_vs_size_float32.png", "threads_float32.png"} <= names
    assert all(p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" for p in tmp_path.glob("*.png"))


def test_new_case_is_a_few_lines(monkeypatch: pytest.MonkeyPatch) -> None:
    """A case registered by a caller is run with its baseline, fresh and out=."""
    import numpy as np

    def ours(t: Target):
        buf = np.empty(t.shape, t.np_dtype)
        if t.mode == "out":
            return lambda: turboinit.normal(t.shape, 0.0, 2.0, seed=1, dtype=t.dtype, out=buf)
        return lambda: turboinit.normal(t.shape, 0.0, 2.0, seed=1, dtype=t.dtype)

    def numpy(t: Target):
        g = np.random.default_rng(1)
        return lambda: g.normal(0.0, 2.0, t.shape).astype(t.np_dtype)

    case = Case(
        "normal_std2",
        ours=Method("turboinit", "turboinit", "turboinit.normal(std=2)", ours),
        baselines=(Method("numpy-normal", "numpy", "Generator.normal", numpy, modes=("fresh",)),),
        dtypes=("float32",),
    )
    monkeypatch.setitem(CASES, case.name, case)
    plan = harness.Plan([case.name], [512], ("float32", "float64"), threads=[1])
    settings = harness.Settings(repeat=2, min_sample_s=1e-4, memory=False)
    data = harness.run([plan], settings)
    comps = data["comparisons"]
    assert [(c["dtype"], c["mode"]) for c in comps] == [("float32", "fresh"), ("float32", "out")]
    assert set(comps[0]["speedup"]) == {"numpy-normal"}
    assert comps[1]["speedup"] == {}  # the baseline has no out= mode


def test_failing_baseline_is_reported_not_fatal(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(t: Target):
        def call() -> None:
            raise RuntimeError("no such dtype here")

        return call

    base = CASES["uniform"]
    case = Case(
        "uniform_broken",
        ours=base.ours,
        baselines=(Method("broken", "numpy", "broken()", broken),),
    )
    monkeypatch.setitem(CASES, case.name, case)
    data = harness.run(
        [harness.Plan([case.name], [256], modes=("out",), threads=[1])],
        harness.Settings(repeat=1, min_sample_s=1e-4, memory=False),
    )
    (comp,) = data["comparisons"]
    row = data["measurements"][comp["baselines"]["broken"]]
    assert row["status"] == "error" and "no such dtype here" in row["error"]
    assert "broken" not in comp["speedup"]


def test_initializers_register_once_turboinit_has_them(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(turboinit, "xavier_uniform", lambda *a, **k: None, raising=False)
    monkeypatch.setattr(methods, "CASES", dict(CASES))
    methods.register_initializers()
    case = methods.CASES["xavier_uniform"]
    assert case.ours.call.startswith("turboinit.xavier_uniform(")
    assert case.baselines[0].call.startswith("torch.nn.init.xavier_uniform_(")
    assert case.shape(2**20) == (1024, 1024) and case.shape(1000) == (62, 16)


@pytest.mark.skipif(not memory.supported(), reason="needs /proc/self/status (Linux)")
def test_peak_memory_of_turboinit_is_its_output() -> None:
    """A fresh array costs its own bytes and nothing more; out= costs about nothing."""
    n = 2**21  # 8 MiB of float32
    fresh = memory.probe("normal", "turboinit", n, "float32", "fresh", 1)
    out = memory.probe("normal", "turboinit", n, "float32", "out", 1)
    assert fresh["error"] == "" and out["error"] == ""
    if fresh["exact"]:
        assert 4 * n <= fresh["peak_bytes"] < 1.25 * 4 * n
        assert out["peak_bytes"] < 0.25 * 4 * n


@pytest.mark.parametrize(
    ("text", "value"),
    [("1000", 1000), ("1e6", 10**6), ("2**26", 2**26), ("2^10", 1024), ("1_000", 1000)],
)
def test_parse_count(text: str, value: int) -> None:
    assert cli.parse_count(text) == value


@pytest.mark.parametrize("text", ["0", "-5", "1.5e0", "ten", "2**99"])
def test_parse_count_rejects(text: str) -> None:
    with pytest.raises(Exception, match="--sizes"):
        cli.parse_count(text)


def test_thread_sweep() -> None:
    assert cli.thread_sweep(1) == [1]
    assert cli.thread_sweep(6) == [1, 2, 4, 6]
    assert cli.thread_sweep(16) == [1, 2, 4, 8, 16]


def test_bad_options_exit_with_usage(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        cli.main(["--methods", "nosuch"])
    assert exc.value.code == 2
    assert "--methods" in capsys.readouterr().err


def test_what_does_not_fit_in_memory_is_skipped(monkeypatch: pytest.MonkeyPatch) -> None:
    """Targets are checked against available memory before anything is allocated."""
    n = 2**20  # 4 MiB of float32; torch's trunc_normal_ needs about 6x that at its peak
    monkeypatch.setattr(harness, "available_memory", lambda: 12 * 2**20)
    data = harness.run(
        [harness.Plan(["uniform", "truncnorm"], [n], modes=("out",), threads=[1])],
        harness.Settings(repeat=1, min_sample_s=1e-4, memory=False),
    )
    skipped = {(s["case"], s["method"]) for s in data["skipped"]}
    assert skipped == ({("truncnorm", "torch")} if methods.library_available("torch") else set())
    assert {c["case"] for c in data["comparisons"]} == {"uniform", "truncnorm"}

    monkeypatch.setattr(harness, "available_memory", lambda: 2**20)
    data = harness.run(
        [harness.Plan(["uniform"], [n], modes=("out",), threads=[1])],
        harness.Settings(repeat=1, memory=False),
    )
    assert data["comparisons"] == [] and data["measurements"] == []
    assert ("uniform", "turboinit") in {(s["case"], s["method"]) for s in data["skipped"]}


def test_calls_predicted_too_slow_are_not_timed(monkeypatch: pytest.MonkeyPatch) -> None:
    """``max_call_s``: a baseline whose time at a smaller size, scaled by the size ratio,
    exceeds the limit is listed as skipped at the larger size, never run there."""
    import time

    ran: list[int] = []

    def slow(t: Target):
        def call() -> None:
            ran.append(t.n)
            time.sleep(t.n * 2e-6)  # 2 ms at n=1000 -> 0.2 s predicted at n=1e5

        return call

    base = CASES["uniform"]
    case = Case(
        "uniform_slow", ours=base.ours, baselines=(Method("slow", "numpy", "slow()", slow),)
    )
    monkeypatch.setitem(CASES, case.name, case)
    data = harness.run(
        [harness.Plan([case.name], [1000, 10**5], modes=("out",), threads=[1])],
        harness.Settings(repeat=1, min_sample_s=1e-4, memory=False, max_call_s=0.05),
    )
    assert set(ran) == {1000}
    (skip,) = data["skipped"]
    assert (skip["method"], skip["n"]) == ("slow", 10**5)
    assert "predicted" in skip["reason"] and "--max-call" in skip["reason"]
    by_n = {c["n"]: c for c in data["comparisons"]}
    assert set(by_n) == {1000, 10**5}  # turboinit is fast: timed at both sizes
    assert "slow" in by_n[1000]["speedup"] and "slow" not in by_n[10**5]["baselines"]
    assert "Not timed:" in report.markdown(data)


def test_presets() -> None:
    parser = cli.build_parser()
    plans, settings = cli.presets(parser.parse_args([]))
    assert [p.sizes for p in plans] == [[cli.DEFAULT_SIZE]] and settings.max_call_s is None
    plans, settings = cli.presets(parser.parse_args(["--full"]))
    assert max(max(p.sizes) for p in plans) == 10**9 and min(plans[0].sizes) == 1000
    assert set(plans[1].dtypes) == set(methods.DTYPES) and settings.max_call_s == 15.0
    plans, settings = cli.presets(
        parser.parse_args(["--full", "--max-call", "0", "--sizes", "1e4"])
    )
    assert settings.max_call_s is None and all(p.sizes == [10**4] for p in plans)


def test_readme_block_round_trip() -> None:

    text = f"intro\n{report.README_BEGIN} old -->\nold table\n{report.README_END}\noutro\n"
    new = report.replace_readme_block(text, "NEW")
    assert new == "intro\nNEW\noutro\n"
    with pytest.raises(ValueError, match="bench-table"):
        report.replace_readme_block("no markers here", "NEW")


def test_readme_shows_the_stored_harness_results() -> None:
    """The README's table is what ``benchmarks/run_readme.py`` makes of the stored JSON."""
    import importlib.util
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    script = root / "benchmarks" / "run_readme.py"
    spec = importlib.util.spec_from_file_location("run_readme", script)
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    block = mod.block()
    assert "| normal | float32 |" in block and "throughput_float32.png" in block
    assert block in (root / "README.md").read_text(encoding="utf-8")
