"""The scorecard end to end: a workspace with suppressed figures (hand-made, and the demo),
the CLI, and a headless-Chromium screenshot (skipped locally without a browser, failed under
CI=true: `tests/support/services.require`).
"""

from __future__ import annotations

import csv
import io
import re
import shutil
import struct
import subprocess
import zlib
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from tests.ci_measure.report.report_helpers import external_references, page, parse
from tests.helpers import write
from tests.support.services import require

# --- workspaces with suppressed figures -----------------------------------------------------

SKOLE_CSV = "dataelement;område;periode;køn;værdi\n" + "".join(
    f"ELEVER_AFGANG_9KL;{area};{y}/{(y + 1) % 100:02d};{sex};{n}\n"
    f"ELEVER_UDD_15MD;{area};{y}/{(y + 1) % 100:02d};{sex};{k}\n"
    for i, y in enumerate(range(2019, 2023))
    for area, sex, n, k in (
        ("0561-OST-N", "M", 40, 30 + i),
        ("0561-OST-N", "F", 38, 29 + i),
        ("0561-OST-S", "_T", 25, 18 + i),
    )
)
# SPEC §7's worked example for 2023/24: F in Nord is suppressed (38 - 35 = 3), so M is too.
SKOLE_CSV += (
    "ELEVER_AFGANG_9KL;0561-OST-N;2023/24;M;40\nELEVER_UDD_15MD;0561-OST-N;2023/24;M;34\n"
    "ELEVER_AFGANG_9KL;0561-OST-N;2023/24;F;38\nELEVER_UDD_15MD;0561-OST-N;2023/24;F;35\n"
    "ELEVER_AFGANG_9KL;0561-OST-S;2023/24;_T;25\nELEVER_UDD_15MD;0561-OST-S;2023/24;_T;..\n"
)
NGO_CSV = "dataelement;område;periode;værdi\n" + "".join(
    f"INKL_DELTAGERE;0561-OST-N;2024-Q{q};{a}\nINKL_DELTAGERE;0561-OST-S;2024-Q{q};{b}\n"
    for q, a, b in ((1, 12, 7), (2, 9, 8), (3, 3, 6), (4, 15, 11))
)


def _report(workspace, out: Path | None = None):
    """Write the report, recording each figures request: ``True``/``False`` for
    ``indicator_rows(published=…)``, ``"both"`` for ``published_and_unpublished`` (one
    computation, published afterwards), ``"compute"`` for every computation of the rows."""
    from ci_measure import figures
    from ci_measure.report import write_report

    calls: list[object] = []
    originals = {
        name: getattr(figures, name)
        for name in ("indicator_rows", "published_and_unpublished", "compute_indicators")
    }

    def spy(name: str):
        def record(*args, **kwargs):
            calls.append(
                {
                    "indicator_rows": bool(kwargs.get("published")),
                    "compute_indicators": "compute",
                }.get(name, "both")
            )
            return originals[name](*args, **kwargs)

        return record

    for name in originals:
        setattr(figures, name, spy(name))
    try:
        paths = write_report(workspace, out)
    finally:
        for name, original in originals.items():
            setattr(figures, name, original)
    return workspace, paths, calls


@pytest.fixture
def handmade(workspace_dir: Path):
    """The tests' partnership with SPEC §7's worked example and earlier years, ingested."""
    from ci_measure.config.workspace import load_workspace
    from ci_measure.intake.ingest import ingest_inbox

    write(workspace_dir / "inbox" / "SKOLE" / "skole.csv", SKOLE_CSV)
    write(workspace_dir / "inbox" / "NGO" / "ngo.csv", NGO_CSV)
    write(
        workspace_dir / "inbox" / "NGO" / "wrong.csv",
        "dataelement;område;periode;værdi\nFOO;X;2024-Q1;1\n",
    )
    workspace = load_workspace(workspace_dir)
    assert [r.status for r in ingest_inbox(workspace)].count("accepted") == 2
    return _report(workspace)


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The demo workspace, ingested, with its report written. A failure to set it up is a
    failure of the tests that use it, never a skip."""
    from ci_measure.config.workspace import init_workspace, load_workspace
    from ci_measure.intake.ingest import ingest_inbox

    root = tmp_path_factory.mktemp("demo") / "ws"
    init_workspace(root, demo=True)
    workspace = load_workspace(root)
    ingest_inbox(workspace)
    return _report(workspace)


@pytest.fixture(params=["handmade", "demo"])
def built(request):
    return request.getfixturevalue(request.param)


def test_report_uses_published_rows_only(built):
    """The page and the exports come from the published rows; the unpublished ones come from
    the same single computation, only to verify the publication (the suppression check)."""
    _, paths, calls = built
    assert calls == ["both", "compute"], "the report computed the rows more than once"
    assert {p.name for p in paths.values()} == {
        "scorecard.html",
        "published_figures.csv",
        "published_figures.xlsx",
        "data_quality.html",
    }


def test_page_shows_every_published_indicator_with_its_curve(built):
    from ci_measure.figures import indicator_rows

    workspace, paths, _ = built
    html = paths["html"].read_text(encoding="utf-8")
    published = indicator_rows(workspace, published=True)
    parsed = parse(html)
    sections = {
        a["data-indicator"]: a
        for t, a in parsed.elements
        if t == "section" and "data-indicator" in a
    }
    assert set(published["indicator"]) <= set(sections)
    for code in set(published["indicator"]):
        body = html.split(f'id="ind-{code}"', 1)[1].split("</section>", 1)[0]
        assert '<svg class="chart"' in body, code
    assert external_references(html) == []
    assert "http://" not in html and "https://" not in html


def _hidden_keys(workspace) -> pd.DataFrame:
    """Rows that had figures before disclosure control and have none after it."""
    from ci_measure.figures import indicator_rows

    keys = ["indicator", "area", "period", "sex", "origin"]
    before = indicator_rows(workspace)
    after = indicator_rows(workspace, published=True)
    both = before.merge(after, on=keys, suffixes=("", "_pub"))
    return both[(both["status_pub"] == "suppressed") & (both["status"] == "ok")]


def test_no_suppressed_figure_in_html_csv_or_xlsx(built):
    """Every row that had figures and got suppressed shows none: not in any element of the
    page keyed to it, not in its CSV row, not in its XLSX row."""
    from ci_measure.report.labels import ORIGIN, SEX

    workspace, paths, _ = built
    hidden = _hidden_keys(workspace)
    assert not hidden.empty, "both workspaces have suppressed rows: the test must see some"
    keyed = parse(paths["html"].read_text(encoding="utf-8")).keyed
    wanted = set()
    for r in hidden.itertuples(index=False):
        key = "|".join((r.indicator, r.area, r.period, r.sex, r.origin))
        wanted.add((r.indicator, r.area, r.period, SEX[r.sex][0], ORIGIN[r.origin][0]))
        for text in keyed.get(key, []):
            cleaned = re.sub(
                r"data-status=\S+|class=\S+|x=\S+|y=\S+|text-anchor=\S+|\d{4}(/\d\d|-Q\d|-\d\d)?",
                "",
                text,
            )
            assert not re.search(r"\d", cleaned), (key, text)
    text = paths["csv"].read_text(encoding="utf-8-sig")
    csv_rows = {
        tuple(r[i] for i in (0, 2, 4, 5, 6)): r
        for r in csv.reader(io.StringIO(text), delimiter=";")
    }
    sheet = openpyxl.load_workbook(paths["xlsx"], read_only=True).active
    xlsx_rows = {
        tuple(r[i] for i in (0, 2, 4, 5, 6)): r
        for r in sheet.iter_rows(min_row=2, values_only=True)
    }
    assert len(csv_rows) == len(xlsx_rows) + 1  # + the header
    for key in wanted:
        assert csv_rows[key][7:10] == ["", "", ""] and csv_rows[key][11] == "diskretioneret", key
        assert (
            xlsx_rows[key][7:10] == (None, None, None) and xlsx_rows[key][11] == "diskretioneret"
        ), key


def test_cli_report_writes_into_the_given_folder(built, cli, tmp_path: Path):
    import time

    workspace, _, _ = built
    started = time.monotonic()
    code, out, err = cli("report", "--workspace", workspace.root, "-o", tmp_path / "out")
    assert code == 0, err
    assert (tmp_path / "out" / "scorecard.html").stat().st_size > 10_000
    assert "scorecard.html" in out
    assert time.monotonic() - started < 30


# --- the page renders in a real browser -------------------------------------------------------

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def _browser() -> str | None:
    for name in BROWSERS:
        found = shutil.which(name) or (
            f"/usr/bin/{name}" if Path(f"/usr/bin/{name}").exists() else None
        )
        if found:
            return found
    return None


def png_colours(path: Path) -> set[bytes]:
    """Distinct pixel colours of an 8-bit RGB(A) PNG, sampled from every row that can be
    decoded cheaply (rows filtered None/Sub, and the Up rows that follow them)."""
    import numpy as np

    data, pos, idat = path.read_bytes(), 8, b""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour_type = struct.unpack(">IIBB", body[:10])
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    assert depth == 8 and colour_type in (2, 6), (depth, colour_type)
    bpp = 3 if colour_type == 2 else 4
    raw = zlib.decompress(idat)
    stride, colours, previous = width * bpp + 1, set(), None
    for y in range(height):
        kind = raw[y * stride]
        line = np.frombuffer(raw, np.uint8, width * bpp, y * stride + 1).reshape(width, bpp)
        if kind == 0:
            row = line.copy()
        elif kind == 1:
            row = (np.cumsum(line.astype(np.uint64), axis=0) % 256).astype(np.uint8)
        elif kind == 2 and previous is not None:
            row = line + previous  # uint8 wraps: exactly the PNG rule
        else:
            previous = None
            continue
        previous = row
        colours.update(map(bytes, row[:: max(1, width // 320)]))
    return colours


@pytest.mark.parametrize("language", ["da", "en"])
def test_page_renders_in_headless_chromium(tmp_path: Path, language: str):
    browser = _browser()
    require(browser is not None, "Chromium/Chrome (the OS package chromium)")  # fails under CI
    page_path = tmp_path / "scorecard.html"
    page_path.write_text(page(), encoding="utf-8")
    shot = tmp_path / "shot.png"
    flags = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={tmp_path / 'profile'}",
        f"--screenshot={shot}",
        "--window-size=1280,2000",
    ]
    url = page_path.as_uri() + ("#en" if language == "en" else "")
    result = subprocess.run([browser, *flags, url], capture_output=True, timeout=120, text=True)
    assert shot.exists(), result.stderr[-2000:]
    assert shot.stat().st_size > 20_000  # a blank page compresses to a few kilobytes
    assert len(png_colours(shot)) > 50


def test_rejected_files_are_on_the_partnerships_own_page_not_the_public_one(handmade):
    """Anyone with a partner's link chooses a file name: the public scorecard lists no files;
    data_quality.html (never served by the portal) lists the rejected one (issue 22)."""
    _, paths, _ = handmade
    public = paths["html"].read_text(encoding="utf-8")
    internal = paths["quality"].read_text(encoding="utf-8")
    assert "wrong.csv" not in public and "Afviste indsendelser" not in public
    assert "wrong.csv" in internal and "Afviste indsendelser" in internal
    assert re.search(r"\d\d-\d\d-\d{4} kl\. \d\d:\d\d (CET|CEST)", internal)
    assert re.search(r"dannet \d\d-\d\d-\d{4} kl\. \d\d:\d\d (CET|CEST)", public)
