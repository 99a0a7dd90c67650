"""Hand-written inline SVG charts: no library, no script, nothing fetched when the page opens.

A value that is not ``ok`` is never drawn as a number: the line breaks there and a status
mark sits in a strip under the plot area, with the status in its tooltip. Every text is
escaped here, where the SVG is drawn, and the result is marked safe (``Markup``) for the
templates; this is the only HTML the report builds outside its templates.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from html import escape

from markupsafe import Markup

from ci_measure.report import labels
from ci_measure.report.series import Point

W, H = 680, 300
LEFT, RIGHT, TOP, BOTTOM = 64, 20, 18, 58
STRIP = 14  # height of the status-mark strip under the plot


@dataclass(frozen=True)
class Line:
    """One drawn series: its points, a CSS class for colour, and a key prefix for data-key."""

    points: list[Point]
    css: str
    key: tuple[str, str, str, str] | None = None  # indicator, area, sex, origin: for data-key
    label_da: str = ""
    label_en: str = ""
    marks: bool = True  # draw status marks for its non-ok points


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round tick values covering [low, high]."""
    if high == low:
        high, low = high + 1, low - 1
    raw = (high - low) / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    start = math.floor(low / step) * step
    ticks, t = [], start
    while t <= high + step * 0.5:
        ticks.append(round(t, 10))
        t += step
    return ticks


def _text(x: float, y: float, da: str, en: str, css: str = "", anchor: str = "middle") -> str:
    """An SVG text in both languages (two elements, CSS shows one)."""
    attrs = f'x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}"'
    if da == en:
        return f'<text {attrs} class="{css}">{escape(da)}</text>'
    return (
        f'<text {attrs} class="{css} l-da" lang="da">{escape(da)}</text>'
        f'<text {attrs} class="{css} l-en" lang="en">{escape(en)}</text>'
    )


def _tooltip(
    period: str, value: float | None, unit: str, status: str, label: tuple[str, str]
) -> str:
    if value is not None:
        d = labels.decimals_for(unit, value)
        da = f"{label[0]} {period}: {labels.number(value, d, 'da')}{labels.unit_suffix(unit, 'da')}"
        en = f"{label[1]} {period}: {labels.number(value, d, 'en')}{labels.unit_suffix(unit, 'en')}"
    else:
        da_status, en_status = labels.STATUS.get(status, (status, status))
        da, en = f"{label[0]} {period}: {da_status}", f"{label[1]} {period}: {en_status}"
    return f"<title>{escape(da.strip())} / {escape(en.strip())}</title>"


def line_chart(
    lines: list[Line],
    unit: str,
    *,
    baseline: tuple[str, float, float] | None = None,  # (period, x, value)
    target: tuple[str, float, float] | None = None,
    forecast: list[Point] | None = None,
    title: str = "",
    width: int = W,
    height: int = H,
) -> Markup:
    """A curve over time; baseline, target and projection optional."""
    forecast = forecast or []
    values = [p.value for line in lines for p in line.points if p.value is not None]
    values += [p.value for p in forecast if p.value is not None]
    values += [v[2] for v in (baseline, target) if v]
    xs = [p.x for line in lines for p in line.points] + [p.x for p in forecast]
    xs += [v[1] for v in (baseline, target) if v]
    if not xs:
        return Markup("")
    low, high = (min(values), max(values)) if values else (0.0, 1.0)
    pad = (high - low) * 0.08 or abs(high) * 0.1 or 1.0
    ticks = nice_ticks(low - pad, high + pad)
    y0, y1 = ticks[0], ticks[-1]
    x_low, x_high = min(xs) - 0.4, max(xs) + 0.4
    plot_bottom = height - BOTTOM
    sx = lambda x: LEFT + (x - x_low) / (x_high - x_low) * (width - LEFT - RIGHT)  # noqa: E731
    sy = lambda y: TOP + (y1 - y) / (y1 - y0) * (plot_bottom - STRIP - TOP)  # noqa: E731
    out = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" width="100%" role="img" '
        f'aria-label="{escape(title)}" preserveAspectRatio="xMidYMid meet">'
    ]
    for t in ticks:
        y = sy(t)
        d = max(
            labels.decimals_for(unit, t) if unit != "persons" else 0,
            0 if float(t).is_integer() else 1,
        )
        out.append(
            f'<line class="grid" x1="{LEFT}" x2="{width - RIGHT}" y1="{y:.1f}" y2="{y:.1f}"/>'
        )
        if values:  # with no value to show, numbers on the axis would only mislead
            da, en = labels.number(t, d, "da"), labels.number(t, d, "en")
            out.append(_text(LEFT - 6, y + 4, da, en, "tick", "end"))
    strip_y = plot_bottom - STRIP / 2
    out.append(
        f'<line class="axis" x1="{LEFT}" x2="{width - RIGHT}" y1="{plot_bottom}" y2="{plot_bottom}"/>'
    )
    out.extend(_x_labels(lines, forecast, sx, plot_bottom))
    if baseline:
        period, x, v = baseline
        out.append(
            f'<line class="baseline" x1="{LEFT}" x2="{width - RIGHT}" y1="{sy(v):.1f}" y2="{sy(v):.1f}"/>'
        )
        out.append(
            f'<circle class="baseline-dot" cx="{sx(x):.1f}" cy="{sy(v):.1f}" r="5">{_tooltip(period, v, unit, "ok", ("Basislinje", "Baseline"))}</circle>'
        )
        out.append(
            _text(
                width - RIGHT - 2, sy(v) - 5, "Basislinje", "Baseline", "note baseline-label", "end"
            )
        )
    if target:
        period, x, v = target
        cx, cy = sx(x), sy(v)
        out.append(
            f'<path class="target" d="M{cx:.1f},{cy - 8:.1f} L{cx + 8:.1f},{cy:.1f} L{cx:.1f},{cy + 8:.1f} L{cx - 8:.1f},{cy:.1f} Z">'
            f"{_tooltip(period, v, unit, 'ok', ('Mål', 'Target'))}</path>"
        )
        out.append(
            _text(
                cx + 10,
                cy - 13 if cy - 13 > TOP + 4 else cy + 22,
                f"Mål {period}",
                f"Target {period}",
                "note target-label",
                "end",
            )
        )
    for line in lines:
        out.extend(_series(line, unit, sx, sy, strip_y))
    if forecast and lines:
        last = next((p for p in reversed(lines[0].points) if p.value is not None), None)
        if last is not None:
            pts = [last] + forecast
            path = " ".join(f"{sx(p.x):.1f},{sy(p.value):.1f}" for p in pts if p.value is not None)
            out.append(f'<polyline class="forecast" points="{path}"/>')
            for p in forecast:
                label = ("Fremskrivning", "Projection")
                out.append(
                    f'<circle class="forecast-dot" cx="{sx(p.x):.1f}" cy="{sy(p.value or 0):.1f}" r="3.5">{_tooltip(p.period, p.value, unit, "ok", label)}</circle>'
                )
    out.append("</svg>")
    return Markup("".join(out))


def _x_labels(lines: list[Line], forecast: list[Point], sx, plot_bottom: float) -> list[str]:
    seen: dict[str, float] = {}
    for p in [p for line in lines for p in line.points] + forecast:
        seen.setdefault(p.period, p.x)
    ordered = sorted(seen.items(), key=lambda kv: kv[1])
    out, last = [], -1e9
    for period, x in ordered:
        gap = 7.5 * len(period) + 10  # about the label's width at 12px, plus air
        if sx(x) - last < gap:
            continue
        last = sx(x)
        css = "xlabel future" if any(p.period == period for p in forecast) else "xlabel"
        out.append(
            f'<text class="{css}" x="{sx(x):.1f}" y="{plot_bottom + 18:.1f}" text-anchor="middle">{escape(period)}</text>'
        )
    return out


def _series(line: Line, unit: str, sx, sy, strip_y: float) -> list[str]:
    out, segment = [], []
    label = (line.label_da, line.label_en)
    for p in line.points + [None]:
        if p is not None and p.value is not None:
            segment.append(p)
            continue
        if len(segment) > 1:
            path = " ".join(f"{sx(q.x):.1f},{sy(q.value):.1f}" for q in segment)
            out.append(f'<polyline class="line {line.css}" points="{path}"/>')
        segment = []
    for p in line.points:
        key = ""
        if line.key:
            indicator, area, sex, origin = line.key
            key = f' data-key="{escape("|".join((indicator, area, p.period, sex, origin)))}"'

        if p.value is not None:
            out.append(
                f'<circle class="dot {line.css}" cx="{sx(p.x):.1f}" cy="{sy(p.value):.1f}" r="4"{key} '
                f'data-status="ok">{_tooltip(p.period, p.value, unit, "ok", label)}</circle>'
            )
        elif line.marks:
            mark = labels.MARK.get(p.status, "?")
            out.append(
                f'<text class="mark st-{escape(p.status)} {line.css}" x="{sx(p.x):.1f}" y="{strip_y + 4:.1f}" '
                f'text-anchor="middle"{key} data-status="{escape(p.status)}">{escape(mark)}'
                f"{_tooltip(p.period, None, unit, p.status, label)}</text>"
            )
    return out


def sparkline(points: list[Point], css: str = "main", width: int = 96, height: int = 30) -> Markup:
    """A tiny curve for the overview table: ok values only, gaps kept."""
    ok = [p for p in points if p.value is not None]
    if len(ok) < 2:
        return Markup("")
    low, high = min(p.value for p in ok), max(p.value for p in ok)  # type: ignore[type-var]
    span = (high - low) or 1.0
    x_low, x_high = points[0].x, points[-1].x
    sx = lambda x: 3 + (x - x_low) / ((x_high - x_low) or 1) * (width - 6)  # noqa: E731
    sy = lambda y: height - 4 - (y - low) / span * (height - 8)  # noqa: E731
    out = [
        f'<svg class="spark" viewBox="0 0 {width} {height}" width="{width}" height="{height}" aria-hidden="true">'
    ]
    segment: list[Point] = []
    for p in points + [None]:  # type: ignore[operator]
        if p is not None and p.value is not None:
            segment.append(p)
            continue
        if len(segment) > 1:
            out.append(
                f'<polyline class="line {css}" points="{" ".join(f"{sx(q.x):.1f},{sy(q.value):.1f}" for q in segment)}"/>'
            )
        segment = []
    for p in ok:  # isolated values (between gaps) must show too
        r = 2.5 if p is ok[-1] else 1.5
        out.append(f'<circle class="dot {css}" cx="{sx(p.x):.1f}" cy="{sy(p.value):.1f}" r="{r}"/>')
    out.append("</svg>")
    return Markup("".join(out))
