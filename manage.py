#!/usr/bin/env python
"""Django's manage.py; the installed ``motcua`` command does the same."""

from motcua.cli import main

if __name__ == "__main__":
    main()
