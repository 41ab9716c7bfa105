"""
Security groups and their rules over HTTP: their JSON, bodies and routes.
"""

from __future__ import annotations

from typing import Any, Optional

from mimic.bounds import decimal
from mimic.model.neutron import NetworkState, SecurityGroup, SecurityGroupRule
from mimic.rest.http import empty_response
from mimic.rest.neutron.wire import (
    tag_created,
    app,
    bad_request,
    boolean_field,
    read_resource,
    render_list,
    render_one,
    stamps,
    string_field,
)


def rule_json(rule: SecurityGroupRule) -> dict:
    return {
        "id": rule.id, "tenant_id": rule.tenant_id, "project_id": rule.tenant_id,
        "security_group_id": rule.security_group_id, "direction": rule.direction,
        "ethertype": rule.ethertype, "protocol": rule.protocol,
        "port_range_min": rule.port_range_min, "port_range_max": rule.port_range_max,
        "remote_ip_prefix": rule.remote_ip_prefix, "remote_group_id": rule.remote_group_id,
        "remote_address_group_id": None, "normalized_cidr": rule.remote_ip_prefix,
        "belongs_to_default_sg": rule.belongs_to_default_sg,
        "description": rule.description, **stamps(rule),
    }


def group_json(state: Any, group: SecurityGroup) -> dict:
    return {
        "id": group.id, "name": group.name, "tenant_id": group.tenant_id,
        "project_id": group.tenant_id, "description": group.description,
        "security_group_rules": [rule_json(state.rules[r]) for r in group.rule_ids],
        "stateful": group.stateful, "shared": False, "tags": list(group.tags), **stamps(group),
    }


#: What lists of groups and rules may filter and sort on.
GROUP_ATTRIBUTES = frozenset(group_json(None, SecurityGroup("", "")))
RULE_ATTRIBUTES = frozenset(rule_json(SecurityGroupRule("", "")))


def _port_number(resource: dict, key: str) -> Optional[int]:
    value = resource.get(key)
    if value is None:
        return None
    if isinstance(value, str) and decimal(value) is not None:
        value = decimal(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise bad_request(f"Invalid input for {key}. Reason: '{str(value)[:100]}' is not an "
                          f"integer.")
    return value


class SecurityGroupRoutes:
    """Routes of ``/v2.0/security-groups`` and ``/v2.0/security-group-rules``."""

    @app.route("/v2.0/security-groups", methods=["GET"])
    def list_groups(self, request: Any) -> bytes:
        state, groups = self._listed(request, "security_groups")
        # A group's rules are in its owner's state.
        return render_list(request, "security_groups",
                           (group_json(state.region_networks.states.get(g.tenant_id, state), g)
                            for g in groups), GROUP_ATTRIBUTES)

    @app.route("/v2.0/security-groups/<group_id>", methods=["GET"])
    def show_group(self, request: Any, group_id: str) -> bytes:
        state, group = self._shown(request, "security_groups", group_id,
                                   NetworkState.security_group)
        return render_one(request, "security_group", group_json(state, group))

    @app.route("/v2.0/security-groups", methods=["POST"])
    def create_group(self, request: Any) -> bytes:
        state = self._creating(request, "security_group")
        body = read_resource(request, "security_group", ("name", "description", "stateful", "tags"),
                             state.tenant_id)
        name = string_field(body, "name", "")
        description = string_field(body, "description", "")
        stateful = boolean_field(body, "stateful") is not False
        group = self._run(lambda: state.create_security_group(name, description, stateful))
        tag_created([group], [body])
        return render_one(request, "security_group", group_json(state, group), 201)

    @app.route("/v2.0/security-groups/<group_id>", methods=["PUT"])
    def update_group(self, request: Any, group_id: str) -> bytes:
        state = self._holder(request, "security_groups", group_id)
        body = read_resource(request, "security_group", ("name", "description", "stateful"),
                             state.tenant_id)
        name, description = string_field(body, "name"), string_field(body, "description")
        stateful = boolean_field(body, "stateful")
        group = self._run(lambda: state.update_security_group(group_id, name, description,
                                                              stateful))
        return render_one(request, "security_group", group_json(state, group))

    @app.route("/v2.0/security-groups/<group_id>", methods=["DELETE"])
    def delete_group(self, request: Any, group_id: str) -> bytes:
        state = self._holder(request, "security_groups", group_id)
        self._run(lambda: state.delete_security_group(group_id))
        return empty_response(request)

    @app.route("/v2.0/security-group-rules", methods=["GET"])
    def list_rules(self, request: Any) -> bytes:
        state = self._state(request)
        return render_list(request, "security_group_rules", map(rule_json, state.rules.values()),
                           RULE_ATTRIBUTES)

    @app.route("/v2.0/security-group-rules/<rule_id>", methods=["GET"])
    def show_rule(self, request: Any, rule_id: str) -> bytes:
        _, rule = self._shown(request, "rules", rule_id, NetworkState.rule)
        return render_one(request, "security_group_rule", rule_json(rule))

    @app.route("/v2.0/security-group-rules", methods=["POST"])
    def create_rule(self, request: Any) -> bytes:
        state = self._creating(request, "security_group_rule")
        body = read_resource(request, "security_group_rule", (
            "security_group_id", "direction", "ethertype", "protocol", "port_range_min",
            "port_range_max", "remote_ip_prefix", "remote_group_id", "description",
        ), state.tenant_id)
        group_id = string_field(body, "security_group_id")
        if group_id is None:
            raise bad_request("Failed to parse request. Required attribute "
                              "'security_group_id' not specified")
        if "direction" not in body:
            raise bad_request("Failed to parse request. Required attribute 'direction' not "
                              "specified")
        kwargs = dict(
            direction=body["direction"], ethertype=body.get("ethertype") or "IPv4",
            protocol=body.get("protocol"),
            port_range_min=_port_number(body, "port_range_min"),
            port_range_max=_port_number(body, "port_range_max"),
            remote_ip_prefix=string_field(body, "remote_ip_prefix"),
            remote_group_id=string_field(body, "remote_group_id"),
            description=string_field(body, "description", ""),
        )
        rule = self._run(lambda: state.create_security_group_rule(group_id, **kwargs))
        return render_one(request, "security_group_rule", rule_json(rule), 201)

    @app.route("/v2.0/security-group-rules/<rule_id>", methods=["DELETE"])
    def delete_rule(self, request: Any, rule_id: str) -> bytes:
        state = self._state(request)
        self._run(lambda: state.delete_security_group_rule(rule_id))
        return empty_response(request)
