"""Signature tests use the drafting team and helpers of tests/drafting/conftest.py: each test gets
its own empty storage and the clock stands at 25/11/2026, Vietnam time."""

from tests.drafting.conftest import _fixed_clock, _own_storage, team  # noqa: F401
