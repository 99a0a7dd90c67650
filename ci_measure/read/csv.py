"""CSV and other delimited text: encoding and delimiter sniffed, row numbers kept (SPEC §3).

The csv module (not pandas) parses, because it tells where each record starts: a quoted
field with a line break inside must not shift the row numbers on the receipt.
"""

from __future__ import annotations

import _csv
import codecs
import csv
import io
from collections import Counter

import numpy as np

from ci_measure.errors import FileProblem, Problem
from ci_measure.read.table import RawTable, shape_table

DELIMITERS = (";", "\t", ",", "|")  # in order of preference on a tie
SNIFF_RECORDS = 50
SNIFF_CHARS = 64 * 1024


def _latin1_fallback(error: UnicodeError) -> tuple[str, int]:
    """cp1252 leaves five bytes undefined (0x81, 0x8D, ...): read those as Latin-1."""
    assert isinstance(error, UnicodeDecodeError)
    bad = error.object[error.start : error.end]
    return bytes(bad).decode("latin-1"), error.end


codecs.register_error("ci_measure_latin1", _latin1_fallback)


def utf16_without_bom(head: bytes) -> str | None:
    """'utf-16-le'/'-be' when every other byte is NUL, as in BOM-less UTF-16 text."""
    sample = head[:4096]
    if len(sample) < 4:
        return None
    odd, even = sample[1::2].count(0), sample[0::2].count(0)
    if odd > 0.4 * len(sample) / 2 and even == 0:
        return "utf-16-le"
    if even > 0.4 * len(sample) / 2 and odd == 0:
        return "utf-16-be"
    return None


def decode(data: bytes) -> tuple[str, str]:
    """(text, encoding name as reported): BOM first, then UTF-8, else Windows-1252."""
    if data.startswith(codecs.BOM_UTF8):
        return data[3:].decode("utf-8", errors="replace"), "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", errors="replace"), "utf-16"
    bomless = utf16_without_bom(data)
    if bomless:
        return data.decode(bomless, errors="replace"), "utf-16"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="ci_measure_latin1"), "cp1252"


def _head_records(text: str) -> list[str]:
    """The first non-empty records of ``text``, split at line breaks outside quotes."""
    records: list[str] = []
    current: list[str] = []
    quoted = False
    for char in text[:SNIFF_CHARS]:
        if char == '"':
            quoted = not quoted
        if char in "\r\n" and not quoted:
            record = "".join(current)
            if record.strip():
                records.append(record)
                if len(records) >= SNIFF_RECORDS:
                    return records
            current = []
        else:
            current.append(char)
    if "".join(current).strip():
        records.append("".join(current))
    return records


def _count_outside_quotes(record: str, delimiter: str) -> int:
    # Text between quotes sits at the odd positions after splitting on '"'.
    return sum(part.count(delimiter) for part in record.split('"')[::2])


def sniff_delimiter(text: str) -> str:
    """The delimiter that splits most records into the same number (>= 1) of pieces."""
    records = _head_records(text)
    best, best_score = ",", 0.0
    for delimiter in DELIMITERS:
        counts = Counter(_count_outside_quotes(r, delimiter) for r in records)
        counts.pop(0, None)
        if not counts:
            continue
        _, agreeing = counts.most_common(1)[0]
        score = agreeing / len(records)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _reader(text: str, delimiter: str) -> _csv.Reader:
    return csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False)


def _records(text: str, delimiter: str) -> tuple[list[list[str]], np.ndarray]:
    """Every record's cells, and the line each record starts on (1-based)."""
    try:
        reader = _reader(text, delimiter)
        records = list(reader)
        if reader.line_num == len(records):  # no record spans lines: record k is on line k
            return records, np.arange(1, len(records) + 1)
    except csv.Error:
        pass  # read again below, tracking lines, to say where
    reader = _reader(text, delimiter)
    records, starts, line = [], [], 1
    try:
        for record in reader:
            records.append(record)
            starts.append(line)
            line = reader.line_num + 1
    except csv.Error as failure:
        detail = (
            f'et anførselstegn (") lukkes ikke, fra linje {line} / '
            f'a quotation mark (") is not closed, from line {line}'
            if "field larger" in str(failure)
            else f"linje {line} / line {line}: {failure}"
        )
        raise FileProblem(Problem.make("unreadable_file", detail=detail)) from None
    return records, np.array(starts, dtype=np.int64)


def _columns(records: list[list[str]]) -> list[np.ndarray]:
    """Records to columns of stripped text, None for empty cells."""
    width = max(map(len, records), default=0)
    if any(len(r) != width for r in records):
        records = [r if len(r) == width else [*r, *([""] * (width - len(r)))] for r in records]
    grid = np.empty((len(records), width), dtype=object)
    grid[:] = records
    columns = []
    for j in range(width):
        column = np.empty(len(records), dtype=object)
        column[:] = [cell.strip() or None for cell in grid[:, j]]
        columns.append(column)
    return columns


def read_csv(data: bytes) -> RawTable | None:
    """Read delimited text; None when it has no non-blank row (the caller says empty_file)."""
    text, encoding = decode(data)
    text = text.replace("\x00", "")
    if not text.strip():
        return None
    delimiter = sniff_delimiter(text)
    records, numbers = _records(text, delimiter)
    return shape_table(
        _columns(records),
        numbers,
        decimal_comma=delimiter == ";",
        encoding=encoding,
        delimiter=delimiter,
    )
