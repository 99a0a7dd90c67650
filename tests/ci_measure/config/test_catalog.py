"""The reference catalog is SPEC §5 exactly; a workspace extends it and mistakes name the line."""

from __future__ import annotations

import pandas as pd
import pytest

from ci_measure.config.catalog import REFERENCE, catalog_frame, formula, load_catalog
from ci_measure.config.model import Rule
from ci_measure.errors import ConfigError
from tests.ci_measure.figures.reference import SPEC_RULES
from tests.helpers import write

# SPEC §5, copied: code, label (da), unit, period type, time.
ELEMENTS = """\
ELEVER_AFGANG_9KL | Afgangselever fra 9. klasse | persons | school_year | sum
ELEVER_UDD_15MD | Heraf i ungdomsuddannelse 15 mdr. efter 9. klasse | persons | school_year | sum
BEF_25 | 25-årige | persons | year | last
BEF_25_UDD | 25-årige med fuldført ungdomsuddannelse | persons | year | last
BEF_15_24 | 15–24-årige | persons | year | last
NEET_15_24 | 15–24-årige uden job og uddannelse | persons | year | last
BEF_16_64 | 16–64-årige | persons | year | last
BESK_16_64 | Beskæftigede 16–64-årige | persons | year | last
SKOLEDAGE | Mulige elevdage | days | school_year | sum
FRAVAERSDAGE | Elevfraværsdage | days | school_year | sum
KARAKTER_SUM_9KL | Sum af karakterer ved 9.-klasseprøverne | grades | school_year | sum
KARAKTER_ANTAL_9KL | Antal givne karakterer ved 9.-klasseprøverne | grades | school_year | sum
TRIVSEL_BESVARET | Elever der har besvaret trivselsmålingen | persons | school_year | sum
TRIVSEL_HOEJ | Heraf med høj trivsel | persons | school_year | sum
INKL_DELTAGERE | Deltagere i inkluderende mødesteder | persons | quarter | sum
INKL_DELTAGERE_HANDICAP | Heraf med handicap | persons | quarter | sum
HJEMLOESE_18_24 | Hjemløse 18–24-årige | persons | year | last
BEF_18_24 | 18–24-årige | persons | year | last
CO2E_TON | Drivhusgasudledning (ton CO2e) | tonnes | year | sum
BEF_I_ALT | Indbyggere i alt | persons | year | last
"""
# code, numerator, denominator, multiplier, unit, better.
INDICATORS = """\
UDD_OVERGANG | ELEVER_UDD_15MD | ELEVER_AFGANG_9KL | 100 | % | up
UDD_FULDFOERT_25 | BEF_25_UDD | BEF_25 | 100 | % | up
NEET_ANDEL | NEET_15_24 | BEF_15_24 | 100 | % | down
BESK_FREKVENS | BESK_16_64 | BEF_16_64 | 100 | % | up
FRAVAER_PCT | FRAVAERSDAGE | SKOLEDAGE | 100 | % | down
KARAKTER_GNS_9KL | KARAKTER_SUM_9KL | KARAKTER_ANTAL_9KL | 1 | grade | up
TRIVSEL_HOEJ_PCT | TRIVSEL_HOEJ | TRIVSEL_BESVARET | 100 | % | up
INKL_DELTAGERE | INKL_DELTAGERE | — | 1 | persons | up
INKL_HANDICAP_PCT | INKL_DELTAGERE_HANDICAP | INKL_DELTAGERE | 100 | % | up
HJEMLOESE_PR_10K | HJEMLOESE_18_24 | BEF_18_24 | 10000 | per 10,000 | down
CO2E_PR_INDB | CO2E_TON | BEF_I_ALT | 1 | t per resident | down
"""


def table(text: str) -> list[list[str]]:
    return [[cell.strip() for cell in line.split("|")] for line in text.splitlines()]


def test_the_reference_data_elements_are_spec_section_5():
    catalog = load_catalog()
    assert list(catalog.data_elements) == [row[0] for row in table(ELEMENTS)]
    for code, label, unit, period_type, time in table(ELEMENTS):
        element = catalog.data_elements[code]
        assert (element.label_da, element.unit, element.period_type, element.time_rule) == (
            label, unit, period_type, time,
        )  # fmt: skip
        assert element.allow_negative == (code == "KARAKTER_SUM_9KL")
        assert (
            element.label_en and element.definition_da and element.definition_en and element.source
        )


def test_the_reference_indicators_and_rules_are_spec_section_5():
    catalog = load_catalog()
    assert list(catalog.indicators) == [row[0] for row in table(INDICATORS)]
    for code, numerator, denominator, multiplier, unit, direction in table(INDICATORS):
        ind = catalog.indicators[code]
        expected = (
            numerator,
            None if denominator == "—" else denominator,
            float(multiplier),
            unit,
            direction,
        )
        assert (ind.numerator, ind.denominator, ind.multiplier, ind.unit, ind.direction) == expected
        assert (
            ind.label_da and ind.label_en and ind.definition_da and ind.definition_en and ind.source
        )
    assert catalog.rules == tuple(Rule(p, w) for p, w in SPEC_RULES)


def test_the_reference_catalog_is_good_danish():
    text = REFERENCE.read_text(encoding="utf-8")
    for word in ("høj", "fuldført", "mødesteder", "Børne- og Undervisningsministeriet", "årige"):
        assert word in text
    assert "FOLK1A" in text and "uddannelsesstatistik.dk" in text and "trivselsmåling" in text


def test_catalog_frame_has_one_row_per_indicator_with_its_formula():
    frame = catalog_frame(load_catalog())
    assert list(frame.columns) == [
        "code", "label_da", "label_en", "numerator", "denominator", "multiplier", "unit",
        "direction", "definition_da", "definition_en", "source", "formula",
    ]  # fmt: skip
    assert len(frame) == 11
    formulas = dict(zip(frame["code"], frame["formula"], strict=True))
    assert formulas["UDD_OVERGANG"] == "100 × ELEVER_UDD_15MD / ELEVER_AFGANG_9KL"
    assert formulas["KARAKTER_GNS_9KL"] == "KARAKTER_SUM_9KL / KARAKTER_ANTAL_9KL"
    assert formulas["INKL_DELTAGERE"] == "INKL_DELTAGERE"
    assert formulas["HJEMLOESE_PR_10K"] == "10000 × HJEMLOESE_18_24 / BEF_18_24"
    assert pd.isna(frame.set_index("code").loc["INKL_DELTAGERE", "denominator"])


def test_loading_twice_gives_independent_catalogs():
    first = load_catalog()
    first.indicators.clear()
    assert len(load_catalog().indicators) == 11


OWN = """\
data_elements:
  - code: FRITID_DELTAGERE
    label_da: Børn i fritidsaktiviteter
    label_en: Children in leisure activities
    unit: persons
    period_type: school_year
    time: sum
  - code: BOERN_6_16
    label_da: 6–16-årige
    label_en: 6–16-year-olds
    unit: persons
    period_type: school_year
    time: last
indicators:
  - code: FRITID_PCT
    label_da: Andel børn i fritidsaktiviteter
    label_en: Share of children in leisure activities
    numerator: FRITID_DELTAGERE
    denominator: BOERN_6_16
    multiplier: 100
    unit: "%"
    direction: up
  - code: TRIVSEL_ANTAL
    label_da: Elever med høj trivsel
    label_en: Pupils with high well-being
    numerator: TRIVSEL_HOEJ
    multiplier: 1
    unit: persons
    direction: up
rules:
  - {part: FRITID_DELTAGERE, whole: BOERN_6_16}
"""


def test_a_workspace_catalog_adds_data_elements_indicators_and_rules(tmp_path):
    write(tmp_path / "catalog.yaml", OWN)
    catalog = load_catalog(tmp_path)
    assert len(catalog.data_elements) == 22 and len(catalog.indicators) == 13
    assert catalog.indicators["FRITID_PCT"].denominator == "BOERN_6_16"
    assert catalog.indicators["TRIVSEL_ANTAL"].denominator is None
    assert catalog.rules[-1] == Rule("FRITID_DELTAGERE", "BOERN_6_16") and len(catalog.rules) == 9
    assert formula(catalog.indicators["FRITID_PCT"]) == "100 × FRITID_DELTAGERE / BOERN_6_16"
    assert "FRITID_PCT" in set(catalog_frame(catalog)["code"])
    assert "FRITID_PCT" not in load_catalog(None).indicators  # the reference is untouched


def test_an_empty_workspace_catalog_adds_nothing(tmp_path):
    write(tmp_path / "catalog.yaml", "# nothing yet\n")
    assert len(load_catalog(tmp_path).indicators) == 11


def replace(old: str, new: str) -> str:
    assert old in OWN
    return OWN.replace(old, new, 1)


BAD = [
    # (the workspace catalog, the line, what the message says)
    (
        replace("numerator: FRITID_DELTAGERE", "numerator: FOO"),
        18,
        "indicator FRITID_PCT: unknown numerator 'FOO'",
    ),
    (
        replace("denominator: BOERN_6_16", "denominator: BOERN"),
        19,
        "indicator FRITID_PCT: unknown denominator 'BOERN'",
    ),
    (
        replace(
            "    unit: persons\n    period_type: school_year\n    time: sum",
            "    unit: persons\n    period_type: semester\n    time: sum",
        ),
        6,
        "'period_type' is 'semester', but must be one of: year, quarter, month, school_year",
    ),
    (
        replace("time: last", "time: average"),
        13,
        "'time' is 'average', but must be one of: sum, last",
    ),
    (
        replace("direction: up", "direction: higher"),
        22,
        "'direction' is 'higher', but must be one of: up, down",
    ),
    (
        replace("multiplier: 100", "multiplier: hundred"),
        20,
        "'multiplier' must be a number, not 'hundred'",
    ),
    (replace("multiplier: 100", "multiplier: 0"), 20, "'multiplier' must be greater than 0"),
    (
        replace("    label_en: Children in leisure activities\n", ""),
        2,
        "data element: 'label_en' is required",
    ),
    (
        replace("    time: last\n", "    time: last\n    colour: red\n"),
        14,
        "data element: unknown key 'colour'",
    ),
    (
        replace("code: BOERN_6_16", "code: FRITID_DELTAGERE"),
        8,
        "data element FRITID_DELTAGERE is listed twice (also on line 2)",
    ),
    (
        replace("code: FRITID_PCT", "code: fritid_pct"),
        15,
        "the code 'fritid_pct' must be upper-case letters, digits and _",
    ),
    (
        replace("code: FRITID_PCT", "code: NEET_ANDEL"),
        15,
        "indicator NEET_ANDEL is already in the reference catalog and cannot be redefined",
    ),
    (
        replace("code: BOERN_6_16", "code: BEF_25"),
        8,
        "data element BEF_25 is already in the reference catalog",
    ),
    (replace("whole: BOERN_6_16}", "whole: BOERN_X}"), 31, "rule: unknown whole 'BOERN_X'"),
    (
        replace("whole: BOERN_6_16}", "whole: BEF_25}"),
        31,
        "rule FRITID_DELTAGERE <= BEF_25: the period types differ",
    ),
    (
        replace("denominator: BOERN_6_16", "denominator: BEF_25"),
        19,
        "different period types (school_year and year)",
    ),
    (
        OWN + "  - {part: ELEVER_UDD_15MD, whole: ELEVER_AFGANG_9KL}\n",
        32,
        "is already in the catalog",
    ),
    (OWN + "extra: 1\n", 32, "the catalog: unknown key 'extra'"),
    (
        replace("    time: sum\n", "    time: sum\n    allow_negative: maybe\n"),
        8,
        "'allow_negative' must be true or false",
    ),
    ("data_elements: {code: X}\n", 1, "data_elements must be a list"),
    ("data_elements:\n  - just text\n", 2, "a data element must be a mapping"),
]


@pytest.mark.parametrize(("text", "line", "message"), BAD, ids=[b[2][:40] for b in BAD])
def test_a_bad_workspace_catalog_is_refused_with_file_and_line(tmp_path, text, line, message):
    path = write(tmp_path / "catalog.yaml", text)
    with pytest.raises(ConfigError) as failure:
        load_catalog(tmp_path)
    assert f"{path}, line {line}: " in str(failure.value)
    assert message in str(failure.value)
    assert failure.value.fields["line"] == line
