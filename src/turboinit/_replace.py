"""Replace a file atomically without harming what is not ours.

:func:`replacing` is how :mod:`turboinit.checkpoint` writes: the new content
goes to a temporary file in the destination's folder, which is renamed over
the destination only once complete and synced.  The rules, and why:

* Only regular files are replaced.  A symbolic link is followed (the link
  stays, the file it points to is replaced); a device node, FIFO or socket is
  refused, since renaming over ``/dev/null`` (we are often root) would turn it
  into a regular file; a directory is refused; a file without any write
  permission bit (or that this process may not write) is refused, as ``rm``
  asks before removing it.
* The replacement keeps the destination's permission bits (``0o777`` part)
  and, where the process may, its owner and group; a new file gets
  ``0o666 & ~umask`` from the kernel itself (``os.open(..., 0o666)``), so the
  process umask is never changed (other threads create files meanwhile).
* Temporary names are recognisable, ``.<name>.turboinit-<tag>-<random>.tmp``
  with ``<tag>`` a hash of the destination's name, cut so that the whole name
  fits the folder's ``NAME_MAX``.  The writer holds an ``flock`` on its
  temporary file until the rename; a temporary of the same destination whose
  lock can be taken belongs to a dead writer (``kill -9``, power loss) and is
  removed by the next write.
* On any exception the temporary file is removed.  SIGTERM and SIGHUP whose
  disposition is the default are turned into an exception while a file is
  written (main thread only; the previous handlers come back afterwards), so
  the temporary file is removed too, and the signal is then raised again: the
  process ends by that signal, as it would have.
* An exception (Ctrl-C) that arrives after the rename says so:
  ``exc.turboinit_written`` is the path written.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import re
import secrets
import signal
import stat
import threading
from collections.abc import Iterator
from pathlib import Path
from types import FrameType
from typing import IO, Any, Optional

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no stale-temporary detection
    fcntl = None  # type: ignore[assignment]

__all__ = ["Destination", "check_destination", "replacing"]

_NAME_MAX = 255
_TEMP_TAG = ".turboinit-"


class Destination:
    """A checked destination: ``path`` as given, ``target`` the file to replace."""

    def __init__(self, given: str, target: Path, existing: Optional[os.stat_result]) -> None:
        self.given = given
        self.target = target
        self.folder = target.parent
        self.existing = existing
        self.committed = False  # set by replacing() once the file is in place

    @property
    def path(self) -> Path:
        return Path(self.given)


def _kind(mode: int) -> str:
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"  # pragma: no cover - doors, whiteouts ...


def _name_max(folder: Path) -> int:
    try:
        return int(os.pathconf(folder, "PC_NAME_MAX"))
    except (OSError, ValueError, AttributeError):
        return _NAME_MAX


def check_destination(path: Any, argname: str = "path") -> Destination:
    """Check ``path`` as a destination before anything is generated."""
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(
            f"{argname}: expected a file name (str or os.PathLike), got {type(path).__name__}"
        )
    text = os.fspath(path)
    if not isinstance(text, str):
        raise TypeError(f"{argname}: expected a str path, got {type(text).__name__}")
    if not text:
        raise ValueError(f"{argname}: empty; expected a file name")
    if "\0" in text:
        raise ValueError(f"{argname}: contains a NUL character")
    if text.endswith(os.sep) or (os.altsep is not None and text.endswith(os.altsep)):
        if os.path.isdir(text):
            raise IsADirectoryError(
                errno.EISDIR, f"{argname}: is a directory, expected a file name", text
            )
        raise NotADirectoryError(
            errno.ENOTDIR,
            f"{argname}: ends with '{text[-1]}', which names a folder; expected a file name",
            text,
        )
    # Through symbolic links: the link stays, the file it points to is replaced.
    target = Path(os.path.realpath(text))
    if target.parent.is_dir():
        limit = _name_max(target.parent)
        size = len(os.fsencode(target.name))
        if size > limit:
            raise OSError(
                errno.ENAMETOOLONG,
                f"{argname}: the file name takes {size} bytes, more than the {limit} "
                "the folder allows",
                text,
            )
    try:
        existing: Optional[os.stat_result] = os.stat(target)
    except FileNotFoundError:
        existing = None
    except NotADirectoryError:
        raise NotADirectoryError(
            errno.ENOTDIR, f"{argname}: a part of the folder is not a folder", text
        ) from None
    except OSError as exc:  # a symlink loop, a name too long ...
        raise type(exc)(exc.errno, f"{argname}: cannot use it ({exc.strerror})", text) from None
    if existing is not None:
        mode = existing.st_mode
        if stat.S_ISDIR(mode):
            raise IsADirectoryError(
                errno.EISDIR, f"{argname}: is a directory, expected a file name", text
            )
        if not stat.S_ISREG(mode):
            raise OSError(
                errno.EINVAL,
                f"{argname}: is {_kind(mode)}, not a regular file; only regular files are "
                "replaced (write to a file, then copy it there)",
                text,
            )
        if not mode & 0o222 or not os.access(target, os.W_OK):
            raise PermissionError(
                errno.EACCES,
                f"{argname}: the file is read-only (mode {stat.S_IMODE(mode):#o}); make it "
                "writable or remove it first",
                text,
            )
    folder = target.parent
    if not folder.is_dir():
        raise FileNotFoundError(errno.ENOENT, f"{argname}: the folder does not exist", str(folder))
    if not os.access(folder, os.W_OK | os.X_OK):
        raise PermissionError(errno.EACCES, f"{argname}: cannot write in the folder", str(folder))
    return Destination(text, target, existing)


# --------------------------------------------------------------------------- temporaries


def _tag(name: str) -> str:
    return hashlib.sha256(os.fsencode(name)).hexdigest()[:12]


def temporary_name(name: str, limit: int = _NAME_MAX) -> str:
    """``.<name>.turboinit-<tag>-<8 hex>.tmp``, ``<name>`` cut to fit ``limit`` bytes."""
    tail = f"{_TEMP_TAG}{_tag(name)}-{secrets.token_hex(4)}.tmp"
    budget = limit - len(os.fsencode(tail)) - 1
    head = name
    while len(os.fsencode(head)) > budget:
        head = head[:-1]
    return f".{head}{tail}"


def _temporary_pattern(name: str) -> re.Pattern[str]:
    return re.compile(r"\..*" + re.escape(f"{_TEMP_TAG}{_tag(name)}-") + r"[0-9a-f]{8}\.tmp", re.S)


def remove_stale_temporaries(folder: Path, name: str) -> list[str]:
    """Remove temporaries of ``folder/name`` left by writers that died; return their names.

    A live writer holds an ``flock`` on its temporary file; the lock of a dead
    one was released by the kernel, so taking it proves the file abandoned.
    """
    if fcntl is None:  # pragma: no cover
        return []
    pattern = _temporary_pattern(name)
    removed = []
    try:
        entries = os.listdir(folder)
    except OSError:
        return []
    for entry in entries:
        if not pattern.fullmatch(entry):
            continue
        path = folder / entry
        try:
            fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
        except OSError:
            continue
        try:
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode):
                continue
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                continue  # a live writer
            if os.stat(path, follow_symlinks=False).st_ino == st.st_ino:
                os.unlink(path)
                removed.append(entry)
        except OSError:
            continue
        finally:
            os.close(fd)
    return removed


def _create_temporary(dest: Destination) -> tuple[int, Path]:
    """A new, locked temporary file next to the target."""
    limit = _name_max(dest.folder)
    flags = os.O_RDWR | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    for _ in range(100):
        tmp = dest.folder / temporary_name(dest.target.name, limit)
        try:
            fd = os.open(tmp, flags, 0o666)  # the kernel applies the umask
        except FileExistsError:
            continue
        except OSError as exc:
            raise type(exc)(
                exc.errno,
                f"path: cannot create a file in the folder ({exc.strerror})",
                str(dest.folder),
            ) from None
        if fcntl is None:  # pragma: no cover
            return fd, tmp
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            # Another writer may have taken it for stale between open and flock.
            if os.stat(tmp, follow_symlinks=False).st_ino == os.fstat(fd).st_ino:
                return fd, tmp
        except OSError:
            pass
        os.close(fd)
    raise FileExistsError(  # pragma: no cover - 100 random names taken
        errno.EEXIST, "path: cannot create a temporary file in the folder", str(dest.folder)
    )


def _take_over_mode(fd: int, existing: Optional[os.stat_result]) -> None:
    """The replaced file's permission bits, and its owner where this process may."""
    if existing is None or not hasattr(os, "fchmod"):
        return
    os.fchmod(fd, stat.S_IMODE(existing.st_mode) & 0o777)
    own = os.fstat(fd)
    if (own.st_uid, own.st_gid) != (existing.st_uid, existing.st_gid):
        try:
            os.fchown(fd, existing.st_uid, existing.st_gid)
        except OSError:
            pass  # not root: the new file is ours, with the same permission bits


def _sync_folder(folder: Path) -> None:
    """Make the rename durable (best effort: not every system can open folders)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


# --------------------------------------------------------------------------- signals


class Terminated(BaseException):
    """SIGTERM or SIGHUP arrived while a file was being written."""

    def __init__(self, signum: int) -> None:
        super().__init__(f"terminated by signal {signum}")
        self.signum = signum


def _raise_terminated(signum: int, frame: Optional[FrameType]) -> None:
    raise Terminated(signum)


_TERMINATING = tuple(
    s for s in (getattr(signal, "SIGTERM", None), getattr(signal, "SIGHUP", None)) if s is not None
)


@contextlib.contextmanager
def _terminating_signals_raise() -> Iterator[None]:
    """SIGTERM/SIGHUP at their default disposition raise :class:`Terminated` meanwhile.

    Signals the program handles itself (a Python handler) or ignores
    (``nohup``) are left alone: the program's own handler decides.
    """
    installed: dict[int, Any] = {}
    if threading.current_thread() is threading.main_thread():
        for sig in _TERMINATING:
            try:
                if signal.getsignal(sig) is signal.SIG_DFL:
                    signal.signal(sig, _raise_terminated)
                    installed[sig] = signal.SIG_DFL
            except (ValueError, OSError):  # pragma: no cover - not the main interpreter
                pass
    try:
        yield
    finally:
        for sig, previous in installed.items():
            if signal.getsignal(sig) is _raise_terminated:
                signal.signal(sig, previous)


# --------------------------------------------------------------------------- the replace


@contextlib.contextmanager
def replacing(dest: Destination) -> Iterator[IO[bytes]]:
    """Yield a new empty file that replaces ``dest.target`` when the block ends normally."""
    remove_stale_temporaries(dest.folder, dest.target.name)
    committed = False
    tmp: Optional[Path] = None
    try:
        with _terminating_signals_raise():
            fd, tmp = _create_temporary(dest)
            with os.fdopen(fd, "r+b") as f:  # closing it releases the lock, after the rename
                try:
                    _take_over_mode(f.fileno(), dest.existing)
                    yield f
                    f.flush()
                    os.fsync(f.fileno())
                    os.replace(tmp, dest.target)
                    committed = dest.committed = True
                except BaseException:
                    # Renamed already (the exception came right after os.replace)?
                    committed = dest.committed = committed or not os.path.lexists(tmp)
                    if not committed:
                        with contextlib.suppress(FileNotFoundError):
                            os.unlink(tmp)
                    raise
            _sync_folder(dest.folder)
    except Terminated as exc:
        if committed:
            exc.turboinit_written = dest.path  # type: ignore[attr-defined]
        signal.raise_signal(exc.signum)  # the default action: the process ends by that signal
        raise  # pragma: no cover - only if the signal did not end the process
    except BaseException as exc:
        if committed:
            exc.turboinit_written = dest.path  # type: ignore[attr-defined]
            if hasattr(exc, "add_note"):
                exc.add_note(f"{dest.given} was written completely before this exception")
        raise
