"""The `vanban` console script: every Django management command, with the project's settings."""

import os
import sys

from vanban.core.console import quiet_library_warnings


def main() -> None:
    quiet_library_warnings()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vanban.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["vanban", *sys.argv[1:]])


if __name__ == "__main__":
    main()
