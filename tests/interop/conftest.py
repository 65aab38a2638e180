# The fixtures of the drafting tests: the team of a draft's path, fixed clock, own storage.
from tests.drafting.conftest import _fixed_clock, _own_storage, team  # noqa: F401 - fixtures
