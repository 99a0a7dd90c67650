"""Synthetic national partnership for the benchmarks (ALL FIGURES ARE SYNTHETIC).

98 municipalities under ``DK``, 21 school districts each (2,058 districts), ten school
years, sex (M, K) x origin (DK, IMM, DESC), eight school data elements: 987,840 leaf cells
for the full delivery. Written the Danish way: ``;``-separated, Danish headers, Danish sex
spellings, thousands dots (``6.400``), a few ``..`` source-suppressed cells.

    python -m benchmarks.generator [--out benchmarks/out] [--rows 10000 100000 1000000]

Writes ``<out>/ws/partnership.yaml`` (the workspace), ``<out>/national_<n>.csv`` for each
size (the first n rows of the full delivery, whole districts first), ``<out>/national_100k.xlsx``
(the 100k rows as a spreadsheet), ``<out>/small_1k.csv`` (1,000 corrected cells, for the
incremental ingest) and ``<out>/national_1m_bad.csv`` (the 1M file with about 0.5 % bad rows).
Deterministic (seeded); files that already exist with the same size request are kept.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

MUNICIPALITIES = 98
DISTRICTS_PER_MUNICIPALITY = 21
YEARS = list(range(2014, 2024))  # school years 2014/15 .. 2023/24
SEXES = ("M", "K")
ORIGINS = ("DK", "IMM", "DESC")
ELEMENTS = (
    "ELEVER_AFGANG_9KL",
    "ELEVER_UDD_15MD",
    "SKOLEDAGE",
    "FRAVAERSDAGE",
    "KARAKTER_SUM_9KL",
    "KARAKTER_ANTAL_9KL",
    "TRIVSEL_BESVARET",
    "TRIVSEL_HOEJ",
)
HEADER = "dataelement;område;periode;køn;herkomst;værdi"
PARTNER = "SKOLER"
MUNICIPALITY_CODES = [f"{101 + 7 * i:04d}" for i in range(MUNICIPALITIES)]


def district_codes() -> list[str]:
    return [
        f"{m}-{d:02d}" for m in MUNICIPALITY_CODES for d in range(1, DISTRICTS_PER_MUNICIPALITY + 1)
    ]


def partnership_yaml(municipalities: int = MUNICIPALITIES) -> str:
    """The workspace; ``municipalities`` < 98 gives a smaller partnership (start-up timing)."""
    codes = MUNICIPALITY_CODES[:municipalities]
    lines = [
        "# Synthetic national partnership for the benchmarks. ALL FIGURES ARE SYNTHETIC.",
        "name: Benchmark - national partnership",
        "suppression_threshold: 5",
        "max_file_mb: 200",
        'main_area: "0101"',
        "areas:",
        "  - code: DK",
        "    name: Hele landet",
    ]
    for m in codes:
        lines += [f'  - code: "{m}"', f"    name: Kommune {m}", "    parent: DK"]
        for d in range(1, DISTRICTS_PER_MUNICIPALITY + 1):
            lines += [
                f'  - code: "{m}-{d:02d}"',
                f"    name: Skoledistrikt {m}-{d:02d}",
                f'    parent: "{m}"',
            ]
    lines += [
        "partners:",
        f"  - code: {PARTNER}",
        "    name: Skolernes statistik (syntetisk)",
        "    reports:",
        f"      - data_elements: [{', '.join(ELEMENTS)}]",
        "        areas: [" + ", ".join(f'"{d}"' for d in district_codes() if d[:4] in codes) + "]",
        "  - code: KOMMUNE_STAT",
        "    name: Befolkningsstatistik (syntetisk)",
        "    reports:",
        "      - data_elements: [BEF_25, BEF_25_UDD, BEF_I_ALT]",
        "        areas: [DK, " + ", ".join(f'"{m}"' for m in codes) + "]",
    ]
    return "\n".join(lines) + "\n"


def _thousands(values: np.ndarray) -> np.ndarray:
    """Whole numbers written the Danish way: 6400 -> '6.400'."""
    out = np.array([f"{v:,}".replace(",", ".") for v in range(int(values.max()) + 1)], dtype=object)
    return out[values]


def cells(seed: int = 2024) -> dict[str, np.ndarray]:
    """The full delivery as columns, ordered district, year, element, sex, origin."""
    rng = np.random.default_rng(seed)
    districts = np.array(district_codes(), dtype=object)
    periods = np.array([f"{y}/{(y + 1) % 100:02d}" for y in YEARS], dtype=object)
    n_groups = len(districts) * len(periods) * len(SEXES) * len(ORIGINS)
    # one group = one (district, year, sex, origin); its eight elements are consistent
    pupils = rng.integers(0, 45, n_groups)
    udd = (pupils * rng.uniform(0.6, 1.0, n_groups)).astype(np.int64)
    days = pupils * 200
    absent = (days * rng.uniform(0.02, 0.09, n_groups)).astype(np.int64)
    grades = pupils * 7
    grade_sum = (grades * rng.uniform(4.0, 9.0, n_groups)).astype(np.int64)
    answered = (pupils * rng.uniform(0.7, 1.0, n_groups)).astype(np.int64)
    high = (answered * rng.uniform(0.5, 0.95, n_groups)).astype(np.int64)
    per_element = [pupils, udd, days, absent, grade_sum, grades, answered, high]
    values = np.stack([_thousands(v) for v in per_element], axis=1)  # (groups, elements)
    # a few source-suppressed cells, both sides of a pair, so no rule is broken
    hidden = rng.random(n_groups) < 0.004
    values[hidden, :2] = ".."
    # layout: district, year, element, sex, origin
    shape = (len(districts), len(periods), len(SEXES), len(ORIGINS), len(ELEMENTS))
    values = values.reshape(shape).transpose(0, 1, 4, 2, 3)
    full = (len(districts), len(periods), len(ELEMENTS), len(SEXES), len(ORIGINS))
    idx = np.indices(full).reshape(5, -1)
    return {
        "dataelement": np.array(ELEMENTS, dtype=object)[idx[2]],
        "område": districts[idx[0]],
        "periode": periods[idx[1]],
        "køn": np.array(SEXES, dtype=object)[idx[3]],
        "herkomst": np.array(ORIGINS, dtype=object)[idx[4]],
        "værdi": values.reshape(-1),
    }


def write_csv(path: Path, columns: dict[str, np.ndarray], n: int) -> None:
    parts = [
        columns[c][:n] for c in ("dataelement", "område", "periode", "køn", "herkomst", "værdi")
    ]
    body = "\n".join(";".join(r) for r in zip(*parts, strict=True))
    tmp = path.with_suffix(".tmp")
    tmp.write_text(HEADER + "\n" + body + "\n", encoding="utf-8")
    tmp.replace(path)


def make_bad(columns: dict[str, np.ndarray], seed: int = 7) -> dict[str, np.ndarray]:
    """About 0.5 % bad rows: unknown codes, bad periods, words for numbers, negatives, fractions."""
    rng = np.random.default_rng(seed)
    bad = {k: v.copy() for k, v in columns.items()}
    n = len(bad["værdi"])
    rows = rng.choice(n, size=n // 200, replace=False)
    kinds = rng.integers(0, 5, len(rows))
    bad["område"][rows[kinds == 0]] = "9999-99"
    bad["periode"][rows[kinds == 1]] = "2023-2025"
    bad["værdi"][rows[kinds == 2]] = "ti"
    bad["værdi"][rows[kinds == 3]] = "-3"
    bad["værdi"][rows[kinds == 4]] = "2,5"
    return bad


def small_corrections(columns: dict[str, np.ndarray], n: int = 1000) -> dict[str, np.ndarray]:
    """n cells of the delivery again (whole groups of six), with changed values."""
    out = {k: v[:n].copy() for k, v in columns.items()}
    # keep every part <= whole pair consistent: add the same 1 to every value
    vals = out["værdi"]
    for i, v in enumerate(vals):
        if v != "..":
            vals[i] = f"{int(v.replace('.', '')) + 1:,}".replace(",", ".")
    # ELEVER_UDD_15MD <= ELEVER_AFGANG_9KL etc. still hold (both +1)
    return out


def write_xlsx(path: Path, columns: dict[str, np.ndarray], n: int) -> None:
    """The first n rows as an .xlsx; numbers as numbers, like a partner's Excel sheet."""
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("data")
    names = ["dataelement", "område", "periode", "køn", "herkomst", "værdi"]
    sheet.append(names)
    for r in zip(*(columns[c][:n] for c in names), strict=True):
        value = r[5]
        cell = value if value == ".." else int(value.replace(".", ""))
        sheet.append([r[0], r[1], r[2], r[3], r[4], cell])
    tmp = path.with_suffix(".tmp.xlsx")
    book.save(tmp)
    tmp.replace(path)


def label(n: int) -> str:
    return f"{n // 1_000_000}m" if n % 1_000_000 == 0 else f"{n // 1000}k"


def generate(out: Path, sizes: list[int], xlsx_rows: int = 100_000) -> dict[str, Path]:
    out.mkdir(parents=True, exist_ok=True)
    ws = out / "ws"
    ws.mkdir(exist_ok=True)
    (ws / "partnership.yaml").write_text(partnership_yaml(), encoding="utf-8")
    columns = cells()
    total = len(columns["værdi"])
    paths: dict[str, Path] = {"workspace": ws}
    for n in sizes:
        path = out / f"national_{label(n)}.csv"
        if not path.exists():
            write_csv(path, columns, min(n, total))
        paths[f"csv_{label(n)}"] = path
    small = out / "small_1k.csv"
    if not small.exists():
        write_csv(small, small_corrections(columns), 1000)
    paths["small"] = small
    bad = out / f"national_{label(max(sizes))}_bad.csv"
    if not bad.exists():
        write_csv(bad, make_bad(columns), min(max(sizes), total))
    paths["bad"] = bad
    xlsx = out / f"national_{label(xlsx_rows)}.xlsx"
    if not xlsx.exists():
        write_xlsx(xlsx, columns, xlsx_rows)
    paths["xlsx"] = xlsx
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(Path(__file__).parent / "out"))
    parser.add_argument("--rows", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    args = parser.parse_args()
    for name, path in generate(Path(args.out), args.rows).items():
        print(f"{name}: {path}")


if __name__ == "__main__":
    main()
