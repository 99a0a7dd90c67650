"""Failures in the portal: retried only when they can recover, a bounded number of times, and
logged with their traceback when they cannot (issue 20)."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from ci_measure.config.workspace import load_workspace
from ci_measure.errors import WarehouseBusy
from ci_measure.portal import deferred, uploads
from ci_measure.portal.state import Portal, WorkspaceHolder
from tests.portal.support import GOOD, files_under, send, visible_text


@pytest.fixture
def waiting(portal_root: Path) -> tuple[Portal, Path]:
    ws = load_workspace(portal_root)
    path = ws.inbox / "SKOLE" / "skole.csv"
    path.write_text(GOOD, encoding="utf-8")
    return Portal(WorkspaceHolder(ws), b"k"), path


def _ingest_that(monkeypatch, *outcomes):  # noqa: ANN001, ANN002, ANN202
    """ingest_file replaced by one that raises or returns the outcomes in turn."""
    from ci_measure.intake import ingest

    calls = []

    def fake(workspace, path, partner):  # noqa: ANN001, ANN202
        outcome = outcomes[min(len(calls), len(outcomes) - 1)]
        calls.append(path.name)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    monkeypatch.setattr(ingest, "ingest_file", fake)
    monkeypatch.setattr(deferred, "RETRY_S", 0.0)
    return calls


def test_a_busy_warehouse_is_retried_a_bounded_number_of_times(waiting, monkeypatch, caplog):
    portal, path = waiting
    monkeypatch.setattr(deferred, "RETRY_ATTEMPTS", 4)
    calls = _ingest_that(monkeypatch, WarehouseBusy("in use by a Dagster run"))
    with caplog.at_level(logging.WARNING, "ci_measure.portal"):
        deferred.take_in_later(portal, portal.workspace(), path, "SKOLE").join(5)
    assert len(calls) == 4  # then it stops: the sensor or `ci-measure ingest` takes it
    assert path.exists(), "the file waits in the inbox"
    assert "not taken in after 4 tries" in caplog.text


def test_a_busy_warehouse_that_frees_up_is_taken_in(waiting, monkeypatch):
    portal, path = waiting
    calls = _ingest_that(monkeypatch, WarehouseBusy("busy"), TimeoutError(), object())
    deferred.take_in_later(portal, portal.workspace(), path, "SKOLE").join(5)
    assert len(calls) == 3


def test_a_failure_that_cannot_recover_is_logged_with_its_traceback_and_not_retried(
    waiting, monkeypatch, caplog
):
    portal, path = waiting
    calls = _ingest_that(monkeypatch, RuntimeError("a bug in our code"))
    with caplog.at_level(logging.WARNING, "ci_measure.portal"):
        deferred.take_in_later(portal, portal.workspace(), path, "SKOLE").join(5)
    assert len(calls) == 1
    [record] = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert record.exc_info is not None and "a bug in our code" in caplog.text
    assert "Traceback" in caplog.text and "is not retried" in record.getMessage()


def test_an_upload_that_fails_for_good_says_so_keeps_the_file_and_logs_why(
    client, links, portal_root, monkeypatch, caplog
):
    def broken(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        raise RuntimeError("a bug in our code")

    started = []
    monkeypatch.setattr(uploads, "take_in", broken)
    monkeypatch.setattr(deferred, "take_in_later", lambda *a: started.append(a))
    with caplog.at_level(logging.ERROR, "ci_measure.portal"):
        response = send(client, links["SKOLE"], "skole.csv", GOOD)
    assert response.status_code == 500
    assert "Filen er gemt, men kunne ikke behandles nu" in visible_text(response.text)
    assert "I behøver ikke sende den igen" in visible_text(response.text)
    assert files_under(portal_root / "inbox") == ["SKOLE/skole.csv"]
    assert started == [], "an error that can never succeed is not retried"
    assert "Traceback" in caplog.text and "a bug in our code" in caplog.text


def test_a_page_whose_status_fails_logs_the_traceback(client, links, monkeypatch, caplog):
    from ci_measure.figures import status

    def broken(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        raise KeyError("no such column")

    monkeypatch.setattr(status, "status", broken)
    with caplog.at_level(logging.ERROR, "ci_measure.portal"):
        response = client.get(f"/p/{links['SKOLE']}/")
    assert response.status_code == 200 and 'id="upload"' in response.text
    assert "Traceback" in caplog.text and "no such column" in caplog.text
