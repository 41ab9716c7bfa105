"""
Service flavors and service profiles over HTTP (the ``flavors``
extension): ``/v2.0/flavors``, ``/v2.0/service_profiles`` and the
associations ``/v2.0/flavors/<id>/service_profiles[/<profile id>]``, with
Neutron's default policies (github:openstack/neutron
neutron/conf/policies/flavor.py): every project reads flavors, only
admins make, change and delete them and touch profiles at all. As
Neutron's API layer does, what a caller may not read is not found (404)
and a list leaves it out; what it may read but not change is a 403.
"""

from __future__ import annotations

from typing import Any

from mimic.model.neutron.flavors import ServiceFlavor, ServiceProfile, service_flavors
from mimic.rest.http import RequestError, empty_response
from mimic.rest.neutron.wire import (
    app,
    bad_request,
    boolean_field,
    policy_forbidden,
    read_resource,
    render_list,
    render_one,
    string_field,
    string_list_field,
)


def flavor_json(flavor: ServiceFlavor) -> dict:
    return {"id": flavor.id, "name": flavor.name, "description": flavor.description,
            "service_type": flavor.service_type, "enabled": flavor.enabled,
            "service_profiles": list(flavor.service_profile_ids)}


def service_profile_json(profile: ServiceProfile) -> dict:
    return {"id": profile.id, "description": profile.description, "driver": profile.driver,
            "enabled": profile.enabled, "metainfo": profile.metainfo}


FLAVOR_ATTRIBUTES = frozenset(flavor_json(ServiceFlavor("", "", "", "")))
SERVICE_PROFILE_ATTRIBUTES = frozenset(service_profile_json(ServiceProfile("", "", "", "")))

#: The longest ``metainfo`` (Neutron's column is 4096 characters).
MAX_METAINFO = 4096


def _hidden() -> RequestError:
    return RequestError(404, "The resource could not be found.", kind="HTTPNotFound")


def _metainfo(body: dict) -> Any:
    value = body.get("metainfo")
    if value is not None and (not isinstance(value, str) or len(value) > MAX_METAINFO):
        raise bad_request(f"Invalid input for metainfo. Reason: it must be a string of at "
                          f"most {MAX_METAINFO} characters.")
    return value


def _description(body: dict) -> Any:
    """``string_or_none``: null is the empty description; absent, None."""
    if "description" not in body:
        return None
    return string_field(body, "description") or ""


class FlavorRoutes:
    """Routes of ``/v2.0/flavors`` and ``/v2.0/service_profiles``."""

    def _flavors(self, request: Any) -> Any:
        self._token(request)
        return service_flavors(self.store, self.region)

    def _admin_flavors(self, request: Any, action: str, hide: bool = False) -> Any:
        """The region's flavors for an admin; others get 403 (404 where ``hide``)."""
        flavors = self._flavors(request)
        if not self._is_admin(request):
            raise _hidden() if hide else policy_forbidden(action)
        return flavors

    # flavors

    @app.route("/v2.0/flavors", methods=["GET"])
    def list_service_flavors(self, request: Any) -> bytes:
        return render_list(request, "flavors", map(flavor_json, self._flavors(
            request).flavors.values()), FLAVOR_ATTRIBUTES)

    @app.route("/v2.0/flavors/<flavor_id>", methods=["GET"])
    def show_service_flavor(self, request: Any, flavor_id: str) -> bytes:
        flavors = self._flavors(request)
        return render_one(request, "flavor", flavor_json(self._run(
            lambda: flavors.flavor(flavor_id))))

    @app.route("/v2.0/flavors", methods=["POST"])
    def create_service_flavor(self, request: Any) -> bytes:
        flavors = self._admin_flavors(request, "create_flavor")
        body = read_resource(request, "flavor", (
            "name", "description", "service_type", "enabled", "service_profiles"),
            self._state(request).tenant_id)
        if "service_type" not in body:
            raise bad_request("Failed to parse request. Required attribute 'service_type' not "
                              "specified")
        name, description = string_field(body, "name", ""), _description(body) or ""
        enabled = boolean_field(body, "enabled") is not False
        # Neutron takes service_profiles on create and update (a list of
        # ids) but its plugin ignores them: associations are made by
        # POST .../service_profiles.
        string_list_field(body, "service_profiles")
        made = self._run(lambda: flavors.create_flavor(body["service_type"], name,
                                                       description, enabled))
        return render_one(request, "flavor", flavor_json(made), 201)

    @app.route("/v2.0/flavors/<flavor_id>", methods=["PUT"])
    def update_service_flavor(self, request: Any, flavor_id: str) -> bytes:
        flavors = self._flavors(request)
        self._run(lambda: flavors.flavor(flavor_id))
        self._admin_flavors(request, "update_flavor")
        body = read_resource(request, "flavor", (
            "name", "description", "enabled", "service_profiles"),
            self._state(request).tenant_id)
        name, description = string_field(body, "name"), _description(body)
        enabled = boolean_field(body, "enabled")
        string_list_field(body, "service_profiles")
        flavor = self._run(lambda: flavors.update_flavor(flavor_id, name, description,
                                                         enabled))
        return render_one(request, "flavor", flavor_json(flavor))

    @app.route("/v2.0/flavors/<flavor_id>", methods=["DELETE"])
    def delete_service_flavor(self, request: Any, flavor_id: str) -> bytes:
        flavors = self._flavors(request)
        self._run(lambda: flavors.flavor(flavor_id))
        self._admin_flavors(request, "delete_flavor")
        self._run(lambda: flavors.delete_flavor(flavor_id))
        return empty_response(request)

    # associations

    @app.route("/v2.0/flavors/<flavor_id>/service_profiles", methods=["POST"])
    def associate_service_profile(self, request: Any, flavor_id: str) -> bytes:
        flavors = self._admin_flavors(request, "create_flavor_service_profile")
        body = read_resource(request, "service_profile", ("id",),
                             self._state(request).tenant_id)
        if "id" not in body:
            raise bad_request("Failed to parse request. Required attribute 'id' not specified")
        profile = self._run(lambda: flavors.associate(flavor_id, body["id"]))
        return render_one(request, "service_profile", {"id": profile.id}, 201)

    @app.route("/v2.0/flavors/<flavor_id>/service_profiles/<profile_id>", methods=["GET"])
    def show_association(self, request: Any, flavor_id: str, profile_id: str) -> bytes:
        flavors = self._flavors(request)
        profile = self._run(lambda: flavors.association(flavor_id, profile_id))
        return render_one(request, "service_profile", {
            "service_profile_id": profile.id, "flavor_id": flavor_id})

    @app.route("/v2.0/flavors/<flavor_id>/service_profiles/<profile_id>", methods=["DELETE"])
    def disassociate_service_profile(self, request: Any, flavor_id: str,
                                     profile_id: str) -> bytes:
        flavors = self._flavors(request)
        self._run(lambda: flavors.association(flavor_id, profile_id))
        self._admin_flavors(request, "delete_flavor_service_profile")
        self._run(lambda: flavors.disassociate(flavor_id, profile_id))
        return empty_response(request)

    # service profiles

    @app.route("/v2.0/service_profiles", methods=["GET"])
    def list_service_profiles(self, request: Any) -> bytes:
        flavors = self._flavors(request)
        shown = flavors.profiles.values() if self._is_admin(request) else ()
        return render_list(request, "service_profiles", map(service_profile_json, shown),
                           SERVICE_PROFILE_ATTRIBUTES)

    @app.route("/v2.0/service_profiles/<profile_id>", methods=["GET"])
    def show_service_profile(self, request: Any, profile_id: str) -> bytes:
        flavors = self._flavors(request)
        profile = self._run(lambda: flavors.service_profile(profile_id))
        self._admin_flavors(request, "get_service_profile", hide=True)
        return render_one(request, "service_profile", service_profile_json(profile))

    @app.route("/v2.0/service_profiles", methods=["POST"])
    def create_service_profile(self, request: Any) -> bytes:
        flavors = self._admin_flavors(request, "create_service_profile")
        body = read_resource(request, "service_profile", (
            "description", "driver", "metainfo", "enabled"), self._state(request).tenant_id)
        description = _description(body) or ""
        driver, metainfo = string_field(body, "driver", ""), _metainfo(body) or ""
        enabled = boolean_field(body, "enabled") is not False
        made = self._run(lambda: flavors.create_service_profile(description, driver or "",
                                                                metainfo, enabled))
        return render_one(request, "service_profile", service_profile_json(made), 201)

    @app.route("/v2.0/service_profiles/<profile_id>", methods=["PUT"])
    def update_service_profile(self, request: Any, profile_id: str) -> bytes:
        flavors = self._flavors(request)
        self._run(lambda: flavors.service_profile(profile_id))
        self._admin_flavors(request, "update_service_profile", hide=True)
        body = read_resource(request, "service_profile", (
            "description", "driver", "metainfo", "enabled"), self._state(request).tenant_id)
        description, driver = _description(body), string_field(body, "driver")
        metainfo, enabled = _metainfo(body), boolean_field(body, "enabled")
        profile = self._run(lambda: flavors.update_service_profile(
            profile_id, description, driver, metainfo, enabled))
        return render_one(request, "service_profile", service_profile_json(profile))

    @app.route("/v2.0/service_profiles/<profile_id>", methods=["DELETE"])
    def delete_service_profile(self, request: Any, profile_id: str) -> bytes:
        flavors = self._flavors(request)
        self._run(lambda: flavors.service_profile(profile_id))
        self._admin_flavors(request, "delete_service_profile", hide=True)
        self._run(lambda: flavors.delete_service_profile(profile_id))
        return empty_response(request)
