"""Dagster definitions over the ci_measure core (thin: no business logic here)."""
