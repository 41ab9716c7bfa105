"""
The Mimic a benchmark measures: :func:`mimic.testing.start_mimic`, except
that ``python -m bench.against`` can make every script run a Mimic of
another checkout (its old side) without the script knowing.

With ``BENCH_MIMIC_CHECKOUT`` set to a checkout's directory, the server is
started with that directory as its working directory and ``PYTHONPATH``
(``python -m mimic`` puts its working directory first on ``sys.path``, so
that checkout's ``mimic`` is imported, not this one's editable install);
``BENCH_MIMIC_ARGS`` (shell words) go before the script's own options, so
the script's win when both set one. The benchmark client itself always
runs this checkout's code.
"""

from __future__ import annotations

import os
import shlex
from typing import Optional

from mimic.testing import MimicServer
from mimic.testing import start_mimic as start_mimic_process

CHECKOUT = "BENCH_MIMIC_CHECKOUT"
ARGS = "BENCH_MIMIC_ARGS"


def start_mimic(*args: str, env: Optional[dict] = None, cwd: Optional[str] = None,
                checkout: Optional[str] = None) -> MimicServer:
    """
    A Mimic on a free loopback port with ``args``: of ``checkout`` (default:
    ``$BENCH_MIMIC_CHECKOUT``, else this checkout), with
    ``$BENCH_MIMIC_ARGS`` before ``args``.
    """
    checkout = checkout or os.environ.get(CHECKOUT) or None
    extra = shlex.split(os.environ.get(ARGS, ""))
    if checkout:
        env = {**(env or {}), "PYTHONPATH": checkout}
        cwd = checkout
    return start_mimic_process(*extra, *args, env=env, cwd=cwd)
