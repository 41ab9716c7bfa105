"""
The flavors one region offers, as an operator can change them: the
profile's canned flavors to begin with, then whatever an admin creates or
deletes (``POST``/``DELETE /flavors``), the extra specs set on each
(``os-extra_specs``) and which projects may see a private flavor
(``os-flavor-access``).

:class:`mimic.model.flavors.Flavor` stays frozen: a change of extra specs
or description makes a new one in the catalog, and servers keep the one
they were built with (Nova embeds a copy of the flavor in the instance).
Nova's rules are nova/compute/flavors.py ``create`` (ram and vcpus at
least 1, disk, ephemeral and swap at least 0, a positive rxtx_factor,
a uuid when no id is given) and nova/objects/flavor.py (a private flavor is
seen by admins and the projects given access; name and id are unique).
"""

from __future__ import annotations

from typing import Iterable, Optional

import attrs

from mimic.model.flavors import Flavor
from mimic.model.nova_errors import BadRequest, Conflict, NotFound
from mimic.util import IdSource

#: The most flavors a region holds (the canned ones included), and the most
#: extra specs and access entries one flavor holds: bounds on what a client
#: can make Mimic keep. Nova has no such caps; a test suite never nears them.
MAX_FLAVORS = 1000
MAX_EXTRA_SPECS = 100
MAX_ACCESS_PROJECTS = 100


@attrs.define
class FlavorCatalog:
    """Every flavor of a region by id (in creation order) and who may see the private ones."""

    ids: IdSource
    _flavors: dict = attrs.field(factory=dict)
    #: flavor id -> the project ids given access (private flavors only).
    _access: dict = attrs.field(factory=dict)

    @classmethod
    def of(cls, flavors: Iterable[Flavor], ids: IdSource) -> "FlavorCatalog":
        return cls(ids, {flavor.id: flavor for flavor in flavors})

    def __iter__(self):
        return iter(list(self._flavors.values()))

    def find(self, flavor_id: str) -> Optional[Flavor]:
        return self._flavors.get(flavor_id)

    def get(self, flavor_id: str) -> Flavor:
        """The flavor, or Nova's :class:`NotFound`."""
        flavor = self._flavors.get(flavor_id)
        if flavor is None:
            raise NotFound(f"Flavor {flavor_id} could not be found.")
        return flavor

    def visible_to(self, flavor: Flavor, project_id: str, admin: bool) -> bool:
        """Public flavors for all; a private one for admins and the projects given access."""
        return flavor.is_public or admin or project_id in self._access.get(flavor.id, ())

    def listed_for(self, project_id: str, admin: bool,
                   is_public: Optional[bool]) -> list:
        """
        What ``GET /flavors`` shows. A non-admin always sees the public
        flavors and those its project may use; an admin asks with
        ``is_public`` (``None``: all), where ``True`` also brings the
        private flavors its project was given (nova/objects/flavor.py
        ``_flavor_get_all_from_db``).
        """
        if not admin:
            is_public = True
        found = []
        for flavor in self._flavors.values():
            if is_public is None or flavor.is_public == is_public or (
                    is_public and project_id in self._access.get(flavor.id, ())):
                if admin or self.visible_to(flavor, project_id, admin):
                    found.append(flavor)
        return found

    # what an operator changes

    def create(self, flavor: Flavor) -> Flavor:
        """Add ``flavor`` (its id made here if it has none); names and ids are unique."""
        check_sizes(flavor)
        if any(f.name == flavor.name for f in self._flavors.values()):
            raise Conflict(f"Flavor with name {flavor.name} already exists.")
        if not flavor.id:
            flavor = attrs.evolve(flavor, id=self.ids.uuid())
        if flavor.id in self._flavors:
            raise Conflict(f"Flavor with ID {flavor.id} already exists.")
        if len(self._flavors) >= MAX_FLAVORS:
            raise BadRequest(f"A region holds at most {MAX_FLAVORS} flavors in Mimic.")
        self._flavors[flavor.id] = flavor
        return flavor

    def delete(self, flavor_id: str) -> None:
        self.get(flavor_id)
        del self._flavors[flavor_id]
        self._access.pop(flavor_id, None)

    def describe(self, flavor_id: str, description: Optional[str]) -> Flavor:
        """Set the description (2.55's ``PUT /flavors/<id>``)."""
        return self._replace(attrs.evolve(self.get(flavor_id), description=description))

    def set_extra_specs(self, flavor_id: str, specs: dict) -> dict:
        """Add or change extra specs (Nova's ``POST`` merges); the flavor's specs after."""
        flavor = self.get(flavor_id)
        merged = {**dict(flavor.extra_specs), **specs}
        if len(merged) > MAX_EXTRA_SPECS:
            raise BadRequest(f"A flavor holds at most {MAX_EXTRA_SPECS} extra specs in Mimic.")
        self._replace(attrs.evolve(flavor, extra_specs=tuple(merged.items())))
        return merged

    def extra_spec(self, flavor_id: str, key: str) -> str:
        specs = dict(self.get(flavor_id).extra_specs)
        if key not in specs:
            raise NotFound(f"Flavor {flavor_id} has no extra specs with key {key}.")
        return specs[key]

    def delete_extra_spec(self, flavor_id: str, key: str) -> None:
        self.extra_spec(flavor_id, key)
        flavor = self.get(flavor_id)
        self._replace(attrs.evolve(flavor, extra_specs=tuple(
            (k, v) for k, v in flavor.extra_specs if k != key)))

    def access(self, flavor_id: str) -> list:
        """The projects given access; a public flavor has no access list."""
        flavor = self.get(flavor_id)
        if flavor.is_public:
            raise NotFound("Access list not available for public flavors.")
        return list(self._access.get(flavor_id, ()))

    def add_access(self, flavor_id: str, project_id: str, refuse_public: bool = True) -> list:
        """Share a flavor with a project; from 2.7 a public one is refused."""
        flavor = self.get(flavor_id)
        if flavor.is_public and refuse_public:
            raise Conflict("Can not add access to a public flavor.")
        projects = self._access.setdefault(flavor_id, [])
        if project_id in projects:
            raise Conflict(f"Flavor access already exists for flavor {flavor_id} "
                           f"and project {project_id} combination.")
        if len(projects) >= MAX_ACCESS_PROJECTS:
            raise BadRequest(f"A flavor is shared with at most {MAX_ACCESS_PROJECTS} "
                             f"projects in Mimic.")
        projects.append(project_id)
        return list(projects)

    def remove_access(self, flavor_id: str, project_id: str) -> list:
        self.get(flavor_id)
        projects = self._access.get(flavor_id, [])
        if project_id not in projects:
            raise NotFound(f"Flavor access not found for {flavor_id} / "
                           f"{project_id} combination.")
        projects.remove(project_id)
        return list(projects)

    def _replace(self, flavor: Flavor) -> Flavor:
        self._flavors[flavor.id] = flavor
        return flavor


#: Nova's database limit on the sizes (nova/db/constants.py ``MAX_INT``).
MAX_INT = 2147483647


def check_sizes(flavor: Flavor) -> None:
    """nova/compute/flavors.py's rules: positive ram and vcpus, the rest not negative."""
    for field, value, minimum in (("ram", flavor.ram, 1), ("vcpus", flavor.vcpus, 1),
                                  ("disk", flavor.disk, 0),
                                  ("ephemeral", flavor.ephemeral, 0),
                                  ("swap", flavor.swap, 0)):
        if not minimum <= value <= MAX_INT:
            raise BadRequest(f"Invalid input received: {field} must be >= {minimum} "
                             f"and <= {MAX_INT}")
    if not 0 < flavor.rxtx_factor <= 3.40282e38:
        raise BadRequest("Invalid input received: 'rxtx_factor' argument must be a "
                         "float between 0 and 3.40282e+38")
