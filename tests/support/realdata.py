"""The shared real third-party files (../shared/realdata, or CI_MEASURE_REALDATA).

Tests that read them skip on a developer's machine without the collection — saying which
file is missing and where it was looked for — and fail under CI=true, where a green run must
mean every test ran (issue 20).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import REALDATA
from tests.support.services import under_ci


def require_realdata(available: bool, what: str = "the shared real files") -> None:
    """Skip (locally) or fail (CI=true) when a shared real file is missing."""
    if available:
        return
    message = f"{what} not found under {REALDATA} (set CI_MEASURE_REALDATA to the collection)"
    if under_ci():
        pytest.fail(f"CI=true: {message}", pytrace=False)
    pytest.skip(message)


def real(name: str) -> Path:
    """The path of one shared real file; skip or fail as above when it is missing."""
    path = REALDATA / name
    require_realdata(path.exists(), f"the shared real file {name}")
    return path
