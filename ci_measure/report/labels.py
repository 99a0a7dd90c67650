"""Words and numbers in two languages for the scorecard.

Every visible text on the page exists in Danish and English at once (``bi``); CSS shows one
of them. Danish is the default so that the page reads correctly even with scripts off.
"""

from __future__ import annotations

import math
from html import escape

STATUS = {
    "ok": ("ok", "ok"),
    "undefined": ("udefineret (nævner 0)", "undefined (denominator 0)"),
    "missing_at_source": ("mangler hos kilden", "missing at source"),
    "incomplete": ("ufuldstændig", "incomplete"),
    "missing": ("mangler", "missing"),
    "suppressed": ("diskretioneret", "suppressed"),
}
# One symbol per empty state: shown in tables and as markers in charts, never a zero.
MARK = {
    "undefined": "÷",
    "missing_at_source": "..",
    "incomplete": "◐",
    "missing": "–",
    "suppressed": "◆",
}
SEX = {"M": ("mænd", "men"), "F": ("kvinder", "women"), "_T": ("i alt", "total")}
ORIGIN = {
    "DK": ("dansk oprindelse", "Danish origin"),
    "IMM": ("indvandrere", "immigrants"),
    "DESC": ("efterkommere", "descendants"),
    "_T": ("i alt", "total"),
}
UNIT = {
    "%": ("%", "%"),
    "grade": ("karaktergennemsnit", "grade average"),
    "persons": ("personer", "persons"),
    "per 10,000": ("pr. 10.000", "per 10,000"),
    "t per resident": ("t pr. indbygger", "t per resident"),
}
DIRECTION = {
    "up": ("Højere er bedre", "Higher is better"),
    "down": ("Lavere er bedre", "Lower is better"),
}
# Decimals shown per unit; any other unit gets one decimal unless it is whole.
DECIMALS = {"%": 1, "grade": 1, "persons": 0, "per 10,000": 1, "t per resident": 2}


def bi(da: str, en: str, tag: str = "span") -> str:
    """Both languages as sibling elements; the texts are escaped here."""
    if da == en:
        return escape(da)
    return f'<{tag} lang="da" class="l-da">{escape(da)}</{tag}><{tag} lang="en" class="l-en">{escape(en)}</{tag}>'


def bi_html(da: str, en: str, tag: str = "span") -> str:
    """Like ``bi`` for texts that are already HTML."""
    if da == en:
        return da
    return f'<{tag} lang="da" class="l-da">{da}</{tag}><{tag} lang="en" class="l-en">{en}</{tag}>'


def decimals_for(unit: str, value: float | None = None) -> int:
    if unit in DECIMALS:
        return DECIMALS[unit]
    return 0 if value is not None and float(value).is_integer() else 1


def number(x: float, decimals: int, lang: str = "da", signed: bool = False) -> str:
    """1.234,5 in Danish, 1,234.5 in English; a real minus sign; +/− when ``signed``."""
    text = f"{abs(x):,.{decimals}f}"
    if lang == "da":
        text = text.replace(",", "\0").replace(".", ",").replace("\0", ".")
    rounded_zero = float(f"{abs(x):.{decimals}f}") == 0
    if x < 0 and not rounded_zero:
        text = "−" + text
    elif signed and not rounded_zero:
        text = "+" + text
    elif signed:
        text = "±" + text
    return text


def bi_number(x: float | None, unit: str, signed: bool = False, with_unit: bool = False) -> str:
    """A number in both notations (identical texts collapse into one)."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return ""
    d = decimals_for(unit, x)
    da, en = number(x, d, "da", signed), number(x, d, "en", signed)
    if with_unit:
        da, en = da + unit_suffix(unit, "da"), en + unit_suffix(unit, "en")
    return f'<span class="n">{bi(da, en)}</span>'


def unit_suffix(unit: str, lang: str) -> str:
    """The unit as it follows a number: '%' tight, 'pct.-point' etc. spelled out."""
    if unit == "%":
        return " %" if lang == "da" else "%"
    if unit in ("grade", "persons"):
        return ""
    return " " + UNIT.get(unit, (unit, unit))[0 if lang == "da" else 1]


def change_unit(unit: str) -> tuple[str, str]:
    """A difference of percentages is in percentage points; other units speak for themselves."""
    return ("pct.-point", "pp") if unit == "%" else ("", "")


def status(code: str) -> str:
    da, en = STATUS.get(code, (code, code))
    return bi(da, en)
