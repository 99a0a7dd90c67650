"""Concurrency: several `ingest` processes and a Dagster run on one inbox at once.

Promises (issue 9): every file processed exactly once; nobody sees a lock error (writers
wait their turn, and say so; after a bounded time they stop with one clear line); readers
(`ci-measure indicators`, `indicators.compute` in a notebook) keep working during writes.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from tests.reliability.common import (
    CLI,
    REPO,
    check_consistent,
    copy_workspace,
    run_cli,
    waiting,
    xlsx_bytes,
)

FILES = 50
LOCK_WORDS = (
    "could not set lock",
    "conflicting lock",
    "warehouse_busy",
    "traceback",
    "internal_error",
)


def _fifty_files(root: Path) -> dict[str, str]:
    """50 files over three partners, every one writing its own cells; five are rejected.

    Returns {file name: expected status}.
    """
    expected: dict[str, str] = {}
    for n in range(FILES):
        year = 1980 + n
        if n % 10 == 9:  # rejected: a word where a number belongs
            name, partner = f"{n:02d}-fejl.csv", "SKOLE"
            data = f"dataelement;område;periode;værdi\nELEVER_AFGANG_9KL;0561-OST-S;{year}/{(year + 1) % 100:02d};mange\n"
            status = "rejected"
        elif n % 3 == 0:
            name, partner = f"{n:02d}-skole.csv", "SKOLE"
            school_year = f"{year}/{(year + 1) % 100:02d}"
            data = (
                "dataelement;område;periode;køn;værdi\n"
                f"ELEVER_AFGANG_9KL;0561-OST-N;{school_year};M;{40 + n}\n"
                f"ELEVER_UDD_15MD;0561-OST-N;{school_year};M;{30 + n}\n"
                f"ELEVER_AFGANG_9KL;0561-OST-S;{school_year};_T;{50 + n}\n"
                f"ELEVER_UDD_15MD;0561-OST-S;{school_year};_T;{45 + n}\n"
            )
            status = "accepted"
        elif n % 3 == 1:
            name, partner = f"{n:02d}-ngo.csv", "NGO"
            data = "data_element,area,period,value\n" + "".join(
                f"INKL_DELTAGERE,0561-OST-N,{year}-Q{q},{n + q}\n" for q in (1, 2, 3, 4)
            )
            status = "accepted"
        else:
            name, partner = f"{n:02d}-kommune.xlsx", "KOMMUNE"
            rows = [["data_element", "area", "period", "value"]]
            rows += [
                ["BEF_25", "0561-OST", str(year), 400 + n],
                ["BEF_25_UDD", "0561-OST", str(year), 300 + n],
            ]
            data = xlsx_bytes(rows)
            status = "accepted"
        path = root / "inbox" / partner / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
        os.utime(path, (2_000_000 + n, 2_000_000 + n))
        expected[name] = status
    return expected


@pytest.fixture(scope="module")
def inbox(tmp_path_factory) -> tuple[Path, dict[str, str]]:
    from tests.conftest import PARTNERSHIP

    root = tmp_path_factory.mktemp("fifty") / "ws"
    (root / "inbox").mkdir(parents=True)
    (root / "partnership.yaml").write_text(PARTNERSHIP, encoding="utf-8")
    return root, _fifty_files(root)


def _facts(root: Path) -> dict:
    """What must not depend on who took which file in: trail, cells, figures, receipts."""
    from ci_measure.config.workspace import load_workspace
    from ci_measure.figures import indicator_rows, present

    ws = load_workspace(root)
    with duckdb.connect(str(root / "warehouse.duckdb"), read_only=True) as con:
        trail = sorted(
            con.execute(
                "SELECT partner, file_name, sha256, status, rows, archive_path FROM submissions"
            ).fetchall()
        )
        cells = sorted(
            con.execute(
                "SELECT s.file_name, o.data_element, o.area, o.period, o.sex, o.origin, o.value"
                " FROM observations o JOIN submissions s ON s.id = o.submission_id"
            ).fetchall()
        )
    receipts = sorted(
        str(p.relative_to(root))
        for p in (root / "outbox").rglob("*")
        if p.is_file() and not p.name.startswith(".")
    )
    return {
        "trail": trail,
        "cells": cells,
        "receipts": receipts,
        "indicators": present.to_csv(indicator_rows(ws)),
        "published": present.to_csv(indicator_rows(ws, published=True)),
    }


def _reported_files(text: str) -> list[str]:
    """The file names an ingest printed a receipt for (first line of each receipt)."""
    names = []
    for line in text.splitlines():
        if line.startswith(("Godkendt / Accepted: ", "Afvist / Rejected: ")):
            names.append(line.split(": ", 1)[1].split(" (", 1)[0])
    return names


def test_three_ingests_a_dagster_run_and_readers_at_once_take_each_file_exactly_once(
    inbox, tmp_path
):
    template, expected = inbox
    reference = copy_workspace(template, tmp_path / "reference")
    sequential = run_cli("ingest", "--workspace", reference)
    assert sequential.returncode == 1, sequential.stderr  # five files are rejected on purpose
    assert sorted(_reported_files(sequential.stdout)) == sorted(expected)

    root = copy_workspace(template, tmp_path / "ws")
    env = {k: v for k, v in os.environ.items() if not k.startswith("CI_MEASURE_")}
    # The files were copied just now: without this the sensor would (rightly) leave them to
    # settle for three seconds and ask for no run at all, while the command-line ingests wait.
    env["CI_MEASURE_SETTLE_S"] = "0"
    start = time.monotonic()
    logs = [(tmp_path / f"out{i}.txt", tmp_path / f"err{i}.txt") for i in range(4)]
    handles = [(open(out, "w"), open(err, "w")) for out, err in logs]  # noqa: SIM115
    # The Dagster process first: its sensor asks for runs, then the command-line ingests start,
    # so on any machine its runs and the three ingests compete for the very same files.
    ready = tmp_path / "sensor-asked"
    commands = [[sys.executable, "-m", "tests.reliability.dagster_ingest", str(root), str(ready)]]
    commands += [[*CLI, "ingest", "--workspace", str(root)]] * 3
    writers = []
    for command, (out, err) in zip(commands, handles, strict=True):
        writers.append(
            subprocess.Popen(
                command,
                cwd=REPO,
                env={**env, "DAGSTER_HOME": str(tmp_path)},
                stdout=out,
                stderr=err,
                text=True,
            )
        )
        while len(writers) == 1 and not ready.exists() and writers[0].poll() is None:
            assert time.monotonic() - start < 180, "the Dagster sensor never asked for a run"
            time.sleep(0.05)
    # A command-line reader and a notebook reader, over and over while the writers run.
    cli_reads: list[tuple[int, str, float]] = []
    notebook_reads: list[tuple[int, float]] = []
    import indicators

    try:
        while any(w.poll() is None for w in writers) and time.monotonic() - start < 300:
            began = time.monotonic()
            read = run_cli("indicators", "--workspace", root, "--format", "csv", timeout=60)
            cli_reads.append((read.returncode, read.stderr, time.monotonic() - began))
            began = time.monotonic()
            frame = indicators.compute(workspace=str(root))
            notebook_reads.append((len(frame), time.monotonic() - began))
        for writer in writers:
            writer.wait(timeout=60)
    finally:
        for writer in writers:
            writer.kill()
        for out, err in handles:
            out.close()
            err.close()
    outputs = [(out.read_text(), err.read_text()) for out, err in logs]
    elapsed = time.monotonic() - start

    for process, (_, err) in zip(writers[1:], outputs[1:], strict=True):
        assert process.returncode in (0, 1), err
        assert not any(word in err.lower() for word in LOCK_WORDS), err
    dagster_out, dagster_err = outputs[0]
    assert writers[0].returncode == 0, dagster_err[-3000:]
    assert not any(word in dagster_err.lower() for word in ("could not set lock", "warehouse_busy"))
    runs = [json.loads(line) for line in dagster_out.splitlines() if line.startswith("{")]
    assert runs and all(r["success"] for r in runs), runs

    # Every file exactly once: one receipt printed by exactly one ingest, or loaded by Dagster.
    by_cli = [name for out, _ in outputs[1:] for name in _reported_files(out)]
    by_dagster = [r["file"] for r in runs if r["status"] in ("accepted", "rejected")]
    assert sorted(by_cli + by_dagster) == sorted(expected), "a file was lost or taken in twice"
    took = [len(_reported_files(out)) for out, _ in outputs[1:]]
    assert sum(n > 0 for n in took) >= 2, f"turns were not shared: {took}"  # no starvation
    assert waiting(root) == []
    check_consistent(root)
    facts = _facts(root)
    assert len(facts["trail"]) == FILES
    assert {(row[1], row[3]) for row in facts["trail"]} == set(expected.items())
    assert facts == _facts(reference), "concurrent ingests must give the figures of one ingest"

    # The readers never failed, never saw a lock, and never waited long.
    assert len(cli_reads) >= 2 and len(notebook_reads) >= 2, (elapsed, cli_reads)
    for code, err, seconds in cli_reads:
        assert code == 0 and not any(word in err.lower() for word in LOCK_WORDS), err
        assert seconds < 30
    assert all(seconds < 30 for _, seconds in notebook_reads)
    assert notebook_reads[-1][0] > 0


def test_a_waiting_ingest_says_so_and_gives_up_after_a_bounded_time_with_one_line(inbox, tmp_path):
    from ci_measure.config.workspace import load_workspace
    from ci_measure.intake.ingest import ingest_lock

    root = copy_workspace(inbox[0], tmp_path / "ws")
    with ingest_lock(load_workspace(root)):  # another ingest is busy for a long time
        began = time.monotonic()
        result = run_cli("ingest", "--workspace", root, env={"CI_MEASURE_LOCK_TIMEOUT": "4"})
        seconds = time.monotonic() - began
    assert result.returncode == 2
    assert 4 <= seconds < 30
    lines = result.stderr.strip().splitlines()
    assert lines[0] == "waiting for another ingest to finish…"
    assert len(lines) == 2 and lines[1].startswith(
        "[warehouse_busy] another ingest (or Dagster run)"
    )
    assert "for more than 4 s" in lines[1] and "run ingest again" in lines[1]
    assert "Traceback" not in result.stderr
    assert len(waiting(root)) == FILES, "a writer that gave up must not have touched any file"
    assert not (root / "warehouse.duckdb").exists()


def _first_line(stream, timeout: float) -> str:
    """The first line a child writes to ``stream`` ('' when it writes none in time)."""
    import select

    ready, _, _ = select.select([stream], [], [], timeout)
    return stream.readline() if ready else ""


def test_a_waiting_ingest_goes_ahead_when_the_other_one_finishes(inbox, tmp_path):
    """Waiting its turn is not an error: the second writer starts when the lock is free."""
    from ci_measure.config.workspace import load_workspace
    from ci_measure.intake.ingest import ingest_lock

    root = copy_workspace(inbox[0], tmp_path / "ws")
    with ingest_lock(load_workspace(root)):
        process = subprocess.Popen(
            [*CLI, "ingest", "--workspace", str(root), "--partner", "NGO"],
            cwd=REPO,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        # However loaded the machine, hold the lock until it has started, found the lock
        # taken and said so (a fixed sleep raced a slow start-up).
        said = _first_line(process.stderr, timeout=120)
        assert process.poll() is None, "the second ingest must wait, not fail"
    out, err = process.communicate(timeout=120)
    assert process.returncode == 0, said + err
    assert said.strip() == "waiting for another ingest to finish…" and err.strip() == ""
    ngo = sum(name.endswith("-ngo.csv") for name in inbox[1])
    assert f"{ngo} accepted, 0 rejected" in out
    assert all(not name.endswith("-ngo.csv") for name in waiting(root))


def test_readers_wait_for_a_writer_holding_the_warehouse_and_give_up_with_one_line(tmp_path, cli):
    """A DuckDB write connection (a running transaction) held by another process."""
    from tests.conftest import PARTNERSHIP
    from tests.helpers import write
    from tests.reliability.common import GOOD

    root = tmp_path / "ws"
    (root / "inbox").mkdir(parents=True)
    (root / "partnership.yaml").write_text(PARTNERSHIP, encoding="utf-8")
    write(root / "inbox" / "SKOLE" / "a.csv", GOOD)
    assert cli("ingest", "--workspace", root)[0] == 0
    expected = cli("indicators", "--workspace", root, "--format", "csv")[1]
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys, time; con = duckdb.connect(sys.argv[1]); print('held', flush=True);"
            " time.sleep(float(sys.argv[2]))",
            str(root / "warehouse.duckdb"),
            "5",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout.readline().strip() == "held"
    busy = run_cli(
        "indicators", "--workspace", root, "--format", "csv", env={"CI_MEASURE_LOCK_TIMEOUT": "1"}
    )
    assert busy.returncode == 2
    assert busy.stderr.strip().splitlines()[-1].startswith("[warehouse_busy] the warehouse ")
    assert "Traceback" not in busy.stderr and "Could not set lock" not in busy.stderr
    patient = run_cli("indicators", "--workspace", root, "--format", "csv")
    holder.wait(timeout=30)
    assert patient.returncode == 0, patient.stderr
    assert patient.stdout == expected
