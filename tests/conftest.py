"""Tiny workspaces in tmp_path, built from text, and a way to run the CLI in-process."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.helpers import write  # noqa: F401  (re-exported for fixtures)
from tests.support.postgres import postgres  # noqa: F401  (a real server, session fixture)

# Files the tests drop into an inbox are complete at once: no settle wait (the settle rule
# itself is tested with its own value in tests/reliability/test_inbox_files.py).
os.environ.setdefault("CI_MEASURE_SETTLE_S", "0")

SHARED = Path(__file__).resolve().parents[2] / "shared"
REALDATA = Path(os.environ.get("CI_MEASURE_REALDATA", SHARED / "realdata"))

PARTNERSHIP = """\
name: Testpartnerskab
suppression_threshold: 5
areas:
  - code: "0561"
    name: Esbjerg Kommune
  - code: "0561-OST"
    name: Østerbyen
    parent: "0561"
  - code: 0561-OST-N
    name: Nord
    parent: "0561-OST"
  - code: 0561-OST-S
    name: Syd
    parent: "0561-OST"
partners:
  - code: SKOLE
    name: Østerbyens skoler
    reports:
      - data_elements: [ELEVER_AFGANG_9KL, ELEVER_UDD_15MD, KARAKTER_SUM_9KL, KARAKTER_ANTAL_9KL]
        areas: [0561-OST-N, 0561-OST-S]
  - code: KOMMUNE
    name: Esbjerg Kommune, statistik
    reports:
      - data_elements: [BEF_25, BEF_25_UDD]
        areas: ["0561", "0561-OST"]
  - code: NGO
    name: Mødestedet
    reports:
      - data_elements: [INKL_DELTAGERE, INKL_DELTAGERE_HANDICAP]
        areas: [0561-OST-N, 0561-OST-S]
"""


@pytest.fixture
def workspace_dir(tmp_path: Path) -> Path:
    root = tmp_path / "ws"
    root.mkdir()
    (root / "partnership.yaml").write_text(PARTNERSHIP, encoding="utf-8")
    for partner in ("SKOLE", "KOMMUNE", "NGO"):
        (root / "inbox" / partner).mkdir(parents=True)
    return root


@pytest.fixture
def workspace(workspace_dir: Path):
    from ci_measure.config.workspace import load_workspace

    return load_workspace(workspace_dir)


@pytest.fixture
def cli(capsys, monkeypatch):
    """Run `ci-measure ARGS` in-process; returns (exit code, stdout, stderr)."""
    from ci_measure.cli import main

    def run(*args: str) -> tuple[int, str, str]:
        monkeypatch.delenv("CI_MEASURE_DEBUG", raising=False)
        code = main([str(a) for a in args])
        out, err = capsys.readouterr()
        return code, out, err

    return run
