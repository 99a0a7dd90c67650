"""The inbox sensor: each new file becomes one run, keyed by its SHA-256 (never processed twice).

A file whose SHA-256 already has a partition is either still being processed (its run is
queued or running: no new request) or a copy sent again after its run ended (a new request
under a new run key, so the partner gets its "already received" receipt and the copy leaves the
inbox; no cell is loaded twice). A run that failed leaves its file in the inbox, so the same rule
retries it.
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


def _in_flight(instance: dg.DagsterInstance, sha256: str) -> bool:
    """True while the partition's run is yet to finish (or not yet created by the daemon)."""
    runs = instance.get_runs(filters=dg.RunsFilter(tags={"dagster/partition": sha256}))
    return not runs or any(run.status not in FINISHED for run in runs)


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
            if sha256 in new or _in_flight(context.instance, sha256):
                continue
            run_key = f"{sha256}/{mask(path.name)}/{path.stat().st_mtime_ns}"  # a copy sent again
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
