"""
Tags on every taggable resource (Neutron's ``standard-attr-tag``): replace
all, add and remove one, clear, each checked as Neutron checks them (unique
strings of at most 255 characters, at most 50 per resource).
"""

from __future__ import annotations

from typing import Any

from mimic.model.neutron.faults import BadRequest, NotFound
from mimic.model.neutron.standard import Stamped

#: Neutron's bounds (``MAX_TAG_LEN``, ``MAX_TAGS_COUNT`` of its tagging
#: extension).
MAX_TAG_LENGTH = 255
MAX_TAGS = 50

#: The collection each taggable resource is in, and the singular name its
#: lookup and its errors use.
TAGGABLE = {
    "networks": "network", "subnets": "subnet", "ports": "port",
    "security-groups": "security_group", "floatingips": "floating_ip",
    "routers": "router", "subnetpools": "subnetpool", "trunks": "trunk",
}


def checked_tags(tags: Any) -> list[str]:
    """A list of unique strings of at most 255 characters, or Neutron's 400."""
    if not isinstance(tags, list):
        raise BadRequest(f"Invalid input for operation: '{tags}' is not a list.",
                         "InvalidInput")
    for tag in tags:
        checked_tag(tag)
    duplicates = sorted({t for t in tags if tags.count(t) > 1})
    if duplicates:
        raise BadRequest(f"Invalid input for operation: Duplicate items in the list: "
                         f"'{', '.join(duplicates)}'.", "InvalidInput")
    return list(tags)


def checked_tag(tag: Any) -> str:
    if not isinstance(tag, str):
        raise BadRequest(f"Invalid input for operation: '{tag}' is not a valid string.",
                         "InvalidInput")
    if len(tag) > MAX_TAG_LENGTH:
        raise BadRequest(f"Invalid input for operation: '{tag}' exceeds maximum length of "
                         f"{MAX_TAG_LENGTH}.", "InvalidInput")
    return tag


class Tags:
    """The tag operations of :class:`~mimic.model.neutron.state.NetworkState`."""

    __slots__ = ()

    def tagged(self, collection: str, resource_id: str) -> Stamped:
        """The resource ``resource_id`` of ``collection`` (``networks``, ...)."""
        return getattr(self, TAGGABLE[collection])(resource_id)

    def replace_tags(self, collection: str, resource_id: str, tags: Any) -> Stamped:
        resource = self.tagged(collection, resource_id)
        return self._set_tags(collection, resource, checked_tags(tags))

    def add_tags(self, collection: str, resource_id: str, tags: Any) -> Stamped:
        resource = self.tagged(collection, resource_id)
        wanted = checked_tags(tags)
        return self._set_tags(collection, resource,
                              list(resource.tags) + [t for t in wanted if t not in resource.tags])

    def add_tag(self, collection: str, resource_id: str, tag: Any) -> Stamped:
        resource = self.tagged(collection, resource_id)
        checked_tag(tag)
        if tag in resource.tags:
            return resource
        return self._set_tags(collection, resource, list(resource.tags) + [tag])

    def has_tag(self, collection: str, resource_id: str, tag: Any) -> bool:
        return checked_tag(tag) in self.tagged(collection, resource_id).tags

    def remove_tag(self, collection: str, resource_id: str, tag: Any) -> Stamped:
        resource = self.tagged(collection, resource_id)
        if checked_tag(tag) not in resource.tags:
            raise NotFound(f"Tag {tag} could not be found.", "TagNotFound")
        return self._set_tags(collection, resource, [t for t in resource.tags if t != tag])

    def clear_tags(self, collection: str, resource_id: str) -> Stamped:
        return self._set_tags(collection, self.tagged(collection, resource_id), [])

    def _set_tags(self, collection: str, resource: Stamped, tags: list[str]) -> Stamped:
        if len(tags) > MAX_TAGS:
            raise BadRequest(f"Bad {TAGGABLE[collection]} request: The number of tags exceed "
                             f"the per-resource limit of {MAX_TAGS}", "BadRequest")
        # Sorted: Neutron reads them from its tag table, whose primary key
        # is (standard_attr_id, tag) (neutron/db/models/tag.py).
        resource.tags = tuple(sorted(tags))
        resource.touch(self.now())
        return resource
