"""
The routes the route fuzz (tests/test_fuzz_*.py) sends bodies to, one
module per API: each holds its routes with valid example bodies the
fuzzer mutates (``ROUTES``) and the routes it leaves out, with why
(``SKIPPED``). Here they come together with where each Klein app is
mounted (``MOUNTS``) and the groups fuzzed one test each (``GROUPS``).

Every POST, PUT and PATCH route of every Klein app is in ``ROUTES`` or in
``SKIPPED`` (``test_every_json_route_is_fuzzed``).
"""

from __future__ import annotations

from tests.fuzz_routes import cinder, clb, control, fastly, glance, identity, mesh, neutron, nova
from tests.fuzz_routes.identity import SELF_ROUTES  # noqa: F401 - the world's
from tests.fuzz_routes.neutron import NEUTRON_ADMIN_ROUTES  # noqa: F401 - the world's
from tests.fuzz_routes.nova import OPERATOR_ROUTES

#: Where each Klein app is mounted, and the name its errors are checked by.
MOUNTS = {
    "MimicRoot": ("", "control"),
    "IdentityApi": ("/identity", "identity"),
    "IdentityControlApi": ("/mimic/v1.1/IdentityControlAPI", "control"),
    "IdentityV3Api": ("/identity/v3", "identity-v3"),
    "MeshControlApi": ("/mimic/v1.1/mesh", "mesh"),
    "NovaApi": ("/mimicking/nova/ORD", "nova"),
    "NovaControlApi": ("/mimicking/nova-control/ORD", "nova"),
    "ClbApi": ("/mimicking/clb/ORD", "clb"),
    "ClbControlApi": ("/mimicking/clb-control/ORD", "clb"),
    "FastlyApi": ("/fastly", "fastly"),
    "GlanceApi": ("/mimicking/glance/ORD", "glance"),
    "NeutronApi": ("/mimicking/neutron/ORD", "neutron"),
    "CinderApi": ("/mimicking/cinder/ORD", "cinder"),
    "CinderControlApi": ("/mimicking/cinder-control/ORD", "cinder"),
    "IdentityV3CatalogApi": ("/identity/v3", "identity-v3"),
    "IdentityV3ProjectsApi": ("/identity/v3", "identity-v3"),
    "IdentityV3RolesApi": ("/identity/v3", "identity-v3"),
    "IdentityV3UsersApi": ("/identity/v3", "identity-v3"),
    "IdentityV3AppCredentialsApi": ("/identity/v3", "identity-v3"),
    "IdentityV3EndpointGroupsApi": ("/identity/v3", "identity-v3"),
    "IdentityV3FederationApi": ("/identity/v3", "identity-v3"),
}

#: Routes that take no JSON body, and why they are not fuzzed here.
SKIPPED = {**control.SKIPPED, **glance.SKIPPED, **nova.SKIPPED, **fastly.SKIPPED,
           **neutron.SKIPPED}

ROUTES: dict[tuple[str, str, str], list] = {
    **control.ROUTES, **identity.ROUTES, **mesh.ROUTES, **nova.ROUTES, **clb.ROUTES,
    **fastly.ROUTES, **glance.ROUTES, **neutron.ROUTES, **cinder.ROUTES, **OPERATOR_ROUTES,
}

#: The API groups fuzzed one test each, and how many bodies each gets.
GROUPS = {
    "control": (("MimicRoot", "IdentityControlApi"), 30),
    "identity": (("IdentityApi", "IdentityV3Api"), 50),
    "mesh": (("MeshControlApi",), 20),
    # The control APIs alone: a behavior they register may answer 5xx on
    # purpose (a "fail" with code 500), which is no failure of Mimic's.
    "nova": (("NovaApi",), 100),
    "nova-operator": (("NovaApi",), 60),
    "nova-control": (("NovaControlApi",), 30),
    "clb": (("ClbApi",), 80),
    "clb-control": (("ClbControlApi",), 30),
    "fastly": (("FastlyApi",), 60),
    "glance": (("GlanceApi",), 30),
    "neutron": (("NeutronApi",), 80),
    "cinder": (("CinderApi",), 60),
    "cinder-control": (("CinderControlApi",), 20),
    "identity-v3": (("IdentityV3CatalogApi", "IdentityV3ProjectsApi", "IdentityV3RolesApi",
                     "IdentityV3UsersApi", "IdentityV3AppCredentialsApi",
                     "IdentityV3EndpointGroupsApi", "IdentityV3FederationApi"), 100),
}

#: Headers each app's requests carry besides the token: the microversions
#: that have the routes (Cinder's attachments from 3.27, Nova's
#: remote-consoles from 2.6).
APP_HEADERS = {
    "CinderApi": {"OpenStack-API-Version": "volume 3.44"},
    "NovaApi": {"OpenStack-API-Version": "compute 2.8"},
}
