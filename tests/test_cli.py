"""The command line of SPEC §9: exit codes, receipts, formats, --workspace and the env variable."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import write

GOOD = "dataelement;område;periode;køn;værdi\nELEVER_AFGANG_9KL;0561-OST-N;2023/24;_T;40\nELEVER_UDD_15MD;0561-OST-N;2023/24;_T;34\n"
BAD = "dataelement;område;periode;køn;værdi\nELEVER_AFGANG_9KL;0561-OST-N;2023/24;_T;-4\n"
COLUMNS = "indicator,area,period,sex,origin,numerator,denominator,value,status"


def test_check_accepts_with_exit_0_and_prints_the_receipt(cli, workspace_dir, tmp_path):
    path = write(tmp_path / "skole.csv", GOOD)
    code, out, err = cli("check", path, "--partner", "SKOLE", "--workspace", workspace_dir)
    assert code == 0 and err == ""
    assert out.startswith("Godkendt / Accepted: skole.csv (SKOLE, 2 rækker/rows)")


def test_check_json_is_exactly_the_spec_object(cli, workspace_dir, tmp_path):
    path = write(tmp_path / "skole.csv", BAD)
    code, out, _ = cli("--workspace", workspace_dir, "check", path, "--partner", "SKOLE", "--json")
    assert code == 1
    receipt = json.loads(out)
    assert list(receipt) == ["status", "partner", "file", "sha256", "rows", "errors", "warnings"]
    assert receipt["status"] == "rejected" and receipt["rows"] == 1 and len(receipt["sha256"]) == 64
    [error] = receipt["errors"]
    assert list(error) == ["code", "row", "column", "value", "message_da", "message_en"] or set(
        error
    ) == {"row", "column", "value", "code", "message_da", "message_en"}
    assert (error["code"], error["row"], error["column"], error["value"]) == (
        "negative_value",
        2,
        "værdi",
        "-4",
    )


def test_usage_errors_exit_2_with_one_line_and_no_traceback(cli, workspace_dir, tmp_path):
    path = write(tmp_path / "skole.csv", GOOD)
    code, out, err = cli("check", path, "--partner", "NOBODY", "--workspace", workspace_dir)
    assert code == 2 and "Traceback" not in err
    assert err.strip().splitlines() == [
        "[usage_error] ukendt partner »NOBODY«. Partnerne er: SKOLE, KOMMUNE, NGO."
        " / unknown partner 'NOBODY'. The partners are: SKOLE, KOMMUNE, NGO."
    ]
    code, _, err = cli("check", path, "--partner", "SKOL", "--workspace", workspace_dir)
    assert code == 2 and err.strip() == (
        "[usage_error] ukendt partner »SKOL«. Mente du SKOLE?"
        " / unknown partner 'SKOL'. Did you mean SKOLE?"
    )
    code, _, err = cli(
        "check", tmp_path / "nope.csv", "--partner", "SKOLE", "--workspace", workspace_dir
    )
    assert code == 2 and "no such file" in err


def test_a_workspace_without_configuration_says_how_to_create_one(cli, tmp_path):
    code, _, err = cli("indicators", "--workspace", tmp_path / "empty")
    assert code == 2 and "ci-measure init" in err and "Traceback" not in err


def test_init_creates_and_refuses_to_overwrite(cli, tmp_path):
    root = tmp_path / "new"
    code, out, _ = cli("init", "--workspace", root)
    assert code == 0 and (root / "partnership.yaml").exists()
    code, _, err = cli("init", "--workspace", root)
    assert code == 2 and err.startswith("[usage_error]")


def test_ingest_exit_codes_and_indicators_formats(cli, workspace_dir, tmp_path):
    write(workspace_dir / "inbox" / "SKOLE" / "1.csv", GOOD)
    code, out, _ = cli("ingest", "--workspace", workspace_dir)
    assert code == 0 and "1 godkendt, 0 afvist" in out
    code, out, _ = cli(
        "ingest",
        write(tmp_path / "bad.csv", BAD),
        "--partner",
        "SKOLE",
        "--workspace",
        workspace_dir,
    )
    assert code == 1 and "Afvist" in out

    code, out, _ = cli(
        "indicators",
        "--workspace",
        workspace_dir,
        "--format",
        "csv",
        "--indicator",
        "udd_overgang",
        "--area",
        "0561-OST-N",
        "--period",
        "2023-24",
    )
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == COLUMNS
    assert "UDD_OVERGANG,0561-OST-N,2023/24,_T,_T,34,40,85,ok" in lines

    code, out, _ = cli(
        "indicators",
        "--workspace",
        workspace_dir,
        "--format",
        "json",
        "--indicator",
        "UDD_OVERGANG",
        "--area",
        "0561-OST-N",
    )
    rows = json.loads(out)
    row = next(r for r in rows if r["sex"] == "_T" and r["origin"] == "_T")
    assert row == {
        "indicator": "UDD_OVERGANG",
        "area": "0561-OST-N",
        "period": "2023/24",
        "sex": "_T",
        "origin": "_T",
        "numerator": 34.0,
        "denominator": 40.0,
        "value": 85.0,
        "status": "ok",
    }

    code, out, _ = cli("indicators", "--workspace", workspace_dir, "--indicator", "UDD_OVERGANG")
    assert code == 0 and "Indikator" in out and "Værdi" in out and "85,0" in out
    assert "mangler" in out  # 0561-OST-S has no data: shown as missing, never as a blank


def test_unknown_indicator_is_a_usage_error_with_a_suggestion(cli, workspace_dir):
    code, _, err = cli("indicators", "--workspace", workspace_dir, "--indicator", "UDD_OVERGANGG")
    assert code == 2 and err.strip() == (
        "[usage_error] ukendt indikator »UDD_OVERGANGG«. Mente du UDD_OVERGANG eller"
        " UDD_FULDFOERT_25? / unknown indicator 'UDD_OVERGANGG'. Did you mean UDD_OVERGANG or"
        " UDD_FULDFOERT_25?"
    )


@pytest.mark.parametrize(
    ("args", "danish", "english"),
    [
        (["indicators", "--period", "2024/2"], "er ikke en periode", "is not a period"),
        (["indicators", "--as-of", "igår"], "er ikke et ISO-tidspunkt", "is not an ISO time"),
        (["indicators", "--area", "0561-ØST"], "ukendt område", "unknown area"),
        (
            ["template", "--partner", "SKOLE", "-o", "t.pdf"],
            "skabelonen skrives",
            "write the template",
        ),
        (["partner-link", "SKOLEN"], "ukendt partner »SKOLEN«", "unknown partner 'SKOLEN'"),
        (["ingest", "findes-ikke.csv", "--partner", "SKOLE"], "filen findes ikke", "no such file"),
    ],
)
def test_every_usage_error_is_said_in_danish_and_english(cli, workspace_dir, args, danish, english):
    code, _, err = cli(*args, "--workspace", workspace_dir)
    assert code == 2 and danish in err and english in err, err
    assert err.startswith("[usage_error] ") and " / " in err


def test_usage_errors_are_only_made_bilingually():
    """One rule in one place: a UsageError is built by ``usage_error(da, en)`` (or a helper
    using it), so no command can fall back to English only."""
    import ast

    root = Path(__file__).resolve().parents[1]
    offenders = []
    for folder in ("ci_measure", "indicators", "pipelines"):
        for path in (root / folder).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                called = getattr(node, "func", None)
                if isinstance(node, ast.Call) and getattr(called, "id", None) == "UsageError":
                    offenders.append(f"{path.relative_to(root)}:{node.lineno}")
    assert offenders == ["ci_measure/errors.py:280"]


def test_the_environment_variable_points_at_the_workspace(workspace_dir, tmp_path, monkeypatch):
    path = write(tmp_path / "skole.csv", GOOD)
    env = {"CI_MEASURE_WORKSPACE": str(workspace_dir), "PATH": "/usr/bin:/bin"}
    result = subprocess.run(
        [sys.executable, "-m", "ci_measure.cli", "check", str(path), "--partner", "SKOLE"],
        capture_output=True,
        text=True,
        env=env,
    )
    assert result.returncode == 0, result.stderr
    assert "Godkendt" in result.stdout


def test_check_on_a_folder_says_it_is_a_folder(cli, workspace_dir, tmp_path):
    code, _, err = cli("check", tmp_path, "--partner", "SKOLE", "--workspace", workspace_dir)
    assert code == 2 and "er en mappe, ikke en fil" in err and "is a folder, not a file" in err
    assert "no such file" not in err


def test_usage_errors_are_danish_and_english(cli, workspace_dir, tmp_path):
    path = write(tmp_path / "skole.csv", GOOD)
    code, _, err = cli("check", path, "--workspace", workspace_dir)
    assert code == 2 and err.strip() == (
        "[usage_error] sig, hvem der har sendt skole.csv: --partner KODE"
        " / say who sent skole.csv: --partner CODE"
    )
    code, _, err = cli(
        "check", tmp_path / "nej.csv", "--partner", "SKOLE", "--workspace", workspace_dir
    )
    assert "filen findes ikke" in err and "no such file" in err
    code, _, err = cli("ingest", path, "--partner", "SKOLEN", "--workspace", workspace_dir)
    assert code == 2 and "Mente du SKOLE?" in err and "Did you mean SKOLE?" in err


def test_check_points_to_check_json_not_to_a_json_receipt(cli, workspace_dir, tmp_path):
    body = "".join(f"ELEVER_AFGANG_9KL;0561-OST-N;2023/24;M;x{i}\n" for i in range(205))
    path = write(tmp_path / "mange.csv", "dataelement;område;periode;køn;værdi\n" + body)
    code, out, _ = cli("check", path, "--partner", "SKOLE", "--workspace", workspace_dir)
    assert code == 1 and "kør check --json for dem alle" in out and "run check --json" in out
    assert "JSON receipt" not in out and "JSON-kvittering" not in out
