"""
OpenStack Compute (Nova) v2.1 over HTTP for one region: version documents,
servers and their actions, metadata, addresses, interfaces (``os-interface``),
flavors, images, limits, keypairs and availability zones.

Routes read the request (with :mod:`mimic.rest.nova_json`), call
:class:`mimic.model.nova.ComputeRegion` and render its answer in Nova's
JSON (:mod:`mimic.rest.nova_json` again). Every tenant route answers under both
``/v2/<tenant_id>`` (the catalog URL) and ``/v2.1/<tenant_id>``. Errors come
from one place (:func:`install_nova_error_handlers`) in Nova's body shape
``{"badRequest": {"code": 400, "message": ...}}``.
"""

from __future__ import annotations

import ipaddress
import json
import re
from typing import Any, Callable, Optional

from klein import Klein

from mimic.model.flavors import FLAVORS, find_flavor
from mimic.model.images import ImageNotDeletable
from mimic.model.nova import (
    AVAILABILITY_ZONE,
    BadRequest,
    ComputeError,
    ComputeRegion,
    Conflict,
    InjectedFailure,
    NotFound,
    QuotaExceeded,
)
from mimic.model.patterns import PatternTooCostly
from mimic.rest.http import (
    RequestError,
    empty_response,
    install_error_handlers,
    json_response,
    openstack_error_body,
    query_integer,
    read_json,
)
from mimic.rest.nova_json import (
    Links,
    RenderCache,
    disk_config_field,
    dumps,
    flavor_detail,
    image_detail,
    interface_attachment,
    invalid_input,
    ip_field,
    name_field,
    paged,
    query_argument,
    raw_json,
    read_limit,
    read_metadata,
    read_server_query,
    read_interface_fixed_ip,
    read_server_spec,
    ref_id,
    reference_field,
    refuse_unexpected,
    server_addresses,
    server_detail,
    server_summary,
    string_field,
)
from mimic.util import iso_time

#: The microversions served: only 2.1, whose response shapes are the ones
#: implemented here.
MIN_VERSION = (2, 1)
MAX_VERSION = (2, 1)
VERSION_UPDATED = "2013-07-23T11:33:21Z"

SERVER_UPDATE_KEYS = frozenset({"name", "accessIPv4", "accessIPv6", "OS-DCF:diskConfig"})

_ERRORS: dict[type, int] = {
    BadRequest: 400, QuotaExceeded: 403, NotFound: 404, Conflict: 409,
}


def nova_error(error: ComputeError) -> RequestError:
    """The one translation of a model error into Nova's HTTP answer."""
    if isinstance(error, InjectedFailure):
        return RequestError(error.code, error.message, kind=error.kind)
    return RequestError(_ERRORS[type(error)], error.message)


def install_nova_error_handlers(app: Klein) -> None:
    """
    Make ``app`` answer every failure in Nova's shape: the model's
    refusals (:class:`ComputeError`, raised from anywhere in a route) through
    :func:`nova_error`, everything else as :mod:`mimic.rest.http` does.
    """

    @app.handle_errors(ComputeError)
    def refused_by_model(*args: Any) -> bytes:
        request, failure = args[-2:]
        error = nova_error(failure.value)
        return json_response(request, openstack_error_body(error), code=error.code)

    # Registered after the handler above, so that one is tried first.
    install_error_handlers(app, openstack_error_body)


def _version_string(version: tuple[int, int]) -> str:
    return f"{version[0]}.{version[1]}"


def version_document(prefix: str, segment: str) -> dict:
    """Nova's description of one API version (``v2.0`` or ``v2.1``)."""
    microversions = segment == "v2.1"
    return {
        "id": segment,
        "status": "CURRENT" if microversions else "SUPPORTED",
        "version": _version_string(MAX_VERSION) if microversions else "",
        "min_version": _version_string(MIN_VERSION) if microversions else "",
        "updated": VERSION_UPDATED if microversions else "2011-01-21T11:33:21Z",
        "links": [
            {"rel": "self", "href": f"{prefix}/{segment.replace('v2.0', 'v2')}/"},
            {"rel": "describedby", "type": "text/html",
             "href": "https://docs.openstack.org/"},
        ],
        "media-types": [{
            "base": "application/json",
            "type": f"application/vnd.openstack.compute+json;version={segment[1:]}",
        }],
    }


_VERSION = re.compile(r"^([1-9]\d*)\.([1-9]\d*|0)$")


def _header(request: Any, name: bytes) -> Optional[str]:
    value = request.getHeader(name)
    return value.decode("latin-1") if isinstance(value, bytes) else value


def negotiate_version(request: Any) -> str:
    """
    The microversion to serve, from ``OpenStack-API-Version: compute X``
    or ``X-OpenStack-Nova-API-Version: X`` (the lowest when neither is
    sent), echoed in the response headers as Nova does.
    """
    requested = None
    header = _header(request, b"openstack-api-version")
    if header:
        for item in header.split(","):
            parts = item.strip().split()
            if len(parts) == 2 and parts[0].lower() == "compute":
                requested = parts[1]
    if requested is None:
        requested = _header(request, b"x-openstack-nova-api-version")
    if requested is None:
        version = MIN_VERSION
    elif requested.strip().lower() == "latest":
        version = MAX_VERSION
    else:
        match = _VERSION.match(requested.strip())
        if match is None:
            raise RequestError(400, f"API Version String {requested} is of invalid "
                               "format. Must be of format MajorNum.MinorNum.")
        version = (int(match.group(1)), int(match.group(2)))
        if not MIN_VERSION <= version <= MAX_VERSION:
            raise RequestError(
                406, f"Version {requested} is not supported by the API. Minimum is "
                f"{_version_string(MIN_VERSION)} and maximum is "
                f"{_version_string(MAX_VERSION)}.", kind="computeFault")
    served = _version_string(version)
    request.setHeader(b"openstack-api-version", f"compute {served}".encode())
    request.setHeader(b"x-openstack-nova-api-version", served.encode())
    request.setHeader(b"vary", b"OpenStack-API-Version, X-OpenStack-Nova-API-Version")
    return served


# The routes.

def tenant_route(app: Klein, path: str, methods: list,
                 segments: tuple = ("v2", "v2.1")) -> Callable:
    """Serve a route under ``/v2/<tenant_id>`` and ``/v2.1/<tenant_id>``."""

    def decorate(function: Callable) -> Callable:
        for segment in segments:
            app.route(f"/{segment}/<tenant_id>{path}", methods=methods)(function)
        return function

    return decorate


class NovaApi:
    """Nova in one region, bound to the session store of this request."""

    app = Klein()

    def __init__(self, region: str, uri_prefix: str, session_store: Any) -> None:
        self.region = region
        self.prefix = uri_prefix
        self.store = session_store

    def _begin(self, request: Any, tenant_id: str) -> tuple[ComputeRegion, Links]:
        """Every tenant route starts here: agree a microversion, find the state."""
        negotiate_version(request)
        compute = ComputeRegion.for_tenant(self.store, tenant_id, self.region)
        return compute, Links(self.prefix, tenant_id)

    def _render_cache(self, tenant_id: str) -> RenderCache:
        return self.store.tenant(tenant_id).data_for_api(
            ("nova-rendered", self.region), RenderCache)

    def _user_id(self, request: Any, tenant_id: str) -> str:
        header = _header(request, b"x-auth-token")
        token = self.store.valid_token(header) if header else None
        if token is not None and token.tenant.id == tenant_id:
            return token.user.id
        return f"{tenant_id}-user"

    # version documents

    @app.route("/", methods=["GET"])
    def versions(self, request: Any) -> bytes:
        return json_response(request, {"versions": [
            version_document(self.prefix, "v2.0"),
            version_document(self.prefix, "v2.1"),
        ]})

    @app.route("/v2", methods=["GET"])
    @app.route("/v2/", methods=["GET"])
    @tenant_route(app, "", methods=["GET"], segments=("v2",))
    @tenant_route(app, "/", methods=["GET"], segments=("v2",))
    def version_2_0(self, request: Any, tenant_id: Optional[str] = None) -> bytes:
        return json_response(request, {"version": version_document(self.prefix, "v2.0")})

    @app.route("/v2.1", methods=["GET"])
    @app.route("/v2.1/", methods=["GET"])
    @tenant_route(app, "", methods=["GET"], segments=("v2.1",))
    @tenant_route(app, "/", methods=["GET"], segments=("v2.1",))
    def version_2_1(self, request: Any, tenant_id: Optional[str] = None) -> bytes:
        negotiate_version(request)
        return json_response(request, {"version": version_document(self.prefix, "v2.1")})

    # servers

    @tenant_route(app, "/servers", methods=["POST"])
    def create_server(self, request: Any, tenant_id: str) -> bytes:
        compute, links = self._begin(request, tenant_id)
        spec, count = read_server_spec(read_json(request))
        user_id = self._user_id(request, tenant_id)
        created = compute.create_servers(spec, user_id, count)
        first = created[0]
        if first.false_negative is not None:
            raise nova_error(first.false_negative)
        server = first.server
        self_link = links("servers", server.id)
        body = {"server": {
            "id": server.id,
            "links": self_link,
            "OS-DCF:diskConfig": server.disk_config,
            "security_groups": [{"name": g} for g in spec.security_groups],
            "adminPass": first.admin_pass,
        }}
        return json_response(request, body, code=202,
                             headers={b"location": self_link[0]["href"].encode()})

    @tenant_route(app, "/servers", methods=["GET"])
    def list_servers(self, request: Any, tenant_id: str) -> bytes:
        return self._listing(request, tenant_id, detail=False)

    @tenant_route(app, "/servers/detail", methods=["GET"])
    def list_server_details(self, request: Any, tenant_id: str) -> bytes:
        return self._listing(request, tenant_id, detail=True)

    def _listing(self, request: Any, tenant_id: str, detail: bool) -> bytes:
        compute, links = self._begin(request, tenant_id)
        query = read_server_query(request)
        cache = self._render_cache(tenant_id)
        now = compute.now()
        key = (compute.changes.value, compute.network.changes, now, request.uri, links.prefix)
        answered = cache.page(key)
        if answered is not None:
            return raw_json(request, answered)
        try:
            page = compute.list_servers(query)
        except PatternTooCostly as costly:
            raise invalid_input("name", query.name.pattern.pattern[:100],
                                f"is not a valid regular expression here: {costly}") from None
        # One list of fragments joined once: a thousand servers are 1.6 MB,
        # and every copy of that shows in the listing rate.
        parts = [b'{"servers":[']
        for server in page:
            parts.append(cache.render(server, now, links, compute.network) if detail
                         else server_summary(server, links))
            parts.append(b",")
        if page:
            parts.pop()
        parts.append(b"]")
        if page and len(page) == query.limit:
            collection = "servers/detail" if detail else "servers"
            next_link = links.next_page(collection, request, page[-1].id)
            parts.append(b',"servers_links":' + dumps(next_link))
        parts.append(b"}")
        body = b"".join(parts)
        # Keyed after rendering: rendering settles finished transitions.
        cache.keep_page((compute.changes.value, compute.network.changes, now, request.uri,
                         links.prefix), body)
        return raw_json(request, body)

    @tenant_route(app, "/servers/<server_id>", methods=["GET"])
    def show_server(self, request: Any, tenant_id: str, server_id: str) -> bytes:
        compute, links = self._begin(request, tenant_id)
        server = compute.server(server_id)
        rendered = self._render_cache(tenant_id).render(server, compute.now(), links,
                                                        compute.network)
        return raw_json(request, b'{"server":' + rendered + b"}")

    @tenant_route(app, "/servers/<server_id>", methods=["PUT"])
    def update_server(self, request: Any, tenant_id: str, server_id: str) -> bytes:
        compute, links = self._begin(request, tenant_id)
        compute.server(server_id)
        body = read_json(request).get("server")
        if not isinstance(body, dict):
            raise invalid_input("server", body,
                                "'server' is a required property of type 'object'")
        refuse_unexpected(body, SERVER_UPDATE_KEYS, field="server")
        server = compute.update_server(
            server_id,
            name=name_field(body, required=False),
            access_ipv4=ip_field(body, "accessIPv4", 4),
            access_ipv6=ip_field(body, "accessIPv6", 6),
            disk_config=disk_config_field(body),
        )
        return json_response(request, {"server": server_detail(server, compute.now(), links,
                                                               compute.network)})

    @tenant_route(app, "/servers/<server_id>", methods=["DELETE"])
    def delete_server(self, request: Any, tenant_id: str, server_id: str) -> bytes:
        compute, _ = self._begin(request, tenant_id)
        compute.delete_server(server_id)
        self._render_cache(tenant_id).forget(server_id)
        return empty_response(request, 204)

    @tenant_route(app, "/servers/<server_id>/ips", methods=["GET"])
    def server_ips(self, request: Any, tenant_id: str, server_id: str) -> bytes:
        compute, _ = self._begin(request, tenant_id)
        server = compute.server(server_id)
        return json_response(request, {"addresses": server_addresses(
            server, compute.network, detail=False)})

    @tenant_route(app, "/servers/<server_id>/ips/<network>", methods=["GET"])
    def server_network_ips(self, request: Any, tenant_id: str, server_id: str,
                           network: str) -> bytes:
        compute, _ = self._begin(request, tenant_id)
        addresses = server_addresses(compute.server(server_id), compute.network, detail=False)
        if network not in addresses:
            raise RequestError(404, "Instance is not a member of specified network")
        return json_response(request, {network: addresses[network]})

    # interfaces: the server's Neutron ports

    @tenant_route(app, "/servers/<server_id>/os-interface", methods=["GET"])
    def list_interfaces(self, request: Any, tenant_id: str, server_id: str) -> bytes:
        compute, _ = self._begin(request, tenant_id)
        return json_response(request, {"interfaceAttachments": [
            interface_attachment(port) for port in compute.interfaces(server_id)]})

    @tenant_route(app, "/servers/<server_id>/os-interface", methods=["POST"])
    def attach_interface(self, request: Any, tenant_id: str, server_id: str) -> bytes:
        compute, _ = self._begin(request, tenant_id)
        compute.server(server_id)
        body = read_json(request)
        refuse_unexpected(body, frozenset({"interfaceAttachment"}), field="body")
        attachment = body.get("interfaceAttachment", {})
        if not isinstance(attachment, dict):
            raise invalid_input("interfaceAttachment", attachment,
                                f"{json.dumps(attachment)} is not of type 'object'")
        refuse_unexpected(attachment, frozenset({"net_id", "port_id", "fixed_ips"}),
                          field="interfaceAttachment")
        network_id = string_field(attachment, "net_id", minimum=1)
        port_id = string_field(attachment, "port_id", minimum=1)
        fixed_ip = read_interface_fixed_ip(attachment.get("fixed_ips"))
        if network_id is not None and port_id is not None:
            raise RequestError(400, "Must not input both network_id and port_id")
        if fixed_ip is not None and network_id is None:
            raise RequestError(400, "Must input network_id when request IP address")
        port = compute.attach_interface(server_id, network_id=network_id, port_id=port_id,
                                        fixed_ip=fixed_ip)
        return json_response(request, {"interfaceAttachment": interface_attachment(port)})

    @tenant_route(app, "/servers/<server_id>/os-interface/<port_id>", methods=["GET"])
    def show_interface(self, request: Any, tenant_id: str, server_id: str,
                       port_id: str) -> bytes:
        compute, _ = self._begin(request, tenant_id)
        port = compute.interface(server_id, port_id)
        return json_response(request, {"interfaceAttachment": interface_attachment(port)})

    @tenant_route(app, "/servers/<server_id>/os-interface/<port_id>", methods=["DELETE"])
    def detach_interface(self, request: Any, tenant_id: str, server_id: str,
                         port_id: str) -> bytes:
        compute, _ = self._begin(request, tenant_id)
        compute.detach_interface(server_id, port_id)
        return empty_response(request, 202)

    # metadata

    @tenant_route(app, "/servers/<server_id>/metadata", methods=["GET"])
    def metadata(self, request: Any, tenant_id: str, server_id: str) -> bytes:
        compute, _ = self._begin(request, tenant_id)
        return json_response(request, {"metadata": compute.server(server_id).metadata})

    @tenant_route(app, "/servers/<server_id>/metadata", methods=["PUT", "POST"])
    def set_metadata(self, request: Any, tenant_id: str, server_id: str) -> bytes:
        compute, _ = self._begin(request, tenant_id)
        compute.server(server_id)
        body = read_json(request)
        if "metadata" not in body:
            raise invalid_input("metadata", None, "'metadata' is a required property")
        metadata = read_metadata(body["metadata"])
        change = compute.replace_metadata if request.method == b"PUT" else compute.merge_metadata
        result = change(server_id, metadata)
        return json_response(request, {"metadata": result})

    @tenant_route(app, "/servers/<server_id>/metadata/<key>", methods=["GET"])
    def metadata_item(self, request: Any, tenant_id: str, server_id: str, key: str) -> bytes:
        compute, _ = self._begin(request, tenant_id)
        value = compute.metadata_item(server_id, key)
        return json_response(request, {"meta": {key: value}})

    @tenant_route(app, "/servers/<server_id>/metadata/<key>", methods=["PUT"])
    def set_metadata_item(self, request: Any, tenant_id: str, server_id: str,
                          key: str) -> bytes:
        compute, _ = self._begin(request, tenant_id)
        compute.server(server_id)
        body = read_json(request)
        meta = read_metadata(body.get("meta"), "meta")
        if len(meta) != 1:
            raise RequestError(400, "Request body contains too many items"
                               if len(meta) > 1 else "Malformed request body")
        if key not in meta:
            raise RequestError(400, "Request body and URI mismatch")
        compute.merge_metadata(server_id, meta)
        return json_response(request, {"meta": meta})

    @tenant_route(app, "/servers/<server_id>/metadata/<key>", methods=["DELETE"])
    def delete_metadata_item(self, request: Any, tenant_id: str, server_id: str,
                             key: str) -> bytes:
        compute, _ = self._begin(request, tenant_id)
        compute.delete_metadata_item(server_id, key)
        return empty_response(request, 204)

    # actions

    @tenant_route(app, "/servers/<server_id>/action", methods=["POST"])
    def server_action(self, request: Any, tenant_id: str, server_id: str) -> bytes:
        compute, links = self._begin(request, tenant_id)
        compute.server(server_id)
        body = read_json(request)
        if len(body) != 1:
            raise RequestError(400, "Malformed request body: one action is required.")
        ((action, parameters),) = body.items()
        handler = ACTIONS.get(action)
        if handler is None:
            raise RequestError(400, f"There is no such action: {action}")
        return handler(self, request, compute, links, server_id, parameters)

    # flavors

    @tenant_route(app, "/flavors", methods=["GET"])
    def list_flavors(self, request: Any, tenant_id: str) -> bytes:
        _, links = self._begin(request, tenant_id)
        page = self._flavor_page(request)
        return json_response(request, {"flavors": [
            {"id": f.id, "name": f.name, "links": links("flavors", f.id)} for f in page
        ]})

    @tenant_route(app, "/flavors/detail", methods=["GET"])
    def list_flavor_details(self, request: Any, tenant_id: str) -> bytes:
        _, links = self._begin(request, tenant_id)
        return json_response(request, {"flavors": [
            flavor_detail(f, links) for f in self._flavor_page(request)
        ]})

    def _flavor_page(self, request: Any) -> list:
        is_public = (query_argument(request, "is_public") or "true").lower()
        if is_public in ("none", "all"):
            wanted = None
        elif is_public in ("true", "t", "yes", "y", "1", "on"):
            wanted = True
        elif is_public in ("false", "f", "no", "n", "0", "off"):
            wanted = False
        else:
            raise RequestError(400, f"Invalid is_public filter [{is_public}]")
        minimums = {}
        for name in ("minRam", "minDisk"):
            value = query_argument(request, name)
            if value is not None:
                minimums[name] = query_integer(value, name,
                                               message=f"Invalid {name} filter [{value[:100]}]")
        flavors = [
            f for f in FLAVORS
            if (wanted is None or f.is_public == wanted)
            and f.ram >= minimums.get("minRam", 0) and f.disk >= minimums.get("minDisk", 0)
        ]
        return paged(flavors, read_limit(request), query_argument(request, "marker"))

    @tenant_route(app, "/flavors/<flavor_id>", methods=["GET"])
    def show_flavor(self, request: Any, tenant_id: str, flavor_id: str) -> bytes:
        _, links = self._begin(request, tenant_id)
        flavor = find_flavor(flavor_id)
        if flavor is None:
            raise RequestError(404, f"Flavor {flavor_id} could not be found.")
        return json_response(request, {"flavor": flavor_detail(flavor, links)})

    @tenant_route(app, "/flavors/<flavor_id>/os-extra_specs", methods=["GET"])
    def flavor_extra_specs(self, request: Any, tenant_id: str, flavor_id: str) -> bytes:
        self._begin(request, tenant_id)
        flavor = find_flavor(flavor_id)
        if flavor is None:
            raise RequestError(404, f"Flavor {flavor_id} could not be found.")
        return json_response(request, {"extra_specs": dict(flavor.extra_specs)})

    # images

    @tenant_route(app, "/images", methods=["GET"])
    def list_images(self, request: Any, tenant_id: str) -> bytes:
        compute, links = self._begin(request, tenant_id)
        return json_response(request, {"images": [
            {"id": i.id, "name": i.name, "links": links("images", i.id)}
            for i in self._image_page(request, compute)
        ]})

    @tenant_route(app, "/images/detail", methods=["GET"])
    def list_image_details(self, request: Any, tenant_id: str) -> bytes:
        compute, links = self._begin(request, tenant_id)
        now = compute.now()
        return json_response(request, {"images": [
            image_detail(i, now, links) for i in self._image_page(request, compute)
        ]})

    def _image_page(self, request: Any, compute: ComputeRegion) -> list:
        now = compute.now()
        name = query_argument(request, "name")
        status = query_argument(request, "status")
        server = ref_id(query_argument(request, "server"))
        kind = query_argument(request, "type")
        if kind not in (None, "snapshot", "base"):
            raise RequestError(400, f"Invalid type filter [{kind}]")
        images = [
            i for i in compute.images.images()
            if (name is None or i.name == name)
            and (status is None or i.status_at(now) == status.upper())
            and (server is None or i.server_id == server)
            and (kind is None or (i.server_id is None) == (kind == "base"))
        ]
        return paged(images, read_limit(request), query_argument(request, "marker"))

    @tenant_route(app, "/images/<image_id>", methods=["GET"])
    def show_image(self, request: Any, tenant_id: str, image_id: str) -> bytes:
        compute, links = self._begin(request, tenant_id)
        image = compute.images.find(image_id)
        if image is None:
            raise RequestError(404, "Image not found.")
        return json_response(request, {"image": image_detail(image, compute.now(), links)})

    @tenant_route(app, "/images/<image_id>", methods=["DELETE"])
    def delete_image(self, request: Any, tenant_id: str, image_id: str) -> bytes:
        compute, _ = self._begin(request, tenant_id)
        if compute.images.find(image_id) is None:
            raise RequestError(404, "Image not found.")
        try:
            compute.images.delete(image_id)
        except ImageNotDeletable:
            raise RequestError(403, f"You are not allowed to delete the image {image_id}.")
        return empty_response(request, 204)

    # limits, keypairs, availability zones

    @tenant_route(app, "/limits", methods=["GET"])
    def limits(self, request: Any, tenant_id: str) -> bytes:
        compute, _ = self._begin(request, tenant_id)
        return json_response(request, {"limits": {"rate": [], "absolute": compute.limits()}})

    @tenant_route(app, "/os-keypairs", methods=["GET"])
    def list_keypairs(self, request: Any, tenant_id: str) -> bytes:
        compute, _ = self._begin(request, tenant_id)
        return json_response(request, {"keypairs": [
            {"keypair": {"name": k.name, "public_key": k.public_key,
                         "fingerprint": k.fingerprint}}
            for k in compute.keypairs
        ]})

    @tenant_route(app, "/os-keypairs", methods=["POST"])
    def create_keypair(self, request: Any, tenant_id: str) -> bytes:
        compute, _ = self._begin(request, tenant_id)
        body = read_json(request).get("keypair")
        if not isinstance(body, dict):
            raise invalid_input("keypair", body,
                                "'keypair' is a required property of type 'object'")
        refuse_unexpected(body, frozenset({"name", "public_key"}), field="keypair")
        name = string_field(body, "name", required=True, minimum=0)
        public_key = string_field(body, "public_key", maximum=65535)
        keypair, private_key = compute.keypairs.create(
            name, self._user_id(request, tenant_id), compute.now(), public_key)
        created = {"name": keypair.name, "public_key": keypair.public_key,
                   "fingerprint": keypair.fingerprint, "user_id": keypair.user_id}
        if private_key is not None:
            created["private_key"] = private_key
        return json_response(request, {"keypair": created})

    @tenant_route(app, "/os-keypairs/<name>", methods=["GET"])
    def show_keypair(self, request: Any, tenant_id: str, name: str) -> bytes:
        compute, _ = self._begin(request, tenant_id)
        keypair = compute.keypairs.get(name)
        return json_response(request, {"keypair": {
            "id": keypair.id, "name": keypair.name, "public_key": keypair.public_key,
            "fingerprint": keypair.fingerprint, "user_id": keypair.user_id,
            "created_at": iso_time(keypair.created)[:-1], "updated_at": None,
            "deleted_at": None, "deleted": False,
        }})

    @tenant_route(app, "/os-keypairs/<name>", methods=["DELETE"])
    def delete_keypair(self, request: Any, tenant_id: str, name: str) -> bytes:
        compute, _ = self._begin(request, tenant_id)
        compute.keypairs.delete(name)
        return empty_response(request, 202)

    @tenant_route(app, "/os-availability-zone", methods=["GET"])
    def availability_zones(self, request: Any, tenant_id: str) -> bytes:
        self._begin(request, tenant_id)
        return json_response(request, {"availabilityZoneInfo": [
            {"zoneName": AVAILABILITY_ZONE, "zoneState": {"available": True}, "hosts": None}
        ]})


# Server actions: each reads its own parameters and answers as Nova does.

def _object(parameters: Any, action: str, allow_null: bool = False) -> dict:
    if parameters is None and allow_null:
        return {}
    if not isinstance(parameters, dict):
        raise invalid_input(action, parameters, f"{json.dumps(parameters)} is not of type 'object'")
    return parameters


def _reboot(api, request, compute, links, server_id, parameters):
    kind = _object(parameters, "reboot").get("type")
    if not isinstance(kind, str) or kind.upper() not in ("SOFT", "HARD"):
        raise invalid_input("type", kind, f"{json.dumps(kind)} is not one of ['SOFT', 'HARD']")
    compute.reboot(server_id, hard=kind.upper() == "HARD")
    return empty_response(request, 202)


REBUILD_KEYS = frozenset({"imageRef", "name", "adminPass", "metadata", "accessIPv4",
                          "accessIPv6", "OS-DCF:diskConfig", "personality",
                          "preserve_ephemeral"})


def _rebuild(api, request, compute, links, server_id, parameters):
    body = _object(parameters, "rebuild")
    refuse_unexpected(body, REBUILD_KEYS, field="rebuild")
    if "imageRef" not in body:
        raise invalid_input("imageRef", None, "'imageRef' is a required property")
    image_id = reference_field(body, "imageRef")
    metadata = read_metadata(body["metadata"]) if "metadata" in body else None
    name = name_field(body, required=False)
    access_ipv4 = ip_field(body, "accessIPv4", 4)
    access_ipv6 = ip_field(body, "accessIPv6", 6)
    disk_config_field(body)
    password = string_field(body, "adminPass") or compute.ids.hex(12)
    server = compute.rebuild(server_id, image_id, name=name, metadata=metadata,
                             access_ipv4=access_ipv4, access_ipv6=access_ipv6)
    detail = server_detail(server, compute.now(), links, compute.network)
    detail["adminPass"] = password
    return json_response(request, {"server": detail}, code=202)


def _resize(api, request, compute, links, server_id, parameters):
    body = _object(parameters, "resize")
    if "flavorRef" not in body:
        raise invalid_input("flavorRef", None, "'flavorRef' is a required property")
    compute.resize(server_id, reference_field(body, "flavorRef"))
    return empty_response(request, 202)


def _confirm_resize(api, request, compute, links, server_id, parameters):
    compute.confirm_resize(server_id)
    return empty_response(request, 204)


def _revert_resize(api, request, compute, links, server_id, parameters):
    compute.revert_resize(server_id)
    return empty_response(request, 202)


def _change_password(api, request, compute, links, server_id, parameters):
    if string_field(_object(parameters, "changePassword"), "adminPass", required=True) is None:
        raise invalid_input("adminPass", None, "'adminPass' is a required property")
    compute.change_password(server_id)
    return empty_response(request, 202)


def _create_image(api, request, compute, links, server_id, parameters):
    body = _object(parameters, "createImage")
    name = name_field(body, required=True)
    metadata = read_metadata(body.get("metadata", {}))
    image = compute.create_image(server_id, name, metadata)
    location = links("images", image.id)[0]["href"]
    request.setHeader(b"location", location.encode())
    return empty_response(request, 202)


def _rescue(api, request, compute, links, server_id, parameters):
    body = _object(parameters, "rescue", allow_null=True)
    if "rescue_image_ref" in body:
        compute.resolve_image(reference_field(body, "rescue_image_ref"))
    password = string_field(body, "adminPass") or compute.ids.hex(12)
    compute.rescue(server_id)
    return json_response(request, {"adminPass": password})


def _simple(method: str) -> Callable:
    def act(api, request, compute, links, server_id, parameters):
        _object(parameters, method, allow_null=True)
        getattr(compute, method)(server_id)
        return empty_response(request, 202)

    return act


def _lock(locked: bool) -> Callable:
    def act(api, request, compute, links, server_id, parameters):
        _object(parameters, "lock" if locked else "unlock", allow_null=True)
        compute.lock(server_id, locked)
        return empty_response(request, 202)

    return act


def _security_group(add: bool) -> Callable:
    def act(api, request, compute, links, server_id, parameters):
        action = "addSecurityGroup" if add else "removeSecurityGroup"
        name = string_field(_object(parameters, action), "name", required=True, minimum=1)
        if add:
            compute.add_security_group(server_id, name)
        else:
            compute.remove_security_group(server_id, name)
        return empty_response(request, 202)

    return act


def _add_fixed_ip(api, request, compute, links, server_id, parameters):
    body = _object(parameters, "addFixedIp")
    network_id = body.get("networkId")
    if isinstance(network_id, int) and not isinstance(network_id, bool):
        network_id = str(network_id)
    if not isinstance(network_id, str) or not network_id:
        raise invalid_input("networkId", network_id, "'networkId' is a required property")
    compute.add_fixed_ip(server_id, network_id)
    return empty_response(request, 202)


def _add_floating_ip(api, request, compute, links, server_id, parameters):
    body = _object(parameters, "addFloatingIp")
    refuse_unexpected(body, frozenset({"address", "fixed_address"}), field="addFloatingIp")
    address = _ip_parameter(body, "address", required=True)
    fixed_address = _ip_parameter(body, "fixed_address")
    compute.add_floating_ip(server_id, address, fixed_address)
    return empty_response(request, 202)


def _remove_floating_ip(api, request, compute, links, server_id, parameters):
    body = _object(parameters, "removeFloatingIp")
    refuse_unexpected(body, frozenset({"address"}), field="removeFloatingIp")
    compute.remove_floating_ip(server_id, _ip_parameter(body, "address", required=True))
    return empty_response(request, 202)


def _ip_parameter(body: dict, key: str, required: bool = False) -> Optional[str]:
    value = string_field(body, key, required=required)
    if value is None:
        return None
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        raise invalid_input(key, value, f"'{value}' is not a 'ipv4'") from None


def _remove_fixed_ip(api, request, compute, links, server_id, parameters):
    address = string_field(_object(parameters, "removeFixedIp"), "address", required=True)
    compute.remove_fixed_ip(server_id, address)
    return empty_response(request, 202)


ACTIONS: dict[str, Callable] = {
    "reboot": _reboot,
    "rebuild": _rebuild,
    "resize": _resize,
    "confirmResize": _confirm_resize,
    "revertResize": _revert_resize,
    "changePassword": _change_password,
    "createImage": _create_image,
    "rescue": _rescue,
    "unrescue": _simple("unrescue"),
    "os-start": _simple("start"),
    "os-stop": _simple("stop"),
    "pause": _simple("pause"),
    "unpause": _simple("unpause"),
    "suspend": _simple("suspend"),
    "resume": _simple("resume"),
    "lock": _lock(True),
    "unlock": _lock(False),
    "addSecurityGroup": _security_group(True),
    "removeSecurityGroup": _security_group(False),
    "addFixedIp": _add_fixed_ip,
    "addFloatingIp": _add_floating_ip,
    "removeFloatingIp": _remove_floating_ip,
    "removeFixedIp": _remove_fixed_ip,
}



install_nova_error_handlers(NovaApi.app)
