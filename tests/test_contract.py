"""The C++/Python contract: enums, layout constants and dtype rules come from _core."""

from __future__ import annotations

import numpy as np
import pytest

from turboinit import _args, _core, _orthogonal, _sparse
from turboinit.random import _integers, _params


def test_python_imports_the_core_constants() -> None:
    assert _args._CODES is _core.DTYPES
    assert _integers._CODES is _core.INT_DTYPES
    assert _orthogonal._METHODS is _core.ORTHOGONAL_METHODS
    assert _sparse._ZEROS_PER_COLUMN == _core.SPARSE_MODES["zeros_per_column"]
    assert _params.BLOCKS_PER_GROUP == _core.BLOCKS_PER_GROUP
    assert _params.PER_BLOCK == {
        True: _core.VALUES_PER_BLOCK["float64"],
        False: _core.VALUES_PER_BLOCK["float32"],
    }
    assert set(_core.TRUNC_METHODS) == {
        "normal",
        "half_normal",
        "uniform",
        "exponential",
        "inverse_cdf",
    }


@pytest.mark.parametrize("name", ["float64", "float32", "float16"])
def test_dtype_rules_match_numpy(name: str) -> None:
    dt = np.dtype(name)
    code = _core.DTYPES[name]
    x = np.random.default_rng(0).standard_normal(1000) * np.repeat([1.0, 1e-3, 1e3, 1e-8], 250)
    x = np.concatenate([x, [0.0, -0.0, 1.0, np.inf, -np.inf, np.nan]])
    r = _core.round_to(code, x)
    with np.errstate(over="ignore"):
        expect = x.astype(dt).astype(np.float64)
    np.testing.assert_array_equal(r, expect)
    above = np.asarray(_core.at_or_above(code, x[np.isfinite(x)]))
    below = np.asarray(_core.below(code, x[np.isfinite(x)]))
    finite = x[np.isfinite(x)]
    assert np.all(above >= finite) and np.all(below < finite)
    # nothing of the dtype lies strictly between: the neighbours are one step apart
    step_up = np.nextafter(below.astype(dt), np.array(np.inf, dt)).astype(np.float64)
    assert np.all(step_up >= finite)
    assert np.isnan(_core.round_to(code, np.nan))
    assert _core.max_finite(code) == float(np.finfo(dt).max)


def test_checks_raise_what_the_fill_raises() -> None:
    out = np.empty(4, np.float32)
    for args in [(1.0, 0.0), (0.0, np.inf), (-1e39, 0.0)]:
        with pytest.raises((ValueError, OverflowError)) as fill_error:
            _core.uniform(out, 1, (4,), (0,), (4,), 0, 0, 0, *args)
        with pytest.raises(fill_error.type, match=str(fill_error.value).split(",")[0]):
            _core.check_uniform(1, *args)
    with pytest.raises(ValueError, match="lower, upper"):
        _core.check_truncated_normal(1, 0.0, 1.0, 2.0, 1.0)
    _core.check_truncated_normal(1, 0.0, 1.0, -2.0, 2.0)
