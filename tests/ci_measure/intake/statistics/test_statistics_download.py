"""The table download (title lines, blank header cells over the labels, the quarters across,
totals, notes below) as CSV and XLSX: what is summed, what is left out, what is refused."""

from __future__ import annotations

import pytest

from ci_measure.config.workspace import load_workspace
from ci_measure.intake.validate import validate_file
from tests.ci_measure.intake.statistics import downloads as d

MAPPING = """\
partner: DST
columns: [OMRÅDE, KØN, ALDER]     # the label columns; their header cells are blank
period: {across: true}
area:
  column: OMRÅDE
  map: {Esbjerg: "0561", Hele landet: DK}
sex:
  column: KØN
  map: {Mænd: M, Kvinder: F, I alt: _T}
elements:
  - data_element: BEF_16_64
    where: {ALDER: "16-64"}
    year_from: last
  - data_element: BEF_I_ALT
    year_from: last
"""


def _esbjerg(cells, element, sex="M", period="2023"):
    hit = cells[
        (cells["data_element"] == element)
        & (cells["area"] == "0561")
        & (cells["sex"] == sex)
        & (cells["period"] == period)
    ]
    assert len(hit) == 1, hit
    return hit.iloc[0]


def _validate(stat_root, add_mapping, path, mapping=MAPPING):
    add_mapping("folk1a_tabel.yaml", mapping)
    return validate_file(path, load_workspace(stat_root), "DST")


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_table_download_sums_the_ages_and_takes_the_last_quarter(
    stat_root, add_mapping, tmp_path, kind
):
    path = tmp_path / f"FOLK1A.{kind}"
    (d.write_csv if kind == "csv" else d.write_xlsx)(path, d.rows())
    validation = _validate(stat_root, add_mapping, path)
    receipt = validation.receipt
    assert receipt.accepted, receipt.errors
    cells = validation.observations
    working = [a for a in d.AGES if 16 <= a <= 64]
    for sex, label in (("M", "Mænd"), ("F", "Kvinder")):
        expected = sum(d.figure("Esbjerg", label, a, "2023K4") for a in working)
        assert _esbjerg(cells, "BEF_16_64", sex)["value"] == expected
        everyone = sum(d.figure("Esbjerg", label, a, "2023K4") for a in d.AGES)
        assert _esbjerg(cells, "BEF_I_ALT", sex)["value"] == everyone  # the total, once
    assert set(cells["period"]) == {"2023"}  # 2024 has three quarters only
    assert set(cells["area"]) == {"0561", "DK"}
    row = _esbjerg(cells, "BEF_16_64")["row"]
    assert row == d.row_of("Esbjerg", "Mænd", 16)  # the first row summed, as the partner sees it
    codes = [w.code for w in receipt.warnings]
    assert codes == ["statistics_mapping", "unmapped_area", "incomplete_year", "incomplete_year"]
    unmapped = receipt.warnings[1]
    assert unmapped.value == "Aarhus"
    assert unmapped.message_da.startswith(f"{2 * (len(d.AGES) + 1) * len(d.QUARTERS)} rækker")
    assert "BEF_16_64: 2024 er udeladt" in receipt.warnings[2].message_da


def test_csv_and_xlsx_downloads_give_the_same_cells(stat_root, add_mapping, tmp_path):
    csv = validate_file(
        d.write_csv(tmp_path / "a.csv", d.rows()),
        load_workspace(stat_root),
        "DST",
    )
    assert not csv.receipt.accepted  # no mapping yet: handled exactly as before
    add_mapping("folk1a_tabel.yaml", MAPPING)
    ws = load_workspace(stat_root)
    first = validate_file(tmp_path / "a.csv", ws, "DST").observations
    second = validate_file(d.write_xlsx(tmp_path / "b.xlsx", d.rows()), ws, "DST").observations
    assert first.drop(columns="comment").equals(second.drop(columns="comment"))


def test_a_suppressed_part_makes_the_sum_missing_at_source_never_partial(
    stat_root, add_mapping, tmp_path
):
    rows = d.rows({("Esbjerg", "Kvinder", 25, "2023K4"): ".."})
    validation = _validate(stat_root, add_mapping, d.write_csv(tmp_path / "f.csv", rows))
    assert validation.receipt.accepted, validation.receipt.errors
    cells = validation.observations
    women = _esbjerg(cells, "BEF_16_64", "F")
    assert bool(women["missing_at_source"]) and women["value"] != women["value"]  # NaN
    men = _esbjerg(cells, "BEF_16_64", "M")
    assert not men["missing_at_source"] and men["value"] > 0
    assert not _esbjerg(cells, "BEF_I_ALT", "F")["missing_at_source"]  # the total row has it


def test_a_part_that_is_no_number_is_refused_at_its_own_row(stat_root, add_mapping, tmp_path):
    rows = d.rows({("Esbjerg", "Mænd", 40, "2023K4"): "12x"})
    receipt = _validate(stat_root, add_mapping, d.write_csv(tmp_path / "f.csv", rows)).receipt
    assert not receipt.accepted
    (error,) = receipt.errors
    assert error.code == "not_a_number" and error.value == "12x"
    assert error.row == d.row_of("Esbjerg", "Mænd", 40)
    assert "»12x« er ikke et tal" in error.message_da


def test_year_from_sum_adds_the_four_quarters(stat_root, add_mapping, tmp_path):
    mapping = MAPPING.replace("BEF_16_64\n", "TILFLYTTEDE\n").replace(
        "    year_from: last\n  - data_element: BEF_I_ALT\n    year_from: last\n",
        "    year_from: sum\n",
    )
    validation = _validate(
        stat_root, add_mapping, d.write_csv(tmp_path / "f.csv", d.rows()), mapping
    )
    assert validation.receipt.accepted, validation.receipt.errors
    quarters = [q for q in d.QUARTERS if q.startswith("2023")]
    working = [a for a in d.AGES if 16 <= a <= 64]
    expected = sum(d.figure("Esbjerg", "Kvinder", a, q) for a in working for q in quarters)
    assert _esbjerg(validation.observations, "TILFLYTTEDE", "F")["value"] == expected


def test_without_a_sex_mapping_the_total_of_an_unused_column_is_never_added_to_its_parts(
    stat_root, add_mapping, tmp_path
):
    table = d.rows()
    # Add "I alt" rows for KØN (men + women) to Esbjerg's block, as a download with totals has.
    header = table.index(["", "", "", *d.QUARTERS])
    totals = [
        sum(d.figure("Esbjerg", s, a, q) for s in d.SEXES for a in d.AGES) for q in d.QUARTERS
    ]
    table.insert(header + 1, ["Esbjerg", "I alt", "Alder i alt", *totals])
    table[header + 2][0] = "Esbjerg"
    mapping = MAPPING.replace("sex:\n  column: KØN\n  map: {Mænd: M, Kvinder: F, I alt: _T}\n", "")
    validation = _validate(stat_root, add_mapping, d.write_csv(tmp_path / "f.csv", table), mapping)
    assert validation.receipt.accepted, validation.receipt.errors
    total = _esbjerg(validation.observations, "BEF_I_ALT", "_T")
    assert total["value"] == totals[3]  # 2023K4, the "I alt" row alone - not twice as much


def test_title_lines_blank_header_cells_and_notes_are_not_cells(stat_root, add_mapping, tmp_path):
    validation = _validate(
        stat_root, add_mapping, d.write_csv(tmp_path / "f.csv", d.rows(), "utf-8-sig")
    )
    assert validation.receipt.accepted
    rows = set(validation.observations["row"])
    assert min(rows) > 4  # below the title, unit and header lines
    assert max(rows) < len(d.rows()) - 2  # above the notes
