"""A slow, obviously correct reference for SPEC §7.3–7.6, written line by line from the text.

Recursive with memoisation, no cleverness: the tests compare the set-based SQL of
``ci_measure.figures.compute`` / ``ci_measure.figures.disclosure`` against it row by row. Also holds the
SPEC §5 reference catalog and the §7 worked example, as test data.
"""

from __future__ import annotations

import math
import re
from functools import lru_cache

from ci_measure.config.model import (
    ORIGINS,
    SEXES,
    Area,
    Catalog,
    DataElement,
    Indicator,
    Partnership,
)
from ci_measure.config.periods import CANONICAL_PATTERNS, sub_periods, year_of

MISSING, MAS, INCOMPLETE, VALUE = "missing", "missing_at_source", "incomplete", "value"
SUB_ANNUAL = ("quarter", "month")

# ---------------------------------------------------------------- SPEC §5 as test data
_ELEMENTS = """\
ELEVER_AFGANG_9KL persons school_year sum
ELEVER_UDD_15MD persons school_year sum
BEF_25 persons year last
BEF_25_UDD persons year last
BEF_15_24 persons year last
NEET_15_24 persons year last
BEF_16_64 persons year last
BESK_16_64 persons year last
SKOLEDAGE days school_year sum
FRAVAERSDAGE days school_year sum
KARAKTER_SUM_9KL grades school_year sum
KARAKTER_ANTAL_9KL grades school_year sum
TRIVSEL_BESVARET persons school_year sum
TRIVSEL_HOEJ persons school_year sum
INKL_DELTAGERE persons quarter sum
INKL_DELTAGERE_HANDICAP persons quarter sum
HJEMLOESE_18_24 persons year last
BEF_18_24 persons year last
CO2E_TON tonnes year sum
BEF_I_ALT persons year last"""
_INDICATORS = """\
UDD_OVERGANG ELEVER_UDD_15MD ELEVER_AFGANG_9KL 100
UDD_FULDFOERT_25 BEF_25_UDD BEF_25 100
NEET_ANDEL NEET_15_24 BEF_15_24 100
BESK_FREKVENS BESK_16_64 BEF_16_64 100
FRAVAER_PCT FRAVAERSDAGE SKOLEDAGE 100
KARAKTER_GNS_9KL KARAKTER_SUM_9KL KARAKTER_ANTAL_9KL 1
TRIVSEL_HOEJ_PCT TRIVSEL_HOEJ TRIVSEL_BESVARET 100
INKL_DELTAGERE INKL_DELTAGERE - 1
INKL_HANDICAP_PCT INKL_DELTAGERE_HANDICAP INKL_DELTAGERE 100
HJEMLOESE_PR_10K HJEMLOESE_18_24 BEF_18_24 10000
CO2E_PR_INDB CO2E_TON BEF_I_ALT 1"""


def element(code: str, unit: str, period_type: str, time_rule: str) -> DataElement:
    return DataElement(code, code, code, unit, period_type, time_rule)


def indicator(code: str, numerator: str, denominator: str | None, multiplier: float) -> Indicator:
    return Indicator(code, code, code, numerator, denominator, multiplier, "", "up")


# SPEC §5 part ≤ whole rules, in the order of the reference catalog.
SPEC_RULES = (
    ("ELEVER_UDD_15MD", "ELEVER_AFGANG_9KL"),
    ("BEF_25_UDD", "BEF_25"),
    ("NEET_15_24", "BEF_15_24"),
    ("BESK_16_64", "BEF_16_64"),
    ("FRAVAERSDAGE", "SKOLEDAGE"),
    ("TRIVSEL_HOEJ", "TRIVSEL_BESVARET"),
    ("INKL_DELTAGERE_HANDICAP", "INKL_DELTAGERE"),
    ("HJEMLOESE_18_24", "BEF_18_24"),
)


def spec_catalog() -> Catalog:
    """The reference catalog of SPEC §5 (labels left out)."""
    elements = {}
    for line in _ELEMENTS.splitlines():
        code, unit, period_type, rule = line.split()
        elements[code] = element(code, unit, period_type, rule)
    indicators = {}
    for line in _INDICATORS.splitlines():
        code, num, den, mult = line.split()
        indicators[code] = indicator(code, num, None if den == "-" else den, float(mult))
    return Catalog(elements, indicators)


def partnership(areas: list[tuple[str, str | None]], threshold: int = 5) -> Partnership:
    return Partnership("Test", tuple(Area(c, c, p) for c, p in areas), (), threshold)


WORKED_AREAS = [
    ("0561", None),
    ("0561-OST", "0561"),
    ("0561-VEST", "0561"),
    ("0561-OST-N", "0561-OST"),
    ("0561-OST-S", "0561-OST"),
]


def cell(d: str, area: str, period: str, value: float | None, sex: str = "_T", origin: str = "_T"):
    """One reported cell as a dict; value None = a source-suppressed marker (`..`)."""
    return {
        "data_element": d,
        "area": area,
        "period": period,
        "sex": sex,
        "origin": origin,
        "value": value,
        "missing_at_source": value is None,
    }


def worked_example_cells() -> list[dict]:
    """The reported cells of the worked example of SPEC §7."""
    cells = [
        cell("ELEVER_AFGANG_9KL", "0561-OST-N", "2023/24", 40, "M"),
        cell("ELEVER_UDD_15MD", "0561-OST-N", "2023/24", 34, "M"),
        cell("ELEVER_AFGANG_9KL", "0561-OST-N", "2023/24", 38, "F"),
        cell("ELEVER_UDD_15MD", "0561-OST-N", "2023/24", 35, "F"),
        cell("ELEVER_AFGANG_9KL", "0561-OST-S", "2023/24", 25),
        cell("ELEVER_UDD_15MD", "0561-OST-S", "2023/24", None),
    ]
    for q, value in zip((1, 2, 3, 4), (12, 9, 3, 15), strict=True):
        cells.append(cell("INKL_DELTAGERE", "0561-OST-N", f"2024-Q{q}", value))
    for q, value in zip((1, 2, 3), (7, 8, 6), strict=True):
        cells.append(cell("INKL_DELTAGERE", "0561-OST-S", f"2024-Q{q}", value))
    return cells


# ---------------------------------------------------------------- §7.3 derivation
class Reference:
    """v(d, area, period, sex, origin) and the indicator rows, straight from SPEC §7.3–7.5."""

    def __init__(self, cells: list[dict], catalog: Catalog, partnership: Partnership) -> None:
        self.catalog = catalog
        self.partnership = partnership
        self.area_codes = [a.code for a in partnership.areas]
        self.reported: dict[tuple, tuple[str, float | None]] = {}
        for c in cells:
            d = catalog.data_elements.get(c["data_element"])
            if d is None or c["area"] not in self.area_codes:
                continue  # not in the catalog / not in the partnership: ignored
            if c["sex"] not in SEXES or c["origin"] not in ORIGINS:
                continue
            if not re.fullmatch(CANONICAL_PATTERNS[d.period_type], c["period"]):
                continue  # another period type than the element's: ignored
            value = c["value"]
            missing = bool(c["missing_at_source"]) or value is None or _isnan(value)
            key = (c["data_element"], c["area"], c["period"], c["sex"], c["origin"])
            self.reported[key] = (MAS, None) if missing else (VALUE, float(value))
        self.v = lru_cache(maxsize=None)(self._v)

    def periods(self, d: str) -> set[str]:
        """Periods in which d was reported anywhere, plus the years of sub-annual ones."""
        found = {k[2] for k in self.reported if k[0] == d}
        if self.catalog.data_elements[d].period_type in SUB_ANNUAL:
            found |= {year_of(p) for p in found}
        return found

    def _v(
        self, d: str, area: str, period: str, sex: str, origin: str
    ) -> tuple[str, float | None, str | None]:
        """(state, value, rule) — first rule of §7.3 that applies."""
        # 1. a reported value for exactly that key
        key = (d, area, period, sex, origin)
        if key in self.reported:
            state, value = self.reported[key]
            return state, value, "reported"
        element = self.catalog.data_elements[d]
        rules = []
        # 2. sex _T: sum over M and F
        if sex == "_T":
            rules.append(("sex", lambda: [self.v(d, area, period, s, origin) for s in ("M", "F")]))
        # 3. origin _T: sum over DK, IMM, DESC
        if origin == "_T":
            rules.append(
                ("origin", lambda: [self.v(d, area, period, sex, o) for o in ("DK", "IMM", "DESC")])
            )
        # 4. the area has children: sum over all its children
        children = self.partnership.children(area)
        if children:
            rules.append(("area", lambda: [self.v(d, c, period, sex, origin) for c in children]))
        # 5. a year of a quarterly or monthly element: its time rule over the sub-periods
        if re.fullmatch(r"\d{4}", period) and element.period_type in SUB_ANNUAL:
            subs = sub_periods(period, element.period_type)
            if element.time_rule == "last":
                subs = subs[-1:]  # the last sub-period alone: its value or its state
            rules.append(("time", lambda: [self.v(d, area, p, sex, origin) for p in subs]))
        for name, parts_of in rules:
            parts = parts_of()
            # a rule applies when at least one of its parts is not missing
            if any(state != MISSING for state, _, _ in parts):
                return (*combine(parts), name)
        return MISSING, None, None

    def derived(self) -> dict[tuple, tuple[str, float | None, str]]:
        """Every non-missing key of the domain (areas × periods(d) × sexes × origins)."""
        out = {}
        for d in self.catalog.data_elements:
            for period in self.periods(d):
                for area in self.area_codes:
                    for sex in SEXES:
                        for origin in ORIGINS:
                            state, value, rule = self.v(d, area, period, sex, origin)
                            if state != MISSING:
                                out[(d, area, period, sex, origin)] = (state, value, rule)
        return out

    # ------------------------------------------------------------ §7.4–7.5 rows
    def rows(self, indicators: list[str] | None = None) -> list[dict]:
        out = []
        for code in indicators or list(self.catalog.indicators):
            ind = self.catalog.indicators[code]
            sides = [ind.numerator] + ([ind.denominator] if ind.denominator else [])
            periods = set().union(*(self.periods(d) for d in sides))
            for area in self.area_codes:
                for period in periods:
                    for sex in SEXES:
                        for origin in ORIGINS:
                            row = self.row(ind, area, period, sex, origin)
                            if row is not None:
                                out.append(row)
        return out

    def row(self, ind: Indicator, area: str, period: str, sex: str, origin: str) -> dict | None:
        ns, nv, _ = self.v(ind.numerator, area, period, sex, origin)
        if ind.denominator:
            ds, dv, _ = self.v(ind.denominator, area, period, sex, origin)
        else:
            ds, dv = None, None
        if ns == MISSING and ds in (MISSING, None):
            return None  # neither side is there: no row
        numerator = denominator = value = None
        if ns == VALUE and ind.denominator is None:
            status, numerator, value = "ok", nv, ind.multiplier * nv
        elif ns == VALUE and ds == VALUE and dv == 0:
            status, numerator, denominator = "undefined", nv, dv
        elif ns == VALUE and ds == VALUE:
            status, numerator, denominator = "ok", nv, dv
            value = ind.multiplier * nv / dv
        else:
            status = next(s for s in (MAS, INCOMPLETE, MISSING) if s in (ns, ds))
        return {
            "indicator": ind.code,
            "area": area,
            "period": period,
            "sex": sex,
            "origin": origin,
            "numerator": numerator,
            "denominator": denominator,
            "value": value,
            "status": status,
        }


def combine(parts: list[tuple[str, float | None, str | None]]) -> tuple[str, float | None]:
    """A sum exists only when every part has a value; else mas, else incomplete, else missing."""
    states = [state for state, _, _ in parts]
    if all(state == VALUE for state in states):
        return VALUE, sum(value for _, value, _ in parts)
    if MAS in states:
        return MAS, None
    if VALUE in states or INCOMPLETE in states:
        return INCOMPLETE, None
    return MISSING, None


def _isnan(value) -> bool:
    return isinstance(value, float) and math.isnan(value)


# ---------------------------------------------------------------- §7.6 disclosure
def time_dimension(catalog: Catalog, ind: Indicator) -> bool:
    """Quarters/months under their year: when a side is sub-annual with the `sum` rule."""
    sides = [ind.numerator] + ([ind.denominator] if ind.denominator else [])
    return any(
        catalog.data_elements[d].period_type in SUB_ANNUAL
        and catalog.data_elements[d].time_rule == "sum"
        for d in sides
    )


def primary(row: dict, threshold: int) -> bool:
    """Numerator, denominator or their difference between 1 and threshold-1."""
    if row["status"] not in ("ok", "undefined"):
        return False

    def small(x):
        return x is not None and 1 <= x <= threshold - 1

    num, den = row["numerator"], row["denominator"]
    return small(num) or small(den) or (den is not None and small(den - num))


def publish(rows: list[dict], catalog: Catalog, partnership: Partnership) -> list[dict]:
    """§7.6, group by group in plain loops; each pass decides from the state at its start."""
    threshold = partnership.suppression_threshold
    out = [dict(r) for r in rows]
    person = {c for c, i in catalog.indicators.items() if catalog.is_person_based(i)}
    by_key = {
        (r["indicator"], r["area"], r["period"], r["sex"], r["origin"]): r
        for r in out
        if r["indicator"] in person
    }
    suppressed = {k for k, r in by_key.items() if primary(r, threshold)}

    def shown(k):
        return k in by_key and by_key[k]["status"] in ("ok", "undefined") and k not in suppressed

    # groups: (total key, [(category code, category key)])
    groups = []
    for k in by_key:
        ind, area, period, sex, origin = k
        if sex == "_T":
            groups.append((k, [(s, (ind, area, period, s, origin)) for s in ("M", "F")]))
        if origin == "_T":
            groups.append((k, [(o, (ind, area, period, sex, o)) for o in ("DK", "IMM", "DESC")]))
        children = partnership.children(area)
        if children:
            groups.append((k, [(c, (ind, c, period, sex, origin)) for c in children]))
        if re.fullmatch(r"\d{4}", period) and time_dimension(catalog, catalog.indicators[ind]):
            subs = [p for kind in SUB_ANNUAL for p in sub_periods(period, kind)]
            groups.append((k, [(p, (ind, area, p, sex, origin)) for p in subs]))
    groups = [(t, [(c, k) for c, k in cats if k in by_key]) for t, cats in groups]

    while True:
        new = set()
        for total, cats in groups:
            if not shown(total):
                continue
            if sum(1 for _, k in cats if k in suppressed) != 1:
                continue
            others = [(size(by_key[k]), code, k) for code, k in cats if shown(k)]
            new.add(min(others)[2] if others else total)
        if new <= suppressed:
            break
        suppressed |= new

    for k in suppressed:
        r = by_key[k]
        r.update(numerator=None, denominator=None, value=None, status="suppressed")
    return out


def size(row: dict) -> float:
    """By denominator, else numerator."""
    return row["denominator"] if row["denominator"] is not None else row["numerator"]


# ---------------------------------------------------------------- running the real code
def load_cells(con, cells: list[dict], name: str = "cells") -> str:
    """The cells as a table of the shape compute_indicators expects; returns its name."""
    import pandas as pd

    frame = pd.DataFrame(
        cells,
        columns=["data_element", "area", "period", "sex", "origin", "value", "missing_at_source"],
    )
    frame["value"] = frame["value"].astype("float64")
    frame["missing_at_source"] = frame["missing_at_source"].astype(bool)
    con.register(f"{name}_frame", frame)
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT data_element::VARCHAR AS data_element,"
        " area::VARCHAR AS area, period::VARCHAR AS period, sex::VARCHAR AS sex,"
        " origin::VARCHAR AS origin, value::DOUBLE AS value,"
        f" missing_at_source::BOOLEAN AS missing_at_source FROM {name}_frame"
    )
    con.unregister(f"{name}_frame")
    return name
