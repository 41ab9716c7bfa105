"""
The contracts where plugins meet Mimic's core.

An API plugin is a module in the ``mimic.plugins`` package (or a third-party
package's ``mimic/plugins/`` folder) holding a module-level object that
provides :class:`IAPIMock`. Plugins hold no state of their own: everything
they remember lives in the :class:`mimic.model.identity.SessionStore`
handed to them, so that ``POST /mimic/v1.1/reset`` forgets it all at once.
"""

from twisted.plugin import IPlugin
from zope.interface import Attribute, Interface


class IAPIMock(IPlugin):
    """
    One emulated API: the entries it adds to a tenant's service catalog and
    the resource that serves it in a region.

    It extends ``IPlugin`` so that ``@implementer(IAPIMock)`` alone is enough
    for ``twisted.plugin.getPlugins`` to find the object.
    """

    name = Attribute(
        """
        A short, stable, URL-safe identifier (``"nova"``, ``"clb"``). It is
        the service id in catalog URLs
        (``/mimicking/<name>/<region>/...``), so a URL a test keeps stays
        valid across restarts. Names are unique among loaded plugins.
        """
    )

    def catalog_entries(tenant_id, regions):
        """
        The :class:`mimic.catalog.Entry` objects this API adds to the
        catalog of ``tenant_id``, with one endpoint in each of ``regions``
        (a tuple of region names the operator configured for this plugin).
        May be empty: a plugin can serve without appearing in catalogs.
        """

    def resource_for_region(region, uri_prefix, session_store):
        """
        An ``IResource`` serving this API in ``region``. ``uri_prefix`` is the
        absolute URL the resource is mounted at
        (``http://host/mimicking/<name>/<region>``), for building links in
        responses. ``session_store`` holds all state: use
        ``session_store.tenant(tenant_id).data_for_api(key, factory)``
        for per-tenant state and ``session_store.clock`` for time.
        Called per request; keep it cheap.
        """


class IPresetProvider(Interface):
    """
    An API that supports metadata presets (request-borne misbehaviour such as
    ``{"server_building": 120}``). Optional; adds to ``GET
    /mimic/v1.0/presets``.
    """

    def presets():
        """
        A JSON-serialisable mapping describing each preset this API
        understands, keyed by the group it belongs to (for example
        ``{"metadata": {"server_building": "seconds to stay in BUILD"}}``).
        """


class IRootMounts(Interface):
    """
    A plugin that serves paths outside ``/mimicking/`` (Fastly at
    ``/fastly``, the mesh at ``/mesh``, ``/metrics`` and
    ``/mimic/v1.1/mesh``). Optional.
    """

    def root_resources(core):
        """
        A mapping of path prefix (``"fastly"``, ``"mimic/v1.1/mesh"``: one
        or more segments, no leading slash) to the ``IResource`` serving
        everything below it. Called once at start-up with the
        :class:`mimic.core.MimicCore`; resources must read
        ``core.store`` and ``core.clock`` per request, since reset replaces
        them. A prefix already served by Mimic itself is refused. The empty
        prefix ``""`` takes over every path no mount serves, except Mimic's
        control plane under ``/mimic/`` (a standalone mesh pod at ``/``).
        """


class IResourceLister(Interface):
    """
    An API that can say what it holds, for the overview of
    ``GET /mimic/v1.1/tenants`` (and the dashboard that draws it). Optional.
    """

    def resources(session_store, regions):
        """
        The things this API keeps in ``session_store`` (in the plugin's
        ``regions``), as :class:`mimic.overview.ResourceSummary` objects.
        Must make no state: look only at what exists (see
        ``Tenant.known_data_for_api``), and say each thing's status as the
        API would show it now.
        """


class IControlPlaneDescriber(Interface):
    """
    A plugin with control routes of its own (the mesh's
    ``/mimic/v1.1/mesh``) that describes them for
    ``GET /mimic/v1.1/openapi.json``. Optional.
    """

    def openapi_paths():
        """
        OpenAPI 3.1 path items (``{"/mimic/v1.1/mesh": {"get": {...}}}``)
        of the routes it serves, answers and errors included: the suite
        fuzzes a live server against them.
        """
