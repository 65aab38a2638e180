from tests.drafting.conftest import _fixed_clock, _own_storage, team  # noqa: F401 - fixtures
