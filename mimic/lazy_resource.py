"""
A plugin's root mount made when a request first reaches it: Mimic's
start-up builds no API's routes (it imports none of their modules), so a
plugin that mounts a resource on the root (``/fastly``, the mesh's
``/mesh`` and ``/metrics``) hands :class:`mimic.resource.MountedRoot` one
of these instead, and the root asks it for the resource when a path first
falls under the mount.
"""

from __future__ import annotations

from typing import Any, Callable, Optional

from twisted.web.resource import Resource


class LazyResource(Resource):
    """Stands for the resource ``make()`` returns, made once, on first use."""

    def __init__(self, make: Callable[[], Any]) -> None:
        super().__init__()
        self._make: Optional[Callable[[], Any]] = make
        self._made: Any = None

    def resource(self) -> Any:
        """The resource itself (made now if no request has needed it yet)."""
        if self._make is not None:
            self._made, self._make = self._make(), None
        return self._made


def resolved(resource: Any) -> Any:
    """``resource``, or what it stands for if it is a :class:`LazyResource`."""
    return resource.resource() if isinstance(resource, LazyResource) else resource
