"""
What a Cinder operator manages for the whole region, over HTTP: volume
types (``types``, their ``extra_specs``, private access through
``os-volume-type-access`` and the ``addProjectAccess`` /
``removeProjectAccess`` actions, and ``encryption``), QoS specs
(``qos-specs`` with their associations), group types (``group_types``,
3.11) and each project's default type (``default-types``, 3.62).

Reading is open to every project (the public types and those shared with
it); changing is for admins, as Cinder's default policy
(``volume_extension:types_manage`` ...) says. The model is
:class:`mimic.model.cinder_types.BlockStorageCatalog`; the bodies are those
of Cinder's api-ref (``api-ref/source/v3/volumes-v3-types.inc``,
``qos-specs-v3-qos-specs.inc``, ``group-types.inc``, ``default-types.inc``).
"""

from __future__ import annotations

from typing import Any, Optional

import attrs

from mimic.model.cinder import known_block_storage
from mimic.model.cinder_errors import BadRequest
from mimic.model.cinder_types import GroupType, QosSpecs
from mimic.rest.cinder_json import (
    boolean_field,
    invalid_field,
    optional_text,
    section,
    volume_type_json,
)
from mimic.rest.cinder_routes import CinderRoutes, require, tenant_route
from mimic.rest.http import empty_response, json_response, read_json
from mimic.rest.nova_json import query_argument

app = CinderRoutes.app

#: The microversions these routes appear at.
GROUP_TYPES = (3, 11)
DEFAULT_TYPES = (3, 62)

_MANAGE = "volume_extension:types_manage"
_QOS = "volume_extension:qos_specs_manage:create"
_GROUP_TYPES = "group:group_types_manage"
_DEFAULT_TYPES = "volume_extension:default_set_or_update"


def _is_public_filter(raw: Optional[str]) -> Optional[bool]:
    """``cinder/api/api_utils.py`` ``_parse_is_public``: absent is public only, ``None`` all."""
    if raw is None:
        return True
    if raw.lower() == "none":
        return None
    return boolean_field({"is_public": raw}, "is_public")


def _name(part: dict, required: bool) -> Optional[str]:
    name = optional_text(part, "name")
    if required and not (name and name.strip()):
        raise invalid_field("name", part.get("name"), "'name' is a required property")
    return name


def _changes(part: dict) -> tuple:
    """
    A type update's ``(description, is_public)``: ``attrs.NOTHING`` and
    ``None`` where the body leaves them out (a description may be ``null``).
    """
    description = optional_text(part, "description") if "description" in part \
        else attrs.NOTHING
    is_public = boolean_field(part, "is_public") if "is_public" in part else None
    return description, is_public


def _specs_to_set(request: Any, field: str) -> Any:
    """The specs a ``POST`` to a type's ``extra_specs`` or ``group_specs`` sets."""
    body = read_json(request)
    if not isinstance(body, dict) or field not in body:
        raise invalid_field(field, body, f"'{field}' is a required property")
    return body[field]


def _one_spec(request: Any, key: str) -> dict:
    """A ``PUT`` to one spec: its body names that key and no other."""
    body = read_json(request)
    if not isinstance(body, dict) or set(body) != {key}:
        raise BadRequest("Request body and URI mismatch")
    return body


def _encryption_spec(part: dict) -> dict:
    spec = {}
    for key in ("provider", "cipher", "control_location"):
        if part.get(key) is not None:
            spec[key] = optional_text(part, key)
    if "control_location" in spec and spec["control_location"] not in ("front-end",
                                                                      "back-end"):
        raise invalid_field("control_location", spec["control_location"],
                            "is not one of ['front-end', 'back-end']")
    if part.get("key_size") is not None:
        size = part["key_size"]
        if isinstance(size, str) and size.isdigit():
            size = int(size)
        if isinstance(size, bool) or not isinstance(size, int) or size < 0:
            raise invalid_field("key_size", size, f"{size!r} is not of type 'integer'")
        spec["key_size"] = size
    return spec


def qos_json(qos: QosSpecs) -> dict:
    return {"id": qos.id, "name": qos.name, "consumer": qos.consumer,
            "specs": dict(qos.specs)}


def group_type_json(group_type: GroupType) -> dict:
    return {"id": group_type.id, "name": group_type.name,
            "description": group_type.description, "is_public": group_type.is_public,
            "group_specs": dict(group_type.group_specs)}


class TypeRoutes(CinderRoutes):
    """Volume types, QoS specs, group types and default types."""

    def _type_in_use(self, type_id: str) -> bool:
        return any(s.uses_type(type_id) for s in known_block_storage(self.store, self.region))

    # volume types

    @tenant_route(app, "/types", methods=["GET"])
    def list_types(self, request: Any, tenant_id: str) -> bytes:
        self._begin(request, tenant_id)
        admin = self._is_admin(request, tenant_id)
        is_public = _is_public_filter(query_argument(request, "is_public")) if admin else True
        return json_response(request, {"volume_types": [
            volume_type_json(t) for t in self._catalog().types(tenant_id, admin, is_public)]})

    @tenant_route(app, "/types", methods=["POST"])
    def create_type(self, request: Any, tenant_id: str) -> bytes:
        self._admin(request, tenant_id, _MANAGE)
        part = section(read_json(request), "volume_type")
        is_public = boolean_field(part, "os-volume-type-access:is_public",
                                  boolean_field(part, "is_public", True))
        specs = part.get("extra_specs") or {}
        volume_type = self._catalog().create_type(
            _name(part, required=True) or "", optional_text(part, "description"),
            is_public, specs)
        return json_response(request, {"volume_type": volume_type_json(volume_type)})

    @tenant_route(app, "/types/<type_id>", methods=["GET"])
    def show_type(self, request: Any, tenant_id: str, type_id: str) -> bytes:
        # ``default`` is the caller's default type at every microversion
        # (cinder/api/v3/types.py, ``show``).
        self._begin(request, tenant_id)
        catalog = self._catalog()
        found = catalog.default_type(tenant_id) if type_id == "default" \
            else catalog.volume_type(type_id, by_name=False)
        return json_response(request, {"volume_type": volume_type_json(found)})

    @tenant_route(app, "/types/<type_id>", methods=["PUT"])
    def update_type(self, request: Any, tenant_id: str, type_id: str) -> bytes:
        self._admin(request, tenant_id, _MANAGE)
        part = section(read_json(request), "volume_type")
        description, is_public = _changes(part)
        if "name" not in part and description is attrs.NOTHING and is_public is None:
            raise BadRequest("Specify volume type name, description, is_public or a "
                             "combination thereof.")
        volume_type = self._catalog().update_type(type_id, _name(part, False),
                                                  description, is_public)
        return json_response(request, {"volume_type": volume_type_json(volume_type)})

    @tenant_route(app, "/types/<type_id>", methods=["DELETE"])
    def delete_type(self, request: Any, tenant_id: str, type_id: str) -> bytes:
        self._admin(request, tenant_id, _MANAGE)
        catalog = self._catalog()
        catalog.delete_type(type_id, in_use=self._type_in_use(
            catalog.volume_type(type_id, by_name=False).id))
        return empty_response(request, 202)

    @tenant_route(app, "/types/<type_id>/extra_specs", methods=["GET"])
    def list_extra_specs(self, request: Any, tenant_id: str, type_id: str) -> bytes:
        self._begin(request, tenant_id)
        volume_type = self._catalog().volume_type(type_id, by_name=False)
        return json_response(request, {"extra_specs": dict(volume_type.extra_specs)})

    @tenant_route(app, "/types/<type_id>/extra_specs", methods=["POST"])
    def set_extra_specs(self, request: Any, tenant_id: str, type_id: str) -> bytes:
        self._admin(request, tenant_id, _MANAGE)
        specs = _specs_to_set(request, "extra_specs")
        self._catalog().set_extra_specs(type_id, specs)
        return json_response(request, {"extra_specs": specs})

    @tenant_route(app, "/types/<type_id>/extra_specs/<key>", methods=["GET"])
    def show_extra_spec(self, request: Any, tenant_id: str, type_id: str, key: str) -> bytes:
        self._begin(request, tenant_id)
        return json_response(request, {key: self._catalog().extra_spec(type_id, key)})

    @tenant_route(app, "/types/<type_id>/extra_specs/<key>", methods=["PUT"])
    def update_extra_spec(self, request: Any, tenant_id: str, type_id: str,
                          key: str) -> bytes:
        self._admin(request, tenant_id, _MANAGE)
        spec = _one_spec(request, key)
        self._catalog().set_extra_specs(type_id, spec)
        return json_response(request, spec)

    @tenant_route(app, "/types/<type_id>/extra_specs/<key>", methods=["DELETE"])
    def delete_extra_spec(self, request: Any, tenant_id: str, type_id: str,
                          key: str) -> bytes:
        self._admin(request, tenant_id, _MANAGE)
        self._catalog().delete_extra_spec(type_id, key)
        return empty_response(request, 202)

    @tenant_route(app, "/types/<type_id>/os-volume-type-access", methods=["GET"])
    def type_access(self, request: Any, tenant_id: str, type_id: str) -> bytes:
        self._admin(request, tenant_id, "volume_extension:volume_type_access")
        volume_type = self._catalog().volume_type(type_id, by_name=False)
        if volume_type.is_public:
            raise BadRequest("Access list not available for public volume types.")
        return json_response(request, {"volume_type_access": [
            {"volume_type_id": volume_type.id, "project_id": project}
            for project in volume_type.projects]})

    @tenant_route(app, "/types/<type_id>/action", methods=["POST"])
    def type_action(self, request: Any, tenant_id: str, type_id: str) -> bytes:
        self._admin(request, tenant_id, "volume_extension:volume_type_access:addProjectAccess")
        body = read_json(request)
        if not isinstance(body, dict) or len(body) != 1 or set(body) - {
                "addProjectAccess", "removeProjectAccess"}:
            raise BadRequest(f"There is no such action: {next(iter(body or {}), '')}")
        ((action, argument),) = body.items()
        project = argument.get("project") if isinstance(argument, dict) else None
        if not isinstance(project, str) or not project:
            raise invalid_field("project", project, "'project' is a required property")
        catalog = self._catalog()
        if action == "addProjectAccess":
            catalog.add_access(type_id, project)
        else:
            catalog.remove_access(type_id, project)
        return empty_response(request, 202)

    # encryption

    @tenant_route(app, "/types/<type_id>/encryption", methods=["GET"])
    def show_encryption(self, request: Any, tenant_id: str, type_id: str) -> bytes:
        self._begin(request, tenant_id)
        volume_type = self._catalog().volume_type(type_id, by_name=False)
        return json_response(request, dict(volume_type.encryption or {}))

    @tenant_route(app, "/types/<type_id>/encryption", methods=["POST"])
    def create_encryption(self, request: Any, tenant_id: str, type_id: str) -> bytes:
        return self._set_encryption(request, tenant_id, type_id, create=True)

    @tenant_route(app, "/types/<type_id>/encryption/<encryption_id>", methods=["PUT"])
    def update_encryption(self, request: Any, tenant_id: str, type_id: str,
                          encryption_id: str) -> bytes:
        return self._set_encryption(request, tenant_id, type_id, create=False)

    def _set_encryption(self, request: Any, tenant_id: str, type_id: str,
                        create: bool) -> bytes:
        """Create (a type has none yet) or update (it has one) a type's encryption."""
        self._admin(request, tenant_id, "volume_extension:volume_type_encryption:"
                    + ("create" if create else "update"))
        spec = _encryption_spec(section(read_json(request), "encryption"))
        self._catalog().set_encryption(type_id, spec, create=create)
        return json_response(request, {"encryption": spec})

    @tenant_route(app, "/types/<type_id>/encryption/<encryption_id>", methods=["DELETE"])
    def delete_encryption(self, request: Any, tenant_id: str, type_id: str,
                          encryption_id: str) -> bytes:
        self._admin(request, tenant_id, "volume_extension:volume_type_encryption:delete")
        if self._type_in_use(type_id):
            raise BadRequest("Cannot delete encryption specs. Volume type in use.")
        self._catalog().delete_encryption(type_id)
        return empty_response(request, 202)

    # QoS specs (admin only, as Cinder's policy has it)

    @tenant_route(app, "/qos-specs", methods=["GET"])
    def list_qos(self, request: Any, tenant_id: str) -> bytes:
        self._admin(request, tenant_id, "volume_extension:qos_specs_manage:get_all")
        return json_response(request, {"qos_specs": [
            qos_json(q) for q in self._catalog().qos_specs()]})

    @tenant_route(app, "/qos-specs", methods=["POST"])
    def create_qos(self, request: Any, tenant_id: str) -> bytes:
        self._admin(request, tenant_id, _QOS)
        part = dict(section(read_json(request), "qos_specs"))
        name = _name(part, required=True) or ""
        part.pop("name")
        consumer = part.pop("consumer", "back-end")
        qos = self._catalog().create_qos(name, consumer, part)
        return json_response(request, {"qos_specs": qos_json(qos), "links": self._qos_links(
            tenant_id, qos.id)})

    def _qos_links(self, tenant_id: str, qos_id: str) -> list:
        return [{"href": f"{self.prefix}/v3/{tenant_id}/qos-specs/{qos_id}", "rel": "self"},
                {"href": f"{self.prefix}/{tenant_id}/qos-specs/{qos_id}", "rel": "bookmark"}]

    @tenant_route(app, "/qos-specs/<qos_id>", methods=["GET"])
    def show_qos(self, request: Any, tenant_id: str, qos_id: str) -> bytes:
        self._admin(request, tenant_id, "volume_extension:qos_specs_manage:get")
        return json_response(request, {"qos_specs": qos_json(self._catalog().qos(qos_id)),
                                       "links": self._qos_links(tenant_id, qos_id)})

    @tenant_route(app, "/qos-specs/<qos_id>", methods=["PUT"])
    def update_qos(self, request: Any, tenant_id: str, qos_id: str) -> bytes:
        self._admin(request, tenant_id, "volume_extension:qos_specs_manage:update")
        part = section(read_json(request), "qos_specs")
        return json_response(request, {"qos_specs": self._catalog().update_qos(qos_id, part)})

    @tenant_route(app, "/qos-specs/<qos_id>/delete_keys", methods=["PUT"])
    def unset_qos_keys(self, request: Any, tenant_id: str, qos_id: str) -> bytes:
        self._admin(request, tenant_id, "volume_extension:qos_specs_manage:delete_keys")
        body = read_json(request)
        keys = body.get("keys") if isinstance(body, dict) else None
        if not isinstance(keys, list) or not all(isinstance(k, str) for k in keys):
            raise invalid_field("keys", keys, "'keys' is a required property")
        self._catalog().unset_qos_keys(qos_id, keys)
        return empty_response(request, 202)

    @tenant_route(app, "/qos-specs/<qos_id>", methods=["DELETE"])
    def delete_qos(self, request: Any, tenant_id: str, qos_id: str) -> bytes:
        self._admin(request, tenant_id, "volume_extension:qos_specs_manage:delete")
        force = boolean_field({"force": query_argument(request, "force") or "false"}, "force")
        self._catalog().delete_qos(qos_id, force)
        return empty_response(request, 202)

    @tenant_route(app, "/qos-specs/<qos_id>/associations", methods=["GET"])
    def qos_associations(self, request: Any, tenant_id: str, qos_id: str) -> bytes:
        self._admin(request, tenant_id, "volume_extension:qos_specs_manage:get")
        return json_response(request, {"qos_associations": [
            {"association_type": "volume_type", "name": t.name, "id": t.id}
            for t in self._catalog().qos_associations(qos_id)]})

    @tenant_route(app, "/qos-specs/<qos_id>/associate", methods=["GET"])
    def associate_qos(self, request: Any, tenant_id: str, qos_id: str) -> bytes:
        self._admin(request, tenant_id, "volume_extension:qos_specs_manage:update")
        self._catalog().associate_qos(qos_id, self._vol_type_id(request))
        return empty_response(request, 202)

    @tenant_route(app, "/qos-specs/<qos_id>/disassociate", methods=["GET"])
    def disassociate_qos(self, request: Any, tenant_id: str, qos_id: str) -> bytes:
        self._admin(request, tenant_id, "volume_extension:qos_specs_manage:update")
        self._catalog().disassociate_qos(qos_id, self._vol_type_id(request))
        return empty_response(request, 202)

    @tenant_route(app, "/qos-specs/<qos_id>/disassociate_all", methods=["GET"])
    def disassociate_all_qos(self, request: Any, tenant_id: str, qos_id: str) -> bytes:
        self._admin(request, tenant_id, "volume_extension:qos_specs_manage:update")
        self._catalog().disassociate_qos(qos_id)
        return empty_response(request, 202)

    def _vol_type_id(self, request: Any) -> str:
        type_id = query_argument(request, "vol_type_id")
        if not type_id:
            raise BadRequest("Volume Type id must not be None.")
        return type_id

    # group types (3.11)

    def _group_types(self, request: Any, tenant_id: str, manage: bool = False) -> Any:
        version = self._admin(request, tenant_id, _GROUP_TYPES) if manage \
            else self._begin(request, tenant_id)[1]
        require(version, GROUP_TYPES)
        return self._catalog()

    @tenant_route(app, "/group_types", methods=["GET"])
    def list_group_types(self, request: Any, tenant_id: str) -> bytes:
        catalog = self._group_types(request, tenant_id)
        admin = self._is_admin(request, tenant_id)
        return json_response(request, {"group_types": [
            group_type_json(g) for g in catalog.group_types() if admin or g.is_public]})

    @tenant_route(app, "/group_types", methods=["POST"])
    def create_group_type(self, request: Any, tenant_id: str) -> bytes:
        catalog = self._group_types(request, tenant_id, manage=True)
        part = section(read_json(request), "group_type")
        group_type = catalog.create_group_type(
            _name(part, required=True) or "", optional_text(part, "description"),
            boolean_field(part, "is_public", True), part.get("group_specs") or {})
        return json_response(request, {"group_type": group_type_json(group_type)})

    @tenant_route(app, "/group_types/<type_id>", methods=["GET"])
    def show_group_type(self, request: Any, tenant_id: str, type_id: str) -> bytes:
        catalog = self._group_types(request, tenant_id)
        return json_response(request, {"group_type": group_type_json(
            catalog.group_type(type_id))})

    @tenant_route(app, "/group_types/<type_id>", methods=["PUT"])
    def update_group_type(self, request: Any, tenant_id: str, type_id: str) -> bytes:
        catalog = self._group_types(request, tenant_id, manage=True)
        part = section(read_json(request), "group_type")
        description, is_public = _changes(part)
        group_type = catalog.update_group_type(type_id, _name(part, False), description,
                                               is_public)
        return json_response(request, {"group_type": group_type_json(group_type)})

    @tenant_route(app, "/group_types/<type_id>", methods=["DELETE"])
    def delete_group_type(self, request: Any, tenant_id: str, type_id: str) -> bytes:
        catalog = self._group_types(request, tenant_id, manage=True)
        in_use = any(s.uses_group_type(type_id)
                     for s in known_block_storage(self.store, self.region))
        catalog.delete_group_type(type_id, in_use)
        return empty_response(request, 202)

    @tenant_route(app, "/group_types/<type_id>/group_specs", methods=["GET"])
    def list_group_specs(self, request: Any, tenant_id: str, type_id: str) -> bytes:
        catalog = self._group_types(request, tenant_id)
        return json_response(request, {"group_specs": dict(
            catalog.group_type(type_id).group_specs)})

    @tenant_route(app, "/group_types/<type_id>/group_specs", methods=["POST"])
    def set_group_specs(self, request: Any, tenant_id: str, type_id: str) -> bytes:
        catalog = self._group_types(request, tenant_id, manage=True)
        specs = _specs_to_set(request, "group_specs")
        catalog.set_group_specs(type_id, specs)
        return json_response(request, {"group_specs": specs})

    @tenant_route(app, "/group_types/<type_id>/group_specs/<key>", methods=["GET"])
    def show_group_spec(self, request: Any, tenant_id: str, type_id: str, key: str) -> bytes:
        catalog = self._group_types(request, tenant_id)
        return json_response(request, {key: catalog.group_spec(type_id, key)})

    @tenant_route(app, "/group_types/<type_id>/group_specs/<key>", methods=["PUT"])
    def update_group_spec(self, request: Any, tenant_id: str, type_id: str,
                          key: str) -> bytes:
        catalog = self._group_types(request, tenant_id, manage=True)
        spec = _one_spec(request, key)
        catalog.set_group_specs(type_id, spec)
        return json_response(request, spec)

    @tenant_route(app, "/group_types/<type_id>/group_specs/<key>", methods=["DELETE"])
    def delete_group_spec(self, request: Any, tenant_id: str, type_id: str,
                          key: str) -> bytes:
        catalog = self._group_types(request, tenant_id, manage=True)
        catalog.delete_group_spec(type_id, key)
        return empty_response(request, 202)

    # default types (3.62)

    def _default_types(self, request: Any, tenant_id: str, rule: str) -> Any:
        require(self._admin(request, tenant_id, rule), DEFAULT_TYPES)
        return self._catalog()

    @tenant_route(app, "/default-types/<project_id>", methods=["PUT"])
    def set_default_type(self, request: Any, tenant_id: str, project_id: str) -> bytes:
        catalog = self._default_types(request, tenant_id, _DEFAULT_TYPES)
        part = section(read_json(request), "default_type")
        ref = part.get("volume_type")
        if not isinstance(ref, str) or not ref:
            raise invalid_field("volume_type", ref, "'volume_type' is a required property")
        volume_type = catalog.set_project_default(project_id, ref)
        return json_response(request, {"default_type": {
            "project_id": project_id, "volume_type_id": volume_type.id}})

    @tenant_route(app, "/default-types/<project_id>", methods=["GET"])
    def show_default_type(self, request: Any, tenant_id: str, project_id: str) -> bytes:
        catalog = self._default_types(request, tenant_id, "volume_extension:default_get")
        return json_response(request, {"default_type": {
            "project_id": project_id, "volume_type_id": catalog.project_default(project_id)}})

    @tenant_route(app, "/default-types", methods=["GET"])
    def list_default_types(self, request: Any, tenant_id: str) -> bytes:
        catalog = self._default_types(request, tenant_id, "volume_extension:default_get_all")
        return json_response(request, {"default_types": [
            {"project_id": project, "volume_type_id": type_id}
            for project, type_id in catalog.project_defaults.items()]})

    @tenant_route(app, "/default-types/<project_id>", methods=["DELETE"])
    def unset_default_type(self, request: Any, tenant_id: str, project_id: str) -> bytes:
        catalog = self._default_types(request, tenant_id, "volume_extension:default_unset")
        catalog.unset_project_default(project_id)
        return empty_response(request, 204)
