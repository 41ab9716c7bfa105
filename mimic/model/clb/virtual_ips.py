"""
Virtual IPs: the addresses a load balancer listens on. A create request
asks for new ones by type and version, or shares another load balancer's
by id (:func:`parse_virtual_ips`); :func:`new_virtual_ips` gives a request
for new ones its addresses, drawn from documentation and benchmarking
ranges so they can never be mistaken for real ones.
"""

from __future__ import annotations

import ipaddress
from typing import Any, Callable, Optional

import attrs

from mimic.model.clb.validation import choice, each_object, is_integer, refuse_any

VIP_TYPES = ("PUBLIC", "SERVICENET")
IP_VERSIONS = ("IPV4", "IPV6")

#: Where each kind of address is counted from (plus the virtual IP's id).
_ADDRESS_BASES = {"IPV6": "2001:db8:ffff::", "SERVICENET": "10.128.0.0",
                  "PUBLIC": "198.18.0.0"}


@attrs.frozen
class VirtualIp:
    """An address the load balancer listens on; shared by id between LBs."""

    id: int
    address: str
    type: str
    ip_version: str


@attrs.frozen
class VipSpec:
    """A requested virtual IP: a new one of a type and version, or a shared id."""

    type: Optional[str] = None
    ip_version: Optional[str] = None
    shared_id: Optional[int] = None


def _vip_spec(item: dict, what: str, errors: list) -> Optional[VipSpec]:
    if "id" in item:
        if not is_integer(item["id"]) or set(item) != {"id"}:
            errors.append(f"{what}id must be an integer and stand alone.")
            return None
        return VipSpec(shared_id=item["id"])
    vip_type = choice(item, "type", VIP_TYPES, errors, what)
    version = item.get("ipVersion")
    if version is not None and version not in IP_VERSIONS:
        errors.append(f"{what}ipVersion must be one of {', '.join(IP_VERSIONS)}.")
        return None
    if vip_type == "SERVICENET" and version == "IPV6":
        errors.append("IPV6 is not supported for SERVICENET virtual IPs.")
        return None
    if vip_type is None:
        return None
    return VipSpec(type=vip_type, ip_version=version)


def parse_virtual_ips(raw: Any) -> list[VipSpec]:
    """
    ``virtualIps``: each either ``{"id": N}`` (share another load balancer's)
    or ``{"type": PUBLIC|SERVICENET, "ipVersion": IPV4|IPV6}``.
    """
    specs, errors = each_object(raw, "virtualIps", _vip_spec, non_empty=True,
                                refusal="virtualIps must be a non-empty list.")
    refuse_any(errors)
    return specs


def new_virtual_ips(spec: VipSpec, take_id: Callable[[], int]) -> list[VirtualIp]:
    """
    The new virtual IPs one request asks for: the version it names, or both
    for a ``PUBLIC`` one and IPv4 for ``SERVICENET``; ids from ``take_id``.
    """
    versions = [spec.ip_version] if spec.ip_version else (
        ["IPV4", "IPV6"] if spec.type == "PUBLIC" else ["IPV4"]
    )
    vips = []
    for version in versions:
        vip_id = take_id()
        base = _ADDRESS_BASES["IPV6" if version == "IPV6" else spec.type]
        address = str(ipaddress.ip_address(base) + vip_id)
        vips.append(VirtualIp(vip_id, address, spec.type, version))
    return vips
