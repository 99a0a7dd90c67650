"""A shared DuckLake warehouse on the session's real PostgreSQL, for the tests here."""

from tests.ci_measure.warehouse.lake_support import shared_lake  # noqa: F401
