"""A shared warehouse for a test: a fresh database on the session's real PostgreSQL, a data
folder, and what the tests compare (figures, the trail, the cells)."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.reliability.common import CLI, REPO


@dataclass(frozen=True)
class SharedLake:
    url: str
    data: Path

    def env(self) -> dict[str, str]:
        """A clean environment for a subprocess that works on this lake."""
        base = {k: v for k, v in os.environ.items() if not k.startswith("CI_MEASURE_")}
        return {
            **base,
            "CI_MEASURE_SETTLE_S": "0",
            "CI_MEASURE_WAREHOUSE": self.url,
            "CI_MEASURE_LAKE_DATA": str(self.data),
        }

    def run(self, *args: object, timeout: float = 300, **extra: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [*CLI, *map(str, args)],
            cwd=REPO,
            env={**self.env(), **extra},
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    def popen(self, *args: object, **extra: str) -> subprocess.Popen:
        return subprocess.Popen(
            [*CLI, *map(str, args)],
            cwd=REPO,
            env={**self.env(), **extra},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def query(self, sql: str) -> list[tuple]:
        """Read the lake directly (not through ci-measure)."""
        from ci_measure.warehouse import lake

        con = lake.connect(lake.Lake(self.url, str(self.data) + "/"), read_only=True)
        try:
            return con.execute(sql).fetchall()
        finally:
            con.close()


@pytest.fixture
def shared_lake(postgres, tmp_path: Path, monkeypatch) -> Iterator[SharedLake]:  # noqa: ANN001
    """A new, empty lake; in-process code uses it too (CI_MEASURE_WAREHOUSE is set)."""
    from ci_measure.warehouse import lake

    database = postgres.create_database("lake")
    shared = SharedLake(f"ducklake:postgres:{postgres.dsn(database)}", tmp_path / "lake-data")
    monkeypatch.setenv("CI_MEASURE_WAREHOUSE", shared.url)
    monkeypatch.setenv("CI_MEASURE_LAKE_DATA", str(shared.data))
    yield shared
    lake.forget(lake.Lake(shared.url, str(shared.data) + "/"))


def copy_demo(target: Path) -> Path:
    """A demo workspace (the demo partnership and its files waiting in the inbox)."""
    from ci_measure.config.workspace import init_workspace

    return init_workspace(target, demo=True)
