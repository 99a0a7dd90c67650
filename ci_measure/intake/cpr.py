"""Find cells that look like Danish CPR numbers, so such a file is deleted, not stored (SPEC §8).

A CPR number is DDMMYY-XXXX (or without the dash, or with a space) whose first six digits
are a real calendar date. Excel turns an undashed CPR typed into a cell into a number, and
drops the leading zero of days 01-09, so 10- and 9-digit whole numbers are checked too.
The numbers themselves never leave this module: results name rows and headers only.

Exception (SPEC §8): a bare ten-digit number in a column whose header names another
register's identifier (P-nummer/P_NR, CVR, SE, EAN/GLN, telefon, institutionsnummer ...)
is that identifier. Only the submission table's own columns have headers to go by; a
CPR-like number anywhere else in a file is refused (:mod:`ci_measure.intake.personal`).

Speed: a vectorised regex (pyarrow) prefilters each text column; only the few candidate
cells are checked in Python.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ci_measure.intake.read.table import RawTable

# Six digits, optional separator, four digits, not inside a longer run of digits or a decimal.
_CPR = re.compile(r"(?<!\d)(?<!\d[.,])(\d{6})[-– ]?(\d{4})(?!\d)(?![.,]\d)")
# A whole cell of nine digits: a CPR whose leading 0 was lost on the way through Excel.
_NINE = re.compile(r"^\s*(\d{9})\s*$")
_PREFILTER = r"\d{6}[-– ]?\d{4}|^\s*\d{9}\s*$"  # RE2 syntax, no look-arounds
_DAYS = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
_MASK = "XXXXXX-XXXX"
# A header naming another register's identifier, once folded to lower-case ASCII letters
# and digits: P_NR, P-nummer, CVR-nr., SE, EAN/GLN, TLF_NR, telefonnummer, INST_NR ...
_IDENTIFIER = re.compile(
    r"p(?:nr|nummer|no|number)"
    r"|(?:cvr|se|ean|gln|eangln|tlf|telefon|mobil|phone|inst|institution|institutions"
    r"|hovedskoleinst|skolekode)(?:nr|nummer|no|number|kode)?"
)
_TEN = re.compile(r"^\s*\d{10}\s*$")


def is_cpr_date(ddmmyy: str) -> bool:
    """True when DDMMYY is a real date; 29 February only in years divisible by four."""
    day, month, year = int(ddmmyy[:2]), int(ddmmyy[2:4]), int(ddmmyy[4:6])
    if not 1 <= month <= 12 or day < 1 or day > _DAYS[month - 1]:
        return False
    return not (month == 2 and day == 29 and year % 4 != 0)


def text_has_cpr(text: str) -> bool:
    """The text is, or contains as a separate token, a CPR number."""
    if any(is_cpr_date(m.group(1)) for m in _CPR.finditer(text)):
        return True
    nine = _NINE.match(text)
    return bool(nine) and is_cpr_date("0" + nine.group(1)[:5])


def number_is_cpr(value: float | int) -> bool:
    """A numeric cell holding a CPR number typed without its dash (9 or 10 digits)."""
    if isinstance(value, float) and not value.is_integer():
        return False
    number = int(value)
    if not 100_000_000 <= number < 10_000_000_000:
        return False
    return is_cpr_date(f"{number:010d}"[:6])


def mask(text: str) -> str:
    """The text with every CPR-like run replaced, so a header or file name can be shown safely.

    Any six digits, separator and four digits are masked, real date or not: a name is only
    shown, never judged, and masking too much is harmless. Masking is idempotent.
    """
    return _NINE.sub(_MASK, _CPR.sub(_MASK, text))


def names_identifier(header: str) -> bool:
    """The header names another register's identifier (P-nummer, CVR, SE, EAN/GLN, telefon,
    institutionsnummer), so a bare ten-digit number under it is no CPR number (SPEC §8)."""
    folded = unicodedata.normalize("NFKD", header.casefold())
    letters = "".join(c for c in folded if c.isascii() and c.isalnum())
    return bool(letters) and _IDENTIFIER.fullmatch(letters) is not None


def is_bare_ten_digits(value: object) -> bool:
    """A whole number of exactly ten digits, as a number or as text without a dash."""
    if isinstance(value, str):
        return _TEN.match(value) is not None
    if isinstance(value, bool) or not isinstance(value, (int, float, np.number)):
        return False
    number = float(value)
    return number.is_integer() and 1e9 <= number < 1e10


def keys_of(value: object) -> set[str]:
    """The digits of every CPR number in a cell: how the same number is recognised when it
    turns up again elsewhere in the file (the digits never leave this package)."""
    if isinstance(value, str):
        keys = {m.group(1) + m.group(2) for m in _CPR.finditer(value) if is_cpr_date(m.group(1))}
        nine = _NINE.match(value)
        if nine and is_cpr_date("0" + nine.group(1)[:5]):
            keys.add(nine.group(1))
        return keys
    if isinstance(value, bool) or not isinstance(value, (int, float, np.number)):
        return set()
    return {str(int(value))} if number_is_cpr(float(value)) else set()


def _matches(texts: pa.Array) -> np.ndarray:
    hits = pc.match_substring_regex(texts, _PREFILTER).fill_null(False)
    return np.flatnonzero(hits.to_numpy(zero_copy_only=False))


def _numeric_hits(values: np.ndarray) -> list[int]:
    """Positions of whole numbers of 9-10 digits that are CPR numbers (vectorised range test)."""
    try:
        numbers = pa.array(values, type=pa.float64(), from_pandas=True).to_numpy(
            zero_copy_only=False
        )
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        numeric = (int, float, np.number)
        numbers = np.array(
            [
                float(v) if isinstance(v, numeric) and not isinstance(v, bool) else np.nan
                for v in values
            ],
            dtype=float,
        )
    candidates = np.flatnonzero(
        (numbers >= 1e8) & (numbers < 1e10) & (numbers == np.floor(numbers))
    )
    return [int(i) for i in candidates if number_is_cpr(float(numbers[i]))]


def cell_hits(values: np.ndarray, text: pa.Array | None = None) -> set[int]:
    """Positions of the cells of one column that hold a CPR number, as text or as a number.

    ``text``: the same cells as Arrow text, when the reader had them."""
    if text is not None and pa.types.is_dictionary(text.type):  # each distinct text once
        in_dictionary = _matches(text.dictionary)
        if not len(in_dictionary):
            return set()
        matched = np.zeros(len(text.dictionary), dtype=bool)
        matched[in_dictionary] = True
        indices = text.indices.fill_null(0).to_numpy(zero_copy_only=False)
        found = np.flatnonzero(matched[indices] & text.is_valid().to_numpy(zero_copy_only=False))
        return {int(i) for i in found if text_has_cpr(values[i])}
    try:
        if text is not None:
            texts = text
        else:
            texts = pa.array(values, type=pa.string(), from_pandas=True)
        mixed = False  # text and empty cells only: no numeric pass needed
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        texts = pa.array([v if isinstance(v, str) else None for v in values], type=pa.string())
        mixed = True
    hits = {int(i) for i in _matches(texts) if text_has_cpr(values[i])}
    if mixed:
        hits.update(_numeric_hits(values))
    return hits


@dataclass
class TableScan:
    """What the scan of the submission table found.

    ``found``: (row number, header as written, masked) of every cell holding a CPR number.
    ``seen``: (row number, digits) of every CPR-like number in the table, found or allowed
    as an identifier, so the whole-file scan can tell the same cell from a new place.
    ``identifiers``: headers (masked) of the columns whose bare ten-digit numbers were
    taken for another register's identifier.
    """

    found: list[tuple[int, str]] = field(default_factory=list)
    seen: set[tuple[int, str]] = field(default_factory=set)
    identifiers: list[str] = field(default_factory=list)


def scan_table(table: RawTable) -> TableScan:
    """Every cell of the submission table, the header row included (see :class:`TableScan`)."""
    scan = TableScan()
    found: list[tuple[int, int, str]] = []
    shown = [mask(h) for h in table.headers]
    for position, header in enumerate(table.headers):
        if header and text_has_cpr(header):
            found.append((table.header_row, position, shown[position]))
            scan.seen.update((table.header_row, k) for k in keys_of(header))
    for position, column in enumerate(table.frame.columns):
        values = table.frame[column].to_numpy(dtype=object)
        known = table.arrow.get(column) if table.arrow is not None else None
        hits = cell_hits(values, known)
        identifier = names_identifier(table.headers[position])
        for i in sorted(hits):
            row = table.rows[i]
            scan.seen.update((row, k) for k in keys_of(values[i]))
            if identifier and is_bare_ten_digits(values[i]):
                if shown[position] not in scan.identifiers:
                    scan.identifiers.append(shown[position])
                continue
            found.append((row, position, shown[position]))
    found.sort()
    scan.found = [(row, header) for row, _, header in found]
    return scan


def find_cpr(table: RawTable) -> list[tuple[int, str]]:
    """(row number, header as written) of every cell of the table that looks like a CPR number.

    A header cell that itself looks like one is reported at the header row. Headers that
    contain a CPR-like run are returned masked, so the result never holds the number. A bare
    ten-digit number under a header naming another register's identifier is not reported.
    """
    return scan_table(table).found
