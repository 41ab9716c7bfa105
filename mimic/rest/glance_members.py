"""
Glance's image members over HTTP: an owner shares an image whose
visibility is ``shared`` with other projects (``POST
/v2/images/<id>/members``), each member accepts or rejects it (``PUT
.../members/<member>``), and an accepted image appears in the member's
lists. The rules are :class:`mimic.model.images.ImageShares`'.
"""

from __future__ import annotations

from typing import Any

from mimic.model.images import Member
from mimic.rest.glance_routes import app
from mimic.rest.http import RequestError, empty_response, json_response, read_json
from mimic.util import iso_time


def member_json(member: Member) -> dict:
    return {"created_at": iso_time(member.created, microseconds=False),
            "updated_at": iso_time(member.updated, microseconds=False),
            "image_id": member.image_id, "member_id": member.member_id,
            "status": member.status, "schema": "/v2/schemas/member"}


def _required(body: dict, key: str, refusal: str) -> Any:
    """The one attribute a members request must carry (Glance's 400 otherwise)."""
    if key not in body:
        raise RequestError(400, refusal)
    return body[key]


class MemberRoutes:
    """
    Routes of ``/v2/images/<id>/members``. What the sharing rules refuse
    (:class:`mimic.model.images.MemberRefused`) is answered by the app's
    one handler of Glance's refusals, with the refusal's own status.
    """

    def _visible_image(self, request: Any, image_id: str) -> tuple:
        """The caller's image store, and the image it may see."""
        images = self._images(request)
        return images, self._image(images, image_id)

    @app.route("/v2/images/<image_id>/members", methods=["GET"])
    def list_members(self, request: Any, image_id: str) -> bytes:
        images, image = self._visible_image(request, image_id)
        members = self._shares().members(images.tenant_id, image)
        return json_response(request, {"members": [member_json(m) for m in members],
                                       "schema": "/v2/schemas/members"})

    @app.route("/v2/images/<image_id>/members", methods=["POST"])
    def add_member(self, request: Any, image_id: str) -> bytes:
        images, image = self._visible_image(request, image_id)
        member_id = _required(read_json(request), "member", "Member to be added not specified")
        member = self._shares().add(images.tenant_id, image, member_id, self._now())
        return json_response(request, member_json(member))

    @app.route("/v2/images/<image_id>/members/<member_id>", methods=["GET"])
    def show_member(self, request: Any, image_id: str, member_id: str) -> bytes:
        images, image = self._visible_image(request, image_id)
        member = self._shares().member(images.tenant_id, image, member_id)
        return json_response(request, member_json(member))

    @app.route("/v2/images/<image_id>/members/<member_id>", methods=["PUT"])
    def answer_member(self, request: Any, image_id: str, member_id: str) -> bytes:
        images, image = self._visible_image(request, image_id)
        status = _required(read_json(request), "status", "Status not specified")
        member = self._shares().answer(images.tenant_id, image, member_id, status, self._now())
        return json_response(request, member_json(member))

    @app.route("/v2/images/<image_id>/members/<member_id>", methods=["DELETE"])
    def remove_member(self, request: Any, image_id: str, member_id: str) -> bytes:
        images, image = self._visible_image(request, image_id)
        self._shares().remove(images.tenant_id, image, member_id)
        return empty_response(request)
