"""What the tests share: builders of test data, the one `refused` helper, the one snapshot of
what a refused action must not change, and the one case table class of authorization matrices.

The conftest.py files hold only fixtures, each a thin wrapper over these modules; tests import
from here, never from a conftest.
"""
