"""
Cinder's generic volume groups (``groups``, 3.13), group snapshots
(``group_snapshots``, 3.14) and volume transfers (``os-volume-transfer``,
and ``volume-transfers`` from 3.55) over HTTP, in the shapes of
``cinder/api/v3/views/groups.py``, ``group_snapshots.py`` and
``cinder/api/views/transfers.py``. The rules are in
:mod:`mimic.model.cinder_groups` and :mod:`mimic.model.cinder_transfers`.
"""

from __future__ import annotations

from typing import Any

import attrs

from mimic.model import cinder_groups as groups
from mimic.model import cinder_transfers as transfers
from mimic.model.cinder import known_block_storage
from mimic.model.cinder_errors import BadRequest, NotFound
from mimic.rest.cinder_json import (
    GROUP_REPLICATION,
    GROUP_SNAPSHOT,
    GROUP_VOLUME,
    GROUP_VOLUME_LIST,
    PROJECT_ID,
    TRANSFER_WITH_HISTORY,
    TRANSFER_WITH_SNAPSHOTS,
    boolean_field,
    from_microversion,
    invalid_field,
    links,
    optional_text,
    section,
    timestamp,
)
from mimic.rest.cinder_routes import CinderRoutes, require, tenant_route
from mimic.rest.http import empty_response, json_response, read_json
from mimic.rest.nova_json import query_argument

app = CinderRoutes.app


def group_json(group: groups.Group, version: tuple) -> dict:
    return from_microversion(
        {"id": group.id, "status": group.status,
         "availability_zone": group.availability_zone,
         "created_at": timestamp(group.created), "name": group.name,
         "description": group.description, "group_type": group.group_type_id,
         "volume_types": list(group.volume_type_ids)},
        version,
        (GROUP_SNAPSHOT, {"group_snapshot_id": group.group_snapshot_id,
                          "source_group_id": group.source_group_id}),
        (GROUP_REPLICATION, {"replication_status": "disabled"}),
        (PROJECT_ID, {"project_id": group.project_id}))


def group_snapshot_json(snapshot: groups.GroupSnapshot, version: tuple) -> dict:
    return from_microversion(
        {"id": snapshot.id, "group_id": snapshot.group_id,
         "group_type_id": snapshot.group_type_id, "status": snapshot.status,
         "created_at": timestamp(snapshot.created), "name": snapshot.name,
         "description": snapshot.description},
        version,
        (PROJECT_ID, {"project_id": snapshot.project_id}))


def _id_list(part: dict, key: str) -> tuple:
    """``add_volumes`` / ``remove_volumes``: ids separated by commas."""
    raw = part.get(key)
    if raw is None:
        return ()
    if not isinstance(raw, str):
        raise invalid_field(key, raw, f"{raw!r} is not of type 'string', 'null'")
    return tuple(item.strip() for item in raw.split(",") if item.strip())


class GroupRoutes(CinderRoutes):
    """Groups, group snapshots and transfers."""

    # groups

    def _groups(self, request: Any, tenant_id: str, minimum: tuple = GROUP_VOLUME) -> Any:
        storage, version = self._begin(request, tenant_id)
        require(version, minimum)
        return storage, version

    @tenant_route(app, "/groups", methods=["POST"])
    def create_group(self, request: Any, tenant_id: str) -> bytes:
        storage, _ = self._groups(request, tenant_id)
        part = section(read_json(request), "group")
        group_type = part.get("group_type")
        if not isinstance(group_type, str):
            raise invalid_field("group_type", group_type, "'group_type' is a required property")
        volume_types = part.get("volume_types")
        if not isinstance(volume_types, list) or not all(
                isinstance(t, str) for t in volume_types):
            raise invalid_field("volume_types", volume_types,
                                "'volume_types' is a required property")
        made = groups.create_group(storage, optional_text(part, "name"),
                                   optional_text(part, "description"), group_type,
                                   volume_types, part.get("availability_zone"))
        return json_response(request, {"group": {"id": made.id, "name": made.name}},
                             code=202)

    @tenant_route(app, "/groups", methods=["GET"])
    @tenant_route(app, "/groups/detail", methods=["GET"])
    def list_groups(self, request: Any, tenant_id: str) -> bytes:
        storage, version = self._groups(request, tenant_id)
        name = query_argument(request, "name")
        found = [g for g in storage.groups.values() if name is None or g.name == name]
        if request.path.endswith(b"/detail"):
            return json_response(request, {"groups": [group_json(g, version) for g in found]})
        return json_response(request, {"groups": [{"id": g.id, "name": g.name}
                                                  for g in found]})

    @tenant_route(app, "/groups/<group_id>", methods=["GET"])
    def show_group(self, request: Any, tenant_id: str, group_id: str) -> bytes:
        storage, version = self._groups(request, tenant_id)
        body = group_json(groups.group(storage, group_id), version)
        if version >= GROUP_VOLUME_LIST and boolean_field(
                {"list_volume": query_argument(request, "list_volume") or "false"},
                "list_volume"):
            body["volumes"] = [v.id for v in groups.group_volumes(storage, group_id)]
        return json_response(request, {"group": body})

    @tenant_route(app, "/groups/<group_id>", methods=["PUT"])
    def update_group(self, request: Any, tenant_id: str, group_id: str) -> bytes:
        storage, _ = self._groups(request, tenant_id)
        part = section(read_json(request), "group")
        changes = {key: optional_text(part, key) for key in ("name", "description")
                   if key in part}
        add, remove = _id_list(part, "add_volumes"), _id_list(part, "remove_volumes")
        if not changes and not add and not remove:
            raise BadRequest("Name, description, add_volumes, and remove_volumes can not "
                             "be all empty in the request body.")
        groups.update_group(storage, group_id, changes.get("name", attrs.NOTHING),
                            changes.get("description", attrs.NOTHING), add, remove)
        return empty_response(request, 202)

    @tenant_route(app, "/groups/<group_id>/action", methods=["POST"])
    def group_action(self, request: Any, tenant_id: str, group_id: str) -> bytes:
        storage, _ = self._groups(request, tenant_id)
        body = read_json(request)
        if not isinstance(body, dict) or set(body) != {"delete"}:
            action = next(iter(body), "") if isinstance(body, dict) else ""
            raise BadRequest(f"There is no such action: {action}")
        argument = body["delete"] if isinstance(body["delete"], dict) else {}
        groups.delete_group(storage, group_id, boolean_field(argument, "delete-volumes"))
        return empty_response(request, 202)

    # group snapshots

    @tenant_route(app, "/group_snapshots", methods=["POST"])
    def create_group_snapshot(self, request: Any, tenant_id: str) -> bytes:
        storage, _ = self._groups(request, tenant_id, GROUP_SNAPSHOT)
        part = section(read_json(request), "group_snapshot")
        group_id = part.get("group_id")
        if not isinstance(group_id, str):
            raise invalid_field("group_id", group_id, "'group_id' is a required property")
        made = groups.create_group_snapshot(storage, group_id, optional_text(part, "name"),
                                            optional_text(part, "description"),
                                            self._user_id(request, tenant_id))
        return json_response(request, {"group_snapshot": {
            "id": made.id, "name": made.name, "group_type_id": made.group_type_id}},
            code=202)

    @tenant_route(app, "/group_snapshots", methods=["GET"])
    @tenant_route(app, "/group_snapshots/detail", methods=["GET"])
    def list_group_snapshots(self, request: Any, tenant_id: str) -> bytes:
        storage, version = self._groups(request, tenant_id, GROUP_SNAPSHOT)
        found = list(storage.group_snapshots.values())
        if request.path.endswith(b"/detail"):
            return json_response(request, {"group_snapshots": [
                group_snapshot_json(s, version) for s in found]})
        return json_response(request, {"group_snapshots": [
            {"id": s.id, "name": s.name, "group_type_id": s.group_type_id} for s in found]})

    @tenant_route(app, "/group_snapshots/<snapshot_id>", methods=["GET"])
    def show_group_snapshot(self, request: Any, tenant_id: str, snapshot_id: str) -> bytes:
        storage, version = self._groups(request, tenant_id, GROUP_SNAPSHOT)
        return json_response(request, {"group_snapshot": group_snapshot_json(
            groups.group_snapshot(storage, snapshot_id), version)})

    @tenant_route(app, "/group_snapshots/<snapshot_id>", methods=["DELETE"])
    def delete_group_snapshot(self, request: Any, tenant_id: str, snapshot_id: str) -> bytes:
        storage, _ = self._groups(request, tenant_id, GROUP_SNAPSHOT)
        groups.delete_group_snapshot(storage, snapshot_id)
        return empty_response(request, 202)

    # transfers

    def _transfer_links(self, tenant_id: str, transfer_id: str) -> list:
        return links(self.prefix, tenant_id, "os-volume-transfer", transfer_id)

    def _transfer_json(self, made: transfers.Transfer, version: tuple,
                       tenant_id: str) -> dict:
        return from_microversion(
            {"id": made.id, "created_at": timestamp(made.created), "name": made.name,
             "volume_id": made.volume_id, "links": self._transfer_links(tenant_id, made.id)},
            version,
            (TRANSFER_WITH_SNAPSHOTS, {"no_snapshots": made.no_snapshots}),
            (TRANSFER_WITH_HISTORY, {"destination_project_id": None,
                                     "source_project_id": made.source_project_id,
                                     "accepted": False}))

    def _transfers(self, request: Any, tenant_id: str) -> Any:
        """The older ``os-volume-transfer`` is at every version, ``volume-transfers`` from 3.55."""
        storage, version = self._begin(request, tenant_id)
        if b"/volume-transfers" in request.path:
            require(version, TRANSFER_WITH_SNAPSHOTS)
        return storage, version

    @tenant_route(app, "/os-volume-transfer", methods=["POST"])
    @tenant_route(app, "/volume-transfers", methods=["POST"])
    def create_transfer(self, request: Any, tenant_id: str) -> bytes:
        _, version = self._transfers(request, tenant_id)
        part = section(read_json(request), "transfer")
        volume_id = part.get("volume_id")
        if not isinstance(volume_id, str):
            raise invalid_field("volume_id", volume_id, "'volume_id' is a required property")
        storage, _ = self._begin_for_volume(request, tenant_id, volume_id)
        no_snapshots = boolean_field(part, "no_snapshots") \
            if version >= TRANSFER_WITH_SNAPSHOTS else False
        made, auth_key = transfers.create_transfer(storage, volume_id,
                                                   optional_text(part, "name"), no_snapshots)
        body = self._transfer_json(made, version, tenant_id)
        body["auth_key"] = auth_key
        return json_response(request, {"transfer": body}, code=202)

    @tenant_route(app, "/os-volume-transfer", methods=["GET"])
    @tenant_route(app, "/os-volume-transfer/detail", methods=["GET"])
    @tenant_route(app, "/volume-transfers", methods=["GET"])
    @tenant_route(app, "/volume-transfers/detail", methods=["GET"])
    def list_transfers(self, request: Any, tenant_id: str) -> bytes:
        storage, version = self._transfers(request, tenant_id)
        found = list(storage.transfers.values())
        if request.path.endswith(b"/detail"):
            return json_response(request, {"transfers": [
                self._transfer_json(t, version, tenant_id) for t in found]})
        return json_response(request, {"transfers": [
            {"id": t.id, "volume_id": t.volume_id, "name": t.name,
             "links": self._transfer_links(tenant_id, t.id)} for t in found]})

    @tenant_route(app, "/os-volume-transfer/<transfer_id>", methods=["GET"])
    @tenant_route(app, "/volume-transfers/<transfer_id>", methods=["GET"])
    def show_transfer(self, request: Any, tenant_id: str, transfer_id: str) -> bytes:
        storage, version = self._transfers(request, tenant_id)
        return json_response(request, {"transfer": self._transfer_json(
            transfers.transfer(storage, transfer_id), version, tenant_id)})

    @tenant_route(app, "/os-volume-transfer/<transfer_id>", methods=["DELETE"])
    @tenant_route(app, "/volume-transfers/<transfer_id>", methods=["DELETE"])
    def delete_transfer(self, request: Any, tenant_id: str, transfer_id: str) -> bytes:
        storage, _ = self._transfers(request, tenant_id)
        transfers.delete_transfer(storage, transfer_id)
        return empty_response(request, 202)

    @tenant_route(app, "/os-volume-transfer/<transfer_id>/accept", methods=["POST"])
    @tenant_route(app, "/volume-transfers/<transfer_id>/accept", methods=["POST"])
    def accept_transfer(self, request: Any, tenant_id: str, transfer_id: str) -> bytes:
        destination, _ = self._transfers(request, tenant_id)
        part = section(read_json(request), "accept")
        auth_key = part.get("auth_key")
        if not isinstance(auth_key, str):
            raise invalid_field("auth_key", auth_key, "'auth_key' is a required property")
        # Whoever holds the id and the key may accept: find the offering project.
        source = next((s for s in known_block_storage(self.store, self.region)
                       if transfer_id in s.transfers), None)
        if source is None:
            raise NotFound(f"Transfer {transfer_id} could not be found.")
        accepted = transfers.accept_transfer(
            source, destination, transfer_id, auth_key)
        return json_response(request, {"transfer": {
            "id": accepted.id, "name": accepted.name, "volume_id": accepted.volume_id,
            "links": self._transfer_links(tenant_id, accepted.id)}}, code=202)
