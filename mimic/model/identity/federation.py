"""
Keystone's federation records (``/v3/OS-FEDERATION``): identity providers,
the mappings of their assertions to local users and groups, and service
providers. Mimic stores them for operators' tools to manage and read back;
no federated authentication happens (Mimic reaches nothing outside).
"""

from __future__ import annotations

from typing import Optional

import attrs

#: Keystone's ``[saml] relay_state_prefix`` default: a service provider's
#: prefix when none is given.
DEFAULT_RELAY_STATE_PREFIX = "ss:mem:"


@attrs.define(eq=False)
class IdentityProvider:
    """An identity provider: its users land in ``domain_id``."""

    id: str
    domain_id: str
    description: str = ""
    enabled: bool = False
    remote_ids: tuple = ()
    authorization_ttl: Optional[int] = None


@attrs.define(eq=False)
class Mapping:
    """A mapping's rules (kept as given) and its schema version."""

    id: str
    rules: list
    schema_version: str = "1.0"


@attrs.define(eq=False)
class ServiceProvider:
    """A Keystone that trusts this one's assertions."""

    id: str
    auth_url: str
    sp_url: str
    description: str = ""
    enabled: bool = False
    relay_state_prefix: str = DEFAULT_RELAY_STATE_PREFIX


@attrs.define
class FederationBook:
    """Every identity provider, mapping and service provider, by id."""

    identity_providers: dict = attrs.field(factory=dict)
    mappings: dict = attrs.field(factory=dict)
    service_providers: dict = attrs.field(factory=dict)

    def remote_id_owner(self, remote_id: str) -> Optional[IdentityProvider]:
        """The identity provider holding ``remote_id`` (Keystone keeps them unique)."""
        for provider in self.identity_providers.values():
            if remote_id in provider.remote_ids:
                return provider
        return None
