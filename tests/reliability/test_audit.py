"""The audit trail: every accepted, rejected and deleted file is recorded with its SHA-256,
partner, time and outcome; `ci-measure history` shows it; nothing is updated or deleted."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from pathlib import Path

import duckdb

from tests.helpers import write
from tests.reliability.common import BAD, CORRECTION, GOOD, PERSONAL, REPO


def _trail(root: Path) -> list[tuple]:
    with duckdb.connect(str(root / "warehouse.duckdb"), read_only=True) as con:
        return con.execute("SELECT * FROM submissions ORDER BY id").fetchall()


def _history(cli, root: Path, *args: str) -> list[dict]:  # noqa: ANN001
    code, out, err = cli("history", "--workspace", root, "--format", "json", *args)
    assert code == 0, err
    return json.loads(out)


def test_every_outcome_is_recorded_and_shown_and_earlier_rows_never_change(workspace_dir, cli):
    started = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
    steps = [
        ("SKOLE", "1-god.csv", GOOD, "accepted", 4, 0),
        ("SKOLE", "2-fejl.csv", BAD, "rejected", 1, 1),
        ("NGO", "3-cpr.csv", PERSONAL, "deleted", 1, 1),
        ("SKOLE", "4-rettelse.csv", CORRECTION, "accepted", 1, 0),
    ]
    shown: list[dict] = []
    for partner, name, text, status, rows, errors in steps:
        earlier = _trail(workspace_dir) if shown else []
        path = write(workspace_dir / "inbox" / partner / name, text)
        sha = hashlib.sha256(path.read_bytes()).hexdigest()
        cli("ingest", "--workspace", workspace_dir)
        trail = _trail(workspace_dir)
        assert trail[: len(earlier)] == earlier, "an earlier row of the trail changed"
        shown = _history(cli, workspace_dir)
        assert shown[-1] | {"id": 0, "received_at": ""} == {
            "id": 0, "received_at": "", "partner": partner, "file": name, "sha256": sha,
            "status": status, "rows": rows, "errors": errors,
        }  # fmt: skip
    ended = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    assert [r["id"] for r in shown] == [1, 2, 3, 4]
    assert all(r["received_at"].endswith("Z") for r in shown)  # machines read ISO UTC
    times = [dt.datetime.fromisoformat(r["received_at"]).replace(tzinfo=None) for r in shown]
    assert times == sorted(times) and started <= times[0] and times[-1] <= ended  # UTC

    # The same bytes again: recorded once, the receipt says so, the trail is unchanged.
    before = _trail(workspace_dir)
    write(workspace_dir / "inbox" / "SKOLE" / "5-igen.csv", GOOD)
    code, out, _ = cli("ingest", "--workspace", workspace_dir)
    assert code == 0 and "already_received" in (
        workspace_dir / "outbox" / "SKOLE" / f"5-igen.{shown[0]['sha256'][:8]}.json"
    ).read_text(encoding="utf-8")
    assert _trail(workspace_dir) == before

    # The table: full words, short SHA-256, UTC times; the filter; CSV with the full SHA-256.
    code, table, _ = cli("history", "--workspace", workspace_dir)
    lines = table.splitlines()
    assert lines[0].split() == [
        "id",
        "received_at",
        "partner",
        "file",
        "sha256",
        "status",
        "rows",
        "errors",
    ]
    assert re.match(
        r"\s*3\s+\d\d-\d\d-\d{4} kl\. \d\d:\d\d CES?T\s+NGO\s+3-cpr\.csv\s+[0-9a-f]{12}\s+deleted\s+1\s+1$",
        lines[3],
    )
    assert [r["file"] for r in _history(cli, workspace_dir, "--partner", "ngo")] == ["3-cpr.csv"]
    code, text, _ = cli("history", "--workspace", workspace_dir, "--format", "csv")
    assert [line.split(",")[4] for line in text.splitlines()[1:]] == [r["sha256"] for r in shown]


def test_history_of_a_new_workspace_is_empty_and_creates_nothing(workspace_dir, cli):
    code, out, err = cli("history", "--workspace", workspace_dir)
    assert code == 0 and out == "Ingen filer modtaget endnu. / No files received yet.\n"
    assert not (workspace_dir / "warehouse.duckdb").exists()
    code, _, err = cli("history", "--workspace", workspace_dir, "--partner", "NOBODY")
    assert code == 2 and "unknown partner 'NOBODY'. The partners are: SKOLE, KOMMUNE, NGO." in err


def test_the_notebook_sees_the_same_trail(workspace_dir, cli):
    import indicators

    write(workspace_dir / "inbox" / "SKOLE" / "a.csv", GOOD)
    write(workspace_dir / "inbox" / "NGO" / "b.csv", PERSONAL)
    cli("ingest", "--workspace", workspace_dir)
    frame = indicators.submissions(str(workspace_dir))
    shown = _history(cli, workspace_dir)
    assert list(frame["sha256"]) == [r["sha256"] for r in shown]
    assert list(frame["status"]) == ["accepted", "deleted"]


# Statements that would change or remove recorded history (a table named after one too).
MUTATIONS = re.compile(
    r"\b(UPDATE\s+[\w{}]*\.?(submissions|observations)|DELETE\s+FROM|DROP\s+TABLE\s+(IF\s+EXISTS\s+)?[\w{}]*\.?"
    r"(submissions|observations)\w*\b|TRUNCATE|INSERT\s+OR\s+REPLACE|ON\s+CONFLICT)",
    re.IGNORECASE,
)
# The one place allowed to rebuild a history table (copying every row, in one transaction,
# tested on the previous release's warehouse): tests/ci_measure/warehouse/test_migrations.py.
MIGRATIONS = Path("ci_measure/warehouse/migrations.py")


def test_no_code_updates_or_deletes_history():
    """The warehouse is append-only: no statement in the code updates, deletes or replaces rows
    of `submissions` or `observations` (DuckDB has no triggers to forbid it, so we look)."""
    scanned = 0
    offenders = []
    for folder in ("ci_measure", "indicators", "pipelines"):
        for path in sorted((REPO / folder).rglob("*.py")):
            scanned += 1
            if path.relative_to(REPO) == MIGRATIONS:
                continue
            for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
                if MUTATIONS.search(line):
                    offenders.append(f"{path.relative_to(REPO)}:{n}: {line.strip()}")
    assert scanned > 30 and offenders == []
    assert MUTATIONS.search("con.execute('DELETE FROM observations WHERE submission_id = ?')")
    assert MUTATIONS.search('f"UPDATE {schema}.submissions SET status = ?"')
    assert not MUTATIONS.search('con.execute(f"DROP TABLE IF EXISTS {table}")')  # temp tables
    assert MUTATIONS.search('"DROP TABLE submissions_v1"')
    assert MUTATIONS.search((REPO / MIGRATIONS).read_text(encoding="utf-8"))  # it is exempt
