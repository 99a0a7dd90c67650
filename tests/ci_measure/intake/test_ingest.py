"""Ingest: archive, one transaction, receipts, latest wins, exactly once, crash-safe steps."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import duckdb
import pytest

from ci_measure import warehouse
from ci_measure.figures import cell_history
from ci_measure.intake import ingest
from tests.helpers import write

GOOD = "dataelement;område;periode;køn;værdi\nELEVER_AFGANG_9KL;0561-OST-N;2023/24;M;40\nELEVER_UDD_15MD;0561-OST-N;2023/24;M;34\n"
CORRECTION = "dataelement;område;periode;køn;værdi\nELEVER_UDD_15MD;0561-OST-N;2023/24;M;35\n"
BAD = "dataelement;område;periode;køn;værdi\nELEVER_AFGANG_9KL;0561-OST-N;2023/24;M;tolv\n"


def drop(
    workspace, name: str, text: str, partner: str = "SKOLE", mtime: float | None = None
) -> Path:
    path = write(workspace.inbox / partner / name, text)
    if mtime is not None:
        os.utime(path, (mtime, mtime))
    return path


def cells(workspace) -> list[tuple]:
    with warehouse.reader(workspace.warehouse_path) as con:
        return con.execute(
            f"SELECT data_element, area, period, sex, origin, value FROM ({warehouse.current_cells_sql('wh', None)}) ORDER BY ALL"
        ).fetchall()


def statuses(workspace) -> list[tuple]:
    with warehouse.reader(workspace.warehouse_path) as con:
        return con.execute("SELECT file_name, status FROM wh.submissions ORDER BY id").fetchall()


def test_an_accepted_file_is_loaded_archived_receipted_and_leaves_the_inbox(workspace):
    path = drop(workspace, "skole.csv", GOOD)
    [receipt] = ingest.ingest_inbox(workspace)
    assert receipt.status == "accepted" and receipt.changes == {
        "new": 2,
        "corrected": 0,
        "unchanged": 0,
    }
    assert not path.exists()
    assert (workspace.archive / f"{receipt.sha256}.csv").read_text(encoding="utf-8") == GOOD
    stem = f"skole.{receipt.sha256[:8]}"
    outbox = workspace.outbox / "SKOLE"
    assert json.loads((outbox / f"{stem}.json").read_text())["status"] == "accepted"
    assert "Godkendt" in (outbox / f"{stem}.txt").read_text() and (outbox / f"{stem}.html").exists()
    assert cells(workspace) == [
        ("ELEVER_AFGANG_9KL", "0561-OST-N", "2023/24", "M", "_T", 40.0),
        ("ELEVER_UDD_15MD", "0561-OST-N", "2023/24", "M", "_T", 34.0),
    ]


def test_a_rejected_file_leaves_the_figures_exactly_as_before(workspace):
    drop(workspace, "a.csv", GOOD, mtime=1_000)
    ingest.ingest_inbox(workspace)
    before = cells(workspace)
    drop(workspace, "b.csv", BAD)
    [receipt] = ingest.ingest_inbox(workspace)
    assert receipt.status == "rejected" and receipt.errors[0].code == "not_a_number"
    assert cells(workspace) == before
    assert statuses(workspace) == [("a.csv", "accepted"), ("b.csv", "rejected")]
    assert (workspace.archive / f"{receipt.sha256}.csv").exists()  # nothing is lost


def test_latest_wins_history_is_kept_and_as_of_sees_the_past(workspace):
    drop(workspace, "1.csv", GOOD, mtime=1_000)
    drop(workspace, "2.csv", CORRECTION, mtime=2_000)
    first, second = ingest.ingest_inbox(workspace)
    assert second.changes == {"new": 0, "corrected": 1, "unchanged": 0}
    assert ("ELEVER_UDD_15MD", "0561-OST-N", "2023/24", "M", "_T", 35.0) in cells(workspace)
    history = cell_history(workspace, "ELEVER_UDD_15MD", "0561-OST-N", "2023/24", sex="M")
    assert history["value"].tolist() == [34.0, 35.0]
    assert history["file_name"].tolist() == ["1.csv", "2.csv"]
    with warehouse.reader(workspace.warehouse_path) as con:
        as_of = warehouse.parse_received(first.received_at)
        old = con.execute(
            f"SELECT value FROM ({warehouse.current_cells_sql('wh', as_of)}) WHERE data_element = 'ELEVER_UDD_15MD'"
        ).fetchall()
    assert old == [(34.0,)]


def test_files_waiting_together_are_taken_oldest_first(workspace):
    drop(workspace, "z-first.csv", GOOD, mtime=1_000)
    drop(workspace, "a-second.csv", CORRECTION, mtime=2_000)
    receipts = ingest.ingest_inbox(workspace)
    assert [r.file for r in receipts] == ["z-first.csv", "a-second.csv"]
    assert ("ELEVER_UDD_15MD", "0561-OST-N", "2023/24", "M", "_T", 35.0) in cells(workspace)


def test_the_same_bytes_twice_are_recorded_once(workspace):
    drop(workspace, "a.csv", GOOD)
    ingest.ingest_inbox(workspace)
    drop(workspace, "a-again.csv", GOOD)
    [again] = ingest.ingest_inbox(workspace)
    assert again.note == "already_received"
    assert [w.code for w in again.warnings] == ["already_received"]
    assert statuses(workspace) == [("a.csv", "accepted")]
    # People read Danish local time with the zone named (one clock everywhere), not bare UTC.
    said = again.warnings[0].message_da
    assert re.search(r"\(a\.csv, \d\d-\d\d-\d{4} kl\. \d\d:\d\d CES?T\)", said), said
    assert "UTC" not in said + again.warnings[0].message_en


def test_personal_data_is_deleted_not_archived_and_never_written(workspace):
    text = "dataelement;område;periode;køn;værdi;kommentar\nELEVER_AFGANG_9KL;0561-OST-N;2023/24;M;40;0102031234\n"
    path = drop(workspace, "cpr.csv", text)
    [receipt] = ingest.ingest_inbox(workspace)
    assert receipt.status == "deleted" and not path.exists()
    assert list(workspace.archive.glob("*")) == []
    for file in workspace.root.rglob("*"):
        if file.is_file() and file.suffix in {".json", ".txt", ".html", ".csv"}:
            assert "0102031234" not in file.read_text(encoding="utf-8", errors="replace")
    with duckdb.connect(str(workspace.warehouse_path), read_only=True) as con:
        dump = str(con.execute("SELECT * FROM submissions").fetchall())
    assert "0102031234" not in dump and "deleted" in dump


def test_a_crash_before_the_transaction_leaves_the_file_waiting(workspace, monkeypatch):
    path = drop(workspace, "a.csv", GOOD)

    def crash(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(warehouse, "record_submission", crash)
    with pytest.raises(OSError):
        ingest.ingest_inbox(workspace)
    assert path.exists() and cells(workspace) == []
    monkeypatch.undo()
    [receipt] = ingest.ingest_inbox(workspace)
    assert receipt.status == "accepted" and len(cells(workspace)) == 2 and not path.exists()


def test_a_crash_after_the_commit_is_finished_by_a_rerun_without_loading_twice(
    workspace, monkeypatch
):
    path = drop(workspace, "a.csv", GOOD)
    monkeypatch.setattr(
        ingest, "write_receipts", lambda *a: (_ for _ in ()).throw(OSError("disk full"))
    )
    with pytest.raises(OSError):
        ingest.ingest_inbox(workspace)
    assert path.exists() and len(cells(workspace)) == 2
    monkeypatch.undo()
    [receipt] = ingest.ingest_inbox(workspace)
    assert receipt.status == "accepted" and receipt.note is None
    assert statuses(workspace) == [("a.csv", "accepted")] and not path.exists()
    assert list((workspace.outbox / "SKOLE").glob("*.json"))


def test_a_file_named_on_the_command_line_is_copied_in_and_left_where_it_is(workspace, tmp_path):
    source = write(tmp_path / "elsewhere" / "skole.csv", GOOD)
    receipt = ingest.ingest_external(workspace, source, "skole")
    assert receipt.status == "accepted" and receipt.partner == "SKOLE"
    assert source.exists() and not list((workspace.inbox / "SKOLE").iterdir())
