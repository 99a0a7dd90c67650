"""Why a mapping does not fit a file, in one line an analyst can act on (`statistics check`)."""

from __future__ import annotations

from ci_measure.intake.columns import normalise
from ci_measure.intake.read.table import HEADER_SEARCH_ROWS, Grid
from ci_measure.intake.statistics import layout
from ci_measure.intake.statistics.mapping import Mapping


def why_not(grid: Grid, mapping: Mapping) -> str:
    """The closest the file comes to the mapping's layout, and what differs."""
    columns = layout._filled_columns(grid)
    rows = layout._filled_rows(columns, len(grid.numbers))
    if not len(rows):
        return "the file holds no cells / filen er tom"
    if not mapping.header:
        return (
            f"a file without a header row with {len(mapping.keys)} columns, the period in "
            f"'{mapping.shown(mapping.period or '')}'; this file has {len(columns)} columns "
            f"and starts: {', '.join(t for t in layout._texts(columns, rows[0]) if t)[:120]}"
        )
    if mapping.across:
        labels = ", ".join(mapping.columns)
        return (
            f"a header row with the label columns ({labels}, blank or named) and then periods "
            "(2024K1, 2024, …) across; no such row among the first "
            f"{HEADER_SEARCH_ROWS} rows"
        )
    wanted = {normalise(c): c for c in mapping.columns}
    best: tuple[int, int, list[str]] = (-1, 0, [])
    for index in rows[:HEADER_SEARCH_ROWS]:
        texts = [t for t in layout._texts(columns, index) if t]
        score = sum(1 for t in texts if normalise(t) in wanted)
        if score > best[0]:
            best = (score, int(grid.numbers[index]), texts)
    _, row, texts = best
    found = {normalise(t) for t in texts}
    missing = [c for k, c in wanted.items() if k not in found]
    extra = [t for t in texts if normalise(t) not in wanted]
    parts = [f"row {row} has {', '.join(texts)[:160]}"]
    if missing:
        parts.append(f"missing: {', '.join(missing)}")
    if extra:
        parts.append(f"not in the mapping's columns: {', '.join(extra)[:120]}")
    return "; ".join(parts)
