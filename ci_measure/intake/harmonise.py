"""From a raw table (any header spelling, any period spelling) to canonical columns.

Nothing here rejects anything: cells that cannot be understood become None/NaN and the
schema (``schema.py``) turns them into problems. Keeping the two apart lets the receipt
show the value exactly as the partner typed it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa

from ci_measure.config import periods
from ci_measure.config.model import Workspace
from ci_measure.errors import Problem
from ci_measure.intake.columns import (
    HEADER_DA,
    ORIGIN_ALIASES,
    REQUIRED,
    SEX_ALIASES,
    canonical_header,
    normalise,
    normalise_code_value,
)
from ci_measure.intake.layout import layout_problem
from ci_measure.intake.read.table import RawTable
from ci_measure.intake.values import parse_values, text_dictionary, uses_decimal_comma


@dataclass(frozen=True)
class Harmonised:
    """The parsed submission: one row per data row, canonical values or None where not understood."""

    frame: pd.DataFrame  # columns: see PARSED_COLUMNS
    positions: dict[str, str]  # canonical column -> raw column ("c3")
    headers: dict[str, str]  # canonical column -> header as written
    raw: RawTable

    def only(self, rows: pd.Series) -> Harmonised:
        """The same submission restricted to ``rows`` (index labels are kept)."""
        return Harmonised(self.frame[rows], self.positions, self.headers, self.raw)


PARSED_COLUMNS = (
    "data_element",
    "area",
    "period",
    "period_type",
    "sex",
    "origin",
    "value",
    "missing_at_source",
    "value_ok",
    "reported",  # False: the value cell is empty, the row is not reported (SPEC §4)
    "small_number",  # `<5`: missing at source, with a warning
    "formula_error",  # `#N/A` and the like: not_a_number, fix the formula
    "partner",
    "comment",
    "row",
)


def map_headers(table: RawTable) -> tuple[dict[str, str], list[Problem], list[Problem]]:
    """canonical column -> raw column; plus (errors, warnings) about the header row.

    A wide table or a file without a header row gets one error saying so (``layout``),
    not a missing_column error per column.
    """
    positions: dict[str, str] = {}
    warnings: list[Problem] = []
    for raw_column, header in zip(table.frame.columns, table.headers, strict=True):
        canon = canonical_header(header)
        if canon is None or canon in positions:
            warnings.append(
                Problem.make(
                    "unknown_column",
                    row=table.header_row,
                    column=header,
                    variant=None if header else "blank",
                )
            )
        else:
            positions[canon] = raw_column
    if any(needed not in positions for needed in REQUIRED):
        shape = layout_problem(table, positions)
        if shape is not None:
            return positions, [shape], []
    errors = [
        Problem.make(
            "missing_column",
            row=table.header_row,
            expected=HEADER_DA[needed],
            expected_en=needed,
        )
        for needed in REQUIRED
        if needed not in positions
    ]
    return positions, errors, warnings


def _text_of(c: object) -> str | None:
    """One cell as stripped text (a whole spreadsheet number without '.0'); None stays None."""
    if c is None:
        return None
    if isinstance(c, float):
        if np.isnan(c):
            return None
        return str(int(c)) if c.is_integer() else str(c)
    text = str(c).strip()
    return text or None


def _text(cells: pd.Series) -> pd.Series:
    """Cells as stripped text (whole spreadsheet numbers without '.0'); None stays None."""
    return _each(cells, _text_of)


def _each(cells: pd.Series, function, categorical: bool = False) -> pd.Series:
    """``function`` of every cell: once per distinct text in a text column, else cell by cell.

    ``categorical``: the result as a pandas categorical (codes into the distinct results,
    None = missing), built from the Arrow dictionary's indices without a Python object
    per row: the checks (isin, duplicates, nulls) then work on small integer codes."""
    found = text_dictionary(cells)
    index = cells.index if isinstance(cells, pd.Series) else pd.RangeIndex(len(cells))
    if found is None:
        mapped = cells.map(function).astype(object)
        return pd.Series(pd.Categorical(mapped), index=cells.index) if categorical else mapped
    distinct, positions = found
    results = np.empty(len(distinct), dtype=object)
    results[:] = [function(d) for d in distinct]
    if not categorical:
        return pd.Series(results[positions], index=index, dtype=object)
    return _from_distinct(results, positions, index)


def _from_distinct(results: np.ndarray, positions: np.ndarray, index: pd.Index) -> pd.Series:
    """A categorical column: row i holds ``results[positions[i]]`` (None: missing)."""
    codes, categories = pd.factorize(results)  # None -> -1
    return pd.Series(
        pd.Categorical.from_codes(codes[positions], categories=categories), index=index
    )


def _codes(
    texts: pd.Series,
    known: list[str],
    numeric_pad: bool = False,
    raw: bool = False,
    names: dict[str, str] | None = None,
) -> pd.Series:
    """Match codes case-insensitively to their canonical spelling; unknown -> the text itself.

    ``names``: code -> name; a cell may hold the name instead of the code (case- and
    accent-insensitive: ``østerbyen`` is ``0561-OST``). A name two codes share means neither.
    ``raw``: ``texts`` are raw cells, made text first (``_text``) in the same pass."""
    lookup = {code.upper(): code for code in known}
    by_name: dict[str, str | None] = {}
    for code, name in (names or {}).items():
        key = normalise(name)
        by_name[key] = None if key in by_name and by_name[key] != code else code
    if numeric_pad:
        # Excel turns "0561" into 561: accept it where exactly one code has that numeric value.
        by_number: dict[str, list[str]] = {}
        for code in known:
            if code.isdigit():
                by_number.setdefault(str(int(code)), []).append(code)
        for number, codes in by_number.items():
            if len(codes) == 1:
                lookup.setdefault(number, codes[0])

    def code(t: object) -> object:
        if not isinstance(t, str):
            return None
        found = lookup.get(t.upper())
        if found is None and by_name:
            found = by_name.get(normalise(t))
        return found or t

    return _each(texts, (lambda c: code(_text_of(c))) if raw else code, categorical=True)


def _aliases(texts: pd.Series, aliases: dict[str, str], raw: bool = False) -> pd.Series:
    """sex/origin: a missing column or empty cell means `_T`; unknown spellings stay as written.

    ``raw``: ``texts`` are raw cells, made text first (``_text``) in the same pass."""

    def alias(t: object) -> object:
        return "_T" if not isinstance(t, str) else aliases.get(normalise_code_value(t), t)

    return _each(texts, (lambda c: alias(_text_of(c))) if raw else alias, categorical=True)


def _periods(
    cells: pd.Series, elements: pd.Series, workspace: Workspace
) -> tuple[pd.Series, pd.Series]:
    """Canonical period and its type; None where the cell is no period (dates included)."""
    types = {code: d.period_type for code, d in workspace.catalog.data_elements.items()}
    found = text_dictionary(cells) if len(cells) else None
    index = elements.index
    if found is not None:  # text periods: parse each distinct (period, element) pair once
        distinct, positions = found
        element_codes, element_names = pd.factorize(
            elements.to_numpy(dtype=object), use_na_sentinel=False
        )
        pairs = positions.astype(np.int64) * (len(element_names) + 1) + element_codes
        unique_pairs, inverse = np.unique(pairs, return_inverse=True)
        canon_u = np.empty(len(unique_pairs), dtype=object)
        kinds_u = np.empty(len(unique_pairs), dtype=object)
        for k, pair in enumerate(unique_pairs.tolist()):
            text, element = (
                distinct[pair // (len(element_names) + 1)],
                element_names[pair % (len(element_names) + 1)],
            )
            parsed = None if text is None else periods.parse_period(text, prefer=types.get(element))
            canon_u[k], kinds_u[k] = (parsed[0], parsed[1]) if parsed else (None, None)
        return (
            _from_distinct(canon_u, inverse.reshape(-1), index),
            pd.Series(kinds_u[inverse.reshape(-1)], index=index, dtype=object),
        )
    canon: list[str | None] = []
    kinds: list[str | None] = []
    cache: dict[tuple[object, object], tuple[str, str] | None] = {}
    for cell, element in zip(
        cells.to_numpy(dtype=object), elements.to_numpy(dtype=object), strict=True
    ):
        if isinstance(cell, (dt.date, dt.datetime)) or cell is None:
            parsed = None
        else:
            text = str(int(cell)) if isinstance(cell, float) and cell.is_integer() else str(cell)
            key = (text, element)
            if key not in cache:
                cache[key] = periods.parse_period(text, prefer=types.get(element))
            parsed = cache[key]
        canon.append(parsed[0] if parsed else None)
        kinds.append(parsed[1] if parsed else None)
    return pd.Series(pd.Categorical(canon), index=cells.index), pd.Series(
        kinds, index=cells.index, dtype=object
    )


def harmonise(table: RawTable, workspace: Workspace, positions: dict[str, str]) -> Harmonised:
    """Canonical columns for every data row of a table whose required headers were found."""
    raw = table.frame
    index = raw.index

    def cells(name: str) -> pd.Series:
        if name in positions:
            return raw[positions[name]]
        return pd.Series([None] * len(raw), index=index, dtype=object)

    def text(name: str) -> pd.Series | pa.Array:  # the same cells, as Arrow text if known
        return table.text_column(positions[name]) if name in positions else cells(name)

    partnership, catalog = workspace.partnership, workspace.catalog
    elements = _codes(text("data_element"), list(catalog.data_elements), raw=True)
    period, period_type = _periods(text("period"), elements, workspace)
    values = cells("value")
    decimal_comma = table.decimal_comma or uses_decimal_comma(
        values
        if text_dictionary(values) is not None
        else values[values.map(lambda c: isinstance(c, str))]
    )
    parsed = parse_values(
        values, decimal_comma, spreadsheet=table.sheet is not None, text=text("value")
    )
    frame = pd.DataFrame(
        {
            "data_element": elements,
            "area": _codes(
                text("area"),
                [a.code for a in partnership.areas],
                numeric_pad=True,
                raw=True,
                names={a.code: a.name for a in partnership.areas},
            ),
            "period": period,
            "period_type": period_type,
            "sex": _aliases(text("sex"), SEX_ALIASES, raw=True),
            "origin": _aliases(text("origin"), ORIGIN_ALIASES, raw=True),
            "value": parsed.value,
            "missing_at_source": parsed.missing,
            "value_ok": parsed.ok,
            "reported": ~parsed.empty,
            "small_number": parsed.small,
            "formula_error": parsed.formula_error,
            "partner": _text(text("partner")),
            "comment": _text(text("comment")),
            "row": pd.Series(table.rows, index=index, dtype="int64"),
        },
        index=index,
    )
    headers = {
        canon: table.headers[list(raw.columns).index(col)] for canon, col in positions.items()
    }
    return Harmonised(frame=frame, positions=positions, headers=headers, raw=table)
