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
WARNING_CODES = (
    "unknown_column",
    "already_received",
    "note_ignored",
    "small_number",
    "rows_not_reported",
    "statistics_mapping",
    "unmapped_area",
    "incomplete_year",
)

# code -> (Danish template, English template). Fields: column, value, row, expected,
# expected_en, suggest, suggest_en, detail, detail_en, partner, limit, element, area, period,
# part, whole, rows. Partners are addressed as "I/jeres" (plural you), never "du/din".
MESSAGES: dict[str, tuple[str, str]] = {
    "unreadable_file": (
        "Filen kan ikke læses ({detail}). Gem den som CSV (UTF-8) eller som Excel-projektmappe (.xlsx), og send den igen.",
        "The file cannot be read ({detail}). Save it as CSV (UTF-8) or as an Excel workbook (.xlsx) and send it again.",
    ),
    "empty_file": (
        "Filen indeholder ingen datarækker. Udfyld mindst én række under overskrifterne, og send filen igen.",
        "The file contains no data rows. Fill in at least one row below the headers and send the file again.",
    ),
    "missing_column": (
        "Kolonnen »{expected}« mangler. Tilføj en kolonne med overskriften »{expected}« (eller den engelske »{expected_en}«).",
        "The column '{expected_en}' is missing. Add a column headed '{expected_en}' (or the Danish '{expected}').",
    ),
    "unknown_code": (
        "»{value}« er ikke en kendt kode i kolonnen »{column}«.{suggest}",
        "'{value}' is not a known code in the column '{column}'.{suggest_en}",
    ),
    "invalid_period": (
        "»{value}« er ikke en gyldig periode. Skriv perioden som tekst, fx {expected}.",
        "'{value}' is not a valid period. Type the period as text, e.g. {expected}.",
    ),
    "wrong_period_type": (
        "{element} indberettes pr. {expected}, men »{value}« er en anden slags periode. Skriv fx {detail}.",
        "{element} is reported per {expected_en}, but '{value}' is another kind of period. Write e.g. {detail}.",
    ),
    "not_a_number": (
        "»{value}« er ikke et tal. Skriv et tal, eller skriv .. hvis tallet mangler eller er diskretioneret hos kilden.",
        "'{value}' is not a number. Type a number, or type .. if the figure is missing or suppressed at source.",
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
        "I ({partner}) indberetter ikke {element} for området {area}. Fjern rækken, eller aftal med sekretariatet, at I får ansvaret.",
        "You ({partner}) do not report {element} for the area {area}. Remove the row, or agree with the backbone organisation that you take it on.",
    ),
    "partner_mismatch": (
        "Rækken er mærket med partneren »{value}«, men filen kommer fra {partner}. Ret partnerkoden til {partner}.",
        "The row names the partner '{value}', but the file comes from {partner}. Change the partner code to {partner}.",
    ),
    "rule_violation": (
        "{part} ({value}) er større end {whole} ({detail}) for {area}, {period}. En del kan ikke være større end det hele: ret et af tallene.",
        "{part} ({value}) is greater than {whole} ({detail}) for {area}, {period}. A part cannot be greater than the whole: correct one of the figures.",
    ),
    "personal_data": (
        "Cellen ligner et CPR-nummer. Filen er slettet og ikke gemt. Send kun optællinger, aldrig personnumre.",
        "The cell looks like a CPR number. The file has been deleted and not stored. Send counts only, never personal ID numbers.",
    ),
    "file_too_large": (
        "Filen er for stor ({detail}; grænsen er {limit}). Del den op i flere filer, eller kontakt sekretariatet.",
        "The file is too large ({detail}; the limit is {limit}). Split it into several files or contact the backbone organisation.",
    ),
    "unknown_column": (
        "Kolonnen »{column}« kender vi ikke, så den bliver ikke brugt.",
        "The column '{column}' is not known, so it is not used.",
    ),
    "already_received": (
        "Præcis denne fil er allerede modtaget ({detail}). Den er ikke indlæst igen.",
        "Exactly this file has already been received ({detail}). It was not loaded again.",
    ),
    "note_ignored": (
        "Linjen står under tabellen og ligner en note, så den bliver ikke læst som data.",
        "The line is below the table and looks like a note, so it is not read as data.",
    ),
    "small_number": (
        "»{value}« er gemt som manglende hos kilden. Send gerne det præcise tal: vi skjuler selv små tal, før noget offentliggøres, og et ukendt lille tal gør alle totaler over det ukendte.",
        "'{value}' was stored as missing at source. Please send the exact figure: we hide small numbers ourselves before anything is published, and an unknown small number blanks every total above it.",
    ),
    "rows_not_reported": (
        "{detail} uden tal i kolonnen »{column}« er ikke indberettet ({rows}); de tal, vi har i forvejen, gælder stadig. Skriv .. i cellen, hvis tallet mangler hos kilden.",
        "{detail_en} without a figure in the column '{column}' {verb_en} not reported ({rows_en}); the figures we already have still stand. Type .. in the cell if the figure is missing at source.",
    ),
    # Public statistics read through a mapping (SPEC §11, ci_measure/intake/statistics).
    "statistics_mapping": (
        "Filen er læst som offentlig statistik gennem tilknytningen {value}: {detail} tal i filen blev til {expected} celler.",
        "The file was read as public statistics through the mapping {value}: {detail} figures in the file became {expected} cells.",
    ),
    "unmapped_area": (
        "{detail} rækker med områder, som tilknytningen ikke nævner, er udeladt ({value}). Skal de med, så tilføj dem under area: map i {expected}.",
        "{detail} rows with areas the mapping does not name were left out ({value}). To include them, add them under area: map in {expected}.",
    ),
    "incomplete_year": (
        "{element}: {period} er udeladt, fordi året ikke er helt i filen (alle fire kvartaler eller alle tolv måneder skal være med). Hent hele året og send filen igen.",
        "{element}: {period} was left out because the file does not hold the whole year (all four quarters or all twelve months). Download the whole year and send the file again.",
    ),
}

# The same code, said differently for a particular case: (code, variant) -> templates.
VARIANTS: dict[tuple[str, str], tuple[str, str]] = {
    ("not_a_number", "formula"): (
        "»{value}« er en fejl fra en formel i regnearket, ikke et tal. Ret formlen, eller skriv tallet direkte i cellen (skriv .. hvis tallet mangler hos kilden).",
        "'{value}' is an error from a formula in the spreadsheet, not a number. Fix the formula, or type the figure into the cell (type .. if it is missing at source).",
    ),
    ("empty_file", "no_values"): (
        "Ingen af rækkerne har et tal i kolonnen »{column}«, så filen er ikke en indberetning. Skriv tallene (eller .. hvor et tal mangler hos kilden), og send filen igen.",
        "None of the rows has a figure in the column '{column}', so the file is not a submission. Type the figures (or .. where a figure is missing at source) and send the file again.",
    ),
    ("missing_column", "no_header"): (
        "Filens første række er data og ikke overskrifter (fx »{value}«). Tilføj en overskriftsrække med kolonnerne dataelement, område, periode og værdi – brug gerne skabelonen fra sekretariatet.",
        "The file's first row is data, not headers (e.g. '{value}'). Add a header row with the columns data_element, area, period and value – the template from the backbone organisation has them.",
    ),
    ("missing_column", "wide"): (
        "Tabellen har perioderne som kolonner ({detail}). Skriv i stedet ét tal pr. række med kolonnerne dataelement, område, periode og værdi – brug gerne skabelonen fra sekretariatet.",
        "The table has the periods as columns ({detail}). Instead, write one figure per row with the columns data_element, area, period and value – the template from the backbone organisation has them.",
    ),
    ("unknown_column", "blank"): (
        "En kolonne uden overskrift bliver ikke brugt.",
        "A column without a header is not used.",
    ),
    ("invalid_period", "empty"): (
        "Perioden mangler. Skriv fx {expected}.",
        "The period is missing. Write e.g. {expected}.",
    ),
    ("unknown_code", "empty"): (
        "Cellen i kolonnen »{column}« er tom. Skriv en kode{suggest}",
        "The cell in the column '{column}' is empty. Type a code{suggest_en}",
    ),
}


def did_you_mean(options: list[str]) -> tuple[str, str]:
    """(' Mente du A, B eller C?', ' Did you mean A, B or C?'); ('', '') for no options."""
    if not options:
        return "", ""
    return f" Mente du {join_or(options, 'eller')}?", f" Did you mean {join_or(options, 'or')}?"


def join_or(items: list[str], word: str) -> str:
    """'A', 'A eller B', 'A, B eller C' (word: 'eller', 'or', 'og', 'and')."""
    items = [str(i) for i in items]
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {word} {items[-1]}"


def plural(n: int, one: str, many: str) -> str:
    """'1 række', '3 rækker', '1.234 rækker' (Danish digit grouping)."""
    return f"{n:,}".replace(",", ".") + f" {one if n == 1 else many}"


class _Blank(dict):
    """Leaves an unknown field empty instead of raising: a message must always render."""

    def __missing__(self, key: str) -> str:
        return ""


def render(code: str, variant: str | None = None, **fields: Any) -> tuple[str, str]:
    """Return the (Danish, English) message for a code (or one of its variants), filled in."""
    da, en = VARIANTS[code, variant] if variant else MESSAGES[code]
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
        variant: str | None = None,
        **fields: Any,
    ) -> Problem:
        shown = None if value is None else str(value)
        if shown is not None and len(shown) > MAX_SHOWN:  # a 10 MB cell: never 10 MB per receipt
            shown = shown[:MAX_SHOWN] + "…"
        da, en = render(code, variant, column=column, value=shown, row=row, **fields)
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
    """The command was used wrongly; the message is Danish / English, like everything else."""

    code = "usage_error"


def usage_error(da: str, en: str) -> UsageError:
    """A usage error said in both languages: ``"<Danish> / <English>"``."""
    return UsageError(f"{da} / {en}")


def unknown_partner(code: str, known: list[str]) -> UsageError:
    """``ukendt partner »SKOLE«. Mente du SKOLER? / unknown partner 'SKOLE'. Did you mean …``"""
    import difflib

    upper = {k.upper(): k for k in known}
    close = difflib.get_close_matches(str(code).upper(), list(upper), n=3, cutoff=0.5)
    if close:
        da, en = did_you_mean([upper[c] for c in close])
    else:
        da, en = f" Partnerne er: {', '.join(known)}.", f" The partners are: {', '.join(known)}."
    return usage_error(f"ukendt partner »{code}«.{da}", f"unknown partner '{code}'.{en}")


class InternalError(CiMeasureError):
    """A bug in ci-measure itself (not in the partner's file): logged with its traceback."""

    code = "internal_error"


class WarehouseBusy(CiMeasureError):
    """Another process held the warehouse longer than we were willing to wait."""

    code = "warehouse_busy"


class WarehouseUnavailable(CiMeasureError):
    """The shared warehouse (its catalog database or data path) cannot be reached."""

    code = "warehouse_unavailable"
