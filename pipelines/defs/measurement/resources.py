"""The one resource: the workspace the pipeline works on (core objects, no environment dicts)."""

import datetime as dt

import dagster as dg

from ci_measure.config.model import Workspace
from ci_measure.config.workspace import load_workspace, resolve_root


class WorkspaceResource(dg.ConfigurableResource):
    """A ci-measure workspace; empty root = $CI_MEASURE_WORKSPACE, else the repository's data/."""

    root: str = ""
    outlier_factor: float = 1.5  # a year-over-year jump beyond this factor is flagged
    today: str = ""  # ISO date the timeliness check judges by; empty = the real today

    def today_date(self) -> dt.date:
        return dt.date.fromisoformat(self.today) if self.today else dt.date.today()

    def load(self) -> Workspace:
        return load_workspace(resolve_root(self.root or None))


@dg.definitions
def defs() -> dg.Definitions:
    return dg.Definitions(resources={"workspace": WorkspaceResource()})
