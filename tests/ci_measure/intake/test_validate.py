"""Receipts for every SPEC §8 code: the row, the column as written, the value, da/en messages."""

from __future__ import annotations

import pytest

from ci_measure.intake.validate import validate_file
from tests.helpers import write

HEADER = "dataelement;område;periode;køn;værdi\n"


def check(
    workspace, tmp_path, body: str, partner: str = "SKOLE", header: str = HEADER, name="fil.csv"
):
    path = write(tmp_path / name, header + body)
    return validate_file(path, workspace, partner)


def only(validation):
    receipt = validation.receipt
    assert receipt.status == "rejected", receipt.to_json()
    assert len(receipt.errors) == 1, [p.code for p in receipt.errors]
    return receipt.errors[0]


def test_a_good_danish_file_is_accepted_with_its_cells(workspace, tmp_path):
    v = check(
        workspace,
        tmp_path,
        "ELEVER_AFGANG_9KL;0561-OST-N;2023/24;dreng;1.040\n"
        "ELEVER_UDD_15MD;0561-ost-n;2023-24;M;34\n"
        "elever_afgang_9kl;0561-OST-N;2023/2024;Pige;38\n"
        "ELEVER_UDD_15MD;0561-OST-N;2023/24;K;..\n",
    )
    assert v.receipt.status == "accepted" and v.receipt.errors == [] and v.receipt.rows == 4
    obs = v.observations
    assert list(obs["area"]) == ["0561-OST-N"] * 4
    assert list(obs["period"]) == ["2023/24"] * 4
    assert list(obs["sex"]) == ["M", "M", "F", "F"]
    assert list(obs["data_element"]) == [
        "ELEVER_AFGANG_9KL",
        "ELEVER_UDD_15MD",
        "ELEVER_AFGANG_9KL",
        "ELEVER_UDD_15MD",
    ]
    assert obs["value"].iloc[0] == 1040.0
    assert obs["missing_at_source"].tolist() == [False, False, False, True]
    assert list(obs["row"]) == [2, 3, 4, 5]
    assert list(obs["origin"]) == ["_T"] * 4


def test_unknown_code_names_the_cell_and_the_closest_codes(workspace, tmp_path):
    p = only(check(workspace, tmp_path, "ELEVER_AFGANG_9KL;0561-OST-X;2023/24;M;40\n"))
    assert (p.code, p.row, p.column, p.value) == ("unknown_code", 2, "område", "0561-OST-X")
    assert "0561-OST-N" in p.message_da and "Mente du" in p.message_da
    assert "0561-OST-N" in p.message_en


def test_unknown_data_element_suggests_the_closest(workspace, tmp_path):
    p = only(check(workspace, tmp_path, "ELEVER_AFGANG_9KLASSE;0561-OST-N;2023/24;M;40\n"))
    assert p.code == "unknown_code" and p.column == "dataelement"
    assert "ELEVER_AFGANG_9KL" in p.message_da


def test_invalid_period(workspace, tmp_path):
    p = only(check(workspace, tmp_path, "ELEVER_AFGANG_9KL;0561-OST-N;2023/25;M;40\n"))
    assert (p.code, p.row, p.column, p.value) == ("invalid_period", 2, "periode", "2023/25")
    assert "2023/24" in p.message_da


def test_wrong_period_type(workspace, tmp_path):
    p = only(check(workspace, tmp_path, "ELEVER_AFGANG_9KL;0561-OST-N;2024;M;40\n"))
    assert (p.code, p.column, p.value) == ("wrong_period_type", "periode", "2024")
    assert "skoleår" in p.message_da and "school year" in p.message_en


@pytest.mark.parametrize(
    "value, code",
    [("12x", "not_a_number"), ("-3", "negative_value"), ("12,5", "not_whole_number")],
)
def test_value_problems(workspace, tmp_path, value, code):
    p = only(check(workspace, tmp_path, f"ELEVER_AFGANG_9KL;0561-OST-N;2023/24;M;{value}\n"))
    assert (p.code, p.row, p.column, p.value) == (code, 2, "værdi", value)


def test_grade_sums_may_be_negative(workspace, tmp_path):
    v = check(workspace, tmp_path, "KARAKTER_SUM_9KL;0561-OST-N;2023/24;M;-3\n")
    assert v.receipt.status == "accepted"


def test_duplicate_cell_names_the_other_row(workspace, tmp_path):
    v = check(
        workspace,
        tmp_path,
        "ELEVER_AFGANG_9KL;0561-OST-N;2023/24;M;40\nELEVER_AFGANG_9KL;0561-OST-N;2023-24;mand;41\n",
    )
    codes = [(p.code, p.row) for p in v.receipt.errors]
    assert codes == [("duplicate_cell", 2), ("duplicate_cell", 3)]
    assert "række 3" in v.receipt.errors[0].message_da


def test_not_responsible(workspace, tmp_path):
    p = only(check(workspace, tmp_path, "BEF_25;0561;2024;_T;400\n"))
    assert (p.code, p.column, p.value) == ("not_responsible", "område", "0561")
    assert "I (SKOLE) indberetter ikke BEF_25 for området 0561" in p.message_da


def test_partner_mismatch(workspace, tmp_path):
    v = check(
        workspace,
        tmp_path,
        "ELEVER_AFGANG_9KL;0561-OST-N;2023/24;M;40;NGO\n",
        header="dataelement;område;periode;køn;værdi;Afsender\n",
    )
    p = only(v)
    assert (p.code, p.column, p.value) == ("partner_mismatch", "Afsender", "NGO")


def test_rule_violation_part_greater_than_whole(workspace, tmp_path):
    p = only(
        check(
            workspace,
            tmp_path,
            "ELEVER_AFGANG_9KL;0561-OST-N;2023/24;M;40\nELEVER_UDD_15MD;0561-OST-N;2023/24;M;50\n",
        )
    )
    assert (p.code, p.row, p.column, p.value) == ("rule_violation", 3, "værdi", "50")
    assert "ELEVER_UDD_15MD (50) er større end ELEVER_AFGANG_9KL (40)" in p.message_da


def test_missing_column(workspace, tmp_path):
    v = check(
        workspace,
        tmp_path,
        "ELEVER_AFGANG_9KL;0561-OST-N;2023/24\n",
        header="dataelement;område;periode\n",
    )
    p = only(v)
    assert (p.code, p.row) == ("missing_column", 1)
    assert "værdi" in p.message_da


def test_empty_file_with_only_a_header(workspace, tmp_path):
    p = only(check(workspace, tmp_path, ""))
    assert p.code == "empty_file"


def test_personal_data_is_never_echoed(workspace, tmp_path):
    v = check(
        workspace,
        tmp_path,
        "ELEVER_AFGANG_9KL;0561-OST-N;2023/24;M;40;elev 010203-1234\n",
        header=HEADER.strip() + ";kommentar\n",
    )
    p = only(v)
    assert (p.code, p.row, p.column) == ("personal_data", 2, "kommentar")
    assert "1234" not in v.receipt.to_json() and "010203" not in v.receipt.to_json()


def test_file_too_large(workspace, tmp_path, workspace_dir):
    from ci_measure.config.workspace import load_workspace

    text = (workspace_dir / "partnership.yaml").read_text(encoding="utf-8")
    (workspace_dir / "partnership.yaml").write_text(
        text.replace("suppression_threshold: 5", "suppression_threshold: 5\nmax_file_mb: 0.001"),
        encoding="utf-8",
    )
    small = load_workspace(workspace_dir)
    p = only(check(small, tmp_path, "ELEVER_AFGANG_9KL;0561-OST-N;2023/24;M;40\n" * 100))
    assert p.code == "file_too_large"


def test_every_problem_is_listed_at_once_in_row_order(workspace, tmp_path):
    v = check(
        workspace,
        tmp_path,
        "ELEVER_AFGANG_9KL;0561-OST-N;2023/24;M;tolv\n"
        "ELEVER_AFGANG_9KL;0561-OST-N;2023/24;F;38\n"
        "ELEVER_AFGANG_9KL;0561-OST-Q;2023/24;F;38\n"
        "ELEVER_AFGANG_9KL;0561-OST-S;20X3;F;38\n",
    )
    assert [(p.row, p.code) for p in v.receipt.errors] == [
        (2, "not_a_number"),
        (4, "unknown_code"),
        (5, "invalid_period"),
    ]


def test_unknown_extra_column_is_only_a_warning(workspace, tmp_path):
    v = check(
        workspace,
        tmp_path,
        "ELEVER_AFGANG_9KL;0561-OST-N;2023/24;M;40;x\n",
        header=HEADER.strip() + ";Skole\n",
    )
    assert v.receipt.status == "accepted"
    assert [(w.code, w.column) for w in v.receipt.warnings] == [("unknown_column", "Skole")]


def test_english_csv_with_dot_decimals(workspace, tmp_path):
    v = check(
        workspace,
        tmp_path,
        'KARAKTER_SUM_9KL,0561-OST-S,2023/24,total,"1,234.0"\n',
        header="data_element,area,period,sex,value\n",
    )
    assert v.receipt.status == "accepted", v.receipt.to_json()
    assert v.observations["value"].tolist() == [1234.0]


def test_messages_are_danish_and_english(workspace, tmp_path):
    p = only(check(workspace, tmp_path, "ELEVER_AFGANG_9KL;0561-OST-N;2023/24;M;12x\n"))
    assert p.message_da.startswith("»12x« er ikke et tal. Skriv et tal")
    assert "Type a number" in p.message_en
