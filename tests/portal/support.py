"""Files, workspaces and helpers shared by the portal tests."""

from __future__ import annotations

import re
import warnings
from pathlib import Path

from tests.conftest import PARTNERSHIP

with warnings.catch_warnings():  # Starlette 1.x nudges towards httpx2; httpx 0.28 is what is pinned
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient  # noqa: F401  (for the tests)

# A school's delivery: 34 of 40 pupils in education → UDD_OVERGANG 85.0 for 0561-OST-N.
GOOD = "dataelement;område;periode;værdi\nELEVER_AFGANG_9KL;0561-OST-N;2023/24;40\nELEVER_UDD_15MD;0561-OST-N;2023/24;34\n"
# The same with a typing mistake in row 3 (the letter O for a zero).
MISTAKE = "dataelement;område;periode;værdi\nELEVER_AFGANG_9KL;0561-OST-N;2023/24;40\nELEVER_UDD_15MD;0561-OST-N;2023/24;3O\n"
CPR_NUMBER = "0102031234"
WITH_CPR = (
    "dataelement;område;periode;værdi;kommentar\n"
    f"ELEVER_AFGANG_9KL;0561-OST-N;2023/24;40;elev {CPR_NUMBER}\n"
)
NGO_FILE = "dataelement;område;periode;værdi\nINKL_DELTAGERE;0561-OST-N;2024-Q1;12\n"


def make_workspace(root: Path, extra_yaml: str = "") -> Path:
    root.mkdir(parents=True)
    (root / "partnership.yaml").write_text(PARTNERSHIP + extra_yaml, encoding="utf-8")
    for partner in ("SKOLE", "KOMMUNE", "NGO"):
        (root / "inbox" / partner).mkdir(parents=True)
    return root


def links_for(root: Path, *partners: str) -> dict[str, str]:
    from ci_measure.config.workspace import load_workspace
    from ci_measure.portal.tokens import create_link

    ws = load_workspace(root)
    return {p: create_link(ws, p)[0] for p in partners}


def csrf_of(page: str) -> str:
    found = re.search(r'name="csrf" value="([0-9a-f]+)"', page)
    assert found, "the upload form carries a CSRF field"
    return found.group(1)


def send(client, token: str, name: str, text: str | bytes, csrf: str | None = "fetch", **kw):  # noqa: ANN001, ANN201
    """Upload like the form does; csrf="fetch" takes the field from the partner's page."""
    if csrf == "fetch":
        csrf = csrf_of(client.get(f"/p/{token}/").text)
    data = {"lang": kw.pop("lang", "da")}
    if csrf is not None:
        data["csrf"] = csrf
    body = text.encode("utf-8") if isinstance(text, str) else text
    return client.post(
        f"/p/{token}/upload", data=data, files={"file": (name, body, "text/csv")}, **kw
    )


def visible_text(page: str) -> str:
    """The page as a reader sees it: tags removed, whitespace collapsed."""
    text = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", page, flags=re.S)
    text = re.sub(r"<[^>]+>", " ", text)
    import html

    return re.sub(r"\s+", " ", html.unescape(text)).strip()


def files_under(folder: Path) -> list[str]:
    """Every file below ``folder`` (dot files too), as relative paths."""
    if not folder.exists():
        return []
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())
