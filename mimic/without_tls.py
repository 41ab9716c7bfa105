"""
The ``mimic`` command starts without TLS support when nothing the process
will do needs it.

Twisted decides at import whether the process can speak TLS:
``twisted.internet.tcp``, ``posixbase`` (the reactor), ``endpoints`` and
``web.client`` each try ``import OpenSSL`` when first imported, and
pyOpenSSL pulls in ``cryptography.x509``. That was about a quarter of the
time from starting ``mimic`` to its first answer (0.50 s against 0.38 s
without it, nine starts each, docs/performance.rst), for a server that
listens on plain TCP and calls only plain HTTP: Mimic's own APIs and the
mesh's hops never use TLS.

So, before the reactor is imported, pyOpenSSL is made unimportable for the
process's life, unless something may need it: ``--listen`` on anything but
``tcp:``, ``tcp6:`` or ``unix:`` (``ssl:`` and any other endpoint), an
``https://`` ``--zipkin`` collector, or ``--tls`` (for a plugin that makes
HTTPS calls of its own). ``twistd -n mimic`` imports the reactor itself,
before Mimic runs, and always has TLS.
"""

from __future__ import annotations

import importlib.abc
import sys
from typing import Any, Optional

#: Endpoint kinds of ``--listen`` that never need TLS.
PLAIN_ENDPOINTS = frozenset({"tcp", "tcp6", "unix"})

#: The top-level package whose import decides Twisted's TLS support.
TLS_PACKAGE = "OpenSSL"


def needs_tls(options: Any) -> bool:
    """Whether a Mimic started with ``options`` may speak TLS."""
    if options.get("tls"):
        return True
    kind = options.get("listen", "").split(":", 1)[0].strip().lower()
    if kind not in PLAIN_ENDPOINTS:
        return True
    zipkin = options.get("zipkin") or ""
    return zipkin.strip().lower().startswith("https:")


class _LeftOut(importlib.abc.MetaPathFinder):
    """Refuses to find pyOpenSSL, as if it were not installed."""

    def find_spec(self, name: str, path: Optional[Any] = None,
                  target: Optional[Any] = None) -> None:
        if name == TLS_PACKAGE or name.startswith(TLS_PACKAGE + "."):
            raise ModuleNotFoundError(
                f"TLS support was left out of this Mimic at start-up "
                f"(its --listen and --zipkin need none); start it with --tls "
                f"to have it", name=name)
        return None


def leave_out_tls() -> bool:
    """
    Make pyOpenSSL unimportable in this process, if Twisted has not yet
    decided on TLS (no reactor, no ``twisted.internet.tcp`` imported, no
    pyOpenSSL imported). Returns whether it was left out.
    """
    decided = ("twisted.internet.tcp", "twisted.internet.reactor", TLS_PACKAGE)
    if any(name in sys.modules for name in decided):
        return False
    if not any(isinstance(finder, _LeftOut) for finder in sys.meta_path):
        sys.meta_path.insert(0, _LeftOut())
    return True
