"""The demos (``python -m turboinit demo NAME --quick``): they run, write their files,
and show what they claim.

Every demo is a deterministic computation at a fixed seed.  The margins below are
those of the phenomenon (orders of magnitude, saturated fractions near 1 against
near 0), not of one run's digits; the expected sizes are derived in the demos'
docstrings.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from turboinit.__main__ import main as turboinit_main
from turboinit.demos import DEMOS, load

HAVE_MPL = True
try:
    import matplotlib  # noqa: F401
except ImportError:
    HAVE_MPL = False


def _run(name: str, out: Path, *extra: str) -> dict[str, Any]:
    assert turboinit_main(["demo", name, "--quick", "--out", str(out), *extra]) == 0
    return json.loads((out / f"{name}.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, dict[str, Any]]]:
    """Each demo run once, in quick mode, through the command line."""
    out = {}
    for name in DEMOS:
        folder = tmp_path_factory.mktemp(name)
        out[name] = (folder, _run(name, folder))
    return out


@pytest.mark.parametrize("name", list(DEMOS))
def test_writes_its_files(results: dict[str, tuple[Path, dict[str, Any]]], name: str) -> None:
    folder, result = results[name]
    assert result["demo"] == name and result["quick"] is True
    md = (folder / f"{name}.md").read_text(encoding="utf-8")
    assert md.startswith("## ") and "|---|" in md
    pngs = sorted(folder.glob("*.png"))
    if HAVE_MPL:
        assert pngs, "matplotlib is installed: the demo must write its figures"
        for png in pngs:
            assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    else:
        assert not pngs


def test_no_plots_writes_tables_only(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _run("symmetry", tmp_path, "--no-plots")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["symmetry.json", "symmetry.md"]
    assert str(tmp_path) in capsys.readouterr().out  # it says where


def test_bad_arguments() -> None:
    with pytest.raises(SystemExit) as e:
        turboinit_main(["demo", "no-such-demo"])
    assert e.value.code == 2
    with pytest.raises(ValueError, match="unknown demo"):
        load("no-such-demo")


# --- saturation --------------------------------------------------------------------


def test_saturation_large_weights_saturate(results: dict[str, tuple[Path, dict[str, Any]]]) -> None:
    s = results["saturation"][1]["summary"]
    for when in ("saturated_init", "saturated_final"):
        for big, xavier in zip(s["U[-5,5]"][when], s["Xavier"][when]):
            # nearly every U[-5,5] unit saturated, nearly no Xavier unit
            assert big > 0.75 and xavier < 0.1 and big - xavier > 0.5, (when, big, xavier)
    # derivatives near zero in the deeper layers: the gradient hardly passes
    assert max(s["U[-5,5]"]["mean_derivative_final"][1:]) < 0.1
    assert min(s["Xavier"]["mean_derivative_final"]) > 0.5


def test_saturation_large_weights_fit_badly(
    results: dict[str, tuple[Path, dict[str, Any]]],
) -> None:
    s = results["saturation"][1]["summary"]
    big = s["U[-5,5]"]
    for other in ("Xavier", "He", "U[-1,1]"):
        # away from x = 0 the saturated network is many times further from x sin x.  Its
        # training loss is no measure of the fit (the demo's docstring): it includes the
        # noise, and a network can go below the noise floor by fitting the noise (with the
        # bits of release 0.1, U[-5,5] reaches 0.83 against Xavier's 0.88 in the full run).
        assert big["fit_error_x_gt_1"] > 3 * s[other]["fit_error_x_gt_1"], other
    # the well-initialised fits are close to x sin x (its variance on x > 1 is about 5)
    assert s["Xavier"]["fit_error_x_gt_1"] < 0.5 and s["He"]["fit_error_x_gt_1"] < 0.5


# --- signal propagation ------------------------------------------------------------


def _curve(
    results: dict[str, tuple[Path, dict[str, Any]]], f: str, init: str, key: str
) -> np.ndarray:
    return np.asarray(results["signal"][1]["curves"][f][init][key], dtype=float)


def test_signal_zeros_carry_nothing(results: dict[str, tuple[Path, dict[str, Any]]]) -> None:
    for f in ("tanh", "relu"):
        assert np.all(_curve(results, f, "zeros", "activation_var")[1:] == 0.0)
        assert np.all(_curve(results, f, "zeros", "gradient_var")[:-1] == 0.0)


def test_signal_he_keeps_relu_variance(results: dict[str, tuple[Path, dict[str, Any]]]) -> None:
    # Var(z_l) = n Var(W) / 2 Var(z_{l-1}) = Var(z_{l-1}) for He: no drift, only
    # finite-width fluctuations of a few per cent per layer
    for key in ("activation_var", "gradient_var"):
        v = _curve(results, "relu", "He", key)
        ref = v[1] if key == "activation_var" else v[-1]
        assert np.all((v[1:] / ref > 1 / 3) & (v[1:] / ref < 3)), (key, v.min(), v.max())
    for init in ("orthogonal", "LSUV"):
        v = _curve(results, "relu", init, "activation_var")[1:]
        assert v.max() / v.min() < 5, init


def test_signal_wrong_scale_vanishes_or_explodes(
    results: dict[str, tuple[Path, dict[str, Any]]],
) -> None:
    depth = results["signal"][1]["depth"]
    # relu, std 0.01: factor 256 * 1e-4 / 2 = 0.0128 per layer, 1e-93 over 49 layers;
    # std 1.0: factor 128 per layer.  Asserted with tens of orders of magnitude to spare.
    for f in ("tanh", "relu"):
        small = _curve(results, f, "std 0.01", "activation_var")
        assert small[depth] / small[1] < 1e-40, f
        g = _curve(results, f, "std 0.01", "gradient_var")
        assert g[0] / g[depth] < 1e-40, f
    big = _curve(results, "relu", "std 1.0", "activation_var")
    assert big[depth] / big[1] > 1e40
    gbig = _curve(results, "relu", "std 1.0", "gradient_var")
    assert gbig[0] / gbig[depth] > 1e40
    # relu with Xavier's variance 1/n halves the variance at every layer
    x = _curve(results, "relu", "Xavier", "activation_var")
    assert x[depth] / x[1] < 1e-6
    # tanh saturates rather than explodes forward, but the gradient explodes
    t = _curve(results, "tanh", "std 1.0", "activation_var")
    assert 0.5 < t[depth] <= 1.0
    tg = _curve(results, "tanh", "std 1.0", "gradient_var")
    assert tg[0] / tg[depth] > 1e20


def test_signal_lsuv_unit_variance(results: dict[str, tuple[Path, dict[str, Any]]]) -> None:
    r = results["signal"][1]
    for f in ("tanh", "relu"):
        assert all(layer["converged"] for layer in r["lsuv"][f])
        z = _curve(results, f, "LSUV", "preactivation_var")
        assert np.all(np.abs(z - 1) < 0.05), f  # lsuv's default tol_var
        assert len(z) == r["depth"] and all(math.isfinite(v) for v in z)


# --- symmetry ----------------------------------------------------------------------


def test_symmetry_equal_units_stay_equal(results: dict[str, tuple[Path, dict[str, Any]]]) -> None:
    runs = results["symmetry"][1]["runs"]
    hidden = results["symmetry"][1]["hidden"]
    for name in ("zeros", "constant 0.5"):
        assert runs[name]["max_pairwise_difference_init"] == 0.0
        assert runs[name]["max_pairwise_difference_final"] == 0.0, name
        assert runs[name]["distinct_units_final"] == 1
    # the constant network did train (its units moved, together); zeros could not
    traj = np.asarray(runs["constant 0.5"]["trajectory"])
    assert np.max(np.abs(traj[-1] - traj[0])) > 0.1
    assert np.all(np.asarray(runs["zeros"]["units_final"]) == 0.0)
    he = runs["He"]
    assert he["max_pairwise_difference_final"] > 0.1
    assert he["distinct_units_final"] == hidden
    # 16 different units fit better than 16 copies of one
    assert he["final_loss"] < runs["constant 0.5"]["final_loss"] < runs["zeros"]["final_loss"]


EXAMPLES = {
    "saturation": "saturation.py",
    "signal": "signal_propagation.py",
    "symmetry": "symmetry_breaking.py",
}


@pytest.mark.parametrize("name", list(DEMOS))
def test_example_script_gives_the_demo_results(
    results: dict[str, tuple[Path, dict[str, Any]]], name: str, tmp_path: Path
) -> None:
    """``python examples/<script> --quick`` runs on its own and computes exactly the numbers of
    ``python -m turboinit demo NAME --quick`` (same seed)."""
    import subprocess
    import sys

    script = Path(__file__).resolve().parents[1] / "examples" / EXAMPLES[name]
    proc = subprocess.run(
        [sys.executable, str(script), "--quick", "--no-plots", "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr
    assert "|---|" in proc.stdout
    got = json.loads((tmp_path / f"{name}.json").read_text(encoding="utf-8"))
    assert got == results[name][1]


def test_every_example_is_tested() -> None:
    folder = Path(__file__).resolve().parents[1] / "examples"
    others = {"sharded_init.py"}  # not a demo: run by tests/test_torch_sharded.py
    names = sorted(p.name for p in folder.glob("*.py") if p.name not in others)
    assert names == sorted(EXAMPLES.values())
    assert set(EXAMPLES) == set(DEMOS)
