"""
Plugin discovery: third-party plugins join the catalog, a broken plugin
stops start-up with its traceback, and regions are configurable per plugin.
"""

from __future__ import annotations

import textwrap

import pytest
from zope.interface.verify import verifyObject

from mimic.core import load_api_plugins
from mimic.imimic import IAPIMock
from tests.harness import MimicDidNotStart

EXTRA_PLUGIN = '''
from zope.interface import implementer
from klein import Klein
from mimic.catalog import Endpoint, Entry
from mimic.imimic import IAPIMock


class Echo:
    app = Klein()

    def __init__(self, region):
        self.region = region

    @app.route("/<tenant>/hello")
    def hello(self, request, tenant):
        return f"hello {tenant} from {self.region}".encode()


@implementer(IAPIMock)
class EchoApi:
    name = "echo"

    def catalog_entries(self, tenant_id, regions):
        return [Entry(tenant_id, "echo", "echoService",
                      [Endpoint(region, f"v1/{tenant_id}") for region in regions])]

    def resource_for_region(self, region, uri_prefix, session_store):
        return Echo(region).app.resource()


echo = EchoApi()
'''


def plugin_dir(tmp_path, source, filename="extra_plugin.py"):
    folder = tmp_path / "mimic" / "plugins"
    folder.mkdir(parents=True)
    (folder / filename).write_text(textwrap.dedent(source))
    return str(tmp_path)


def test_every_bundled_plugin_provides_the_contract():
    apis = load_api_plugins()
    for api in apis:
        assert verifyObject(IAPIMock, api)
    assert len({api.name for api in apis}) == len(apis)


def test_third_party_plugin_joins_the_catalog_and_serves(mimic_factory, tmp_path):
    path = plugin_dir(tmp_path, EXTRA_PLUGIN)
    server = mimic_factory(env={"PYTHONPATH": path})
    client = server.client()
    access = client.authenticate(tenant_id="42")
    url = client.endpoint(access, "echo", "SYD")
    assert url == f"{server.base_url}/mimicking/echo/SYD/v1/42"
    response = client.get(url.rsplit("/", 2)[0] + "/42/hello")
    assert response.text == "hello 42 from SYD"


def test_plugin_regions_limit_where_a_plugin_is_offered(mimic_factory, tmp_path):
    path = plugin_dir(tmp_path, EXTRA_PLUGIN)
    # A region of --plugin-regions must be declared in --regions first.
    server = mimic_factory("--regions", "ORD,LON,XYZ", "--plugin-regions", "echo=LON,XYZ",
                           env={"PYTHONPATH": path})
    client = server.client()
    access = client.authenticate()
    regions = [e["region"] for s in access["serviceCatalog"] if s["type"] == "echo"
               for e in s["endpoints"]]
    assert regions == ["LON", "XYZ"]
    assert client.get("/mimicking/echo/ORD/1/hello").status_code == 404
    assert client.get("/mimicking/echo/XYZ/1/hello").status_code == 200


def test_service_ids_in_urls_are_stable_across_restarts(mimic_factory, tmp_path):
    path = plugin_dir(tmp_path, EXTRA_PLUGIN)
    urls = []
    for _ in range(2):
        server = mimic_factory(env={"PYTHONPATH": path})
        client = server.client()
        url = client.endpoint(client.authenticate(tenant_id="1"), "echo")
        urls.append(url.replace(server.base_url, ""))
        server.stop()
    assert urls[0] == urls[1] == "/mimicking/echo/ORD/v1/1"


def test_broken_plugin_stops_start_up_with_its_traceback(tmp_path):
    from tests.harness import start_mimic

    path = plugin_dir(tmp_path, "import no_such_module_anywhere\n", "broken_plugin.py")
    with pytest.raises(MimicDidNotStart) as started:
        start_mimic(env={"PYTHONPATH": path})
    log = str(started.value)
    assert "Traceback" in log
    assert "no_such_module_anywhere" in log


def test_regions_for_an_unknown_plugin_stop_start_up():
    from tests.harness import start_mimic

    with pytest.raises(MimicDidNotStart) as started:
        start_mimic("--plugin-regions", "nonexistent=ORD")
    assert "nonexistent" in str(started.value)
