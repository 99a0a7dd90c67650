"""Time ci-measure against its floors, whole processes, in one run (issue 8).

    python -m benchmarks.run [--sizes 10k 100k 1m] [--repeat N] [--skip-frictionless-above N]

Every measurement is a fresh process (``ci-measure …``, ``python -m benchmarks.floors …``,
``python -m benchmarks.alternatives …``), timed from start to exit, with its peak resident
memory taken from the kernel's accounting of that one child (``os.wait4``). The tool and its
floor run next to each other, alternating, on the same files, so a busy machine slows both
and the ratio stays fair; with ``--repeat N`` the median of N runs is kept.

Measured per size (rows of the national CSV made by ``benchmarks.generator``):

* ``check``: ``ci-measure check`` vs the floor (DuckDB reads the file as text and runs every
  check in SQL), a plain pandas + pandera script, and ``frictionless`` validate;
* ``check (0.5 % bad rows)``, largest size only: the same with failing rows, receipts included;
* ``ingest`` into an empty warehouse vs the floor (same checks, then append to DuckDB);
* ``indicators`` (every row, CSV) vs the floor (DuckDB aggregating the same cells up the
  area tree in plain SQL, from the warehouse ``ingest`` wrote);
* ``indicators --indicator UDD_OVERGANG --area <municipality>`` (goal: under 1 s);
* ``report`` (scorecard + exports, published figures) vs the indicators floor;
* a 1,000-cell ``ingest`` into that warehouse vs the same file into an empty one;

and once: ``check`` of a 1,000-row file vs ``python -c "import pandas, duckdb"``, and
``check`` of the 100k-row xlsx vs the floor on the same rows as CSV.

Prints a Markdown table and writes ``benchmarks/out/results.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from benchmarks import generator

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PY = sys.executable
CLI = str(Path(sys.executable).parent / "ci-measure")
PARTNER = generator.PARTNER
ONE_AREA = generator.MUNICIPALITY_CODES[0]
GOALS = {"check": 1.5, "ingest": 2.0, "indicators": 2.5, "report": 5.0}  # issue 19
BASE = "import pandera, duckdb"  # what a 1,000-row check is compared with
MiB = 1024 * 1024
TIMEOUT = 240.0  # seconds; a process still running then is killed (see --timeout)


@dataclass
class Run:
    seconds: float
    peak_mib: float
    exit: int


@dataclass
class Measure:
    name: str
    argv: list[str]
    runs: list[Run] = field(default_factory=list)

    @property
    def seconds(self) -> float:
        return statistics.median(r.seconds for r in self.runs)

    @property
    def peak_mib(self) -> float:
        return max(r.peak_mib for r in self.runs)


def run_once(argv: list[str], stdout: Path | None = None, timeout: float | None = None) -> Run:
    """One whole process: wall time and the peak RSS of that child alone (os.wait4).

    A process still running after ``timeout`` seconds is killed (exit -9) and its time is
    recorded as it stood: the table then shows "> N s".
    """
    timeout = TIMEOUT if timeout is None else timeout
    out = open(stdout, "wb") if stdout else subprocess.DEVNULL  # noqa: SIM115
    try:
        start = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=out, stderr=subprocess.DEVNULL, cwd=ROOT)
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() - start > timeout:
                proc.kill()
                _, status, usage = os.wait4(proc.pid, 0)
                break
            time.sleep(0.01)
        seconds = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
    finally:
        if stdout:
            out.close()
    return Run(seconds, usage.ru_maxrss * 1024 / MiB, proc.returncode)


def fresh_workspace(path: Path) -> Path:
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    shutil.copy(HERE / "out" / "ws" / "partnership.yaml", path / "partnership.yaml")
    return path


def paired(measures: list[Measure], repeat: int, before=None) -> None:
    """Run the measures one after the other, ``repeat`` rounds (``before`` resets state)."""
    for _ in range(repeat):
        for m in measures:
            if before:
                before(m)
            m.runs.append(run_once(m.argv))
            print(
                f"  {m.name:<44} {m.runs[-1].seconds:8.2f} s {m.runs[-1].peak_mib:7.0f} MiB"
                f"  exit {m.runs[-1].exit}",
                file=sys.stderr,
                flush=True,
            )


def load() -> str:
    """The 1/5/15-minute load averages (other processes on the machine)."""
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def bench_size(
    n: int, paths: dict, scratch: Path, repeat: int, frictionless: bool, bad: bool
) -> dict:
    label = generator.label(n)
    csv = str(paths[f"csv_{label}"])
    ws = str(paths["workspace"])
    here = scratch / label
    here.mkdir(parents=True, exist_ok=True)
    print(f"== {label} rows ({csv}); load {load()}", file=sys.stderr, flush=True)
    result: dict[str, dict] = {}

    # check: tool, floor, the alternatives
    check = [
        Measure("check", [CLI, "check", csv, "--partner", PARTNER, "--workspace", ws]),
        Measure("check floor", [PY, "-m", "benchmarks.floors", "check", csv, ws, PARTNER]),
        Measure(
            "pandas + pandera", [PY, "-m", "benchmarks.alternatives", "pandera", csv, ws, PARTNER]
        ),
        Measure(
            "polars + pandera", [PY, "-m", "benchmarks.alternatives", "polars", csv, ws, PARTNER]
        ),
    ]
    if frictionless:
        check.append(
            Measure("frictionless", [PY, "-m", "benchmarks.alternatives", "frictionless", csv, ws])
        )
    paired(check, repeat)
    if bad:
        bad_csv = str(paths["bad"])
        bad_measures = [
            Measure(
                "check, 0.5 % bad rows",
                [CLI, "check", bad_csv, "--partner", PARTNER, "--workspace", ws],
            ),
            Measure(
                "check floor, 0.5 % bad rows",
                [PY, "-m", "benchmarks.floors", "check", bad_csv, ws, PARTNER],
            ),
            Measure(
                "pandas + pandera, 0.5 % bad rows",
                [PY, "-m", "benchmarks.alternatives", "pandera", bad_csv, ws, PARTNER],
            ),
            Measure(
                "polars + pandera, 0.5 % bad rows",
                [PY, "-m", "benchmarks.alternatives", "polars", bad_csv, ws, PARTNER],
            ),
        ]
        paired(bad_measures, 1)
        check += bad_measures

    # ingest into an empty warehouse (reset before every round), floor likewise
    tool_ws = here / "ws"
    floor_db = here / "floor.duckdb"

    def reset(m: Measure) -> None:
        if m.name == "ingest":
            fresh_workspace(tool_ws)
        else:
            floor_db.unlink(missing_ok=True)

    ingest = [
        Measure("ingest", [CLI, "ingest", csv, "--partner", PARTNER, "--workspace", str(tool_ws)]),
        Measure(
            "ingest floor",
            [PY, "-m", "benchmarks.floors", "ingest", csv, ws, str(floor_db), PARTNER],
        ),
    ]
    paired(ingest, repeat, before=reset)

    # indicators over the warehouse ingest wrote
    db = str(tool_ws / "warehouse.duckdb")
    indicators = [
        Measure("indicators", [CLI, "indicators", "--format", "csv", "--workspace", str(tool_ws)]),
        Measure(
            "indicators floor",
            [PY, "-m", "benchmarks.floors", "indicators", db, ws, str(here / "floor.csv")],
        ),
        Measure(
            "indicators, one indicator x area",
            [
                CLI,
                "indicators",
                "--indicator",
                "UDD_OVERGANG",
                "--area",
                ONE_AREA,
                "--format",
                "csv",
                "--workspace",
                str(tool_ws),
            ],
        ),
        Measure("report", [CLI, "report", "-o", str(here / "report"), "--workspace", str(tool_ws)]),
    ]
    paired(indicators, repeat)

    # a small file into the full warehouse vs into an empty one
    full_ws, empty_ws = here / "ws_full", here / "ws_empty"
    small = str(paths["small"])

    def reset_small(m: Measure) -> None:
        if m.name.endswith("full warehouse"):
            shutil.rmtree(full_ws, ignore_errors=True)
            shutil.copytree(tool_ws, full_ws)
        else:
            fresh_workspace(empty_ws)

    smalls = [
        Measure(
            "ingest 1k cells, full warehouse",
            [CLI, "ingest", small, "--partner", PARTNER, "--workspace", str(full_ws)],
        ),
        Measure(
            "ingest 1k cells, empty warehouse",
            [CLI, "ingest", small, "--partner", PARTNER, "--workspace", str(empty_ws)],
        ),
    ]
    paired(smalls, repeat, before=reset_small)
    for m in check + ingest + indicators + smalls:
        result[m.name] = {
            "seconds": m.seconds,
            "peak_mib": m.peak_mib,
            "exit": [r.exit for r in m.runs],
            "argv": m.argv,
            "runs": [asdict(r) for r in m.runs],
        }
    return result


def bench_once(paths: dict, repeat: int) -> dict:
    ws = str(paths["workspace"])
    print(f"== start-up and xlsx; load {load()}", file=sys.stderr, flush=True)
    xlsx, csv100k = str(paths["xlsx"]), str(paths.get("csv_100k", ""))
    measures = [
        Measure(
            "check 1k rows",
            [CLI, "check", str(paths["small"]), "--partner", PARTNER, "--workspace", ws],
        ),
        Measure(BASE, [PY, "-c", BASE]),
        Measure("check 1k rows, demo-size workspace", []),
        Measure("check 100k xlsx", [CLI, "check", xlsx, "--partner", PARTNER, "--workspace", ws]),
    ]
    # the same 1k rows against a one-municipality workspace: start-up without the national yaml
    small_ws = HERE / "out" / "ws_small"
    small_ws.mkdir(exist_ok=True)
    (small_ws / "partnership.yaml").write_text(
        generator.partnership_yaml(municipalities=1), encoding="utf-8"
    )
    measures[2].argv = [
        CLI,
        "check",
        str(paths["small"]),
        "--partner",
        PARTNER,
        "--workspace",
        str(small_ws),
    ]
    if csv100k:
        measures.append(
            Measure("check floor, 100k csv", [PY, "-m", "benchmarks.floors", "check", csv100k, ws])
        )
    paired(measures, max(repeat, 5))
    return {
        m.name: {
            "seconds": m.seconds,
            "peak_mib": m.peak_mib,
            "exit": [r.exit for r in m.runs],
            "argv": m.argv,
            "runs": [asdict(r) for r in m.runs],
        }
        for m in measures
    }


def _cell(tool: dict | None, floor: dict | None) -> str:
    if tool is None:
        return "–"
    killed = -9 in tool.get("exit", [])
    text = f"> {tool['seconds']:.0f} s (killed)" if killed else f"{tool['seconds']:.2f} s"
    if floor:
        text += f" / {floor['seconds']:.2f} s = **{'> ' if killed else ''}{tool['seconds'] / floor['seconds']:.1f}×**"
    return text + f" ({tool['peak_mib']:.0f} MiB)"


ROWS = [
    ("check", "check", "check floor"),
    ("check, 0.5 % bad rows", "check, 0.5 % bad rows", "check floor, 0.5 % bad rows"),
    ("pandas + pandera (check)", "pandas + pandera", "check floor"),
    ("polars + pandera (check)", "polars + pandera", "check floor"),
    (
        "pandas + pandera, 0.5 % bad rows",
        "pandas + pandera, 0.5 % bad rows",
        "check floor, 0.5 % bad rows",
    ),
    (
        "polars + pandera, 0.5 % bad rows",
        "polars + pandera, 0.5 % bad rows",
        "check floor, 0.5 % bad rows",
    ),
    ("frictionless validate", "frictionless", "check floor"),
    ("check floor (DuckDB SQL)", "check floor", None),
    ("ingest, empty warehouse", "ingest", "ingest floor"),
    ("ingest floor (DuckDB SQL)", "ingest floor", None),
    ("indicators, every row", "indicators", "indicators floor"),
    ("indicators floor (DuckDB SQL)", "indicators floor", None),
    ("indicators, one indicator × area", "indicators, one indicator x area", None),
    ("report", "report", "indicators floor"),
    (
        "ingest 1k cells into this warehouse / into empty",
        "ingest 1k cells, full warehouse",
        "ingest 1k cells, empty warehouse",
    ),
]


def table(results: dict) -> str:
    sizes = [k for k in results["sizes"]]
    lines = [
        "| measurement (tool / floor = ratio, peak) | " + " | ".join(sizes) + " |",
        "|---|" + "---|" * len(sizes),
    ]
    for title, tool, floor in ROWS:
        cells = [
            _cell(results["sizes"][s].get(tool), results["sizes"][s].get(floor) if floor else None)
            for s in sizes
        ]
        if all(c == "–" for c in cells):
            continue
        lines.append(f"| {title} | " + " | ".join(cells) + " |")
    once = results["once"]
    lines += [
        "",
        "| start-up and spreadsheet | seconds | ratio | peak |",
        "|---|---:|---:|---:|",
    ]
    base = once[BASE]
    for name in ("check 1k rows", "check 1k rows, demo-size workspace", BASE):
        m = once[name]
        lines.append(
            f"| {name} | {m['seconds']:.2f} | {m['seconds'] / base['seconds']:.2f}× import | "
            f"{m['peak_mib']:.0f} MiB |"
        )
    if "check floor, 100k csv" in once:
        m, f = once["check 100k xlsx"], once["check floor, 100k csv"]
        lines.append(
            f"| check 100k xlsx (vs floor on the same rows as CSV) | {m['seconds']:.2f} | "
            f"{m['seconds'] / f['seconds']:.1f}× | {m['peak_mib']:.0f} MiB |"
        )
    return "\n".join(lines)


def goals(results: dict) -> str:
    big = results["sizes"][list(results["sizes"])[-1]]
    once = results["once"]
    out = []

    def line(ok: bool, text: str) -> None:
        out.append(f"- [{'x' if ok else ' '}] {text}")

    for kind, tool, floor in (
        ("check", "check", "check floor"),
        ("ingest", "ingest", "ingest floor"),
        ("indicators", "indicators", "indicators floor"),
        ("report", "report", "indicators floor"),
    ):
        r = big[tool]["seconds"] / big[floor]["seconds"]
        line(r <= GOALS[kind], f"`{kind}` ≤ {GOALS[kind]:g}× floor: {r:.1f}×")
    one = big["indicators, one indicator x area"]["seconds"]
    line(one < 0.8, f"one indicator × one area < 0.8 s: {one:.2f} s")
    r = once["check 1k rows"]["seconds"] / once[BASE]["seconds"]
    line(r <= 1.3, f"`check` of 1,000 rows ≤ 1.3× `{BASE}`: {r:.2f}×")
    ours = [
        (k, v["peak_mib"])
        for size in results["sizes"].values()
        for k, v in size.items()
        if not k.startswith(("pandas", "polars", "frictionless")) and "floor" not in k
    ]
    name, peak = max(ours, key=lambda kv: kv[1])
    line(peak < 1024, f"peak RSS < 1 GiB in every command at every size: {peak:.0f} MiB ({name})")
    slower = [
        f"{alt} at {label}"
        for label, size in results["sizes"].items()
        for alt in size
        if alt.startswith(("pandas", "polars", "frictionless"))
        and "bad rows" not in alt
        and size[alt]["seconds"] <= size["check"]["seconds"]
    ]
    slower += [
        f"{alt} at {label}"
        for label, size in results["sizes"].items()
        for alt in size
        if alt.startswith(("pandas", "polars"))
        and "bad rows" in alt
        and size[alt]["seconds"] <= size["check, 0.5 % bad rows"]["seconds"]
    ]
    line(
        not slower,
        "`check` faster than every alternative at every size"
        + (f" (not faster than: {', '.join(slower)})" if slower else ""),
    )
    r = (
        big["ingest 1k cells, full warehouse"]["seconds"]
        / big["ingest 1k cells, empty warehouse"]["seconds"]
    )
    line(r <= 2.0, f"small ingest into the full warehouse ≤ 2× into an empty one: {r:.2f}×")
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", nargs="+", default=["10k", "100k", "1m"])
    parser.add_argument("--repeat", type=int, default=3, help="rounds below 1M rows (median kept)")
    parser.add_argument("--repeat-large", type=int, default=1, help="rounds at 1M rows")
    parser.add_argument(
        "--skip-frictionless-above",
        type=int,
        default=10**9,
        help="leave frictionless out above this many rows (it takes ~100 s at 1M)",
    )
    parser.add_argument(
        "--timeout", type=float, default=TIMEOUT, help="kill a process after this many seconds"
    )
    args = parser.parse_args()
    globals()["TIMEOUT"] = args.timeout
    sizes = [int(s.lower().replace("k", "000").replace("m", "000000")) for s in args.sizes]
    paths = generator.generate(HERE / "out", sorted(set(sizes) | {100_000}))
    scratch = HERE / "out" / "run"
    shutil.rmtree(scratch, ignore_errors=True)
    try:
        import frictionless  # noqa: F401

        have_frictionless = True
    except ImportError:
        have_frictionless = False
    results: dict = {"load_before": load(), "cores": os.cpu_count(), "sizes": {}}
    results["once"] = bench_once(paths, args.repeat)
    for n in sorted(sizes):
        repeat = args.repeat if n < 1_000_000 else args.repeat_large
        results["sizes"][generator.label(n)] = bench_size(
            n,
            paths,
            scratch,
            repeat,
            have_frictionless and n <= args.skip_frictionless_above,
            bad=n == max(sizes) and "bad" in paths,
        )
    results["load_after"] = load()
    (HERE / "out" / "results.json").write_text(json.dumps(results, indent=2), encoding="utf-8")
    print(
        f"Load average before / after: {results['load_before']} / {results['load_after']};"
        f" {results['cores']} cores\n"
    )
    print(table(results))
    print("\nGoals (largest size):\n")
    print(goals(results))


if __name__ == "__main__":
    main()
