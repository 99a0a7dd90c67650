"""N concurrent ingest processes: files per minute, and how long a reader waits meanwhile,
for the embedded warehouse and for the shared DuckLake on PostgreSQL (issue 18).

    .venv/bin/python -m benchmarks.concurrency [--files 48] [--processes 1 2 4]

Embedded: N `ci-measure ingest` processes on one workspace (one inbox). Lake: N workspaces
("machines", each with its own inbox of FILES/N files) sharing one lake on a throw-away
PostgreSQL this script starts (as the tests do). Every file writes its own cells. While the
ingests run, this process computes every figure (`indicators.compute`) over and over and
records each call's time: reader latency. Not part of `make test`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.conftest import PARTNERSHIP  # noqa: E402
from tests.support.postgres import running  # noqa: E402
from tests.support.small_files import small_files  # noqa: E402

CLI = [sys.executable, "-m", "ci_measure.cli"]


def workspace(root: Path, chosen: dict[str, tuple[str, str]]) -> Path:
    (root / "inbox").mkdir(parents=True)
    (root / "partnership.yaml").write_text(PARTNERSHIP, encoding="utf-8")
    for name, (partner, text) in chosen.items():
        path = root / "inbox" / partner / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def measure(
    roots: list[Path], processes: int, env: dict[str, str], read: bool = True
) -> dict[str, float]:
    """Start the ingests, read while they run (unless not ``read``); wall time and reader
    latencies."""
    import indicators

    started = time.monotonic()
    running_ingests = [
        subprocess.Popen(
            [*CLI, "ingest", "--workspace", str(roots[i % len(roots)])],
            cwd=REPO,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        for i in range(processes)
    ]
    latencies = []
    while any(p.poll() is None for p in running_ingests):
        if not read:
            time.sleep(0.05)
            continue
        began = time.monotonic()
        indicators.compute(str(roots[0]))
        latencies.append(time.monotonic() - began)
    wall = time.monotonic() - started
    for process in running_ingests:
        _, err = process.communicate()
        if process.returncode != 0:
            raise SystemExit(f"an ingest failed ({process.returncode}): {err[-2000:]}")
    return {
        "wall": wall,
        "reads": len(latencies),
        "median": statistics.median(latencies) if latencies else float("nan"),
        "max": max(latencies) if latencies else float("nan"),
    }


def embedded(base: Path, count: int, processes: int, read: bool) -> dict[str, float]:
    root = workspace(base / f"embedded-{processes}-{read}", small_files(count))
    env = {k: v for k, v in os.environ.items() if not k.startswith("CI_MEASURE_")}
    os.environ.pop("CI_MEASURE_WAREHOUSE", None)
    os.environ.pop("CI_MEASURE_LAKE_DATA", None)
    return measure([root], processes, {**env, "CI_MEASURE_SETTLE_S": "0"}, read)


def lake(base: Path, count: int, processes: int, server, read: bool) -> dict[str, float]:  # noqa: ANN001
    everything = sorted(small_files(count).items())
    roots = [
        workspace(base / f"lake-{processes}-{read}-{i}", dict(everything[i::processes]))
        for i in range(processes)
    ]
    url = f"ducklake:postgres:{server.dsn(server.create_database('bench'))}"
    settings = {
        "CI_MEASURE_WAREHOUSE": url,
        "CI_MEASURE_LAKE_DATA": str(base / f"data-{processes}"),
    }
    os.environ.update(settings)
    env = {k: v for k, v in os.environ.items() if not k.startswith("CI_MEASURE_")}
    return measure(roots, processes, {**env, **settings, "CI_MEASURE_SETTLE_S": "0"}, read)


def row(kind: str, processes: int, count: int, result: dict[str, float]) -> str:
    per_minute = count / result["wall"] * 60
    reads = (
        f"{result['reads']} | {result['median'] * 1000:.0f} ms | {result['max'] * 1000:.0f} ms"
        if result["reads"]
        else "no reader | – | –"
    )
    return f"| {kind} | {processes} | {count} | {result['wall']:.1f} s | **{per_minute:.0f}** | {reads} |"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=48)
    parser.add_argument("--processes", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument(
        "--without-reader", action="store_true", help="also each run with nobody reading"
    )
    args = parser.parse_args(argv)
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    print(f"{now}, {os.cpu_count()} cores, load {os.getloadavg()[0]:.2f}; {args.files} files\n")
    print("| warehouse | processes | files | wall | files/min | reads | read median | read max |")
    print("|---|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory(prefix="cm-bench-") as folder, running() as server:
        for read in (True, False) if args.without_reader else (True,):
            for processes in args.processes:
                base = Path(folder)
                result = embedded(base, args.files, processes, read)
                print(row("embedded", processes, args.files, result), flush=True)
                result = lake(base, args.files, processes, server, read)
                print(row("lake", processes, args.files, result), flush=True)
    print(f"\nload after: {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
