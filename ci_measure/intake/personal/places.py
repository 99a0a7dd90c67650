"""Where in a file a CPR number was found, in the partner's words (never the number itself).

A cell of the submission table is named by its row and header, like every other problem.
Anything else is named by a place: a cell on another sheet, a comment, the page header,
the document properties, a sheet name. Sheet names are shown masked: a sheet may be named
after a person.
"""

from __future__ import annotations

from dataclasses import dataclass

from ci_measure.errors import Problem
from ci_measure.intake.cpr import mask

_TAIL_DA = "Filen er slettet og ikke gemt. Send kun optællinger, aldrig personnumre."
_TAIL_EN = "The file has been deleted and not stored. Send counts only, never personal ID numbers."


@dataclass(frozen=True, order=True)
class Place:
    """One place holding a CPR-like number; ``order`` sorts places as a reader meets them."""

    order: tuple
    da: str
    en: str
    row: int | None = None

    def problem(self) -> Problem:
        return Problem(
            "personal_data",
            self.row,
            None,
            None,
            f"{self.da} indeholder noget, der ligner et CPR-nummer. {_TAIL_DA}",
            f"{self.en} contains something that looks like a CPR number. {_TAIL_EN}",
        )


def column_letters(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA: the column as a spreadsheet names it."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _sheet(name: str, hidden: bool) -> tuple[str, str]:
    shown = mask(name)
    if hidden:
        return f"det skjulte ark »{shown}«", f"the hidden sheet '{shown}'"
    return f"arket »{shown}«", f"the sheet '{shown}'"


def cell(sheet: str, hidden: bool, sheet_index: int, row: int, column: int) -> Place:
    da, en = _sheet(sheet, hidden)
    ref = f"{column_letters(column)}{row}"
    return Place((1, sheet_index, row, column), f"Cellen {ref} på {da}", f"Cell {ref} on {en}", row)


def formula(sheet: str, hidden: bool, sheet_index: int, row: int, column: int) -> Place:
    da, en = _sheet(sheet, hidden)
    ref = f"{column_letters(column)}{row}"
    return Place(
        (1, sheet_index, row, column),
        f"Formlen i cellen {ref} på {da}",
        f"The formula in cell {ref} on {en}",
        row,
    )


def comment(sheet: str | None, hidden: bool, sheet_index: int, ref: str | None) -> Place:
    if sheet is None:
        return Place((2, -1, ""), "En kommentar i projektmappen", "A comment in the workbook")
    da, en = _sheet(sheet, hidden)
    if ref:
        return Place(
            (2, sheet_index, ref),
            f"Kommentaren i cellen {ref} på {da}",
            f"The comment on cell {ref} on {en}",
        )
    return Place((2, sheet_index, ""), f"En kommentar på {da}", f"A comment on {en}")


def header_footer(sheet: str | None, hidden: bool, sheet_index: int) -> Place:
    if sheet is None:
        return Place(
            (3, 0), "Et sidehoved eller en sidefod", "A page header or footer of the workbook"
        )
    da, en = _sheet(sheet, hidden)
    return Place(
        (3, sheet_index),
        f"Sidehovedet eller sidefoden på {da}",
        f"The page header or footer of {en}",
    )


def outside_cells(sheet: str, hidden: bool, sheet_index: int) -> Place:
    da, en = _sheet(sheet, hidden)
    return Place(
        (4, sheet_index),
        f"{da[0].upper()}{da[1:]} uden for cellerne",
        f"{en[0].upper()}{en[1:]}, outside its cells",
    )


def line(number: int) -> Place:
    return Place(
        (1, 0, number, 0),
        f"Linje {number} (uden for tabellen)",
        f"Line {number} (outside the table)",
        number,
    )


SHEET_NAME = Place((5,), "Et arknavn", "A sheet name")
DEFINED_NAME = Place((6,), "Et navngivet område (et defineret navn)", "A defined name")
PROPERTIES = Place(
    (7,),
    "Dokumentets egenskaber (fx titel, emne, forfatter eller kommentarer)",
    "The document properties (e.g. title, subject, author or comments)",
)
DRAWING = Place((8,), "Et tekstfelt, en figur eller et diagram", "A text box, shape or chart")
STORED_TEXT = Place(
    (9,),
    "En tekst, der er gemt i projektmappen uden at stå i nogen celle",
    "A text stored in the workbook without being in any cell",
)
WORKBOOK = Place(
    (10,),
    "Projektmappen uden for cellerne (fx en kommentar, et sidehoved, et navn eller "
    "dokumentets egenskaber)",
    "The workbook outside its cells (e.g. a comment, a page header, a name or the "
    "document properties)",
)
FILE = Place((11,), "Filen", "The file")
