"""The partner's template (SPEC §9 `template`): exactly the rows it owes, ready to fill in.

A partner who fills the value column of this workbook in Excel or LibreOffice and saves it
sends a file that `check` accepts unchanged: codes are prefilled, every code and period
cell is formatted as text (so Excel never turns ``2024-03`` into a date or ``0561`` into
561), dropdowns offer only valid codes, and the value cells refuse what the schema refuses.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path

from ci_measure.config import periods
from ci_measure.config.model import ORIGIN_LABELS, SEX_LABELS, Partner, Workspace
from ci_measure.errors import unknown_partner, usage_error
from ci_measure.figures import quality
from ci_measure.intake.columns import HEADER_DA
from ci_measure.safe_text import escape_formula, is_formula_like

COLUMNS = ("data_element", "area", "period", "sex", "origin", "value", "comment")
HEADERS = tuple(HEADER_DA[c] for c in COLUMNS)
SHEET = "data"
SPARE_ROWS = 200  # empty, unlocked, validated rows below the prefilled ones (corrections)


@dataclass(frozen=True)
class TemplateRow:
    data_element: str
    area: str
    period: str
    sex: str
    origin: str


def delivered_periods(workspace: Workspace, partner: str) -> dict[str, str]:
    """The latest period per data element in this partner's accepted submissions.

    A workspace without a warehouse yet has delivered nothing; the file is never created here.
    """
    from ci_measure import warehouse

    if not warehouse.exists(workspace.warehouse):
        return {}

    with warehouse.reader(workspace.warehouse) as con:
        found = con.execute(
            "SELECT DISTINCT o.data_element, o.period FROM wh.observations o"
            " JOIN wh.submissions s ON s.id = o.submission_id"
            " WHERE s.status = 'accepted' AND upper(s.partner) = upper(?)",
            [partner],
        ).fetchall()
    latest: dict[str, str] = {}
    for element, period in found:
        if element not in latest or periods.sort_key(period) > periods.sort_key(latest[element]):
            latest[element] = period
    return latest


def next_periods(
    workspace: Workspace, partner: Partner, today: dt.date, delivered: dict[str, str]
) -> dict[str, str]:
    """data element -> the next period due: after the last one delivered, else the due one."""
    due: dict[str, str] = {}
    for assignment in partner.reports:
        for element in assignment.data_elements:
            if element in delivered:
                due[element] = periods.next_period(delivered[element])
            else:
                kind = workspace.catalog.data_elements[element].period_type
                due[element] = quality.due_period(kind, today)
    return due


def template_rows(
    workspace: Workspace,
    partner: str,
    today: dt.date | None = None,
    delivered: dict[str, str] | None = None,
) -> list[TemplateRow]:
    """Every cell the partner is responsible for, in the next period due, once each."""
    known = workspace.partnership.partner(partner)
    if known is None:
        raise unknown_partner(partner, [p.code for p in workspace.partnership.partners])
    if delivered is None:
        delivered = delivered_periods(workspace, known.code)
    due = next_periods(workspace, known, today or dt.date.today(), delivered)
    rows: list[TemplateRow] = []
    seen: set[TemplateRow] = set()
    for assignment in known.reports:
        for element in assignment.data_elements:
            for area in assignment.areas:
                for sex in assignment.sex:
                    for origin in assignment.origin:
                        row = TemplateRow(element, area, due[element], sex, origin)
                        if row not in seen:
                            seen.add(row)
                            rows.append(row)
    return rows


def csv_period(period: str) -> str:
    """A month as ``2024M03`` in CSV: Excel opening the CSV would turn ``2024-03`` into a date."""
    if periods.period_type(period) == "month":
        return f"{period[:4]}M{period[5:7]}"
    return period


def render_csv(rows: list[TemplateRow]) -> bytes:
    """Danish CSV: ``;``-separated, UTF-8 with BOM so Excel shows æøå right."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(HEADERS)
    for r in rows:
        cells = [r.data_element, r.area, csv_period(r.period), r.sex, r.origin, "", ""]
        writer.writerow([escape_formula(c) for c in cells])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def write_template(
    workspace: Workspace, partner: str, target: Path, today: dt.date | None = None
) -> int:
    """Write the template as .xlsx or .csv (by the target's suffix); returns the row count."""
    target = Path(target)
    suffix = target.suffix.lower()
    if suffix not in (".xlsx", ".csv"):
        raise usage_error(
            f"skabelonen skrives som .xlsx eller .csv, ikke »{target.name}«",
            f"write the template as .xlsx or .csv, not {target.name!r}",
        )
    rows = template_rows(workspace, partner, today)
    known = workspace.partnership.partner(partner)
    assert known is not None  # template_rows refused an unknown partner
    if suffix == ".csv":
        data = render_csv(rows)
    else:
        data = render_xlsx(workspace, known, rows)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    return len(rows)


# --- the Excel workbook ----------------------------------------------------------------------

UNITS_DA = {"persons": "personer", "days": "dage", "grades": "karakterer", "tonnes": "ton"}
# The model's labels; a template is often filled in by a school, so sex also names children.
SEX_DA = {code: da for code, (da, _) in SEX_LABELS.items()} | {
    "M": "mænd / drenge",
    "F": "kvinder / piger",
}
ORIGIN_DA = {code: da for code, (da, _) in ORIGIN_LABELS.items()}
MARKERS = ("..", "-", "x", "NA")  # and `<5` (any `<n`): missing at source (SPEC §4)
EMPTY_HINT = (
    "Mangler tallet eller er det diskretioneret hos kilden, så skriv .. (eller <5). "
    "En tom celle betyder, at I ikke indberetter tallet nu."
)
BIG = 10**12
GUIDE = """Sådan gør I
1. Skriv et tal i kolonnen »værdi« på arket »data« – ét tal pr. række. Ret ikke de andre kolonner.
2. Send antal, aldrig procenter eller andele: dem beregner sekretariatet, ens for alle.
3. {empty} Skriv aldrig 0 for et tal, der mangler.
   En række, I lader stå tom, er ikke indberettet: de tal, vi har i forvejen, gælder stadig.
4. Send også små tal: sekretariatet diskretionerer selv, før noget offentliggøres.
5. Perioder skrives som tekst: 2024, 2024-Q1, 2024-03 eller 2023/24. Rettelser til
   tidligere perioder kan skrives i de tomme rækker under de udfyldte.
6. »kommentar« er fri tekst til sekretariatet og kan stå tom.
7. Gem som Excel-projektmappe (.xlsx), og læg filen i mappen inbox/{code}/.
   Kvitteringen kommer i outbox/{code}/ efter få sekunder.
English: type one number per row in the »værdi« (value) column; type .. if it is missing or
suppressed at source; a row left empty is not reported (earlier figures stand)."""


def _rule(workspace: Workspace, elements: list[str]) -> tuple[str, str | None, str, str]:
    """(number kind, lower bound or None, words for the rule, English words) for the values.

    For several elements the most permissive rule wins (the spare rows may hold any of them).
    """
    defs = [workspace.catalog.data_elements[e] for e in elements]
    if any(not d.is_count for d in defs):
        return "decimal", None, "Skriv et tal (decimaler er tilladt).", "a number"
    if any(d.allow_negative for d in defs):
        return "whole", None, "Skriv et helt tal (det må være negativt).", "a whole number"
    return "whole", "0", "Skriv et helt tal, 0 eller derover.", "a whole number ≥ 0"


def value_formula(kind: str, low: str | None, first: str) -> str:
    """Excel's custom rule for a value cell (``first``: the top-left cell of the range):
    a number of the right kind, or one of the markers of SPEC §4 (`..`, `-`, `x`, `NA`, `<5`)."""
    number = [f"ISNUMBER({first})"]
    if low is not None:
        number.append(f"{first}>={low}")
    if kind == "whole":
        number.append(f"{first}=INT({first})")
    number.append(f"ABS({first})<={BIG}")
    markers = [f'{first}="{m}"' for m in MARKERS] + [f'LEFT({first},1)="<"']
    return f"OR(AND({','.join(number)}),{','.join(markers)})"


def _value_validation(workspace: Workspace, elements: list[str], label: str, first: str):  # noqa: ANN202
    from openpyxl.worksheet.datavalidation import DataValidation

    kind, low, words, _ = _rule(workspace, elements)
    return DataValidation(
        type="custom",
        formula1=value_formula(kind, low, first),
        allow_blank=True,
        showErrorMessage=True,
        showInputMessage=True,
        errorStyle="stop",
        errorTitle="Ikke et gyldigt tal",
        error=f"{words} {EMPTY_HINT}",
        promptTitle=label[:32],
        prompt=f"{words} {EMPTY_HINT}"[:255],
    )


def _never_formulas(sheet) -> None:  # noqa: ANN001
    """Text from configuration (names, definitions, codes) is shown as text, never evaluated."""
    for row in sheet.iter_rows():
        for cell in row:
            if is_formula_like(cell.value):
                cell.data_type, cell.quotePrefix = "s", True


def _runs(numbers: list[int]) -> list[tuple[int, int]]:
    """Consecutive row numbers as (first, last) ranges: one range per block, not per cell."""
    runs: list[tuple[int, int]] = []
    for n in numbers:
        if runs and runs[-1][1] == n - 1:
            runs[-1] = (runs[-1][0], n)
        else:
            runs.append((n, n))
    return runs


def _list_validation(source: str, title: str):  # noqa: ANN202
    from openpyxl.worksheet.datavalidation import DataValidation

    return DataValidation(
        type="list",
        formula1=source,
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="Ukendt kode",
        error=f"Vælg en {title} fra listen.",
    )


def _guide_lines(
    workspace: Workspace, partner: Partner, rows: list[TemplateRow]
) -> list[list[str]]:
    """The `vejledning` sheet: what to do, what each data element means, the codes."""
    catalog, partnership = workspace.catalog, workspace.partnership
    due = {r.data_element: r.period for r in rows}
    lines: list[list[str]] = [
        [f"Vejledning: indberetning til {partnership.name}"],
        [f"Partner: {partner.code} – {partner.name}"],
        [],
        *([line] for line in GUIDE.format(code=partner.code, empty=EMPTY_HINT).splitlines()),
        [],
        [
            "Dataelementer",
            "Betegnelse",
            "Definition",
            "Enhed",
            "Periodetype",
            "Næste periode",
            "Værdi",
        ],
    ]
    for element in dict.fromkeys(r.data_element for r in rows):
        d = catalog.data_elements[element]
        lines.append(
            [
                d.code,
                d.label_da,
                d.definition_da or d.label_da,
                UNITS_DA.get(d.unit, d.unit),
                periods.NAMES_DA[d.period_type],
                due[element],
                _rule(workspace, [element])[2],
            ]
        )
    lines += [[], ["Område", "Navn"]]
    for area in dict.fromkeys(r.area for r in rows):
        lines.append([area, partnership.area(area).name])
    lines += [[], ["Køn", "Betydning"], *([c, t] for c, t in SEX_DA.items())]
    lines += [[], ["Herkomst", "Betydning"], *([c, t] for c, t in ORIGIN_DA.items())]
    return lines


def render_xlsx(workspace: Workspace, partner: Partner, rows: list[TemplateRow]) -> bytes:
    """The workbook: `data` (prefilled, validated, header frozen and protected), `vejledning`."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill, Protection
    from openpyxl.utils import get_column_letter

    book = Workbook()
    sheet = book.active
    sheet.title = SHEET
    bold, head_fill = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
    sheet.append(list(HEADERS))
    for cell in sheet[1]:
        cell.font, cell.fill, cell.protection = bold, head_fill, Protection(locked=True)
    last = len(rows) + 1 + SPARE_ROWS
    for j, width in enumerate((24, 14, 11, 7, 10, 12, 40), start=1):
        column = sheet.column_dimensions[get_column_letter(j)]
        column.width = width
        column.protection = Protection(locked=False)  # typed rows below stay editable
        if j <= 5:
            column.number_format = "@"  # codes and periods stay text when typed
    for i in range(2, last + 1):  # prefilled rows, then spare rows for corrections
        r = rows[i - 2] if i - 2 < len(rows) else None
        values = (r.data_element, r.area, r.period, r.sex, r.origin) if r else (None,) * 5
        for j, value in enumerate((*values, None, None), start=1):
            cell = sheet.cell(i, j, value)
            cell.protection = Protection(locked=False)
            if j <= 5:
                cell.number_format = "@"
    sheet.freeze_panes = "A2"
    sheet.protection.sheet = True
    for flag in ("formatColumns", "formatRows", "insertRows", "deleteRows", "sort", "autoFilter"):
        setattr(sheet.protection, flag, False)  # False = allowed while protected

    lists = book.create_sheet("lister")
    elements = list(dict.fromkeys(r.data_element for r in rows))
    codes = (  # (data column, list column, title, codes)
        ("A", "A", "dataelement", elements),
        ("B", "B", "område", list(dict.fromkeys(r.area for r in rows))),
        ("D", "C", "køn", list(SEX_DA)),
        ("E", "D", "herkomst", list(ORIGIN_DA)),
    )
    for k, (column, letter, title, values) in enumerate(codes, start=1):
        lists[f"{letter}1"] = title
        for i, value in enumerate(values, start=2):
            lists.cell(i, k, value).number_format = "@"
        dv = _list_validation(f"lister!${letter}$2:${letter}${max(len(values), 1) + 1}", title)
        dv.add(f"{column}2:{column}{last}")
        sheet.add_data_validation(dv)
    lists.sheet_state = "hidden"
    lists.protection.sheet = True

    from openpyxl.worksheet.datavalidation import DataValidation

    period_help = DataValidation(
        showInputMessage=True,
        promptTitle="Periode",
        prompt="Skriv perioden som tekst, fx 2024 eller 2023/24.",
    )
    period_help.add(f"C2:C{last}")
    sheet.add_data_validation(period_help)
    for element in elements:
        runs = _runs([i for i, r in enumerate(rows, start=2) if r.data_element == element])
        label = workspace.catalog.data_elements[element].label_da
        dv = _value_validation(workspace, [element], label, f"F{runs[0][0]}")
        for start, end in runs:  # the formula's F<n> is relative to the first range's top
            dv.add(f"F{start}:F{end}")
        sheet.add_data_validation(dv)
    if last > len(rows) + 1 and elements:
        spare = _value_validation(workspace, elements, "værdi", f"F{len(rows) + 2}")
        spare.add(f"F{len(rows) + 2}:F{last}")
        sheet.add_data_validation(spare)

    guide = book.create_sheet("vejledning", 1)
    for line in _guide_lines(workspace, partner, rows):
        guide.append(line)
    for row in guide.iter_rows():
        for cell in row:
            cell.alignment = Alignment(wrap_text=cell.column > 1, vertical="top")
            if len(row) > 1 and row[0].value in ("Dataelementer", "Område", "Køn", "Herkomst"):
                cell.font = bold
    guide["A1"].font = Font(bold=True, size=14)
    guide["A4"].font = bold
    for j, width in enumerate((24, 30, 50, 11, 12, 13, 30), start=1):
        guide.column_dimensions[get_column_letter(j)].width = width
    guide.protection.sheet = True
    for each in (sheet, guide, lists):
        _never_formulas(each)
    book.active = 0
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
