"""
The Image service (Glance) v2 of one region: version discovery, and image
records listed, shown, registered, changed with JSON-patch and deleted.

Glance's URLs carry no tenant: the caller's token says whose images a request
means. The images are the region's one image store, the same Nova serves
(:mod:`mimic.model.images`). No image data is stored: a registered image
stays ``queued``, as it would until data is uploaded.

Errors use the shape Glance's WSGI layer answers JSON clients with,
``{"message": ..., "code": "404 Not Found", "title": "Not Found"}``, except a
missing or invalid token, which Keystone's middleware refuses in its own
shape before Glance sees the request.
"""

from __future__ import annotations

import hashlib
from http import HTTPStatus
from typing import Any, Iterable, Optional
from urllib.parse import urlencode

from klein import Klein

from mimic.model.images import (
    REMOVE,
    Image,
    ImageNotDeletable,
    ImageNotFound,
    ImageProtected,
    ImageStore,
    InvalidImageChange,
    image_store_for,
)
from mimic.rest.http import (
    RequestError,
    caller_token,
    empty_response,
    install_error_handlers,
    json_response,
    query_arguments,
    query_integer,
    read_json,
)
from mimic.util import iso_time

#: The minor versions of Image API v2 whose shapes this module serves; all
#: of them share the image record shape used here.
SUPPORTED_MINORS = tuple(range(16, -1, -1))

#: Glance's default and largest page sizes.
DEFAULT_LIMIT = 25
MAX_LIMIT = 1000

JSON_PATCH_TYPES = (
    b"application/openstack-images-v2.1-json-patch",
    b"application/openstack-images-v2.0-json-patch",
)

SORT_KEYS = {"created_at", "updated_at", "name", "id", "size", "status",
             "disk_format", "container_format", "min_disk", "min_ram"}


def glance_error_body(error: RequestError) -> dict:
    """Glance's JSON error, or Keystone middleware's for a 401."""
    try:
        status = HTTPStatus(error.code)
        title = status.phrase
    except ValueError:
        title = "Error"
    if error.code == 401:
        return {"error": {"code": 401, "title": title, "message": error.message}}
    return {"message": error.message, "code": f"{error.code} {title}", "title": title}


def version_list(prefix: str) -> list:
    return [
        {
            "id": f"v2.{minor}",
            "status": "CURRENT" if minor == SUPPORTED_MINORS[0] else "SUPPORTED",
            "links": [{"rel": "self", "href": f"{prefix}/v2/"}],
        }
        for minor in SUPPORTED_MINORS
    ]


def image_json(image: Image, now: float) -> dict:
    """One image record in Glance v2's shape; properties sit at the top level."""
    status = image.glance_status_at(now)
    has_data = status == "active"
    digest = image.checksum("sha512") if has_data else None
    return {
        **image.metadata,
        "id": image.id,
        "name": image.name,
        "status": status,
        "visibility": image.visibility,
        "protected": image.protected,
        "os_hidden": image.hidden,
        "tags": list(image.tags),
        "container_format": image.container_format,
        "disk_format": image.disk_format,
        "min_disk": image.min_disk,
        "min_ram": image.min_ram,
        "size": image.size if has_data else None,
        "virtual_size": None,
        "checksum": image.checksum() if has_data else None,
        "os_hash_algo": "sha512" if has_data else None,
        "os_hash_value": digest,
        "owner": image.owner or "rackspace",
        "created_at": iso_time(image.created, microseconds=False),
        "updated_at": iso_time(image.updated_at(now), microseconds=False),
        "self": f"/v2/images/{image.id}",
        "file": f"/v2/images/{image.id}/file",
        "schema": "/v2/schemas/image",
    }


class GlanceApi:
    """Glance v2 for one region, serving whoever's token comes in."""

    app = Klein()

    def __init__(self, session_store: Any, region: str, uri_prefix: str) -> None:
        self.session_store = session_store
        self.region = region
        self.uri_prefix = uri_prefix

    def _images(self, request: Any) -> ImageStore:
        token = caller_token(request, self.session_store)
        if token is None:
            raise RequestError(401, "The request you have made requires authentication.")
        return image_store_for(self.session_store, token.tenant.id, self.region)

    def _now(self) -> float:
        return self.session_store.clock.seconds()

    # discovery

    @app.route("/", methods=["GET"])
    def versions(self, request: Any) -> bytes:
        return json_response(request, {"versions": version_list(self.uri_prefix)}, code=300)

    @app.route("/versions", methods=["GET"])
    def versions_ok(self, request: Any) -> bytes:
        return json_response(request, {"versions": version_list(self.uri_prefix)})

    # images

    @app.route("/v2/images", methods=["GET"])
    def list_images(self, request: Any) -> bytes:
        images = self._images(request)
        now = self._now()
        query = _query(request)
        limit = _limit(query.get("limit"))
        selected = [i for i in images.images() if _matches(i, query, now)]
        key, reverse = _sort(query)
        selected.sort(key=lambda i: (_sort_value(i, key, now), i.id), reverse=reverse)
        marker = query.get("marker")
        if marker is not None:
            positions = [n for n, image in enumerate(selected) if image.id == marker]
            if not positions:
                raise RequestError(400, f"Invalid marker. Image {marker} could not be found.")
            selected = selected[positions[0] + 1:]
        page = selected[:limit]
        body: dict = {
            "images": [image_json(i, now) for i in page],
            "first": "/v2/images",
            "schema": "/v2/schemas/images",
        }
        if len(selected) > limit and page:
            carried = {k: v for k, v in query.items() if k != "marker"}
            carried["marker"] = page[-1].id
            body["next"] = "/v2/images?" + urlencode(carried)
        return json_response(request, body)

    @app.route("/v2/images", methods=["POST"])
    def register_image(self, request: Any) -> bytes:
        images = self._images(request)
        body = read_json(request)
        try:
            image = images.register(body, self._now())
        except InvalidImageChange as refused:
            raise RequestError(refused.code, refused.message) from None
        return json_response(request, image_json(image, self._now()), code=201,
                             headers={b"location": f"{self.uri_prefix}/v2/images/"
                                      f"{image.id}".encode()})

    @app.route("/v2/images/<image_id>", methods=["GET"])
    def show_image(self, request: Any, image_id: str) -> bytes:
        image = self._image(self._images(request), image_id)
        return json_response(request, image_json(image, self._now()))

    @app.route("/v2/images/<image_id>", methods=["PATCH"])
    def patch_image(self, request: Any, image_id: str) -> bytes:
        images = self._images(request)
        image = self._image(images, image_id)
        content_type = (request.getHeader(b"content-type") or b"").split(b";")[0].strip()
        if content_type not in JSON_PATCH_TYPES:
            raise RequestError(
                415, "Unsupported Content-Type: use "
                "application/openstack-images-v2.1-json-patch")
        changes = _resolve_patch(read_json(request, expect=list), image)
        try:
            images.update(image_id, changes, self._now())
        except InvalidImageChange as refused:
            raise RequestError(refused.code, refused.message) from None
        return json_response(request, image_json(image, self._now()))

    @app.route("/v2/images/<image_id>", methods=["DELETE"])
    def delete_image(self, request: Any, image_id: str) -> bytes:
        images = self._images(request)
        self._image(images, image_id)
        try:
            images.delete(image_id)
        except ImageNotDeletable:
            raise RequestError(403, "You are not permitted to delete this image.") from None
        except ImageProtected:
            raise RequestError(403, f"Image {image_id} is protected and cannot be "
                               "deleted.") from None
        return empty_response(request)

    @app.route("/v2/images/<image_id>/file", methods=["PUT"])
    def upload_data(self, request: Any, image_id: str) -> bytes:
        images = self._images(request)
        self._image(images, image_id)
        content_type = (request.getHeader(b"content-type") or b"").split(b";")[0].strip()
        if content_type != b"application/octet-stream":
            raise RequestError(415, "Unsupported Content-Type: image data is "
                               "application/octet-stream")
        try:
            images.upload(image_id, request.content.read(), self._now())
        except InvalidImageChange as refused:
            raise RequestError(refused.code, refused.message) from None
        return empty_response(request)

    @app.route("/v2/images/<image_id>/file", methods=["GET"])
    def download_data(self, request: Any, image_id: str) -> bytes:
        image = self._image(self._images(request), image_id)
        if image.data is None:
            # Glance's answer for an image with no data; canned images carry
            # none in Mimic either.
            return empty_response(request)
        request.setHeader(b"content-type", b"application/octet-stream")
        request.setHeader(b"content-md5", hashlib.md5(image.data).hexdigest().encode())
        return image.data

    @app.route("/v2/images/<image_id>/tags/<tag>", methods=["PUT", "DELETE"])
    def image_tag(self, request: Any, image_id: str, tag: str) -> bytes:
        images = self._images(request)
        image = self._image(images, image_id)
        tags = list(image.tags)
        if request.method == b"PUT":
            tags.append(tag)
        elif tag in tags:
            tags.remove(tag)
        else:
            raise RequestError(404, f"Tag {tag} not found.")
        try:
            images.update(image_id, {"tags": tags}, self._now())
        except InvalidImageChange as refused:
            raise RequestError(refused.code, refused.message) from None
        return empty_response(request)

    def _image(self, images: ImageStore, image_id: str) -> Image:
        try:
            return images.get(image_id)
        except ImageNotFound:
            raise RequestError(404, f"No image found with ID {image_id}") from None


install_error_handlers(GlanceApi.app, glance_error_body)


def _query(request: Any) -> dict:
    """The query string as single values (the last of repeated ones)."""
    return {key: values[-1] for key, values in query_arguments(request).items()}


def _limit(raw: Optional[str]) -> int:
    limit = query_integer(raw, "limit", DEFAULT_LIMIT,
                          message="limit param must be an integer")
    return min(limit, MAX_LIMIT)


def _sort(query: dict) -> tuple[str, bool]:
    key = query.get("sort_key", "created_at")
    direction = query.get("sort_dir", "desc")
    if key not in SORT_KEYS:
        raise RequestError(400, f"Invalid sort key: {key}.")
    if direction not in ("asc", "desc"):
        raise RequestError(400, f"Invalid sort direction: {direction}")
    return key, direction == "desc"


def _sort_value(image: Image, key: str, now: float) -> Any:
    value = {
        "created_at": image.created,
        "updated_at": image.updated_at(now),
        "status": image.glance_status_at(now),
        "name": image.name or "",
    }.get(key)
    if value is None:
        value = getattr(image, key, None)
    return value if value is not None else ""


def _matches(image: Image, query: dict, now: float) -> bool:
    for key, wanted in query.items():
        if key in ("limit", "marker", "sort_key", "sort_dir", "sort", "member_status"):
            continue
        if key == "name":
            ok = image.name == wanted
        elif key == "id":
            ok = image.id in _in_values(wanted)
        elif key == "status":
            ok = image.glance_status_at(now) in _in_values(wanted)
        elif key == "visibility":
            if wanted not in ("public", "private", "shared", "community", "all"):
                raise RequestError(400, f"Invalid visibility value: {wanted}")
            ok = wanted == "all" or image.visibility == wanted
        elif key == "owner":
            ok = (image.owner or "rackspace") == wanted
        elif key == "tag":
            ok = wanted in image.tags
        elif key in ("size_min", "size_max"):
            size = query_integer(wanted, key, message=f"{key} must be an integer")
            ok = (image.size >= size) if key == "size_min" else (image.size <= size)
        elif key in ("protected", "os_hidden"):
            flag = wanted.lower()
            if flag not in ("true", "false"):
                raise RequestError(400, f"Invalid value for {key}: true or false")
            ok = (image.protected if key == "protected" else image.hidden) == (flag == "true")
        else:
            ok = image.metadata.get(key) == wanted
        if not ok:
            return False
    # Hidden images are left out unless asked for, as Glance does.
    return "os_hidden" in query or not image.hidden


def _in_values(text: str) -> Iterable[str]:
    """``in:a,b`` is any of a and b; anything else is that one value."""
    if text.startswith("in:"):
        return text[3:].split(",")
    return (text,)


def _resolve_patch(operations: list, image: Image) -> dict:
    """
    A JSON-patch document (``add``, ``replace``, ``remove`` on ``/attr``)
    turned into the changes :meth:`ImageStore.update` applies all at once.
    """
    changes: dict = {}
    current = image_json(image, 0.0)
    for index, operation in enumerate(operations):
        if not isinstance(operation, dict):
            raise RequestError(400, f"Operation {index} must be an object.")
        op = operation.get("op")
        path = operation.get("path")
        if op not in ("add", "replace", "remove"):
            raise RequestError(400, f"Unable to find '{op}' operation: use add, "
                               "replace or remove.")
        if not isinstance(path, str) or not path.startswith("/") or path.count("/") != 1:
            raise RequestError(400, f"Invalid JSON pointer for this resource: {path!r}")
        key = path[1:].replace("~1", "/").replace("~0", "~")
        if op == "remove":
            changes[key] = REMOVE
            continue
        if "value" not in operation:
            raise RequestError(400, f"Operation {op} on {path} needs a 'value'.")
        exists = key in changes or key in current
        if op == "replace" and not exists:
            raise RequestError(409, f"Property {key} does not exist.")
        changes[key] = operation["value"]
    return changes

