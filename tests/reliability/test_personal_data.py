"""Personal data (SPEC §8): a file with a CPR number in any cell — with or without the dash,
as text or as a number, in CSV or xlsx, in any column — is rejected with `personal_data`,
its content is not archived, and the number is never printed, logged, stored or put in a
receipt. The test greps every output of every command, every file of the workspace (inside
zip containers too), every text column of the warehouse, and Dagster's own storage.
"""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import duckdb
import pytest

from tests.helpers import write
from tests.reliability.common import GOOD, check_consistent, xlsx_bytes
from tests.reliability.common import NGO as NGO_CSV
from tests.reliability.hiding import FORMATS, XLSX, numbers

# (file name, content, the CPR number as the file holds it, where: (row, header as written))
CASES = [
    (
        "kommentar-med-streg.csv",
        "dataelement;område;periode;værdi;kommentar\n"
        "INKL_DELTAGERE;0561-OST-N;2024-Q1;12;ok\nINKL_DELTAGERE;0561-OST-N;2024-Q2;9;barn 010203-1234\n",
        "010203-1234",
        [(3, "kommentar")],
    ),
    (
        "uden-streg-i-omraade.csv",
        "data_element,area,period,value\nINKL_DELTAGERE,0102031234,2024-Q1,12\n",
        "0102031234",
        [(2, "area")],
    ),
    (
        "med-mellemrum.csv",
        "data_element|area|period|value|note\nINKL_DELTAGERE|0561-OST-N|2024-Q1|12|ring 150203 1234\n",
        "150203 1234",
        [(2, "note")],
    ),
    (
        "som-tal-uden-nul.xlsx",  # Excel drops the leading zero of 010203-1234 typed without a dash
        [
            ["dataelement", "område", "periode", "værdi"],
            ["INKL_DELTAGERE", "0561-OST-N", "2024-Q1", 102031234],
        ],
        "102031234",
        [(2, "værdi")],
    ),
    (
        "tal-i-ekstra-kolonne.xlsx",
        [
            ["dataelement", "område", "periode", "værdi", "elev"],
            ["INKL_DELTAGERE", "0561-OST-N", "2024-Q1", 12, None],
            ["INKL_DELTAGERE", "0561-OST-N", "2024-Q2", 9, 2903041234],
        ],
        "2903041234",
        [(3, "elev")],
    ),
    (
        "tekst-i-xlsx.xlsx",
        [
            ["dataelement", "område", "periode", "værdi", "kommentar"],
            ["INKL_DELTAGERE", "0561-OST-N", "2024-Q1", 12, "311299-9999"],
        ],
        "311299-9999",
        [(2, "kommentar")],
    ),
    (
        "i-overskriften.csv",
        "data_element;area;period;value;311299-9999\nINKL_DELTAGERE;0561-OST-N;2024-Q1;12;x\n",
        "311299-9999",
        [(1, "XXXXXX-XXXX")],
    ),
]


def _forms(number: str) -> list[str]:
    """Every way the number could leak: as sent, without separator, with a dash, as a float."""
    digits = "".join(c for c in number if c.isdigit())
    forms = {number, digits, f"{digits[:6]}-{digits[6:]}" if len(digits) == 10 else digits}
    forms.add(f"{int(digits)}")  # without a leading zero
    forms.add(f"{float(int(digits))}")  # 102031234.0
    return sorted(forms)


def _texts_in_workspace(root: Path) -> list[tuple[str, bytes]]:
    """(where, bytes) of every file, every member of every zip, and every text cell of the warehouse."""
    found = []
    for path in sorted(root.rglob("*")):
        if not path.is_file():
            continue
        data = path.read_bytes()
        found.append((str(path.relative_to(root)), data))
        if data.startswith(b"PK\x03\x04"):
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                found += [(f"{path.name}:{n}", archive.read(n)) for n in archive.namelist()]
    database = root / "warehouse.duckdb"
    if database.exists():
        with duckdb.connect(str(database), read_only=True) as con:
            columns = con.execute(
                "SELECT table_name, column_name FROM duckdb_columns() WHERE data_type IN ('VARCHAR', 'JSON')"
                " AND NOT internal AND schema_name = 'main'"
            ).fetchall()
            for table, column in columns:
                values = con.execute(f'SELECT "{column}"::VARCHAR FROM "{table}"').fetchall()
                found.append(
                    (f"warehouse {table}.{column}", "\n".join(str(v) for (v,) in values).encode())
                )
    return found


def _assert_never_seen(number: str, outputs: list[tuple[str, str]], root: Path) -> None:
    everything = [(where, text.encode("utf-8")) for where, text in outputs] + _texts_in_workspace(
        root
    )
    assert len(everything) > 10
    for form in _forms(number):
        leaks = [where for where, data in everything if form.encode() in data]
        assert leaks == [], f"{form} found in {leaks}"


def _put(root: Path, name: str, content) -> Path:  # noqa: ANN001
    path = root / "inbox" / "NGO" / name
    if isinstance(content, str):
        return write(path, content)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(xlsx_bytes(content))
    return path


@pytest.mark.parametrize(("name", "content", "number", "where"), CASES, ids=[c[0] for c in CASES])
def test_a_cpr_number_anywhere_is_rejected_deleted_and_never_repeated(
    name, content, number, where, workspace_dir, cli, tmp_path
):
    write(workspace_dir / "inbox" / "SKOLE" / "god.csv", GOOD)  # something to publish and report
    path = _put(workspace_dir, name, content)
    sha = __import__("ci_measure.intake.validate", fromlist=["sha256_of"]).sha256_of(path)
    outputs = []

    code, out, err = cli("check", path, "--partner", "NGO", "--workspace", workspace_dir, "--json")
    outputs.append(("check --json", out + err))
    assert code == 1
    checked = json.loads(out)
    assert [(e["code"], e["row"], e["column"], e["value"]) for e in checked["errors"]] == [
        ("personal_data", row, column, None) for row, column in where
    ]
    code, out, err = cli("check", path, "--partner", "NGO", "--workspace", workspace_dir)
    outputs.append(("check", out + err))
    assert code == 1 and "CPR" in out

    code, out, err = cli("ingest", "--workspace", workspace_dir)
    outputs.append(("ingest", out + err))
    assert code == 1 and "Afvist og slettet / Rejected and deleted: " + name in out
    assert not path.exists(), "the file left the inbox"
    archive = workspace_dir / "archive"
    assert [p.name for p in archive.iterdir() if p.name.startswith(sha)] == [], "content archived"
    check_consistent(workspace_dir)

    [receipt_path] = (workspace_dir / "outbox" / "NGO").glob("*.json")
    receipt = json.loads(receipt_path.read_text(encoding="utf-8"))
    assert receipt["status"] == "deleted" and receipt["sha256"] == sha
    assert [(e["code"], e["row"], e["column"]) for e in receipt["errors"]] == [
        ("personal_data", r, c) for r, c in where
    ]
    assert "The file has been deleted and not stored" in receipt["errors"][0]["message_en"]
    assert not list((workspace_dir / "outbox" / "NGO").glob("*.marked.xlsx"))

    for command in (
        ["history"], ["history", "--format", "json"], ["history", "--format", "csv"],
        ["status"], ["indicators", "--format", "csv"], ["report", "-o", workspace_dir / "report"],
    ):  # fmt: skip
        code, out, err = cli(*command, "--workspace", workspace_dir)
        assert code == 0, err
        outputs.append((" ".join(map(str, command)), out + err))
    _assert_never_seen(number, outputs, workspace_dir)


def test_the_dagster_path_deletes_it_too_and_its_event_log_never_holds_the_number(
    workspace_dir, tmp_path
):
    import dagster as dg

    from pipelines.defs.measurement import assets
    from pipelines.defs.measurement.partitions import SUBMISSIONS
    from pipelines.defs.measurement.resources import WorkspaceResource
    from pipelines.defs.measurement.sensors import inbox_sensor

    name, content, number, _ = CASES[0]
    _put(workspace_dir, name, content)
    in_name = "210377-4827"  # the run's tags, config and metadata keep the name masked
    (workspace_dir / "inbox" / "NGO" / f"elev_{in_name}.xlsx").write_bytes(
        XLSX["kommentar"]("030377-4829")
    )
    home = tmp_path / "dagster_home"
    home.mkdir()
    with dg.DagsterInstance.local_temp(str(home)) as instance:
        resources = {"workspace": WorkspaceResource(root=str(workspace_dir))}
        requests = inbox_sensor(
            dg.build_sensor_context(instance=instance, resources=resources)
        ).run_requests
        assert len(requests) == 2
        logs = ""
        for request in requests:
            instance.add_dynamic_partitions(SUBMISSIONS.name, [request.partition_key])
            result = dg.materialize(
                [assets.submissions], partition_key=request.partition_key, instance=instance,
                resources=resources, run_config=request.run_config, tags=request.tags,
            )  # fmt: skip
            assert result.success
            [event] = result.get_asset_materialization_events()
            assert event.materialization.metadata["status"].value == "deleted"
            logs += "\n".join(str(record) for record in instance.all_logs(result.run_id))
            logs += str(instance.get_run_by_id(result.run_id))
    assert "personal_data" in logs and "elev_XXXXXX-XXXX.xlsx" in logs
    assert not list((workspace_dir / "inbox" / "NGO").iterdir())
    outputs = [("dagster event log and runs", logs)]
    outputs += [(str(p), p.read_bytes().decode("latin-1")) for p in home.rglob("*") if p.is_file()]
    for secret in (number, in_name, "030377-4829"):
        _assert_never_seen(secret, outputs, workspace_dir)


def test_a_date_that_does_not_exist_is_not_a_cpr_number(workspace_dir, cli):
    """No false alarms on ordinary ten-digit numbers: 32nd day, 13th month, 29 Feb 2001."""
    content = "data_element;area;period;value;note\n" + "".join(
        f"INKL_DELTAGERE;0561-OST-N;2024-Q{q};{q};{note}\n"
        for q, note in enumerate(
            ["3201031234", "0113031234", "290201-1234", "ordre 12345678901"], start=1
        )
    )
    path = _put(workspace_dir, "ingen-cpr.csv", content)
    code, out, _ = cli("check", path, "--partner", "NGO", "--workspace", workspace_dir)
    assert code == 0, out


def test_the_search_would_find_a_leak(workspace_dir, cli):
    """A control: the grep reads outputs, files and the warehouse's text columns."""
    write(workspace_dir / "inbox" / "SKOLE" / "god.csv", GOOD.replace("40\n", "40;;x\n", 1))
    assert cli("ingest", "--workspace", workspace_dir)[0] == 0
    places = [where for where, _ in _texts_in_workspace(workspace_dir)]
    assert "warehouse submissions.receipt" in places and "warehouse observations.comment" in places
    with pytest.raises(AssertionError, match=r"102031234 found in \['stdout'\]"):
        _assert_never_seen("0102031234", [("stdout", "it was 102031234.0")], workspace_dir)
    with duckdb.connect(str(workspace_dir / "warehouse.duckdb")) as con:
        con.execute("UPDATE observations SET comment = 'ring 010203-1234' WHERE comment IS NULL")
    with pytest.raises(AssertionError, match="found in"):
        _assert_never_seen("010203-1234", [], workspace_dir)


# --- a CPR number outside the data table, in every format (issue 22) ------------------


@pytest.mark.parametrize("kind", list(FORMATS))
def test_a_cpr_number_outside_the_table_is_found_in_every_format_and_never_kept(
    kind, workspace_dir, cli
):
    """Title and note lines, other and hidden sheets, comments, page headers and footers,
    document properties, sheet and defined names, formulas: every file is deleted (though it
    is also wrong in a cell, so a missed number would be archived and handed back marked),
    and its number is in no output, no workspace file and no warehouse column."""
    write(workspace_dir / "inbox" / "SKOLE" / "god.csv", GOOD)
    files = {}
    for (place, build), number in zip(FORMATS[kind].items(), numbers(), strict=False):
        path = workspace_dir / "inbox" / "NGO" / f"{place}.{kind}"
        path.write_bytes(build(number))
        files[path.name] = number
    outputs = []
    for name in files:
        code, out, err = cli(
            "check", workspace_dir / "inbox" / "NGO" / name, "--partner", "NGO",
            "--workspace", workspace_dir, "--json",
        )  # fmt: skip
        outputs.append((f"check {name}", out + err))
        assert code == 1, (name, out, err)
        assert {e["code"] for e in json.loads(out)["errors"]} == {"personal_data"}, (name, out)
    code, out, err = cli("ingest", "--workspace", workspace_dir)
    outputs.append(("ingest", out + err))
    assert code == 1
    for name in files:
        assert f"Afvist og slettet / Rejected and deleted: {name}" in out, name
    assert not list((workspace_dir / "inbox" / "NGO").iterdir())
    assert not list((workspace_dir / "outbox" / "NGO").glob("*.marked.xlsx"))
    receipts = [
        json.loads(p.read_text(encoding="utf-8"))
        for p in (workspace_dir / "outbox" / "NGO").glob("*.json")
    ]
    assert sorted(r["file"] for r in receipts) == sorted(files)
    assert {r["status"] for r in receipts} == {"deleted"}
    assert [p.name for p in (workspace_dir / "archive").iterdir()] == [
        p.name for p in (workspace_dir / "archive").iterdir() if p.suffix == ".csv"
    ], "only the school's CSV is archived"
    check_consistent(workspace_dir)
    for command in (
        ["history", "--format", "json"],
        ["status"],
        ["report", "-o", workspace_dir / "report"],
    ):
        code, out, err = cli(*command, "--workspace", workspace_dir)
        assert code == 0, err
        outputs.append((" ".join(map(str, command)), out + err))
    for number in files.values():
        _assert_never_seen(number, outputs, workspace_dir)


def test_a_cpr_number_in_a_file_name_is_masked_everywhere_the_name_is_kept_or_shown(
    workspace_dir, cli
):
    """`elev_210377-4827.csv`: warehouse, receipts and their file names, the marked workbook
    and its name, history, status, the scorecard and check's output show XXXXXX-XXXX."""
    write(workspace_dir / "inbox" / "NGO" / "elev_210377-4827.csv", NGO_CSV)
    rejected = write(
        workspace_dir / "inbox" / "NGO" / "fejl 0103774828.csv", NGO_CSV.replace("12", "tolv")
    )
    outputs = []
    code, out, err = cli(
        "check", rejected, "--partner", "NGO", "--workspace", workspace_dir, "--json"
    )
    assert code == 1 and json.loads(out)["file"] == "fejl XXXXXX-XXXX.csv"
    outputs.append(("check", out + err))
    code, out, err = cli("ingest", "--workspace", workspace_dir)
    outputs.append(("ingest", out + err))
    assert code == 1
    assert "Godkendt / Accepted: elev_XXXXXX-XXXX.csv" in out
    assert "Afvist / Rejected: fejl XXXXXX-XXXX.csv" in out
    outbox = sorted(p.name for p in (workspace_dir / "outbox" / "NGO").iterdir())
    assert any(n.startswith("fejl XXXXXX-XXXX.") and n.endswith(".marked.xlsx") for n in outbox)
    assert all("XXXXXX-XXXX" in n for n in outbox) and len(outbox) == 7, outbox
    for command in (
        ["history"],
        ["history", "--format", "csv"],
        ["status"],
        ["report", "-o", workspace_dir / "report"],
    ):
        code, out, err = cli(*command, "--workspace", workspace_dir)
        assert code == 0, err
        outputs.append((" ".join(map(str, command)), out + err))
    assert "XXXXXX-XXXX" in outputs[-2][1] or "XXXXXX-XXXX" in outputs[-3][1]
    for number in ("210377-4827", "0103774828"):
        _assert_never_seen(number, outputs, workspace_dir)


def test_the_portal_shows_a_masked_name_for_an_upload_and_for_a_waiting_file(tmp_path):
    from tests.portal.support import TestClient, links_for, make_workspace, send

    root = make_workspace(tmp_path / "ws")
    link = links_for(root, "NGO")["NGO"]
    from ci_measure.portal.app import create_app

    with TestClient(create_app(root), follow_redirects=True) as client:
        response = send(client, link, "elev_210377-4827.csv", NGO_CSV)
        assert response.status_code == 200 and "elev_XXXXXX-XXXX" in response.text
        write(root / "inbox" / "NGO" / "venter 0103774828.csv", NGO_CSV)
        page = client.get(f"/p/{link}/").text
    assert "XXXXXX-XXXX" in page
    for number in ("210377-4827", "0103774828"):
        _assert_never_seen(number, [("portal", response.text + page)], root)
