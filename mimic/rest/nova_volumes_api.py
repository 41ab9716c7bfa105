"""
A server's volume attachments (``servers/<id>/os-volume_attachments``):
list, attach, show, update (swap; 2.85 ``delete_on_termination``) and detach, in Nova's shapes per microversion (2.70
``tag``, 2.79 ``delete_on_termination``, 2.89 ``attachment_id`` and
``bdm_uuid`` in place of ``id``). The volumes are Cinder's; the rules are
in :mod:`mimic.model.nova_volumes`.
"""

from __future__ import annotations

from typing import Any

from mimic.model.nova_volumes import (
    BlockDevice,
    attach_volume,
    attached,
    detach_volume,
    storage_for,
    update_attachment,
)
from mimic.rest.http import RequestError, empty_response, json_response, read_json
from mimic.rest.nova_routes import NovaRoutes, tenant_route

app = NovaRoutes.app


def volume_attachment(block: BlockDevice, server_id: str, version: Any) -> dict:
    body: dict = {"device": block.device, "serverId": server_id,
                  "volumeId": block.volume_id}
    if version < "2.89":
        body["id"] = block.volume_id
    if version >= "2.70":
        body["tag"] = block.tag
    if version >= "2.79":
        body["delete_on_termination"] = block.delete_on_termination
    if version >= "2.89":
        body["attachment_id"] = block.attachment_id
        body["bdm_uuid"] = block.attachment_id
    return body


def _invalid(field: str, value: Any, reason: str) -> RequestError:
    return RequestError(400, f"Invalid input for field/attribute {field}. "
                        f"Value: {value}. {reason}")


class VolumeAttachmentRoutes(NovaRoutes):
    """``servers/<id>/os-volume_attachments[/<volume_id>]``."""

    @tenant_route(app, "/servers/<server_id>/os-volume_attachments", methods=["GET"])
    def list_volume_attachments(self, request: Any, tenant_id: str,
                                server_id: str) -> bytes:
        compute, _ = self._begin(request, tenant_id)
        server = compute.server(server_id)
        return json_response(request, {"volumeAttachments": [
            volume_attachment(b, server.id, self.version) for b in server.volumes]})

    @tenant_route(app, "/servers/<server_id>/os-volume_attachments", methods=["POST"])
    def attach_volume(self, request: Any, tenant_id: str, server_id: str) -> bytes:
        compute, _ = self._begin(request, tenant_id)
        body = read_json(request)
        part = body.get("volumeAttachment")
        if not isinstance(part, dict):
            raise _invalid("volumeAttachment", part,
                           "'volumeAttachment' is a required property")
        volume_id = part.get("volumeId")
        if not isinstance(volume_id, str) or not volume_id:
            raise _invalid("volumeId", volume_id, "'volumeId' is a required property")
        device = part.get("device")
        if device is not None and not isinstance(device, str):
            raise _invalid("device", device, f"{device!r} is not of type 'string', 'null'")
        tag = part.get("tag") if self.version >= "2.49" else None
        if tag is not None and not isinstance(tag, str):
            raise _invalid("tag", tag, f"{tag!r} is not of type 'string'")
        delete = part.get("delete_on_termination", False) \
            if self.version >= "2.79" else False
        if not isinstance(delete, bool):
            raise _invalid("delete_on_termination", delete,
                           f"{delete!r} is not of type 'boolean'")
        server = compute.server(server_id)
        block = attach_volume(storage_for(self.store, tenant_id, self.region), server,
                              volume_id, compute.now(), device=device,
                              delete_on_termination=delete, tag=tag)
        self._record_action(request, tenant_id, compute, "attach_volume", server.id)
        return json_response(request, {"volumeAttachment": volume_attachment(
            block, server.id, self.version)})

    @tenant_route(app, "/servers/<server_id>/os-volume_attachments/<volume_id>",
                  methods=["GET"])
    def show_volume_attachment(self, request: Any, tenant_id: str, server_id: str,
                               volume_id: str) -> bytes:
        compute, _ = self._begin(request, tenant_id)
        server = compute.server(server_id)
        return json_response(request, {"volumeAttachment": volume_attachment(
            attached(server, volume_id), server.id, self.version)})

    @tenant_route(app, "/servers/<server_id>/os-volume_attachments/<volume_id>",
                  methods=["PUT"])
    def update_volume_attachment(self, request: Any, tenant_id: str, server_id: str,
                                 volume_id: str) -> bytes:
        """
        Swap the volume (an admin's: nova/policies/volumes_attachments.py
        ``swap`` is ``ADMIN``) or, from 2.85, change ``delete_on_termination``
        (the project's). Answers 202 with no body, as Nova's ``update``.
        """
        compute, _ = self._begin(request, tenant_id)
        part = read_json(request).get("volumeAttachment")
        if not isinstance(part, dict):
            raise _invalid("volumeAttachment", part,
                           "'volumeAttachment' is a required property")
        new_volume_id = part.get("volumeId")
        if not isinstance(new_volume_id, str) or not new_volume_id:
            raise _invalid("volumeId", new_volume_id, "'volumeId' is a required property")
        delete = part.get("delete_on_termination") if self.version >= "2.85" else None
        if delete is not None and not isinstance(delete, bool):
            raise _invalid("delete_on_termination", delete,
                           f"{delete!r} is not of type 'boolean'")
        swapping = new_volume_id != volume_id
        if swapping or self.version < "2.85":
            self._authorize(request, tenant_id, "os_compute_api:os-volumes-attachments:swap")
        server = compute.server(server_id)
        update_attachment(storage_for(self.store, tenant_id, self.region), server,
                          volume_id, new_volume_id, delete, compute.now())
        if swapping:
            self._record_action(request, tenant_id, compute, "swap_volume", server.id)
        return empty_response(request, 202)

    @tenant_route(app, "/servers/<server_id>/os-volume_attachments/<volume_id>",
                  methods=["DELETE"])
    def detach_volume(self, request: Any, tenant_id: str, server_id: str,
                      volume_id: str) -> bytes:
        compute, _ = self._begin(request, tenant_id)
        server = compute.server(server_id)
        detach_volume(storage_for(self.store, tenant_id, self.region), server, volume_id,
                      compute.now())
        self._record_action(request, tenant_id, compute, "detach_volume", server.id)
        return empty_response(request, 202)
