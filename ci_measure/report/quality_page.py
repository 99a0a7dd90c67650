"""The scorecard's data-quality section: completeness by partner and period, submissions by
outcome, and the asset checks' results; and the partnership's own data-quality page, which
also lists the rejected files (the public scorecard never does).

The checks are the functions of ``ci_measure.figures.quality`` that Dagster's asset checks wrap,
called directly. Their findings are shown as keys (what, where, when), never with the raw
cell values they compare: those are unpublished counts and could undo suppression. The
outlier check runs over the published rows for the same reason.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd
from markupsafe import Markup

from ci_measure import clock, templating
from ci_measure.config import periods
from ci_measure.config.model import PERIOD_TYPES, Workspace
from ci_measure.figures import quality

MAX_PERIODS = 8  # completeness columns per period type: the latest ones
KEY_COLUMNS = (
    "partner",
    "data_element",
    "part",
    "whole",
    "dimension",
    "indicator",
    "area",
    "period",
    "sex",
    "origin",
)


@dataclass
class Check:
    name_da: str
    name_en: str
    severity: str  # "error" | "warn"
    findings: pd.DataFrame


@dataclass
class QualityFacts:
    completeness: dict[str, tuple[list[str], dict[str, dict[str, tuple[int, int]]]]] = field(
        default_factory=dict
    )
    partner_names: dict[str, str] = field(default_factory=dict)
    submissions: pd.DataFrame = field(default_factory=pd.DataFrame)
    checks: list[Check] = field(default_factory=list)


def _completeness(grid: pd.DataFrame, workspace: Workspace):
    """Per period type: (latest periods, {partner: {period: (delivered, promised)}}), partners
    in the partnership's order. ``grid`` is ``quality.completeness``: "delivered" is the rule
    of ``ci-measure status`` and of the completeness check."""
    order = {p.code: i for i, p in enumerate(workspace.partnership.partners)}
    result: dict[str, tuple[list[str], dict]] = {}
    sums = grid.groupby(["period_type", "partner", "period"], as_index=False)[
        ["delivered", "promised"]
    ].sum()
    for kind in [k for k in PERIOD_TYPES if k in set(sums["period_type"])]:
        mine = sums[sums["period_type"] == kind]
        every = sorted(set(mine["period"]), key=periods.sort_key)
        cells: dict[str, dict[str, tuple[int, int]]] = {}
        for r in mine.sort_values("partner", key=lambda s: s.map(order)).itertuples():
            cells.setdefault(r.partner, {})[r.period] = (int(r.delivered), int(r.promised))
        result[kind] = (every[-MAX_PERIODS:], cells)
    return result


def _plain(rows: pd.DataFrame) -> pd.DataFrame:
    """Codes as plain Python strings: ``outliers`` sorts by tuples mapped from the period,
    which an Arrow-backed string column (pandas 3) cannot hold."""
    return rows.astype(
        {c: object for c in rows.columns if c not in ("numerator", "denominator", "value")}
    )


def gather(
    workspace: Workspace,
    published: pd.DataFrame,
    unpublished: pd.DataFrame,
    today: dt.date | None = None,
) -> QualityFacts:
    """Everything the page shows, computed from the warehouse and the published rows; the
    unpublished rows only to verify the published ones (never shown)."""
    from ci_measure import figures  # local: rendering needs no warehouse

    facts = QualityFacts(partner_names={p.code: p.name for p in workspace.partnership.partners})
    facts.submissions = figures.submissions(workspace)
    with figures.current_cells(workspace) as (con, cells):
        grid = quality.completeness(con, cells, workspace)
        delivery = quality.delivery_status(con, cells, workspace, today=today)
        rules = quality.rule_violations(con, cells, workspace)
        totals = quality.total_mismatches(con, cells, workspace)
    facts.completeness = _completeness(grid, workspace)
    state = delivery["state"] if len(delivery) else pd.Series(dtype=object)
    facts.checks = [
        Check(
            "Leveret for seneste periode",
            "Delivered for the latest period",
            "error",
            delivery[state == "missing"],
        ),
        Check("Rettidig levering", "Timely delivery", "warn", delivery[state == "late"]),
        Check("Del ≤ helhed", "Part ≤ whole", "warn", rules),
        Check("Totaler = sum af dele", "Totals = sum of parts", "warn", totals),
        Check(
            "Spring i tidsserier (offentliggjorte tal)",
            "Jumps in time series (published figures)",
            "warn",
            quality.outliers(_plain(published)),
        ),
        Check(
            "Diskretionering anvendt",
            "Suppression applied",
            "error",
            quality.suppression_findings(unpublished, published, workspace),
        ),
    ]
    return facts


SUBMISSION_STATES = (
    ("accepted", ("Godkendt", "Accepted")),
    ("rejected", ("Afvist", "Rejected")),
    ("deleted", ("Slettet (persondata)", "Deleted (personal data)")),
)


def completeness_view(facts: QualityFacts) -> list[dict]:
    """One table per period type: a row per partner, a cell per period (share delivered)."""
    tables = []
    for kind, (columns, grid) in facts.completeness.items():
        rows = []
        for partner, cells in grid.items():
            shown = []
            for p in columns:
                done, total = cells.get(p, (0, 0))
                css = (
                    "na" if total == 0 else "full" if done == total else "part" if done else "none"
                )
                text = "·" if total == 0 else f"{round(100 * done / total)} %"
                shown.append({"css": css, "text": text, "title": f"{done}/{total}"})
            rows.append({"name": facts.partner_names.get(partner, partner), "cells": shown})
        name = (periods.NAMES_DA[kind].capitalize(), periods.NAMES_EN[kind].capitalize())
        tables.append({"kind": name, "columns": columns, "rows": rows})
    return tables


def submissions_view(facts: QualityFacts) -> list[dict]:
    """How many files each partner sent, by outcome (counts only: no file names)."""
    subs = facts.submissions
    if subs.empty:
        return []
    counts = subs.groupby(["partner", "status"]).size().unstack(fill_value=0)
    return [
        {
            "name": facts.partner_names.get(str(p), str(p)),
            "counts": [int(counts.loc[p].get(s, 0)) for s, _ in SUBMISSION_STATES],
        }
        for p in counts.index
    ]


def rejected_view(facts: QualityFacts) -> list[dict]:
    """The rejected files: when, who, which file. For the partnership's own page only."""
    subs = facts.submissions
    if subs.empty:
        return []
    rejected = subs[subs["status"] == "rejected"]
    return [
        {
            "received": clock.for_people(pd.Timestamp(r.received_at).to_pydatetime()),
            "partner": facts.partner_names.get(str(r.partner), str(r.partner)),
            "file": str(r.file_name),
        }
        for r in rejected.itertuples(index=False)
    ]


def checks_view(facts: QualityFacts) -> list[dict]:
    """Each check's verdict; findings as keys only (what, where, when), at most 15."""
    found = []
    for check in facts.checks:
        n = len(check.findings)
        keys = [c for c in KEY_COLUMNS if c in check.findings.columns] if n else []
        shown = check.findings[keys].drop_duplicates().head(15).astype(str) if n else None
        found.append(
            {
                "name": (check.name_da, check.name_en),
                "css": "pass" if n == 0 else "fail" if check.severity == "error" else "warn",
                "n": n,
                "columns": keys,
                "rows": [list(r) for r in shown.itertuples(index=False)] if n else [],
            }
        )
    return found


def _context(facts: QualityFacts) -> dict:
    from ci_measure.report.html import template_globals

    return {
        "completeness": completeness_view(facts),
        "submission_states": [words for _, words in SUBMISSION_STATES],
        "submissions": submissions_view(facts),
        "checks": checks_view(facts),
        **template_globals(),
    }


def render(facts: QualityFacts) -> str:
    """The public scorecard's data-quality section. It never lists files: a file name is the
    partner's text (anyone with a partner's link could put words on the public page)."""
    return templating.render("ci_measure.report", "quality.html", **_context(facts))


def render_internal(facts: QualityFacts, name: str, generated: dt.datetime | None = None) -> str:
    """The partnership's own data-quality page (``reports/data_quality.html``, never served by
    the portal): the same section and, below it, every rejected file."""
    from ci_measure.report.style import CSS, SCRIPT

    return templating.render(
        "ci_measure.report",
        "data_quality.html",
        css=Markup(CSS),
        script=Markup(SCRIPT),
        name=name,
        generated=clock.for_people(generated or clock.utc_now()),
        section=Markup(render(facts)),  # our own template's output
        rejected=rejected_view(facts),
        **_context(facts),
    )
