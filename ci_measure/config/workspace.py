"""The workspace: where it is, its partnership.yaml (SPEC §6), and creating a new one.

``partnership.yaml`` is written by people, so every mistake is refused with the file and
line; a silently wrong configuration would assign figures to the wrong partner or area.
"""

from __future__ import annotations

import os
import re
import shutil
import time
from pathlib import Path

from ci_measure import atomic
from ci_measure.config.catalog import load_catalog
from ci_measure.config.model import Partnership, Workspace
from ci_measure.config.partnership import load_partnership, parse_partnership
from ci_measure.errors import ConfigError, usage_error

ENV = "CI_MEASURE_WORKSPACE"
REPOSITORY_DATA = Path(__file__).resolve().parents[2] / "data"
DEMO = REPOSITORY_DATA / "demo"
__all__ = ["init_workspace", "load_partnership", "load_workspace", "resolve_root"]

STARTER = """\
# The partnership: who reports what, for which areas (see the catalog for the codes).
# Codes are text: quote codes that look like numbers ("0561").
name: Mit partnerskab
suppression_threshold: 5   # counts of 1-4 persons are never published
areas:
  - code: "0561"
    name: Esbjerg Kommune
  - code: "0561-OST"
    name: Østerbyen
    parent: "0561"
partners:
  - code: SKOLE
    name: Østerbyens skoler
    reports:
      - data_elements: [ELEVER_AFGANG_9KL, ELEVER_UDD_15MD]
        areas: ["0561-OST"]
# baselines:
#   - {indicator: UDD_OVERGANG, area: "0561-OST", period: "2018/19", value: 71.0}
# targets:
#   - {indicator: UDD_OVERGANG, area: "0561-OST", period: "2029/30", value: 90.0}
"""


def resolve_root(workspace: str | Path | None) -> Path:
    """The workspace folder: the argument, else $CI_MEASURE_WORKSPACE, else the repo's data/."""
    if workspace:
        return Path(workspace).expanduser()
    if os.environ.get(ENV):
        return Path(os.environ[ENV]).expanduser()
    return REPOSITORY_DATA


def load_workspace(root: Path) -> Workspace:
    """The catalog (reference + the workspace's own) and the partnership of a workspace."""
    root = Path(root)
    path = root / "partnership.yaml"
    if not path.is_file():
        raise ConfigError(
            f"{path}: not found; create the workspace with `ci-measure init --workspace {root}` "
            "(or `ci-measure init --demo` for the demo partnership)",
            file=str(path),
        )
    catalog = load_catalog(root)
    return Workspace(root=root, partnership=load_partnership(path, catalog), catalog=catalog)


def _make_folders(root: Path, partnership: Partnership) -> None:
    for folder in ("inbox", "outbox"):
        for partner in partnership.partners:
            (root / folder / partner.code).mkdir(parents=True, exist_ok=True)
    (root / "archive").mkdir(parents=True, exist_ok=True)


def _order(name: str) -> tuple[int, str]:
    """A leading number ('03_rettelse.csv') orders the demo files; then the name."""
    match = re.match(r"\d+", name)
    return (int(match.group()) if match else 10**9, name)


def _copy_submissions(source: Path, root: Path, partnership: Partnership) -> None:
    """Copy the demo/example files into the inboxes, with mtimes in the order they are taken in."""
    files = [
        (_order(path.name), partner.code, path)
        for partner in partnership.partners
        if (source / partner.code).is_dir()
        for path in (source / partner.code).iterdir()
        if path.is_file() and not path.name.startswith(".")
    ]
    start = time.time() - 60 * (len(files) + 1)
    for index, (_, code, path) in enumerate(sorted(files)):
        target = root / "inbox" / code / path.name
        shutil.copyfile(path, target)
        stamp = start + 60 * index
        os.utime(target, (stamp, stamp))


def init_workspace(root: Path, demo: bool = False, example: str | None = None) -> Path:
    """Create a workspace; ``demo`` brings the demo partnership and its waiting submissions,
    ``example`` one of the partnerships in ``examples/`` (``ci-measure init --list-examples``).

    partnership.yaml is written last, so an interrupted init can simply be run again.
    """
    root = Path(root)
    if demo and example:
        raise usage_error(
            "vælg enten --demo eller --example, ikke begge",
            "choose either --demo or --example, not both",
        )
    source = DEMO if demo else None
    if example:
        from ci_measure.config.examples import example_path

        source = example_path(example)
    if root.exists() and not root.is_dir():
        raise usage_error(
            f"{root} er en fil, ikke en mappe; vælg en mappe til arbejdsområdet",
            f"{root} is a file, not a folder; choose a folder for the workspace",
        )
    if (root / "partnership.yaml").exists():
        raise usage_error(
            f"{root} indeholder allerede et arbejdsområde (partnership.yaml); vælg en anden mappe",
            f"{root} already holds a workspace (partnership.yaml); choose another folder",
        )
    if source is not None:
        catalog = load_catalog(source)
        partnership = load_partnership(source / "partnership.yaml", catalog)
        text = (source / "partnership.yaml").read_text(encoding="utf-8")
    else:
        catalog, text = load_catalog(None), STARTER
        partnership = parse_partnership(STARTER, "partnership.yaml", catalog)
    root.mkdir(parents=True, exist_ok=True)
    _make_folders(root, partnership)
    if source is not None:
        if (source / "catalog.yaml").is_file():
            shutil.copyfile(source / "catalog.yaml", root / "catalog.yaml")
        if (source / "statistics").is_dir():  # mappings of public statistics (SPEC §11)
            shutil.copytree(source / "statistics", root / "statistics", dirs_exist_ok=True)
        if (source / "stories").is_dir():  # the stories behind the curves (SPEC §13)
            shutil.copytree(source / "stories", root / "stories", dirs_exist_ok=True)
        _copy_submissions(source / "submissions", root, partnership)
    atomic.write_text(root / "partnership.yaml", text)
    return root
