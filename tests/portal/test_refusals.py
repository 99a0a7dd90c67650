"""Every refusal of the portal: the status, the page a partner reads, and that nothing was stored."""

from __future__ import annotations

import asyncio
import logging
import os

import duckdb
import httpx
import pytest

from ci_measure.config.workspace import load_workspace
from ci_measure.portal import tokens
from ci_measure.portal.app import create_app
from tests.portal.support import (
    CPR_NUMBER,
    GOOD,
    NGO_FILE,
    WITH_CPR,
    csrf_of,
    files_under,
    send,
    visible_text,
)

UNKNOWN = "A" * 43  # the shape of a real token, stored nowhere


def nothing_stored(root) -> None:  # noqa: ANN001
    """No file anywhere in the inbox (not even a temporary one), none archived, none loaded."""
    assert files_under(root / "inbox") == []
    assert files_under(root / "archive") == []
    assert not (root / "warehouse.duckdb").exists()


# --- links ---------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/p/", "/p//", "/p//upload", "/p", "/p//template.xlsx"])
def test_no_token(client, path, portal_root):
    response = client.get(path)
    assert response.status_code == 404
    assert "Siden findes ikke." in visible_text(response.text) or "ugyldigt" in response.text
    response = client.post("/p//upload", files={"file": ("a.csv", GOOD.encode())})
    assert response.status_code in (404, 405)
    nothing_stored(portal_root)


@pytest.mark.parametrize("token", [UNKNOWN, "short", "x" * 300, "%00" * 20])
def test_wrong_token(client, token, portal_root, links):
    for path in ("/", "/template.xlsx", "/skole.0123abcd.json"):
        response = client.get(f"/p/{token}{path}")
        assert response.status_code == 404
        assert "Linket er ugyldigt" in visible_text(response.text)
        assert "Østerbyens skoler" not in response.text
    # with a real link's CSRF field, to show it is the link that is refused
    csrf = csrf_of(client.get(f"/p/{links['SKOLE']}/").text)
    response = send(client, token, "skole.csv", GOOD, csrf=csrf)
    assert response.status_code == 404
    nothing_stored(portal_root)


def test_revoked_token(client, links, portal_root):
    token = links["SKOLE"]
    page = client.get(f"/p/{token}/")
    csrf = csrf_of(page.text)
    tokens.revoke_links(load_workspace(portal_root), "SKOLE")  # takes effect at once
    for path in ("/", "/template.xlsx"):
        response = client.get(f"/p/{token}{path}")
        assert response.status_code == 410
        assert "Linket er lukket" in visible_text(response.text)
    response = send(client, token, "skole.csv", GOOD, csrf=csrf)
    assert response.status_code == 410
    nothing_stored(portal_root)
    # the other partner's link still works
    assert client.get(f"/p/{links['NGO']}/").status_code == 200


def test_another_partners_files_receipts_and_history_stay_hidden(client, links, portal_root):
    school = send(client, links["SKOLE"], "skole-hemmelig.csv", GOOD)
    stem = school.url.params["receipt"]
    assert (portal_root / "outbox" / "SKOLE" / f"{stem}.json").is_file()
    ngo = links["NGO"]
    for name in (f"{stem}.json", f"{stem}.txt", f"{stem}.html", f"{stem}.marked.xlsx"):
        response = client.get(f"/p/{ngo}/{name}")
        assert response.status_code == 404, name
        assert "skole-hemmelig" not in response.text or "Siden findes ikke" in response.text
    page = client.get(f"/p/{ngo}/?receipt={stem}")
    assert page.status_code == 200
    assert "skole-hemmelig" not in page.text and "Godkendt" not in visible_text(page.text)
    send(client, ngo, "ngo.csv", NGO_FILE)
    page = client.get(f"/p/{ngo}/").text
    assert "ngo.csv" in page and "skole-hemmelig" not in page  # the NGO's own history only
    assert "ELEVER" not in page  # nor the school's cells or figures


def test_a_csrf_field_of_another_link_is_refused(client, links, portal_root):
    other = csrf_of(client.get(f"/p/{links['NGO']}/").text)
    response = send(client, links["SKOLE"], "skole.csv", GOOD, csrf=other)
    assert response.status_code == 403
    nothing_stored(portal_root)


# --- forms ---------------------------------------------------------------------------------


@pytest.mark.parametrize("csrf", [None, "", "0" * 64])
def test_missing_or_forged_csrf(client, links, portal_root, csrf):
    response = send(client, links["SKOLE"], "skole.csv", GOOD, csrf=csrf)
    assert response.status_code == 403
    assert "Formularen er udløbet" in visible_text(response.text)
    nothing_stored(portal_root)


def test_a_cross_site_post_is_refused_even_with_the_field(client, links, portal_root):
    response = send(
        client, links["SKOLE"], "skole.csv", GOOD, headers={"origin": "https://evil.example"}
    )
    assert response.status_code == 403
    response = send(
        client, links["SKOLE"], "skole.csv", GOOD, headers={"referer": "https://evil.example/x"}
    )
    assert response.status_code == 403
    nothing_stored(portal_root)
    # the same origin is fine
    ok = send(client, links["SKOLE"], "skole.csv", GOOD, headers={"origin": "http://testserver"})
    assert ok.status_code == 200 and "Godkendt" in visible_text(ok.text)


def test_a_post_without_a_file_or_not_multipart(client, links, portal_root):
    token = links["SKOLE"]
    csrf = csrf_of(client.get(f"/p/{token}/").text)
    response = client.post(f"/p/{token}/upload", data={"csrf": csrf})
    assert response.status_code == 400
    response = client.post(
        f"/p/{token}/upload", data={"csrf": csrf}, files={"other": ("a.csv", GOOD.encode())}
    )
    assert response.status_code == 400
    response = client.post(f"/p/{token}/upload", content=b"csrf=" + csrf.encode())
    assert response.status_code == 400
    assert client.post(f"/p/{token}/").status_code == 405
    assert client.get(f"/p/{token}/upload").status_code == 404
    nothing_stored(portal_root)


# --- files ---------------------------------------------------------------------------------


def test_an_oversized_upload_is_refused_and_not_stored(client, links, portal_root):
    big = b"data_element;area;period;value\n" + b"ELEVER_AFGANG_9KL;0561-OST-N;2023/24;1\n" * 40_000
    assert len(big) > 1024 * 1024 + 64 * 1024  # the workspace allows 1 MB
    response = send(client, links["SKOLE"], "big.csv", big)
    assert response.status_code == 413
    text = visible_text(response.text)
    assert "Filen er for stor og er ikke gemt." in text and "file_too_large" in text
    assert response.headers["connection"] == "close"
    nothing_stored(portal_root)


def test_an_upload_just_over_the_limit_is_cut_off_while_streaming(portal_root, links):
    """No Content-Length to trust: the file part itself passes 1 MB by a few bytes."""
    body = b"x" * (1024 * 1024 + 10)
    status, consumed, text = stream_upload(portal_root, links["SKOLE"], body_size=len(body))
    assert status == 413 and "Filen er for stor" in text
    nothing_stored(portal_root)


GB = 1024**3


def stream_upload(
    root, token: str, body_size: int, declare: bool = False, chunk: int = 1 << 20, csrf=None
):  # noqa: ANN001, ANN201
    """POST a multipart upload of ``body_size`` bytes of file content, generated chunk by chunk
    (never held in memory), through the ASGI interface. Returns (status, bytes sent, page)."""
    app = create_app(root)
    boundary = "----portaltest"
    sent = {"bytes": 0}

    async def run() -> tuple[int, str]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as ac:
            page = await ac.get(f"/p/{token}/")
            field = csrf or csrf_of(page.text)
            head = (
                f'--{boundary}\r\nContent-Disposition: form-data; name="csrf"\r\n\r\n{field}\r\n'
                f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="huge.csv"\r\n'
                "Content-Type: text/csv\r\n\r\n"
            ).encode()
            tail = f"\r\n--{boundary}--\r\n".encode()
            block = b"0" * chunk

            async def body():  # noqa: ANN202
                for piece in (head,):
                    sent["bytes"] += len(piece)
                    yield piece
                left = body_size
                while left > 0:
                    piece = block if left >= chunk else block[:left]
                    left -= len(piece)
                    sent["bytes"] += len(piece)
                    yield piece
                sent["bytes"] += len(tail)
                yield tail

            headers = {"content-type": f"multipart/form-data; boundary={boundary}"}
            if declare:
                headers["content-length"] = str(len(head) + body_size + len(tail))
            response = await ac.post(f"/p/{token}/upload", content=body(), headers=headers)
            return response.status_code, response.text

    status, text = asyncio.run(run())
    return status, sent["bytes"], visible_text(text)


def test_a_2_gb_upload_is_refused_after_reading_little_and_storing_nothing(portal_root, links):
    status, consumed, text = stream_upload(portal_root, links["SKOLE"], body_size=2 * GB)
    assert status == 413 and "Filen er for stor og er ikke gemt." in text
    assert consumed < 4 * 1024 * 1024, f"read {consumed:,} bytes of a 2 GB upload"
    nothing_stored(portal_root)


def test_a_declared_2_gb_upload_is_refused_before_reading_the_file(portal_root, links):
    status, consumed, text = stream_upload(
        portal_root, links["SKOLE"], body_size=2 * GB, declare=True
    )
    assert status == 413 and "file_too_large" in text
    assert consumed < 4 * 1024 * 1024
    nothing_stored(portal_root)


def test_a_forged_upload_is_refused_before_its_file_is_written(portal_root, links):
    status, consumed, text = stream_upload(
        portal_root, links["SKOLE"], body_size=2 * GB, csrf="0" * 64
    )
    assert status == 403 and "Formularen er udløbet" in text
    assert consumed < 2 * 1024 * 1024  # not even the first megabyte of the file was wanted
    nothing_stored(portal_root)


def test_a_file_with_a_cpr_number_is_refused_deleted_and_never_repeated(
    client, links, portal_root, caplog
):
    caplog.set_level(logging.DEBUG)
    response = send(client, links["SKOLE"], "elever.csv", WITH_CPR)
    assert response.status_code == 200
    text = visible_text(response.text)
    assert "Afvist og slettet" in text and "personal_data" in text
    assert CPR_NUMBER not in response.text and CPR_NUMBER[:6] + "-" not in response.text
    # not archived, not left in the inbox, never written anywhere
    assert files_under(portal_root / "inbox") == [] and files_under(portal_root / "archive") == []
    for path in portal_root.rglob("*"):
        if path.is_file() and path.suffix != ".duckdb":
            assert CPR_NUMBER.encode() not in path.read_bytes(), path
    with duckdb.connect(str(portal_root / "warehouse.duckdb"), read_only=True) as con:
        assert CPR_NUMBER not in str(con.execute("SELECT * FROM submissions").fetchall())
        assert con.execute("SELECT count(*) FROM observations").fetchone() == (0,)
    assert CPR_NUMBER not in caplog.text
    # no marked copy of the file is offered
    assert ".marked.xlsx" not in response.text


# --- paths ---------------------------------------------------------------------------------


def raw_get(client, raw_path: str) -> int:  # noqa: ANN001
    """GET a path exactly as written (httpx would normalise the dots away)."""
    url = httpx.URL("http://testserver").copy_with(raw_path=raw_path.encode())
    return client.get(url).status_code


def test_no_directory_traversal(client, links, portal_root):
    token = links["SKOLE"]
    send(client, token, "skole.csv", GOOD)
    (portal_root / "outbox" / "NGO").mkdir(parents=True, exist_ok=True)
    (portal_root / "outbox" / "NGO" / "ngo.0123abcd.json").write_text('{"secret": 1}')
    for raw in (
        f"/p/{token}/../../partnership.yaml",
        f"/p/{token}/..%2F..%2Fpartnership.yaml",
        f"/p/{token}/%2e%2e%2f%2e%2e%2fportal%2ftokens.json",
        f"/p/{token}/..%2FNGO%2Fngo.0123abcd.json",
        f"/p/{token}/....//....//partnership.yaml",
        f"/p/{token}/%2Fetc%2Fpasswd",
        f"/p/{token}/ngo.0123abcd.json",
        f"/p/{token}/..%5C..%5Cpartnership.yaml",
        "/static/..%2F..%2Fpartnership.yaml",
        "/static/../portal/tokens.json",
        "/scorecard/../portal/secret.key",
    ):
        assert raw_get(client, raw) == 404, raw
    # a link planted in the partner's own outbox does not lead out of it
    outbox = portal_root / "outbox" / "SKOLE"
    os.symlink(portal_root / "partnership.yaml", outbox / "x.0123abcd.json")
    assert client.get(f"/p/{token}/x.0123abcd.json").status_code == 404
    assert client.get(f"/p/{token}/?receipt=x.0123abcd").status_code == 200


def test_an_uploaded_file_name_cannot_leave_the_partners_inbox(client, links, portal_root):
    for name in (
        "../../partnership.yaml",
        "..\\..\\NGO\\evil.csv",
        "/etc/cron.d/x.csv",
        ".hidden.csv",
    ):
        response = send(client, links["SKOLE"], name, GOOD.replace("40", "41"))
        assert response.status_code == 200
    assert "Testpartnerskab" in (portal_root / "partnership.yaml").read_text(encoding="utf-8")
    names = [p.name for p in (portal_root / "outbox" / "SKOLE").iterdir()]
    assert any(n.startswith("partnership.") for n in names)
    assert any(n.startswith("evil.") for n in names) and any(n.startswith("x.") for n in names)
    assert any(n.startswith("hidden.") for n in names)
    assert (
        not (portal_root / "outbox" / "NGO").exists() and files_under(portal_root / "inbox") == []
    )


# --- logs ----------------------------------------------------------------------------------


def test_logs_never_show_a_token(client, links, caplog):
    caplog.set_level(logging.INFO)
    token = links["SKOLE"]
    client.get(f"/p/{token}/")
    send(client, token, "skole.csv", GOOD)
    client.get(f"/p/{token}/nope.0123abcd.json")
    send(client, token, "skole.csv", GOOD, csrf=None)
    # what the server logs (the test's own HTTP client logs full URLs; it is not the server)
    server = "\n".join(
        r.getMessage() for r in caplog.records if not r.name.startswith(("httpx", "httpcore"))
    )
    assert "GET /p/***/ 200" in server and "POST /p/***/upload 303" in server
    assert "upload partner=SKOLE" in server and "CSRF" in server
    assert token not in server and token[:12] not in server
    assert "testclient" not in server  # no client addresses
    assert "GET /p/***/<file> 404" in server and "nope" not in server  # nor file names


def test_a_traceback_in_the_log_never_shows_a_token(links, caplog):
    """Failures are logged with their traceback (issue 20); a token in it is masked too."""
    from ci_measure.portal import security

    security.install_log_filters()
    token = links["SKOLE"]
    log = logging.getLogger("ci_measure.portal")
    with caplog.at_level(logging.ERROR, "ci_measure.portal"):
        try:
            raise ValueError(f"while serving /p/{token}/upload")
        except ValueError:
            log.exception("upload failed")
    assert "Traceback" in caplog.text and "ValueError: while serving /p/***/upload" in caplog.text
    assert token not in caplog.text
