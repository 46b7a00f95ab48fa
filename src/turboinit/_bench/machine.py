"""What the numbers were measured on: CPU, cores, memory, kernel, threads, versions."""

from __future__ import annotations

import datetime
import os
import platform
import sys
from typing import Any

import numpy as np

import turboinit

from .methods import library_available


def _cpuinfo() -> dict[str, Any]:
    model: str | None = None
    flags: set[str] = set()
    cores: set[tuple[str | None, str | None]] = set()
    phys = core = None
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                key, _, value = line.partition(":")
                key, value = key.strip(), value.strip()
                if key == "model name" and model is None:
                    model = value
                elif key == "flags" and not flags:
                    flags = set(value.split())
                elif key == "physical id":
                    phys = value
                elif key == "core id":
                    core = value
                elif not key and phys is not None:
                    cores.add((phys, core))
                    phys = core = None
        if phys is not None:
            cores.add((phys, core))
    except OSError:
        pass
    wanted = ("sse4_2", "avx", "avx2", "fma", "avx512f", "avx512bw", "avx512vl", "avx512_bf16")
    return {
        "model": model or platform.processor() or platform.machine(),
        "physical_cores": len(cores) or None,
        "flags": [f for f in wanted if f in flags],
    }


def _meminfo_bytes(field: str) -> int | None:
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


def available_memory() -> int | None:
    """Bytes the kernel says can be allocated without swapping (None if unknown)."""
    return _meminfo_bytes("MemAvailable")


def cache_bytes(label: str = "L2") -> int | None:
    """Size of one core's cache ``label`` ("L1d", "L2", "L3") in bytes, None if unknown."""
    size = _caches().get(label, "")
    units = {"K": 2**10, "M": 2**20, "G": 2**30}
    if size[:-1].isdigit() and size[-1] in units:
        return int(size[:-1]) * units[size[-1]]
    return int(size) if size.isdigit() else None


def _caches() -> dict[str, str]:
    base = "/sys/devices/system/cpu/cpu0/cache"
    out: dict[str, str] = {}
    try:
        for entry in sorted(os.listdir(base)):
            if not entry.startswith("index"):
                continue

            def read(name: str, entry: str = entry) -> str:
                with open(os.path.join(base, entry, name)) as f:
                    return f.read().strip()

            kind = read("type")
            label = f"L{read('level')}" + (
                "d" if kind == "Data" else "i" if kind == "Instruction" else ""
            )
            out[label] = read("size")
    except OSError:
        pass
    return out


def _version(name: str) -> str | None:
    if not library_available(name):
        return None
    try:
        module = __import__(name)
        return str(getattr(module, "__version__", "?"))
    except Exception as exc:  # a broken install should not stop the benchmark
        return f"unusable ({type(exc).__name__}: {exc})"


def load_average() -> list[float] | None:
    """1, 5 and 15 minute load averages (runnable processes), None if unknown."""
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except (OSError, AttributeError):
        return None


def describe() -> dict[str, Any]:
    """Everything that matters to read the timings, as plain JSON-able data."""
    info = turboinit.build_info()
    try:
        affinity: int | None = len(os.sched_getaffinity(0))
    except AttributeError:
        affinity = None
    machine: dict[str, Any] = {
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "cpu": _cpuinfo(),
        "logical_cores": os.cpu_count(),
        "usable_cores": affinity,
        "caches": _caches(),
        "memory_total_bytes": _meminfo_bytes("MemTotal"),
        "memory_available_bytes": available_memory(),
        "load_average": load_average(),
        "os": platform.platform(),
        "python": sys.version.split()[0],
        "turboinit": {
            "version": turboinit.__version__,
            "kernel": info.get("kernel"),
            "simd_bits": info.get("simd_bits"),
            "kernels_supported": info.get("kernels_supported"),
            "threads": info.get("num_threads"),
            "openmp": info.get("openmp"),
            "compiler": info.get("compiler"),
        },
        "env": {
            k: os.environ[k] for k in ("OMP_NUM_THREADS", "TURBOINIT_KERNEL") if k in os.environ
        },
        "numpy": np.__version__,
        "torch": _version("torch"),
        "jax": _version("jax"),
        "mkl_random": _version("mkl_random"),
        "ml_dtypes": _version("ml_dtypes"),
    }
    if machine["torch"] and not machine["torch"].startswith("unusable"):
        import torch

        machine["torch_threads"] = torch.get_num_threads()
    return machine


def summary(machine: dict[str, Any]) -> str:
    """One line for the top of the table."""
    ti = machine["turboinit"]
    cpu = machine["cpu"]
    parts = [
        f"{cpu['model']}",
        f"{machine['usable_cores'] or machine['logical_cores']} usable cores"
        + (f" ({cpu['physical_cores']} physical)" if cpu.get("physical_cores") else ""),
        f"turboinit {ti['version']} kernel {ti['kernel']}, "
        f"{ti['threads']} OpenMP threads ({ti['openmp']})",
        f"numpy {machine['numpy']}",
    ]
    if machine.get("torch"):
        parts.append(f"torch {machine['torch']} ({machine.get('torch_threads', '?')} threads)")
    if machine.get("jax"):
        parts.append(f"jax {machine['jax']}")
    if machine.get("mkl_random"):
        parts.append(f"mkl_random {machine['mkl_random']} (1 thread)")
    if machine.get("load_average"):
        parts.append("load average " + " ".join(str(x) for x in machine["load_average"]))
    return "; ".join(parts)
