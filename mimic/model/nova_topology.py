"""
The guest NUMA topology Nova gives a server (``servers/<id>/topology``,
2.78): none unless its flavor asks for one, else the cells its extra specs
describe. Nova's rules (github:openstack/nova,
nova/api/openstack/compute/server_topology.py and nova/virt/hardware.py):
an instance has a NUMA topology when the flavor sets ``hw:numa_nodes``,
``hw:cpu_policy=dedicated`` or ``hw:mem_page_size`` (one cell unless
``hw:numa_nodes`` says more); the virtual CPUs and memory are split evenly
over the cells; a dedicated CPU policy pins every virtual CPU to a host CPU.
Nova refuses at boot a split that does not divide evenly; Mimic boots it and
gives the first cells the remainder.
"""

from __future__ import annotations

from typing import Optional

import attrs

from mimic.bounds import decimal
from mimic.model.flavors import Flavor

#: ``hw:mem_page_size``'s words, in KiB (a number is KiB already).
PAGE_SIZE_WORDS = {"small": 4, "large": 2048, "any": 4}


@attrs.frozen
class NumaCell:
    """One guest NUMA cell, on the host node of the same number."""

    host_node: int
    vcpu_set: tuple[int, ...]
    memory_mb: int
    #: virtual CPU -> host CPU, for a dedicated CPU policy; else empty.
    cpu_pinning: tuple[tuple[int, int], ...] = ()


@attrs.frozen
class NumaTopology:
    cells: tuple[NumaCell, ...]
    pagesize_kb: Optional[int]


def numa_topology(flavor: Flavor) -> Optional[NumaTopology]:
    """The topology ``flavor``'s extra specs ask for, or ``None``."""
    specs = dict(flavor.extra_specs)
    dedicated = specs.get("hw:cpu_policy") == "dedicated"
    page_size = specs.get("hw:mem_page_size")
    nodes = _digits(specs.get("hw:numa_nodes"), 3)
    if nodes is None and not dedicated and page_size is None:
        return None
    nodes = max(1, min(nodes or 1, max(flavor.vcpus, 1)))
    cells = []
    next_cpu = 0
    for node in range(nodes):
        cpus = flavor.vcpus // nodes + (1 if node < flavor.vcpus % nodes else 0)
        vcpus = tuple(range(next_cpu, next_cpu + cpus))
        next_cpu += cpus
        memory = flavor.ram // nodes + (1 if node < flavor.ram % nodes else 0)
        # A host CPU per virtual CPU, counted from the cell's own node's first.
        pinning = tuple((cpu, node * 64 + cpu) for cpu in vcpus) if dedicated else ()
        cells.append(NumaCell(node, vcpus, memory, pinning))
    return NumaTopology(tuple(cells), _page_size_kb(page_size))


def _digits(text: Optional[str], most: int) -> Optional[int]:
    """``text`` as a number of at most ``most`` ASCII digits, else ``None``."""
    if text is None or len(text) > most:
        return None
    return decimal(text)


def _page_size_kb(text: Optional[str]) -> Optional[int]:
    """KiB for a word or a plain number of KiB (up to 8 digits); else ``None``."""
    if text is None:
        return None
    if text in PAGE_SIZE_WORDS:
        return PAGE_SIZE_WORDS[text]
    return _digits(text, 8)
