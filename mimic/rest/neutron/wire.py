"""
What every Neutron route shares: the one Klein app the routes of every
noun register on, Neutron's error body and status codes, list filtering,
sorting, paging and ``fields``, and the readers of request bodies (one
resource, or a bulk create's collection) and of their typed attributes.
"""

from __future__ import annotations

from typing import Any, Iterable, Optional
from urllib.parse import urlencode

from mimic.klein_rendering import MimicKlein

from mimic.model.neutron import BadRequest, Conflict, Forbidden, NeutronFault, NotFound
from mimic.model.neutron.tags import checked_tags
from mimic.rest.http import (
    RequestError,
    json_response,
    query_arguments,
    query_integer,
    read_json,
)
from mimic.rest.identity_api import root_url


#: The routes of every noun of Neutron (each module adds its own), served
#: by :class:`mimic.rest.neutron.api.NeutronApi`.
app = MimicKlein()


#: Neutron's status code for each family of model faults.
FAULT_CODES = {NotFound: 404, Conflict: 409, BadRequest: 400, Forbidden: 403}


#: ``NeutronError`` types for errors raised outside the model.
HTTP_KINDS = {400: "HTTPBadRequest", 404: "HTTPNotFound", 405: "HTTPMethodNotAllowed",
              409: "HTTPConflict", 500: "HTTPInternalServerError"}


#: Query parameters of lists that are not attribute filters.
LIST_CONTROLS = {"fields", "limit", "marker", "sort_key", "sort_dir", "page_reverse",
                 "tags", "tags-any", "not-tags", "not-tags-any"}


def neutron_error_body(error: RequestError) -> dict:
    """Neutron's error body; the token middleware's for 401."""
    if error.code == 401:
        return {"error": {"code": 401, "title": "Unauthorized",
                          "message": "The request you have made requires authentication."}}
    kind = error.kind if error.kind and error.kind[0].isupper() else HTTP_KINDS.get(
        error.code, "HTTPBadRequest")
    return {"NeutronError": {"type": kind, "message": error.message, "detail": ""}}


def fault_error(error: NeutronFault) -> RequestError:
    code = next(c for cls, c in FAULT_CODES.items() if isinstance(error, cls))
    return RequestError(code, error.message, kind=error.kind)


def bad_request(message: str) -> RequestError:
    return RequestError(400, message, kind="HTTPBadRequest")


def policy_forbidden(action: str) -> RequestError:
    """Neutron's 403 when its policy refuses ``action`` (``create_flavor``...)."""
    return RequestError(403, f"(rule:{action}) is disallowed by policy",
                        kind="PolicyNotAuthorized")


def stamps(thing: Any) -> dict:
    return {"created_at": thing.created_at, "updated_at": thing.updated_at,
            "revision_number": thing.revision_number}


def query_lists(request: Any) -> dict[str, list[str]]:
    return query_arguments(request)


def _matches(value: Any, wanted: list[str]) -> bool:
    if isinstance(value, bool):
        return any(w.lower() in (("true", "1") if value else ("false", "0")) for w in wanted)
    if value is None:
        return any(w in ("", "None", "null") for w in wanted)
    if isinstance(value, list):
        return any(str(v) in wanted for v in value)
    return str(value) in wanted


def _fixed_ip_matches(fixed_ips: list, wanted: list[str]) -> bool:
    for condition in wanted:
        key, _, value = condition.partition("=")
        if key == "ip_address_substr":
            if not any(value in f["ip_address"] for f in fixed_ips):
                return False
        elif key in ("ip_address", "subnet_id"):
            if not any(f[key] == value for f in fixed_ips):
                return False
        else:
            raise bad_request(f"Invalid input for fixed_ips. Reason: '{condition}' is not a valid "
                              f"fixed_ips filter.")
    return True


def render_list(request: Any, collection: str, items: Iterable[dict],
                known: frozenset, handled: frozenset = frozenset()) -> bytes:
    """
    Filter, sort, page and trim rendered items as Neutron's lists do;
    ``known`` are the attributes of the collection's items, what filters
    and sort keys may name; ``handled`` the filters the caller applied.
    """
    query = query_lists(request)
    items = list(items)
    filters = {k: v for k, v in query.items() if k not in LIST_CONTROLS and k not in handled}
    invalid = sorted(k for k in filters if k not in known)
    if invalid:
        raise bad_request(f"{invalid} is invalid attribute for filtering")
    for key, wanted in filters.items():
        if key == "fixed_ips":
            items = [i for i in items if _fixed_ip_matches(i["fixed_ips"], wanted)]
        else:
            items = [i for i in items if _matches(i.get(key), wanted)]
    items = _tag_filtered(items, query)
    sort_keys = query.get("sort_key", [])
    sort_dirs = query.get("sort_dir", [])
    if any(d not in ("asc", "desc") for d in sort_dirs):
        raise bad_request(f"Invalid input for sort_dir. Reason: {sort_dirs} is not in "
                          f"['asc', 'desc'].")
    for index in reversed(range(len(sort_keys))):
        key = sort_keys[index]
        if key not in known:
            raise bad_request(f"{key} is an invalid attribute for sort_key")
        items.sort(key=lambda i: _sort_value(i.get(key)),
                   reverse=(sort_dirs[index] if index < len(sort_dirs) else "asc") == "desc")
    links = []
    limit = _limit(query)
    marker = query.get("marker", [None])[-1]
    if marker is not None:
        position = next((n for n, i in enumerate(items) if i.get("id") == marker), None)
        if position is None:
            raise RequestError(404, f"Marker {marker} could not be found.", kind="NotFound")
        items = items[position + 1:]
    if limit is not None and len(items) > limit:
        items = items[:limit]
        params = [(k, v) for k, vs in query.items() if k != "marker" for v in vs]
        params.append(("marker", items[-1]["id"]))
        base = request.uri.decode("utf-8", "replace").split("?")[0]
        links.append({"rel": "next", "href": _absolute(request, base) + "?" + urlencode(params)})
    fields = [f for fs in query.get("fields", []) for f in fs.split(",") if f]
    if fields:
        items = [{k: v for k, v in i.items() if k in fields} for i in items]
    body: dict = {collection: items}
    if links:
        body[f"{collection}_links"] = links
    return json_response(request, body)


def _tag_filtered(items: list[dict], query: dict[str, list[str]]) -> list[dict]:
    """
    Neutron's tag filters, each a comma-separated list: ``tags`` (has all),
    ``tags-any`` (has one), ``not-tags`` (lacks one), ``not-tags-any``
    (has none).
    """
    def tags(key: str) -> set[str]:
        return {tag for value in query.get(key, ()) for tag in value.split(",") if tag}

    all_of, any_of, not_all, not_any = (tags(k) for k in (
        "tags", "tags-any", "not-tags", "not-tags-any"))
    if not (all_of or any_of or not_all or not_any):
        return items
    return [item for item in items if _tags_match(set(item.get("tags", ())), all_of, any_of,
                                                   not_all, not_any)]


def _tags_match(held: set[str], all_of: set[str], any_of: set[str], not_all: set[str],
                not_any: set[str]) -> bool:
    return ((not all_of or all_of <= held) and (not any_of or bool(any_of & held))
            and (not not_all or not not_all <= held) and not (not_any & held))


def _sort_value(value: Any) -> tuple:
    """Numbers in numeric order, then text, then nulls last."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return (0, value, "")
    if value is None:
        return (2, 0, "")
    return (1, 0, str(value))


def _limit(query: dict) -> Optional[int]:
    raw = query.get("limit", [None])[-1]
    if raw is None:
        return None
    limit = query_integer(raw, "limit", message=f"Bad limit request: Limit must be an "
                          f"integer 0 or greater and not '{raw[:100]}'.")
    return limit or None


def _absolute(request: Any, path: str) -> str:
    return root_url(request) + path


def render_one(request: Any, member: str, item: dict, code: int = 200) -> bytes:
    fields = [f for fs in query_lists(request).get("fields", []) for f in fs.split(",") if f]
    if fields:
        item = {k: v for k, v in item.items() if k in fields}
    return json_response(request, {member: item}, code)


#: At most this many resources in one bulk create (Mimic's bound; real
#: Neutron stops at the project's quota).
BULK_LIMIT = 1000


def read_body(request: Any) -> dict:
    """The body as a JSON object, or Neutron's 400."""
    raw = request.content.read() if request.content is not None else b""
    request.content.seek(0)
    if not raw.strip():
        raise bad_request("Resource body required")
    try:
        return read_json(request)
    except RequestError:
        raise bad_request("Malformed request body") from None


def _resource(resource: Any, member: str, allowed: Iterable[str], tenant_id: str) -> dict:
    """One ``member`` object of a body, with only ``allowed`` attributes."""
    if not isinstance(resource, dict):
        raise bad_request(f"Unable to find '{member}' in request body")
    unknown = sorted(set(resource) - set(allowed) - {"tenant_id", "project_id"})
    if unknown:
        raise bad_request(f"Unrecognized attribute(s) '{', '.join(unknown)}'")
    creation_tags(resource)
    for owner in ("tenant_id", "project_id"):
        if owner in resource and resource[owner] != tenant_id:
            raise RequestError(403, "Specifying 'project_id' or 'tenant_id' other than the "
                               "authenticated project in request requires admin privileges",
                               kind="HTTPForbidden")
    return resource


def creation_tags(resource: dict) -> tuple:
    """
    The ``tags`` a create names (Neutron's ``tag-creation``), checked as the
    tag routes check them, sorted as Neutron returns them.
    """
    if resource.get("tags") is None:
        return ()
    try:
        return tuple(sorted(checked_tags(resource["tags"])))
    except NeutronFault as error:
        raise fault_error(error) from None


def tag_created(things: list, bodies: list[dict]) -> None:
    """Give each made resource the tags its create body named."""
    for thing, body in zip(things, bodies):
        thing.tags = creation_tags(body)


def read_resource(request: Any, member: str, allowed: Iterable[str], tenant_id: str) -> dict:
    """The ``{member: {...}}`` body, with only ``allowed`` attributes."""
    return _resource(read_body(request).get(member), member, allowed, tenant_id)


def read_create_bodies(request: Any, member: str, allowed: Iterable[str],
                       tenant_id: str) -> tuple[list[dict], bool]:
    """
    The resources a create asks for, and whether it was a bulk create:
    ``{member: {...}}`` is one, ``{members: [...]}`` many, each item
    either the object itself or ``{member: {...}}`` (as Neutron's API
    layer takes them).
    """
    body = read_body(request)
    collection = member + "s"
    if collection not in body:
        return [_resource(body.get(member), member, allowed, tenant_id)], False
    items = body[collection]
    if not items:
        raise bad_request("Resources required")
    if not isinstance(items, list):
        raise bad_request("Body contains invalid data")
    if len(items) > BULK_LIMIT:
        raise bad_request(f"Mimic creates at most {BULK_LIMIT} {collection} in one request.")
    return [_resource(item[member] if isinstance(item, dict) and member in item else item,
                      member, allowed, tenant_id) for item in items], True


def render_created(request: Any, member: str, items: list[dict], bulk: bool) -> bytes:
    """201 with one ``member`` or, for a bulk create, the collection."""
    if bulk:
        return json_response(request, {member + "s": items}, 201)
    return render_one(request, member, items[0], 201)


def string_field(resource: dict, key: str, default: Optional[str] = None) -> Optional[str]:
    value = resource.get(key, default)
    if value is not None and not isinstance(value, str):
        raise bad_request(f"Invalid input for {key}. Reason: '{value}' is not a valid string.")
    if value is not None and len(value) > 255:
        raise bad_request(f"Invalid input for {key}. Reason: '{value}' exceeds maximum "
                          f"length of 255.")
    return value


def boolean_field(resource: dict, key: str) -> Optional[bool]:
    value = resource.get(key)
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise bad_request(f"Invalid input for {key}. Reason: '{value}' cannot be converted to "
                      f"boolean.")


def string_list_field(resource: dict, key: str) -> Optional[list]:
    value = resource.get(key)
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise bad_request(f"Invalid input for {key}. Reason: '{value}' is not a list.")
    return value
