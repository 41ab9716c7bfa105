"""
Neutron's standard attributes, which every resource carries: creation
and update timestamps (from Mimic's clock) and a revision number that
counts updates.
"""

from __future__ import annotations

import attrs


@attrs.define(eq=False)
class Stamped:
    """Neutron's standard attributes: timestamps and a revision number."""

    created_at: str
    updated_at: str
    revision_number: int = 0

    def touch(self, now: str) -> None:
        self.updated_at = now
        self.revision_number += 1
