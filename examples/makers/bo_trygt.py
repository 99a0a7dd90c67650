"""Bo trygt (Horsens): its partners' submission files, SYNTHETIC figures.

What each file shows and which one is rejected on purpose: examples/bo-trygt/README.md.
"""

from __future__ import annotations

from pathlib import Path

from .synthetic import YEARS, Submissions, danish

SLUG = "bo-trygt"
SEED = 615


def make(root: Path) -> None:
    """Write the example's submission files into root/SLUG/submissions/."""
    ex = Submissions(root / SLUG / "submissions", SEED)
    estates = {  # households, break-ins per 1,000 households 2019 -> 2025, survey answers per sex
        "0615-BT-NP": (824, 21.0, 12.5, 118),
        "0615-BT-SH": (612, 18.0, 11.0, 86),
        "0615-BT-OH": (96, 16.0, 9.0, 11),
    }
    rows: list[list[object]] = []
    for area, (households, *_) in estates.items():
        for year in YEARS:
            rows.append(["HUSSTANDE", area, year, households + ex.rng.randint(-6, 6)])
    ex.text(
        "BOLIG/01_husstande_2019-2025.csv",
        ["Dataelement", "Område", "År", "Antal"],
        rows,
        ";",
        "utf-8",
    )

    rows = []
    for area, households in {"0615": 41_870, "DK": 2_790_000}.items():
        for i, year in enumerate(YEARS):
            rows.append(["HUSSTANDE", area, year, danish(round(households * 1.005**i))])
    ex.text(
        "KOMMUNE/01_husstande_kommune_og_land.csv",
        ["Dataelement", "Område", "År", "Antal"],
        rows,
        ";",
        "utf-8-sig",
    )

    table: list[list[object]] = []
    rates = {**{a: (h, r0, r1) for a, (h, r0, r1, _) in estates.items()},
             "0615": (41_870, 7.8, 5.9), "DK": (2_790_000, 7.4, 5.2)}  # fmt: skip
    for area, (households, r0, r1) in rates.items():
        for i, year in enumerate(YEARS):
            n = round(households * ex.drift(r0, r1, i, len(YEARS), 0.2) / 1000)
            table.append(["INDBRUD_BOLIG", area, year, n, "Anmeldte indbrud i beboelse"])
    ex.workbook(
        "POLITI/01_anmeldte_indbrud_2019-2025.xlsx",
        ["Anmeldte indbrud i privat beboelse", "Sydøstjyllands Politi, lokalpolitiet"],
        ["Dataelement", "Område", "År", "Antal", "Bemærkning"],
        table,
        "Lokalpolitiet",
    )

    # The resident survey (every second year), by sex; the first workbook swaps two counts.
    good: list[list[object]] = []
    waves = [2019, 2021, 2023, 2025]
    for area, (*_, per_sex) in estates.items():
        for i, year in enumerate(waves):
            for label, shift in (("Mand", 0.04), ("Kvinde", -0.04)):
                answered = round(per_sex * ex.rng.uniform(0.85, 1.15))
                safe = round(answered * (ex.drift(0.66, 0.81, i, len(waves), 0.04) + shift))
                good.append(["TRYG_BESVARET", area, year, label, answered])
                good.append(["TRYG_TRYG", area, year, label, min(safe, answered)])
    bad = [list(r) for r in good]
    i = next(
        n for n, r in enumerate(bad) if r[:4] == ["TRYG_BESVARET", "0615-BT-SH", 2023, "Kvinde"]
    )
    bad[i][4], bad[i + 1][4] = bad[i + 1][4], bad[i][4]
    header = ["Dataelement", "Område", "År", "Køn", "Antal"]
    ex.workbook(
        "HELHEDSPLAN/01_tryghedsmaaling_2019-2025.xlsx",
        ["Tryghedsmålingen i boligområderne", "Boligsocial helhedsplan"],
        header,
        bad,
        "Boligsocial helhedsplan",
    )
    ex.text("HELHEDSPLAN/02_tryghedsmaaling_2019-2025_rettet.csv", header, good, ";", "utf-8")
