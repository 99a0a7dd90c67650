"""Write the demo partnership's submission files (SYNTHETIC figures) into submissions/.

    .venv/bin/python data/demo/make_demo_files.py [FOLDER]

(FOLDER: write FOLDER/submissions/ instead, e.g. to compare with the committed files.)

Deterministic (one seed, fixed workbook timestamps): running it again gives the same bytes,
and a test compares the committed files with what it writes. One function per partner, called
in the order below (they draw from the same random numbers, so the order matters); the
helpers are those of the examples (examples/makers/synthetic.py). Every file imitates a
format partners really send; the leading number of a file name is the order it is taken in.
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
EXAMPLES = HERE.parents[1] / "examples"
if str(EXAMPLES) not in sys.path:  # the shared helpers live with the examples' makers
    sys.path.insert(0, str(EXAMPLES))

from makers.synthetic import Submissions, danish, list_files, quarters  # noqa: E402

SEED = 561
YEARS = range(2019, 2026)
SCHOOL_YEARS = [f"{y}/{(y + 1) % 100:02d}" for y in range(2019, 2025)]
QUARTERS = quarters(2022)

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
POPULATION_CODES = ("BEF_I_ALT", "BEF_15_24", "BEF_16_64", "BEF_18_24", "BEF_25", "BEF_25_UDD")
DISTRICTS = {"0561-OST-RKJ": 29, "0561-OST-SPB": 22, "0561-OST-BOL": 14}  # leavers per sex
HOMELESS = {  # young homeless people in Østerbyen (men, women)
    2019: (7, 3),
    2020: (8, 3),
    2021: (9, 4),
    2022: (7, 4),
    2023: (6, 2),
    2024: (5, 3),
    2025: (4, 2),
}

Population = dict[tuple[str, str, int], int]  # (data element, area, year) -> count
Cells = dict[tuple[str, str, str, str], object]  # (data element, district, school year, sex)


def _population_values(s: Submissions, area: str, i: int) -> dict[str, int]:
    """One area's population figures in the i-th year (and the 25-year-olds with an education)."""
    total, b15, b16, b18, b25, growth = POPULATION[area]
    f = (1 + growth) ** i
    values = {
        "BEF_I_ALT": round(total * f * (1 + s.rng.uniform(-0.001, 0.001))),
        "BEF_15_24": round(b15 * f * (1 + s.rng.uniform(-0.01, 0.01))),
        "BEF_16_64": round(b16 * f * (1 + s.rng.uniform(-0.004, 0.004))),
        "BEF_18_24": round(b18 * f * (1 + s.rng.uniform(-0.01, 0.01))),
        "BEF_25": round(b25 * f * (1 + s.rng.uniform(-0.04, 0.04))),
    }
    values["BEF_25_UDD"] = round(
        values["BEF_25"] * s.drift(*COMPLETED_25[area], i, len(YEARS), 0.01)
    )
    return values


def kommune_stat(s: Submissions) -> Population:
    """Esbjerg Kommune's statistics office: population, national NEET/jobs, CO2, homelessness.

    The populations of the municipality and the country come from Statistikbanken (FOLK1A, in
    its BULK layout, read through statistics/folk1a.yaml); the rest from its own CSV.
    """
    pop: Population = {}
    rows: list[list[object]] = []
    for area in POPULATION:
        for i, year in enumerate(YEARS):
            for code, value in _population_values(s, area, i).items():
                pop[(code, area, year)] = value
                if area in FOLK1A_AREAS and code in FOLK1A_CODES:
                    continue  # in the Statistikbanken file
                rows.append([area, year, code, danish(value), ""])
            if area == "DK":
                for code, base, share in (
                    ("NEET_15_24", "BEF_15_24", NEET),
                    ("BESK_16_64", "BEF_16_64", EMPLOYED),
                ):
                    value = round(
                        pop[(base, area, year)] * s.drift(*share[area], i, len(YEARS), 0.005)
                    )
                    rows.append([area, year, code, danish(value), ""])
            if area in CO2:
                co2 = danish(s.drift(*CO2[area], i, len(YEARS), 0.02), 1)
                rows.append([area, year, "CO2E_TON", co2, ""])
    # The rest of the municipality, so that the areas under Esbjerg Kommune add up to it exactly.
    for year in YEARS:
        for code in POPULATION_CODES:
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
                rows.append(
                    [area, year, "HJEMLOESE_18_24", "..", "Ingen national tælling dette år"]
                )
    s.text(
        "KOMMUNE_STAT/01_befolkning_2019-2025.csv",
        ["Område", "År", "Dataelement", "Værdi", "Bemærkning"],
        rows,
        ";",
        "utf-8-sig",
    )
    folk1a(s, pop)
    return pop


# --- Statistikbanken FOLK1A (BULK "CSV med koder"), SYNTHETIC figures in the real layout ---
FOLK1A_AREAS = {"0561": "561", "DK": "000"}
FOLK1A_CODES = ("BEF_I_ALT", "BEF_15_24", "BEF_16_64", "BEF_18_24", "BEF_25")
AGES = range(0, 101)


def _spread(total: int, parts: int) -> list[int]:
    """``total`` in ``parts`` whole numbers that add up to it exactly."""
    base, extra = divmod(total, parts)
    return [base + (1 if k < extra else 0) for k in range(parts)]


def _age_groups(pop: Population, area: str, year: int) -> dict[range, int]:
    """Age groups whose sums give exactly the year's BEF_* figures (FOLK1A's ages 0-100)."""
    value = {code: pop[(code, area, year)] for code in FOLK1A_CODES}
    a16_17 = round(value["BEF_15_24"] * 0.2)
    a18_24 = value["BEF_18_24"]
    a15 = value["BEF_15_24"] - a16_17 - a18_24
    a26_64 = value["BEF_16_64"] - a16_17 - a18_24 - value["BEF_25"]
    rest = value["BEF_I_ALT"] - value["BEF_15_24"] - value["BEF_25"] - a26_64
    young = round(rest * 0.45)
    groups = {
        range(0, 15): young,
        range(15, 16): a15,
        range(16, 18): a16_17,
        range(18, 25): a18_24,
        range(25, 26): value["BEF_25"],
        range(26, 65): a26_64,
        range(65, 101): rest - young,
    }
    assert min(groups.values()) >= 0, (area, year, groups)
    return groups


def folk1a(s: Submissions, pop: Population) -> None:
    """Population on the 1st day of each quarter by area, sex and age (Q4 = the demo's year).

    The four quarters make each year complete (``year_from: last`` takes Q4, whose ages add
    up to exactly the figures the demo always had); Q1-Q3 are a little smaller.
    """
    rows: list[list[object]] = []
    for area, code in FOLK1A_AREAS.items():
        for sex in ("1", "2"):
            for age in AGES:
                for year in YEARS:
                    groups = _age_groups(pop, area, year)
                    group = next(g for g in groups if age in g)
                    shares = _spread(groups[group], 2 * len(group))
                    q4 = shares[2 * group.index(age) + int(sex) - 1]
                    for quarter in range(1, 5):
                        value = q4 if quarter == 4 else q4 - (q4 * (4 - quarter)) // 400
                        rows.append([code, sex, age, f"{year}K{quarter}", value])
    title = s.title
    s.title = "FOLK1A: Befolkningen den 1. i kvartalet – SYNTETISKE TAL (demo, ikke Danmarks Statistiks tal)"
    s.text(
        "KOMMUNE_STAT/00_FOLK1A_befolkning_2019-2025.csv",
        ["OMRÅDE", "KØN", "ALDER", "TID", "INDHOLD"],
        rows,
        ";",
        "utf-8",
    )
    s.title = title


def jobcenter(s: Submissions, pop: Population) -> None:
    """Jobcenter Esbjerg: NEET and employment (English ',' CSV, `NA` for a missing figure)."""
    rows: list[list[object]] = []
    for area in ("0561", "0561-OST", "0561-VEST"):
        for i, year in enumerate(YEARS):
            for code, base, share in (
                ("NEET_15_24", "BEF_15_24", NEET),
                ("BESK_16_64", "BEF_16_64", EMPLOYED),
            ):
                value: object = round(
                    pop[(base, area, year)] * s.drift(*share[area], i, len(YEARS), 0.01)
                )
                note = ""
                if year == 2025 and code == "NEET_15_24" and area == "0561-VEST":
                    value, note = "NA", "register data for Vestbyen not yet available"
                rows.append([code, area, year, value, note])
    s.text(
        "JOBCENTER/01_jobcenter_2019-2025.csv",
        ["data_element", "area", "year", "value", "comment"],
        rows,
        ",",
        "utf-8",
    )


def _school_cells(s: Submissions, cohort: int, i: int, sy: str, grade: float) -> dict[str, object]:
    """One school district's figures for one sex in one school year."""
    leavers = max(cohort + s.rng.randint(-4, 4), 6)
    pupils = cohort * 10 + s.rng.randint(-15, 15)
    absence = s.drift(0.071, 0.058, i, len(SCHOOL_YEARS), 0.08) * (1.25 if sy == "2021/22" else 1)
    answered = round(cohort * 6 * s.rng.uniform(0.86, 0.94))
    cells: dict[str, object] = {
        "ELEVER_AFGANG_9KL": leavers,
        "ELEVER_UDD_15MD": min(
            leavers, round(leavers * s.drift(0.78, 0.88, i, len(SCHOOL_YEARS), 0.04))
        ),
        "SKOLEDAGE": pupils * 200,
        "FRAVAERSDAGE": round(pupils * 200 * absence),
        "KARAKTER_ANTAL_9KL": leavers * 7 - s.rng.randint(0, 3),
        "TRIVSEL_BESVARET": answered,
        "TRIVSEL_HOEJ": round(answered * s.rng.uniform(0.84, 0.93)),
    }
    cells["KARAKTER_SUM_9KL"] = round(
        cells["KARAKTER_ANTAL_9KL"] * (grade + s.rng.uniform(-0.4, 0.5))  # type: ignore[operator]
    )
    if sy == "2019/20":  # the 9th-grade exams were cancelled in spring 2020 (covid-19)
        cells["KARAKTER_SUM_9KL"] = cells["KARAKTER_ANTAL_9KL"] = ".."
    return cells


def skoler(s: Submissions) -> Cells:
    """Østerbyens skoler: an Excel workbook with a title above the table, boys and girls.

    Returns every figure made, also the UU's (ELEVER_UDD_15MD), which the schools do not send.
    """
    original: Cells = {}
    table: list[list[object]] = []
    for district, cohort in DISTRICTS.items():
        for i, sy in enumerate(SCHOOL_YEARS):
            for sex, label, grade in (("M", "Dreng", 5.9), ("F", "Pige", 6.8)):
                for code, value in _school_cells(s, cohort, i, sy, grade).items():
                    original[(code, district, sy, sex)] = value
                    note = "Prøverne aflyst (covid-19)" if value == ".." else ""
                    if code != "ELEVER_UDD_15MD":  # the youth guidance (UU) reports that one
                        table.append([code, district, sy, label, value, note])
    s.workbook(
        "SKOLER/01_skoler_2019-20_til_2024-25.xlsx",
        [
            "MedVind i Østerbyen – indberetning fra Østerbyens skoler, skoleårene 2019/20–2024/25",
            "Udfyldt af skolesekretariatet, november 2025",
        ],
        ["Dataelement", "Område", "Skoleår", "Køn", "Antal", "Bemærkning"],
        table,
        "Østerbyens skoler",
        widths=(22, 14, 5),
    )
    return original


def uu_overgang(s: Submissions, original: Cells) -> None:
    """Ungdommens Uddannelsesvejledning (UU): in education 15 months after 9th grade.

    The 2025 leavers' status is known only in autumn 2026: see ``uu_2024_25``.
    """
    rows: list[list[object]] = [
        [district, sy, sex, "ELEVER_UDD_15MD", original[("ELEVER_UDD_15MD", district, sy, sex)]]
        for district in DISTRICTS
        for sy in SCHOOL_YEARS[:-1]
        for sex in ("M", "F")
    ]
    s.text(
        "UU/01_uu_overgang_2019-20_til_2023-24.csv",
        ["Område", "Skoleår", "Køn", "Dataelement", "Antal"],
        rows,
        ";",
        "utf-8",
    )


def corrections(
    s: Submissions, original: Cells, name: str, changes: list[tuple[str, str, str, str, int]]
) -> None:
    """A correction sent later: supersedes a few earlier figures (SPEC §7.1, latest wins)."""
    rows: list[list[object]] = []
    for code, district, sy, sex, change in changes:
        before = int(original[(code, district, sy, sex)])  # type: ignore[call-overload]
        after = before + change
        if code == "ELEVER_UDD_15MD":
            leavers = original[("ELEVER_AFGANG_9KL", district, sy, sex)]
            after = min(after, int(leavers))  # type: ignore[call-overload]
        print(f"correction {code} {district} {sy} {sex}: {before} -> {after}")
        rows.append([code, district, sy, sex, danish(after), f"Rettelse (før: {danish(before)})"])
    s.text(
        name,
        ["dataelement", "område", "periode", "køn", "værdi", "kommentar"],
        rows,
        ";",
        "utf-8",
    )


def uu_2024_25(s: Submissions, original: Cells) -> None:
    """UU: the 15-month status of the 2025 leavers, sent in October 2026."""
    rows: list[list[object]] = []
    for district in DISTRICTS:
        for sex in ("M", "F"):
            leavers = int(original[("ELEVER_AFGANG_9KL", district, SCHOOL_YEARS[-1], sex)])  # type: ignore[call-overload]
            share = s.drift(0.78, 0.88, len(SCHOOL_YEARS) - 1, len(SCHOOL_YEARS), 0.04)
            rows.append(
                ["ELEVER_UDD_15MD", district, "2024/25", sex, min(leavers, round(leavers * share))]
            )
    s.text(
        "UU/04_overgang_15md_2024-25.csv",
        ["dataelement", "område", "skoleår", "køn", "antal"],
        rows,
        ";",
        "utf-8",
    )


def bolig(s: Submissions) -> None:
    """Boligsocial helhedsplan: young homeless people; the first file has three mistakes."""
    good: list[list[object]] = [
        ["HJEMLOESE_18_24", "0561-OST", year, sex, n]
        for year, pair in HOMELESS.items()
        for sex, n in zip(("M", "F"), pair, strict=True)
    ]
    bad = [list(row) for row in good]
    bad[3][1] = "0561-0ST"  # a zero typed for the letter O
    bad[6][4] = "ca. 9"  # text in a number cell
    bad[9][2] = "2023/24"  # a school year for a yearly data element
    header = ["Dataelement", "Område", "År", "Køn", "Antal"]
    s.text("BOLIG/01_hjemloese_unge_2019-2025.csv", header, bad, ";", "utf-8")
    s.text("BOLIG/02_hjemloese_unge_2019-2025_rettet.csv", header, good, ";", "utf-8")


def ngo(s: Submissions) -> None:
    """The meeting places on Troldhedestien: quarterly attendance (Windows-1252 CSV)."""
    rows: list[list[object]] = []
    for i, quarter in enumerate(QUARTERS):
        year, q = quarter.split("-Q")
        season = {1: 1.0, 2: 1.1, 3: 0.6, 4: 1.05}[int(q)]
        total = round(s.drift(44, 84, i, len(QUARTERS), 0.04) * season)
        disabled: object = round(total * s.drift(0.11, 0.21, i, len(QUARTERS), 0.05))
        note = "Sommerlukket i juli" if q == "3" else ""
        if quarter == "2023-Q3":
            disabled, note = "x", "Ikke registreret i sommerperioden"
        rows.append(["INKL_DELTAGERE", "0621-TRH", f"K{q} {year}", total, note])
        rows.append(["INKL_DELTAGERE_HANDICAP", "0621-TRH", f"K{q} {year}", disabled, note])
    s.text(
        "NGO/01_moedesteder_2022-2025.csv",
        ["Dataelement", "Område", "Periode", "Antal", "Bemærkning"],
        rows,
        ";",
        "cp1252",
    )


def kolding(s: Submissions) -> None:
    """Kolding Kommune: population and the climate account (tab-separated)."""
    rows: list[list[object]] = []
    for i, year in enumerate(YEARS):
        kolding, troldhedestien = round(93_180 * 1.006**i), round(3_410 * 1.004**i)
        rows.append(["0621", str(year), "BEF_I_ALT", kolding])
        rows.append(["0621-TRH", str(year), "BEF_I_ALT", troldhedestien])
        rows.append(["0621-OEVR", str(year), "BEF_I_ALT", kolding - troldhedestien])
        rows.append(
            ["0621", str(year), "CO2E_TON", f"{s.drift(612_000, 488_000, i, len(YEARS), 0.02):.1f}"]
        )
    s.text(
        "KOLDING/01_kolding_2019-2025.txt",
        ["område", "år", "indikator", "værdi"],
        rows,
        "\t",
        "utf-8",
    )


def make(root: Path) -> None:
    """Write every partner's files into root/submissions/ (files not made here are kept)."""
    s = Submissions(root / "submissions", SEED, title=None, fresh=False)
    pop = kommune_stat(s)
    jobcenter(s, pop)
    original = skoler(s)
    uu_overgang(s, original)
    # late registrations: two more pupils each in education
    corrections(
        s,
        original,
        "UU/02_rettelse_uu.csv",
        [
            ("ELEVER_UDD_15MD", "0561-OST-RKJ", "2022/23", "M", 2),
            ("ELEVER_UDD_15MD", "0561-OST-RKJ", "2022/23", "F", 2),
        ],
    )
    # a school camp week had been registered as absence
    corrections(
        s,
        original,
        "SKOLER/03_rettelse_skoler.csv",
        [
            ("FRAVAERSDAGE", "0561-OST-SPB", "2023/24", "M", -600),
            ("FRAVAERSDAGE", "0561-OST-SPB", "2023/24", "F", -600),
        ],
    )
    uu_2024_25(s, original)
    bolig(s)
    ngo(s)
    kolding(s)


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    root = Path(args[0]).resolve() if args else HERE
    make(root)
    list_files(root)


if __name__ == "__main__":
    main()
