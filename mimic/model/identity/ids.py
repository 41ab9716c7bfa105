"""
Identifiers that depend on a name and ``--seed`` only: a user's id and
default tenant id, a domain's id, a role's, a catalog service's and
endpoint's. Unlike the ids drawn from :class:`mimic.util.IdSource` (whose
values depend on the order of the requests), these are the same in every
run and after every reset, whatever was asked first.

They are keyed BLAKE2b digests of the name. Two names with the same
digest would need about 2**64 names to be likely; should it ever happen,
:meth:`StableIds.unique` gives the later name the digest of its name with a
counter, so two names never share an id (the first name keeps the plain
one; only then does the order of arrival matter).
"""

from __future__ import annotations

import hashlib
from typing import Callable

import attrs


@attrs.frozen
class StableIds:
    """Derives ids from names under one seed."""

    seed: int = 0
    _key: bytes = attrs.field(init=False)

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "_key", f"mimic-ids:{self.seed}".encode("utf-8"))

    def number(self, kind: str, name: str) -> int:
        """A 128-bit number for ``name`` among the ``kind`` things."""
        digest = hashlib.blake2b(
            f"{kind}\x00{name}".encode("utf-8", "surrogatepass"),
            key=self._key, digest_size=16,
        ).digest()
        return int.from_bytes(digest, "big")

    def hex(self, kind: str, name: str) -> str:
        """32 lowercase hex digits, the shape of Keystone's ids."""
        return f"{self.number(kind, name):032x}"

    def unique(self, kind: str, name: str, taken: Callable[[str], bool]) -> str:
        """
        :meth:`hex` of ``name``, or, if ``taken`` says another name already
        holds that id, of ``name`` with the first counter that is free.
        """
        candidate = self.hex(kind, name)
        counter = 0
        while taken(candidate):
            counter += 1
            candidate = self.hex(kind, f"{name}\x00{counter}")
        return candidate


def tenant_id_of_user(user_id: str) -> str:
    """
    The default tenant id of a user who named none: the user id's number in
    decimal, so it is numeric as Rackspace tenant ids are, and two users
    (whose ids differ) can never share it.
    """
    return str(int(user_id, 16))
