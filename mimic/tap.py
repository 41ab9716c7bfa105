"""
``twistd -n mimic [options]``: the twistd plugin's options and the service
it builds (the ``mimic`` command runs the same site and listener without
twistd: :mod:`mimic.serving`).
"""

from __future__ import annotations

from typing import Any

from twisted.application.service import Service
from twisted.logger import ILogObserver

from mimic.options import (  # noqa: F401  (twistd and callers read them here)
    DEFAULT_BACKLOG,
    DEFAULT_LISTEN,
    LOG_FORMATS,
    Options,
    listen_description,
    with_backlog,
    zipkin_url,
)
from mimic.serving import Listener, build_site, listen_on


class MimicService(Service):
    """
    The :class:`mimic.serving.Listener` as a twistd service. With a
    ``log_observer`` (``--log-format json``), it hands that observer to the
    twistd application it joins, which twistd then logs to instead of its
    text lines (twistd starts logging after building the service).
    """

    def __init__(self, description: str, site: Any, reactor: Any = None,
                 log_observer: Any = None) -> None:
        self.listener = Listener(description, site, reactor)
        self.site = site
        self.log_observer = log_observer

    def setServiceParent(self, parent: Any) -> Any:
        if self.log_observer is not None and hasattr(parent, "setComponent"):
            parent.setComponent(ILogObserver, self.log_observer)
        return super().setServiceParent(parent)

    def startService(self) -> Any:
        super().startService()
        return self.listener.start()

    def stopService(self) -> Any:
        super().stopService()
        return self.listener.stop()


def makeService(config: Any) -> Service:
    """Build the core and the site from the parsed options."""
    site = build_site(config)
    observer = None
    if config["log-format"] == "json":
        from mimic.access_log import json_lines_observer

        observer = json_lines_observer()
    return MimicService(listen_on(config), site, log_observer=observer)
