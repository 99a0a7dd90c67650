"""Hjem til Alle (Odense): its partners' submission files, SYNTHETIC figures.

What each file shows and which one is rejected on purpose: examples/hjem-til-alle/README.md.
"""

from __future__ import annotations

from pathlib import Path

from .synthetic import YEARS, Submissions, danish, months, quarters

SLUG = "hjem-til-alle"
SEED = 461


def make(root: Path) -> None:
    """Write the example's submission files into root/SLUG/submissions/."""
    ex = Submissions(root / SLUG / "submissions", SEED)
    districts = {"0461-VOL": 1_420, "0461-CEN": 9_860, "0461-OVR": 14_150}  # 18-24-year-olds

    rows: list[list[object]] = []
    for area, start in {**districts, "DK": 503_600}.items():
        for i, year in enumerate(YEARS):
            n = round(start * (1.004**i) * (1 + ex.rng.uniform(-0.01, 0.01)))
            rows.append(["BEF_18_24", area, year, danish(n), ""])
    # VIVE's national count of homelessness (week 6); none in 2021 and 2023.
    for area, counts in (
        ("0461", {2019: 96, 2022: 88, 2024: 79}),
        ("DK", {2019: 1_278, 2022: 1_157, 2024: 1_102}),
    ):
        for year in YEARS:
            if year in counts:
                rows.append(["HJEMLOESE_18_24", area, year, danish(counts[year]), "VIVE, uge 6"])
            elif year in (2021, 2023):
                rows.append(["HJEMLOESE_18_24", area, year, "..", "Ingen national tælling"])
    ex.text(
        "KOMMUNE_STAT/01_befolkning_og_hjemloeshed.csv",
        ["Dataelement", "Område", "År", "Værdi", "Bemærkning"],
        rows,
        ";",
        "utf-8-sig",
    )

    # The youth Housing First team: programmes ended in the year, and of them still housed.
    good: list[list[object]] = []
    for area, (base, s0, s1) in {
        "0461-VOL": (5, 0.55, 0.75),
        "0461-CEN": (13, 0.60, 0.80),
        "0461-OVR": (9, 0.58, 0.78),
    }.items():
        years = list(range(2020, 2026))
        for i, year in enumerate(years):
            for label, factor in (("Mand", 1.3), ("Kvinde", 0.8)):
                ended = max(round(base * factor * ex.rng.uniform(0.75, 1.3)), 2)
                housed = min(ended, round(ended * ex.drift(s0, s1, i, len(years), 0.12)))
                good.append(["UNGE_FORLOEB_AFSLUTTET", area, year, label, ended])
                good.append(["UNGE_FORLOEB_BOLIG", area, year, label, housed])
    block = [r for r in good if r[1] == "0461-CEN" and r[2] == 2023]
    at = good.index(block[-1]) + 1
    bad = good[:at] + [list(r) for r in block] + good[at:]  # the 2023 block pasted twice
    titles = ["Housing First for unge – afsluttede forløb", "Socialafdelingen, Odense Kommune"]
    header = ["Dataelement", "Område", "År", "Køn", "Antal"]
    ex.workbook("SOCIAL/01_forloeb_2020-2025.xlsx", titles, header, bad, "Socialafdelingen")
    ex.workbook("SOCIAL/02_forloeb_2020-2025_rettet.xlsx", titles, header, good, "Socialafdelingen")

    # The housing associations: homes allocated to young homeless people per quarter.
    qs = quarters(2021)
    rows = [
        ["BOLIG_ANVIST_UNGE", "0461", q.replace("-Q", "K"), round(ex.drift(6, 14, i, len(qs), 0.3))]
        for i, q in enumerate(qs)
    ]
    ex.text(
        "BOLIG/01_anvisninger_2021-2025.csv",
        ["Dataelement", "Område", "Periode", "Antal"],
        rows,
        ";",
        "utf-8",
    )

    # The youth shelter: nights used by 18-24-year-olds per month (tab-separated export).
    ms = months(2023)
    rows = []
    for i, month in enumerate(ms):
        winter = 1.15 if month[-2:] in ("01", "02", "12") else 1.0
        rows.append(
            ["0461-CEN", month.replace("-", "M"), "HERBERG_NAETTER_UNGE",
             round(ex.drift(410, 330, i, len(ms), 0.06) * winter)]
        )  # fmt: skip
    ex.text(
        "HERBERG/01_overnatninger_2023-2025.txt",
        ["område", "periode", "element", "antal"],
        rows,
        "\t",
        "utf-8",
    )
