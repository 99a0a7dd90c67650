"""Dagster under approval (SPEC §13): the published_figures asset holds the figures as
approved, and an asset check lists the approved keys whose figures changed since."""

from __future__ import annotations

import dagster as dg
import pandas as pd

from pipelines.defs.measurement import assets, checks
from pipelines.defs.measurement.resources import WorkspaceResource
from tests.helpers import write

HEADER = "dataelement;område;periode;køn;værdi\n"
SCHOOLS = (
    HEADER
    + "ELEVER_AFGANG_9KL;0561-OST-N;2023/24;_T;80\nELEVER_UDD_15MD;0561-OST-N;2023/24;_T;68\n"
)
CORRECTION = HEADER + "ELEVER_UDD_15MD;0561-OST-N;2023/24;_T;70\n"


def _published(resource: WorkspaceResource, root) -> pd.DataFrame:  # noqa: ANN001
    result = dg.materialize([assets.published_figures], resources={"workspace": resource})
    assert result.success
    rows = pd.read_parquet(root / "reports" / "published_figures.parquet")
    key = (rows["indicator"] == "UDD_OVERGANG") & (rows["area"] == "0561-OST-N")
    return rows[key & (rows["sex"] == "_T") & (rows["origin"] == "_T")]


def test_the_asset_publishes_as_approved_and_the_check_lists_changed_keys(workspace_dir, cli):
    with (workspace_dir / "partnership.yaml").open("a", encoding="utf-8") as f:
        f.write("publishing: {approval: required}\n")
    resource = WorkspaceResource(root=str(workspace_dir))
    write(workspace_dir / "inbox" / "SKOLE" / "1.csv", SCHOOLS)
    assert cli("ingest", "--workspace", workspace_dir)[0] == 0
    assert _published(resource, workspace_dir)["status"].tolist() == ["pending_approval"]
    assert checks.published_figures_changed_since_approval(resource).passed

    assert (
        cli("approve", "--workspace", workspace_dir, "--period", "2023/24", "--by", "Styregruppen")[
            0
        ]
        == 0
    )
    write(workspace_dir / "inbox" / "SKOLE" / "2.csv", CORRECTION)
    assert cli("ingest", "--workspace", workspace_dir)[0] == 0
    assert _published(resource, workspace_dir)["numerator"].tolist() == [68.0]
    result = checks.published_figures_changed_since_approval(resource)
    assert not result.passed and result.severity == dg.AssetCheckSeverity.WARN
    assert result.description == (
        "1 approved keys have a correction awaiting approval (`ci-measure approve`)."
    )
    details = result.metadata["details"].value
    assert "0561-OST-N" in details and "2023/24" in details and "Styregruppen" in details
    assert checks.published_figures_suppression(resource).passed  # checked as approved

    assert cli("approve", "--workspace", workspace_dir, "--period", "2023/24")[0] == 0
    assert checks.published_figures_changed_since_approval(resource).passed
    assert _published(resource, workspace_dir)["numerator"].tolist() == [70.0]
