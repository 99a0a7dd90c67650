"""From an export's figures to the partnership's cells: choose the rows, sum them, make years.

The rules (SPEC §11, §4), each decided here and nowhere else:

* rows whose area is not in the mapping's ``area: map`` are left out (and counted once);
* ``where`` chooses the rows an element sums; any other label column the mapping does not
  use is summed over, except that when it holds a total row (``TOT``, ``IALT``, ``I alt``)
  only the total rows are used - a total is never added to its own parts;
* a sum exists only when every part is a number: a part that is ``..`` (or another §4
  marker) or empty makes the cell missing at source, never a partial sum; a part that is
  not a number at all is passed on as written, at its own row, so the receipt names it;
  a cell whose parts are all empty is not reported;
* ``year_from`` turns quarters or months into the element's year only when the year is
  complete (four quarters, twelve months); an incomplete year is left out and reported.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ci_measure.config import periods
from ci_measure.intake.statistics.layout import VALUE, Located, per_distinct
from ci_measure.intake.statistics.mapping import (
    Dimension,
    ElementRule,
    Mapping,
    is_total,
    value_key,
)
from ci_measure.intake.values import parse_values, uses_decimal_comma

KEYS = ["area", "period", "sex", "origin"]
MISSING = ".."
SUB_PERIODS = {"quarter": 4, "month": 12}
LAST = {"quarter": "Q4", "month": "12"}


@dataclass
class Cells:
    """The cells a mapping yields from one file, and what was left out on the way."""

    frame: pd.DataFrame  # data_element, area, period, sex, origin, value, row
    figures: int  # figures in the file with something in their value cell
    unmapped_rows: int = 0
    unmapped_values: list[str] = field(default_factory=list)
    incomplete: dict[str, list[str]] = field(default_factory=dict)  # element -> years


@dataclass(frozen=True)
class _Parsed:
    empty: np.ndarray
    bad: np.ndarray
    missing: np.ndarray
    number: np.ndarray
    raw: np.ndarray


def _blank(cell: object) -> bool:
    return cell is None or (isinstance(cell, float) and np.isnan(cell)) or str(cell).strip() == ""


def _parse(raw: np.ndarray, decimal_comma: bool) -> _Parsed:
    texts = pd.Series([c for c in pd.unique(raw) if isinstance(c, str)], dtype=object)
    comma = decimal_comma or (len(texts) > 0 and uses_decimal_comma(texts))
    value, missing, ok = parse_values(pd.Series(raw, dtype=object), comma)[:3]
    empty = per_distinct(raw, _blank, True).astype(bool)
    return _Parsed(
        empty=empty,
        bad=~ok.to_numpy() & ~empty,
        missing=missing.to_numpy() & ~empty,
        number=np.nan_to_num(value.to_numpy(dtype=float)),
        raw=raw,
    )


def _codes(located: Located, dimension: Dimension | None, keep_unknown: bool) -> np.ndarray:
    """The code of each figure's area/sex/origin (None: unmapped area; `_T` when absent)."""
    size = len(located.rows)
    if dimension is None:
        return np.full(size, "_T", dtype=object)
    values = dimension.values

    def code(text: object) -> object:
        found = values.get(value_key(text))
        return text if found is None and keep_unknown else found

    return per_distinct(located.labels[dimension.column], code, "_T" if keep_unknown else None)


def make_cells(located: Located, mapping: Mapping, decimal_comma: bool) -> Cells:
    """Every element's cells, in the order of the rows they come from."""
    area = _codes(located, mapping.area, keep_unknown=False)
    sex = _codes(located, mapping.sex, keep_unknown=True)
    origin = _codes(located, mapping.origin, keep_unknown=True)
    parsed = {key: _parse(raw, decimal_comma) for key, raw in located.values.items()}
    has_value = np.zeros(len(located.rows), dtype=bool)
    for p in parsed.values():
        has_value |= ~p.empty
    unmapped = has_value & pd.isna(area)
    cells = Cells(frame=pd.DataFrame(), figures=int(has_value.sum()))
    if unmapped.any():
        labels = located.labels[mapping.area.column][unmapped]
        cells.unmapped_rows = int(unmapped.sum())
        cells.unmapped_values = sorted(str(v) for v in pd.unique(labels) if v is not None)
    used = {mapping.area.column, located.period_key}
    used |= {d.column for d in (mapping.sex, mapping.origin) if d is not None}
    frames = []
    for rule in mapping.elements:
        mask = ~pd.isna(area) & _chosen(located, rule, used)
        p = parsed[rule.value or VALUE]
        frame = pd.DataFrame(
            {
                "area": area[mask],
                "period": located.labels[located.period_key][mask],
                "sex": sex[mask],
                "origin": origin[mask],
                "empty": p.empty[mask],
                "bad": p.bad[mask],
                "missing": p.missing[mask],
                "number": np.where(p.bad | p.missing | p.empty, 0.0, p.number)[mask],
                "raw": p.raw[mask],
                "row": located.rows[mask],
            }
        )
        summed = _sum(frame)
        if rule.year_from:
            summed, left_out = _years(summed, rule.year_from)
            if left_out:
                cells.incomplete[rule.data_element] = left_out
        summed.insert(0, "data_element", rule.data_element)
        frames.append(summed)
    out = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    if len(out):
        out = out.sort_values("row", kind="stable").reset_index(drop=True)
    cells.frame = _values(out)
    return cells


def _chosen(located: Located, rule: ElementRule, used: set[str | None]) -> np.ndarray:
    """The figures an element sums: its ``where``, and only the totals of unused columns."""
    mask = np.ones(len(located.rows), dtype=bool)
    for condition in rule.where:
        mask &= per_distinct(
            located.labels[condition.column],
            lambda t, c=condition: c.matches(value_key(t)),
            False,
        ).astype(bool)
    chosen = {c.column for c in rule.where}
    for key, labels in located.labels.items():
        if key in used or key in chosen:
            continue
        totals = per_distinct(labels, lambda t: is_total(value_key(t)), False).astype(bool)
        if (totals & mask).any():
            mask &= totals
    return mask


def _sum(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per cell key: the sum of its parts, or why there is none (``state``)."""
    columns = KEYS + ["state", "number", "raw", "row"]
    if frame.empty:
        return pd.DataFrame(columns=columns)
    frame = frame.sort_values("row", kind="stable")
    frame["bad_raw"] = frame["raw"].where(frame["bad"], None)
    frame["bad_row"] = frame["row"].where(frame["bad"])
    groups = frame.groupby(KEYS, dropna=False, sort=False)
    out = groups.agg(
        parts=("row", "size"),
        empty=("empty", "sum"),
        bad=("bad", "sum"),
        missing=("missing", "sum"),
        number=("number", "sum"),
        row=("row", "min"),
        bad_raw=("bad_raw", "first"),
        bad_row=("bad_row", "min"),
    ).reset_index()
    out = out[out["empty"] < out["parts"]].copy()
    out["state"] = np.where(
        out["bad"] > 0, "bad", np.where(out["missing"] + out["empty"] > 0, "missing", "ok")
    )
    is_bad = out["state"] == "bad"
    out["raw"] = out["bad_raw"].where(is_bad, None)
    out.loc[is_bad, "row"] = out.loc[is_bad, "bad_row"]
    out["row"] = out["row"].astype("int64")
    return out[columns].reset_index(drop=True)


def _combine(parts: list[dict]) -> dict:
    """The year from its complete sub-periods' cells, by the same rule as any sum."""
    bad = [p for p in parts if p["state"] == "bad"]
    if bad:
        first = min(bad, key=lambda p: p["row"])
        return {**first}
    state = "missing" if any(p["state"] == "missing" for p in parts) else "ok"
    number = sum(p["number"] for p in parts) if state == "ok" else 0.0
    return {**parts[0], "state": state, "number": number, "row": min(p["row"] for p in parts)}


def _years(summed: pd.DataFrame, rule: str) -> tuple[pd.DataFrame, list[str]]:
    """``year_from``: a year's cell from its four quarters or twelve months, or left out."""
    kept: list[dict] = []
    groups: dict[tuple, dict[str, dict]] = {}
    for record in summed.to_dict("records"):
        parsed = None if record["period"] is None else periods.parse_period(str(record["period"]))
        if parsed is None or parsed[1] not in SUB_PERIODS:
            kept.append(record)
            continue
        canonical, kind = parsed
        key = (record["area"], periods.year_of(canonical), record["sex"], record["origin"], kind)
        groups.setdefault(key, {})[canonical] = record
    left_out: set[str] = set()
    for (area, year, sex, origin, kind), parts in groups.items():
        if len(parts) < SUB_PERIODS[kind]:
            left_out.add(year)
            continue
        ordered = [parts[p] for p in periods.sub_periods(year, kind)]
        if rule == "last":
            cell = {**ordered[-1]}
        else:
            cell = _combine(ordered)
        cell.update(area=area, period=year, sex=sex, origin=origin)
        kept.append(cell)
    frame = pd.DataFrame(kept, columns=summed.columns)
    return frame, sorted(left_out)


def _values(out: pd.DataFrame) -> pd.DataFrame:
    """The value cell as validation reads it: the sum, ``..``, or the offending text."""
    columns = ["data_element", "area", "period", "sex", "origin", "value", "row"]
    if out.empty:
        return pd.DataFrame(columns=columns)
    value = np.empty(len(out), dtype=object)
    for i, (state, number, raw) in enumerate(
        zip(out["state"], out["number"], out["raw"], strict=True)
    ):
        if state == "bad":
            value[i] = raw
        elif state == "missing":
            value[i] = MISSING
        else:
            number = float(number)
            value[i] = int(number) if number.is_integer() else number
    out = out.assign(value=value)
    return out[columns].reset_index(drop=True)
