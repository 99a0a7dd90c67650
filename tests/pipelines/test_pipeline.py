"""Dagster on a workspace in tmp_path: definitions load, the sensor, assets and checks."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import dagster as dg
import pandas as pd
import pytest

from ci_measure.figures import indicator_rows
from ci_measure.workspace import init_workspace, load_workspace
from pipelines.defs.measurement import assets, checks
from pipelines.defs.measurement.partitions import SUBMISSIONS
from pipelines.defs.measurement.resources import WorkspaceResource
from pipelines.defs.measurement.sensors import inbox_sensor
from tests.helpers import write

REPO = Path(__file__).resolve().parents[2]
GOOD = "dataelement;område;periode;køn;værdi\nELEVER_AFGANG_9KL;0561-OST-N;2023/24;_T;40\nELEVER_UDD_15MD;0561-OST-N;2023/24;_T;34\n"

DOWNSTREAM = [assets.warehouse, assets.indicator_values, assets.published_figures]
CHECKS = [
    checks.warehouse_completeness,
    checks.warehouse_timeliness,
    checks.warehouse_rules,
    checks.warehouse_totals,
    checks.published_figures_outliers,
    checks.published_figures_suppression,
]


def test_definitions_load_with_every_asset_check_sensor_and_job():
    from pipelines.definitions import defs

    loaded = defs()
    keys = {k.to_user_string() for k in loaded.resolve_asset_graph().get_all_asset_keys()}
    assert {"submissions", "warehouse", "indicator_values", "published_figures"} <= keys
    assert loaded.resolve_sensor_def("inbox_sensor")
    assert loaded.resolve_job_def("reprocess_all") and loaded.resolve_job_def("ingest_submission")
    assert len(loaded.resolve_schedule_def("nightly_publish").cron_schedule) > 0


def test_dagster_definitions_validate_from_the_repository_root(tmp_path):
    env = {
        **os.environ,
        "DAGSTER_HOME": str(tmp_path),
        "CI_MEASURE_WORKSPACE": str(tmp_path / "ws"),
    }
    shutil.copy(REPO / "dagster.yaml", tmp_path / "dagster.yaml")
    result = subprocess.run(
        [str(Path(sys.executable).parent / "dagster"), "definitions", "validate"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]


def test_the_sensor_requests_one_run_per_new_file_and_none_for_the_same_file(workspace_dir):
    path = write(workspace_dir / "inbox" / "SKOLE" / "skole.csv", GOOD)
    instance = dg.DagsterInstance.ephemeral()
    resources = {"workspace": WorkspaceResource(root=str(workspace_dir))}

    def tick() -> dg.SensorResult:
        result = inbox_sensor(dg.build_sensor_context(instance=instance, resources=resources))
        for request in result.dynamic_partitions_requests or []:  # what the daemon would do
            instance.add_dynamic_partitions(
                request.partitions_def_name, list(request.partition_keys)
            )
        return result

    [request] = tick().run_requests
    assert len(request.run_key) == 64 and request.partition_key == request.run_key
    assert request.run_config["ops"]["submissions"]["config"] == {
        "path": str(path),
        "partner": "SKOLE",
    }
    assert request.tags["ci_measure/warehouse"] == "write"
    # The file waits for its run; a copy of the same bytes under another name waits too.
    write(workspace_dir / "inbox" / "SKOLE" / "skole-copy.csv", GOOD)
    again = tick()
    assert again.run_requests == [] and "No new file" in again.skip_reason.skip_message


def test_a_copy_sent_after_the_run_gets_its_own_run_and_loads_nothing(workspace_dir):
    from ci_measure.figures import submissions

    instance = dg.DagsterInstance.ephemeral()
    resources = {"workspace": WorkspaceResource(root=str(workspace_dir))}
    write(workspace_dir / "inbox" / "SKOLE" / "skole.csv", GOOD)
    [first] = inbox_sensor(
        dg.build_sensor_context(instance=instance, resources=resources)
    ).run_requests
    instance.add_dynamic_partitions(SUBMISSIONS.name, [first.partition_key])
    result = dg.materialize(
        [assets.submissions],
        partition_key=first.partition_key,
        instance=instance,
        resources=resources,
        run_config=first.run_config,
        tags=first.tags,
    )
    assert result.success
    write(workspace_dir / "inbox" / "SKOLE" / "skole-igen.csv", GOOD)  # the same bytes again
    [copy] = inbox_sensor(
        dg.build_sensor_context(instance=instance, resources=resources)
    ).run_requests
    assert copy.partition_key == first.partition_key and copy.run_key != first.run_key
    assert dg.materialize(
        [assets.submissions],
        partition_key=copy.partition_key,
        instance=instance,
        resources=resources,
        run_config=copy.run_config,
    ).success
    audit = submissions(load_workspace(workspace_dir))
    assert audit["status"].tolist() == ["accepted"]  # recorded once
    receipts = sorted(p.name for p in (workspace_dir / "outbox" / "SKOLE").glob("*.json"))
    assert len(receipts) == 2 and not list((workspace_dir / "inbox" / "SKOLE").iterdir())


def test_materialising_everything_gives_the_figures_of_the_cli(tmp_path):
    root = init_workspace(tmp_path / "demo", demo=True)
    ws = load_workspace(root)
    resources = {"workspace": WorkspaceResource(root=str(root))}
    instance = dg.DagsterInstance.ephemeral()
    from ci_measure.ingest import pending_files
    from ci_measure.validate import sha256_of

    for partner, path in pending_files(ws):
        key = sha256_of(path)
        instance.add_dynamic_partitions(SUBMISSIONS.name, [key])
        result = dg.materialize(
            [assets.submissions],
            partition_key=key,
            instance=instance,
            resources=resources,
            run_config={
                "ops": {"submissions": {"config": {"path": str(path), "partner": partner}}}
            },
        )
        assert result.success
    assert not pending_files(ws)

    result = dg.materialize(DOWNSTREAM, instance=instance, resources=resources)
    assert result.success
    from_dagster = pd.read_parquet(root / "reports" / "indicator_values.parquet")
    from_cli = indicator_rows(ws)
    pd.testing.assert_frame_equal(from_dagster, from_cli)
    published = pd.read_parquet(root / "reports" / "published_figures.parquet")
    pd.testing.assert_frame_equal(published, indicator_rows(ws, published=True))


@pytest.fixture(scope="module")
def demo_root(tmp_path_factory) -> Path:
    """The demo, fully ingested (shared by the read-only check tests)."""
    from ci_measure.ingest import ingest_inbox

    root = init_workspace(tmp_path_factory.mktemp("demo") / "ws", demo=True)
    ingest_inbox(load_workspace(root))
    return root


@pytest.mark.parametrize("check", CHECKS, ids=lambda c: c.check_key.name)
def test_every_check_passes_on_the_demo(check, demo_root):
    result = check(WorkspaceResource(root=str(demo_root), today="2026-11-23"))
    assert result.passed, f"{result.description}\n{result.metadata['details'].value}"
    assert result.metadata["findings"].value == 0


def _broken_demo(tmp_path: Path) -> Path:
    """The demo plus files that break each promise the checks watch over."""
    from ci_measure.ingest import ingest_inbox

    root = init_workspace(tmp_path / "broken", demo=True)
    inbox = root / "inbox"
    for path in (inbox / "JOBCENTER").iterdir():  # the job centre never delivers
        path.unlink()
    (inbox / "UU" / "04_overgang_15md_2024-25.csv").unlink()  # the 2024/25 status is late
    write(  # a total that is not the sum of its parts, and a part above its whole
        inbox / "KOMMUNE_STAT" / "99_fejl.csv",
        "Område;År;Dataelement;Værdi\n0561-OEVR;2025;BEF_I_ALT;1\n0561-OST;2025;BEF_25_UDD;999\n",
    )
    ingest_inbox(load_workspace(root))
    return root


def test_checks_fail_readably_on_a_broken_workspace(tmp_path):
    resource = WorkspaceResource(root=str(_broken_demo(tmp_path)), today="2026-11-23")
    missing = checks.warehouse_completeness(resource)
    assert not missing.passed and missing.severity == dg.AssetCheckSeverity.ERROR
    assert missing.description == "6 promised cells are missing for the latest period reported."
    assert "JOBCENTER" in missing.metadata["details"].value
    late = checks.warehouse_timeliness(resource)
    assert not late.passed and late.severity == dg.AssetCheckSeverity.WARN
    assert (
        late.description
        == "6 promised cells are overdue (their period ended more than a year ago)."
    )
    assert "ELEVER_UDD_15MD" in late.metadata["details"].value
    totals = checks.warehouse_totals(resource)
    assert not totals.passed and "differ from the sum of their parts" in totals.description
    assert "0561" in totals.metadata["details"].value
    rules = checks.warehouse_rules(resource)
    assert not rules.passed and "part greater than its whole" in rules.description
    assert "BEF_25_UDD" in rules.metadata["details"].value


def test_the_outlier_check_flags_a_jump_with_its_factor(tmp_path):
    from ci_measure.ingest import ingest_inbox

    root = init_workspace(tmp_path / "jump", demo=True)
    write(  # ten times the meeting places' visitors of 2024-Q4 a year later
        root / "inbox" / "NGO" / "99_spring.csv",
        "Dataelement;Område;Periode;Antal\nINKL_DELTAGERE;0621-TRH;K4 2025;900\n",
    )
    ingest_inbox(load_workspace(root))
    result = checks.published_figures_outliers(
        WorkspaceResource(root=str(root), outlier_factor=1.5)
    )
    assert not result.passed
    assert "jump by more than ×1.5" in result.description
    assert "2025-Q4" in result.metadata["details"].value
