"""The scorecard page: header, overview ("how are we doing?"), one section per indicator,
the data-quality page and a note on how to read it, in one self-contained HTML file.

``render_page`` takes the *published* rows only; it never sees anything suppression removed.
"""

from __future__ import annotations

import datetime as dt
from html import escape

import pandas as pd

from ci_measure.model import Catalog, Partnership
from ci_measure.report import labels, section, svg
from ci_measure.report.labels import bi, bi_html, bi_number
from ci_measure.report.series import Summary, area_for, main_area, national_area, summarise
from ci_measure.report.style import CSS, SCRIPT

TREND = {
    "better": ("bedre", "better"),
    "worse": ("dårligere", "worse"),
    "flat": ("uændret", "unchanged"),
}


def _arrow(summary: Summary) -> str:
    trend = summary.trend
    if trend is None:
        return ""
    arrow = "→" if trend == "flat" else ("↗" if (summary.slope or 0) > 0 else "↘")
    return f'<span class="trend {trend}" title="{escape(TREND[trend][0])}">{arrow}<small>{bi(*TREND[trend])}</small></span>'


def _latest(summary: Summary) -> tuple[str, str, str]:
    """(period, value, note) for the latest ok value; the note names a later non-ok period."""
    unit, ok, last = summary.indicator.unit, summary.latest_ok, summary.latest
    period = escape(ok.period) if ok else ""
    value = bi_number(ok.value, unit, with_unit=True) if ok else ""
    note = ""
    if last is not None and (ok is None or last.period != ok.period):
        note = f'<small class="later">{escape(last.period)}: {section.status_cell(last.status)}</small>'
    return period, value, note


def _change(summary: Summary) -> tuple[str, str]:
    """(baseline cell, change-since-baseline cell)."""
    ok, base, unit = summary.latest_ok, summary.baseline, summary.indicator.unit
    if base is None:
        return "", ""
    note = "" if base[2] else f" <small>{bi('(første værdi)', '(first value)')}</small>"
    cell = f"{bi_number(base[1], unit, with_unit=True)} <small>({escape(base[0])})</small>{note}"
    if ok is None or ok.period == base[0]:
        return cell, ""
    change = bi_number(ok.value - base[1], unit, signed=True)  # type: ignore[operator]
    return cell, change + _difference_unit(unit)


def _difference_unit(unit: str) -> str:
    da, en = labels.change_unit(unit)
    return f" <small>{bi(da, en)}</small>" if da else ""


def _distance(summary: Summary) -> tuple[str, str]:
    """(target cell, distance-to-target cell); 'reached' when the latest value meets it."""
    ok, target, ind = summary.latest_ok, summary.target, summary.indicator
    if target is None:
        return "", ""
    cell = f"{bi_number(target[1], ind.unit, with_unit=True)} <small>({escape(target[0])})</small>"
    if ok is None:
        return cell, ""
    gap = target[1] - ok.value  # type: ignore[operator]
    if (gap <= 0 and ind.direction == "up") or (gap >= 0 and ind.direction == "down"):
        return cell, f'<span class="reached">✓ {bi("nået", "reached")}</span>'
    return cell, bi_number(gap, ind.unit, signed=True) + _difference_unit(ind.unit)


def overview(summaries: list[Summary], partnership: Partnership, main: str) -> str:
    area_name = partnership.area(main).name
    heads = [
        ("", "Indikator", "Indicator"),
        (' class="num"', "Seneste værdi", "Latest value"),
        (' class="num"', "Basislinje", "Baseline"),
        (' class="num"', "Ændring siden basislinje", "Change since baseline"),
        (' class="num"', "Mål", "Target"),
        (' class="num"', "Afstand til mål", "Distance to target"),
        ("", "Tendens", "Trend"),
        ("", "Kurve", "Curve"),
    ]
    head = "".join(f"<th{c}>{bi(da, en)}</th>" for c, da, en in heads)
    trs = []
    for s in summaries:
        ind = s.indicator
        period, value, note = _latest(s)
        base, change = _change(s)
        target, distance = _distance(s)
        key = section.row_key(ind.code, s.area, s.latest_ok.period) if s.latest_ok else ""
        direction = bi(*labels.DIRECTION.get(ind.direction, ("", "")))
        if s.area != main:
            direction += f" · {bi('vist for', 'shown for')} {escape(partnership.area(s.area).name)}"
        trs.append(
            f'<tr data-indicator="{escape(ind.code)}" data-key="{key}" data-status="{"ok" if s.latest_ok else ""}">'
            f'<td><a href="#ind-{escape(ind.code)}">{bi(ind.label_da, ind.label_en)}</a><br><small class="status">{direction}</small></td>'
            f'<td class="num">{value}<br><small>{period}</small>{"<br>" + note if note else ""}</td><td class="num">{base}</td><td class="num">{change}</td>'
            f'<td class="num">{target}</td><td class="num">{distance}</td><td>{_arrow(s)}</td>'
            f"<td>{svg.sparkline(s.points)}</td></tr>"
        )
    title = bi(f"Overblik: {area_name}", f"Overview: {area_name}")
    intro = bi(
        "Seneste offentliggjorte værdi for hvert mål, udviklingen siden basislinjen og afstanden til målet. Pilen viser retningen over de seneste værdier: grøn er i den rigtige retning, rød i den forkerte.",
        "Latest published value of each indicator, change since the baseline and distance to the target. The arrow shows the direction over the latest values: green is the right way, red the wrong way.",
    )
    return f'<section class="card" id="overview"><h2>{title}</h2><p class="meta">{intro}</p><div class="scroll"><table class="overview"><thead><tr>{head}</tr></thead><tbody>{"".join(trs)}</tbody></table></div></section>'


def indicator_section(
    rows: pd.DataFrame, s: Summary, catalog: Catalog, partnership: Partnership
) -> str:
    ind = s.indicator
    area_name = partnership.area(s.area).name
    national = national_area(partnership, exclude=s.area)
    national_name = partnership.area(national).name if national else None
    unit = bi(*labels.UNIT.get(ind.unit, (ind.unit, ind.unit)))
    direction = bi(*labels.DIRECTION.get(ind.direction, ("", "")))
    period, value, note = _latest(s)
    value = f"{value}<br>{note}" if value and note else value or note
    base, change = _change(s)
    target, distance = _distance(s)
    kpis = [
        (
            ("Seneste", "Latest") if not period else (f"Seneste ({period})", f"Latest ({period})"),
            value,
        ),
        (("Basislinje", "Baseline"), base),
        (("Ændring", "Change"), change),
        (("Mål", "Target"), target),
        (("Afstand til mål", "Distance to target"), distance),
        (("Tendens", "Trend"), _arrow(s)),
    ]
    kpi_html = "".join(
        f'<div class="kpi"><span class="k">{bi_html(*k)}</span><b>{v}</b></div>'
        for k, v in kpis
        if v
    )
    chart = section.curve(s, area_name)
    if not s.ok_points:
        chart += f'<p class="status">{bi("Ingen offentliggjorte værdier for området endnu.", "No published values for the area yet.")}</p>'
    return (
        f'<section class="card indicator" id="ind-{escape(ind.code)}" data-indicator="{escape(ind.code)}">'
        f"<h2>{bi(ind.label_da, ind.label_en)}</h2>"
        f'<p class="meta">{escape(ind.code)} · {unit} · {direction} · {escape(area_name)}</p>'
        f'<div class="kpis">{kpi_html}</div>'
        f'<figure class="curve">{chart}{section.legend(s, area_name, national_name)}</figure>'
        f"{section.comparison(s, partnership)}{section.breakdowns(s)}"
        f"{section.definition(s, catalog)}{section.data_table(rows, s)}</section>"
    )


def about(partnership: Partnership, downloads: dict[str, str]) -> str:
    threshold = partnership.suppression_threshold
    marks = "".join(
        f"<li><b>{escape(m)}</b> {labels.status(s)}</li>" for s, m in labels.MARK.items()
    )
    links = " · ".join(
        f'<a href="{escape(href)}">{escape(name)}</a>' for name, href in downloads.items()
    )
    da = (
        f"<p>Alle tal er offentliggjorte tal: tal for få personer (1–{threshold - 1}) er diskretioneret, og så er andre tal det også, "
        "så de ikke kan regnes tilbage. Et tal der ikke kan vises, tegnes aldrig som 0: kurven har et hul, og tegnet står under aksen.</p>"
        "<p>Fremskrivningen er en simpel lineær fremskrivning (mindste kvadraters metode over højst de 5 seneste værdier), ikke en prognose. "
        "Er ingen basislinje fastsat, er basislinjen den første offentliggjorte værdi. Landstallet er området med koden DK eller et navn med "
        "»Hele landet« eller »national«.</p>"
    )
    en = (
        f"<p>All figures are published figures: figures for few persons (1–{threshold - 1}) are suppressed, and so are others, so that they "
        "cannot be recovered by subtraction. A figure that cannot be shown is never drawn as 0: the curve has a gap and its mark sits under the axis.</p>"
        "<p>The projection is a simple linear projection (least squares over the last 5 values at most), not a forecast model. "
        "Where no baseline is set, the baseline is the first published value. The national figure is the area coded DK or named "
        "'Hele landet' or 'national'.</p>"
    )
    return (
        f'<section class="card" id="about"><h2>{bi("Sådan læses siden", "How to read this page")}</h2>'
        f'{bi_html(da, en, "div")}<ul class="legend">{marks}</ul>'
        f"<p><b>{bi('Hent tallene', 'Download the figures')}:</b> {links}</p></section>"
    )


def render_page(
    rows: pd.DataFrame,
    catalog: Catalog,
    partnership: Partnership,
    quality_html: str = "",
    generated_at: dt.datetime | None = None,
    downloads: dict[str, str] | None = None,
) -> str:
    """The whole page as one string, from published rows."""
    area = main_area(partnership)
    area_name = partnership.area(area).name
    # An indicator is shown when it has a figure or a partner promises its numerator. One that
    # nobody measures (only its denominator is reported, for another indicator) is no gap.
    promised = {d for d, _ in partnership.responsibility()}
    codes = set(rows["indicator"]) if len(rows) else set()
    measured = set(rows.loc[rows["status"] != "missing", "indicator"]) if len(rows) else set()
    shown = measured | {c for c in codes if catalog.indicators[c].numerator in promised}
    summaries = [
        summarise(rows, ind, partnership, area_for(rows, code, partnership, area))
        for code, ind in catalog.indicators.items()
        if code in shown
    ]
    when = (generated_at or dt.datetime.now()).strftime("%Y-%m-%d %H:%M")
    nav = "".join(
        f'<a href="#{h}">{bi(da, en)}</a>'
        for h, da, en in (
            ("overview", "Overblik", "Overview"),
            ("indicators", "Indikatorer", "Indicators"),
            ("quality", "Datakvalitet", "Data quality"),
            ("about", "Sådan læses siden", "How to read"),
        )
    )
    sections = "".join(indicator_section(rows, s, catalog, partnership) for s in summaries)
    title = f"{partnership.name} — Resultatoversigt"
    return (
        '<!DOCTYPE html><html lang="da"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title><style>{CSS}</style></head><body>"
        f'<header class="top"><div class="bar"><div><h1>{escape(partnership.name)}</h1>'
        f"<p>{bi(f'Resultatoversigt for {area_name} · dannet {when}', f'Scorecard for {area_name} · generated {when}')}</p></div>"
        '<button id="lang-toggle" type="button" hidden><span lang="da" class="l-da">English</span><span lang="en" class="l-en">Dansk</span></button></div></header>'
        f'<nav class="toc">{nav}</nav><main>{overview(summaries, partnership, area)}'
        f'<div id="indicators">{sections}</div>{quality_html}{about(partnership, downloads or {})}</main>'
        f"<footer>{bi('Dannet af ci-measure ud fra de offentliggjorte tal.', 'Generated by ci-measure from the published figures.')}</footer>"
        f"<script>{SCRIPT}</script></body></html>"
    )
