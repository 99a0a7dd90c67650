"""End to end in a real browser: `ci-measure serve` on a free port, headless Chromium from the
OS packages (driven by Playwright, no browser download), a partner with only a link and a file.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import openpyxl
import pytest

from ci_measure.cli import main
from tests.portal.support import GOOD, MISTAKE, make_workspace
from tests.support.services import require

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = (
    os.environ.get("CI_MEASURE_CHROMIUM")
    or shutil.which("chromium")
    or shutil.which("chromium-browser")
)
for candidate in ("/usr/bin/chromium", "/usr/bin/chromium-browser"):
    if CHROMIUM is None and Path(candidate).exists():
        CHROMIUM = candidate


@pytest.fixture
def chromium() -> str:
    """The OS's Chromium (browsers are never downloaded): skip locally, fail under CI=true."""
    require(CHROMIUM is not None, "Chromium from the OS packages (apt install chromium)")
    return str(CHROMIUM)


def ci_measure(*args: object) -> tuple[int, str, str]:
    """`ci-measure ARGS` in this process: (exit code, stdout, stderr). Only `serve` runs apart."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main([str(a) for a in args])
    return code, out.getvalue(), err.getvalue()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):  # noqa: ANN001, ANN201
    """A workspace where the school already delivered (75 %), and the portal serving it."""
    root = make_workspace(tmp_path_factory.mktemp("browser") / "ws", "max_file_mb: 5\n")
    first = root.parent / "skole-foraar.csv"
    first.write_text(GOOD.replace(";34\n", ";30\n"), encoding="utf-8")
    assert ci_measure("ingest", first, "--partner", "SKOLE", "--workspace", root)[0] == 0
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    code, out, err = ci_measure("partner-link", "SKOLE", "--url", base, "--workspace", root)
    assert code == 0, err
    link = out.strip()
    log = open(root.parent / "serve.log", "w+", encoding="utf-8")  # noqa: SIM115
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "ci_measure.cli",
            "serve",
            "--workspace",
            str(root),
            "--port",
            str(port),
        ],
        cwd=REPO,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{base}/static/portal.css", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert process.poll() is None, Path(log.name).read_text(encoding="utf-8")
            assert time.monotonic() < deadline, "ci-measure serve did not come up"
            time.sleep(0.1)
        yield {"root": root, "base": base, "link": link, "log": Path(log.name)}
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


def udd_overgang(root: Path) -> float | None:
    """UDD_OVERGANG, 0561-OST-N, 2023/24, both sexes, as `ci-measure indicators` prints it."""
    code, out, err = ci_measure(
        "indicators", "--indicator", "UDD_OVERGANG", "--area", "0561-OST-N", "--period", "2023/24",
        "--format", "json", "--workspace", root,
    )  # fmt: skip
    assert code == 0, err
    [row] = [r for r in json.loads(out) if r["sex"] == "_T" and r["origin"] == "_T"]
    return row["value"]


def test_a_partner_delivers_and_corrects_a_submission_in_the_browser(server, tmp_path, chromium):
    from playwright import sync_api  # a declared dev dependency (requirements.lock)

    root, base = server["root"], server["base"]
    assert udd_overgang(root) == 75.0
    mistake = tmp_path / "skole efterår.csv"
    mistake.write_text(MISTAKE, encoding="utf-8")

    requested: list[str] = []
    problems: list[str] = []
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, headless=True)
        try:
            context = browser.new_context(
                viewport={"width": 390, "height": 844},  # a phone
                is_mobile=True,
                has_touch=True,
                accept_downloads=True,
                locale="da-DK",
            )
            page = context.new_page()
            page.on("request", lambda r: requested.append(r.url))
            page.on(
                "console",
                lambda m: problems.append(m.text) if m.type in ("error", "warning") else None,
            )
            page.on("pageerror", lambda e: problems.append(str(e)))

            # 1. the link opens the partner's own page, in Danish, fitting the phone
            page.goto(server["link"])
            assert page.locator("h2", has_text="Send en fil").is_visible()
            assert "Østerbyens skoler" in page.inner_text("header")
            assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
            assert "skole-foraar.csv" in page.inner_text("#history")

            # 2. a file with a mistake, chosen with the file picker
            page.set_input_files("#file", str(mistake))
            assert "skole efterår.csv" in page.inner_text("#chosen")
            with page.expect_navigation():
                page.get_by_role("button", name="Send filen").click()
            assert "receipt=" in page.url
            receipt = page.inner_text("#receipt")
            assert "Afvist" in receipt and "Rejected" in receipt
            row = page.locator("#receipt tr", has_text="not_a_number").inner_text()
            assert "3" in row and "værdi" in row and "3O" in row  # row, column, value to fix
            assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
            assert udd_overgang(root) == 75.0  # rejected as a whole: nothing changed

            # 3. its own file comes back with the cell marked
            with page.expect_download() as download:
                page.get_by_role("link", name="jeres fil med fejlene markeret (Excel)").click()
            marked = tmp_path / "marked.xlsx"
            download.value.save_as(marked)
            sheet = openpyxl.load_workbook(marked).worksheets[0]
            assert sheet["D3"].value == "3O" and sheet["D3"].comment is not None

            # 4. the corrected file, dragged onto the drop zone, is sent at once
            transfer = page.evaluate_handle(
                """(text) => {
                    const data = new DataTransfer();
                    data.items.add(new File([text], "skole efterår.csv", {type: "text/csv"}));
                    return data;
                }""",
                GOOD,
            )
            with page.expect_navigation():
                page.dispatch_event("#drop", "drop", {"dataTransfer": transfer})
            receipt = page.inner_text("#receipt")
            assert "Godkendt" in receipt and "Accepted" in receipt
            assert "afvist" in page.inner_text("#history")
            assert udd_overgang(root) == 85.0  # the figures follow the correction

            # 5. the template, and the English switch (keeping the receipt on screen)
            with page.expect_download() as download:
                page.get_by_role("link", name="Hent jeres skabelon (Excel)").click()
            assert download.value.suggested_filename == "skabelon-SKOLE.xlsx"
            page.get_by_role("link", name="English").click()
            assert page.locator("h2", has_text="Send a file").is_visible()
            assert "Godkendt" in page.inner_text("#receipt")
            assert page.locator("html").get_attribute("lang") == "en"
        finally:
            browser.close()

    # no external assets were ever requested, and the strict CSP was never violated
    assert requested and all(url.startswith(base + "/") for url in requested), requested
    assert not problems, problems
    # the server's log shows the requests, never the secret link
    token = server["link"].rstrip("/").rsplit("/", 1)[1]
    log = server["log"].read_text(encoding="utf-8")
    assert "POST /p/***/upload 303" in log and token not in log


def test_a_2_gb_upload_over_the_network_is_refused_without_being_stored(server):
    """The same limit through uvicorn: a streamed body is cut off, nothing lands in the inbox."""
    root, link = server["root"], server["link"]
    page = httpx.get(link)
    csrf = page.text.split('name="csrf" value="', 1)[1].split('"', 1)[0]
    boundary = "----e2e"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="csrf"\r\n\r\n{csrf}\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="huge.csv"\r\n\r\n'
    ).encode()
    sent = {"bytes": 0}
    block = b"0" * (1 << 20)

    def body():  # noqa: ANN202
        yield head
        for _ in range(2048):  # 2 GB, generated as it is sent
            sent["bytes"] += len(block)
            yield block
        yield f"\r\n--{boundary}--\r\n".encode()

    before = sorted(p.name for p in (root / "archive").iterdir())
    headers = {"content-type": f"multipart/form-data; boundary={boundary}"}
    try:
        response = httpx.post(link + "upload", content=body(), headers=headers, timeout=60)
        assert response.status_code == 413 and "Filen er for stor" in response.text
    except httpx.TransportError:
        pass  # the server may close the connection while the client is still sending
    # the server read up to the 5 MB limit; the rest of 2 GB was never even sent
    assert sent["bytes"] < 64 * 1024**2, f"{sent['bytes']:,} bytes were sent"
    time.sleep(0.2)
    assert list((root / "inbox" / "SKOLE").iterdir()) == []
    assert sorted(p.name for p in (root / "archive").iterdir()) == before
