"""
``mimic [options]`` and ``python -m mimic [options]``: the same as
``twistd -n mimic [options]``, without a pid file (so several Mimics can run
from one directory, as tests do). ``mimic mesh render ...`` is the one
subcommand (:mod:`mimic.mesh_render`); anything else starts the server.

The server's options are read here first, so that ``--help`` says
``mimic``, ``--version`` is Mimic's, and a mistyped option is one line (not
twistd's whole help); twistd then reads them again to build the service.
"""

from __future__ import annotations

import sys
from typing import Any, Optional, Sequence


def parse_options(args: Sequence[str]) -> Any:
    """
    Mimic's parsed options, or exit: 0 after ``--help``/``--version``, 2
    with one line of error for options that are wrong.
    """
    from twisted.python import usage

    from mimic.tap import Options

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
    from twisted.application import app
    from twisted.scripts.twistd import runApp

    options = parse_options(args)
    # The text log goes to standard output, as twistd's own observer would
    # write it (``mimic`` passes twistd no --logfile), through Mimic's
    # cheaper one (see mimic.access_log.text_lines_observer); JSON lines
    # are the service's own observer (mimic.tap.MimicService).
    logger = ["--logger=mimic.access_log.text_lines_observer"] \
        if options["log-format"] == "text" else []
    sys.argv = ["mimic", "--nodaemon", "--pidfile=", *logger, "mimic", *args]
    app.run(runApp, _server_options())


def _server_options() -> Any:
    """
    twistd's options, knowing Mimic as their one subcommand. twistd finds
    its subcommands among every ``IServiceMaker`` plugin installed
    (``ServerOptions.subCommands`` calls ``twisted.plugin.getPlugins``,
    which reads the plugin cache of ``twisted/plugins`` and with it imports
    ``twisted.trial``'s interfaces and ``unittest``): start-up work for a
    command that only ever runs Mimic.
    """
    from twisted.application.service import IServiceMaker
    from twisted.plugin import getPlugins
    from twisted.scripts.twistd import ServerOptions

    class MimicServerOptions(ServerOptions):
        @staticmethod
        def _getPlugins(interface: Any, package: Any = None) -> Any:
            if interface is IServiceMaker:
                from twisted.plugins.mimic import mimic

                return [mimic]
            return getPlugins(interface, package)

    return MimicServerOptions


if __name__ == "__main__":
    main()
