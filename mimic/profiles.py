"""
What a fresh Mimic holds before anyone asks for anything, chosen by
``--profile``: ``rackspace`` (the default: the Rackspace-like flavors and
images the original Mimic shipped, unchanged) or ``devstack`` (what a
devstack cloud has after ``stack.sh``, so suites written against devstack
run unmodified). Plain data, one :class:`Profile` per name; each plugin
reads the one the core's options name through :func:`profile_of`.

devstack's data, as its scripts make it (github:openstack/devstack):
lib/nova ``create_flavors`` (``cirros256`` c1, ``ds512M`` d1 ... ``ds4G``
d4, ``m1.tiny`` 1 ... ``m1.xlarge`` 5, each with ``hw_rng:allowed``),
lib/tempest (``m1.nano`` 42 and ``m1.micro`` 84 with its default
``TEMPEST_FLAVOR_RAM`` 192 and ``TEMPEST_FLAVOR_ALT_RAM`` 256, disk the
image's size in GiB: 1), stackrc's ``CIRROS_VERSION`` image; lib/keystone
``create_keystone_accounts`` (after ``keystone-manage bootstrap``) the
projects, users, roles, groups and role assignments of
:data:`DEVSTACK_ACCOUNTS`.
"""

from __future__ import annotations

import functools
from typing import Any, Callable, Mapping, Optional

import attrs

# The accounts a profile names are plain data, made in a store by
# mimic.model.identity.accounts.seed_accounts, and its flavors and images
# are made when first asked for: nothing here imports a model (the command
# line reads the profiles' names before it imports any: docs/performance.rst,
# start-up).

#: Who holds a role (:class:`SeedGrant`'s ``actor``) and on what (``target``).
USER = "user"
GROUP = "group"
PROJECT = "project"
DOMAIN = "domain"
SYSTEM = "system"


@attrs.frozen
class SeedUser:
    """A user the cloud starts with, in the default domain."""

    name: str
    #: The name of their default project (also its id, as for every project
    #: Mimic makes by name at authentication).
    project: str
    email: Optional[str] = None


@attrs.frozen
class SeedGroup:
    """A group the cloud starts with (without members, as devstack's are)."""

    name: str
    description: str = ""


@attrs.frozen
class SeedGrant:
    """
    One role assignment, by names: ``role`` held by a user or group
    (``actor``, ``actor_name``) on a project, a domain (by id) or the
    system (``target_name`` ``all``).
    """

    role: str
    actor: str
    actor_name: str
    target: str
    target_name: str


@attrs.frozen
class Accounts:
    """Everything a profile's identity starts with; empty for the default."""

    #: Roles beyond Keystone's built-in ``admin``, ``member`` and ``reader``.
    roles: tuple = ()
    #: Project names (each its own id) in the default domain.
    projects: tuple = ()
    users: tuple = ()
    groups: tuple = ()
    grants: tuple = ()


DEFAULT_PROFILE = "rackspace"

#: The cirros image devstack uploads (stackrc ``CIRROS_VERSION``).
CIRROS_IMAGE_ID = "c1a0c1a0-0006-4d2e-8f00-000000000602"
CIRROS_IMAGE_NAME = "cirros-0.6.2-x86_64-disk"

_RNG = (("hw_rng:allowed", "True"),)


@attrs.frozen
class Profile:
    """One profile's canned data: flavors, images (made fresh per store), accounts."""

    name: str
    #: The flavors (the same tuple every call).
    flavor_table: Callable[[], tuple]
    images: Callable[[], tuple]
    #: The projects, users, roles and assignments the cloud starts with.
    accounts: Accounts = Accounts()

    @property
    def flavors(self) -> tuple:
        """The profile's flavors (:class:`mimic.model.flavors.Flavor`)."""
        return self.flavor_table()

    def find_flavor(self, flavor_id: str) -> Any:
        for flavor in self.flavors:
            if flavor.id == flavor_id:
                return flavor
        return None


def rackspace_images() -> tuple:
    """The original Mimic's images (:func:`mimic.model.images.canned_images`)."""
    # The images' model is imported when a store first holds images (Nova or
    # Glance answering), not when the core starts (docs/performance.rst).
    from mimic.model.images import canned_images

    return canned_images()


def devstack_images() -> tuple:
    """devstack's one image, public, as Glance holds it after ``stack.sh``."""
    from mimic.model.images import Image

    return (Image(
        id=CIRROS_IMAGE_ID, name=CIRROS_IMAGE_NAME, created=0.0, min_disk=0, min_ram=0,
        size=21430272, disk_format="qcow2", container_format="bare",
        metadata={"hw_rng_model": "virtio", "os_distro": "cirros"},
    ),)


def rackspace_flavors() -> tuple:
    """The original Mimic's flavors (:data:`mimic.model.flavors.FLAVORS`)."""
    from mimic.model.flavors import FLAVORS

    return FLAVORS


@functools.cache
def devstack_flavors() -> tuple:
    """devstack's flavors (lib/nova and lib/tempest, above), made once."""
    from mimic.model.flavors import Flavor

    return (
        Flavor("1", "m1.tiny", 512, 1, 1, extra_specs=_RNG),
        Flavor("2", "m1.small", 2048, 20, 1, extra_specs=_RNG),
        Flavor("3", "m1.medium", 4096, 40, 2, extra_specs=_RNG),
        Flavor("4", "m1.large", 8192, 80, 4, extra_specs=_RNG),
        Flavor("42", "m1.nano", 192, 1, 1, extra_specs=_RNG),
        Flavor("5", "m1.xlarge", 16384, 160, 8, extra_specs=_RNG),
        Flavor("84", "m1.micro", 256, 1, 1, extra_specs=_RNG),
        Flavor("c1", "cirros256", 256, 1, 1, extra_specs=_RNG),
        Flavor("d1", "ds512M", 512, 5, 1, extra_specs=_RNG),
        Flavor("d2", "ds1G", 1024, 10, 1, extra_specs=_RNG),
        Flavor("d3", "ds2G", 2048, 10, 2, extra_specs=_RNG),
        Flavor("d4", "ds4G", 4096, 20, 4, extra_specs=_RNG),
    )


def _grants(role: str, actor: str, actor_name: str, target: str, *names: str) -> tuple:
    return tuple(SeedGrant(role, actor, actor_name, target, name) for name in names)


#: devstack's lib/keystone: ``keystone-manage bootstrap`` makes ``admin``
#: (user and project) with ``admin`` on the project and the system;
#: ``create_keystone_accounts`` adds the ``service`` project, the roles
#: ``service``, ``ResellerAdmin`` and ``anotherrole``, the ``demo`` and
#: ``alt_demo`` users and projects, ``invisible_to_admin``, the groups
#: ``admins`` and ``nonadmins`` (no members) and the assignments below
#: (its table: admin holds admin on the default domain, demo and alt_demo;
#: demo member and anotherrole on demo, member on invisible_to_admin;
#: alt_demo admin and anotherrole on alt_demo). Its tempest personas
#: (``demo_reader``, ``alt_demo_member``, ``system_reader``...) are left out.
DEVSTACK_ACCOUNTS = Accounts(
    roles=("service", "ResellerAdmin", "anotherrole"),
    projects=("admin", "service", "demo", "alt_demo", "invisible_to_admin"),
    users=(SeedUser("admin", "admin"),
           SeedUser("demo", "demo", "demo@example.com"),
           SeedUser("alt_demo", "alt_demo", "alt_demo@example.com")),
    groups=(SeedGroup("admins", "openstack admin group"),
            SeedGroup("nonadmins", "non-admin group")),
    grants=(
        *_grants("admin", USER, "admin", PROJECT, "admin", "demo", "alt_demo"),
        *_grants("admin", USER, "admin", DOMAIN, "default"),
        *_grants("admin", USER, "admin", SYSTEM, "all"),
        *_grants("member", USER, "demo", PROJECT, "demo", "invisible_to_admin"),
        *_grants("anotherrole", USER, "demo", PROJECT, "demo"),
        *_grants("admin", USER, "alt_demo", PROJECT, "alt_demo"),
        *_grants("anotherrole", USER, "alt_demo", PROJECT, "alt_demo"),
        *_grants("member", GROUP, "nonadmins", PROJECT, "demo", "alt_demo"),
        *_grants("anotherrole", GROUP, "nonadmins", PROJECT, "demo", "alt_demo"),
        *_grants("admin", GROUP, "admins", PROJECT, "admin"),
    ),
)

PROFILES: Mapping[str, Profile] = {
    "rackspace": Profile("rackspace", rackspace_flavors, rackspace_images),
    "devstack": Profile("devstack", devstack_flavors, devstack_images,
                        accounts=DEVSTACK_ACCOUNTS),
}


def profile_of(options: Mapping[str, Any]) -> Profile:
    """The profile the core's options name (the default without one)."""
    return PROFILES[options.get("profile") or DEFAULT_PROFILE]
