"""Fixtures shared by the team tests."""

from tests.teams.test_api_agreement import pair  # noqa: F401  (two blind layers, hand-computed)
