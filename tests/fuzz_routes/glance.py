"""
Glance's routes that take a body, as the route fuzz sends them.
"""

from __future__ import annotations

#: (Klein app, method, rule) -> valid example bodies the fuzzer mutates.
ROUTES: dict[tuple[str, str, str], list] = {
    ("GlanceApi", "POST", "/v2/images"): [
        {"name": "img", "disk_format": "qcow2", "container_format": "bare",
         "visibility": "private", "tags": ["a"], "min_ram": 0, "owner_note": "x"}],
    ("GlanceApi", "POST", "/v2/images/<image_id>/import"): [
        {"method": {"name": "web-download", "uri": "http://127.0.0.1:1/x"}}],
    ("GlanceApi", "POST", "/v2/images/<image_id>/members"): [{"member": "other-tenant"}],
    ("GlanceApi", "PUT", "/v2/images/<image_id>/members/<member_id>"): [
        {"status": "accepted"}],
    ("GlanceApi", "POST", "/v2/tasks"): [
        {"type": "import", "input": {"import_from": "http://127.0.0.1:1/x",
                                     "import_from_format": "qcow2"}}],
    ("GlanceApi", "PATCH", "/v2/images/<image_id>"): [
        [{"op": "replace", "path": "/name", "value": "renamed"},
         {"op": "add", "path": "/extra", "value": "v"}]],
}

#: Routes that take no JSON body, and why they are not fuzzed here.
SKIPPED = {
    ("GlanceApi", "PUT", "/v2/images/<image_id>/file"): "image data, not JSON",
    ("GlanceApi", "PUT", "/v2/images/<image_id>/tags/<tag>"): "takes no body",
    ("GlanceApi", "PUT", "/v2/images/<image_id>/stage"): "image data, not JSON",
}
