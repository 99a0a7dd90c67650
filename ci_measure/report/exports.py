"""The published figures as CSV and XLSX for partners who work in a spreadsheet.

Danish headers and labels, decimal comma (CSV), suppression already applied (only the
published rows come in; non-ok rows carry no figures), and every text cell safe from
formula injection (SPEC §8): an apostrophe in CSV, a string-typed cell in XLSX.
"""

from __future__ import annotations

import math
import re
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import xlsxwriter

from ci_measure.config.model import Catalog, Partnership
from ci_measure.report import labels
from ci_measure.safe_text import FORMULA_STARTS, escape_formula

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


def _texts(column: pd.Series, mapping: dict) -> list[str]:
    """A code column as display texts, computed once per distinct code."""
    codes = column.astype(object).tolist()
    found = {c: mapping(c) for c in set(codes)}
    return [found[c] for c in codes]


def _figures(rows: pd.DataFrame) -> tuple[list, list, list]:
    """(numerator, denominator, value) that may be printed, as in ``section.shown_figures``:
    ok rows keep all three, undefined rows their counts, every other status none."""
    status = rows["status"].astype(object).to_numpy()
    ok = status == "ok"
    counts = ok | (status == "undefined")

    def pick(column: str, keep: np.ndarray) -> list:
        values = pd.to_numeric(rows[column], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        keep = keep & ~np.isnan(values)
        out = np.where(keep, values, np.nan).astype(object)
        out[~keep] = None
        return out.tolist()

    return pick("numerator", counts), pick("denominator", counts), pick("value", ok)


def columns(rows: pd.DataFrame, catalog: Catalog, partnership: Partnership) -> list[list[object]]:
    """The published rows column by column, in HEADERS order: texts as str, figures as float or
    None. Labels are looked up once per distinct code, not once per row."""
    names = {a.code: a.name for a in partnership.areas}
    ind = catalog.indicators.get
    num, den, value = _figures(rows)
    return [
        rows["indicator"].astype(object).tolist(),
        _texts(rows["indicator"], lambda c: ind(c).label_da if ind(c) else ""),
        rows["area"].astype(object).tolist(),
        _texts(rows["area"], lambda c: names.get(c, "")),
        rows["period"].astype(object).tolist(),
        _texts(rows["sex"], lambda c: labels.SEX.get(c, (c,))[0]),
        _texts(rows["origin"], lambda c: labels.ORIGIN.get(c, (c,))[0]),
        num,
        den,
        value,
        _texts(
            rows["indicator"],
            lambda c: labels.unit_pair(ind(c).unit)[0] if ind(c) else "",
        ),
        _texts(rows["status"], lambda c: labels.STATUS.get(c, (c,))[0]),
    ]


def table(rows: pd.DataFrame, catalog: Catalog, partnership: Partnership) -> list[list[object]]:
    """One list per published row, in HEADERS order: texts as str, figures as float or None."""
    return [list(r) for r in zip(*columns(rows, catalog, partnership), strict=True)]


def _csv_number(x: object) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return ""
    return f"{x:.10g}".replace(".", ",")


def _csv_text(x: object) -> str:
    text = escape_formula(x)
    if any(c in text for c in ';"\n\r'):
        text = '"' + text.replace('"', '""') + '"'
    return text


def _csv_column(header: str, values: list) -> np.ndarray:
    """The cells of one column as CSV text, each distinct value formatted once."""
    if header in NUMBER_COLUMNS:
        numbers = np.array([np.nan if v is None else v for v in values], dtype=float)
        bits = numbers.view(np.int64)  # -0.0 and 0.0 stay apart
        distinct, first, inverse = np.unique(bits, return_index=True, return_inverse=True)
        texts = np.array([_csv_number(values[i]) for i in first.tolist()], dtype=object)
        return texts[inverse.reshape(-1)] if len(values) else np.empty(0, dtype=object)
    found = {v: _csv_text(v) for v in set(values)}  # texts repeat: escape each once
    out = np.empty(len(values), dtype=object)
    out[:] = [found[v] for v in values]
    return out


CSV_CHUNK = 50_000  # rows joined into text at a time


def write_csv(path: Path, rows: pd.DataFrame, catalog: Catalog, partnership: Partnership) -> Path:
    """UTF-8 with BOM and ';' so that Danish Excel opens it in columns with decimal commas.

    The lines are joined column-wise (NumPy object arrays), not cell by cell in Python."""
    cols = [
        _csv_column(h, c) for h, c in zip(HEADERS, columns(rows, catalog, partnership), strict=True)
    ]
    with open(path, "w", encoding="utf-8-sig", newline="") as f:
        f.write(";".join(HEADERS) + "\r\n")
        for start in range(0, len(cols[0]), CSV_CHUNK):
            lines = cols[0][start : start + CSV_CHUNK]
            for column in cols[1:]:
                lines = lines + ";" + column[start : start + CSV_CHUNK]
            f.write("\r\n".join(lines.tolist()) + "\r\n")
    return path


def _xml_text(text: str) -> str:
    """A text as the body of an inline-string cell, escaped as xlsxwriter escapes it."""
    text = _CONTROL_ESCAPED.sub(r"_x005F\1", text)
    text = _CONTROL.sub(lambda m: f"_x{ord(m.group(1)):04X}_", text)
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    space = ' xml:space="preserve"' if text[:1].isspace() or text[-1:].isspace() else ""
    return f"<is><t{space}>{text}</t></is>"


_CONTROL_ESCAPED = re.compile("(_x[0-9a-fA-F]{4}_)")
_CONTROL = re.compile("([\x00-\x08\x0b-\x1f])")


def _sheet_rows(cols: list[list[object]], quoted_style: int, chunk: int = 20_000):
    """The <row> elements of the sheet, header first, as text chunks of ``chunk`` rows.

    Each distinct text is escaped once; a text that looks like a formula gets the quote-prefix
    style; an empty cell (no figure, empty text) is left out. Each column is its distinct
    cells (XML) and a code per row; the rows are joined by Arrow in C, a chunk at a time."""
    letters = [chr(ord("A") + j) for j in range(len(HEADERS))]

    def text_cell(v: object) -> str:
        text = v if isinstance(v, str) else str(v)
        style = f' s="{quoted_style}"' if text.startswith(FORMULA_STARTS) else ""
        return f'{style} t="inlineStr">{_xml_text(text)}</c>' if text else ""

    def number_cell(v: object) -> str:
        return f"><v>{v:.16G}</v></c>"

    spans = f' spans="1:{len(HEADERS)}"'
    head = "".join(f'<c r="{c}1"{text_cell(h)}' for c, h in zip(letters, HEADERS, strict=True))
    yield f'<row r="1"{spans}>{head}</row>'
    coded = [
        _coded(values, number_cell if header in NUMBER_COLUMNS else text_cell)
        for header, values in zip(HEADERS, cols, strict=True)
    ]
    n = len(cols[0]) if cols else 0
    for start in range(0, n, chunk):
        stop = min(start + chunk, n)
        number = pc.cast(pa.array(np.arange(start + 2, stop + 2)), pa.string())
        cells = []
        for letter, (xml, empty, codes) in zip(letters, coded, strict=True):
            part = pa.array(codes[start:stop])
            cell = pc.binary_join_element_wise(f'<c r="{letter}', number, '"', xml.take(part), "")
            cells.append(pc.if_else(pa.array(empty[codes[start:stop]]), "", cell))
        rows = pc.binary_join_element_wise('<row r="', number, f'"{spans}>', *cells, "</row>", "")
        yield "".join(rows.to_pylist())


def _coded(values: list, make) -> tuple[pa.Array, np.ndarray, np.ndarray]:
    """(the XML of each distinct value, whether it is empty, the code of each row); an empty
    value (None) is the last code."""
    codes, distinct = pd.factorize(np.asarray(values, dtype=object))
    texts = [make(v) for v in distinct] + [""]
    codes = np.where(codes < 0, len(distinct), codes).astype(np.int64)
    empty = np.array([t == "" for t in texts], dtype=bool)
    return pa.array(texts, type=pa.string()), empty, codes


def write_xlsx(path: Path, rows: pd.DataFrame, catalog: Catalog, partnership: Partnership) -> Path:
    """Figures as numbers, texts as string cells (never formulas), a frozen, filterable header.

    The workbook's frame (styles, frozen header, filter, column widths) is written by
    xlsxwriter; the rows are streamed straight into the sheet as inline-string and number
    cells, each distinct text escaped once, so a million rows never become cell objects."""
    cols = columns(rows, catalog, partnership)
    n = len(cols[0])
    frame = path.with_name(f".{path.name}.frame")
    book = xlsxwriter.Workbook(str(frame), {"constant_memory": True})
    quoted = book.add_format({"quote_prefix": True})  # Excel keeps it text even when edited
    sheet = book.add_worksheet("Offentliggjorte tal")
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, n, len(HEADERS) - 1)
    widths = [
        min(max(max([len(h)] + [len(str(v)) for v in c[:200] if v is not None]) + 2, 8), 45)
        for h, c in zip(HEADERS, cols, strict=True)
    ]
    # Widths as typed in Excel's dialog (xlsxwriter would add its padding to set_column's).
    col_xml = "".join(
        f'<col min="{j}" max="{j}" width="{w}" customWidth="1"/>'
        for j, w in enumerate(widths, start=1)
    )
    sheet.write_string(0, 0, HEADERS[0], quoted)  # makes the style exist; the rows replace it
    book.close()
    try:
        with (
            zipfile.ZipFile(frame) as src,
            zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as dst,
        ):  # level 1: the sheet is hundreds of MB of repetitive XML at a million rows
            for info in src.infolist():
                data = src.read(info.filename)
                if info.filename != "xl/worksheets/sheet1.xml":
                    dst.writestr(info, data)
                    continue
                xml = data.decode("utf-8")
                before, rest = xml.split("<sheetData>", 1)
                after = rest.split("</sheetData>", 1)[1]
                # The schema's order: ... sheetFormatPr, cols, sheetData.
                before = re.sub(r"<cols>.*?</cols>", "", before) + f"<cols>{col_xml}</cols>"
                before = re.sub(
                    r'<dimension ref="[^"]*"/>',
                    f'<dimension ref="A1:{chr(ord("A") + len(HEADERS) - 1)}{n + 1}"/>',
                    before,
                )
                big = n * 2000 > 2**31  # a sheet over 2 GiB needs the zip64 entry format
                with dst.open(info.filename, "w", force_zip64=big) as out:
                    out.write((before + "<sheetData>").encode("utf-8"))
                    for rows_xml in _sheet_rows(cols, quoted._get_xf_index()):
                        out.write(rows_xml.encode("utf-8"))
                    out.write(("</sheetData>" + after).encode("utf-8"))
    finally:
        frame.unlink(missing_ok=True)
    return path
