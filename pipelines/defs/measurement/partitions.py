"""One dynamic partition per submission, keyed by the file's SHA-256."""

import dagster as dg

SUBMISSIONS = dg.DynamicPartitionsDefinition(name="submissions")

# Runs that write the warehouse carry this tag; dagster.yaml lets one such run at a time.
WAREHOUSE_WRITE_TAGS = {"ci_measure/warehouse": "write"}
