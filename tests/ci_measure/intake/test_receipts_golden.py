"""Receipts unchanged, byte for byte: `check --json` and the text receipt of every file in the
receipt corpus equal the goldens written from the code before the Arrow rework (issue 19).

The corpus: the demo submissions (data/demo/submissions, demo workspace), the cases of the
validation and reader tests as files and 6,000 benchmark rows with every kind of bad row
(tests/ci_measure/intake/receipts, made by its make_corpus.py), and the shared real files
(against the tests' partnership, sent by SKOLE). Nothing in a `check` receipt depends on the
time (``received_at`` is only in ingest receipts), so nothing is excluded.

After an intended change of a receipt: ``CI_MEASURE_WRITE_GOLDENS=1 pytest THIS_FILE`` and
review the diff of tests/ci_measure/intake/receipts/golden/.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.conftest import PARTNERSHIP
from tests.support.realdata import real

REPO = Path(__file__).resolve().parents[3]
CORPUS = Path(__file__).parent / "receipts"
GOLDEN = CORPUS / "golden"
DEMO = REPO / "data" / "demo" / "submissions"
WRITE = os.environ.get("CI_MEASURE_WRITE_GOLDENS") == "1"
REAL_FILES = [
    "dk_kommuner_regioner_latin1.csv",
    "dst_folk1a_bulk_koder_kvartaler.csv",
    "dst_nuts_region_landsdel_kommune.ods",
    "dst_statusu6_uddannelsesstatus_kommune_2024.csv",
    "kk_statbank_kkbyg1_bygninger_1850_1899.csv",
    "ons_balance_of_payments_2020q1.xls",
    "oslo_bydelsfakta_eieform_2015_2017.csv",
    "stil_institutionsregister_folkeskoler.xlsx",
    "uvm_trivsel_fravaer_kommune_skoleaar.csv",
]


def _files(root: Path) -> list[tuple[str, str]]:
    """(partner, file name) of every file in root/<PARTNER>/."""
    return sorted((p.parent.name, p.name) for p in root.glob("*/*") if p.is_file())


CASES = (
    [("demo", partner, name) for partner, name in _files(DEMO)]
    + [("small", partner, name) for partner, name in _files(CORPUS / "small")]
    + [("bulk", partner, name) for partner, name in _files(CORPUS / "bulk")]
    + [("realdata", "SKOLE", name) for name in REAL_FILES]
)


@pytest.fixture(scope="module")
def workspaces(tmp_path_factory) -> dict[str, Path]:
    """One workspace per group: the demo's, the tests' partnership, the benchmark's."""
    from ci_measure.config.workspace import init_workspace

    root = tmp_path_factory.mktemp("golden")
    tests_ws = root / "tests"
    tests_ws.mkdir()
    (tests_ws / "partnership.yaml").write_text(PARTNERSHIP, encoding="utf-8")
    bulk_ws = root / "bulk"
    bulk_ws.mkdir()
    (bulk_ws / "partnership.yaml").write_bytes((CORPUS / "bulk" / "partnership.yaml").read_bytes())
    demo_ws = init_workspace(root / "demo", demo=True)
    return {"demo": demo_ws, "small": tests_ws, "realdata": tests_ws, "bulk": bulk_ws}


def _source(group: str, partner: str, name: str) -> Path:
    if group == "realdata":
        return real(name)  # fails under CI=true when the collection is missing
    return (
        {"demo": DEMO, "small": CORPUS / "small", "bulk": CORPUS / "bulk"}[group] / partner / name
    )


@pytest.mark.parametrize(("group", "partner", "name"), CASES, ids=["/".join(c) for c in CASES])
def test_check_receipts_are_unchanged(workspaces, cli, group, partner, name):
    path = _source(group, partner, name)
    ws = workspaces[group]
    for suffix, flags in ((".json", ["--json"]), (".txt", [])):
        code, out, err = cli("check", path, "--partner", partner, "--workspace", ws, *flags)
        assert err == "" and code in (0, 1), err
        golden = GOLDEN / group / partner / (name + suffix)
        if WRITE:
            golden.parent.mkdir(parents=True, exist_ok=True)
            golden.write_bytes(f"exit {code}\n{out}".encode())
        assert f"exit {code}\n{out}".encode() == golden.read_bytes(), f"{golden} differs"
