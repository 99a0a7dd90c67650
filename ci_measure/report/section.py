"""What one indicator's section shows — curve, comparison across areas, breakdowns, definition,
data — as plain data for ``templates/indicator.html``.

Numbers come only from ``ok`` rows of the published figures (``undefined``: numerator and
denominator only); every other status is written as its mark and words, never as a number.
Texts are (Danish, English) pairs; the template escapes them. The charts are drawn by
``svg.py``.
"""

from __future__ import annotations

import pandas as pd
from markupsafe import Markup

from ci_measure.config import periods
from ci_measure.config.model import TOTAL, Catalog, Partnership
from ci_measure.report import labels, svg
from ci_measure.report.labels import number_pair
from ci_measure.report.series import Point, Summary, national_area, x_of

BREAKDOWN_TITLE = {"sex": ("Køn", "Sex"), "origin": ("Herkomst", "Origin")}
FORECAST_LABEL = (
    "Simpel fremskrivning (lineær, højst 5 seneste værdier)",
    "Simple projection (linear, last 5 values at most)",
)


def row_key(indicator: str, area: str, period: str, sex: str = TOTAL, origin: str = TOTAL) -> str:
    """The ``data-key`` of everything on the page that shows one published row."""
    return "|".join((indicator, area, period, sex, origin))


def shown_figures(row) -> tuple[float | None, float | None, float | None]:  # noqa: ANN001
    """(numerator, denominator, value) that may be printed for a published row."""
    pick = lambda x: None if pd.isna(x) else float(x)  # noqa: E731
    if row.status == "ok":
        return pick(row.numerator), pick(row.denominator), pick(row.value)
    if row.status == "undefined":
        return pick(row.numerator), pick(row.denominator), None
    return None, None, None


def gap_marks(points: list[Point]) -> list[str]:
    """The statuses whose marks a chart shows (for its legend), in a stable order."""
    return sorted({p.status for p in points if p.value is None and p.status in labels.MARK})


def legend(summary: Summary, area_name: str, national_name: str | None) -> dict:
    return {
        "area": area_name,
        "national": (national_name or "") if summary.national else None,
        "baseline": bool(summary.baseline),
        "target": bool(summary.target),
        "forecast": FORECAST_LABEL if summary.forecast else None,
        "marks": gap_marks(summary.points),
    }


def curve(summary: Summary, area_name: str) -> Markup:
    ind = summary.indicator
    lines = [
        svg.Line(
            summary.points, "main", (ind.code, summary.area, TOTAL, TOTAL), area_name, area_name
        )
    ]
    if summary.national:
        lines.append(
            svg.Line(summary.national, "nat", None, "Hele landet", "National", marks=False)
        )
    base = summary.baseline
    baseline = (base[0], _x(base[0]), base[1]) if base and periods.candidates(base[0]) else None
    target = summary.target
    target_pt = (
        (target[0], _x(target[0]), target[1]) if target and periods.candidates(target[0]) else None
    )
    return svg.line_chart(
        lines,
        ind.unit,
        baseline=baseline,
        target=target_pt,
        forecast=summary.forecast,
        title=ind.label_da,
    )


def _x(period: str) -> float:
    canonical = periods.parse_period(period)
    return x_of(canonical[0] if canonical else period)


def comparison(summary: Summary, partnership: Partnership) -> dict | None:
    """Bars across areas for the latest period with figures; None when there is nothing."""
    if not summary.comparison:
        return None
    ind, unit = summary.indicator, summary.indicator.unit
    national = national_area(partnership, exclude=summary.area)
    top = max((abs(v) for _, _, v in summary.comparison if v is not None), default=1.0) or 1.0
    rows = [
        {
            "css": "here" if area == summary.area else "nat" if area == national else "",
            "name": partnership.area(area).name,
            "key": row_key(ind.code, area, summary.comparison_period or ""),
            "status": status,
            "value": number_pair(value, unit, with_unit=True),
            "width": f"{max(0.0, value) / top * 100:.1f}" if value is not None else None,
        }
        for area, status, value in summary.comparison
    ]
    period = summary.comparison_period
    title = (f"Sammenligning mellem områder, {period}", f"Comparison across areas, {period}")
    return {"title": title, "rows": rows}


def breakdowns(summary: Summary) -> list[dict]:
    """One chart per dimension the partners report (sex, origin), with its legend."""
    ind, parts = summary.indicator, []
    for column, series in summary.breakdowns.items():
        names = labels.SEX if column == "sex" else labels.ORIGIN
        lines = [
            svg.Line(
                points,
                f"{column}-{code}",
                (ind.code, summary.area, *((code, TOTAL) if column == "sex" else (TOTAL, code))),
                *names[code],
            )
            for code, points in series.items()
        ]
        chart = svg.line_chart(
            lines, ind.unit, width=520, height=240, title=BREAKDOWN_TITLE[column][0]
        )
        parts.append(
            {
                "title": BREAKDOWN_TITLE[column],
                "chart": chart,
                "entries": [(f"{column}-{code}", names[code]) for code in series],
                "marks": gap_marks([p for points in series.values() for p in points]),
            }
        )
    return parts


def data_table(rows: pd.DataFrame, summary: Summary) -> list[dict]:
    """The main curve's figures: what the chart shows, for screen readers and checking."""
    ind, unit = summary.indicator, summary.indicator.unit
    mine = rows[
        (rows["indicator"] == ind.code)
        & (rows["area"] == summary.area)
        & (rows["sex"] == TOTAL)
        & (rows["origin"] == TOTAL)
    ]
    by_period = {r.period: r for r in mine.itertuples(index=False)}
    count = "persons" if unit == "persons" else "count"
    table = []
    for point in summary.points:
        r = by_period.get(point.period)
        num, den, value = shown_figures(r) if r is not None else (None, None, None)
        table.append(
            {
                "key": row_key(ind.code, summary.area, point.period),
                "period": point.period,
                "status": point.status,
                "numerator": number_pair(num, count),
                "denominator": number_pair(den, count),
                "value": number_pair(value, unit),
            }
        )
    return table


def definition(summary: Summary, catalog: Catalog) -> dict:
    """The formula in words, the definition and the source."""
    ind = summary.indicator
    num = catalog.data_elements.get(ind.numerator)
    den = catalog.data_elements.get(ind.denominator) if ind.denominator else None

    def name(element, code: str, lang: str) -> str:  # noqa: ANN001
        return (element.label_da if lang == "da" else element.label_en) if element else code

    whole = float(ind.multiplier).is_integer()
    mult = {lang: labels.number(ind.multiplier, 0 if whole else 2, lang) for lang in ("da", "en")}
    if ind.denominator:
        formula = tuple(
            f"{name(num, ind.numerator, lang)} ÷ {name(den, ind.denominator, lang)} × {mult[lang]}"
            for lang in ("da", "en")
        )
    else:
        formula = (name(num, ind.numerator, "da"), name(num, ind.numerator, "en"))
    text = None
    if ind.definition_da or ind.definition_en:
        text = (ind.definition_da or ind.definition_en, ind.definition_en or ind.definition_da)
    # The indicator's own source says it best; the data elements' sources only stand in for it.
    sources = (
        [ind.source]
        if ind.source
        else [s for s in (num.source if num else "", den.source if den else "") if s]
    )
    return {"formula": formula, "text": text, "source": "; ".join(dict.fromkeys(sources))}
