"""
Neutron (OpenStack Networking) v2.0 over HTTP: version documents, networks,
subnets, ports, security groups and their rules, floating IPs.

Routes parse the request, call :mod:`mimic.model.neutron` and render
Neutron's JSON. The caller's tenant comes from ``X-Auth-Token`` (Neutron's
URLs carry no tenant). Lists take Neutron's filters (any attribute,
repeated for "any of", ``fixed_ips=ip_address=...``), ``fields``,
``sort_key``/``sort_dir`` and ``limit``/``marker``. Every error is Neutron's
``{"NeutronError": {"type", "message", "detail"}}``, except a missing or
invalid token, which gets the 401 body of the token middleware that guards
real Neutron.

One module per noun, as in :mod:`mimic.model.neutron`: :mod:`.networks`
(networks and subnets), :mod:`.ports`, :mod:`.security_groups`,
:mod:`.routers` (routers and floating IPs), :mod:`.rbac` (RBAC policies),
:mod:`.flavors` (service flavors and profiles);
:mod:`.wire` holds what they
share and :mod:`.api` puts them together in :class:`NeutronApi`.
"""

from mimic.rest.neutron.api import NeutronApi

__all__ = ["NeutronApi"]
