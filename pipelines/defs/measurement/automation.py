"""Recompute without clicking: a file taken in → the warehouse → every figure and check.

Dagster evaluates automation conditions only through an automation-condition sensor, and the
one it adds by itself starts STOPPED. This sensor targets every asset and starts RUNNING, so
`make dagster` and the deployment recompute downstream of each ingest with nobody clicking.
"""

import dagster as dg

# Downstream of one asset: run when it has been updated, once, after it and nothing else
# upstream is in progress or missing (Dagster's `eager`).
AFTER_UPSTREAM = dg.AutomationCondition.eager()

# The warehouse follows every submission that is taken in. Unlike `eager`, a submission
# partition that stays missing (a run that failed, a file removed by hand) does not hold
# back the figures of every later file; one still in progress does.
AFTER_ANY_SUBMISSION = AFTER_UPSTREAM.without(
    ~dg.AutomationCondition.any_deps_missing()
).with_label("after any submission")

recompute_after_ingest = dg.AutomationConditionSensorDefinition(
    "recompute_after_ingest",
    target=dg.AssetSelection.all(),
    default_status=dg.DefaultSensorStatus.RUNNING,
    minimum_interval_seconds=15,
    description=(
        "Recomputes the warehouse summary, the figures, the scorecard and their checks after "
        "each file the inbox sensor takes in (the assets' automation conditions)."
    ),
)
