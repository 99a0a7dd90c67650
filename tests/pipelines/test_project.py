"""The Dagster project as others meet it: any clone's folder name, the UI's asset graph, the
automation that runs by default, and the two instance configurations."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import dagster as dg
import pytest
import yaml

from pipelines.definitions import defs

REPO = Path(__file__).resolve().parents[2]
PROJECT = ("pyproject.toml", "dagster.yaml", "pipelines", "ci_measure", "indicators")


def _validate(cwd: Path, home: Path) -> subprocess.CompletedProcess:
    env = {"PATH": str(Path(sys.executable).parent), "DAGSTER_HOME": str(home)}
    env["CI_MEASURE_WORKSPACE"] = str(home / "ws")
    shutil.copy(REPO / "dagster.yaml", home / "dagster.yaml")
    return subprocess.run(
        [str(Path(sys.executable).parent / "dagster"), "definitions", "validate"],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.mark.parametrize("folder", ["repository", "p"])
def test_definitions_validate_under_one_location_name_whatever_the_clone_is_called(
    folder, tmp_path
):
    if folder == "repository":
        cwd = REPO
    else:  # a clone in a folder of another name (the warning said 'p')
        cwd = tmp_path / folder
        for name in PROJECT:
            source = REPO / name
            if source.is_dir():
                shutil.copytree(source, cwd / name, ignore=shutil.ignore_patterns("__pycache__"))
            else:
                cwd.mkdir(exist_ok=True)
                shutil.copy(source, cwd / name)
    result = _validate(cwd, tmp_path)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-3000:]
    assert "Validation successful for code location ci_measure" in output
    assert "does not match" not in output, output[-3000:]


def test_the_asset_graph_reads_as_the_pipeline_does():
    graph = defs().resolve_asset_graph()
    nodes = {key.to_user_string(): graph.get(key) for key in graph.get_all_asset_keys()}
    groups = {name: node.group_name for name, node in nodes.items()}
    assert groups == {
        "submissions": "intake",
        "warehouse": "warehouse",
        "indicator_values": "figures",
        "published_figures": "publication",
        "scorecard": "publication",
    }
    parents = {
        name: sorted(k.to_user_string() for k in node.parent_keys) for name, node in nodes.items()
    }
    assert parents == {
        "submissions": [],
        "warehouse": ["submissions"],
        "indicator_values": ["warehouse"],
        "published_figures": ["indicator_values"],
        "scorecard": ["published_figures"],
    }
    for name, node in nodes.items():
        assert node.owners == ["team:backbone"], name
        assert len(node.description) > 40, name
        assert node.kinds, name
        assert node.tags["visibility"] in ("internal", "public"), name
    assert nodes["warehouse"].kinds == {"duckdb"}
    assert {"parquet", "duckdb"} == nodes["published_figures"].kinds
    assert nodes["published_figures"].tags["visibility"] == "public"
    assert nodes["indicator_values"].tags["visibility"] == "internal"  # small counts shown


def test_recomputation_after_each_ingest_is_switched_on_by_default():
    loaded = defs()
    sensor = loaded.resolve_sensor_def("recompute_after_ingest")
    assert isinstance(sensor, dg.AutomationConditionSensorDefinition)
    assert sensor.default_status == dg.DefaultSensorStatus.RUNNING
    # It covers every asset with a condition, so Dagster adds no (stopped) default sensor.
    assert "default_automation_condition_sensor" not in {s.name for s in loaded.sensors}
    graph = loaded.resolve_asset_graph()
    conditioned = {
        key.to_user_string()
        for key in graph.get_all_asset_keys()
        if graph.get(key).automation_condition is not None
    }
    assert conditioned == {"warehouse", "indicator_values", "published_figures", "scorecard"}
    assert {k.to_user_string() for k in sensor.asset_selection.resolve(graph)} >= conditioned


def test_the_suppression_check_blocks_the_scorecard():
    graph = defs().resolve_asset_graph()
    blocking = {key.name for key in graph.asset_check_keys if graph.get(key).blocking}
    assert blocking == {"published_figures_suppression"}  # the others inform, never hold back


def _instance_config(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def test_the_laptop_and_the_production_instance_differ_only_in_storage():
    laptop = _instance_config(REPO / "dagster.yaml")
    production = _instance_config(REPO / "deploy" / "dagster.yaml")
    assert "storage" not in laptop  # SQLite under DAGSTER_HOME: nothing to install
    assert production.pop("storage") == {"postgres": {"postgres_url": {"env": "DAGSTER_PG_URL"}}}
    assert production == laptop  # the same run queue: one warehouse writer at a time
    [limit] = laptop["run_queue"]["tag_concurrency_limits"]
    assert limit == {"key": "ci_measure/warehouse", "value": "write", "limit": 1}


def test_the_deployment_guide_gives_the_commands_the_production_test_runs():
    from tests.pipelines.service import CODE_SERVER, DAEMON, WEBSERVER

    guide = (REPO / "docs" / "deployment.md").read_text(encoding="utf-8")
    assert "## Dagster in production" in guide
    joined = " ".join(guide.replace("\\\n", " ").split())
    for command in (CODE_SERVER, WEBSERVER, DAEMON):
        assert command in joined, command
    assert 'cp deploy/dagster.yaml "$DAGSTER_HOME/dagster.yaml"' in guide
    assert "postgresql+psycopg2://" in guide
