"""The shape of a partner's table, before its cells are read (SPEC §8).

Partners paste notes under their table (``Anm.: Tal for 2026 er foreløbige.``, ``Kilde: …``),
export tables without a header row, or lay the periods out as columns. A note is ignored
with a warning; the other two are refused with one message that says what the file is
and points to the template, instead of a missing_column error per column.
"""

from __future__ import annotations

import re

import numpy as np

from ci_measure.config import periods
from ci_measure.errors import Problem
from ci_measure.intake.columns import canonical_header
from ci_measure.intake.read.table import RawTable
from ci_measure.intake.values import map_cells

# A note starts with one of these words and a colon or full stop: `Anm.:`, `Kilde:`, `Note:`.
NOTE_PREFIX = re.compile(
    r"^\s*(anm(\.|ærkning(er)?)?|kilde(r)?|note(r)?|fodnote(r)?|source(s)?|bemærk(ning)?|obs)\s*[:.]",
    re.I,
)
_NUMBER_LIKE = re.compile(r"^[-+]?\d[\d.,\s]*$")
SHOWN_HEADERS = 3  # cells of the first row quoted in the message


def _is_note_text(cell: object) -> bool:
    return isinstance(cell, str) and bool(NOTE_PREFIX.match(cell))


def _note_rows(table: RawTable) -> np.ndarray:
    """Positions of note rows: any row whose first filled cell starts like a note, and the
    rows at the bottom with text in one cell and nothing else."""
    frame = table.frame
    notes = np.zeros(len(frame), dtype=bool)
    if frame.empty:
        return notes
    first = frame.iloc[:, 0]
    prefixed = map_cells(table.text_column(frame.columns[0]), _is_note_text)
    notes |= (
        prefixed.astype(bool) if prefixed is not None else first.map(_is_note_text).to_numpy(bool)
    )
    for position in range(len(frame) - 1, -1, -1):  # the block below the table
        cells = [c for c in frame.iloc[position].to_numpy(dtype=object) if c is not None]
        lone_text = len(cells) == 1 and isinstance(cells[0], str)
        if not (lone_text or notes[position]):
            break
        notes[position] = True
    return notes


def drop_notes(table: RawTable) -> tuple[RawTable, list[Problem]]:
    """The table without its note lines, and a note_ignored warning for each."""
    notes = _note_rows(table)
    if not notes.any():
        return table, []
    warnings = []
    for position in np.flatnonzero(notes):
        row = table.frame.iloc[position].to_numpy(dtype=object)
        text = next((c for c in row if c is not None), "")
        warnings.append(
            Problem.make("note_ignored", row=table.rows[int(position)], value=str(text))
        )
    keep = ~notes
    frame = table.frame[keep].reset_index(drop=True)
    used = [
        c for c, h in zip(frame.columns, table.headers, strict=True) if h or frame[c].notna().any()
    ]
    headers = [h for c, h in zip(frame.columns, table.headers, strict=True) if c in used]
    frame = frame[used]
    frame.columns = [f"c{i}" for i in range(len(used))]
    rows = [r for r, k in zip(table.rows, keep, strict=True) if k]
    return (
        RawTable(
            frame=frame,
            headers=headers,
            rows=rows,
            header_row=table.header_row,
            sheet=table.sheet,
            decimal_comma=table.decimal_comma,
            encoding=table.encoding,
            delimiter=table.delimiter,
        ),
        warnings,
    )


def _period_like(header: str) -> bool:
    return bool(header) and bool(periods.candidates(header))


def layout_problem(table: RawTable, found: dict[str, str]) -> Problem | None:
    """One missing_column problem for a wide table (periods as columns) or a file without a
    header row; None when the header row is a header row (its problems are the usual ones)."""
    if "period" in found:
        return None
    headers = table.headers
    period_headers = [h for h in headers if _period_like(h)]
    if len(period_headers) >= 2:
        shown = ", ".join(period_headers[:SHOWN_HEADERS])
        if len(period_headers) > SHOWN_HEADERS:
            shown += " …"
        return Problem.make(
            "missing_column", row=table.header_row, variant="wide", detail=shown, value=shown
        )
    known = [h for h in headers if canonical_header(h)]
    data_like = [h for h in headers if _period_like(h) or _NUMBER_LIKE.match(h)]
    if not known and data_like:
        shown = ", ".join(h for h in headers if h)
        return Problem.make(
            "missing_column",
            row=table.header_row,
            variant="no_header",
            value=", ".join([h for h in headers if h][:SHOWN_HEADERS]) or shown,
        )
    return None


__all__ = ["drop_notes", "layout_problem"]
