"""Write the demo partnership's submission files (SYNTHETIC figures) into submissions/.

    .venv/bin/python data/demo/make_demo_files.py

Deterministic (fixed seed, fixed workbook timestamps): running it again gives the same
bytes, so the committed files can be regenerated and compared. Every file imitates a format
partners really send; the leading number of a file name is the order it is taken in.
"""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import xlsxwriter

HERE = Path(__file__).resolve().parent
OUT = HERE / "submissions"
YEARS = range(2019, 2026)
SCHOOL_YEARS = [f"{y}/{(y + 1) % 100:02d}" for y in range(2019, 2025)]
QUARTERS = [f"{y}-Q{q}" for y in range(2022, 2026) for q in range(1, 5)][:-1]  # to 2025-Q3
rng = random.Random(561)


def drift(start: float, end: float, index: int, count: int, noise: float = 0.0) -> float:
    """A straight line from start to end with a little noise (figures move, but plausibly)."""
    value = start + (end - start) * index / max(count - 1, 1)
    return value * (1 + rng.uniform(-noise, noise))


def danish(number: float, decimals: int = 0) -> str:
    """1234567.8 -> '1.234.567,8' (thousands dots, decimal comma)."""
    text = f"{number:,.{decimals}f}"
    return text.replace(",", "_").replace(".", ",").replace("_", ".")


def write_text(
    name: str, header: list[str], rows: list[list[object]], sep: str, encoding: str
) -> None:
    path = OUT / name
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [sep.join(header)] + [sep.join(str(c) for c in row) for row in rows]
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))


# --- Esbjerg Kommune's statistics office: population etc. (Danish ';' CSV, UTF-8 with BOM) ---
POPULATION = {  # area: (BEF_I_ALT, 15-24, 16-64, 18-24, 25-year-olds) in 2019, yearly growth
    "0561": (115_900, 15_480, 72_950, 11_420, 1_560, 0.002),
    "0561-OST": (14_230, 1_860, 8_910, 1_310, 192, 0.004),
    "0561-VEST": (12_640, 1_540, 7_820, 1_080, 158, 0.001),
    "DK": (5_822_763, 741_900, 3_702_400, 503_600, 78_300, 0.004),
}
COMPLETED_25 = {
    "0561": (0.76, 0.79),
    "0561-OST": (0.63, 0.70),
    "0561-VEST": (0.80, 0.81),
    "DK": (0.82, 0.84),
}
NEET = {
    "0561": (0.076, 0.069),
    "0561-OST": (0.112, 0.088),
    "0561-VEST": (0.071, 0.070),
    "DK": (0.066, 0.063),
}
EMPLOYED = {
    "0561": (0.741, 0.758),
    "0561-OST": (0.652, 0.690),
    "0561-VEST": (0.768, 0.772),
    "DK": (0.762, 0.771),
}
CO2 = {"0561": (1_084_000, 812_000), "DK": (45_100_000, 38_600_000)}
pop: dict[tuple[str, str, int], int] = {}

rows: list[list[object]] = []
for area, (total, b15, b16, b18, b25, growth) in POPULATION.items():
    for i, year in enumerate(YEARS):
        f = (1 + growth) ** i
        values = {
            "BEF_I_ALT": round(total * f * (1 + rng.uniform(-0.001, 0.001))),
            "BEF_15_24": round(b15 * f * (1 + rng.uniform(-0.01, 0.01))),
            "BEF_16_64": round(b16 * f * (1 + rng.uniform(-0.004, 0.004))),
            "BEF_18_24": round(b18 * f * (1 + rng.uniform(-0.01, 0.01))),
            "BEF_25": round(b25 * f * (1 + rng.uniform(-0.04, 0.04))),
        }
        values["BEF_25_UDD"] = round(
            values["BEF_25"] * drift(*COMPLETED_25[area], i, len(YEARS), 0.01)
        )
        for code, value in values.items():
            pop[(code, area, year)] = value
            rows.append([area, year, code, danish(value), ""])
        if area == "DK":
            for code, base, share in (
                ("NEET_15_24", "BEF_15_24", NEET),
                ("BESK_16_64", "BEF_16_64", EMPLOYED),
            ):
                value = round(pop[(base, area, year)] * drift(*share[area], i, len(YEARS), 0.005))
                rows.append([area, year, code, danish(value), ""])
        if area in CO2:
            rows.append(
                [area, year, "CO2E_TON", danish(drift(*CO2[area], i, len(YEARS), 0.02), 1), ""]
            )
# The rest of the municipality, so that the areas under Esbjerg Kommune add up to it exactly.
for year in YEARS:
    for code in ("BEF_I_ALT", "BEF_15_24", "BEF_16_64", "BEF_18_24", "BEF_25", "BEF_25_UDD"):
        rest = (
            pop[(code, "0561", year)]
            - pop[(code, "0561-OST", year)]
            - pop[(code, "0561-VEST", year)]
        )
        rows.append(["0561-OEVR", year, code, danish(rest), ""])
# VIVE's national count of homelessness is held in odd years (2021 was postponed to 2022).
for area, counts in (
    ("0561", {2019: 52, 2022: 47, 2024: 41}),
    ("DK", {2019: 1_278, 2022: 1_157, 2024: 1_102}),
):
    for year in YEARS:
        if year in counts:
            rows.append(
                [area, year, "HJEMLOESE_18_24", danish(counts[year]), "VIVE-tælling, uge 6"]
            )
        else:
            rows.append([area, year, "HJEMLOESE_18_24", "..", "Ingen national tælling dette år"])
write_text(
    "KOMMUNE_STAT/01_befolkning_2019-2025.csv",
    ["Område", "År", "Dataelement", "Værdi", "Bemærkning"],
    rows,
    ";",
    "utf-8-sig",
)

# --- Jobcenter Esbjerg: NEET and employment (English ',' CSV) ---
rows = []
for area in ("0561", "0561-OST", "0561-VEST"):
    for i, year in enumerate(YEARS):
        for code, base, share in (
            ("NEET_15_24", "BEF_15_24", NEET),
            ("BESK_16_64", "BEF_16_64", EMPLOYED),
        ):
            value: object = round(
                pop[(base, area, year)] * drift(*share[area], i, len(YEARS), 0.01)
            )
            note = ""
            if year == 2025 and code == "NEET_15_24" and area == "0561-VEST":
                value, note = "NA", "register data for Vestbyen not yet available"
            rows.append([code, area, year, value, note])
write_text(
    "JOBCENTER/01_jobcenter_2019-2025.csv",
    ["data_element", "area", "year", "value", "comment"],
    rows,
    ",",
    "utf-8",
)

# --- Østerbyens skoler: an Excel workbook with a title above the table, boys and girls ---
DISTRICTS = {"0561-OST-RKJ": 29, "0561-OST-SPB": 22, "0561-OST-BOL": 14}  # leavers per sex
ORIGINAL: dict[tuple[str, str, str, str], object] = {}
table: list[list[object]] = []
for district, cohort in DISTRICTS.items():
    for i, sy in enumerate(SCHOOL_YEARS):
        for sex, label, grade in (("M", "Dreng", 5.9), ("F", "Pige", 6.8)):
            leavers = max(cohort + rng.randint(-4, 4), 6)
            pupils = cohort * 10 + rng.randint(-15, 15)
            absence = drift(0.071, 0.058, i, len(SCHOOL_YEARS), 0.08) * (
                1.25 if sy == "2021/22" else 1
            )
            answered = round(cohort * 6 * rng.uniform(0.86, 0.94))
            cells: dict[str, object] = {
                "ELEVER_AFGANG_9KL": leavers,
                "ELEVER_UDD_15MD": min(
                    leavers, round(leavers * drift(0.78, 0.88, i, len(SCHOOL_YEARS), 0.04))
                ),
                "SKOLEDAGE": pupils * 200,
                "FRAVAERSDAGE": round(pupils * 200 * absence),
                "KARAKTER_ANTAL_9KL": leavers * 7 - rng.randint(0, 3),
                "TRIVSEL_BESVARET": answered,
                "TRIVSEL_HOEJ": round(answered * rng.uniform(0.84, 0.93)),
            }
            cells["KARAKTER_SUM_9KL"] = round(
                cells["KARAKTER_ANTAL_9KL"] * (grade + rng.uniform(-0.4, 0.5))
            )
            if sy == "2019/20":  # the 9th-grade exams were cancelled in spring 2020 (covid-19)
                cells["KARAKTER_SUM_9KL"] = cells["KARAKTER_ANTAL_9KL"] = ".."
            for code, value in cells.items():
                ORIGINAL[(code, district, sy, sex)] = value
                note = "Prøverne aflyst (covid-19)" if value == ".." else ""
                if code != "ELEVER_UDD_15MD":  # the youth guidance (UU) reports that one
                    table.append([code, district, sy, label, value, note])
(OUT / "SKOLER").mkdir(parents=True, exist_ok=True)
workbook = xlsxwriter.Workbook(str(OUT / "SKOLER" / "01_skoler_2019-20_til_2024-25.xlsx"))
workbook.set_properties({"created": dt.datetime(2025, 11, 3, 9, 0), "author": "Østerbyens skoler"})
sheet = workbook.add_worksheet("Indberetning")
bold = workbook.add_format({"bold": True})
sheet.write(
    0,
    0,
    "MedVind i Østerbyen – indberetning fra Østerbyens skoler, skoleårene 2019/20–2024/25",
    bold,
)
sheet.write(1, 0, "Udfyldt af skolesekretariatet, november 2025")
for col, header in enumerate(["Dataelement", "Område", "Skoleår", "Køn", "Antal", "Bemærkning"]):
    sheet.write(3, col, header, bold)
for r, row in enumerate(table, start=4):
    for col, value in enumerate(row):
        if value != "":
            sheet.write(r, col, value)
sheet.set_column(0, 0, 22)
sheet.set_column(1, 5, 14)
workbook.close()

# --- Ungdommens Uddannelsesvejledning (UU): in education 15 months after 9th grade ---
# (the 2025 leavers' status is known only in autumn 2026: see the third UU file below)
rows = [
    [district, sy, sex, "ELEVER_UDD_15MD", ORIGINAL[("ELEVER_UDD_15MD", district, sy, sex)]]
    for district in DISTRICTS
    for sy in SCHOOL_YEARS[:-1]
    for sex in ("M", "F")
]
write_text(
    "UU/01_uu_overgang_2019-20_til_2023-24.csv",
    ["Område", "Skoleår", "Køn", "Dataelement", "Antal"],
    rows,
    ";",
    "utf-8",
)


def corrections(name: str, changes: list[tuple[str, str, str, str, int]]) -> None:
    """A correction sent later: supersedes a few earlier figures (SPEC §7.1, latest wins)."""
    rows = []
    for code, district, sy, sex, change in changes:
        before = int(ORIGINAL[(code, district, sy, sex)])  # type: ignore[call-overload]
        after = before + change
        if code == "ELEVER_UDD_15MD":
            leavers = ORIGINAL[("ELEVER_AFGANG_9KL", district, sy, sex)]
            after = min(after, int(leavers))  # type: ignore[call-overload]
        print(f"correction {code} {district} {sy} {sex}: {before} -> {after}")
        rows.append([code, district, sy, sex, danish(after), f"Rettelse (før: {danish(before)})"])
    write_text(
        name,
        ["dataelement", "område", "periode", "køn", "værdi", "kommentar"],
        rows,
        ";",
        "utf-8",
    )


# late registrations: two more pupils each in education
corrections(
    "UU/02_rettelse_uu.csv",
    [
        ("ELEVER_UDD_15MD", "0561-OST-RKJ", "2022/23", "M", 2),
        ("ELEVER_UDD_15MD", "0561-OST-RKJ", "2022/23", "F", 2),
    ],
)
# a school camp week had been registered as absence
corrections(
    "SKOLER/03_rettelse_skoler.csv",
    [
        ("FRAVAERSDAGE", "0561-OST-SPB", "2023/24", "M", -600),
        ("FRAVAERSDAGE", "0561-OST-SPB", "2023/24", "F", -600),
    ],
)

# --- UU: the 15-month status of the 2025 leavers, sent in October 2026 ---
rows = []
for district in DISTRICTS:
    for sex in ("M", "F"):
        leavers = int(ORIGINAL[("ELEVER_AFGANG_9KL", district, SCHOOL_YEARS[-1], sex)])  # type: ignore[call-overload]
        share = drift(0.78, 0.88, len(SCHOOL_YEARS) - 1, len(SCHOOL_YEARS), 0.04)
        rows.append(
            ["ELEVER_UDD_15MD", district, "2024/25", sex, min(leavers, round(leavers * share))]
        )
write_text(
    "UU/04_overgang_15md_2024-25.csv",
    ["dataelement", "område", "skoleår", "køn", "antal"],
    rows,
    ";",
    "utf-8",
)

# --- Boligsocial helhedsplan: young homeless people; the first file has three mistakes ---
HOMELESS = {
    2019: (7, 3),
    2020: (8, 3),
    2021: (9, 4),
    2022: (7, 4),
    2023: (6, 2),
    2024: (5, 3),
    2025: (4, 2),
}
good = [
    ["HJEMLOESE_18_24", "0561-OST", year, sex, n]
    for year, pair in HOMELESS.items()
    for sex, n in zip(("M", "F"), pair, strict=True)
]
bad = [list(row) for row in good]
bad[3][1] = "0561-0ST"  # a zero typed for the letter O
bad[6][4] = "ca. 9"  # text in a number cell
bad[9][2] = "2023/24"  # a school year for a yearly data element
header = ["Dataelement", "Område", "År", "Køn", "Antal"]
write_text("BOLIG/01_hjemloese_unge_2019-2025.csv", header, bad, ";", "utf-8")
write_text("BOLIG/02_hjemloese_unge_2019-2025_rettet.csv", header, good, ";", "utf-8")

# --- The meeting places on Troldhedestien: quarterly attendance (Windows-1252 CSV) ---
rows = []
for i, quarter in enumerate(QUARTERS):
    year, q = quarter.split("-Q")
    season = {1: 1.0, 2: 1.1, 3: 0.6, 4: 1.05}[int(q)]
    total = round(drift(44, 84, i, len(QUARTERS), 0.04) * season)
    disabled: object = round(total * drift(0.11, 0.21, i, len(QUARTERS), 0.05))
    note = "Sommerlukket i juli" if q == "3" else ""
    if quarter == "2023-Q3":
        disabled, note = "x", "Ikke registreret i sommerperioden"
    rows.append(["INKL_DELTAGERE", "0621-TRH", f"K{q} {year}", total, note])
    rows.append(["INKL_DELTAGERE_HANDICAP", "0621-TRH", f"K{q} {year}", disabled, note])
write_text(
    "NGO/01_moedesteder_2022-2025.csv",
    ["Dataelement", "Område", "Periode", "Antal", "Bemærkning"],
    rows,
    ";",
    "cp1252",
)

# --- Kolding Kommune: population and the climate account (tab-separated) ---
rows = []
for i, year in enumerate(YEARS):
    kolding, troldhedestien = round(93_180 * 1.006**i), round(3_410 * 1.004**i)
    rows.append(["0621", str(year), "BEF_I_ALT", kolding])
    rows.append(["0621-TRH", str(year), "BEF_I_ALT", troldhedestien])
    rows.append(["0621-OEVR", str(year), "BEF_I_ALT", kolding - troldhedestien])
    rows.append(
        ["0621", str(year), "CO2E_TON", f"{drift(612_000, 488_000, i, len(YEARS), 0.02):.1f}"]
    )
write_text(
    "KOLDING/01_kolding_2019-2025.txt", ["område", "år", "indikator", "værdi"], rows, "\t", "utf-8"
)
