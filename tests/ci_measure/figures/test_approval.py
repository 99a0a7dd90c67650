"""Approval before publishing (SPEC §13), through the CLI and the files a user sees: nothing
published before approval, an approval publishes the figures as they stood, a later
correction waits for the next approval, revocation, an area's approval covers the areas
under it, suppression of the figures as approved, and the audit trail."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest

from tests.helpers import write

HEADER = "dataelement;område;periode;køn;værdi\n"
SCHOOLS = HEADER + (
    "ELEVER_AFGANG_9KL;0561-OST-N;2023/24;_T;80\nELEVER_UDD_15MD;0561-OST-N;2023/24;_T;68\n"
    "ELEVER_AFGANG_9KL;0561-OST-S;2023/24;_T;60\nELEVER_UDD_15MD;0561-OST-S;2023/24;_T;50\n"
    "ELEVER_AFGANG_9KL;0561-OST-N;2022/23;_T;80\nELEVER_UDD_15MD;0561-OST-N;2022/23;_T;77\n"
    "ELEVER_AFGANG_9KL;0561-OST-S;2022/23;_T;60\nELEVER_UDD_15MD;0561-OST-S;2022/23;_T;40\n"
)
CORRECTION = HEADER + (
    "ELEVER_UDD_15MD;0561-OST-N;2023/24;_T;70\nELEVER_UDD_15MD;0561-OST-N;2022/23;_T;70\n"
)
MEETINGS = "dataelement;område;periode;værdi\n" + "".join(
    f"INKL_DELTAGERE;0561-OST-{a};2024-Q{q};{10 * q}\n" for a in "NS" for q in range(1, 5)
)


@pytest.fixture
def approving(workspace_dir: Path, cli) -> Path:  # noqa: ANN001
    """The test partnership with approval required and the schools' file taken in."""
    with (workspace_dir / "partnership.yaml").open("a", encoding="utf-8") as f:
        f.write("publishing: {approval: required}\n")
    write(workspace_dir / "inbox" / "SKOLE" / "skoler.csv", SCHOOLS)
    code, _, err = cli("ingest", "--workspace", workspace_dir)
    assert code == 0, err
    return workspace_dir


def published(cli, root: Path, *args: str) -> dict[tuple, dict]:  # noqa: ANN001
    """The `_T` rows of `indicators --published` by (indicator, area, period)."""
    code, out, err = cli(
        "indicators", "--workspace", root, "--published", "--format", "json", *args
    )
    assert code == 0, err
    return {
        (r["indicator"], r["area"], r["period"]): r
        for r in json.loads(out)
        if r["sex"] == "_T" and r["origin"] == "_T"
    }


def figure(row: dict) -> tuple:
    return row["numerator"], row["denominator"], row["value"], row["status"]


def ingest(cli, root: Path, partner: str, name: str, text: str) -> None:  # noqa: ANN001
    write(root / "inbox" / partner / name, text)
    code, _, err = cli("ingest", "--workspace", root)
    assert code == 0, err


def test_nothing_is_published_before_approval(approving, cli):
    rows = published(cli, approving)
    assert rows and {figure(r) for r in rows.values()} == {(None, None, None, "pending_approval")}
    code, out, _ = cli("indicators", "--workspace", approving, "--published")
    assert "(afv.)" in out and "afventer godkendelse" in out and "68" not in out
    code, out, _ = cli("indicators", "--workspace", approving, "--format", "json")
    assert {r["status"] for r in json.loads(out)} == {"ok"}  # analysts still see everything


def test_an_approval_publishes_the_figures_as_they_stood_and_covers_the_areas_under_it(
    approving, cli
):
    code, out, err = cli(
        "approve", "--workspace", approving, "--period", "2023/24", "--area", "0561-OST",
        "--by", "Mette Holm",
    )  # fmt: skip
    assert code == 0, err
    assert out.startswith(
        "godkendt: 2023/24, område 0561-OST og områderne under det, alle indikatorer (af Mette Holm)"
    )
    rows = published(cli, approving)
    assert figure(rows[("UDD_OVERGANG", "0561-OST-N", "2023/24")]) == (68, 80, 85.0, "ok")
    assert figure(rows[("UDD_OVERGANG", "0561-OST", "2023/24")])[:2] == (118, 140)
    assert rows[("UDD_OVERGANG", "0561", "2023/24")]["status"] == "pending_approval"  # above
    assert rows[("UDD_OVERGANG", "0561-OST-N", "2022/23")]["status"] == "pending_approval"

    # A later correction waits for the next approval: published output keeps the approved
    # figure, the analysts' output and the Dagster check see the change.
    ingest(cli, approving, "SKOLE", "rettelse.csv", CORRECTION)
    rows = published(cli, approving)
    assert figure(rows[("UDD_OVERGANG", "0561-OST-N", "2023/24")]) == (68, 80, 85.0, "ok")
    code, out, _ = cli("indicators", "--workspace", approving, "--format", "json",
                       "--area", "0561-OST-N", "--period", "2023/24")  # fmt: skip
    assert json.loads(out)[0]["numerator"] == 70
    import indicators

    changed = indicators_changes(approving)
    assert set(zip(changed["area"], changed["period"], strict=True)) == {
        ("0561-OST-N", "2023/24"),
        ("0561-OST", "2023/24"),
    }
    assert len(indicators.approvals(approving)) == 1

    # The next approval publishes the correction.
    code, _, err = cli("approve", "--workspace", approving, "--period", "2023/24")
    assert code == 0, err
    rows = published(cli, approving)
    assert figure(rows[("UDD_OVERGANG", "0561-OST-N", "2023/24")]) == (70, 80, 87.5, "ok")
    assert figure(rows[("UDD_OVERGANG", "0561", "2023/24")])[:2] == (120, 140)
    assert indicators_changes(approving).empty


def indicators_changes(root: Path) -> pd.DataFrame:
    from ci_measure.config.workspace import load_workspace
    from ci_measure.figures import approval_changes

    return approval_changes(load_workspace(root))


def test_revoke_withdraws_the_approval_and_both_are_in_the_trail(approving, cli):
    assert cli("approve", "--workspace", approving, "--period", "2023/24", "--by", "A")[0] == 0
    code, out, err = cli("approve", "--workspace", approving, "--period", "2023/24",
                         "--area", "0561-OST-S", "--revoke", "--by", "B")  # fmt: skip
    assert code == 0, err
    assert "afventer nu godkendelse igen" in out
    rows = published(cli, approving)
    assert rows[("UDD_OVERGANG", "0561-OST-S", "2023/24")]["status"] == "pending_approval"
    assert figure(rows[("UDD_OVERGANG", "0561-OST-N", "2023/24")]) == (68, 80, 85.0, "ok")
    # revoking what is not approved is refused, and says so in both languages
    code, _, err = cli("approve", "--workspace", approving, "--period", "2022/23", "--revoke")
    assert code == 2
    assert "intet er godkendt for 2022/23" in err and "nothing is approved for 2022/23" in err

    code, out, _ = cli("approvals", "--workspace", approving, "--format", "json")
    listed = json.loads(out)
    assert [(e["action"], e["by"], e["area"]) for e in listed] == [
        ("approve", "A", None),
        ("revoke", "B", "0561-OST-S"),
    ]
    assert all(e["at"].endswith("Z") for e in listed)
    code, out, _ = cli("approvals", "--workspace", approving)
    assert "tilbagekaldt / revoked" in out and "0561-OST-S (og under / and below)" in out
    code, out, _ = cli("history", "--workspace", approving, "--format", "json")
    trail = json.loads(out)
    assert [r["status"] for r in trail] == ["accepted", "approved", "revoked"]
    assert trail[2]["file"] == (
        "godkendelse trukket tilbage: 2023/24, område 0561-OST-S og områderne under det, "
        "alle indikatorer (af B)"
    )


def test_suppression_applies_to_the_figures_as_approved(approving, cli):
    # 2022/23 in Nord: 77 of 80, a difference of 3 -> suppressed when approved
    assert cli("approve", "--workspace", approving, "--period", "2022/23")[0] == 0
    rows = published(cli, approving)
    assert rows[("UDD_OVERGANG", "0561-OST-N", "2022/23")]["status"] == "suppressed"
    ingest(cli, approving, "SKOLE", "rettelse.csv", CORRECTION)  # 70 of 80: safe now
    rows = published(cli, approving)
    assert rows[("UDD_OVERGANG", "0561-OST-N", "2022/23")]["status"] == "suppressed"
    assert cli("approve", "--workspace", approving, "--period", "2022/23")[0] == 0
    rows = published(cli, approving)
    assert figure(rows[("UDD_OVERGANG", "0561-OST-N", "2022/23")]) == (70, 80, 87.5, "ok")


def test_a_year_covers_its_quarters_and_an_indicator_only_itself(approving, cli):
    ingest(cli, approving, "NGO", "moeder.csv", MEETINGS)
    code, _, err = cli("approve", "--workspace", approving, "--period", "2024",
                       "--indicator", "inkl_deltagere")  # fmt: skip
    assert code == 0, err
    rows = published(cli, approving)
    assert figure(rows[("INKL_DELTAGERE", "0561-OST-N", "2024-Q3")])[0] == 30
    assert figure(rows[("INKL_DELTAGERE", "0561-OST", "2024")])[0] == 200
    assert rows[("UDD_OVERGANG", "0561-OST-N", "2023/24")]["status"] == "pending_approval"


def test_approving_nothing_or_unknown_codes_is_refused_in_both_languages(approving, cli):
    code, _, err = cli("approve", "--workspace", approving, "--period", "2030")
    assert code == 2 and "ingen tal at godkende for 2030" in err and "no figures to approve" in err
    code, _, err = cli("approve", "--workspace", approving, "--period", "2023/24",
                       "--area", "0561-OS")  # fmt: skip
    assert code == 2 and "ukendt område »0561-OS«. Mente du 0561-OST" in err
    code, _, err = cli("approve", "--workspace", approving, "--period", "skoleår")
    assert code == 2 and "is not a period" in err
    assert cli("approvals", "--workspace", approving)[1] == (
        "Intet godkendt endnu. / Nothing approved yet.\n"
    )


def test_a_wrong_publishing_setting_names_its_line(workspace_dir, cli):
    with (workspace_dir / "partnership.yaml").open("a", encoding="utf-8") as f:
        f.write("publishing:\n  approval: sometimes\n")
    code, _, err = cli("indicators", "--workspace", workspace_dir)
    lines = (workspace_dir / "partnership.yaml").read_text(encoding="utf-8").count("\n")
    assert code == 2
    assert f"line {lines}" in err and "must be one of: none, required" in err


def test_the_scorecard_says_what_awaits_approval_and_shows_no_number_before_it(approving, cli):
    out_dir = approving / "reports"
    assert cli("report", "--workspace", approving)[0] == 0
    page = (out_dir / "scorecard.html").read_text(encoding="utf-8")
    assert "Afventer godkendelse: 2022/23, 2023/24" in page
    assert "Awaiting approval: 2022/23, 2023/24" in page
    csv = (out_dir / "published_figures.csv").read_text(encoding="utf-8")
    assert "afventer godkendelse" in csv and ";68;" not in csv and ",68," not in csv

    assert cli("approve", "--workspace", approving, "--period", "2023/24")[0] == 0
    ingest(cli, approving, "SKOLE", "rettelse.csv", CORRECTION)
    assert cli("report", "--workspace", approving)[0] == 0
    page = (out_dir / "scorecard.html").read_text(encoding="utf-8")
    assert "En rettelse af 2023/24 afventer godkendelse" in page
    assert "A correction of 2023/24 awaits approval" in page


def test_the_scorecard_verifies_suppression_against_the_figures_as_approved(approving, cli):
    """A correction to a small count after approval: the page still shows the approved,
    safe figure, and its own suppression check passes (it verifies what was published)."""
    assert cli("approve", "--workspace", approving, "--period", "2023/24")[0] == 0
    small = HEADER + "ELEVER_UDD_15MD;0561-OST-S;2023/24;_T;58\n"  # 60 - 58 = 2: primary
    ingest(cli, approving, "SKOLE", "lille.csv", small)
    rows = published(cli, approving)
    assert figure(rows[("UDD_OVERGANG", "0561-OST-S", "2023/24")])[:2] == (50, 60)
    assert cli("report", "--workspace", approving)[0] == 0
    page = (approving / "reports" / "scorecard.html").read_text(encoding="utf-8")
    check = re.search(r"Diskretionering anvendt.*?</tr>", page, re.S).group()
    assert "✓ bestået" in check
