"""
Istio documents checked against Istio's own CRD schemas, for the kinds and
fields Mimic reads (``istio-crds.json``, an excerpt shipped with the
package, so the check needs no network and no cluster).

A mesh file's ``VirtualService`` or ``DestinationRule`` means something to
Mimic and is applied to a real cluster by ``mimic mesh render``; a field
Istio would refuse there is better refused here, naming the file, the
document and the field, as every mesh error does.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Iterable, Optional

import attrs
from jsonschema import Draft202012Validator
from jsonschema.exceptions import best_match

from mimic.model.mesh.documents import Document, MeshError, field_path


def _load_excerpt() -> dict:
    text = resources.files("mimic.model.mesh").joinpath("istio-crds.json").read_text("utf-8")
    return json.loads(text)


@attrs.frozen
class IstioSchemas:
    """The ``spec`` validator of each Istio kind in the excerpt, by group and kind."""

    validators: dict
    versions: dict

    @classmethod
    def load(cls) -> "IstioSchemas":
        excerpt = _load_excerpt()
        validators, versions = {}, {}
        for name, kind in excerpt["kinds"].items():
            schema = {"$defs": excerpt["$defs"], **kind["spec"]}
            validators[name] = Draft202012Validator(schema)
            versions[name] = tuple(kind["versions"])
        return cls(validators=validators, versions=versions)

    def kinds(self) -> tuple:
        return tuple(self.validators)

    def check(self, document: Document) -> None:
        """
        Refuse ``document`` if it is an Istio kind of the excerpt whose
        ``apiVersion`` Istio does not serve or whose ``spec`` Istio's schema
        refuses; any other document passes.
        """
        group, _, version = document.body["apiVersion"].rpartition("/")
        name = f"{group}/{document.kind}"
        validator: Optional[Draft202012Validator] = self.validators.get(name)
        if validator is None:
            return
        if version not in self.versions[name]:
            served = ", ".join(f"{group}/{v}" for v in self.versions[name])
            raise MeshError(
                f"Istio serves {document.kind} as {served}, not {document.body['apiVersion']}",
                document.source, document.index, "apiVersion")
        spec = document.body.get("spec")
        if spec is None:
            raise MeshError(f"an Istio {document.kind} needs a spec", document.source,
                            document.index, "spec")
        error = best_match(validator.iter_errors(spec))
        if error is not None:
            raise MeshError(f"Istio's schema refuses this: {error.message}", document.source,
                            document.index, field_path(("spec", *error.absolute_path)))

    def check_all(self, documents: Iterable[Document]) -> None:
        for document in documents:
            self.check(document)
