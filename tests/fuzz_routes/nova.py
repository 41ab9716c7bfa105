"""
Nova's routes that take a body, and its control API's, as the route fuzz
sends them; the operator routes (admins only) apart, for the
``nova-operator`` group.
"""

from __future__ import annotations

from tests.fuzz_routes.neutron import PUBLIC_NETWORK

UBUNTU = "a1b2c3d4-0001-4e6f-8a9b-0c1d2e3f4a01"
SERVER = {"server": {"name": "web", "imageRef": UBUNTU, "flavorRef": "2",
                     "metadata": {"env": "test"}, "max_count": 2, "min_count": 1,
                     "networks": [{"uuid": PUBLIC_NETWORK}]}}
BEHAVIOR = {"name": "fail", "parameters": {"code": 418, "message": "no"},
            "criteria": [{"server_name": "web-.*"}, {"metadata": {"env": "t.*"}}]}

#: (Klein app, method, rule) -> valid example bodies the fuzzer mutates.
ROUTES: dict[tuple[str, str, str], list] = {
    ("NovaApi", "POST", "/v2/<tenant_id>/servers"): [SERVER],
    ("NovaApi", "POST", "/v2.1/<tenant_id>/servers"): [SERVER],
    ("NovaApi", "PUT", "/v2/<tenant_id>/servers/<server_id>"): [
        {"server": {"name": "renamed", "accessIPv4": "192.0.2.1"}}],
    ("NovaApi", "PUT", "/v2.1/<tenant_id>/servers/<server_id>"): [
        {"server": {"name": "renamed"}}],
    ("NovaApi", "POST", "/v2/<tenant_id>/servers/<server_id>/os-interface"): [
        {"interfaceAttachment": {"net_id": PUBLIC_NETWORK}}],
    ("NovaApi", "POST", "/v2.1/<tenant_id>/servers/<server_id>/os-interface"): [
        {"interfaceAttachment": {"net_id": PUBLIC_NETWORK}}],
    ("NovaApi", "POST", "/v2/<tenant_id>/servers/<server_id>/metadata"): [
        {"metadata": {"a": "1", "b": "2"}}],
    ("NovaApi", "PUT", "/v2/<tenant_id>/servers/<server_id>/metadata"): [
        {"metadata": {"a": "1"}}],
    ("NovaApi", "POST", "/v2.1/<tenant_id>/servers/<server_id>/metadata"): [
        {"metadata": {"a": "1"}}],
    ("NovaApi", "PUT", "/v2.1/<tenant_id>/servers/<server_id>/metadata"): [
        {"metadata": {"a": "1"}}],
    ("NovaApi", "PUT", "/v2/<tenant_id>/servers/<server_id>/metadata/<key>"): [
        {"meta": {"k": "v"}}],
    ("NovaApi", "PUT", "/v2.1/<tenant_id>/servers/<server_id>/metadata/<key>"): [
        {"meta": {"k": "v"}}],
    ("NovaApi", "POST", "/v2/<tenant_id>/servers/<server_id>/action"): [
        {"reboot": {"type": "SOFT"}}, {"resize": {"flavorRef": "3"}}, {"lock": None},
        {"createImage": {"name": "snap", "metadata": {}}}, {"changePassword": {
            "adminPass": "x"}}, {"rebuild": {"imageRef": UBUNTU, "name": "again"}},
        {"addFixedIp": {"networkId": PUBLIC_NETWORK}}, {"os-stop": None}],
    ("NovaApi", "POST", "/v2.1/<tenant_id>/servers/<server_id>/action"): [
        {"pause": None}, {"confirmResize": None}, {"unlock": None}],
    ("NovaApi", "POST", "/v2/<tenant_id>/os-keypairs"): [{"keypair": {"name": "k1"}}],
    ("NovaApi", "PUT", "/v2/<tenant_id>/servers/<server_id>/tags"): [{"tags": ["a", "b"]}],
    ("NovaApi", "PUT", "/v2.1/<tenant_id>/servers/<server_id>/tags"): [{"tags": ["c"]}],
    ("NovaApi", "POST", "/v2/<tenant_id>/os-security-groups"): [
        {"security_group": {"name": "g", "description": "d"}}],
    ("NovaApi", "POST", "/v2.1/<tenant_id>/os-security-groups"): [
        {"security_group": {"name": "h", "description": "d"}}],
    ("NovaApi", "PUT", "/v2/<tenant_id>/os-security-groups/<group_id>"): [
        {"security_group": {"name": "renamed", "description": "d"}}],
    ("NovaApi", "PUT", "/v2.1/<tenant_id>/os-security-groups/<group_id>"): [
        {"security_group": {"name": "renamed", "description": "d"}}],
    ("NovaApi", "POST", "/v2/<tenant_id>/os-security-group-rules"): [
        {"security_group_rule": {"parent_group_id": "{group_id}", "ip_protocol": "tcp",
                                 "from_port": 22, "to_port": 22, "cidr": "0.0.0.0/0"}}],
    ("NovaApi", "POST", "/v2.1/<tenant_id>/os-security-group-rules"): [
        {"security_group_rule": {"parent_group_id": "{group_id}", "ip_protocol": "udp",
                                 "from_port": 53, "to_port": 53, "cidr": "10.0.0.0/8"}}],
    ("NovaApi", "POST", "/v2/<tenant_id>/os-floating-ips"): [{"pool": "public"}],
    ("NovaApi", "POST", "/v2.1/<tenant_id>/os-floating-ips"): [{"pool": "public"}],
    ("NovaApi", "POST", "/v2.1/<tenant_id>/os-keypairs"): [{"keypair": {"name": "k2"}}],
    ("NovaControlApi", "POST", "/v2/<tenant_id>/behaviors/<event>"): [
        BEHAVIOR, {"name": "sequence", "parameters": {"behaviors": [
            {"name": "build", "parameters": {"duration": 3}}, {"name": "default"}]}}],
    ("NovaControlApi", "POST", "/v2/<tenant_id>/attributes"): [
        {"status": {"{server_id}": "ERROR"}}],
    # Nova's image metadata, server groups, volume attachments and consoles.
    **{("NovaApi", method, f"/{version}/<tenant_id>/{rule}"): examples
       for version in ("v2", "v2.1")
       for method, rule, examples in [
           ("POST", "images/<image_id>/metadata", [{"metadata": {"a": "1", "b": "2"}}]),
           ("PUT", "images/<image_id>/metadata", [{"metadata": {"a": "1"}}]),
           ("PUT", "images/<image_id>/metadata/<key>", [{"meta": {"k": "v"}}]),
           ("POST", "os-server-groups", [
               {"server_group": {"name": "g", "policies": ["anti-affinity"]}}]),
           ("POST", "servers/<server_id>/os-volume_attachments", [
               {"volumeAttachment": {"volumeId": "{volume_id}", "device": "/dev/vdb"}}]),
           ("POST", "servers/<server_id>/remote-consoles", [
               {"remote_console": {"protocol": "vnc", "type": "novnc"}}]),
       ]},
}

#: Nova's operator routes (admins only): fuzzed by the ``nova-operator``
#: group, whose world sends an admin's token, so their bodies are read.
OPERATOR_ROUTES: dict[tuple[str, str, str], list] = {
    ("NovaApi", method, f"/{version}/<tenant_id>/{rule}"): examples
    for version in ("v2", "v2.1")
    for method, rule, examples in [
        ("POST", "flavors", [{"flavor": {"name": "fz", "ram": 512, "vcpus": 1, "disk": 1,
                                         "os-flavor-access:is_public": False}}]),
        ("PUT", "flavors/<flavor_id>", [{"flavor": {"description": "d"}}]),
        ("POST", "flavors/<flavor_id>/action", [{"addTenantAccess": {"tenant": "p1"}},
                                                 {"removeTenantAccess": {"tenant": "p1"}}]),
        ("POST", "flavors/<flavor_id>/os-extra_specs", [{"extra_specs": {"a": "b"}}]),
        ("PUT", "flavors/<flavor_id>/os-extra_specs/<key>", [{"k": "v"}]),
        ("POST", "os-aggregates", [{"aggregate": {"name": "fz",
                                                  "availability_zone": "z"}}]),
        ("PUT", "os-aggregates/<aggregate_id>", [{"aggregate": {"name": "fz2"}}]),
        ("POST", "os-aggregates/<aggregate_id>/action", [
            {"add_host": {"host": "{host}"}}, {"remove_host": {"host": "{host}"}},
            {"set_metadata": {"metadata": {"a": "b", "c": None}}}]),
        ("PUT", "os-quota-sets/<project_id>", [{"quota_set": {"instances": 20,
                                                              "force": True}}]),
        ("PUT", "os-services/<service_id>", [
            {"host": "{host}", "binary": "nova-compute", "disabled_reason": "r"}]),
        ("PUT", "servers/<server_id>/os-volume_attachments/<volume_id>", [
            {"volumeAttachment": {"volumeId": "{volume_id}"}}]),
    ]
}

#: Routes that take no JSON body, and why they are not fuzzed here.
SKIPPED = {
    ("NovaApi", "PUT", "/v2/<tenant_id>/servers/<server_id>/tags/<tag>"): "takes no body",
    ("NovaApi", "PUT", "/v2.1/<tenant_id>/servers/<server_id>/tags/<tag>"): "takes no body",
}
