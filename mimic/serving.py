"""
Serving Mimic from parsed options: the site (core, root, request handling,
state file), the port it listens on, and -- for the ``mimic`` command --
the process around them.

``twistd -n mimic`` wraps the same site and :class:`Listener` in a twistd
service (:mod:`mimic.tap`). The ``mimic`` command runs them itself
(:func:`run`) with what ``twistd -n --pidfile=`` gave it: logging begun
the same way (standard output and warnings into the log), the default
reactor with its signal handlers, a traceback of the reactor itself on
standard output, and an exit on SIGTERM or SIGINT by that signal. What it
leaves out is twistd's application machinery (``twisted.application.app``,
its options read a second time, its scan for service plugins), which the
command never used and which start-up paid for (docs/performance.rst,
start-up).
"""

from __future__ import annotations

import gc
import os
import signal
import sys
import traceback
from typing import Any

from twisted.logger import Logger, globalLogBeginner

from mimic.collector import settle_heap
from mimic.options import DEFAULT_BACKLOG, with_backlog

log = Logger()


def build_site(config: Any) -> Any:
    """
    The site serving a core made from the parsed options; SystemExit with
    one line of why when the plugins or a plugin's configuration (a bad
    ``--mesh`` file) or the state file cannot be used.
    """
    from mimic.core import MimicCore, PluginError
    from mimic.resource import MountedRoot
    from mimic.site import MimicSite

    try:
        core = MimicCore.from_plugins(
            realtime=bool(config["realtime"]),
            seed=config["seed"],
            regions=config["regions"],
            plugin_regions=config["plugin_regions"],
            options=dict(config),
            strict_auth=bool(config["strict-auth"]),
            journal_size=config["journal-size"],
            journal_body_bytes=config["journal-body-bytes"],
        )
    except PluginError as error:
        raise SystemExit(f"mimic: {error}") from None
    try:
        root = MountedRoot(core)
    except ValueError as error:
        # A plugin refused its configuration (a bad --mesh file): say why
        # in one line rather than with a traceback.
        raise SystemExit(f"mimic: {error}") from None
    site = MimicSite(root, verbose=bool(config["verbose"]), core=core,
                     access_log=not config["quiet"])
    if config["state-file"]:
        # Imported only with a state file (SQLite, a journal thread).
        from mimic.snapshot_codec import SnapshotError
        from mimic.state_file import StateFile, StateFileError
        from mimic.state_file import load as load_state_file

        try:
            from twisted.internet import reactor

            site.state_file = StateFile(config["state-file"], reactor)
            replayed = load_state_file(core, site, site.state_file)
        except (StateFileError, SnapshotError) as error:
            raise SystemExit(f"mimic: {error}") from None
        log.info("State file {path}: restored, {count} logged requests replayed",
                 path=config["state-file"], count=replayed)
    return site


def listen_on(config: Any) -> str:
    """The endpoint description to listen on: ``--listen`` with the backlog."""
    return with_backlog(config["listen"], config.get("backlog", DEFAULT_BACKLOG))


def log_observer(config: Any) -> Any:
    """What each log event is written by: ``--log-format``'s observer, to standard output."""
    from mimic.access_log import json_lines_observer, text_lines_observer

    if config["log-format"] == "json":
        return json_lines_observer()
    return text_lines_observer()


class Listener:
    """
    Listens on an endpoint and says where, once it is listening; a port it
    cannot take ends the process with status 1 and one line of why. Stopped,
    it closes the port and, with a state file, leaves a checkpoint.
    """

    def __init__(self, description: str, site: Any, reactor: Any = None) -> None:
        if reactor is None:
            from twisted.internet import reactor
        self.description = description
        self.site = site
        self.reactor = reactor
        self.port: Any = None

    def start(self) -> Any:
        """Listen (a Deferred that fires once listening, or once it failed)."""
        from twisted.internet.endpoints import serverFromString

        # Start-up is done: what it built lives as long as the server (the
        # mimic command and twistd -n mimic both listen here).
        settle_heap()

        endpoint = serverFromString(self.reactor, self.description)

        def listening(port: Any) -> Any:
            self.port = port
            address = port.getHost()
            host = f"[{address.host}]" if ":" in address.host else address.host
            log.info("Mimic is listening on http://{host}:{port}/",
                     host=host, port=address.port)
            return port

        def failed(failure: Any) -> None:
            # One line: why (the port is busy, the address is not ours), not
            # a traceback of Twisted's endpoint machinery.
            log.error("mimic: cannot listen on {description}: {reason}",
                      description=self.description,
                      reason=failure.getErrorMessage() or failure.type.__name__)
            # Listening fails before the reactor runs (a busy port): stop it
            # as soon as it runs, then exit non-zero, which twistd has no
            # other way to say.
            self.reactor.addSystemEventTrigger("after", "shutdown", _exit_failed)
            self.reactor.callWhenRunning(self.reactor.stop)

        return endpoint.listen(self.site).addCallbacks(listening, failed)

    def stop(self) -> Any:
        """Stop listening; with a state file, a Deferred that fires once it is checkpointed."""
        stopped = self.port.stopListening() if self.port is not None else None
        state_file = getattr(self.site, "state_file", None)
        if state_file is not None:
            # A clean stop leaves a checkpoint: the next start replays nothing.
            return state_file.close(self.site.core)
        return stopped


def _exit_failed() -> None:
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(1)


def resume_collecting() -> None:
    """
    Turn the garbage collector back on, with what start-up made (modules,
    classes, the site: objects that live as long as the process) frozen
    out of its passes (``gc.freeze``). Turned on without freezing, its first
    pass went over all of them at once, before the first request.
    """
    gc.freeze()
    gc.enable()


def run(config: Any, collect: bool = False) -> None:
    """
    Serve until the reactor stops, as ``twistd -n --pidfile=`` ran Mimic:
    the site is built first (a refusal exits 1 before anything is logged),
    then logging begins with the reactor's lines, Mimic listens, and the
    reactor runs; stopped by a signal, the process ends by that signal.
    With ``collect``, the garbage collector (which the command turns off
    for start-up: :func:`mimic.__main__.main`) is turned on once the
    reactor runs, after what start-up made is frozen (:func:`resume_collecting`).
    """
    site = build_site(config)
    from twisted.internet import reactor

    if collect:
        reactor.callWhenRunning(resume_collecting)

    observer = log_observer(config)
    # Kept before logging takes standard output over: a reactor that
    # crashes is told there, as twistd -n tells it.
    stdout = sys.stdout
    globalLogBeginner.beginLoggingTo([observer])
    from mimic import __version__

    log.info("Mimic {version} ({exe} {python}) starting up.", version=__version__,
             exe=sys.executable, python=".".join(map(str, sys.version_info[:3])))
    log.info("reactor class: {reactor}.",
             reactor=f"{type(reactor).__module__}.{type(reactor).__qualname__}")
    listener = Listener(listen_on(config), site, reactor)
    listener.start()
    reactor.addSystemEventTrigger("before", "shutdown", listener.stop)
    try:
        reactor.run()
    except BaseException:
        traceback.print_exc(file=stdout)
        stdout.flush()
    log.info("Server Shut Down.")
    exit_signal = getattr(reactor, "_exitSignal", None)
    if exit_signal is not None:
        # As twistd ends: by the signal that stopped the reactor, so the
        # parent sees SIGTERM (or SIGINT), not an exit status.
        signal.signal(exit_signal, signal.SIG_DFL)
        os.kill(os.getpid(), exit_signal)
