import re

import pytest

from ci_measure.errors import ERROR_CODES, MESSAGES, WARNING_CODES, CiMeasureError, Problem, render

SPEC_CODES = """unreadable_file empty_file missing_column unknown_code invalid_period wrong_period_type
not_a_number negative_value not_whole_number duplicate_cell not_responsible partner_mismatch
rule_violation personal_data file_too_large""".split()


def test_every_spec_code_is_known_in_the_spec_order():
    assert list(ERROR_CODES) == SPEC_CODES


@pytest.mark.parametrize("code", SPEC_CODES + list(WARNING_CODES))
def test_every_code_has_both_templates_and_they_render(code):
    da, en = render(
        code, column="værdi", value="12x", element="BEF_25", area="0561", expected="2024"
    )
    assert da and en and da != en
    assert "{" not in da and "{" not in en
    assert code in MESSAGES


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
