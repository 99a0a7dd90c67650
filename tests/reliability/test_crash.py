"""Crash safety (SPEC §8: "a crash at any moment leaves every file either fully loaded or
still waiting to be processed").

`ci-measure ingest` is killed with SIGKILL at every named step (ci_measure.faults), and at
random moments from outside; a full disk is simulated at every step. After each: the
warehouse is consistent, a rerun finishes the work, and the result equals an uninterrupted
run's exactly (figures, audit trail, receipts, archive, inbox).
"""

from __future__ import annotations

import random
import signal
import subprocess
import time
from pathlib import Path

import pytest

from ci_measure import faults
from tests.reliability.common import (
    CLI,
    REPO,
    check_consistent,
    copy_workspace,
    fill_inbox,
    run_cli,
    snapshot,
    waiting,
)

# (point, n-th hit): the first file, and later files where order and latest-wins matter.
CRASH_POINTS = [
    ("after_lock", 1),
    ("after_read", 1),
    ("archive_tmp", 1),
    ("after_archive", 1),
    ("inside_transaction", 1),
    ("after_commit", 1),
    ("after_close", 1),
    ("receipt_tmp", 2),  # the JSON receipt of the first file, half written
    ("after_receipt_txt", 1),
    ("after_receipt_json", 1),
    ("after_receipt_html", 1),
    ("before_unlink", 1),
    ("after_unlink", 1),
    ("after_read", 3),  # the rejected file
    ("after_commit", 3),
    ("inside_transaction", 4),  # the file with a CPR number (deleted, never archived)
    ("before_unlink", 4),
    ("inside_transaction", 5),  # the correction: latest wins must survive the crash
    ("inside_migration", 1),  # the first file: the warehouse's tables half created
]


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    """A workspace with six files waiting (accepted, xlsx, rejected, CPR, correction, NGO)."""
    from tests.conftest import PARTNERSHIP

    root = tmp_path_factory.mktemp("template") / "ws"
    (root / "inbox").mkdir(parents=True)
    (root / "partnership.yaml").write_text(PARTNERSHIP, encoding="utf-8")
    fill_inbox(root)
    return root


@pytest.fixture(scope="module")
def uninterrupted(template, tmp_path_factory) -> dict:
    root = copy_workspace(template, tmp_path_factory.mktemp("reference") / "ws")
    result = run_cli("ingest", "--workspace", root)
    assert result.returncode == 1, result.stderr  # one file is rejected on purpose
    assert waiting(root) == []
    return snapshot(root)


def _rerun_in_process(root: Path, cli) -> None:
    code, out, err = cli("ingest", "--workspace", root)
    assert code in (0, 1), err
    assert "Traceback" not in err and "lock" not in err.lower()
    assert waiting(root) == []


def test_every_fault_point_is_reached_in_an_ingest(template, tmp_path, monkeypatch):
    """The list above is not stale: an ingest passes every point the core declares."""
    from ci_measure.config.workspace import load_workspace
    from ci_measure.intake.ingest import ingest_inbox

    seen: list[str] = []
    monkeypatch.setattr(faults, "point", seen.append)
    root = copy_workspace(template, tmp_path / "ws")
    ingest_inbox(load_workspace(root))
    assert set(seen) == set(faults.POINTS)
    assert {name for name, _ in CRASH_POINTS} == set(faults.POINTS)


@pytest.mark.parametrize(("point", "nth"), CRASH_POINTS, ids=[f"{p}#{n}" for p, n in CRASH_POINTS])
def test_a_kill_at_any_step_then_a_rerun_gives_the_uninterrupted_result(
    point, nth, template, uninterrupted, tmp_path, cli
):
    root = copy_workspace(template, tmp_path / "ws")
    killed = run_cli("ingest", "--workspace", root, env={"CI_MEASURE_CRASH_AT": f"{point}#{nth}"})
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    check_consistent(root)
    assert waiting(root), "a killed ingest of six files cannot have finished them all"
    _rerun_in_process(root, cli)
    check_consistent(root)
    assert snapshot(root) == uninterrupted


def _receipts(root: Path) -> int:
    outbox = root / "outbox"
    return sum(1 for p in outbox.rglob("*.json")) if outbox.exists() else 0


def test_kills_at_random_moments_from_outside_then_a_rerun(template, uninterrupted, tmp_path, cli):
    """SIGKILL from another process at random times, several times over the same workspace.

    A kill that comes after the process has finished does not count. Under load the files
    may all be taken before two kills landed: the kill window then shrinks, and if the inbox
    empties first the round starts again on a fresh copy (at most five rounds), so that at
    least two kills always land in the workspace that is checked.
    """
    rng = random.Random(20240607)
    for round_ in range(5):
        root = copy_workspace(template, tmp_path / f"ws{round_}")
        kills, window = _kill_repeatedly(root, rng)
        check_consistent(root)
        if kills >= 2:
            break
    assert kills >= 2, f"only {kills} kills landed in five rounds (window {window:.3f} s)"
    _rerun_in_process(root, cli)
    check_consistent(root)
    assert snapshot(root) == uninterrupted


def _kill_repeatedly(root: Path, rng: random.Random) -> tuple[int, float]:
    """Start `ingest` and kill it at a random moment, until the inbox is empty (at most
    twelve times); returns the kills that landed and the last kill window."""
    kills, window = 0, 0.5
    for _ in range(12):
        if not waiting(root):
            break
        process = subprocess.Popen(
            [*CLI, "ingest", "--workspace", str(root)],
            cwd=REPO,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        # Start-up time varies with the machine's load: wait until this process has taken
        # its first file (a new receipt), then kill it at a random moment within the next files.
        before, deadline = _receipts(root), time.monotonic() + 60
        while process.poll() is None and _receipts(root) == before and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(rng.uniform(0.0, window))
        process.send_signal(signal.SIGKILL)
        _, err = process.communicate(timeout=60)
        assert b"Traceback" not in err
        if process.returncode == -signal.SIGKILL:
            kills += 1
        else:
            window /= 2  # it finished first: aim earlier next time
        check_consistent(root)
    return kills, window


@pytest.mark.parametrize(("point", "nth"), CRASH_POINTS[:13], ids=[p for p, _ in CRASH_POINTS[:13]])
def test_a_full_disk_at_any_step_stops_with_one_line_and_a_rerun_completes(
    point, nth, template, uninterrupted, tmp_path, cli, monkeypatch
):
    root = copy_workspace(template, tmp_path / "ws")
    monkeypatch.setenv("CI_MEASURE_FAIL_AT", f"{point}#{nth}")
    faults.configure()
    try:
        code, out, err = cli("ingest", "--workspace", root)
    finally:
        monkeypatch.delenv("CI_MEASURE_FAIL_AT")
        faults.configure()
    assert code == 2, (out, err)
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err, err
    assert "[ingest_failed]" in err and "No space left on device" in err
    if point != "after_unlink":
        assert "1-skole.csv" in waiting(root), "a failed ingest must leave the file in the inbox"
        assert "stays in the inbox" in err
    check_consistent(root)
    leftovers = [p for p in root.rglob(".*.tmp")]
    assert leftovers == [], "a failed write cleans up its temporary file"
    _rerun_in_process(root, cli)
    check_consistent(root)
    assert snapshot(root) == uninterrupted


def test_temporary_files_left_by_a_crash_are_ignored(template, tmp_path, cli):
    root = copy_workspace(template, tmp_path / "ws")
    killed = run_cli("ingest", "--workspace", root, env={"CI_MEASURE_CRASH_AT": "receipt_tmp"})
    assert killed.returncode == -signal.SIGKILL
    (root / "archive").mkdir(exist_ok=True)
    for folder in (root / "archive", root / "outbox" / "SKOLE", root / "inbox" / "SKOLE"):
        (folder / ".1-skole.csv.0123abcd.tmp").write_text("half a file", encoding="utf-8")
    assert list(root.rglob(".*.tmp"))
    assert ".1-skole.csv.0123abcd.tmp" not in waiting(root)
    _rerun_in_process(root, cli)
    check_consistent(root)
    code, out, _ = cli("ingest", "--workspace", root)
    assert code == 0 and "No files waiting" in out


def test_a_kill_before_the_first_tables_exist_leaves_every_reader_working(template, tmp_path, cli):
    """A first ingest killed after DuckDB created the file but before the tables: an empty
    database. Readers must not fail on it (they used to: "Table ... does not exist")."""
    import duckdb

    root = copy_workspace(template, tmp_path / "ws")
    duckdb.connect(str(root / "warehouse.duckdb")).close()
    check_consistent(root)
    for command in (["indicators"], ["history"], ["status"], ["indicators", "--published"]):
        code, out, err = cli(*command, "--workspace", root)
        assert code == 0 and err == "", (command, err)
    _rerun_in_process(root, cli)
    check_consistent(root)
