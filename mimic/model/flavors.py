"""
The flavors a compute region offers: a fixed, canned set shaped like a
Rackspace public-cloud region (the legacy numbered "standard" flavors plus
the ``general1``/``compute1``/``memory1``/``io1`` families).

Flavors never change at run time, so they are module-level constants
(immutable, therefore not state): every tenant and region sees the same
set, and servers refer to the :class:`Flavor` objects themselves.
"""

from __future__ import annotations

from typing import Optional

import attrs


@attrs.frozen
class Flavor:
    """A size of server: memory (MiB), disk (GiB), virtual CPUs."""

    id: str
    name: str
    ram: int
    disk: int
    vcpus: int
    swap: int = 0
    ephemeral: int = 0
    rxtx_factor: float = 1.0
    is_public: bool = True
    extra_specs: tuple = ()
    #: What an operator said of it (2.55).
    description: Optional[str] = None


FLAVORS: tuple[Flavor, ...] = (
    Flavor("2", "512MB Standard Instance", 512, 20, 1, swap=512, rxtx_factor=80.0),
    Flavor("3", "1GB Standard Instance", 1024, 40, 1, swap=1024, rxtx_factor=120.0),
    Flavor("4", "2GB Standard Instance", 2048, 80, 2, swap=2048, rxtx_factor=240.0),
    Flavor("5", "4GB Standard Instance", 4096, 160, 2, swap=2048, rxtx_factor=400.0),
    Flavor("6", "8GB Standard Instance", 8192, 320, 4, swap=2048, rxtx_factor=600.0),
    Flavor("7", "15GB Standard Instance", 15360, 620, 6, swap=2048, rxtx_factor=800.0),
    Flavor("8", "30GB Standard Instance", 30720, 1200, 8, swap=2048, rxtx_factor=1200.0),
    Flavor("general1-1", "1 GB General Purpose v1", 1024, 20, 1, rxtx_factor=200.0),
    Flavor("general1-2", "2 GB General Purpose v1", 2048, 40, 2, rxtx_factor=400.0),
    Flavor("general1-4", "4 GB General Purpose v1", 4096, 80, 4, rxtx_factor=800.0),
    Flavor("general1-8", "8 GB General Purpose v1", 8192, 160, 8, rxtx_factor=1600.0),
    Flavor("compute1-4", "3.75 GB Compute v1", 3840, 0, 2, rxtx_factor=312.5),
    Flavor("compute1-8", "7.5 GB Compute v1", 7680, 0, 4, rxtx_factor=625.0),
    Flavor("memory1-15", "15 GB Memory v1", 15360, 0, 2, rxtx_factor=625.0),
    Flavor("memory1-30", "30 GB Memory v1", 30720, 0, 4, rxtx_factor=1250.0),
    Flavor("io1-15", "15 GB I/O v1", 15360, 40, 4, ephemeral=150, rxtx_factor=1250.0),
    Flavor("io1-30", "30 GB I/O v1", 30720, 40, 8, ephemeral=300, rxtx_factor=2500.0),
)

_BY_ID = {flavor.id: flavor for flavor in FLAVORS}

#: Flavor references that are always refused, whatever the catalog holds, so
#: a test can ask for "a bad flavor" by a documented name: the original
#: Mimic's (``INVALID-FLAVOR-ID``, ``8888``, ``-4``, ``1``) and ours.
INVALID_FLAVOR_REFS = ("INVALID-FLAVOR-ID", "8888", "-4", "1", "-1", "0")

#: The size a server gets when it names a flavor Mimic does not know (and
#: refs are not strict): the smallest standard flavor's.
DEFAULT_FLAVOR = _BY_ID["2"]


def find_flavor(flavor_id: str) -> Optional[Flavor]:
    """The flavor with this id, or ``None``."""
    if flavor_id in INVALID_FLAVOR_REFS:
        return None
    return _BY_ID.get(flavor_id)


def stand_in_flavor(flavor_id: str) -> Flavor:
    """
    A flavor nobody defined, named by a create or resize request: it keeps
    the id the client sent and has :data:`DEFAULT_FLAVOR`'s sizes. It is
    not listed and ``GET flavors/<id>`` stays 404.
    """
    return attrs.evolve(DEFAULT_FLAVOR, id=flavor_id)
