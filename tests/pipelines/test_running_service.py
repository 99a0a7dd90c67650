"""The running service as the analyst meets it: `make dagster` (webserver, daemon, code server),
a file dropped into an inbox, and everything downstream recomputed with nobody clicking."""

from __future__ import annotations

import time
from pathlib import Path

import pandas as pd

from ci_measure.config.workspace import load_workspace
from ci_measure.figures import indicator_rows
from ci_measure.report import HTML_NAME
from tests.helpers import write
from tests.pipelines.service import LOCATION, REPO, REPOSITORY, Service, make_dagster, production

GOOD = "dataelement;område;periode;køn;værdi\nELEVER_AFGANG_9KL;0561-OST-N;2023/24;_T;40\nELEVER_UDD_15MD;0561-OST-N;2023/24;_T;34\n"
DOWNSTREAM = ("warehouse", "indicator_values", "published_figures", "scorecard")
# Generous: six engineers share two cores. A healthy run takes one to three minutes.
START_TIMEOUT = 300
RECOMPUTE_TIMEOUT = 900

SENSORS = """
query ($selector: RepositorySelector!) {
  sensorsOrError(repositorySelector: $selector) {
    __typename
    ... on Sensors { results { name sensorState { status } } }
  }
}
"""
ASSETS = """
query ($keys: [AssetKeyInput!]) {
  assetNodes(assetKeys: $keys) {
    assetKey { path }
    assetMaterializations(limit: 1) { timestamp runId }
    assetChecksOrError {
      ... on AssetChecks {
        checks { name executionForLatestMaterialization { status runId } }
      }
    }
  }
}
"""
RUN = """
query ($id: ID!) {
  runOrError(runId: $id) { ... on Run { jobName status tags { key value } } }
}
"""


def _sensor_states(service: Service) -> dict[str, str]:
    selector = {"repositoryLocationName": LOCATION, "repositoryName": REPOSITORY}
    answer = service.graphql(SENSORS, {"selector": selector})["sensorsOrError"]
    assert answer["__typename"] == "Sensors", answer  # the code location is loaded
    return {s["name"]: s["sensorState"]["status"] for s in answer["results"]}


def _latest(service: Service) -> dict[str, dict]:
    keys = [{"path": [name]} for name in ("submissions", *DOWNSTREAM)]
    nodes = service.graphql(ASSETS, {"keys": keys})["assetNodes"]
    return {node["assetKey"]["path"][0]: node for node in nodes}


def _materialized_after(node: dict, moment: float) -> bool:
    events = node["assetMaterializations"]
    return bool(events) and int(events[0]["timestamp"]) / 1000 > moment


def _run_tags(service: Service, run_id: str) -> tuple[str, str, dict[str, str]]:
    run = service.graphql(RUN, {"id": run_id})["runOrError"]
    return run["jobName"], run["status"], {t["key"]: t["value"] for t in run["tags"]}


def psycopg2_url(url: str) -> str:
    """The driver named, as docs/deployment.md asks (SQLAlchemy 2.1 reads a bare postgresql://
    as psycopg 3, which dagster-postgres does not install)."""
    return "postgresql+psycopg2://" + url.removeprefix("postgresql://")


def _drop_and_follow(service: Service, workspace_dir: Path) -> dict[str, dict]:
    """Drop a file, wait until the published figures and the scorecard follow; assert who did
    what. Returns the asset nodes as GraphQL gave them."""
    states = service.wait_for(
        "loaded code location", lambda: _sensor_states(service), START_TIMEOUT
    )
    # Both sensors run by default: nobody has to switch anything on in the UI.
    assert states == {"inbox_sensor": "RUNNING", "recompute_after_ingest": "RUNNING"}

    dropped = time.time()
    write(workspace_dir / "inbox" / "SKOLE" / "skole.csv", GOOD)

    def fresh() -> dict[str, dict] | None:
        nodes = _latest(service)
        wanted = ("published_figures", "scorecard")
        return nodes if all(_materialized_after(nodes[k], dropped) for k in wanted) else None

    nodes = service.wait_for(
        "published_figures and scorecard materialized after the drop", fresh, RECOMPUTE_TIMEOUT
    )
    for name in ("submissions", *DOWNSTREAM):
        assert _materialized_after(nodes[name], dropped), name

    # The file was taken in by the inbox sensor, the rest by the automation, not by a click.
    job, status, tags = _run_tags(
        service, nodes["submissions"]["assetMaterializations"][0]["runId"]
    )
    assert (job, status, tags["dagster/sensor_name"]) == (
        "ingest_submission",
        "SUCCESS",
        "inbox_sensor",
    )
    figures_run = nodes["published_figures"]["assetMaterializations"][0]["runId"]
    job, status, tags = _run_tags(service, figures_run)
    assert tags["dagster/sensor_name"] == "recompute_after_ingest"
    assert tags["dagster/from_automation_condition"] == "true"

    # Every check ran on the latest materialization of its asset (it rode along).
    for name, count in (("warehouse", 4), ("published_figures", 3)):
        checks = nodes[name]["assetChecksOrError"]["checks"]
        assert len(checks) == count
        run_id = nodes[name]["assetMaterializations"][0]["runId"]
        for check in checks:
            execution = check["executionForLatestMaterialization"]
            assert execution is not None, f"{check['name']} did not run"
            assert execution["status"] in ("SUCCEEDED", "FAILED"), (check, execution)
            assert execution["runId"] == run_id
        statuses = {c["name"]: c["executionForLatestMaterialization"]["status"] for c in checks}
        if name == "published_figures":  # a count of 34 of 40 is shown: nothing too small
            assert statuses["published_figures_suppression"] == "SUCCEEDED"
        else:  # KOMMUNE and NGO have delivered nothing: an ERROR the analyst sees
            assert statuses["warehouse_completeness"] == "FAILED"

    # What the partner and the analyst read: the receipt, and the figures of that file.
    assert list((workspace_dir / "outbox" / "SKOLE").glob("*.json"))
    assert not list((workspace_dir / "inbox" / "SKOLE").iterdir())
    published = pd.read_parquet(workspace_dir / "reports" / "published_figures.parquet")
    expected = indicator_rows(load_workspace(workspace_dir), published=True)
    pd.testing.assert_frame_equal(published, expected)
    row = published[(published["area"] == "0561-OST-N") & (published["status"] == "ok")]
    assert (row["numerator"].tolist(), row["denominator"].tolist()) == ([34.0], [40.0])
    assert (workspace_dir / "reports" / HTML_NAME).stat().st_mtime > dropped
    return nodes


def test_make_dagster_takes_a_dropped_file_in_and_every_figure_and_check_follows(
    workspace_dir, tmp_path
):
    with make_dagster(workspace_dir, tmp_path / "dagster.log") as service:
        _drop_and_follow(service, workspace_dir)
    assert (workspace_dir / "dagster" / "dagster.yaml").read_text() == (
        REPO / "dagster.yaml"
    ).read_text()


def test_the_production_deployment_on_postgres_does_the_same_and_keeps_its_history_there(
    workspace_dir, tmp_path, postgres
):
    database = postgres.create_database("dagster")
    home = tmp_path / "dagster-home"
    url = psycopg2_url(postgres.url(database))
    with production(workspace_dir, home, url, tmp_path / "dagster.log") as service:
        nodes = _drop_and_follow(service, workspace_dir)

    def sql(query: str) -> list[list[str]]:
        out = postgres.psql(query, database)
        return [line.split("|") for line in out.splitlines()] if out else []

    # Runs (run storage), events and materializations (event-log storage), sensor ticks
    # (schedule storage): all in Postgres, nothing in SQLite files under DAGSTER_HOME.
    runs = dict(sql("SELECT run_id, pipeline_name || ':' || status FROM runs"))
    for name in ("submissions", "published_figures"):
        run_id = nodes[name]["assetMaterializations"][0]["runId"]
        job = "ingest_submission" if name == "submissions" else "__ASSET_JOB"
        assert runs[run_id] == f"{job}:SUCCESS", runs
    materialized = {
        key
        for (key,) in sql(
            "SELECT DISTINCT asset_key FROM event_logs WHERE dagster_event_type = 'ASSET_MATERIALIZATION'"
        )
    }
    assert {f'["{name}"]' for name in ("submissions", *DOWNSTREAM)} <= materialized
    for sensor in ("inbox_sensor", "recompute_after_ingest"):
        [[ticks]] = sql(f"SELECT count(*) FROM job_ticks WHERE tick_body LIKE '%\"{sensor}\"%'")
        assert int(ticks) >= 1, sensor
    assert not list(home.rglob("*.db")), sorted(home.rglob("*.db"))
