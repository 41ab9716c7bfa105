"""
Where a benchmark's processes run: the servers on one CPU, the load
generator on another, so that both sides of a comparison run where the
other ran (used by ``bench.compare`` and ``bench/mesh.py``).

On this machine (a VM whose two CPUs change speed from moment to moment)
the scheduler otherwise moved each server between the CPUs as it pleased,
and the same code's mesh ratio ranged over 0.65-1.01 in six repetitions;
pinned (and in slices), over 0.86-0.93 (docs/performance.rst).
"""

from __future__ import annotations

import os
from typing import Optional


def pin(servers: list, wanted: bool) -> Optional[set]:
    """
    With two CPUs or more (and ``wanted``): the servers on the last CPU this
    process may use, this process (the load generator) on the first. The
    CPUs it could use before, to give back (None: nothing was pinned).
    """
    if not wanted or not hasattr(os, "sched_setaffinity"):
        return None
    allowed = sorted(os.sched_getaffinity(0))
    if len(allowed) < 2:
        return None
    for pid in servers:
        os.sched_setaffinity(pid, {allowed[-1]})
    os.sched_setaffinity(0, {allowed[0]})
    return set(allowed)


def unpin(allowed: Optional[set]) -> None:
    """Let this process run on ``allowed`` again (what :func:`pin` returned)."""
    if allowed is not None:
        os.sched_setaffinity(0, allowed)
