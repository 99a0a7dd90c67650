"""One indicator's page section: curve, comparison across areas, breakdowns, definition, data.

Numbers come only from ``ok`` rows of the published figures (``undefined``: numerator and
denominator only); every other status is written as its mark and words, never as a number.
"""

from __future__ import annotations

from html import escape

import pandas as pd

from ci_measure import periods
from ci_measure.model import Catalog, Partnership
from ci_measure.report import labels, svg
from ci_measure.report.labels import bi, bi_number
from ci_measure.report.series import Point, Summary, national_area, x_of

BREAKDOWN_TITLE = {"sex": ("Køn", "Sex"), "origin": ("Herkomst", "Origin")}


def row_key(indicator: str, area: str, period: str, sex: str = "_T", origin: str = "_T") -> str:
    return escape("|".join((indicator, area, period, sex, origin)))


def shown_figures(row) -> tuple[float | None, float | None, float | None]:
    """(numerator, denominator, value) that may be printed for a published row."""
    pick = lambda x: None if pd.isna(x) else float(x)  # noqa: E731
    if row.status == "ok":
        return pick(row.numerator), pick(row.denominator), pick(row.value)
    if row.status == "undefined":
        return pick(row.numerator), pick(row.denominator), None
    return None, None, None


def status_cell(status: str) -> str:
    return (
        f'<span class="status">{escape(labels.MARK.get(status, ""))} {labels.status(status)}</span>'
    )


def legend(summary: Summary, area_name: str, national_name: str | None) -> str:
    items = [f'<li><i class="main"></i>{escape(area_name)}</li>']
    if summary.national:
        items.append(f'<li><i class="nat"></i>{escape(national_name or "")}</li>')
    if summary.baseline:
        items.append(f'<li><i class="baseline"></i>{bi("Basislinje", "Baseline")}</li>')
    if summary.target:
        items.append(f'<li><b class="mk target-mk">◆</b>{bi("Mål", "Target")}</li>')
    if summary.forecast:
        items.append(
            f'<li><i class="forecast"></i>{bi("Simpel fremskrivning (lineær, højst 5 seneste værdier)", "Simple projection (linear, last 5 values at most)")}</li>'
        )
    return f'<ul class="legend">{"".join(items)}{_mark_items(summary.points)}</ul>'


def _mark_items(points: list[Point]) -> str:
    found = sorted({p.status for p in points if p.value is None and p.status in labels.MARK})
    return "".join(
        f'<li><b class="mk">{escape(labels.MARK[s])}</b>{labels.status(s)}</li>' for s in found
    )


def curve(summary: Summary, area_name: str) -> str:
    ind = summary.indicator
    lines = [
        svg.Line(summary.points, "main", (ind.code, summary.area, "_T", "_T"), area_name, area_name)
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


def comparison(summary: Summary, partnership: Partnership) -> str:
    if not summary.comparison:
        return ""
    ind, unit = summary.indicator, summary.indicator.unit
    national = national_area(partnership, exclude=summary.area)
    top = max((abs(v) for _, _, v in summary.comparison if v is not None), default=1.0) or 1.0
    trs = []
    for area, status, value in summary.comparison:
        css = "here" if area == summary.area else "nat" if area == national else ""
        name = escape(partnership.area(area).name)
        key = row_key(ind.code, area, summary.comparison_period or "")
        if value is None:
            cells = f'<td class="num"></td><td class="bar">{status_cell(status)}</td>'
        else:
            width = max(0.0, value) / top * 100
            cells = f'<td class="num">{bi_number(value, unit, with_unit=True)}</td><td class="bar"><span class="bar" style="width:{width:.1f}%"></span></td>'
        trs.append(
            f'<tr class="{css}" data-key="{key}" data-status="{escape(status)}"><th>{name}</th>{cells}</tr>'
        )
    title = bi(
        f"Sammenligning mellem områder, {summary.comparison_period}",
        f"Comparison across areas, {summary.comparison_period}",
    )
    return f'<h3>{title}</h3><table class="bars">{"".join(trs)}</table>'


def breakdowns(summary: Summary) -> str:
    ind, parts = summary.indicator, []
    for column, series in summary.breakdowns.items():
        names = labels.SEX if column == "sex" else labels.ORIGIN
        lines = [
            svg.Line(
                points,
                f"{column}-{code}",
                (ind.code, summary.area, *((code, "_T") if column == "sex" else ("_T", code))),
                *names[code],
            )
            for code, points in series.items()
        ]
        chart = svg.line_chart(
            lines, ind.unit, width=520, height=240, title=BREAKDOWN_TITLE[column][0]
        )
        marks = _mark_items([p for points in series.values() for p in points])
        items = "".join(
            f'<li><i class="{column}-{code}"></i>{bi(*names[code])}</li>' for code in series
        )
        parts.append(
            f'<div><h3>{bi(*BREAKDOWN_TITLE[column])}</h3>{chart}<ul class="legend">{items}{marks}</ul></div>'
        )
    return f'<div class="grid2">{"".join(parts)}</div>' if parts else ""


def data_table(rows: pd.DataFrame, summary: Summary) -> str:
    """The main curve's figures as a table: what the chart shows, for screen readers and checking."""
    ind, unit = summary.indicator, summary.indicator.unit
    mine = rows[
        (rows["indicator"] == ind.code)
        & (rows["area"] == summary.area)
        & (rows["sex"] == "_T")
        & (rows["origin"] == "_T")
    ]
    by_period = {r.period: r for r in mine.itertuples(index=False)}
    trs = []
    for point in summary.points:
        r = by_period.get(point.period)
        num, den, value = shown_figures(r) if r is not None else (None, None, None)
        count = "persons" if unit == "persons" else "count"
        trs.append(
            f'<tr data-key="{row_key(ind.code, summary.area, point.period)}" data-status="{escape(point.status)}">'
            f'<td>{escape(point.period)}</td><td class="num">{bi_number(num, count)}</td>'
            f'<td class="num">{bi_number(den, count)}</td><td class="num">{bi_number(value, unit)}</td>'
            f"<td>{status_cell(point.status) if point.status != 'ok' else 'ok'}</td></tr>"
        )
    head = "".join(
        f"<th{c}>{bi(da, en)}</th>"
        for c, da, en in (
            ("", "Periode", "Period"),
            (' class="num"', "Tæller", "Numerator"),
            (' class="num"', "Nævner", "Denominator"),
            (' class="num"', "Værdi", "Value"),
            ("", "Status", "Status"),
        )
    )
    summary_text = bi("Tal bag kurven", "Figures behind the curve")
    return f'<details><summary>{summary_text}</summary><table class="data"><thead><tr>{head}</tr></thead><tbody>{"".join(trs)}</tbody></table></details>'


def definition(summary: Summary, catalog: Catalog) -> str:
    ind = summary.indicator
    num = catalog.data_elements.get(ind.numerator)
    den = catalog.data_elements.get(ind.denominator) if ind.denominator else None
    name = lambda d, code, lang: escape((d.label_da if lang == "da" else d.label_en) if d else code)  # noqa: E731
    mult = labels.number(ind.multiplier, 0 if float(ind.multiplier).is_integer() else 2, "da")
    mult_en = labels.number(ind.multiplier, 0 if float(ind.multiplier).is_integer() else 2, "en")
    if den or ind.denominator:
        formula_da = (
            f"{name(num, ind.numerator, 'da')} ÷ {name(den, ind.denominator, 'da')} × {mult}"
        )
        formula_en = (
            f"{name(num, ind.numerator, 'en')} ÷ {name(den, ind.denominator, 'en')} × {mult_en}"
        )
    else:
        formula_da, formula_en = name(num, ind.numerator, "da"), name(num, ind.numerator, "en")
    parts = [
        f"<p><b>{bi('Beregning', 'Formula')}:</b> {labels.bi_html(formula_da, formula_en)}</p>"
    ]
    if ind.definition_da or ind.definition_en:
        parts.append(
            f"<p>{bi(ind.definition_da or ind.definition_en, ind.definition_en or ind.definition_da)}</p>"
        )
    # The indicator's own source says it best; the data elements' sources only stand in for it.
    sources = (
        [ind.source]
        if ind.source
        else [s for s in (num.source if num else "", den.source if den else "") if s]
    )
    if sources:
        parts.append(
            f"<p><b>{bi('Kilde', 'Source')}:</b> {escape('; '.join(dict.fromkeys(sources)))}</p>"
        )
    return f"<h3>{bi('Definition og kilde', 'Definition and source')}</h3>{''.join(parts)}"
