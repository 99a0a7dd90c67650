"""`ci-measure statistics check FILE`: which mapping fits, the cells it yields, the receipt.

Nothing is stored: the analyst sees what a Statistikbanken export would become before it
goes into the inbox, and, when no mapping fits, what the closest one expected instead.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ci_measure.config import periods
from ci_measure.config.model import Workspace
from ci_measure.errors import FileProblem, unknown_partner
from ci_measure.intake.read import read_grid
from ci_measure.intake.statistics import Mapped, map_file, partner_mappings, refuse_px
from ci_measure.intake.statistics.explain import why_not

SHOWN = ["row", "data_element", "area", "period", "sex", "origin", "value"]
TITLES = {
    "row": "række/row",
    "data_element": "dataelement",
    "area": "område/area",
    "period": "periode/period",
    "sex": "køn/sex",
    "origin": "herkomst/origin",
    "value": "værdi/value",
}


def _layout(mapped: Mapped) -> str:
    m, row = mapped.mapping, mapped.located.header_row
    if not m.header:
        return f"uden overskriftsrække, data fra række {row} / no header row, data from row {row}"
    if m.across:
        return (
            f"tabel med perioderne hen ad, overskrift i række {row} / "
            f"periods across the columns, header in row {row}"
        )
    return f"én værdi pr. række, overskrift i række {row} / one figure a row, header in row {row}"


def _shown(value: object) -> str:
    if isinstance(value, float):
        return f"{value:,.2f}".replace(",", "X").replace(".", ",").replace("X", ".")
    if isinstance(value, int):
        return f"{value:,}".replace(",", ".")
    return "" if value is None else str(value)


def _period(text: object) -> str:
    parsed = periods.parse_period(str(text)) if text is not None else None
    return parsed[0] if parsed else _shown(text)


def cell_table(frame: pd.DataFrame, rows: int) -> str:
    """The first ``rows`` cells as an aligned text table (periods in their stored form)."""
    frame = frame.head(rows).assign(period=lambda f: [_period(p) for p in f["period"]])
    body = [[_shown(v) for v in record] for record in frame[SHOWN].head(rows).itertuples(False)]
    head = [TITLES[c] for c in SHOWN]
    widths = [max(len(x) for x in column) for column in zip(head, *body, strict=False)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(head, widths, strict=True)).rstrip()]
    lines += ["  ".join(x.ljust(w) for x, w in zip(r, widths, strict=True)).rstrip() for r in body]
    return "\n".join(lines) + "\n"


def check_statistics(
    path: Path, workspace: Workspace, partner: str | None, rows: int = 20
) -> tuple[str, bool]:
    """(text to print, accepted?) for one file; raises UsageError/ConfigError for the CLI."""
    from ci_measure.intake.receipt import render_text
    from ci_measure.intake.validate import validate_file

    if partner is not None and workspace.partnership.partner(partner) is None:
        raise unknown_partner(partner, [p.code for p in workspace.partnership.partners])
    mappings = partner_mappings(workspace, partner)
    whose = f" for {partner}" if partner else ""
    if not mappings:
        return (
            f"Ingen tilknytninger{whose} i {workspace.root / 'statistics'} / "
            f"no mappings{whose} there (docs/statistics.md)\n",
            False,
        )
    max_bytes = int(workspace.partnership.max_file_mb * 1024 * 1024)
    try:
        refuse_px(path)
        mapped = map_file(path, mappings, max_bytes)
    except FileProblem as failure:
        return f"{failure.problem.message_da}\n{failure.problem.message_en}\n", False
    if mapped is None:
        grid = read_grid(path, max_bytes)
        lines = [f"Ingen tilknytning passer til {path.name} / no mapping fits {path.name}:"]
        lines += [f"  - {m.name} ({m.partner}): {why_not(grid, m)}" for m in mappings]
        return "\n".join(lines) + "\n", False
    m, cells = mapped.mapping, mapped.cells
    lines = [
        f"Tilknytning / mapping: {m.name} (partner {m.partner})",
        f"Layout: {_layout(mapped)}",
        f"{_shown(cells.figures)} tal i filen blev til {_shown(len(cells.frame))} celler / "
        f"{_shown(cells.figures)} figures became {_shown(len(cells.frame))} cells"
        + (f" (de første {rows} / the first {rows}):" if len(cells.frame) > rows else ":"),
    ]
    text = "\n".join(lines) + "\n" + cell_table(cells.frame, rows) + "\n"
    receipt = validate_file(path, workspace, m.partner).receipt
    return text + render_text(receipt), receipt.accepted
