"""Bad input found by the second hardening pass: each error names the argument,
comes before any work, and nothing leaks (warnings are errors here)."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import numpy as np
import pytest

import turboinit as ti
from turboinit import checkpoint


@pytest.mark.parametrize(
    ("call", "name"),
    [
        (lambda v: ti.normal(3, mean=v, seed=0), "mean"),
        (lambda v: ti.normal(3, std=v, seed=0), "std"),
        (lambda v: ti.uniform(3, 0, v, seed=0), "high"),
        (lambda v: ti.truncated_normal(3, lower=-v, seed=0), "lower"),
        (lambda v: ti.constant(3, v), "value"),
        (lambda v: ti.orthogonal((3, 3), gain=v, seed=0), "gain"),
        (lambda v: ti.calculate_gain("leaky_relu", v), "negative_slope"),
        (lambda v: ti.kaiming_normal((3, 3), a=v, seed=0), "negative_slope"),
    ],
)
def test_integers_beyond_float64_name_the_argument(call, name):
    with pytest.raises(OverflowError, match=f"^{name}: an integer of 401 digits is beyond"):
        call(10**400)


@pytest.mark.parametrize("stream", ["\ud800", "layer.\udfff.weight"])
def test_streams_utf8_cannot_encode(stream):
    with pytest.raises(ValueError, match="^stream: .* unpaired surrogate"):
        ti.normal(3, seed=0, stream=stream)


def test_checkpoint_names_and_metadata_utf8_cannot_encode(tmp_path):
    spec = {"tensors": {"w\ud800": {"shape": [2], "init": "normal"}}}
    with pytest.raises(ValueError, match=r"tensors\['w\\ud800'\]: stream: "):
        checkpoint.write(spec, tmp_path / "m.safetensors", seed=0)
    spec = {"metadata": {"k": "\udc80"}, "tensors": {"w": {"shape": [2], "init": "normal"}}}
    with pytest.raises(ValueError, match="^spec: text that UTF-8 cannot encode"):
        checkpoint.write(spec, tmp_path / "m.safetensors", seed=0)
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize("dtype", ["a", "a4", "<a8", "S", "U3", "f4,f4", "(2,)f4", "float32 "])
def test_dtype_strings_numpy_would_warn_about_are_refused_first(dtype):
    # NumPy 2 warns (DeprecationWarning, an error here) for 'a' before any TypeError.
    with pytest.raises(TypeError, match="^dtype: unsupported"):
        ti.normal(3, seed=0, dtype=dtype)


@pytest.mark.parametrize("dtype", ["f4", "<f4", "=f8", "|f2", "e", "d", "single", "double", "half"])
def test_every_float_spelling_still_works(dtype):
    assert ti.normal(3, seed=0, dtype=dtype).dtype == np.dtype(dtype)


@pytest.mark.parametrize("shape", [{2: 3}, {}, {3}, frozenset({2}), (d for d in (2, 3)), iter([2])])
def test_mappings_sets_and_iterators_are_not_shapes(shape):
    with pytest.raises(TypeError, match="^shape: expected an int or a tuple of ints"):
        ti.normal(shape, seed=0)


def test_shapes_numpy_accepts_still_work():
    for shape in ([2, 3], (2, 3), range(2, 4), np.array([2, 3]), np.int64(6)):
        assert ti.normal(shape, seed=0).size == 6


def test_dask_and_fans_refuse_mappings_too():
    with pytest.raises(TypeError, match="^shape: "):
        pytest.importorskip("turboinit.dask").normal({4: 4}, chunks=2, seed=0)
    with pytest.raises(TypeError, match="^in_axis: "):
        ti.compute_fans((3, 4), in_axis={0: 1}, out_axis=1)


@pytest.mark.parametrize("step", [1.0, True, np.float64(1), "1", 2])
def test_region_steps_that_only_compare_equal_to_1(step):
    with pytest.raises((ValueError, TypeError), match="^region: slice 0 has step"):
        ti.normal((4, 4), seed=0, region=(slice(0, 2, step),))


def test_integer_steps_of_1_are_fine():
    full = ti.normal((4, 4), seed=0)
    for step in (1, np.int64(1), None):
        np.testing.assert_array_equal(
            ti.normal((4, 4), seed=0, region=(slice(0, 2, step),)), full[0:2]
        )


def test_lsuv_1d_weight_names_the_weight():
    x = np.ones((4, 3))
    w = np.zeros(3, dtype=np.float32)
    with pytest.raises(ValueError, match=r"^model: weight 0 has shape \(3,\); the orthogonal"):
        ti.lsuv([w], x, lambda b: [b @ w], seed=0)


def test_lsuv_forward_must_return_a_sequence():
    x = np.random.default_rng(0).normal(size=(8, 3))
    w = np.zeros((3, 3), dtype=np.float32)
    with pytest.raises(TypeError, match="^forward: must return a list or tuple .* got generator"):
        ti.lsuv([w], x, lambda b: (o for o in [b @ w]), seed=0)
    with pytest.raises(TypeError, match="^forward: .* got dict"):
        ti.lsuv([w], x, lambda b: {0: b @ w}, seed=0)


# ---------------------------------------------------------------- command lines


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "turboinit", *args], capture_output=True, text=True, timeout=120
    )


def test_config_refuses_unknown_arguments():
    done = run_cli("config", "--bogus")
    assert done.returncode == 2 and "unrecognized arguments: --bogus" in done.stderr
    assert run_cli("config").returncode == 0


def test_bench_output_problems_fail_before_running(tmp_path, monkeypatch, capsys):
    from turboinit._bench import cli, harness

    def must_not_run(*args, **kwargs):
        raise AssertionError("the benchmark ran before the output was checked")

    monkeypatch.setattr(harness, "run", must_not_run)
    blocker = tmp_path / "file"
    blocker.write_text("")
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    (tmp_path / "o").mkdir()
    os.mkfifo(tmp_path / "o" / "results.md")
    cases = [
        (["--out", str(blocker / "sub")], "--out: cannot write in"),
        (["--out", str(blocker)], "--out: .* exists and is not a directory"),
        (["--json", str(tmp_path)], "--json: .* is a directory"),
        (["--json", str(blocker / "r.json")], "--json: .* exists and is not a directory"),
        (["--json", str(fifo)], "--json: .* exists and is not a regular file"),
        (["--out", str(tmp_path / "o")], "--out: .*results.md exists and is not a regular file"),
    ]
    for extra, message in cases:
        with pytest.raises(SystemExit) as info:
            cli.main(["--quick", "--no-plots", "--no-progress", *extra])
        assert info.value.code == 2
        err = capsys.readouterr().err
        assert re.search(message, err), err


def test_demo_bad_out_is_a_usage_error_not_a_traceback(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    done = run_cli("demo", "symmetry", "--quick", "--out", str(blocker / "x"))
    assert done.returncode == 2, done.stderr
    assert "--out: cannot make the folder" in done.stderr and "Traceback" not in done.stderr
