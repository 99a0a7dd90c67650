"""The HTML receipt a partner opens: Danish with English below, the problems table, nothing external."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from ci_measure.errors import Problem
from ci_measure.intake.receipt import HTML_LIMIT, Receipt, render_html


class Cells(HTMLParser):
    """The text of every table row, cell by cell (what a reader of the table sees)."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self.in_table = False

    def handle_starttag(self, tag, attrs):
        self.in_table = self.in_table or tag == "table"
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self.rows[-1].append("")

    def handle_endtag(self, tag):
        self.in_table = self.in_table and tag != "table"

    def handle_data(self, data):
        if self.in_table and self.rows and self.rows[-1]:
            self.rows[-1][-1] += data


def parse(page: str) -> Cells:
    parser = Cells()
    parser.feed(page)
    return parser


def receipt(**kw) -> Receipt:
    base = dict(status="rejected", partner="SKOLE", file="skole.xlsx", sha256="ab" * 32, rows=16)
    return Receipt(**{**base, **kw})


def test_accepted_says_what_was_received_and_how_the_figures_changed():
    page = render_html(
        receipt(
            status="accepted",
            changes={"new": 12, "corrected": 3, "unchanged": 1},
            received_at="2025-03-01T11:05:00",
        )
    )
    assert "Godkendt" in page and "Accepted" in page and 'lang="da"' in page
    text = re.sub(r"<[^>]+>", " ", page)
    assert re.search(r"12\s+nye celler\s+new cells", text)
    assert re.search(r"3\s+rettede celler\s+corrected cells", text)
    assert re.search(r"1\s+uændrede celler\s+unchanged cells", text)
    assert "01-03-2025 kl. 12:05 CET" in page  # UTC 11:05 is 12:05 in Copenhagen in March
    assert "skole.xlsx" in page and "16" in page and "<table" not in page


def test_rejected_lists_every_problem_with_row_column_value_and_fix_in_both_languages():
    problems = [
        Problem.make(
            "unknown_code",
            row=3,
            column="dataelement",
            value="ELEVR",
            suggestions="ELEVER_AFGANG_9KL",
        ),
        Problem.make("not_a_number", row=4, column="værdi", value="tolv"),
        Problem.make(
            "negative_value", row=5, column="værdi", value="-4", element="ELEVER_UDD_15MD"
        ),
    ]
    page = render_html(receipt(errors=problems), returned="skole.abababab.marked.xlsx")
    rows = parse(page).rows
    assert rows[0][:3] == ["RækkeRow", "KolonneColumn", "VærdiValue"]
    body = rows[1:]
    assert [r[:3] for r in body] == [
        ["3", "dataelement", "ELEVR"],
        ["4", "værdi", "tolv"],
        ["5", "værdi", "-4"],
    ]
    assert all(
        p.message_da in r[3] and p.message_en in r[3] for p, r in zip(problems, body, strict=True)
    )
    assert [r[4] for r in body] == ["unknown_code", "not_a_number", "negative_value"]
    assert "Afvist" in page and "Rejected" in page and "send hele filen igen" in page
    assert '<a href="skole.abababab.marked.xlsx">' in page


def test_values_and_names_are_escaped_and_nothing_is_loaded_from_outside():
    evil = "<script>alert(1)</script>"
    problems = [Problem.make("not_a_number", row=2, column='"><img src=x>', value=evil)]
    page = render_html(
        receipt(file="<b>x</b>.csv", partner="P&Q", errors=problems), returned='a".xlsx'
    )
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert "<img" not in page and "<b>x</b>" not in page and "P&amp;Q" in page
    assert 'href="a&#34;.xlsx"' in page
    assert "http://" not in page and "https://" not in page
    assert not re.search(r"<(link|script|img|iframe)\b", page)


def test_deleted_personal_data_never_shows_a_value():
    problems = [Problem.make("personal_data", row=7, column="kommentar")]
    page = render_html(receipt(status="deleted", errors=problems))
    assert "Afvist og slettet" in page and "CPR-nummer" in page and "slettet" in page
    assert parse(page).rows[1][:3] == ["7", "kommentar", ""]


def test_a_flood_of_problems_is_cut_with_a_pointer_to_the_full_list():
    problems = [
        Problem.make("not_a_number", row=i, column="værdi", value="x")
        for i in range(2, HTML_LIMIT + 12)
    ]
    page = render_html(receipt(errors=problems))
    assert len(parse(page).rows) == HTML_LIMIT + 1
    assert "og 10 mere" in page and "and 10 more" in page


def test_warnings_and_already_received_are_shown_but_do_not_look_like_errors():
    warning = Problem.make("unknown_column", row=1, column="noter")
    page = render_html(
        receipt(status="accepted", warnings=[warning], note="already_received", changes=None)
    )
    assert "allerede modtaget" in page and "Bemærkninger" in page and "noter" in page
    assert "Fejl<" not in page


def test_the_receipt_is_rendered_by_the_template_with_autoescape():
    """A file name and a cell value holding a script appear as text, escaped by Jinja2."""
    evil = "<script>alert('x')</script>"
    problems = [Problem.make("not_a_number", row=2, column="værdi", value=evil)]
    page = render_html(receipt(file=f"{evil}.csv", errors=problems))
    assert "<script>" not in page
    assert page.count("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;") >= 3  # title, file, value


def test_a_resent_file_says_not_loaded_again_and_shows_no_new_cells():
    from ci_measure.intake.receipt import render_text

    resent = receipt(
        status="accepted", note="already_received", changes={"new": 42, "corrected": 0}
    )
    text, page = render_text(resent), render_html(resent)
    assert "ikke indlæst igen" in text and "Celler" not in text and "42" not in text
    assert "ikke indlæst igen" in page and "nye celler" not in page


def test_singular_and_plural_in_receipts():
    from ci_measure.intake.receipt import render_text

    one = receipt(rows=1, errors=[Problem.make("not_a_number", row=2, column="v", value="x")])
    assert "(SKOLE, 1 række/row)" in render_text(one)
    assert "1 fejl skal rettes / 1 error to fix:" in render_text(one)
    assert "Ret fejlen herunder" in render_html(one) and "Fix the error below" in render_html(one)
    many = receipt(rows=1234, errors=one.errors * 2)
    assert "(SKOLE, 1.234 rækker/rows)" in render_text(many)
    assert "2 fejl skal rettes / 2 errors to fix:" in render_text(many)


def test_the_marked_workbook_box_says_click_not_hover():
    one = receipt(errors=[Problem.make("not_a_number", row=2, column="v", value="x")])
    page = render_html(one, returned="f.marked.xlsx")
    assert "Klik på en rød celle" in page and "Hold musen" not in page


def test_json_carries_machine_time_and_text_people_time():
    from ci_measure.intake.receipt import render_text

    done = receipt(status="accepted", received_at="2025-07-01T10:00:00")
    assert done.to_dict()["received_at"] == "2025-07-01T10:00:00Z"
    assert "01-07-2025 kl. 12:00 CEST" in render_text(done)
