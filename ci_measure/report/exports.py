"""The published figures as CSV and XLSX for partners who work in a spreadsheet.

Danish headers and labels, decimal comma (CSV), suppression already applied (only the
published rows come in; non-ok rows carry no figures), and every text cell safe from
formula injection (SPEC §8): an apostrophe in CSV, a string-typed cell in XLSX.
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from ci_measure.model import Catalog, Partnership
from ci_measure.report import labels
from ci_measure.report.section import shown_figures
from ci_measure.safe_text import escape_formula, is_formula_like

HEADERS = [
    "Indikator",
    "Indikatornavn",
    "Område",
    "Områdenavn",
    "Periode",
    "Køn",
    "Herkomst",
    "Tæller",
    "Nævner",
    "Værdi",
    "Enhed",
    "Status",
]
NUMBER_COLUMNS = {"Tæller", "Nævner", "Værdi"}


def table(rows: pd.DataFrame, catalog: Catalog, partnership: Partnership) -> list[list[object]]:
    """One list per published row, in HEADERS order: texts as str, figures as float or None."""
    names = {a.code: a.name for a in partnership.areas}
    out: list[list[object]] = []
    for r in rows.itertuples(index=False):
        ind = catalog.indicators.get(r.indicator)
        num, den, value = shown_figures(r)
        out.append(
            [
                r.indicator,
                ind.label_da if ind else "",
                r.area,
                names.get(r.area, ""),
                r.period,
                labels.SEX.get(r.sex, (r.sex,))[0],
                labels.ORIGIN.get(r.origin, (r.origin,))[0],
                num,
                den,
                value,
                labels.UNIT.get(ind.unit, (ind.unit,))[0] if ind else "",
                labels.STATUS.get(r.status, (r.status,))[0],
            ]
        )
    return out


def _csv_number(x: object) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return ""
    return f"{x:.10g}".replace(".", ",")


def _csv_text(x: object) -> str:
    text = escape_formula(x)
    if any(c in text for c in ';"\n\r'):
        text = '"' + text.replace('"', '""') + '"'
    return text


def write_csv(path: Path, rows: pd.DataFrame, catalog: Catalog, partnership: Partnership) -> Path:
    """UTF-8 with BOM and ';' so that Danish Excel opens it in columns with decimal commas."""
    lines = [";".join(HEADERS)]
    for record in table(rows, catalog, partnership):
        cells = [
            _csv_number(v) if h in NUMBER_COLUMNS else _csv_text(v)
            for h, v in zip(HEADERS, record, strict=True)
        ]
        lines.append(";".join(cells))
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8-sig", newline="")
    return path


def write_xlsx(path: Path, rows: pd.DataFrame, catalog: Catalog, partnership: Partnership) -> Path:
    """Figures as numbers, texts as string cells (never formulas), a frozen, filterable header."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Offentliggjorte tal"
    sheet.append(HEADERS)
    records = table(rows, catalog, partnership)
    for i, record in enumerate(records, start=2):
        for j, (header, v) in enumerate(zip(HEADERS, record, strict=True), start=1):
            cell = sheet.cell(row=i, column=j)
            if header in NUMBER_COLUMNS:
                cell.value = None if v is None else float(v)  # type: ignore[arg-type]
                continue
            text = "" if v is None else str(v)
            cell.value = text
            cell.data_type = "s"  # openpyxl would otherwise store "=..." as a formula
            if is_formula_like(text):
                cell.quotePrefix = True  # Excel keeps it text even when the cell is edited
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(HEADERS))}{len(records) + 1}"
    for j, header in enumerate(HEADERS, start=1):
        width = max(
            [len(header)] + [len(str(r[j - 1])) for r in records[:200] if r[j - 1] is not None]
        )
        sheet.column_dimensions[get_column_letter(j)].width = min(max(width + 2, 8), 45)
    book.save(path)
    return path
