"""Issue 11: every example partnership in examples/ runs end to end from `init --example`.

Each example is initialised in tmp_path through the CLI (in-process), every submission is
taken in with the expected exit code and receipts, every indicator the partnership can compute
has at least one `ok` row, and the scorecard names the partnership and its indicators.
"""

from __future__ import annotations

import html
import io
import json
from pathlib import Path

import pandas as pd
import pytest

from ci_measure.config.examples import EXAMPLES, example_path, list_examples

# The files each example rejects on purpose (README.md of each example), with their error codes.
REJECTED: dict[str, dict[str, set[str]]] = {
    "medvind-oesterbyen": {
        "01_hjemloese_unge_2019-2025.csv": {"unknown_code", "not_a_number", "wrong_period_type"},
    },
    "troldhedestien": {
        "01_moedesteder_vest_2022-2025.xlsx": {"rule_violation", "not_responsible"},
    },
    "rummelighed-for-alle": {"01_inddragelse_2022-2025.xlsx": {"invalid_period"}},
    "hjem-til-alle": {"01_forloeb_2020-2025.xlsx": {"duplicate_cell"}},
    "dk2020": {"01_transport_bred_tabel.csv": {"missing_column"}},
    "baeredygtige-landskaber": {"01_kvaelstof_2019-2024.csv": {"not_a_number"}},
    "toendermarsk": {"02_besoeg_2025.csv": {"invalid_period"}},
    "bo-trygt": {"01_tryghedsmaaling_2019-2025.xlsx": {"rule_violation"}},
}
SLUGS = sorted(REJECTED)


def _receipts(root: Path) -> dict[str, dict]:
    """The JSON receipts in the outboxes, by file name."""
    found = {}
    for path in sorted((root / "outbox").glob("*/*.json")):
        receipt = json.loads(path.read_text(encoding="utf-8"))
        found[receipt["file"]] = receipt
    return found


def _computable(workspace) -> list[str]:
    """The indicators whose numerator and denominator some partner reports."""
    reported = {
        element
        for partner in workspace.partnership.partners
        for assignment in partner.reports
        for element in assignment.data_elements
    }
    return [
        code
        for code, indicator in workspace.catalog.indicators.items()
        if indicator.numerator in reported
        and (indicator.denominator is None or indicator.denominator in reported)
    ]


def test_the_eight_cases_are_there():
    assert [slug for slug, _, _ in list_examples()] == SLUGS


def test_list_examples_names_every_example(cli):
    code, out, err = cli("init", "--list-examples")
    assert code == 0 and err == ""
    lines = out.splitlines()
    assert len(lines) == len(SLUGS)
    for slug, line in zip(SLUGS, lines, strict=True):
        assert line.startswith(slug)
        name = line[len(slug) :].strip()
        assert name and "—" in name  # the partnership's name — the README's description


def test_unknown_example_exits_2_naming_them_all(cli, tmp_path):
    code, out, err = cli("init", "--example", "oesterbro", "--workspace", tmp_path / "ws")
    assert code == 2 and out == ""
    assert "oesterbro" in err and "Traceback" not in err
    for slug in SLUGS:
        assert slug in err
    assert not (tmp_path / "ws" / "partnership.yaml").exists()


def test_the_demo_example_is_data_demo_itself():
    """MedVind i Østerbyen is kept once: the example points at data/demo/ (make demo)."""
    demo = Path(__file__).resolve().parents[2] / "data" / "demo"
    assert example_path("medvind-oesterbyen") == demo.resolve()
    assert not (EXAMPLES / "medvind-oesterbyen" / "partnership.yaml").exists()
    assert (EXAMPLES / "medvind-oesterbyen" / "README.md").is_file()


@pytest.mark.parametrize("slug", SLUGS)
def test_example_runs_end_to_end(slug, cli, tmp_path):
    from ci_measure.config.workspace import load_workspace

    root = tmp_path / slug
    code, out, err = cli("init", "--example", slug, "--workspace", root)
    assert code == 0, err
    sources = sorted(
        p.name for p in (example_path(slug) / "submissions").glob("*/*") if p.is_file()
    )
    assert sorted(p.name for p in (root / "inbox").glob("*/*")) == sources

    # Ingest everything waiting: exit 1 because a deliberately broken file is among them.
    code, out, err = cli("ingest", "--workspace", root)
    assert code == (1 if REJECTED[slug] else 0), out + err
    assert not list((root / "inbox").glob("*/*")), "every file is taken in"
    receipts = _receipts(root)
    assert sorted(receipts) == sources
    rejected = {name: r for name, r in receipts.items() if r["status"] == "rejected"}
    assert sorted(rejected) == sorted(REJECTED[slug])
    for name, codes in REJECTED[slug].items():
        assert {e["code"] for e in rejected[name]["errors"]} == codes, name

    # Every indicator the partnership reports for has at least one `ok` row.
    workspace = load_workspace(root)
    wanted = _computable(workspace)
    assert wanted
    code, out, err = cli("indicators", "--format", "csv", "--workspace", root)
    assert code == 0, err
    rows = pd.read_csv(io.StringIO(out), dtype=str, keep_default_na=False)
    ok = set(rows.loc[rows["status"] == "ok", "indicator"])
    assert [c for c in wanted if c not in ok] == []

    # The scorecard names the partnership and each of its indicators.
    code, out, err = cli("report", "-o", tmp_path / "report", "--workspace", root)
    assert code == 0, err
    page = (tmp_path / "report" / "scorecard.html").read_text(encoding="utf-8")
    assert html.escape(workspace.partnership.name) in page
    for code_ in wanted:
        assert html.escape(workspace.catalog.indicators[code_].label_da) in page, code_


def test_the_scorecard_shows_only_what_the_partnership_measures(cli, tmp_path):
    root = tmp_path / "toendermarsk"
    assert cli("init", "--example", "toendermarsk", "--workspace", root)[0] == 0
    assert cli("ingest", "--workspace", root)[0] == 1
    assert cli("report", "-o", tmp_path / "report", "--workspace", root)[0] == 0
    page = (tmp_path / "report" / "scorecard.html").read_text(encoding="utf-8")
    assert "Drivhusgasudledning pr. indbygger" not in page
