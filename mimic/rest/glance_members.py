"""
Glance's image members over HTTP: an owner shares an image whose
visibility is ``shared`` with other projects (``POST
/v2/images/<id>/members``), each member accepts or rejects it (``PUT
.../members/<member>``), and an accepted image appears in the member's
lists. The rules are :class:`mimic.model.images.ImageShares`'.
"""

from __future__ import annotations

from typing import Any

from mimic.model.images import Member, MemberRefused
from mimic.rest.glance_routes import app
from mimic.rest.http import RequestError, empty_response, json_response, read_json
from mimic.util import iso_time


def member_json(member: Member) -> dict:
    return {"created_at": iso_time(member.created, microseconds=False),
            "updated_at": iso_time(member.updated, microseconds=False),
            "image_id": member.image_id, "member_id": member.member_id,
            "status": member.status, "schema": "/v2/schemas/member"}


def _refused(error: MemberRefused) -> RequestError:
    return RequestError(error.code, error.message)


class MemberRoutes:
    """Routes of ``/v2/images/<id>/members``."""

    @app.route("/v2/images/<image_id>/members", methods=["GET"])
    def list_members(self, request: Any, image_id: str) -> bytes:
        images = self._images(request)
        image = self._image(images, image_id)
        members = self._shares().members(images.tenant_id, image)
        return json_response(request, {"members": [member_json(m) for m in members],
                                       "schema": "/v2/schemas/members"})

    @app.route("/v2/images/<image_id>/members", methods=["POST"])
    def add_member(self, request: Any, image_id: str) -> bytes:
        images = self._images(request)
        image = self._image(images, image_id)
        body = read_json(request)
        if "member" not in body:
            raise RequestError(400, "Member to be added not specified")
        try:
            member = self._shares().add(images.tenant_id, image, body["member"], self._now())
        except MemberRefused as refused:
            raise _refused(refused) from None
        return json_response(request, member_json(member))

    @app.route("/v2/images/<image_id>/members/<member_id>", methods=["GET"])
    def show_member(self, request: Any, image_id: str, member_id: str) -> bytes:
        images = self._images(request)
        image = self._image(images, image_id)
        try:
            member = self._shares().member(images.tenant_id, image, member_id)
        except MemberRefused as refused:
            raise _refused(refused) from None
        return json_response(request, member_json(member))

    @app.route("/v2/images/<image_id>/members/<member_id>", methods=["PUT"])
    def answer_member(self, request: Any, image_id: str, member_id: str) -> bytes:
        images = self._images(request)
        image = self._image(images, image_id)
        body = read_json(request)
        if "status" not in body:
            raise RequestError(400, "Status not specified")
        try:
            member = self._shares().answer(images.tenant_id, image, member_id, body["status"],
                                           self._now())
        except MemberRefused as refused:
            raise _refused(refused) from None
        return json_response(request, member_json(member))

    @app.route("/v2/images/<image_id>/members/<member_id>", methods=["DELETE"])
    def remove_member(self, request: Any, image_id: str, member_id: str) -> bytes:
        images = self._images(request)
        image = self._image(images, image_id)
        try:
            self._shares().remove(images.tenant_id, image, member_id)
        except MemberRefused as refused:
            raise _refused(refused) from None
        return empty_response(request)
