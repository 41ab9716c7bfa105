"""
The images of one tenant in one region: a canned public set that looks like
a Rackspace/OpenStack region, plus the snapshots the tenant makes with
Nova's ``createImage``.

This is the one image store of a region. Nova's image API serves it now; an
image-service (Glance) plugin must serve the same store, reached with
:func:`image_store_for`, so an image snapshotted through Nova is the image
Glance lists. Status changes (a snapshot is SAVING, then ACTIVE) are
computed from Mimic's clock when read, never scheduled.
"""

from __future__ import annotations

from typing import Any, Iterator, Optional

import attrs

from mimic.util import IdSource

#: How long a snapshot stays SAVING, in clock seconds.
SNAPSHOT_SECONDS = 5.0

#: Image references that are always refused, so a test can ask for "a bad
#: image" by a documented name.
INVALID_IMAGE_REFS = ("INVALID-IMAGE-ID", "00000000-0000-0000-0000-000000000000")


class ImageNotFound(LookupError):
    """No image with that id in this tenant's region."""


class ImageNotDeletable(Exception):
    """The image is a public one; tenants may delete only their own."""


@attrs.define(eq=False)
class Image:
    """
    An image. ``visibility`` is ``public`` for the canned set and
    ``private`` for snapshots (Glance's terms); ``server_id`` names the
    server a snapshot was taken of.
    """

    id: str
    name: str
    created: float
    min_disk: int = 0
    min_ram: int = 0
    size: int = 0
    visibility: str = "public"
    owner: Optional[str] = None
    server_id: Optional[str] = None
    ready_at: float = 0.0
    disk_format: str = "vhd"
    container_format: str = "ovf"
    metadata: dict = attrs.field(factory=dict)

    def status_at(self, now: float) -> str:
        """``SAVING`` until the snapshot is done, then ``ACTIVE`` (Nova's words)."""
        return "SAVING" if now < self.ready_at else "ACTIVE"

    def progress_at(self, now: float) -> int:
        return 25 if now < self.ready_at else 100

    def updated_at(self, now: float) -> float:
        return self.created if now < self.ready_at else max(self.created, self.ready_at)


def _canned(image_id: str, name: str, os_distro: str, os_version: str,
            min_disk: int, min_ram: int, size: int, os_type: str = "linux") -> Image:
    return Image(
        id=image_id,
        name=name,
        created=0.0,
        min_disk=min_disk,
        min_ram=min_ram,
        size=size,
        metadata={
            "os_type": os_type,
            "os_distro": os_distro,
            "os_version": os_version,
            "image_type": "base",
            "com.rackspace__1__visible_core": "1",
        },
    )


def canned_images() -> tuple[Image, ...]:
    """The public images every region starts with (fresh objects each call)."""
    return (
        _canned("a1b2c3d4-0001-4e6f-8a9b-0c1d2e3f4a01", "Ubuntu 22.04 LTS (Jammy Jellyfish)",
                "ubuntu", "22.04", 20, 512, 2361393152),
        _canned("a1b2c3d4-0002-4e6f-8a9b-0c1d2e3f4a02", "Ubuntu 20.04 LTS (Focal Fossa)",
                "ubuntu", "20.04", 20, 512, 2147483648),
        _canned("a1b2c3d4-0003-4e6f-8a9b-0c1d2e3f4a03", "Debian 12 (Bookworm)",
                "debian", "12", 20, 512, 1610612736),
        _canned("a1b2c3d4-0004-4e6f-8a9b-0c1d2e3f4a04", "Debian 11 (Bullseye)",
                "debian", "11", 20, 512, 1503238553),
        _canned("a1b2c3d4-0005-4e6f-8a9b-0c1d2e3f4a05", "CentOS Stream 9",
                "centos", "9", 20, 512, 1932735283),
        _canned("a1b2c3d4-0006-4e6f-8a9b-0c1d2e3f4a06", "Rocky Linux 9",
                "rocky", "9", 20, 512, 1825361100),
        _canned("a1b2c3d4-0007-4e6f-8a9b-0c1d2e3f4a07", "AlmaLinux 9",
                "almalinux", "9", 20, 512, 1811939328),
        _canned("a1b2c3d4-0008-4e6f-8a9b-0c1d2e3f4a08", "Fedora 39 (Cloud Edition)",
                "fedora", "39", 20, 512, 1395864371),
        _canned("a1b2c3d4-0009-4e6f-8a9b-0c1d2e3f4a09", "Windows Server 2022 Standard",
                "windows", "2022", 40, 2048, 12884901888, os_type="windows"),
        _canned("a1b2c3d4-0010-4e6f-8a9b-0c1d2e3f4a10", "Windows Server 2019 Standard",
                "windows", "2019", 40, 2048, 11811160064, os_type="windows"),
    )


@attrs.define
class ImageStore:
    """One tenant's images in one region, canned ones first, oldest first."""

    tenant_id: str
    ids: IdSource
    _images: dict[str, Image] = attrs.field(init=False)

    def __attrs_post_init__(self) -> None:
        self._images = {image.id: image for image in canned_images()}

    def get(self, image_id: str) -> Image:
        """The image with this id; :class:`ImageNotFound` if none."""
        image = None if image_id in INVALID_IMAGE_REFS else self._images.get(image_id)
        if image is None:
            raise ImageNotFound(image_id)
        return image

    def find(self, image_id: str) -> Optional[Image]:
        try:
            return self.get(image_id)
        except ImageNotFound:
            return None

    def images(self) -> Iterator[Image]:
        return iter(self._images.values())

    def create_snapshot(self, name: str, server_id: str, now: float,
                        min_disk: int = 0, min_ram: int = 0,
                        metadata: Optional[dict] = None,
                        saving_seconds: float = SNAPSHOT_SECONDS) -> Image:
        """A private image of a server, SAVING for ``saving_seconds``."""
        image = Image(
            id=self.ids.uuid(),
            name=name,
            created=now,
            min_disk=min_disk,
            min_ram=min_ram,
            visibility="private",
            owner=self.tenant_id,
            server_id=server_id,
            ready_at=now + saving_seconds,
            metadata={**(metadata or {}), "image_type": "snapshot",
                      "instance_uuid": server_id},
        )
        self._images[image.id] = image
        return image

    def delete(self, image_id: str) -> None:
        """Delete a snapshot; public images refuse with :class:`ImageNotDeletable`."""
        image = self.get(image_id)
        if image.visibility == "public":
            raise ImageNotDeletable(image_id)
        del self._images[image_id]


def image_store_for(session_store: Any, tenant_id: str, region: str) -> ImageStore:
    """The image store of ``tenant_id`` in ``region``: the one every API shares."""
    return session_store.tenant(tenant_id).data_for_api(
        ("images", region), lambda: ImageStore(tenant_id, session_store.ids)
    )
