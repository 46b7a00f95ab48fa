"""Sweep of checkpoint writes against signals and hostile destinations (issue 13).

    PYTHONPATH=src python fuzz/sweep_files.py signals [--cases 60] [--seed 0]
    PYTHONPATH=src python fuzz/sweep_files.py destinations

``signals``: a child process writes a ~16 MiB checkpoint over an existing file
(or a new one) and receives SIGINT, SIGTERM, SIGHUP or SIGKILL after a random
delay (seeded) anywhere from before the write starts to after it ends.
Afterwards the destination must hold either its previous content or the
complete checkpoint; no temporary may be left except after SIGKILL (then the
next write must remove it); the child's report must match the file: a child
that says "nothing written" must have left the previous content, one that was
told the file was written (``turboinit_written``) must find it complete.

``destinations``: ``python -m turboinit checkpoint`` and ``write`` against a
FIFO, a character device (a copy of /dev/null made with mknod), symlinks
(to a file, dangling, loop, to a folder, to a FIFO), a read-only folder, a
0444 file, a folder, a path under a file, names of 250-256 bytes, a full
disk (RLIMIT_FSIZE, and a 1 MiB tmpfs when mount is allowed), and /dev/full.
Each must be refused with a message and exit status 1 (or written through,
for links to regular files), leave the object as it was and leave no
temporary.  Prints the cases and the findings.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import signal
import stat
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

SPEC = {
    "tensors": {
        "a": {"shape": [2048, 1024], "init": "normal"},
        "s": {"shape": [1024, 1024], "init": "sparse", "args": {"sparsity": 0.5}},
    }
}

CHILD = textwrap.dedent(
    """
    import sys, json, time
    from turboinit.checkpoint import write
    spec = json.loads(sys.argv[2])
    print("ready", flush=True)
    try:
        write(spec, sys.argv[1], seed=0, max_memory=2**20)
    except KeyboardInterrupt as exc:
        w = getattr(exc, "turboinit_written", None)
        print("interrupted-written" if w else "interrupted-nothing", flush=True)
        sys.exit(130)
    print("finished", flush=True)
    """
)


def temporaries(folder: Path) -> list[str]:
    return sorted(n for n in os.listdir(folder) if ".turboinit-" in n and n.endswith(".tmp"))


def sweep_signals(cases: int, seed: int) -> int:
    import json

    from turboinit.checkpoint import write

    rnd = random.Random(seed)
    found = 0
    with tempfile.TemporaryDirectory() as d:
        ref = Path(d) / "ref.safetensors"
        t0 = time.monotonic()
        write(SPEC, ref, seed=0)
        duration = time.monotonic() - t0
        want = hashlib.sha256(ref.read_bytes()).hexdigest()
        work = Path(d) / "w"
        work.mkdir()
        outcomes: dict[str, int] = {}
        for i in range(cases):
            sig = rnd.choice([signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGKILL])
            delay = rnd.uniform(0, 1.6 * duration + 0.3)
            path = work / "m.safetensors"
            previous = rnd.random() < 0.5
            if previous:
                path.write_bytes(b"previous")
            elif path.exists():
                path.unlink()
            proc = subprocess.Popen(
                [sys.executable, "-c", CHILD, str(path), json.dumps(SPEC)],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            assert proc.stdout is not None
            proc.stdout.readline()  # "ready"
            time.sleep(delay)
            if proc.poll() is None:
                proc.send_signal(sig)
            try:
                out, err = proc.communicate(timeout=120)
            except subprocess.TimeoutExpired:
                proc.kill()
                out, err = proc.communicate()
                print(f"FINDING case {i}: {sig!r} at {delay:.3f}s: hang")
                found += 1
                continue
            state = "absent"
            if path.exists():
                data = path.read_bytes()
                state = (
                    "previous"
                    if data == b"previous"
                    else "complete"
                    if hashlib.sha256(data).hexdigest() == want
                    else "CORRUPT"
                )
            left = temporaries(work)
            said = out.strip().splitlines()[-1] if out.strip() else ""
            key = f"{signal.Signals(sig).name} rc={proc.returncode} {state} {said or '-'}"
            outcomes[key] = outcomes.get(key, 0) + 1
            problems = []
            if state == "CORRUPT":
                problems.append("destination corrupt")
            if state == "absent" and previous:
                problems.append("previous file removed")
            if state == "previous" and not previous:
                problems.append("impossible state")
            if said == "finished" and state != "complete":
                problems.append("finished but not complete")
            if said == "interrupted-written" and state != "complete":
                problems.append("said written, is not")
            if said == "interrupted-nothing" and state == "complete":
                problems.append("said nothing written, but the file is complete")
            if left and sig != signal.SIGKILL:
                problems.append(f"temporaries left: {left}")
            if "Traceback" in err and sig != signal.SIGINT:
                problems.append("traceback: " + err[-300:])
            if sig == signal.SIGKILL and left:
                write({"tensors": {"x": {"shape": [2], "init": "zeros"}}}, path, seed=0)
                if temporaries(work):
                    problems.append("next write left the stale temporary")
            for p in problems:
                found += 1
                print(f"FINDING case {i}: {signal.Signals(sig).name} at {delay:.3f}s: {p}")
            for n in temporaries(work):
                os.unlink(work / n)
        print(f"write takes ~{duration:.2f} s here; outcomes:")
        for k, v in sorted(outcomes.items()):
            print(f"  {v:3d} x {k}")
    print(f"signals: {cases} cases, {found} findings")
    return found


def cli(path: str, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "turboinit",
            "checkpoint",
            "mlp_small",
            path,
            "--seed",
            "0",
            "--no-progress",
            *extra,
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )


def snapshot(p: Path):
    try:
        st = os.lstat(p)
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError as exc:
        return ("lstat fails", exc.errno)
    content = None
    if stat.S_ISREG(st.st_mode):
        content = hashlib.sha256(p.read_bytes()).hexdigest()
    elif stat.S_ISLNK(st.st_mode):
        content = os.readlink(p)
    return (stat.S_IFMT(st.st_mode), stat.S_IMODE(st.st_mode), st.st_rdev, content)


def sweep_destinations() -> int:
    found = 0
    cases = 0
    with tempfile.TemporaryDirectory() as d:
        root = Path(d)

        def check(name: str, dest: Path, expect: str, watch: Path | None = None, **kw) -> None:
            nonlocal found, cases
            cases += 1
            watch = watch or dest
            before = snapshot(watch)
            done = cli(kw.get("given", str(dest)), *kw.get("extra", ()))
            after = snapshot(watch)
            problems = []
            if "Traceback" in done.stderr:
                problems.append("traceback: " + done.stderr[-400:])
            if expect == "refused":
                if done.returncode != 1:
                    problems.append(f"rc {done.returncode}, expected 1: {done.stderr[-300:]}")
                if after != before:
                    problems.append(f"changed: {before} -> {after}")
            elif done.returncode != 0:
                problems.append(f"rc {done.returncode}: {done.stderr[-300:]}")
            folder = dest.parent if dest.parent.is_dir() else root
            with_tmp = [n for n in os.listdir(folder) if n.endswith(".tmp")]
            if with_tmp:
                problems.append(f"temporaries left: {with_tmp}")
            for p in problems:
                found += 1
                print(f"FINDING {name}: {p}")
            print(f"  {name}: rc {done.returncode}: {done.stderr.strip().splitlines()[-1][:150]}")

        fifo = root / "fifo"
        os.mkfifo(fifo)
        check("FIFO", fifo, "refused")
        dev = root / "null"
        try:
            os.mknod(dev, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
            check("char device (copy of /dev/null)", dev, "refused")
        except PermissionError:
            print("  (mknod not permitted: device case skipped)")
        check("/dev/full", Path("/dev/full"), "refused")
        target = root / "target.safetensors"
        target.write_bytes(b"old")
        link = root / "link.safetensors"
        link.symlink_to(target)
        check("symlink to a file (written through)", link, "written", watch=link)
        if not (target.stat().st_size > 100 and link.is_symlink()):
            found += 1
            print("FINDING symlink: target not written or link replaced")
        dangling = root / "dangling.safetensors"
        dangling.symlink_to(root / "nowhere" / "x.safetensors")
        check("dangling symlink into a missing folder", dangling, "refused")
        loop = root / "loop"
        loop.symlink_to(loop)
        check("symlink loop", loop, "refused")
        to_dir = root / "todir"
        to_dir.symlink_to(root)
        check("symlink to a folder", to_dir, "refused")
        to_fifo = root / "tofifo"
        to_fifo.symlink_to(fifo)
        check("symlink to a FIFO", to_fifo, "refused", watch=fifo)
        ro_dir = root / "ro"
        ro_dir.mkdir()
        ro_dir.chmod(0o555)
        if os.geteuid() != 0:
            check("read-only folder", ro_dir / "m.safetensors", "refused", watch=ro_dir)
        ro_file = root / "ro.safetensors"
        ro_file.write_bytes(b"keep")
        ro_file.chmod(0o444)
        check("0444 file", ro_file, "refused")
        check("a folder", root, "refused")
        check("path under a file", target / "x.safetensors", "refused", watch=target)
        check(
            "trailing slash",
            root / "new.safetensors",
            "refused",
            given=str(root / "new.safetensors") + "/",
        )
        for n in (250, 254, 255):
            check(f"name of {n} bytes", root / ("a" * (n - 12) + ".safetensors"), "written")
        check("name of 256 bytes", root / ("a" * 244 + ".safetensors"), "refused")
        # full disk as the process sees it
        small = root / "fsize.safetensors"
        cases += 1
        done = subprocess.run(
            [
                sys.executable,
                "-c",
                "import resource, sys, runpy; resource.setrlimit(resource.RLIMIT_FSIZE, (2**20, "
                "resource.RLIM_INFINITY)); sys.argv = ['turboinit', 'checkpoint', 'mlp_small', "
                f"{str(small)!r}, '--seed', '0', '--no-progress']; runpy.run_module('turboinit', "
                "run_name='__main__')",
            ],
            capture_output=True,
            text=True,
            timeout=300,
        )
        print(f"  RLIMIT_FSIZE 1 MiB: rc {done.returncode}: {done.stderr.strip()[-150:]}")
        if (
            done.returncode != 1
            or "Traceback" in done.stderr
            or os.path.exists(small)
            or [n for n in os.listdir(root) if n.endswith(".tmp")]
        ):
            found += 1
            print("FINDING RLIMIT_FSIZE: not a clean refusal")
        mnt = root / "tmpfs"
        mnt.mkdir()
        if (
            subprocess.run(
                ["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mnt)], capture_output=True
            ).returncode
            == 0
        ):
            try:
                check(
                    "1 MiB tmpfs (full disk)",
                    mnt / "m.safetensors",
                    "refused",
                    watch=mnt / "m.safetensors",
                )
            finally:
                subprocess.run(["umount", str(mnt)], capture_output=True)
        else:
            print("  (mount not permitted: tmpfs case skipped)")
    print(f"destinations: {cases} cases, {found} findings")
    return found


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("what", choices=["signals", "destinations"])
    ap.add_argument("--cases", type=int, default=60)
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args()
    found = sweep_signals(a.cases, a.seed) if a.what == "signals" else sweep_destinations()
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
