"""Tøndermarsk Initiativet: its partners' submission files, SYNTHETIC figures.

What each file shows and which one is rejected on purpose: examples/toendermarsk/README.md.
"""

from __future__ import annotations

from pathlib import Path

from .synthetic import YEARS, Submissions, danish, months

SLUG = "toendermarsk"
SEED = 550


def make(root: Path) -> None:
    """Write the example's submission files into root/SLUG/submissions/."""
    ex = Submissions(root / SLUG / "submissions", SEED)
    villages = {  # residents 2019, yearly change, in-migrants per year, jobs 2019
        "0550-TM-TON": (7_420, -0.003, 410, 4_310),
        "0550-TM-MOG": (862, -0.002, 41, 196),
        "0550-TM-HOJ": (1_238, -0.006, 52, 288),
        "0550-TM-RUD": (118, 0.004, 4, 14),
    }

    rows: list[list[object]] = []
    for area, (residents, change, movers, _) in villages.items():
        for i, year in enumerate(YEARS):
            rows.append(["BEF_I_ALT", area, year, danish(round(residents * (1 + change) ** i))])
            if year < 2025:
                n = max(round(movers * ex.rng.uniform(0.75, 1.3)), 1)
                rows.append(["TILFLYTTERE", area, year, danish(n)])
    for area, (residents, change) in {"0550": (37_420, -0.004), "DK": (5_822_763, 0.004)}.items():
        for i, year in enumerate(YEARS):
            rows.append(["BEF_I_ALT", area, year, danish(round(residents * (1 + change) ** i))])
    ex.text(
        "KOMMUNE/01_befolkning_og_tilflytning.csv",
        ["Dataelement", "Område", "År", "Antal"],
        rows,
        ";",
        "utf-8-sig",
    )

    rows = []
    for area, (*_, jobs) in villages.items():
        for i, year in enumerate(range(2019, 2025)):
            n = round(jobs * (1 + 0.004 * i) * ex.rng.uniform(0.97, 1.03))
            rows.append(["ARBEJDSPLADSER", area, year, n])
    ex.text(
        "ERHVERV/01_arbejdspladser_2019-2024.csv",
        ["data_element", "area", "year", "value"],
        rows,
        ",",
        "utf-8",
    )

    table: list[list[object]] = []
    for area, base in {"0550-TM": 176_000, "0550": 1_910_000, "DK": 55_600_000}.items():
        for i, year in enumerate(YEARS):
            covid = {2020: 0.78, 2021: 0.91}.get(year, 1.0)
            n = round(base * (1.025**i) * covid * ex.rng.uniform(0.98, 1.02))
            table.append(["OVERNATNINGER", area, year, n])
    ex.workbook(
        "TURISME/01_overnatninger_2019-2025.xlsx",
        ["Overnatninger (hoteller, feriecentre, camping, vandrerhjem, feriehuse)", "Kilde: Danmarks Statistik, TURIST; 2025 foreløbig"],
        ["Dataelement", "Område", "År", "Antal"],
        table,
        "Destination Sønderjylland",
    )  # fmt: skip

    # The visitor centre: visits per month. The 2025 update wrote months as `jan 2025`.
    ms = months(2022)
    seasonal = [0.35, 0.45, 0.7, 1.1, 1.3, 1.5, 2.1, 1.9, 1.2, 1.1, 0.5, 0.4]
    visits = {
        m: round(ex.drift(3_900, 4_600, i, len(ms), 0.08) * seasonal[int(m[-2:]) - 1])
        for i, m in enumerate(ms)
    }
    header = ["Dataelement", "Område", "Periode", "Antal"]
    first = [["BESOEG_CENTER", "0550-TM", m, v] for m, v in visits.items() if m < "2025"]
    ex.text("CENTER/01_besoeg_2022-2024.csv", header, first, ";", "utf-8")
    names = ["jan", "feb", "mar", "apr", "maj", "jun", "jul", "aug", "sep"]
    later = [(m, v) for m, v in visits.items() if m >= "2025"]
    ex.text(
        "CENTER/02_besoeg_2025.csv",
        header,
        [["BESOEG_CENTER", "0550-TM", f"{names[int(m[-2:]) - 1]} 2025", v] for m, v in later],
        ";",
        "utf-8",
    )
    ex.text(
        "CENTER/03_besoeg_2025_rettet.csv",
        header,
        [["BESOEG_CENTER", "0550-TM", f"{m[-2:]}-2025", v] for m, v in later],
        ";",
        "utf-8",
    )
