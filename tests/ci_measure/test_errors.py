import ast
import re
from pathlib import Path

import pytest

from ci_measure.errors import (
    ERROR_CODES,
    MESSAGES,
    VARIANTS,
    WARNING_CODES,
    CiMeasureError,
    Problem,
    render,
)

SPEC_CODES = """unreadable_file empty_file missing_column unknown_code invalid_period wrong_period_type
not_a_number negative_value not_whole_number duplicate_cell not_responsible partner_mismatch
rule_violation personal_data file_too_large""".split()


def test_every_spec_code_is_known_in_the_spec_order():
    assert list(ERROR_CODES) == SPEC_CODES


# Every field a message may name, with a sample that must show in the rendered text. A
# placeholder not listed here (a misspelling such as {expectd}) fails the tests below.
FIELDS = {
    "column": "værdi",
    "value": "12x",
    "row": "7",
    "expected": "2024",
    "expected_en": "year",
    "suggest": " Mente du 0561-OST?",
    "suggest_en": " Did you mean 0561-OST?",
    "detail": "DETALJE",
    "detail_en": "DETAIL",
    "verb_en": "were",
    "rows_en": "rows 3-5",
    "partner": "SKOLE",
    "limit": "100 MB",
    "element": "BEF_25",
    "area": "0561",
    "period": "2023/24",
    "sex": "M",
    "origin": "DK",
    "part": "BEF_25_UDD",
    "whole": "BEF_25",
    "rows": "9",
}


def _placeholders(template: str) -> set[str]:
    return set(re.findall(r"\{(\w*)[^}]*\}", template))


@pytest.mark.parametrize(
    ("code", "variant"),
    [(c, None) for c in SPEC_CODES + list(WARNING_CODES)] + sorted(VARIANTS),
)
def test_every_code_has_both_templates_and_every_field_shows(code, variant):
    """Rendered with every field its templates name, each sample shows: no field is spelled
    differently in the template than the code that fills it (render would leave it blank)."""
    assert code in MESSAGES
    da_template, en_template = VARIANTS[code, variant] if variant else MESSAGES[code]
    named = _placeholders(da_template) | _placeholders(en_template)
    assert named <= set(FIELDS), f"unknown placeholder(s) {named - set(FIELDS)} in {code}"
    da, en = render(code, variant, **FIELDS)
    assert da and en and da != en
    assert "{" not in da and "{" not in en
    assert da == da_template.format(**FIELDS) and en == en_template.format(**FIELDS)
    for name in _placeholders(da_template):
        assert FIELDS[name] in da, (code, name)
    for name in _placeholders(en_template):
        assert FIELDS[name] in en, (code, name)


def test_the_code_passes_only_fields_the_messages_know():
    """Every keyword given to Problem.make in the product code is a known field, so a
    misspelled one (``expectd=``) fails here instead of rendering an empty gap."""
    root = Path(__file__).resolve().parents[2] / "ci_measure"
    known = set(FIELDS) | {"row", "column", "value", "variant"}
    found = {}
    for path in root.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "make":
                for keyword in node.keywords:
                    if keyword.arg:
                        found.setdefault(keyword.arg, f"{path.name}:{node.lineno}")
    assert found, "the scan found no Problem.make call"
    assert {k: v for k, v in found.items() if k not in known} == {}


def test_a_misspelled_placeholder_would_be_caught():
    assert not {"expectd"} <= set(FIELDS) and _placeholders("per {expectd}.") == {"expectd"}


def test_danish_messages_use_danish_letters_not_transliterations():
    danish = " ".join(da for da, _ in MESSAGES.values())
    assert "maengde" not in danish.lower() and "vaerdi" not in danish.lower()
    assert "ø" in danish and "å" in danish and "æ" in danish


def test_problem_renders_value_and_column():
    p = Problem.make("not_a_number", row=7, column="Værdi", value="12x")
    assert p.row == 7 and p.column == "Værdi" and p.value == "12x"
    assert "»12x« er ikke et tal" in p.message_da
    assert "'12x' is not a number" in p.message_en


def test_personal_data_message_never_contains_the_value():
    p = Problem.make("personal_data", row=3, column="kommentar")
    assert p.value is None
    assert not re.search(r"\d{6}", p.message_da + p.message_en)


def test_program_errors_print_as_code_and_message():
    assert str(CiMeasureError("boom")) == "[error] boom"
