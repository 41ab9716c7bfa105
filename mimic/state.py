"""
Snapshots of everything a Mimic holds (``GET/PUT /mimic/v1.1/state``).

A snapshot is one JSON document: the format, the clock, which plugins'
state it holds, what it could not capture, and the store itself (users,
tenants, tokens, domains, the id source's position, and each plugin's
per-tenant and global state) encoded by :mod:`mimic.snapshot_codec`.
Each plugin takes part through :class:`mimic.imimic.IStatefulAPI`, which
says which store keys are its own; Identity's and the core's keys are
Mimic's own and listed here. Anything else is left out and named under
``not_captured``, never silently dropped.
"""

from __future__ import annotations

import math
from typing import Any, Optional

from twisted.internet.task import Clock

from mimic.imimic import IStatefulAPI
from mimic.model.identity import SessionStore
from mimic.snapshot_codec import SnapshotError, decode_state, encode_state
from mimic.util import MAX_CLOCK_SECONDS, key_name

#: The one format this Mimic writes and reads.
FORMAT = "mimic-state/1"

#: Identity is Mimic's own, not a plugin: its keys are named ``identity...``
#: (its v3 ids, its catalog caches) and ``("behaviors", "identity", ...)``.
IDENTITY_PREFIX = "identity"

#: Caches of the core, rebuilt on demand, and the process's metrics
#: (counters of this process's traffic, not emulated state): ``"metrics"``
#: and any ``(..., "metrics")`` key, such as the mesh's.
NOT_STATE_KEYS = frozenset({"catalog", "metrics"})


def _is_state(key: Any) -> bool:
    return key_name(key) not in NOT_STATE_KEYS and not (
        isinstance(key, tuple) and key[-1] == "metrics")


def _identity_owns(key: Any) -> bool:
    name = key_name(key)
    return (isinstance(name, str) and name.startswith(IDENTITY_PREFIX)) or (
        isinstance(key, tuple) and key[:2] == ("behaviors", IDENTITY_PREFIX))


def owner_of(core: Any, key: Any) -> Optional[str]:
    """The name of the plugin (or ``"identity"``) whose state ``key`` is."""
    if _identity_owns(key):
        return "identity"
    for name, api in core.apis.items():
        if IStatefulAPI.providedBy(api) and api.owns_state(key):
            return name
    return None


def _split(core: Any, data: dict, where: str, lost: list) -> dict:
    kept = {}
    for key, value in data.items():
        if not _is_state(key):
            continue
        if owner_of(core, key) is None:
            lost.append({"where": where, "key": repr(key)})
            continue
        kept[key] = value
    return kept


def snapshot(core: Any) -> dict:
    """The whole state of ``core`` as one JSON-serialisable document."""
    store = core.store
    lost: list = []
    # The codec walks the store, writing only the captured part of each
    # API-data mapping in its place.
    substitutes = {
        id(tenant.api_data()): _split(core, tenant.api_data(), f"tenant {tenant.id}", lost)
        for tenant in store.tenants()
    }
    substitutes[id(store.global_data())] = _split(core, store.global_data(), "global", lost)
    encoded = encode_state(store, clock=store.clock, substitutes=substitutes)
    stateless = sorted(name for name, api in core.apis.items()
                       if not IStatefulAPI.providedBy(api))
    return {
        "format": FORMAT,
        "clock": {"now": core.clock.seconds(), "realtime": core.realtime},
        "captured": ["identity", *sorted(set(core.apis) - set(stateless))],
        "not_captured": {"plugins": stateless, "keys": lost},
        "store": encoded,
    }


def restore(core: Any, document: Any) -> None:
    """
    Replace all of ``core``'s state with ``document`` (a :func:`snapshot`).
    A document that is malformed or of another format raises
    :class:`SnapshotError` and changes nothing.
    """
    if not isinstance(document, dict):
        raise SnapshotError("a state document is a JSON object")
    if document.get("format") != FORMAT:
        raise SnapshotError(
            f"unknown state format {document.get('format')!r}; this Mimic reads {FORMAT!r}")
    clock_part = document.get("clock")
    now = clock_part.get("now") if isinstance(clock_part, dict) else None
    if isinstance(now, bool) or not isinstance(now, (int, float)) \
            or not math.isfinite(now) or not 0 <= now <= MAX_CLOCK_SECONDS:
        # The bound of POST /mimic/v1.1/tick: no later time is shown right.
        raise SnapshotError("'clock.now' must be a number of seconds from 0 to "
                            f"{MAX_CLOCK_SECONDS}")
    if core.realtime:
        clock = core.clock
    else:
        clock = Clock()
        clock.advance(now)
    store = decode_state(document.get("store"), clock=clock)
    if not isinstance(store, SessionStore):
        raise SnapshotError("'store' does not hold a store of Mimic's state")
    core.clock = clock
    core.store = store
