"""
Real Mimic servers for tests: :mod:`mimic.testing` (what Mimic's users get)
under the names this suite has always used. ``MimicProcess`` is
:class:`mimic.testing.MimicServer`.
"""

from mimic.testing import (  # noqa: F401  (re-exported for the tests)
    LISTENING,
    STARTUP_SECONDS,
    MimicClient,
    MimicDidNotStart,
    MimicServer,
    mimic_command,
    start_mimic,
)

MimicProcess = MimicServer

__all__ = ["LISTENING", "STARTUP_SECONDS", "MimicClient", "MimicDidNotStart", "MimicProcess",
           "MimicServer", "mimic_command", "start_mimic"]
