"""
Neutron's service flavors and service profiles (the ``flavors``
extension): a flavor names a kind of an advanced service an operator
offers (``service_type``: the type of one of the service plugins Mimic
emulates), a service profile the driver (or free-form ``metainfo``) that
provides it, and a flavor is associated with the profiles that implement
it. They belong to the region, not to a project: admins make them, every
project reads the flavors (the HTTP side applies Neutron's policies).

From github:openstack/neutron neutron/db/flavors_db.py (what is created,
the in-use rules, the driver check), neutron-lib
neutron_lib/api/definitions/flavors.py (attributes, defaults),
neutron_lib/exceptions/flavors.py (the errors and their words) and
neutron_lib/api/validators ``validate_service_plugin_type``.
"""

from __future__ import annotations

from typing import Any, Optional

import attrs

from mimic.model.neutron.faults import BadRequest, Conflict, NotFound, found

#: The ``service_type`` a flavor may have: the plugin types of the Neutron
#: services Mimic emulates (neutron-lib's plugin constants ``CORE``,
#: ``L3_ROUTER_NAT`` and ``FLAVORS``, and the ``get_plugin_type`` of the
#: trunk and IP-availability plugins), as Neutron takes only a type whose
#: plugin is loaded.
SERVICE_TYPES = ("CORE", "L3_ROUTER_NAT", "FLAVORS", "trunk", "network-ip-availability")

#: The drivers of the service providers ``/service-providers`` lists (its
#: one L3 provider, OVN's), which a profile's ``driver`` must name.
PROVIDER_DRIVERS = ("neutron.services.ovn_l3.service_providers.ovn.OvnDriver",)

#: Mimic's bound on the flavors and on the profiles of a region (Neutron
#: has no quota on them).
MAX_FLAVORS = 1000
MAX_SERVICE_PROFILES = 1000


@attrs.define(eq=False)
class ServiceFlavor:
    """A flavor of an advanced service, and the profiles associated with it."""

    id: str
    name: str
    description: str
    service_type: str
    enabled: bool = True
    #: The associated profiles' ids, in the order they were associated.
    service_profile_ids: list = attrs.field(factory=list)


@attrs.define(eq=False)
class ServiceProfile:
    """A provider's driver and what it is told (``metainfo``)."""

    id: str
    description: str
    driver: str
    metainfo: str
    enabled: bool = True


@attrs.define(eq=False)
class ServiceFlavors:
    """The flavors and service profiles of one region."""

    ids: Any
    flavors: dict = attrs.field(factory=dict)
    profiles: dict = attrs.field(factory=dict)

    # flavors

    def flavor(self, flavor_id: str) -> ServiceFlavor:
        return found(self.flavors, flavor_id, f"Flavor {flavor_id} could not be found.",
                     "FlavorNotFound")

    def create_flavor(self, service_type: Any, name: str = "", description: str = "",
                      enabled: bool = True) -> ServiceFlavor:
        if service_type not in SERVICE_TYPES:
            raise BadRequest(f"Invalid service type: {service_type}.", "InvalidServiceType")
        if len(self.flavors) >= MAX_FLAVORS:
            raise Conflict(f"Mimic holds at most {MAX_FLAVORS} flavors in a region.",
                           "OverQuota")
        made = ServiceFlavor(self.ids.uuid(), name, description, service_type, enabled)
        self.flavors[made.id] = made
        return made

    def update_flavor(self, flavor_id: str, name: Optional[str] = None,
                      description: Optional[str] = None,
                      enabled: Optional[bool] = None) -> ServiceFlavor:
        flavor = self.flavor(flavor_id)
        if name is not None:
            flavor.name = name
        if description is not None:
            flavor.description = description
        if enabled is not None:
            flavor.enabled = enabled
        return flavor

    def delete_flavor(self, flavor_id: str) -> None:
        """A flavor and its associations (no router takes a flavor in Mimic)."""
        self.flavor(flavor_id)
        del self.flavors[flavor_id]

    # associations

    def associate(self, flavor_id: str, profile_id: Any) -> ServiceProfile:
        flavor = self.flavor(flavor_id)
        profile = self.service_profile(profile_id if isinstance(profile_id, str) else "")
        if profile.id in flavor.service_profile_ids:
            raise Conflict(f"Service Profile {profile.id} is already associated with flavor "
                           f"{flavor_id}.", "FlavorServiceProfileBindingExists")
        flavor.service_profile_ids.append(profile.id)
        return profile

    def association(self, flavor_id: str, profile_id: str) -> ServiceProfile:
        flavor = self.flavor(flavor_id)
        if profile_id not in flavor.service_profile_ids:
            raise NotFound(f"Service Profile {profile_id} is not associated with flavor "
                           f"{flavor_id}.", "FlavorServiceProfileBindingNotFound")
        return self.profiles[profile_id]

    def disassociate(self, flavor_id: str, profile_id: str) -> None:
        self.association(flavor_id, profile_id)
        self.flavors[flavor_id].service_profile_ids.remove(profile_id)

    def flavors_of(self, profile_id: str) -> list[str]:
        """The flavors a profile is associated with."""
        return [f.id for f in self.flavors.values() if profile_id in f.service_profile_ids]

    # service profiles

    def service_profile(self, profile_id: str) -> ServiceProfile:
        return found(self.profiles, profile_id,
                     f"Service Profile {profile_id} could not be found.",
                     "ServiceProfileNotFound")

    def create_service_profile(self, description: str = "", driver: str = "",
                               metainfo: str = "", enabled: bool = True) -> ServiceProfile:
        if driver:
            _check_driver(driver)
        elif not metainfo:
            raise BadRequest("Service Profile needs either a driver or metainfo.",
                             "ServiceProfileEmpty")
        if len(self.profiles) >= MAX_SERVICE_PROFILES:
            raise Conflict(f"Mimic holds at most {MAX_SERVICE_PROFILES} service profiles in "
                           f"a region.", "OverQuota")
        made = ServiceProfile(self.ids.uuid(), description, driver, metainfo, enabled)
        self.profiles[made.id] = made
        return made

    def update_service_profile(self, profile_id: str, description: Optional[str] = None,
                               driver: Optional[str] = None, metainfo: Optional[str] = None,
                               enabled: Optional[bool] = None) -> ServiceProfile:
        """Change a profile no flavor is associated with."""
        if driver:
            _check_driver(driver)
        profile = self.service_profile(profile_id)
        self._ensure_unused(profile)
        if description is not None:
            profile.description = description
        if driver is not None:
            profile.driver = driver
        if metainfo is not None:
            profile.metainfo = metainfo
        if enabled is not None:
            profile.enabled = enabled
        return profile

    def delete_service_profile(self, profile_id: str) -> None:
        profile = self.service_profile(profile_id)
        self._ensure_unused(profile)
        del self.profiles[profile_id]

    def _ensure_unused(self, profile: ServiceProfile) -> None:
        if self.flavors_of(profile.id):
            raise Conflict(f"Service Profile {profile.id} is used by some service instance.",
                           "ServiceProfileInUse")


def _check_driver(driver: str) -> None:
    if driver not in PROVIDER_DRIVERS:
        raise NotFound(f"Service Profile driver {driver} could not be found.",
                       "ServiceProfileDriverNotFound")


def service_flavors(store: Any, region: str) -> ServiceFlavors:
    """The flavors and service profiles of ``region``, made on first use."""
    return store.data_for_api(("neutron-flavors", region),
                              lambda: ServiceFlavors(store.ids))
