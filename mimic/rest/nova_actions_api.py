"""
Nova's server actions (``POST servers/<id>/action``): each reads its own
parameters as Nova's schema for it does and answers as Nova does. The
routes call ``ACTIONS[name](api, request, compute, links, server_id,
parameters)``.
"""

from __future__ import annotations

import ipaddress
import json
from typing import Any, Callable, Optional

from mimic.rest.http import empty_response, json_response
from mimic.rest.nova_json import (
    flavor_reference,
    image_reference,
    invalid_input,
    name_field,
    read_metadata,
    refuse_unexpected,
    string_field,
)
from mimic.rest.nova_server_json import (
    description_field,
    disk_config_field,
    hostname_field,
    ip_field,
)
from mimic.rest.nova_microversions import REBUILD
from mimic.rest.nova_views import server_detail

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


#: What rebuild accepts from a microversion on (and personality only before 2.57).
REBUILD_KEYS_SINCE = (("2.19", "description"), ("2.54", "key_name"), ("2.57", "user_data"),
                      ("2.63", "trusted_image_certificates"), ("2.90", "hostname"))


def _rebuild_changes(body: dict, version: Any) -> dict:
    """What later microversions let a rebuild change (each read as Nova's schema does)."""
    allowed = set(REBUILD_KEYS)
    for since, key in REBUILD_KEYS_SINCE:
        if version >= since:
            allowed.add(key)
    if version >= "2.57":
        allowed.discard("personality")
    refuse_unexpected(body, frozenset(allowed), field="rebuild")
    changes: dict = {}
    if "description" in body:
        changes["description"] = description_field(body)
    if "key_name" in body:
        changes["key_name"] = (None if body["key_name"] is None
                               else string_field(body, "key_name", minimum=1))
    if "user_data" in body:
        changes["user_data"] = (None if body["user_data"] is None
                                else string_field(body, "user_data", maximum=65535))
    if "hostname" in body:
        changes["hostname"] = hostname_field(body)
    return changes


def _rebuild(api, request, compute, links, server_id, parameters):
    body = _object(parameters, "rebuild")
    changes = _rebuild_changes(body, api.version)
    if "imageRef" not in body:
        raise invalid_input("imageRef", None, "'imageRef' is a required property")
    image_id = image_reference(body, "imageRef")
    metadata = read_metadata(body["metadata"]) if "metadata" in body else None
    name = name_field(body, required=False)
    access_ipv4 = ip_field(body, "accessIPv4", 4)
    access_ipv6 = ip_field(body, "accessIPv6", 6)
    disk_config_field(body)
    password = string_field(body, "adminPass") or compute.ids.hex(12)
    server = compute.rebuild(server_id, image_id, name=name, metadata=metadata,
                             access_ipv4=access_ipv4, access_ipv6=access_ipv6,
                             changes=changes)
    detail = server_detail(server, compute.now(), links, compute.network,
                           api._server_view(request, api.tenant_id, REBUILD))
    detail["adminPass"] = password
    return json_response(request, {"server": detail}, code=202)


def _resize(api, request, compute, links, server_id, parameters):
    body = _object(parameters, "resize")
    if "flavorRef" not in body:
        raise invalid_input("flavorRef", None, "'flavorRef' is a required property")
    compute.resize(server_id, flavor_reference(body))
    return empty_response(request, 202)


def _migrate(api, request, compute, links, server_id, parameters):
    """An admin's cold migration; a ``host`` may be named from 2.56."""
    api._authorize(request, api.tenant_id, "os_compute_api:os-migrate-server:migrate")
    host = None
    if api.version >= "2.56" and parameters is not None:
        body = _object(parameters, "migrate")
        refuse_unexpected(body, frozenset({"host"}), field="migrate")
        if body.get("host") is not None:
            host = string_field(body, "host", minimum=1)
    compute.migrate(server_id, host)
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
    if api.version >= "2.45":
        # From 2.45 the image's id is in the body, and no Location header.
        return json_response(request, {"image_id": image.id}, code=202)
    location = links("images", image.id)[0]["href"]
    request.setHeader(b"location", location.encode())
    return empty_response(request, 202)


def _rescue(api, request, compute, links, server_id, parameters):
    body = _object(parameters, "rescue", allow_null=True)
    if "rescue_image_ref" in body:
        compute.resolve_image(image_reference(body, "rescue_image_ref"))
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
        body = _object(parameters, "lock" if locked else "unlock", allow_null=True)
        reason = None
        if locked and api.version >= "2.73":
            refuse_unexpected(body, frozenset({"locked_reason"}), field="lock")
            reason = string_field(body, "locked_reason", minimum=1, maximum=255)
        compute.lock(server_id, locked, reason)
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
    "migrate": _migrate,
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


#: Actions Nova stopped serving at a microversion: past it they are a 404,
#: as Nova answers an action no version of which matches (2.44 deprecated
#: the network proxy actions).
ACTIONS_UNTIL = {
    "addFixedIp": "2.43",
    "removeFixedIp": "2.43",
    "addFloatingIp": "2.43",
    "removeFloatingIp": "2.43",
}
