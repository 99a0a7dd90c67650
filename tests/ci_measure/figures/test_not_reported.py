"""SPEC §4/§7 with the empty-cell rule: a blank value cell is "not reported".

Blank value cells in a correction leave the earlier values standing (§7.1 latest wins, per
cell), the reference of §7.3–7.5 agrees with the pipeline, and an empty file (a blank
template) is no delivery in `status`.
"""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from ci_measure.figures import indicator_rows, status
from ci_measure.intake import ingest, template
from tests.ci_measure.figures.reference import Reference, cell
from tests.ci_measure.figures.test_compute_property import as_dicts, assert_same_rows
from tests.ci_measure.intake.test_template import TODAY, make_workspace
from tests.helpers import write

HEADER = "dataelement;område;periode;køn;værdi\n"
KEY = ["indicator", "area", "period", "sex", "origin"]
FIRST = {  # (element, area, sex) -> value, school year 2023/24
    ("ELEVER_AFGANG_9KL", "0561-OST-N", "M"): 40,
    ("ELEVER_UDD_15MD", "0561-OST-N", "M"): 34,
    ("ELEVER_AFGANG_9KL", "0561-OST-N", "F"): 38,
    ("ELEVER_UDD_15MD", "0561-OST-N", "F"): 35,
    ("ELEVER_AFGANG_9KL", "0561-OST-S", "_T"): 25,
    ("ELEVER_UDD_15MD", "0561-OST-S", "_T"): 20,
}
# The correction: one figure changed, one marked missing at source, the rest left blank.
CORRECTION = {
    ("ELEVER_AFGANG_9KL", "0561-OST-N", "M"): "",
    ("ELEVER_UDD_15MD", "0561-OST-N", "M"): "36",
    ("ELEVER_AFGANG_9KL", "0561-OST-N", "F"): "",
    ("ELEVER_UDD_15MD", "0561-OST-N", "F"): "",
    ("ELEVER_AFGANG_9KL", "0561-OST-S", "_T"): "",
    ("ELEVER_UDD_15MD", "0561-OST-S", "_T"): "..",
}


def _file(values: dict) -> str:
    return HEADER + "".join(f"{e};{a};2023/24;{s};{v}\n" for (e, a, s), v in values.items())


def test_blank_cells_in_a_correction_leave_the_earlier_values_standing(workspace, tmp_path):
    first = ingest.ingest_external(workspace, write(tmp_path / "1.csv", _file(FIRST)), "SKOLE")
    second = ingest.ingest_external(
        workspace, write(tmp_path / "2.csv", _file(CORRECTION)), "SKOLE"
    )
    assert first.accepted and second.accepted and second.rows == 2
    assert second.changes == {"new": 0, "corrected": 2, "unchanged": 0}

    expected = dict(FIRST)  # earlier values stand where the correction is blank
    expected[("ELEVER_UDD_15MD", "0561-OST-N", "M")] = 36
    expected[("ELEVER_UDD_15MD", "0561-OST-S", "_T")] = None  # `..`: missing at source
    cells = [cell(e, a, "2023/24", v, s) for (e, a, s), v in expected.items()]
    reference = Reference(cells, workspace.catalog, workspace.partnership)

    rows = indicator_rows(workspace, indicator="UDD_OVERGANG")
    want = {tuple(r[k] for k in KEY): r for r in reference.rows(["UDD_OVERGANG"])}
    assert_same_rows(as_dicts(rows), want)
    n = as_dicts(rows)[("UDD_OVERGANG", "0561-OST-N", "2023/24", "_T", "_T")]
    assert (n["numerator"], n["denominator"], n["status"]) == (71, 78, "ok")  # 36 + 35, 40 + 38
    s = as_dicts(rows)[("UDD_OVERGANG", "0561-OST-S", "2023/24", "_T", "_T")]
    assert s["status"] == "missing_at_source"


@pytest.fixture
def ws(tmp_path: Path):
    return make_workspace(tmp_path / "ws")


def test_an_empty_template_is_no_delivery_in_status(ws, tmp_path):
    blank = tmp_path / "ngo.xlsx"
    template.write_template(ws, "NGO", blank, TODAY)
    receipt = ingest.ingest_external(ws, blank, "NGO")
    assert receipt.status == "rejected" and receipt.errors[0].code == "empty_file"
    cells, partners = status.status(ws, partner="NGO", today=TODAY)
    assert "rejected" not in set(cells["state"])  # nothing was delivered, nothing refused
    assert partners.loc[0, "last_status"] == "" and partners.loc[0, "rejected"] == 0

    book = openpyxl.load_workbook(blank)
    book["data"]["F2"] = "mange"  # a real (bad) delivery does count as rejected
    book.save(tmp_path / "ngo2.xlsx")
    assert ingest.ingest_external(ws, tmp_path / "ngo2.xlsx", "NGO").status == "rejected"
    cells, partners = status.status(ws, partner="NGO", today=TODAY)
    assert "rejected" in set(cells["state"]) and partners.loc[0, "last_status"] == "rejected"
