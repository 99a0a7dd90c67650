"""Write the example partnerships' submission files (SYNTHETIC figures) into examples/*/submissions/.

    .venv/bin/python examples/make_example_files.py [FOLDER]

(FOLDER: write there instead of examples/, e.g. to compare with the committed files.)

Deterministic (one fixed seed per example, fixed workbook timestamps): running it again
gives the same bytes. Every file imitates a format partners really send (Danish ';' CSV with
decimal comma, Windows-1252, tab-separated text, workbooks with title rows); the leading
number of a file name is the order it is taken in. A few files are wrong on purpose: they
are rejected with a receipt, and a corrected file follows (see each README).

``medvind-oesterbyen`` is the demo partnership: its files stay in data/demo/ (the source of
``make demo``, made by data/demo/make_demo_files.py); examples/medvind-oesterbyen/ holds
only its README and the pointer ``source`` (see ci_measure/examples.py).
"""

from __future__ import annotations

import datetime as dt
import random
import shutil
import sys
from collections.abc import Iterable
from pathlib import Path

import xlsxwriter

HERE = Path(__file__).resolve().parent
ROOT = HERE  # where the example folders are written (main() may point elsewhere)
YEARS = list(range(2019, 2026))
CREATED = dt.datetime(2025, 11, 3, 9, 0)
# Every file says so in a title row above its table (ci-measure skips title rows).
SYNTHETIC = "SYNTETISKE TAL – eksempel til ci-measure, ikke virkelige tal"


def quarters(first: int, last: str = "2025-Q3") -> list[str]:
    """2022-Q1 ... 2025-Q3 (the last quarter with figures when the files were made)."""
    found = [f"{y}-Q{q}" for y in range(first, 2026) for q in range(1, 5)]
    return found[: found.index(last) + 1]


def months(first: int, last: str = "2025-09") -> list[str]:
    found = [f"{y}-{m:02d}" for y in range(first, 2026) for m in range(1, 13)]
    return found[: found.index(last) + 1]


def danish(number: float, decimals: int = 0) -> str:
    """1234567.8 -> '1.234.567,8' (thousands dots, decimal comma)."""
    text = f"{number:,.{decimals}f}"
    return text.replace(",", "_").replace(".", ",").replace("_", ".")


class Example:
    """One example's submissions folder and its own random numbers."""

    def __init__(self, slug: str, seed: int) -> None:
        self.out = ROOT / slug / "submissions"
        self.rng = random.Random(seed)
        if self.out.exists():
            shutil.rmtree(self.out)

    def drift(self, start: float, end: float, index: int, count: int, noise: float = 0.0) -> float:
        """A straight line from start to end with a little noise (figures move, but plausibly)."""
        value = start + (end - start) * index / max(count - 1, 1)
        return value * (1 + self.rng.uniform(-noise, noise))

    def text(
        self,
        name: str,
        header: list[str],
        rows: Iterable[list[object]],
        sep: str = ";",
        encoding: str = "utf-8",
    ) -> None:
        path = self.out / name
        path.parent.mkdir(parents=True, exist_ok=True)
        title = sep.join([SYNTHETIC] + [""] * (len(header) - 1))
        lines = [title, sep.join(header)] + [sep.join(str(c) for c in row) for row in rows]
        path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))

    def workbook(
        self,
        name: str,
        titles: list[str],
        header: list[str],
        rows: Iterable[list[object]],
        author: str,
        sheet_name: str = "Indberetning",
    ) -> None:
        """A workbook as a person fills it: title lines, a blank row, then the table.

        A ``dt.date`` in a row is written as a real Excel date (what Excel makes of `1/4 2025`).
        """
        path = self.out / name
        path.parent.mkdir(parents=True, exist_ok=True)
        book = xlsxwriter.Workbook(str(path))
        book.set_properties({"created": CREATED, "author": author})
        sheet = book.add_worksheet(sheet_name)
        bold = book.add_format({"bold": True})
        date = book.add_format({"num_format": "dd-mm-yyyy"})
        titles = [*titles, SYNTHETIC]
        for r, title in enumerate(titles):
            sheet.write(r, 0, title, bold if r == 0 else None)
        top = len(titles) + 1
        for col, text in enumerate(header):
            sheet.write(top, col, text, bold)
        for r, row in enumerate(rows, start=top + 1):
            for col, value in enumerate(row):
                if isinstance(value, dt.date):
                    sheet.write_datetime(r, col, dt.datetime.combine(value, dt.time()), date)
                elif value != "" and value is not None:
                    sheet.write(r, col, value)
        sheet.set_column(0, 0, 26)
        sheet.set_column(1, len(header), 14)
        book.close()


# ---------------------------------------------------------------------------------------------
def troldhedestien() -> None:
    ex = Example("troldhedestien", 621)
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


# ---------------------------------------------------------------------------------------------
def rummelighed_for_alle() -> None:
    ex = Example("rummelighed-for-alle", 101)

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


# ---------------------------------------------------------------------------------------------
def hjem_til_alle() -> None:
    ex = Example("hjem-til-alle", 461)
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


# ---------------------------------------------------------------------------------------------
SECTORS = {  # Holstebro-like orders of magnitude, tonnes CO2e in 2019 and 2024
    "CO2E_TON_ENERGI": (168_000, 104_000),
    "CO2E_TON_TRANSPORT": (192_000, 171_000),
    "CO2E_TON_LANDBRUG": (331_000, 309_000),
    "CO2E_TON_INDUSTRI": (26_500, 19_800),
    "CO2E_TON_AFFALD": (14_900, 11_700),
    "CO2E_TON_AREAL": (46_000, -6_500),  # drained soils re-wetted, new forest: a net sink
}


def dk2020() -> None:
    ex = Example("dk2020", 661)
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


# ---------------------------------------------------------------------------------------------
def baeredygtige_landskaber() -> None:
    ex = Example("baeredygtige-landskaber", 779)
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


# ---------------------------------------------------------------------------------------------
def toendermarsk() -> None:
    ex = Example("toendermarsk", 550)
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


# ---------------------------------------------------------------------------------------------
def bo_trygt() -> None:
    ex = Example("bo-trygt", 615)
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


def main(argv: list[str] | None = None) -> None:
    global ROOT
    args = sys.argv[1:] if argv is None else argv
    ROOT = Path(args[0]).resolve() if args else HERE
    for make in (
        troldhedestien,
        rummelighed_for_alle,
        hjem_til_alle,
        dk2020,
        baeredygtige_landskaber,
        toendermarsk,
        bo_trygt,
    ):
        make()
    for path in sorted(ROOT.glob("*/submissions/*/*")):
        print(f"{path.relative_to(ROOT)}  ({path.stat().st_size:,} bytes)")


if __name__ == "__main__":
    main()
