"""
The Istio policies of a mesh, indexed by the service they apply to: the
``VirtualService`` whose ``hosts`` name it and the ``DestinationRule``
whose ``host`` does, read from the mesh's documents. A policy that cannot
be used is a :class:`~mimic.model.mesh.documents.MeshError` naming its
file, document and field; what Mimic does not simulate is a warning.
"""

from __future__ import annotations

from typing import Optional, Sequence

import attrs

from mimic.model.mesh.destination_rule import DestinationRule, parse_destination_rule
from mimic.model.mesh.quantities import PolicyError
from mimic.model.mesh.virtual_service import (
    ISTIO_API_VERSIONS,
    VirtualService,
    parse_virtual_service,
)


@attrs.frozen
class Policies:
    """VirtualServices and DestinationRules by service name."""

    virtual_services: dict = attrs.field(factory=dict)
    destination_rules: dict = attrs.field(factory=dict)
    warnings: tuple = ()

    def virtual_service(self, service: str) -> Optional[VirtualService]:
        return self.virtual_services.get(service)

    def destination_rule(self, service: str) -> Optional[DestinationRule]:
        return self.destination_rules.get(service)

    @property
    def empty(self) -> bool:
        return not self.virtual_services and not self.destination_rules


def read_policies(documents: Sequence, error_type: type) -> Policies:
    """
    The policies among ``documents`` (:class:`Document` objects); a bad one
    raises ``error_type`` (the loader's ``MeshError``) with where it is.
    """
    services: dict = {}
    rules: dict = {}
    warnings: list = []
    for document in documents:
        kind = document.body.get("kind")
        if kind not in ("VirtualService", "DestinationRule"):
            continue
        where = (document.source, document.index)
        if document.body.get("apiVersion") not in ISTIO_API_VERSIONS:
            warnings.append(error_type(
                f"{kind} of apiVersion {document.body.get('apiVersion')!r} is kept but not "
                "applied (Istio's are networking.istio.io/v1alpha3, v1beta1, v1)",
                *where).describe())
            continue
        try:
            if kind == "VirtualService":
                policy = parse_virtual_service(document.body)
                targets, index = policy.services, services
            else:
                policy = parse_destination_rule(document.body)
                targets, index = (policy.service,), rules
        except PolicyError as error:
            raise error_type(error.message, *where, error.path) from None
        warnings.extend(error_type(w, *where).describe() for w in policy.warnings)
        for service in targets:
            if service in index:
                warnings.append(error_type(
                    f"a second {kind} for {service!r}: the first one applies", *where
                ).describe())
            else:
                index[service] = policy
    return Policies(services, rules, tuple(warnings))
