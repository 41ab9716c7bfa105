"""
The integer ids of Cloud Load Balancers: handed out in order, global
across tenants (:class:`ClbIds`, one per Mimic) and never reused, even
after a delete, as the real service's are; and :func:`int_id`, the one
reading of an id a client wrote in a URL or a query.
"""

from __future__ import annotations

from typing import Any, Optional

import attrs

from mimic.model.clb.validation import is_integer


@attrs.define
class IdCounter:
    """Integer ids for one kind of thing, never reused (even after delete)."""

    next_id: int

    def take(self) -> int:
        value = self.next_id
        self.next_id += 1
        return value


@attrs.define
class ClbIds:
    """Every integer id the service hands out, global across tenants."""

    load_balancers: IdCounter = attrs.field(factory=lambda: IdCounter(1000))
    nodes: IdCounter = attrs.field(factory=lambda: IdCounter(10000))
    virtual_ips: IdCounter = attrs.field(factory=lambda: IdCounter(100))
    items: IdCounter = attrs.field(factory=lambda: IdCounter(1))


def int_id(value: Any) -> Optional[int]:
    """Ids in URLs and queries are integers; anything else names nothing."""
    if is_integer(value):
        return value
    text = str(value)
    if not (text.isascii() and text.isdigit()) or len(text) > 18:
        return None
    return int(text)
