"""Find a mapping's export in a grid of cells: where its header is, which column is which.

Three layouts (docs/statistics.md):

* **long** (BULK / "CSV med koder"): a header row holding exactly the mapping's ``columns``
  (any order, any case), one figure a row;
* **across** (the table download): title lines, then a header row whose first cells are
  blank or the label columns' names (matched by position) and whose other cells are
  periods; label cells left blank under a group mean "the same as above"; notes below;
* **headerless** (``header: false``, STATUSU6): no header row; ``columns`` names the
  columns left to right.

The result, :class:`Located`, holds per figure its labels, its value cell and the row the
partner sees; nothing here decides what is summed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ci_measure.config import periods
from ci_measure.intake.columns import normalise
from ci_measure.intake.read.table import HEADER_SEARCH_ROWS, Grid, header_text
from ci_measure.intake.statistics.mapping import Mapping
from ci_measure.intake.values import MISSING_MARKER

PERIOD = "\x00period"  # the label key of the periods of a table download
VALUE = "\x00value"  # the value key of a table download


@dataclass(frozen=True)
class Located:
    labels: dict[str, np.ndarray]  # key -> label text of each figure (str or None)
    values: dict[str, np.ndarray]  # value key -> raw value cell of each figure
    rows: np.ndarray  # row number (as the partner sees it) of each figure
    header_row: int  # the header row (headerless: the first data row)
    period_key: str  # the label key that holds the period


def _blank(cell: object) -> bool:
    return cell is None or (isinstance(cell, float) and np.isnan(cell)) or header_text(cell) == ""


def _filled_columns(grid: Grid) -> list[np.ndarray]:
    return [c for c in grid.columns if not all(_blank(x) for x in pd.unique(c))]


def per_distinct(column: np.ndarray, function, empty: object = None) -> np.ndarray:  # noqa: ANN001
    """``function`` of every cell, computed once per distinct cell (an export repeats its labels)."""
    codes, uniques = pd.factorize(pd.Series(column, dtype=object), use_na_sentinel=True)
    mapped = np.empty(len(uniques) + 1, dtype=object)
    mapped[: len(uniques)] = [function(u) for u in uniques]
    mapped[-1] = empty
    return mapped[codes]


def _filled_rows(columns: list[np.ndarray], height: int) -> np.ndarray:
    filled = np.zeros(height, dtype=bool)
    for column in columns:
        filled |= per_distinct(column, lambda c: not _blank(c), False).astype(bool)
    return np.flatnonzero(filled)


def _texts(columns: list[np.ndarray], row: int) -> list[str]:
    return [header_text(c[row]) if not _blank(c[row]) else "" for c in columns]


def _is_period(text: str) -> bool:
    return bool(text) and bool(periods.candidates(text))


def _is_number(cell: object) -> bool:
    if isinstance(cell, (int, float)) and not isinstance(cell, bool):
        return True
    text = header_text(cell).replace(".", "").replace(",", "").replace(" ", "")
    return text.lstrip("-").isdigit() or bool(MISSING_MARKER.match(header_text(cell)))


def _text_array(column: np.ndarray) -> np.ndarray:
    return per_distinct(column, lambda c: None if _blank(c) else header_text(c))


def locate(grid: Grid, mapping: Mapping) -> Located | None:
    """The mapping's export in this grid, or None when the grid is not that export."""
    columns = _filled_columns(grid)
    rows = _filled_rows(columns, len(grid.numbers))
    if not len(rows):
        return None
    if not mapping.header:
        return _headerless(grid, columns, rows, mapping)
    if mapping.across:
        return _across(grid, columns, rows, mapping)
    return _long(grid, columns, rows, mapping)


def _long(grid: Grid, columns: list[np.ndarray], rows: np.ndarray, m: Mapping) -> Located | None:
    wanted = sorted(m.keys)
    for index in rows[:HEADER_SEARCH_ROWS]:
        texts = [normalise(t) for t in _texts(columns, index)]
        if sorted(t for t in texts if t) != wanted:
            continue
        body = rows[rows > index]
        position = {t: j for j, t in enumerate(texts) if t}
        labels = {
            k: _text_array(columns[position[k]][body]) for k in m.keys if k not in m.value_keys
        }
        values = {k: columns[position[k]][body] for k in m.value_keys}
        return Located(
            labels, values, np.asarray(grid.numbers)[body], int(grid.numbers[index]), m.period
        )
    return None


def _header_across(texts: list[str], m: Mapping) -> bool:
    width = len(m.keys)
    if len(texts) <= width:
        return False
    for text, key in zip(texts[:width], m.keys, strict=True):
        if text and normalise(text) != key:
            return False
    heads = [t for t in texts[width:] if t]
    return bool(heads) and all(_is_period(t) for t in heads)


def _fill_down(labels: np.ndarray) -> np.ndarray:
    """A blank label under a group's first row means "the same as above"."""
    return pd.Series(labels, dtype=object).ffill().to_numpy(dtype=object)


def _across(grid: Grid, columns: list[np.ndarray], rows: np.ndarray, m: Mapping) -> Located | None:
    width = len(m.keys)
    for index in rows[:HEADER_SEARCH_ROWS]:
        texts = _texts(columns, index)
        if not _header_across(texts, m):
            continue
        body = rows[rows > index]
        numbers = np.asarray(grid.numbers)[body]
        stub = {k: _fill_down(_text_array(columns[j][body])) for j, k in enumerate(m.keys)}
        heads = [(j, t) for j, t in enumerate(texts) if j >= width and t]
        count = len(heads)
        labels = {k: np.tile(v, count) for k, v in stub.items()}
        period = np.empty(len(body) * count, dtype=object)
        value = np.empty(len(body) * count, dtype=object)
        for n, (j, text) in enumerate(heads):
            period[n * len(body) : (n + 1) * len(body)] = text
            value[n * len(body) : (n + 1) * len(body)] = columns[j][body]
        labels[PERIOD] = period
        return Located(
            labels, {VALUE: value}, np.tile(numbers, count), int(grid.numbers[index]), PERIOD
        )
    return None


def _headerless(
    grid: Grid, columns: list[np.ndarray], rows: np.ndarray, m: Mapping
) -> Located | None:
    if len(columns) != len(m.keys):
        return None
    first = rows[0]
    cells = [c[first] for c in columns]
    position = {k: j for j, k in enumerate(m.keys)}
    if m.period is not None and not _is_period(header_text(cells[position[m.period]])):
        return None
    if not all(_is_number(cells[position[k]]) for k in m.value_keys):
        return None  # a header row, or another export: its value cells are no numbers
    labels = {k: _text_array(columns[position[k]][rows]) for k in m.keys if k not in m.value_keys}
    values = {k: columns[position[k]][rows] for k in m.value_keys}
    return Located(
        labels, values, np.asarray(grid.numbers)[rows], int(grid.numbers[first]), m.period
    )
