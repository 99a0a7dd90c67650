"""A mapped export is an ordinary submission: inbox, receipt, archive, latest wins, history;
`ci-measure statistics check` shows the cells first; everything else is handled as before."""

from __future__ import annotations

import json

from tests.ci_measure.intake.statistics import downloads as d
from tests.ci_measure.intake.statistics.test_statistics_download import MAPPING
from tests.helpers import write

BESK_CSV = "indikator,område,periode,værdi\nBESK_16_64,0561,2023,100\n"


def _denominator(cli, root, sex: str = "_T") -> float | None:
    code, out, _ = cli(
        "indicators", "--workspace", root, "--indicator", "BESK_FREKVENS", "--area", "0561",
        "--period", "2023", "--format", "json",
    )  # fmt: skip
    assert code == 0
    rows = [r for r in json.loads(out) if r["sex"] == sex and r["origin"] == "_T"]
    return rows[0]["denominator"] if rows else None


def test_a_download_in_the_inbox_is_taken_in_and_a_correction_wins(
    cli, stat_root, add_mapping, tmp_path
):
    add_mapping("folk1a_tabel.yaml", MAPPING)
    write(stat_root / "inbox" / "DST" / "0_beskaeftigede.csv", BESK_CSV)
    d.write_xlsx(stat_root / "inbox" / "DST" / "1_FOLK1A.xlsx", d.rows())
    code, out, _ = cli("ingest", "--workspace", stat_root)
    assert code == 0, out
    assert "2 godkendt, 0 afvist" in out
    assert "statistics/folk1a_tabel.yaml" in out
    assert not list((stat_root / "inbox" / "DST").iterdir())
    assert len(list((stat_root / "archive").glob("*.xlsx"))) == 1
    receipts = list((stat_root / "outbox" / "DST").glob("1_FOLK1A.*.json"))
    receipt = json.loads(receipts[0].read_text(encoding="utf-8"))
    assert receipt["status"] == "accepted"
    assert receipt["warnings"][0]["code"] == "statistics_mapping"
    working = [a for a in d.AGES if 16 <= a <= 64]
    both = sum(d.figure("Esbjerg", s, a, "2023K4") for s in d.SEXES for a in working)
    assert _denominator(cli, stat_root) == both  # derived from M and F (SPEC §7.3)

    corrected = d.rows(
        {("Esbjerg", "Mænd", 40, "2023K4"): d.figure("Esbjerg", "Mænd", 40, "2023K4") + 10}
    )
    code, out, _ = cli(
        "ingest", d.write_csv(tmp_path / "FOLK1A_rettet.csv", corrected), "--partner", "DST",
        "--workspace", stat_root,
    )  # fmt: skip
    assert code == 0, out
    receipts = list((stat_root / "outbox" / "DST").glob("FOLK1A_rettet.*.json"))
    changes = json.loads(receipts[0].read_text(encoding="utf-8"))["changes"]
    assert changes["corrected"] == 1  # Esbjerg's men aged 16-64 in 2023 (and nothing else)
    assert _denominator(cli, stat_root) == both + 10
    code, out, _ = cli("history", "--workspace", stat_root, "--format", "json")
    names = [h["file"] for h in json.loads(out)]
    assert {"1_FOLK1A.xlsx", "FOLK1A_rettet.csv"} <= set(names)


def test_statistics_check_shows_the_mapping_and_the_first_cells_and_stores_nothing(
    cli, stat_root, add_mapping, tmp_path
):
    add_mapping("folk1a_tabel.yaml", MAPPING)
    path = d.write_csv(tmp_path / "FOLK1A.csv", d.rows())
    code, out, _ = cli("statistics", "check", path, "--workspace", stat_root, "--rows", "3")
    assert code == 0, out
    lines = out.splitlines()
    assert lines[0] == "Tilknytning / mapping: statistics/folk1a_tabel.yaml (partner DST)"
    assert "periods across the columns, header in row 4" in lines[1]
    assert lines[3].split() == [
        "række/row", "dataelement", "område/area", "periode/period", "køn/sex",
        "herkomst/origin", "værdi/value",
    ]  # fmt: skip
    first = sum(d.figure("Esbjerg", "Mænd", a, "2023K4") for a in d.AGES)  # "Alder i alt"
    assert lines[4].split() == [
        "5", "BEF_I_ALT", "0561", "2023", "M", "_T", f"{first:,}".replace(",", "."),
    ]  # fmt: skip
    assert "Godkendt / Accepted" in out
    assert not (stat_root / "warehouse.duckdb").exists()


def test_statistics_check_says_why_no_mapping_fits(cli, stat_root, add_mapping, tmp_path):
    add_mapping(
        "folk1a.yaml",
        "partner: DST\ncolumns: [OMRÅDE, KØN, ALDER, TID, INDHOLD]\nvalue: INDHOLD\nperiod: TID\n"
        'area: {column: OMRÅDE, map: {"561": "0561"}}\nelements: [{data_element: BEF_25}]\n',
    )
    path = write(tmp_path / "f.csv", "OMRÅDE;KØN;ALDER;TID;ENHED;INDHOLD\n561;1;25;2024;Antal;9\n")
    code, out, _ = cli("statistics", "check", path, "--partner", "DST", "--workspace", stat_root)
    assert code == 1
    assert "no mapping fits f.csv" in out
    assert "statistics/folk1a.yaml (DST): row 1 has OMRÅDE, KØN, ALDER, TID, ENHED, INDHOLD" in out
    assert "not in the mapping's columns: ENHED" in out
    code, out, _ = cli("statistics", "check", path, "--partner", "SKOLE", "--workspace", stat_root)
    assert code == 1 and "Ingen tilknytninger for SKOLE" in out
    code, _, err = cli("statistics", "check", path, "--partner", "NOPE", "--workspace", stat_root)
    assert code == 2 and "unknown partner 'NOPE'" in err


def test_a_broken_mapping_stops_intake_and_the_file_waits(cli, stat_root, add_mapping):
    add_mapping("folk1a_tabel.yaml", MAPPING.replace("BEF_I_ALT", "BEF_IALT"))
    waiting = d.write_csv(stat_root / "inbox" / "DST" / "FOLK1A.csv", d.rows())
    code, _, err = cli("ingest", "--workspace", stat_root)
    assert code == 2
    assert "statistics/folk1a_tabel.yaml, line 14: unknown data element 'BEF_IALT'" in err
    assert waiting.exists() and not list((stat_root / "archive").glob("*"))
    code, _, err = cli("statistics", "check", waiting, "--workspace", stat_root)
    assert code == 2 and "line 14" in err


def test_two_mappings_that_fit_one_file_are_a_configuration_mistake(
    cli, stat_root, add_mapping, tmp_path
):
    add_mapping("a.yaml", MAPPING)
    add_mapping("b.yaml", MAPPING.replace("BEF_I_ALT", "BEF_25"))
    path = d.write_csv(tmp_path / "FOLK1A.csv", d.rows())
    code, _, err = cli("check", path, "--partner", "DST", "--workspace", stat_root)
    assert code == 2 and "statistics/a.yaml and statistics/b.yaml both fit FOLK1A.csv" in err


def test_files_that_fit_no_mapping_and_other_partners_files_are_read_as_before(
    cli, stat_root, add_mapping, tmp_path
):
    add_mapping("folk1a_tabel.yaml", MAPPING)
    ordinary = write(tmp_path / "ordinary.csv", BESK_CSV)
    code, out, _ = cli("check", ordinary, "--partner", "DST", "--workspace", stat_root)
    assert code == 0 and "statistics_mapping" not in out
    download = d.write_csv(tmp_path / "FOLK1A.csv", d.rows())
    code, out, _ = cli("check", download, "--partner", "SKOLE", "--workspace", stat_root)
    assert code == 1 and "statistics_mapping" not in out and "missing_column" in out


def test_a_cpr_number_anywhere_in_a_mapped_file_is_personal_data(cli, stat_root, add_mapping):
    add_mapping("folk1a_tabel.yaml", MAPPING)
    rows = d.rows()
    rows.append(["Anm.: spørg 010203-1234 om tallene"])
    d.write_csv(stat_root / "inbox" / "DST" / "FOLK1A.csv", rows)
    code, out, _ = cli("ingest", "--workspace", stat_root)
    assert code == 1 and "personal_data" in out
    assert f"række/row {len(rows)}, kolonne/column »A«" in out
    assert "010203" not in out
    assert not list((stat_root / "archive").glob("*"))


def test_a_px_file_is_refused_with_what_to_download_instead(cli, stat_root, tmp_path):
    px = write(
        tmp_path / "FOLK1A.px",
        'CHARSET="ANSI";\nAXIS-VERSION="2010";\nMATRIX="FOLK1A";\nSTUB="område";\n'
        'HEADING="tid";\nVALUES("område")="Esbjerg";\nVALUES("tid")="2024K1";\nDATA=\n1;\n',
    )
    code, out, _ = cli("check", px, "--partner", "DST", "--workspace", stat_root)
    assert code == 1 and "unreadable_file" in out
    assert "PX-fil (PC-Axis)" in out and "download the table as CSV or Excel" in out
