"""The scorecard's data-quality page: completeness by partner and period, rejected
submissions, and the asset checks' results.

The checks are the functions of ``ci_measure.quality`` that Dagster's asset checks wrap,
called directly. Their findings are shown as keys (what, where, when), never with the raw
cell values they compare: those are unpublished counts and could undo suppression. The
outlier check runs over the published rows for the same reason.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from html import escape

import pandas as pd

from ci_measure import periods, quality
from ci_measure.model import Workspace
from ci_measure.report.labels import bi

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


def _delivered_counts(con, cells: str, workspace: Workspace) -> dict[tuple, int]:
    """{(assignment number, data element, period): promised cells delivered}, in DuckDB.

    A breakdown delivered (M and F, or by origin) also delivers the total it adds up to."""
    rows = [
        (i, d, area, s, o)
        for i, (_, a) in enumerate(_assignments(workspace))
        for d in a.data_elements
        for area in a.areas
        for s in a.sex
        for o in a.origin
    ]
    if not rows:
        return {}
    wanted = pd.DataFrame(rows, columns=["aid", "data_element", "area", "sex", "origin"])
    con.register("_promised", wanted)
    try:
        found = con.execute(
            f"""
            WITH known AS (SELECT DISTINCT data_element, area, period, sex, origin FROM {cells}),
            have AS (
                SELECT data_element, area, period, sex, origin FROM known
                UNION SELECT data_element, area, period, '_T', origin FROM known
                UNION SELECT data_element, area, period, sex, '_T' FROM known
                UNION SELECT data_element, area, period, '_T', '_T' FROM known
            ),
            present AS (SELECT DISTINCT data_element, period FROM known)
            SELECT w.aid, w.data_element, p.period, count(h.data_element) AS done
            FROM _promised w JOIN present p ON p.data_element = w.data_element
            LEFT JOIN have h ON h.data_element = w.data_element AND h.area = w.area
                AND h.period = p.period AND h.sex = w.sex AND h.origin = w.origin
            GROUP BY ALL
            """
        ).fetchall()
    finally:
        con.unregister("_promised")
    return {(aid, d, period): int(done) for aid, d, period, done in found}


def _assignments(workspace: Workspace):
    return [(p, a) for p in workspace.partnership.partners for a in p.reports]


def _completeness(
    delivered: dict[tuple, int], present_periods: dict[str, set[str]], workspace: Workspace
):
    """Per period type: (periods, {partner: {period: (delivered, promised)}})."""
    types = {c: d.period_type for c, d in workspace.catalog.data_elements.items()}
    result: dict[str, tuple[list[str], dict]] = {}
    for aid, (partner, a) in enumerate(_assignments(workspace)):
        for d in a.data_elements:
            kind = types.get(d)
            wanted_periods = sorted(present_periods.get(d, set()), key=periods.sort_key)
            if kind is None or not wanted_periods:
                continue
            grid = result.setdefault(kind, ([], {}))[1].setdefault(partner.code, {})
            promised = len(a.areas) * len(a.sex) * len(a.origin)
            for period in wanted_periods:
                done, total = grid.get(period, (0, 0))
                grid[period] = (done + delivered.get((aid, d, period), 0), total + promised)
    for columns, grid in result.values():
        every = sorted({p for cells in grid.values() for p in cells}, key=periods.sort_key)
        columns.extend(every[-MAX_PERIODS:])
    return result


def _plain(rows: pd.DataFrame) -> pd.DataFrame:
    """Codes as plain Python strings: ``outliers`` sorts by tuples mapped from the period,
    which an Arrow-backed string column (pandas 3) cannot hold."""
    return rows.astype(
        {c: object for c in rows.columns if c not in ("numerator", "denominator", "value")}
    )


def gather(
    workspace: Workspace, published: pd.DataFrame, today: dt.date | None = None
) -> QualityFacts:
    """Everything the page shows, computed from the warehouse and the published rows."""
    from ci_measure import figures  # local: rendering needs no warehouse

    facts = QualityFacts(partner_names={p.code: p.name for p in workspace.partnership.partners})
    facts.submissions = figures.submissions(workspace)
    with figures.current_cells(workspace) as (con, cells):
        present: dict[str, set[str]] = {}
        for d, period in con.execute(
            f"SELECT DISTINCT data_element, period FROM {cells}"
        ).fetchall():
            present.setdefault(d, set()).add(period)
        delivered = _delivered_counts(con, cells, workspace)
        delivery = quality.delivery_status(con, cells, workspace, today=today)
        rules = quality.rule_violations(con, cells, workspace)
        totals = quality.total_mismatches(con, cells, workspace)
    facts.completeness = _completeness(delivered, present, workspace)
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
            quality.unsuppressed_small_counts(published, workspace),
        ),
    ]
    return facts


def _completeness_html(facts: QualityFacts) -> str:
    if not facts.completeness:
        return f'<p class="status">{bi("Ingen leverancer endnu.", "No deliveries yet.")}</p>'
    parts = []
    for kind, (columns, grid) in facts.completeness.items():
        head = "".join(f'<th class="num">{escape(p)}</th>' for p in columns)
        trs = []
        for partner, cells in grid.items():
            tds = []
            for p in columns:
                done, total = cells.get(p, (0, 0))
                css = (
                    "na" if total == 0 else "full" if done == total else "part" if done else "none"
                )
                text = "·" if total == 0 else f"{round(100 * done / total)} %"
                tds.append(f'<td class="{css}" title="{done}/{total}">{text}</td>')
            name = escape(facts.partner_names.get(partner, partner))
            trs.append(f"<tr><th>{name}</th>{''.join(tds)}</tr>")
        kind_name = bi(periods.NAMES_DA[kind].capitalize(), periods.NAMES_EN[kind].capitalize())
        parts.append(
            f'<table class="cells"><thead><tr><th>{kind_name}</th>{head}</tr></thead><tbody>{"".join(trs)}</tbody></table>'
        )
    return "".join(parts)


def _submissions_html(facts: QualityFacts) -> str:
    subs = facts.submissions
    if subs.empty:
        return f'<p class="status">{bi("Ingen indsendelser endnu.", "No submissions yet.")}</p>'
    counts = subs.groupby(["partner", "status"]).size().unstack(fill_value=0)
    states = [
        ("accepted", "Godkendt", "Accepted"),
        ("rejected", "Afvist", "Rejected"),
        ("deleted", "Slettet (persondata)", "Deleted (personal data)"),
    ]
    head = "".join(f'<th class="num">{bi(da, en)}</th>' for _, da, en in states)
    trs = "".join(
        f"<tr><th>{escape(facts.partner_names.get(str(p), str(p)))}</th>"
        + "".join(f'<td class="num">{int(counts.loc[p].get(s, 0))}</td>' for s, _, _ in states)
        + "</tr>"
        for p in counts.index
    )
    table = f"<table><thead><tr><th>{bi('Partner', 'Partner')}</th>{head}</tr></thead><tbody>{trs}</tbody></table>"
    rejected = subs[subs["status"] == "rejected"]
    if rejected.empty:
        return table + f"<p>{bi('Ingen afviste indsendelser.', 'No rejected submissions.')}</p>"
    rows = "".join(
        f"<tr><td>{escape(str(r.received_at)[:16])}</td><td>{escape(facts.partner_names.get(str(r.partner), str(r.partner)))}</td>"
        f"<td>{escape(str(r.file_name))}</td></tr>"
        for r in rejected.itertuples(index=False)
    )
    head2 = "".join(
        f"<th>{bi(da, en)}</th>"
        for da, en in (("Modtaget", "Received"), ("Partner", "Partner"), ("Fil", "File"))
    )
    return (
        table
        + f"<h3>{bi('Afviste indsendelser', 'Rejected submissions')}</h3><table><thead><tr>{head2}</tr></thead><tbody>{rows}</tbody></table>"
    )


def _checks_html(facts: QualityFacts) -> str:
    items = []
    for check in facts.checks:
        n = len(check.findings)
        css = "pass" if n == 0 else "fail" if check.severity == "error" else "warn"
        verdict = bi("✓ bestået", "✓ passed") if n == 0 else bi(f"✗ {n} fund", f"✗ {n} findings")
        detail = ""
        if n:
            keys = [c for c in KEY_COLUMNS if c in check.findings.columns]
            shown = check.findings[keys].drop_duplicates().head(15).astype(str)
            body = "".join(
                "<tr>" + "".join(f"<td>{escape(v)}</td>" for v in r) + "</tr>"
                for r in shown.itertuples(index=False)
            )
            head = "".join(f"<th>{escape(k)}</th>" for k in keys)
            detail = f"<details><summary>{bi('Vis fund', 'Show findings')}</summary><table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></details>"
        items.append(
            f'<tr class="check {css}"><td>{bi(check.name_da, check.name_en)}</td><td><b>{verdict}</b>{detail}</td></tr>'
        )
    return f"<table>{''.join(items)}</table>"


def render(facts: QualityFacts) -> str:
    intro = bi(
        "Andel af de lovede tal (partner × dataelement × område × opdeling), der er leveret for hver periode.",
        "Share of the promised figures (partner × data element × area × breakdown) delivered for each period.",
    )
    return (
        f'<section class="card" id="quality"><h2>{bi("Datakvalitet", "Data quality")}</h2>'
        f'<h3>{bi("Fuldstændighed pr. partner og periode", "Completeness by partner and period")}</h3><p class="meta">{intro}</p>{_completeness_html(facts)}'
        f"<h3>{bi('Indsendelser', 'Submissions')}</h3>{_submissions_html(facts)}"
        f"<h3>{bi('Kontroller', 'Checks')}</h3>{_checks_html(facts)}</section>"
    )
