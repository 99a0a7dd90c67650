"""Fremtidens bæredygtige landskaber (Karup Å, Skive): its partners' submission files, SYNTHETIC figures.

What each file shows and which one is rejected on purpose: examples/baeredygtige-landskaber/README.md.
"""

from __future__ import annotations

from pathlib import Path

from .synthetic import Submissions, danish

SLUG = "baeredygtige-landskaber"
SEED = 779


def make(root: Path) -> None:
    """Write the example's submission files into root/SLUG/submissions/."""
    ex = Submissions(root / SLUG / "submissions", SEED)
    years = list(range(2019, 2025))

    # The municipality: land area and nature (incl. forest) in hectares, decimal comma.
    rows: list[list[object]] = []
    for area, (hectares, s0, s1) in {
        "0779-KAR-N": (8_420.5, 0.142, 0.191),
        "0779-KAR-S": (11_260.8, 0.113, 0.152),
        "0779": (68_312.0, 0.161, 0.178),
        "DK": (4_293_100.0, 0.247, 0.254),
    }.items():
        for i, year in enumerate(years):
            nature = hectares * ex.drift(s0, s1, i, len(years), 0.01)
            rows.append(["AREAL_HA", area, year, danish(hectares, 1)])
            rows.append(["AREAL_NATUR_HA", area, year, danish(nature, 1)])
    ex.text(
        "KOMMUNE/01_arealanvendelse_2019-2024.csv",
        ["Dataelement", "Område", "År", "Værdi"],
        rows,
        ";",
        "utf-8-sig",
    )

    # The catchment council: nitrogen load to the fjord; the first file says `ca.` for 2024.
    good: list[list[object]] = []
    for area, (hectares, k0, k1) in {
        "0779-KAR-N": (8_420.5, 21.5, 17.2),
        "0779-KAR-S": (11_260.8, 19.8, 16.4),
    }.items():
        for i, year in enumerate(years):
            load = hectares * ex.drift(k0, k1, i, len(years), 0.06)
            note = "Foreløbig opgørelse" if year == 2024 else "Målt ved oplandets udløb"
            good.append(["KVAELSTOF_KG_N", area, year, danish(load, 1), note])
    bad = [
        [*r[:3], f"ca. {danish(round(float(r[3].replace('.', '').replace(',', '.')), -2))}", r[4]]
        if r[2] == 2024 else list(r)
        for r in good
    ]  # fmt: skip
    header = ["Dataelement", "Område", "År", "Værdi", "Bemærkning"]
    ex.text("LIMFJORD/01_kvaelstof_2019-2024.csv", header, bad, ";", "utf-8")
    ex.text("LIMFJORD/02_kvaelstof_2019-2024_rettet.csv", header, good, ";", "utf-8")

    # The farmers' association: landowners in the lowland project zones, and agreements.
    rows = []
    for area, (owners, a0, a1) in {"0779-KAR-N": (47, 2, 29), "0779-KAR-S": (38, 1, 16)}.items():
        years_ = list(range(2021, 2026))
        for i, year in enumerate(years_):
            n = owners + ex.rng.randint(-2, 2)
            rows.append(["LODSEJERE", area, year, n])
            rows.append(["LODSEJERE_AFTALE", area, year, round(ex.drift(a0, a1, i, len(years_)))])
    ex.workbook(
        "LANDBO/01_lodsejeraftaler_2021-2025.xlsx",
        ["Lodsejere i lavbundsprojekterne og indgåede aftaler", "Opgjort pr. 31. december"],
        ["Dataelement", "Område", "År", "Antal"],
        rows,
        "Landboforeningen",
    )
