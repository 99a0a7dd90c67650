"""The shared warehouse (SPEC §12, issue 18) on a real PostgreSQL started by the tests: the
same figures as the embedded warehouse, exactly once across machines, migration with every
as-of moment, a kill -9 during concurrent ingests, readers that never wait."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
from pathlib import Path

import duckdb
import pytest

from tests.ci_measure.warehouse.lake_support import SharedLake, copy_demo
from tests.ci_measure.warehouse.test_migrations import FIXTURE, RECEIVED, old_workspace
from tests.reliability.common import run_cli
from tests.support.small_files import small_files


def _figures(root: Path) -> list[str]:
    """Latest, published, and as of every moment a file was received: as CSV text."""
    import indicators
    from ci_measure.figures import present

    moments = list(indicators.submissions(str(root))["received_at"])
    shown = [indicators.compute(str(root)), indicators.compute(str(root), published=True)]
    shown += [indicators.compute(str(root), as_of=t) for t in moments]
    return [present.to_csv(frame) for frame in shown]


def _embedded(monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.delenv("CI_MEASURE_WAREHOUSE", raising=False)
    monkeypatch.delenv("CI_MEASURE_LAKE_DATA", raising=False)


def test_the_lake_computes_the_same_figures_as_the_embedded_warehouse(
    shared_lake: SharedLake, tmp_path, monkeypatch
):
    in_lake, embedded = copy_demo(tmp_path / "lake"), copy_demo(tmp_path / "embedded")
    loaded = shared_lake.run("ingest", "--workspace", in_lake)
    assert loaded.returncode == 1, loaded.stderr  # the demo has one rejected file
    assert not (in_lake / "warehouse.duckdb").exists()  # nothing went to an embedded file
    lake_figures = _figures(in_lake)
    lake_trail = shared_lake.query(
        "SELECT id, partner, file_name, sha256, status, rows FROM wh.submissions ORDER BY id"
    )

    _embedded(monkeypatch)
    assert run_cli("ingest", "--workspace", embedded).returncode == 1
    embedded_figures = _figures(embedded)
    with duckdb.connect(str(embedded / "warehouse.duckdb"), read_only=True) as con:
        embedded_trail = con.execute(
            "SELECT id, partner, file_name, sha256, status, rows FROM submissions ORDER BY id"
        ).fetchall()
    assert len(lake_trail) == 12 and lake_trail == embedded_trail
    assert len(lake_figures) == 14 and lake_figures == embedded_figures
    assert lake_figures[0].count("\n") > 600  # real figures, not two empty tables


def test_migrate_copies_every_submission_and_every_as_of_moment(
    shared_lake: SharedLake, tmp_path, monkeypatch
):
    root = old_workspace(tmp_path / "ws")  # release 0.1.0's warehouse, migrated on the way
    moved = run_cli(
        "warehouse", "migrate", "--to", shared_lake.url, "--lake-data", shared_lake.data,
        "--workspace", root,
    )  # fmt: skip
    assert moved.returncode == 0, moved.stderr
    assert f"warehouse: {shared_lake.url}" in moved.stdout
    (root / "warehouse.duckdb").rename(root / "backup.duckdb")  # from now on: only the lake
    expected = [
        (FIXTURE / "figures" / "latest.csv"),
        (FIXTURE / "figures" / "latest_published.csv"),
    ]
    expected += [FIXTURE / "figures" / f"as_of_{n:02d}.csv" for n in range(1, len(RECEIVED) + 1)]
    every = ("--format", "csv", "--all")  # the fixture holds every row, as 0.1.0 printed them
    shown = [shared_lake.run("indicators", "--workspace", root, *every)]
    shown.append(shared_lake.run("indicators", "--workspace", root, *every, "--published"))
    for instant in RECEIVED:
        shown.append(shared_lake.run("indicators", "--workspace", root, *every, "--as-of", instant))
    for result, path in zip(shown, expected, strict=True):
        assert result.returncode == 0, result.stderr
        assert result.stdout == path.read_text(encoding="utf-8"), path.name
    assert not (root / "warehouse.duckdb").exists()
    # the ids go on after the copied ones, and a second migration into it is refused
    source = tmp_path / "new.csv"
    source.write_text(
        "dataelement;område;periode;værdi\nELEVER_AFGANG_9KL;0561-OST-RKJ;2030/31;41\n",
        encoding="utf-8",
    )
    assert (
        shared_lake.run("ingest", source, "--partner", "SKOLER", "--workspace", root).returncode
        == 0
    )
    assert shared_lake.query("SELECT max(id), count(*) FROM wh.submissions") == [(13, 13)]
    (root / "backup.duckdb").rename(root / "warehouse.duckdb")
    again = run_cli(
        "warehouse",
        "migrate",
        "--to",
        shared_lake.url,
        "--lake-data",
        shared_lake.data,
        "--workspace",
        root,
    )
    assert again.returncode == 2 and "already holds 13 submissions" in again.stderr


def _machine(root: Path, files: dict[str, tuple[str, str]]) -> Path:
    from tests.conftest import PARTNERSHIP

    (root / "inbox").mkdir(parents=True)
    (root / "partnership.yaml").write_text(PARTNERSHIP, encoding="utf-8")
    for n, (name, (partner, text)) in enumerate(sorted(files.items())):
        path = root / "inbox" / partner / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        os.utime(path, (1_000_000 + n, 1_000_000 + n))
    return root


def _check_once(shared_lake: SharedLake, files: dict[str, tuple[str, str]]) -> None:
    """Every file loaded exactly once, with all its cells; nothing else."""
    rows = shared_lake.query(
        "SELECT s.partner, s.sha256, s.status, s.rows, count(o.submission_id)"
        " FROM wh.submissions s LEFT JOIN wh.observations o ON o.submission_id = s.id GROUP BY ALL"
    )
    expected = sorted(
        (
            partner,
            hashlib.sha256(text.encode()).hexdigest(),
            "accepted",
            text.count("\n") - 1,
            text.count("\n") - 1,
        )
        for partner, text in files.values()
    )
    assert sorted(rows) == expected
    ids = [i for (i,) in shared_lake.query("SELECT id FROM wh.submissions ORDER BY id")]
    assert ids == list(range(1, len(files) + 1))  # one id each, none given twice
    assert shared_lake.query("SELECT last_id FROM wh.submission_counter") == [(len(files),)]


def test_two_machines_taking_in_the_same_files_at_once_load_each_once(shared_lake, tmp_path):
    files = small_files(12)
    machines = [_machine(tmp_path / name, files) for name in ("a", "b")]
    runs = [shared_lake.popen("ingest", "--workspace", root) for root in machines]
    outputs = [run.communicate(timeout=300) for run in runs]
    for run, (_, err) in zip(runs, outputs, strict=True):
        assert run.returncode == 0, err
        assert "internal_error" not in err and "conflict" not in err.lower(), err
    _check_once(shared_lake, files)
    # each file: one machine loaded it, the other was told already_received (nothing twice)
    for name in files:
        told = []
        for root in machines:
            [receipt] = (root / "outbox").rglob(f"{Path(name).stem}.*.json")
            told.append(json.loads(receipt.read_text(encoding="utf-8")).get("note"))
        assert sorted(told, key=str) == [None, "already_received"], (name, told)
    for root in machines:
        assert not list((root / "inbox").rglob("*.csv"))


def test_a_kill_9_of_one_of_two_concurrent_ingests_loses_nothing_and_doubles_nothing(
    shared_lake, tmp_path
):
    mine, theirs = small_files(6), small_files(6, offset=6)
    killed_root, other_root = (
        _machine(tmp_path / "killed", mine),
        _machine(tmp_path / "other", theirs),
    )
    killed = shared_lake.popen(
        "ingest", "--workspace", killed_root, CI_MEASURE_CRASH_AT="inside_transaction#3"
    )
    other = shared_lake.popen("ingest", "--workspace", other_root)
    killed.communicate(timeout=300)
    out, err = other.communicate(timeout=300)
    assert killed.returncode == -9  # SIGKILL in the middle of a commit (its third try)
    assert other.returncode == 0, err
    # The third try is the third file, or an earlier one whose commit conflicted with the other
    # machine's and was retried (under load, even the first file's third try): 1 to 6 wait.
    waiting = sorted(p.name for p in (killed_root / "inbox").rglob("*.csv"))
    assert 1 <= len(waiting) <= 6 and waiting == sorted(mine)[6 - len(waiting) :]
    held = shared_lake.query("SELECT count(*) FROM wh.submissions")[0][0]
    assert held == 6 + 6 - len(waiting)  # the killed commit left nothing behind
    rerun = shared_lake.run("ingest", "--workspace", killed_root)
    assert rerun.returncode == 0, rerun.stderr
    assert "allerede modtaget" not in rerun.stdout  # the killed file was never half-recorded
    _check_once(shared_lake, {**mine, **theirs})


def test_readers_never_wait_for_a_writer(shared_lake, tmp_path):
    from ci_measure.warehouse import lake, writer

    root = _machine(tmp_path / "ws", small_files(2))
    assert shared_lake.run("ingest", "--workspace", root).returncode == 0
    where = lake.Lake(shared_lake.url, str(shared_lake.data) + "/")
    with writer(where) as con:  # a writer in the middle of a long transaction
        con.execute("BEGIN TRANSACTION")
        con.execute("UPDATE submission_counter SET last_id = last_id + 1")
        started = time.monotonic()
        read = shared_lake.run(
            "indicators", "--workspace", root, "--format", "csv", CI_MEASURE_LOCK_TIMEOUT="5"
        )
        took = time.monotonic() - started
        con.execute("ROLLBACK")
    assert read.returncode == 0, read.stderr
    assert "UDD_OVERGANG" in read.stdout and took < 5


def test_a_password_in_the_address_is_refused(shared_lake, tmp_path):
    root = _machine(tmp_path / "ws", {})
    result = shared_lake.run(
        "status", "--workspace", root, CI_MEASURE_WAREHOUSE=shared_lake.url + " password=secret"
    )
    assert result.returncode == 2
    assert "PGPASSWORD" in result.stderr and "adgangskoden" in result.stderr
    assert "secret" not in result.stderr


@pytest.mark.parametrize("shown", ["ducklake:sqlite:x.db", "postgres:dbname=x"])
def test_an_unknown_address_is_refused_in_both_languages(tmp_path, shown, monkeypatch):
    root = _machine(tmp_path / "ws", {})
    result = run_cli("history", "--workspace", root, env={"CI_MEASURE_WAREHOUSE": shown})
    assert (
        result.returncode == 2
        and "kendes ikke" in result.stderr
        and "unknown warehouse" in result.stderr
    )


def test_the_extensions_come_from_the_pinned_packages_never_a_download(tmp_path, monkeypatch):
    from ci_measure.warehouse import lake

    monkeypatch.setenv("CI_MEASURE_EXTENSION_DIR", str(tmp_path / "ext"))
    root = lake.extension_directory()
    platform = duckdb.execute("PRAGMA platform").fetchall()[0][0]
    folder = root / f"v{duckdb.__version__}" / platform
    assert sorted(p.name for p in folder.iterdir()) == [
        "ducklake.duckdb_extension",
        "postgres_scanner.duckdb_extension",
    ]
    shutil.rmtree(root)
    lake.extension_directory()  # laid out again when missing
    assert (folder / "ducklake.duckdb_extension").stat().st_size > 1_000_000


def test_reading_a_new_empty_lake_shows_an_empty_history(shared_lake, tmp_path):
    root = _machine(tmp_path / "ws", {})
    shown = shared_lake.run("history", "--workspace", root)
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout == "Ingen filer modtaget endnu. / No files received yet.\n"
    status = shared_lake.run("status", "--workspace", root)
    assert status.returncode == 0, status.stderr


def test_partnership_yaml_chooses_the_lake_and_the_environment_wins(
    shared_lake, tmp_path, monkeypatch
):
    from ci_measure.config.workspace import load_workspace
    from ci_measure.warehouse.lake import Lake

    root = _machine(tmp_path / "ws", {})
    with open(root / "partnership.yaml", "a", encoding="utf-8") as config:
        config.write(f'warehouse: "{shared_lake.url}"\nlake_data: lake-data\n')
    monkeypatch.delenv("CI_MEASURE_WAREHOUSE")
    monkeypatch.delenv("CI_MEASURE_LAKE_DATA")
    assert load_workspace(root).warehouse == Lake(shared_lake.url, f"{root / 'lake-data'}/")
    monkeypatch.setenv("CI_MEASURE_LAKE_DATA", str(tmp_path / "elsewhere"))
    assert load_workspace(root).warehouse.data_path == f"{tmp_path / 'elsewhere'}/"
    with open(root / "partnership.yaml", "a", encoding="utf-8") as config:
        config.write("# no more\n")
    text = (root / "partnership.yaml").read_text(encoding="utf-8")
    (root / "partnership.yaml").write_text(
        text.replace(shared_lake.url, shared_lake.url + " password=hemmelig"), encoding="utf-8"
    )
    result = run_cli("status", "--workspace", root)
    assert result.returncode == 2 and "[config_error]" in result.stderr
    assert "partnership.yaml" in result.stderr and "PGPASSWORD" in result.stderr
    assert "hemmelig" not in result.stderr


def test_export_and_import_are_refused_for_a_lake_with_the_way_to_back_it_up(shared_lake, tmp_path):
    root = _machine(tmp_path / "ws", {})
    for command in ("export", "import"):
        result = shared_lake.run("warehouse", command, tmp_path / "copy", "--workspace", root)
        assert (
            result.returncode == 2 and "pg_dump" in result.stderr and "indlejrede" in result.stderr
        )


def test_approvals_live_in_the_shared_warehouse_too(shared_lake, tmp_path):
    """SPEC §13 on the lake: an approval made on one machine publishes for every machine."""
    first = _machine(tmp_path / "one", small_files(2))
    with (first / "partnership.yaml").open("a", encoding="utf-8") as f:
        f.write("publishing: {approval: required}\n")
    assert shared_lake.run("ingest", "--workspace", first).returncode == 0
    other = _machine(tmp_path / "two", {})
    (other / "partnership.yaml").write_text(
        (first / "partnership.yaml").read_text(encoding="utf-8"), encoding="utf-8"
    )

    def published(root: Path) -> set[str]:
        shown = shared_lake.run(
            "indicators", "--workspace", root, "--format", "csv", "--published",
            "--indicator", "INKL_DELTAGERE", "--area", "0561-OST-N", "--period", "1991",
        )  # fmt: skip
        assert shown.returncode == 0, shown.stderr
        return {line.split(",")[-1] for line in shown.stdout.splitlines()[1:]}

    assert published(other) == {"pending_approval"}
    approved = shared_lake.run("approve", "--workspace", first, "--period", "1991", "--by", "A")
    assert approved.returncode == 0, approved.stderr
    assert published(other) == {"ok"}
    listed = shared_lake.run("approvals", "--workspace", other, "--format", "json")
    assert [a["by"] for a in json.loads(listed.stdout)] == ["A"]
