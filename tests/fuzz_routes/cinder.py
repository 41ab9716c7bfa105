"""
Block Storage's routes that take a body (Cinder v3 and its control API),
as the route fuzz sends them.
"""

from __future__ import annotations

#: (Klein app, method, rule) -> valid example bodies the fuzzer mutates.
ROUTES: dict[tuple[str, str, str], list] = {
    ("CinderApi", "POST", "/v3/<tenant_id>/volumes"): [
        {"volume": {"size": 1, "name": "v", "description": "d", "metadata": {"k": "v"},
                    "availability_zone": "nova"}}],
    ("CinderApi", "PUT", "/v3/<tenant_id>/volumes/<volume_id>"): [
        {"volume": {"name": "renamed", "description": "d", "metadata": {"a": "1"}}}],
    ("CinderApi", "POST", "/v3/<tenant_id>/volumes/<volume_id>/action"): [
        {"os-extend": {"new_size": 2}}, {"os-set_bootable": {"bootable": True}},
        {"os-reset_status": {"status": "available"}},
        {"os-set_image_metadata": {"metadata": {"k": "v"}}},
        {"os-unset_image_metadata": {"key": "k"}},
        {"os-update_readonly_flag": {"readonly": False}},
        {"os-attach": {"instance_uuid": "{server_id}", "mountpoint": "/dev/vdb"}},
        {"os-reserve": None}],
    ("CinderApi", "POST", "/v3/<tenant_id>/volumes/<volume_id>/metadata"): [
        {"metadata": {"a": "1", "b": "2"}}],
    ("CinderApi", "PUT", "/v3/<tenant_id>/volumes/<volume_id>/metadata"): [
        {"metadata": {"a": "1"}}],
    ("CinderApi", "POST", "/v3/<tenant_id>/snapshots"): [
        {"snapshot": {"volume_id": "{volume_id}", "name": "s", "description": "d",
                      "metadata": {"k": "v"}, "force": True}}],
    ("CinderApi", "PUT", "/v3/<tenant_id>/snapshots/<snapshot_id>"): [
        {"snapshot": {"name": "renamed", "description": "d"}}],
    ("CinderApi", "POST", "/v3/<tenant_id>/snapshots/<snapshot_id>/metadata"): [
        {"metadata": {"a": "1"}}],
    ("CinderApi", "PUT", "/v3/<tenant_id>/snapshots/<snapshot_id>/metadata"): [
        {"metadata": {"b": "2"}}],
    ("CinderApi", "POST", "/v3/<tenant_id>/attachments"): [
        {"attachment": {"volume_uuid": "{volume_id}", "instance_uuid": "{server_id}",
                        "connector": {"host": "h", "initiator": "i"}, "mode": "rw"}}],
    ("CinderApi", "PUT", "/v3/<tenant_id>/attachments/<attachment_id>"): [
        {"attachment": {"connector": {"host": "h", "initiator": "i"}}}],
    ("CinderApi", "POST", "/v3/<tenant_id>/attachments/<attachment_id>/action"): [
        {"os-complete": None}],
    ("CinderControlApi", "POST", "/v3/<tenant_id>/behaviors/<event>"): [
        {"name": "creating", "parameters": {"duration": 3},
         "criteria": [{"volume_name": "v.*"}, {"metadata": {"k": "v.*"}}]},
        {"name": "fail", "parameters": {"code": 413, "message": "no"}}],
}

#: Cinder's operator and sharing routes (volume types, QoS specs, group
#: types, groups, transfers, default types, quotas, services, snapshot
#: actions); without a microversion header they answer at 3.0, and the
#: fuzzer is no admin, so each refusal's shape is what is checked.
CINDER_ROUTES: dict[tuple[str, str, str], list] = {
    ("CinderApi", method, f"/v3/<tenant_id>/{rule}"): bodies for method, rule, bodies in [
        ("POST", "types", [{"volume_type": {"name": "fz", "extra_specs": {"a": "b"}}}]),
        ("PUT", "types/<type_id>", [{"volume_type": {"name": "fz2", "description": "d"}}]),
        ("POST", "types/<type_id>/extra_specs", [{"extra_specs": {"a": "b"}}]),
        ("PUT", "types/<type_id>/extra_specs/<key>", [{"k": "v"}]),
        ("POST", "types/<type_id>/action", [{"addProjectAccess": {"project": "p"}}]),
        ("POST", "types/<type_id>/encryption", [
            {"encryption": {"provider": "luks", "key_size": 256}}]),
        ("PUT", "types/<type_id>/encryption/<encryption_id>", [
            {"encryption": {"cipher": "aes-xts-plain64"}}]),
        ("POST", "qos-specs", [{"qos_specs": {"name": "q", "consumer": "back-end",
                                              "iops": "1"}}]),
        ("PUT", "qos-specs/<qos_id>", [{"qos_specs": {"iops": "2"}}]),
        ("PUT", "qos-specs/<qos_id>/delete_keys", [{"keys": ["iops"]}]),
        ("POST", "group_types", [{"group_type": {"name": "g"}}]),
        ("PUT", "group_types/<type_id>", [{"group_type": {"name": "g2"}}]),
        ("POST", "group_types/<type_id>/group_specs", [{"group_specs": {"a": "b"}}]),
        ("PUT", "group_types/<type_id>/group_specs/<key>", [{"k": "v"}]),
        ("POST", "groups", [{"group": {"name": "g", "group_type": "x",
                                       "volume_types": ["x"]}}]),
        ("PUT", "groups/<group_id>", [{"group": {"name": "n"}}]),
        ("POST", "groups/<group_id>/action", [{"delete": {"delete-volumes": True}}]),
        ("POST", "group_snapshots", [{"group_snapshot": {"group_id": "{group_id}"}}]),
        ("POST", "os-volume-transfer", [{"transfer": {"volume_id": "{volume_id}",
                                                      "name": "t"}}]),
        ("POST", "volume-transfers", [{"transfer": {"volume_id": "{volume_id}"}}]),
        ("POST", "os-volume-transfer/<transfer_id>/accept", [
            {"accept": {"auth_key": "wrong"}}]),
        ("POST", "volume-transfers/<transfer_id>/accept", [
            {"accept": {"auth_key": "wrong"}}]),
        ("PUT", "default-types/<project_id>", [{"default_type": {"volume_type": "x"}}]),
        ("PUT", "os-quota-sets/<project_id>", [{"quota_set": {"volumes": 5}}]),
        ("PUT", "os-services/<action>", [{"host": "devstack@lvmdriver-1",
                                          "binary": "cinder-volume"}]),
        ("POST", "snapshots/<snapshot_id>/action", [{"os-reset_status": {"status": "error"}}]),
    ]
}
ROUTES.update(CINDER_ROUTES)
