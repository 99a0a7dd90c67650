"""Real Statistikbanken exports (shared/realdata) read through mappings: the cells equal a
direct sum over the file, computed here with pandas and DuckDB, not with our code."""

from __future__ import annotations

import duckdb
import pandas as pd

from ci_measure.config.workspace import load_workspace
from ci_measure.intake.validate import validate_file
from tests.ci_measure.intake.statistics.conftest import real

FOLK1A = "dst_folk1a_bulk_koder_kvartaler.csv"
STATUSU6 = "dst_statusu6_uddannelsesstatus_kommune_2024.csv"
KKBYG1 = "kk_statbank_kkbyg1_bygninger_1850_1899.csv"

FOLK1A_MAPPING = """\
partner: DST
columns: [OMRÅDE, KØN, ALDER, TID, INDHOLD]
value: INDHOLD
period: TID
area:
  column: OMRÅDE
  map: {"561": "0561", "461": "0461", "000": DK}
sex:
  column: KØN
  map: {"1": M, "2": F, "TOT": _T}
elements:
  - data_element: BEF_16_64_KVT
    where: {ALDER: "16-64"}
  - data_element: BEF_KVT
"""


def _cells(validation) -> pd.DataFrame:
    frame = validation.observations
    return frame[["data_element", "area", "period", "sex", "origin", "value"]]


def _folk1a() -> pd.DataFrame:
    frame = pd.read_csv(real(FOLK1A), sep=";", dtype=str)
    frame["INDHOLD"] = frame["INDHOLD"].astype(int)
    frame["age"] = frame["ALDER"].astype(int)
    return frame


def test_folk1a_bulk_cells_equal_a_direct_sum_over_the_file(stat_root, add_mapping):
    add_mapping("folk1a.yaml", FOLK1A_MAPPING)
    ws = load_workspace(stat_root)
    validation = validate_file(real(FOLK1A), ws, "DST")
    receipt = validation.receipt
    assert receipt.accepted, receipt.errors
    cells = _cells(validation)
    direct = _folk1a()
    codes = {"561": "0561", "461": "0461", "000": "DK"}
    direct = direct[direct["OMRÅDE"].isin(codes)]
    working = direct[direct["age"].between(16, 64)]
    expected = working.groupby(["OMRÅDE", "KØN", "TID"])["INDHOLD"].sum()
    got = cells[cells["data_element"] == "BEF_16_64_KVT"]
    assert len(got) == len(expected) == 3 * 2 * 13
    for (area, sex, tid), value in expected.items():
        period = f"{tid[:4]}-Q{tid[-1]}"
        row = got[
            (got["area"] == codes[area])
            & (got["sex"] == {"1": "M", "2": "F"}[sex])
            & (got["period"] == period)
        ]
        assert row["value"].tolist() == [float(value)], (area, sex, tid)
    # Esbjerg's men aged 16-64 on 1 January 2020, summed by DuckDB straight from the file.
    sql = f"""SELECT sum(CAST(INDHOLD AS BIGINT)) FROM read_csv('{real(FOLK1A)}', delim=';', all_varchar=true)
              WHERE OMRÅDE = '561' AND KØN = '1' AND TID = '2020K1'
              AND CAST(ALDER AS INTEGER) BETWEEN 16 AND 64"""
    (duck,) = duckdb.sql(sql).fetchone()
    esbjerg = got[(got["area"] == "0561") & (got["sex"] == "M") & (got["period"] == "2020-Q1")]
    assert esbjerg["value"].item() == float(duck) > 30000
    everyone = cells[(cells["data_element"] == "BEF_KVT") & (cells["area"] == "0561")]
    all_ages = direct[direct["OMRÅDE"] == "561"].groupby(["KØN", "TID"])["INDHOLD"].sum()
    assert sorted(everyone["value"]) == sorted(float(v) for v in all_ages)
    codes_seen = [w.code for w in receipt.warnings]
    assert codes_seen == ["statistics_mapping", "unmapped_area"]
    unmapped = receipt.warnings[1]
    left_out = int((~_folk1a()["OMRÅDE"].isin(codes)).sum())
    assert f"{left_out:,}".replace(",", ".") in unmapped.message_da
    assert unmapped.value == "081, 082, 083, 084, 085 … (+4)"


def test_folk1a_without_a_sex_mapping_sums_both_sexes(stat_root, add_mapping):
    add_mapping(
        "folk1a.yaml",
        FOLK1A_MAPPING.replace('sex:\n  column: KØN\n  map: {"1": M, "2": F, "TOT": _T}\n', ""),
    )
    validation = validate_file(real(FOLK1A), load_workspace(stat_root), "DST")
    assert validation.receipt.accepted
    cells = _cells(validation)
    direct = _folk1a()
    esbjerg = direct[(direct["OMRÅDE"] == "561") & direct["age"].between(16, 64)]
    expected = esbjerg.groupby("TID")["INDHOLD"].sum()
    got = cells[(cells["data_element"] == "BEF_16_64_KVT") & (cells["area"] == "0561")]
    assert set(got["sex"]) == {"_T"}
    assert dict(zip(got["period"], got["value"], strict=True)) == {
        f"{t[:4]}-Q1": float(v) for t, v in expected.items()
    }


def test_folk1a_holds_only_first_quarters_so_year_from_leaves_every_year_out(
    stat_root, add_mapping
):
    add_mapping(
        "folk1a.yaml",
        FOLK1A_MAPPING.replace(
            "  - data_element: BEF_16_64_KVT\n",
            "  - data_element: BEF_16_64\n    year_from: last\n",
        ).replace("  - data_element: BEF_KVT\n", ""),
    )
    receipt = validate_file(real(FOLK1A), load_workspace(stat_root), "DST").receipt
    assert not receipt.accepted
    assert [e.code for e in receipt.errors] == ["empty_file"]
    incomplete = [w for w in receipt.warnings if w.code == "incomplete_year"]
    assert len(incomplete) == 1
    assert "BEF_16_64: 2008–2020 er udeladt" in incomplete[0].message_da
    assert "four quarters" in incomplete[0].message_en


STATUSU6_MAPPING = """\
partner: DST
header: false        # the export has no header row: the columns are named here
columns: [KØN, TID, KOMMUNE, I_ALT, FULDFØRT, I_GANG, AFBRUDT, IKKE_PÅBEGYNDT]
period: TID
area:
  column: KOMMUNE
  map: {Esbjerg: "0561", Kolding: "0621", Hele landet: DK}
elements:
  - data_element: UDD_18_25
    value: I_ALT
  - data_element: UDD_18_25_FULDFOERT
    value: FULDFØRT
"""


def test_statusu6_without_header_row_in_cp1252_reads_its_value_columns(stat_root, add_mapping):
    add_mapping("statusu6.yaml", STATUSU6_MAPPING)
    validation = validate_file(real(STATUSU6), load_workspace(stat_root), "DST")
    assert validation.receipt.accepted, validation.receipt.errors
    cells = _cells(validation)
    direct = pd.read_csv(real(STATUSU6), header=None, encoding="cp1252", dtype={1: str})
    by_name = direct.set_index(2)
    for name, area in (("Esbjerg", "0561"), ("Kolding", "0621"), ("Hele landet", "DK")):
        mine = cells[cells["area"] == area].set_index("data_element")["value"]
        assert mine["UDD_18_25"] == by_name.loc[name, 3]
        assert mine["UDD_18_25_FULDFOERT"] == by_name.loc[name, 4]
    assert set(cells["period"]) == {"2024"} and len(cells) == 6
    assert by_name.loc["Esbjerg", 3] == 8900  # the file's own figure, for the reader of this test
    rows = dict(zip(cells["area"], validation.observations["row"], strict=True))
    assert rows["DK"] == 1 and rows["0561"] == 60  # the rows as the partner sees them
    unmapped = next(w for w in validation.receipt.warnings if w.code == "unmapped_area")
    assert unmapped.message_da.startswith(f"{len(direct) - 3} rækker")


KKBYG1_MAPPING = """\
partner: DST
columns: [OMRKK, OPFØRELSESÅR, ENHED, TID, INDHOLD]
value: INDHOLD
period: TID
area:
  column: OMRKK
  map: {København i alt: KBH, Bydel - Indre By: KBH-IB}
elements:
  - data_element: BYGNINGER_1850
    where: {OPFØRELSESÅR: "1850-1899"}
"""


def test_kkbyg1_mixed_levels_and_totals_from_the_city_statistics_bank(stat_root, add_mapping):
    add_mapping("kkbyg1.yaml", KKBYG1_MAPPING)
    validation = validate_file(real(KKBYG1), load_workspace(stat_root), "DST")
    assert validation.receipt.accepted, validation.receipt.errors
    cells = _cells(validation)
    direct = pd.read_csv(real(KKBYG1), sep=";", encoding="utf-8-sig", dtype={"TID": str})
    for name, area in (("København i alt", "KBH"), ("Bydel - Indre By", "KBH-IB")):
        expected = direct[direct["OMRKK"] == name].groupby("TID")["INDHOLD"].sum()
        mine = cells[cells["area"] == area]
        assert dict(zip(mine["period"], mine["value"], strict=True)) == {
            t: float(v) for t, v in expected.items()
        }
        assert len(expected) > 20
