"""The ``motcua`` console command: everything ``manage.py`` does, and the project's commands."""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.config.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv if argv is None else argv)
    args[0] = "motcua"
    execute_from_command_line(args)


if __name__ == "__main__":
    main()
