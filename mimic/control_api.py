"""
What every control API of an emulated API has in common as a plugin
(Nova's, CLB's, Cinder's): it steers another API's behaviors, so it keeps no
state of its own, sends no request ids and needs no credential; a URL of
another tenant is refused as the control plane refuses it (403).
"""

from __future__ import annotations

from typing import Any


class SteeringApi:
    """
    The site's wire conventions and the snapshot contract for a control API;
    a subclass adds its name, ``error_body``, catalog entries and resource.
    """

    request_id_headers: tuple = ()
    credential_header = None
    wrong_tenant_status = 403

    def owns_state(self, key: Any) -> bool:
        # What this API steers is kept in the state of the API it steers.
        return False

    def replayable(self, method: bytes, path: bytes) -> bool:
        return True
