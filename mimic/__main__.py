"""
``mimic [options]`` and ``python -m mimic [options]``: serve as
``twistd -n mimic [options]`` does, without a pid file (so several Mimics
can run from one directory, as tests do). ``mimic mesh render ...`` is the
one subcommand (:mod:`mimic.mesh_render`); anything else starts the server.

The command reads its options itself, so that ``--help`` says ``mimic``,
``--version`` is Mimic's, and a mistyped option is one line (not twistd's
whole help), and it runs the server itself (:func:`mimic.serving.run`)
rather than through twistd's application machinery, which it never used
and which its start-up paid for (docs/performance.rst).
"""

from __future__ import annotations

import gc
import sys
from typing import Any, Optional, Sequence


def parse_options(args: Sequence[str]) -> Any:
    """
    Mimic's parsed options, or exit: 0 after ``--help``/``--version``, 2
    with one line of error for options that are wrong.
    """
    from twisted.python import usage

    from mimic.options import Options

    options = Options()
    try:
        options.parseOptions(list(args))
    except usage.UsageError as error:
        print(f"mimic: {error} (see mimic --help)", file=sys.stderr)
        raise SystemExit(2) from None
    return options


def main(argv: Optional[Sequence[str]] = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["mesh"]:
        from mimic.mesh_render import mesh_command

        raise SystemExit(mesh_command(args[1:]))
    # Start-up imports and makes some 50,000 objects and no garbage: the
    # collector's hundred-odd passes over them took 25-60 ms of it
    # (docs/performance.rst). It runs again once the reactor runs.
    collecting = gc.isenabled()
    gc.disable()
    options = parse_options(args)
    from mimic.without_tls import leave_out_tls, needs_tls

    if not needs_tls(options):
        leave_out_tls()
    from mimic.serving import run

    run(options, collect=collecting)


if __name__ == "__main__":
    main()
