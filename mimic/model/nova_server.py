"""
The records Nova keeps of a server (:class:`Server`, its passing
:class:`Transient` states, the ``(vm_state, task_state, power_state)``
behind each status) and the validated requests that make or find them
(:class:`ServerSpec`, :class:`ServerQuery`). Pure data and its rules;
:class:`mimic.model.nova.ComputeRegion` holds the servers.
"""

from __future__ import annotations

import re
from typing import Any, Optional

import attrs

from mimic.model.flavors import Flavor
from mimic.model.images import Image
from mimic.model.neutron import NetworkRequest
from mimic.model.nova_errors import BadRequest, InjectedFailure, QuotaExceeded
from mimic.model.patterns import BudgetedPattern


#: Nova's default quotas; instances, cores and RAM are not capped (a tenant
#: may hold as many servers as a test needs) but usage is counted.
METADATA_ITEMS = 40
QUOTAS = {
    "maxServerMeta": METADATA_ITEMS,
    "maxPersonality": 5,
    "maxPersonalitySize": 10240,
    "maxImageMeta": 128,
    "maxTotalKeypairs": 100,
    "maxSecurityGroups": 10,
    "maxSecurityGroupRules": 20,
    "maxTotalInstances": -1,
    "maxTotalCores": -1,
    "maxTotalRAMSize": -1,
    "maxTotalFloatingIps": 10,
    "maxServerGroups": 10,
    "maxServerGroupMembers": 10,
}

#: The most servers one create request makes (``max_count``): 200 take
#: 20 to 40 ms of the reactor; a billion held it for everyone. Nova's quota
#: rule applies with this as the headroom: a larger ``max_count`` makes
#: this many if ``min_count`` fits, else the request is a 403.
MAX_SERVERS_PER_REQUEST = 200

#: Each status Nova shows, with the ``(vm_state, task_state, power_state)``
#: behind it (power states: 0 no state, 1 running, 3 paused, 4 shut down,
#: 7 suspended).
STATES: dict[str, tuple[str, Optional[str], int]] = {
    "ACTIVE": ("active", None, 1),
    "BUILD": ("building", "spawning", 0),
    "ERROR": ("error", None, 0),
    "SHUTOFF": ("stopped", None, 4),
    "PAUSED": ("paused", None, 3),
    "SUSPENDED": ("suspended", None, 7),
    "RESCUE": ("rescued", None, 1),
    "VERIFY_RESIZE": ("resized", None, 1),
    "REBOOT": ("active", "rebooting", 1),
    "HARD_REBOOT": ("active", "rebooting_hard", 1),
    "REBUILD": ("active", "rebuilding", 0),
    "RESIZE": ("active", "resize_migrating", 1),
    "REVERT_RESIZE": ("resized", "resize_reverting", 1),
    # Only a deleted server, in the admins' ``deleted=True`` listing, shows it.
    "DELETED": ("deleted", None, 0),
}

DEFAULT_SECURITY_GROUPS = ("default",)
AVAILABILITY_ZONE = "nova"


# The things Nova holds.

@attrs.define
class ChangeCounter:
    """
    Counts every change to the servers of one region (shared by the region
    and its servers), so a listing can tell that nothing it shows changed.
    """

    value: int = 0


@attrs.frozen
class Transient:
    """A passing state: the server shows ``status`` until the clock reaches ``until``."""

    status: str
    until: float


@attrs.define(eq=False)
class Server:
    """
    A server. ``status`` is where it settles; while ``transient`` lasts the
    server shows the transient status instead (see :meth:`status_at`).
    ``revision`` counts changes, for caches of its rendering.
    """

    id: str
    name: str
    tenant_id: str
    user_id: str
    host_id: str
    image: Image
    flavor: Flavor
    created: float
    updated: float
    status: str
    changes: ChangeCounter
    transient: Optional[Transient] = None
    metadata: dict = attrs.field(factory=dict)
    key_name: Optional[str] = None
    access_ipv4: str = ""
    access_ipv6: str = ""
    disk_config: str = "AUTO"
    config_drive: str = ""
    locked: bool = False
    revision: int = 0
    tags: tuple = ()
    #: The volumes attached (:class:`mimic.model.nova_volumes.BlockDevice`).
    volumes: tuple = ()
    #: The image's properties when the server was built or rebuilt (what
    #: 2.98 embeds; Nova keeps them in the instance's system metadata):
    #: one dict shared by the servers of one image (never changed in place).
    image_properties: Optional[dict] = None
    #: The compute host it runs on (:meth:`mimic.model.nova_cloud.ComputeCloud.place`)
    #: and that host's zone when it was placed: every server has them, so
    #: they are slots (the host registry's strings), not part of ``asked``.
    _compute_host: Optional[str] = None
    _availability_zone: Optional[str] = None
    #: The id of the request that created it, as
    #: :func:`mimic.model.nova_instance_actions.compact_request_id` keeps it:
    #: its ``create`` instance action is read from the server itself.
    created_by: Any = None
    #: What a client set that later microversions show; most servers have
    #: none of it, and then it costs one slot.
    asked: Optional["ServerAsked"] = None

    def _asked(self, name: str) -> Any:
        return None if self.asked is None else getattr(self.asked, name)

    def _ask(self, name: str, value: Any) -> None:
        if self.asked is None:
            if value is None:
                return
            self.asked = ServerAsked()
        setattr(self.asked, name, value)

    description = property(lambda self: self._asked("description"),
                           lambda self, value: self._ask("description", value))
    locked_reason = property(lambda self: self._asked("locked_reason"),
                             lambda self, value: self._ask("locked_reason", value))
    user_data = property(lambda self: self._asked("user_data"),
                         lambda self, value: self._ask("user_data", value))
    pinned_availability_zone = property(
        lambda self: self._asked("pinned_availability_zone"),
        lambda self, value: self._ask("pinned_availability_zone", value))
    scheduler_hints = property(lambda self: self._asked("scheduler_hints"),
                               lambda self, value: self._ask("scheduler_hints", value))
    #: What the create's ``block_device_mapping_v2`` mapped.
    block_devices = property(lambda self: self._asked("block_devices") or (),
                             lambda self, value: self._ask("block_devices", value or None))

    @property
    def root_device_name(self) -> str:
        """The boot device's name as mapped, else the first virtio disk's."""
        for device in self.block_devices:
            if device.boot_index == 0 and device.device_name:
                return device.device_name
        return "/dev/vda"

    #: The id of the server group it was created into (2.71 shows it).
    server_group = property(lambda self: self._asked("server_group"),
                            lambda self, value: self._ask("server_group", value))
    #: The flavor a resize or migration left, until it is confirmed or reverted.
    previous_flavor = property(lambda self: self._asked("previous_flavor"),
                               lambda self, value: self._ask("previous_flavor", value))
    #: The ``server_delete_failure`` preset: how many deletes fail, with which code.
    delete_failures = property(lambda self: self._asked("delete_failures") or 0,
                               lambda self, value: self._ask("delete_failures", value or None))
    delete_failure_code = property(
        lambda self: self._asked("delete_failure_code") or 500,
        lambda self, value: self._ask("delete_failure_code",
                                      None if value == 500 else value))

    @property
    def compute_host(self) -> str:
        """Its host; a server made before hosts were placed shows one named from its hostId."""
        return self._compute_host or f"compute-{self.host_id[:8]}"

    @compute_host.setter
    def compute_host(self, value: str) -> None:
        self._compute_host = value

    @property
    def availability_zone(self) -> str:
        return self._availability_zone or AVAILABILITY_ZONE

    @availability_zone.setter
    def availability_zone(self, value: str) -> None:
        self._availability_zone = value
    #: When it was deleted (a deleted server is kept for listings and usage).
    deleted_at = property(lambda self: self._asked("deleted_at"),
                          lambda self, value: self._ask("deleted_at", value))

    def vm_state_at(self, now: float) -> str:
        return STATES[self.status_at(now)][0]

    #: Its place in a multiple create (0 when made alone).
    launch_index = property(lambda self: self._asked("launch_index") or 0,
                            lambda self, value: self._ask("launch_index", value or None))

    @property
    def reservation_id(self) -> str:
        """The create request's id: shared by a multiple create, else derived."""
        return self._asked("reservation_id") or f"r-{self.id[:8]}"

    @reservation_id.setter
    def reservation_id(self, value: Optional[str]) -> None:
        self._ask("reservation_id", value)

    @property
    def hostname(self) -> str:
        """As asked for, else as Nova derives it from the name (2.90)."""
        return (self._asked("hostname") or default_hostname(self.name)
                or f"server-{self.id}")

    @hostname.setter
    def hostname(self, value: Optional[str]) -> None:
        self._ask("hostname", value)

    def rename(self, name: str) -> None:
        """A new name; the hostname stays what it was, as in Nova."""
        if self._asked("hostname") is None:
            self.hostname = self.hostname
        self.name = name

    def status_at(self, now: float) -> str:
        transient = self.transient
        if transient is not None and now < transient.until:
            return transient.status
        return self.status

    def updated_at(self, now: float) -> float:
        transient = self.transient
        if transient is not None and now >= transient.until:
            return max(self.updated, transient.until)
        return self.updated

    def settle(self, now: float) -> None:
        """
        Make a finished transient state part of the record. Nothing a client
        sees changes, but afterwards the server's look depends on its
        ``revision`` alone until it is next changed or the transient ends.
        """
        transient = self.transient
        if transient is not None and now >= transient.until:
            self.updated = max(self.updated, transient.until)
            self.transient = None
            self.revision += 1
            self.changes.value += 1

    def touch(self, now: float) -> None:
        self.updated = now
        self.revision += 1
        self.changes.value += 1

    def go(self, status: str, now: float, via: Optional[str] = None,
           seconds: float = 0.0) -> None:
        """Settle at ``status``, passing through ``via`` for ``seconds`` first."""
        self.status = status
        self.transient = Transient(via, now + seconds) if via and seconds > 0 else None
        self.touch(now)


@attrs.define
class ServerAsked:
    """The parts of a server only some clients set (see :attr:`Server.asked`)."""

    reservation_id: Optional[str] = None
    description: Optional[str] = None
    locked_reason: Optional[str] = None
    user_data: Optional[str] = None
    hostname: Optional[str] = None
    pinned_availability_zone: Optional[str] = None
    scheduler_hints: Optional[dict] = None
    launch_index: Optional[int] = None
    server_group: Optional[str] = None
    block_devices: Optional[tuple] = None
    deleted_at: Optional[float] = None
    previous_flavor: Optional[Flavor] = None
    delete_failures: Optional[int] = None
    delete_failure_code: Optional[int] = None


@attrs.frozen
class ServerSpec:
    """A validated ``POST servers`` body."""

    name: str
    image_id: str
    flavor_id: str
    metadata: dict = attrs.field(factory=dict)
    key_name: Optional[str] = None
    security_groups: tuple[str, ...] = DEFAULT_SECURITY_GROUPS
    access_ipv4: str = ""
    access_ipv6: str = ""
    disk_config: str = "AUTO"
    config_drive: bool = False
    admin_pass: Optional[str] = None
    #: The fewest servers the create accepts (``min_count``), for the quota's cut.
    min_count: int = 1
    availability_zone: Optional[str] = None
    #: What to attach the server to; ``None`` is Nova's default (every
    #: network: ``public`` and ``private``), ``()`` no network at all.
    networks: Optional[tuple[NetworkRequest, ...]] = None
    description: Optional[str] = None
    tags: tuple[str, ...] = ()
    user_data: Optional[str] = None
    hostname: Optional[str] = None
    scheduler_hints: dict = attrs.field(factory=dict)
    #: ``block_device_mapping_v2`` (:mod:`mimic.model.nova_block_devices`).
    block_devices: tuple = ()


@attrs.frozen
class Created:
    """A new server, its password, and the failure to report despite it (if any)."""

    server: Server
    admin_pass: str
    false_negative: Optional[InjectedFailure] = None


@attrs.frozen
class ServerQuery:
    """The filters and page of a server listing."""

    name: Optional[BudgetedPattern] = None
    statuses: tuple[str, ...] = ()
    changes_since: Optional[float] = None
    image: Optional[str] = None
    flavor: Optional[str] = None
    limit: int = 1000
    marker: Optional[str] = None
    reservation_id: Optional[str] = None
    # From later microversions: tags (2.26), changes-before (2.66), locked (2.73).
    tags_all: tuple[str, ...] = ()
    tags_any: tuple[str, ...] = ()
    not_tags_all: tuple[str, ...] = ()
    not_tags_any: tuple[str, ...] = ()
    changes_before: Optional[float] = None
    locked: Optional[bool] = None
    #: ``False`` live servers only, ``True`` deleted ones only, ``None`` both.
    deleted: Optional[bool] = False
    #: An admin's ``all_tenants`` listing narrowed to one project.
    project_id: Optional[str] = None



def servers_to_create(min_count: int, max_count: int) -> int:
    """
    How many servers a create asking for ``min_count`` to ``max_count``
    makes, by Nova's quota rule (``check_num_instances_quota``): as many as
    asked when they fit in :data:`MAX_SERVERS_PER_REQUEST`, the most that
    fit when ``min_count`` does, else Nova's ``TooManyInstances`` (403).
    """
    allowed = MAX_SERVERS_PER_REQUEST
    if max_count <= allowed:
        return max_count
    if min_count <= allowed:
        return allowed
    requested = str(min_count) if min_count == max_count else f"{min_count}-{max_count}"
    raise QuotaExceeded(f"Quota exceeded for instances: Requested {requested}, but "
                        f"already used 0 of {allowed} instances")


def check_metadata_quota(metadata: dict) -> None:
    if len(metadata) > METADATA_ITEMS:
        raise QuotaExceeded(f"Maximum number of metadata items exceeds {METADATA_ITEMS}")


#: Nova's bounds on server tags (nova/objects/tag.py, the tags schema).
MAX_TAGS = 50
MAX_TAG_LENGTH = 60


def check_tag(tag: object) -> str:
    """A server tag: a string of 1-60 characters without ``/`` or ``,``."""
    if not isinstance(tag, str) or not 1 <= len(tag) <= MAX_TAG_LENGTH \
            or "/" in tag or "," in tag:
        raise BadRequest(f"Invalid tag {tag!r}: tags are 1 to {MAX_TAG_LENGTH} "
                         "characters without '/' or ','.")
    return tag


def default_hostname(name: str) -> str:
    """
    The hostname Nova derives from a display name (``sanitize_hostname``):
    lower case, spaces and underscores as dashes, only letters, digits,
    dots and dashes, at most 63 characters, no leading or trailing dots or
    dashes.
    """
    hostname = re.sub(r"[ _]", "-", name.lower())
    hostname = re.sub(r"[^\w.-]+", "", hostname, flags=re.ASCII)
    return hostname[:63].strip(".-")


#: What ``changes`` may set on update and on rebuild (each checked by the
#: REST layer against the microversion first).
UPDATABLE = frozenset({"description", "hostname"})
REBUILDABLE = frozenset({"description", "hostname", "key_name", "user_data"})


def apply_changes(server: Server, changes: dict, allowed: frozenset) -> None:
    """Set the attributes ``changes`` names (all of them in ``allowed``)."""
    unexpected = set(changes) - allowed
    if unexpected:
        raise BadRequest(f"Cannot change {', '.join(sorted(unexpected))} here.")
    for key, value in changes.items():
        setattr(server, key, value)


def image_properties_of(image: Image, shared: dict) -> dict:
    """
    What a server keeps of its image's properties (strings of at most 255),
    the same dict for every server of an image whose properties have not
    changed (``shared`` remembers one per image id).
    """
    properties = {k: v for k, v in image.metadata.items()
                  if isinstance(v, str) and len(v) <= 255 and 0 < len(k) <= 255}
    known = shared.get(image.id)
    if known == properties:
        return known
    shared[image.id] = properties
    return properties
