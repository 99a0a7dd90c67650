"""An upload is taken in exactly once, even when the Dagster inbox sensor sees it too.

The sensor's run calls the same core the portal does (``pending_files`` to find files,
``ingest_file`` to take one in: pipelines/defs/measurement/{sensors,assets}.py); these
tests drive that core path in a thread, as the sensor's run would.
"""

from __future__ import annotations

import re
import threading
import time

import duckdb

from ci_measure.config.workspace import load_workspace
from ci_measure.intake.ingest import ingest_file, pending_files
from ci_measure.portal import uploads
from tests.portal.support import GOOD, files_under, send, visible_text


def submissions(root) -> list[tuple[str, str]]:  # noqa: ANN001
    with duckdb.connect(str(root / "warehouse.duckdb"), read_only=True) as con:
        return con.execute("SELECT sha256, status FROM submissions ORDER BY id").fetchall()


def sensor_run(ws) -> list[str]:  # noqa: ANN001
    """What one sensor tick and its runs do: every waiting file, taken in through the core."""
    taken = []
    for partner, path in pending_files(ws):
        assert not path.name.startswith("."), "a half-written upload is never seen"
        if ingest_file(ws, path, partner) is not None:
            taken.append(path.name)
    return taken


def test_when_the_sensor_takes_the_upload_in_first_the_page_shows_its_receipt(
    client, links, portal_root, monkeypatch
):
    ws = load_workspace(portal_root)
    real_store = uploads.store
    by_sensor = []

    def store_then_sensor(received, folder):  # noqa: ANN001, ANN202
        path = real_store(received, folder)
        by_sensor.extend(sensor_run(ws))  # the sensor wins the race for the lock
        return path

    monkeypatch.setattr(uploads, "store", store_then_sensor)
    response = send(client, links["SKOLE"], "skole.csv", GOOD)
    assert by_sensor == ["skole.csv"]
    assert response.status_code == 200
    text = visible_text(response.text)
    assert "Godkendt" in text and "skole.csv" in text
    assert [status for _, status in submissions(portal_root)] == ["accepted"]
    assert len(files_under(portal_root / "archive")) == 1
    assert files_under(portal_root / "inbox") == []


def test_the_sensor_arriving_after_the_portal_finds_nothing_to_do(client, links, portal_root):
    ws = load_workspace(portal_root)
    send(client, links["SKOLE"], "skole.csv", GOOD)
    assert sensor_run(ws) == []
    assert len(submissions(portal_root)) == 1


def test_uploads_racing_a_busy_sensor_are_each_taken_in_once(client, links, portal_root):
    ws = load_workspace(portal_root)
    stop = threading.Event()
    by_sensor: list[str] = []
    failures: list[BaseException] = []

    def sensor_loop() -> None:
        try:
            while not stop.is_set():
                by_sensor.extend(sensor_run(ws))
                time.sleep(0.001)
        except BaseException as failure:  # reported below
            failures.append(failure)

    thread = threading.Thread(target=sensor_loop, daemon=True)
    thread.start()
    pages = []
    try:
        for i in range(6):
            text = GOOD.replace(";34\n", f";{30 + i}\n")
            pages.append(send(client, links["SKOLE"], f"skole-{i}.csv", text))
    finally:
        stop.set()
        thread.join(timeout=30)
    assert not failures, failures
    for i, page in enumerate(pages):
        assert page.status_code == 200
        text = visible_text(page.text)
        assert "Godkendt" in text and f"skole-{i}.csv" in text
    recorded = submissions(portal_root)
    assert len(recorded) == 6 and len({sha for sha, _ in recorded}) == 6
    assert len(files_under(portal_root / "archive")) == 6
    assert files_under(portal_root / "inbox") == []
    # latest wins: the last upload's figure counts
    with duckdb.connect(str(portal_root / "warehouse.duckdb"), read_only=True) as con:
        value = con.execute(
            "SELECT o.value FROM observations o JOIN submissions s ON s.id = o.submission_id"
            " WHERE o.data_element = 'ELEVER_UDD_15MD' ORDER BY s.id DESC LIMIT 1"
        ).fetchone()
    assert value == (35.0,)
    assert all(re.fullmatch(r"skole-\d\.csv", name) for name in by_sensor)


def test_while_the_warehouse_is_busy_the_upload_waits_and_is_taken_in_once_after(
    client, links, portal_root, monkeypatch
):
    from ci_measure import warehouse
    from ci_measure.intake.ingest import ingest_lock
    from ci_measure.portal import deferred

    ws = load_workspace(portal_root)
    monkeypatch.setattr(warehouse, "LOCK_TIMEOUT_S", 0.3)
    monkeypatch.setattr(deferred, "RETRY_S", 0.1)
    token = links["SKOLE"]
    with ingest_lock(ws):  # a long Dagster run holds the workspace
        response = send(client, token, "skole.csv", GOOD)
        assert response.status_code == 202
        assert "Filen er modtaget og bliver behandlet om lidt" in visible_text(response.text)
        # complete, under its own name: the sensor may take it from here
        assert files_under(portal_root / "inbox") == ["SKOLE/skole.csv"]
        page = visible_text(client.get(f"/p/{token}/").text)
        assert "venter på at blive behandlet: skole.csv" in page
    # the run is over: the portal's retry (or the sensor, whichever is first) takes it in
    sensor = []
    deadline = time.monotonic() + 20
    while files_under(portal_root / "inbox") and time.monotonic() < deadline:
        sensor += sensor_run(ws)
        time.sleep(0.05)
    page = visible_text(client.get(f"/p/{token}/").text)
    assert "Godkendt" in page and "venter" not in page
    assert len(submissions(portal_root)) == 1 and len(files_under(portal_root / "archive")) == 1
