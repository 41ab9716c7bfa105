"""
``servers/<id>/os-instance-actions``: what was done to a server, newest
first, with the request id and the one compute event of each. What the
microversions change (nova/api/openstack/compute/instance_actions.py):
2.21 a deleted server's actions are still served; 2.51 the owner sees the
events (admins always did; the traceback stays hidden); 2.58 ``updated_at``,
``limit``/``marker``/``changes-since`` and ``links``; 2.62 the events'
``hostId`` (and ``host`` for admins); 2.66 ``changes-before``; 2.84 the
events' ``details``.
"""

from __future__ import annotations

from typing import Any

from mimic.model.nova import ComputeRegion
from mimic.model.nova_instance_actions import InstanceAction
from mimic.rest.http import RequestError, json_response
from mimic.rest.nova_json import paged, query_argument, read_limit, read_time
from mimic.rest.nova_routes import NovaRoutes, tenant_route
from mimic.util import iso_time

app = NovaRoutes.app


class InstanceActionRoutes(NovaRoutes):
    """``servers/<id>/os-instance-actions`` and one action by its request id."""

    def _actions_server(self, compute: ComputeRegion, server_id: str) -> None:
        """The server must exist, or (from 2.21) have existed."""
        if self.version >= "2.21" and compute.instance_actions.was_deleted(server_id):
            return
        compute.server(server_id)

    @tenant_route(app, "/servers/<server_id>/os-instance-actions", methods=["GET"])
    def list_instance_actions(self, request: Any, tenant_id: str, server_id: str) -> bytes:
        compute, links = self._begin(request, tenant_id)
        self._actions_server(compute, server_id)
        actions = compute.instance_actions_of(server_id)
        body: dict = {}
        if self.version >= "2.58":
            actions = self._filtered(request, actions)
            limit = read_limit(request)
            marker = query_argument(request, "marker")
            try:
                actions = paged(actions, limit, marker, key=lambda a: a.request_id)
            except RequestError:
                raise RequestError(404, f"Action not found for request_id {marker}")
            if actions and len(actions) == limit:
                href = links("servers", server_id)[0]["href"]
                body["links"] = [{"rel": "next", "href": f"{href}/os-instance-actions"
                                  f"?limit={limit}&marker={actions[-1].request_id}"}]
        body["instanceActions"] = [self._action(a) for a in actions]
        return json_response(request, dict(reversed(list(body.items()))))

    def _filtered(self, request: Any, actions: list) -> list:
        since = query_argument(request, "changes-since")
        before = query_argument(request, "changes-before") if self.version >= "2.66" else None
        low = None if since is None else read_time(since, "changes-since")
        high = None if before is None else read_time(before, "changes-before")
        if low is not None and high is not None and low > high:
            raise RequestError(400, "The value of changes-since must be less than "
                                    "or equal to changes-before.")
        return [a for a in actions
                if (low is None or a.start_time >= low)
                and (high is None or a.start_time <= high)]

    @tenant_route(app, "/servers/<server_id>/os-instance-actions/<request_id>",
                  methods=["GET"])
    def show_instance_action(self, request: Any, tenant_id: str, server_id: str,
                             request_id: str) -> bytes:
        compute, _ = self._begin(request, tenant_id)
        self._actions_server(compute, server_id)
        action = compute.instance_action(server_id, request_id)
        if action is None:
            raise RequestError(404, f"Action {request_id} not found")
        shown = self._action(action)
        if self.version >= "2.51" or self._is_admin(request, tenant_id):
            shown["events"] = [self._event(request, tenant_id, action)]
        return json_response(request, {"instanceAction": shown})

    def _action(self, action: InstanceAction) -> dict:
        shown = {
            "action": action.action,
            "instance_uuid": action.instance_uuid,
            "request_id": action.request_id,
            "user_id": action.user_id,
            "project_id": action.project_id,
            "start_time": iso_time(action.start_time),
            "message": None,
        }
        if self.version >= "2.58":
            shown["updated_at"] = iso_time(action.start_time)
        return shown

    def _event(self, request: Any, tenant_id: str, action: InstanceAction) -> dict:
        event = {
            "event": action.event,
            "start_time": iso_time(action.start_time),
            "finish_time": iso_time(action.start_time),
            "result": "Success",
        }
        admin = self._is_admin(request, tenant_id)
        if admin:
            event["traceback"] = None
        if self.version >= "2.62":
            # The same hostId the server shows.
            event["hostId"] = action.host_id
            if admin:
                event["host"] = f"compute-{action.host_id[:8]}"
        if self.version >= "2.84" and admin:
            event["details"] = None
        return event
