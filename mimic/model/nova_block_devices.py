"""
A create's ``block_device_mapping_v2``, validated as Nova's
nova/block_device.py ``BlockDeviceDict.from_api`` and the API schema
(nova/api/openstack/compute/schemas/block_device_mapping.py) do, and kept
on the server: which device boots (``boot_index`` 0), what it is made from
(``source_type`` image, volume, snapshot or blank) and where it lives
(``destination_type`` local or volume). Volumes themselves belong to the
Block Storage plugin; this module knows only the mapping. Pure data.
"""

from __future__ import annotations

from typing import Optional

import attrs

from mimic.model.nova_errors import BadRequest

SOURCE_TYPES = ("volume", "image", "snapshot", "blank")
DESTINATION_TYPES = ("local", "volume")
#: Most devices one server may map: a bound on what a request can make
#: Mimic keep (Nova's own limit is its quota and max_local_block_devices).
MAX_BLOCK_DEVICES = 32


def invalid_mapping(reason: str) -> BadRequest:
    return BadRequest(f"Block Device Mapping is Invalid: {reason}")


@attrs.frozen
class BlockDevice:
    """One entry of ``block_device_mapping_v2``."""

    source_type: str
    destination_type: str
    uuid: Optional[str] = None
    boot_index: Optional[int] = None
    device_name: Optional[str] = None
    volume_size: Optional[int] = None
    delete_on_termination: bool = False
    guest_format: Optional[str] = None
    disk_bus: Optional[str] = None
    device_type: Optional[str] = None
    volume_type: Optional[str] = None
    tag: Optional[str] = None

    @property
    def boots_from_image(self) -> bool:
        return self.source_type == "image" and self.destination_type == "local"


def check_block_devices(devices: tuple, image_id: Optional[str]) -> Optional[BlockDevice]:
    """
    Nova's rules across the mapping: at most one device boots, ids where the
    source needs one, a boot device or an ``imageRef``. The boot device.
    """
    if len(devices) > MAX_BLOCK_DEVICES:
        raise invalid_mapping(f"at most {MAX_BLOCK_DEVICES} devices may be mapped.")
    booting = [d for d in devices if d.boot_index == 0]
    if len(booting) > 1:
        raise invalid_mapping("Boot sequence for the instance and image/block device "
                              "mapping combination is not valid.")
    for device in devices:
        if device.source_type != "blank" and not device.uuid:
            raise invalid_mapping("Missing device UUID.")
        if device.boots_from_image and device.boot_index != 0:
            raise invalid_mapping("Mapping image to local is not supported.")
    boot = booting[0] if booting else None
    if not image_id and boot is None:
        raise invalid_mapping("Boot sequence for the instance and image/block device "
                              "mapping combination is not valid.")
    return boot
