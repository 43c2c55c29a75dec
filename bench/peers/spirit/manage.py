#!/usr/bin/env python
"""django-spirit's management commands for the peer comparison; run with this folder's .venv."""
import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "spirit_bench.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
