"""The reorganisation tests' fixtures: the test province with a district, its communes and a
department with two levels of sub-units (tests/reorganisation/support.py)."""

import pytest

from .support import Tree, build_tree


@pytest.fixture
def tree(province) -> Tree:
    return build_tree(province)
