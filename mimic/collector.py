"""
The garbage collector of a serving Mimic, tuned once start-up is done.

CPython's cyclic collector runs a young collection after every 700 net
allocations of container objects, and now and then a full one that walks
every tracked object. A Mimic answering requests allocates in bursts (a
request, its headers, its Deferreds, a mesh node's tree) that reference
counting frees again a moment later, so most young collections find
nothing; and its long-lived heap (the routes, the plugins' models, the
seeded accounts: about 70,000 objects after start-up, against a few
thousand for a bare Twisted server) made every full collection walk all of
it. On the mesh's hops the collector was about 5 % of the server's CPU
(docs/performance.rst, "fourth pass").

:func:`settle_heap` moves what start-up built into the permanent
generation (``gc.freeze``: full collections no longer walk it) and lets
the young generation grow to :data:`YOUNG_THRESHOLD` before it is
collected. Cycles are still found and freed; they live a little longer.
It is called once, when the server starts listening
(:class:`mimic.serving.Listener`, which both ``mimic`` and ``twistd -n
mimic`` start; the ``mimic`` command also keeps the collector off while it
starts, :func:`mimic.serving.resume_collecting`): tests that build a core
in process (and measure its memory) keep the interpreter's defaults.
"""

from __future__ import annotations

import gc

#: Net container allocations between two young collections (CPython: 700).
#: A mesh hop's bursts stay under it, so young collections become rare (the
#: collector's share of a 1-hop request's CPU: 2.6 % at 700 with the heap
#: frozen, 1.5 % at 1,000, 0.35 % at 1,400); a higher one only lets cyclic
#: garbage wait longer (at 2,000 the RSS of bench/identity_memory.py's 1,000
#: Host values grew 14 %, at 10,000 twice as much; at 1,400 not).
YOUNG_THRESHOLD = 1_400


def settle_heap() -> None:
    """
    Freeze what start-up built and collect the young generation less often.
    Start-up makes almost no garbage, so nothing is collected first (a full
    pass over it was a visible part of start-up).
    """
    gc.freeze()
    _, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG_THRESHOLD, middle, old)
