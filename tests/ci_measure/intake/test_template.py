"""The partner's template (SPEC §9): the rows it owes, and a workbook Excel cannot spoil.

The round trip is the promise: a partner types numbers into the template, saves it, and
`check` accepts it unchanged; `ingest` stores it and the next template asks for the next period.
"""

from __future__ import annotations

import codecs
import datetime as dt
import tempfile
from dataclasses import replace
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ci_measure.config.model import Area, Assignment, Catalog, Partner, Partnership, Rule, Workspace
from ci_measure.errors import UsageError
from ci_measure.intake import ingest, template
from ci_measure.intake.validate import validate_file
from tests.ci_measure.figures.reference import SPEC_RULES, spec_catalog

TODAY = dt.date(2026, 3, 1)
RULES = SPEC_RULES
PARTS = {part for part, _ in RULES}
AREAS = (
    Area("0561", "Esbjerg Kommune"),
    Area("0561-OST", "Østerbyen", "0561"),
    Area("0561-OST-N", "Nord", "0561-OST"),
    Area("0561-OST-S", "Syd", "0561-OST"),
)
SCHOOL = ("ELEVER_AFGANG_9KL", "ELEVER_UDD_15MD", "KARAKTER_SUM_9KL", "KARAKTER_ANTAL_9KL")
PARTNERS = (
    Partner(
        "SKOLE",
        "Østerbyens skoler",
        (Assignment(SCHOOL, ("0561-OST-N", "0561-OST-S"), ("M", "F")),),
    ),
    Partner(
        "KOMMUNE",
        "Esbjerg Kommune, statistik",
        (
            Assignment(
                ("BEF_25", "BEF_25_UDD", "CO2E_TON"),
                ("0561", "0561-OST"),
                ("_T",),
                ("DK", "IMM", "DESC"),
            ),
        ),
    ),
    Partner(
        "NGO",
        "Mødestedet",
        (Assignment(("INKL_DELTAGERE", "INKL_DELTAGERE_HANDICAP"), ("0561-OST-N",)),),
    ),
)


def catalog() -> Catalog:
    """SPEC §5 with Danish labels, definitions, the negative grade sum and the §5 rules."""
    base = spec_catalog()
    elements = {
        code: replace(
            d,
            label_da=f"Betegnelse for {code}",
            definition_da=f"Definition af {code} <&>",
            allow_negative=code == "KARAKTER_SUM_9KL",
        )
        for code, d in base.data_elements.items()
    }
    return Catalog(elements, base.indicators, tuple(Rule(p, w) for p, w in RULES))


def make_workspace(root: Path, partners: tuple[Partner, ...] = PARTNERS) -> Workspace:
    return Workspace(Path(root), Partnership("Testpartnerskab", AREAS, partners), catalog())


def fill(path: Path, target: Path, ws: Workspace) -> int:
    """Type a valid number in every prefilled value cell, as a person would, and save."""
    book = openpyxl.load_workbook(path)
    sheet = book["data"]
    typed = 0
    for row in range(2, sheet.max_row + 1):
        element = sheet.cell(row, 1).value
        if not element:
            continue
        d = ws.catalog.data_elements[element]
        value = (
            1234.5
            if not d.is_count
            else -3
            if d.allow_negative
            else 10
            if element in PARTS
            else 100
        )
        sheet.cell(row, 6).value = value
        typed += 1
    book.save(target)
    return typed


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    return make_workspace(tmp_path / "ws")


def test_rows_are_exactly_the_partners_cells_in_the_next_period_due(ws):
    rows = template.template_rows(ws, "skole", TODAY)
    expected = {
        (e, a, "2023/24", s, "_T")
        for e in SCHOOL
        for a in ("0561-OST-N", "0561-OST-S")
        for s in ("M", "F")
    }
    assert [tuple(vars(r).values()) for r in rows] == sorted(
        expected, key=lambda r: (SCHOOL.index(r[0]), r[1], "MF".index(r[3]))
    )
    kommune = template.template_rows(ws, "KOMMUNE", TODAY)
    assert len(kommune) == 3 * 2 * 3 and {r.origin for r in kommune} == {"DK", "IMM", "DESC"}
    assert {r.period for r in kommune} == {"2024"}
    # After a delivery the next period follows the last one delivered, per data element.
    later = template.template_rows(ws, "NGO", TODAY, delivered={"INKL_DELTAGERE": "2024-Q4"})
    assert {(r.data_element, r.period) for r in later} == {
        ("INKL_DELTAGERE", "2025-Q1"),
        ("INKL_DELTAGERE_HANDICAP", "2024-Q4"),
    }


def test_workbook_has_text_periods_dropdowns_number_rules_and_a_protected_frozen_header(
    ws, tmp_path
):
    path = tmp_path / "skole.xlsx"
    assert template.write_template(ws, "SKOLE", path, TODAY) == 16
    book = openpyxl.load_workbook(path)
    assert book.sheetnames[:2] == ["data", "vejledning"] and book.active.title == "data"
    assert book["lister"].sheet_state == "hidden"
    sheet = book["data"]
    assert [c.value for c in sheet[1]] == [
        "dataelement",
        "område",
        "periode",
        "køn",
        "herkomst",
        "værdi",
        "kommentar",
    ]
    assert sheet.freeze_panes == "A2" and sheet.protection.sheet
    assert all(c.protection.locked for c in sheet[1])
    body = list(sheet.iter_rows(min_row=2, max_row=17))
    assert all(
        r[2].value == "2023/24" and r[2].data_type == "s" and r[2].number_format == "@"
        for r in body
    )
    assert all(r[5].value is None and not r[5].protection.locked for r in body)
    assert sheet.column_dimensions["C"].number_format == "@"  # rows typed below stay text too
    validations = sheet.data_validations.dataValidation

    def rule(coord: str):
        [found] = [dv for dv in validations if coord in dv.sqref]
        return found

    rules = {coord: rule(coord) for coord in ("A2", "C2", "D2", "E2", "A217", "F217")}
    assert rules["A2"].type == "list" and rules["A2"].formula1 == "lister!$A$2:$A$5"
    assert [c.value for c in book["lister"]["A"][1:]] == list(SCHOOL)
    assert rules["D2"].formula1 == "lister!$C$2:$C$4" and rules["E2"].formula1 == "lister!$D$2:$D$5"
    assert rules["C2"].type is None and "tekst" in rules["C2"].prompt  # the period: a hint only
    # 200 spare rows below for corrections: same dropdowns, the partner's most permissive number rule
    assert rules["A217"] is rules["A2"] and not [dv for dv in validations if "A218" in dv.sqref]
    # numbers of the element's kind, or a marker of SPEC §4 (a partner can type `..`)
    assert rules["F217"].type == "custom" and "F18>=0" not in rules["F217"].formula1
    counts = [rule(f"F{r}") for r in range(2, 18) if sheet.cell(r, 1).value == "ELEVER_AFGANG_9KL"]
    [count] = {id(dv): dv for dv in counts}.values()
    first = str(count.sqref).split()[0].split(":")[0]
    assert count.type == "custom" and count.formula1 == (
        f"OR(AND(ISNUMBER({first}),{first}>=0,{first}=INT({first}),ABS({first})<=1000000000000),"
        f'{first}="..",{first}="-",{first}="x",{first}="NA",LEFT({first},1)="<")'
    )
    grades = [rule(f"F{r}") for r in range(2, 18) if sheet.cell(r, 1).value == "KARAKTER_SUM_9KL"]
    assert all(">=0" not in dv.formula1 and "INT(" in dv.formula1 for dv in grades)
    assert all(dv.errorStyle == "stop" and "skriv .." in dv.error for dv in counts)
    assert all(
        "En tom celle betyder, at I ikke indberetter tallet nu" in dv.prompt for dv in counts
    )


def test_non_counts_get_decimal_validation_and_the_guide_explains_in_danish(ws, tmp_path):
    path = tmp_path / "kommune.xlsx"
    template.write_template(ws, "KOMMUNE", path, TODAY)
    book = openpyxl.load_workbook(path)
    sheet = book["data"]
    co2 = next(r for r in range(2, 20) if sheet.cell(r, 1).value == "CO2E_TON")
    [dv] = [dv for dv in sheet.data_validations.dataValidation if f"F{co2}" in dv.sqref]
    assert dv.type == "custom" and "INT(" not in dv.formula1 and '="..' in dv.formula1
    guide = "\n".join(
        str(c.value) for row in book["vejledning"].iter_rows() for c in row if c.value
    )
    assert "Definition af CO2E_TON <&>" in guide and "Betegnelse for BEF_25" in guide
    assert "diskretioneret" in guide and "skriv .." in guide and "Esbjerg Kommune" in guide
    assert "En række, I lader stå tom, er ikke indberettet" in guide
    assert "lad cellen stå tom" not in guide.lower()
    assert "inbox/KOMMUNE/" in guide and book["vejledning"].protection.sheet


def test_csv_variant_has_the_same_rows_bom_semicolons_and_excel_proof_months(ws, tmp_path):
    monthly = replace(ws.catalog.data_elements["INKL_DELTAGERE"], period_type="month")
    ws = replace(
        ws,
        catalog=replace(
            ws.catalog, data_elements={**ws.catalog.data_elements, "INKL_DELTAGERE": monthly}
        ),
    )
    path = tmp_path / "ngo.csv"
    assert template.write_template(ws, "NGO", path, TODAY) == 2
    data = path.read_bytes()
    assert data.startswith(codecs.BOM_UTF8)
    lines = data.decode("utf-8-sig").splitlines()
    assert lines[0] == "dataelement;område;periode;køn;herkomst;værdi;kommentar"
    assert lines[1] == "INKL_DELTAGERE;0561-OST-N;2025M02;_T;_T;;"  # Excel keeps 2025M02 as text
    filled = tmp_path / "ngo-filled.csv"
    filled.write_text(
        "\n".join([lines[0], lines[1].replace(";;", ";7;"), lines[2].replace(";;", ";1.234;")]),
        encoding="utf-8-sig",
    )
    receipt = validate_file(filled, ws, "NGO").receipt
    assert receipt.accepted and receipt.rows == 2 and receipt.warnings == []


def test_unfilled_template_and_spare_rows_are_read_as_the_partner_sees_them(ws, tmp_path):
    path = tmp_path / "ngo.xlsx"
    template.write_template(ws, "NGO", path, TODAY)
    book = openpyxl.load_workbook(path)
    sheet = book["data"]
    sheet["F2"] = 12
    for column, value in zip(
        "ABCDEF", ["INKL_DELTAGERE", "0561-OST-N", "2024-Q3", "_T", "_T", 9], strict=True
    ):
        sheet[f"{column}4"] = value  # a correction typed into the first spare row
    book.save(path)
    receipt = validate_file(path, ws, "NGO").receipt
    assert receipt.accepted and receipt.rows == 2  # the row left blank is not reported
    [skipped] = [w for w in receipt.warnings if w.code == "rows_not_reported"]
    assert "1 række uden tal i kolonnen »værdi« er ikke indberettet (række 3)" in skipped.message_da


def test_text_from_the_configuration_is_never_a_formula(tmp_path):
    partners = (Partner("P", "Partner", (Assignment(("BEF_25",), ("0561",)),)),)
    ws = make_workspace(tmp_path / "ws", partners)
    evil = '=HYPERLINK("http://x","klik")'
    ws = replace(ws, partnership=replace(ws.partnership, areas=(Area("0561", evil),)))
    template.write_template(ws, "P", tmp_path / "p.xlsx", TODAY)
    guide = openpyxl.load_workbook(tmp_path / "p.xlsx")["vejledning"]
    [cell] = [c for row in guide.iter_rows() for c in row if c.value == evil]
    assert cell.data_type == "s" and cell.quotePrefix


def test_refuses_other_formats_and_unknown_partners(ws, tmp_path):
    with pytest.raises(UsageError, match="xlsx or .csv"):
        template.write_template(ws, "NGO", tmp_path / "t.ods", TODAY)
    with pytest.raises(UsageError, match="unknown partner 'NOPE'. Did you mean NGO"):
        template.write_template(ws, "NOPE", tmp_path / "t.xlsx", TODAY)


def test_no_warehouse_is_nothing_delivered_and_none_is_created(ws):
    assert template.delivered_periods(ws, "SKOLE") == {}
    assert not ws.warehouse_path.exists()


ELEMENTS = sorted(spec_catalog().data_elements)
SEXES = [("_T",), ("M", "F"), ("M", "F", "_T")]
ORIGINS = [("_T",), ("DK", "IMM", "DESC"), ("DK", "IMM", "DESC", "_T")]


@st.composite
def partnerships(draw) -> tuple[Partner, ...]:
    """A random partnership: each chosen data element owned by one of up to three partners."""
    chosen = draw(st.lists(st.sampled_from(ELEMENTS), min_size=1, max_size=6, unique=True))
    owner = {e: draw(st.integers(0, 2)) for e in chosen}
    partners = []
    for i in range(3):
        mine = tuple(e for e in chosen if owner[e] == i)
        if not mine:
            continue
        areas = draw(
            st.lists(st.sampled_from([a.code for a in AREAS]), min_size=1, max_size=2, unique=True)
        )
        assignment = Assignment(
            mine, tuple(areas), draw(st.sampled_from(SEXES)), draw(st.sampled_from(ORIGINS))
        )
        partners.append(Partner(f"P{i}", f"Partner {i}", (assignment,)))
    return tuple(partners)


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(partners=partnerships(), today=st.dates(dt.date(2023, 1, 1), dt.date(2030, 12, 31)))
def test_every_partner_of_a_random_partnership_fills_its_template_and_it_is_ingested(
    partners, today
):
    with tempfile.TemporaryDirectory() as tmp:
        ws = make_workspace(Path(tmp) / "ws", partners)
        for partner in partners:
            blank, filled = (
                Path(tmp) / f"{partner.code}.xlsx",
                Path(tmp) / f"{partner.code}-udfyldt.xlsx",
            )
            rows = template.write_template(ws, partner.code, blank, today)
            assert fill(blank, filled, ws) == rows
            checked = validate_file(filled, ws, partner.code).receipt
            assert checked.accepted, checked.errors
            assert checked.rows == rows and checked.warnings == []
            receipt = ingest.ingest_external(ws, filled, partner.code)
            assert receipt.accepted and receipt.changes == {
                "new": rows,
                "corrected": 0,
                "unchanged": 0,
            }
            # The next template asks for the period after the one just delivered.
            first = template.template_rows(ws, partner.code, today)[0]
            assert first.period == template.periods.next_period(
                template.template_rows(ws, partner.code, today, delivered={})[0].period
            )


def test_every_partner_of_the_configured_workspace_round_trips_through_the_cli(
    cli, workspace_dir, workspace, tmp_path
):
    for partner in workspace.partnership.partners:
        blank, filled = tmp_path / f"{partner.code}.xlsx", tmp_path / f"{partner.code}-udfyldt.xlsx"
        code, out, err = cli(
            "template", "--partner", partner.code, "-o", blank, "--workspace", workspace_dir
        )
        assert (code, err) == (0, "") and "Skabelon skrevet / template written" in out
        rows = fill(blank, filled, workspace)
        code, out, _ = cli("check", filled, "--partner", partner.code, "--workspace", workspace_dir)
        assert code == 0 and out.startswith(
            f"Godkendt / Accepted: {filled.name} ({partner.code}, {rows} rækker/rows)"
        )
        code, out, _ = cli(
            "ingest", filled, "--partner", partner.code, "--workspace", workspace_dir
        )
        assert code == 0, out


def test_the_cli_refuses_a_template_it_cannot_write(cli, workspace_dir, tmp_path):
    code, _, err = cli(
        "template", "--partner", "SKOLE", "-o", tmp_path / "t.pdf", "--workspace", workspace_dir
    )
    assert code == 2 and err.startswith("[usage_error]")


def test_every_partner_of_the_demo_partnership_round_trips(tmp_path):
    from ci_measure.config.workspace import DEMO, init_workspace, load_workspace

    assert (DEMO / "partnership.yaml").is_file()
    ws = load_workspace(init_workspace(tmp_path / "demo", demo=True))
    for partner in ws.partnership.partners:
        blank, filled = tmp_path / f"{partner.code}.xlsx", tmp_path / f"{partner.code}-udfyldt.xlsx"
        rows = template.write_template(ws, partner.code, blank, TODAY)
        assert fill(blank, filled, ws) == rows
        receipt = validate_file(filled, ws, partner.code).receipt
        assert receipt.accepted and receipt.rows == rows, receipt.errors
