"""
``mimic [options]`` and ``python -m mimic [options]``: the same as
``twistd -n mimic [options]``, without a pid file (so several Mimics can run
from one directory, as tests do).
"""

from __future__ import annotations

import sys
from typing import Optional, Sequence


def main(argv: Optional[Sequence[str]] = None) -> None:
    from twisted.scripts.twistd import run

    args = list(sys.argv[1:] if argv is None else argv)
    sys.argv = ["mimic", "--nodaemon", "--pidfile=", "mimic", *args]
    run()


if __name__ == "__main__":
    main()
