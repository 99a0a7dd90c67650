"""`make refresh`: everything in the inbox taken in, every figure and check recomputed, from the
shell (cron, CI); a failed ERROR check makes it fail with one line saying why."""

from __future__ import annotations

import subprocess
from pathlib import Path

import dagster as dg
import pandas as pd

import ci_measure.figures
from ci_measure.config.workspace import init_workspace, load_workspace
from ci_measure.figures import indicator_rows
from ci_measure.intake.ingest import pending_files
from ci_measure.report import HTML_NAME
from pipelines import refresh
from pipelines.defs.measurement.partitions import SUBMISSIONS
from tests.pipelines.service import BIN, REPO, clean_env
from tests.pipelines.test_running_service import psycopg2_url

ASSETS = ("warehouse", "indicator_values", "published_figures", "scorecard")
CHECKS = {
    "warehouse_completeness",
    "warehouse_timeliness",
    "warehouse_rules",
    "warehouse_totals",
    "published_figures_outliers",
    "published_figures_suppression",
    "published_figures_changed_since_approval",
}


def make_refresh(workspace: Path, **variables: str) -> subprocess.CompletedProcess:
    """`make refresh WORKSPACE=…` as a cron job would run it."""
    args = ["make", "-s", "--no-print-directory", "-o", "setup", "refresh"]
    args += [f"WORKSPACE={workspace}", f"BIN={BIN}"]
    args += [f"{k}={v}" for k, v in variables.items()]
    env = clean_env(**variables)
    return subprocess.run(args, cwd=REPO, env=env, capture_output=True, text=True, timeout=600)


def _instance(workspace: Path) -> dg.DagsterInstance:
    return dg.DagsterInstance.from_config(str(workspace / "dagster"))


def test_make_refresh_on_the_demo_takes_everything_in_and_materializes_every_asset(tmp_path):
    root = init_workspace(tmp_path / "demo", demo=True)
    waiting = len(pending_files(load_workspace(root)))
    result = make_refresh(root)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert waiting >= 10  # every file of the demo partnership
    assert sum(line.startswith("taken in: ") for line in lines) == waiting
    assert (
        "taken in: BOLIG/01_hjemloese_unge_2019-2025.csv — rejected (3 errors; the receipt says which)"
        in lines
    )
    assert "recomputed: warehouse, indicator_values, published_figures, scorecard" in lines
    assert "checks: 7 passed, 0 warnings, 0 errors" in lines
    assert lines[-1] == "refresh: everything is current" and result.stderr == ""
    assert not pending_files(load_workspace(root))

    # In the instance the UI reads: every partition and every asset, every check evaluated.
    with _instance(root) as instance:
        partitions = instance.get_dynamic_partitions(SUBMISSIONS.name)
        assert len(partitions) == waiting
        materialized = instance.get_materialized_partitions(dg.AssetKey("submissions"))
        assert materialized == set(partitions)
        for name in ASSETS:
            assert instance.get_latest_materialization_event(dg.AssetKey(name)), name
        runs = instance.get_runs()
        assert sorted({r.job_name for r in runs}) == ["ingest_submission", "reprocess_all"]
        assert all(r.status == dg.DagsterRunStatus.SUCCESS for r in runs)
    ws = load_workspace(root)
    published = pd.read_parquet(root / "reports" / "published_figures.parquet")
    pd.testing.assert_frame_equal(published, indicator_rows(ws, published=True))
    assert (root / "reports" / HTML_NAME).exists()

    # Run again with an empty inbox: nothing to take in, the figures recomputed all the same.
    again = make_refresh(root)
    assert again.returncode == 0, again.stdout + again.stderr
    assert "taken in: nothing (no file waits in the inbox)" in again.stdout.splitlines()


def test_make_refresh_fails_with_one_line_when_an_error_check_fails(tmp_path):
    root = init_workspace(tmp_path / "broken", demo=True)
    for path in (root / "inbox" / "JOBCENTER").iterdir():  # the job centre never delivers
        path.unlink()
    result = make_refresh(root)
    assert result.returncode != 0
    assert "checks: 6 passed, 0 warnings, 1 error" in result.stdout.splitlines()
    assert result.stderr.splitlines()[0] == (
        "refresh failed: check warehouse_completeness: "
        "6 promised cells are missing for the latest period reported."
    )
    # The figures were still recomputed (a missing partner does not stop the others').
    assert "recomputed: warehouse, indicator_values, published_figures, scorecard" in result.stdout


def test_a_small_count_that_escapes_disclosure_control_stops_the_scorecard(tmp_path, monkeypatch):
    root = init_workspace(tmp_path / "leak", demo=True)
    monkeypatch.setenv("CI_MEASURE_WORKSPACE", str(root))
    # A fault in disclosure control: every published row shown as computed.
    monkeypatch.setattr(ci_measure.figures, "publish", lambda rows, catalog, partnership: rows)
    with dg.DagsterInstance.ephemeral() as instance:
        lines, failures = refresh.refresh(instance)
    assert failures[0].startswith("check published_figures_suppression: ")
    assert "published rows break disclosure control (SPEC §7.6)" in failures[0]
    assert "recomputed: warehouse, indicator_values, published_figures" in lines
    assert failures[1].startswith("run ") and "(reprocess_all) failed" in failures[1]
    assert not (root / "reports" / HTML_NAME).exists()  # the public page was never written


def test_make_refresh_on_a_missing_workspace_says_so_in_one_line(tmp_path):
    result = make_refresh(tmp_path / "nowhere")
    assert result.returncode != 0 and result.stdout == ""
    [line] = [line for line in result.stderr.splitlines() if not line.startswith("make: ")]
    assert line.startswith("refresh: [config_error] ") and "partnership.yaml: not found" in line


def test_make_refresh_on_the_postgres_instance_records_its_runs_in_postgres(tmp_path, postgres):
    database = postgres.create_database("refresh")
    root = init_workspace(tmp_path / "demo", demo=True)
    waiting = len(pending_files(load_workspace(root)))
    result = make_refresh(
        root,
        DAGSTER_YAML="deploy/dagster.yaml",
        DAGSTER_PG_URL=psycopg2_url(postgres.url(database)),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    runs = postgres.psql(
        "SELECT pipeline_name, status, count(*) FROM runs GROUP BY 1, 2 ORDER BY 1", database
    )
    assert runs.splitlines() == [f"ingest_submission|SUCCESS|{waiting}", "reprocess_all|SUCCESS|1"]
    checks = postgres.psql(
        "SELECT DISTINCT check_name FROM asset_check_executions ORDER BY 1", database
    )
    assert set(checks.splitlines()) == CHECKS
    assert not list((root / "dagster").rglob("*.db"))  # nothing went to SQLite
