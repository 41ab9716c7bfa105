"""
``os-server-groups``: create, list, show, delete, read and shown as Nova's
nova/api/openstack/compute/server_groups.py and its schemas do at each
microversion: ``policies`` (one of them) before 2.64, ``policy`` and
``rules`` from it; the ``soft-`` policies from 2.15; ``project_id`` and
``user_id`` from 2.13. Create answers 200, as in Nova. Servers join a group
through the ``group`` scheduler hint on create (see
:mod:`mimic.model.nova_server_groups`).
"""

from __future__ import annotations

import json
from typing import Any

from mimic.bounds import decimal
from mimic.model.nova_server_groups import POLICIES, SOFT_POLICIES, ServerGroup
from mimic.rest.http import RequestError, empty_response, json_response, read_json
from mimic.rest.nova_json import invalid_input, query_argument, read_limit, string_field
from mimic.rest.nova_routes import NovaRoutes, tenant_route

app = NovaRoutes.app


class ServerGroupRoutes(NovaRoutes):
    """``os-server-groups`` and ``os-server-groups/<id>``."""

    @tenant_route(app, "/os-server-groups", methods=["POST"])
    def create_server_group(self, request: Any, tenant_id: str) -> bytes:
        compute, _ = self._begin(request, tenant_id)
        body = read_json(request).get("server_group")
        if not isinstance(body, dict):
            raise invalid_input("server_group", body, "'server_group' is a required property")
        policy, rules = self._read_policy(body)
        name = string_field(body, "name", required=True, minimum=1, maximum=255)
        group = compute.server_groups.create(ServerGroup(
            id=compute.ids.uuid(), name=name, policy=policy, project_id=tenant_id,
            user_id=self._user_id(request, tenant_id), rules=rules))
        return json_response(request, {"server_group": self._group(group)})

    def _read_policy(self, body: dict) -> tuple:
        """The one policy (and from 2.64 its rules) a create names."""
        known = POLICIES + (SOFT_POLICIES if self.version >= "2.15" else ())
        if self.version >= "2.64":
            allowed = {"name", "policy", "rules"}
            policy = body.get("policy")
        else:
            allowed = {"name", "policies"}
            policies = body.get("policies")
            if not isinstance(policies, list) or len(policies) != 1:
                raise invalid_input("policies", policies,
                                    f"{json.dumps(policies)} is not a list of one policy")
            policy = policies[0]
        extra = sorted(set(body) - allowed)
        if extra:
            raise RequestError(400, "Invalid input for field/attribute server_group. "
                                    "Value: %s. Additional properties are not allowed "
                                    "(%s were unexpected)" % (
                                        json.dumps(body), ", ".join(repr(k) for k in extra)))
        if policy not in known:
            raise invalid_input("policy", policy,
                                f"{json.dumps(policy)} is not one of {list(known)}")
        rules = body.get("rules", {})
        if not isinstance(rules, dict) or set(rules) - {"max_server_per_host"}:
            raise invalid_input("rules", rules, "only 'max_server_per_host' is allowed")
        if rules:
            if not policy.endswith("anti-affinity") or policy.startswith("soft"):
                raise RequestError(400, "Only anti-affinity policy supports "
                                        "'max_server_per_host' rule")
            limit = rules["max_server_per_host"]
            if isinstance(limit, str) and decimal(limit) is not None:
                limit = decimal(limit)
            if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
                raise invalid_input("max_server_per_host", limit,
                                    f"{json.dumps(limit)} is not a positive integer")
            rules = {"max_server_per_host": limit}
        return policy, rules

    @tenant_route(app, "/os-server-groups", methods=["GET"])
    def list_server_groups(self, request: Any, tenant_id: str) -> bytes:
        compute, _ = self._begin(request, tenant_id)
        offset = query_argument(request, "offset") or "0"
        start = decimal(offset)
        if start is None:
            raise RequestError(400, "offset param must be an integer")
        groups = compute.server_groups.groups()[start:start + read_limit(request)]
        return json_response(request, {"server_groups": [self._group(g) for g in groups]})

    @tenant_route(app, "/os-server-groups/<group_id>", methods=["GET"])
    def show_server_group(self, request: Any, tenant_id: str, group_id: str) -> bytes:
        compute, _ = self._begin(request, tenant_id)
        return json_response(request, {
            "server_group": self._group(compute.server_groups.get(group_id))})

    @tenant_route(app, "/os-server-groups/<group_id>", methods=["DELETE"])
    def delete_server_group(self, request: Any, tenant_id: str, group_id: str) -> bytes:
        compute, _ = self._begin(request, tenant_id)
        compute.delete_server_group(group_id)
        return empty_response(request, 204)

    def _group(self, group: ServerGroup) -> dict:
        shown: dict = {"id": group.id, "name": group.name}
        if self.version >= "2.64":
            shown.update(policy=group.policy, rules=dict(group.rules))
        else:
            shown.update(policies=[group.policy], metadata={})
        shown["members"] = list(group.members)
        if self.version >= "2.13":
            shown.update(project_id=group.project_id, user_id=group.user_id)
        return shown
