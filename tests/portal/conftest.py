"""A small workspace with partner links, and an in-process client for the portal."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.portal.support import TestClient, links_for, make_workspace


@pytest.fixture
def portal_root(tmp_path: Path) -> Path:
    """A workspace with a 1 MB file limit (so the size refusals are cheap to provoke)."""
    return make_workspace(tmp_path / "ws", "max_file_mb: 1\n")


@pytest.fixture
def links(portal_root: Path) -> dict[str, str]:
    return links_for(portal_root, "SKOLE", "NGO")


@pytest.fixture
def client(portal_root: Path, links):  # noqa: ANN001 - links first: the app reads tokens.json
    from ci_measure.portal.app import create_app

    with TestClient(create_app(portal_root), follow_redirects=True) as test_client:
        yield test_client
