"""Every route of the portal, in-process: what a partner (or the public) gets back."""

from __future__ import annotations

import io
import json
import re

import openpyxl
import pytest

from ci_measure.config.workspace import load_workspace
from ci_measure.portal.app import create_app
from tests.portal.support import (
    GOOD,
    MISTAKE,
    NGO_FILE,
    TestClient,
    files_under,
    links_for,
    make_workspace,
    send,
    visible_text,
)

SECURITY_HEADERS = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
}


def udd_overgang(cli, root) -> str:  # noqa: ANN001
    """UDD_OVERGANG for 0561-OST-N, 2023/24, both sexes, as `ci-measure indicators` prints it."""
    code, out, _ = cli(
        "indicators", "--indicator", "UDD_OVERGANG", "--area", "0561-OST-N", "--period", "2023/24",
        "--format", "json", "--workspace", root,
    )  # fmt: skip
    assert code == 0
    rows = [r for r in json.loads(out) if r["sex"] == "_T" and r["origin"] == "_T"]
    return rows[0]["status"] + ":" + str(rows[0]["value"]) if rows else "no row"


def test_the_partner_page_is_danish_phone_sized_and_self_contained(client, links):
    response = client.get(f"/p/{links['SKOLE']}/")
    assert response.status_code == 200
    page, text = response.text, visible_text(response.text)
    assert '<html lang="da">' in page
    assert 'name="viewport" content="width=device-width, initial-scale=1"' in page
    assert "Send en fil" in text and "Hent jeres skabelon (Excel)" in text
    assert "Østerbyens skoler (SKOLE)" in text
    assert "I har ikke sendt nogen filer endnu." in text
    assert "Det mangler vi fra jer" in text and "Jeres indberetninger" in text
    assert 'type="file"' in page and 'id="drop"' in page and 'enctype="multipart/form-data"' in page
    # no external assets: only the app's own stylesheet and script, and a CSP that says so
    assert re.findall(r'(?:src|href)="(/[^"]*)"', page) == [
        "/static/portal.css",
        "/static/portal.js",
    ]
    assert "http://" not in page and "https://" not in page
    for name, value in SECURITY_HEADERS.items():
        assert response.headers[name] == value
    assert response.headers["cache-control"] == "no-store"
    assert "default-src 'none'" in response.headers["content-security-policy"]
    assert "English" in text and "?lang=en" in page


def test_the_english_switch(client, links):
    response = client.get(f"/p/{links['SKOLE']}/?lang=en")
    text = visible_text(response.text)
    assert '<html lang="en">' in response.text
    assert "Send a file" in text and "Download your template (Excel)" in text
    assert "What we still need from you" in text and "Dansk" in text
    assert 'action="upload?lang=en"' in response.text
    # an unknown language falls back to Danish
    assert "Send en fil" in visible_text(client.get(f"/p/{links['SKOLE']}/?lang=xx").text)


def test_what_is_due_lists_only_the_partners_own_cells(client, links):
    text = visible_text(client.get(f"/p/{links['SKOLE']}/").text)
    assert "ELEVER_AFGANG_9KL" in text and "KARAKTER_SUM_9KL" in text and "mangler" in text
    assert "INKL_DELTAGERE" not in text and "BEF_25" not in text  # the NGO's and KOMMUNE's
    ngo = visible_text(client.get(f"/p/{links['NGO']}/").text)
    assert "INKL_DELTAGERE" in ngo and "ELEVER_AFGANG_9KL" not in ngo


def test_static_assets(client):
    css = client.get("/static/portal.css")
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
    assert "@media (max-width:600px)" in css.text and "url(" not in css.text
    js = client.get("/static/portal.js")
    assert js.status_code == 200 and "javascript" in js.headers["content-type"]
    assert '"drop"' in js.text and "dataTransfer" in js.text and "http" not in js.text


def test_an_accepted_upload_is_stored_taken_in_and_its_receipt_shown_at_once(
    client, links, portal_root, cli
):
    assert udd_overgang(cli, portal_root) == "no row"
    response = send(client, links["SKOLE"], "skoleår 2023-24.csv", GOOD)
    assert response.status_code == 200
    assert response.history and response.history[0].status_code == 303
    assert response.url.params["receipt"].startswith("skoleaar_2023-24.")
    text = visible_text(response.text)
    assert "Godkendt" in text and "Accepted" in text and "skoleaar_2023-24.csv" in text
    # taken in through the core: archived, receipted in the outbox, gone from the inbox
    ws = load_workspace(portal_root)
    [archived] = list(ws.archive.iterdir())
    assert archived.read_text(encoding="utf-8") == GOOD
    sha8 = archived.name[:8]
    outbox = files_under(ws.outbox / "SKOLE")
    assert outbox == [f"skoleaar_2023-24.{sha8}.{k}" for k in ("html", "json", "txt")]
    assert files_under(ws.inbox) == []
    # the page shows the very receipt of the outbox
    stored = json.loads((ws.outbox / "SKOLE" / f"skoleaar_2023-24.{sha8}.json").read_text())
    assert stored["status"] == "accepted" and stored["changes"]["new"] == 2
    assert "2 nye" in text or "Nye 2" in text or re.search(r"\b2\b.*nye", text, flags=re.I)
    # history and status follow
    assert "godkendt" in text and "0 afvist" in text
    assert udd_overgang(cli, portal_root) == "ok:85.0"


def test_a_rejected_upload_shows_the_cells_to_fix_and_returns_the_marked_workbook(
    client, links, portal_root
):
    response = send(client, links["SKOLE"], "skole.csv", MISTAKE)
    assert response.status_code == 200
    text = visible_text(response.text)
    assert "Afvist" in text and "Rejected" in text
    # row as the partner sees it, the header as written, the value, the code, how to fix
    assert re.search(r"\b3 værdi 3O\b", text), text
    assert "not_a_number" in text
    stem = response.url.params["receipt"]
    marked = client.get(f"/p/{links['SKOLE']}/{stem}.marked.xlsx")
    assert marked.status_code == 200
    assert marked.headers["content-type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert "attachment" in marked.headers["content-disposition"]
    book = openpyxl.load_workbook(io.BytesIO(marked.content))
    sheet = book.worksheets[0]
    assert sheet["D3"].value == "3O" and sheet["D3"].comment is not None
    # the receipt itself, as JSON and as text
    receipt = client.get(f"/p/{links['SKOLE']}/{stem}.json").json()
    assert receipt["status"] == "rejected"
    assert [(p["row"], p["column"], p["value"], p["code"]) for p in receipt["errors"]] == [
        (3, "værdi", "3O", "not_a_number")
    ]
    txt = client.get(f"/p/{links['SKOLE']}/{stem}.txt")
    assert txt.status_code == 200 and "Afvist" in txt.text
    # the partner page links all three downloads, and what is due says "rejected"
    page = response.text
    for name in (f"{stem}.marked.xlsx", f"{stem}.json", f"{stem}.txt"):
        assert f'href="{name}"' in page
    assert "afvist – se kvitteringen" in text
    assert files_under(portal_root / "inbox") == []


def test_correcting_a_rejected_file_changes_the_figures(client, links, portal_root, cli):
    send(client, links["SKOLE"], "skole.csv", GOOD.replace(";34\n", ";30\n"))
    assert udd_overgang(cli, portal_root) == "ok:75.0"
    rejected = send(client, links["SKOLE"], "skole.csv", MISTAKE)
    assert "Afvist" in visible_text(rejected.text)
    assert udd_overgang(cli, portal_root) == "ok:75.0"  # a rejected file changes nothing
    corrected = send(client, links["SKOLE"], "skole.csv", GOOD)
    text = visible_text(corrected.text)
    assert "Godkendt" in text
    assert udd_overgang(cli, portal_root) == "ok:85.0"
    # the history lists all three, newest first, each with a link to its own receipt
    history = visible_text(corrected.text.split('id="history"')[1])
    assert [s for s in re.findall(r"\b(godkendt|afvist)\b", history)] == [
        "godkendt",
        "afvist",
        "godkendt",
    ]
    assert corrected.text.split('id="history"')[1].count("vis kvittering") == 3
    # an older receipt can be shown again
    first_stem = re.findall(r'href="\?receipt=([^"&#]+)', corrected.text)[-1]
    older = client.get(f"/p/{links['SKOLE']}/?receipt={first_stem}")
    assert "Godkendt" in visible_text(older.text) and first_stem in older.text


def test_the_same_file_twice_is_recorded_once(client, links, portal_root):
    send(client, links["SKOLE"], "skole.csv", GOOD)
    again = send(client, links["SKOLE"], "skole kopi.csv", GOOD)
    text = visible_text(again.text)
    assert "Godkendt" in text and "allerede modtaget" in text.lower()
    import duckdb

    with duckdb.connect(str(portal_root / "warehouse.duckdb"), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM submissions").fetchone() == (1,)
    assert len(list((portal_root / "archive").iterdir())) == 1


def test_the_template_download(client, links):
    response = client.get(f"/p/{links['NGO']}/template.xlsx")
    assert response.status_code == 200
    assert 'filename="skabelon-NGO.xlsx"' in response.headers["content-disposition"]
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    values = [c.value for row in book.worksheets[0].iter_rows() for c in row]
    assert "INKL_DELTAGERE" in values and "ELEVER_AFGANG_9KL" not in values


def test_an_english_upload_comes_back_in_english(client, links):
    response = send(client, links["NGO"], "ngo.csv", NGO_FILE, lang="en")
    assert response.url.params["lang"] == "en"
    assert "Your submissions" in visible_text(response.text)


# --- the public scorecard -------------------------------------------------------------------


def test_no_public_pages_unless_the_partnership_turns_them_on(client):
    for path in ("/", "/scorecard", "/published_figures.csv", "/published_figures.xlsx"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert "Siden findes ikke." in visible_text(response.text)
        assert "x-content-type-options" in response.headers


@pytest.fixture
def public(tmp_path):  # noqa: ANN201
    root = make_workspace(tmp_path / "public", "public_scorecard: true\n")
    links = links_for(root, "SKOLE", "NGO")
    with TestClient(create_app(root)) as test_client:
        yield root, links, test_client


def test_the_public_scorecard_shows_published_figures_only_and_stays_current(public):
    root, links, client = public
    assert client.get("/scorecard").status_code == 503  # nothing taken in yet
    home = client.get("/", follow_redirects=False)
    assert home.status_code == 302 and home.headers["location"] == "/scorecard"

    # 2 of 3 pupils: a figure that disclosure control must never publish
    small = "dataelement;område;periode;værdi\nELEVER_AFGANG_9KL;0561-OST-S;2023/24;3\nELEVER_UDD_15MD;0561-OST-S;2023/24;2\n"
    send(client, links["SKOLE"], "small.csv", small)
    first = client.get("/scorecard")
    assert first.status_code == 200 and "Testpartnerskab" in first.text
    csp = first.headers["content-security-policy"]
    assert "default-src 'none'" in csp and "'sha256-" in csp and "unsafe-eval" not in csp
    csv = client.get("/published_figures.csv")
    assert csv.status_code == 200 and "attachment" in csv.headers["content-disposition"]
    rows = [line.split(";") for line in csv.text.splitlines() if line.startswith("UDD_OVERGANG;")]
    south = [r for r in rows if r[2] == "0561-OST-S"]
    assert south and all(r[-1] == "diskretioneret" and r[7:10] == ["", "", ""] for r in south)
    assert "66,6" not in csv.text and ";3;" not in csv.text
    xlsx = client.get("/published_figures.xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"

    # a new upload makes the stored page stale: the next visit shows the new figures
    send(client, links["SKOLE"], "more.csv", GOOD)
    rows = [line.split(";") for line in client.get("/published_figures.csv").text.splitlines()]
    assert ["UDD_OVERGANG", "0561-OST", "36", "43"] in [[r[0], r[2], r[7], r[8]] for r in rows]
    assert "36" in visible_text(client.get("/scorecard").text)
    # partner pages of a public partnership are as private as ever
    assert client.get("/p/" + "x" * 43 + "/").status_code == 404


def test_a_half_edited_partnership_file_does_not_take_the_portal_down(client, links, portal_root):
    assert client.get(f"/p/{links['SKOLE']}/").status_code == 200
    yaml = portal_root / "partnership.yaml"
    good = yaml.read_text(encoding="utf-8")
    yaml.write_text(good + "areas: [\n", encoding="utf-8")
    assert "Send en fil" in visible_text(client.get(f"/p/{links['SKOLE']}/").text)
    yaml.write_text(good.replace("Østerbyens skoler", "Skolerne i Østerbyen"), encoding="utf-8")
    assert "Skolerne i Østerbyen" in client.get(f"/p/{links['SKOLE']}/").text


def test_without_the_status_the_page_still_takes_uploads(client, links, monkeypatch):
    from ci_measure.figures import status

    def busy(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        raise TimeoutError("warehouse busy")

    monkeypatch.setattr(status, "status", busy)
    response = client.get(f"/p/{links['SKOLE']}/")
    assert response.status_code == 200
    text = visible_text(response.text)
    assert "Oversigten kan ikke vises lige nu" in text and "Alt, I skal levere" not in text
    assert 'id="upload"' in response.text


def test_names_and_file_names_with_script_are_text_on_every_page(tmp_path, cli):
    """A partner name, an area name, the partnership's name and a file name holding <script>
    are shown as text on the partner's page, the public scorecard and the partnership's own
    data-quality page (Jinja2 autoescape; issue 20)."""
    from tests.conftest import PARTNERSHIP

    attack = {"p": "Testpartnerskab", "a": "Nord", "s": "Østerbyens skoler"}
    config = PARTNERSHIP
    for mark, name in attack.items():
        config = config.replace(f"name: {name}\n", f"name: '<script>alert(\"{mark}\")</script>'\n")
    root = make_workspace(tmp_path / "ws")
    (root / "partnership.yaml").write_text(config + "public_scorecard: true\n", encoding="utf-8")
    (root / "inbox" / "SKOLE" / "1-god.csv").write_text(GOOD, encoding="utf-8")
    (root / "inbox" / "SKOLE" / '2-<script>alert("f").csv').write_text(  # no "/" in a name
        MISTAKE, encoding="utf-8"
    )
    assert cli("ingest", "--workspace", root)[0] == 1
    assert cli("report", "--workspace", root)[0] == 0
    token = links_for(root, "SKOLE")["SKOLE"]
    with TestClient(create_app(root)) as client:
        pages = {
            "partner": client.get(f"/p/{token}/").text,
            "partner, first receipt": client.get(f"/p/{token}/?lang=en").text,
            "scorecard": client.get("/scorecard").text,
            "data quality": (root / "reports" / "data_quality.html").read_text(encoding="utf-8"),
        }
        assert client.get("/data_quality.html").status_code == 404  # never served
    for page_name, html in pages.items():
        assert "<script>alert" not in html, page_name
        assert "&lt;script&gt;alert(" in html, page_name
    assert "alert(&#34;s&#34;)" in pages["partner"]  # the partner's name
    assert "2-&lt;script&gt;alert(&#34;f&#34;).csv" in pages["partner"]  # its history
    assert "alert(&#34;a&#34;)" in pages["scorecard"]  # the area, in the comparison
    assert "alert(&#34;f&#34;)" in pages["data quality"]  # the rejected file, listed as text
    assert "alert(&#34;f&#34;)" not in pages["scorecard"]  # the public page names no file


def test_the_portal_addresses_the_partner_one_way():
    """Danish texts say I/jeres throughout, never du/din beside jeres (issue 15)."""
    from ci_measure.portal.pages import TEXT

    danish = " ".join(TEXT["da"].values())
    assert not re.search(r"\b(du|din|dit|dine|dig|Du|Din|Dit|Dine)\b", danish)
    assert "jeres" in danish and re.search(r"\bI\b", danish)
    assert set(TEXT["da"]) == set(TEXT["en"])
