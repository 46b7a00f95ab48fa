"""Out-of-core safetensors checkpoints, written region by region.

:func:`write` turns a *spec* (the shapes and initializers of a model's
tensors) into a ``.safetensors`` file without ever holding more than
``max_memory`` bytes of tensor data: the file is memory-mapped and each tensor
is filled in blocks of rows through ``region=`` and ``out=``.  Every tensor is
generated with ``stream=<its name>``, so the file is bit for bit what the
in-memory functions give::

    file[name] == turboinit.<init>(shape, **args, seed=seed, stream=name, dtype=dtype)

Spec format (a dict, a JSON file, or the name of a shipped spec)::

    {
      "description": "free text (optional)",
      "metadata": {"key": "value"},            # optional, strings, copied to the file
      "tensors": {
        "<name>": {
          "shape": [768, 3072],                # list of ints >= 0 ([] for a scalar)
          "init": "normal",                    # a turboinit function, e.g. kaiming_uniform
          "args": {"std": 0.02},               # optional keyword arguments of that function
          "dtype": "float32"                   # optional, overrides write(dtype=...)
        }
      }
    }

``args`` may not set ``shape``, ``seed``, ``stream``, ``dtype``, ``out`` or
``region``.  Shipped specs (:func:`available_specs`): ``mlp_small``,
``gpt2_125m`` and ``decoder_1b``.

File layout (https://github.com/huggingface/safetensors): an 8-byte
little-endian header size N, a JSON header of N bytes padded with spaces to a
multiple of 8, then the tensors' bytes.  Tensors are laid out by decreasing
item size, so each starts at a multiple of its item size; the header records
the seed and the spec under ``__metadata__`` (``turboinit.seed``,
``turboinit.spec``), enough to regenerate the file.

Command line::

    python -m turboinit checkpoint gpt2_125m gpt2.safetensors --seed 0 --dtype bfloat16
"""

from __future__ import annotations

import argparse
import errno
import importlib.resources
import inspect
import itertools
import json
import math
import operator
import os
import re
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Callable, Union

import numpy as np

import turboinit

from . import _registry, _replace
from ._args import integer
from ._progress import Progress, human

__all__ = ["available_specs", "load_spec", "main", "write"]

SpecLike = Union[str, "os.PathLike[str]", Mapping[str, Any]]
ProgressLike = Union[bool, Callable[[int, int], Any]]

_SAFETENSORS_DTYPES = {"float64": "F64", "float32": "F32", "float16": "F16", "bfloat16": "BF16"}
_RESERVED_ARGS = ("shape", "seed", "stream", "dtype", "out", "region")
_SPEC_KEYS = ("description", "metadata", "tensors")
_TENSOR_KEYS = ("shape", "init", "args", "dtype")
_MAX_HEADER = 100_000_000  # the safetensors readers refuse larger headers
DEFAULT_MAX_MEMORY = 256 * 2**20


# --------------------------------------------------------------------------- specs


def available_specs() -> list[str]:
    """Names of the specs shipped with turboinit (``turboinit/specs/*.json``).

    Examples
    --------
    >>> from turboinit.checkpoint import available_specs
    >>> available_specs()
    ['decoder_1b', 'gpt2_125m', 'mlp_small']
    """
    folder = importlib.resources.files("turboinit") / "specs"
    return sorted(p.name[: -len(".json")] for p in folder.iterdir() if p.name.endswith(".json"))


def load_spec(spec: SpecLike) -> dict[str, Any]:
    """Read a spec: a mapping (returned as a copy), a shipped spec's name or a JSON file.

    The spec is not validated here; :func:`write` does it.

    Examples
    --------
    >>> from turboinit.checkpoint import load_spec
    >>> spec = load_spec("gpt2_125m")
    >>> spec["tensors"]["wte.weight"]["shape"]
    [50257, 768]
    """
    if isinstance(spec, Mapping):
        try:
            text = json.dumps(spec, default=_json_scalar)
        except (TypeError, ValueError) as exc:
            raise TypeError(
                f"spec: must hold only JSON values (str, number, list, dict): {exc}"
            ) from None
        copy: dict[str, Any] = json.loads(text)  # a deep copy, as stored in the file
        return copy
    if not isinstance(spec, (str, os.PathLike)):
        raise TypeError(
            f"spec: expected a dict, a shipped spec name or a path to a JSON file, "
            f"got {type(spec).__name__}"
        )
    text = os.fspath(spec)
    shipped = available_specs()
    if isinstance(spec, str) and text in shipped:
        resource = importlib.resources.files("turboinit") / "specs" / f"{text}.json"
        return _parse_json(resource.read_text(encoding="utf-8"), f"shipped spec {text!r}")
    path = Path(text)
    if not path.is_file():
        raise FileNotFoundError(
            f"spec: {text!r} is neither a shipped spec ({', '.join(shipped)}) nor a JSON file"
        )
    return _parse_json(path.read_text(encoding="utf-8"), str(path))


def _module_spec(spec: Any) -> Any:
    """A ``torch.nn.Module`` (meta is fine) as the spec of its default init (see
    ``turboinit.torch.init_model``); anything else unchanged."""
    torch = sys.modules.get("torch")
    if torch is not None and isinstance(spec, torch.nn.Module):
        from .torch._model import module_spec

        return module_spec(spec)
    return spec


def _json_scalar(value: Any) -> Any:
    """NumPy scalars (e.g. a shape computed with NumPy) as Python numbers."""
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"{value!r} is not a JSON value")


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object; a key given twice is an error (json keeps the last one silently)."""
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise _DuplicateKey(key)
        out[key] = value
    return out


class _DuplicateKey(ValueError):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _parse_json(text: str, where: str) -> dict[str, Any]:
    try:
        value = json.loads(text, object_pairs_hook=_unique_keys)
    except _DuplicateKey as exc:
        raise ValueError(
            f"spec: {where} gives the key {exc.key!r} twice in one object "
            "(tensor names and fields must be unique)"
        ) from None
    except json.JSONDecodeError as exc:
        raise ValueError(f"spec: {where} is not valid JSON: {exc}") from None
    if not isinstance(value, dict):
        raise ValueError(f"spec: {where} must hold a JSON object, got {type(value).__name__}")
    return value


@dataclass
class _Tensor:
    """One tensor of the file, validated."""

    name: str
    shape: tuple[int, ...]
    init: str
    fn: Callable[..., np.ndarray]
    args: dict[str, Any]
    dtype: np.dtype
    by_region: bool
    offset: int = 0  # from the start of the data section

    @property
    def nbytes(self) -> int:
        return math.prod(self.shape) * self.dtype.itemsize


def _validate(spec: Mapping[str, Any], dtype: Any) -> tuple[list[_Tensor], dict[str, str]]:
    """Check every field of the spec; errors name the tensor and the field."""
    for key in spec:
        if key not in _SPEC_KEYS:
            raise ValueError(f"spec: unknown field {key!r}; expected {', '.join(_SPEC_KEYS)}")
    if "description" in spec and not isinstance(spec["description"], str):
        raise TypeError("spec['description']: expected a string")
    metadata = spec.get("metadata", {})
    if not isinstance(metadata, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in metadata.items()
    ):
        raise TypeError("spec['metadata']: expected an object of string keys and string values")
    for key in metadata:
        if key.startswith("turboinit."):
            raise ValueError(f"spec['metadata'][{key!r}]: keys 'turboinit.*' are reserved")
    tensors = spec.get("tensors")
    if not isinstance(tensors, dict):
        raise ValueError(
            "spec['tensors']: required, an object mapping each tensor name to "
            '{"shape": [...], "init": "<turboinit function>", "args": {...}, "dtype"?: ...}'
        )
    default_dtype = _dtype(dtype, "dtype")
    out = []
    for name, entry in tensors.items():
        out.append(_validate_tensor(name, entry, default_dtype))
    return out, dict(metadata)


def _validate_tensor(name: Any, entry: Any, default_dtype: np.dtype) -> _Tensor:
    if not isinstance(name, str) or not name or name == "__metadata__":
        raise ValueError(f"spec['tensors']: invalid tensor name {name!r}")
    where = f"tensors[{name!r}]"
    if not isinstance(entry, dict):
        raise TypeError(f"{where}: expected an object with 'shape' and 'init'")
    for key in entry:
        if key not in _TENSOR_KEYS:
            raise ValueError(f"{where}: unknown field {key!r}; expected {', '.join(_TENSOR_KEYS)}")
    for key in ("shape", "init"):
        if key not in entry:
            raise ValueError(f"{where}: missing field {key!r}")
    shape = entry["shape"]
    if not isinstance(shape, (list, tuple)):
        raise TypeError(f"{where}['shape']: expected a list of ints, got {type(shape).__name__}")
    dims = []
    for d in shape:
        dims.append(integer(d, f"{where}['shape'] dimension", minimum=0))
    init = entry["init"]
    if not isinstance(init, str):
        raise TypeError(f"{where}['init']: expected a function name, got {type(init).__name__}")
    try:
        fn = _registry.lookup(init)
    except LookupError:
        raise ValueError(
            f"{where}['init']: unknown initializer {init!r}; expected one of "
            f"{', '.join(_registry.generators())}"
        ) from None
    args = entry.get("args", {})
    if not isinstance(args, dict):
        raise TypeError(f"{where}['args']: expected an object of keyword arguments")
    for key in args:
        if key in _RESERVED_ARGS:
            raise ValueError(
                f"{where}['args']: {key!r} is set by the checkpoint writer, not by the spec"
            )
    try:
        inspect.signature(fn).bind(tuple(dims), **args)
    except TypeError as exc:
        raise TypeError(f"{where}['args']: {exc} (for turboinit.{init})") from None
    dt = _dtype(entry["dtype"], f"{where}['dtype']") if "dtype" in entry else default_dtype
    # blocks of rows: column-wise initializers cannot be split that way
    by_region = _registry.splittable(init, fn)
    return _Tensor(name, tuple(dims), init, fn, dict(args), dt, by_region)


def _dtype(value: Any, where: str) -> np.dtype:
    try:
        dt = np.dtype(turboinit.uniform(0, dtype=value, seed=0).dtype)
    except (TypeError, ImportError) as exc:
        raise type(exc)(f"{where}: {exc}") from None
    return dt


def _name_of(dt: np.dtype) -> str:
    return "bfloat16" if dt.name == "bfloat16" else dt.name


# --------------------------------------------------------------------------- layout


def _layout(tensors: list[_Tensor], metadata: dict[str, str]) -> bytes:
    """Assign offsets (by decreasing item size, so each tensor is aligned) and
    return the header: 8-byte size, then JSON padded with spaces to 8 bytes."""
    order = sorted(tensors, key=lambda t: -t.dtype.itemsize)  # stable: spec order within
    offset = 0
    header: dict[str, Any] = {"__metadata__": metadata}
    for t in order:
        t.offset = offset
        header[t.name] = {
            "dtype": _SAFETENSORS_DTYPES[_name_of(t.dtype)],
            "shape": list(t.shape),
            "data_offsets": [offset, offset + t.nbytes],
        }
        offset += t.nbytes
    try:
        text = json.dumps(header, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError as exc:  # a lone surrogate in a name or in the metadata
        bad = exc.object[max(0, exc.start - 20) : exc.end + 20]
        raise ValueError(
            f"spec: text that UTF-8 cannot encode (an unpaired surrogate) near {bad!r}"
        ) from None
    text += b" " * (-len(text) % 8)
    if len(text) > _MAX_HEADER:
        raise ValueError(
            f"spec: the safetensors header would take {len(text)} bytes, more than the "
            f"{_MAX_HEADER} readers accept (too many tensors or too much metadata)"
        )
    return len(text).to_bytes(8, "little") + text


def _blocks(shape: tuple[int, ...], max_elements: int) -> Iterator[tuple[tuple[slice, ...], int]]:
    """C-contiguous regions of at most ``max_elements`` covering ``shape`` in order,
    each with its flat start index: blocks of rows, or of pieces of a row when one
    row is larger than the budget."""
    if math.prod(shape) == 0:
        return
    if not shape:
        yield (), 0
        return
    inner = [math.prod(shape[k + 1 :]) for k in range(len(shape))]
    axis = next(k for k in range(len(shape)) if inner[k] <= max_elements)
    step = max(1, max_elements // inner[axis])
    rest = tuple(slice(0, n) for n in shape[axis + 1 :])
    for outer in itertools.product(*(range(n) for n in shape[:axis])):
        base = sum(i * s for i, s in zip(outer, inner))
        lead = tuple(slice(i, i + 1) for i in outer)
        for lo in range(0, shape[axis], step):
            hi = min(lo + step, shape[axis])
            yield lead + (slice(lo, hi),) + rest, base + lo * inner[axis]


# --------------------------------------------------------------------------- writing


def write(
    spec: SpecLike,
    path: str | os.PathLike[str],
    *,
    seed: int | np.random.SeedSequence | None,
    dtype: Any = "float32",
    max_memory: int = DEFAULT_MAX_MEMORY,
    progress: ProgressLike = False,
) -> Path:
    """Write the tensors of ``spec`` to a safetensors file, out of core.

    Each tensor ``name`` of the spec is stored as

    .. math:: \\mathrm{file}[name] = \\mathtt{turboinit.<init>}(shape, **args,
              seed=seed, stream=name, dtype=dtype)

    bit for bit.  Tensors whose initializer takes ``region=`` are filled in
    blocks of rows of at most ``max_memory`` bytes, straight into a memory map
    of the file (``out=``), each block unmapped once written, so memory stays
    about ``max_memory`` whatever the file size.  Initializers that need the
    whole tensor (``orthogonal``, ``delta_orthogonal``) are generated whole, which needs
    the tensor to fit in ``max_memory`` (their scratch space comes on top).

    The file is written under a temporary name in the destination folder,
    ``.<name>.turboinit-<tag>-<random>.tmp`` (space reserved up front with
    ``posix_fallocate``, so a full disk fails before any work), synced, and
    renamed to ``path`` only when complete; on any error, Ctrl-C, SIGTERM or
    SIGHUP the temporary file is removed and ``path`` is left as it was.  A
    temporary file left by a writer that was killed (``kill -9``) is removed
    by the next write to the same ``path``.

    Parameters
    ----------
    spec : dict, str, path or torch.nn.Module
        A spec (see the module documentation), the name of a shipped spec
        (:func:`available_specs`), a JSON file, or a ``torch.nn.Module``
        (meta is fine): its tensors with the rules of
        ``turboinit.torch.init_model``'s default scheme, a "seed checkpoint".
    path : str or path
        Destination file; replaced if it exists.  Only a regular file is
        replaced, keeping its permission bits (and owner, where the process
        may change it); a symbolic link is followed (the file it points to
        is replaced); a device, FIFO, socket, directory or read-only file is
        refused with ``OSError``.  A new file gets ``0o666 & ~umask``.
    seed : int, numpy.random.SeedSequence or None
        Required.  ``None`` draws OS entropy; it is recorded in the header.
    dtype : {"float32", "float64", "float16", "bfloat16"}
        For tensors whose spec entry has no ``dtype``.
    max_memory : int
        Bytes of tensor data in memory at a time (default 256 MiB).
    progress : bool or callable
        ``True`` shows a progress bar on stderr (tqdm if installed); a callable
        is called as ``progress(bytes_written, bytes_total)`` after each block.

    Returns
    -------
    pathlib.Path
        ``path``.

    Raises
    ------
    ValueError, TypeError
        Bad spec (the message names the tensor and the field), dtype or max_memory.
    MemoryError
        A tensor that must be generated whole is larger than ``max_memory``.
    OSError
        The destination cannot be written or replaced (see ``path``), or the
        disk is too small.

    Examples
    --------
    >>> import json, os, tempfile
    >>> import numpy as np
    >>> import turboinit as ti
    >>> from turboinit.checkpoint import write
    >>> spec = {"tensors": {"fc.weight": {"shape": [64, 32], "init": "normal",
    ...                                   "args": {"std": 0.02}}}}
    >>> path = write(spec, os.path.join(tempfile.mkdtemp(), "m.safetensors"), seed=0)
    >>> raw = path.read_bytes()  # or safetensors.numpy.load_file(path)
    >>> n = int.from_bytes(raw[:8], "little")
    >>> entry = json.loads(raw[8 : 8 + n])["fc.weight"]
    >>> entry["dtype"], entry["shape"]
    ('F32', [64, 32])
    >>> begin, end = entry["data_offsets"]
    >>> w = np.frombuffer(raw[8 + n + begin : 8 + n + end], np.float32).reshape(64, 32)
    >>> bool((w == ti.normal((64, 32), std=0.02, seed=0, stream="fc.weight")).all())
    True
    """
    raw = load_spec(_module_spec(spec))
    tensors, metadata = _validate(raw, dtype)
    max_memory = integer(max_memory, "max_memory", minimum=1, expected="an int (bytes)")
    if not (isinstance(progress, bool) or callable(progress)):
        raise TypeError("progress: expected a bool or a callable(bytes_written, bytes_total)")
    turboinit.uniform(0, seed=seed)  # checks seed: clear TypeError/ValueError
    _replace.check_destination(path)  # before any work
    ss = np.random.SeedSequence() if seed is None else seed
    _check_tensors(tensors, ss, int(max_memory))
    metadata = dict(metadata)
    metadata.setdefault("format", "pt")
    metadata["turboinit.version"] = turboinit.__version__
    metadata["turboinit.seed"] = _seed_record(ss)
    metadata["turboinit.spec"] = json.dumps(raw, separators=(",", ":"), sort_keys=True)
    header = _layout(tensors, metadata)
    total = len(header) + sum(t.nbytes for t in tensors)

    dest = _replace.check_destination(path)
    report: Callable[[int | None], None] = _silent
    try:
        with _replace.replacing(dest) as f:
            report = _make_reporter(progress, total, dest.target.name)
            _reserve(f, total, dest.folder)
            f.write(header)
            f.flush()
            done = len(header)
            report(done)
            for t in tensors:
                for written in _fill(f, len(header), t, ss, int(max_memory)):
                    done += written
                    report(done)
    finally:
        try:
            report(None)
        except BaseException as exc:
            # Ctrl-C while the progress bar closes, after the rename: say so.
            if dest.committed:
                exc.turboinit_written = dest.path  # type: ignore[attr-defined]
            raise
    return dest.path


def _check_tensors(tensors: list[_Tensor], seed: Any, max_memory: int) -> None:
    """Every argument checked before the file exists: one element of each
    region-capable tensor is generated; whole-only tensors must fit in memory."""
    names = set()
    for t in tensors:
        if t.name in names:  # pragma: no cover - JSON objects have unique keys
            raise ValueError(f"tensors[{t.name!r}]: duplicate name")
        names.add(t.name)
        if not t.by_region and t.nbytes > max_memory:
            reason = _registry.whole_reason(t.init, t.fn)
            raise MemoryError(
                f"tensors[{t.name!r}]: {reason}, so it is generated whole, but its "
                f"{t.nbytes} bytes exceed max_memory={max_memory}; raise max_memory"
            )
        if t.by_region:
            region = tuple(slice(0, min(n, 1)) for n in t.shape)
            _generate(t, seed, region=region)
        else:
            _generate(t, seed, shape_only=True)


def _generate(t: _Tensor, seed: Any, shape_only: bool = False, **where: Any) -> np.ndarray | None:
    """Call the initializer of ``t``; its errors come back naming the tensor."""
    try:
        if shape_only:  # check seed and dtype without generating a whole-only tensor
            turboinit.uniform(0, seed=seed, stream=t.name, dtype=t.dtype)
            return None
        return t.fn(t.shape, **t.args, seed=seed, stream=t.name, dtype=t.dtype, **where)
    except (ValueError, TypeError, OverflowError) as exc:
        raise type(exc)(f"tensors[{t.name!r}]: {exc} (turboinit.{t.init})") from exc


def _fill(f: IO[bytes], data_start: int, t: _Tensor, seed: Any, max_memory: int) -> Iterator[int]:
    """Generate ``t`` into the file, block by block; yields bytes written per block.

    Each block is its own ``np.memmap``, unmapped right after it is filled, so
    the pages written leave this process's resident set; the kernel writes
    them back on its own schedule (the file is synced once, at the end).
    """
    start = data_start + t.offset
    if not t.by_region:
        if t.nbytes:
            view = np.memmap(f, dtype=t.dtype, mode="r+", offset=start, shape=t.shape)
            if _registry.accepts(t.fn, "out"):
                _generate(t, seed, out=view)
            else:
                view[...] = _generate(t, seed)
            del view
        yield t.nbytes
        return
    itemsize = t.dtype.itemsize
    for region, flat in _blocks(t.shape, max(1, max_memory // itemsize)):
        extent = tuple(s.stop - s.start for s in region)
        view = np.memmap(f, dtype=t.dtype, mode="r+", offset=start + flat * itemsize, shape=extent)
        _generate(t, seed, out=view, region=region)
        del view
        yield math.prod(extent) * itemsize


def _seed_record(seed: Any) -> str:
    if isinstance(seed, np.random.SeedSequence):
        return json.dumps(
            {
                "entropy": seed.entropy,
                "spawn_key": list(seed.spawn_key),
                "pool_size": seed.pool_size,
            }
        )
    return str(operator.index(seed))


# --------------------------------------------------------------------------- files


def _reserve(f: IO[bytes], total: int, folder: Path) -> None:
    """Size the file; reserve its blocks first, so a full disk fails now."""
    try:
        fallocate = getattr(os, "posix_fallocate", None)
        if fallocate is not None:
            try:
                fallocate(f.fileno(), 0, total)
                return
            except OSError as exc:
                if exc.errno not in (errno.EOPNOTSUPP, errno.EINVAL, errno.ENOSYS):
                    raise
        os.ftruncate(f.fileno(), total)  # file systems without fallocate (sparse file)
    except OSError as exc:
        if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
            # EFBIG: larger than the file system or the process (RLIMIT_FSIZE) allows
            raise OSError(
                exc.errno,
                f"path: not enough space ({exc.strerror}): the checkpoint needs "
                f"{total} bytes ({human(total)}) in the folder",
                str(folder),
            ) from None
        raise


# --------------------------------------------------------------------------- progress


def _silent(done: int | None) -> None:
    pass


def _make_reporter(progress: ProgressLike, total: int, label: str) -> Callable[[int | None], None]:
    """``report(done)`` after each block; ``report(None)`` closes the display."""
    if callable(progress) and not isinstance(progress, bool):
        callback = progress

        def report(done: int | None) -> None:
            if done is not None:
                callback(done, total)

        return report
    if not progress:
        return _silent
    bar = Progress(total, label, unit="B")

    def report_bar(done: int | None) -> None:
        if done is None:
            bar.close()
        else:
            bar.update(done - bar.done)

    return report_bar


# --------------------------------------------------------------------------- command line

_SIZE = re.compile(r"^\s*(\d+(?:\.\d*)?)\s*([KMGT]?i?B?)?\s*$", re.IGNORECASE)
_UNITS = {
    "": 1,
    "B": 1,
    "K": 1000,
    "KB": 1000,
    "M": 10**6,
    "MB": 10**6,
    "G": 10**9,
    "GB": 10**9,
    "T": 10**12,
    "TB": 10**12,
    "KIB": 2**10,
    "MIB": 2**20,
    "GIB": 2**30,
    "TIB": 2**40,
    "KI": 2**10,
    "MI": 2**20,
    "GI": 2**30,
    "TI": 2**40,
}


def parse_size(text: str) -> int:
    """Bytes from ``"256MiB"``, ``"1GB"``, ``"4096"``.

    Examples
    --------
    >>> from turboinit.checkpoint import parse_size
    >>> parse_size("256MiB"), parse_size("1.5 GB"), parse_size("4096")
    (268435456, 1500000000, 4096)
    """
    m = _SIZE.match(text)
    unit = (m.group(2) or "").upper() if m else None
    if m is None or unit not in _UNITS:
        raise ValueError(f"size: cannot read {text!r}; expected e.g. 4096, 64MiB, 1GiB, 500MB")
    return int(float(m.group(1)) * _UNITS[unit])


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m turboinit checkpoint SPEC OUT --seed N [--dtype D] [--max-memory M]``."""
    parser = argparse.ArgumentParser(
        prog="python -m turboinit checkpoint",
        description="Write a safetensors checkpoint from a spec, out of core. SPEC is a JSON "
        f"file or a shipped spec ({', '.join(available_specs())}).",
    )
    parser.add_argument("spec", help="JSON spec file or shipped spec name")
    parser.add_argument("out", help="output .safetensors file (replaced if it exists)")
    parser.add_argument("--seed", type=int, required=True, help="non-negative integer seed")
    parser.add_argument(
        "--dtype",
        default="float32",
        choices=sorted(_SAFETENSORS_DTYPES),
        help="dtype of tensors whose spec has none (default float32)",
    )
    parser.add_argument(
        "--max-memory",
        default="256MiB",
        type=parse_size,
        help="bytes of tensor data in memory at a time (default 256MiB)",
    )
    parser.add_argument("--no-progress", action="store_true", help="do not show a progress bar")
    args = parser.parse_args(list(sys.argv[1:] if argv is None else argv))
    t0 = time.monotonic()
    dest: Path | None = None
    try:
        dest = write(
            args.spec,
            args.out,
            seed=args.seed,
            dtype=args.dtype,
            max_memory=args.max_memory,
            progress=not args.no_progress,
        )
        size = dest.stat().st_size
    except (ValueError, TypeError, MemoryError, OSError) as exc:
        print(f"turboinit checkpoint: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt as exc:
        # after the rename: marked by write(), or write() had returned already
        written = getattr(exc, "turboinit_written", None) or dest
        if written is not None:  # Ctrl-C came after the rename
            print(f"turboinit checkpoint: interrupted; {written} was written", file=sys.stderr)
        else:
            print(
                f"turboinit checkpoint: interrupted; nothing written ({args.out} is unchanged)",
                file=sys.stderr,
            )
        return 130
    print(f"wrote {dest} ({human(size)}) in {time.monotonic() - t0:.1f} s", file=sys.stderr)
    return 0
