"""The inbox sensor: each new file becomes one run, keyed by its SHA-256 (never processed twice)."""


import dagster as dg

from ci_measure.ingest import pending_files
from ci_measure.validate import sha256_of
from pipelines.defs.measurement.jobs import ingest_submission
from pipelines.defs.measurement.partitions import SUBMISSIONS, WAREHOUSE_WRITE_TAGS
from pipelines.defs.measurement.resources import WorkspaceResource


@dg.sensor(job=ingest_submission, minimum_interval_seconds=15, default_status=dg.DefaultSensorStatus.RUNNING)
def inbox_sensor(context: dg.SensorEvaluationContext, workspace: WorkspaceResource) -> dg.SensorResult:
    ws = workspace.load()
    requests: list[dg.RunRequest] = []
    for partner, path in pending_files(ws):
        sha256 = sha256_of(path)
        requests.append(
            dg.RunRequest(
                run_key=sha256,
                partition_key=sha256,
                run_config={"ops": {"submissions": {"config": {"path": str(path), "partner": partner}}}},
                tags={**WAREHOUSE_WRITE_TAGS, "partner": partner, "file": path.name},
            )
        )
    if not requests:
        return dg.SensorResult(skip_reason="The inbox is empty.")
    return dg.SensorResult(
        run_requests=requests,
        dynamic_partitions_requests=[SUBMISSIONS.build_add_request([r.partition_key for r in requests])],
    )
