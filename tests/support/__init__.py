"""Test support shared across the suite: real services the tests start and stop themselves."""
