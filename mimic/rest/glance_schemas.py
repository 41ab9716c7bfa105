"""
Glance v2's JSON schemas, as ``GET /v2/schemas/{image,images,member,
members,task,tasks}`` serves them: what clients (glanceclient, and
openstacksdk when asked) validate images, members and tasks against, so
they carry Glance's property names, types, enumerations, patterns and
read-only marks. Every image, member and task Mimic renders validates
against them (the tests check it).

They are built from one table per document below rather than written out,
so a property's type is stated once.
"""

from __future__ import annotations

from typing import Any

from mimic.model.images import CONTAINER_FORMATS, DISK_FORMATS, VISIBILITIES

#: Glance's pattern for ids (images, kernels, ramdisks).
UUID_PATTERN = ("^([0-9a-fA-F]){8}-([0-9a-fA-F]){4}-([0-9a-fA-F]){4}"
                "-([0-9a-fA-F]){4}-([0-9a-fA-F]){12}$")

#: The image statuses Glance has.
IMAGE_STATUSES = ("queued", "saving", "active", "killed", "deleted", "uploading",
                  "importing", "pending_delete", "deactivated")
MEMBER_STATUSES = ("pending", "accepted", "rejected")
TASK_STATUSES = ("pending", "processing", "success", "failure")
TASK_TYPES = ("import", "api_image_import")


def _property(kind: Any, description: str, **extra: Any) -> dict:
    return {"type": kind, "description": description, **extra}


NULL_STRING = ["null", "string"]

#: The properties of an image, as its schema states them.
IMAGE_PROPERTIES: dict[str, dict] = {
    "id": _property("string", "The image's id.", pattern=UUID_PATTERN),
    "name": _property(NULL_STRING, "The image's name.", maxLength=255),
    "status": _property("string", "Where the image is in its life.", readOnly=True,
                        enum=list(IMAGE_STATUSES)),
    "visibility": _property("string", "Who may see the image.", enum=list(VISIBILITIES)),
    "protected": _property("boolean", "Whether the image is kept from deletion."),
    "os_hidden": _property("boolean", "Whether default lists leave the image out."),
    "checksum": _property(NULL_STRING, "MD5 of the image's data.", readOnly=True,
                          maxLength=32),
    "os_hash_algo": _property(NULL_STRING, "The algorithm of os_hash_value.", readOnly=True,
                              maxLength=64),
    "os_hash_value": _property(NULL_STRING, "Digest of the image's data.", readOnly=True,
                               maxLength=128),
    "owner": _property(NULL_STRING, "The project owning the image.", maxLength=255),
    "size": _property(["null", "integer"], "Bytes of data.", readOnly=True),
    "virtual_size": _property(["null", "integer"], "Virtual size in bytes.", readOnly=True),
    "container_format": _property(NULL_STRING, "The container format.",
                                  enum=[None, *CONTAINER_FORMATS]),
    "disk_format": _property(NULL_STRING, "The disk format.", enum=[None, *DISK_FORMATS]),
    "created_at": _property("string", "When the image was registered.", readOnly=True),
    "updated_at": _property("string", "When the image last changed.", readOnly=True),
    "tags": _property("array", "Strings attached to the image.",
                      items={"type": "string", "maxLength": 255}),
    "direct_url": _property("string", "Where the data is kept.", readOnly=True),
    "min_ram": _property("integer", "RAM (MB) needed to boot the image."),
    "min_disk": _property("integer", "Disk (GB) needed to boot the image."),
    "self": _property("string", "The image's URL.", readOnly=True),
    "file": _property("string", "The URL of the image's data.", readOnly=True),
    "stores": _property("string", "The stores holding the data.", readOnly=True),
    "schema": _property("string", "The URL of this schema.", readOnly=True),
    "locations": _property("array", "Where the data is kept.", items={
        "type": "object", "required": ["url", "metadata"],
        "properties": {"url": {"type": "string", "maxLength": 255},
                       "metadata": {"type": "object"}}}),
    # Common properties that are not base ones (``is_base: false``).
    "architecture": _property("string", "CPU architecture.", is_base=False),
    "instance_uuid": _property("string", "The server a snapshot was taken of.",
                               is_base=False),
    "kernel_id": _property(NULL_STRING, "Kernel image of an AMI-style image.",
                           is_base=False, pattern=UUID_PATTERN),
    "ramdisk_id": _property(NULL_STRING, "Ramdisk image of an AMI-style image.",
                            is_base=False, pattern=UUID_PATTERN),
    "os_distro": _property("string", "Operating system distribution.", is_base=False),
    "os_version": _property("string", "Operating system version.", is_base=False),
}

MEMBER_PROPERTIES: dict[str, dict] = {
    "created_at": _property("string", "When the member was added."),
    "updated_at": _property("string", "When the member last changed."),
    "image_id": _property("string", "The shared image.", pattern=UUID_PATTERN),
    "member_id": _property("string", "The project the image is shared with."),
    "status": _property("string", "The member's answer.", enum=list(MEMBER_STATUSES)),
    "schema": {"type": "string", "readOnly": True},
}

TASK_PROPERTIES: dict[str, dict] = {
    "id": _property("string", "The task's id.", pattern=UUID_PATTERN),
    "type": _property("string", "What the task does.", enum=list(TASK_TYPES)),
    "status": _property("string", "Where the task is.", enum=list(TASK_STATUSES)),
    "input": _property(["null", "object"], "What the task was asked."),
    "result": _property(["null", "object"], "What the task produced."),
    "owner": _property("string", "The project that made the task."),
    "message": _property("string", "Why the task failed, if it did."),
    "image_id": _property("string", "The image the task works on."),
    "request_id": _property("string", "The request that made the task."),
    "user_id": _property("string", "The user that made the task."),
    "expires_at": _property(["null", "string"], "When the task is forgotten."),
    "created_at": _property("string", "When the task was made."),
    "updated_at": _property("string", "When the task last changed."),
    "self": {"type": "string", "readOnly": True},
    "schema": {"type": "string", "readOnly": True},
}


def image_schema() -> dict:
    return {"name": "image", "properties": dict(IMAGE_PROPERTIES),
            # Any other property of an image is a string.
            "additionalProperties": {"type": "string"},
            "links": [{"href": "{self}", "rel": "self"}, {"href": "{file}", "rel": "enclosure"},
                      {"href": "{schema}", "rel": "describedby"}]}


def images_schema() -> dict:
    return {"name": "images",
            "properties": {"images": {"type": "array", "items": image_schema()},
                           "schema": {"type": "string"}, "first": {"type": "string"},
                           "next": {"type": "string"}},
            "links": [{"href": "{first}", "rel": "first"}, {"href": "{next}", "rel": "next"},
                      {"href": "{schema}", "rel": "describedby"}]}


def member_schema() -> dict:
    return {"name": "member", "properties": dict(MEMBER_PROPERTIES)}


def members_schema() -> dict:
    return {"name": "members",
            "properties": {"members": {"type": "array", "items": member_schema()},
                           "schema": {"type": "string"}},
            "links": [{"href": "{schema}", "rel": "describedby"}]}


def task_schema() -> dict:
    return {"name": "task", "properties": dict(TASK_PROPERTIES)}


def tasks_schema() -> dict:
    return {"name": "tasks",
            "properties": {"tasks": {"type": "array", "items": task_schema()},
                           "schema": {"type": "string"}, "first": {"type": "string"},
                           "next": {"type": "string"}},
            "links": [{"href": "{schema}", "rel": "describedby"},
                      {"href": "{first}", "rel": "first"}, {"href": "{next}", "rel": "next"}]}


#: ``/v2/schemas/<name>`` to the document it serves.
SCHEMAS = {"image": image_schema, "images": images_schema, "member": member_schema,
           "members": members_schema, "task": task_schema, "tasks": tasks_schema}
