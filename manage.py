#!/usr/bin/env python
import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vungxanh.settings")
    from vungxanh.lib.privacy import private_umask

    private_umask()  # the database, uploads and exports are this account's only
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
