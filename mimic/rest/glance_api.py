"""
The Image service (Glance) v2 of one region: version discovery, the
schemas, and image records listed, shown, registered, changed with
JSON-patch, given data (uploaded, or staged and imported) and deleted.

Glance's URLs carry no tenant: the caller's token says whose images a request
means. The images are the region's one image store, the same Nova serves
(:mod:`mimic.model.images`); images shared with the caller's project
(:mod:`mimic.rest.glance_members`) are seen too. The import and tasks routes
are in :mod:`mimic.rest.glance_import`, the schemas in
:mod:`mimic.rest.glance_schemas`; every route is on the one app of
:mod:`mimic.rest.glance_routes`.

Errors use the shape Glance's WSGI layer answers JSON clients with,
``{"message": ..., "code": "404 Not Found", "title": "Not Found"}``, except a
missing or invalid token, which Keystone's middleware refuses in its own
shape before Glance sees the request.
"""

from __future__ import annotations

import csv
import hashlib
from http import HTTPStatus
from typing import Any, Callable, Iterable, Optional
from urllib.parse import urlencode

from mimic.model.images import (
    REMOVE,
    Image,
    ImageNotDeletable,
    ImageNotFound,
    ImageProtected,
    ImageShares,
    GlanceRefusal,
    ImageStore,
    image_shares_for,
    image_store_for,
)
from mimic.profiles import profile_of
from mimic.rest.http import (
    RequestError,
    caller_token,
    empty_response,
    install_error_handlers,
    json_response,
    query_arguments,
    query_integer,
    query_values,
    read_json,
)
from mimic.rest.glance_import import ImportRoutes
from mimic.rest.glance_members import MemberRoutes
from mimic.rest.glance_routes import app
from mimic.rest.glance_schemas import SCHEMAS
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

#: The JSON-patch draft of each media type: v2.0 is draft 4 (operations as
#: ``{"replace": "/name", "value": ...}``), v2.1 draft 10 (``{"op",
#: "path", "value"}``), as Glance's ``RequestDeserializer.update`` reads them.
PATCH_DRAFTS = {JSON_PATCH_TYPES[0]: 10, JSON_PATCH_TYPES[1]: 4}
PATCH_OPERATIONS = ("add", "remove", "replace")

#: What Glance sorts by (its ``_available_sort_keys``), and its defaults.
SORT_KEYS = ("name", "status", "container_format", "disk_format", "size", "id",
             "created_at", "updated_at")
DEFAULT_SORT = ("created_at", "desc")

#: List parameters that are not filters.
LIST_CONTROLS = frozenset({"limit", "marker", "sort_key", "sort_dir", "sort",
                           "member_status", "tag"})


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


class GlanceApi(MemberRoutes, ImportRoutes):
    """Glance v2 for one region, serving whoever's token comes in."""

    app = app

    def __init__(self, session_store: Any, region: str, uri_prefix: str) -> None:
        self.session_store = session_store
        self.region = region
        self.uri_prefix = uri_prefix

    def _images(self, request: Any) -> ImageStore:
        token = caller_token(request, self.session_store)
        if token is None:
            raise RequestError(401, "The request you have made requires authentication.")
        return image_store_for(self.session_store, token.tenant.id, self.region,
                               profile_of(self.session_store.options).images)

    def _now(self) -> float:
        return self.session_store.clock.seconds()

    def _shares(self) -> ImageShares:
        return image_shares_for(self.session_store, self.region)

    # discovery

    @app.route("/", methods=["GET"])
    def versions(self, request: Any) -> bytes:
        return json_response(request, {"versions": version_list(self.uri_prefix)}, code=300)

    @app.route("/versions", methods=["GET"])
    def versions_ok(self, request: Any) -> bytes:
        return json_response(request, {"versions": version_list(self.uri_prefix)})

    @app.route("/v2/schemas/<name>", methods=["GET"])
    def schema(self, request: Any, name: str) -> bytes:
        self._images(request)
        if name not in SCHEMAS:
            raise RequestError(404, f"The resource could not be found: no schema {name}.")
        return json_response(request, SCHEMAS[name]())

    # images

    @app.route("/v2/images", methods=["GET"])
    def list_images(self, request: Any) -> bytes:
        images = self._images(request)
        now = self._now()
        query = _query(request)
        limit = _limit(query.get("limit"))
        image_filter = _image_filter(query, _repeated(request, "tag"))
        member_status = query.get("member_status", "accepted")
        if member_status not in ("pending", "accepted", "rejected", "all"):
            raise RequestError(400, f"Invalid status: {member_status}")
        shared = self._shares().images_for(images.tenant_id, member_status)
        selected = [i for i in (*images.images(), *shared) if image_filter(i, now)]
        for key, direction in reversed(_sort_order(query, request)):
            selected.sort(key=lambda i: _sort_value(i, key, now), reverse=direction == "desc")
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
            carried = [(k, v) for k in query if k != "marker"
                       for v in _repeated(request, k)]
            carried.append(("marker", page[-1].id))
            body["next"] = "/v2/images?" + urlencode(carried)
        return json_response(request, body)

    @app.route("/v2/images", methods=["POST"])
    def register_image(self, request: Any) -> bytes:
        images = self._images(request)
        body = read_json(request)
        image = images.register(body, self._now())
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
        image = self._mutable(images, image_id, "modify")
        content_type = _media_type(request)
        if content_type not in JSON_PATCH_TYPES:
            raise RequestError(
                415, "Image PATCH expects Content-Type one of: "
                "application/openstack-images-v2.0-json-patch, "
                "application/openstack-images-v2.1-json-patch")
        changes = _resolve_patch(read_json(request, expect=list), image,
                                 PATCH_DRAFTS[content_type])
        images.update(image_id, changes, self._now())
        return json_response(request, image_json(image, self._now()))

    @app.route("/v2/images/<image_id>", methods=["DELETE"])
    def delete_image(self, request: Any, image_id: str) -> bytes:
        images = self._images(request)
        self._mutable(images, image_id, "delete")
        try:
            images.delete(image_id)
        except ImageNotDeletable:
            raise RequestError(403, "You are not permitted to delete this image.") from None
        except ImageProtected:
            raise RequestError(403, f"Image {image_id} is protected and cannot be "
                               "deleted.") from None
        self._shares().forget(image_id)
        return empty_response(request)

    @app.route("/v2/images/<image_id>/file", methods=["PUT"])
    def upload_data(self, request: Any, image_id: str) -> bytes:
        return self._receive_data(request, image_id, "image data", ImageStore.upload)

    def _receive_data(self, request: Any, image_id: str, what: str,
                      receive: Callable[[ImageStore, str, bytes, float], Any]) -> bytes:
        """
        ``PUT`` of an image's bytes (``/file`` to upload, ``/stage`` to
        stage): only ``application/octet-stream``, only to an image the
        caller owns; ``receive`` is what the store does with them.
        """
        images = self._images(request)
        self._mutable(images, image_id, "upload data for")
        if _media_type(request) != b"application/octet-stream":
            raise RequestError(415, f"Unsupported Content-Type: {what} is "
                               "application/octet-stream")
        receive(images, image_id, request.content.read(), self._now())
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
        image = self._mutable(images, image_id, "modify")
        tags = list(image.tags)
        if request.method == b"PUT":
            tags.append(tag)
        elif tag in tags:
            tags.remove(tag)
        else:
            raise RequestError(404, f"Tag {tag} not found.")
        images.update(image_id, {"tags": tags}, self._now())
        return empty_response(request)

    def _image(self, images: ImageStore, image_id: str) -> Image:
        """An image the caller may see: its own, a public one, or one shared with it."""
        try:
            return images.get(image_id)
        except ImageNotFound:
            shared = self._shares().shared_with(images.tenant_id, image_id)
            if shared is None:
                raise RequestError(404, f"No image found with ID {image_id}") from None
            return shared

    def _mutable(self, images: ImageStore, image_id: str, action: str) -> Image:
        """An image the caller may see and, unless it is only shared with it, change."""
        image = self._image(images, image_id)
        if images.find(image_id) is None:
            raise RequestError(403, f"You are not permitted to {action} this image.")
        return image


@app.handle_errors(GlanceRefusal)
def _refused(*args: Any) -> None:
    """What the model refuses is answered with the refusal's own status."""
    refusal = args[-1].value
    raise RequestError(refusal.code, refusal.message)


install_error_handlers(GlanceApi.app, glance_error_body)


def _media_type(request: Any) -> bytes:
    """The request's Content-Type without its parameters (``; charset=...``)."""
    return (request.getHeader(b"content-type") or b"").split(b";")[0].strip()


def _query(request: Any) -> dict:
    """The query string as single values (the last of repeated ones)."""
    return {key: values[-1] for key, values in query_arguments(request).items()}


def _limit(raw: Optional[str]) -> int:
    limit = query_integer(raw, "limit", DEFAULT_LIMIT,
                          message="limit param must be an integer")
    return min(limit, MAX_LIMIT)


def _repeated(request: Any, key: str) -> list[str]:
    """Every value of a repeatable query parameter (``tag``, ``sort_key``)."""
    return query_values(request, key)


def _sort_order(query: dict, request: Any) -> list[tuple[str, str]]:
    """
    ``(key, direction)`` pairs, most significant first, read as Glance
    reads them: ``sort=name:asc,size`` or repeated ``sort_key`` with one
    ``sort_dir`` for all or one per key (not both syntaxes); ties are
    broken by ``created_at`` and ``id`` in the default direction.
    """
    def checked(key: str, direction: str) -> tuple[str, str]:
        if key not in SORT_KEYS:
            raise RequestError(400, f"Invalid sort key: {key}. It must be one of the "
                               f"following: {', '.join(SORT_KEYS)}.")
        if direction not in ("asc", "desc"):
            raise RequestError(400, f"Invalid sort direction: {direction}")
        return key, direction

    default_direction = DEFAULT_SORT[1]
    if "sort" in query:
        if "sort_key" in query or "sort_dir" in query:
            raise RequestError(400, "Old and new sorting syntax cannot be combined")
        order = []
        for part in query["sort"].strip().split(","):
            key, _, direction = part.partition(":")
            order.append(checked(key.strip(), direction.strip() or default_direction))
    else:
        keys = [k.strip() for k in _repeated(request, "sort_key")]
        directions = [d.strip() for d in _repeated(request, "sort_dir")]
        if len(directions) > 1 and len(directions) != len(keys):
            raise RequestError(400, "Number of sort dirs does not match the number of "
                               "sort keys")
        if len(directions) == 1:
            default_direction = directions[0]
        order = [checked(key, directions[n] if len(directions) > 1 else default_direction)
                 for n, key in enumerate(keys)] or [checked(DEFAULT_SORT[0],
                                                            default_direction)]
    for tiebreak in ("created_at", "id"):
        if tiebreak not in (key for key, _ in order):
            order.append((tiebreak, default_direction))
    return order


def _sort_value(image: Image, key: str, now: float) -> Any:
    value = {
        "created_at": image.created,
        "updated_at": image.updated_at(now),
        "status": image.glance_status_at(now),
        "size": _size(image, now),
    }.get(key, getattr(image, key, None))
    # Nulls first in ascending order, as Glance's database puts them.
    return (0, "") if value is None else (1, value)


def _size(image: Image, now: float) -> Optional[int]:
    """The size Glance shows: none until the image has data."""
    return image.size if image.glance_status_at(now) == "active" else None


def _operator_values(key: str, wanted: str) -> Iterable[str]:
    """
    The values an attribute filter takes: ``in:a,b`` (commas inside
    double quotes kept), ``eq:a`` or plain ``a``; another operator is a
    400 (Glance's ``split_filter_op``).
    """
    operator, sep, rest = wanted.partition(":")
    if not sep:
        return (wanted,)
    if operator == "eq":
        return (rest,)
    if operator == "in":
        return next(csv.reader([rest], skipinitialspace=False)) if rest else [""]
    raise RequestError(400, f"Unable to filter by unknown operator '{operator}'.")


def _image_filter(query: dict, tags: list[str]) -> Callable[[Image, float], bool]:
    """
    Whether an image passes the list's filters, read as Glance's database
    layer reads them (``_make_conditions_from_filters``): ``name``, ``id``,
    ``status``, ``container_format`` and ``disk_format`` with ``in:``/``eq:``;
    ``size_min``/``size_max`` as bounds (images without data have no size);
    ``min_disk``, ``min_ram``, ``owner``, ``checksum``, ``os_hash_value``,
    ``protected``, ``os_hidden`` and ``visibility`` as equality; every
    ``tag`` given; anything else an equality on a property. The query is
    checked once, before any image is looked at.
    """
    tests: list[Callable[[Image, float], bool]] = []
    for key, wanted in query.items():
        if key in LIST_CONTROLS:
            continue
        tests.append(_one_filter(key, wanted))
    wanted_tags = [tag.strip() for tag in tags]
    if wanted_tags:
        tests.append(lambda image, now: all(tag in image.tags for tag in wanted_tags))
    show_hidden = "os_hidden" in query

    def passes(image: Image, now: float) -> bool:
        # Hidden images are left out unless asked for, as Glance does.
        return (show_hidden or not image.hidden) and all(test(image, now) for test in tests)

    return passes


def _one_filter(key: str, wanted: str) -> Callable[[Image, float], bool]:
    if key in ("name", "id", "status", "container_format", "disk_format"):
        values = set(_operator_values(key, wanted))
        attribute = {
            "status": lambda image, now: image.glance_status_at(now),
            "name": lambda image, now: image.name,
        }.get(key, lambda image, now: getattr(image, key))
        return lambda image, now: attribute(image, now) in values
    if key in ("size_min", "size_max"):
        try:
            bound = int(wanted)
        except ValueError:
            raise RequestError(400, "Unable to filter on a range with a non-numeric "
                               "value.") from None
        if key == "size_min":
            return lambda image, now: (_size(image, now) or -1) >= bound
        return lambda image, now: _size(image, now) is not None and _size(image, now) <= bound
    if key in ("min_disk", "min_ram"):
        return lambda image, now: str(getattr(image, key)) == wanted.strip()
    if key == "visibility":
        if wanted not in ("public", "private", "shared", "community", "all"):
            raise RequestError(400, f"Invalid visibility value: {wanted}")
        return lambda image, now: wanted == "all" or image.visibility == wanted
    if key == "owner":
        return lambda image, now: (image.owner or "rackspace") == wanted
    if key in ("checksum", "os_hash_value"):
        algorithm = "md5" if key == "checksum" else "sha512"
        return lambda image, now: (image.glance_status_at(now) == "active"
                                   and image.checksum(algorithm) == wanted)
    if key in ("protected", "os_hidden"):
        flag = wanted.lower()
        if flag not in ("true", "false"):
            raise RequestError(400, f"Invalid value for {key}: true or false")
        return lambda image, now: (image.protected if key == "protected"
                                   else image.hidden) == (flag == "true")
    if key == "changes-since":
        raise RequestError(400, 'The "changes-since" filter is no longer available on v2.')
    return lambda image, now: image.metadata.get(key) == wanted


def _resolve_patch(operations: list, image: Image, draft: int = 10) -> dict:
    """
    A JSON-patch document turned into the changes :meth:`ImageStore.update`
    applies all at once. Draft 10 (media type v2.1) writes an operation as
    ``{"op": "replace", "path": "/name", "value": ...}``, draft 4 (v2.0)
    as ``{"replace": "/name", "value": ...}``; under draft 4 ``add`` of an
    attribute that is already there is a conflict, as in Glance.
    """
    changes: dict = {}
    current = image_json(image, 0.0)
    for operation in operations:
        if not isinstance(operation, dict):
            raise RequestError(400, "Operations must be JSON objects.")
        op, path = (_draft10_operation if draft == 10 else _draft4_operation)(operation)
        if not isinstance(path, str) or not path.startswith("/") or path.count("/") != 1:
            raise RequestError(400, f"Invalid JSON pointer for this resource: {path!r}")
        key = path[1:].replace("~1", "/").replace("~0", "~")
        if op == "remove":
            changes[key] = REMOVE
            continue
        if "value" not in operation:
            raise RequestError(400, f'Operation "{op}" requires a member named "value".')
        exists = key in changes or key in current
        if op == "replace" and not exists:
            raise RequestError(409, f"Property {key} does not exist.")
        if op == "add" and draft == 4 and key in current:
            raise RequestError(409, f"Property {key} already present.")
        changes[key] = operation["value"]
    return changes


def _draft10_operation(operation: dict) -> tuple[str, Any]:
    op = operation.get("op")
    if op is None:
        raise RequestError(400, "Unable to find `op` in JSON Schema change. It must be one "
                           f"of the following: {', '.join(PATCH_OPERATIONS)}.")
    if op not in PATCH_OPERATIONS:
        raise RequestError(400, f"Invalid operation: `{op}`. It must be one of the "
                           f"following: {', '.join(PATCH_OPERATIONS)}.")
    if "path" not in operation:
        raise RequestError(400, "Unable to find 'path' in JSON Schema change")
    return op, operation["path"]


def _draft4_operation(operation: dict) -> tuple[str, Any]:
    named = [op for op in PATCH_OPERATIONS if op in operation]
    if len(named) > 1:
        raise RequestError(400, 'Operation objects must contain only one member named '
                           '"add", "remove", or "replace".')
    if not named:
        raise RequestError(400, 'Operation objects must contain exactly one member named '
                           '"add", "remove", or "replace".')
    return named[0], operation[named[0]]
