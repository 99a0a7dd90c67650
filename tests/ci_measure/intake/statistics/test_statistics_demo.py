"""The demo (and the MedVind example, which is the demo) takes the population of Esbjerg
Kommune and the country from a Statistikbanken file through a mapping - and its published
figures are exactly those it had when the same numbers came in an ordinary CSV."""

from __future__ import annotations

import json
from pathlib import Path

FIXTURE = (
    Path(__file__).resolve().parents[3] / "fixtures" / "demo" / "published-before-statistics.csv"
)


def test_the_demo_published_table_is_the_same_as_before_the_statistics_file(cli, tmp_path):
    """published-before-statistics.csv is `indicators --published --format csv` of the demo
    as it was before (population in 01_befolkning_2019-2025.csv). Should the demo's figures
    change on purpose one day, regenerate it - but never to make this test pass."""
    root = tmp_path / "demo"
    assert cli("init", "--demo", "--workspace", root)[0] == 0
    assert (root / "statistics" / "folk1a.yaml").is_file()
    code, out, _ = cli("ingest", "--workspace", root)
    assert "00_FOLK1A_befolkning_2019-2025.csv (KOMMUNE_STAT, 70 rækker/rows)" in out
    assert "statistics/folk1a.yaml" in out
    code, out, _ = cli(  # --all: the fixture holds every row, as the CLI printed them then
        "indicators", "--workspace", root, "--published", "--format", "csv", "--all"
    )
    assert code == 0
    assert out == FIXTURE.read_text(encoding="utf-8")


def test_the_demo_population_comes_from_the_statistikbanken_file(cli, tmp_path):
    root = tmp_path / "medvind"
    assert cli("init", "--example", "medvind-oesterbyen", "--workspace", root)[0] == 0
    folk1a = root / "inbox" / "KOMMUNE_STAT" / "00_FOLK1A_befolkning_2019-2025.csv"
    lines = folk1a.read_text(encoding="utf-8").splitlines()  # ingest moves the file away
    head = lines[:2]
    assert "SYNTETISKE TAL" in head[0]
    assert head[1] == "OMRÅDE;KØN;ALDER;TID;INDHOLD"
    code, out, _ = cli("statistics", "check", folk1a, "--workspace", root, "--rows", "1")
    assert code == 0 and "mapping: statistics/folk1a.yaml (partner KOMMUNE_STAT)" in out
    cli("ingest", "--workspace", root)
    code, out, _ = cli("history", "--workspace", root, "--format", "json")
    mine = [h for h in json.loads(out) if h["file"].startswith("00_FOLK1A")]
    assert len(mine) == 1 and mine[0]["status"] == "accepted"
    # Q4 of the file, summed over sex and ages 16-64, is the demo's BEF_16_64 for 2024.
    total = 0
    for line in lines[2:]:
        area, _, age, tid, value = line.split(";")
        if area == "561" and tid == "2024K4" and 16 <= int(age) <= 64:
            total += int(value)
    code, out, _ = cli(
        "indicators", "--workspace", root, "--indicator", "BESK_FREKVENS", "--area", "0561",
        "--period", "2024", "--format", "json",
    )  # fmt: skip
    row = next(r for r in json.loads(out) if r["sex"] == "_T" and r["origin"] == "_T")
    assert row["denominator"] == total
