"""Who may write what (SPEC §6, §8): a file in `inbox/A/` only adds A's cells; a `partner`
column naming B is refused; nobody overwrites another partner's (data element, area)."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb

from tests.helpers import write
from tests.reliability.common import GOOD


def _errors(root: Path, partner: str, stem: str) -> list[tuple[str, int, str, str]]:
    [path] = (root / "outbox" / partner).glob(f"{stem}.*.json")
    receipt = json.loads(path.read_text(encoding="utf-8"))
    return [(e["code"], e["row"], e["column"], e["value"]) for e in receipt["errors"]]


def _cells(root: Path) -> list[tuple]:
    with duckdb.connect(str(root / "warehouse.duckdb"), read_only=True) as con:
        return con.execute(
            "SELECT s.partner, o.data_element, o.area, o.period, o.sex, o.value"
            " FROM observations o JOIN submissions s ON s.id = o.submission_id ORDER BY ALL"
        ).fetchall()


def test_a_partner_cannot_overwrite_another_partners_cells(workspace_dir, cli):
    write(workspace_dir / "inbox" / "SKOLE" / "skole.csv", GOOD)
    assert cli("ingest", "--workspace", workspace_dir)[0] == 0
    before = _cells(workspace_dir)
    figures = cli("indicators", "--workspace", workspace_dir, "--format", "csv")[1]
    # The NGO sends the school's very cells with other values.
    write(workspace_dir / "inbox" / "NGO" / "overtag.csv", GOOD.replace(";40\n", ";400\n"))
    code, out, _ = cli("ingest", "--workspace", workspace_dir)
    assert code == 1 and "Afvist / Rejected: overtag.csv (NGO" in out
    errors = _errors(workspace_dir, "NGO", "overtag")
    assert {e[0] for e in errors} == {"not_responsible"} and [e[1] for e in errors] == [2, 3, 4, 5]
    assert all(e[2] == "område" for e in errors)
    assert _cells(workspace_dir) == before
    assert cli("indicators", "--workspace", workspace_dir, "--format", "csv")[1] == figures


def test_a_file_in_a_partners_inbox_only_adds_that_partners_cells(workspace_dir, cli):
    """One row of another partner's cells rejects the whole file: nothing of it is stored."""
    mixed = (
        "dataelement;område;periode;værdi\n"
        "INKL_DELTAGERE;0561-OST-N;2024-Q1;12\n"  # the NGO's own
        "BEF_25;0561-OST;2024;400\n"  # the municipality's
        "INKL_DELTAGERE;0561;2024-Q1;30\n"  # the NGO's element, an area it does not report
    )
    write(workspace_dir / "inbox" / "NGO" / "blandet.csv", mixed)
    assert cli("ingest", "--workspace", workspace_dir)[0] == 1
    errors = _errors(workspace_dir, "NGO", "blandet")
    assert [(e[0], e[1], e[2]) for e in errors] == [
        ("not_responsible", 3, "område"),
        ("not_responsible", 4, "område"),
    ]
    assert _cells(workspace_dir) == []


def test_a_partner_column_naming_someone_else_is_refused(workspace_dir, cli):
    text = (
        "dataelement;område;periode;værdi;afsender\n"
        "INKL_DELTAGERE;0561-OST-N;2024-Q1;12;NGO\n"
        "INKL_DELTAGERE;0561-OST-N;2024-Q2;9;SKOLE\n"
        "INKL_DELTAGERE;0561-OST-N;2024-Q3;3;ngo\n"  # codes are matched case-insensitively
    )
    write(workspace_dir / "inbox" / "NGO" / "afsender.csv", text)
    assert cli("ingest", "--workspace", workspace_dir)[0] == 1
    assert _errors(workspace_dir, "NGO", "afsender") == [
        ("partner_mismatch", 3, "afsender", "SKOLE")
    ]
    assert _cells(workspace_dir) == []


def test_the_folder_decides_who_sent_a_file_not_the_command_line(workspace_dir, cli):
    """`ingest inbox/NGO/x.csv --partner SKOLE` is still the NGO's file."""
    path = write(workspace_dir / "inbox" / "NGO" / "skolens.csv", GOOD)
    code, out, _ = cli("ingest", path, "--partner", "SKOLE", "--workspace", workspace_dir)
    assert code == 1 and "(NGO" in out
    assert {e[0] for e in _errors(workspace_dir, "NGO", "skolens")} == {"not_responsible"}


def test_an_unknown_partner_is_a_usage_error_and_touches_nothing(workspace_dir, tmp_path, cli):
    source = write(tmp_path / "x.csv", GOOD)
    for partner in ("UKENDT", "../SKOLE", "SKOLE/../NGO"):
        code, out, err = cli("ingest", source, "--partner", partner, "--workspace", workspace_dir)
        assert (
            code == 2
            and err.startswith("[usage_error] ukendt partner")
            and "unknown partner" in err
        ), err
        code, out, err = cli("check", source, "--partner", partner, "--workspace", workspace_dir)
        assert code == 2 and "unknown partner" in err
    assert not (workspace_dir / "warehouse.duckdb").exists()
    assert sorted(p.name for p in (workspace_dir / "inbox").iterdir()) == [
        "KOMMUNE",
        "NGO",
        "SKOLE",
    ]
    assert all(not any(p.iterdir()) for p in (workspace_dir / "inbox").iterdir())


def test_a_folder_for_no_partner_is_never_read(workspace_dir, cli):
    write(workspace_dir / "inbox" / "FREMMED" / "x.csv", GOOD)
    code, out, _ = cli("ingest", "--workspace", workspace_dir)
    assert code == 0 and "No files waiting in the inbox" in out
    assert (workspace_dir / "inbox" / "FREMMED" / "x.csv").exists()
