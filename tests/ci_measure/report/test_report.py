"""The scorecard from hand-built published rows: analysis, page, exports, quality page.

End-to-end runs on a workspace and the browser test are in test_report_e2e.py.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from ci_measure.config.model import Area, Partnership
from ci_measure.report import exports, series
from tests.ci_measure.report.report_helpers import (
    COLUMNS,
    catalog,
    external_references,
    page,
    parse,
    partnership,
    published_rows,
)

# --- analysis ---------------------------------------------------------------------------------


def test_main_and_national_area_rules():
    p = partnership()
    assert series.main_area(p) == "0561-OST"
    assert series.national_area(p) == "DK"
    no_main = Partnership("x", (Area("A", "Hele landet i alt"), Area("B", "By", "A")), ())
    assert series.main_area(no_main) == "A"
    assert series.national_area(no_main, exclude="A") is None


def test_summary_gaps_baseline_target_forecast_and_trend():
    s = series.summarise(
        published_rows(), catalog().indicators["UDD_OVERGANG"], partnership(), "0561-OST"
    )
    assert s.period_type == "school_year"
    assert [p.status for p in s.points] == [
        "ok",
        "ok",
        "suppressed",
        "ok",
        "ok",
        "ok",
        "missing_at_source",
    ]
    assert s.points[2].value is None  # a suppressed point has no value, never 0
    assert s.baseline == ("2018/19", 71.0, True)
    assert s.target == ("2029/30", 90.0)
    assert s.latest_ok.period == "2023/24" and s.latest_ok.value == 80.0
    assert [p.period for p in s.forecast] == ["2024/25", "2025/26"]
    assert s.forecast[0].value == pytest.approx(82.0, abs=0.1)  # +2 per year, least squares
    assert s.slope == pytest.approx(2.0, abs=0.05)
    assert s.trend == "better"
    assert [a for a, _, _ in s.comparison] == ["0561", "0561-OST", "DK"]
    assert set(s.breakdowns) == {"sex"}  # origin is not reported
    assert [p.value for p in s.national][:2] == [75.0, 75.0]


def test_trend_follows_direction():
    ind = catalog().indicators["NEET_ANDEL"]
    s = series.summarise(published_rows(), ind, partnership(), "0561-OST")
    assert [p.status for p in s.points] == ["ok", "incomplete", "ok"]
    assert s.slope < 0 and s.trend == "better"  # falling NEET share is good
    assert s.baseline == ("2021", 12.5, False)  # no configured baseline: the first published value


def test_forecast_needs_two_values():
    assert series.fit_forecast([series.Point("2024", 2024.5, "ok", 3.0)]) == (None, [])


# --- the page ---------------------------------------------------------------------------------


def test_page_has_every_indicator_a_curve_and_both_languages():
    html = page()
    parsed = parse(html)
    sections = {
        a["data-indicator"] for t, a in parsed.elements if t == "section" and "data-indicator" in a
    }
    assert sections == {"UDD_OVERGANG", "NEET_ANDEL"}
    assert html.count('<figure class="curve"><svg class="chart"') == 2
    assert '<html lang="da">' in html and 'lang="en"' in html
    assert "80,0 %" in html and "80.0%" in html  # Danish and English notation
    assert "Testpartnerskab &lt;&amp;&gt;" in html  # text from configuration is escaped
    assert "<script>" in html and html.count("<script") == 1  # only the language switch
    assert external_references(html) == []
    assert "http" not in html.lower()


def test_no_number_for_any_suppressed_or_empty_row():
    html = page()
    keyed = parse(html).keyed
    rows = published_rows()
    hidden = rows[rows["status"] != "ok"]
    checked = 0
    for r in hidden.itertuples(index=False):
        key = "|".join((r.indicator, r.area, r.period, r.sex, r.origin))
        for text in keyed.get(key, []):
            checked += 1
            assert not re.search(
                r"\d",
                re.sub(
                    r"data-status=\S+|class=\S+|x=\S+|y=\S+|text-anchor=\S+|\d{4}(/\d\d)?", "", text
                ),
            ), (key, text)
    assert checked > 0


def test_marks_and_legend_for_gaps():
    html = page()
    assert 'data-status="suppressed"' in html and "■" in html
    # one symbol, one meaning: ◆ is the target's, never a suppressed figure's
    assert not re.search(r"st-suppressed[^>]*>◆", html)
    assert 'class="mark st-missing_at_source' in html
    assert "diskretioneret" in html and "mangler hos kilden" in html


def test_empty_rows_give_a_page():
    html = page(pd.DataFrame(columns=COLUMNS))
    assert "<section" in html and "Overblik" in html


# --- exports ----------------------------------------------------------------------------------


def test_csv_danish_escaped_and_without_hidden_figures(tmp_path: Path):
    path = exports.write_csv(tmp_path / "x.csv", published_rows(), catalog(), partnership())
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    records = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert records[0][:3] == ["Indikator", "Indikatornavn", "Område"]
    neet = [r for r in records if r[0] == "NEET_ANDEL"]
    assert neet[0][1] == "'=NEET-andel"  # formula injection neutralised
    assert neet[0][9] == "12,5" and neet[0][11] == "ok"
    for r in records[1:]:
        if r[11] != "ok":
            assert r[7] == r[8] == r[9] == "", r


def test_xlsx_strings_are_never_formulas(tmp_path: Path):
    path = exports.write_xlsx(tmp_path / "x.xlsx", published_rows(), catalog(), partnership())
    sheet = openpyxl.load_workbook(path).active
    rows = list(sheet.iter_rows(min_row=2))
    neet = next(r for r in rows if r[0].value == "NEET_ANDEL")
    assert neet[1].value == "=NEET-andel" and neet[1].data_type == "s"
    assert neet[1].quotePrefix
    for r in rows:
        if r[11].value != "ok":
            assert r[7].value is None and r[8].value is None and r[9].value is None


def test_formula_escape_in_csv_text_with_separator():
    assert exports._csv_text("=1;2") == '"\'=1;2"'
    assert exports._csv_number(92.10526315789) == "92,10526316"
    assert exports._csv_number(None) == ""


def test_quality_page_escapes_file_names_and_hides_values():
    from ci_measure.report.quality_page import Check, QualityFacts, render, render_internal

    subs = pd.DataFrame(
        {
            "partner": ["SKOLE", "SKOLE", "NGO"],
            "file_name": ["ok.csv", "<script>alert(1)</script>.csv", "x.xlsx"],
            "received_at": pd.to_datetime(
                ["2025-01-01 10:00", "2025-01-02 11:00", "2025-01-03 09:00"]
            ),
            "status": ["accepted", "rejected", "accepted"],
        }
    )
    violation = pd.DataFrame(
        [("UDD", "AFG", "0561-OST", "2023/24", "_T", "_T", 3.0, 2.0)],
        columns=["part", "whole", "area", "period", "sex", "origin", "part_value", "whole_value"],
    )
    facts = QualityFacts(
        completeness={
            "school_year": (
                ["2022/23", "2023/24"],
                {"SKOLE": {"2022/23": (2, 2), "2023/24": (1, 2)}},
            )
        },
        partner_names={"SKOLE": "Østerbyens skoler", "NGO": "Mødestedet"},
        submissions=subs,
        checks=[
            Check("Del ≤ helhed", "Part ≤ whole", "warn", violation),
            Check("a", "b", "error", pd.DataFrame()),
        ],
    )
    html = render(facts)
    assert "script" not in html and "ok.csv" not in html  # the public page names no file
    assert "50 %" in html and "100 %" in html
    assert "✗ 1 fund" in html and "✓ bestået" in html
    assert ">3.0<" not in html and ">2.0<" not in html  # raw cell values never shown
    # the partnership's own page lists the rejected file, as text, in Danish time
    internal = render_internal(facts, "P <b>")
    assert "<script>alert" not in internal
    assert "&lt;script&gt;alert(1)&lt;/script&gt;.csv" in internal
    assert "02-01-2025 kl. 12:00 CET" in internal and "P &lt;b&gt;" in internal
    assert "ok.csv" not in internal and "x.xlsx" not in internal  # accepted files: not listed


def test_units_on_the_danish_page_are_danish():
    """`316 overnatninger` on the Danish page, `316 nights` beside it in English (issue 15)."""
    from ci_measure.config.model import Catalog, DataElement, Indicator
    from ci_measure.report.html import render_page
    from ci_measure.report.labels import unit_pair

    nights = DataElement("NAETTER", "Overnatninger", "Nights", "nights", "year", "sum")
    ind = Indicator("NAETTER", "Overnatninger", "Nights", "NAETTER", None, 1, "nights", "down")
    rows = pd.DataFrame(
        [("NAETTER", "0561-OST", str(y), "_T", "_T", v, None, v, "ok")
         for y, v in ((2023, 290.0), (2024, 316.0))],
        columns=COLUMNS,
    )  # fmt: skip
    html = render_page(rows, Catalog({"NAETTER": nights}, {"NAETTER": ind}), partnership())
    assert '<span lang="da" class="l-da">316 overnatninger</span>' in html
    assert '<span lang="en" class="l-en">316 nights</span>' in html
    assert not re.search(r'class="l-da">[^<]*nights', html)  # no English unit in Danish
    assert unit_pair("beds per 1,000") == ("beds pr. 1,000", "beds per 1,000")  # unknown: "pr."
