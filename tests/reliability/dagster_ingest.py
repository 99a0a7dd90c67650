"""A Dagster run over a workspace, as its own process:
`python -m tests.reliability.dagster_ingest ROOT [READY_FILE]`.

What the daemon does when the inbox sensor ticks: evaluate ``inbox_sensor``, register the
dynamic partitions it asks for, and execute one ``submissions`` run per request (each with
the sensor's run config and tags). Prints one JSON line per run: the file, whether the run
succeeded, and the asset's ``status`` metadata (the receipt's status, or "already taken in
by another process" when a concurrent ingest got there first). READY_FILE is created once the
sensor has asked for its runs, so a test can start its competitors exactly then: however fast
the other processes are, the runs and the command-line ingests race for the same files.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import dagster as dg

from pipelines.defs.measurement import assets
from pipelines.defs.measurement.partitions import SUBMISSIONS
from pipelines.defs.measurement.resources import WorkspaceResource
from pipelines.defs.measurement.sensors import inbox_sensor


def main(root: str, ready: str | None = None) -> int:
    instance = dg.DagsterInstance.ephemeral()
    resources = {"workspace": WorkspaceResource(root=root)}
    result = inbox_sensor(dg.build_sensor_context(instance=instance, resources=resources))
    requests = result.run_requests or []
    instance.add_dynamic_partitions(SUBMISSIONS.name, [r.partition_key for r in requests])
    if ready:
        Path(ready).touch()
    for request in requests:
        run = dg.materialize(
            [assets.submissions],
            partition_key=request.partition_key,
            instance=instance,
            resources=resources,
            run_config=request.run_config,
            tags=request.tags,
            raise_on_error=False,
        )
        status = None
        for event in run.get_asset_materialization_events():
            status = event.materialization.metadata["status"].value
        print(json.dumps({"file": request.tags["file"], "success": run.success, "status": status}))
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(*sys.argv[1:3]))
