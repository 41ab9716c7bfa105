"""
Fastly's configuration API over HTTP, served at ``/fastly``: routes that
read the ``Fastly-Key`` header and the form-encoded (or JSON) body, call
:mod:`mimic.model.fastly`, and render Fastly's JSON with Fastly's types, so
that the official clients' strict type checks accept every answer.

Errors have Fastly's shape, ``{"msg": ..., "detail": ...}``, rendered in one
place (:func:`fastly_error_body`).
"""

from __future__ import annotations

import json
from typing import Any, Callable, Optional
from urllib.parse import parse_qsl

from mimic.klein_rendering import MimicKlein
from twisted.web.resource import Resource
from twisted.web.server import NOT_DONE_YET

from mimic.model.fastly import (
    CONFIG_KINDS,
    DOMAIN,
    ConfigKind,
    ConfigObject,
    Customer,
    Duplicate,
    FastlyError,
    FastlyStore,
    Invalid,
    NotFound,
    Service,
    Version,
    timestamp,
)
from mimic.rest.http import (
    RequestError,
    install_error_handlers,
    json_response,
    parse_json,
    query_integer,
    query_text,
)

#: Fastly's ``msg`` for each status code it answers with.
FASTLY_MESSAGES = {
    400: "Bad request",
    401: "Provided credentials are missing or invalid",
    404: "Record not found",
    405: "Method not allowed",
    409: "Duplicate record",
    500: "An internal error occurred",
}

_MODEL_ERRORS = ((NotFound, 404), (Duplicate, 409), (Invalid, 400))


def fastly_error_body(error: RequestError) -> dict:
    """``{"msg": "Record not found", "detail": "Cannot find service 'x'."}``"""
    return {"msg": FASTLY_MESSAGES.get(error.code, "Error"), "detail": error.message}


def as_request_error(error: FastlyError) -> RequestError:
    for kind, code in _MODEL_ERRORS:
        if isinstance(error, kind):
            return RequestError(code, error.detail)
    return RequestError(400, error.detail)


def read_fields(request: Any) -> dict:
    """
    The request body's fields: a JSON object, or form-encoded pairs (the
    official clients' encoding; the last of repeated keys wins). An empty
    body has no fields.
    """
    raw = request.content.read() if request.content is not None else b""
    if not raw.strip():
        return {}
    content_type = (request.getHeader(b"content-type") or b"").decode("latin-1")
    if "json" in content_type or raw.lstrip()[:1] == b"{":
        body = parse_json(raw)
        if not isinstance(body, dict):
            raise RequestError(400, "The request body must be a JSON object.")
        return body
    try:
        return dict(parse_qsl(raw.decode("utf-8"), keep_blank_values=True))
    except UnicodeDecodeError:
        raise RequestError(400, "The request body is not valid UTF-8.") from None


def query_arg(request: Any, name: str) -> Optional[str]:
    return query_text(request, name)


# Rendering with Fastly's field types


def _times(created: float, updated: float) -> dict:
    return {"created_at": timestamp(created), "updated_at": timestamp(updated),
            "deleted_at": None}


def render_customer(customer: Customer) -> dict:
    return {
        "id": customer.id,
        "name": customer.name,
        "owner_id": customer.owner_id,
        "billing_contact_id": None,
        "billing_network_type": "public",
        "billing_ref": None,
        "can_configure_wordpress": None,
        "can_reset_passwords": True,
        "can_upload_vcl": True,
        "force_2fa": False,
        "force_sso": False,
        "has_account_panel": True,
        "has_improved_events": True,
        "has_improved_ssl_config": False,
        "has_openstack_logging": False,
        "has_pci": False,
        "has_pci_passwords": False,
        "ip_whitelist": "0.0.0.0/0",
        "legal_contact_id": None,
        "phone_number": "",
        "postal_address": None,
        "pricing_plan": "developer",
        "pricing_plan_id": "developer",
        "security_contact_id": None,
        "technical_contact_id": None,
        **_times(customer.created_at, customer.created_at),
    }


def render_version(version: Version) -> dict:
    return {
        "number": version.number,
        "service_id": version.service_id,
        "comment": version.comment,
        "active": version.active,
        "locked": version.locked,
        "deployed": version.deployed,
        "staging": version.staging,
        "testing": version.testing,
        **_times(version.created_at, version.updated_at),
    }


def render_object(version: Version, thing: ConfigObject) -> dict:
    kind = thing.kind
    body = dict(thing.attributes)
    body["service_id"] = version.service_id
    body["version"] = str(version.number) if kind.version_as_string else version.number
    if kind.shows_locked:
        body["locked"] = version.locked
    body.update(_times(thing.created_at, thing.updated_at))
    return body


def render_settings(version: Version) -> dict:
    return {**version.settings, "service_id": version.service_id,
            "version": version.number}


def render_version_detail(version: Version) -> dict:
    """A version with all of its configuration, as service details show it."""
    detail = render_version(version)
    for path, key in (("backend", "backends"), ("cache_settings", "cache_settings"),
                      ("condition", "conditions"), ("domain", "domains"),
                      ("header", "headers"), ("response_object", "response_objects")):
        detail[key] = [render_object(version, thing)
                       for thing in version.objects[path].values()]
    detail.update({
        "directors": [], "gzips": [], "healthchecks": [], "request_settings": [],
        "snippets": [], "vcls": [], "wordpress": [],
        "settings": dict(version.settings),
    })
    return detail


def render_service(service: Service) -> dict:
    return {
        "id": service.id,
        "name": service.name,
        "comment": service.comment,
        "customer_id": service.customer_id,
        "type": service.type,
        "publish_key": service.publish_key,
        "paused": service.paused,
        "versions": [render_version(v) for v in service.versions],
        **_times(service.created_at, service.updated_at),
    }


def render_service_summary(service: Service) -> dict:
    """A service in ``GET /service``: ``version`` is its current version number."""
    body = render_service(service)
    del body["publish_key"], body["paused"]
    body["version"] = service.current_number
    return body


def render_domain_check(version: Version, thing: ConfigObject) -> list:
    """
    ``[domain, CNAME target, correctly set up]``. Mimic has no DNS to ask:
    a domain counts as set up once its version is active.
    """
    return [render_object(version, thing), "global.prod.fastly.net", version.active]


class FastlyApi:
    """
    The routes of Fastly's API. ``session_store`` gives the current
    :class:`mimic.model.identity.SessionStore` (reset replaces it), read on
    every request.
    """

    app = MimicKlein()

    def __init__(self, session_store: Callable[[], Any]) -> None:
        self.session_store = session_store

    def fastly(self) -> FastlyStore:
        store = self.session_store()
        return store.data_for_api("fastly", lambda: FastlyStore(store.clock, store.ids))

    def caller(self, request: Any, remember: Optional[bool] = None) -> tuple[FastlyStore, Customer]:
        """
        The store and the customer whose ``Fastly-Key`` signs the request.
        A key never seen becomes a customer on its first change (or when
        it asks who it is, ``remember``): a read by a made-up key keeps
        nothing.
        """
        key = request.getHeader(b"fastly-key")
        if not key or not key.strip():
            raise RequestError(401, "A Fastly-Key header with an API token is required.")
        fastly = self.fastly()
        if remember is None:
            remember = request.method not in (b"GET", b"HEAD")
        return fastly, fastly.customer(key.decode("utf-8", "replace").strip(), remember)

    @staticmethod
    def kind(path: str) -> ConfigKind:
        return CONFIG_KINDS[path]

    def resource(self) -> Resource:
        """The resource to mount: these routes, and ``PURGE`` of any URL under them."""
        return _PurgeMethodResource(self)

    # health and customer

    @app.route("/", methods=["GET"])
    def health(self, request: Any) -> bytes:
        return json_response(request, {"status": "ok"})

    @app.route("/current_customer", methods=["GET"])
    def current_customer(self, request: Any) -> bytes:
        _, customer = self.caller(request, remember=True)
        return json_response(request, render_customer(customer))

    # services

    @app.route("/service", methods=["POST"])
    def create_service(self, request: Any) -> bytes:
        fastly, customer = self.caller(request)
        service = fastly.create_service(customer, read_fields(request))
        return json_response(request, render_service(service))

    @app.route("/service", methods=["GET"])
    def list_services(self, request: Any) -> bytes:
        fastly, customer = self.caller(request)
        services = fastly.services(customer)
        sort = query_arg(request, "sort") or "created"
        direction = query_arg(request, "direction") or "ascend"
        if direction not in ("ascend", "descend"):
            raise RequestError(400, "'direction' must be 'ascend' or 'descend'.")
        sort_keys = {"created": lambda s: s.created_at, "updated": lambda s: s.updated_at,
                     "name": lambda s: s.name, "id": lambda s: s.id}
        if sort.lstrip("-") not in sort_keys:
            raise RequestError(400, f"Cannot sort by {sort!r}.")
        descending = sort.startswith("-") != (direction == "descend")
        # Creation order breaks ties: services made in one clock tick share a time.
        key = sort_keys[sort.lstrip("-")]
        order = {id(s): n for n, s in enumerate(services)}
        services.sort(key=lambda s: (key(s), order[id(s)]), reverse=descending)
        page = _positive(query_arg(request, "page"), "page", 1)
        per_page = _positive(query_arg(request, "per_page"), "per_page", 20)
        if per_page > 1000:
            raise RequestError(400, "'per_page' may be at most 1000.")
        shown = services[(page - 1) * per_page: page * per_page]
        return json_response(request, [render_service_summary(s) for s in shown])

    @app.route("/service/search", methods=["GET"])
    def search_service(self, request: Any) -> bytes:
        fastly, customer = self.caller(request)
        name = query_arg(request, "name")
        if not name:
            raise RequestError(400, "The 'name' query parameter is required.")
        return json_response(request, render_service(fastly.search_service(customer, name)))

    @app.route("/service/<service_id>", methods=["GET"])
    def get_service(self, request: Any, service_id: str) -> bytes:
        fastly, customer = self.caller(request)
        return json_response(request, render_service(fastly.service(customer, service_id)))

    @app.route("/service/<service_id>", methods=["PUT"])
    def update_service(self, request: Any, service_id: str) -> bytes:
        fastly, customer = self.caller(request)
        service = fastly.update_service(customer, service_id, read_fields(request))
        return json_response(request, render_service(service))

    @app.route("/service/<service_id>", methods=["DELETE"])
    def delete_service(self, request: Any, service_id: str) -> bytes:
        fastly, customer = self.caller(request)
        fastly.delete_service(customer, service_id)
        return json_response(request, {"status": "ok"})

    @app.route("/service/<service_id>/details", methods=["GET"])
    def service_details(self, request: Any, service_id: str) -> bytes:
        fastly, customer = self.caller(request)
        service = fastly.service(customer, service_id)
        active = service.active_version
        asked = query_arg(request, "version")
        if asked is not None:
            shown = service.version(_positive(asked, "version", None))
        else:
            shown = active or service.versions[-1]
        body = render_service(service)
        if _flag(query_arg(request, "filter[versions.active]")):
            body["versions"] = [render_version(v) for v in service.versions if v.active]
        body["active_version"] = render_version_detail(active) if active else None
        body["version"] = render_version_detail(shown)
        return json_response(request, body)

    @app.route("/service/<service_id>/domain", methods=["GET"])
    def service_domains(self, request: Any, service_id: str) -> bytes:
        fastly, customer = self.caller(request)
        service = fastly.service(customer, service_id)
        return json_response(request, [
            render_object(version, thing)
            for version in service.versions
            for thing in version.objects_of(DOMAIN).values()
        ])

    # versions

    @app.route("/service/<service_id>/version", methods=["POST"])
    def create_version(self, request: Any, service_id: str) -> bytes:
        fastly, customer = self.caller(request)
        version = fastly.create_version(customer, service_id)
        return json_response(request, {"number": version.number,
                                       "service_id": version.service_id})

    @app.route("/service/<service_id>/version", methods=["GET"])
    def list_versions(self, request: Any, service_id: str) -> bytes:
        fastly, customer = self.caller(request)
        service = fastly.service(customer, service_id)
        return json_response(request, [render_version(v) for v in service.versions])

    @app.route("/service/<service_id>/version/<int:number>", methods=["GET"])
    def get_version(self, request: Any, service_id: str, number: int) -> bytes:
        fastly, customer = self.caller(request)
        return json_response(request, render_version(
            fastly.version(customer, service_id, number)))

    @app.route("/service/<service_id>/version/<int:number>", methods=["PUT"])
    def update_version(self, request: Any, service_id: str, number: int) -> bytes:
        fastly, customer = self.caller(request)
        version = fastly.update_version(customer, service_id, number, read_fields(request))
        return json_response(request, render_version(version))

    @app.route("/service/<service_id>/version/<int:number>/clone", methods=["PUT"])
    def clone_version(self, request: Any, service_id: str, number: int) -> bytes:
        fastly, customer = self.caller(request)
        return json_response(request, render_version(
            fastly.clone_version(customer, service_id, number)))

    @app.route("/service/<service_id>/version/<int:number>/activate", methods=["PUT"])
    def activate_version(self, request: Any, service_id: str, number: int) -> bytes:
        fastly, customer = self.caller(request)
        return json_response(request, render_version(
            fastly.activate_version(customer, service_id, number)))

    @app.route("/service/<service_id>/version/<int:number>/deactivate", methods=["PUT"])
    def deactivate_version(self, request: Any, service_id: str, number: int) -> bytes:
        fastly, customer = self.caller(request)
        return json_response(request, render_version(
            fastly.deactivate_version(customer, service_id, number)))

    @app.route("/service/<service_id>/version/<int:number>/lock", methods=["PUT"])
    def lock_version(self, request: Any, service_id: str, number: int) -> bytes:
        fastly, customer = self.caller(request)
        return json_response(request, render_version(
            fastly.lock_version(customer, service_id, number)))

    @app.route("/service/<service_id>/version/<int:number>/validate", methods=["GET"])
    def validate_version(self, request: Any, service_id: str, number: int) -> bytes:
        fastly, customer = self.caller(request)
        problems = fastly.version(customer, service_id, number).problems()
        return json_response(request, {
            "status": "error" if problems else "ok",
            "msg": None, "errors": problems, "warnings": [], "messages": [],
        })

    @app.route("/service/<service_id>/version/<int:number>/settings", methods=["GET"])
    def get_settings(self, request: Any, service_id: str, number: int) -> bytes:
        fastly, customer = self.caller(request)
        return json_response(request, render_settings(
            fastly.version(customer, service_id, number)))

    @app.route("/service/<service_id>/version/<int:number>/settings", methods=["PUT"])
    def update_settings(self, request: Any, service_id: str, number: int) -> bytes:
        fastly, customer = self.caller(request)
        version = fastly.update_settings(customer, service_id, number, read_fields(request))
        return json_response(request, render_settings(version))

    # domains: the checks first, so that "check_all" is not taken for a name

    @app.route("/service/<service_id>/version/<int:number>/domain/check_all",
               methods=["GET"])
    def check_domains(self, request: Any, service_id: str, number: int) -> bytes:
        fastly, customer = self.caller(request)
        version = fastly.version(customer, service_id, number)
        return json_response(request, [
            render_domain_check(version, thing)
            for thing in version.objects_of(DOMAIN).values()
        ])

    @app.route("/service/<service_id>/version/<int:number>/domain/<name>/check",
               methods=["GET"])
    def check_domain(self, request: Any, service_id: str, number: int, name: str) -> bytes:
        fastly, customer = self.caller(request)
        version = fastly.version(customer, service_id, number)
        thing = fastly.object(customer, service_id, number, DOMAIN, name)
        return json_response(request, render_domain_check(version, thing))

    # purges

    @app.route("/service/<service_id>/purge_all", methods=["POST"])
    def purge_all(self, request: Any, service_id: str) -> bytes:
        fastly, customer = self.caller(request)
        _soft_purge(request)
        fastly.purge_all(customer, service_id)
        return json_response(request, {"status": "ok"})

    @app.route("/service/<service_id>/purge/<surrogate_key>", methods=["POST"])
    def purge_key(self, request: Any, service_id: str, surrogate_key: str) -> bytes:
        fastly, customer = self.caller(request)
        _soft_purge(request)
        ids = fastly.purge_keys(customer, service_id, [surrogate_key])
        return json_response(request, {"status": "ok", "id": ids[surrogate_key]})

    @app.route("/service/<service_id>/purge", methods=["POST"])
    def purge_keys(self, request: Any, service_id: str) -> bytes:
        """Surrogate keys in a ``Surrogate-Key`` header (spaces between) or the body."""
        fastly, customer = self.caller(request)
        _soft_purge(request)
        header = request.getHeader(b"surrogate-key")
        if header is not None:
            keys: Any = header.decode("utf-8", "replace").split()
        else:
            keys = read_fields(request).get("surrogate_keys")
            if not isinstance(keys, list):
                raise RequestError(400, "'surrogate_keys' must be a list of strings, or the "
                                   "keys given in a Surrogate-Key header.")
        return json_response(request, fastly.purge_keys(customer, service_id, keys))

    @app.route("/purge/<path:url>", methods=["POST"])
    def purge_url(self, request: Any, url: str) -> bytes:
        return self.purge_one_url(request, url)

    def purge_one_url(self, request: Any, url: str) -> bytes:
        """``POST /purge/<url>`` and ``PURGE <url>``: ``{"status": "ok", "id"}``."""
        fastly, customer = self.caller(request)
        _soft_purge(request)
        purge = fastly.purge_url(customer, url)
        return json_response(request, {"status": "ok", "id": purge.id})

    # every kind of configuration object, one set of routes

    @app.route("/service/<service_id>/version/<int:number>/<any("
               + ",".join(CONFIG_KINDS) + "):kind>", methods=["POST"])
    def create_object(self, request: Any, service_id: str, number: int, kind: str) -> bytes:
        fastly, customer = self.caller(request)
        values = read_fields(request)
        thing = fastly.create_object(customer, service_id, number, self.kind(kind), values)
        version = fastly.version(customer, service_id, number)
        return json_response(request, render_object(version, thing))

    @app.route("/service/<service_id>/version/<int:number>/<any("
               + ",".join(CONFIG_KINDS) + "):kind>", methods=["GET"])
    def list_objects(self, request: Any, service_id: str, number: int, kind: str) -> bytes:
        fastly, customer = self.caller(request)
        version = fastly.version(customer, service_id, number)
        things = fastly.objects(customer, service_id, number, self.kind(kind))
        return json_response(request, [render_object(version, t) for t in things])

    @app.route("/service/<service_id>/version/<int:number>/<any("
               + ",".join(CONFIG_KINDS) + "):kind>/<name>", methods=["GET"])
    def get_object(self, request: Any, service_id: str, number: int, kind: str,
                   name: str) -> bytes:
        fastly, customer = self.caller(request)
        version = fastly.version(customer, service_id, number)
        thing = fastly.object(customer, service_id, number, self.kind(kind), name)
        return json_response(request, render_object(version, thing))

    @app.route("/service/<service_id>/version/<int:number>/<any("
               + ",".join(CONFIG_KINDS) + "):kind>/<name>", methods=["PUT"])
    def update_object(self, request: Any, service_id: str, number: int, kind: str,
                      name: str) -> bytes:
        fastly, customer = self.caller(request)
        values = read_fields(request)
        thing = fastly.update_object(customer, service_id, number, self.kind(kind),
                                     name, values)
        version = fastly.version(customer, service_id, number)
        return json_response(request, render_object(version, thing))

    @app.route("/service/<service_id>/version/<int:number>/<any("
               + ",".join(CONFIG_KINDS) + "):kind>/<name>", methods=["DELETE"])
    def delete_object(self, request: Any, service_id: str, number: int, kind: str,
                      name: str) -> bytes:
        fastly, customer = self.caller(request)
        fastly.delete_object(customer, service_id, number, self.kind(kind), name)
        return json_response(request, {"status": "ok"})


class _PurgeMethodResource(Resource):
    """
    Fastly's API, plus Fastly's ``PURGE`` of a URL: ``PURGE
    /fastly/<host>/<path>`` purges ``<host>/<path>`` as ``POST
    /purge/<host>/<path>`` does. It is answered here, before the routes,
    so that a catch-all route does not turn unknown paths' 404 into 405.
    """

    isLeaf = True

    def __init__(self, api: FastlyApi) -> None:
        super().__init__()
        self.api = api
        self.routes = api.app.resource()

    def render(self, request: Any) -> Any:
        if request.method != b"PURGE":
            # Through the request, so that Mimic's site renders the app
            # (mimic.klein_rendering) rather than KleinResource.render.
            request.render(self.routes)
            return NOT_DONE_YET
        request.setHeader(b"content-type", b"application/json")
        try:
            url = "/".join(segment.decode("utf-8") for segment in request.postpath)
            return self.api.purge_one_url(request, url)
        except UnicodeDecodeError:
            error = RequestError(400, "The URL to purge is not valid UTF-8.")
        except RequestError as refused:
            error = refused
        except FastlyError as refused:
            error = as_request_error(refused)
        request.setResponseCode(error.code)
        return json.dumps(fastly_error_body(error)).encode("utf-8")


def _soft_purge(request: Any) -> bool:
    """
    Whether a ``Fastly-Soft-Purge`` header asks to mark content stale
    rather than evict it; Fastly reads its presence, not its value. Mimic
    caches nothing, so both purge alike.
    """
    return request.getHeader(b"fastly-soft-purge") is not None


def _positive(value: Optional[str], name: str, default: Optional[int]) -> int:
    return query_integer(value, name, default, minimum=1,
                         message=f"'{name}' must be a positive integer.")


def _flag(value: Optional[str]) -> bool:
    return value is not None and value.lower() in ("1", "true", "yes")


# The model's refusals first: Klein tries error handlers in order, and
# install_error_handlers ends with a catch-all.
@FastlyApi.app.handle_errors(FastlyError)
def _refused_by_model(*args: Any) -> bytes:
    request, failure = args[-2:]
    error = as_request_error(failure.value)
    request.setHeader(b"content-type", b"application/json")
    request.setResponseCode(error.code)
    return json.dumps(fastly_error_body(error)).encode("utf-8")


install_error_handlers(FastlyApi.app, fastly_error_body)
