"""
How Mimic's site renders a Klein app: once per request, synchronously when
the route answers at once, and with the answer's length.

Klein's own ``KleinResource.render`` (Klein 24.8) does, for every request:
decode the URL parts (asking the transport whether it is TLS, twice), bind
the URL map, adapt the request to ``IKleinRequest`` to keep the bound map,
register two ``notifyFinish`` Deferreds, call the route through two
``maybeDeferred`` and deliver its answer through a chain of Deferred
callbacks, then write the body without a ``Content-Length``, so that
HTTP/1.1 answers go out chunked. On a small answer that is two thirds of
what a bare Klein server spends on a request, and Mimic's routes answer
bytes at once in almost every case.

:func:`render_klein` keeps what a route and an error handler see (the same
URL map, the same ``prepath``/``postpath`` split, the same error handlers
tried in the same order, a branch route's child resource rendered in turn,
a Deferred answer cancelled when the client goes away) and drops the rest:
an answer given at once is written at once, with its length. What Mimic's
routes never return (Klein's ``Response``, ``IRenderable`` elements) is
not supported here, and nothing in Mimic reads ``IKleinRequest(request)``.
"""

from __future__ import annotations

from typing import Any, Callable, Optional, Sequence

from klein import Klein
from twisted.internet.defer import CancelledError, Deferred
from twisted.logger import Logger
from twisted.python.failure import Failure
from twisted.web.http import NO_BODY_CODES
from twisted.web.resource import IResource, getChildForRequest
from werkzeug.exceptions import HTTPException
from werkzeug.routing import Map, Rule

log = Logger()


class LazyBuildRule(Rule):
    """
    A werkzeug rule that makes its URL builders when one is first used.

    werkzeug compiles two builders per rule as it is added to a map
    (``Rule.compile``: Python source generated through ``ast`` and
    ``compile()``), for ``url_for``; with Mimic's five hundred routes that
    was a third of start-up, and Mimic builds no URL from its routes.
    Matching is unchanged.
    """

    def _compile_builder(self, append_unknown: bool = True) -> Callable:
        def build(rule: Rule, *args: Any, **kwargs: Any) -> Any:
            made = Rule._compile_builder(rule, append_unknown).__get__(rule, None)
            setattr(rule, "_build_unknown" if append_unknown else "_build", made)
            return made(*args, **kwargs)

        return build


#: How many matched paths a :class:`RouteMap` remembers, and the longest
#: path it remembers (paths are client input: the memory is bounded, about
#: half a megabyte a map at most).
MATCHES_KEPT = 1024
MATCHED_PATH_BYTES = 512


class RouteMap(Map):
    """
    A werkzeug ``Map`` whose plain rules are :class:`LazyBuildRule`, and
    which remembers where recent paths matched.

    Klein binds its map and matches the path on every request (werkzeug's
    ``MapAdapter.match``: a walk of its state machine, converters run on
    every segment); on a small answer that was a tenth of Mimic's request.
    The answer depends only on the rules, the method and the path (Mimic's
    maps match no host and no subdomain), so a path that matched once
    matches the same way again; :meth:`add` forgets every match. Only
    matches are remembered: a 404, 405 or redirect is decided afresh.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        #: ``(method, Host header, path) -> (endpoint, arguments)``.
        self.matches: dict = {}

    def add(self, rulefactory: Any) -> None:
        if type(rulefactory) is Rule:
            # Klein makes werkzeug's own Rule; the subclass only defers work.
            rulefactory.__class__ = LazyBuildRule
        super().add(rulefactory)
        self.matches = {}

    def remember(self, key: tuple, endpoint: str, arguments: dict) -> None:
        """Keep one match (forgetting every other once the map holds enough)."""
        if len(key[2]) > MATCHED_PATH_BYTES:
            return
        if len(self.matches) >= MATCHES_KEPT:
            self.matches = {}
        self.matches[key] = (endpoint, arguments)


class MimicKlein(Klein):
    """
    Klein's app with :class:`RouteMap` and a cheap binding to an instance.

    Klein's ``__get__`` makes a new ``Klein`` (and with it a new werkzeug
    ``Map``, thrown away at once) the first time an instance reads its app;
    APIs that make an instance per request (Nova) paid that on every
    request. Here the bound app is a copy of the class's, sharing its
    routes and error handlers.
    """

    def __init__(self) -> None:
        super().__init__()
        self._url_map = RouteMap()

    def __get__(self, instance: Any, owner: object) -> Klein:
        if instance is None:
            return self
        bound = object.__new__(type(self))
        bound.__dict__.update(self.__dict__)
        bound._instance = instance
        return bound


def _url_parts(request: Any) -> tuple:
    """What Klein binds its URL map with: (server name, script name, path)."""
    host = request.getHost()
    port = getattr(host, "port", 0)
    secure = bool(request.isSecure())
    server_name = request.getRequestHostname()
    if (secure, port) not in ((True, 443), (False, 80), (False, 0), (True, 0)):
        server_name = b"%s:%d" % (server_name, port)
    script_name = path_info = b""
    if request.prepath:
        script_name = b"/".join(request.prepath)
        if not script_name.startswith(b"/"):
            script_name = b"/" + script_name
    if request.postpath:
        path_info = b"/".join(request.postpath)
        if not path_info.startswith(b"/"):
            path_info = b"/" + path_info
    return (server_name.decode("utf-8"), script_name.decode("utf-8"),
            path_info.decode("utf-8"), "https" if secure else "http")


class KleinRendering:
    """One request answered by one Klein app (see the module's docstring)."""

    __slots__ = ("app", "request")

    def __init__(self, app: Any, request: Any) -> None:
        self.app = app
        self.request = request

    def start(self) -> None:
        request = self.request
        app = self.app
        url_map = app.url_map
        matches = getattr(url_map, "matches", None)
        # The Host header is in the key: it is what could fail to decode.
        key = (request.method, request.getHeader(b"host"), b"/".join(request.postpath))
        found = matches.get(key) if matches is not None else None
        try:
            if found is None:
                found = self.match(url_map)
                if found is None:
                    return
                if matches is not None:
                    url_map.remember(key, *found)
            endpoint, arguments = found
            split = app.endpoints[endpoint].segment_count
            request.prepath.extend(request.postpath[:split])
            request.postpath = request.postpath[split:]
            result = app.execute_endpoint(endpoint, request, **arguments)
        except BaseException:
            self.failed(Failure(), app._error_handlers)
            return
        if isinstance(result, Deferred):
            # A route that answers later: cancelled if the client goes away
            # first, as Klein does.
            request.notifyFinish().addErrback(lambda _: result.cancel())
        self.deliver(result, self.app._error_handlers)

    def match(self, url_map: Map) -> Optional[tuple]:
        """
        ``(endpoint, arguments)`` of the route the request's path matches,
        as Klein finds it (werkzeug raises its 404, 405 or redirect); None
        when this answered the request already.
        """
        request = self.request
        try:
            server_name, script_name, path_info, scheme = _url_parts(request)
        except UnicodeDecodeError:
            # Klein's answer to a URL part that is not UTF-8 (the site
            # refuses such paths before any route; a Host header may be).
            request.setResponseCode(400)
            self.answer(b"Non-UTF-8 encoding in URL.")
            return None
        mapper = url_map.bind(
            server_name, script_name, path_info=path_info,
            default_method=request.method.decode("utf-8"), url_scheme=scheme)
        rule, arguments = mapper.match(return_rule=True)
        return rule.endpoint, arguments

    def deliver(self, result: Any, handlers: Sequence) -> None:
        """Answer with a route's (or an error handler's) result, now or later."""
        if isinstance(result, Deferred):
            result.addCallbacks(self.deliver, self.failed,
                                callbackArgs=(handlers,), errbackArgs=(handlers,))
            return
        if IResource.providedBy(result):
            # A branch route handing the rest of the path to a resource.
            self.request.render(getChildForRequest(result, self.request))
            return
        if isinstance(result, str):
            result = result.encode("utf-8")
        self.answer(result if isinstance(result, bytes) else None)

    def answer(self, body: Optional[bytes]) -> None:
        request = self.request
        if request.finished or request._disconnected:
            return
        if request.startedWriting or request.code in NO_BODY_CODES:
            # The route wrote (or may send) no length of its own: as Klein.
            if body:
                request.write(body)
            request.finish()
            return
        request.write_whole(body or b"")

    def failed(self, failure: Failure, handlers: Sequence) -> None:
        """Try the app's error handlers in order, as Klein does."""
        request = self.request
        if request.finished or request._disconnected:
            if not failure.check(CancelledError):
                log.failure("Unhandled error processing {uri}", failure, uri=request.uri)
            return
        for index, (kinds, handler) in enumerate(handlers):
            if failure.check(*kinds):
                rest = handlers[index + 1:]
                try:
                    result = self.app.execute_error_handler(handler, request, failure)
                except BaseException:
                    self.failed(Failure(), rest)
                    return
                self.deliver(result, rest)
                return
        if failure.check(HTTPException):
            error = failure.value
            request.setResponseCode(error.code)
            response = error.get_response({})
            for name, value in response.headers:
                request.setHeader(name.encode("utf-8"), value.encode("utf-8"))
            self.answer(b"".join(response.iter_encoded()))
            return
        request.processingFailed(failure)

