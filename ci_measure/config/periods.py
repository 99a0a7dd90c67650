"""Period spellings (SPEC §4): parse every accepted form into one canonical form.

Canonical forms: year ``2024``, quarter ``2024-Q1``, month ``2024-03``, school year ``2023/24``.
"""

from __future__ import annotations

import re
from datetime import date
from functools import lru_cache

_YEAR = re.compile(r"^(\d{4})$")
_QUARTER = (
    re.compile(r"^(?P<y>\d{4})\s*[-/ ]?\s*[QK](?P<q>[1-4])$", re.I),
    re.compile(r"^[QK](?P<q>[1-4])\s*[-/ ]?\s*(?P<y>\d{4})$", re.I),
)
_MONTH = (
    re.compile(r"^(?P<y>\d{4})\s*(?:-|M)\s*(?P<m>\d{1,2})$", re.I),
    re.compile(r"^(?P<m>\d{1,2})\s*-\s*(?P<y>\d{4})$"),
)
_SCHOOL_YEAR = re.compile(r"^(?P<a>\d{4})\s*[/-]\s*(?P<b>\d{2}|\d{4})$")

EXAMPLES = {"year": "2024", "quarter": "2024-Q1", "month": "2024-03", "school_year": "2023/24"}
NAMES_DA = {"year": "år", "quarter": "kvartal", "month": "måned", "school_year": "skoleår"}
NAMES_EN = {"year": "year", "quarter": "quarter", "month": "month", "school_year": "school year"}

# Canonical-form patterns, shared with the SQL of compute.py.
CANONICAL_PATTERNS = {
    "year": r"^\d{4}$",
    "quarter": r"^\d{4}-Q[1-4]$",
    "month": r"^\d{4}-(0[1-9]|1[0-2])$",
    "school_year": r"^\d{4}/\d{2}$",
}


def _month(match: re.Match) -> str | None:
    month = int(match["m"])
    return f"{match['y']}-{month:02d}" if 1 <= month <= 12 else None


def _school_year(match: re.Match) -> str | None:
    start, end = int(match["a"]), match["b"]
    if (len(end) == 2 and int(end) == (start + 1) % 100) or (
        len(end) == 4 and int(end) == start + 1
    ):
        return f"{start}/{(start + 1) % 100:02d}"
    return None


def candidates(text: str) -> dict[str, str]:
    """All readings of a period text: {period type: canonical form}."""
    text = str(text).strip()
    found: dict[str, str] = {}
    if _YEAR.match(text):
        found["year"] = text
    for pattern in _QUARTER:
        if m := pattern.match(text):
            found["quarter"] = f"{m['y']}-Q{m['q']}"
    for pattern in _MONTH:
        if (m := pattern.match(text)) and (canonical := _month(m)):
            found["month"] = canonical
    if (m := _SCHOOL_YEAR.match(text)) and (canonical := _school_year(m)):
        found["school_year"] = canonical
    return found


def parse_period(text: str, prefer: str | None = None) -> tuple[str, str] | None:
    """(canonical form, period type), or None when the text is no period at all.

    ``2011-12`` is both a month and a school year: the data element's type (``prefer``)
    decides; without one, the month wins (it is the first form SPEC §4 lists).
    """
    found = candidates(text)
    if not found:
        return None
    if prefer in found:
        return found[prefer], prefer
    kind = next(k for k in ("year", "quarter", "month", "school_year") if k in found)
    return found[kind], kind


@lru_cache(maxsize=65536)  # a national report asks for the same few periods a million times
def period_type(canonical: str) -> str:
    """Type of a canonical period string."""
    for kind, pattern in CANONICAL_PATTERNS.items():
        if re.match(pattern, canonical):
            return kind
    raise ValueError(f"not a canonical period: {canonical!r}")


def year_of(canonical: str) -> str:
    """The calendar year a quarter or month falls in."""
    return canonical[:4]


def sub_periods(year: str, kind: str) -> list[str]:
    """The quarters or months of a year, in order."""
    if kind == "quarter":
        return [f"{year}-Q{q}" for q in range(1, 5)]
    if kind == "month":
        return [f"{year}-{m:02d}" for m in range(1, 13)]
    raise ValueError(kind)


def end_date(canonical: str) -> date:
    """Last day of a period (a school year runs 1 August - 31 July)."""
    kind = period_type(canonical)
    year = int(canonical[:4])
    if kind == "year":
        return date(year, 12, 31)
    if kind == "school_year":
        return date(year + 1, 7, 31)
    if kind == "quarter":
        month = int(canonical[-1]) * 3
    else:
        month = int(canonical[5:7])
    if month == 12:
        return date(year, 12, 31)
    return date(year, month + 1, 1).fromordinal(date(year, month + 1, 1).toordinal() - 1)


def next_period(canonical: str) -> str:
    """The period after this one, of the same type (for 'the next period due')."""
    kind = period_type(canonical)
    year = int(canonical[:4])
    if kind == "year":
        return str(year + 1)
    if kind == "school_year":
        return f"{year + 1}/{(year + 2) % 100:02d}"
    if kind == "quarter":
        q = int(canonical[-1])
        return f"{year + 1}-Q1" if q == 4 else f"{year}-Q{q + 1}"
    m = int(canonical[5:7])
    return f"{year + 1}-01" if m == 12 else f"{year}-{m + 1:02d}"


def year_before(canonical: str) -> str:
    """The same period one year earlier (2023-Q2 -> 2022-Q2): seasons compare like with like."""
    year = int(canonical[:4])
    kind = period_type(canonical)
    if kind == "school_year":
        return f"{year - 1}/{year % 100:02d}"
    return f"{year - 1}{canonical[4:]}"


# The order of periods (SPEC §7.5), defined once for Python (``sort_key``) and SQL
# (``order_sql``): by start year; within it the year, its quarters, its months, then the school
# year that starts in it; a quarter or month by its number (the characters at POSITION).
TYPE_ORDER = ("year", "quarter", "month", "school_year")
POSITION = {"quarter": slice(6, 7), "month": slice(5, 7)}


@lru_cache(maxsize=65536)
def sort_key(canonical: str) -> tuple[int, int, int]:
    """Chronological order across types: by start year, then position within it."""
    kind = period_type(canonical)
    where = POSITION.get(kind)
    return (int(canonical[:4]), TYPE_ORDER.index(kind), int(canonical[where]) if where else 0)


def order_sql(column: str) -> str:
    """``sort_key`` as an SQL ORDER BY list over a column of canonical periods (then the text)."""
    kinds = " ".join(
        f"WHEN regexp_matches({column}, '{CANONICAL_PATTERNS[kind]}') THEN {rank}"
        for rank, kind in enumerate(TYPE_ORDER)
    )
    positions = " ".join(
        f"WHEN regexp_matches({column}, '{CANONICAL_PATTERNS[kind]}') "
        f"THEN CAST(substring({column}, {where.start + 1}, {where.stop - where.start}) AS INTEGER)"
        for kind, where in POSITION.items()
    )
    return (
        f"TRY_CAST(left({column}, 4) AS INTEGER), CASE {kinds} END, "
        f"CASE {positions} ELSE 0 END, {column}"
    )
