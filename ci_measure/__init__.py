"""ci-measure core: reading, validation, harmonisation, warehouse and computation.

No Dagster here (a test enforces it): `ci-measure check` and notebooks stay light.
"""

__version__ = "0.2.0"
