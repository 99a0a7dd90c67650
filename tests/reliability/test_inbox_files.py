"""The inbox, file by file (SPEC §8 "Nothing is ever lost", issue 22): a file still being
written is taken only when complete; a file is read once, through one handle, never through
a link swapped in after the listing; it leaves the inbox only if it is still the file that
was read; everything written under the workspace is private whatever the umask."""

from __future__ import annotations

import json
import os
import stat
import threading
import time
from pathlib import Path

import duckdb
import pytest

from ci_measure.config.workspace import load_workspace
from ci_measure.intake import inbox, ingest
from tests.helpers import write
from tests.reliability.common import BAD, GOOD, NGO, PERSONAL, run_cli

HEADER_AND_ONE = "data_element,area,period,value\nINKL_DELTAGERE,0561-OST-N,2024-Q1,12\n"
TWO_MORE = "INKL_DELTAGERE,0561-OST-N,2024-Q2,9\nINKL_DELTAGERE,0561-OST-N,2024-Q3,7\n"


def _trail(root: Path) -> list[tuple]:
    if not (root / "warehouse.duckdb").exists():
        return []
    with duckdb.connect(str(root / "warehouse.duckdb"), read_only=True) as con:
        return con.execute("SELECT file_name, status, rows FROM submissions ORDER BY id").fetchall()


# --- complete files only --------------------------------------------------------------


def test_a_file_still_being_written_is_taken_only_when_complete(workspace_dir, monkeypatch):
    """A copy over a slow share: one row arrives, then two more. `ingest` (started in between)
    waits until the file has been unchanged for the settle time and takes all three rows."""
    monkeypatch.setenv("CI_MEASURE_SETTLE_S", "4")
    path = write(workspace_dir / "inbox" / "NGO" / "langsom.csv", HEADER_AND_ONE)
    ws = load_workspace(workspace_dir)
    assert ingest.pending_files(ws) == [], "a file written just now is not complete yet"
    result: list = []
    taking = threading.Thread(target=lambda: result.append(ingest.ingest_inbox(ws)))
    taking.start()
    time.sleep(0.3)
    with path.open("a", encoding="utf-8") as handle:  # the rest of the copy arrives
        handle.write(TWO_MORE)
    taking.join(timeout=60)
    [[receipt]] = result
    assert (receipt.status, receipt.rows) == ("accepted", 3)
    assert _trail(workspace_dir) == [("langsom.csv", "accepted", 3)]
    assert not path.exists()


def test_a_file_named_on_the_command_line_is_complete_at_once(
    workspace_dir, tmp_path, cli, monkeypatch
):
    monkeypatch.setenv("CI_MEASURE_SETTLE_S", "600")
    source = write(tmp_path / "frisk.csv", NGO)
    started = time.monotonic()
    code, out, _ = cli("ingest", source, "--partner", "NGO", "--workspace", workspace_dir)
    assert code == 0 and "Godkendt / Accepted: frisk.csv" in out
    assert time.monotonic() - started < 60, "no settle wait for a file the user named"


def test_the_dagster_sensor_waits_for_a_complete_file_too(workspace_dir, monkeypatch):
    import dagster as dg

    from pipelines.defs.measurement.resources import WorkspaceResource
    from pipelines.defs.measurement.sensors import inbox_sensor

    write(workspace_dir / "inbox" / "NGO" / "kopieres.csv", NGO)
    context = dg.build_sensor_context(
        instance=dg.DagsterInstance.ephemeral(),
        resources={"workspace": WorkspaceResource(root=str(workspace_dir))},
    )
    monkeypatch.setenv("CI_MEASURE_SETTLE_S", "600")
    assert not inbox_sensor(context).run_requests
    monkeypatch.setenv("CI_MEASURE_SETTLE_S", "0")
    assert len(inbox_sensor(context).run_requests) == 1


class _AppendingHash:
    """A SHA-256 whose first update appends to the file being read: a writer still at work."""

    def __init__(self, path: Path, real) -> None:  # noqa: ANN001
        self.path, self.real, self.done = path, real, False

    def sha256(self):  # noqa: ANN201
        outer = self
        digest = self.real.sha256()

        class Wrapped:
            def update(self, data: bytes) -> None:
                if not outer.done:
                    outer.done = True
                    with outer.path.open("a", encoding="utf-8") as handle:
                        handle.write(TWO_MORE)
                digest.update(data)

            def hexdigest(self) -> str:
                return digest.hexdigest()

        return Wrapped()


def test_a_file_that_changes_while_it_is_read_is_left_untouched_for_the_next_round(
    workspace_dir, cli, monkeypatch
):
    import hashlib

    path = write(workspace_dir / "inbox" / "NGO" / "skrives.csv", HEADER_AND_ONE)
    monkeypatch.setattr(inbox, "CHUNK", 16)
    monkeypatch.setattr(inbox, "hashlib", _AppendingHash(path, hashlib))
    monkeypatch.setattr(ingest, "SETTLE_WAIT_S", 0.0)
    code, out, err = cli("ingest", "--workspace", workspace_dir)
    assert "skrives.csv" not in out and _trail(workspace_dir) == []
    assert path.read_text(encoding="utf-8") == HEADER_AND_ONE + TWO_MORE, "left as written"
    assert not list((workspace_dir / ".snapshots").iterdir()), "the snapshot is dropped"
    assert "still being written" in err
    monkeypatch.undo()
    code, out, _ = cli("ingest", "--workspace", workspace_dir)
    assert code == 0 and _trail(workspace_dir) == [("skrives.csv", "accepted", 3)]


def test_a_newer_version_written_while_a_file_is_taken_in_stays_for_the_next_round(
    workspace_dir, cli, monkeypatch
):
    """The partner saves again (same name, new figures) while the first version is being
    validated: the first is taken in, the second is not deleted with it."""
    path = write(workspace_dir / "inbox" / "NGO" / "gemt-igen.csv", NGO)
    real = ingest.validate_file

    def validate_then_save_again(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        validation = real(*args, **kwargs)
        write(path, NGO.replace(",9\n", ",11\n"))
        return validation

    monkeypatch.setattr(ingest, "validate_file", validate_then_save_again)
    code, out, _ = cli("ingest", "--workspace", workspace_dir)
    monkeypatch.undo()
    assert code == 0 and path.read_text(encoding="utf-8") == NGO.replace(",9\n", ",11\n")
    code, out, _ = cli("ingest", "--workspace", workspace_dir)
    assert code == 0 and not path.exists()
    assert _trail(workspace_dir) == [("gemt-igen.csv", "accepted", 2)] * 2
    with duckdb.connect(str(workspace_dir / "warehouse.duckdb"), read_only=True) as con:
        assert sorted(v for (v,) in con.execute("SELECT value FROM observations").fetchall()) == [
            9,
            11,
            12,
            12,
        ]


# --- one handle, never a link ---------------------------------------------------------


@pytest.mark.parametrize("swap", ["symlink", "fifo"])
def test_a_link_swapped_in_after_the_listing_is_not_followed(
    swap, workspace_dir, tmp_path, cli, monkeypatch
):
    """Between listing the inbox and opening the file, the file is replaced by a link to a
    file outside the workspace (or by a FIFO that would block a reader): nothing is read,
    archived, receipted or handed back, and neither the link nor its target is touched."""
    secret = write(tmp_path / "outside" / "hemmelig.csv", GOOD.replace("40", "4711"))
    path = write(workspace_dir / "inbox" / "SKOLE" / "bytte.csv", BAD)
    real = ingest.pending_files

    def list_then_swap(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        listing = real(*args, **kwargs)
        if path.is_file() and not path.is_symlink():
            path.unlink()
            path.symlink_to(secret) if swap == "symlink" else os.mkfifo(path)
        return listing

    monkeypatch.setattr(ingest, "pending_files", list_then_swap)
    code, out, err = cli("ingest", "--workspace", workspace_dir)
    assert code == 0 and "bytte.csv" not in out, (out, err)
    assert secret.read_text(encoding="utf-8") == GOOD.replace("40", "4711")
    assert path.is_symlink() if swap == "symlink" else stat.S_ISFIFO(path.lstat().st_mode)
    assert _trail(workspace_dir) == []
    for folder in ("archive", "outbox"):
        for found in (
            (workspace_dir / folder).rglob("*") if (workspace_dir / folder).exists() else []
        ):
            assert found.is_dir() or b"4711" not in found.read_bytes(), found


# --- private files --------------------------------------------------------------------


def _modes(root: Path) -> dict[str, int]:
    return {
        str(p.relative_to(root)): stat.S_IMODE(p.lstat().st_mode)
        for p in sorted(root.rglob("*"))
        if not p.relative_to(root).parts[0] == "inbox"
    }


def test_the_workspace_is_private_whatever_the_umask(workspace_dir):
    """Under umask 022: archive, outbox (receipts, marked workbook), warehouse, reports and
    snapshots are 0600 files in 0700 folders; a workspace made earlier with open folders
    (archive, dagster storage) is closed on the next ingest."""
    for folder in ("archive", "dagster"):
        (workspace_dir / folder).mkdir(mode=0o755)
        (workspace_dir / folder).chmod(0o755)
    write(workspace_dir / "inbox" / "SKOLE" / "1-god.csv", GOOD)
    write(workspace_dir / "inbox" / "SKOLE" / "2-fejl.csv", BAD)
    write(workspace_dir / "inbox" / "NGO" / "3-cpr.csv", PERSONAL)
    old = os.umask(0o022)
    try:
        assert run_cli("ingest", "--workspace", workspace_dir).returncode == 1
        assert run_cli("report", "--workspace", workspace_dir).returncode == 0
    finally:
        os.umask(old)
    modes = _modes(workspace_dir)
    assert any(n.endswith(".marked.xlsx") for n in modes) and "reports/scorecard.html" in modes
    assert any(n.startswith("warehouse.duckdb") for n in modes)
    open_ = {
        name: oct(mode)
        for name, mode in modes.items()
        if mode & 0o077 and not name.startswith(".ingest.") and name != "partnership.yaml"
    }
    assert open_ == {}, "readable by other local users"
    for name in ("archive", "outbox", "outbox/SKOLE", "reports", "dagster"):
        assert modes[name] == 0o700, name
    receipts = list((workspace_dir / "outbox" / "SKOLE").glob("*.json"))
    assert {json.loads(p.read_text(encoding="utf-8"))["status"] for p in receipts} == {
        "accepted",
        "rejected",
    }
