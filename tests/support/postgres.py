"""A real PostgreSQL server owned by one test session: initdb in a temp folder, a Unix socket
there (no TCP port), stopped and removed afterwards.

Debian's `postgresql` puts `initdb` and `pg_ctl` in the folder `pg_config --bindir` names, not
on PATH. PostgreSQL refuses to run as root: as root the server runs as the `postgres` user
(`runuser`), in a folder that user owns.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.services import require


@dataclass(frozen=True)
class Postgres:
    socket_dir: Path  # host= for libpq: a folder means a Unix socket
    port: int
    user: str

    def dsn(self, dbname: str = "postgres") -> str:
        """libpq key=value form (DuckDB's postgres/ducklake ATTACH, psql)."""
        return f"dbname={dbname} host={self.socket_dir} port={self.port} user={self.user}"

    def url(self, dbname: str = "postgres") -> str:
        """URL form (SQLAlchemy, dagster-postgres)."""
        return f"postgresql://{self.user}@/{dbname}?host={self.socket_dir}&port={self.port}"

    def psql(self, sql: str, dbname: str = "postgres") -> str:
        result = subprocess.run(
            [
                str(_bindir() / "psql"),
                "-X",
                "-A",
                "-t",
                "-v",
                "ON_ERROR_STOP=1",
                "-c",
                sql,
                self.dsn(dbname),
            ],
            capture_output=True,
            text=True,
            check=True,
        )
        return result.stdout.strip()

    def create_database(self, prefix: str = "t") -> str:
        name = f"{prefix}_{uuid.uuid4().hex[:10]}"
        self.psql(f"CREATE DATABASE {name}")
        return name


def _bindir() -> Path:
    found = shutil.which("pg_config")
    if found:
        out = subprocess.run([found, "--bindir"], capture_output=True, text=True).stdout.strip()
        if out and (Path(out) / "initdb").exists():
            return Path(out)
    for candidate in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
        if (candidate / "initdb").exists():
            return candidate
    return Path("/nonexistent")


def available() -> bool:
    return (_bindir() / "initdb").exists() and (_bindir() / "pg_ctl").exists()


def _as_owner(args: list[str]) -> list[str]:
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *args]
    return args


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def postgres() -> Iterator[Postgres]:
    """A running server for the whole session (each test makes its own database)."""
    require(available(), "PostgreSQL (Debian package 'postgresql')")
    with running() as server:
        yield server


@contextmanager
def running() -> Iterator[Postgres]:
    """A throw-away server in a temporary folder, stopped and removed afterwards (also used
    by benchmarks/concurrency.py)."""
    root = Path(tempfile.mkdtemp(prefix="cm-pg-"))
    data = root / "data"
    user = "postgres" if os.geteuid() == 0 else os.environ.get("USER", "postgres")
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
    os.chmod(root, 0o755)
    bindir = _bindir()
    subprocess.run(
        _as_owner(
            [
                str(bindir / "initdb"),
                "-D",
                str(data),
                "-A",
                "trust",
                "-U",
                user,
                "--no-sync",
                "-E",
                "UTF8",
            ]
        ),
        check=True,
        capture_output=True,
    )
    port = _free_port()
    options = f"-p {port} -k {root} -c listen_addresses='' -c fsync=off -c max_connections=200"
    subprocess.run(
        _as_owner(
            [
                str(bindir / "pg_ctl"),
                "-D",
                str(data),
                "-o",
                options,
                "-l",
                str(root / "server.log"),
                "-w",
                "-t",
                "60",
                "start",
            ]
        ),
        check=True,
        capture_output=True,
    )
    server = Postgres(socket_dir=root, port=port, user=user)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                server.psql("SELECT 1")
                break
            except subprocess.CalledProcessError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        yield server
    finally:
        subprocess.run(
            _as_owner([str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"]),
            capture_output=True,
        )
        shutil.rmtree(root, ignore_errors=True)
