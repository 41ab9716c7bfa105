"""
The dashboard and the overview it draws: ``GET /mimic/v1.1/tenants`` lists
what each tenant holds per API (made through the real APIs here), and the
page at ``/mimic/dashboard/``, loaded in a real headless Chromium (Debian's
``chromium`` and ``chromedriver``, driven by selenium; no browser is ever
downloaded), shows a server made through the API, ticks the clock from its
buttons, and adds and removes behaviors. A screenshot is written to
``test-artifacts/dashboard.png`` (or ``$MIMIC_TEST_ARTIFACTS``).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.harness import MimicClient

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = Path(os.environ.get("MIMIC_TEST_ARTIFACTS", ROOT / "test-artifacts"))
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
DEBIAN = "a1b2c3d4-0003-4e6f-8a9b-0c1d2e3f4a03"
WAIT_SECONDS = 15


def compute_of(mimic: MimicClient, username: str) -> tuple:
    access = mimic.authenticate(username)
    return (access["token"]["id"], mimic.endpoint(access, "compute", "ORD"),
            access["token"]["tenant"]["id"])


def create_server(mimic: MimicClient, username: str, name: str, metadata=None) -> dict:
    token, url, _ = compute_of(mimic, username)
    body = {"server": {"name": name, "imageRef": DEBIAN, "flavorRef": "2",
                       "metadata": metadata or {}}}
    response = mimic.post(f"{url}/servers", json=body, headers={"X-Auth-Token": token})
    assert response.status_code == 202, response.text
    return response.json()["server"]


def tenant_of(overview: dict, tenant_id: str) -> dict:
    (tenant,) = [t for t in overview["tenants"] if t["id"] == tenant_id]
    return tenant


def test_overview_lists_each_tenants_servers_load_balancers_and_fastly_services(mimic):
    server = create_server(mimic, "ada", "web-1", {"server_building": 30})
    _, _, ada = compute_of(mimic, "ada")
    access = mimic.authenticate("bob")
    clb = mimic.endpoint(access, "rax:load-balancer", "DFW")
    lb = mimic.post(f"{clb}/loadbalancers", json={"loadBalancer": {
        "name": "front", "protocol": "HTTP", "virtualIps": [{"type": "PUBLIC"}],
        "nodes": [{"address": "10.1.1.1", "port": 80, "condition": "ENABLED"}]}})
    assert lb.status_code == 202, lb.text
    service = mimic.post("/fastly/service", data={"name": "cdn"},
                         headers={"Fastly-Key": "k1"})
    assert service.status_code == 200, service.text

    overview = mimic.get("/mimic/v1.1/tenants").json()
    assert overview["now"] == "1970-01-01T00:00:00.000000Z"
    assert tenant_of(overview, ada)["users"] == ["ada"]
    assert tenant_of(overview, ada)["resources"] == {"nova": [{
        "kind": "server", "id": server["id"], "name": "web-1", "status": "BUILD",
        "region": "ORD"}]}
    bob = tenant_of(overview, access["token"]["tenant"]["id"])
    assert bob["resources"] == {"clb": [{
        "kind": "load balancer", "id": str(lb.json()["loadBalancer"]["id"]),
        "name": "front", "status": "ACTIVE", "region": "DFW"}]}
    (account,) = overview["accounts"]
    assert account["api"] == "fastly"
    assert account["resources"] == [{"kind": "service", "id": service.json()["id"],
                                     "name": "cdn", "status": "inactive", "region": None}]

    mimic.tick(30)
    later = mimic.get("/mimic/v1.1/tenants").json()
    assert tenant_of(later, ada)["resources"]["nova"][0]["status"] == "ACTIVE"


def test_overview_makes_no_state(mimic):
    # A tenant that only authenticated holds nothing, and looking at the
    # overview does not make Nova or CLB state for it.
    _, _, tenant_id = compute_of(mimic, "carol")
    for _ in range(2):
        overview = mimic.get("/mimic/v1.1/tenants").json()
        assert tenant_of(overview, tenant_id)["resources"] == {}
    assert overview["accounts"] == []


def test_dashboard_files_are_served_and_others_are_a_json_404(mimic):
    page = mimic.get("/mimic/dashboard/")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert '<script src="dashboard.js">' in page.text
    assert mimic.get("/mimic/dashboard/dashboard.js").headers["content-type"].startswith(
        "text/javascript")
    assert mimic.get("/mimic/dashboard", allow_redirects=False).headers["location"].endswith(
        "/mimic/dashboard/")
    missing = mimic.get("/mimic/dashboard/secrets.txt")
    assert missing.status_code == 404
    assert missing.json()["itemNotFound"]["code"] == 404
    # Nothing in the page is fetched from outside the machine.
    for name in ("", "dashboard.js", "dashboard.css"):
        text = mimic.get(f"/mimic/dashboard/{name}").text
        assert "https://" not in text and "http://" not in text.replace(
            "http://www.w3.org/2000/svg", "")


@pytest.fixture
def browser():
    if not (os.path.exists(CHROMIUM) and os.path.exists(CHROMEDRIVER)):
        pytest.skip("needs Debian's chromium and chromium-driver "
                    "(.ci/run installs them: apt-get install chromium chromium-driver)")
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless", "--no-sandbox", "--disable-gpu",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
                 "--window-size=1400,1200"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    # The driver is given, so selenium's manager has nothing to download.
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER),
                              options=options)
    driver.set_page_load_timeout(WAIT_SECONDS)
    yield driver
    driver.quit()


def test_dashboard_shows_a_new_server_and_ticks_the_clock(browser, mimic_factory):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select, WebDriverWait

    server = mimic_factory("--quiet", "--mesh", str(ROOT / "examples" / "servicemock.yaml"))
    mimic = server.client()
    wait = WebDriverWait(browser, WAIT_SECONDS)

    def text_of(selector: str) -> str:
        return browser.find_element(By.CSS_SELECTOR, selector).text

    browser.get(f"{server.base_url}/mimic/dashboard/")
    wait.until(lambda _: text_of("#clock-now") == "1970-01-01T00:00:00.000000Z")

    made = create_server(mimic, "dash", "from-the-api", {"server_building": 60})
    tenant_id = compute_of(mimic, "dash")[2]
    row = f'#tenants tr[data-id="{made["id"]}"]'
    wait.until(lambda _: browser.find_elements(By.CSS_SELECTOR, row))
    assert text_of(f"{row} .name") == "from-the-api"
    assert text_of(f"{row} .status") == "BUILD"

    browser.find_element(By.CSS_SELECTOR, '#tick-buttons button[data-seconds="60"]').click()
    wait.until(lambda _: text_of("#clock-now") == "1970-01-01T00:01:00.000000Z")
    wait.until(lambda _: text_of(f"{row} .status") == "ACTIVE")
    assert mimic.tick(0)["now"] == "1970-01-01T00:01:00.000000Z"

    # Behaviors: Identity's auth event, added and removed from the page.
    Select(browser.find_element(By.ID, "behavior-api")).select_by_visible_text("identity")
    browser.find_element(By.CSS_SELECTOR, "#behavior-target button").click()
    wait.until(lambda _: "0 registered" in text_of("#behavior-message"))
    browser.find_element(By.CSS_SELECTOR, "#behavior-add button").click()
    wait.until(lambda _: text_of("#behavior-message").startswith("Added "))
    registered = mimic.behaviors("identity").list("auth")
    assert [b["name"] for b in registered] == ["fail"]
    browser.find_element(By.CSS_SELECTOR, f'#behavior-list li[data-id="{registered[0]["id"]}"]'
                                          " button").click()
    wait.until(lambda _: text_of("#behavior-message").startswith("Removed "))
    assert mimic.behaviors("identity").list("auth") == []

    # Nova's, for the tenant the page fills in (the first it lists) in ORD.
    Select(browser.find_element(By.ID, "behavior-api")).select_by_visible_text("nova-control")
    assert browser.find_element(By.ID, "behavior-tenant").get_attribute("value") == tenant_id
    event = browser.find_element(By.ID, "behavior-event")
    event.clear()
    event.send_keys("creation")
    browser.find_element(By.CSS_SELECTOR, "#behavior-add button").click()
    wait.until(lambda _: text_of("#behavior-message").startswith("Added "))
    (added,) = mimic.behaviors("nova", tenant_id=tenant_id).list("creation")
    assert added["name"] == "fail"

    # The journal and the mesh graph: drawn where this Mimic has them, "not
    # available" where it does not.
    assert mimic.get("/mesh/service4/@service1/x").status_code == 200
    if mimic.get("/mimic/v1.1/requests").status_code == 404:
        wait.until(lambda _: "not available" in text_of("#journal"))
    else:
        wait.until(lambda _: "/mesh/service4/@service1/x" in text_of("#journal"))
    if mimic.get("/mimic/v1.1/mesh/graph").status_code == 404:
        wait.until(lambda _: "not available" in text_of("#mesh-graph"))
    else:
        wait.until(lambda _: browser.find_elements(
            By.CSS_SELECTOR, '#mesh-graph circle.mesh-node[data-service="service1"]'))
        wait.until(lambda _: "1 req" in text_of("#mesh-graph"))

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shot = ARTIFACTS / "dashboard.png"
    assert browser.save_screenshot(str(shot))
    assert shot.stat().st_size > 10_000

    # No script error (a 404 of a missing optional route is not one).
    errors = [entry["message"] for entry in browser.get_log("browser")
              if entry["level"] == "SEVERE" and "404" not in entry["message"]]
    assert errors == []
