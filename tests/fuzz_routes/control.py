"""
The control plane's routes that take a body (``/mimic/v1.1/tick`` and the
state restore), as the route fuzz sends them.
"""

from __future__ import annotations

#: (Klein app, method, rule) -> valid example bodies the fuzzer mutates.
ROUTES: dict[tuple[str, str, str], list] = {
    ("MimicRoot", "POST", "/mimic/v1.1/tick"): [{"amount": 1.5}],
    ("MimicRoot", "PUT", "/mimic/v1.1/state"): ["{state}"],
}

#: Routes that take no JSON body, and why they are not fuzzed here.
SKIPPED = {
    ("MimicRoot", "POST", "/mimic/v1.1/reset"): "takes no body; forgets everything",
}
