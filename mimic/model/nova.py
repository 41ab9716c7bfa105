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
turns each into Nova's status code and body. The server record and the
requests about it are in :mod:`mimic.model.nova_server`, the actions in
:mod:`mimic.model.nova_actions`, presets and behaviors in
:mod:`mimic.model.nova_presets`, networking in
:mod:`mimic.model.nova_networking` and the pre-2.36 network proxy APIs in
:mod:`mimic.model.nova_network_proxy`. Key pairs live in
:mod:`mimic.model.keypairs`, images in :mod:`mimic.model.images`, flavors in
:mod:`mimic.model.flavors`. A server's networking (its ports, addresses,
floating IPs and security groups) is Neutron's: :mod:`mimic.model.neutron`
holds it, keyed by the server's id, and every Nova operation on it goes
there, so Nova and Neutron always tell the same story.
"""

from __future__ import annotations

import hashlib
from typing import Any, Optional

import attrs

from mimic.model.behaviors import BehaviorRegistry
from mimic.model.flavors import INVALID_FLAVOR_REFS, Flavor, stand_in_flavor
from mimic.model.images import (
    Image,
    ImageStore,
    image_store_for,
    is_invalid_image_ref,
    stand_in_image,
)
from mimic.model.keypairs import KeypairStore
from mimic.model.neutron import NetworkState, network_state
from mimic.model.nova_actions import ServerActions
from mimic.model.nova_instance_actions import (
    InstanceAction,
    InstanceActionLog,
    compact_request_id,
)
from mimic.model.nova_errors import (  # noqa: F401 - the model's errors, re-exported
    BadRequest,
    ComputeError,
    Conflict,
    InjectedFailure,
    NotFound,
    QuotaExceeded,
)
from mimic.model.nova_networking import ServerNetworking, refused_by_neutron
from mimic.model.nova_presets import (  # noqa: F401 - re-exported for the routes
    CREATION_EVENT,
    DELETION_EVENT,
    EVENTS,
    PRESETS,
    CreationPresets,
    injected_failure,
)
from mimic.model.nova_server import (  # noqa: F401 - re-exported for the routes
    AVAILABILITY_ZONE,
    DEFAULT_SECURITY_GROUPS,
    METADATA_ITEMS,
    QUOTAS,
    STATES,
    ChangeCounter,
    Created,
    Server,
    ServerQuery,
    ServerSpec,
    Transient,
    MAX_TAGS,
    UPDATABLE,
    apply_changes,
    check_metadata_quota,
    servers_to_create,
    check_tag,
    image_properties_of,
)
from mimic.model.nova_cloud import ComputeCloud, compute_cloud_for, new_cloud
from mimic.model.nova_listing import page_of, pool_of
from mimic.model.nova_server_groups import ServerGroupStore
from mimic.profiles import DEFAULT_PROFILE, PROFILES, Profile, profile_of

#: How many deleted servers a project keeps in one region (the oldest go first).
MAX_DELETED_KEPT = 1000
from mimic.util import IdSource


@attrs.define
class ComputeRegion(ServerActions, ServerNetworking):
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
    server_groups: ServerGroupStore = attrs.field(init=False)
    #: What was done to each server, kept after it is deleted (2.21).
    instance_actions: InstanceActionLog = attrs.field(factory=InstanceActionLog)
    instances_used: int = 0
    cores_used: int = 0
    ram_used: int = 0
    #: The image properties servers keep, one dict per image (see
    #: :func:`mimic.model.nova_server.image_properties_of`).
    _image_properties: dict = attrs.field(factory=dict)
    #: ``--strict-refs``: refuse image and flavor ids nobody knows, as Nova
    #: does. By default (as in the original Mimic) any well-formed id is
    #: accepted, so old suites that name images of their own keep working.
    strict_refs: bool = False
    #: The canned data this Mimic started with (``--profile``): its flavors.
    profile: Profile = PROFILES[DEFAULT_PROFILE]
    #: The region's operator state (flavors, hosts, quotas...), shared by its projects.
    cloud: Optional[ComputeCloud] = None
    #: Deleted servers, oldest first, kept for ``deleted=True``, ``changes-since``
    #: and usage reports; at most :data:`MAX_DELETED_KEPT`.
    _deleted: dict = attrs.field(factory=dict)
    #: The user id of the last create, so that the servers one user makes
    #: share one string (a route builds a new one per request).
    _last_user_id: Optional[str] = None

    @classmethod
    def for_tenant(cls, session_store: Any, tenant_id: str, region: str) -> "ComputeRegion":
        """The region's state, made on first use and shared by every API that asks."""

        def make() -> "ComputeRegion":
            ids = session_store.ids
            profile = profile_of(session_store.options)
            return cls(
                tenant_id=tenant_id,
                clock=session_store.clock,
                ids=ids,
                images=image_store_for(session_store, tenant_id, region, profile.images),
                profile=profile,
                network=network_state(session_store, tenant_id, region),
                creation_behaviors=BehaviorRegistry(CREATION_EVENT, ids),
                deletion_behaviors=BehaviorRegistry(DELETION_EVENT, ids),
                host_id=hashlib.sha224(f"{tenant_id}{region}".encode()).hexdigest(),
                strict_refs=bool(session_store.options.get("strict-refs")),
                cloud=compute_cloud_for(session_store, region, profile),
            )

        return session_store.tenant(tenant_id).data_for_api(("nova", region), make)

    def __attrs_post_init__(self) -> None:
        if self.cloud is None:
            self.cloud = new_cloud("", self.profile, self.ids)
        self.keypairs = KeypairStore(self.tenant_id, QUOTAS["maxTotalKeypairs"])
        self.server_groups = ServerGroupStore(QUOTAS["maxServerGroups"],
                                              QUOTAS["maxServerGroupMembers"])

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

    def holds(self, server_id: str) -> bool:
        """Whether a live server of this project has this id."""
        return server_id in self._servers

    def resolve_image(self, image_id: str,
                      refusal: str = "Can not find requested image") -> Image:
        """
        The image a request names (a well-formed id). One the region does not
        hold is a stand-in carrying the id, unless refs are strict or the id
        is one of the documented invalid ones; then a :class:`BadRequest`
        saying ``refusal`` (Nova's words differ per route).
        """
        image = self.images.find(image_id)
        if image is not None:
            return image
        if self.strict_refs or is_invalid_image_ref(image_id):
            raise BadRequest(refusal)
        return stand_in_image(image_id)

    def find_flavor(self, flavor_id: str) -> Optional[Flavor]:
        """
        The region's flavor with this id (the profile's and those an admin
        made): a flavor of the catalog wins over the documented invalid refs
        (devstack's ``m1.tiny`` is ``1``).
        """
        return self.cloud.flavors.find(flavor_id)

    def resolve_flavor(self, flavor_id: str) -> Flavor:
        """
        The flavor a request names; like :meth:`resolve_image`, an unknown
        one is a stand-in of the default size unless refs are strict or the
        id is documented invalid (then Nova's :class:`BadRequest`).
        """
        flavor = self.find_flavor(flavor_id)
        if flavor is not None:
            return flavor
        if self.strict_refs or flavor_id in INVALID_FLAVOR_REFS:
            raise BadRequest(f"Flavor {flavor_id} could not be found.")
        return stand_in_flavor(flavor_id)

    def create_server(self, spec: ServerSpec, user_id: str,
                      reservation_id: Optional[str] = None,
                      request_id: Optional[str] = None) -> Created:
        """
        Create a server as ``spec`` says, applying presets and behaviors;
        ``request_id`` is the request's, which the server's ``create``
        instance action shows. Everything is checked before anything changes.
        """
        now = self.now()
        check_metadata_quota(spec.metadata)
        presets = CreationPresets.from_metadata(spec.metadata)
        image = self.resolve_image(spec.image_id)
        flavor = self.resolve_flavor(spec.flavor_id)
        if spec.key_name is not None and spec.key_name not in self.keypairs:
            raise BadRequest("Invalid key_name provided.")
        if spec.availability_zone is not None and \
                spec.availability_zone not in self.cloud.zones():
            raise BadRequest(f"The requested availability zone "
                             f"{spec.availability_zone!r} is not available")
        group = self.server_groups.group_for_hint(spec.scheduler_hints.get("group"))
        if presets.failure is not None:
            raise presets.failure
        chosen = self.creation_behaviors.choose(
            {"server_name": spec.name, "metadata": spec.metadata})
        if chosen.name == "fail":
            raise injected_failure(chosen.parameters)
        host_id = self.host_id if group is None else None
        server_id = self.ids.uuid()
        if host_id is None:
            host_id = group.host_for(self.host_id, server_id)
        compute_host = self.cloud.place(host_id, spec.availability_zone)
        with refused_by_neutron(not_found=BadRequest, conflict=BadRequest):
            # Last of the checks, and all or nothing itself.
            self.network.place_server(server_id, spec.networks, spec.security_groups)
        if user_id == self._last_user_id:
            user_id = self._last_user_id
        self._last_user_id = user_id
        server = Server(
            id=server_id,
            name=spec.name,
            tenant_id=self.tenant_id,
            user_id=user_id,
            host_id=host_id,
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
            tags=tuple(dict.fromkeys(spec.tags)),
            image_properties=image_properties_of(image, self._image_properties),
            compute_host=compute_host,
            availability_zone=self.cloud.zone_of(compute_host),
            created_by=None if request_id is None else compact_request_id(request_id),
        )
        server.delete_failure_code = presets.delete_failure_code
        server.delete_failures = presets.delete_failures
        server.reservation_id = reservation_id
        server.description = spec.description
        server.user_data = spec.user_data
        server.hostname = spec.hostname
        server.pinned_availability_zone = spec.availability_zone
        server.scheduler_hints = dict(spec.scheduler_hints) or None
        server.block_devices = spec.block_devices
        if group is not None:
            group.members.append(server.id)
            server.server_group = group.id
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
        false_negative = (injected_failure(chosen.parameters)
                          if chosen.name == "false-negative" else None)
        return Created(server, admin_pass, false_negative)

    def create_servers(self, spec: ServerSpec, user_id: str, count: int,
                       request_id: Optional[str] = None) -> list[Created]:
        """
        ``count`` servers at once, all or none, sharing one reservation id
        (and the request id of their ``create`` actions); with more than one
        they are named ``<name>-1``, ``<name>-2``... as Nova names them
        (nova/compute/api.py ``_populate_instance_names``).
        """
        flavor = self.resolve_flavor(spec.flavor_id)
        count = self.cloud.quotas.instances_allowed(
            self.tenant_id, self.used(), flavor.vcpus, flavor.ram,
            min(spec.min_count, count), count)
        if count == 1:
            return [self.create_server(spec, user_id, request_id=request_id)]
        created: list[Created] = []
        try:
            for number in range(1, count + 1):
                named = attrs.evolve(spec, name=f"{spec.name}-{number}")
                # The first server's derived reservation id is everyone's.
                shared = created[0].server.reservation_id if created else None
                made = self.create_server(named, user_id, shared, request_id)
                made.server.launch_index = number - 1
                created.append(made)
        except ComputeError:
            for done in created:
                self._discard(done.server, keep=False)
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
            raise injected_failure(chosen.parameters)
        self._discard(server)

    def _discard(self, server: Server, keep: bool = True) -> None:
        """Forget a live server; ``keep`` it among the deleted (not a failed create's)."""
        del self._servers[server.id]
        if keep:
            now = self.now()
            server.settle(now)
            server.status, server.transient = "DELETED", None
            server.deleted_at = now
            server.touch(now)
            self._deleted[server.id] = server
            if len(self._deleted) > MAX_DELETED_KEPT:
                oldest = next(iter(self._deleted))
                del self._deleted[oldest]
                self.instance_actions.forget(oldest)
        self.server_groups.leave(server.id, server.server_group)
        self.changes.value += 1
        self.network.detach_server(server.id)
        self.instances_used -= 1
        self.cores_used -= server.flavor.vcpus
        self.ram_used -= server.flavor.ram

    def instance_actions_of(self, server_id: str) -> list:
        """What was done to a live or kept deleted server, newest first."""
        return self.instance_actions.actions_of(self._kept(server_id), server_id)

    def instance_action(self, server_id: str, request_id: str) -> Optional[InstanceAction]:
        return self.instance_actions.find(self._kept(server_id), server_id, request_id)

    def _kept(self, server_id: str) -> Optional[Server]:
        return self._servers.get(server_id) or self._deleted.get(server_id)

    def list_servers(self, query: ServerQuery) -> list[Server]:
        """Servers matching ``query``, newest first, one page of them."""
        return page_of(self.servers_for(query), query, self.now())

    def servers_for(self, query: ServerQuery) -> list:
        """The servers a listing looks at: live, deleted, or both (newest first)."""
        return pool_of(self._servers, self._deleted, query)

    def servers_on(self, host: str) -> list:
        """The live servers on a compute host."""
        return [s for s in self._servers.values() if s.compute_host == host]

    def every_server(self) -> list:
        """Live and deleted servers, for usage reports."""
        return [*self._deleted.values(), *self._servers.values()]

    def update_server(self, server_id: str, name: Optional[str] = None,
                      access_ipv4: Optional[str] = None,
                      access_ipv6: Optional[str] = None,
                      disk_config: Optional[str] = None,
                      changes: Optional[dict] = None) -> Server:
        """
        Rename and readdress a server; ``changes`` sets what later
        microversions allow (``description``, which may be ``None``, and
        ``hostname``).
        """
        server = self.server(server_id)
        now = self.now()
        server.settle(now)
        if name is not None:
            server.rename(name)
        if access_ipv4 is not None:
            server.access_ipv4 = access_ipv4
        if access_ipv6 is not None:
            server.access_ipv6 = access_ipv6
        if disk_config is not None:
            server.disk_config = disk_config
        apply_changes(server, changes or {}, UPDATABLE)
        server.touch(now)
        return server

    # tags (2.26)

    def set_tags(self, server_id: str, tags: list) -> list:
        """Replace every tag; duplicates count once, in first-seen order."""
        server = self.server(server_id)
        wanted = tuple(dict.fromkeys(check_tag(tag) for tag in tags))
        if len(wanted) > MAX_TAGS:
            raise BadRequest(f"The number of tags exceeded the per-server limit {MAX_TAGS}")
        server.tags = wanted
        server.touch(self.now())
        return list(server.tags)

    def add_tag(self, server_id: str, tag: str) -> bool:
        """Add one tag; ``False`` if it was already there."""
        server = self.server(server_id)
        check_tag(tag)
        if tag in server.tags:
            return False
        if len(server.tags) >= MAX_TAGS:
            raise BadRequest(f"The number of tags exceeded the per-server limit {MAX_TAGS}")
        server.tags = (*server.tags, tag)
        server.touch(self.now())
        return True

    def remove_tag(self, server_id: str, tag: str) -> None:
        server = self.server(server_id)
        if tag not in server.tags:
            raise NotFound(f"Tag {tag} could not be found.")
        server.tags = tuple(t for t in server.tags if t != tag)
        server.touch(self.now())

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

    def delete_server_group(self, group_id: str) -> None:
        """Delete a group; its members stay, in no group (as in Nova)."""
        group = self.server_groups.delete(group_id)
        for member in group.members:
            server = self._servers.get(member)
            if server is not None:
                server.server_group = None
                server.revision += 1
                self.changes.value += 1

    def used(self) -> dict:
        """What the project uses of each quota here (Nova's ``in_use``)."""
        return {
            "instances": self.instances_used, "cores": self.cores_used, "ram": self.ram_used,
            "key_pairs": sum(1 for _ in self.keypairs), "server_groups": len(self.server_groups),
            "security_groups": len(self.network.security_groups),
            "floating_ips": len(self.network.floating_ips),
        }

    def quota_limits(self) -> dict:
        return self.cloud.quotas.limits_of(self.tenant_id)

    def limits(self) -> dict:
        """Quotas and what the tenant uses of them here."""
        quotas = self.quota_limits()
        return {
            **QUOTAS,
            "maxServerMeta": quotas["metadata_items"],
            "maxPersonality": quotas["injected_files"],
            "maxPersonalitySize": quotas["injected_file_content_bytes"],
            "maxTotalKeypairs": quotas["key_pairs"],
            "maxSecurityGroups": quotas["security_groups"],
            "maxSecurityGroupRules": quotas["security_group_rules"],
            "maxTotalInstances": quotas["instances"],
            "maxTotalCores": quotas["cores"],
            "maxTotalRAMSize": quotas["ram"],
            "maxTotalFloatingIps": quotas["floating_ips"],
            "maxServerGroups": quotas["server_groups"],
            "maxServerGroupMembers": quotas["server_group_members"],
            "totalInstancesUsed": self.instances_used,
            "totalCoresUsed": self.cores_used,
            "totalRAMUsed": self.ram_used,
            "totalSecurityGroupsUsed": len(self.network.security_groups),
            "totalFloatingIpsUsed": len(self.network.floating_ips),
            "totalServerGroupsUsed": len(self.server_groups),
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
