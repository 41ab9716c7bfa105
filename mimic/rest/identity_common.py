"""
What Identity v2.0 (:mod:`mimic.rest.identity_api`) and v3
(:mod:`mimic.rest.identity_v3_api`) both need, below both of them: the
root URL a client used, the version documents, the error bodies, the
``auth`` behaviors, and the cache of rendered service catalogs.

The catalog cache is keyed on what a catalog depends on (the Identity
version and the tenant), never on the ``Host`` header: a catalog is
rendered once with a placeholder where the host goes and the host is put in
when it is sent, so a thousand host names cost nothing. It holds at most
:data:`CATALOG_CACHE_SIZE` catalogs, the least recently used going first.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from http import HTTPStatus
from typing import Any, Callable, Optional

from mimic.model.identity import AUTH_EVENT
from mimic.rest.http import RawJSON, RequestError, root_url  # noqa: F401  (re-exported)

#: The identity service's own catalog entry (it is not a plugin: it is the
#: door every client comes in by).
IDENTITY_SERVICE = {"name": "cloudIdentity", "type": "identity"}

#: How many rendered catalogs are kept (each about 10 KB).
CATALOG_CACHE_SIZE = 1024

#: What a catalog is rendered with in place of ``scheme://host``: a string
#: no URL contains, encoded by JSON as ``\u0000root\u0000``.
ROOT_PLACEHOLDER = "\x00root\x00"
_ENCODED_PLACEHOLDER = json.dumps(ROOT_PLACEHOLDER)[1:-1].encode("ascii")


def version_v2(root: str) -> dict:
    """Keystone's v2.0 version object, as discovery (keystoneauth1) parses it."""
    return {
        "id": "v2.0",
        "status": "stable",
        "updated": "2014-04-17T00:00:00Z",
        "media-types": [
            {"base": "application/json",
             "type": "application/vnd.openstack.identity-v2.0+json"}
        ],
        "links": [{"rel": "self", "href": f"{root}/identity/v2.0/"}],
    }


def version_v3(root: str) -> dict:
    """
    Keystone's v3 version object. keystoneauth1 reads the version from
    ``id`` (v3.14: the last minor version of the v3 API Keystone published)
    and the endpoint from the ``self`` link.
    """
    return {
        "id": "v3.14",
        "status": "stable",
        "updated": "2020-04-07T00:00:00Z",
        "media-types": [
            {"base": "application/json",
             "type": "application/vnd.openstack.identity-v3+json"}
        ],
        "links": [{"rel": "self", "href": f"{root}/identity/v3/"}],
    }


def keystone_error(error: RequestError) -> dict:
    """``{"code": 401, "title": "Unauthorized", "message": ...}``: Keystone's error object."""
    try:
        title = HTTPStatus(error.code).phrase
    except ValueError:
        title = "Error"
    return {"code": error.code, "title": title, "message": error.message}


def keystone_error_body(error: RequestError) -> dict:
    """Keystone v3's error body: ``{"error": {"code", "title", "message"}}``."""
    return {"error": keystone_error(error)}


def identity_v2_error_body(error: RequestError) -> dict:
    """
    Identity v2.0's error body: Rackspace's key (``{"unauthorized": {"code",
    "message"}}``, which Rackspace clients read) and Keystone's ``"error"``
    object beside it in the same body, which keystoneauth1 (and so the
    ``openstack`` command) reads; each parser ignores the other's key.
    """
    return {error.kind: {"code": error.code, "message": error.message},
            "error": keystone_error(error)}


def encodable(value: str) -> bool:
    """Whether ``value`` is valid Unicode (no lone surrogate such as ``\\ud800``)."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def all_regions(core: Any) -> list:
    """Every region some plugin is offered in: where Identity is listed."""
    seen: dict[str, None] = {}
    for regions in core.regions.values():
        seen.update(dict.fromkeys(regions))
    return list(seen) or ["ORD"]


def apply_auth_behavior(store: Any, username: str, tenant: Optional[str]) -> None:
    """
    Fail an authentication (any Identity version) as a registered ``auth``
    behavior says, if one matches this user and tenant.
    """
    if not tenant:
        known = store.user_by_name(username)
        tenant = known.tenant.id if known else ""
    registry = store.behavior_registry("identity", AUTH_EVENT)
    chosen = registry.choose({"username": username, "tenant_id": tenant})
    if chosen.name == "fail":
        params = chosen.parameters
        raise RequestError(params["code"], params["message"], kind=params["type"])


class CatalogJSON(RawJSON):
    """
    A rendered catalog with the client's root URL put in: the encoded
    template with the placeholder replaced. Its ``value`` is decoded only
    if an answer ever needs it (see :func:`mimic.rest.http.encode_json`).
    """

    __slots__ = ()

    def __init__(self, encoded: bytes) -> None:  # noqa: D107 (no re-encoding)
        self.encoded = encoded

    @property  # type: ignore[override]
    def value(self) -> Any:
        return json.loads(self.encoded)


class CatalogCache:
    """The least recently used rendered catalogs, at most ``size`` of them."""

    def __init__(self, size: int = CATALOG_CACHE_SIZE) -> None:
        self.size = size
        self._templates: OrderedDict = OrderedDict()

    def template(self, key: Any, render: Callable[[], Any]) -> bytes:
        found = self._templates.get(key)
        if found is None:
            found = json.dumps(render(), separators=(",", ":")).encode("utf-8")
            self._templates[key] = found
            if len(self._templates) > self.size:
                self._templates.popitem(last=False)
        else:
            self._templates.move_to_end(key)
        return found

    def __len__(self) -> int:
        return len(self._templates)


def catalog_cache(store: Any) -> CatalogCache:
    """The store's catalog cache (reset forgets it; so do catalog changes)."""
    return store.data_for_api("identity-catalogs", CatalogCache)


def forget_catalogs(store: Any) -> None:
    """Drop every rendered catalog: the services or endpoints changed."""
    store.forget_api_data("identity-catalogs")
    store.forget_api_data("catalog")


def rendered_catalog(store: Any, version: str, tenant_id: str, root: str,
                     render: Callable[[str, str], Any]) -> RawJSON:
    """
    A tenant's catalog as ``render(root, tenant_id)`` makes it, for the
    client's ``root``: rendered once per Identity version and tenant (with
    :data:`ROOT_PLACEHOLDER` as the root), then reused for every host name.
    Most of a token's answer is its catalog, so this is what makes tokens
    cheap.
    """
    template = catalog_cache(store).template(
        (version, tenant_id), lambda: render(ROOT_PLACEHOLDER, tenant_id))
    encoded_root = json.dumps(root)[1:-1].encode("utf-8")
    return CatalogJSON(template.replace(_ENCODED_PLACEHOLDER, encoded_root))


# the catalog's services, as both versions render them

#: The interfaces each plugin endpoint is offered on (the same URL, as in the
#: v2.0 catalog's publicURL and internalURL); Identity adds ``admin``.
SERVICE_INTERFACES = ("public", "internal")
IDENTITY_INTERFACES = ("public", "internal", "admin")


def stable_catalog_id(store: Any, *parts: str) -> str:
    """
    An id derived from what a catalog thing is (a service's id, type and
    name; an endpoint's region and interface besides) and ``--seed``: the
    same in every run and for every project.
    """
    return store.stable.hex("catalog", "\x00".join(parts))


def builtin_v3_catalog(core: Any, store: Any, root: str, tenant_id: str) -> list:
    """Identity's own service and every plugin's, in v3 form, for one tenant."""
    identity_url = f"{root}/identity/v3"
    services = [_builtin_service(
        store, "identity", IDENTITY_SERVICE["type"], IDENTITY_SERVICE["name"],
        [(region, identity_url) for region in all_regions(core)], IDENTITY_INTERFACES,
    )]
    for service_id, entry in core.catalog(tenant_id):
        services.append(_builtin_service(
            store, service_id, entry.type, entry.name,
            [(e.region, e.url(root, service_id)) for e in entry.endpoints],
            SERVICE_INTERFACES,
        ))
    return services


def _builtin_service(store: Any, service_id: str, service_type: str, name: str,
                     endpoints: list, interfaces: tuple) -> dict:
    key = ("service", service_id, service_type, name)
    return {
        "id": stable_catalog_id(store, *key),
        "type": service_type,
        "name": name,
        "endpoints": [
            {
                "id": stable_catalog_id(store, *key, region, interface),
                "interface": interface,
                "region": region,
                "region_id": region,
                "url": url,
            }
            for region, url in endpoints
            for interface in interfaces
        ],
    }


def operator_v3_catalog(store: Any, tenant_id: str) -> list:
    """The enabled services an operator added, with their enabled endpoints."""
    services = []
    for service in store.services.services.values():
        if not service.enabled:
            continue
        services.append({
            "id": service.id,
            "type": service.type,
            "name": service.name,
            "endpoints": [
                {"id": e.id, "interface": e.interface, "region": e.region_id,
                 "region_id": e.region_id, "url": e.url_for(tenant_id)}
                for e in store.services.endpoints_of(service.id) if e.enabled
            ],
        })
    return services


def operator_v2_catalog(store: Any, tenant_id: str) -> list:
    """The same services in v2.0's form: one endpoint per region, URLs by interface."""
    services = []
    for service in operator_v3_catalog(store, tenant_id):
        by_region: dict = {}
        for endpoint in service["endpoints"]:
            entry = by_region.setdefault(endpoint["region"], {
                "region": endpoint["region"], "tenantId": tenant_id})
            entry[f"{endpoint['interface']}URL"] = endpoint["url"]
        services.append({"name": service["name"], "type": service["type"],
                         "endpoints": list(by_region.values())})
    return services
