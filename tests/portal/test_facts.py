"""What a partner's page shows, from the pure functions of ci_measure.portal.facts."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pandas as pd

from ci_measure.config.model import Area, Catalog, DataElement, Partnership
from ci_measure.portal import facts


def _outbox(folder: Path, *names: str) -> dict[str, facts.OutboxFile]:
    folder.mkdir(parents=True, exist_ok=True)
    for i, name in enumerate(names):
        path = folder / name
        path.write_text("{}", encoding="utf-8")
        os.utime(path, ns=(1_000_000_000 * (i + 1), 1_000_000_000 * (i + 1)))
    return facts.outbox_files(folder)


def test_the_outbox_lists_receipt_shaped_files_only(tmp_path):
    listing = _outbox(
        tmp_path / "SKOLE",
        "a.1234abcd.json",
        "a.1234abcd.txt",
        "a.1234abcd.marked.xlsx",
        ".a.1234abcd.json",  # hidden
        "passwd",  # not a receipt
        "b.zzzzzzzz.json",  # not a hash
    )
    assert sorted(listing) == ["a.1234abcd.json", "a.1234abcd.marked.xlsx", "a.1234abcd.txt"]
    (tmp_path / "SKOLE" / "c.deadbeef.json").symlink_to(tmp_path / "SKOLE" / "passwd")
    assert "c.deadbeef.json" not in facts.outbox_files(tmp_path / "SKOLE")
    assert facts.outbox_files(tmp_path / "nobody") == {}


def test_the_receipt_asked_for_else_the_latest_with_its_downloads(tmp_path):
    listing = _outbox(
        tmp_path,
        "old.11111111.json",
        "old.11111111.marked.xlsx",
        "new.22222222.json",
        "new.22222222.txt",
    )
    asked = facts.choose_receipt(listing, "old.11111111")
    assert asked.stem == "old.11111111"
    assert asked.downloads == {
        "marked": "old.11111111.marked.xlsx",
        "receipt_json": "old.11111111.json",
    }
    latest = facts.choose_receipt(listing, None)
    assert latest.stem == "new.22222222" and latest.path == tmp_path / "new.22222222.json"
    assert list(latest.downloads) == ["receipt_json", "receipt_txt"]
    # a name that is not in this partner's outbox is ignored: the latest is shown
    assert facts.choose_receipt(listing, "../NGO/x.33333333").stem == "new.22222222"
    assert facts.choose_receipt({}, "old.11111111") == facts.ReceiptChoice()


def test_an_unreadable_receipt_is_no_receipt(tmp_path):
    broken = tmp_path / "x.12345678.json"
    broken.write_text("{not json", encoding="utf-8")
    assert facts.load_receipt(broken) is None
    assert facts.load_receipt(None) is None


def test_what_is_due_is_the_partners_own_open_cells_with_names():
    catalog = Catalog(
        {"BEF_25": DataElement("BEF_25", "25-årige", "25-year-olds", "persons", "year", "last")},
        {},
    )
    partnership = Partnership("P", (Area("0561", "Esbjerg"), Area("0561-OST", "Østerbyen")), ())
    cells = pd.DataFrame(
        [
            ("SKOLE", "BEF_25", "0561-OST", "_T", "_T", "2023", "2024", "missing"),
            ("SKOLE", "BEF_25", "0561", "_T", "_T", "2024", "2024", "delivered"),
            ("NGO", "BEF_25", "0561", "_T", "_T", "", "2024", "late"),
            ("SKOLE", "UKENDT", "0561", "_T", "_T", "", "2024", "rejected"),
        ],
        columns=[
            "partner", "data_element", "area", "sex", "origin",
            "delivered_period", "due_period", "state",
        ],
    )  # fmt: skip
    due = facts.due_rows(cells, "SKOLE", catalog, partnership)
    assert [(r["element"], r["area"], r["state"]) for r in due] == [
        ("BEF_25", "0561-OST", "missing"),
        ("UKENDT", "0561", "rejected"),
    ]
    assert due[0]["element_label"] == "25-årige" and due[0]["area_name"] == "Østerbyen"
    assert due[1]["element_label"] == "" and due[1]["area_name"] == "Esbjerg"


def test_the_history_is_the_partners_own_newest_first_in_danish_time(tmp_path):
    audit = pd.DataFrame(
        {
            "partner": ["SKOLE", "NGO", "SKOLE"],
            "file_name": ["a.csv", "n.csv", "<script>b.csv"],
            "sha256": ["1" * 64, "2" * 64, "3" * 64],
            "received_at": [dt.datetime(2026, 1, 5, 8, 0), dt.datetime(2026, 1, 6), None],
            "status": ["accepted", "accepted", "rejected"],
            "rows": [4, 1, 0],
        }
    )
    listing = _outbox(tmp_path, "a.11111111.json")
    stems = {("a.csv", "1" * 64): "a.11111111", ("<script>b.csv", "3" * 64): "b.33333333"}
    rows = facts.history_rows(audit, "SKOLE", stems, listing)
    assert [r["file"] for r in rows] == ["<script>b.csv", "a.csv"]
    assert rows[1]["received"] == "05-01-2026 kl. 09:00 CET"  # stored in UTC, shown in Danish
    assert rows[0]["received"] == ""
    assert rows[1]["stem"] == "a.11111111" and rows[0]["stem"] is None  # no receipt in outbox
    assert facts.history_rows(None, "SKOLE", {}, {}) == []


def test_counts_are_the_partners_summary_row():
    summary = pd.DataFrame([{"partner": "SKOLE", "delivered": 3, "missing": 1}])
    assert facts.counts(summary) == {"partner": "SKOLE", "delivered": 3, "missing": 1}
    assert facts.counts(summary.iloc[:0]) == {}
