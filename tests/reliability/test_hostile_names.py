"""Odd file names, hidden files and symbolic links in the inbox: taken in safely, left alone,
never followed out of the workspace.

Part of the hostile-input tests: tests/reliability/hostile.py says what they share.
"""

from __future__ import annotations

import json
from pathlib import Path

from tests.helpers import write
from tests.reliability.common import GOOD

# --- file names and symbolic links in the inbox ---------------------------------------------

ODD_NAMES = [
    "x\\..\\..\\..\\etc\\passwd.csv",
    "-rf --workspace=x.csv",
    "fil med mellemrum og æøå.csv",
    "semi;colon,comma.csv",
    "newline\nin name.csv",
    "escape\x1b[31mred.csv",
    "$(touch pwned).csv",
    "`id`.csv",
    "%s%n%x.csv",
    "=cmd|calc.csv",
    "a" * 251 + ".csv",  # 255 bytes, the most a file system allows
    "æ" * 120 + ".xlsx.csv",  # 249 bytes of UTF-8
    "b." + "x" * 250,  # an "extension" of 250 characters
    "ingen-endelse",
]


def test_odd_file_names_are_taken_in_and_nothing_is_written_outside_the_workspace(tmp_path, cli):
    from tests.conftest import PARTNERSHIP

    outer = tmp_path / "outer"
    root = outer / "ws"
    (root / "inbox" / "SKOLE").mkdir(parents=True)
    (root / "partnership.yaml").write_text(PARTNERSHIP, encoding="utf-8")
    for i, name in enumerate(ODD_NAMES):
        good = GOOD.replace("2023/24", f"{2000 + i}/{(i + 1) % 100:02d}")
        (root / "inbox" / "SKOLE" / name).write_text(good, encoding="utf-8")
    code, out, err = cli("ingest", "--workspace", root)
    assert code == 0, err
    assert f"{len(ODD_NAMES)} accepted, 0 rejected" in out
    assert [p.name for p in outer.iterdir()] == ["ws"], (
        "something was written next to the workspace"
    )
    assert not (tmp_path / "pwned").exists() and not Path("pwned").exists()
    receipts = sorted((root / "outbox" / "SKOLE").glob("*.json"))
    assert len(receipts) == len(ODD_NAMES)
    assert {json.loads(p.read_text(encoding="utf-8"))["file"] for p in receipts} == set(ODD_NAMES)
    for path in root.rglob("*"):
        assert path.resolve().is_relative_to(root.resolve())
    assert all(len(p.name.encode()) <= 255 for p in root.rglob("*"))
    code, table, _ = cli("history", "--workspace", root)
    assert "\x1b" not in table and "newline?in name.csv" in table and "escape?[31mred.csv" in table


def test_hidden_files_are_not_submissions_and_are_left_alone(workspace_dir, cli):
    """Names starting with a dot are hidden files (editors' lock files, macOS ._ files, our own
    temporary files): never taken in, never moved, never a receipt (docs/reliability.md)."""
    names = ["..\\..\\etc\\passwd.csv", "..csv", ".~lock.data.xlsx#", "._data.csv"]
    for name in names:
        write(workspace_dir / "inbox" / "SKOLE" / name, GOOD)
    code, out, _ = cli("ingest", "--workspace", workspace_dir)
    assert code == 0 and "No files waiting in the inbox" in out
    assert sorted(p.name for p in (workspace_dir / "inbox" / "SKOLE").iterdir()) == sorted(names)


def _outside(tmp_path: Path) -> Path:
    secret = tmp_path / "outside" / "hemmelig.csv"
    write(secret, GOOD)
    return secret


def test_a_symlink_in_an_inbox_is_not_followed_out_of_the_workspace(workspace_dir, tmp_path, cli):
    secret = _outside(tmp_path)
    link = workspace_dir / "inbox" / "SKOLE" / "link.csv"
    link.symlink_to(secret)
    (workspace_dir / "inbox" / "SKOLE" / "passwd.csv").symlink_to("/etc/passwd")
    code, out, err = cli("ingest", "--workspace", workspace_dir)
    assert code == 0 and "No files waiting in the inbox" in out, (out, err)
    assert secret.read_text(encoding="utf-8") == GOOD, "the link's target is untouched"
    assert link.is_symlink()
    assert not (workspace_dir / "archive").exists() or not any(
        (workspace_dir / "archive").iterdir()
    )
    assert not (workspace_dir / "outbox").exists()


def test_a_partner_folder_that_links_out_of_the_workspace_is_not_read(workspace_dir, tmp_path, cli):
    secret = _outside(tmp_path)
    folder = workspace_dir / "inbox" / "NGO"
    folder.rmdir()
    folder.symlink_to(secret.parent, target_is_directory=True)
    code, out, err = cli("ingest", "--workspace", workspace_dir)
    assert code == 0 and "No files waiting in the inbox" in out, (out, err)
    assert secret.exists(), "ingest must never move (delete) a file outside the workspace"


def test_the_sensor_does_not_follow_symlinks_either(workspace_dir, tmp_path):
    import dagster as dg

    from pipelines.defs.measurement.resources import WorkspaceResource
    from pipelines.defs.measurement.sensors import inbox_sensor

    (workspace_dir / "inbox" / "SKOLE" / "link.csv").symlink_to(_outside(tmp_path))
    context = dg.build_sensor_context(
        instance=dg.DagsterInstance.ephemeral(),
        resources={"workspace": WorkspaceResource(root=str(workspace_dir))},
    )
    assert not inbox_sensor(context).run_requests
