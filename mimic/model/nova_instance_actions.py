"""
What Nova remembers of each server's life (``servers/<id>/os-instance-actions``):
one :class:`InstanceAction` per create, delete and server action, with the
request id that asked for it and its one compute event, kept after the
server is deleted (microversion 2.21 shows them) for as long as the region
keeps the deleted server. Every server has a create action, so that one is
read from the server itself (its ``created_by`` request id, its user, its
creation time) rather than kept as a record of its own. Also the server's boot
log (``os-getConsoleOutput``), which grows on the clock as a booting
machine's console would. Pure data; the routes record and render.
"""

from __future__ import annotations

import uuid
from typing import Any, Optional

import attrs

#: The instance action each server action records, by the request's name
#: (nova/compute/instance_actions.py names them); actions not listed
#: (security groups, floating IPs, consoles) record none, as in Nova.
ACTION_NAMES = {
    "reboot": "reboot", "rebuild": "rebuild", "resize": "resize",
    "confirmResize": "confirmResize", "revertResize": "revertResize",
    "changePassword": "changePassword", "createImage": "createImage",
    "rescue": "rescue", "unrescue": "unrescue", "os-stop": "stop",
    "os-start": "start", "pause": "pause", "unpause": "unpause",
    "suspend": "suspend", "resume": "resume", "lock": "lock", "unlock": "unlock",
    "addFixedIp": "addFixedIp", "removeFixedIp": "removeFixedIp",
    "migrate": "migrate",
}

#: The compute manager method whose event each action records.
_EVENTS = {
    "create": "compute__do_build_and_run_instance",
    "delete": "compute_terminate_instance",
    "stop": "compute_stop_instance", "start": "compute_start_instance",
    "createImage": "compute_snapshot_instance",
    "confirmResize": "compute_confirm_resize",
    "revertResize": "compute_revert_resize",
    "migrate": "compute_prep_resize",
    "attach_volume": "compute_attach_volume",
    "detach_volume": "compute_detach_volume",
    "swap_volume": "compute_swap_volume",
    "changePassword": "compute_set_admin_password",
}

#: How many actions one server keeps (the oldest go first): a bound on what
#: a test looping over actions can make Mimic hold.
MAX_ACTIONS_PER_SERVER = 1000


def compact_request_id(text: str) -> Any:
    """
    A request id as a server keeps it: a ``req-<uuid>`` as its 128-bit
    number (44 bytes, where the text takes 89: every server keeps the id of
    the request that made it), any other text as it is.
    """
    if len(text) == 40 and text.startswith("req-"):
        try:
            number = uuid.UUID(text[4:])
        except ValueError:
            return text
        if str(number) == text[4:]:
            return number.int
    return text


def request_id_text(kept: Any) -> str:
    """The request id :func:`compact_request_id` kept, as the request had it."""
    return kept if isinstance(kept, str) else f"req-{uuid.UUID(int=kept)}"


@attrs.frozen
class InstanceAction:
    """One thing done to a server, and its one event (finished when recorded)."""

    action: str
    instance_uuid: str
    request_id: str
    user_id: str
    project_id: str
    start_time: float
    #: The server's ``hostId`` (its events show it from 2.62).
    host_id: str

    @classmethod
    def of(cls, action: str, instance_uuid: str, request_id: str, user_id: str,
           project_id: str, now: float, host_id: str) -> "InstanceAction":
        return cls(action, instance_uuid, request_id, user_id, project_id, now, host_id)

    @classmethod
    def creation_of(cls, server: Any) -> Optional["InstanceAction"]:
        """A server's ``create`` action; ``None`` for one no request made."""
        if server.created_by is None:
            return None
        return cls("create", server.id, request_id_text(server.created_by), server.user_id,
                   server.tenant_id, server.created, server.host_id)

    @property
    def event(self) -> str:
        """The compute manager method whose event the action records."""
        return _EVENTS.get(self.action, f"compute_{self.action}_instance")


@attrs.define
class InstanceActionLog:
    """
    The actions other than ``create`` of a region's servers, the deleted
    ones' included until the region forgets the server.
    """

    _actions: dict = attrs.field(factory=dict)
    _deleted: set = attrs.field(factory=set)

    def record(self, action: InstanceAction) -> None:
        kept = self._actions.setdefault(action.instance_uuid, [])
        kept.append(action)
        del kept[:-MAX_ACTIONS_PER_SERVER]
        if action.action == "delete":
            self._deleted.add(action.instance_uuid)

    def forget(self, server_id: str) -> None:
        """A deleted server the region no longer keeps takes its actions along."""
        self._actions.pop(server_id, None)
        self._deleted.discard(server_id)

    def was_deleted(self, server_id: str) -> bool:
        return server_id in self._deleted

    def actions_of(self, server: Any, server_id: str) -> list:
        """
        Newest first, as Nova lists them: those recorded, after the create
        of ``server`` (the live or deleted record, ``None`` if none is kept).
        """
        creation = None if server is None else InstanceAction.creation_of(server)
        recorded = self._actions.get(server_id, [])
        return list(reversed(recorded if creation is None else [creation, *recorded]))

    def find(self, server: Any, server_id: str, request_id: str) -> Optional[InstanceAction]:
        for action in self.actions_of(server, server_id):
            if action.request_id == request_id:
                return action
        return None


#: A boot log: each line with the seconds after the create at which it
#: appears, so the console output grows on the clock for about half a minute.
_BOOT_LOG = (
    (0.0, "[    0.000000] Linux version 6.1.0-mimic (mimic@build) #1 SMP"),
    (0.0, "[    0.000000] Command line: BOOT_IMAGE=/vmlinuz root=LABEL=cloudimg-rootfs "
          "ro console=ttyS0"),
    (0.5, "[    0.512003] x86/fpu: Supporting XSAVE feature 0x001: 'x87 floating point registers'"),
    (1.0, "[    1.004211] virtio_blk virtio2: [vda] 20971520 512-byte logical blocks"),
    (2.0, "[    2.118730] EXT4-fs (vda1): mounted filesystem with ordered data mode."),
    (3.0, "[    3.201442] systemd[1]: Detected virtualization kvm."),
    (4.0, "[  OK  ] Reached target Local File Systems."),
    (5.0, "[  OK  ] Started Network Service."),
    (7.0, "cloud-init[412]: Cloud-init v. 23.1 running 'init' at {name}. Up 7.00 seconds."),
    (8.0, "cloud-init[412]: ci-info: ++++++++++++Net device info++++++++++++"),
    (10.0, "cloud-init[512]: Cloud-init v. 23.1 running 'modules:config'. Up 10.00 seconds."),
    (12.0, "ec2: -----BEGIN SSH HOST KEY FINGERPRINTS-----"),
    (12.0, "ec2: 256 SHA256:mimic0mimic0mimic0mimic0mimic0mimic0mimic0 root@{hostname} (ED25519)"),
    (12.0, "ec2: -----END SSH HOST KEY FINGERPRINTS-----"),
    (15.0, "cloud-init[601]: Cloud-init v. 23.1 finished. Datasource "
           "DataSourceConfigDrive. Up 15.00 seconds"),
    (16.0, ""),
    (16.0, "{hostname} login: "),
)


def console_output(hostname: str, name: str, seconds_up: float,
                   length: Optional[int] = None) -> str:
    """
    The console of a server up for ``seconds_up``: the boot log's lines that
    have appeared, the last ``length`` of them if given (Nova's ``length``).
    """
    lines = [line.format(hostname=hostname, name=name)
             for at, line in _BOOT_LOG if at <= seconds_up]
    if length is not None and length >= 0:
        lines = lines[len(lines) - length:] if length else []
    return "\n".join(lines) + ("\n" if lines else "")
