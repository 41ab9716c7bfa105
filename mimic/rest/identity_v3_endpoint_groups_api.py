"""
The catalog's operator extensions in Keystone v3: endpoint groups and their
projects (``/identity/v3/OS-EP-FILTER/...``, Keystone's api-ref
``v3-ext/ep-filter``), and policy blobs (``/identity/v3/policies``).

An endpoint group selects, among every endpoint ``GET /v3/endpoints``
lists (Mimic's own and an operator's), those whose ``interface``,
``service_id`` and ``region_id`` equal its filters. As in devstack
(Keystone's ``sql`` catalog driver, not ``endpoint_filter``), associating
one with a project does not change that project's token catalog.
"""

from __future__ import annotations

from typing import Any

from klein import Klein

from mimic.model.identity.services import (
    ENDPOINT_GROUP_FILTERS,
    INTERFACES,
    EndpointGroup,
    Policy,
)
from mimic.rest.http import RequestError, empty_response, install_error_handlers
from mimic.rest.identity_common import keystone_error_body
from mimic.rest.identity_v3_catalog_api import IdentityV3CatalogApi
from mimic.rest.identity_v3_common import (
    MAX_DESCRIPTION,
    MAX_NAME,
    entity,
    extras,
    filtered,
    listing,
    project_json,
    set_given,
    single,
    text,
    unknown_fields,
    v3_url,
    with_extra,
)

#: Keystone's policy blobs are a TEXT column; Mimic bounds them at 64 KiB.
MAX_BLOB = 65536
GROUPS = "OS-EP-FILTER/endpoint_groups"


class IdentityV3EndpointGroupsApi(IdentityV3CatalogApi):
    """Endpoint groups and policies; endpoints are read as the catalog routes list them."""

    app = Klein()

    # endpoint groups

    def _group_json(self, request: Any, group: EndpointGroup) -> dict:
        return {"id": group.id, "name": group.name, "description": group.description,
                "filters": dict(group.filters),
                "links": {"self": v3_url(request, f"{GROUPS}/{group.id}")}}

    def _group(self, group_id: str) -> EndpointGroup:
        return self.known("endpoint group",
                          self.store.services.endpoint_groups.get(group_id), group_id)

    def _filters(self, body: dict, required: bool) -> Any:
        filters = body.get("filters")
        if filters is None and not required:
            return None
        # Keystone: at create "filters field is required and cannot be
        # empty"; an update may empty them. Only service_id, region_id and
        # interface may be named.
        if not isinstance(filters, dict) or (required and not filters) or not (
                set(filters) <= set(ENDPOINT_GROUP_FILTERS)) or not all(
                isinstance(v, str) and 0 < len(v) <= MAX_NAME for v in filters.values()):
            raise RequestError(400, "Invalid input for field 'endpoint_group.filters': an "
                               "object (non-empty at create) naming only "
                               f"{', '.join(ENDPOINT_GROUP_FILTERS)} is required.")
        if filters.get("interface", "public") not in INTERFACES:
            raise RequestError(400, "Invalid input for field 'endpoint_group.filters."
                               f"interface': one of {', '.join(INTERFACES)}.")
        return dict(filters)

    def _group_fields(self, body: dict, group: EndpointGroup, required: bool) -> None:
        unknown_fields(body, ("name", "description", "filters"), "endpoint_group")
        name = text(body, "name", "endpoint_group", required=required)
        description = text(body, "description", "endpoint_group", limit=MAX_DESCRIPTION,
                           empty=True)
        filters = self._filters(body, required)
        set_given(group, name=name, filters=filters)
        if "description" in body:
            group.description = description

    @app.route(f"/{GROUPS}", methods=["GET"])
    def endpoint_groups(self, request: Any) -> bytes:
        self.admin(request, "list_endpoint_groups")
        groups = filtered(request, list(self.store.services.endpoint_groups.values()),
                          {"name": lambda g: g.name})
        return listing(request, "endpoint_groups", groups, self._group_json)

    @app.route(f"/{GROUPS}", methods=["POST"])
    def create_endpoint_group(self, request: Any) -> bytes:
        self.admin(request, "create_endpoint_group")
        group = EndpointGroup(self.store.ids.hex(32), "", {})
        self._group_fields(entity(request, "endpoint_group"), group, required=True)
        self.store.services.endpoint_groups[group.id] = group
        return single(request, "endpoint_group", group, self._group_json, code=201)

    @app.route(f"/{GROUPS}/<group_id>", methods=["GET"])
    def show_endpoint_group(self, request: Any, group_id: str) -> bytes:
        self.admin(request, "get_endpoint_group")
        return single(request, "endpoint_group", self._group(group_id), self._group_json)

    @app.route(f"/{GROUPS}/<group_id>", methods=["PATCH"])
    def update_endpoint_group(self, request: Any, group_id: str) -> bytes:
        self.admin(request, "update_endpoint_group")
        group = self._group(group_id)
        body = entity(request, "endpoint_group", update=True)
        # Validated on a copy: a refused update changes nothing.
        changed = EndpointGroup(group.id, group.name, group.filters, group.description)
        self._group_fields(body, changed, required=False)
        group.name, group.filters = changed.name, changed.filters
        group.description = changed.description
        return single(request, "endpoint_group", group, self._group_json)

    @app.route(f"/{GROUPS}/<group_id>", methods=["DELETE"])
    def delete_endpoint_group(self, request: Any, group_id: str) -> bytes:
        self.admin(request, "delete_endpoint_group")
        self.store.services.delete_endpoint_group(self._group(group_id).id)
        return empty_response(request)

    @app.route(f"/{GROUPS}/<group_id>/endpoints", methods=["GET"])
    def endpoints_in_group(self, request: Any, group_id: str) -> bytes:
        self.admin(request, "list_endpoints_associated_with_endpoint_group")
        group = self._group(group_id)
        found = [e for e in self._all_endpoints(request) if group.selects(_attributes(e))]
        return listing(request, "endpoints", found, self._endpoint_json)

    @app.route(f"/{GROUPS}/<group_id>/projects", methods=["GET"])
    def projects_of_group(self, request: Any, group_id: str) -> bytes:
        self.admin(request, "list_projects_associated_with_endpoint_group")
        group = self._group(group_id)
        tenants = [self.store.known_tenant(p)
                   for p in self.store.services.projects_of_group(group.id)]
        return listing(request, "projects", [t for t in tenants if t is not None],
                       project_json)

    def _association(self, group_id: str, project_id: str) -> tuple:
        return (self._group(group_id).id, self.project(project_id).id)

    @app.route(f"/{GROUPS}/<group_id>/projects/<project_id>", methods=["PUT"])
    def add_project_to_group(self, request: Any, group_id: str, project_id: str) -> bytes:
        self.admin(request, "add_endpoint_group_to_project")
        self.store.services.group_projects[self._association(group_id, project_id)] = None
        return empty_response(request)

    @app.route(f"/{GROUPS}/<group_id>/projects/<project_id>", methods=["GET", "HEAD"])
    def check_project_in_group(self, request: Any, group_id: str, project_id: str) -> bytes:
        self.admin(request, "get_endpoint_group_in_project")
        pair = self._association(group_id, project_id)
        if pair not in self.store.services.group_projects:
            raise RequestError(404, f"Could not find project {project_id} in endpoint "
                               f"group {group_id}.")
        return single(request, "project", self.project(project_id), project_json)

    @app.route(f"/{GROUPS}/<group_id>/projects/<project_id>", methods=["DELETE"])
    def remove_project_from_group(self, request: Any, group_id: str,
                                  project_id: str) -> bytes:
        self.admin(request, "remove_endpoint_group_from_project")
        pair = self._association(group_id, project_id)
        if self.store.services.group_projects.pop(pair, False) is False:
            raise RequestError(404, f"Could not find project {project_id} in endpoint "
                               f"group {group_id}.")
        return empty_response(request)

    # endpoints associated with projects one by one

    def _endpoint_in_project(self, request: Any, project_id: str, endpoint_id: str) -> tuple:
        endpoint = self._find_endpoint(request, endpoint_id)
        return (_endpoint_id(endpoint), self.project(project_id).id)

    @app.route("/OS-EP-FILTER/projects/<project_id>/endpoints/<endpoint_id>",
               methods=["PUT"])
    def add_endpoint_to_project(self, request: Any, project_id: str,
                                endpoint_id: str) -> bytes:
        self.admin(request, "add_endpoint_to_project")
        pair = self._endpoint_in_project(request, project_id, endpoint_id)
        self.store.services.endpoint_projects[pair] = None
        return empty_response(request)

    def _associated(self, request: Any, project_id: str, endpoint_id: str) -> tuple:
        pair = self._endpoint_in_project(request, project_id, endpoint_id)
        if pair not in self.store.services.endpoint_projects:
            raise RequestError(404, f"Endpoint {endpoint_id} not found in project "
                               f"{project_id}.")
        return pair

    @app.route("/OS-EP-FILTER/projects/<project_id>/endpoints/<endpoint_id>",
               methods=["GET", "HEAD"])
    def check_endpoint_in_project(self, request: Any, project_id: str,
                                  endpoint_id: str) -> bytes:
        self.admin(request, "check_endpoint_in_project")
        self._associated(request, project_id, endpoint_id)
        return empty_response(request)

    @app.route("/OS-EP-FILTER/projects/<project_id>/endpoints/<endpoint_id>",
               methods=["DELETE"])
    def remove_endpoint_from_project(self, request: Any, project_id: str,
                                     endpoint_id: str) -> bytes:
        self.admin(request, "remove_endpoint_from_project")
        del self.store.services.endpoint_projects[
            self._associated(request, project_id, endpoint_id)]
        return empty_response(request)

    @app.route("/OS-EP-FILTER/projects/<project_id>/endpoints", methods=["GET"])
    def endpoints_of_project(self, request: Any, project_id: str) -> bytes:
        """
        Those associated one by one and those of the project's endpoint
        groups (keystone/catalog/core.py ``list_endpoints_for_project``).
        """
        self.admin(request, "list_endpoints_for_project")
        tenant = self.project(project_id)
        direct = set(self.store.services.endpoints_of_project(tenant.id))
        groups = self.store.services.groups_of_project(tenant.id)
        found = [e for e in self._all_endpoints(request)
                 if _endpoint_id(e) in direct
                 or any(g.selects(_attributes(e)) for g in groups)]
        return listing(request, "endpoints", found, self._endpoint_json)

    @app.route("/OS-EP-FILTER/endpoints/<endpoint_id>/projects", methods=["GET"])
    def projects_of_endpoint(self, request: Any, endpoint_id: str) -> bytes:
        self.admin(request, "list_projects_for_endpoint")
        endpoint_id = _endpoint_id(self._find_endpoint(request, endpoint_id))
        tenants = [self.store.known_tenant(p)
                   for p in self.store.services.projects_of_endpoint(endpoint_id)]
        return listing(request, "projects", [t for t in tenants if t is not None],
                       project_json)

    @app.route("/OS-EP-FILTER/projects/<project_id>/endpoint_groups", methods=["GET"])
    def groups_of_project(self, request: Any, project_id: str) -> bytes:
        self.admin(request, "list_endpoint_groups_for_project")
        groups = self.store.services.groups_of_project(self.project(project_id).id)
        return listing(request, "endpoint_groups", groups, self._group_json)

    # policies

    def _policy_json(self, request: Any, policy: Policy) -> dict:
        return with_extra({"id": policy.id, "blob": policy.blob, "type": policy.type,
                           "links": {"self": v3_url(request, f"policies/{policy.id}")}},
                          policy.extra)

    def _policy(self, policy_id: str) -> Policy:
        return self.known("policy", self.store.services.policies.get(policy_id), policy_id)

    @app.route("/policies", methods=["GET"])
    def policies(self, request: Any) -> bytes:
        self.admin(request, "list_policies")
        found = filtered(request, list(self.store.services.policies.values()),
                         {"type": lambda p: p.type})
        return listing(request, "policies", found, self._policy_json)

    @app.route("/policies", methods=["POST"])
    def create_policy(self, request: Any) -> bytes:
        self.admin(request, "create_policy")
        body = entity(request, "policy")
        extra = extras(body, ("blob", "type"), "policy")
        # Keystone's policy schema: blob and type are required strings.
        blob = text(body, "blob", "policy", required=True, limit=MAX_BLOB)
        kind = text(body, "type", "policy", required=True)
        policy = Policy(self.store.ids.hex(32), blob, kind, extra)
        self.store.services.policies[policy.id] = policy
        return single(request, "policy", policy, self._policy_json, code=201)

    @app.route("/policies/<policy_id>", methods=["GET"])
    def show_policy(self, request: Any, policy_id: str) -> bytes:
        self.admin(request, "get_policy")
        return single(request, "policy", self._policy(policy_id), self._policy_json)

    @app.route("/policies/<policy_id>", methods=["PATCH"])
    def update_policy(self, request: Any, policy_id: str) -> bytes:
        self.admin(request, "update_policy")
        policy = self._policy(policy_id)
        body = entity(request, "policy", update=True)
        extra = extras(body, ("blob", "type"), "policy", policy.extra)
        blob = text(body, "blob", "policy", limit=MAX_BLOB)
        kind = text(body, "type", "policy")
        set_given(policy, extra=extra, blob=blob, type=kind)
        return single(request, "policy", policy, self._policy_json)

    @app.route("/policies/<policy_id>", methods=["DELETE"])
    def delete_policy(self, request: Any, policy_id: str) -> bytes:
        self.admin(request, "delete_policy")
        del self.store.services.policies[self._policy(policy_id).id]
        return empty_response(request)


install_error_handlers(IdentityV3EndpointGroupsApi.app, keystone_error_body)


def _endpoint_id(endpoint: Any) -> str:
    return endpoint["id"] if isinstance(endpoint, dict) else endpoint.id


def _attributes(endpoint: Any) -> dict:
    """What an endpoint group's filters read of an endpoint (Mimic's own are dicts)."""
    if isinstance(endpoint, dict):
        return endpoint
    return {name: getattr(endpoint, name) for name in ENDPOINT_GROUP_FILTERS}
