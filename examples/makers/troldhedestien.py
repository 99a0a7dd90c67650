"""Troldhedestien (Kolding): its partners' submission files, SYNTHETIC figures.

What each file shows and which one is rejected on purpose: examples/troldhedestien/README.md.
"""

from __future__ import annotations

from pathlib import Path

from .synthetic import Submissions, danish, quarters

SLUG = "troldhedestien"
SEED = 621


def make(root: Path) -> None:
    """Write the example's submission files into root/SLUG/submissions/."""
    ex = Submissions(root / SLUG / "submissions", SEED)
    qs = quarters(2022)
    season = {"1": 1.0, "2": 1.1, "3": 0.6, "4": 1.05}

    def meeting_place(start: float, end: float, share: tuple[float, float]) -> list[tuple]:
        rows = []
        for i, quarter in enumerate(qs):
            year, q = quarter.split("-Q")
            total = round(ex.drift(start, end, i, len(qs), 0.08) * season[q])
            disabled = round(total * ex.drift(*share, i, len(qs), 0.15))
            rows.append((year, q, total, disabled))
        return rows

    # The east stretch (in Kolding town): Windows-1252 ';' CSV, periods written `K1 2022`.
    rows: list[list[object]] = []
    for year, q, total, disabled in meeting_place(64, 142, (0.09, 0.22)):
        note = "Sommerlukket i juli" if q == "3" else ""
        rows.append(["INKL_DELTAGERE", "0621-TRH-OST", f"K{q} {year}", total, note])
        rows.append(["INKL_DELTAGERE_HANDICAP", "0621-TRH-OST", f"K{q} {year}", disabled, note])
    ex.text(
        "MOEDESTED_OST/01_moedesteder_oest_2022-2025.csv",
        ["Dataelement", "Område", "Periode", "Antal", "Bemærkning"],
        rows,
        ";",
        "cp1252",
    )

    # The west stretch (the villages): a workbook; small counts. The first one has two mistakes.
    good = []
    for year, q, total, disabled in meeting_place(14, 41, (0.10, 0.26)):
        good.append(["INKL_DELTAGERE", "0621-TRH-VEST", f"{year}-Q{q}", total, ""])
        good.append(["INKL_DELTAGERE_HANDICAP", "0621-TRH-VEST", f"{year}-Q{q}", disabled, ""])
    bad = [list(r) for r in good]
    i = next(n for n, r in enumerate(bad) if r[2] == "2024-Q2" and r[0] == "INKL_DELTAGERE")
    bad[i][3], bad[i + 1][3] = bad[i + 1][3], bad[i][3]  # the two counts typed in swapped rows
    bad.append(
        ["INKL_DELTAGERE", "0621-TRH-OST", "2024-Q4", 23, "Fællesarrangement i Kolding by"]
    )  # the east stretch reports that itself
    titles = ["Troldhedestien – mødestederne på den vestlige strækning", "Udfyldt af koordinatoren"]
    header = ["Dataelement", "Område", "Periode", "Antal", "Bemærkning"]
    ex.workbook(
        "MOEDESTED_VEST/01_moedesteder_vest_2022-2025.xlsx",
        titles,
        header,
        bad,
        "Mødestederne vest",
    )
    ex.workbook(
        "MOEDESTED_VEST/02_moedesteder_vest_2022-2025_rettet.xlsx",
        titles,
        header,
        good,
        "Mødestederne vest",
    )

    # The volunteer centre: active volunteers at the end of each quarter (a stock), `2022K1`.
    rows = []
    for area, (start, end) in {"0621-TRH-OST": (18, 41), "0621-TRH-VEST": (6, 17)}.items():
        for i, quarter in enumerate(qs):
            n = round(ex.drift(start, end, i, len(qs), 0.1))
            rows.append(["FRIVILLIGE", area, quarter.replace("-Q", "K"), n])
    ex.text(
        "FRIVILLIG/01_frivillige_2022-2025.csv",
        ["element", "område", "periode", "antal"],
        rows,
        ";",
        "utf-8",
    )

    # Kolding Kommune: the national health profile's loneliness question (every fourth year).
    rows = []
    for area, answered, shares in (
        ("0621", 3_960, {2013: 0.058, 2017: 0.061, 2021: 0.079}),
        ("DK", 183_370, {2013: 0.057, 2017: 0.063, 2021: 0.081}),
    ):
        for year, share in shares.items():
            n = round(answered * ex.rng.uniform(0.96, 1.04))
            rows.append(["ENSOM_BESVARET", area, year, danish(n), "Sundhedsprofilen"])
            rows.append(["ENSOM_OFTE", area, year, danish(round(n * share)), "Sundhedsprofilen"])
        for code in ("ENSOM_BESVARET", "ENSOM_OFTE"):
            rows.append([code, area, 2025, "..", "Sundhedsprofilen 2025 offentliggøres i 2026"])
    ex.text(
        "KOMMUNE/01_sundhedsprofilen_2013-2025.csv",
        ["Dataelement", "Område", "År", "Værdi", "Bemærkning"],
        rows,
        ";",
        "utf-8-sig",
    )
