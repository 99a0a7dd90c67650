"""Dagster and the upload portal on the shared warehouse (SPEC §12): `make refresh` with
CI_MEASURE_WAREHOUSE set materializes every asset from the lake, and an upload through the
portal is taken into the lake and receipted at once. Real Postgres, real Dagster runs."""

from __future__ import annotations

import pandas as pd

from ci_measure.config.workspace import init_workspace, load_workspace
from ci_measure.figures import indicator_rows
from ci_measure.intake.ingest import pending_files
from tests.ci_measure.warehouse.lake_support import SharedLake
from tests.pipelines.test_refresh import make_refresh
from tests.portal.support import GOOD, TestClient, links_for, make_workspace, send, visible_text


def test_make_refresh_on_the_lake_materializes_every_asset_from_it(
    shared_lake: SharedLake, tmp_path
):
    root = init_workspace(tmp_path / "demo", demo=True)
    waiting = len(pending_files(load_workspace(root)))
    result = make_refresh(
        root, CI_MEASURE_WAREHOUSE=shared_lake.url, CI_MEASURE_LAKE_DATA=str(shared_lake.data)
    )
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert sum(line.startswith("taken in: ") for line in lines) == waiting
    assert "recomputed: warehouse, indicator_values, published_figures, scorecard" in lines
    assert "checks: 7 passed, 0 warnings, 0 errors" in lines
    assert not (root / "warehouse.duckdb").exists()  # everything went to the lake
    assert shared_lake.query("SELECT count(*) FROM wh.submissions") == [(waiting,)]
    published = pd.read_parquet(root / "reports" / "published_figures.parquet")
    pd.testing.assert_frame_equal(published, indicator_rows(load_workspace(root), published=True))


def test_a_portal_upload_goes_into_the_lake_and_its_receipt_is_shown(shared_lake, tmp_path):
    from ci_measure.portal.app import create_app

    root = make_workspace(tmp_path / "ws")
    links = links_for(root, "SKOLE")
    with TestClient(create_app(root), follow_redirects=True) as client:
        response = send(client, links["SKOLE"], "skole.csv", GOOD)
        assert response.status_code == 200
        text = visible_text(response.text)
        assert "Godkendt" in text and "skole.csv" in text
        again = visible_text(client.get(f"/p/{links['SKOLE']}/").text)
    assert "skole.csv" in again and "godkendt" in again  # the partner's history, from the lake
    assert shared_lake.query("SELECT partner, file_name, status, rows FROM wh.submissions") == [
        ("SKOLE", "skole.csv", "accepted", 2)
    ]
    assert not (root / "warehouse.duckdb").exists()
