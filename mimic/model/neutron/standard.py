"""
Neutron's standard attributes, which every resource carries: creation
and update timestamps (from Mimic's clock), a revision number that counts
updates, and tags (Neutron's ``standard-attr-tag``).
"""

from __future__ import annotations

import attrs


@attrs.define(eq=False)
class Stamped:
    """Neutron's standard attributes: timestamps and a revision number."""

    created_at: str
    updated_at: str
    revision_number: int = 0
    #: The resource's tags, in the order they were given (a shared empty
    #: tuple until there are some: most resources never have any).
    tags: tuple = ()

    def touch(self, now: str) -> None:
        self.updated_at = now
        self.revision_number += 1
