"""
The mesh's pure model: mesh documents and their schema
(:mod:`~mimic.model.mesh.documents`), URL cascades
(:mod:`~mimic.model.mesh.cascade`), the call tree
(:mod:`~mimic.model.mesh.calls`), trace context and spans
(:mod:`~mimic.model.mesh.tracing`), Istio's metrics
(:mod:`~mimic.model.mesh.metrics`), the state kept between requests
(:mod:`~mimic.model.mesh.state`); Istio's policies
(:mod:`~mimic.model.mesh.virtual_service`,
:mod:`~mimic.model.mesh.destination_rule`, indexed by
:mod:`~mimic.model.mesh.policy`), what the sidecars remember
(:mod:`~mimic.model.mesh.traffic`), an endpoint's own behaviour
(:mod:`~mimic.model.mesh.behaviour`), the quantities they are written in
(:mod:`~mimic.model.mesh.quantities`), the headers users may not set
(:mod:`~mimic.model.mesh.headers`) and the observed graph
(:mod:`~mimic.model.mesh.graph`); and the mesh as Kubernetes objects
(:mod:`~mimic.model.mesh.kubernetes`), laid out for Kustomize
(:mod:`~mimic.model.mesh.kustomize`), its Istio documents checked against
Istio's schemas (:mod:`~mimic.model.mesh.istio_schema`). Nothing here
knows about HTTP; the network side is :mod:`mimic.rest.mesh_api`.
"""
