"""
How a server listing finds its page: which servers it looks at (live,
deleted or both, of one project or, for an admin's ``all_tenants``, of
many), Nova's filters, and the marker and limit, newest first. Pure
functions over :class:`mimic.model.nova_server.Server` records.
"""

from __future__ import annotations

import heapq
import itertools
import math
from typing import Iterable, Iterator

from mimic.model.nova_errors import BadRequest
from mimic.model.nova_server import STATES, Server, ServerQuery


def pool_of(live: dict, deleted: dict, query: ServerQuery) -> list:
    """
    One project's servers a listing looks at, newest first: the live ones,
    the deleted ones (``deleted=True``), or both (``deleted`` unsaid with a
    ``changes-since``/``changes-before``, as Nova's ``_get_servers`` does).
    """
    if query.deleted is False:
        return list(reversed(live.values()))
    if query.deleted is True:
        return list(reversed(deleted.values()))
    return merged([list(reversed(live.values())), list(reversed(deleted.values()))])


def merged(pools: Iterable[list]) -> list:
    """Several newest-first lists as one, newest first (by creation time)."""
    return list(heapq.merge(*pools, key=lambda server: -server.created))


def page_of(pool: list, query: ServerQuery, now: float) -> list:
    """The page of ``pool`` (newest first) that ``query`` asks for."""
    if query.marker is not None and not any(s.id == query.marker for s in pool):
        raise BadRequest(f"marker [{query.marker}] not found")
    if query.statuses and not set(query.statuses) & STATES.keys():
        return []  # an unknown status matches nothing, as in Nova 2.1
    candidates: Iterator[Server] = iter(pool)
    if query.marker is not None:
        candidates = _after(candidates, query.marker)
    if not _filters(query):
        # The common poll: no filter, one page (no test per server).
        return list(itertools.islice(candidates, query.limit))
    page: list[Server] = []
    for server in candidates:
        if len(page) >= query.limit:
            break
        if _matches(server, query, now):
            page.append(server)
    return page


def _after(servers: Iterator[Server], marker: str) -> Iterator[Server]:
    for server in servers:
        if server.id == marker:
            break
    return servers


def _filters(query: ServerQuery) -> bool:
    """Whether ``query`` filters servers at all (a marker and a limit do not)."""
    return bool(query.project_id is not None or query.name is not None or query.statuses
                or query.image is not None or query.flavor is not None
                or query.reservation_id is not None or query.changes_since is not None
                or query.changes_before is not None or query.locked is not None
                or query.tags_all or query.tags_any or query.not_tags_all
                or query.not_tags_any)


def _matches(server: Server, query: ServerQuery, now: float) -> bool:
    if query.project_id is not None and server.tenant_id != query.project_id:
        return False
    if query.name is not None and not query.name.search(server.name):
        return False
    if query.statuses and server.status_at(now) not in query.statuses:
        return False
    if query.image is not None and server.image.id != query.image:
        return False
    if query.flavor is not None and server.flavor.id != query.flavor:
        return False
    if query.reservation_id is not None and server.reservation_id != query.reservation_id:
        return False
    if query.changes_since is not None or query.changes_before is not None:
        # Compared in whole seconds, as Nova's database keeps them and as
        # ``updated`` shows them: a server's own ``updated`` given back as
        # ``changes-before`` finds it.
        updated = math.floor(server.updated_at(now))
        if query.changes_since is not None and updated < query.changes_since:
            return False
        if query.changes_before is not None and updated > query.changes_before:
            return False
    if query.locked is not None and server.locked != query.locked:
        return False
    return _matches_tags(server, query)


def _matches_tags(server: Server, query: ServerQuery) -> bool:
    """Nova's tag filters: all of ``tags``, one of ``tags-any``, and their negations."""
    tags = set(server.tags)
    if query.tags_all and not tags.issuperset(query.tags_all):
        return False
    if query.tags_any and not tags.intersection(query.tags_any):
        return False
    if query.not_tags_all and tags.issuperset(query.not_tags_all):
        return False
    if query.not_tags_any and tags.intersection(query.not_tags_any):
        return False
    return True


