"""Issue 15: the intake reads what the partner meant (SPEC §4, §8), one case per test."""

from __future__ import annotations

import openpyxl
import pytest

from ci_measure.config.workspace import load_workspace
from ci_measure.intake import template
from ci_measure.intake.validate import validate_file
from tests.helpers import write
from tests.support.realdata import real

HEADER = "dataelement;område;periode;køn;værdi\n"


def check(workspace, tmp_path, body: str, partner="SKOLE", header=HEADER, name="fil.csv"):
    return validate_file(write(tmp_path / name, header + body), workspace, partner)


def xlsx(tmp_path, rows: list[list[object]], name="fil.xlsx"):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "data"
    for row in rows:
        sheet.append(row)
    path = tmp_path / name
    book.save(path)
    return path


def codes(receipt) -> list[str]:
    return [p.code for p in receipt.errors]


# ------------------------------------------------------------------ empty = not reported
def test_an_untouched_template_is_an_empty_file_not_a_delivery(workspace, tmp_path):
    path = tmp_path / "t.xlsx"
    template.write_template(workspace, "SKOLE", path)
    receipt = validate_file(path, workspace, "SKOLE").receipt
    assert receipt.status == "rejected" and codes(receipt) == ["empty_file"]
    [p] = receipt.errors
    assert p.column == "værdi" and p.row == 1
    assert p.message_da.startswith("Ingen af rækkerne har et tal i kolonnen »værdi«")
    assert "None of the rows has a figure in the column 'værdi'" in p.message_en


def test_a_csv_whose_value_cells_are_all_empty_is_an_empty_file(workspace, tmp_path):
    v = check(workspace, tmp_path, "ELEVER_AFGANG_9KL;0561-OST-N;2023/24;M;\n" * 2)
    assert codes(v.receipt) == ["empty_file"] and v.observations is None


def test_rows_left_blank_are_skipped_with_one_warning_and_never_stored(workspace, tmp_path):
    v = check(
        workspace,
        tmp_path,
        "ELEVER_AFGANG_9KL;0561-OST-N;2023/24;M;40\n"
        "ELEVER_UDD_15MD;0561-OST-N;2023/24;M;\n"
        "ELEVER_AFGANG_9KL;0561-OST-S;2023/24;M;..\n"
        "ELEVER_UDD_15MD;0561-OST-S;2023/24;M;\n",
    )
    receipt = v.receipt
    assert receipt.accepted and receipt.rows == 2
    assert v.observations["row"].tolist() == [2, 4]
    assert v.observations["missing_at_source"].tolist() == [False, True]
    [w] = receipt.warnings
    assert w.code == "rows_not_reported" and w.column == "værdi"
    assert w.message_da.startswith(
        "2 rækker uden tal i kolonnen »værdi« er ikke indberettet (rækkerne 3 og 5); "
        "de tal, vi har i forvejen, gælder stadig."
    )
    assert "2 rows without a figure in the column 'værdi' are not reported (rows 3 and 5)" in (
        w.message_en
    )


def test_a_skipped_row_is_not_checked(workspace, tmp_path):
    """A prefilled row left blank is no delivery: its other cells raise nothing either."""
    v = check(
        workspace,
        tmp_path,
        "ELEVER_AFGANG_9KL;0561-OST-N;2023/24;M;40\nELEVER_AFGANG_9KL;0561-XXX;2099;M;\n",
    )
    assert v.receipt.accepted and v.receipt.rows == 1


# ------------------------------------------------------------------ spreadsheet error values
def test_error_text_in_a_csv_is_not_a_number_with_a_hint_to_fix_the_formula(workspace, tmp_path):
    v = check(workspace, tmp_path, "ELEVER_AFGANG_9KL;0561-OST-N;2023/24;M;#DIV/0!\n")
    [p] = v.receipt.errors
    assert (p.code, p.row, p.column, p.value) == ("not_a_number", 2, "værdi", "#DIV/0!")
    assert "fejl fra en formel" in p.message_da and "Ret formlen" in p.message_da
    assert "Fix the formula" in p.message_en


# ------------------------------------------------------------------ Danish numbers
def test_5_120_typed_as_text_in_a_spreadsheet_is_a_thousands_separator(workspace, tmp_path):
    path = xlsx(
        tmp_path,
        [
            ["dataelement", "område", "periode", "værdi"],
            ["ELEVER_AFGANG_9KL", "0561-OST-N", "2023/24", "5.120"],
            ["ELEVER_UDD_15MD", "0561-OST-N", "2023/24", "253"],
            ["KARAKTER_SUM_9KL", "0561-OST-N", "2023/24", "-1.234"],
            ["KARAKTER_ANTAL_9KL", "0561-OST-N", "2023/24", "12.345.678"],
        ],
    )
    v = validate_file(path, workspace, "SKOLE")
    assert v.receipt.accepted, v.receipt.to_json()
    assert v.observations["value"].tolist() == [5120, 253, -1234, 12345678]


def test_a_decimal_point_typed_as_text_in_a_spreadsheet_is_a_decimal_point(workspace, tmp_path):
    path = xlsx(
        tmp_path,
        [
            ["dataelement", "område", "periode", "værdi"],
            ["KARAKTER_ANTAL_9KL", "0561-OST-N", "2023/24", "152.5"],
            ["KARAKTER_SUM_9KL", "0561-OST-N", "2023/24", "1.234,5"],
        ],
    )
    receipt = validate_file(path, workspace, "SKOLE").receipt
    assert [(p.code, p.row, p.value) for p in receipt.errors] == [
        ("not_whole_number", 2, "152.5"),
        ("not_whole_number", 3, "1.234,5"),
    ]


def test_a_rule_message_prints_text_numbers_the_danish_way(workspace, tmp_path):
    path = xlsx(
        tmp_path,
        [
            ["dataelement", "område", "periode", "værdi"],
            ["ELEVER_AFGANG_9KL", "0561-OST-N", "2023/24", "5.120"],
            ["ELEVER_UDD_15MD", "0561-OST-N", "2023/24", "12.345"],
        ],
    )
    v = validate_file(path, workspace, "SKOLE")
    # 12.345 > 5.120: the rule message prints both the Danish way
    [p] = v.receipt.errors
    assert p.code == "rule_violation"
    assert p.message_da.startswith(
        "ELEVER_UDD_15MD (12.345) er større end ELEVER_AFGANG_9KL (5.120)"
    )
    assert "En del kan ikke være større end det hele" in p.message_da


def test_a_typed_decimal_is_shown_the_danish_way(workspace, tmp_path):
    path = xlsx(
        tmp_path,
        [
            ["dataelement", "område", "periode", "værdi"],
            ["ELEVER_AFGANG_9KL", "0561-OST-N", "2023/24", 5.12],
        ],
    )
    [p] = validate_file(path, workspace, "SKOLE").receipt.errors
    assert (p.code, p.value) == ("not_whole_number", "5,12")
    assert p.message_da.startswith("»5,12« er ikke et helt tal")


# ------------------------------------------------------------------ one problem, one error
@pytest.mark.parametrize("bad", ["-40", "tolv", "#N/A", "40,5"])
def test_a_bad_whole_spawns_no_rule_violation_against_its_part(workspace, tmp_path, bad):
    v = check(
        workspace,
        tmp_path,
        f"ELEVER_AFGANG_9KL;0561-OST-N;2023/24;M;{bad}\nELEVER_UDD_15MD;0561-OST-N;2023/24;M;34\n",
    )
    assert len(v.receipt.errors) == 1 and v.receipt.errors[0].row == 2
    assert "rule_violation" not in codes(v.receipt)


def test_a_bad_part_spawns_no_rule_violation_either(workspace, tmp_path):
    v = check(
        workspace,
        tmp_path,
        "ELEVER_AFGANG_9KL;0561-OST-N;2023/24;M;40\nELEVER_UDD_15MD;0561-OST-N;2023/24;M;41,5\n",
    )
    assert codes(v.receipt) == ["not_whole_number"]


def test_valid_rows_still_break_the_rule(workspace, tmp_path):
    v = check(
        workspace,
        tmp_path,
        "ELEVER_AFGANG_9KL;0561-OST-N;2023/24;M;40\nELEVER_UDD_15MD;0561-OST-N;2023/24;M;41\n",
    )
    assert codes(v.receipt) == ["rule_violation"] and v.receipt.errors[0].row == 3


# ------------------------------------------------------------------ area names, suggestions
@pytest.mark.parametrize("written", ["Østerbyen", "østerbyen", "OESTERBYEN", " Østerbyen "])
def test_an_area_may_be_written_by_its_name(workspace, tmp_path, written):
    v = check(workspace, tmp_path, f"BEF_25;{written};2024;_T;400\n", partner="KOMMUNE")
    assert v.receipt.accepted, v.receipt.to_json()
    assert v.observations["area"].tolist() == ["0561-OST"]


def test_suggestions_come_from_this_partners_areas_as_a_danish_list(workspace, tmp_path):
    v = check(workspace, tmp_path, "ELEVER_AFGANG_9KL;0561-OST-X;2023/24;M;40\n")
    [p] = v.receipt.errors
    assert p.message_da == (
        "»0561-OST-X« er ikke en kendt kode i kolonnen »område«. "
        "Mente du 0561-OST-N (Nord) eller 0561-OST-S (Syd)?"
    )
    assert p.message_en.endswith("Did you mean 0561-OST-N (Nord) or 0561-OST-S (Syd)?")


def test_data_element_suggestions_are_this_partners_own(workspace, tmp_path):
    v = check(workspace, tmp_path, "BEF_25_UD;0561;2024;_T;4\n", partner="KOMMUNE")
    [p] = v.receipt.errors
    assert p.message_da.endswith("Mente du BEF_25_UDD eller BEF_25?")


def test_three_suggestions_read_a_b_or_c(workspace, tmp_path):
    v = check(workspace, tmp_path, "ELEVER_9KL;0561-OST-N;2023/24;M;40\n")
    [p] = v.receipt.errors
    assert p.message_da.count(",") == 1 and " eller " in p.message_da
    assert "ELEVER_AFGANG_9KL" in p.message_da and "BEF_25" not in p.message_da


def test_an_empty_period_says_so_with_the_elements_own_example(workspace, tmp_path):
    v = check(workspace, tmp_path, "ELEVER_AFGANG_9KL;0561-OST-N;;M;40\n")
    [p] = v.receipt.errors
    assert p.code == "invalid_period" and p.message_da == "Perioden mangler. Skriv fx 2023/24."
    v = check(workspace, tmp_path, "INKL_DELTAGERE;0561-OST-N;;_T;4\n", partner="NGO")
    assert v.receipt.errors[0].message_en == "The period is missing. Write e.g. 2024-Q1."


def test_a_missing_column_is_named_in_danish(workspace, tmp_path):
    v = check(
        workspace,
        tmp_path,
        "ELEVER_AFGANG_9KL;0561-OST-N;M;40\n",
        header="dataelement;område;køn;værdi\n",
    )
    [p] = v.receipt.errors
    assert p.code == "missing_column"
    assert p.message_da.startswith("Kolonnen »periode« mangler.")
    assert p.message_en.startswith("The column 'period' is missing.")


# ------------------------------------------------------------------ notes, layout
def test_notes_under_the_table_are_ignored_with_a_warning(workspace, tmp_path):
    v = check(
        workspace,
        tmp_path,
        "ELEVER_AFGANG_9KL;0561-OST-N;2023/24;M;40\n"
        ";;;;\n"
        "Anm.: Tal for 2026 er foreløbige.;;;;\n"
        "Kilde: Skolernes elevadministration;;;;\n"
        "*) Opgjort pr. 5. september;;;;\n",
    )
    receipt = v.receipt
    assert receipt.accepted and receipt.rows == 1 and receipt.errors == []
    notes = [w for w in receipt.warnings if w.code == "note_ignored"]
    assert [(w.row, w.value) for w in notes] == [
        (4, "Anm.: Tal for 2026 er foreløbige."),
        (5, "Kilde: Skolernes elevadministration"),
        (6, "*) Opgjort pr. 5. september"),
    ]
    assert "ligner en note" in notes[0].message_da and "looks like a note" in notes[0].message_en


def test_a_note_in_a_spreadsheet_column_of_its_own_is_ignored_too(workspace, tmp_path):
    path = xlsx(
        tmp_path,
        [
            ["dataelement", "område", "periode", "værdi"],
            ["ELEVER_AFGANG_9KL", "0561-OST-N", "2023/24", 40],
            [],
            ["Note: tallene er foreløbige"],
        ],
    )
    receipt = validate_file(path, workspace, "SKOLE").receipt
    assert receipt.accepted and [w.code for w in receipt.warnings] == ["note_ignored"]


def test_a_file_without_a_header_row_gets_one_message_pointing_to_the_template(workspace, tmp_path):
    path = real("dst_statusu6_uddannelsesstatus_kommune_2024.csv")
    receipt = validate_file(path, workspace, "SKOLE").receipt
    assert receipt.status == "rejected" and receipt.warnings == []
    [p] = receipt.errors
    assert (p.code, p.row) == ("missing_column", 1)
    assert p.message_da.startswith("Filens første række er data og ikke overskrifter")
    assert "»I alt, 2024, Hele landet«" in p.message_da and "skabelonen" in p.message_da
    assert "template" in p.message_en and "»«" not in p.message_da


def test_a_wide_table_gets_one_message_pointing_to_the_template(workspace, tmp_path):
    v = check(
        workspace,
        tmp_path,
        "ELEVER_AFGANG_9KL;0561-OST-N;40;41;42\n",
        header="dataelement;område;2021/22;2022/23;2023/24\n",
    )
    [p] = v.receipt.errors
    assert p.code == "missing_column" and v.receipt.warnings == []
    assert "perioderne som kolonner (2021/22, 2022/23, 2023/24)" in p.message_da
    assert "skabelonen" in p.message_da and "template" in p.message_en


def test_a_wide_spreadsheet_with_years_as_numbers(workspace, tmp_path):
    path = xlsx(
        tmp_path,
        [["dataelement", "område", 2022, 2023, 2024], ["BEF_25", "0561", 1, 2, 3]],
    )
    [p] = validate_file(path, workspace, "KOMMUNE").receipt.errors
    assert "(2022, 2023, 2024)" in p.message_da


def test_a_column_without_header_is_named_as_such(workspace, tmp_path):
    v = check(
        workspace,
        tmp_path,
        "ELEVER_AFGANG_9KL;0561-OST-N;2023/24;M;40;x\n",
        header="dataelement;område;periode;køn;værdi;\n",
    )
    [w] = v.receipt.warnings
    assert w.message_da == "En kolonne uden overskrift bliver ikke brugt."


# ------------------------------------------------------------------ <5
def test_less_than_five_is_missing_at_source_with_a_warning(workspace, tmp_path):
    v = check(workspace, tmp_path, "ELEVER_AFGANG_9KL;0561-OST-N;2023/24;M;<5\n")
    assert v.receipt.accepted
    assert v.observations["missing_at_source"].tolist() == [True]
    [w] = v.receipt.warnings
    assert (w.code, w.row, w.column, w.value) == ("small_number", 2, "værdi", "<5")
    assert "Send gerne det præcise tal" in w.message_da
    assert "send the exact figure" in w.message_en


def test_workspace_fixture_is_the_one_of_conftest(workspace_dir):
    assert load_workspace(workspace_dir).partnership.partner("SKOLE") is not None
