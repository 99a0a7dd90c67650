"""Writes the receipt corpus once (deterministic; the files are committed, this is the record).

    python -m tests.ci_measure.intake.receipts.make_corpus

``small/<PARTNER>/…``: the cases of tests/ci_measure/intake/test_validate.py and the CSV reader
tests as files, against the tests' partnership (tests/conftest.py). ``bulk/SKOLER/…``: 6,000
rows of the benchmark delivery for one municipality with about 3 % bad rows of every kind,
as a plain CSV (Arrow path), a quoted CSV (record-by-record path) and an xlsx (cell by cell).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from benchmarks import generator

HERE = Path(__file__).parent
H = "dataelement;område;periode;køn;værdi\n"
SMALL = {
    "SKOLE/good_danish.csv": H
    + "ELEVER_AFGANG_9KL;0561-OST-N;2023/24;dreng;1.040\nELEVER_UDD_15MD;0561-ost-n;2023-24;M;34\n"
    "elever_afgang_9kl;0561-OST-N;2023/2024;Pige;38\nELEVER_UDD_15MD;0561-OST-N;2023/24;K;..\n",
    "SKOLE/unknown_area.csv": H + "ELEVER_AFGANG_9KL;0561-OST-X;2023/24;M;40\n",
    "SKOLE/unknown_element.csv": H + "ELEVER_AFGANG_9KLASSE;0561-OST-N;2023/24;M;40\n",
    "SKOLE/invalid_period.csv": H + "ELEVER_AFGANG_9KL;0561-OST-N;2023/25;M;40\n",
    "SKOLE/wrong_period_type.csv": H + "ELEVER_AFGANG_9KL;0561-OST-N;2024;M;40\n",
    "SKOLE/values.csv": H
    + "ELEVER_AFGANG_9KL;0561-OST-N;2023/24;M;12x\nELEVER_AFGANG_9KL;0561-OST-S;2023/24;M;-3\n"
    "ELEVER_AFGANG_9KL;0561-OST-N;2022/23;M;12,5\nKARAKTER_SUM_9KL;0561-OST-N;2023/24;M;-3\n",
    "SKOLE/duplicate.csv": H
    + "ELEVER_AFGANG_9KL;0561-OST-N;2023/24;M;40\nELEVER_AFGANG_9KL;0561-OST-N;2023-24;mand;41\n",
    "SKOLE/not_responsible.csv": H + "BEF_25;0561;2024;_T;400\n",
    "SKOLE/partner_mismatch.csv": H.strip()
    + ";Afsender\nELEVER_AFGANG_9KL;0561-OST-N;2023/24;M;40;NGO\n",
    "SKOLE/part_greater_than_whole.csv": H
    + "ELEVER_AFGANG_9KL;0561-OST-N;2023/24;M;40\nELEVER_UDD_15MD;0561-OST-N;2023/24;M;50\n",
    "SKOLE/missing_column.csv": "dataelement;område;periode\nELEVER_AFGANG_9KL;0561-OST-N;2023/24\n",
    "SKOLE/only_header.csv": H,
    "SKOLE/empty.csv": "",
    "SKOLE/cpr_in_comment.csv": H.strip()
    + ";kommentar\nELEVER_AFGANG_9KL;0561-OST-N;2023/24;M;40;elev 010203-1234\n",
    "SKOLE/many_problems.csv": H
    + "ELEVER_AFGANG_9KL;0561-OST-N;2023/24;M;tolv\nELEVER_AFGANG_9KL;0561-OST-N;2023/24;F;38\n"
    "ELEVER_AFGANG_9KL;0561-OST-Q;2023/24;F;38\nELEVER_AFGANG_9KL;0561-OST-S;20X3;F;38\n",
    "SKOLE/extra_column.csv": H.strip() + ";Skole\nELEVER_AFGANG_9KL;0561-OST-N;2023/24;M;40;x\n",
    "SKOLE/english.csv": "data_element,area,period,sex,value\n"
    'KARAKTER_SUM_9KL,0561-OST-S,2023/24,total,"1,234.0"\n',
    "SKOLE/quoted_newline.csv": H.strip()
    + ';note\nELEVER_AFGANG_9KL;0561-OST-N;2023/24;M;40;"to\nlinjer"\n'
    "ELEVER_AFGANG_9KL;0561-OST-S;2023/24;M;4O;x\n",
    "SKOLE/title_rows.csv": "Elever i Østerbyen\n\n"
    + H
    + "ELEVER_AFGANG_9KL;0561-OST-N;2023/24;M;40\n",
    "NGO/quarters_cp1252.csv": "dataelement;område;periode;værdi\n"
    "INKL_DELTAGERE;0561-OST-N;K1 2022;12\nINKL_DELTAGERE_HANDICAP;0561-OST-N;K1 2022;x\n"
    "INKL_DELTAGERE_HANDICAP;0561-OST-S;2022K2;3\nINKL_DELTAGERE;0561-OST-S;2022K2;2\n",
    "KOMMUNE/population.tsv": "dataelement\tområde\tperiode\tværdi\n"
    "BEF_25\t0561\t2024\t1.200\nBEF_25_UDD\t0561\t2024\t1.300\nBEF_25\t0561-OST\t2024\t-\n",
}
ENCODING = {"NGO/quarters_cp1252.csv": "cp1252"}


def bulk_columns(n: int = 6000, seed: int = 11) -> dict[str, np.ndarray]:
    """The first n benchmark rows (one municipality) with every kind of bad row."""
    cols = {k: v[:n].copy() for k, v in generator.cells().items()}
    rng = np.random.default_rng(seed)
    rows = rng.choice(n, size=n // 30, replace=False)
    kinds = rng.integers(0, 9, len(rows))
    cols["område"][rows[kinds == 0]] = "9999-99"
    cols["periode"][rows[kinds == 1]] = "2023-2025"
    cols["værdi"][rows[kinds == 2]] = "ti"
    cols["værdi"][rows[kinds == 3]] = "-3"
    cols["værdi"][rows[kinds == 4]] = "2,5"
    cols["værdi"][rows[kinds == 5]] = "99.999"  # part > whole for the part rows
    cols["herkomst"][rows[kinds == 6]] = "XYZ"
    cols["dataelement"][rows[kinds == 7]] = "ELEVER_AFGANG"
    cols["køn"][rows[kinds == 8]] = "K"  # may collide with an existing cell: duplicate
    return cols


def write_bulk(out: Path) -> None:
    cols = bulk_columns()
    out.mkdir(parents=True, exist_ok=True)
    (out.parent / "partnership.yaml").write_text(generator.partnership_yaml(1), encoding="utf-8")
    generator.write_csv(out / "bulk_6k.csv", cols, 6000)
    quoted = {k: v.copy() for k, v in cols.items()}
    quoted["område"][10] = '"0101-01"'
    quoted["værdi"][20] = '"1\n2"'
    generator.write_csv(out / "bulk_6k_quoted.csv", quoted, 6000)
    write_xlsx(out / "bulk_2k.xlsx", cols, 2000)


def write_xlsx(path: Path, cols: dict[str, np.ndarray], n: int) -> None:
    """Numbers as numbers where they are whole numbers, other cells as typed text."""
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("data")
    names = ["dataelement", "område", "periode", "køn", "herkomst", "værdi"]
    sheet.append(names)
    for r in zip(*(cols[c][:n] for c in names), strict=True):
        value = r[5].replace(".", "")
        sheet.append([*r[:5], int(value) if value.lstrip("-").isdigit() else r[5]])
    book.save(path)


def main() -> None:
    for name, text in SMALL.items():
        path = HERE / "small" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode(ENCODING.get(name, "utf-8")))
    write_bulk(HERE / "bulk" / "SKOLER")


if __name__ == "__main__":
    main()
