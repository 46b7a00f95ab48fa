"""The error an optional integration raises when its package cannot be imported."""

from __future__ import annotations


def missing(message: str, cause: ImportError) -> ImportError:
    """``ModuleNotFoundError`` when the package is absent, ``ImportError`` when it is present
    but fails to import, with our ``message``; raise it ``from`` the cause.

    The distinction matters to callers: ``pytest.importorskip`` (pytest >= 9) and
    ``except ModuleNotFoundError`` treat only a missing module as "not installed".
    """
    kind = ModuleNotFoundError if isinstance(cause, ModuleNotFoundError) else ImportError
    return kind(message, name=cause.name)
