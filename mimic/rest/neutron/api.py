"""
The Neutron API of one region: every noun's routes on one Klein app,
the caller's tenant from its token, discovery (versions, resources,
extensions), and Neutron's error bodies for every failure.
"""

from __future__ import annotations

from typing import Any, Callable, Optional

from mimic.model.neutron import NeutronFault, network_state
from mimic.rest.http import RequestError, caller_token, install_error_handlers, json_response
from mimic.rest.neutron.address_scopes import AddressScopeRoutes
from mimic.rest.neutron.flavors import FlavorRoutes
from mimic.rest.neutron.networks import NetworkRoutes
from mimic.rest.neutron.ports import PortRoutes
from mimic.rest.neutron.quotas import QuotaRoutes
from mimic.rest.neutron.rbac import RbacPolicyRoutes
from mimic.rest.neutron.routers import RouterRoutes
from mimic.rest.neutron.security_groups import SecurityGroupRoutes
from mimic.rest.neutron.subnetpools import SubnetPoolRoutes
from mimic.rest.neutron.tags import TagRoutes
from mimic.rest.neutron.trunks import TrunkRoutes
from mimic.rest.neutron.wire import (
    app,
    fault_error,
    neutron_error_body,
    read_body,
    render_list,
)


#: What ``GET /v2.0/extensions`` lists: the extensions this emulation serves.
EXTENSIONS = (
    ("external-net", "Neutron external network", "Adds external network attribute to "
     "network resource."),
    ("router", "Neutron L3 Router", "Router abstraction for basic L3 forwarding between "
     "L2 Neutron networks and access to external networks via a NAT gateway."),
    ("security-group", "security-group", "The security groups extension."),
    ("port-security", "Port Security", "Provides port security"),
    ("net-mtu", "Network MTU", "Provides MTU attribute for a network resource."),
    ("net-mtu-writable", "Network MTU (writable)", "Provides a writable MTU attribute for a "
     "network resource."),
    ("standard-attr-description", "standard-attr-description",
     "Extension to add descriptions to standard attributes"),
    ("standard-attr-revisions", "Resource revision numbers",
     "This extension will display the revision number of neutron resources."),
    ("standard-attr-timestamp", "Resource timestamps",
     "Adds created_at and updated_at fields to all Neutron resources that have Neutron "
     "standard attributes."),
    ("fip-port-details", "Floating IP Port Details Extension",
     "Add port_details attribute to Floating IP resource"),
    ("extraroute", "Neutron Extra Route", "Extra routes configuration for L3 router"),
    ("extraroute-atomic", "Atomically add/remove extra routes",
     "Edit extra routes of a router on server side by atomically adding/removing extra "
     "routes"),
    ("standard-attr-tag", "Tag support for resources with standard attribute",
     "Enables to set tag on resources with standard attribute."),
    ("quotas", "Quota management support", "Expose functions for quotas management per "
     "project"),
    ("quota_details", "Quota details management support", "Expose functions for quotas "
     "usage statistics per project"),
    ("availability_zone", "Availability Zone", "The availability zone extension."),
    ("stateful-security-group", "Stateful security group",
     "Indicates if the security group is stateful or not"),
    ("subnet-service-types", "Subnet service types",
     "Provides ability to set the subnet service_types field"),
    ("subnet_allocation", "Subnet Allocation", "Enables allocation of subnets from a subnet "
     "pool"),
    ("trunk", "Trunk Extension", "Provides support for trunk ports"),
    ("trunk-details", "Trunk port details", "Expose trunk port details"),
    ("network-ip-availability", "Network IP Availability",
     "Provides IP availability data for each network and subnet."),
    ("provider", "Provider Network", "Expose mapping of virtual networks to physical "
     "networks"),
    ("address-scope", "Address scope", "Address scopes extension."),
    ("tag-creation", "Tag support for resources during creation",
     "Enables to set tag on resources during creation."),
    ("service-type", "Neutron Service Type Management",
     "API for retrieving service providers for Neutron advanced services"),
    ("rbac-policies", "RBAC Policies", "Allows creation and modification of policies that "
     "control project access to resources."),
    ("rbac-address-scope", "Add address_scope type to RBAC",
     "Add address_scope type to RBAC"),
    ("flavors", "Neutron Service Flavors", "Flavor specification for Neutron advanced "
     "services."),
)

#: What ``GET /v2.0/service-providers`` lists: the one backend of Mimic's
#: routers (devstack's default, OVN).
SERVICE_PROVIDERS = ({"service_type": "L3_ROUTER_NAT", "name": "ovn", "default": True},)


class NeutronApi(NetworkRoutes, PortRoutes, SecurityGroupRoutes, RouterRoutes,
                 SubnetPoolRoutes, AddressScopeRoutes, RbacPolicyRoutes, FlavorRoutes,
                 TrunkRoutes, TagRoutes, QuotaRoutes):
    """Neutron v2.0 for one region, serving whoever's token comes in."""

    app = app

    def __init__(self, store: Any, region: str, uri_prefix: str) -> None:
        self.store = store
        self.region = region
        self.uri_prefix = uri_prefix

    def _token(self, request: Any) -> Any:
        token = caller_token(request, self.store)
        if token is None:
            raise RequestError(401, "The request you have made requires authentication.")
        return token

    def _state(self, request: Any) -> Any:
        return network_state(self.store, self._token(request).tenant.id, self.region)

    def _is_admin(self, request: Any) -> bool:
        return bool(self._token(request).is_admin)

    def _project_state(self, project_id: str) -> Any:
        return network_state(self.store, project_id, self.region)

    def _creating(self, request: Any, member: str) -> Any:
        """
        The project state a create goes to: the caller's, or for an admin
        the project its body's ``project_id``/``tenant_id`` names (the body
        readers refuse a non-admin naming another project).
        """
        state = self._state(request)
        if not self._is_admin(request):
            return state
        body = read_body(request)
        items = body.get(member + "s", [body.get(member)])
        first = items[0] if isinstance(items, list) and items else None
        if isinstance(first, dict) and member in first:
            first = first[member]
        if not isinstance(first, dict):
            return state
        project = first.get("project_id", first.get("tenant_id"))
        if isinstance(project, str) and project and project != state.tenant_id \
                and len(project) <= 255:
            return self._project_state(project)
        return state

    def _holder(self, request: Any, table: str, key: str) -> Any:
        """
        The project state that holds ``key`` in ``table``: the caller's, or
        for an admin whichever project's it is (Neutron's admins reach
        every project's resources).
        """
        state = self._state(request)
        if not self._is_admin(request):
            return state
        mine = state.ports if table == "ports" else getattr(state, table)
        # What another project shared is in the caller's tables too: its
        # owner's state is the one that holds it.
        if key in mine and getattr(mine[key], "tenant_id", state.tenant_id) == state.tenant_id:
            return state
        return state.region_networks.holder(table, key) or state

    def _visible(self, request: Any, table: str) -> list:
        """What a list shows: the caller's, or every project's for an admin."""
        state = self._state(request)
        if not self._is_admin(request):
            return list(getattr(state, table).values())
        seen: dict = {}
        for other in state.region_networks.all_states():
            for thing in getattr(other, table).values():
                seen.setdefault(thing.id, thing)
        return list(seen.values())

    def _listed(self, request: Any, table: str,
                visible: Optional[Callable[[Any], Any]] = None) -> tuple:
        """
        ``(caller's state, what a GET of the collection lists)``: every
        project's ``table`` for an admin; for anyone else ``visible(state)``
        where what others share counts too, else the caller's own.
        """
        state = self._state(request)
        if visible is not None and not self._is_admin(request):
            return state, visible(state)
        return state, self._visible(request, table)

    def _shown(self, request: Any, table: str, key: str,
               find: Callable[[Any, str], Any]) -> tuple:
        """
        ``(holder's state, find(holder's state, key))`` for a GET of one
        resource: the project state that holds ``key`` in ``table``
        (:meth:`_holder`), and Neutron's error if it is not there.
        """
        state = self._holder(request, table, key)
        return state, self._run(lambda: find(state, key))

    def _run(self, action: Callable[[], Any]) -> Any:
        try:
            return action()
        except NeutronFault as error:
            raise fault_error(error) from None

    # discovery

    @app.route("/", methods=["GET"], strict_slashes=False)
    def versions(self, request: Any) -> bytes:
        return json_response(request, {"versions": [{
            "id": "v2.0", "status": "CURRENT",
            "links": [{"href": f"{self.uri_prefix}/v2.0/", "rel": "self"}],
        }]})

    @app.route("/v2.0", methods=["GET"], strict_slashes=False)
    def resources(self, request: Any) -> bytes:
        names = (("network", "networks"), ("subnet", "subnets"), ("port", "ports"),
                 ("security_group", "security-groups"),
                 ("security_group_rule", "security-group-rules"),
                 ("floatingip", "floatingips"), ("router", "routers"),
                 ("subnetpool", "subnetpools"), ("trunk", "trunks"),
                 ("address_scope", "address-scopes"), ("rbac_policy", "rbac-policies"),
                 ("flavor", "flavors"), ("service_profile", "service_profiles"))
        return json_response(request, {"resources": [
            {"name": name, "collection": collection.replace("-", "_"),
             "links": [{"href": f"{self.uri_prefix}/v2.0/{collection}", "rel": "self"}]}
            for name, collection in names
        ]})

    @app.route("/v2.0/extensions", methods=["GET"])
    def extensions(self, request: Any) -> bytes:
        self._state(request)
        return json_response(request, {"extensions": [_extension(e) for e in EXTENSIONS]})

    @app.route("/v2.0/service-providers", methods=["GET"])
    def service_providers(self, request: Any) -> bytes:
        self._state(request)
        return render_list(request, "service_providers", [dict(p) for p in SERVICE_PROVIDERS],
                           frozenset(SERVICE_PROVIDERS[0]))

    @app.route("/v2.0/extensions/<alias>", methods=["GET"])
    def extension(self, request: Any, alias: str) -> bytes:
        self._state(request)
        for extension in EXTENSIONS:
            if extension[0] == alias:
                return json_response(request, {"extension": _extension(extension)})
        raise RequestError(404, f"Extension with alias {alias} does not exist",
                           kind="HTTPNotFound")


def _extension(extension: tuple) -> dict:
    alias, name, description = extension
    return {"alias": alias, "name": name, "description": description,
            "updated": "2013-01-20T00:00:00-00:00", "links": []}


install_error_handlers(NeutronApi.app, neutron_error_body)
