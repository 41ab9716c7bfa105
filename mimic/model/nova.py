"""
OpenStack Compute (Nova) state for one tenant in one region: servers and
their life cycle, keypairs, quota usage, and the misbehaviour a test asks
for (metadata presets on create, behaviors registered through the control
API).

Time is Mimic's clock, read when asked: a server that builds for 120 s
holds a :class:`Transient` ("BUILD until t, then ACTIVE") and its status is
computed from the clock on every read, so nothing is scheduled and ten
thousand building servers cost nothing until they are looked at. Every
operation here is O(1) in the number of servers except listing, which must
look at them.

Errors are exceptions named for what went wrong (:class:`BadRequest`,
:class:`Conflict`, ... in :mod:`mimic.model.nova_errors`); the REST layer
turns each into Nova's status code and body. Key pairs live in
:mod:`mimic.model.keypairs`, images in :mod:`mimic.model.images`, flavors in
:mod:`mimic.model.flavors`. A server's networking (its ports, addresses,
floating IPs and security groups) is Neutron's: :mod:`mimic.model.neutron`
holds it, keyed by the server's id, and every Nova operation on it goes
there, so Nova and Neutron always tell the same story.
"""

from __future__ import annotations

import hashlib
from contextlib import contextmanager
from typing import Any, Iterator, Optional

import attrs

from mimic.bounds import load_json
from mimic.model.behaviors import (
    BehaviorKind,
    BehaviorRegistry,
    CriterionKind,
    Event,
    InvalidBehavior,
    coerce_number,
    duration_kind,
    failure_kind,
    integer_parameter,
)
from mimic.model.flavors import Flavor, find_flavor
from mimic.model.images import Image, ImageStore, image_store_for
from mimic.model.keypairs import KeypairStore
from mimic.model import neutron
from mimic.model.neutron import NetworkRequest, NetworkState, network_state
from mimic.model.patterns import BudgetedPattern
from mimic.model.nova_errors import (  # noqa: F401 - the model's errors, re-exported
    BadRequest,
    ComputeError,
    Conflict,
    InjectedFailure,
    NotFound,
    QuotaExceeded,
)
from mimic.util import IdSource

# How long the passing states last, in clock seconds.
REBOOT_SECONDS = 3.0
HARD_REBOOT_SECONDS = 5.0
REBUILD_SECONDS = 5.0
RESIZE_SECONDS = 5.0
REVERT_RESIZE_SECONDS = 3.0

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
}

DEFAULT_SECURITY_GROUPS = ("default",)
AVAILABILITY_ZONE = "nova"


# Behaviors (the control API) and presets (metadata).

def _failure_kind(name: str, message: str, description: str) -> BehaviorKind:
    """``fail``-shaped parameters; ``type`` left ``None`` means "Nova's name for the code"."""
    base = failure_kind("computeFault", message, description)

    def validate(parameters: Any) -> dict:
        checked = base.validate(parameters)
        if "type" not in parameters:
            checked["type"] = None
        return checked

    return BehaviorKind(name, description, validate)


_CRITERIA = (CriterionKind("server_name"), CriterionKind("metadata", shape="mapping"))

CREATION_EVENT = Event(
    name="creation",
    behaviors=(
        _failure_kind("fail", "The server could not be created.",
                      "answer {code, message, type}; no server is created"),
        _failure_kind("false-negative", "The server could not be created.",
                      "answer {code, message, type}, yet create the server"),
        duration_kind("build", "stay in BUILD for {duration} seconds, then ACTIVE", default=0),
        BehaviorKind("error", "go straight to ERROR"),
        duration_kind("active-then-error",
                       "be ACTIVE for {duration} seconds, then ERROR", default=0),
        BehaviorKind("default", "create an ACTIVE server at once"),
    ),
    criteria=_CRITERIA,
)

DELETION_EVENT = Event(
    name="deletion",
    behaviors=(
        _failure_kind("fail", "The server could not be deleted.",
                      "answer {code, message, type}; the server stays"),
        BehaviorKind("default", "delete the server"),
    ),
    criteria=_CRITERIA,
)

EVENTS = {event.name: event for event in (CREATION_EVENT, DELETION_EVENT)}

#: Metadata keys that change how a new server behaves.
PRESETS = {
    "server_building": "seconds (number or numeric string) to stay in BUILD",
    "server_error": "any value: the server goes to ERROR at once",
    "create_server_failure":
        '{"message": ..., "code": ...} (object or JSON string): answer that '
        "error and create nothing",
    "delete_server_failure":
        '{"code": ..., "times": ...} (object or JSON string): DELETE fails '
        "`times` times with `code`, then succeeds",
}


@attrs.frozen
class CreationPresets:
    """What a new server's metadata asks of it."""

    building: float = 0.0
    error: bool = False
    failure: Optional[InjectedFailure] = None
    delete_failure_code: int = 500
    delete_failures: int = 0

    @classmethod
    def from_metadata(cls, metadata: dict) -> "CreationPresets":
        """Read the presets in ``metadata``; a malformed one is a :class:`BadRequest`."""
        try:
            building = 0.0
            if "server_building" in metadata:
                building = coerce_number(metadata["server_building"], "server_building")
                if building < 0:
                    raise InvalidBehavior("'server_building' must not be negative")
            failure = None
            if "create_server_failure" in metadata:
                spec = _preset_object(metadata["create_server_failure"],
                                      "create_server_failure")
                message = spec.get("message", "Server creation failed.")
                if not isinstance(message, str):
                    raise InvalidBehavior("create_server_failure.message must be a string")
                code = integer_parameter(spec, "code", default=500, minimum=400, maximum=599)
                failure = InjectedFailure(code, message)
            delete_code, delete_times = 500, 0
            if "delete_server_failure" in metadata:
                spec = _preset_object(metadata["delete_server_failure"],
                                      "delete_server_failure")
                delete_code = integer_parameter(spec, "code", default=500,
                                                minimum=400, maximum=599)
                delete_times = integer_parameter(spec, "times", default=1, minimum=0)
        except InvalidBehavior as invalid:
            raise BadRequest(f"Invalid metadata preset: {invalid}") from None
        return cls(building, "server_error" in metadata, failure, delete_code, delete_times)


def _preset_object(value: Any, name: str) -> dict:
    if isinstance(value, str):
        try:
            value = load_json(value)
        except ValueError:
            raise InvalidBehavior(f"{name!r} must be a JSON object") from None
    if not isinstance(value, dict):
        raise InvalidBehavior(f"{name!r} must be a JSON object")
    return value


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
    previous_flavor: Optional[Flavor] = None
    delete_failure_code: int = 500
    delete_failures: int = 0
    revision: int = 0

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
    availability_zone: Optional[str] = None
    #: What to attach the server to; ``None`` is Nova's default (every
    #: network: ``public`` and ``private``), ``()`` no network at all.
    networks: Optional[tuple[NetworkRequest, ...]] = None


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


@attrs.define
class ComputeRegion:
    """Everything Nova keeps for one tenant in one region."""

    tenant_id: str
    clock: Any
    ids: IdSource
    images: ImageStore
    network: NetworkState
    creation_behaviors: BehaviorRegistry
    deletion_behaviors: BehaviorRegistry
    host_id: str
    changes: ChangeCounter = attrs.field(factory=ChangeCounter)
    _servers: dict[str, Server] = attrs.field(factory=dict)
    keypairs: KeypairStore = attrs.field(init=False)
    instances_used: int = 0
    cores_used: int = 0
    ram_used: int = 0

    @classmethod
    def for_tenant(cls, session_store: Any, tenant_id: str, region: str) -> "ComputeRegion":
        """The region's state, made on first use and shared by every API that asks."""

        def make() -> "ComputeRegion":
            ids = session_store.ids
            return cls(
                tenant_id=tenant_id,
                clock=session_store.clock,
                ids=ids,
                images=image_store_for(session_store, tenant_id, region),
                network=network_state(session_store, tenant_id, region),
                creation_behaviors=BehaviorRegistry(CREATION_EVENT, ids),
                deletion_behaviors=BehaviorRegistry(DELETION_EVENT, ids),
                host_id=hashlib.sha224(f"{tenant_id}{region}".encode()).hexdigest(),
            )

        return session_store.tenant(tenant_id).data_for_api(("nova", region), make)

    def __attrs_post_init__(self) -> None:
        self.keypairs = KeypairStore(self.tenant_id, QUOTAS["maxTotalKeypairs"])

    def now(self) -> float:
        return self.clock.seconds()

    def behaviors(self, event: str) -> BehaviorRegistry:
        """The registry for ``event``; :class:`NotFound` for an unknown one."""
        if event == CREATION_EVENT.name:
            return self.creation_behaviors
        if event == DELETION_EVENT.name:
            return self.deletion_behaviors
        raise NotFound(f"Nova has no behavior event {event!r}; "
                       f"known: {', '.join(sorted(EVENTS))}.")

    # servers

    def server(self, server_id: str) -> Server:
        server = self._servers.get(server_id)
        if server is None:
            raise NotFound(f"Instance {server_id} could not be found.")
        return server

    def __len__(self) -> int:
        return len(self._servers)

    def resolve_image(self, image_id: str) -> Image:
        """The image a request names; a :class:`BadRequest` if there is none."""
        image = self.images.find(image_id)
        if image is None:
            raise BadRequest(f"Image {image_id} could not be found.")
        return image

    def resolve_flavor(self, flavor_id: str) -> Flavor:
        """The flavor a request names; a :class:`BadRequest` if there is none."""
        flavor = find_flavor(flavor_id)
        if flavor is None:
            raise BadRequest(f"Flavor {flavor_id} could not be found.")
        return flavor

    def create_server(self, spec: ServerSpec, user_id: str) -> Created:
        """
        Create a server as ``spec`` says, applying presets and behaviors.
        Everything is checked before anything changes.
        """
        now = self.now()
        check_metadata_quota(spec.metadata)
        presets = CreationPresets.from_metadata(spec.metadata)
        image = self.resolve_image(spec.image_id)
        flavor = self.resolve_flavor(spec.flavor_id)
        if spec.key_name is not None and spec.key_name not in self.keypairs:
            raise BadRequest("Invalid key_name provided.")
        if spec.availability_zone not in (None, AVAILABILITY_ZONE):
            raise BadRequest(f"The requested availability zone "
                             f"{spec.availability_zone!r} is not available")
        if presets.failure is not None:
            raise presets.failure
        chosen = self.creation_behaviors.choose(
            {"server_name": spec.name, "metadata": spec.metadata})
        if chosen.name == "fail":
            raise _injected(chosen.parameters)
        server_id = self.ids.uuid()
        with _refused_by_neutron(not_found=BadRequest, conflict=BadRequest):
            # Last of the checks, and all or nothing itself.
            self.network.place_server(server_id, spec.networks, spec.security_groups)
        server = Server(
            id=server_id,
            name=spec.name,
            tenant_id=self.tenant_id,
            user_id=user_id,
            host_id=self.host_id,
            image=image,
            flavor=flavor,
            created=now,
            updated=now,
            status="ACTIVE",
            changes=self.changes,
            metadata=dict(spec.metadata),
            key_name=spec.key_name,
            access_ipv4=spec.access_ipv4,
            access_ipv6=spec.access_ipv6,
            disk_config=spec.disk_config,
            config_drive="True" if spec.config_drive else "",
            delete_failure_code=presets.delete_failure_code,
            delete_failures=presets.delete_failures,
        )
        _apply_creation_outcome(server, chosen.name, chosen.parameters, now)
        if presets.error:
            server.status, server.transient = "ERROR", None
        elif presets.building > 0:
            server.transient = Transient("BUILD", now + presets.building)
        self._servers[server.id] = server
        self.changes.value += 1
        self.instances_used += 1
        self.cores_used += flavor.vcpus
        self.ram_used += flavor.ram
        admin_pass = spec.admin_pass or self.ids.hex(12)
        false_negative = _injected(chosen.parameters) if chosen.name == "false-negative" else None
        return Created(server, admin_pass, false_negative)

    def create_servers(self, spec: ServerSpec, user_id: str, count: int) -> list[Created]:
        """
        ``count`` servers at once, all or none; with more than one they are
        named ``<name>-1``, ``<name>-2``... as Nova names them.
        """
        if count == 1:
            return [self.create_server(spec, user_id)]
        created: list[Created] = []
        try:
            for number in range(1, count + 1):
                named = attrs.evolve(spec, name=f"{spec.name}-{number}")
                created.append(self.create_server(named, user_id))
        except ComputeError:
            for done in created:
                self._discard(done.server)
            raise
        return created

    def delete_server(self, server_id: str) -> None:
        """Delete a server, unless it is locked or a test asked for a failure."""
        server = self.server(server_id)
        if server.locked:
            raise Conflict(f"Instance {server_id} is locked")
        if server.delete_failures > 0:
            server.delete_failures -= 1
            raise InjectedFailure(server.delete_failure_code,
                                  "The server could not be deleted.")
        chosen = self.deletion_behaviors.choose(
            {"server_name": server.name, "metadata": server.metadata})
        if chosen.name == "fail":
            raise _injected(chosen.parameters)
        self._discard(server)

    def _discard(self, server: Server) -> None:
        del self._servers[server.id]
        self.changes.value += 1
        self.network.detach_server(server.id)
        self.instances_used -= 1
        self.cores_used -= server.flavor.vcpus
        self.ram_used -= server.flavor.ram

    def list_servers(self, query: ServerQuery) -> list[Server]:
        """Servers matching ``query``, newest first, one page of them."""
        if query.marker is not None and query.marker not in self._servers:
            raise BadRequest(f"marker [{query.marker}] not found")
        if query.statuses and not set(query.statuses) & STATES.keys():
            return []  # an unknown status matches nothing, as in Nova 2.1
        now = self.now()
        candidates: Iterator[Server] = reversed(self._servers.values())
        if query.marker is not None:
            candidates = _after(candidates, query.marker)
        page: list[Server] = []
        for server in candidates:
            if len(page) >= query.limit:
                break
            if _matches(server, query, now):
                page.append(server)
        return page

    def update_server(self, server_id: str, name: Optional[str] = None,
                      access_ipv4: Optional[str] = None,
                      access_ipv6: Optional[str] = None,
                      disk_config: Optional[str] = None) -> Server:
        server = self.server(server_id)
        now = self.now()
        server.settle(now)
        if name is not None:
            server.name = name
        if access_ipv4 is not None:
            server.access_ipv4 = access_ipv4
        if access_ipv6 is not None:
            server.access_ipv6 = access_ipv6
        if disk_config is not None:
            server.disk_config = disk_config
        server.touch(now)
        return server

    def set_statuses(self, statuses: dict[str, str]) -> None:
        """
        Put servers straight into a status (the control API's
        ``attributes``); all are checked before any changes.
        """
        servers = [(self.server(server_id), status) for server_id, status in statuses.items()]
        for _, status in servers:
            if status not in STATES:
                raise BadRequest(f"Unknown server status {status!r}; known: "
                                 f"{', '.join(sorted(STATES))}.")
        now = self.now()
        for server, status in servers:
            server.go(status, now)

    # metadata

    def replace_metadata(self, server_id: str, metadata: dict) -> dict:
        server = self.server(server_id)
        check_metadata_quota(metadata)
        server.metadata = dict(metadata)
        server.touch(self.now())
        return server.metadata

    def merge_metadata(self, server_id: str, metadata: dict) -> dict:
        server = self.server(server_id)
        merged = {**server.metadata, **metadata}
        check_metadata_quota(merged)
        server.metadata = merged
        server.touch(self.now())
        return merged

    def metadata_item(self, server_id: str, key: str) -> str:
        metadata = self.server(server_id).metadata
        if key not in metadata:
            raise NotFound("Metadata item was not found")
        return metadata[key]

    def delete_metadata_item(self, server_id: str, key: str) -> None:
        server = self.server(server_id)
        if key not in server.metadata:
            raise NotFound("Metadata item was not found")
        del server.metadata[key]
        server.touch(self.now())

    # actions

    def _ready_for(self, server: Server, action: str, *statuses: str) -> float:
        """The time now, once the server may do ``action``; :class:`Conflict` if not."""
        now = self.now()
        server.settle(now)
        if server.locked:
            raise Conflict(f"Instance {server.id} is locked")
        status = server.status_at(now)
        if status not in statuses:
            vm_state, task_state, _ = STATES[status]
            if task_state is not None:
                raise Conflict(f"Cannot '{action}' instance {server.id} while it is "
                               f"in task_state {task_state}")
            raise Conflict(f"Cannot '{action}' instance {server.id} while it is "
                           f"in vm_state {vm_state}")
        return now

    def reboot(self, server_id: str, hard: bool) -> None:
        server = self.server(server_id)
        if hard:
            now = self._ready_for(server, "reboot", "ACTIVE", "SHUTOFF", "PAUSED",
                                  "SUSPENDED", "ERROR", "REBOOT")
            server.go("ACTIVE", now, "HARD_REBOOT", HARD_REBOOT_SECONDS)
        else:
            now = self._ready_for(server, "reboot", "ACTIVE")
            server.go("ACTIVE", now, "REBOOT", REBOOT_SECONDS)

    def rebuild(self, server_id: str, image_id: str, name: Optional[str] = None,
                metadata: Optional[dict] = None, access_ipv4: Optional[str] = None,
                access_ipv6: Optional[str] = None) -> Server:
        server = self.server(server_id)
        image = self.resolve_image(image_id)
        if metadata is not None:
            check_metadata_quota(metadata)
        now = self._ready_for(server, "rebuild", "ACTIVE", "SHUTOFF", "ERROR")
        server.image = image
        if name is not None:
            server.name = name
        if metadata is not None:
            server.metadata = dict(metadata)
        if access_ipv4 is not None:
            server.access_ipv4 = access_ipv4
        if access_ipv6 is not None:
            server.access_ipv6 = access_ipv6
        server.go("ACTIVE", now, "REBUILD", REBUILD_SECONDS)
        return server

    def resize(self, server_id: str, flavor_id: str) -> None:
        server = self.server(server_id)
        flavor = self.resolve_flavor(flavor_id)
        now = self._ready_for(server, "resize", "ACTIVE", "SHUTOFF")
        if flavor is server.flavor:
            raise BadRequest("When resizing, instances must change flavor!")
        server.previous_flavor = server.flavor
        self._charge(server.flavor, flavor)
        server.flavor = flavor
        server.go("VERIFY_RESIZE", now, "RESIZE", RESIZE_SECONDS)

    def confirm_resize(self, server_id: str) -> None:
        server = self.server(server_id)
        now = self._ready_for(server, "confirmResize", "VERIFY_RESIZE")
        server.previous_flavor = None
        server.go("ACTIVE", now)

    def revert_resize(self, server_id: str) -> None:
        server = self.server(server_id)
        now = self._ready_for(server, "revertResize", "VERIFY_RESIZE")
        previous = server.previous_flavor
        if previous is not None:
            self._charge(server.flavor, previous)
            server.flavor = previous
        server.previous_flavor = None
        server.go("ACTIVE", now, "REVERT_RESIZE", REVERT_RESIZE_SECONDS)

    def _charge(self, old: Flavor, new: Flavor) -> None:
        self.cores_used += new.vcpus - old.vcpus
        self.ram_used += new.ram - old.ram

    def change_password(self, server_id: str) -> None:
        server = self.server(server_id)
        now = self._ready_for(server, "changePassword", "ACTIVE")
        server.touch(now)

    def create_image(self, server_id: str, name: str, metadata: dict) -> Image:
        server = self.server(server_id)
        now = self._ready_for(server, "createImage", "ACTIVE", "SHUTOFF",
                              "PAUSED", "SUSPENDED")
        return self.images.create_snapshot(
            name, server.id, now, min_disk=server.flavor.disk,
            min_ram=server.image.min_ram, metadata=metadata)

    def rescue(self, server_id: str) -> None:
        self._switch(server_id, "rescue", ("ACTIVE", "SHUTOFF", "ERROR"), "RESCUE")

    def unrescue(self, server_id: str) -> None:
        self._switch(server_id, "unrescue", ("RESCUE",), "ACTIVE")

    def start(self, server_id: str) -> None:
        self._switch(server_id, "start", ("SHUTOFF",), "ACTIVE")

    def stop(self, server_id: str) -> None:
        self._switch(server_id, "stop", ("ACTIVE", "ERROR", "RESCUE"), "SHUTOFF")

    def pause(self, server_id: str) -> None:
        self._switch(server_id, "pause", ("ACTIVE",), "PAUSED")

    def unpause(self, server_id: str) -> None:
        self._switch(server_id, "unpause", ("PAUSED",), "ACTIVE")

    def suspend(self, server_id: str) -> None:
        self._switch(server_id, "suspend", ("ACTIVE",), "SUSPENDED")

    def resume(self, server_id: str) -> None:
        self._switch(server_id, "resume", ("SUSPENDED",), "ACTIVE")

    def _switch(self, server_id: str, action: str, allowed: tuple, status: str) -> None:
        server = self.server(server_id)
        now = self._ready_for(server, action, *allowed)
        server.go(status, now)

    def lock(self, server_id: str, locked: bool = True) -> None:
        server = self.server(server_id)
        server.locked = locked
        server.touch(self.now())

    # networking: Neutron's model, seen through Nova's API

    def security_groups_of(self, server: Server) -> list[str]:
        """The names of the groups on the server's ports."""
        return [g.name for g in self.network.security_groups_of(server.id)]

    def addresses_of(self, server: Server) -> dict:
        return self.network.addresses_for(server.id)

    def add_security_group(self, server_id: str, name: str) -> None:
        self.server(server_id)
        with _refused_by_neutron(not_found_message=f"Security group {name} not found."):
            self.network.add_security_group(server_id, name)

    def remove_security_group(self, server_id: str, name: str) -> None:
        self.server(server_id)
        with _refused_by_neutron(not_found_message=f"Security group {name} not found."):
            self.network.remove_security_group(server_id, name)

    def add_fixed_ip(self, server_id: str, network_id: str) -> None:
        """Another address on the server's port on ``network_id``."""
        self.server(server_id)
        with _refused_by_neutron(not_found=BadRequest):
            self.network.add_fixed_ip(server_id, network_id)

    def remove_fixed_ip(self, server_id: str, address: str) -> None:
        self.server(server_id)
        with _refused_by_neutron():
            self.network.remove_fixed_ip(server_id, address)

    def add_floating_ip(self, server_id: str, address: str,
                        fixed_address: Optional[str] = None) -> None:
        self.server(server_id)
        with _refused_by_neutron():
            self.network.associate_floating_ip_with_server(server_id, address, fixed_address)

    def remove_floating_ip(self, server_id: str, address: str) -> None:
        self.server(server_id)
        with _refused_by_neutron():
            self.network.disassociate_floating_ip_from_server(server_id, address)

    def interfaces(self, server_id: str) -> list[neutron.Port]:
        """The server's ports, as ``os-interface`` lists them."""
        self.server(server_id)
        return self.network.ports_of(server_id)

    def interface(self, server_id: str, port_id: str) -> neutron.Port:
        self.server(server_id)
        port = self.network.ports.get(port_id)
        if port is None or port.device_id != server_id:
            raise NotFound(f"Instance {server_id} does not have a port with id {port_id}")
        return port

    def attach_interface(self, server_id: str, network_id: Optional[str] = None,
                         port_id: Optional[str] = None,
                         fixed_ip: Optional[str] = None) -> neutron.Port:
        """
        Bind a port (``port_id``) or a new port on ``network_id`` to the
        server; with neither, Nova cannot choose between the two networks.
        """
        server = self.server(server_id)
        self._ready_for(server, "attach_interface", "ACTIVE", "PAUSED", "SHUTOFF",
                        "SUSPENDED")
        if network_id is None and port_id is None:
            raise Conflict("Multiple possible networks found, use a Network ID to be "
                           "more specific.")
        groups = None
        if port_id is None:
            groups = [g.id for g in self.network.security_groups_of(server_id)] or None
        with _refused_by_neutron():
            return self.network.attach_interface(server_id, network_id=network_id,
                                                 port_id=port_id, fixed_ip=fixed_ip,
                                                 security_group_ids=groups)

    def detach_interface(self, server_id: str, port_id: str) -> None:
        server = self.server(server_id)
        self._ready_for(server, "detach_interface", "ACTIVE", "PAUSED", "SHUTOFF",
                        "SUSPENDED")
        self.interface(server_id, port_id)
        with _refused_by_neutron():
            self.network.detach_interface(server_id, port_id)

    def limits(self) -> dict:
        """Quotas and what the tenant uses of them here."""
        return {
            **QUOTAS,
            "totalInstancesUsed": self.instances_used,
            "totalCoresUsed": self.cores_used,
            "totalRAMUsed": self.ram_used,
            "totalSecurityGroupsUsed": len(self.network.security_groups),
            "totalFloatingIpsUsed": len(self.network.floating_ips),
            "totalServerGroupsUsed": 0,
        }


def _apply_creation_outcome(server: Server, behavior: str, parameters: dict,
                            now: float) -> None:
    if behavior == "build" and parameters["duration"] > 0:
        server.transient = Transient("BUILD", now + parameters["duration"])
    elif behavior == "error":
        server.status = "ERROR"
    elif behavior == "active-then-error":
        server.status = "ERROR"
        server.transient = Transient("ACTIVE", now + parameters["duration"])


@contextmanager
def _refused_by_neutron(not_found: type = NotFound, conflict: type = Conflict,
                        not_found_message: Optional[str] = None) -> Iterator[None]:
    """
    Turn Neutron's refusals into Nova's: a missing thing is ``not_found``
    (Nova answers 400 for a missing network or port in a create request,
    404 elsewhere), a port bound elsewhere a :class:`Conflict`, another
    conflict ``conflict`` (a fixed IP in use is a 400 on create, a 409 on
    attach), the rest bad requests.
    """
    try:
        yield
    except neutron.NotFound as fault:
        raise not_found(not_found_message or fault.message) from None
    except neutron.Conflict as fault:
        if fault.kind == "PortInUse":
            raise Conflict(fault.message) from None
        raise conflict(fault.message) from None
    except neutron.NeutronFault as fault:
        raise BadRequest(fault.message) from None


def _injected(parameters: dict) -> InjectedFailure:
    return InjectedFailure(parameters["code"], parameters["message"], parameters.get("type"))


def _after(servers: Iterator[Server], marker: str) -> Iterator[Server]:
    for server in servers:
        if server.id == marker:
            break
    return servers


def _matches(server: Server, query: ServerQuery, now: float) -> bool:
    if query.name is not None and not query.name.search(server.name):
        return False
    if query.statuses and server.status_at(now) not in query.statuses:
        return False
    if query.image is not None and server.image.id != query.image:
        return False
    if query.flavor is not None and server.flavor.id != query.flavor:
        return False
    if query.changes_since is not None and server.updated_at(now) < query.changes_since:
        return False
    return True


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
