"""
OpenStack Block Storage (Cinder) v3 over HTTP for one region: the version
documents clients discover (``/`` and ``/v3``, microversions 3.0 to 3.71),
volumes and their actions and metadata, snapshots, volume types,
availability zones, limits, quota sets and the attachments API (3.27+).

Routes read the request (:mod:`mimic.rest.cinder_json`), call
:class:`mimic.model.cinder.BlockStorageRegion` and render its answer at the
negotiated microversion. Errors come from one place
(:func:`install_cinder_error_handlers`) in Cinder's fault shape, which is
Nova's: ``{"itemNotFound": {"code": 404, "message": ...}}``
(``cinder/api/openstack/wsgi.py``, ``Fault``).
"""

from __future__ import annotations

import re
from typing import Any, Callable, Optional

from mimic.klein_rendering import MimicKlein

from mimic.bounds import decimal
from mimic.model.cinder import (
    AVAILABILITY_ZONE,
    DEFAULT_QUOTAS,
    DEFAULT_TYPE,
    VOLUME_TYPES,
    BlockStorageRegion,
    block_storage_for,
    find_volume_type,
)
from mimic.model.cinder_errors import (
    BadRequest,
    BlockStorageError,
    InjectedFailure,
    NotFound,
    QuotaExceeded,
)
from mimic.rest.cinder_actions import VOLUME_ACTIONS
from mimic.rest.cinder_json import (
    ATTACHMENT_COMPLETE,
    ATTACHMENT_MODE,
    DEFAULT_TYPE_ROUTE,
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
    volume_type_json,
)
from mimic.rest.http import (
    RequestError,
    empty_response,
    install_error_handlers,
    json_response,
    openstack_error_body,
    read_json,
)
from mimic.rest.nova_json import query_argument

#: Cinder's microversions (``cinder/api/openstack/api_version_request.py``).
MIN_VERSION = (3, 0)
MAX_VERSION = (3, 71)
VERSION_UPDATED = "2023-08-31T00:00:00Z"

#: Cinder's ``osapi_max_limit``: the largest page a listing answers.
MAX_PAGE = 1000

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

_ERRORS: dict[type, int] = {BadRequest: 400, NotFound: 404, QuotaExceeded: 413}


def cinder_error(error: BlockStorageError) -> RequestError:
    """The one translation of a model error into Cinder's HTTP answer."""
    if isinstance(error, InjectedFailure):
        return RequestError(error.code, error.message, kind=error.kind)
    code = _ERRORS[type(error)]
    # Quota errors carry Retry-After: 0 (cinder/exception.py, QuotaError).
    headers = {b"retry-after": b"0"} if code == 413 else None
    return RequestError(code, error.message, headers=headers)


def install_cinder_error_handlers(app: MimicKlein) -> None:
    """Answer the model's refusals and every other failure in Cinder's shape."""

    @app.handle_errors(BlockStorageError)
    def refused_by_model(*args: Any) -> bytes:
        request, failure = args[-2:]
        error = cinder_error(failure.value)
        return json_response(request, openstack_error_body(error), code=error.code,
                             headers=error.headers)

    install_error_handlers(app, openstack_error_body)


def _text(version: Version) -> str:
    return f"{version[0]}.{version[1]}"


def version_document(prefix: str) -> dict:
    """Cinder's one version, ``v3.0``, as ``cinder/api/versions.py`` builds it."""
    return {
        "id": "v3.0",
        "status": "CURRENT",
        "version": _text(MAX_VERSION),
        "min_version": _text(MIN_VERSION),
        "updated": VERSION_UPDATED,
        "links": [
            {"rel": "describedby", "type": "text/html",
             "href": "https://docs.openstack.org/"},
            {"rel": "self", "href": f"{prefix}/v3/"},
        ],
        "media-types": [{"base": "application/json",
                         "type": "application/vnd.openstack.volume+json;version=3"}],
    }


def _header(request: Any, name: bytes) -> Optional[str]:
    value = request.getHeader(name)
    return value.decode("latin-1") if isinstance(value, bytes) else value


_VERSION = re.compile(r"^([1-9]\d*)\.([1-9]\d*|0)$")


def negotiate_version(request: Any) -> Version:
    """
    The microversion from ``OpenStack-API-Version: volume X`` (3.0 when not
    sent; ``latest`` is 3.71), echoed in the answer's headers as Cinder does.
    """
    requested = None
    header = _header(request, b"openstack-api-version")
    if header:
        for item in header.split(","):
            parts = item.strip().split()
            if len(parts) == 2 and parts[0].lower() == "volume":
                requested = parts[1]
    if requested is None:
        version = MIN_VERSION
    elif requested.lower() == "latest":
        version = MAX_VERSION
    else:
        match = _VERSION.match(requested)
        if match is None:
            raise RequestError(400, f"API Version String {requested} is of invalid "
                               "format. Must be of format MajorNum.MinorNum.")
        version = (int(match.group(1)), int(match.group(2)))
        if not MIN_VERSION <= version <= MAX_VERSION:
            # Cinder's Fault has no name for 406, so it falls back to computeFault.
            raise RequestError(406, f"Version {_text(version)} is not supported by the "
                               f"API. Minimum is {_text(MIN_VERSION)} and maximum is "
                               f"{_text(MAX_VERSION)}.", kind="computeFault")
    request.setHeader(b"openstack-api-version", f"volume {_text(version)}".encode())
    request.setHeader(b"vary", b"OpenStack-API-Version")
    return version


def require(version: Version, minimum: Version) -> None:
    """A route that does not exist before ``minimum`` is a bare 404, as in Cinder."""
    if version < minimum:
        raise RequestError(404, "The resource could not be found.")


def read_limit(request: Any) -> int:
    raw = query_argument(request, "limit")
    if raw is None:
        return MAX_PAGE
    limit = decimal(raw)
    if limit is None:
        raise BadRequest("Invalid input received: limit must be a non-negative integer")
    return min(limit, MAX_PAGE)


def tenant_route(app: MimicKlein, path: str, methods: list) -> Callable:
    return app.route(f"/v3/<tenant_id>{path}", methods=methods)


class CinderApi:
    """Cinder in one region, bound to the session store of this request."""

    app = MimicKlein()

    def __init__(self, region: str, uri_prefix: str, session_store: Any) -> None:
        self.region = region
        self.prefix = uri_prefix
        self.store = session_store

    def _begin(self, request: Any, tenant_id: str) -> tuple[BlockStorageRegion, Version]:
        version = negotiate_version(request)
        return block_storage_for(self.store, tenant_id, self.region), version

    def _user_id(self, request: Any, tenant_id: str) -> str:
        header = _header(request, b"x-auth-token")
        token = self.store.valid_token(header) if header else None
        if token is not None and token.tenant.id == tenant_id:
            return token.user.id
        return f"{tenant_id}-user"

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

    def _listing(self, request: Any, storage: BlockStorageRegion) -> list:
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
        storage, version = self._begin(request, tenant_id)
        volume = storage.volume(volume_id)
        return json_response(request, {"volume": self._volume(
            volume, storage.now(), version, tenant_id)})

    @tenant_route(app, "/volumes/<volume_id>", methods=["PUT"])
    def update_volume(self, request: Any, tenant_id: str, volume_id: str) -> bytes:
        storage, version = self._begin(request, tenant_id)
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
        storage, _ = self._begin(request, tenant_id)
        storage.delete_volume(volume_id)
        return empty_response(request, 202)

    @tenant_route(app, "/volumes/<volume_id>/action", methods=["POST"])
    def volume_action(self, request: Any, tenant_id: str, volume_id: str) -> bytes:
        storage, version = self._begin(request, tenant_id)
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
        storage, _ = self._begin(request, tenant_id)
        return json_response(request, {"metadata": dict(storage.volume(volume_id).metadata)})

    @tenant_route(app, "/volumes/<volume_id>/metadata", methods=["POST", "PUT"])
    def set_metadata(self, request: Any, tenant_id: str, volume_id: str) -> bytes:
        storage, _ = self._begin(request, tenant_id)
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
        storage, _ = self._begin(request, tenant_id)
        metadata = storage.volume(volume_id).metadata
        if key not in metadata:
            raise NotFound(f"Volume {volume_id} has no metadata with key {key}.")
        return json_response(request, {"meta": {key: metadata[key]}})

    @tenant_route(app, "/volumes/<volume_id>/metadata/<key>", methods=["DELETE"])
    def delete_metadata_item(self, request: Any, tenant_id: str, volume_id: str,
                             key: str) -> bytes:
        storage, _ = self._begin(request, tenant_id)
        storage.delete_metadata_item(volume_id, key)
        return empty_response(request, 200)

    # snapshots

    @tenant_route(app, "/snapshots", methods=["POST"])
    def create_snapshot(self, request: Any, tenant_id: str) -> bytes:
        storage, version = self._begin(request, tenant_id)
        part = section(read_json(request), "snapshot")
        volume_id = part.get("volume_id")
        if not isinstance(volume_id, str):
            raise invalid_field("volume_id", volume_id, "'volume_id' is a required property")
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
        name = query_argument(request, "name")
        rendered = [snapshot_detail(s, now, version, tenant_id) for s in snapshots
                    if name is None or s.name == name]
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

    # volume types, availability zones, limits, quotas, extensions

    @tenant_route(app, "/types", methods=["GET"])
    def list_types(self, request: Any, tenant_id: str) -> bytes:
        self._begin(request, tenant_id)
        return json_response(request, {"volume_types": [
            volume_type_json(t) for t in VOLUME_TYPES]})

    @tenant_route(app, "/types/default", methods=["GET"])
    def default_type(self, request: Any, tenant_id: str) -> bytes:
        _, version = self._begin(request, tenant_id)
        if version < DEFAULT_TYPE_ROUTE:
            return self._type(request, "default")
        return json_response(request, {"volume_type": volume_type_json(DEFAULT_TYPE)})

    @tenant_route(app, "/types/<type_id>", methods=["GET"])
    def show_type(self, request: Any, tenant_id: str, type_id: str) -> bytes:
        self._begin(request, tenant_id)
        return self._type(request, type_id)

    def _type(self, request: Any, type_id: str) -> bytes:
        return json_response(request, {"volume_type": volume_type_json(
            find_volume_type(type_id, by_name=False))})

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

    @tenant_route(app, "/os-quota-sets/<project_id>", methods=["GET"])
    def quota_set(self, request: Any, tenant_id: str, project_id: str) -> bytes:
        storage, _ = self._project(request, tenant_id, project_id, "show")
        usage = (query_argument(request, "usage") or "").lower() in ("true", "1", "yes")
        quotas = _quota_set(storage.quotas)
        if usage:
            used = storage.usage()
            quotas = {key: {"limit": limit, "in_use": used.get(key, 0), "reserved": 0,
                            "allocated": 0} for key, limit in quotas.items()}
        return json_response(request, {"quota_set": {"id": project_id, **quotas}})

    @tenant_route(app, "/os-quota-sets/<project_id>/defaults", methods=["GET"])
    def quota_defaults(self, request: Any, tenant_id: str, project_id: str) -> bytes:
        self._project(request, tenant_id, project_id, "show")
        return json_response(request, {"quota_set": {
            "id": project_id, **_quota_set(DEFAULT_QUOTAS)}})

    def _project(self, request: Any, tenant_id: str, project_id: str,
                 what: str) -> tuple[BlockStorageRegion, Version]:
        """Only one's own project's quotas: Cinder's default policy for non-admins."""
        begun = self._begin(request, tenant_id)
        if project_id != tenant_id:
            raise RequestError(403, "Policy doesn't allow "
                               f"volume_extension:quotas:{what} to be performed.")
        return begun

    # attachments (3.27 and later)

    @tenant_route(app, "/attachments", methods=["POST"])
    def create_attachment(self, request: Any, tenant_id: str) -> bytes:
        storage, version = self._begin(request, tenant_id)
        require(version, NEW_ATTACH)
        part = section(read_json(request), "attachment")
        volume_id = part.get("volume_uuid")
        if not isinstance(volume_id, str):
            raise invalid_field("volume_uuid", volume_id,
                                "'volume_uuid' is a required property")
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


def _quota_set(quotas: dict) -> dict:
    """Cinder's quota set: the totals, and a per-type entry (-1) for each type."""
    answer = dict(quotas)
    for volume_type in VOLUME_TYPES:
        for resource in ("volumes", "snapshots", "gigabytes"):
            answer[f"{resource}_{volume_type.name}"] = -1
    return answer


install_cinder_error_handlers(CinderApi.app)
