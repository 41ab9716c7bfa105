"""
Nova's server routes: create, list (summary and detail), show, update,
delete, a server's addresses and metadata, and ``POST .../action`` (each
action in :mod:`mimic.rest.nova_actions_api`).
"""

from __future__ import annotations

from typing import Any, Optional

import attrs

from mimic.model.nova import ComputeRegion
from mimic.model.nova_listing import merged, page_of
from mimic.model.patterns import PatternTooCostly
from mimic.model.nova_instance_actions import ACTION_NAMES
from mimic.model.nova_volumes import (
    attach_boot_volumes,
    check_boot_volumes,
    read_boot_volumes,
    release_volumes,
    storage_for,
)
from mimic.rest.http import RequestError, empty_response, json_response, read_json
from mimic.rest.nova_actions_api import ACTIONS, ACTIONS_UNTIL
from mimic.rest.nova_consoles_api import CONSOLE_ACTIONS, CONSOLE_ACTIONS_UNTIL
from mimic.rest.nova_json import (
    invalid_input,
    name_field,
    query_argument,
    read_boolean,
    read_metadata,
    refuse_unexpected,
)
from mimic.rest.nova_server_json import (
    description_field,
    disk_config_field,
    hostname_field,
    ip_field,
    read_server_query,
    read_server_spec,
)
from mimic.rest.nova_microversions import LISTING, SHOW, UPDATE
from mimic.rest.nova_routes import NovaRoutes, nova_error, tenant_route
from mimic.rest.nova_views import (
    Links,
    dumps,
    raw_json,
    server_addresses,
    server_detail,
    server_summary,
)


_TRUE_WORDS = ("1", "on", "t", "true", "y", "yes")
_FALSE_WORDS = ("0", "f", "false", "n", "no", "off")


def is_all_tenants(value: Optional[str]) -> bool:
    """
    nova/api/openstack/common.py ``is_all_tenants``: the parameter present
    with no value means yes; else its boolean word, and another word is
    oslo's refusal (a 400).
    """
    if value is None:
        return False
    word = value.strip().lower()
    if not word or word in _TRUE_WORDS:
        return True
    if word in _FALSE_WORDS:
        return False
    raise RequestError(400, f"Unrecognized value '{value[:100]}', acceptable values are: "
                       + ", ".join(f"'{w}'" for w in sorted(_TRUE_WORDS + _FALSE_WORDS)))

SERVER_UPDATE_KEYS = frozenset({"name", "accessIPv4", "accessIPv6", "OS-DCF:diskConfig"})

app = NovaRoutes.app


class ServerRoutes(NovaRoutes):
    """``servers``, ``servers/detail``, ``servers/<id>`` and what hangs off one."""

    # servers

    @tenant_route(app, "/servers", methods=["POST"])
    def create_server(self, request: Any, tenant_id: str) -> bytes:
        compute, links = self._begin(request, tenant_id)
        body = read_json(request)
        spec, count = read_server_spec(body, self.version)
        reservation_wanted = read_boolean(body["server"], "return_reservation_id")
        user_id = self._user_id(request, tenant_id)
        boot_volumes = read_boot_volumes(body["server"])
        storage = storage_for(self.store, tenant_id, self.region)
        check_boot_volumes(storage, boot_volumes, count)
        created = compute.create_servers(spec, user_id, count, self._request_id(request))
        for made in created:
            attach_boot_volumes(storage, made.server, boot_volumes, compute.now())
        first = created[0]
        if first.false_negative is not None:
            raise nova_error(first.false_negative)
        server = first.server
        if reservation_wanted:
            return json_response(request, {"reservation_id": server.reservation_id},
                                 code=202)
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
        query = read_server_query(request, self.version)
        scope = self._listing_scope(request, tenant_id, query, detail)
        if scope is not None:
            return self._wide_listing(request, tenant_id, detail, *scope)
        view = self._server_view(request, tenant_id, LISTING)
        cache = self._render_cache(tenant_id)
        now = compute.now()
        key = (compute.changes.value, compute.network.changes, now, request.uri, links.prefix,
               self.version)
        answered = cache.page(key)
        if answered is not None:
            return raw_json(request, answered)
        page = self._page(lambda: compute.list_servers(query), query)
        # One list of fragments joined once: a thousand servers are 1.6 MB,
        # and every copy of that shows in the listing rate.
        parts = [b'{"servers":[']
        rendered = (cache.render_all(page, now, links, compute.network, view) if detail
                    else [server_summary(server, links) for server in page])
        for piece in rendered:
            parts.append(piece)
            parts.append(b",")
        if page:
            parts.pop()
        parts.append(b"]")
        self._next_link(parts, request, links, detail, page, query)
        parts.append(b"}")
        body = b"".join(parts)
        # Keyed after rendering: rendering settles finished transitions.
        cache.keep_page((compute.changes.value, compute.network.changes, now, request.uri,
                         links.prefix, self.version), body)
        return raw_json(request, body)

    def _listing_scope(self, request: Any, tenant_id: str, query: Any,
                       detail: bool) -> Optional[tuple]:
        """
        Who and what a listing covers beyond the caller's live servers, as
        Nova's ``_get_servers`` reads it: ``all_tenants`` (admins only; a
        403 for others) with ``project_id``/``tenant_id``; ``deleted`` (an
        admin's filter, ignored for others); and ``changes-since`` or
        ``changes-before``, which bring deleted servers along. ``None``
        for a plain listing of the caller's live servers.
        """
        admin = self._is_admin(request, tenant_id)
        wide = is_all_tenants(query_argument(request, "all_tenants"))
        if wide:
            kind = "detail" if detail else "index"
            self._authorize(request, tenant_id,
                            f"os_compute_api:servers:{kind}:get_all_tenants")
        deleted = query_argument(request, "deleted") if admin else None
        if deleted is not None:
            query = attrs.evolve(query, deleted=deleted.strip().lower() in _TRUE_WORDS)
        elif query.changes_since is not None or query.changes_before is not None:
            query = attrs.evolve(query, deleted=None)
        if wide:
            query = attrs.evolve(query, project_id=(query_argument(request, "project_id")
                                                    or query_argument(request, "tenant_id")))
        if not wide and query.deleted is False:
            return None
        computes = self._computes() if wide else [ComputeRegion.for_tenant(
            self.store, tenant_id, self.region)]
        return computes, query

    def _wide_listing(self, request: Any, tenant_id: str, detail: bool, computes: list,
                      query: Any) -> bytes:
        """A listing over deleted servers or many projects: not cached, rendered as it goes."""
        links = Links(self.prefix, tenant_id)
        now = computes[0].now() if computes else 0.0
        networks = {c.tenant_id: c.network for c in computes}
        page = self._page(lambda: page_of(
            merged([c.servers_for(query) for c in computes]), query, now), query)
        view = self._server_view(request, tenant_id, LISTING)
        parts = [b'{"servers":[', b",".join(
            dumps(server_detail(s, now, links, networks[s.tenant_id], view)) if detail
            else server_summary(s, links) for s in page), b"]"]
        self._next_link(parts, request, links, detail, page, query)
        parts.append(b"}")
        return raw_json(request, b"".join(parts))

    @staticmethod
    def _page(list_page: Any, query: Any) -> list:
        try:
            return list_page()
        except PatternTooCostly as costly:
            raise invalid_input("name", query.name.pattern.pattern[:100],
                                f"is not a valid regular expression here: {costly}") from None

    @staticmethod
    def _next_link(parts: list, request: Any, links: Any, detail: bool, page: list,
                   query: Any) -> None:
        if page and len(page) == query.limit:
            collection = "servers/detail" if detail else "servers"
            next_link = links.next_page(collection, request, page[-1].id)
            parts.append(b',"servers_links":' + dumps(next_link))

    @tenant_route(app, "/servers/<server_id>", methods=["GET"])
    def show_server(self, request: Any, tenant_id: str, server_id: str) -> bytes:
        compute, links = self._begin_server(request, tenant_id, server_id)
        server = compute.server(server_id)
        rendered = self._render_cache(tenant_id).render(server, compute.now(), links,
                                                        compute.network,
                                                        self._server_view(request, tenant_id,
                                                                          SHOW))
        return raw_json(request, b'{"server":' + rendered + b"}")

    @tenant_route(app, "/servers/<server_id>", methods=["PUT"])
    def update_server(self, request: Any, tenant_id: str, server_id: str) -> bytes:
        compute, links = self._begin_server(request, tenant_id, server_id)
        body = read_json(request).get("server")
        if not isinstance(body, dict):
            raise invalid_input("server", body,
                                "'server' is a required property of type 'object'")
        allowed = set(SERVER_UPDATE_KEYS)
        changes: dict = {}
        if self.version >= "2.19":
            allowed.add("description")
            if "description" in body:
                changes["description"] = description_field(body)
        if self.version >= "2.90":
            allowed.add("hostname")
            if "hostname" in body:
                changes["hostname"] = hostname_field(body)
        refuse_unexpected(body, frozenset(allowed), field="server")
        server = compute.update_server(
            server_id,
            name=name_field(body, required=False),
            access_ipv4=ip_field(body, "accessIPv4", 4),
            access_ipv6=ip_field(body, "accessIPv6", 6),
            disk_config=disk_config_field(body),
            changes=changes,
        )
        return json_response(request, {"server": server_detail(
            server, compute.now(), links, compute.network,
            self._server_view(request, tenant_id, UPDATE))})

    @tenant_route(app, "/servers/<server_id>", methods=["DELETE"])
    def delete_server(self, request: Any, tenant_id: str, server_id: str) -> bytes:
        compute, _ = self._begin_server(request, tenant_id, server_id)
        server = compute.server(server_id)
        compute.delete_server(server_id)
        self._record_action(request, compute.tenant_id, compute, "delete", server_id)
        release_volumes(storage_for(self.store, compute.tenant_id, self.region), server)
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
        compute, links = self._begin_server(request, tenant_id, server_id)
        body = read_json(request)
        if len(body) != 1:
            raise RequestError(400, "Malformed request body: one action is required.")
        ((action, parameters),) = body.items()
        handler = ACTIONS.get(action) or CONSOLE_ACTIONS.get(action)
        if handler is None:
            raise RequestError(400, f"There is no such action: {action}")
        until = ACTIONS_UNTIL.get(action) or CONSOLE_ACTIONS_UNTIL.get(action)
        if until is not None and self.version > until:
            raise RequestError(404, "The resource could not be found.")
        answer = handler(self, request, compute, links, server_id, parameters)
        if action in ACTION_NAMES:
            self._record_action(request, compute.tenant_id, compute, ACTION_NAMES[action],
                                server_id)
        return answer
