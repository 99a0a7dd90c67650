"""`make refresh`: take in whatever waits in the inbox, then recompute every figure and check.

For cron and CI, and for an analyst who wants everything current now: the runs execute in this
process (no daemon, no webserver), against the Dagster instance in $DAGSTER_HOME, so they show
in the UI like any other. Each waiting file is one `ingest_submission` run, exactly as the inbox
sensor would start it (same partition, run config and tags); then one `reprocess_all` run
recomputes the warehouse summary, the figures, the scorecard and every asset check. A file
whose run the daemon has already queued or started is left to that run.

Exit 0 when every run succeeded and no ERROR check failed (WARN checks are reported, not
fatal); 1 otherwise, with one line on stderr saying why; 2 when the workspace cannot be loaded.
A rejected file is not a failure: its partner gets the receipt, as with `ci-measure ingest`.
"""

from __future__ import annotations

import argparse
import os
import sys
import warnings
from collections.abc import Sequence

import dagster as dg

from ci_measure.config.workspace import ENV, load_workspace, resolve_root
from ci_measure.errors import CiMeasureError

# The runs' own log lines go to the instance (the UI); the terminal gets the summary below.
QUIET = {"loggers": {"console": {"config": {"log_level": "WARNING"}}}}


def _instance() -> dg.DagsterInstance:
    """The instance of $DAGSTER_HOME (what `make refresh` sets), else a throwaway one."""
    if os.environ.get("DAGSTER_HOME"):
        return dg.DagsterInstance.get()
    return dg.DagsterInstance.ephemeral()


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _run_failure(result: dg.ExecuteInProcessResult) -> str:
    """The first failed step and the first line of its error."""
    for event in result.get_step_failure_events():
        error = event.step_failure_data.error
        message = (error.message if error else "").strip().splitlines() or ["failed"]
        return f"run {result.run_id[:8]} ({result.job_def.name}) failed in {event.step_key}: {message[0]}"
    return f"run {result.run_id[:8]} ({result.job_def.name}) failed"


def take_in(defs: dg.Definitions, instance: dg.DagsterInstance) -> tuple[list[str], list[str]]:
    """One `ingest_submission` run per file the inbox sensor asks for; (report lines, failures)."""
    from pipelines.defs.measurement.sensors import inbox_sensor

    context = dg.build_sensor_context(
        instance=instance, resources={"workspace": defs.resources["workspace"]}, definitions=defs
    )
    result = inbox_sensor(context)
    for request in result.dynamic_partitions_requests or []:  # what the daemon would do
        instance.add_dynamic_partitions(request.partitions_def_name, list(request.partition_keys))
    job = defs.resolve_job_def("ingest_submission")
    lines, failures = [], []
    for request in result.run_requests or []:
        run = job.execute_in_process(
            run_config={**request.run_config, **QUIET},
            instance=instance,
            partition_key=request.partition_key,
            tags=request.tags,
            raise_on_error=False,
        )
        name = f"{request.tags.get('partner', '?')}/{request.tags.get('file', '?')}"
        if not run.success:
            failures.append(f"{name}: {_run_failure(run)}")
            lines.append(f"taken in: {name} — FAILED (the file stays in the inbox)")
            continue
        for event in run.get_asset_materialization_events():
            meta = event.materialization.metadata
            status = meta["status"].value
            detail = f" ({meta['rows'].value} rows)" if "rows" in meta else ""
            if "errors" in meta and meta["errors"].value:
                detail = f" ({meta['errors'].value} errors; the receipt says which)"
            lines.append(f"taken in: {name} — {status}{detail}")
    if not lines:
        lines.append("taken in: nothing (no file waits in the inbox)")
    return lines, failures


def recompute(defs: dg.Definitions, instance: dg.DagsterInstance) -> tuple[list[str], list[str]]:
    """One `reprocess_all` run: every asset downstream of the submissions and every check."""
    run = defs.resolve_job_def("reprocess_all").execute_in_process(
        run_config=QUIET, instance=instance, raise_on_error=False
    )
    done = list(  # in the order they ran: the pipeline's
        dict.fromkeys(
            e.asset_key.to_user_string()
            for e in run.get_asset_materialization_events()
            if e.asset_key
        )
    )
    lines = [f"recomputed: {', '.join(done) if done else 'nothing'}"]
    passed, warned, errors = 0, [], []
    for evaluation in sorted(run.get_asset_check_evaluations(), key=lambda e: e.check_name):
        text = f"{evaluation.check_name}: {evaluation.description}"
        if evaluation.passed:
            passed += 1
        elif evaluation.severity == dg.AssetCheckSeverity.ERROR:
            errors.append(f"check {text}")
        else:
            warned.append(text)
    lines.append(
        f"checks: {passed} passed, {_count(len(warned), 'warning')}, {_count(len(errors), 'error')}"
    )
    lines += [f"  warning — {text}" for text in warned]
    return lines, errors + ([] if run.success else [_run_failure(run)])


def refresh(instance: dg.DagsterInstance) -> tuple[list[str], list[str]]:
    """Take in, then recompute; (report lines, failures). No failures = everything is current."""
    from pipelines.definitions import defs

    definitions = defs()
    lines, failures = take_in(definitions, instance)
    more_lines, more_failures = recompute(definitions, instance)
    return lines + more_lines, failures + more_failures


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pipelines.refresh", description=__doc__)
    parser.add_argument("--workspace", help=f"the workspace (default: ${ENV}, else data/)")
    args = parser.parse_args(argv)
    try:
        root = resolve_root(args.workspace)
        load_workspace(root)  # a configuration error: one line, before any run starts
    except CiMeasureError as error:
        print(f"refresh: {error}", file=sys.stderr)
        return 2
    os.environ[ENV] = str(root)  # what the workspace resource reads in every run
    warnings.filterwarnings("ignore", module="dagster")
    with _instance() as instance:
        lines, failures = refresh(instance)
    print("\n".join(lines))
    if failures:
        more = f" (and {len(failures) - 1} more above)" if len(failures) > 1 else ""
        for failure in failures[1:]:
            print(f"  error — {failure}")
        print(f"refresh failed: {failures[0]}{more}", file=sys.stderr)
        return 1
    print("refresh: everything is current")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
