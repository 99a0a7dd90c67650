"""Jobs and the nightly schedule."""

import dagster as dg

from pipelines.defs.measurement.partitions import WAREHOUSE_WRITE_TAGS

ingest_submission = dg.define_asset_job(
    "ingest_submission",
    selection=dg.AssetSelection.assets("submissions"),
    tags=WAREHOUSE_WRITE_TAGS,
    description="Take one submission in (started by the inbox sensor).",
)

# Recompute every figure from the warehouse and publish: the nightly run, and the button to
# press after a catalog or configuration change.
reprocess_all = dg.define_asset_job(
    "reprocess_all",
    selection=dg.AssetSelection.assets("submissions").downstream(include_self=False),
    description="Recompute every figure from the warehouse, publish, and run every check.",
)

nightly_publish = dg.ScheduleDefinition(
    name="nightly_publish",
    job=reprocess_all,
    cron_schedule="0 2 * * *",
    execution_timezone="Europe/Copenhagen",
    default_status=dg.DefaultScheduleStatus.RUNNING,
)
