"""
The images of one tenant in one region: a canned public set that looks like
a Rackspace/OpenStack region, plus the snapshots the tenant makes with
Nova's ``createImage``.

This is the one image store of a region: Nova's image API and the Glance v2
plugin both serve it, reached with :func:`image_store_for`, so an image
snapshotted through Nova is the image Glance lists, and an image registered
through Glance is one Nova lists. Status changes (a snapshot is SAVING, then ACTIVE) are
computed from Mimic's clock when read, never scheduled.
"""

from __future__ import annotations

import hashlib
from typing import Any, Callable, Iterator, Optional

import attrs

from mimic.util import IdSource

#: How long a snapshot stays SAVING, in clock seconds.
SNAPSHOT_SECONDS = 5.0

#: Image references that are always refused, so a test can ask for "a bad
#: image" by a documented name: the original Mimic's (``INVALID-IMAGE-ID``,
#: ``1111``, and any id ending in ``Z``, listed as the original listed it,
#: ``image_ends_with_Z``) and the nil UUID.
INVALID_IMAGE_REFS = ("INVALID-IMAGE-ID", "1111", "image_ends_with_Z",
                      "00000000-0000-0000-0000-000000000000")


def is_invalid_image_ref(image_id: str) -> bool:
    """One of the documented invalid image references (see :data:`INVALID_IMAGE_REFS`)."""
    return image_id in INVALID_IMAGE_REFS or image_id.endswith("Z")


class ImageNotFound(LookupError):
    """No image with that id in this tenant's region."""


class ImageNotDeletable(Exception):
    """The image is a public one; tenants may delete only their own."""


class ImageProtected(Exception):
    """The image is protected; it must be unprotected before deletion."""


class GlanceRefusal(Exception):
    """
    A request Glance refuses with a status of its own (``code``) and a
    message; the REST layer answers every one the same way.
    """

    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class InvalidImageChange(GlanceRefusal, ValueError):
    """A change Glance refuses; ``code`` is 400, 403 or 409 as Glance says."""


#: Glance's formats and visibilities (what ``POST /v2/images`` accepts).
DISK_FORMATS = ("ami", "ari", "aki", "vhd", "vhdx", "vmdk", "raw", "qcow2", "vdi",
                "iso", "ploop")
CONTAINER_FORMATS = ("ami", "ari", "aki", "bare", "ovf", "ova", "docker", "compressed")
VISIBILITIES = ("public", "private", "shared", "community")

#: Attributes of an image that Glance computes and never lets a user set.
READ_ONLY_ATTRIBUTES = frozenset({
    "id", "status", "created_at", "updated_at", "size", "virtual_size", "checksum",
    "os_hash_algo", "os_hash_value", "owner", "self", "file", "schema", "direct_url",
    "locations",
})

#: Attributes with a meaning (and a type) of their own; anything else a user
#: sets is a free-form string property.
TYPED_ATTRIBUTES = ("name", "visibility", "protected", "min_disk", "min_ram",
                    "disk_format", "container_format", "tags", "os_hidden")


@attrs.define(eq=False)
class Image:
    """
    An image. ``visibility`` is ``public`` for the canned set and
    ``private`` for snapshots (Glance's terms); ``server_id`` names the
    server a snapshot was taken of.
    """

    id: str
    name: Optional[str]
    created: float
    min_disk: int = 0
    min_ram: int = 0
    size: int = 0
    visibility: str = "public"
    owner: Optional[str] = None
    server_id: Optional[str] = None
    ready_at: float = 0.0
    disk_format: Optional[str] = "vhd"
    container_format: Optional[str] = "ovf"
    metadata: dict = attrs.field(factory=dict)
    tags: list = attrs.field(factory=list)
    protected: bool = False
    hidden: bool = False
    #: Registered through Glance with no data uploaded: Glance's ``queued``.
    queued: bool = False
    changed: Optional[float] = None
    #: Data uploaded through Glance (bounded by Mimic's 1 MiB body limit).
    data: Optional[bytes] = None
    #: Data staged for an interoperable import (``PUT .../stage``), not yet
    #: imported: the image is ``uploading``.
    staged: Optional[bytes] = None

    def checksum(self, algorithm: str = "md5") -> str:
        """Of the uploaded data, or of the id for images that carry none."""
        return hashlib.new(algorithm, self.data if self.data is not None
                           else self.id.encode()).hexdigest()

    def status_at(self, now: float) -> str:
        """``SAVING`` until the snapshot is done, then ``ACTIVE`` (Nova's words)."""
        return "SAVING" if self.queued or now < self.ready_at else "ACTIVE"

    def glance_status_at(self, now: float) -> str:
        """Glance's word: ``queued``, ``uploading`` (staged), ``saving`` or ``active``."""
        if self.queued:
            return "uploading" if self.staged is not None else "queued"
        return "saving" if now < self.ready_at else "active"

    def progress_at(self, now: float) -> int:
        return 25 if now < self.ready_at else 100

    def updated_at(self, now: float) -> float:
        done = self.created if now < self.ready_at else max(self.created, self.ready_at)
        return max(done, self.changed or 0.0)


#: The public images every region starts with: number (their ids are
#: ``a1b2c3d4-00NN-4e6f-8a9b-0c1d2e3f4aNN``, see :func:`_canned`), name,
#: ``os_distro``, ``os_version``, ``min_disk`` (GB), ``min_ram`` (MB), size.
_CANNED_IMAGES = (
    (1, "Ubuntu 22.04 LTS (Jammy Jellyfish)", "ubuntu", "22.04", 20, 512, 2361393152),
    (2, "Ubuntu 20.04 LTS (Focal Fossa)", "ubuntu", "20.04", 20, 512, 2147483648),
    (3, "Debian 12 (Bookworm)", "debian", "12", 20, 512, 1610612736),
    (4, "Debian 11 (Bullseye)", "debian", "11", 20, 512, 1503238553),
    (5, "CentOS Stream 9", "centos", "9", 20, 512, 1932735283),
    (6, "Rocky Linux 9", "rocky", "9", 20, 512, 1825361100),
    (7, "AlmaLinux 9", "almalinux", "9", 20, 512, 1811939328),
    (8, "Fedora 39 (Cloud Edition)", "fedora", "39", 20, 512, 1395864371),
    (9, "Windows Server 2022 Standard", "windows", "2022", 40, 2048, 12884901888),
    (10, "Windows Server 2019 Standard", "windows", "2019", 40, 2048, 11811160064),
)


def _canned(number: int, name: str, os_distro: str, os_version: str,
            min_disk: int, min_ram: int, size: int) -> Image:
    return Image(
        id=f"a1b2c3d4-{number:04d}-4e6f-8a9b-0c1d2e3f4a{number:02d}",
        name=name,
        created=0.0,
        min_disk=min_disk,
        min_ram=min_ram,
        size=size,
        metadata={
            "os_type": "windows" if os_distro == "windows" else "linux",
            "os_distro": os_distro,
            "os_version": os_version,
            "image_type": "base",
            "com.rackspace__1__visible_core": "1",
        },
    )


def stand_in_image(image_id: str) -> Image:
    """
    An image nobody registered, named by a create or rebuild request: it
    carries the id the client sent and nothing else, and is in no store
    (``GET images/<id>`` stays 404, so clients that resolve a name by trying
    it as an id first still find the named image).
    """
    return Image(id=image_id, name=None, created=0.0)


def canned_images() -> tuple[Image, ...]:
    """The public images every region starts with (fresh objects each call)."""
    return tuple(_canned(*row) for row in _CANNED_IMAGES)


#: The interoperable import methods Mimic offers, and how long a task is
#: kept after it ends (Glance's default ``task_time_to_live``, 48 hours).
IMPORT_METHODS = ("glance-direct", "web-download")
TASK_SECONDS_TO_LIVE = 48 * 3600


@attrs.define(eq=False)
class Task:
    """An import task: what it was asked, and how it ended."""

    id: str
    image_id: str
    owner: str
    created: float
    method: dict
    status: str = "success"
    message: str = ""


@attrs.define
class ImageStore:
    """One tenant's images in one region, canned ones first, oldest first."""

    tenant_id: str
    ids: IdSource
    #: The public images the store starts with (fresh objects each call).
    canned: Callable[[], tuple] = canned_images
    _images: dict[str, Image] = attrs.field(init=False)
    tasks: dict[str, Task] = attrs.field(init=False, factory=dict)

    def __attrs_post_init__(self) -> None:
        self._images = {image.id: image for image in self.canned()}

    def get(self, image_id: str) -> Image:
        """The image with this id; :class:`ImageNotFound` if none."""
        image = None if is_invalid_image_ref(image_id) else self._images.get(image_id)
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
            # The user's properties win, as in Nova's _create_image
            # (nova/compute/api.py: properties.update(extra_properties)).
            metadata={"image_type": "snapshot", "instance_uuid": server_id,
                      **(metadata or {})},
        )
        self._images[image.id] = image
        return image

    def register(self, attributes: dict, now: float) -> Image:
        """
        An image registered through Glance (``POST /v2/images``): metadata
        only, ``queued`` until data would be uploaded. ``attributes`` is the
        request body; everything is validated before anything is stored.
        """
        image_id = attributes.get("id")
        if image_id is not None:
            if not isinstance(image_id, str) or not image_id:
                raise InvalidImageChange(400, "Invalid id: it must be a string UUID.")
            if image_id in self._images:
                raise InvalidImageChange(409, f"Image with identifier {image_id} already exists!")
        image = Image(id=image_id or self.ids.uuid(), name=None, created=now,
                      visibility="shared", owner=self.tenant_id, queued=True,
                      disk_format=None, container_format=None, changed=now)
        changes = {k: v for k, v in attributes.items() if k != "id"}
        self._apply(image, changes)
        self._images[image.id] = image
        return image

    def update(self, image_id: str, changes: dict, now: float, admin: bool = False) -> Image:
        """
        Set (value) or remove (``REMOVE``) attributes of an image the tenant
        owns (any image, for an ``admin``, as Glance's default policy lets
        them), all or nothing (Glance's JSON-patch, already resolved).
        """
        image = self.get(image_id)
        if image.owner != self.tenant_id and not admin:
            raise InvalidImageChange(403, "You are not permitted to modify this image.")
        trial = attrs.evolve(image, metadata=dict(image.metadata), tags=list(image.tags))
        self._apply(trial, changes)
        for field in attrs.fields(Image):
            setattr(image, field.name, getattr(trial, field.name))
        image.changed = now
        return image

    def upload(self, image_id: str, data: bytes, now: float) -> Image:
        """Store an image's data: a ``queued`` image becomes ``active``."""
        image = self.get(image_id)
        if image.owner != self.tenant_id:
            raise InvalidImageChange(403, "You are not permitted to upload data "
                                     "for this image.")
        if not image.queued or image.staged is not None:
            raise InvalidImageChange(409, "Image status transition from "
                                     f"{image.glance_status_at(now)} to saving is not allowed")
        if image.disk_format is None or image.container_format is None:
            raise InvalidImageChange(400, "Properties disk_format, container_format "
                                     "must be set prior to saving data.")
        image.data = bytes(data)
        image.size = len(data)
        image.queued = False
        image.changed = now
        return image

    def stage(self, image_id: str, data: bytes, now: float) -> Image:
        """Stage data for a ``glance-direct`` import: ``queued`` becomes ``uploading``."""
        image = self._own(image_id, "upload data for")
        if image.glance_status_at(now) != "queued":
            raise InvalidImageChange(409, f"Image status transition from "
                                     f"{image.glance_status_at(now)} to uploading is not "
                                     f"allowed")
        image.staged = bytes(data)
        image.changed = now
        return image

    def import_data(self, image_id: str, method: Any, now: float) -> Task:
        """
        Glance's interoperable import, answered at once: ``glance-direct``
        makes the staged data the image's; ``web-download`` fails (Mimic
        reaches nothing outside itself) and leaves the image ``queued``.
        Either way a task records it.
        """
        image = self._own(image_id, "import")
        if not isinstance(method, dict) or not isinstance(method.get("name"), str):
            raise InvalidImageChange(400, "Import request requires a 'method' object with "
                                     "a 'name'.")
        name = method["name"]
        if name not in IMPORT_METHODS:
            raise InvalidImageChange(400, f"Import method {name} is not supported")
        if image.disk_format is None or image.container_format is None:
            raise InvalidImageChange(400, "'disk_format' needs to be set before import")
        status = image.glance_status_at(now)
        if name == "glance-direct" and status != "uploading":
            raise InvalidImageChange(409, "Image needs to be staged before 'glance-direct' "
                                     "method can be used")
        if name == "web-download":
            if not isinstance(method.get("uri"), str) or not method["uri"]:
                raise InvalidImageChange(400, "'uri' is required for web-download import.")
            if status != "queued":
                raise InvalidImageChange(409, f"Image status transition from {status} to "
                                         f"importing is not allowed")
        task = Task(self.ids.uuid(), image.id, self.tenant_id, now, dict(method))
        if name == "glance-direct":
            image.data, image.staged = image.staged, None
            image.size = len(image.data or b"")
            image.queued = False
        else:
            task.status = "failure"
            task.message = (f"Mimic reaches no network outside itself, so web-download "
                            f"cannot fetch {method['uri']}; use glance-direct or PUT "
                            f".../file instead.")
        image.changed = now
        self.tasks[task.id] = task
        return task

    def tasks_of(self, image_id: str) -> list[Task]:
        image = self.get(image_id)
        return [t for t in self.tasks.values() if t.image_id == image.id]

    def _own(self, image_id: str, action: str) -> Image:
        image = self.get(image_id)
        if image.owner != self.tenant_id:
            raise InvalidImageChange(403, f"You are not permitted to {action} this image.")
        return image

    def _apply(self, image: Image, changes: dict) -> None:
        for key, value in changes.items():
            if key in READ_ONLY_ATTRIBUTES:
                raise InvalidImageChange(403, f"Attribute '{key}' is read-only.")
            if value is REMOVE:
                if key in TYPED_ATTRIBUTES:
                    raise InvalidImageChange(403, f"Attribute '{key}' is required and "
                                             "cannot be removed.")
                if key not in image.metadata:
                    raise InvalidImageChange(409, f"Property {key} does not exist.")
                del image.metadata[key]
            elif key in TYPED_ATTRIBUTES:
                _set_typed(image, key, value)
            else:
                if not isinstance(value, str):
                    raise InvalidImageChange(
                        400, f"Invalid value for property {key!r}: properties are strings.")
                if len(key) > 255 or not key:
                    raise InvalidImageChange(400, "Property names are 1 to 255 characters.")
                image.metadata[key] = value

    def delete(self, image_id: str) -> None:
        """
        Delete an image the tenant owns; public images refuse with
        :class:`ImageNotDeletable`, protected ones with :class:`ImageProtected`.
        """
        image = self.get(image_id)
        if image.owner != self.tenant_id:
            raise ImageNotDeletable(image_id)
        if image.protected:
            raise ImageProtected(image_id)
        del self._images[image_id]


#: Marks an attribute to remove in :meth:`ImageStore.update`.
REMOVE = object()


def _set_typed(image: Image, key: str, value: Any) -> None:
    if key == "name":
        if value is not None and (not isinstance(value, str) or len(value) > 255):
            raise InvalidImageChange(400, "Invalid value for name: at most 255 characters.")
        image.name = value
    elif key == "visibility":
        if value not in VISIBILITIES:
            raise InvalidImageChange(400, f"Invalid visibility value: {value}")
        image.visibility = value
    elif key in ("protected", "os_hidden"):
        if not isinstance(value, bool):
            raise InvalidImageChange(400, f"Invalid value for {key}: it must be a boolean.")
        if key == "protected":
            image.protected = value
        else:
            image.hidden = value
    elif key in ("min_disk", "min_ram"):
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise InvalidImageChange(400, f"Invalid value for {key}: a non-negative integer.")
        setattr(image, key, value)
    elif key in ("disk_format", "container_format"):
        allowed = DISK_FORMATS if key == "disk_format" else CONTAINER_FORMATS
        if value is not None and value not in allowed:
            raise InvalidImageChange(
                400, f"Invalid value '{value}' for {key}: one of {', '.join(allowed)}.")
        setattr(image, key, value)
    elif key == "tags":
        if not isinstance(value, list) or not all(
                isinstance(tag, str) and 0 < len(tag) <= 255 for tag in value):
            raise InvalidImageChange(400, "Invalid value for tags: a list of strings.")
        image.tags = list(dict.fromkeys(value))


#: How many projects one image may be shared with (Glance's
#: ``image_member_quota``).
MEMBER_LIMIT = 128
MEMBER_STATUSES = ("pending", "accepted", "rejected")


class MemberRefused(GlanceRefusal):
    """A sharing request Glance refuses; ``code`` is its status."""


@attrs.define(eq=False)
class Member:
    """A project an image is shared with, and its answer."""

    image_id: str
    member_id: str
    created: float
    updated: float
    status: str = "pending"


@attrs.define
class ImageShares:
    """
    The members of a region's shared images: who may see an image that is
    not theirs. An image is seen by its members only while its visibility
    is ``shared``; a member sees it in lists once it has accepted it (or
    asks for ``member_status``).
    """

    _members: dict[str, dict[str, Member]] = attrs.field(factory=dict)
    _images: dict[str, Image] = attrs.field(factory=dict)

    def add(self, owner: str, image: Image, member_id: Any, now: float) -> Member:
        self._owned(owner, image, "create")
        if image.visibility != "shared":
            raise MemberRefused(403, "Only shared images have members.")
        if not isinstance(member_id, str) or not 0 < len(member_id) <= 255:
            raise MemberRefused(400, "Invalid member: a project id of 1 to 255 characters.")
        members = self._members.setdefault(image.id, {})
        if member_id in members:
            raise MemberRefused(409, f"Member {member_id} is duplicated for image "
                                f"{image.id}")
        if len(members) >= MEMBER_LIMIT:
            raise MemberRefused(413, f"The limit has been exceeded on the number of allowed "
                                f"image members for this image. Attempted: "
                                f"{len(members) + 1}, Maximum: {MEMBER_LIMIT}")
        member = members[member_id] = Member(image.id, member_id, now, now)
        self._images[image.id] = image
        return member

    def members(self, caller: str, image: Image) -> list[Member]:
        """The owner sees every member; a member only itself."""
        members = self._members.get(image.id, {})
        if image.owner == caller:
            return list(members.values())
        return [m for m in members.values() if m.member_id == caller]

    def member(self, caller: str, image: Image, member_id: str) -> Member:
        for member in self.members(caller, image):
            if member.member_id == member_id:
                return member
        raise MemberRefused(404, f"{member_id} not found in the member list of the image "
                            f"{image.id}.")

    def answer(self, caller: str, image: Image, member_id: str, status: Any,
               now: float) -> Member:
        """The member (only) accepts, rejects or puts back to pending."""
        member = self.member(caller, image, member_id)
        if caller != member_id:
            raise MemberRefused(403, f"Not allowed to update members for image {image.id}.")
        if status not in MEMBER_STATUSES:
            raise MemberRefused(400, f"Invalid status: {status!r} is not one of "
                                f"{', '.join(MEMBER_STATUSES)}.")
        member.status = status
        member.updated = now
        return member

    def remove(self, caller: str, image: Image, member_id: str) -> None:
        self.member(caller, image, member_id)
        self._owned(caller, image, "delete")
        del self._members[image.id][member_id]

    def forget(self, image_id: str) -> None:
        """A deleted image is shared with no one."""
        self._members.pop(image_id, None)
        self._images.pop(image_id, None)

    def shared_with(self, caller: str, image_id: str) -> Optional[Image]:
        """The image ``image_id`` if it is shared with ``caller`` now."""
        image = self._images.get(image_id)
        if image is None or image.visibility != "shared":
            return None
        return image if caller in self._members.get(image_id, {}) else None

    def images_for(self, caller: str, status: str = "accepted") -> list[Image]:
        """
        The images shared with ``caller`` whose member status is ``status``
        (or ``all``), leaving out the caller's own: an owner that made
        itself a member still sees its image once, as Glance's one query
        (owner, or visibility, or membership) gives it.
        """
        return [self._images[image_id] for image_id, members in self._members.items()
                if caller in members and self._images[image_id].visibility == "shared"
                and self._images[image_id].owner != caller
                and status in ("all", members[caller].status)]

    @staticmethod
    def _owned(caller: str, image: Image, action: str) -> None:
        if image.owner != caller:
            raise MemberRefused(403, f"Not allowed to {action} members for image {image.id}.")


def image_shares_for(session_store: Any, region: str) -> ImageShares:
    """The region's image members (sharing crosses tenants, so it is the region's)."""
    return session_store.data_for_api(("image-shares", region), ImageShares)


def image_store_for(session_store: Any, tenant_id: str, region: str,
                    canned: Callable[[], tuple] = canned_images) -> ImageStore:
    """
    The image store of ``tenant_id`` in ``region``: the one every API shares,
    starting with the ``canned`` images (the profile's: :mod:`mimic.profiles`).
    """
    return session_store.tenant(tenant_id).data_for_api(
        ("images", region), lambda: ImageStore(tenant_id, session_store.ids, canned)
    )
