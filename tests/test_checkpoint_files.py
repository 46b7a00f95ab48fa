"""turboinit.checkpoint against files that are not ours: devices, FIFOs, symlinks,
read-only files, modes, long names, signals and writers killed midway."""

from __future__ import annotations

import errno
import fcntl
import os
import signal
import stat
import subprocess
import sys
import textwrap
import threading

import numpy as np
import pytest

import turboinit as ti
from turboinit import _replace, checkpoint
from turboinit.checkpoint import write

SPEC = {"tensors": {"w": {"shape": [16, 8], "init": "normal"}}}


def tensor_of(path) -> np.ndarray:
    with open(path, "rb") as f:
        raw = f.read()
    n = int.from_bytes(raw[:8], "little")
    return np.frombuffer(raw[8 + n :], dtype=np.float32).reshape(16, 8)


def written_correctly(path) -> bool:
    return bool((tensor_of(path) == ti.normal((16, 8), seed=0, stream="w")).all())


def temporaries(folder) -> list[str]:
    return sorted(n for n in os.listdir(folder) if ".turboinit-" in n and n.endswith(".tmp"))


# ---------------------------------------------------------------- not regular files


def test_fifo_is_refused_and_kept(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(OSError, match=r"path: is a FIFO \(named pipe\), not a regular file"):
        write(SPEC, fifo, seed=0)
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert sorted(os.listdir(tmp_path)) == ["pipe"]


def test_device_node_is_refused_and_kept(tmp_path):
    # A copy of /dev/null (char 1:3): the real one must never be at risk in a test.
    node = tmp_path / "null"
    try:
        os.mknod(node, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    except (PermissionError, OSError) as exc:
        pytest.skip(f"cannot make a device node here: {exc}")
    with pytest.raises(OSError, match="path: is a character device") as info:
        write(SPEC, node, seed=0)
    assert info.value.errno == errno.EINVAL and info.value.filename == str(node)
    assert stat.S_ISCHR(os.lstat(node).st_mode)
    # the command line says so too, without a traceback
    code = checkpoint.main(["mlp_small", str(node), "--seed", "0", "--no-progress"])
    assert code == 1 and stat.S_ISCHR(os.lstat(node).st_mode)


def test_dev_null_is_refused_before_anything_is_created():
    # check_destination alone: it runs before any file exists, so this cannot harm /dev/null.
    with pytest.raises(OSError, match="character device"):
        _replace.check_destination("/dev/null")


def test_symlink_is_written_through(tmp_path):
    real = tmp_path / "real.safetensors"
    real.write_bytes(b"old")
    os.chmod(real, 0o640)
    link = tmp_path / "link.safetensors"
    link.symlink_to(real.name)
    assert write(SPEC, link, seed=0) == link
    assert link.is_symlink() and os.readlink(link) == real.name
    assert written_correctly(real)
    assert stat.S_IMODE(real.stat().st_mode) == 0o640
    # a dangling link makes the file it names
    dangling = tmp_path / "dangling"
    dangling.symlink_to("new.safetensors")
    write(SPEC, dangling, seed=0)
    assert dangling.is_symlink() and written_correctly(tmp_path / "new.safetensors")
    assert temporaries(tmp_path) == []


def test_symlink_loop_and_link_to_a_folder(tmp_path):
    (tmp_path / "a").symlink_to("b")
    (tmp_path / "b").symlink_to("a")
    with pytest.raises(OSError, match="path: cannot use it"):
        write(SPEC, tmp_path / "a", seed=0)
    (tmp_path / "dir").mkdir()
    (tmp_path / "to_dir").symlink_to("dir")
    with pytest.raises(IsADirectoryError, match="path: is a directory"):
        write(SPEC, tmp_path / "to_dir", seed=0)
    assert temporaries(tmp_path) == [] and os.listdir(tmp_path / "dir") == []


def test_read_only_file_is_refused_and_kept(tmp_path):
    path = tmp_path / "m.safetensors"
    path.write_bytes(b"precious")
    os.chmod(path, 0o444)
    with pytest.raises(PermissionError, match=r"path: the file is read-only \(mode 0o444\)"):
        write(SPEC, path, seed=0)
    assert path.read_bytes() == b"precious" and stat.S_IMODE(path.stat().st_mode) == 0o444
    assert sorted(os.listdir(tmp_path)) == ["m.safetensors"]


# ---------------------------------------------------------------- modes, umask


def test_mode_of_a_replaced_file_is_kept(tmp_path):
    path = tmp_path / "m.safetensors"
    path.write_bytes(b"old")
    for mode in (0o600, 0o640, 0o664, 0o755):
        os.chmod(path, mode)
        write(SPEC, path, seed=0)
        assert stat.S_IMODE(path.stat().st_mode) == mode
        assert written_correctly(path)


def test_new_file_gets_0666_minus_umask_and_umask_is_never_touched(tmp_path, monkeypatch):
    previous = os.umask(0o027)
    try:

        def forbidden(mask):
            raise AssertionError("os.umask changes the mask of every thread")

        monkeypatch.setattr(os, "umask", forbidden)
        write(SPEC, tmp_path / "m.safetensors", seed=0)
        monkeypatch.undo()
        assert stat.S_IMODE((tmp_path / "m.safetensors").stat().st_mode) == 0o640
    finally:
        assert os.umask(previous) == 0o027


# ---------------------------------------------------------------- names


def test_destination_ending_with_a_slash(tmp_path):
    with pytest.raises(NotADirectoryError, match="path: ends with '/', which names a folder"):
        write(SPEC, f"{tmp_path}/m.safetensors/", seed=0)
    with pytest.raises(IsADirectoryError, match="path: is a directory"):
        write(SPEC, f"{tmp_path}/", seed=0)
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize("char", ["a", "\u00e9", "\u6f22"])  # 1-, 2- and 3-byte UTF-8
def test_names_up_to_255_bytes(tmp_path, char):
    ext = ".safetensors"
    limit = os.pathconf(tmp_path, "PC_NAME_MAX")
    name = char * ((limit - len(ext)) // len(char.encode())) + ext
    assert limit - 3 < len(name.encode()) <= limit
    path = tmp_path / name
    write(SPEC, path, seed=0)
    assert written_correctly(path) and os.listdir(tmp_path) == [name]
    too_long = "b" * (limit + 1)
    with pytest.raises(OSError, match=f"path: the file name takes {limit + 1} bytes") as info:
        write(SPEC, tmp_path / too_long, seed=0)
    assert info.value.errno == errno.ENAMETOOLONG


def test_temporary_names_fit_and_are_recognisable():
    for name in ("m.safetensors", "x" * 255, "\u6f22" * 85):
        tmp = _replace.temporary_name(name)
        assert len(tmp.encode()) <= 255
        assert tmp.startswith(".") and ".turboinit-" in tmp and tmp.endswith(".tmp")
        assert _replace._temporary_pattern(name).fullmatch(tmp)
        assert not _replace._temporary_pattern(name + "2").fullmatch(tmp)


@pytest.mark.parametrize(
    ("path", "exc", "match"),
    [
        (None, TypeError, "path: expected a file name .* got NoneType"),
        (b"m.safetensors", TypeError, "path: expected a file name"),
        (3, TypeError, "path: expected a file name .* got int"),
        ("", ValueError, "path: empty"),
        ("m\0.safetensors", ValueError, "path: contains a NUL"),
    ],
)
def test_bad_path_arguments_name_the_argument(tmp_path, monkeypatch, path, exc, match):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(exc, match=match):
        write(SPEC, path, seed=0)
    assert os.listdir(tmp_path) == []


# ---------------------------------------------------------------- signals and kills

SLOW_WRITER = textwrap.dedent(
    """
    import sys, time
    from turboinit.checkpoint import write
    def progress(done, total):
        if done > 0:
            print("started", flush=True)
        time.sleep(0.05)
    spec = {"tensors": {"w": {"shape": [4096, 4096], "init": "normal"}}}
    write(spec, sys.argv[1], seed=0, max_memory=2**20, progress=progress)
    print("finished", flush=True)
    """
)


# A child starts from the default dispositions, as a program run from a terminal
# does, whatever the test runner inherited (under nohup, SIGHUP is ignored, and
# the writer rightly leaves an ignored signal ignored).
DEFAULT_DISPOSITIONS = (
    "import signal\n"
    "signal.signal(signal.SIGTERM, signal.SIG_DFL)\n"
    "signal.signal(signal.SIGHUP, signal.SIG_DFL)\n"
)


def run_and_signal(path, sig, script=SLOW_WRITER) -> subprocess.CompletedProcess:
    proc = subprocess.Popen(
        [sys.executable, "-c", DEFAULT_DISPOSITIONS + script, str(path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout.readline().strip() == "started"
        proc.send_signal(sig)
        out, err = proc.communicate(timeout=60)
    finally:
        proc.kill()
        proc.wait()
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP])
def test_sigterm_and_sighup_remove_the_temporary_and_still_end_the_process(tmp_path, sig):
    path = tmp_path / "m.safetensors"
    path.write_bytes(b"previous")
    done = run_and_signal(path, sig)
    assert done.returncode == -sig, done.stderr  # ended by the signal, as without turboinit
    assert "finished" not in done.stdout
    assert sorted(os.listdir(tmp_path)) == ["m.safetensors"]
    assert path.read_bytes() == b"previous"


def test_a_program_handler_for_sigterm_is_left_in_charge(tmp_path):
    script = (
        "import signal, sys\n"
        "def handler(signum, frame):\n"
        "    raise SystemExit(7)\n"
        "signal.signal(signal.SIGTERM, handler)\n" + SLOW_WRITER
    )
    done = run_and_signal(tmp_path / "m.safetensors", signal.SIGTERM, script)
    assert done.returncode == 7, done.stderr
    assert os.listdir(tmp_path) == []


def test_handlers_are_restored_and_threads_do_not_install_them(tmp_path):
    before = {s: signal.getsignal(s) for s in (signal.SIGTERM, signal.SIGHUP)}
    seen = []

    def progress(done, total):
        seen.append(signal.getsignal(signal.SIGTERM))

    write(SPEC, tmp_path / "a.safetensors", seed=0, progress=progress)
    assert seen and seen[0] is not before[signal.SIGTERM]  # installed meanwhile
    assert {s: signal.getsignal(s) for s in before} == before
    seen.clear()
    errors = []

    def in_thread():
        try:
            write(SPEC, tmp_path / "b.safetensors", seed=0, progress=progress)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    t = threading.Thread(target=in_thread)
    t.start()
    t.join()
    assert errors == [] and seen and all(h is before[signal.SIGTERM] for h in seen)
    assert written_correctly(tmp_path / "b.safetensors")


def test_kill_9_leaves_a_recognisable_temporary_that_the_next_write_removes(tmp_path):
    path = tmp_path / "m.safetensors"
    other = tmp_path / "other.safetensors"
    done = run_and_signal(path, signal.SIGKILL)
    assert done.returncode == -signal.SIGKILL
    left = temporaries(tmp_path)
    assert len(left) == 1 and left[0].startswith(".m.safetensors.turboinit-")
    # A writer of another destination leaves it alone ...
    write(SPEC, other, seed=0)
    assert temporaries(tmp_path) == left
    # ... the next write to the same destination removes it.
    write(SPEC, path, seed=0)
    assert temporaries(tmp_path) == [] and written_correctly(path)


def test_the_temporary_of_a_live_writer_is_not_removed(tmp_path):
    path = tmp_path / "m.safetensors"
    live = tmp_path / _replace.temporary_name(path.name)
    fd = os.open(live, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # as a writer in another process holds it
        write(SPEC, path, seed=0)
        assert temporaries(tmp_path) == [live.name]
    finally:
        os.close(fd)
    write(SPEC, path, seed=0)
    assert temporaries(tmp_path) == []


def test_ctrl_c_after_the_rename_says_the_file_was_written(tmp_path, monkeypatch, capsys):
    def interrupted(folder):
        raise KeyboardInterrupt

    monkeypatch.setattr(_replace, "_sync_folder", interrupted)
    path = tmp_path / "m.safetensors"
    with pytest.raises(KeyboardInterrupt) as info:
        write(SPEC, path, seed=0)
    assert info.value.turboinit_written == path
    assert written_correctly(path) and temporaries(tmp_path) == []
    code = checkpoint.main(["mlp_small", str(path), "--seed", "0", "--no-progress"])
    assert code == 130
    err = capsys.readouterr().err
    assert f"interrupted; {path} was written" in err and "nothing written" not in err


def test_ctrl_c_while_the_progress_bar_closes_says_the_file_was_written(
    tmp_path, monkeypatch, capsys
):
    # Sweep (issue 13): Ctrl-C in write()'s last step, closing the progress display
    # after the rename, raised a KeyboardInterrupt without turboinit_written, so the
    # command line said "nothing written (... is unchanged)" about a written file.
    def reporter(progress, total, label):
        def report(done):
            if done is None:
                raise KeyboardInterrupt

        return report

    monkeypatch.setattr(checkpoint, "_make_reporter", reporter)
    path = tmp_path / "m.safetensors"
    with pytest.raises(KeyboardInterrupt) as info:
        write(SPEC, path, seed=0)
    assert info.value.turboinit_written == path
    assert written_correctly(path) and temporaries(tmp_path) == []
    code = checkpoint.main(["mlp_small", str(path), "--seed", "0"])
    assert code == 130
    err = capsys.readouterr().err
    assert f"interrupted; {path} was written" in err and "nothing written" not in err


def test_ctrl_c_before_the_rename_says_nothing_was_written(tmp_path, monkeypatch, capsys):
    def interrupted(*args):
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", interrupted)
    path = tmp_path / "m.safetensors"
    code = checkpoint.main(["mlp_small", str(path), "--seed", "0", "--no-progress"])
    assert code == 130 and "nothing written" in capsys.readouterr().err
    assert os.listdir(tmp_path) == []


def test_file_size_limit_fails_cleanly(tmp_path):
    # RLIMIT_FSIZE (a full disk as the process sees it): EFBIG, named, nothing left.
    script = textwrap.dedent(
        """
        import resource, sys
        from turboinit.checkpoint import write
        resource.setrlimit(resource.RLIMIT_FSIZE, (2**20, 2**20))
        spec = {"tensors": {"w": {"shape": [1024, 1024], "init": "normal"}}}
        try:
            write(spec, sys.argv[1], seed=0)
        except OSError as exc:
            print(type(exc).__name__, exc.errno, exc)
        """
    )
    proc = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path / "m.safetensors")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert f"OSError {errno.EFBIG} " in proc.stdout and "not enough space" in proc.stdout
    assert os.listdir(tmp_path) == []


# ---------------------------------------------------------------- JSON specs


@pytest.mark.parametrize(
    ("text", "key"),
    [
        (
            '{"tensors": {"w": {"shape": [2], "init": "normal"}, '
            '"w": {"shape": [3], "init": "uniform"}}}',
            "w",
        ),
        ('{"tensors": {"w": {"shape": [2], "init": "normal", "shape": [3]}}}', "shape"),
        ('{"tensors": {}, "tensors": {"w": {"shape": [2], "init": "normal"}}}', "tensors"),
        ('{"metadata": {"a": "1", "a": "2"}, "tensors": {}}', "a"),
    ],
)
def test_duplicate_keys_in_a_json_spec_are_refused(tmp_path, text, key):
    spec = tmp_path / "spec.json"
    spec.write_text(text)
    with pytest.raises(ValueError, match=f"gives the key '{key}' twice"):
        checkpoint.load_spec(str(spec))
    with pytest.raises(ValueError, match=f"gives the key '{key}' twice"):
        write(str(spec), tmp_path / "m.safetensors", seed=0)
    assert os.listdir(tmp_path) == ["spec.json"]
