"""Text that may end up in a spreadsheet must never be evaluated there (SPEC §8).

Free text (partner names, comments, file names) is kept exactly as sent in the warehouse;
only when it is *exported* do we neutralise a leading ``=``, ``+``, ``-``, ``@``, tab or
carriage return, which Excel, LibreOffice and Google Sheets would otherwise treat as the
start of a formula ("CSV injection"). Shared by every exporter (scorecard CSV/XLSX, templates).
"""

from __future__ import annotations

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
