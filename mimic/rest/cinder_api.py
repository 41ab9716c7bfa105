"""
OpenStack Block Storage (Cinder) v3 over HTTP for one region: the version
documents clients discover (``/`` and ``/v3``, microversions 3.0 to 3.71),
volumes and their actions and metadata, snapshots, availability zones,
limits, quota sets and the attachments API (3.27+). Volume types, QoS
specs, group types and default types are in :mod:`mimic.rest.cinder_types_api`,
the operator's views (services, capabilities, summary) in
:mod:`mimic.rest.cinder_admin_api`.

Routes read the request (:mod:`mimic.rest.cinder_json`), call
:class:`mimic.model.cinder.BlockStorageRegion` and render its answer at the
negotiated microversion; errors are answered by
:func:`mimic.rest.cinder_routes.install_cinder_error_handlers`.
"""

from __future__ import annotations

from typing import Any, Optional

from mimic.model.cinder import AVAILABILITY_ZONE
from mimic.model.cinder_errors import BadRequest, NotFound
from mimic.rest.cinder_actions import VOLUME_ACTIONS
from mimic.rest.cinder_admin_api import AdminRoutes
from mimic.rest.cinder_groups_api import GroupRoutes
from mimic.rest.cinder_json import (
    ATTACHMENT_COMPLETE,
    ATTACHMENT_MODE,
    NEW_ATTACH,
    SNAPSHOT_IN_USE,
    Version,
    attachment_detail,
    attachment_summary,
    boolean_field,
    invalid_field,
    metadata_field,
    optional_text,
    read_volume_spec,
    section,
    snapshot_detail,
    volume_detail,
    volume_summary,
)
from mimic.rest.cinder_routes import (  # noqa: F401 - re-exported
    MAX_VERSION,
    MIN_VERSION,
    CinderRoutes,
    cinder_error,
    install_cinder_error_handlers,
    negotiate_version,
    read_limit,
    require,
    tenant_route,
    version_document,
)
from mimic.rest.cinder_types_api import TypeRoutes
from mimic.rest.http import empty_response, json_response, read_json
from mimic.rest.nova_json import query_argument

app = CinderRoutes.app

#: The extensions Cinder still lists (``GET extensions``) for what Mimic serves.
EXTENSIONS = (
    ("os-availability-zone", "AvailabilityZones", "Describe Availability Zones."),
    ("os-extended-snapshot-attributes", "ExtendedSnapshotAttributes",
     "Extended SnapshotAttributes support."),
    ("os-quota-sets", "Quotas", "Quota management support."),
    ("os-vol-image-meta", "VolumeImageMetadata", "Show image metadata associated with "
     "the volume."),
    ("os-volume-actions", "VolumeActions", "Enable volume actions."),
    ("os-types-extra-specs", "TypesExtraSpecs", "Type extra specs support."),
)


class CinderApi(TypeRoutes, AdminRoutes, GroupRoutes, CinderRoutes):
    """Cinder in one region: every route class's routes on the one app."""

    # version documents

    @app.route("/", methods=["GET"])
    def versions(self, request: Any) -> bytes:
        return json_response(request, {"versions": [version_document(self.prefix)]},
                             code=300)

    @app.route("/v3", methods=["GET"])
    @app.route("/v3/", methods=["GET"])
    @tenant_route(app, "", methods=["GET"])
    @tenant_route(app, "/", methods=["GET"])
    def version_3(self, request: Any, tenant_id: Optional[str] = None) -> bytes:
        negotiate_version(request)
        return json_response(request, {"versions": [version_document(self.prefix)]})

    # volumes

    def _volume(self, volume: Any, now: float, version: Version, tenant_id: str) -> dict:
        return volume_detail(volume, now, version, self.prefix, tenant_id)

    @tenant_route(app, "/volumes", methods=["POST"])
    def create_volume(self, request: Any, tenant_id: str) -> bytes:
        storage, version = self._begin(request, tenant_id)
        spec = read_volume_spec(read_json(request))
        volume = storage.create_volume(spec, self._user_id(request, tenant_id))
        return json_response(request, {"volume": self._volume(
            volume, storage.now(), version, tenant_id)}, code=202)

    def _listing(self, request: Any, storage: Any) -> list:
        return storage.volumes(name=query_argument(request, "name"),
                               status=query_argument(request, "status"),
                               limit=read_limit(request),
                               marker=query_argument(request, "marker"))

    @tenant_route(app, "/volumes", methods=["GET"])
    def list_volumes(self, request: Any, tenant_id: str) -> bytes:
        storage, _ = self._begin(request, tenant_id)
        return json_response(request, {"volumes": [
            volume_summary(v, self.prefix, tenant_id)
            for v in self._listing(request, storage)]})

    @tenant_route(app, "/volumes/detail", methods=["GET"])
    def list_volumes_detail(self, request: Any, tenant_id: str) -> bytes:
        storage, version = self._begin(request, tenant_id)
        now = storage.now()
        return json_response(request, {"volumes": [
            self._volume(v, now, version, tenant_id)
            for v in self._listing(request, storage)]})

    @tenant_route(app, "/volumes/<volume_id>", methods=["GET"])
    def show_volume(self, request: Any, tenant_id: str, volume_id: str) -> bytes:
        storage, version = self._begin_for_volume(request, tenant_id, volume_id)
        volume = storage.volume(volume_id)
        return json_response(request, {"volume": self._volume(
            volume, storage.now(), version, tenant_id)})

    @tenant_route(app, "/volumes/<volume_id>", methods=["PUT"])
    def update_volume(self, request: Any, tenant_id: str, volume_id: str) -> bytes:
        storage, version = self._begin_for_volume(request, tenant_id, volume_id)
        part = section(read_json(request), "volume")
        changes: dict = {}
        for key in ("name", "description"):
            if key in part:
                changes[key] = optional_text(part, key)
        if "display_name" in part:
            changes["name"] = optional_text(part, "display_name")
        if "metadata" in part:
            changes["metadata"] = metadata_field(part)
        unknown = set(part) - {"name", "description", "display_name", "metadata",
                               "display_description"}
        if unknown:
            raise BadRequest("Invalid input for field/attribute volume. Value: "
                             f"{part}. Additional properties are not allowed "
                             f"({', '.join(repr(k) for k in sorted(unknown))} "
                             "were unexpected)")
        volume = storage.update_volume(volume_id, **changes)
        return json_response(request, {"volume": self._volume(
            volume, storage.now(), version, tenant_id)})

    @tenant_route(app, "/volumes/<volume_id>", methods=["DELETE"])
    def delete_volume(self, request: Any, tenant_id: str, volume_id: str) -> bytes:
        storage, _ = self._begin_for_volume(request, tenant_id, volume_id)
        storage.delete_volume(volume_id)
        return empty_response(request, 202)

    @tenant_route(app, "/volumes/<volume_id>/action", methods=["POST"])
    def volume_action(self, request: Any, tenant_id: str, volume_id: str) -> bytes:
        storage, version = self._begin_for_volume(request, tenant_id, volume_id)
        body = read_json(request)
        if len(body) != 1:
            raise BadRequest("Malformed request body")
        ((action, argument),) = body.items()
        if argument is None:
            argument = {}
        if not isinstance(argument, dict):
            raise invalid_field(action, argument, f"{argument!r} is not of type 'object'")
        perform = VOLUME_ACTIONS.get(action)
        if perform is None:
            raise BadRequest(f"There is no such action: {action}. Verify the request "
                             "body and Content-Type header and try again.")
        code = perform(storage, volume_id, argument, version)
        return empty_response(request, code)

    # volume metadata

    @tenant_route(app, "/volumes/<volume_id>/metadata", methods=["GET"])
    def show_metadata(self, request: Any, tenant_id: str, volume_id: str) -> bytes:
        storage, _ = self._begin_for_volume(request, tenant_id, volume_id)
        return json_response(request, {"metadata": dict(storage.volume(volume_id).metadata)})

    @tenant_route(app, "/volumes/<volume_id>/metadata", methods=["POST", "PUT"])
    def set_metadata(self, request: Any, tenant_id: str, volume_id: str) -> bytes:
        storage, _ = self._begin_for_volume(request, tenant_id, volume_id)
        body = read_json(request)
        if "metadata" not in body:
            raise BadRequest("Malformed request body")
        metadata = metadata_field(body)
        replace = request.method == b"PUT"
        return json_response(request, {"metadata": storage.set_metadata(
            volume_id, metadata, replace)})

    @tenant_route(app, "/volumes/<volume_id>/metadata/<key>", methods=["GET"])
    def show_metadata_item(self, request: Any, tenant_id: str, volume_id: str,
                           key: str) -> bytes:
        storage, _ = self._begin_for_volume(request, tenant_id, volume_id)
        metadata = storage.volume(volume_id).metadata
        if key not in metadata:
            raise NotFound(f"Volume {volume_id} has no metadata with key {key}.")
        return json_response(request, {"meta": {key: metadata[key]}})

    @tenant_route(app, "/volumes/<volume_id>/metadata/<key>", methods=["DELETE"])
    def delete_metadata_item(self, request: Any, tenant_id: str, volume_id: str,
                             key: str) -> bytes:
        storage, _ = self._begin_for_volume(request, tenant_id, volume_id)
        storage.delete_metadata_item(volume_id, key)
        return empty_response(request, 200)

    # snapshots

    @tenant_route(app, "/snapshots", methods=["POST"])
    def create_snapshot(self, request: Any, tenant_id: str) -> bytes:
        part = section(read_json(request), "snapshot")
        volume_id = part.get("volume_id")
        if not isinstance(volume_id, str):
            raise invalid_field("volume_id", volume_id, "'volume_id' is a required property")
        storage, version = self._begin_for_volume(request, tenant_id, volume_id)
        snapshot = storage.create_snapshot(
            volume_id, name=optional_text(part, "name"),
            description=optional_text(part, "description"),
            metadata=metadata_field(part),
            force=boolean_field(part, "force") or version >= SNAPSHOT_IN_USE,
            user_id=self._user_id(request, tenant_id))
        return json_response(request, {"snapshot": snapshot_detail(
            snapshot, storage.now(), version, tenant_id)}, code=202)

    @tenant_route(app, "/snapshots", methods=["GET"])
    @tenant_route(app, "/snapshots/detail", methods=["GET"])
    def list_snapshots(self, request: Any, tenant_id: str) -> bytes:
        storage, version = self._begin(request, tenant_id)
        now = storage.now()
        snapshots = storage.snapshots(volume_id=query_argument(request, "volume_id"),
                                      limit=read_limit(request),
                                      marker=query_argument(request, "marker"))
        detail = request.path.endswith(b"/detail")
        name, status = query_argument(request, "name"), query_argument(request, "status")
        rendered = [snapshot_detail(s, now, version, tenant_id) for s in snapshots
                    if (name is None or s.name == name)
                    and (status is None or s.status_at(now) == status)]
        if not detail:
            for body in rendered:
                del body["os-extended-snapshot-attributes:progress"]
                del body["os-extended-snapshot-attributes:project_id"]
        return json_response(request, {"snapshots": rendered})

    @tenant_route(app, "/snapshots/<snapshot_id>", methods=["GET"])
    def show_snapshot(self, request: Any, tenant_id: str, snapshot_id: str) -> bytes:
        storage, version = self._begin(request, tenant_id)
        return json_response(request, {"snapshot": snapshot_detail(
            storage.snapshot(snapshot_id), storage.now(), version, tenant_id)})

    @tenant_route(app, "/snapshots/<snapshot_id>", methods=["PUT"])
    def update_snapshot(self, request: Any, tenant_id: str, snapshot_id: str) -> bytes:
        storage, version = self._begin(request, tenant_id)
        part = section(read_json(request), "snapshot")
        changes = {key: optional_text(part, key) for key in ("name", "description")
                   if key in part}
        snapshot = storage.update_snapshot(snapshot_id, **changes)
        return json_response(request, {"snapshot": snapshot_detail(
            snapshot, storage.now(), version, tenant_id)})

    @tenant_route(app, "/snapshots/<snapshot_id>", methods=["DELETE"])
    def delete_snapshot(self, request: Any, tenant_id: str, snapshot_id: str) -> bytes:
        storage, _ = self._begin(request, tenant_id)
        storage.delete_snapshot(snapshot_id)
        return empty_response(request, 202)

    @tenant_route(app, "/snapshots/<snapshot_id>/action", methods=["POST"])
    def snapshot_action(self, request: Any, tenant_id: str, snapshot_id: str) -> bytes:
        storage, _ = self._begin(request, tenant_id)
        body = read_json(request)
        if not isinstance(body, dict) or len(body) != 1:
            raise BadRequest("Malformed request body")
        ((action, argument),) = body.items()
        argument = argument if isinstance(argument, dict) else {}
        if action in ("os-reset_status", "os-update_snapshot_status"):
            status = argument.get("status")
            if not isinstance(status, str):
                raise invalid_field("status", status, "'status' is a required property")
            storage.reset_snapshot_status(snapshot_id, status)
        elif action == "os-force_delete":
            storage.delete_snapshot(snapshot_id, force=True)
        else:
            raise BadRequest(f"There is no such action: {action}. Verify the request "
                             "body and Content-Type header and try again.")
        return empty_response(request, 202)

    @tenant_route(app, "/snapshots/<snapshot_id>/metadata", methods=["GET"])
    def show_snapshot_metadata(self, request: Any, tenant_id: str,
                               snapshot_id: str) -> bytes:
        storage, _ = self._begin(request, tenant_id)
        return json_response(request, {"metadata": dict(
            storage.snapshot(snapshot_id).metadata)})

    @tenant_route(app, "/snapshots/<snapshot_id>/metadata", methods=["POST", "PUT"])
    def set_snapshot_metadata(self, request: Any, tenant_id: str,
                              snapshot_id: str) -> bytes:
        storage, _ = self._begin(request, tenant_id)
        body = read_json(request)
        if "metadata" not in body:
            raise BadRequest("Malformed request body")
        return json_response(request, {"metadata": storage.set_snapshot_metadata(
            snapshot_id, metadata_field(body), replace=request.method == b"PUT")})

    @tenant_route(app, "/snapshots/<snapshot_id>/metadata/<key>", methods=["DELETE"])
    def delete_snapshot_metadata_item(self, request: Any, tenant_id: str,
                                      snapshot_id: str, key: str) -> bytes:
        storage, _ = self._begin(request, tenant_id)
        storage.delete_snapshot_metadata_item(snapshot_id, key)
        return empty_response(request, 200)

    # availability zones, limits, extensions

    @tenant_route(app, "/os-availability-zone", methods=["GET"])
    def availability_zones(self, request: Any, tenant_id: str) -> bytes:
        self._begin(request, tenant_id)
        return json_response(request, {"availabilityZoneInfo": [
            {"zoneName": AVAILABILITY_ZONE, "zoneState": {"available": True}}]})

    @tenant_route(app, "/extensions", methods=["GET"])
    def extensions(self, request: Any, tenant_id: str) -> bytes:
        self._begin(request, tenant_id)
        return json_response(request, {"extensions": [
            {"alias": alias, "name": name, "description": description,
             "updated": "2013-04-18T00:00:00+00:00", "links": []}
            for alias, name, description in EXTENSIONS]})

    @tenant_route(app, "/limits", methods=["GET"])
    def limits(self, request: Any, tenant_id: str) -> bytes:
        storage, _ = self._begin(request, tenant_id)
        quotas, used = storage.quotas, storage.usage()
        return json_response(request, {"limits": {"rate": [], "absolute": {
            "maxTotalVolumes": quotas["volumes"],
            "maxTotalSnapshots": quotas["snapshots"],
            "maxTotalVolumeGigabytes": quotas["gigabytes"],
            "maxTotalBackups": quotas["backups"],
            "maxTotalBackupGigabytes": quotas["backup_gigabytes"],
            "totalVolumesUsed": used["volumes"],
            "totalSnapshotsUsed": used["snapshots"],
            "totalGigabytesUsed": used["gigabytes"],
            "totalBackupsUsed": used["backups"],
            "totalBackupGigabytesUsed": used["backup_gigabytes"],
        }}})

    # attachments (3.27 and later)

    @tenant_route(app, "/attachments", methods=["POST"])
    def create_attachment(self, request: Any, tenant_id: str) -> bytes:
        require(negotiate_version(request), NEW_ATTACH)
        part = section(read_json(request), "attachment")
        volume_id = part.get("volume_uuid")
        if not isinstance(volume_id, str):
            raise invalid_field("volume_uuid", volume_id,
                                "'volume_uuid' is a required property")
        storage, version = self._begin_for_volume(request, tenant_id, volume_id)
        instance = part.get("instance_uuid")
        if instance is not None and not isinstance(instance, str):
            raise invalid_field("instance_uuid", instance,
                                f"{instance!r} is not of type 'string', 'null'")
        connector = part.get("connector")
        if connector is not None and not isinstance(connector, dict):
            raise invalid_field("connector", connector,
                                f"{connector!r} is not of type 'object', 'null'")
        mode = part.get("mode", "rw") if version >= ATTACHMENT_MODE else "rw"
        attachment = storage.create_attachment(volume_id, instance, connector or None,
                                               mode if isinstance(mode, str) else "")
        return json_response(request, {"attachment": attachment_detail(attachment)})

    @tenant_route(app, "/attachments", methods=["GET"])
    @tenant_route(app, "/attachments/detail", methods=["GET"])
    def list_attachments(self, request: Any, tenant_id: str) -> bytes:
        storage, version = self._begin(request, tenant_id)
        require(version, NEW_ATTACH)
        render = attachment_detail if request.path.endswith(b"/detail") \
            else attachment_summary
        found = storage.attachments(volume_id=query_argument(request, "volume_id"),
                                    instance_id=query_argument(request, "instance_id"))
        return json_response(request, {"attachments": [render(a) for a in found]})

    @tenant_route(app, "/attachments/<attachment_id>", methods=["GET"])
    def show_attachment(self, request: Any, tenant_id: str, attachment_id: str) -> bytes:
        storage, version = self._begin(request, tenant_id)
        require(version, NEW_ATTACH)
        return json_response(request, {"attachment": attachment_detail(
            storage.attachment(attachment_id))})

    @tenant_route(app, "/attachments/<attachment_id>", methods=["PUT"])
    def update_attachment(self, request: Any, tenant_id: str, attachment_id: str) -> bytes:
        storage, version = self._begin(request, tenant_id)
        require(version, NEW_ATTACH)
        part = section(read_json(request), "attachment")
        connector = part.get("connector")
        if not isinstance(connector, dict):
            raise invalid_field("connector", connector, "'connector' is a required property")
        attachment = storage.update_attachment(attachment_id, connector)
        return json_response(request, {"attachment": attachment_detail(attachment)})

    @tenant_route(app, "/attachments/<attachment_id>/action", methods=["POST"])
    def attachment_action(self, request: Any, tenant_id: str, attachment_id: str) -> bytes:
        storage, version = self._begin(request, tenant_id)
        require(version, ATTACHMENT_COMPLETE)
        body = read_json(request)
        if set(body) != {"os-complete"}:
            action = next(iter(body), "")
            raise BadRequest(f"There is no such action: {action}. Verify the request "
                             "body and Content-Type header and try again.")
        storage.complete_attachment(attachment_id)
        return empty_response(request, 204)

    @tenant_route(app, "/attachments/<attachment_id>", methods=["DELETE"])
    def delete_attachment(self, request: Any, tenant_id: str, attachment_id: str) -> bytes:
        storage, version = self._begin(request, tenant_id)
        require(version, NEW_ATTACH)
        storage.delete_attachment(attachment_id)
        return json_response(request, {"attachments": []})


install_cinder_error_handlers(app)
