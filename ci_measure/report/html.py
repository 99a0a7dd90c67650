"""The scorecard page: header, overview ("how are we doing?"), one section per indicator,
the data-quality section and a note on how to read it, in one self-contained HTML file.

``render_page`` takes the *published* rows only; it never sees anything suppression removed.
The facts are computed here and in ``section.py`` as plain data; the page is the Jinja2
template ``templates/scorecard.html`` (autoescape on), with the CSS and the one script
inlined so the file opens offline.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
from markupsafe import Markup

from ci_measure import clock, templating
from ci_measure.config.model import TOTAL, Catalog, Partnership
from ci_measure.errors import join_or
from ci_measure.report import labels, section, svg
from ci_measure.report.labels import number_pair
from ci_measure.report.series import Summary, area_for, main_area, national_area, summarise
from ci_measure.report.style import CSS, SCRIPT

TREND = {
    "better": ("bedre", "better"),
    "worse": ("dårligere", "worse"),
    "flat": ("uændret", "unchanged"),
}


def trend(summary: Summary) -> dict | None:
    """The arrow over the latest values: its direction, and whether that is good."""
    if summary.trend is None:
        return None
    arrow = "→" if summary.trend == "flat" else ("↗" if (summary.slope or 0) > 0 else "↘")
    return {"css": summary.trend, "arrow": arrow, "words": TREND[summary.trend]}


def latest(summary: Summary) -> dict:
    """The latest ok value and its period; ``later``: a later period that has no value."""
    unit, ok, last = summary.indicator.unit, summary.latest_ok, summary.latest
    later = None
    if last is not None and (ok is None or last.period != ok.period):
        later = {"period": last.period, "status": last.status}
    return {
        "period": ok.period if ok else "",
        "value": number_pair(ok.value, unit, with_unit=True) if ok else None,
        "later": later,
    }


def baseline(summary: Summary) -> tuple[dict | None, dict | None]:
    """(the baseline, the change since it)."""
    ok, base, unit = summary.latest_ok, summary.baseline, summary.indicator.unit
    if base is None:
        return None, None
    cell = {
        "value": number_pair(base[1], unit, with_unit=True),
        "period": base[0],
        "first": not base[2],
    }
    if ok is None or ok.period == base[0]:
        return cell, None
    change = number_pair(ok.value - base[1], unit, signed=True)  # type: ignore[operator]
    return cell, {"value": change, "unit": labels.change_unit(unit)}


def target(summary: Summary) -> tuple[dict | None, dict | None]:
    """(the target, the distance to it); the distance is ``reached`` when the value meets it."""
    ok, goal, ind = summary.latest_ok, summary.target, summary.indicator
    if goal is None:
        return None, None
    cell = {"value": number_pair(goal[1], ind.unit, with_unit=True), "period": goal[0]}
    if ok is None:
        return cell, None
    gap = goal[1] - ok.value  # type: ignore[operator]
    if (gap <= 0 and ind.direction == "up") or (gap >= 0 and ind.direction == "down"):
        return cell, {"reached": True}
    value = number_pair(gap, ind.unit, signed=True)
    return cell, {"reached": False, "value": value, "unit": labels.change_unit(ind.unit)}


def headline(summary: Summary) -> dict:
    """What the overview row and the section's key figures share."""
    base, change = baseline(summary)
    goal, distance = target(summary)
    return {
        "latest": latest(summary),
        "baseline": base,
        "change": change,
        "target": goal,
        "distance": distance,
        "trend": trend(summary),
    }


def overview_row(summary: Summary, partnership: Partnership, main: str) -> dict:
    ind = summary.indicator
    ok = summary.latest_ok
    return {
        **headline(summary),
        "code": ind.code,
        "label": (ind.label_da, ind.label_en),
        "key": section.row_key(ind.code, summary.area, ok.period) if ok else "",
        "status": "ok" if ok else "",
        "direction": labels.DIRECTION.get(ind.direction, ("", "")),
        "shown_for": partnership.area(summary.area).name if summary.area != main else None,
        "spark": svg.sparkline(summary.points),
    }


def stand_in(rows: pd.DataFrame, s: Summary, partnership: Partnership, main: str) -> dict | None:
    """Why a curve shows another area than the scorecard's own: the main area's figure cannot
    be computed, and which areas under it have no figures (what is missing)."""
    if s.area == main:
        return None
    mine = rows[
        (rows["indicator"] == s.indicator.code)
        & (rows["sex"] == TOTAL)
        & (rows["origin"] == TOTAL)
        & (rows["status"] == "ok")
    ]
    reporting = set(mine["area"])
    lacking = [
        partnership.area(c).name
        for c in partnership.children(main)
        if c not in reporting and not (set(partnership.subtree(c)) & reporting)
    ]
    return {
        "main": partnership.area(main).name,
        "shown": partnership.area(s.area).name,
        "lacking": (join_or(lacking, "og"), join_or(lacking, "and")) if lacking else None,
    }


def approval_notes(rows: pd.DataFrame, s: Summary, changed: pd.DataFrame | None) -> dict:
    """Periods of the shown area whose figures await approval, and approved periods that
    have a correction awaiting approval (SPEC §13)."""
    mine = rows[(rows["indicator"] == s.indicator.code) & (rows["area"] == s.area)]
    pending = list(dict.fromkeys(mine.loc[mine["status"] == "pending_approval", "period"]))
    corrected: list[str] = []
    if changed is not None and len(changed):
        hit = changed[(changed["indicator"] == s.indicator.code) & (changed["area"] == s.area)]
        corrected = list(dict.fromkeys(hit["period"]))
    return {"pending": pending, "corrected": corrected}


def indicator_view(
    rows: pd.DataFrame,
    s: Summary,
    catalog: Catalog,
    partnership: Partnership,
    story: Markup | None = None,
    changed: pd.DataFrame | None = None,
) -> dict:
    ind = s.indicator
    area_name = partnership.area(s.area).name
    national = national_area(partnership, exclude=s.area)
    national_name = partnership.area(national).name if national else None
    return {
        **headline(s),
        "code": ind.code,
        "label": (ind.label_da, ind.label_en),
        "unit": labels.unit_pair(ind.unit),
        "direction": labels.DIRECTION.get(ind.direction, ("", "")),
        "area_name": area_name,
        "chart": section.curve(s, area_name),
        "has_values": bool(s.ok_points),
        "legend": section.legend(s, area_name, national_name),
        "comparison": section.comparison(s, partnership),
        "breakdowns": section.breakdowns(s),
        "definition": section.definition(s, catalog),
        "table": section.data_table(rows, s),
        "story": story,
        "approval": approval_notes(rows, s, changed),
        "stand_in": stand_in(rows, s, partnership, main_area(partnership)),
    }


def shown_indicators(rows: pd.DataFrame, catalog: Catalog, partnership: Partnership) -> set[str]:
    """An indicator is shown when it has a figure or a partner promises its numerator. One that
    nobody measures (only its denominator is reported, for another indicator) is no gap."""
    promised = {d for d, _ in partnership.responsibility()}
    codes = set(rows["indicator"]) if len(rows) else set()
    measured = set(rows.loc[rows["status"] != "missing", "indicator"]) if len(rows) else set()
    return measured | {c for c in codes if catalog.indicators[c].numerator in promised}


def render_page(
    rows: pd.DataFrame,
    catalog: Catalog,
    partnership: Partnership,
    quality_html: str = "",
    generated_at: dt.datetime | None = None,
    downloads: dict[str, str] | None = None,
    stories: dict[str, Markup] | None = None,
    changed: pd.DataFrame | None = None,
) -> str:
    """The whole page as one string, from published rows. ``quality_html`` is the data-quality
    section rendered by ``quality_page.render``; ``generated_at`` is UTC (naive = UTC).
    ``stories``: rendered stories by indicator; ``changed``: approved keys with a correction
    awaiting approval (``figures.approval_changes``)."""
    stories = stories or {}
    area = main_area(partnership)
    shown = shown_indicators(rows, catalog, partnership)
    summaries = [
        summarise(rows, ind, partnership, area_for(rows, code, partnership, area))
        for code, ind in catalog.indicators.items()
        if code in shown
    ]
    return templating.render(
        "ci_measure.report",
        "scorecard.html",
        css=Markup(CSS),
        script=Markup(SCRIPT),
        name=partnership.name,
        area_name=partnership.area(area).name,
        generated=clock.for_people(generated_at or clock.utc_now()),
        overview=[overview_row(s, partnership, area) for s in summaries],
        indicators=[
            indicator_view(rows, s, catalog, partnership, stories.get(s.indicator.code), changed)
            for s in summaries
        ],
        quality_html=Markup(quality_html),  # our own template's output (quality_page.render)
        threshold=partnership.suppression_threshold,
        downloads=downloads or {},
        **template_globals(),
    )


def template_globals() -> dict:
    """What every report template reads: the status words and marks."""
    return {"status_words": labels.STATUS, "marks": labels.MARK}
