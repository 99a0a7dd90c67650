"""Statistikbanken table downloads ("Gem som" CSV/XLSX) in the real layout, synthetic figures.

Title line, unit line, a header row with blank cells over the label columns and the quarters
across, label cells shown once per group (blank below), "Alder i alt" total rows, and notes
below the table. Every figure comes from :func:`figure`, so a test can sum them directly.
"""

from __future__ import annotations

from pathlib import Path

AREAS = ("Esbjerg", "Hele landet", "Aarhus")
SEXES = ("Mænd", "Kvinder")
AGES = (0, 15, 16, 17, 25, 40, 64, 65, 100)
QUARTERS = ("2023K1", "2023K2", "2023K3", "2023K4", "2024K1", "2024K2", "2024K3")
TITLE = "Befolkningen den 1. i kvartalet efter område, køn, alder og tid (SYNTETISKE TAL)"


def age_label(age: int) -> str:
    return "100 år og derover" if age == 100 else f"{age} år"


def figure(area: str, sex: str, age: int, quarter: str) -> int:
    base = {"Esbjerg": 700, "Hele landet": 30000, "Aarhus": 1500}[area]
    return base + 7 * age + (13 if sex == "Mænd" else 0) + 5 * QUARTERS.index(quarter)


def rows(overrides: dict[tuple[str, str, int, str], object] | None = None) -> list[list[object]]:
    """The download's rows; ``overrides`` replaces single figures (e.g. with '..')."""
    overrides = overrides or {}
    out: list[list[object]] = [[TITLE], ["Enhed: Antal"], [], ["", "", "", *QUARTERS]]
    for area in AREAS:
        for s, sex in enumerate(SEXES):
            total = [sum(figure(area, sex, a, q) for a in AGES) for q in QUARTERS]
            out.append([area if s == 0 else "", sex, "Alder i alt", *total])
            for age in AGES:
                cells = [
                    overrides.get((area, sex, age, q), figure(area, sex, age, q)) for q in QUARTERS
                ]
                out.append(["", "", age_label(age), *cells])
    out += [[], ["Kilde: Danmarks Statistik, statistikbanken.dk/FOLK1A (syntetiske tal til test)"]]
    out += [["Anm.: Tallene er opgjort den 1. i kvartalet."]]
    return out


def row_of(area: str, sex: str, age: int) -> int:
    """The row number (1-based, as in the file) of one age's line."""
    for number, row in enumerate(rows(), start=1):
        if row[2:3] == [age_label(age)]:
            previous = rows()[: number - 1]
            labels_area = [r[0] for r in previous if len(r) > 2 and r[0]]
            labels_sex = [r[1] for r in previous if len(r) > 2 and r[1]]
            if labels_area and labels_area[-1] == area and labels_sex[-1] == sex:
                return number
    raise KeyError((area, sex, age))


def write_csv(path: Path, table: list[list[object]], encoding: str = "cp1252") -> Path:
    lines = [";".join("" if c is None else str(c) for c in r) for r in table]
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))
    return path


def write_xlsx(path: Path, table: list[list[object]]) -> Path:
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("FOLK1A")
    for r, row in enumerate(table):
        for c, cell in enumerate(row):
            if cell != "":
                sheet.write(r, c, cell)
    book.close()
    return path
