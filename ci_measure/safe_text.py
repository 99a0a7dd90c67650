"""Text that may end up in a spreadsheet must never be evaluated there (SPEC §8).

Free text (partner names, comments, file names) is kept exactly as sent in the warehouse;
only when it is *exported* do we neutralise a leading ``=``, ``+``, ``-``, ``@``, tab or
carriage return, which Excel, LibreOffice and Google Sheets would otherwise treat as the
start of a formula ("CSV injection"). Shared by every exporter (scorecard CSV/XLSX, templates).
"""

from __future__ import annotations

import re
from pathlib import PurePath

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def is_formula_like(text: object) -> bool:
    """True when a spreadsheet could read this text cell as a formula."""
    return isinstance(text, str) and text.startswith(FORMULA_STARTS)


def escape_formula(text: object) -> str:
    """The text as a spreadsheet should show it: a leading apostrophe when it looks like a formula.

    The apostrophe is the spreadsheet's own "this is text" mark: Excel and LibreOffice hide it
    and show the rest literally. Non-strings are turned into text first; ``None`` becomes "".
    For XLSX, prefer writing the original text as a string-typed cell (see
    ``ci_measure.report.exports``); this function is for CSV and other plain-text formats.
    """
    if text is None:
        return ""
    text = str(text)
    return "'" + text if is_formula_like(text) else text


MAX_STEM_BYTES = 180  # file systems allow 255 bytes a name; room for ".<sha8>.marked.xlsx" and more


def short_stem(file_name: str, max_bytes: int = MAX_STEM_BYTES) -> str:
    """A partner's file name without its extension, cut to ``max_bytes`` of UTF-8 so that the
    names we derive from it (receipts, marked workbooks) can always be created."""
    stem = PurePath(file_name).stem
    data = stem.encode("utf-8")
    return stem if len(data) <= max_bytes else data[:max_bytes].decode("utf-8", "ignore")


def archive_suffix(file_name: str) -> str:
    """The extension kept on an archived copy: a short, plain one (``.csv``, ``.xlsx``) or none."""
    suffix = PurePath(file_name).suffix.lower()
    return suffix if re.fullmatch(r"\.[a-z0-9]{1,8}", suffix) else ""
