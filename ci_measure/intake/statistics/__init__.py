"""Public statistics (SPEC §11): a Statistikbanken export read through a workspace mapping.

:func:`read_mapped` is the one entry point for intake: given a file from a partner, it
returns the table to validate when one of that partner's mappings (``statistics/*.yaml``)
fits the file, and None otherwise (the file is then read as an ordinary submission). The
table is in the canonical long layout (data element, area, period, value, sex, origin), its
row numbers those of the file, so the rest of validation - pandera schema, responsibilities,
rules - and the receipt, archive, latest-wins and audit trail are exactly those of any file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ci_measure.config.model import Workspace
from ci_measure.errors import ConfigError, FileProblem, Problem
from ci_measure.intake.cpr import find_cpr
from ci_measure.intake.personal.places import column_letters
from ci_measure.intake.read import read_grid
from ci_measure.intake.read.table import Grid, RawTable
from ci_measure.intake.statistics.aggregate import Cells, make_cells
from ci_measure.intake.statistics.explain import why_not
from ci_measure.intake.statistics.layout import Located, locate
from ci_measure.intake.statistics.mapping import Mapping, load_mappings, mapping_files

__all__ = [
    "Mapped",
    "MappedTable",
    "find",
    "map_file",
    "partner_mappings",
    "read_mapped",
    "why_not",
]

HEADERS = ["dataelement", "område", "periode", "værdi", "køn", "herkomst"]
COLUMNS = ["data_element", "area", "period", "value", "sex", "origin"]
# The first bytes of a PX (PC-Axis) file: its keywords (docs/statistics.md says why it is not read).
PX_KEYWORDS = (b"AXIS-VERSION", b"CHARSET", b"CODEPAGE", b"LANGUAGE", b"CREATION-DATE", b"MATRIX")


@dataclass(frozen=True)
class MappedTable(RawTable):
    """The mapped cells as a RawTable, plus the receipt's notes about the mapping."""

    warnings: tuple[Problem, ...] = field(default=())


@dataclass(frozen=True)
class Mapped:
    mapping: Mapping
    located: Located
    cells: Cells
    table: RawTable  # a MappedTable; the whole grid when it holds a CPR-like cell


def _danish(number: int) -> str:
    return f"{number:,}".replace(",", ".")


def years_text(years: list[str]) -> str:
    """2008, 2009, 2010, 2012 -> "2008–2010, 2012": a long export leaves many years out."""
    runs: list[list[int]] = []
    for year in sorted(int(y) for y in years):
        if runs and year == runs[-1][-1] + 1:
            runs[-1].append(year)
        else:
            runs.append([year])
    return ", ".join(f"{r[0]}–{r[-1]}" if len(r) > 2 else ", ".join(map(str, r)) for r in runs)


def refuse_px(path: Path) -> None:
    """A PX file gets a receipt that says what to download instead (unreadable_file)."""
    with Path(path).open("rb") as handle:
        head = handle.read(256).lstrip(b"\xef\xbb\xbf \t\r\n").upper()
    if head.startswith(PX_KEYWORDS) and b"=" in head.split(b"\n", 1)[0]:
        raise FileProblem(
            Problem.make(
                "unreadable_file",
                detail="det er en PX-fil (PC-Axis), som ikke læses her; hent tabellen som CSV "
                "eller Excel (.xlsx) i stedet / it is a PX (PC-Axis) file, which is not read "
                "here; download the table as CSV or Excel (.xlsx) instead",
            )
        )


def find(grid: Grid, mappings: list[Mapping], file_name: str) -> tuple[Mapping, Located] | None:
    """The one mapping that fits the grid; two that fit are a configuration mistake."""
    found = [(m, located) for m in mappings if (located := locate(grid, m)) is not None]
    if len(found) > 1:
        names = " and ".join(m.name for m, _ in found)
        raise ConfigError(
            f"{names} both fit {file_name}; a file must fit one mapping - "
            "merge them into one (list all the elements in it) or make their columns differ",
            file=found[1][0].name,
        )
    return found[0] if found else None


def _notes(mapping: Mapping, cells: Cells) -> tuple[Problem, ...]:
    notes = [
        Problem.make(
            "statistics_mapping",
            value=mapping.name,
            detail=_danish(cells.figures),
            expected=_danish(len(cells.frame)),
        )
    ]
    if cells.unmapped_rows:
        shown = ", ".join(cells.unmapped_values[:5])
        more = len(cells.unmapped_values) - 5
        if more > 0:
            shown += f" … (+{_danish(more)})"
        notes.append(
            Problem.make(
                "unmapped_area",
                value=shown,
                detail=_danish(cells.unmapped_rows),
                expected=mapping.name,
            )
        )
    for element, years in cells.incomplete.items():
        notes.append(Problem.make("incomplete_year", element=element, period=years_text(years)))
    return tuple(notes)


def _table(grid: Grid, mapping: Mapping, located: Located, cells: Cells) -> MappedTable:
    frame = cells.frame
    data = {f"c{i}": frame[name].to_numpy(dtype=object) for i, name in enumerate(COLUMNS)}
    return MappedTable(
        frame=pd.DataFrame(data, index=pd.RangeIndex(len(frame)), dtype=object),
        headers=list(HEADERS),
        rows=[int(r) for r in frame["row"]],
        header_row=located.header_row,
        sheet=grid.sheet,
        decimal_comma=grid.decimal_comma,
        encoding=grid.encoding,
        delimiter=grid.delimiter,
        warnings=_notes(mapping, cells),
    )


def whole_grid(grid: Grid) -> RawTable:
    """Every cell of the file as one table (columns A, B, …): what the personal-data check
    must see, title lines and notes included."""
    frame = pd.DataFrame(
        {f"c{j}": np.asarray(c, dtype=object) for j, c in enumerate(grid.columns)}, dtype=object
    )
    return RawTable(
        frame=frame,
        headers=[column_letters(j) for j in range(len(grid.columns))],
        rows=[int(n) for n in grid.numbers],
        header_row=0,
        sheet=grid.sheet,
        decimal_comma=grid.decimal_comma,
        encoding=grid.encoding,
        delimiter=grid.delimiter,
    )


def map_file(path: Path, mappings: list[Mapping], max_bytes: int) -> Mapped | None:
    """Read a file through the one mapping (of ``mappings``) that fits it, or None.

    A file that holds anything like a CPR number yields all its cells as the table (and no
    cells), so that the personal-data check refuses it, title lines and notes included.
    """
    grid = read_grid(path, max_bytes)
    found = find(grid, mappings, Path(path).name)
    if found is None:
        return None
    mapping, located = found
    everything = whole_grid(grid)
    if find_cpr(everything):
        return Mapped(mapping, located, Cells(pd.DataFrame(columns=COLUMNS), 0), everything)
    cells = make_cells(located, mapping, grid.decimal_comma)
    return Mapped(mapping, located, cells, _table(grid, mapping, located, cells))


def partner_mappings(workspace: Workspace, partner: str | None) -> list[Mapping]:
    """The partner's mappings (every mapping when ``partner`` is None), all of them checked."""
    if not mapping_files(workspace.root):
        return []
    every = load_mappings(workspace)
    return [m for m in every if partner is None or m.partner.upper() == partner.upper()]


def read_mapped(path: Path, workspace: Workspace, partner: str, max_bytes: int) -> RawTable | None:
    """The table to validate when a mapping of ``partner`` fits the file, else None.

    Raises FileProblem like ``read_table`` (a PX file included) and ConfigError for a
    mistake in any mapping of the workspace: like partnership.yaml, a broken mapping stops
    intake (the file waits in the inbox) until it is fixed.
    """
    refuse_px(path)
    mappings = partner_mappings(workspace, partner)
    if not mappings:
        return None
    mapped = map_file(path, mappings, max_bytes)
    return None if mapped is None else mapped.table
