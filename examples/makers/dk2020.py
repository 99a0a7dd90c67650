"""DK2020 (Holstebro): its partners' submission files, SYNTHETIC figures.

What each file shows and which one is rejected on purpose: examples/dk2020/README.md.
"""

from __future__ import annotations

from pathlib import Path

from .synthetic import YEARS, Submissions, danish

SLUG = "dk2020"
SEED = 661


SECTORS = {  # Holstebro-like orders of magnitude, tonnes CO2e in 2019 and 2024
    "CO2E_TON_ENERGI": (168_000, 104_000),
    "CO2E_TON_TRANSPORT": (192_000, 171_000),
    "CO2E_TON_LANDBRUG": (331_000, 309_000),
    "CO2E_TON_INDUSTRI": (26_500, 19_800),
    "CO2E_TON_AFFALD": (14_900, 11_700),
    "CO2E_TON_AREAL": (46_000, -6_500),  # drained soils re-wetted, new forest: a net sink
}


def make(root: Path) -> None:
    """Write the example's submission files into root/SLUG/submissions/."""
    ex = Submissions(root / SLUG / "submissions", SEED)
    years = list(range(2019, 2025))  # the climate account for 2025 is made in 2026

    rows: list[list[object]] = []
    for area, (start, growth) in {
        "0661-BY": (36_880, 0.005),
        "0661-LAND": (22_150, -0.002),
        "DK": (5_822_763, 0.004),
    }.items():
        for i, year in enumerate(YEARS):
            rows.append(["BEF_I_ALT", area, year, danish(round(start * (1 + growth) ** i))])
    ex.text(
        "STAT/01_befolkning_2019-2025.csv",
        ["Dataelement", "Område", "År", "Værdi"],
        rows,
        ";",
        "utf-8-sig",
    )

    emissions = {
        (code, year): ex.drift(a, b, i, len(years), 0.02)
        for code, (a, b) in SECTORS.items()
        for i, year in enumerate(years)
    }
    # The municipality's climate account: total and the sectors it compiles itself.
    table: list[list[object]] = []
    for i, year in enumerate(years):
        total = sum(round(emissions[(c, year)], 1) for c in SECTORS)
        table.append(["CO2E_TON", "0661", year, round(total, 1), "Alle sektorer"])
        for code in ("CO2E_TON_LANDBRUG", "CO2E_TON_INDUSTRI", "CO2E_TON_AFFALD", "CO2E_TON_AREAL"):
            if code == "CO2E_TON_INDUSTRI" and year < 2021:
                table.append([code, "0661", year, "..", "Ikke opgjort separat før 2021"])
            else:
                table.append([code, "0661", year, round(emissions[(code, year)], 1), ""])
        dk = ex.drift(45_100_000, 39_900_000, i, len(years), 0.01)
        table.append(["CO2E_TON", "DK", year, round(dk, 1), "Energistyrelsen / DST"])
    ex.workbook(
        "KLIMA/01_klimaregnskab_2019-2024.xlsx",
        [
            "DK2020 – klimaregnskab (ton CO2e)",
            "Klimasekretariatet; sektorer efter DK2020-klimaplanens opgørelse",
        ],
        ["Dataelement", "Område", "År", "Værdi", "Bemærkning"],
        table,
        "Klimasekretariatet",
        "Klimaregnskab",
    )

    # The utility: emissions from electricity and heating (Danish CSV, decimal comma).
    rows = [
        ["CO2E_TON_ENERGI", "0661", year, danish(emissions[("CO2E_TON_ENERGI", year)], 1)]
        for year in years
    ]
    ex.text(
        "FORSYNING/01_el_og_varme_2019-2024.csv",
        ["Dataelement", "Område", "År", "Værdi"],
        rows,
        ";",
        "utf-8",
    )

    # Transport: first a wide table (years as columns) - rejected; then the long format.
    wide = [["CO2E_TON_TRANSPORT", "0661"] + [
        danish(emissions[("CO2E_TON_TRANSPORT", y)], 1) for y in years
    ]]  # fmt: skip
    ex.text(
        "TRAFIK/01_transport_bred_tabel.csv",
        ["Dataelement", "Område"] + [str(y) for y in years],
        wide,
        ";",
        "utf-8",
    )
    rows = [
        ["CO2E_TON_TRANSPORT", "0661", year, "_T",
         danish(emissions[("CO2E_TON_TRANSPORT", year)], 1), "Vejtrafik, tog, færge"]
        for year in years
    ]  # fmt: skip
    for area, (n, s0, s1) in {"0661-BY": (140, 0.21, 0.29), "0661-LAND": (22, 0.08, 0.16)}.items():
        waves = [2019, 2021, 2023, 2025]
        for i, year in enumerate(waves):
            for sex, factor in (("M", 1.0), ("K", 1.1)):
                answered = round(n * factor * ex.rng.uniform(0.85, 1.15))
                cyclists = round(answered * ex.drift(s0, s1, i, len(waves), 0.15))
                note = "Pendlervaneundersøgelse"
                rows.append(["CYKEL_BESVARET", area, year, sex, answered, note])
                rows.append(["CYKEL_PENDLER", area, year, sex, cyclists, note])
    ex.text(
        "TRAFIK/02_transport_og_pendling.csv",
        ["Dataelement", "Område", "År", "Køn", "Værdi", "Kommentar"],
        rows,
        ";",
        "utf-8",
    )
