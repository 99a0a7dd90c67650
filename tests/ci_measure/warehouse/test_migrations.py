"""Upgrades lose nothing (issue 15): the warehouse of release 0.1.0 (tests/fixtures/
warehouse-0.1.0, a Parquet EXPORT DATABASE of it) opens with today's code, is migrated in
place once, and gives exactly the figures that release printed, as of every moment."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb

from tests.helpers import write
from tests.reliability.common import GOOD, run_cli

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "warehouse-0.1.0"
RECEIVED = (FIXTURE / "received_at.txt").read_text(encoding="utf-8").split("\n")
RECEIVED = [line for line in RECEIVED if line]


def old_workspace(root: Path) -> Path:
    """A workspace whose warehouse.duckdb has exactly the shape release 0.1.0 left."""
    root.mkdir(parents=True)
    shutil.copy(FIXTURE / "partnership.yaml", root / "partnership.yaml")
    with duckdb.connect(str(root / "warehouse.duckdb")) as con:
        con.execute(f"IMPORT DATABASE '{FIXTURE / 'export'}'")
    return root


def _dump(root: Path) -> dict:
    with duckdb.connect(str(root / "warehouse.duckdb"), read_only=True) as con:
        tables = {t for (t,) in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
        versions = (
            con.execute("SELECT version FROM schema_version ORDER BY version").fetchall()
            if "schema_version" in tables
            else None
        )
        return {
            "tables": tables,
            "versions": versions,
            "unique": sorted(
                c
                for (c,) in con.execute(
                    "SELECT constraint_text FROM duckdb_constraints()"
                    " WHERE table_name = 'submissions' AND constraint_type = 'UNIQUE'"
                ).fetchall()
            ),
            "submissions": con.execute("SELECT * FROM submissions ORDER BY id").fetchall(),
            "counter": con.execute("SELECT * FROM submission_counter").fetchall()
            if "submission_counter" in tables
            else None,
            "sequences": con.execute("SELECT sequence_name FROM duckdb_sequences()").fetchall(),
            "observations": con.execute("SELECT * FROM observations ORDER BY ALL").fetchall(),
        }


def _figures(cli, root: Path, *args: str) -> str:  # noqa: ANN001
    code, out, err = cli("indicators", "--workspace", root, "--format", "csv", "--all", *args)
    assert code == 0, err
    return out


def test_the_previous_release_warehouse_is_migrated_once_and_its_figures_stay(tmp_path, cli):
    root = old_workspace(tmp_path / "ws")
    before = _dump(root)
    assert before["versions"] is None and before["unique"] == ["UNIQUE(sha256)"]
    assert len(before["submissions"]) == len(RECEIVED) == 12

    assert _figures(cli, root) == (FIXTURE / "figures" / "latest.csv").read_text(encoding="utf-8")
    after = _dump(root)
    assert after["versions"] == [(1,), (2,), (3,), (4,)]  # found at 1, migrated to 2, 3, 4
    assert after["unique"] == ["UNIQUE(partner, sha256)"]
    assert "submissions_v1" not in after["tables"]
    assert after["counter"] == [(12,)] and after["sequences"] == []  # ids from the counter row
    assert after["submissions"] == before["submissions"]  # every row, the same ids
    assert after["observations"] == before["observations"]

    published = (FIXTURE / "figures" / "latest_published.csv").read_text(encoding="utf-8")
    assert _figures(cli, root, "--published") == published
    for n, instant in enumerate(RECEIVED, 1):
        expected = (FIXTURE / "figures" / f"as_of_{n:02d}.csv").read_text(encoding="utf-8")
        assert _figures(cli, root, "--as-of", instant) == expected, f"as of {instant}"
    assert _dump(root)["versions"] == [(1,), (2,), (3,), (4,)]  # once: reopening migrates nothing


def test_the_migrated_warehouse_takes_new_files_after_the_old_ones(tmp_path, cli):
    root = old_workspace(tmp_path / "ws")
    source = write(tmp_path / "skole.csv", "dataelement;område;periode;værdi\n"
                   "ELEVER_AFGANG_9KL;0561-OST-RKJ;2030/31;41\n")  # fmt: skip
    code, out, err = cli("ingest", source, "--partner", "SKOLER", "--workspace", root)
    assert code == 0, out + err
    rows = _dump(root)["submissions"]
    assert [r[0] for r in rows] == list(range(1, 14))  # the id sequence goes on
    assert rows[-1][2] == "SKOLER" and rows[-1][5] == "accepted"


def test_a_crash_during_the_migration_leaves_the_old_warehouse_intact(tmp_path):
    root = old_workspace(tmp_path / "ws")
    before = _dump(root)
    killed = run_cli(
        "indicators", "--workspace", root, env={"CI_MEASURE_CRASH_AT": "inside_migration"}
    )
    assert killed.returncode == -9, killed.stderr
    assert _dump(root) == before  # still release 0.1.0's warehouse, every row
    failed = run_cli(
        "indicators", "--workspace", root, env={"CI_MEASURE_FAIL_AT": "inside_migration"}
    )
    assert failed.returncode == 2 and "Traceback" not in failed.stderr
    assert _dump(root) == before
    done = run_cli("indicators", "--workspace", root, "--format", "csv", "--all")
    assert done.returncode == 0, done.stderr
    assert done.stdout == (FIXTURE / "figures" / "latest.csv").read_text(encoding="utf-8")
    assert _dump(root)["versions"] == [(1,), (2,), (3,), (4,)]


def test_a_warehouse_from_a_newer_release_is_refused_in_both_languages(tmp_path, cli):
    root = old_workspace(tmp_path / "ws")
    cli("indicators", "--workspace", root)
    with duckdb.connect(str(root / "warehouse.duckdb")) as con:
        con.execute("INSERT INTO schema_version VALUES (99, now())")
    code, out, err = cli("indicators", "--workspace", root)
    assert code == 2 and "[warehouse_too_new]" in err
    assert "opgradér ci-measure" in err and "upgrade ci-measure" in err and "99" in err


def test_after_the_migration_two_partners_may_send_the_same_bytes(tmp_path, cli):
    root = old_workspace(tmp_path / "ws")
    source = write(tmp_path / "same.csv", GOOD)
    for partner in ("UU", "BOLIG"):
        code, out, err = cli("ingest", source, "--partner", partner, "--workspace", root)
        assert code == 1 and "allerede modtaget" not in out, out + err  # not theirs: rejected
    rows = _dump(root)["submissions"]
    assert [(r[0], r[2]) for r in rows[-2:]] == [(13, "UU"), (14, "BOLIG")]
