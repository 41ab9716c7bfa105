"""
Keystone v3 federation records (``/identity/v3/OS-FEDERATION/``):
``identity_providers``, ``mappings`` and ``service_providers``, each made
by ``PUT`` at the id the client chooses, as Keystone's API reference
(api-ref/source/v3-ext/federation) has it. Stored and answered back only:
Mimic performs no federated authentication.
"""

from __future__ import annotations

import json
from typing import Any, Optional

from klein import Klein

from mimic.model.identity.federation import (
    DEFAULT_RELAY_STATE_PREFIX,
    IdentityProvider,
    Mapping,
    ServiceProvider,
)
from mimic.rest.http import RequestError, empty_response, install_error_handlers
from mimic.rest.identity_common import keystone_error_body
from mimic.rest.identity_v3_common import (
    MAX_DESCRIPTION,
    MAX_NAME,
    KeystoneRoutes,
    entity,
    filtered,
    flag,
    listing,
    set_given,
    single,
    text,
    unknown_fields,
    v3_url,
    whole_number,
)

#: Keystone's URL columns (``auth_url``, ``sp_url``) hold 256 characters.
MAX_URL = 256
#: How many remote ids one identity provider may list (Mimic's bound).
MAX_REMOTE_IDS = 64
#: How large a mapping's rules may be, as JSON (Mimic's bound).
MAX_RULES_BYTES = 65536
IDP_FIELDS = ("description", "enabled", "remote_ids", "domain_id", "authorization_ttl")
SP_FIELDS = ("auth_url", "sp_url", "description", "enabled", "relay_state_prefix")


class IdentityV3FederationApi(KeystoneRoutes):
    """``/identity/v3/OS-FEDERATION/...``."""

    app = Klein()

    @property
    def book(self) -> Any:
        return self.store.federation

    def _found(self, kind: str, records: dict, record_id: str) -> Any:
        return self.known(kind, records.get(record_id), record_id)

    def _body(self, request: Any, key: str, record_id: str, update: bool = False) -> dict:
        """
        The ``key`` object of the body, without an ``id`` that repeats the
        URL's (openstacksdk sends one; the URL names the record).
        """
        body = dict(entity(request, key, update=update))
        if body.pop("id", record_id) != record_id:
            raise RequestError(400, f"Invalid input for field '{key}.id': the id is the "
                               "one in the URL.")
        if update and not body:
            raise RequestError(400, f"Invalid input for field '{key}': a non-empty "
                               "object is required.")
        return body

    def _new_id(self, kind: str, record_id: str, records: dict) -> str:
        if not 0 < len(record_id) <= MAX_NAME:
            raise RequestError(400, f"Invalid {kind} id: 1 to {MAX_NAME} characters.")
        if record_id in records:
            raise RequestError(409, f"Conflict occurred attempting to store {kind} - "
                               f"Duplicate entry found with ID {record_id}.")
        return record_id

    # identity providers

    def _idp_json(self, request: Any, idp: IdentityProvider) -> dict:
        url = v3_url(request, f"OS-FEDERATION/identity_providers/{idp.id}")
        return {"id": idp.id, "domain_id": idp.domain_id, "description": idp.description,
                "enabled": idp.enabled, "remote_ids": list(idp.remote_ids),
                "authorization_ttl": idp.authorization_ttl,
                "links": {"self": url, "protocols": f"{url}/protocols"}}

    def _remote_ids(self, body: dict, idp_id: str) -> Optional[tuple]:
        value = body.get("remote_ids")
        if value is None:
            return None
        if (not isinstance(value, list) or len(value) > MAX_REMOTE_IDS
                or not all(isinstance(r, str) and 0 < len(r) <= MAX_NAME for r in value)):
            raise RequestError(400, "Invalid input for field 'identity_provider.remote_ids':"
                               f" a list of at most {MAX_REMOTE_IDS} strings is required.")
        for remote_id in value:
            owner = self.book.remote_id_owner(remote_id)
            if owner is not None and owner.id != idp_id:
                raise RequestError(409, "Conflict occurred attempting to store identity "
                                   f"provider - Duplicate remote ID: {remote_id}.")
        return tuple(dict.fromkeys(value))

    def _idp_fields(self, body: dict, idp: IdentityProvider) -> None:
        """Set what ``body`` names on ``idp`` (validated first: all or nothing)."""
        description = text(body, "description", "identity_provider",
                           limit=MAX_DESCRIPTION, empty=True)
        enabled = flag(body, "enabled", "identity_provider")
        remote_ids = self._remote_ids(body, idp.id)
        ttl = whole_number(body, "authorization_ttl", "identity_provider")
        set_given(idp, description=description, enabled=enabled, remote_ids=remote_ids)
        if "authorization_ttl" in body:
            idp.authorization_ttl = ttl

    @app.route("/OS-FEDERATION/identity_providers", methods=["GET"])
    def identity_providers(self, request: Any) -> bytes:
        self.caller(request)
        found = filtered(request, list(self.book.identity_providers.values()), {
            "id": lambda i: i.id, "enabled": lambda i: i.enabled})
        return listing(request, "identity_providers", found, self._idp_json)

    @app.route("/OS-FEDERATION/identity_providers/<idp_id>", methods=["PUT"])
    def create_identity_provider(self, request: Any, idp_id: str) -> bytes:
        self.admin(request, "create_identity_provider")
        body = self._body(request, "identity_provider", idp_id)
        unknown_fields(body, IDP_FIELDS, "identity_provider")
        records = self.book.identity_providers
        idp_id = self._new_id("identity provider", idp_id, records)
        domain_id = text(body, "domain_id", "identity_provider")
        if domain_id is not None:
            self.domain(domain_id)
        idp = IdentityProvider(idp_id, domain_id or "")
        self._idp_fields(body, idp)
        if domain_id is None:
            # Keystone makes a domain of the provider's own, named by its id.
            made = self.store.domain(self.store.ids.hex(32))
            made.description = ("Auto generated federated domain for Identity "
                                f"Provider: {idp_id}")
            idp.domain_id = made.id
        records[idp.id] = idp
        return single(request, "identity_provider", idp, self._idp_json, code=201)

    @app.route("/OS-FEDERATION/identity_providers/<idp_id>", methods=["GET"])
    def show_identity_provider(self, request: Any, idp_id: str) -> bytes:
        self.caller(request)
        idp = self._found("identity provider", self.book.identity_providers, idp_id)
        return single(request, "identity_provider", idp, self._idp_json)

    @app.route("/OS-FEDERATION/identity_providers/<idp_id>", methods=["PATCH"])
    def update_identity_provider(self, request: Any, idp_id: str) -> bytes:
        self.admin(request, "update_identity_provider")
        idp = self._found("identity provider", self.book.identity_providers, idp_id)
        body = self._body(request, "identity_provider", idp_id, update=True)
        unknown_fields(body, ("description", "enabled", "remote_ids", "authorization_ttl"),
                       "identity_provider")
        self._idp_fields(body, idp)
        return single(request, "identity_provider", idp, self._idp_json)

    @app.route("/OS-FEDERATION/identity_providers/<idp_id>", methods=["DELETE"])
    def delete_identity_provider(self, request: Any, idp_id: str) -> bytes:
        self.admin(request, "delete_identity_provider")
        self._found("identity provider", self.book.identity_providers, idp_id)
        del self.book.identity_providers[idp_id]
        return empty_response(request)

    @app.route("/OS-FEDERATION/identity_providers/<idp_id>/protocols", methods=["GET"])
    def protocols(self, request: Any, idp_id: str) -> bytes:
        self.caller(request)
        self._found("identity provider", self.book.identity_providers, idp_id)
        return listing(request, "protocols", [], lambda r, p: p)

    # mappings

    def _mapping_json(self, request: Any, mapping: Mapping) -> dict:
        return {"id": mapping.id, "rules": mapping.rules,
                "schema_version": mapping.schema_version,
                "links": {"self": v3_url(request, f"OS-FEDERATION/mappings/{mapping.id}")}}

    def _rules(self, body: dict, required: bool) -> Optional[list]:
        rules = body.get("rules")
        if rules is None and not required:
            return None
        # Keystone's mapping schema: a list of rules, each with "local"
        # and "remote" lists.
        if (not isinstance(rules, list) or not all(
                isinstance(r, dict) and isinstance(r.get("local"), list)
                and isinstance(r.get("remote"), list) for r in rules)
                or len(json.dumps(rules)) > MAX_RULES_BYTES):
            raise RequestError(400, "Invalid input for field 'mapping.rules': a list of "
                               "rules, each with 'local' and 'remote' lists, of at most "
                               f"{MAX_RULES_BYTES} bytes, is required.")
        return rules

    @app.route("/OS-FEDERATION/mappings", methods=["GET"])
    def mappings(self, request: Any) -> bytes:
        self.caller(request)
        return listing(request, "mappings", list(self.book.mappings.values()),
                       self._mapping_json)

    @app.route("/OS-FEDERATION/mappings/<mapping_id>", methods=["PUT"])
    def create_mapping(self, request: Any, mapping_id: str) -> bytes:
        self.admin(request, "create_mapping")
        body = self._body(request, "mapping", mapping_id)
        unknown_fields(body, ("rules", "schema_version"), "mapping")
        mapping_id = self._new_id("mapping", mapping_id, self.book.mappings)
        rules = self._rules(body, required=True)
        version = text(body, "schema_version", "mapping", limit=16) or "1.0"
        mapping = self.book.mappings[mapping_id] = Mapping(mapping_id, rules, version)
        return single(request, "mapping", mapping, self._mapping_json, code=201)

    @app.route("/OS-FEDERATION/mappings/<mapping_id>", methods=["GET"])
    def show_mapping(self, request: Any, mapping_id: str) -> bytes:
        self.caller(request)
        mapping = self._found("mapping", self.book.mappings, mapping_id)
        return single(request, "mapping", mapping, self._mapping_json)

    @app.route("/OS-FEDERATION/mappings/<mapping_id>", methods=["PATCH"])
    def update_mapping(self, request: Any, mapping_id: str) -> bytes:
        self.admin(request, "update_mapping")
        mapping = self._found("mapping", self.book.mappings, mapping_id)
        body = self._body(request, "mapping", mapping_id, update=True)
        unknown_fields(body, ("rules", "schema_version"), "mapping")
        rules = self._rules(body, required=False)
        version = text(body, "schema_version", "mapping", limit=16)
        set_given(mapping, rules=rules, schema_version=version)
        return single(request, "mapping", mapping, self._mapping_json)

    @app.route("/OS-FEDERATION/mappings/<mapping_id>", methods=["DELETE"])
    def delete_mapping(self, request: Any, mapping_id: str) -> bytes:
        self.admin(request, "delete_mapping")
        self._found("mapping", self.book.mappings, mapping_id)
        del self.book.mappings[mapping_id]
        return empty_response(request)

    # service providers

    def _sp_json(self, request: Any, sp: ServiceProvider) -> dict:
        return {"id": sp.id, "auth_url": sp.auth_url, "sp_url": sp.sp_url,
                "description": sp.description, "enabled": sp.enabled,
                "relay_state_prefix": sp.relay_state_prefix,
                "links": {"self": v3_url(request, f"OS-FEDERATION/service_providers/{sp.id}")}}

    def _sp_fields(self, body: dict, sp: ServiceProvider) -> None:
        set_given(
            sp, auth_url=text(body, "auth_url", "service_provider", limit=MAX_URL),
            sp_url=text(body, "sp_url", "service_provider", limit=MAX_URL),
            description=text(body, "description", "service_provider",
                             limit=MAX_DESCRIPTION, empty=True),
            enabled=flag(body, "enabled", "service_provider"),
            relay_state_prefix=text(body, "relay_state_prefix", "service_provider"))

    @app.route("/OS-FEDERATION/service_providers", methods=["GET"])
    def service_providers(self, request: Any) -> bytes:
        self.caller(request)
        found = filtered(request, list(self.book.service_providers.values()), {
            "id": lambda s: s.id, "enabled": lambda s: s.enabled})
        return listing(request, "service_providers", found, self._sp_json)

    @app.route("/OS-FEDERATION/service_providers/<sp_id>", methods=["PUT"])
    def create_service_provider(self, request: Any, sp_id: str) -> bytes:
        self.admin(request, "create_service_provider")
        body = self._body(request, "service_provider", sp_id)
        unknown_fields(body, SP_FIELDS, "service_provider")
        sp_id = self._new_id("service provider", sp_id, self.book.service_providers)
        # Keystone's schema requires both URLs at create.
        text(body, "auth_url", "service_provider", required=True, limit=MAX_URL)
        text(body, "sp_url", "service_provider", required=True, limit=MAX_URL)
        sp = ServiceProvider(sp_id, "", "", relay_state_prefix=DEFAULT_RELAY_STATE_PREFIX)
        self._sp_fields(body, sp)
        self.book.service_providers[sp_id] = sp
        return single(request, "service_provider", sp, self._sp_json, code=201)

    @app.route("/OS-FEDERATION/service_providers/<sp_id>", methods=["GET"])
    def show_service_provider(self, request: Any, sp_id: str) -> bytes:
        self.caller(request)
        sp = self._found("service provider", self.book.service_providers, sp_id)
        return single(request, "service_provider", sp, self._sp_json)

    @app.route("/OS-FEDERATION/service_providers/<sp_id>", methods=["PATCH"])
    def update_service_provider(self, request: Any, sp_id: str) -> bytes:
        self.admin(request, "update_service_provider")
        sp = self._found("service provider", self.book.service_providers, sp_id)
        body = self._body(request, "service_provider", sp_id, update=True)
        unknown_fields(body, SP_FIELDS, "service_provider")
        self._sp_fields(body, sp)
        return single(request, "service_provider", sp, self._sp_json)

    @app.route("/OS-FEDERATION/service_providers/<sp_id>", methods=["DELETE"])
    def delete_service_provider(self, request: Any, sp_id: str) -> bytes:
        self.admin(request, "delete_service_provider")
        self._found("service provider", self.book.service_providers, sp_id)
        del self.book.service_providers[sp_id]
        return empty_response(request)


install_error_handlers(IdentityV3FederationApi.app, keystone_error_body)
