"""
``mimic [options]`` and ``python -m mimic [options]``: the same as
``twistd -n mimic [options]``, without a pid file (so several Mimics can run
from one directory, as tests do). ``mimic mesh render ...`` is the one
subcommand (:mod:`mimic.mesh_render`); anything else starts the server.
"""

from __future__ import annotations

import sys
from typing import Optional, Sequence


def main(argv: Optional[Sequence[str]] = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["mesh"]:
        from mimic.mesh_render import mesh_command

        raise SystemExit(mesh_command(args[1:]))
    from twisted.scripts.twistd import run

    sys.argv = ["mimic", "--nodaemon", "--pidfile=", "mimic", *args]
    run()


if __name__ == "__main__":
    main()
