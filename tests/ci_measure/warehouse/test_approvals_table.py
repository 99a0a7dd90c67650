"""The approvals table (SPEC §13) is schema version 4: the previous release's warehouse gets
it when migrated, a new warehouse has it, and an export carries the approvals along."""

from __future__ import annotations

import json
import shutil

from tests.ci_measure.warehouse.test_migrations import _dump, old_workspace


def _approvals(cli, root) -> list[dict]:  # noqa: ANN001
    code, out, err = cli("approvals", "--workspace", root, "--format", "json")
    assert code == 0, err
    return json.loads(out)


def test_the_old_warehouse_gets_the_table_and_an_export_carries_the_approvals(tmp_path, cli):
    root = old_workspace(tmp_path / "old")
    assert _approvals(cli, root) == []  # the reader migrated it: nothing approved yet
    assert "approvals" in _dump(root)["tables"]
    code, out, err = cli(
        "approve", "--workspace", root, "--period", "2021/22", "--by", "Styregruppen"
    )
    assert code == 0, err
    assert "approval is not switched on" in err  # recorded all the same, ready for the switch
    approved = _approvals(cli, root)
    assert [(a["action"], a["by"], a["period"]) for a in approved] == [
        ("approve", "Styregruppen", "2021/22")
    ]

    assert cli("warehouse", "export", tmp_path / "copy", "--workspace", root)[0] == 0
    target = tmp_path / "new"
    target.mkdir()
    shutil.copy(root / "partnership.yaml", target / "partnership.yaml")
    assert cli("warehouse", "import", tmp_path / "copy", "--workspace", target)[0] == 0
    assert _approvals(cli, target) == approved
    # the id sequence goes on after the import
    assert cli("approve", "--workspace", target, "--period", "2021/22", "--revoke")[0] == 0
    assert [a["id"] for a in _approvals(cli, target)] == [1, 2]
