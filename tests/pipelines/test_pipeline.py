"""Dagster on a workspace in tmp_path: definitions load, the sensor, assets and checks."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import dagster as dg
import pandas as pd
import pytest

from ci_measure.config.workspace import init_workspace, load_workspace
from ci_measure.figures import indicator_rows, present
from pipelines.defs.measurement import assets, checks
from pipelines.defs.measurement.partitions import SUBMISSIONS
from pipelines.defs.measurement.resources import WorkspaceResource
from pipelines.defs.measurement.sensors import inbox_sensor
from pipelines.refresh import refresh
from tests.helpers import write

GOOD = "dataelement;område;periode;køn;værdi\nELEVER_AFGANG_9KL;0561-OST-N;2023/24;_T;40\nELEVER_UDD_15MD;0561-OST-N;2023/24;_T;34\n"

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


@pytest.fixture(scope="module")
def through_dagster(tmp_path_factory) -> Path:
    """The demo taken in and computed by Dagster alone (the inbox runs, then every asset)."""
    root = init_workspace(tmp_path_factory.mktemp("three") / "demo", demo=True)
    with pytest.MonkeyPatch.context() as patch, dg.DagsterInstance.ephemeral() as instance:
        patch.setenv("CI_MEASURE_WORKSPACE", str(root))
        _, failures = refresh(instance)
    assert failures == []
    return root


@pytest.mark.parametrize("published", [False, True], ids=["unpublished", "published"])
def test_the_cli_the_asset_and_the_notebook_give_the_same_figures(through_dagster, published):
    """One code path: `ci-measure indicators --format csv`, the asset's Parquet file and
    `indicators.compute` are three outputs of the same rows (SPEC §7, §9, §10)."""
    import indicators

    root = through_dagster
    name = "published_figures" if published else "indicator_values"
    from_dagster = pd.read_parquet(root / "reports" / f"{name}.parquet")
    cli = subprocess.run(
        [str(Path(sys.executable).parent / "ci-measure"), "indicators", "--workspace", str(root)]
        + ["--format", "csv", "--all"]  # every row, as the asset and compute() give
        + (["--published"] if published else []),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert cli.returncode == 0, cli.stderr
    from_notebook = indicators.compute(workspace=root, published=published)

    statuses = set(from_dagster["status"])
    assert len(from_dagster) > 100 and "ok" in statuses
    assert ("suppressed" in statuses) == published  # the two outputs are not the same rows
    pd.testing.assert_frame_equal(from_notebook, from_dagster)
    assert cli.stdout == present.to_csv(from_dagster)  # byte for byte
    text = {
        c: "string" for c in from_dagster.columns if c not in ("numerator", "denominator", "value")
    }
    from_cli = pd.read_csv(
        io.StringIO(cli.stdout),
        dtype=text,
        keep_default_na=False,
        na_values={c: [""] for c in from_dagster.columns},
    )
    pd.testing.assert_frame_equal(from_cli, from_dagster, check_exact=False, rtol=1e-12)


@pytest.fixture(scope="module")
def demo_root(tmp_path_factory) -> Path:
    """The demo, fully ingested (shared by the read-only check tests)."""
    from ci_measure.intake.ingest import ingest_inbox

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
    from ci_measure.intake.ingest import ingest_inbox

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
    from ci_measure.intake.ingest import ingest_inbox

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


def test_the_suppression_check_reads_the_published_file_and_fails_on_a_broken_one(demo_root):
    """The check verifies what was published, not how: a publication with one small count
    put back is caught (SPEC §7.6; issue 20)."""
    ws = load_workspace(demo_root)
    published = indicator_rows(ws, published=True)
    rows = indicator_rows(ws)
    hit = published.index[published["status"] == "suppressed"][0]
    published.loc[hit] = rows.loc[hit]  # the unpublished numbers, as if never suppressed
    ws.reports_dir.mkdir(parents=True, exist_ok=True)
    published.to_parquet(ws.reports_dir / "published_figures.parquet", index=False)
    try:
        result = checks.published_figures_suppression(WorkspaceResource(root=str(demo_root)))
    finally:
        (ws.reports_dir / "published_figures.parquet").unlink()
    assert not result.passed and result.severity == dg.AssetCheckSeverity.ERROR
    assert "break disclosure control" in result.description
    assert rows.loc[hit, "indicator"] in result.metadata["details"].value


def test_a_parquet_output_that_fails_half_way_leaves_the_previous_file_whole(
    through_dagster, monkeypatch
):
    """The figures are written beside the target and renamed: a notebook reading
    indicator_values.parquet sees the old file or the new one, never half of one."""
    target = through_dagster / "reports" / "indicator_values.parquet"
    before = target.read_bytes()

    def half_then_fail(frame, path, **kwargs):
        Path(path).write_bytes(before[: len(before) // 2])
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(pd.DataFrame, "to_parquet", half_then_fail)
    with pytest.raises(OSError, match="No space left"):
        assets.indicator_values(WorkspaceResource(root=str(through_dagster)))
    assert target.read_bytes() == before
    assert not [p.name for p in target.parent.iterdir() if p.name.startswith(".")]


def test_a_failed_run_is_retried_with_a_new_key_and_stops_after_three_failures(
    workspace_dir, monkeypatch
):
    """A full disk fails the run and leaves the file in the inbox: the sensor tries again (each
    attempt its own run key, or Dagster would drop it as a duplicate), three times in a row at
    most; once the disk has room, the file goes in."""
    from ci_measure import faults

    write(workspace_dir / "inbox" / "SKOLE" / "skole.csv", GOOD)
    instance = dg.DagsterInstance.ephemeral()
    resources = {"workspace": WorkspaceResource(root=str(workspace_dir))}

    def tick() -> list[dg.RunRequest]:
        result = inbox_sensor(dg.build_sensor_context(instance=instance, resources=resources))
        for request in result.dynamic_partitions_requests or []:
            instance.add_dynamic_partitions(
                request.partitions_def_name, list(request.partition_keys)
            )
        return result.run_requests or []

    def run(request: dg.RunRequest) -> bool:
        return dg.materialize(
            [assets.submissions],
            partition_key=request.partition_key,
            instance=instance,
            resources=resources,
            run_config=request.run_config,
            tags={**request.tags, "dagster/run_key": request.run_key},
            raise_on_error=False,
        ).success

    monkeypatch.setenv(faults.FAIL_ENV, "after_read")
    keys = []
    for _ in range(3):
        [request] = tick()
        keys.append(request.run_key)
        faults.configure()  # the disk is full for this run's first file again
        assert not run(request)  # ENOSPC: the run fails, the file stays
    assert len(set(keys)) == 3
    assert tick() == []  # three failures in a row: no fourth attempt on its own

    monkeypatch.delenv(faults.FAIL_ENV)
    faults.configure()
    write(workspace_dir / "inbox" / "SKOLE" / "skole.csv", GOOD + "\n")  # sent again
    [request] = tick()
    assert run(request)
    assert not list((workspace_dir / "inbox" / "SKOLE").iterdir())
