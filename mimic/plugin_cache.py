"""
``python -m mimic.plugin_cache``: write Twisted's plugin caches
(``dropin.cache``) beside the installed ``twisted/plugins/mimic.py`` and
``mimic/plugins``, once, at install time.

Twisted rewrites a stale or missing cache on every start; when the
directories belong to root (a container image, a system install) an
unprivileged Mimic cannot, and logs "Unable to write to plugin cache ...:
error number 13" at each start. Run from inside a source checkout, Python
imports the checkout instead of the installed package and the caches land
in the checkout, so this refuses to run there.
"""

from __future__ import annotations

import os
import sys
import sysconfig
from typing import List, Optional, Sequence


def installed_copy() -> Optional[str]:
    """
    Where ``pip install`` put ``mimic/__init__.py`` in this Python's
    site-packages; None for an editable install (the checkout itself is the
    package then). Not importlib.metadata: inside a checkout it finds the
    checkout's own ``mimic.egg-info`` first.
    """
    for scheme in ("purelib", "platlib"):
        located = os.path.join(sysconfig.get_paths()[scheme], "mimic", "__init__.py")
        if os.path.exists(located):
            return located
    return None


def plugin_directories() -> List[str]:
    """Every directory Twisted looks in for Mimic's plugins."""
    import mimic.plugins
    import twisted.plugins

    directories: list = []
    for package in (twisted.plugins, mimic.plugins):
        # Their __path__ names a candidate under every sys.path entry.
        directories.extend(os.path.abspath(p) for p in package.__path__ if os.path.isdir(p))
    return list(dict.fromkeys(directories))


def regenerate() -> List[str]:
    """Write every plugin cache; the messages of those Twisted could not write."""
    from twisted.plugin import IPlugin, getPlugins
    from twisted.python import log

    import mimic.plugins
    import twisted.plugins

    failures: list = []

    def observe(event: dict) -> None:
        text = log.textFromEventDict(event)
        if text and ("plugin cache" in text or event.get("isError")):
            failures.append(text)

    log.addObserver(observe)
    try:
        for package in (twisted.plugins, mimic.plugins):
            list(getPlugins(IPlugin, package))
    finally:
        log.removeObserver(observe)
    return failures


def main(argv: Optional[Sequence[str]] = None) -> int:
    import mimic

    imported = os.path.abspath(mimic.__file__)
    installed = installed_copy()
    if installed is not None and os.path.abspath(installed) != imported:
        print(f"mimic.plugin_cache: mimic is imported from {os.path.dirname(imported)}, "
              f"not from the installed {os.path.dirname(installed)}: run this outside "
              "the source folder (cd / first)", file=sys.stderr)
        return 1
    failures = regenerate()
    for failure in failures:
        print(f"mimic.plugin_cache: {failure}", file=sys.stderr)
    for directory in plugin_directories():
        cache = os.path.join(directory, "dropin.cache")
        print(f"{cache}: {'written' if os.path.exists(cache) else 'MISSING'}")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
