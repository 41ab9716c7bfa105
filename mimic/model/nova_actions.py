"""
What a server can be asked to do (``POST servers/<id>/action``): reboot,
rebuild, resize and its confirmation, snapshots, rescue, start/stop,
pause, suspend, lock. Each checks the server may do it now (Nova's 409
otherwise) and moves it through Nova's passing states on the clock.
:class:`ServerActions` is part of :class:`mimic.model.nova.ComputeRegion`.
"""

from __future__ import annotations

from typing import Optional

from mimic.model.flavors import Flavor
from mimic.model.images import Image
from mimic.model.nova_errors import BadRequest, Conflict
from mimic.model.nova_server import (
    REBUILDABLE,
    STATES,
    Server,
    apply_changes,
    check_metadata_quota,
    image_properties_of,
)

# How long the passing states last, in clock seconds.
REBOOT_SECONDS = 3.0
HARD_REBOOT_SECONDS = 5.0
REBUILD_SECONDS = 5.0
RESIZE_SECONDS = 5.0
REVERT_RESIZE_SECONDS = 3.0


class ServerActions:
    """The server actions of a :class:`mimic.model.nova.ComputeRegion`."""

    __slots__ = ()

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
                access_ipv6: Optional[str] = None,
                changes: Optional[dict] = None) -> Server:
        """
        Rebuild from ``image_id``; ``changes`` sets what later microversions
        allow (``description``, ``key_name`` from 2.54, ``user_data`` from
        2.57, ``hostname`` from 2.90).
        """
        server = self.server(server_id)
        image = self.resolve_image(image_id, "Cannot find image for rebuild")
        changes = changes or {}
        if metadata is not None:
            check_metadata_quota(metadata)
        key_name = changes.get("key_name")
        if key_name is not None and key_name not in self.keypairs:
            raise BadRequest("Invalid key_name provided.")
        now = self._ready_for(server, "rebuild", "ACTIVE", "SHUTOFF", "ERROR")
        server.image = image
        server.image_properties = image_properties_of(image, self._image_properties)
        if name is not None:
            server.rename(name)
        if metadata is not None:
            server.metadata = dict(metadata)
        if access_ipv4 is not None:
            server.access_ipv4 = access_ipv4
        if access_ipv6 is not None:
            server.access_ipv6 = access_ipv6
        apply_changes(server, changes, REBUILDABLE)
        server.go("ACTIVE", now, "REBUILD", REBUILD_SECONDS)
        return server

    def resize(self, server_id: str, flavor_id: str) -> None:
        server = self.server(server_id)
        flavor = self.resolve_flavor(flavor_id)
        now = self._ready_for(server, "resize", "ACTIVE", "SHUTOFF")
        if flavor.id == server.flavor.id:
            raise BadRequest("When resizing, instances must change flavor!")
        self._move(server, "resize", None, now, flavor.id)
        server.previous_flavor = server.flavor
        self._charge(server.flavor, flavor)
        server.flavor = flavor
        server.go("VERIFY_RESIZE", now, "RESIZE", RESIZE_SECONDS)

    def migrate(self, server_id: str, host: Optional[str] = None) -> None:
        """
        A cold migration (an admin's): to ``host`` or one the scheduler
        picks, through ``RESIZE`` to ``VERIFY_RESIZE``, confirmed or
        reverted like a resize (nova/compute/api.py ``resize`` without a flavor).
        """
        server = self.server(server_id)
        now = self._ready_for(server, "migrate", "ACTIVE", "SHUTOFF")
        if host is not None:
            if host not in self.cloud.hosts.compute_hosts():
                raise BadRequest(f"Compute host {host} could not be found.")
            if host == server.compute_host:
                raise BadRequest("The target host can't be the same one.")
        self._move(server, "migration", host, now, server.flavor.id)
        server.previous_flavor = server.flavor
        server.go("VERIFY_RESIZE", now, "RESIZE", RESIZE_SECONDS)

    def _move(self, server: Server, kind: str, host: Optional[str], now: float,
              new_flavor_id: str) -> None:
        """Record the migration (``os-migrations``) and put the server on its new host."""
        dest = host or self.cloud.place(server.host_id, None, avoid=server.compute_host)
        if kind == "migration" and dest == server.compute_host:
            raise BadRequest("No valid host was found. No valid host found for cold migrate")
        self.cloud.start_migration(server, kind, dest, server.flavor.id, new_flavor_id, now,
                                   now + RESIZE_SECONDS)
        server.compute_host = dest

    def confirm_resize(self, server_id: str) -> None:
        server = self.server(server_id)
        now = self._ready_for(server, "confirmResize", "VERIFY_RESIZE")
        server.previous_flavor = None
        self.cloud.end_migration(server.id, "confirmed", now)
        server.go("ACTIVE", now)

    def revert_resize(self, server_id: str) -> None:
        server = self.server(server_id)
        now = self._ready_for(server, "revertResize", "VERIFY_RESIZE")
        migration = self.cloud.end_migration(server.id, "reverted", now)
        if migration is not None:
            server.compute_host = migration.source_host
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

    def lock(self, server_id: str, locked: bool = True,
             reason: Optional[str] = None) -> None:
        """Lock (with a ``reason``, from 2.73) or unlock, which forgets the reason."""
        server = self.server(server_id)
        server.locked = locked
        server.locked_reason = reason if locked else None
        server.touch(self.now())
