"""vanban: phần mềm quản lý văn bản và điều hành."""

# The one place the version is written: pyproject.toml reads it, the release notes are filed under
# it (oversight/releases/<version>.md) and every person is told once what it changed (R23).
__version__ = "0.1.0"
