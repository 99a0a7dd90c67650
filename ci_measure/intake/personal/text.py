"""CPR numbers in the whole text of a CSV file, the lines outside the table included.

The table's cells were judged with their headers (so a P-number column is allowed); here
the text is searched as a whole, and a number is reported unless it is the same number in
the same record of the table (title lines above the header, note lines below it, and
records the table does not keep are all outside).
"""

from __future__ import annotations

import bisect
import codecs
from collections.abc import Iterator

from ci_measure.intake.personal import places
from ci_measure.intake.personal.scan import might_hold, text_keys
from ci_measure.intake.read.csv import decode, utf16_without_bom
from ci_measure.intake.read.table import RawTable


def _utf16(data: bytes) -> bool:
    return data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or bool(
        utf16_without_bom(data[:4096])
    )


def _lines(text: str) -> Iterator[tuple[int, str]]:
    """(line number, digits) of every CPR number in the text; lines end at CR, LF or CRLF,
    as the csv module counts them."""
    line, last = 1, 0
    for offset, key in text_keys(text):
        line += text.count("\n", last, offset)
        lone_cr = text.count("\r", last, offset) - text.count("\r\n", last, offset)
        line += lone_cr
        last = offset
        yield line, key


def text_places(
    data: bytes, table: RawTable | None, seen: set[tuple[int, str]]
) -> set[places.Place]:
    """The lines holding a CPR number that the table scan did not already judge."""
    if not might_hold(decode(data)[0].encode("utf-8") if _utf16(data) else data):
        return set()
    text = decode(data)[0].replace("\x00", "")
    starts = sorted({*table.rows, table.header_row}) if table is not None else []
    found: set[places.Place] = set()
    for line, key in _lines(text):
        record = bisect.bisect_right(starts, line) - 1
        if record >= 0 and (starts[record], key) in seen:
            continue
        found.add(places.line(line))
    return found
