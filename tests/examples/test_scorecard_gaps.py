"""What a steering group reads (issue 21): an indicator that one of several districts
reports says what is missing and shows the districts' own figures; areas where nobody
reports an element are no gap in comparison tables or in `ci-measure indicators`."""

from __future__ import annotations

import io
import re

import pandas as pd


def _section(page: str, code: str) -> str:
    found = re.search(rf'<section class="card indicator" id="ind-{code}".*?</section>', page, re.S)
    assert found, code
    return found.group()


def _example(cli, tmp_path, slug: str):  # noqa: ANN001, ANN202
    root = tmp_path / slug
    assert cli("init", "--example", slug, "--workspace", root)[0] == 0
    cli("ingest", "--workspace", root)
    assert cli("report", "--workspace", root, "-o", tmp_path / "out")[0] == 0
    return root, (tmp_path / "out" / "scorecard.html").read_text(encoding="utf-8")


def test_a_total_one_district_reports_shows_what_is_missing_and_what_there_is(cli, tmp_path):
    _, page = _example(cli, tmp_path, "hjem-til-alle")
    section = _section(page, "HERBERG_NAETTER_UNGE")
    assert (
        "Odense Kommune i alt kan ikke beregnes: der mangler tal for Vollsmose og Øvrige Odense."
        " Kurven viser de tal, der findes: tallene for Odense Centrum." in section
    )
    assert "figures for Vollsmose and Øvrige Odense are missing" in section
    assert "Ingen offentliggjorte værdier" not in section
    assert 'class="dot main"' in section  # the curve has points: Odense Centrum's own
    assert 'vist for</span><span lang="en" class="l-en">shown for</span> Odense Centrum' in page


def test_areas_nobody_reports_for_are_left_out_unless_all_rows_are_asked_for(cli, tmp_path):
    root, page = _example(cli, tmp_path, "dk2020")
    comparison = _section(page, "CO2E_PR_INDB").split('<table class="bars">')[1]
    assert "Hele landet" in comparison and "Holstebro by" not in comparison

    def rows(*args: str) -> pd.DataFrame:
        code, out, err = cli("indicators", "--workspace", root, "--format", "csv", *args)
        assert code == 0, err
        return pd.read_csv(io.StringIO(out), dtype=str, keep_default_na=False)

    for published in ([], ["--published"]):
        due, every = rows(*published), rows("--all", *published)
        missing = every[every["status"] == "missing"]
        assert set(missing["area"]) >= {"0661-BY", "0661-LAND"}  # CO2 is reported for 0661 only
        assert set(due.loc[due["status"] == "missing", "area"]) <= {"0661", "DK"}
        assert len(due) == len(every) - len(missing) + (due["status"] == "missing").sum()
        # everything else is the same, row for row, figure for figure
        both = due.merge(every, on=[*due.columns], how="inner")
        assert len(both) == len(due)
