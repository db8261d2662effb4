"""The ``vungxanh`` command: Django's management commands, with dashes allowed.

``vungxanh load-units`` runs the ``load_units`` command; ``vungxanh version`` needs
no database. Every command honours VX_DATABASE_URL and VX_DATA_DIR.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    from vungxanh.lib.privacy import private_umask

    # Before anything is written: the database, uploads and exports are this account's only.
    private_umask()
    argv = list(sys.argv if argv is None else argv)
    if len(argv) > 1 and argv[1] in {"version", "--version"}:
        from vungxanh import __version__

        print(f"vungxanh {__version__}")
        return
    if len(argv) > 1 and argv[1] in {"rules", "assess"}:
        # Offline rule-set commands: no Django, no database.
        from vungxanh.riskcli import main as risk_main

        sys.exit(risk_main(argv[1:]))
    if len(argv) > 1 and argv[1] == "activities":
        # The activity matrix: what may operate at a level, by VSIC code. No Django.
        from vungxanh.activitiescli import main as activities_main

        sys.exit(activities_main(argv[2:]))
    if len(argv) > 1 and argv[1] == "rt":
        # Rt from a CSV file as EpiEstim: no Django, no database.
        from vungxanh.rtcli import main as rt_main

        sys.exit(rt_main(argv[2:]))
    if len(argv) > 1 and not argv[1].startswith("-"):
        argv[1] = argv[1].replace("-", "_")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vungxanh.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
