"""
Trunks over real sockets and openstacksdk, with the trunk plugin's rules
(``neutron/services/trunk/``, its exceptions ``TrunkPortInUse``,
``DuplicateSubPort``, ``SubPortNotFound``, ``TrunkInUse``,
``PortInUseAsTrunkParent``, ``PortInUseAsSubPort``): a port is in one
trunk at a time, a VLAN id once per trunk, and neither a bound trunk nor a
port in a trunk is deleted.
"""

from __future__ import annotations

import openstack
import pytest

from tests.neutron_support import PRIVATE, assert_neutron_error, neutron  # noqa: F401


def port(neutron, **fields):
    return neutron.ok("POST", "/ports", 201, json={"port": {"network_id": PRIVATE,
                                                            **fields}})["port"]


def test_trunk_with_subports_added_listed_and_removed(neutron):
    parent, child, other = port(neutron), port(neutron), port(neutron)
    trunk = neutron.ok("POST", "/trunks", 201, json={"trunk": {
        "port_id": parent["id"], "name": "t", "sub_ports": [
            {"port_id": child["id"], "segmentation_type": "vlan", "segmentation_id": 100}]}})[
        "trunk"]
    assert trunk["status"] == "DOWN" and trunk["port_id"] == parent["id"]
    assert trunk["sub_ports"] == [{"port_id": child["id"], "segmentation_type": "vlan",
                                   "segmentation_id": 100}]
    added = neutron.ok("PUT", f"/trunks/{trunk['id']}/add_subports", json={"sub_ports": [
        {"port_id": other["id"], "segmentation_type": "vlan", "segmentation_id": 200}]})
    assert [s["segmentation_id"] for s in added["sub_ports"]] == [100, 200]
    listed = neutron.ok("GET", f"/trunks/{trunk['id']}/get_subports")["sub_ports"]
    assert [s["port_id"] for s in listed] == [child["id"], other["id"]]
    removed = neutron.ok("PUT", f"/trunks/{trunk['id']}/remove_subports",
                         json={"sub_ports": [{"port_id": child["id"]}]})
    assert [s["port_id"] for s in removed["sub_ports"]] == [other["id"]]
    assert_neutron_error(neutron.put(f"/trunks/{trunk['id']}/remove_subports", json={
        "sub_ports": [{"port_id": child["id"]}]}), 404, "SubPortNotFound")
    assert [t["id"] for t in neutron.ok("GET", "/trunks?name=t")["trunks"]] == [trunk["id"]]


def test_ports_in_a_trunk_stay_and_a_bound_trunk_stays(neutron):
    parent, child = port(neutron), port(neutron)
    trunk = neutron.ok("POST", "/trunks", 201, json={"trunk": {
        "port_id": parent["id"], "sub_ports": [
            {"port_id": child["id"], "segmentation_type": "vlan", "segmentation_id": 7}]}})[
        "trunk"]
    assert_neutron_error(neutron.delete(f"/ports/{parent['id']}"), 409,
                         "PortInUseAsTrunkParent")
    assert_neutron_error(neutron.delete(f"/ports/{child['id']}"), 409, "PortInUseAsSubPort")
    neutron.ok("PUT", f"/ports/{parent['id']}", json={"port": {"device_id": "vm-9",
                                                               "device_owner": "compute:nova"}})
    assert neutron.ok("GET", f"/trunks/{trunk['id']}")["trunk"]["status"] == "ACTIVE"
    assert_neutron_error(neutron.delete(f"/trunks/{trunk['id']}"), 409, "TrunkInUse")
    neutron.ok("PUT", f"/ports/{parent['id']}", json={"port": {"device_id": ""}})
    assert neutron.delete(f"/trunks/{trunk['id']}").status_code == 204
    assert neutron.delete(f"/ports/{child['id']}").status_code == 204


@pytest.mark.parametrize("sub_port, code, kind", [
    ({"segmentation_type": "vlan", "segmentation_id": 5000}, 400, "HTTPBadRequest"),
    ({"segmentation_type": "vxlan", "segmentation_id": 5}, 400, "HTTPBadRequest"),
    ({"segmentation_type": "vlan", "segmentation_id": 100}, 409, "DuplicateSubPort"),
    ({"port_id": "parent", "segmentation_type": "vlan", "segmentation_id": 9}, 409,
     "TrunkPortInUse"),
    ({"port_id": "nope", "segmentation_type": "vlan", "segmentation_id": 9}, 404,
     "PortNotFound"),
])
def test_bad_subports_are_refused_and_change_nothing(neutron, sub_port, code, kind):
    parent, child, extra = port(neutron), port(neutron), port(neutron)
    trunk = neutron.ok("POST", "/trunks", 201, json={"trunk": {
        "port_id": parent["id"], "sub_ports": [
            {"port_id": child["id"], "segmentation_type": "vlan", "segmentation_id": 100}]}})[
        "trunk"]
    entry = {"port_id": extra["id"], **sub_port}
    if entry["port_id"] == "parent":
        entry["port_id"] = parent["id"]
    assert_neutron_error(neutron.put(f"/trunks/{trunk['id']}/add_subports",
                                     json={"sub_ports": [entry]}), code, kind)
    assert neutron.ok("GET", f"/trunks/{trunk['id']}")["trunk"]["sub_ports"] == \
        trunk["sub_ports"]


def test_a_port_is_the_parent_of_one_trunk(neutron):
    parent = port(neutron)
    neutron.ok("POST", "/trunks", 201, json={"trunk": {"port_id": parent["id"]}})
    assert_neutron_error(neutron.post("/trunks", json={"trunk": {"port_id": parent["id"]}}),
                         409, "TrunkPortInUse")
    assert_neutron_error(neutron.post("/trunks", json={"trunk": {}}), 400)
    assert len(neutron.ok("GET", "/trunks")["trunks"]) == 1


def test_openstacksdk_trunk_flow(mimic):
    conn = openstack.connect(
        auth_url=mimic.base_url + "/identity/v2.0", username="trunk-user", password="secret",
        project_name="trunk-project", identity_api_version="2", region_name="ORD")
    try:
        parent = conn.network.create_port(network_id=PRIVATE)
        child = conn.network.create_port(network_id=PRIVATE)
        trunk = conn.network.create_trunk(port_id=parent.id, name="sdk-trunk")
        conn.network.add_trunk_subports(trunk, [{"port_id": child.id,
                                                 "segmentation_type": "vlan",
                                                 "segmentation_id": 42}])
        subports = conn.network.get_trunk_subports(trunk)["sub_ports"]
        assert [s["segmentation_id"] for s in subports] == [42]
        conn.network.delete_trunk_subports(trunk, [{"port_id": child.id}])
        conn.network.delete_trunk(trunk)
        assert list(conn.network.trunks()) == []
    finally:
        conn.close()


def test_a_trunks_parent_port_shows_its_trunk_details(mimic):
    # neutron-lib neutron_lib/api/definitions/trunk_details.py (alias
    # trunk-details) and neutron/services/trunk/plugin.py
    # _extend_port_trunk_details: on the parent port only, the trunk's id
    # and its subports with their MACs; in shows and in lists.
    conn = openstack.connect(
        auth_url=mimic.base_url + "/identity/v2.0", username="details-user",
        password="secret", project_name="details-project", identity_api_version="2",
        region_name="ORD")
    try:
        assert "trunk-details" in {e.alias for e in conn.network.extensions()}
        parent = conn.network.create_port(network_id=PRIVATE)
        child = conn.network.create_port(network_id=PRIVATE)
        assert conn.network.get_port(parent.id).trunk_details is None
        trunk = conn.network.create_trunk(port_id=parent.id, sub_ports=[{
            "port_id": child.id, "segmentation_type": "vlan", "segmentation_id": 100}])
        expected = {"trunk_id": trunk.id, "sub_ports": [{
            "port_id": child.id, "segmentation_type": "vlan", "segmentation_id": 100,
            "mac_address": child.mac_address}]}
        assert conn.network.get_port(parent.id).trunk_details == expected
        listed = {p.id: p.trunk_details for p in conn.network.ports()}
        assert listed[parent.id] == expected and listed[child.id] is None
        conn.network.delete_trunk(trunk)
        assert conn.network.get_port(parent.id).trunk_details is None
    finally:
        conn.close()
