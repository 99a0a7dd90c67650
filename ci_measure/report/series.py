"""From published rows to what a scorecard says: curves, baseline, target, trend, forecast.

Pure functions over the published DataFrame (columns of ``figures.indicator_rows``) and the
model objects, so the analysis is tested without a warehouse. Only ``ok`` rows carry a number;
every other status stays a status (a gap in a curve), never a zero.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

import pandas as pd

from ci_measure.config import periods
from ci_measure.config.model import ORIGIN_PARTS, SEX_PARTS, TOTAL, Indicator, Partnership

FORECAST_POINTS = 5  # the projection is fitted to at most this many latest ok values
FORECAST_AHEAD = 2  # and drawn this many periods ahead
COARSE_FIRST = ("year", "school_year", "quarter", "month")


@dataclass(frozen=True)
class Point:
    period: str
    x: float  # the period's midpoint in fractional years: all period types share one axis
    status: str
    value: float | None = None  # only when status is ok


@dataclass
class Summary:
    """Everything the overview row and the indicator section need for one indicator."""

    indicator: Indicator
    area: str
    period_type: str | None
    points: list[Point]
    national: list[Point] = field(default_factory=list)
    baseline: tuple[str, float, bool] | None = None  # (period, value, configured?)
    target: tuple[str, float] | None = None
    forecast: list[Point] = field(default_factory=list)
    slope: float | None = None  # change per period of the projection line
    comparison_period: str | None = None
    comparison: list[tuple[str, str, float | None]] = field(
        default_factory=list
    )  # area, status, value
    breakdowns: dict[str, dict[str, list[Point]]] = field(
        default_factory=dict
    )  # sex/origin -> code -> points

    @property
    def ok_points(self) -> list[Point]:
        return [p for p in self.points if p.value is not None]

    @property
    def latest(self) -> Point | None:
        return self.points[-1] if self.points else None

    @property
    def latest_ok(self) -> Point | None:
        ok = self.ok_points
        return ok[-1] if ok else None

    @property
    def trend(self) -> str | None:
        """better / worse / flat by the projection's slope and the indicator's direction."""
        if self.slope is None:
            return None
        values = [abs(p.value) for p in self.ok_points[-FORECAST_POINTS:] if p.value is not None]
        scale = max(sum(values) / len(values), 1e-9) if values else 1.0
        if abs(self.slope) < 0.01 * scale:
            return "flat"
        rising = self.slope > 0
        return "better" if rising == (self.indicator.direction == "up") else "worse"


NO_FIGURE = ("missing", "incomplete")  # states that leave a curve empty for want of data


def main_area(partnership: Partnership) -> str:
    """The scorecard's focus: the configured main area, else the first area listed."""
    return partnership.main_area or partnership.areas[0].code


def national_area(partnership: Partnership, exclude: str | None = None) -> str | None:
    """The national comparison: an area coded ``DK`` or named 'Hele landet'/'national'."""
    for area in partnership.areas:
        if area.code == exclude:
            continue
        name = area.name.casefold()
        if area.code.upper() == "DK" or "hele landet" in name or "national" in name:
            return area.code
    return None


def area_for(rows: pd.DataFrame, indicator: str, partnership: Partnership, main: str) -> str:
    """The main area, unless it has no figure for this indicator (nothing, or only sums that
    are incomplete because some areas under it never report): then the area with the most
    ok values (an indicator one district alone reports is shown for that district)."""
    mine = rows[
        (rows["indicator"] == indicator) & (rows["sex"] == TOTAL) & (rows["origin"] == TOTAL)
    ]
    if (~mine.loc[mine["area"] == main, "status"].isin(NO_FIGURE)).any():
        return main
    counts = mine[mine["status"] == "ok"]["area"].value_counts().to_dict()
    ranked = [a.code for a in partnership.areas if counts.get(a.code)]
    return max(ranked, key=lambda a: counts[a]) if ranked else main


def _start(period: str) -> dt.date:
    kind = periods.period_type(period)
    year = int(period[:4])
    if kind == "year":
        return dt.date(year, 1, 1)
    if kind == "school_year":
        return dt.date(year, 8, 1)
    if kind == "quarter":
        return dt.date(year, 3 * int(period[-1]) - 2, 1)
    return dt.date(year, int(period[5:7]), 1)


def x_of(period: str) -> float:
    """Midpoint of a period as a fractional year (2024 -> 2024.5, 2023/24 -> ~2024.0)."""
    start, end = _start(period), periods.end_date(period)
    mid = start + (end - start) / 2
    return mid.year + (mid.timetuple().tm_yday - 1) / 365.25


def _points(rows: pd.DataFrame) -> list[Point]:
    points = []
    for r in rows.itertuples(index=False):
        ok = r.status == "ok" and not pd.isna(r.value)
        points.append(
            Point(r.period, x_of(r.period), str(r.status), float(r.value) if ok else None)
        )
    return sorted(points, key=lambda p: periods.sort_key(p.period))


def _typed(rows: pd.DataFrame) -> pd.DataFrame:
    return rows.assign(_type=rows["period"].map(periods.period_type))


def choose_period_type(rows: pd.DataFrame, preferred: list[str]) -> str | None:
    """The period type with the most ok values (ties: a baseline/target's type, then coarser)."""
    if rows.empty:
        return None
    typed = _typed(rows)
    ok = typed[typed["status"] == "ok"]
    counts = (ok if len(ok) else typed)["_type"].value_counts().to_dict()

    def rank(kind: str) -> tuple[int, int, int]:
        return (-counts[kind], 0 if kind in preferred else 1, COARSE_FIRST.index(kind))

    return min(counts, key=rank)


def _fill_gaps(points: list[Point], all_periods: list[str]) -> list[Point]:
    """Periods that exist elsewhere but have no row here are shown as missing, not skipped."""
    have = {p.period for p in points}
    extra = [Point(p, x_of(p), "missing") for p in all_periods if p not in have]
    return sorted(points + extra, key=lambda p: periods.sort_key(p.period))


def fit_forecast(points: list[Point]) -> tuple[float | None, list[Point]]:
    """Least squares over the last up-to-5 ok values; the line continued 2 periods ahead."""
    ok = [p for p in points if p.value is not None][-FORECAST_POINTS:]
    if len(ok) < 2:
        return None, []
    xs, ys = [p.x for p in ok], [float(p.value) for p in ok]  # type: ignore[arg-type]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    sxx = sum((x - mx) ** 2 for x in xs)
    if sxx == 0:
        return None, []
    slope_per_year = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sxx
    ahead, period = [], ok[-1].period
    for _ in range(FORECAST_AHEAD):
        period = periods.next_period(period)
        x = x_of(period)
        ahead.append(Point(period, x, "forecast", my + slope_per_year * (x - mx)))
    step = ahead[0].x - ok[-1].x
    return slope_per_year * step, ahead


def _baseline(indicator: str, area: str, partnership: Partnership, points: list[Point]):
    configured = sorted(
        (b for b in partnership.baselines if b.indicator == indicator and b.area == area),
        key=lambda b: periods.sort_key(b.period) if periods.candidates(b.period) else (0, 0, 0),
    )
    if configured:
        return (configured[0].period, float(configured[0].value), True)
    ok = [p for p in points if p.value is not None]
    return (ok[0].period, float(ok[0].value), False) if len(ok) > 1 else None  # type: ignore[arg-type]


def _target(indicator: str, area: str, partnership: Partnership) -> tuple[str, float] | None:
    found = [t for t in partnership.targets if t.indicator == indicator and t.area == area]
    if not found:
        return None
    last = max(
        found,
        key=lambda t: periods.sort_key(t.period) if periods.candidates(t.period) else (0, 0, 0),
    )
    return (last.period, float(last.value))


def _comparison(
    rows: pd.DataFrame, partnership: Partnership, due: set[str]
) -> tuple[str | None, list]:
    """Every area in the latest period in which any area has an ok value, but for areas
    where nobody reports the data (a `missing` row outside ``due``: no gap, only noise)."""
    ok = rows[rows["status"] == "ok"]
    if ok.empty:
        return None, []
    period = max(ok["period"], key=periods.sort_key)
    at = rows[rows["period"] == period].set_index("area")
    result = []
    for area in partnership.areas:
        if area.code in at.index:
            r = at.loc[area.code]
            if r["status"] == "missing" and area.code not in due:
                continue
            value = float(r["value"]) if r["status"] == "ok" and not pd.isna(r["value"]) else None
            result.append((area.code, str(r["status"]), value))
    return period, result


def _breakdown(
    rows: pd.DataFrame, column: str, parts: tuple[str, ...], all_periods: list[str]
) -> dict:
    other = "origin" if column == "sex" else "sex"
    chosen = rows[(rows[other] == TOTAL) & rows[column].isin(parts)]
    if chosen.empty or (chosen["status"] == "missing").all():
        return {}
    return {c: _fill_gaps(_points(chosen[chosen[column] == c]), all_periods) for c in parts}


def summarise(
    rows: pd.DataFrame, indicator: Indicator, partnership: Partnership, area: str
) -> Summary:
    """One indicator's story for one area, from that indicator's published rows."""
    rows = rows[rows["indicator"] == indicator.code]
    total = rows[(rows["sex"] == TOTAL) & (rows["origin"] == TOTAL)]
    here = total[total["area"] == area]
    preferred = [
        periods.period_type(t.period)
        for t in (*partnership.baselines, *partnership.targets)
        if t.indicator == indicator.code and periods.candidates(t.period)
    ]
    kind = choose_period_type(here if len(here) else total, preferred)
    summary = Summary(indicator, area, kind, [])
    if kind is None:
        return summary
    of_kind = lambda frame: frame[frame["period"].map(periods.period_type) == kind]  # noqa: E731
    total, here = of_kind(total), of_kind(here)
    all_periods = sorted(set(total["period"]), key=periods.sort_key)
    summary.points = _fill_gaps(_points(here), all_periods)
    national = national_area(partnership, exclude=area)
    if national:
        summary.national = _points(total[total["area"] == national])
    summary.baseline = _baseline(indicator.code, area, partnership, summary.points)
    summary.target = _target(indicator.code, area, partnership)
    summary.slope, summary.forecast = fit_forecast(summary.points)
    due = partnership.due_areas([e for e in (indicator.numerator, indicator.denominator) if e])
    summary.comparison_period, summary.comparison = _comparison(total, partnership, due)
    mine = of_kind(rows[rows["area"] == area])
    for column, parts in (("sex", SEX_PARTS), ("origin", ORIGIN_PARTS)):
        found = _breakdown(mine, column, parts, all_periods)
        if found:
            summary.breakdowns[column] = found
    return summary


def is_number(x: object) -> bool:
    return isinstance(x, int | float) and not math.isnan(x)
