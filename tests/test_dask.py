"""turboinit.dask: chunked generation through region= equals the in-memory call."""

from __future__ import annotations

import pickle
import subprocess
import sys
import textwrap

import numpy as np
import pytest

da = pytest.importorskip("dask.array")
import dask  # noqa: E402

import turboinit as ti  # noqa: E402
import turboinit.dask as tid  # noqa: E402
from turboinit import _registry  # noqa: E402

DTYPES = ["float32", "float64", "float16", "bfloat16"]
SHAPE = (301, 203)
CHUNKINGS = [
    "auto",
    -1,
    (64, 64),  # aligned to 64
    (37, 50),  # not aligned to 64, ragged last chunk
    ((1, 100, 200), (3, 200)),  # uneven
    ((150, 151), (1,) * 3 + (200,)),  # one-column chunks
]


def bits(a: np.ndarray) -> np.ndarray:
    """The raw bits: equality of these is bit-identity (tells -0.0 from 0.0)."""
    return a.view(f"u{a.dtype.itemsize}")


def assert_same_bits(lazy: da.Array, eager: np.ndarray) -> None:
    got = lazy.compute()
    assert got.dtype == eager.dtype and got.shape == eager.shape
    np.testing.assert_array_equal(bits(got), bits(eager))


CASES = [
    ("uniform", (-0.5, 2.0)),
    ("normal", (0.1, 0.02)),
    ("truncated_normal", (0.0, 1.0, -1.0, 3.0)),
]


@pytest.mark.parametrize("chunks", CHUNKINGS, ids=str)
@pytest.mark.parametrize("name,args", CASES, ids=[c[0] for c in CASES])
def test_chunked_equals_in_memory(name, args, chunks):
    lazy = getattr(tid, name)(SHAPE, *args, chunks=chunks, seed=12, stream="w")
    assert_same_bits(lazy, getattr(ti, name)(SHAPE, *args, seed=12, stream="w"))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name,args", CASES, ids=[c[0] for c in CASES])
def test_dtypes(name, args, dtype):
    if dtype == "bfloat16":
        pytest.importorskip("ml_dtypes")
    lazy = getattr(tid, name)(SHAPE, *args, chunks=(37, 70), seed=3, dtype=dtype)
    assert lazy.dtype == ti.uniform(0, dtype=dtype).dtype
    assert_same_bits(lazy, getattr(ti, name)(SHAPE, *args, seed=3, dtype=dtype))


@pytest.mark.parametrize(
    "shape,chunks",
    [((), ()), ((1000,), 129), ((5, 6, 7, 8), (2, 5, 3, 8)), ((0, 5), (10, 2)), ((4, 0), 2)],
    ids=str,
)
def test_shapes(shape, chunks):
    assert_same_bits(tid.normal(shape, chunks=chunks, seed=1), ti.normal(shape, seed=1))


def test_slicing_and_reductions_see_the_same_tensor():
    lazy = tid.normal((500, 300), chunks=(64, 100), seed=7)
    full = ti.normal((500, 300), seed=7)
    np.testing.assert_array_equal(lazy[123:456, 7:].compute(), full[123:456, 7:])
    np.testing.assert_array_equal(lazy.T.compute(), full.T)
    # a reduction combines chunks in another order; allow float32 rounding of the sum
    np.testing.assert_allclose(lazy.sum(axis=0).compute(), full.sum(axis=0), rtol=0, atol=1e-4)


def test_seed_none_is_drawn_once_at_construction():
    lazy = tid.uniform((200, 100), chunks=(30, 30), seed=None)
    first, second = lazy.compute(), lazy.compute()
    np.testing.assert_array_equal(first, second)
    # each construction draws fresh entropy (2^-128 chance of a false failure)
    assert not np.array_equal(first, tid.uniform((200, 100), chunks=(30, 30)).compute())


def test_seed_sequence_and_streams():
    ss = np.random.SeedSequence(2024, spawn_key=(3,))
    assert_same_bits(
        tid.normal(1000, chunks=99, seed=ss, stream=5), ti.normal(1000, seed=ss, stream=5)
    )
    a = tid.normal(1000, chunks=99, seed=1, stream="a").compute()
    b = tid.normal(1000, chunks=99, seed=1, stream="b").compute()
    assert not np.array_equal(a, b)


def test_same_arguments_give_the_same_graph_name():
    a = tid.normal((100, 100), 0.0, 2.0, chunks=10, seed=1)
    assert a.name == tid.normal((100, 100), 0.0, 2.0, chunks=10, seed=1).name
    for other in (
        tid.normal((100, 100), 0.0, 2.0, chunks=10, seed=2),
        tid.normal((100, 100), 0.0, 2.0, chunks=10, seed=1, stream=1),
        tid.normal((100, 100), 0.0, 3.0, chunks=10, seed=1),
        tid.normal((100, 100), 0.0, 2.0, chunks=10, seed=1, dtype="float64"),
        tid.uniform((100, 100), 0.0, 2.0, chunks=10, seed=1),
    ):
        assert other.name != a.name


def test_graph_holds_no_data():
    # 4 GiB of float32 in 64 chunks: the graph must stay tiny, whatever the data size.
    big = tid.normal((2**20, 2**10), chunks=(2**14, 2**10), seed=0)
    small = tid.normal((2**10, 2**10), chunks=(2**4, 2**10), seed=0)
    assert big.npartitions == small.npartitions == 64
    graphs = [dict(x.__dask_graph__()) for x in (big, small)]
    sizes = [len(pickle.dumps(g)) for g in graphs]
    # per task: a key, a shared callable and two slices (about 50 bytes)
    assert all(size < 2048 + 100 * 64 for size in sizes), sizes
    # the size does not grow with the data (only the digits of the slice bounds do)
    assert abs(sizes[0] - sizes[1]) < 8 * 64, sizes
    for task in graphs[0].values():
        for part in getattr(task, "args", task):
            assert not isinstance(part, np.ndarray)


def test_threaded_and_synchronous_schedulers():
    lazy = tid.truncated_normal((1000, 257), 0.0, 0.02, chunks=(97, 64), seed=9, dtype="float64")
    eager = ti.truncated_normal((1000, 257), 0.0, 0.02, seed=9, dtype="float64")
    for scheduler in ("threads", "synchronous"):
        with dask.config.set(scheduler=scheduler, num_workers=4):
            assert_same_bits(lazy, eager)


def test_arguments_are_checked_at_construction():
    with pytest.raises(ValueError, match="std"):
        tid.normal((10, 10), 0.0, -1.0, chunks=5, seed=0)
    with pytest.raises(ValueError, match="lower"):
        tid.truncated_normal((10, 10), 0.0, 1.0, 2.0, 1.0, chunks=5, seed=0)
    with pytest.raises(TypeError, match="dtype"):
        tid.uniform((10, 10), chunks=5, seed=0, dtype="int8")
    with pytest.raises(ValueError, match="shape"):
        tid.uniform((10, -1), chunks=5, seed=0)
    with pytest.raises(TypeError, match="shape"):
        tid.uniform((10, 2.5), chunks=5, seed=0)
    with pytest.raises(ValueError, match="seed"):
        tid.uniform((10, 10), chunks=5, seed=-1)
    with pytest.raises(TypeError, match="seed"):
        tid.uniform((10, 10), chunks=5, seed="0")
    with pytest.raises(TypeError, match="out"):
        tid.from_function(ti.uniform, (10, 10), out=np.empty((10, 10), np.float32))
    with pytest.raises(TypeError, match="region"):
        tid.from_function(ti.uniform, (10, 10), region=(slice(0, 5),))
    with pytest.raises(TypeError, match="fn"):
        tid.from_function("uniform", (10, 10))
    with pytest.raises(TypeError, match="fn: expected a generating function"):
        tid.wrap(ti.set_num_threads)
    with pytest.raises(ValueError):
        tid.uniform((10, 10), chunks=(3, 3, 3), seed=0)


def test_wrap_and_from_function():
    dask_uniform = tid.wrap(ti.uniform)
    assert dask_uniform.__name__ == "uniform"
    assert "chunks" in dask_uniform.__doc__
    assert_same_bits(
        dask_uniform((77, 33), 1.0, 2.0, chunks=(10, 11), seed=4, dtype="float16"),
        ti.uniform((77, 33), 1.0, 2.0, seed=4, dtype="float16"),
    )


def whole_only(shape, scale=1.0, *, seed=None, stream=0, dtype="float32"):
    """A generating function without region=, like orthogonal."""
    out = ti.normal(shape, seed=seed, stream=stream, dtype=dtype)
    out *= out.dtype.type(scale)
    return out


def test_functions_without_region_run_as_one_chunk():
    lazy = tid.from_function(whole_only, (50, 20), 3.0, chunks=-1, seed=2)
    assert lazy.npartitions == 1
    assert_same_bits(lazy, whole_only((50, 20), 3.0, seed=2))
    with pytest.raises(NotImplementedError, match="chunks=-1"):
        tid.from_function(whole_only, (50, 20), chunks=10, seed=2)


def test_clear_import_error_without_dask():
    out = run_script(
        """
        import sys
        sys.modules["dask"] = None  # as if dask were not installed
        try:
            import turboinit.dask
        except ImportError as exc:
            print(exc)
        """,
        timeout=60,
    )
    assert "turboinit.dask needs dask" in out and "pip install" in out


def test_unknown_names_raise_attribute_error():
    with pytest.raises(AttributeError, match="no_such_init"):
        tid.no_such_init  # noqa: B018
    with pytest.raises(AttributeError):
        tid.set_num_threads  # noqa: B018  (public, but not a generating function)
    assert {"uniform", "normal", "truncated_normal", "wrap"} <= set(dir(tid))


# ---------------------------------------------------------------- other initializers
# Element-wise initializers of turboinit, wherever they exist: extra positional
# arguments and a shape their fan rules accept.
EXTRA_ARGS = {"constant": (0.25,)}
SHAPES = {"dirac": (6, 4, 5, 3), "identity": (37, 70), "eye": (37, 70)}


def region_capable():
    names = []
    for name in _registry.generators():
        fn = getattr(ti, name)
        if _registry.splittable(name, fn):
            names.append(name)
    return names


@pytest.mark.parametrize("name", region_capable())
def test_every_region_capable_initializer(name):
    shape = SHAPES.get(name, (67, 45))
    args = EXTRA_ARGS.get(name, ())
    chunks = tuple(max(1, n // 3 + 1) for n in shape)  # uneven, not aligned
    lazy = getattr(tid, name)(shape, *args, chunks=chunks, seed=5, stream="p", dtype="float64")
    assert_same_bits(lazy, getattr(ti, name)(shape, *args, seed=5, stream="p", dtype="float64"))


WITH_ARGS = [
    ("kaiming_normal", (8, 6, 3, 3), (0.1, "fan_out", "relu"), {"truncated": True}),
    ("kaiming_uniform", (3, 3, 6, 8), (5**0.5,), {"layout": "keras"}),
    ("he_normal", (40, 30), (), {"mode": "fan_out"}),
    ("xavier_uniform", (40, 30), (2.0,), {}),
    ("glorot_normal", (40, 30), (), {"truncated": True, "layout": "jax"}),
    ("lecun_normal", (5, 40, 30), (), {"layout": "jax", "batch_axis": 0}),
    ("lecun_uniform", (40, 30), (), {}),
    ("variance_scaling", (40, 30), (2.0, "fan_avg", "uniform"), {}),
    ("variance_scaling", (4, 40, 30), (0.5, "fan_geo_avg", "truncated_normal"), {"layout": "jax"}),
    ("constant", (40, 30), (-1.5,), {}),
    ("eye", (40, 30), (3.0,), {}),
    ("dirac", (8, 4, 5, 5), (2,), {"gain": 0.5}),
]


@pytest.mark.parametrize("name,shape,args,kwargs", WITH_ARGS, ids=[c[0] for c in WITH_ARGS])
@pytest.mark.parametrize("dtype", ["float32", "bfloat16"])
def test_initializers_with_arguments(name, shape, args, kwargs, dtype):
    if not hasattr(ti, name):
        pytest.skip(f"turboinit.{name} is not available")
    if dtype == "bfloat16":
        pytest.importorskip("ml_dtypes")
    chunks = tuple(max(1, (n + 2) // 3) for n in shape)
    common = dict(seed=21, stream="conv", dtype=dtype)
    lazy = getattr(tid, name)(shape, *args, chunks=chunks, **kwargs, **common)
    assert_same_bits(lazy, getattr(ti, name)(shape, *args, **kwargs, **common))


@pytest.mark.parametrize("kwargs", [{}, {"nonzero_per_unit": 5}])
def test_sparse_any_chunking(kwargs):
    # sparse takes any region: its zero positions depend only on (seed, stream, unit).
    eager = ti.sparse((60, 40), 0.3, seed=1, **kwargs)
    for chunks in [(-1, 7), (30, 40), (13, 9), -1]:
        assert_same_bits(tid.sparse((60, 40), 0.3, chunks=chunks, seed=1, **kwargs), eager)


@pytest.mark.parametrize(
    "name,shape", [("orthogonal", (100, 20)), ("delta_orthogonal", (3, 3, 8, 16))]
)
def test_orthogonal_is_one_chunk_only(name, shape):
    if not hasattr(ti, name):
        pytest.skip(f"turboinit.{name} is not available")
    half = (shape[0] // 2,) + shape[1:]
    with pytest.raises(NotImplementedError, match="QR"):
        getattr(tid, name)(shape, chunks=half, seed=0)
    lazy = getattr(tid, name)(shape, chunks=-1, seed=0, stream="q")
    assert_same_bits(lazy, getattr(ti, name)(shape, seed=0, stream="q"))


# ---------------------------------------------------------------- worker processes


def run_script(code: str, timeout: float) -> str:
    proc = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert proc.returncode == 0, proc.stderr[-4000:]
    return proc.stdout


def test_forked_processes_after_openmp_in_parent():
    # The parent runs OpenMP first; the forked workers must not hang (GNU OpenMP
    # does not survive fork) and must give the same bits.
    out = run_script(
        """
        import dask, numpy as np, turboinit as ti, turboinit.dask as tid
        eager = ti.normal((2000, 300), seed=1)          # OpenMP used in the parent
        lazy = tid.normal((2000, 300), chunks=(250, 300), seed=1)
        with dask.config.set({"multiprocessing.context": "fork"}):
            got = lazy.compute(scheduler="processes", num_workers=2)
        assert (got == eager).all()
        print("ok")
        """,
        timeout=120,
    )
    assert out.strip() == "ok"


def test_distributed_local_cluster_with_worker_processes():
    pytest.importorskip("distributed")
    out = run_script(
        """
        import os
        import numpy as np
        from distributed import Client, LocalCluster
        import turboinit as ti, turboinit.dask as tid
        if __name__ == "__main__":
            with LocalCluster(processes=True, n_workers=2, threads_per_worker=1,
                              dashboard_address=None) as cluster, Client(cluster) as client:
                pids = set(client.run(os.getpid).values())
                assert len(pids) == 2 and os.getpid() not in pids
                ss = np.random.SeedSequence(77)
                lazy = tid.truncated_normal((1500, 333), 0.0, 0.02, chunks=(128, 100),
                                            seed=ss, stream="layer.0", dtype="bfloat16")
                got = client.compute(lazy).result(timeout=60)
                eager = ti.truncated_normal((1500, 333), 0.0, 0.02, seed=ss,
                                            stream="layer.0", dtype="bfloat16")
                assert (got.view("u2") == eager.view("u2")).all()
                print("ok")
        """,
        timeout=180,
    )
    assert out.strip().endswith("ok")


def test_keys_identify_the_function_and_all_its_arguments():
    # Same name, different arguments: functools.partial, closures of one factory,
    # callable objects.  Equal keys made dask compute one array for both, so
    # (a - b) was all zeros.
    import functools

    def factory(std):
        def init(shape, *, seed=None, stream=0, dtype="float32", region=None):
            return ti.normal(shape, std=std, seed=seed, stream=stream, dtype=dtype, region=region)

        return init

    class Scaled:
        def __init__(self, std):
            self.std = std

        def __call__(self, shape, *, seed=None, stream=0, dtype="float32", region=None):
            return ti.normal(
                shape, std=self.std, seed=seed, stream=stream, dtype=dtype, region=region
            )

    pairs = [
        (functools.partial(ti.normal, std=1.0), functools.partial(ti.normal, std=2.0)),
        (factory(1.0), factory(2.0)),
        (Scaled(1.0), Scaled(2.0)),
    ]
    for f, g in pairs:
        a = tid.from_function(f, (64, 8), chunks=16, seed=0)
        b = tid.from_function(g, (64, 8), chunks=16, seed=0)
        assert a.name != b.name
        want = ti.normal((64, 8), seed=0) - ti.normal((64, 8), std=2.0, seed=0)
        np.testing.assert_array_equal((a - b).compute(), want)
    # the same partial twice is still the same graph
    same = [tid.from_function(functools.partial(ti.normal, std=1.0), 8, seed=0) for _ in range(2)]
    assert same[0].name == same[1].name
    assert tid.from_function(functools.partial(ti.orthogonal), (4, 4), chunks=-1, seed=0).name
