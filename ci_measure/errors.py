"""Error codes, the partner-facing message table, and the program's own exceptions.

Two kinds of failure, never mixed (see docs/reference.md):

* a problem in a partner's file is *data*: a :class:`Problem` on the receipt;
* a failure of the program or of its usage raises :class:`CiMeasureError`; the CLI prints
  one line and exits 2.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

# SPEC §8 codes: stable, never renamed.
ERROR_CODES = (
    "unreadable_file",
    "empty_file",
    "missing_column",
    "unknown_code",
    "invalid_period",
    "wrong_period_type",
    "not_a_number",
    "negative_value",
    "not_whole_number",
    "duplicate_cell",
    "not_responsible",
    "partner_mismatch",
    "rule_violation",
    "personal_data",
    "file_too_large",
)
# Warnings never reject a file.
WARNING_CODES = ("unknown_column", "already_received")

# code -> (Danish template, English template). Fields: column, value, row, expected,
# suggestions, detail, partner, limit, element, area, period, part, whole, rows.
MESSAGES: dict[str, tuple[str, str]] = {
    "unreadable_file": (
        "Filen kan ikke læses ({detail}). Gem den som CSV (UTF-8) eller som Excel-projektmappe (.xlsx) og send den igen.",
        "The file cannot be read ({detail}). Save it as CSV (UTF-8) or as an Excel workbook (.xlsx) and send it again.",
    ),
    "empty_file": (
        "Filen indeholder ingen datarækker. Udfyld mindst én række under overskrifterne og send filen igen.",
        "The file contains no data rows. Fill in at least one row below the headers and send the file again.",
    ),
    "missing_column": (
        "Kolonnen »{expected}« mangler. Tilføj en kolonne med overskriften »{expected}« (fx {detail}).",
        "The column '{expected}' is missing. Add a column headed '{expected}' (e.g. {detail}).",
    ),
    "unknown_code": (
        "»{value}« er ikke en kendt kode i kolonnen »{column}«. Mente du {suggestions}?",
        "'{value}' is not a known code in column '{column}'. Did you mean {suggestions}?",
    ),
    "invalid_period": (
        "»{value}« er ikke en gyldig periode. Skriv perioden som tekst, fx {expected}.",
        "'{value}' is not a valid period. Type the period as text, e.g. {expected}.",
    ),
    "wrong_period_type": (
        "Dataelementet {element} indberettes pr. {expected}, men »{value}« er en anden periodetype. Skriv fx {detail}.",
        "The data element {element} is reported per {expected_en}, but '{value}' is another type of period. Write e.g. {detail}.",
    ),
    "not_a_number": (
        "»{value}« er ikke et tal. Skriv et tal, eller lad cellen stå tom (eller skriv ..) hvis tallet mangler eller er diskretioneret.",
        "'{value}' is not a number. Type a number, or leave the cell empty (or type ..) if the figure is missing or suppressed.",
    ),
    "negative_value": (
        "»{value}« er negativt, men {element} er et antal og skal være 0 eller derover. Ret tallet.",
        "'{value}' is negative, but {element} is a count and must be 0 or more. Correct the figure.",
    ),
    "not_whole_number": (
        "»{value}« er ikke et helt tal, men {element} er et antal. Skriv et helt tal uden decimaler.",
        "'{value}' is not a whole number, but {element} is a count. Type a whole number without decimals.",
    ),
    "duplicate_cell": (
        "Den samme celle ({element}, {area}, {period}, køn {sex}, herkomst {origin}) står også i række {rows}. Slet den ene af rækkerne.",
        "The same cell ({element}, {area}, {period}, sex {sex}, origin {origin}) is also in row {rows}. Delete one of the rows.",
    ),
    "not_responsible": (
        "{partner} indberetter ikke {element} for område {area}. Fjern rækken, eller aftal ansvaret med sekretariatet.",
        "{partner} does not report {element} for area {area}. Remove the row, or agree the responsibility with the backbone.",
    ),
    "partner_mismatch": (
        "Rækken er mærket med partneren »{value}«, men filen er indsendt af {partner}. Ret partnerkoden til {partner}.",
        "The row names the partner '{value}', but the file was submitted by {partner}. Change the partner code to {partner}.",
    ),
    "rule_violation": (
        "{part} ({value}) er større end {whole} ({detail}) for {area}, {period}. En delmængde kan ikke være større end helheden: ret et af tallene.",
        "{part} ({value}) is greater than {whole} ({detail}) for {area}, {period}. A part cannot exceed its whole: correct one of the figures.",
    ),
    "personal_data": (
        "Cellen ligner et CPR-nummer. Filen er slettet og ikke gemt. Send kun optællinger, aldrig personnumre.",
        "The cell looks like a CPR number. The file has been deleted and not stored. Send counts only, never personal ID numbers.",
    ),
    "file_too_large": (
        "Filen er for stor ({detail}; grænsen er {limit}). Del den op i flere filer eller kontakt sekretariatet.",
        "The file is too large ({detail}; the limit is {limit}). Split it into several files or contact the backbone.",
    ),
    "unknown_column": (
        "Kolonnen »{column}« kendes ikke og bliver ikke brugt.",
        "The column '{column}' is not known and is not used.",
    ),
    "already_received": (
        "Præcis denne fil er allerede modtaget ({detail}). Den er ikke indlæst igen.",
        "Exactly this file has already been received ({detail}). It was not loaded again.",
    ),
}


class _Blank(dict):
    """Leaves an unknown field empty instead of raising: a message must always render."""

    def __missing__(self, key: str) -> str:
        return ""


def render(code: str, **fields: Any) -> tuple[str, str]:
    """Return the (Danish, English) message for a code, filled with the given fields."""
    da, en = MESSAGES[code]
    values = _Blank({k: "" if v is None else str(v) for k, v in fields.items()})
    return da.format_map(values), en.format_map(values)


MAX_SHOWN = 1000  # characters of an offending value a receipt repeats


@dataclass(frozen=True)
class Problem:
    """One thing wrong (or worth a warning) in a partner's file, as the partner sees it."""

    code: str
    row: int | None
    column: str | None
    value: str | None
    message_da: str
    message_en: str

    @classmethod
    def make(
        cls,
        code: str,
        row: int | None = None,
        column: str | None = None,
        value: Any = None,
        **fields: Any,
    ) -> Problem:
        shown = None if value is None else str(value)
        if shown is not None and len(shown) > MAX_SHOWN:  # a 10 MB cell: never 10 MB per receipt
            shown = shown[:MAX_SHOWN] + "…"
        da, en = render(code, column=column, value=shown, row=row, **fields)
        return cls(code, row, column, shown, da, en)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class FileProblem(Exception):
    """Raised by a reader when a file cannot be read at all; becomes a rejected receipt."""

    def __init__(self, problem: Problem):
        super().__init__(problem.message_en)
        self.problem = problem


class CiMeasureError(Exception):
    """A failure of the program or of its usage (not of a partner's data)."""

    code = "error"

    def __init__(self, message: str, **fields: Any):
        super().__init__(message)
        self.fields = fields

    def __str__(self) -> str:
        return f"[{self.code}] {self.args[0]}"


class ConfigError(CiMeasureError):
    """partnership.yaml or catalog.yaml is invalid; the message names file and line."""

    code = "config_error"


class UsageError(CiMeasureError):
    code = "usage_error"


class WarehouseBusy(CiMeasureError):
    """Another process held the warehouse longer than we were willing to wait."""

    code = "warehouse_busy"
