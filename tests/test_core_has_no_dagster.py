"""The core must not import Dagster: `check` and notebooks stay fast (SPEC §9, design card)."""

import subprocess
import sys


def test_cli_and_indicators_import_without_dagster():
    code = (
        "import sys, ci_measure.cli, ci_measure.intake.validate, ci_measure.intake.ingest, ci_measure.figures, indicators;"
        "bad = [m for m in sys.modules if m == 'dagster' or m.startswith('dagster.')];"
        "print(bad); raise SystemExit(1 if bad else 0)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_check_does_not_import_duckdb_computation():
    code = (
        "import sys, ci_measure.cli, ci_measure.intake.validate;"
        "print(sorted(m for m in sys.modules if m.startswith('ci_measure')))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "ci_measure.figures.compute" not in result.stdout


# What `ci-measure check FILE.csv` must never import (issue 19: start-up is paid per file).
NOT_FOR_CHECK = (
    "dagster",
    "duckdb",
    "jinja2",
    "markupsafe",
    "openpyxl",
    "xlsxwriter",
    "python_calamine",
    "starlette",
    "uvicorn",
    "hypothesis",
    "ci_measure.report",
    "ci_measure.portal",
    "ci_measure.figures",
    "ci_measure.warehouse",
    "ci_measure.templating",
    "ci_measure.intake.read.excel",
    "ci_measure.intake.ingest",
)


def test_the_check_process_imports_only_what_checking_a_csv_needs(tmp_path):
    """A real `ci-measure check` process; the modules it had loaded when it exited."""
    from pathlib import Path

    demo = Path(__file__).resolve().parents[1] / "data" / "demo" / "submissions"
    subprocess.run(
        [sys.executable, "-m", "ci_measure.cli", "init", "--demo", "--workspace", tmp_path / "ws"],
        check=True,
        capture_output=True,
    )
    code = (
        "import sys; from ci_measure.cli import main\n"
        "try:\n    main(sys.argv[1:])\nexcept SystemExit:\n    pass\n"
        "print('MODULES', ' '.join(sorted(sys.modules)))"
    )
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            code,
            "check",
            str(demo / "UU" / "02_rettelse_uu.csv"),
            "--partner",
            "UU",
            "--workspace",
            str(tmp_path / "ws"),
        ],
        capture_output=True,
        text=True,
    )
    assert "Godkendt / Accepted: 02_rettelse_uu.csv" in result.stdout, result.stderr
    loaded = result.stdout.split("MODULES ", 1)[1].split()
    assert "pandera" in loaded and "ci_measure.intake.validate" in loaded  # it did check
    wrong = [m for m in loaded if any(m == n or m.startswith(n + ".") for n in NOT_FOR_CHECK)]
    assert wrong == [], wrong
