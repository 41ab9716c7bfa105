"""
Keystone v3 services, endpoints, regions and unified limits
(``/identity/v3/services``, ``/endpoints``, ``/regions``, ``/limits``,
``/registered_limits``).

What Mimic's plugins provide is listed with the same stable ids as in the
catalog of tokens (their URLs with ``$(project_id)s`` where the project
goes) and cannot be changed here; what an admin adds shows in the catalog
of every token rendered from then on.
"""

from __future__ import annotations

from typing import Any

from mimic.klein_rendering import MimicKlein

from mimic.model.identity.limits import Limit, LimitConflict, RegisteredLimit
from mimic.model.identity.services import (
    INTERFACES,
    CatalogConflict,
    Endpoint,
    Region,
    Service,
)
from mimic.rest.http import (
    RequestError,
    empty_response,
    install_error_handlers,
    json_response,
    read_json,
)
from mimic.rest.identity_common import (
    ROOT_PLACEHOLDER,
    all_regions,
    builtin_v3_catalog,
    forget_catalogs,
    keystone_error_body,
    root_url,
)
from mimic.rest.identity_v3_common import (
    MAX_DESCRIPTION,
    KeystoneRoutes,
    entity,
    extras,
    filtered,
    flag,
    listing,
    query,
    single,
    text,
    unknown_fields,
    v3_url,
    whole_number,
    with_extra,
)

#: What the listed URLs of Mimic's own endpoints hold where the project goes.
PROJECT_TEMPLATE = "$(project_id)s"
#: Keystone bounds endpoint URLs by its column: 2,048 characters.
MAX_URL = 2048
ENDPOINT_FIELDS = ("service_id", "interface", "url", "region", "region_id", "enabled")


class IdentityV3CatalogApi(KeystoneRoutes):
    """Services, endpoints, regions and limits."""

    app = MimicKlein()

    def _builtin(self, request: Any) -> list:
        """Mimic's own services in v3 form, URLs templated on the project."""
        services = builtin_v3_catalog(self.core, self.store, ROOT_PLACEHOLDER,
                                      PROJECT_TEMPLATE)
        root = root_url(request)
        for service in services:
            for endpoint in service["endpoints"]:
                endpoint["url"] = endpoint["url"].replace(ROOT_PLACEHOLDER, root)
        return services

    # services

    def _service_json(self, request: Any, service: Any) -> dict:
        if isinstance(service, dict):
            return {"id": service["id"], "type": service["type"], "name": service["name"],
                    "description": "", "enabled": True,
                    "links": {"self": v3_url(request, f"services/{service['id']}")}}
        return with_extra({
            "id": service.id, "type": service.type, "name": service.name,
            "description": service.description, "enabled": service.enabled,
            "links": {"self": v3_url(request, f"services/{service.id}")}}, service.extra)

    def _all_services(self, request: Any) -> list:
        return [*self._builtin(request), *self.store.services.services.values()]

    @app.route("/services", methods=["GET"])
    def services(self, request: Any) -> bytes:
        self.caller(request)
        services = self._all_services(request)
        kind = self._query_type(request)
        if kind is not None:
            services = [s for s in services
                        if (s["type"] if isinstance(s, dict) else s.type) == kind]
        return listing(request, "services", services, self._service_json)

    def _query_type(self, request: Any) -> Any:
        return query(request, "type")

    @app.route("/services", methods=["POST"])
    def create_service(self, request: Any) -> bytes:
        self.admin(request, "create_service")
        body = entity(request, "service")
        extra = extras(body, ("type", "name", "description", "enabled"), "service")
        service = Service(
            id=self.store.ids.hex(32),
            type=text(body, "type", "service", required=True),
            name=text(body, "name", "service") or "",
            description=text(body, "description", "service", limit=MAX_DESCRIPTION,
                             empty=True) or "",
            enabled=flag(body, "enabled", "service") is not False,
            extra=extra,
        )
        self.store.services.add_service(service)
        forget_catalogs(self.store)
        return single(request, "service", service, self._service_json, code=201)

    def _find_service(self, request: Any, service_id: str) -> Any:
        for service in self._all_services(request):
            if (service["id"] if isinstance(service, dict) else service.id) == service_id:
                return service
        raise RequestError(404, f"Could not find service: {service_id}.")

    def _operator_service(self, request: Any, service_id: str) -> Service:
        service = self._find_service(request, service_id)
        if isinstance(service, dict):
            raise RequestError(403, f"Service {service_id} is one of Mimic's own; it "
                               "cannot be changed or deleted.")
        return service

    @app.route("/services/<service_id>", methods=["GET"])
    def show_service(self, request: Any, service_id: str) -> bytes:
        self.caller(request)
        return single(request, "service", self._find_service(request, service_id),
                      self._service_json)

    @app.route("/services/<service_id>", methods=["PATCH"])
    def update_service(self, request: Any, service_id: str) -> bytes:
        self.admin(request, "update_service")
        service = self._operator_service(request, service_id)
        body = entity(request, "service", update=True)
        # Everything is read before anything changes: a refusal changes nothing.
        extra = extras(body, ("type", "name", "description", "enabled"), "service",
                       service.extra)
        names = {key: text(body, key, "service") for key in ("type", "name")}
        description = text(body, "description", "service", limit=MAX_DESCRIPTION,
                           empty=True)
        enabled = flag(body, "enabled", "service")
        service.extra = extra
        for key, value in names.items():
            if value is not None:
                setattr(service, key, value)
        if description is not None:
            service.description = description
        if enabled is not None:
            service.enabled = enabled
        forget_catalogs(self.store)
        return single(request, "service", service, self._service_json)

    @app.route("/services/<service_id>", methods=["DELETE"])
    def delete_service(self, request: Any, service_id: str) -> bytes:
        self.admin(request, "delete_service")
        service = self._operator_service(request, service_id)
        self.store.services.delete_service(service.id)
        forget_catalogs(self.store)
        return empty_response(request)

    # endpoints

    def _endpoint_json(self, request: Any, endpoint: Any) -> dict:
        if isinstance(endpoint, dict):
            return {**endpoint, "enabled": True,
                    "links": {"self": v3_url(request, f"endpoints/{endpoint['id']}")}}
        return with_extra({
            "id": endpoint.id, "service_id": endpoint.service_id,
            "interface": endpoint.interface, "region": endpoint.region_id,
            "region_id": endpoint.region_id, "url": endpoint.url,
            "enabled": endpoint.enabled,
            "links": {"self": v3_url(request, f"endpoints/{endpoint.id}")}}, endpoint.extra)

    def _all_endpoints(self, request: Any) -> list:
        builtin = [{**e, "service_id": s["id"]}
                   for s in self._builtin(request) for e in s["endpoints"]]
        return [*builtin, *self.store.services.endpoints.values()]

    @app.route("/endpoints", methods=["GET"])
    def endpoints(self, request: Any) -> bytes:
        self.caller(request)

        def field(name: str) -> Any:
            return lambda e: e[name] if isinstance(e, dict) else getattr(
                e, "region_id" if name == "region_id" else name)

        endpoints = filtered(request, self._all_endpoints(request), {
            "service_id": field("service_id"), "interface": field("interface"),
            "region_id": field("region_id")})
        return listing(request, "endpoints", endpoints, self._endpoint_json)

    @app.route("/endpoints", methods=["POST"])
    def create_endpoint(self, request: Any) -> bytes:
        self.admin(request, "create_endpoint")
        body = entity(request, "endpoint")
        extra = extras(body, ENDPOINT_FIELDS, "endpoint")
        service = self._operator_service(
            request, text(body, "service_id", "endpoint", required=True))
        interface = text(body, "interface", "endpoint", required=True)
        if interface not in INTERFACES:
            raise RequestError(400, "Invalid input for field 'endpoint.interface': one "
                               f"of {', '.join(INTERFACES)} is required.")
        url = text(body, "url", "endpoint", required=True, limit=MAX_URL)
        region_id = text(body, "region_id", "endpoint") or text(body, "region", "endpoint")
        if region_id is not None and region_id not in self.region_ids():
            raise RequestError(400, f"Could not find region: {region_id}.")
        endpoint = Endpoint(self.store.ids.hex(32), service.id, interface, url, region_id,
                            flag(body, "enabled", "endpoint") is not False, extra)
        self.store.services.endpoints[endpoint.id] = endpoint
        forget_catalogs(self.store)
        return single(request, "endpoint", endpoint, self._endpoint_json, code=201)

    def _find_endpoint(self, request: Any, endpoint_id: str) -> Any:
        for endpoint in self._all_endpoints(request):
            if (endpoint["id"] if isinstance(endpoint, dict) else endpoint.id) == endpoint_id:
                return endpoint
        raise RequestError(404, f"Could not find endpoint: {endpoint_id}.")

    def _operator_endpoint(self, request: Any, endpoint_id: str) -> Endpoint:
        endpoint = self._find_endpoint(request, endpoint_id)
        if isinstance(endpoint, dict):
            raise RequestError(403, f"Endpoint {endpoint_id} is one of Mimic's own; it "
                               "cannot be changed or deleted.")
        return endpoint

    @app.route("/endpoints/<endpoint_id>", methods=["GET"])
    def show_endpoint(self, request: Any, endpoint_id: str) -> bytes:
        self.caller(request)
        return single(request, "endpoint", self._find_endpoint(request, endpoint_id),
                      self._endpoint_json)

    @app.route("/endpoints/<endpoint_id>", methods=["PATCH"])
    def update_endpoint(self, request: Any, endpoint_id: str) -> bytes:
        self.admin(request, "update_endpoint")
        endpoint = self._operator_endpoint(request, endpoint_id)
        body = entity(request, "endpoint", update=True)
        extra = extras(body, ENDPOINT_FIELDS, "endpoint", endpoint.extra)
        url = text(body, "url", "endpoint", limit=MAX_URL)
        interface = text(body, "interface", "endpoint")
        if interface is not None and interface not in INTERFACES:
            raise RequestError(400, "Invalid input for field 'endpoint.interface'.")
        enabled = flag(body, "enabled", "endpoint")
        service_id = text(body, "service_id", "endpoint")
        service = (self._operator_service(request, service_id)
                   if service_id is not None else None)
        region_id = text(body, "region_id", "endpoint") or text(body, "region", "endpoint")
        if region_id is not None and region_id not in self.region_ids():
            raise RequestError(400, f"Could not find region: {region_id}.")
        endpoint.extra = extra
        if service is not None:
            endpoint.service_id = service.id
        if region_id is not None:
            endpoint.region_id = region_id
        if url is not None:
            endpoint.url = url
        if interface is not None:
            endpoint.interface = interface
        if enabled is not None:
            endpoint.enabled = enabled
        forget_catalogs(self.store)
        return single(request, "endpoint", endpoint, self._endpoint_json)

    @app.route("/endpoints/<endpoint_id>", methods=["DELETE"])
    def delete_endpoint(self, request: Any, endpoint_id: str) -> bytes:
        self.admin(request, "delete_endpoint")
        endpoint = self._operator_endpoint(request, endpoint_id)
        self.store.services.delete_endpoint(endpoint.id)
        forget_catalogs(self.store)
        return empty_response(request)

    # regions

    def _region_json(self, request: Any, region: Any) -> dict:
        if isinstance(region, str):
            region = Region(region)
        return with_extra({
            "id": region.id, "description": region.description,
            "parent_region_id": region.parent_region_id,
            "links": {"self": v3_url(request, f"regions/{region.id}")}}, region.extra)

    def _regions(self) -> list:
        return [*all_regions(self.core), *self.store.services.regions.values()]

    @app.route("/regions", methods=["GET"])
    def regions(self, request: Any) -> bytes:
        self.caller(request)
        return listing(request, "regions", self._regions(), self._region_json)

    @app.route("/regions", methods=["POST"])
    def create_region(self, request: Any) -> bytes:
        self.admin(request, "create_region")
        body = entity(request, "region")
        extra = extras(body, ("id", "description", "parent_region_id"), "region")
        region = Region(
            text(body, "id", "region") or self.store.ids.hex(32),
            text(body, "description", "region", limit=MAX_DESCRIPTION, empty=True) or "",
            text(body, "parent_region_id", "region"),
            extra,
        )
        builtin = {r for r in self._regions() if isinstance(r, str)}
        try:
            self.store.services.add_region(region, builtin)
        except CatalogConflict as conflict:
            code = 404 if "Could not find" in str(conflict) else 409
            raise RequestError(code, str(conflict)) from None
        return single(request, "region", region, self._region_json, code=201)

    def _find_region(self, region_id: str) -> Any:
        for region in self._regions():
            if (region if isinstance(region, str) else region.id) == region_id:
                return region
        raise RequestError(404, f"Could not find region: {region_id}.")

    @app.route("/regions/<region_id>", methods=["GET"])
    def show_region(self, request: Any, region_id: str) -> bytes:
        self.caller(request)
        return single(request, "region", self._find_region(region_id), self._region_json)

    def _operator_region(self, region_id: str) -> Region:
        region = self._find_region(region_id)
        if isinstance(region, str):
            raise RequestError(403, f"Region {region_id} is one Mimic's plugins are "
                               "offered in; it cannot be changed or deleted.")
        return region

    @app.route("/regions/<region_id>", methods=["PATCH"])
    def update_region(self, request: Any, region_id: str) -> bytes:
        self.admin(request, "update_region")
        region = self._operator_region(region_id)
        body = entity(request, "region", update=True)
        # Checked before anything changes: a refused update changes nothing.
        parent = self._new_parent(region, text(body, "parent_region_id", "region"))
        extra = extras(body, ("id", "description", "parent_region_id"), "region",
                       region.extra)
        description = text(body, "description", "region", limit=MAX_DESCRIPTION,
                           empty=True)
        region.extra = extra
        if "parent_region_id" in body:
            region.parent_region_id = parent
        if description is not None:
            region.description = description
        return single(request, "region", region, self._region_json)

    def _new_parent(self, region: Region, parent_id: Any) -> Any:
        """
        A region's new parent (keystone/catalog/backends/sql.py
        ``update_region``): a known region (404 otherwise) whose own
        parents do not lead back to it (400, CircularRegionHierarchyError).
        """
        if parent_id is None:
            return None
        seen = {region.id}
        current: Any = self._find_region(parent_id)
        while not isinstance(current, str):
            if current.id in seen:
                raise RequestError(400, f"The specified parent region {parent_id} would "
                                   "create a circular region hierarchy.")
            seen.add(current.id)
            if current.parent_region_id is None:
                break
            current = self._find_region(current.parent_region_id)
        if isinstance(current, str) and current == region.id:
            raise RequestError(400, f"The specified parent region {parent_id} would "
                               "create a circular region hierarchy.")
        return parent_id

    @app.route("/regions/<region_id>", methods=["DELETE"])
    def delete_region(self, request: Any, region_id: str) -> bytes:
        self.admin(request, "delete_region")
        region = self._operator_region(region_id)
        try:
            self.store.services.delete_region(region.id)
        except CatalogConflict as conflict:
            raise RequestError(403, str(conflict)) from None
        return empty_response(request)

    # unified limits

    def _service_ids(self, request: Any) -> set:
        return {s["id"] if isinstance(s, dict) else s.id
                for s in self._all_services(request)}

    def _limit_target(self, request: Any, body: dict, where: str) -> tuple:
        service_id = text(body, "service_id", where, required=True)
        if service_id not in self._service_ids(request):
            raise RequestError(400, f"Could not find service: {service_id}.")
        region_id = text(body, "region_id", where)
        if region_id is not None and region_id not in self.region_ids():
            raise RequestError(400, f"Could not find region: {region_id}.")
        return service_id, region_id, text(body, "resource_name", where, required=True)

    def _registered_json(self, request: Any, limit: RegisteredLimit) -> dict:
        return {"id": limit.id, "service_id": limit.service_id,
                "region_id": limit.region_id, "resource_name": limit.resource_name,
                "default_limit": limit.default_limit, "description": limit.description,
                "links": {"self": v3_url(request, f"registered_limits/{limit.id}")}}

    def _limit_json(self, request: Any, limit: Limit) -> dict:
        return {"id": limit.id, "service_id": limit.service_id,
                "region_id": limit.region_id, "resource_name": limit.resource_name,
                "resource_limit": limit.resource_limit, "description": limit.description,
                "project_id": limit.project_id, "domain_id": limit.domain_id,
                "links": {"self": v3_url(request, f"limits/{limit.id}")}}

    def _items(self, request: Any, key: str) -> list:
        """``{key: [...]}`` bodies of the create calls, each item rendered."""
        body = read_json(request)
        items = body.get(key)
        if not isinstance(items, list) or not items or not all(
                isinstance(i, dict) for i in items) or len(items) > 100:
            raise RequestError(400, f"Invalid input for field '{key}': a list of 1 to 100 "
                               "objects is required.")
        return items

    @app.route("/registered_limits", methods=["GET"])
    def registered_limits(self, request: Any) -> bytes:
        self.caller(request)
        limits = filtered(request, list(self.store.limits.registered.values()), {
            "service_id": lambda lim: lim.service_id,
            "region_id": lambda lim: lim.region_id,
            "resource_name": lambda lim: lim.resource_name})
        return listing(request, "registered_limits", limits, self._registered_json)

    @app.route("/registered_limits", methods=["POST"])
    def create_registered_limits(self, request: Any) -> bytes:
        self.admin(request, "create_registered_limits")
        made = []
        for item in self._items(request, "registered_limits"):
            unknown_fields(item, ("service_id", "region_id", "resource_name",
                                  "default_limit", "description"), "registered_limit")
            service_id, region_id, resource = self._limit_target(request, item,
                                                                 "registered_limit")
            made.append(RegisteredLimit(
                self.store.ids.hex(32), service_id, resource,
                whole_number(item, "default_limit", "registered_limit", required=True),
                region_id, text(item, "description", "registered_limit",
                                limit=MAX_DESCRIPTION, empty=True)))
        try:
            for limit in made:
                self.store.limits.register(limit)
        except LimitConflict as conflict:
            for limit in made:
                if self.store.limits.registered.get(limit.id) is limit:
                    del self.store.limits.registered[limit.id]
            raise RequestError(409, str(conflict)) from None
        return listing(request, "registered_limits", made, self._registered_json, code=201)

    @app.route("/registered_limits/<limit_id>", methods=["GET"])
    def show_registered_limit(self, request: Any, limit_id: str) -> bytes:
        self.caller(request)
        limit = self.known("registered limit", self.store.limits.registered.get(limit_id),
                           limit_id)
        return single(request, "registered_limit", limit, self._registered_json)

    @app.route("/registered_limits/<limit_id>", methods=["PATCH"])
    def update_registered_limit(self, request: Any, limit_id: str) -> bytes:
        self.admin(request, "update_registered_limit")
        limit = self.known("registered limit", self.store.limits.registered.get(limit_id),
                           limit_id)
        body = entity(request, "registered_limit", update=True)
        unknown_fields(body, ("service_id", "region_id", "resource_name", "default_limit",
                              "description"), "registered_limit")
        # keystone/limit/backends/sql.py update_registered_limit: no update
        # of one project limits override (403, RegisteredLimitError); the
        # service, region and resource may change, to a known service and
        # region, and to no other registered limit's (409). All is checked
        # before anything changes.
        if self.store.limits.registered_in_use(limit):
            raise RequestError(403, f"Unable to update or delete registered limit "
                               f"{limit.id} because there are project limits "
                               "associated with it.")
        service_id, region_id, resource = self._limit_target(request, {
            "service_id": limit.service_id, "region_id": limit.region_id,
            "resource_name": limit.resource_name, **body}, "registered_limit")
        default = whole_number(body, "default_limit", "registered_limit")
        description = text(body, "description", "registered_limit",
                           limit=MAX_DESCRIPTION, empty=True)
        try:
            self.store.limits.retarget(limit, service_id, region_id, resource)
        except LimitConflict as conflict:
            raise RequestError(409, str(conflict)) from None
        if default is not None:
            limit.default_limit = default
        if description is not None:
            limit.description = description
        return single(request, "registered_limit", limit, self._registered_json)

    @app.route("/registered_limits/<limit_id>", methods=["DELETE"])
    def delete_registered_limit(self, request: Any, limit_id: str) -> bytes:
        self.admin(request, "delete_registered_limit")
        limit = self.known("registered limit", self.store.limits.registered.get(limit_id),
                           limit_id)
        if self.store.limits.registered_in_use(limit):
            raise RequestError(403, "Project limits override this registered limit; "
                               "delete them first.")
        del self.store.limits.registered[limit.id]
        return empty_response(request)

    @app.route("/limits", methods=["GET"])
    def limits(self, request: Any) -> bytes:
        self.caller(request)
        limits = filtered(request, list(self.store.limits.limits.values()), {
            "service_id": lambda lim: lim.service_id,
            "region_id": lambda lim: lim.region_id,
            "resource_name": lambda lim: lim.resource_name,
            "project_id": lambda lim: lim.project_id,
            "domain_id": lambda lim: lim.domain_id})
        return listing(request, "limits", limits, self._limit_json)

    @app.route("/limits/model", methods=["GET"])
    def limit_model(self, request: Any) -> bytes:
        self.caller(request)
        return json_response(request, {"model": {
            "name": "flat", "description": "Limit enforcement and validation does not "
            "take project hierarchy into consideration."}})

    @app.route("/limits", methods=["POST"])
    def create_limits(self, request: Any) -> bytes:
        self.admin(request, "create_limits")
        made = []
        for item in self._items(request, "limits"):
            unknown_fields(item, ("service_id", "region_id", "resource_name",
                                  "resource_limit", "description", "project_id",
                                  "domain_id"), "limit")
            service_id, region_id, resource = self._limit_target(request, item, "limit")
            project_id = text(item, "project_id", "limit")
            domain_id = text(item, "domain_id", "limit")
            if (project_id is None) == (domain_id is None):
                raise RequestError(400, "A limit names exactly one of project_id and "
                                   "domain_id.")
            if project_id is not None:
                self.project(project_id)
            else:
                self.domain(domain_id)
            made.append(Limit(
                self.store.ids.hex(32), service_id, resource,
                whole_number(item, "resource_limit", "limit", required=True),
                project_id, domain_id, region_id,
                text(item, "description", "limit", limit=MAX_DESCRIPTION,
                     empty=True)))
        try:
            for limit in made:
                self.store.limits.add(limit)
        except LimitConflict as conflict:
            for limit in made:
                if self.store.limits.limits.get(limit.id) is limit:
                    del self.store.limits.limits[limit.id]
            raise RequestError(409 if "Duplicate" in str(conflict) else 400,
                               str(conflict)) from None
        return listing(request, "limits", made, self._limit_json, code=201)

    @app.route("/limits/<limit_id>", methods=["GET"])
    def show_limit(self, request: Any, limit_id: str) -> bytes:
        self.caller(request)
        limit = self.known("limit", self.store.limits.limits.get(limit_id), limit_id)
        return single(request, "limit", limit, self._limit_json)

    @app.route("/limits/<limit_id>", methods=["PATCH"])
    def update_limit(self, request: Any, limit_id: str) -> bytes:
        self.admin(request, "update_limit")
        limit = self.known("limit", self.store.limits.limits.get(limit_id), limit_id)
        body = entity(request, "limit", update=True)
        unknown_fields(body, ("resource_limit", "description"), "limit")
        value = whole_number(body, "resource_limit", "limit")
        if value is not None:
            limit.resource_limit = value
        description = text(body, "description", "limit", limit=MAX_DESCRIPTION,
                           empty=True)
        if description is not None:
            limit.description = description
        return single(request, "limit", limit, self._limit_json)

    @app.route("/limits/<limit_id>", methods=["DELETE"])
    def delete_limit(self, request: Any, limit_id: str) -> bytes:
        self.admin(request, "delete_limit")
        limit = self.known("limit", self.store.limits.limits.get(limit_id), limit_id)
        del self.store.limits.limits[limit.id]
        return empty_response(request)


install_error_handlers(IdentityV3CatalogApi.app, keystone_error_body)
