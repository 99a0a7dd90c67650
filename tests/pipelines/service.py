"""The real running service for tests, read through its GraphQL API: `make dagster` as
shipped, or the production trio of docs/deployment.md (code server, webserver, daemon), on free
ports on 127.0.0.1 with the instance in tmp_path.

Every process shares one process group (Dagster starts its children in its own group), so
stopping the group stops them all, even when the test failed half-way.
"""

from __future__ import annotations

import json
import os
import shlex
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
LOCATION = "ci_measure"
REPOSITORY = "__repository__"  # what Dagster calls the one repository of a Definitions
# docs/deployment.md's three commands, word for word (a test finds each in the document).
CODE_SERVER = (
    'dagster code-server start -h 127.0.0.1 -p "$DAGSTER_CODE_SERVER_PORT" '
    "-m pipelines.definitions --location-name ci_measure"
)
WEBSERVER = "dagster-webserver -h 127.0.0.1 -p 3000 -w deploy/workspace.yaml"
DAEMON = "dagster-daemon run -w deploy/workspace.yaml"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def clean_env(**extra: str) -> dict[str, str]:
    """This environment without a parent make's flags or a DAGSTER_HOME of its own."""
    drop = ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "DAGSTER_HOME", "CI_MEASURE_WORKSPACE")
    return {**{k: v for k, v in os.environ.items() if k not in drop}, **extra}


@dataclass
class Service:
    port: int
    log: Path
    processes: list[subprocess.Popen] = field(default_factory=list)

    def graphql(self, query: str, variables: Mapping[str, Any] | None = None) -> dict:
        body = json.dumps({"query": query, "variables": dict(variables or {})}).encode()
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.port}/graphql",
            data=body,
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=60) as response:
            answer = json.loads(response.read())
        assert "errors" not in answer, answer["errors"]
        return answer["data"]

    def log_tail(self, chars: int = 6000) -> str:
        return self.log.read_text(errors="replace")[-chars:] if self.log.exists() else ""

    def wait_for(
        self, what: str, probe: Callable[[], Any], timeout: float, every: float = 2
    ) -> Any:
        """Poll ``probe`` until it returns something truthy; fail with the service's log."""
        deadline = time.monotonic() + timeout
        last_error: Exception | None = None
        while time.monotonic() < deadline:
            for process in self.processes:
                if process.poll() is not None:
                    raise AssertionError(
                        f"{process.args[:3]} ended ({process.returncode}) before {what}:\n"
                        + self.log_tail()
                    )
            try:
                found = probe()
                if found:
                    return found
            except (urllib.error.URLError, ConnectionError, TimeoutError, AssertionError) as error:
                last_error = error
            time.sleep(every)
        raise AssertionError(
            f"no {what} within {timeout:.0f} s (last error: {last_error!r})\n{self.log_tail()}"
        )


def group_members(pgid: int) -> list[int]:
    """Live (not zombie) processes of a process group, read from /proc."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            found.append(int(stat.parent.name))
    return found


def _stop_group(pgid: int, processes: Sequence[subprocess.Popen], grace: float = 60) -> None:
    """SIGTERM to the whole group (Dagster shuts its children down), then SIGKILL what is left."""
    try:
        os.killpg(pgid, signal.SIGTERM)
    except ProcessLookupError:
        pass
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline and (
        any(p.poll() is None for p in processes) or group_members(pgid)
    ):
        time.sleep(0.5)
    try:
        os.killpg(pgid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    for process in processes:
        process.wait(timeout=30)


@contextmanager
def process_group(log: Path, port: int) -> Iterator[tuple[Service, Callable[..., None]]]:
    """A Service whose processes (started with the returned function) share one group."""
    service = Service(port=port, log=log)
    out = open(log, "ab")

    def start(args: Sequence[str], env: Mapping[str, str]) -> None:
        # The first process leads a new group (in this session, so the others may join it).
        group = service.processes[0].pid if service.processes else 0
        service.processes.append(
            subprocess.Popen(
                list(args),
                cwd=REPO,
                env=dict(env),
                stdout=out,
                stderr=subprocess.STDOUT,
                process_group=group,
            )
        )

    try:
        yield service, start
    finally:
        if service.processes:
            _stop_group(service.processes[0].pid, service.processes)
        out.close()


@contextmanager
def make_dagster(workspace: Path, log: Path) -> Iterator[Service]:
    """`make dagster WORKSPACE=… DAGSTER_PORT=…` as shipped (SQLite under the workspace)."""
    port = free_port()
    args = [
        "make",
        "--no-print-directory",
        "-o",
        "setup",  # the test's interpreter is already set up; never reinstall from a test
        "dagster",
        f"WORKSPACE={workspace}",
        f"DAGSTER_PORT={port}",
        f"BIN={BIN}",
    ]
    with process_group(log, port) as (service, start):
        start(args, clean_env())
        yield service


def _code_server_ready(port: int) -> bool:
    health = subprocess.run(
        [str(BIN / "dagster"), "api", "grpc-health-check", "-p", str(port)],
        capture_output=True,
        timeout=60,
    )
    return health.returncode == 0


def _command(line: str, **values: int) -> list[str]:
    """A documented command line with this test's ports, run with this interpreter's scripts."""
    line = line.replace('"$DAGSTER_CODE_SERVER_PORT"', str(values["code_port"]))
    words = shlex.split(line.replace("-p 3000", f"-p {values['web_port']}"))
    return [str(BIN / words[0]), *words[1:]]


@contextmanager
def production(workspace: Path, home: Path, pg_url: str, log: Path) -> Iterator[Service]:
    """docs/deployment.md, step by step: deploy/dagster.yaml in DAGSTER_HOME, then the code
    server, the webserver and the daemon (both through deploy/workspace.yaml)."""
    home.mkdir(parents=True, exist_ok=True)
    (home / "dagster.yaml").write_bytes((REPO / "deploy" / "dagster.yaml").read_bytes())
    ports = {"code_port": free_port(), "web_port": free_port()}
    env = clean_env(
        DAGSTER_HOME=str(home),
        DAGSTER_PG_URL=pg_url,
        DAGSTER_CODE_SERVER_PORT=str(ports["code_port"]),
        CI_MEASURE_WORKSPACE=str(workspace),
    )
    with process_group(log, ports["web_port"]) as (service, start):
        start(_command(CODE_SERVER, **ports), env)
        service.wait_for("code server", lambda: _code_server_ready(ports["code_port"]), 300)
        start(_command(WEBSERVER, **ports), env)
        start(_command(DAEMON, **ports), env)
        yield service
