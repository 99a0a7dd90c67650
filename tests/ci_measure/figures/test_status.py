"""`ci-measure status`: per partner, what is delivered, missing, late or rejected, and since when."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ci_measure.errors import UsageError
from ci_measure.figures import status
from ci_measure.intake import ingest
from tests.ci_measure.intake.test_template import TODAY, make_workspace
from tests.helpers import write

HEADER = "dataelement;område;periode;køn;værdi\n"


@pytest.fixture
def ws(tmp_path: Path):
    return make_workspace(tmp_path / "ws")


def school_file(period: str, areas: tuple[str, ...]) -> str:
    lines = [
        f"{e};{a};{period};{s};{10 if e == 'ELEVER_UDD_15MD' else 20}"
        for e in ("ELEVER_AFGANG_9KL", "ELEVER_UDD_15MD", "KARAKTER_SUM_9KL", "KARAKTER_ANTAL_9KL")
        for a in areas
        for s in ("M", "F")
    ]
    return HEADER + "\n".join(lines) + "\n"


def states(cells) -> dict[tuple[str, str, str], set[str]]:
    found: dict[tuple[str, str, str], set[str]] = {}
    for r in cells.itertuples():
        found.setdefault((r.partner, r.data_element, r.area), set()).add(r.state)
    return found


def test_without_a_warehouse_everything_is_late_and_nothing_is_created(ws):
    cells, partners = status.status(ws, today=TODAY)
    assert set(cells["state"]) == {"late"} and len(cells) == 16 + 18 + 2
    assert set(cells["due_period"]) == {"2023/24", "2024", "2024-Q4"}
    assert partners["partner"].tolist() == ["SKOLE", "KOMMUNE", "NGO"]
    assert partners["last_delivered"].tolist() == ["", "", ""]
    assert not ws.warehouse_path.exists()


def test_delivered_missing_late_and_rejected(ws, tmp_path):
    ingest.ingest_external(
        ws,
        write(tmp_path / "s1.csv", school_file("2023/24", ("0561-OST-N", "0561-OST-S"))),
        "SKOLE",
    )
    ingest.ingest_external(
        ws, write(tmp_path / "s2.csv", school_file("2024/25", ("0561-OST-N",))), "SKOLE"
    )
    bad = HEADER + "INKL_DELTAGERE;0561-OST-N;2024-Q4;_T;mange\n"
    assert ingest.ingest_external(ws, write(tmp_path / "ngo.csv", bad), "NGO").status == "rejected"

    cells, partners = status.status(ws, today=TODAY)
    found = states(cells)
    assert found[("SKOLE", "ELEVER_AFGANG_9KL", "0561-OST-N")] == {"delivered"}
    # 2024/25 has been reported for Nord, not for Syd: Syd is missing it.
    assert found[("SKOLE", "ELEVER_AFGANG_9KL", "0561-OST-S")] == {"missing"}
    assert found[("KOMMUNE", "BEF_25", "0561")] == {"late"}
    assert found[("NGO", "INKL_DELTAGERE", "0561-OST-N")] == {"rejected"}
    north = cells[(cells["partner"] == "SKOLE") & (cells["area"] == "0561-OST-N")]
    assert set(north["delivered_period"]) == {"2024/25"}
    by_partner = partners.set_index("partner")
    assert (
        by_partner.loc["SKOLE", "last_delivered"] != ""
        and by_partner.loc["SKOLE", "last_file"] == "s2.csv"
    )
    assert (by_partner.loc["SKOLE", "delivered"], by_partner.loc["SKOLE", "missing"]) == (8, 8)
    assert (by_partner.loc["NGO", "last_status"], by_partner.loc["NGO", "rejected"]) == (
        "rejected",
        2,
    )
    assert by_partner.loc["NGO", "last_delivered"] == ""


def test_one_partner_and_the_three_formats(ws, tmp_path):
    ingest.ingest_external(
        ws, write(tmp_path / "s1.csv", school_file("2023/24", ("0561-OST-N",))), "SKOLE"
    )
    cells, partners = status.status(ws, partner="skole", today=TODAY)
    assert set(cells["partner"]) == {"SKOLE"} and partners["partner"].tolist() == ["SKOLE"]
    table = status.render(cells, partners)
    lines = table.splitlines()
    assert lines[1].split()[:3] == ["partner", "navn", "senest"] and lines[2].startswith(
        "partner  name"
    )
    assert "dataelement" in table and "data element" in table
    assert "leveret / delivered" in table and "mangler / missing" in table
    detail = [line for line in lines if line.startswith("SKOLE    ELEVER_AFGANG_9KL")]
    assert len({line.rindex("2023/24") for line in detail}) == 1  # aligned columns
    data = json.loads(status.render(cells, partners, "json"))
    assert data["partners"][0]["delivered"] == 8 and len(data["cells"]) == 16
    csv_lines = status.render(cells, partners, "csv").splitlines()
    assert csv_lines[0] == "partner,data_element,area,sex,origin,delivered_period,due_period,state"
    assert len(csv_lines) == 17
    with pytest.raises(UsageError, match="unknown partner 'NOPE'"):
        status.status(ws, partner="NOPE", today=TODAY)


def test_the_status_command(cli, workspace_dir, tmp_path):
    good = HEADER + "ELEVER_AFGANG_9KL;0561-OST-N;2023/24;_T;40\n"
    cli(
        "ingest",
        write(tmp_path / "s.csv", good),
        "--partner",
        "SKOLE",
        "--workspace",
        workspace_dir,
    )
    code, out, err = cli("status", "--workspace", workspace_dir)
    assert (code, err) == (0, "")
    assert out.startswith("Partnere / partners\npartner  navn")
    assert {"SKOLE", "KOMMUNE", "NGO"} <= {line.split()[0] for line in out.splitlines()[4:7]}
    code, out, _ = cli(
        "status", "--partner", "NGO", "--format", "json", "--workspace", workspace_dir
    )
    data = json.loads(out)
    assert code == 0 and [p["partner"] for p in data["partners"]] == ["NGO"]
    assert {c["partner"] for c in data["cells"]} == {"NGO"}
    code, _, err = cli("status", "--partner", "NOPE", "--workspace", workspace_dir)
    assert (
        code == 2
        and err.startswith("[usage_error] ukendt partner »NOPE«")
        and "unknown partner 'NOPE'" in err
    )


def test_times_are_danish_for_people_and_iso_utc_for_machines(ws, tmp_path):
    import re

    ingest.ingest_external(
        ws, write(tmp_path / "s1.csv", school_file("2023/24", ("0561-OST-N",))), "SKOLE"
    )
    cells, partners = status.status(ws, partner="SKOLE", today=TODAY)
    data = json.loads(status.render(cells, partners, "json"))
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", data["partners"][0]["last_delivered"])
    table = status.render(cells, partners)
    assert re.search(r"\d\d-\d\d-\d{4} kl\. \d\d:\d\d (CET|CEST)", table)
