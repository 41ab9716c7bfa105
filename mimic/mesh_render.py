"""
``mimic mesh render FILE... [--namespace NS] [--image IMAGE] [--seed N]
[--zipkin URL] [--out DIR] [--check]``: a mesh file as Kubernetes objects, each service a
standalone Mimic pod.

Without ``--out`` the objects go to standard output as one multi-document
YAML (``| kubectl apply -f -``); with it, ``DIR`` gets a Kustomize base and
dev/staging/prod overlays. ``--check`` renders everything in memory and
writes nothing. Every refusal is one line naming the file, the document and
the field, and exit status 1; a bad command line is status 2.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Optional, Sequence, TextIO

from mimic.model.mesh.documents import MeshError, read_mesh_files
from mimic.model.mesh.istio_schema import IstioSchemas
from mimic.model.mesh.kubernetes import (
    DEFAULT_IMAGE,
    RenderSettings,
    Rendering,
    dump_documents,
    render,
)
from mimic.model.mesh.kustomize import HEADER, layout


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mimic mesh render",
        description="Render mesh files as Kubernetes objects: a Deployment per service "
                    "version (standalone Mimic pods), a Service and a ServiceAccount per "
                    "service, a ConfigMap holding the mesh; Istio and Kubernetes documents "
                    "of the files are written through.")
    parser.add_argument("files", nargs="+", metavar="FILE", help="mesh files (YAML)")
    parser.add_argument("--namespace", "-n", help="the namespace of every object (default: "
                        "the documents' metadata.namespace, else mimic-mesh)")
    parser.add_argument("--image", default=DEFAULT_IMAGE,
                        help=f"the Mimic image the pods run (default {DEFAULT_IMAGE})")
    parser.add_argument("--seed", type=int, default=0,
                        help="the --seed every pod is started with (default 0)")
    parser.add_argument("--zipkin", metavar="URL",
                        help="the Zipkin collector every pod sends its spans to, e.g. "
                             "http://zipkin.istio-system:9411 (default: none)")
    parser.add_argument("--out", metavar="DIR",
                        help="write a Kustomize layout (DIR/base, DIR/overlays/{dev,staging,prod}) "
                             "instead of YAML on standard output")
    parser.add_argument("--check", action="store_true",
                        help="validate and render in memory; write nothing")
    return parser


def render_files(paths: Sequence[str], settings: RenderSettings) -> Rendering:
    """The mesh of the files at ``paths``, checked (Istio too) and rendered."""
    mesh = read_mesh_files(paths)
    IstioSchemas.load().check_all(mesh.documents)
    return render(mesh, settings)


def write_layout(files: dict, out: str) -> None:
    """Write ``files`` (relative path -> text) under ``out``; other files stay."""
    for relative, text in sorted(files.items()):
        path = os.path.join(out, *relative.split("/"))
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as stream:
            stream.write(text)


def _summary(rendering: Rendering) -> str:
    return (f"{len(rendering.services)} services, {len(rendering.workloads)} Deployments, "
            f"{len(rendering.passed)} documents passed through, "
            f"namespace {rendering.namespace}")


def main(argv: Optional[Sequence[str]] = None, stdout: TextIO = sys.stdout,
         stderr: TextIO = sys.stderr) -> int:
    """Run ``mimic mesh render``; the exit status."""
    options = _parser().parse_args(argv)
    sources = ", ".join(options.files)
    settings = RenderSettings(namespace=options.namespace, image=options.image,
                              seed=options.seed, zipkin=options.zipkin)
    try:
        rendering = render_files(options.files, settings)
        files = layout(rendering, options.image, sources) if options.out or options.check else {}
    except MeshError as error:
        print(f"mimic mesh render: {error.describe()}", file=stderr)
        return 1
    for warning in rendering.warnings:
        print(f"mimic mesh render: warning: {warning}", file=stderr)
    if options.check:
        print(f"{sources}: OK ({_summary(rendering)})", file=stdout)
        return 0
    if options.out:
        try:
            write_layout(files, options.out)
        except OSError as error:
            print(f"mimic mesh render: cannot write {options.out}: {error}", file=stderr)
            return 1
        print(f"wrote {options.out}/base and {options.out}/overlays/{{dev,staging,prod}} "
              f"({_summary(rendering)})", file=stderr)
        return 0
    stdout.write(HEADER.format(sources=sources) + dump_documents(rendering.objects))
    return 0


def mesh_command(argv: Sequence[str]) -> int:
    """``mimic mesh SUBCOMMAND ...``: only ``render`` so far."""
    if argv and argv[0] == "render":
        return main(argv[1:])
    print("usage: mimic mesh render FILE... [--namespace NS] [--image IMAGE] [--seed N] "
          "[--zipkin URL] [--out DIR] [--check]", file=sys.stderr)
    return 0 if argv and argv[0] in ("-h", "--help") else 2
