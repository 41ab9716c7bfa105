"""
The mesh's pure model: mesh documents and their schema
(:mod:`~mimic.model.mesh.documents`), URL cascades
(:mod:`~mimic.model.mesh.cascade`), the call tree
(:mod:`~mimic.model.mesh.calls`), trace context and spans
(:mod:`~mimic.model.mesh.tracing`), Istio's metrics
(:mod:`~mimic.model.mesh.metrics`), the state kept between requests
(:mod:`~mimic.model.mesh.state`), and the mesh as Kubernetes objects
(:mod:`~mimic.model.mesh.kubernetes`), laid out for Kustomize
(:mod:`~mimic.model.mesh.kustomize`), its Istio documents checked against
Istio's schemas (:mod:`~mimic.model.mesh.istio_schema`). Nothing here
knows about HTTP; the network side is :mod:`mimic.rest.mesh_api`.
"""
