"""Files that hide a CPR number somewhere other than the data table, in every format.

Each file is also wrong for another reason (a value that is no number), so that if the
number were missed the file would be rejected, archived and handed back as a marked
workbook: the places the number must never reach. Every file hides its own number.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.workbook.defined_name import DefinedName

from tests.support.workbooks import Note, ods_bytes, xls_bytes

HEAD = ["dataelement", "område", "periode", "værdi"]
BAD = ["INKL_DELTAGERE", "0561-OST-N", "2024-Q1", "tolv"]  # not_a_number: rejected anyway
GOOD = ["INKL_DELTAGERE", "0561-OST-N", "2024-Q2", 9]


def numbers() -> Iterator[str]:
    """Distinct CPR numbers (real dates in 1977, March to December)."""
    for i in range(1, 300):
        yield f"{i % 28 + 1:02d}{i // 28 % 10 + 3:02d}77-{4800 + i}"


def _xlsx(change: Callable) -> Callable[[str], bytes]:  # noqa: ANN001
    def build(cpr: str) -> bytes:
        book = Workbook()
        sheet = book.active
        sheet.title = "data"
        for row in (HEAD, BAD, GOOD):
            sheet.append(row)
        change(book, sheet, cpr)
        out = io.BytesIO()
        book.save(out)
        return out.getvalue()

    return build


def _hidden_sheet(book, cpr: str) -> None:  # noqa: ANN001
    sheet = book.create_sheet("opslag")
    sheet.sheet_state = "hidden"
    sheet["C4"] = int(cpr.replace("-", ""))  # a number, as Excel keeps an undashed CPR


XLSX = {
    "titel": _xlsx(lambda b, s, c: (s.insert_rows(1), s.cell(1, 1, f"Elevliste ved {c}"))),
    "note": _xlsx(lambda b, s, c: s.cell(6, 1, f"Anm.: spørg {c}")),
    "andet-ark": _xlsx(lambda b, s, c: b.create_sheet("noter").cell(3, 2, c)),
    "skjult-ark": _xlsx(lambda b, s, c: _hidden_sheet(b, c)),
    "kommentar": _xlsx(lambda b, s, c: setattr(s["D2"], "comment", Comment(f"spørg {c}", "x"))),
    "sidehoved": _xlsx(lambda b, s, c: setattr(s.oddHeader.center, "text", f"Elev {c}")),
    "sidefod": _xlsx(lambda b, s, c: setattr(s.oddFooter.right, "text", c)),
    "egenskaber": _xlsx(lambda b, s, c: setattr(b.properties, "title", f"Elev {c}")),
    "forfatter": _xlsx(lambda b, s, c: setattr(b.properties, "creator", c.replace("-", ""))),
    "arknavn": _xlsx(lambda b, s, c: b.create_sheet(c)),
    "navn": _xlsx(lambda b, s, c: b.defined_names.add(DefinedName("elev", attr_text=f'"{c}"'))),
    "formel": _xlsx(lambda b, s, c: s.cell(2, 6, f'=IF(A2="{c}",1,0)')),
}

ODS = {
    "titel": lambda c: ods_bytes({"data": [[f"Liste ved {c}"], HEAD, BAD, GOOD]}),
    "andet-ark": lambda c: ods_bytes({"data": [HEAD, BAD, GOOD], "noter": [[None, c]]}),
    "kommentar": lambda c: ods_bytes({"data": [HEAD, [*BAD[:3], Note("tolv", c)], GOOD]}),
    "sidehoved": lambda c: ods_bytes({"data": [HEAD, BAD, GOOD]}, header=f"Elev {c}"),
    "egenskaber": lambda c: ods_bytes({"data": [HEAD, BAD, GOOD]}, title=c),
    "arknavn": lambda c: ods_bytes({"data": [HEAD, BAD, GOOD], c: [["x"]]}),
    "navn": lambda c: ods_bytes(
        {"data": [HEAD, BAD, GOOD]}, names={f"elev_{c.replace('-', '')}": "$data.$A$1"}
    ),
}

XLS = {
    "note": lambda c: xls_bytes({"data": [HEAD, BAD, GOOD, [], [f"Anm.: {c}"]]}),
    "andet-ark": lambda c: xls_bytes({"data": [HEAD, BAD, GOOD], "noter": [[], [None, c]]}),
    "skjult-ark": lambda c: xls_bytes(
        {"data": [HEAD, BAD, GOOD], "skjult": [[int(c.replace("-", ""))]]}, hidden=("skjult",)
    ),
    "sidehoved": lambda c: xls_bytes({"data": [HEAD, BAD, GOOD]}, header=f"Elev {c}"),
    "arknavn": lambda c: xls_bytes({"data": [HEAD, BAD, GOOD], c: [["x"]]}),
}


def _csv(lines: Callable[[str], list[str]]) -> Callable[[str], bytes]:
    def build(cpr: str) -> bytes:
        return "\n".join(lines(cpr)).encode("utf-8")

    return build


_TABLE = [";".join(HEAD), ";".join(BAD), ";".join(map(str, GOOD))]
CSV = {
    "titel": _csv(lambda c: [f"Elevliste udarbejdet af {c}", *_TABLE]),
    "note": _csv(lambda c: [*_TABLE, "", f"Kilde: elev {c}"]),
    "mellem-linjer": _csv(lambda c: [_TABLE[0], _TABLE[1], f"Bemærk: {c.replace('-', '')}", _TABLE[2]]),
}  # fmt: skip

FORMATS = {"xlsx": XLSX, "ods": ODS, "xls": XLS, "csv": CSV}
