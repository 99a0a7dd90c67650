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
