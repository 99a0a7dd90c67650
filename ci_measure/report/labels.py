"""Words and numbers in two languages for the scorecard.

Every visible text on the page exists in Danish and English at once, as a (Danish, English)
pair that the templates' ``bi`` macro writes as two sibling elements; CSS shows one of them.
Danish is the default so that the page reads correctly even with scripts off.
"""

from __future__ import annotations

import math
import re

from ci_measure.config.model import ORIGIN_LABELS, SEX_LABELS

STATUS = {
    "ok": ("ok", "ok"),
    "undefined": ("udefineret (nævner 0)", "undefined (denominator 0)"),
    "missing_at_source": ("mangler hos kilden", "missing at source"),
    "incomplete": ("ufuldstændig", "incomplete"),
    "missing": ("mangler", "missing"),
    "suppressed": ("diskretioneret", "suppressed"),
    "pending_approval": ("afventer godkendelse", "awaiting approval"),
}
# One symbol per empty state: shown in tables and as markers in charts, never a zero.
MARK = {
    "undefined": "÷",
    "missing_at_source": "..",
    "incomplete": "◐",
    "missing": "–",
    "suppressed": "■",  # not ◆: that is the target in every chart
    "pending_approval": "○",
}
SEX = SEX_LABELS
ORIGIN = ORIGIN_LABELS
# Units as people read them. A catalog may name any unit (its own data elements); the common
# ones are translated here, and an unknown one at least gets "per" as "pr." on a Danish page.
UNIT = {
    "%": ("%", "%"),
    "grade": ("karaktergennemsnit", "grade average"),
    "grades": ("karakterer", "grades"),
    "persons": ("personer", "persons"),
    "days": ("dage", "days"),
    "nights": ("overnatninger", "nights"),
    "households": ("husstande", "households"),
    "jobs": ("arbejdspladser", "jobs"),
    "places": ("pladser", "places"),
    "reports": ("anmeldelser", "reports"),
    "hectares": ("hektar", "hectares"),
    "tonnes": ("ton", "tonnes"),
    "kg": ("kg", "kg"),
    "per 100": ("pr. 100", "per 100"),
    "per 1,000": ("pr. 1.000", "per 1,000"),
    "per 10,000": ("pr. 10.000", "per 10,000"),
    "t per resident": ("t pr. indbygger", "t per resident"),
    "nights per resident": ("overnatninger pr. indbygger", "nights per resident"),
    "kg N per ha": ("kg N pr. ha", "kg N per ha"),
}
DIRECTION = {
    "up": ("Højere er bedre", "Higher is better"),
    "down": ("Lavere er bedre", "Lower is better"),
}
# Decimals shown per unit; any other unit gets one decimal unless it is whole.
DECIMALS = {"%": 1, "grade": 1, "persons": 0, "per 10,000": 1, "t per resident": 2}


def unit_pair(unit: str) -> tuple[str, str]:
    """(Danish, English) for a unit; an unknown one as written, with "per" as "pr." in Danish."""
    if unit in UNIT:
        return UNIT[unit]
    return re.sub(r"\bper\b", "pr.", unit), unit


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


def number_pair(
    x: float | None, unit: str, signed: bool = False, with_unit: bool = False
) -> tuple[str, str] | None:
    """A number in Danish and English notation, with its unit when asked; None for no number."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return None
    d = decimals_for(unit, x)
    da, en = number(x, d, "da", signed), number(x, d, "en", signed)
    if with_unit:
        da, en = da + unit_suffix(unit, "da"), en + unit_suffix(unit, "en")
    return da, en


def unit_suffix(unit: str, lang: str) -> str:
    """The unit as it follows a number: '%' tight, 'pct.-point' etc. spelled out."""
    if unit == "%":
        return " %" if lang == "da" else "%"
    if unit in ("grade", "persons"):
        return ""
    return " " + unit_pair(unit)[0 if lang == "da" else 1]


def change_unit(unit: str) -> tuple[str, str]:
    """A difference of percentages is in percentage points; other units speak for themselves."""
    return ("pct.-point", "pp") if unit == "%" else ("", "")


def status_pair(code: str) -> tuple[str, str]:
    return STATUS.get(code, (code, code))
