"""
Fastly's routes that take a body, as the route fuzz sends them.
"""

from __future__ import annotations

FASTLY_KINDS = ("domain", "backend", "condition", "cache_settings", "response_object",
                "header")
FASTLY_OBJECTS = {
    "domain": {"name": "fuzz.example.com", "comment": "x"},
    "backend": {"name": "fuzz", "address": "127.0.0.1", "port": 80, "weight": 100},
    "condition": {"name": "fuzz", "statement": "req.url ~ \"^/\"", "type": "REQUEST"},
    "cache_settings": {"name": "fuzz", "action": "pass", "ttl": 10},
    "response_object": {"name": "fuzz", "status": 200, "content": "ok"},
    "header": {"name": "fuzz", "action": "set", "type": "request", "dst": "http.X",
               "src": "\"y\""},
}

#: (Klein app, method, rule) -> valid example bodies the fuzzer mutates.
ROUTES: dict[tuple[str, str, str], list] = {
    ("FastlyApi", "POST", "/service"): [{"name": "site", "comment": "c", "type": "vcl"}],
    ("FastlyApi", "PUT", "/service/<service_id>"): [{"name": "renamed", "comment": "c"}],
    ("FastlyApi", "POST", "/service/<service_id>/version"): [{}],
    ("FastlyApi", "PUT", "/service/<service_id>/version/<int:number>"): [{"comment": "v"}],
    ("FastlyApi", "PUT", "/service/<service_id>/version/<int:number>/clone"): [{}],
    ("FastlyApi", "PUT", "/service/<service_id>/version/<int:number>/activate"): [{}],
    ("FastlyApi", "PUT", "/service/<service_id>/version/<int:number>/deactivate"): [{}],
    ("FastlyApi", "PUT", "/service/<service_id>/version/<int:number>/lock"): [{}],
    ("FastlyApi", "PUT", "/service/<service_id>/version/<int:number>/settings"): [
        {"general.default_ttl": 60, "general.default_host": "x"}],
    ("FastlyApi", "POST", "/service/<service_id>/version/<int:number>/"
     "<any(domain,backend,condition,cache_settings,response_object,header):kind>"): [
        {**body, "name": "second"} for body in FASTLY_OBJECTS.values()],
    ("FastlyApi", "PUT", "/service/<service_id>/version/<int:number>/"
     "<any(domain,backend,condition,cache_settings,response_object,header):kind>/<name>"): [
        {"comment": "changed"}],
}

#: Routes that take no JSON body, and why they are not fuzzed here.
SKIPPED = {
    ("FastlyApi", "POST", "/purge/<path:url>"): "takes no body",
    ("FastlyApi", "POST", "/service/<service_id>/purge"): "takes no body",
    ("FastlyApi", "POST", "/service/<service_id>/purge/<surrogate_key>"): "takes no body",
    ("FastlyApi", "POST", "/service/<service_id>/purge_all"): "takes no body",
}
