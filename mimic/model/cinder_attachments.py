"""
How a volume is attached, as rules over one tenant's Cinder state
(:class:`mimic.model.cinder.BlockStorageRegion` takes them in): the legacy
volume actions (``os-reserve``, ``os-attach``, ``os-begin_detaching``,
``os-detach`` ...), the v3 attachments API (3.27 and later: an attachment
``reserved`` without a connector, ``attaching`` with one, ``attached``
once completed) and Nova's side of both (attach at once, detach, the
reservation a server holds).
"""

from __future__ import annotations

from typing import Optional

from mimic.model.cinder_errors import BadRequest, NotFound, invalid_volume
from mimic.model.cinder_records import Attachment


class AttachmentRules:
    """The attaching half of :class:`mimic.model.cinder.BlockStorageRegion`."""

    _attachments: dict

    # the legacy attach actions (os-reserve, os-attach, os-detach, ...)

    def reserve(self, volume_id: str) -> None:
        volume = self.volume(volume_id)
        now = self._expect(volume, "reserve", "available")
        volume.status, volume.updated = "attaching", now

    def unreserve(self, volume_id: str) -> None:
        volume = self.volume(volume_id)
        if volume.status_at(self.now()) == "attaching":
            volume.status = "in-use" if volume.attached() else "available"
            volume.updated = self.now()

    def attach_legacy(self, volume_id: str, server_id: Optional[str],
                      mountpoint: Optional[str], mode: str = "rw") -> Attachment:
        volume = self.volume(volume_id)
        now = self._expect(volume, "attach", "available", "attaching", "reserved")
        attachment = Attachment(self.ids.uuid(), volume.id, server_id, "attached", now,
                                mode=mode, device=mountpoint, attached_at=now)
        self._attachments[attachment.id] = attachment
        volume.attachments.append(attachment)
        volume.status, volume.updated = "in-use", now
        return attachment

    def begin_detaching(self, volume_id: str) -> None:
        volume = self.volume(volume_id)
        now = self._expect(volume, "begin detaching", "in-use")
        volume.status, volume.updated = "detaching", now

    def roll_detaching(self, volume_id: str) -> None:
        volume = self.volume(volume_id)
        if volume.status_at(self.now()) == "detaching":
            volume.status, volume.updated = "in-use", self.now()

    def detach_legacy(self, volume_id: str, attachment_id: Optional[str] = None) -> None:
        volume = self.volume(volume_id)
        if volume.status_at(self.now()) not in ("in-use", "detaching") or not volume.attachments:
            raise invalid_volume("Unable to detach volume. Volume status must be 'in-use' "
                                 "and attach_status must be 'attached' to detach.")
        if attachment_id is None:
            if len(volume.attachments) > 1:
                raise invalid_volume("Detach volume failed: More than one attachment, "
                                     "but no attachment_id provided.")
            attachment_id = volume.attachments[0].id
        self.delete_attachment(attachment_id)

    # attachments (the v3 attachments API, microversion 3.27 and later)

    def attachment(self, attachment_id: str) -> Attachment:
        attachment = self._attachments.get(attachment_id)
        if attachment is None:
            raise NotFound(f"Volume attachment could not be found with filter: "
                           f"attachment_id = {attachment_id}.")
        return attachment

    def attachments(self, volume_id: Optional[str] = None,
                    instance_id: Optional[str] = None) -> list:
        return [a for a in self._attachments.values()
                if (volume_id is None or a.volume_id == volume_id)
                and (instance_id is None or a.instance == instance_id)]

    def create_attachment(self, volume_id: str, instance_id: Optional[str],
                          connector: Optional[dict] = None, mode: str = "rw") -> Attachment:
        """Reserve the volume for a server; a connector makes it ``attaching`` at once."""
        if mode not in ("rw", "ro"):
            raise BadRequest(f"Invalid attaching mode '{mode}' for volume {volume_id}.")
        volume = self.volume(volume_id)
        now = self._expect(volume, "reserve", "available", "reserved")
        status = "attaching" if connector is not None else "reserved"
        attachment = Attachment(self.ids.uuid(), volume.id, instance_id, status, now,
                                mode=mode, connector=connector)
        self._attachments[attachment.id] = attachment
        volume.attachments.append(attachment)
        volume.status, volume.updated = status, now
        return attachment

    def update_attachment(self, attachment_id: str, connector: dict) -> Attachment:
        attachment = self.attachment(attachment_id)
        volume = self.volume(attachment.volume_id)
        attachment.connector = connector
        if attachment.status == "reserved":
            attachment.status = "attaching"
        if volume.status in ("reserved", "available"):
            volume.status = "attaching"
        volume.updated = self.now()
        return attachment

    def complete_attachment(self, attachment_id: str) -> None:
        attachment = self.attachment(attachment_id)
        volume = self.volume(attachment.volume_id)
        now = self.now()
        attachment.status, attachment.attached_at = "attached", now
        volume.status, volume.updated = "in-use", now

    def delete_attachment(self, attachment_id: str) -> None:
        attachment = self.attachment(attachment_id)
        del self._attachments[attachment_id]
        volume = self._volumes.get(attachment.volume_id)
        if volume is None:
            return
        volume.attachments = [a for a in volume.attachments if a.id != attachment_id]
        volume.status = "in-use" if volume.attached() else "available"
        volume.updated = self.now()

    # Nova's side

    def reserve_for_server(self, volume_id: str, server_id: str) -> Attachment:
        """What Nova does first when attaching: an attachment with no connector."""
        return self.create_attachment(volume_id, server_id)

    def attach_to_server(self, volume_id: str, server_id: str,
                         device: Optional[str] = None) -> Attachment:
        """
        Attach at once (reserve, connect, complete): the volume is ``in-use``.
        A reservation the server already holds (:meth:`reserve_for_server`)
        is the attachment that completes.
        """
        pending = [a for a in self.attachments(volume_id=volume_id, instance_id=server_id)
                   if a.status in ("reserved", "attaching")]
        if pending:
            attachment = self.update_attachment(pending[0].id, {"host": server_id})
        else:
            attachment = self.create_attachment(volume_id, server_id,
                                                connector={"host": server_id})
        attachment.device = device
        self.complete_attachment(attachment.id)
        return attachment

    def detach_from_server(self, volume_id: str, server_id: str) -> None:
        """Drop the server's attachments of the volume; :class:`NotFound` if none."""
        found = self.attachments(volume_id=volume_id, instance_id=server_id)
        if not found:
            raise NotFound(f"Volume {volume_id} is not attached to {server_id}.")
        for attachment in found:
            self.delete_attachment(attachment.id)

