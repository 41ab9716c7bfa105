"""
Trunks (Neutron's ``trunk`` extension): a parent port carrying subports,
each on its own VLAN, with the trunk plugin's rules (a port in one trunk
at a time, a segmentation id once per trunk, a trunk in use or a port in
a trunk not deleted).
"""

from __future__ import annotations

from typing import Any, Optional, Sequence

import attrs

from mimic.model.neutron.faults import BadRequest, Conflict, NotFound, found
from mimic.model.neutron.standard import Stamped

SEGMENTATION_TYPES = ("vlan", "inherit")
#: VLAN ids a subport may have (802.1Q's usable range).
SEGMENTATION_IDS = range(1, 4095)


@attrs.frozen
class SubPort:
    port_id: str
    segmentation_type: str
    segmentation_id: Optional[int]


@attrs.define(eq=False)
class Trunk(Stamped):
    id: str = ""
    name: str = ""
    tenant_id: str = ""
    description: str = ""
    port_id: str = ""
    admin_state_up: bool = True
    sub_ports: list = attrs.field(factory=list)


class Trunks:
    """The trunks of :class:`~mimic.model.neutron.state.NetworkState`."""

    __slots__ = ()

    def trunk(self, trunk_id: str) -> Trunk:
        return found(self.trunks, trunk_id, f"Trunk {trunk_id} could not be found.",
                     "TrunkNotFound")

    def trunks_by_parent(self) -> dict[str, Trunk]:
        """Each trunk by its parent port's id: what ports' ``trunk_details`` show."""
        return {trunk.port_id: trunk for trunk in self.trunks.values()}

    def trunk_holding(self, port_id: str) -> Optional[tuple[Trunk, bool]]:
        """The trunk ``port_id`` is in, and whether as its parent."""
        for trunk in self.trunks.values():
            if trunk.port_id == port_id:
                return trunk, True
            if any(s.port_id == port_id for s in trunk.sub_ports):
                return trunk, False
        return None

    def create_trunk(self, port_id: str, name: str = "", description: str = "",
                     admin_state_up: bool = True,
                     sub_ports: Sequence[Any] = ()) -> Trunk:
        self.port(port_id)
        held = self.trunk_holding(port_id)
        if held is not None:
            raise Conflict(f"Port {port_id} is in use by another trunk.", "TrunkPortInUse")
        now = self.now()
        trunk = Trunk(now, now, 0, id=self.ids.uuid(), name=name, tenant_id=self.tenant_id,
                      description=description, port_id=port_id,
                      admin_state_up=admin_state_up)
        trunk.sub_ports = self._checked_sub_ports(trunk, sub_ports)
        self.trunks[trunk.id] = trunk
        return trunk

    def update_trunk(self, trunk_id: str, name: Optional[str] = None,
                     description: Optional[str] = None,
                     admin_state_up: Optional[bool] = None) -> Trunk:
        trunk = self.trunk(trunk_id)
        if name is not None:
            trunk.name = name
        if description is not None:
            trunk.description = description
        if admin_state_up is not None:
            trunk.admin_state_up = admin_state_up
        trunk.touch(self.now())
        return trunk

    def add_sub_ports(self, trunk_id: str, sub_ports: Sequence[Any]) -> Trunk:
        trunk = self.trunk(trunk_id)
        trunk.sub_ports = trunk.sub_ports + self._checked_sub_ports(trunk, sub_ports)
        trunk.touch(self.now())
        return trunk

    def remove_sub_ports(self, trunk_id: str, sub_ports: Sequence[Any]) -> Trunk:
        trunk = self.trunk(trunk_id)
        gone = []
        for entry in sub_ports:
            port_id = entry.get("port_id") if isinstance(entry, dict) else None
            if not any(s.port_id == port_id for s in trunk.sub_ports):
                raise NotFound(f"SubPort {port_id} cannot be found on trunk {trunk.id}.",
                               "SubPortNotFound")
            gone.append(port_id)
        trunk.sub_ports = [s for s in trunk.sub_ports if s.port_id not in gone]
        trunk.touch(self.now())
        return trunk

    def delete_trunk(self, trunk_id: str) -> None:
        trunk = self.trunk(trunk_id)
        if self.ports[trunk.port_id].device_id:
            raise Conflict(f"Trunk {trunk_id} is currently in use.", "TrunkInUse")
        del self.trunks[trunk_id]

    def check_port_not_in_trunk(self, port_id: str) -> None:
        """A port in a trunk is not deleted (the trunk plugin's refusals)."""
        held = self.trunk_holding(port_id)
        if held is None:
            return
        trunk, parent = held
        if parent:
            raise Conflict(f"Port {port_id} is currently a parent port for trunk "
                           f"{trunk.id}.", "PortInUseAsTrunkParent")
        raise Conflict(f"Port {port_id} is currently a subport for trunk {trunk.id}.",
                       "PortInUseAsSubPort")

    def _checked_sub_ports(self, trunk: Trunk, sub_ports: Sequence[Any]) -> list[SubPort]:
        checked: list[SubPort] = []
        for entry in sub_ports:
            if not isinstance(entry, dict) or not isinstance(entry.get("port_id"), str):
                raise BadRequest(f"Invalid input for sub_ports. Reason: '{entry}' is not a "
                                 f"valid subport.")
            port_id = entry["port_id"]
            kind = entry.get("segmentation_type", "vlan")
            if kind not in SEGMENTATION_TYPES:
                raise BadRequest(f"Invalid input for sub_ports. Reason: segmentation_type "
                                 f"'{kind}' is not one of {', '.join(SEGMENTATION_TYPES)}.")
            number = entry.get("segmentation_id")
            if kind == "vlan" and (isinstance(number, bool) or number not in SEGMENTATION_IDS):
                raise BadRequest(f"Invalid input for sub_ports. Reason: segmentation_id "
                                 f"'{number}' is not in 1..4094.")
            self.port(port_id)
            if port_id == trunk.port_id or self.trunk_holding(port_id) is not None or any(
                    s.port_id == port_id for s in checked):
                raise Conflict(f"Port {port_id} is in use by another trunk.",
                               "TrunkPortInUse")
            if kind == "vlan" and any(s.segmentation_id == number
                                      for s in trunk.sub_ports + checked):
                raise Conflict(f"segmentation_type {kind} and segmentation_id {number} "
                               f"already in use on trunk {trunk.id}.", "DuplicateSubPort")
            checked.append(SubPort(port_id, kind, number if kind == "vlan" else None))
        return checked
