"""
Nova's keypair routes (``os-keypairs``), per microversion: from 2.2 a
keypair has a ``type`` (``ssh`` or ``x509``) and create/delete answer 201/204
instead of 200/202; from 2.10 a ``user_id`` may name whose keypairs are
meant (only one's own without the admin role: Nova's policy 403); from
2.92 Nova no longer generates keypairs (``public_key`` is required) and
names may hold ``@`` and ``.``.
"""

from __future__ import annotations

from typing import Any, Optional

from mimic.model.keypairs import Keypair
from mimic.model.nova import ComputeRegion
from mimic.rest.http import RequestError, empty_response, json_response, read_json
from mimic.rest.nova_json import (
    invalid_input,
    paged,
    query_argument,
    read_limit,
    refuse_unexpected,
    string_field,
)
from mimic.rest.nova_routes import NovaRoutes, tenant_route
from mimic.util import iso_time

app = NovaRoutes.app

KEYPAIR_TYPES = ("ssh", "x509")


class KeypairRoutes(NovaRoutes):
    """``os-keypairs`` and ``os-keypairs/<name>``."""

    def _keypair_view(self, keypair: Keypair) -> dict:
        view = {"name": keypair.name, "public_key": keypair.public_key,
                "fingerprint": keypair.fingerprint}
        if self.version >= "2.2":
            view["type"] = keypair.type
        return view

    def _check_user(self, request: Any, tenant_id: str, user_id: Optional[str],
                    action: str) -> Any:
        """
        From 2.10 a user id may be named: one's own, or (for an admin,
        nova/policies/keypairs.py ``ADMIN_OR_OWNER``) another user's, whose
        keypairs are those of that user's own project here. Anyone else
        gets Nova's policy refusal. The keypair store meant.
        """
        compute, _ = self._begin(request, tenant_id)
        if user_id is None or user_id == self._user_id(request, tenant_id):
            return compute.keypairs
        if not self._is_admin(request, tenant_id):
            raise RequestError(403, f"Policy doesn't allow os_compute_api:os-keypairs:"
                               f"{action} to be performed.")
        user = self.store.user_by_id(user_id)
        if user is None or user.tenant is None:
            return compute.keypairs
        return ComputeRegion.for_tenant(self.store, user.tenant.id, self.region).keypairs

    def _query_user(self, request: Any, tenant_id: str, action: str) -> Any:
        """The keypairs a request's ``user_id`` (2.10) means."""
        user_id = query_argument(request, "user_id") if self.version >= "2.10" else None
        return self._check_user(request, tenant_id, user_id, action)

    @tenant_route(app, "/os-keypairs", methods=["GET"])
    def list_keypairs(self, request: Any, tenant_id: str) -> bytes:
        compute, links = self._begin(request, tenant_id)
        store = self._query_user(request, tenant_id, "index")
        keypairs = list(store)
        body: dict = {}
        if self.version >= "2.35":
            # Pages from 2.35: ``limit`` and ``marker`` (a keypair's name).
            limit = read_limit(request)
            marker = query_argument(request, "marker")
            if marker is not None and marker not in store:
                raise RequestError(400, f"Marker {marker} could not be found.")
            keypairs = paged(keypairs, limit, marker, key=lambda k: k.name)
            if keypairs and len(keypairs) == limit:
                body["keypairs_links"] = links.next_page("os-keypairs", request,
                                                         keypairs[-1].name)
        body["keypairs"] = [{"keypair": self._keypair_view(k)} for k in keypairs]
        return json_response(request, body)

    @tenant_route(app, "/os-keypairs", methods=["POST"])
    def create_keypair(self, request: Any, tenant_id: str) -> bytes:
        compute, _ = self._begin(request, tenant_id)
        body = read_json(request).get("keypair")
        if not isinstance(body, dict):
            raise invalid_input("keypair", body,
                                "'keypair' is a required property of type 'object'")
        allowed = {"name", "public_key"}
        if self.version >= "2.2":
            allowed.add("type")
        if self.version >= "2.10":
            allowed.add("user_id")
        refuse_unexpected(body, frozenset(allowed), field="keypair")
        name = string_field(body, "name", required=True, minimum=0)
        public_key = string_field(body, "public_key", maximum=65535)
        if public_key is None and self.version >= "2.92":
            # 2.92 dropped generating keypairs: the client brings its key.
            raise invalid_input("keypair", body, "'public_key' is a required property")
        key_type = body.get("type", "ssh")
        if key_type not in KEYPAIR_TYPES:
            raise invalid_input("type", key_type, f"{key_type!r} is not one of "
                                f"{list(KEYPAIR_TYPES)}")
        user_id = string_field(body, "user_id", minimum=1)
        store = self._check_user(request, tenant_id, user_id, "create")
        keypair, private_key = store.create(
            name, user_id or self._user_id(request, tenant_id), compute.now(), public_key,
            key_type=key_type, dotted_names=self.version >= "2.92")
        created = {**self._keypair_view(keypair), "user_id": keypair.user_id}
        if private_key is not None:
            created["private_key"] = private_key
        return json_response(request, {"keypair": created},
                             code=201 if self.version >= "2.2" else 200)

    @tenant_route(app, "/os-keypairs/<name>", methods=["GET"])
    def show_keypair(self, request: Any, tenant_id: str, name: str) -> bytes:
        self._begin(request, tenant_id)
        keypair = self._query_user(request, tenant_id, "show").get(name)
        return json_response(request, {"keypair": {
            **self._keypair_view(keypair), "id": keypair.id, "user_id": keypair.user_id,
            "created_at": iso_time(keypair.created)[:-1], "updated_at": None,
            "deleted_at": None, "deleted": False,
        }})

    @tenant_route(app, "/os-keypairs/<name>", methods=["DELETE"])
    def delete_keypair(self, request: Any, tenant_id: str, name: str) -> bytes:
        self._begin(request, tenant_id)
        self._query_user(request, tenant_id, "delete").delete(name)
        return empty_response(request, 204 if self.version >= "2.2" else 202)
