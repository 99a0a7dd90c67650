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
    sha = __import__("ci_measure.validate", fromlist=["sha256_of"]).sha256_of(path)
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
    home = tmp_path / "dagster_home"
    home.mkdir()
    with dg.DagsterInstance.local_temp(str(home)) as instance:
        resources = {"workspace": WorkspaceResource(root=str(workspace_dir))}
        [request] = inbox_sensor(
            dg.build_sensor_context(instance=instance, resources=resources)
        ).run_requests
        instance.add_dynamic_partitions(SUBMISSIONS.name, [request.partition_key])
        result = dg.materialize(
            [assets.submissions], partition_key=request.partition_key, instance=instance,
            resources=resources, run_config=request.run_config, tags=request.tags,
        )  # fmt: skip
        assert result.success
        [event] = result.get_asset_materialization_events()
        assert event.materialization.metadata["status"].value == "deleted"
        logs = "\n".join(str(record) for record in instance.all_logs(result.run_id))
    assert "personal_data" in logs
    outputs = [("dagster event log", logs)]
    outputs += [(str(p), p.read_bytes().decode("latin-1")) for p in home.rglob("*") if p.is_file()]
    _assert_never_seen(number, outputs, workspace_dir)


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
