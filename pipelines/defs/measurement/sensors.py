"""The inbox sensor: each new file becomes one run, keyed by its SHA-256 (never processed twice).

A file whose SHA-256 already has a partition is either still being processed (its run is
queued or running: no new request) or a copy sent again after its run ended (a new request
under a new run key, so the partner gets its "already received" receipt and the copy leaves the
inbox; no cell is loaded twice). A run that failed leaves its file in the inbox, so the same rule
retries it: each attempt has its own run key, up to MAX_ATTEMPTS failed runs in a row; after that
the file waits (logged once per tick) until it is sent again or the analyst starts a run, so a
file that always fails does not start a run every 15 seconds.
"""

from pathlib import Path

import dagster as dg

from ci_measure.intake.cpr import mask
from ci_measure.intake.inbox import sha256_no_follow
from ci_measure.intake.ingest import pending_files
from pipelines.defs.measurement.jobs import ingest_submission
from pipelines.defs.measurement.partitions import SUBMISSIONS, WAREHOUSE_WRITE_TAGS
from pipelines.defs.measurement.resources import WorkspaceResource

FINISHED = {dg.DagsterRunStatus.SUCCESS, dg.DagsterRunStatus.FAILURE, dg.DagsterRunStatus.CANCELED}
MAX_ATTEMPTS = 3  # failed runs in a row for one file before the sensor stops retrying it


def _runs(instance: dg.DagsterInstance, sha256: str) -> list[dg.DagsterRun] | None:
    """The partition's runs, newest first; None while one is yet to finish (or to be created)."""
    runs = instance.get_runs(filters=dg.RunsFilter(tags={"dagster/partition": sha256}))
    if not runs or any(run.status not in FINISHED for run in runs):
        return None
    return runs


def _failures_in_a_row(runs: list[dg.DagsterRun]) -> int:
    failed = 0
    for run in runs:  # newest first
        if run.status == dg.DagsterRunStatus.SUCCESS:
            break
        failed += 1
    return failed


def _kept(path: Path) -> str:
    """The path as run config may keep it: empty when its name holds a CPR number."""
    return str(path) if mask(path.name) == path.name else ""


@dg.sensor(
    job=ingest_submission,
    minimum_interval_seconds=15,
    default_status=dg.DefaultSensorStatus.RUNNING,
)
def inbox_sensor(
    context: dg.SensorEvaluationContext, workspace: WorkspaceResource
) -> dg.SensorResult:
    ws = workspace.load()
    known = set(context.instance.get_dynamic_partitions(SUBMISSIONS.name))
    requests: list[dg.RunRequest] = []
    new: list[str] = []
    for partner, path in pending_files(ws):
        sha256 = sha256_no_follow(path)  # complete files only, never through a link
        if sha256 is None:  # a concurrent `ci-measure ingest` took it in meanwhile
            continue
        run_key = sha256
        if sha256 in known or sha256 in new:
            runs = None if sha256 in new else _runs(context.instance, sha256)
            if runs is None:
                continue
            if _failures_in_a_row(runs) >= MAX_ATTEMPTS:
                context.log.warning(f"{mask(path.name)}: {MAX_ATTEMPTS} runs failed; not retried")
                continue
            # A copy sent again, or the next attempt after a failed run: a key of its own.
            run_key = f"{sha256}/{mask(path.name)}/{path.stat().st_mtime_ns}/{len(runs)}"
        else:
            new.append(sha256)
        requests.append(
            dg.RunRequest(
                run_key=run_key,
                partition_key=sha256,
                run_config={  # a name holding a CPR number is not kept: found by SHA-256
                    "ops": {"submissions": {"config": {"path": _kept(path), "partner": partner}}}
                },
                tags={**WAREHOUSE_WRITE_TAGS, "partner": partner, "file": mask(path.name)},
            )
        )
    if not requests:
        return dg.SensorResult(skip_reason="No new file in the inbox.")
    return dg.SensorResult(
        run_requests=requests,
        dynamic_partitions_requests=[SUBMISSIONS.build_add_request(new)] if new else [],
    )
