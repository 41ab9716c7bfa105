"""
Nova's flavor routes: listing and showing them (private flavors only to
admins and the projects given access), and the operator's part: create,
describe (2.55), delete, extra specs (``os-extra_specs``) and flavor
access (``os-flavor-access``, ``addTenantAccess``/``removeTenantAccess``).
Who may do what is Nova's default policy (nova/policies/flavor_manage.py,
flavor_extra_specs.py, flavor_access.py: managing is ``ADMIN``, reading
extra specs ``PROJECT_READER_OR_ADMIN``); the request shapes are
nova/api/openstack/compute/schemas/flavors.py, flavors_extraspecs.py and
flavor_access.py.
"""

from __future__ import annotations

import json
import re
from typing import Any, Optional

from mimic.bounds import decimal
from mimic.model.flavors import Flavor
from mimic.model.nova_flavor_catalog import MAX_INT
from mimic.rest.http import RequestError, empty_response, json_response, read_json
from mimic.rest.nova_json import (
    invalid_input,
    name_field,
    paged,
    query_argument,
    read_boolean,
    read_limit,
    refuse_unexpected,
    string_field,
)
from mimic.rest.nova_routes import NovaRoutes, tenant_route
from mimic.rest.nova_views import flavor_detail

app = NovaRoutes.app

FLAVOR_KEYS = frozenset({"name", "id", "ram", "vcpus", "disk", "OS-FLV-EXT-DATA:ephemeral",
                         "swap", "rxtx_factor", "os-flavor-access:is_public"})
_FLAVOR_ID = re.compile(r"^(?! )[a-zA-Z0-9. _-]+(?<! )$")
_SPEC_KEY = re.compile(r"^[\w.: -]{1,255}$")
_TRUE = ("true", "t", "yes", "y", "1", "on")
_FALSE = ("false", "f", "no", "n", "0", "off")


class FlavorRoutes(NovaRoutes):
    """``flavors``, ``flavors/detail``, ``flavors/<id>`` and what hangs off one."""

    def _flavor_for(self, request: Any, tenant_id: str, flavor_id: str) -> tuple:
        """The flavor as this caller may see it (404 for another's private one)."""
        compute, links = self._begin(request, tenant_id)
        flavor = compute.cloud.flavors.find(flavor_id)
        if flavor is None or not compute.cloud.flavors.visible_to(
                flavor, tenant_id, self._is_admin(request, tenant_id)):
            raise RequestError(404, f"Flavor {flavor_id} could not be found.")
        return compute, links, flavor

    @tenant_route(app, "/flavors", methods=["GET"])
    def list_flavors(self, request: Any, tenant_id: str) -> bytes:
        compute, links = self._begin(request, tenant_id)
        page = self._flavor_page(request, compute, tenant_id)
        return json_response(request, {"flavors": [
            {"id": f.id, "name": f.name, "links": links("flavors", f.id),
             **({"description": f.description} if self.version >= "2.55" else {})}
            for f in page
        ]})

    @tenant_route(app, "/flavors/detail", methods=["GET"])
    def list_flavor_details(self, request: Any, tenant_id: str) -> bytes:
        compute, links = self._begin(request, tenant_id)
        return json_response(request, {"flavors": [
            flavor_detail(f, links, self.version)
            for f in self._flavor_page(request, compute, tenant_id)
        ]})

    def _flavor_page(self, request: Any, compute: Any, tenant_id: str) -> list:
        admin = self._is_admin(request, tenant_id)
        # Only an admin's is_public is read (nova flavors.py _get_flavors).
        raw = query_argument(request, "is_public") if admin else None
        is_public: Optional[bool] = True
        if raw is not None:
            word = raw.lower()
            if word in ("none", "all"):
                is_public = None
            elif word in _TRUE or word in _FALSE:
                is_public = word in _TRUE
            else:
                raise RequestError(400, f"Invalid is_public filter [{raw[:100]}]")
        minimums = {}
        for name in ("minRam", "minDisk"):
            value = query_argument(request, name)
            if value is not None:
                if decimal(value) is None:
                    raise RequestError(400, f"Invalid {name} filter [{value[:100]}]")
                minimums[name] = decimal(value)
        flavors = [
            f for f in compute.cloud.flavors.listed_for(tenant_id, admin, is_public)
            if f.ram >= minimums.get("minRam", 0) and f.disk >= minimums.get("minDisk", 0)
        ]
        return paged(flavors, read_limit(request), query_argument(request, "marker"))

    @tenant_route(app, "/flavors/<flavor_id>", methods=["GET"])
    def show_flavor(self, request: Any, tenant_id: str, flavor_id: str) -> bytes:
        _, links, flavor = self._flavor_for(request, tenant_id, flavor_id)
        return json_response(request, {"flavor": flavor_detail(flavor, links, self.version)})

    # the operator's part

    @tenant_route(app, "/flavors", methods=["POST"])
    def create_flavor(self, request: Any, tenant_id: str) -> bytes:
        compute, links = self._begin(request, tenant_id)
        self._authorize(request, tenant_id, "os_compute_api:os-flavor-manage:create")
        flavor = compute.cloud.flavors.create(read_flavor(read_json(request), self.version))
        return json_response(request, {"flavor": flavor_detail(flavor, links, self.version)})

    @tenant_route(app, "/flavors/<flavor_id>", methods=["PUT"])
    def update_flavor(self, request: Any, tenant_id: str, flavor_id: str) -> bytes:
        """Only the description changes, from 2.55 (before, Nova has no such route)."""
        compute, links = self._begin(request, tenant_id)
        if self.version < "2.55":
            raise RequestError(404, "The resource could not be found.")
        self._authorize(request, tenant_id, "os_compute_api:os-flavor-manage:update")
        body = read_json(request)
        flavor = body.get("flavor")
        if not isinstance(flavor, dict) or "description" not in flavor:
            raise invalid_input("flavor", flavor, "'description' is a required property")
        refuse_unexpected(flavor, frozenset({"description"}), field="flavor")
        described = compute.cloud.flavors.describe(flavor_id, _description(flavor))
        return json_response(request, {"flavor": flavor_detail(described, links, self.version)})

    @tenant_route(app, "/flavors/<flavor_id>", methods=["DELETE"])
    def delete_flavor(self, request: Any, tenant_id: str, flavor_id: str) -> bytes:
        compute, _ = self._begin(request, tenant_id)
        self._authorize(request, tenant_id, "os_compute_api:os-flavor-manage:delete")
        compute.cloud.flavors.delete(flavor_id)
        return empty_response(request, 202)

    # extra specs

    @tenant_route(app, "/flavors/<flavor_id>/os-extra_specs", methods=["GET"])
    def flavor_extra_specs(self, request: Any, tenant_id: str, flavor_id: str) -> bytes:
        _, _, flavor = self._flavor_for(request, tenant_id, flavor_id)
        return json_response(request, {"extra_specs": dict(flavor.extra_specs)})

    @tenant_route(app, "/flavors/<flavor_id>/os-extra_specs", methods=["POST"])
    def create_extra_specs(self, request: Any, tenant_id: str, flavor_id: str) -> bytes:
        compute, _ = self._begin(request, tenant_id)
        self._authorize(request, tenant_id, "os_compute_api:os-flavor-extra-specs:create")
        body = read_json(request)
        if "extra_specs" not in body:
            raise invalid_input("extra_specs", None, "'extra_specs' is a required property")
        specs = read_extra_specs(body["extra_specs"], "extra_specs")
        compute.cloud.flavors.set_extra_specs(flavor_id, specs)
        return json_response(request, {"extra_specs": specs})

    @tenant_route(app, "/flavors/<flavor_id>/os-extra_specs/<key>", methods=["GET"])
    def show_extra_spec(self, request: Any, tenant_id: str, flavor_id: str,
                        key: str) -> bytes:
        compute, _, flavor = self._flavor_for(request, tenant_id, flavor_id)
        return json_response(request, {key: compute.cloud.flavors.extra_spec(flavor.id, key)})

    @tenant_route(app, "/flavors/<flavor_id>/os-extra_specs/<key>", methods=["PUT"])
    def update_extra_spec(self, request: Any, tenant_id: str, flavor_id: str,
                          key: str) -> bytes:
        compute, _ = self._begin(request, tenant_id)
        self._authorize(request, tenant_id, "os_compute_api:os-flavor-extra-specs:update")
        specs = read_extra_specs(read_json(request), "extra_specs")
        if key not in specs:
            raise RequestError(400, "Request body and URI mismatch")
        if len(specs) > 1:
            raise RequestError(400, "Request body contains too many items")
        compute.cloud.flavors.set_extra_specs(flavor_id, specs)
        return json_response(request, specs)

    @tenant_route(app, "/flavors/<flavor_id>/os-extra_specs/<key>", methods=["DELETE"])
    def delete_extra_spec(self, request: Any, tenant_id: str, flavor_id: str,
                          key: str) -> bytes:
        compute, _ = self._begin(request, tenant_id)
        self._authorize(request, tenant_id, "os_compute_api:os-flavor-extra-specs:delete")
        compute.cloud.flavors.delete_extra_spec(flavor_id, key)
        return empty_response(request, 200)

    # access to private flavors

    @tenant_route(app, "/flavors/<flavor_id>/os-flavor-access", methods=["GET"])
    def flavor_access(self, request: Any, tenant_id: str, flavor_id: str) -> bytes:
        compute, _ = self._begin(request, tenant_id)
        self._authorize(request, tenant_id, "os_compute_api:os-flavor-access")
        return json_response(request, _access_list(
            flavor_id, compute.cloud.flavors.access(flavor_id)))

    @tenant_route(app, "/flavors/<flavor_id>/action", methods=["POST"])
    def flavor_action(self, request: Any, tenant_id: str, flavor_id: str) -> bytes:
        compute, _ = self._begin(request, tenant_id)
        body = read_json(request)
        if len(body) != 1 or next(iter(body)) not in ("addTenantAccess", "removeTenantAccess"):
            raise RequestError(400, "There is no such action: "
                               f"{', '.join(sorted(body))[:100] or 'None'}")
        action, parameters = next(iter(body.items()))
        adding = action == "addTenantAccess"
        self._authorize(request, tenant_id, "os_compute_api:os-flavor-access:"
                        + ("add_tenant_access" if adding else "remove_tenant_access"))
        if not isinstance(parameters, dict):
            raise invalid_input(action, parameters,
                                f"{json.dumps(parameters)[:100]} is not of type 'object'")
        refuse_unexpected(parameters, frozenset({"tenant"}), field=action)
        project = string_field(parameters, "tenant", required=True, minimum=1)
        flavors = compute.cloud.flavors
        projects = (flavors.add_access(flavor_id, project, self.version >= "2.7") if adding
                    else flavors.remove_access(flavor_id, project))
        return json_response(request, _access_list(flavor_id, projects))


def _access_list(flavor_id: str, projects: list) -> dict:
    return {"flavor_access": [{"flavor_id": flavor_id, "tenant_id": p} for p in projects]}


def read_flavor(body: dict, version: Any) -> Flavor:
    """A ``POST /flavors`` body, as Nova's ``create`` schemas read it."""
    flavor = body.get("flavor")
    if not isinstance(flavor, dict):
        raise invalid_input("flavor", flavor, "'flavor' is a required property")
    allowed = FLAVOR_KEYS | ({"description"} if version >= "2.55" else set())
    refuse_unexpected(flavor, frozenset(allowed), field="flavor")
    name = name_field(flavor, required=True)
    flavor_id = flavor.get("id")
    if isinstance(flavor_id, (int, float)) and not isinstance(flavor_id, bool):
        flavor_id = str(flavor_id)
    if flavor_id is not None and (not isinstance(flavor_id, str)
                                  or not 1 <= len(flavor_id) <= 255
                                  or not _FLAVOR_ID.match(flavor_id)):
        raise invalid_input("id", flavor_id, f"{json.dumps(flavor_id)[:100]} does not "
                            f"match '^(?! )[a-zA-Z0-9. _-]+(?<! )$'")
    sizes = {}
    for key, minimum, required in (("ram", 1, True), ("vcpus", 1, True), ("disk", 0, True),
                                   ("OS-FLV-EXT-DATA:ephemeral", 0, False),
                                   ("swap", 0, False)):
        sizes[key] = _size(flavor, key, minimum, required)
    return Flavor(
        id=flavor_id or "", name=name, ram=sizes["ram"], vcpus=sizes["vcpus"],
        disk=sizes["disk"], ephemeral=sizes["OS-FLV-EXT-DATA:ephemeral"],
        swap=sizes["swap"], rxtx_factor=_rxtx_factor(flavor),
        is_public=read_boolean({"is_public": flavor.get("os-flavor-access:is_public", True)},
                               "is_public"),
        description=_description(flavor) if version >= "2.55" else None,
    )


def _size(flavor: dict, key: str, minimum: int, required: bool) -> int:
    """Nova's ``flavor_param_positive``/``_non_negative``: an integer or its digits."""
    if key not in flavor:
        if required:
            raise invalid_input(key, None, f"'{key}' is a required property")
        return 0
    value = flavor[key]
    if key == "swap" and value == "":
        return 0
    number = value
    if isinstance(value, str) and decimal(value) is not None:
        number = decimal(value)
    if isinstance(number, bool) or not isinstance(number, int):
        raise invalid_input(key, str(value)[:100], f"{json.dumps(value)[:100]} is not of "
                            f"type 'integer', 'string'")
    if not minimum <= number <= MAX_INT:
        bound = (f"less than the minimum of {minimum}" if number < minimum
                 else f"greater than the maximum of {MAX_INT}")
        raise invalid_input(key, number, f"{number} is {bound}")
    return number


def _rxtx_factor(flavor: dict) -> float:
    value = flavor.get("rxtx_factor", 1.0)
    if isinstance(value, str) and re.fullmatch(r"[0-9]{1,40}(\.[0-9]{1,40})?", value):
        value = float(value)
    if isinstance(value, bool) or not isinstance(value, (int, float)) \
            or not 0 < value <= 3.40282e38:
        raise invalid_input("rxtx_factor", str(value)[:100],
                            f"{json.dumps(value)[:100]} is not a positive number "
                            f"at most 3.40282e+38")
    return float(value)


def _description(body: dict) -> Optional[str]:
    if body.get("description") is None:
        return None
    return string_field(body, "description", maximum=65535)


def read_extra_specs(value: Any, field: str) -> dict:
    """Extra specs: keys of Nova's pattern, values strings (numbers and booleans as text)."""
    if not isinstance(value, dict):
        raise invalid_input(field, value, f"{json.dumps(value)[:100]} is not of type 'object'")
    specs = {}
    for key, item in value.items():
        if not _SPEC_KEY.match(key):
            raise invalid_input(field, key[:100], f"Additional properties are not allowed "
                                f"('{key[:100]}' was unexpected)")
        if isinstance(item, bool):
            item = str(item)
        elif isinstance(item, (int, float)):
            item = str(item)
        if not isinstance(item, str) or len(item) > 255:
            raise invalid_input(key, str(item)[:100], "is not a string of at most 255 "
                                "characters")
        specs[key] = item
    return specs
