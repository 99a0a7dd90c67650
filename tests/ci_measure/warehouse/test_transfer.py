"""`ci-measure warehouse export DIR` / `import DIR` (issue 15): the road across a storage change
of DuckDB itself. The figures are the same after the round trip, as of every moment; wrong
folders are refused in Danish and English, and nothing is half-written."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.ci_measure.warehouse.test_migrations import FIXTURE, RECEIVED, old_workspace


def _figures(cli, root: Path, *args: str) -> str:  # noqa: ANN001
    code, out, err = cli("indicators", "--workspace", root, "--format", "csv", "--all", *args)
    assert code == 0, err
    return out


def _all_figures(cli, root: Path) -> list[str]:  # noqa: ANN001
    moments = [(), ("--published",)] + [("--as-of", instant) for instant in RECEIVED]
    return [_figures(cli, root, *args) for args in moments]


def _trail(cli, root: Path) -> str:  # noqa: ANN001
    return cli("history", "--workspace", root, "--format", "csv")[1]


def test_export_then_import_gives_the_same_figures_as_of_every_moment(tmp_path, cli):
    source = old_workspace(tmp_path / "old")
    before = _all_figures(cli, source)
    code, out, err = cli("warehouse", "export", tmp_path / "copy", "--workspace", source)
    assert code == 0, err
    assert "12 submissions, 658 cells" in out and "12 indleveringer" in out
    assert sorted(p.name for p in (tmp_path / "copy").iterdir()) == [
        "approvals.parquet", "load.sql", "observations.parquet", "schema.sql",
        "schema_version.parquet", "submission_counter.parquet", "submissions.parquet",
    ]  # fmt: skip
    assert not list(tmp_path.glob(".copy*"))  # no temporary folder left
    moved = tmp_path / "elsewhere" / "export"  # an export can be moved, then imported
    shutil.move(tmp_path / "copy", moved)

    target = tmp_path / "new"
    target.mkdir()
    shutil.copy(source / "partnership.yaml", target / "partnership.yaml")
    code, out, err = cli("warehouse", "import", moved, "--workspace", target)
    assert code == 0, err
    assert "12 submissions, 658 cells" in out
    assert _all_figures(cli, target) == before
    assert _trail(cli, target) == _trail(cli, source)
    assert [p.name for p in target.iterdir() if p.name.startswith(".")] == []


def test_an_export_of_the_previous_release_is_migrated_as_it_is_imported(tmp_path, cli):
    target = tmp_path / "ws"
    target.mkdir()
    shutil.copy(FIXTURE / "partnership.yaml", target / "partnership.yaml")
    code, out, err = cli("warehouse", "import", FIXTURE / "export", "--workspace", target)
    assert code == 0, err
    import duckdb

    with duckdb.connect(str(target / "warehouse.duckdb"), read_only=True) as con:
        versions = con.execute("SELECT version FROM schema_version ORDER BY 1").fetchall()
    assert versions == [(1,), (2,), (3,), (4,)]
    expected = (FIXTURE / "figures" / "latest.csv").read_text(encoding="utf-8")
    assert _figures(cli, target) == expected


def test_wrong_folders_are_refused_in_both_languages_and_nothing_changes(tmp_path, cli):
    source = old_workspace(tmp_path / "old")
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "notes.txt").write_text("mine", encoding="utf-8")
    code, _, err = cli("warehouse", "export", busy, "--workspace", source)
    assert code == 2 and "ikke tom" in err and "is not empty" in err
    assert [p.name for p in busy.iterdir()] == ["notes.txt"]

    code, _, err = cli("warehouse", "import", FIXTURE / "export", "--workspace", source)
    assert code == 2 and "findes allerede" in err and "already exists" in err

    empty_ws = tmp_path / "empty"
    empty_ws.mkdir()
    shutil.copy(source / "partnership.yaml", empty_ws / "partnership.yaml")
    code, _, err = cli("warehouse", "export", tmp_path / "x", "--workspace", empty_ws)
    assert code == 2 and "intet lager" in err and "no warehouse" in err
    for folder in (busy, tmp_path / "missing"):
        code, _, err = cli("warehouse", "import", folder, "--workspace", empty_ws)
        assert code == 2 and "ikke en eksport" in err and "not a warehouse export" in err, err
    hostile = tmp_path / "hostile"
    shutil.copytree(FIXTURE / "export", hostile)
    with open(hostile / "load.sql", "a", encoding="utf-8") as load:
        load.write("COPY submissions TO '/tmp/stolen.csv';\n")
    code, _, err = cli("warehouse", "import", hostile, "--workspace", empty_ws)
    assert code == 2 and "ikke en eksport" in err
    broken = tmp_path / "broken"
    shutil.copytree(FIXTURE / "export", broken)
    (broken / "observations.parquet").write_bytes(b"not parquet")
    code, _, err = cli("warehouse", "import", broken, "--workspace", empty_ws)
    assert code == 2 and "kan ikke læses" in err and "cannot be read" in err, err
    assert sorted(p.name for p in empty_ws.iterdir()) == ["partnership.yaml"]
