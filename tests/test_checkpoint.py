"""turboinit.checkpoint: out-of-core safetensors files equal the in-memory functions."""

from __future__ import annotations

import errno
import json
import math
import os
import re
import signal
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import turboinit as ti
from turboinit import _registry, checkpoint
from turboinit.checkpoint import available_specs, load_spec, parse_size, write

safetensors_numpy = pytest.importorskip("safetensors.numpy")


def bits(a: np.ndarray) -> np.ndarray:
    return a.view(f"u{a.dtype.itemsize}")


def expected(spec: dict, seed, dtype="float32") -> dict[str, np.ndarray]:
    """The in-memory reference, called directly (not through the checkpoint module)."""
    out = {}
    for name, t in spec["tensors"].items():
        fn = getattr(ti, t["init"])
        out[name] = fn(
            t["shape"], **t.get("args", {}), seed=seed, stream=name, dtype=t.get("dtype", dtype)
        )
    return out


def assert_file_matches(path, spec, seed, dtype="float32"):
    loaded = safetensors_numpy.load_file(str(path))
    ref = expected(spec, seed, dtype)
    assert sorted(loaded) == sorted(ref)
    for name, want in ref.items():
        got = loaded[name]
        assert got.dtype == want.dtype and got.shape == want.shape, name
        np.testing.assert_array_equal(bits(got), bits(want), err_msg=name)


def leftovers(folder) -> list[str]:
    return sorted(os.listdir(folder))


# Mixed item sizes with odd element counts (alignment), a scalar, empty tensors,
# 1-D to 4-D shapes and every region-capable sampler.
MIXED = {
    "metadata": {"author": "tests"},
    "tensors": {
        "half.odd": {"shape": [7, 3], "init": "uniform", "dtype": "float16"},
        "f32.weight": {"shape": [129, 65], "init": "normal", "args": {"std": 0.02}},
        "f64.scalar": {"shape": [], "init": "normal", "dtype": "float64"},
        "f64.cube": {
            "shape": [5, 4, 3, 7],
            "init": "truncated_normal",
            "dtype": "float64",
            "args": {"mean": 1.0, "std": 2.0, "lower": -1.0, "upper": 0.5},
        },
        "empty": {"shape": [0, 4], "init": "uniform"},
        "bias": {"shape": [1000], "init": "uniform", "args": {"low": -1.0, "high": 1.0}},
    },
}


@pytest.mark.parametrize("max_memory", [1, 100, 1000, 2**20, checkpoint.DEFAULT_MAX_MEMORY])
def test_round_trip_numpy(tmp_path, max_memory):
    # max_memory=1: one element per block; 100: pieces of rows; 1000: blocks of rows.
    path = tmp_path / "m.safetensors"
    assert write(MIXED, path, seed=11, max_memory=max_memory) == path
    assert_file_matches(path, MIXED, seed=11)
    assert leftovers(tmp_path) == ["m.safetensors"]


def test_file_bytes_do_not_depend_on_max_memory(tmp_path):
    a, b = tmp_path / "a.safetensors", tmp_path / "b.safetensors"
    write(MIXED, a, seed=3, max_memory=64)
    write(MIXED, b, seed=3, max_memory=10**9)
    assert a.read_bytes() == b.read_bytes()


def read_header(path) -> tuple[int, dict]:
    with open(path, "rb") as f:
        n = int.from_bytes(f.read(8), "little")
        raw = f.read(n)
    return n, raw


def test_header_layout(tmp_path):
    path = tmp_path / "m.safetensors"
    write(MIXED, path, seed=5, dtype="float16")
    n, raw = read_header(path)
    assert n % 8 == 0 and raw.startswith(b"{")
    assert raw == raw.rstrip(b" ") + b" " * (len(raw) - len(raw.rstrip(b" ")))
    header = json.loads(raw)
    meta = header.pop("__metadata__")
    codes = {"float64": "F64", "float32": "F32", "float16": "F16"}
    spans = []
    for name, t in MIXED["tensors"].items():
        entry = header[name]
        dt = np.dtype(t.get("dtype", "float16"))
        assert entry["dtype"] == codes[dt.name] and entry["shape"] == t["shape"]
        begin, end = entry["data_offsets"]
        assert end - begin == math.prod(t["shape"]) * dt.itemsize
        assert (8 + n + begin) % dt.itemsize == 0  # aligned in the file
        spans.append((begin, end))
    spans.sort()
    assert spans[0][0] == 0 and all(a[1] == b[0] for a, b in zip(spans, spans[1:]))
    assert 8 + n + spans[-1][1] == path.stat().st_size
    # the metadata is enough to regenerate the file
    assert meta["author"] == "tests" and meta["format"] == "pt"
    assert meta["turboinit.seed"] == "5" and meta["turboinit.version"] == ti.__version__
    assert json.loads(meta["turboinit.spec"]) == MIXED


def test_seed_none_is_recorded(tmp_path):
    path = tmp_path / "m.safetensors"
    spec = {"tensors": {"w": {"shape": [40, 30], "init": "normal"}}}
    write(spec, path, seed=None)
    record = json.loads(json.loads(read_header(path)[1])["__metadata__"]["turboinit.seed"])
    ss = np.random.SeedSequence(
        record["entropy"], spawn_key=record["spawn_key"], pool_size=record["pool_size"]
    )
    assert_file_matches(path, spec, seed=ss)


def test_seed_sequence(tmp_path):
    ss = np.random.SeedSequence(99, spawn_key=(1, 2))
    write(MIXED, tmp_path / "m.safetensors", seed=ss, max_memory=500)
    assert_file_matches(tmp_path / "m.safetensors", MIXED, seed=ss)


def test_bfloat16_and_torch_loader(tmp_path):
    torch = pytest.importorskip("torch")
    safetensors_torch = pytest.importorskip("safetensors.torch")
    pytest.importorskip("ml_dtypes")
    spec = {
        "tensors": {
            "emb": {"shape": [333, 64], "init": "normal", "args": {"std": 0.02}},
            "w32": {"shape": [17, 5], "init": "uniform", "dtype": "float32"},
            "b": {"shape": [33], "init": "truncated_normal"},
        }
    }
    path = tmp_path / "m.safetensors"
    write(spec, path, seed=8, dtype="bfloat16", max_memory=4000)
    loaded = safetensors_torch.load_file(str(path))
    assert loaded["emb"].dtype == torch.bfloat16 and loaded["w32"].dtype == torch.float32
    for name, want in expected(spec, 8, "bfloat16").items():
        got = loaded[name]
        if got.dtype == torch.bfloat16:
            got_bits = got.view(torch.int16).numpy().view(np.uint16)
        else:
            got_bits = bits(got.numpy())
        np.testing.assert_array_equal(got_bits, bits(want), err_msg=name)


INITIALIZERS = {
    "tensors": {
        "conv.weight": {
            "shape": [16, 8, 3, 3],
            "init": "kaiming_normal",
            "args": {"nonlinearity": "relu", "mode": "fan_out"},
        },
        "keras.kernel": {"shape": [3, 3, 8, 16], "init": "he_uniform", "args": {"layout": "keras"}},
        "attn.weight": {"shape": [96, 64], "init": "xavier_uniform", "args": {"gain": 1.5}},
        "vs.weight": {
            "shape": [64, 80],
            "init": "variance_scaling",
            "args": {"scale": 2.0, "mode": "fan_avg", "distribution": "normal"},
        },
        "lecun.weight": {"shape": [33, 17], "init": "lecun_normal", "args": {"truncated": True}},
        "norm.weight": {"shape": [64], "init": "ones"},
        "norm.bias": {"shape": [64], "init": "zeros"},
        "scale": {"shape": [10], "init": "constant", "args": {"value": 0.5}},
        "id.weight": {"shape": [20, 30], "init": "eye"},
        "dirac.weight": {"shape": [6, 6, 3, 3], "init": "dirac", "dtype": "float64"},
    }
}


def test_initializers_with_arguments(tmp_path):
    missing = {t["init"] for t in INITIALIZERS["tensors"].values()} - set(dir(ti))
    if missing:
        pytest.skip(f"turboinit lacks {sorted(missing)}")
    path = tmp_path / "m.safetensors"
    write(INITIALIZERS, path, seed=7, dtype="float16", max_memory=700)
    assert_file_matches(path, INITIALIZERS, seed=7, dtype="float16")


def test_replaces_an_existing_file(tmp_path):
    path = tmp_path / "m.safetensors"
    path.write_bytes(b"old")
    write(MIXED, path, seed=1)
    assert_file_matches(path, MIXED, seed=1)
    assert leftovers(tmp_path) == ["m.safetensors"]


def test_spec_from_json_file_and_shipped_name(tmp_path):
    spec_file = tmp_path / "spec.json"
    spec_file.write_text(json.dumps(MIXED))
    write(str(spec_file), tmp_path / "a.safetensors", seed=2)
    assert_file_matches(tmp_path / "a.safetensors", MIXED, seed=2)
    write("mlp_small", tmp_path / "b.safetensors", seed=2, dtype="float16")
    assert_file_matches(tmp_path / "b.safetensors", load_spec("mlp_small"), 2, "float16")


def test_progress_callback_sees_every_byte(tmp_path):
    calls = []
    write(
        MIXED,
        tmp_path / "m.safetensors",
        seed=1,
        max_memory=256,
        progress=lambda d, t: calls.append((d, t)),
    )
    size = (tmp_path / "m.safetensors").stat().st_size
    assert calls[-1] == (size, size)
    assert all(t == size for _, t in calls) and len(calls) > 10
    assert [d for d, _ in calls] == sorted(d for d, _ in calls)


def test_progress_line_without_tqdm(tmp_path, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "tqdm", None)  # import tqdm now fails
    write(MIXED, tmp_path / "m.safetensors", seed=1, progress=True)
    err = capsys.readouterr().err
    assert "100.0%" in err and "left" in err and err.endswith("\n")


# ---------------------------------------------------------------- shipped specs


def test_shipped_specs():
    names = available_specs()
    assert {"mlp_small", "gpt2_125m", "decoder_1b"} <= set(names)
    counts = {}
    for name in names:
        spec = load_spec(name)
        counts[name] = sum(math.prod(t["shape"]) for t in spec["tensors"].values())
        assert f"{counts[name]:,} parameters" in spec["description"]
    assert counts["mlp_small"] == 784 * 256 + 256 + 256 * 256 + 256 + 256 * 10 + 10
    # GPT-2 small without the tied head: 124,439,808 (Hugging Face's count)
    assert counts["gpt2_125m"] == 124_439_808
    assert 1.0e9 <= counts["decoder_1b"] <= 1.2e9


@pytest.mark.parametrize("name", ["gpt2_125m", "decoder_1b"])
def test_shipped_specs_validate(name):
    missing = {t["init"] for t in load_spec(name)["tensors"].values()} - set(dir(ti))
    if missing:
        pytest.skip(f"turboinit lacks {sorted(missing)}")
    tensors, _ = checkpoint._validate(load_spec(name), "bfloat16")
    checkpoint._check_tensors(tensors, 0, checkpoint.DEFAULT_MAX_MEMORY)
    assert all(t.by_region for t in tensors)


def test_specs_are_in_the_installed_package():
    import importlib.resources

    folder = importlib.resources.files("turboinit") / "specs"
    assert {p.name for p in folder.iterdir()} >= {
        "mlp_small.json",
        "gpt2_125m.json",
        "decoder_1b.json",
    }


# ---------------------------------------------------------------- bad input

T = {"shape": [4, 4], "init": "normal"}
BAD_SPECS = [
    ({}, ValueError, r"spec\['tensors'\]: required"),
    ({"tensors": [T]}, ValueError, r"spec\['tensors'\]: required"),
    ({"tensors": {"w": T}, "extra": 1}, ValueError, "unknown field 'extra'"),
    ({"tensors": {"w": T}, "metadata": {"a": 1}}, TypeError, r"spec\['metadata'\]"),
    ({"tensors": {"w": T}, "metadata": {"turboinit.seed": "1"}}, ValueError, "reserved"),
    ({"tensors": {"": T}}, ValueError, "invalid tensor name"),
    ({"tensors": {"__metadata__": T}}, ValueError, "invalid tensor name"),
    ({"tensors": {"w": [4, 4]}}, TypeError, r"tensors\['w'\]: expected an object"),
    ({"tensors": {"w": {"init": "normal"}}}, ValueError, r"tensors\['w'\]: missing field 'shape'"),
    ({"tensors": {"w": {"shape": [4]}}}, ValueError, r"tensors\['w'\]: missing field 'init'"),
    ({"tensors": {"w": dict(T, shap=[1])}}, ValueError, r"tensors\['w'\]: unknown field 'shap'"),
    ({"tensors": {"w": dict(T, shape=4)}}, TypeError, r"tensors\['w'\]\['shape'\]"),
    ({"tensors": {"w": dict(T, shape=[4, -1])}}, ValueError, r"tensors\['w'\]\['shape'\].*>= 0"),
    ({"tensors": {"w": dict(T, shape=[4, 2.0])}}, TypeError, r"tensors\['w'\]\['shape'\]"),
    ({"tensors": {"w": dict(T, shape=[4, True])}}, TypeError, r"tensors\['w'\]\['shape'\]"),
    (
        {"tensors": {"w": dict(T, init="nromal")}},
        ValueError,
        r"tensors\['w'\]\['init'\]: unknown.*normal",
    ),
    ({"tensors": {"w": dict(T, init="set_num_threads")}}, ValueError, r"\['init'\]: unknown"),
    ({"tensors": {"w": dict(T, init="_core")}}, ValueError, r"\['init'\]: unknown"),
    ({"tensors": {"w": dict(T, init=3)}}, TypeError, r"tensors\['w'\]\['init'\]"),
    ({"tensors": {"w": dict(T, args=[1])}}, TypeError, r"tensors\['w'\]\['args'\]"),
    ({"tensors": {"w": dict(T, args={"sd": 1})}}, TypeError, r"tensors\['w'\]\['args'\].*sd"),
    (
        {"tensors": {"w": dict(T, args={"seed": 1})}},
        ValueError,
        r"tensors\['w'\]\['args'\]: 'seed'",
    ),
    ({"tensors": {"w": dict(T, args={"region": 1})}}, ValueError, r"\['args'\]: 'region'"),
    ({"tensors": {"w": dict(T, args={"std": -1.0})}}, ValueError, r"tensors\['w'\]: std"),
    ({"tensors": {"w": dict(T, args={"std": "big"})}}, TypeError, r"tensors\['w'\]: std"),
    ({"tensors": {"ok": T, "w": dict(T, dtype="int8")}}, TypeError, r"tensors\['w'\]\['dtype'\]"),
    (
        {"tensors": {"w": dict(T, init="truncated_normal", args={"lower": 3.0, "upper": 1.0})}},
        ValueError,
        r"tensors\['w'\]",
    ),
]


@pytest.mark.parametrize("spec,exc,match", BAD_SPECS, ids=range(len(BAD_SPECS)))
def test_bad_specs(tmp_path, spec, exc, match):
    with pytest.raises(exc, match=match):
        write(spec, tmp_path / "m.safetensors", seed=0)
    assert leftovers(tmp_path) == []


def test_bad_arguments(tmp_path):
    spec = {"tensors": {"w": T}}
    out = tmp_path / "m.safetensors"
    with pytest.raises(TypeError, match="dtype"):
        write(spec, out, seed=0, dtype="int32")
    with pytest.raises(ValueError, match="max_memory"):
        write(spec, out, seed=0, max_memory=0)
    with pytest.raises(TypeError, match="max_memory"):
        write(spec, out, seed=0, max_memory=1.5)
    with pytest.raises(TypeError, match="progress"):
        write(spec, out, seed=0, progress="yes")
    with pytest.raises(ValueError, match="seed"):
        write(spec, out, seed=-1)
    with pytest.raises(TypeError, match="seed"):
        write(spec, out, seed="0")
    with pytest.raises(FileNotFoundError, match="neither a shipped spec"):
        write("no_such_spec", out, seed=0)
    with pytest.raises(TypeError, match="spec"):
        write(42, out, seed=0)
    bad_json = tmp_path / "bad.json"
    bad_json.write_text("{not json")
    with pytest.raises(ValueError, match="not valid JSON"):
        write(str(bad_json), out, seed=0)
    assert leftovers(tmp_path) == ["bad.json"]


def test_unwritable_destinations(tmp_path):
    spec = {"tensors": {"w": T}}
    with pytest.raises(FileNotFoundError, match="does not exist"):
        write(spec, tmp_path / "missing" / "m.safetensors", seed=0)
    with pytest.raises(IsADirectoryError, match="is a directory"):
        write(spec, tmp_path, seed=0)


def test_folder_that_refuses_new_files(tmp_path, monkeypatch):
    real_open = os.open

    def refuse(path, flags, *args, **kwargs):
        if ".turboinit-" in os.fspath(path) and flags & os.O_CREAT:
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES))
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", refuse)
    with pytest.raises(PermissionError, match="cannot create a file") as info:
        write({"tensors": {"w": T}}, tmp_path / "m.safetensors", seed=0)
    assert info.value.filename == str(tmp_path)
    assert leftovers(tmp_path) == []


def test_folder_without_write_permission(tmp_path):
    spec = {"tensors": {"w": T}}
    if os.geteuid() == 0:
        pytest.skip("root ignores folder permissions")
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    try:
        with pytest.raises(PermissionError, match="cannot write"):
            write(spec, locked / "m.safetensors", seed=0)
    finally:
        locked.chmod(0o700)
    assert leftovers(locked) == []


def test_full_disk_fails_early(tmp_path, monkeypatch):
    if not hasattr(os, "posix_fallocate"):
        pytest.skip("no posix_fallocate on this system")

    def no_space(fd, offset, length):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    generated = []
    monkeypatch.setattr(os, "posix_fallocate", no_space)
    with pytest.raises(OSError, match="not enough space") as info:
        write(MIXED, tmp_path / "m.safetensors", seed=0, progress=lambda d, t: generated.append(d))
    assert info.value.errno == errno.ENOSPC
    assert generated == []  # nothing generated before the failure
    assert leftovers(tmp_path) == []


def test_filesystem_without_fallocate(tmp_path, monkeypatch):
    def unsupported(fd, offset, length):
        raise OSError(errno.EOPNOTSUPP, os.strerror(errno.EOPNOTSUPP))

    monkeypatch.setattr(os, "posix_fallocate", unsupported, raising=False)
    write(MIXED, tmp_path / "m.safetensors", seed=4, max_memory=300)
    assert_file_matches(tmp_path / "m.safetensors", MIXED, seed=4)


# ---------------------------------------------------------------- whole-tensor initializers


def whole_only(shape, scale=1.0, *, seed=None, stream=0, dtype="float32"):
    """A generating function without region= (like orthogonal)."""
    out = ti.normal(shape, seed=seed, stream=stream, dtype=dtype)
    out *= out.dtype.type(scale)
    return out


def test_whole_tensor_initializers(tmp_path, monkeypatch):
    monkeypatch.setattr(ti, "whole_only", whole_only, raising=False)
    monkeypatch.setattr(_registry, "GENERATORS", _registry.GENERATORS | {"whole_only"})
    spec = {
        "tensors": {
            "q": {"shape": [30, 20], "init": "whole_only", "args": {"scale": 3.0}},
            "b": {"shape": [500], "init": "uniform"},
        }
    }
    write(spec, tmp_path / "m.safetensors", seed=6, max_memory=30 * 20 * 4)
    assert_file_matches(tmp_path / "m.safetensors", spec, seed=6)
    with pytest.raises(MemoryError, match=r"tensors\['q'\].*no region=.*max_memory"):
        write(spec, tmp_path / "n.safetensors", seed=6, max_memory=30 * 20 * 4 - 1)
    assert leftovers(tmp_path) == ["m.safetensors"]


def test_orthogonal_is_written_whole(tmp_path):
    spec = {"tensors": {}}
    if hasattr(ti, "orthogonal"):
        spec["tensors"]["q"] = {"shape": [40, 24], "init": "orthogonal"}
    if hasattr(ti, "delta_orthogonal"):
        spec["tensors"]["d"] = {"shape": [3, 3, 4, 6], "init": "delta_orthogonal"}
    if not spec["tensors"]:
        pytest.skip("turboinit has no orthogonal")
    write(spec, tmp_path / "m.safetensors", seed=1, dtype="float64", max_memory=40 * 24 * 8)
    assert_file_matches(tmp_path / "m.safetensors", spec, seed=1, dtype="float64")
    with pytest.raises(MemoryError, match="max_memory"):
        write(spec, tmp_path / "n.safetensors", seed=1, dtype="float64", max_memory=1000)


def test_sparse_is_written_region_by_region(tmp_path):
    # sparse takes region=, so a budget far below the tensor still works.
    spec = {
        "tensors": {
            "s": {"shape": [400, 24], "init": "sparse", "args": {"sparsity": 0.5}},
            "m": {"shape": [300, 50], "init": "sparse", "args": {"nonzero_per_unit": 7}},
        }
    }
    write(spec, tmp_path / "s.safetensors", seed=3, dtype="float32", max_memory=1000)
    assert_file_matches(tmp_path / "s.safetensors", spec, seed=3, dtype="float32")


# ---------------------------------------------------------------- interruptions


def flaky(shape, *, seed=None, stream=0, dtype="float32", out=None, region=None):
    """Fails on any block after the first row: an error midway through a tensor."""
    if region is not None and region[0].start > 0:
        raise RuntimeError("disk on fire")
    return ti.uniform(shape, seed=seed, stream=stream, dtype=dtype, out=out, region=region)


def test_error_midway_leaves_nothing(tmp_path, monkeypatch):
    monkeypatch.setattr(ti, "flaky", flaky, raising=False)
    monkeypatch.setattr(_registry, "GENERATORS", _registry.GENERATORS | {"flaky"})
    spec = {
        "tensors": {
            "a": {"shape": [100, 10], "init": "normal"},
            "b": {"shape": [100, 10], "init": "flaky"},
        }
    }
    path = tmp_path / "m.safetensors"
    path.write_bytes(b"previous")
    with pytest.raises(RuntimeError, match="disk on fire"):
        write(spec, path, seed=0, max_memory=400)
    assert leftovers(tmp_path) == ["m.safetensors"]
    assert path.read_bytes() == b"previous"  # the old file is untouched


@pytest.mark.parametrize("exc", [RuntimeError, KeyboardInterrupt])
def test_exception_in_progress_callback_leaves_nothing(tmp_path, exc):
    seen = []

    def progress(done, total):
        seen.append(done)
        if len(seen) == 3:
            raise exc("stop")

    with pytest.raises(exc):
        write(MIXED, tmp_path / "m.safetensors", seed=0, max_memory=64, progress=progress)
    assert leftovers(tmp_path) == []


def test_sigint_in_a_subprocess_leaves_nothing(tmp_path):
    # 64 MiB in 1 MiB blocks, slowed down so that SIGINT surely lands mid-write.
    script = textwrap.dedent(
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
    out = tmp_path / "m.safetensors"
    proc = subprocess.Popen(
        [sys.executable, "-c", script, str(out)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout.readline().strip() == "started"
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=60)
    finally:
        proc.kill()
    assert proc.returncode != 0 and "KeyboardInterrupt" in err
    assert leftovers(tmp_path) == []


# ---------------------------------------------------------------- memory


def test_memory_stays_bounded(tmp_path):
    """A 512 MiB file written with max_memory = 32 MiB.

    Peak RSS growth (VmHWM minus the RSS before the call, Linux /proc) is
    asserted below 2 * max_memory = 64 MiB, an eighth of the file: one block
    of max_memory bytes is mapped at a time, plus small Python objects.  A
    control in the same process maps a 128 MiB tensor whole and shows the
    measurement does see written pages (growth >= 120 MiB).
    """
    if not os.path.exists("/proc/self/status"):
        pytest.skip("needs Linux /proc")
    script = textwrap.dedent(
        """
        import sys
        import numpy as np, turboinit as ti
        from turboinit.checkpoint import write

        def status(key):
            for line in open("/proc/self/status"):
                if line.startswith(key):
                    return int(line.split()[1]) * 1024

        ti.uniform(1000, seed=0)
        base = status("VmRSS")
        spec = {"tensors": {f"t{i}": {"shape": [8192, 4096], "init": "uniform"} for i in range(4)}}
        write(spec, sys.argv[1] + "/big.safetensors", seed=0, max_memory=32 * 2**20)
        growth = status("VmHWM") - base
        # control: the same amount of data per tensor, mapped whole
        base2 = status("VmRSS")
        m = np.memmap(sys.argv[1] + "/control.bin", dtype=np.float32, mode="w+", shape=(8192, 4096))
        ti.uniform((8192, 4096), seed=0, out=m)
        control = status("VmHWM") - base2
        print(growth, control)
        """
    )
    proc = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path)], capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stderr
    growth, control = map(int, proc.stdout.split())
    size = (tmp_path / "big.safetensors").stat().st_size
    assert size > 512 * 2**20
    assert control >= 120 * 2**20, f"control mapping grew RSS by only {control / 2**20:.1f} MiB"
    assert growth < 64 * 2**20, (
        f"RSS grew by {growth / 2**20:.1f} MiB writing {size / 2**20:.0f} MiB"
    )


# ---------------------------------------------------------------- command line


def test_parse_size():
    assert parse_size("256MiB") == 256 * 2**20
    assert parse_size("1GiB") == 2**30 and parse_size("1 gib") == 2**30
    assert parse_size("500MB") == 500 * 10**6 and parse_size("4096") == 4096
    assert parse_size("64k") == 64000 and parse_size("2KiB") == 2048
    for bad in ("", "lots", "-5MiB", "1XB"):
        with pytest.raises(ValueError, match="size"):
            parse_size(bad)


def test_cli(tmp_path):
    pytest.importorskip("ml_dtypes")
    out = tmp_path / "mlp.safetensors"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "turboinit",
            "checkpoint",
            "mlp_small",
            str(out),
            "--seed",
            "0",
            "--dtype",
            "bfloat16",
            "--max-memory",
            "64KiB",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert "wrote" in proc.stderr
    assert re.search(r"100(\.0)?%", proc.stderr)  # tqdm's bar or the plain line
    spec = load_spec("mlp_small")
    header = json.loads(read_header(out)[1])
    assert {header[n]["dtype"] for n in spec["tensors"]} == {"BF16"}
    raw = out.read_bytes()
    start = 8 + read_header(out)[0]
    for name, want in expected(spec, 0, "bfloat16").items():
        begin, end = header[name]["data_offsets"]
        got = np.frombuffer(raw[start + begin : start + end], dtype=np.uint16)
        np.testing.assert_array_equal(got, bits(want).ravel(), err_msg=name)


def test_cli_errors(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"tensors": {"w": {"shape": [2], "init": "nope"}}}))
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "turboinit",
            "checkpoint",
            str(bad),
            str(tmp_path / "o.st"),
            "--seed",
            "0",
            "--no-progress",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 1 and "tensors['w']['init']" in proc.stderr
    assert leftovers(tmp_path) == ["bad.json"]
    assert (
        checkpoint.main(["mlp_small", str(tmp_path / "o.st"), "--seed", "1", "--no-progress"]) == 0
    )
