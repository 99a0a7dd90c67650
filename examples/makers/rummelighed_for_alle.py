"""Rummelighed for alle (København): its partners' submission files, SYNTHETIC figures.

What each file shows and which one is rejected on purpose: examples/rummelighed-for-alle/README.md.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from .synthetic import Submissions, quarters

SLUG = "rummelighed-for-alle"
SEED = 101


def make(root: Path) -> None:
    """Write the example's submission files into root/SLUG/submissions/."""
    ex = Submissions(root / SLUG / "submissions", SEED)

    # The city's technical department: urban spaces and public buildings checked (cumulative).
    rows: list[list[object]] = []
    for area, (first, last, s0, s1) in {
        "0101-NB": (14, 61, 0.34, 0.63),
        "0101-VB": (9, 48, 0.41, 0.66),
    }.items():
        years = list(range(2020, 2026))
        for i, year in enumerate(years):
            checked = round(ex.drift(first, last, i, len(years)))
            accessible = round(checked * ex.drift(s0, s1, i, len(years), 0.05))
            rows.append(["BYRUM_VURDERET", area, year, checked])
            rows.append(["BYRUM_TILGAENGELIG", area, year, accessible])
    ex.workbook(
        "KOMMUNE_TMF/01_tilgaengelighed_byrum_2020-2025.xlsx",
        [
            "Rummelighed for alle – tilgængelighedsgennemgang af byrum og bygninger",
            "Teknik- og Miljøforvaltningen, opgjort pr. 31. december (akkumuleret)",
        ],
        ["Dataelement", "Område", "År", "Antal"],
        rows,
        "Teknik- og Miljøforvaltningen",
    )

    # Disability and mental-health organisations: co-design workshops, per quarter.
    qs = quarters(2022)
    good: list[list[object]] = []
    dated: list[list[object]] = []
    for area, (start, end) in {"0101-NB": (12, 31), "0101-VB": (9, 24)}.items():
        for i, quarter in enumerate(qs):
            year, q = quarter.split("-Q")
            total = 0 if q == "3" else round(ex.drift(start, end, i, len(qs), 0.12))
            own = round(total * ex.drift(0.22, 0.45, i, len(qs), 0.15))
            note = "Ingen workshops i sommerferien" if total == 0 else ""
            for code, value in (("INDDRAG_DELTAGERE", total), ("INDDRAG_ERFARING", own)):
                good.append([code, area, quarter, value, note])
                # Typed as `1/4 2025` for 2025 in Vesterbro: Excel made the periods dates.
                when: object = quarter
                if area == "0101-VB" and year == "2025":
                    when = dt.date(2025, 3 * int(q) - 2, 1)
                dated.append([code, area, when, value, note])
    header = ["Dataelement", "Område", "Periode", "Antal", "Bemærkning"]
    ex.workbook(
        "HANDICAP/01_inddragelse_2022-2025.xlsx",
        ["Inddragelse i byrumsprojekter – deltagere pr. kvartal"],
        header,
        dated,
        "Danske Handicaporganisationer København",
    )
    ex.text(
        "HANDICAP/02_inddragelse_2022-2025_rettet.csv",
        header,
        good,
        ";",
        "utf-8",
    )

    # Street outreach: yearly interviews with homeless people who use the urban spaces.
    rows = []
    for area, (n0, n1) in {"0101-NB": (24, 31), "0101-VB": (33, 38)}.items():
        years = list(range(2021, 2026))
        for i, year in enumerate(years):
            n = round(ex.drift(n0, n1, i, len(years), 0.1))
            sent_away = round(n * ex.drift(0.36, 0.14, i, len(years), 0.2))
            rows.append([year, area, "UDENFOR_INTERVIEWET", n, "Gadeinterviews, uge 40"])
            rows.append([year, area, "UDENFOR_BORTVIST", sent_away, "Gadeinterviews, uge 40"])
    ex.text(
        "UDENFOR/01_gadeinterviews_2021-2025.csv",
        ["År", "Område", "Indikator", "Antal", "Note"],
        rows,
        ";",
        "cp1252",
    )
