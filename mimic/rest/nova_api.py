"""
OpenStack Compute (Nova) over HTTP for one region, microversions 2.1 to
2.100: the version documents here, and every route, each group in the
module of its noun (servers, actions, tags, flavors, images/limits,
keypairs, interfaces, the network proxies, and the operator's hosts,
aggregates, quotas, usage and migrations), joined in :class:`NovaApi`.

Routes read the request (with :mod:`mimic.rest.nova_json` and, for
servers, :mod:`mimic.rest.nova_server_json`), call
:class:`mimic.model.nova.ComputeRegion` and render its answer in Nova's
JSON (:mod:`mimic.rest.nova_views`), asking
:mod:`mimic.rest.nova_microversions` what the negotiated version changes.
Every tenant route answers under both ``/v2/<tenant_id>`` (the catalog URL)
and ``/v2.1/<tenant_id>``. Errors come from one place
(:func:`install_nova_error_handlers`) in Nova's body shape
``{"badRequest": {"code": 400, "message": ...}}``.
"""

from __future__ import annotations

from typing import Any, Optional

from mimic.rest.http import json_response
from mimic.rest.nova_microversions import negotiate_version, version_document
from mimic.rest.nova_aggregates_api import AggregateRoutes
from mimic.rest.nova_consoles_api import ConsoleRoutes
from mimic.rest.nova_flavors_api import FlavorRoutes
from mimic.rest.nova_hosts_api import HostRoutes
from mimic.rest.nova_instance_actions_api import InstanceActionRoutes
from mimic.rest.nova_keypairs_api import KeypairRoutes
from mimic.rest.nova_network_api import NetworkRoutes
from mimic.rest.nova_network_proxy_api import NetworkProxyRoutes
from mimic.rest.nova_quotas_api import QuotaRoutes
from mimic.rest.nova_resources_api import ResourceRoutes
from mimic.rest.nova_routes import (  # noqa: F401 - the error handlers, re-exported
    NovaRoutes,
    install_nova_error_handlers,
    nova_error,
    tenant_route,
)
from mimic.rest.nova_server_groups_api import ServerGroupRoutes
from mimic.rest.nova_servers_api import ServerRoutes
from mimic.rest.nova_tags_api import TagRoutes
from mimic.rest.nova_usage_api import UsageRoutes
from mimic.rest.nova_volumes_api import VolumeAttachmentRoutes

app = NovaRoutes.app


class NovaApi(ServerRoutes, TagRoutes, FlavorRoutes, ResourceRoutes, KeypairRoutes,
               NetworkRoutes, NetworkProxyRoutes, InstanceActionRoutes, ConsoleRoutes,
               ServerGroupRoutes, VolumeAttachmentRoutes, HostRoutes, AggregateRoutes,
               QuotaRoutes, UsageRoutes):
    """Nova in one region: every route, and the version documents."""

    # version documents

    @app.route("/", methods=["GET"])
    def versions(self, request: Any) -> bytes:
        return json_response(request, {"versions": [
            version_document(self.prefix, "v2.0"),
            version_document(self.prefix, "v2.1"),
        ]})

    # The catalog URL is ``/v2/<tenant_id>`` (as in the original and in a
    # Rackspace region), and every route under it is microversioned: so
    # ``/v2`` and the catalog URL itself (what clients discover from;
    # keystoneauth tries the URL without the project first) describe the
    # microversioned API, linking to themselves.
    @app.route("/v2", methods=["GET"])
    @app.route("/v2/", methods=["GET"])
    @tenant_route(app, "", methods=["GET"], segments=("v2",))
    @tenant_route(app, "/", methods=["GET"], segments=("v2",))
    def version_behind_catalog_url(self, request: Any,
                                   tenant_id: Optional[str] = None) -> bytes:
        negotiate_version(request)
        return json_response(request, {"version": version_document(
            self.prefix, "v2.1", self_segment="v2")})

    @app.route("/v2.1", methods=["GET"])
    @app.route("/v2.1/", methods=["GET"])
    @tenant_route(app, "", methods=["GET"], segments=("v2.1",))
    @tenant_route(app, "/", methods=["GET"], segments=("v2.1",))
    def version_2_1(self, request: Any, tenant_id: Optional[str] = None) -> bytes:
        negotiate_version(request)
        return json_response(request, {"version": version_document(self.prefix, "v2.1")})


install_nova_error_handlers(NovaApi.app)
