"""A test that needs an OS package or service: skip on a developer's machine, fail under CI.

`.ci/run` installs what the tests need (Chromium, PostgreSQL) when it is absent, so on CI a
missing service means the set-up is broken, and a green run must mean every test ran.
"""

from __future__ import annotations

import os

import pytest


def under_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")


def require(available: bool, what: str) -> None:
    """Skip (locally) or fail (CI=true) when ``what`` is not available."""
    if available:
        return
    message = f"{what} is not available; `.ci/run` installs it (apt-get)"
    if under_ci():
        pytest.fail(f"CI=true: {message}", pytrace=False)
    pytest.skip(message)
