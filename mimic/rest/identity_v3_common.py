"""
What every Keystone v3 route module shares: the caller's token and the
admin check (Keystone's default policy: reads for any valid token, writes
for admins), the readers of request bodies and query strings, and the JSON
of Keystone's entities. Below :mod:`mimic.rest.identity_v3_api` and its
sibling modules, one per group of Keystone's nouns.
"""

from __future__ import annotations

import json
from typing import Any, Callable, Iterable, Optional
from urllib.parse import parse_qs

from mimic.model.identity import Domain, Group, Tenant, Token, User
from mimic.rest.http import RequestError, caller_token, json_response, read_json
from mimic.rest.identity_common import all_regions, encodable, root_url

#: Keystone caps names and descriptions at 255 characters (its schema's
#: ``name`` type; ``description`` is unbounded there, Mimic bounds it).
MAX_NAME = 255
MAX_DESCRIPTION = 4096
#: How many tags a project may carry (Keystone's own limit is 80).
MAX_TAGS = 80


class KeystoneRoutes:
    """The base of each v3 route class: the core, the store, who is calling."""

    def __init__(self, core: Any) -> None:
        self.core = core

    @property
    def store(self) -> Any:
        return self.core.store

    def caller(self, request: Any) -> Token:
        """The valid token in X-Auth-Token, which every call but auth needs."""
        token = caller_token(request, self.store)
        if token is None:
            raise unauthorized(request, "The request you have made requires "
                               "authentication: a valid X-Auth-Token is needed.")
        return token

    def admin(self, request: Any, action: str) -> Token:
        """The caller's token, which must carry ``admin`` (Keystone's default policy)."""
        token = self.caller(request)
        if not token.is_admin:
            raise RequestError(403, "You are not authorized to perform the requested "
                               f"action: identity:{action}. It needs the admin role.")
        return token

    def themself(self, request: Any, user_id: str, action: str,
                 admins_too: bool = False) -> Token:
        """
        The caller's token, which must be ``user_id``'s own (or, with
        ``admins_too``, an admin's): Keystone's owner rules for passwords,
        application credentials and access rules.
        """
        token = self.caller(request)
        user = self.user(user_id)
        if token.user is not user and not (admins_too and token.is_admin):
            raise RequestError(403, "You are not authorized to perform the requested "
                               f"action: identity:{action} (for the user themself"
                               f"{' or an admin' if admins_too else ''}).")
        return token

    def known(self, kind: str, found: Any, wanted: str) -> Any:
        if found is None:
            raise RequestError(404, f"Could not find {kind}: {wanted}.")
        return found

    def user(self, user_id: str) -> User:
        return self.known("user", self.store.user_by_id(user_id), user_id)

    def project(self, project_id: str) -> Tenant:
        return self.known("project", self.store.known_tenant(project_id), project_id)

    def domain(self, domain_id: str) -> Domain:
        return self.known("domain", self.store.known_domain(domain_id), domain_id)

    def group(self, group_id: str) -> Group:
        return self.known("group", self.store.group(group_id), group_id)

    def role(self, role_id: str) -> Any:
        return self.known("role", self.store.roles.roles.get(role_id), role_id)

    def region_ids(self) -> list:
        return [*all_regions(self.core), *self.store.services.regions]


def unauthorized(request: Any, message: str) -> RequestError:
    """A 401 that tells the client where to authenticate, as Keystone does."""
    challenge = f'Keystone uri="{root_url(request)}/identity/v3"'
    return RequestError(401, message, headers={b"www-authenticate": challenge.encode()})


# request bodies


def entity(request: Any, key: str, update: bool = False) -> dict:
    """
    ``body[key]`` of a JSON body, which must be an object (Keystone's shape);
    for an update, a non-empty one (Keystone's schemas: ``minProperties: 1``).
    """
    body = read_json(request)
    value = body.get(key)
    if not isinstance(value, dict) or (update and not value):
        raise RequestError(400, f"Invalid input for field '{key}': "
                           f"{'a non-empty' if update else 'an'} object is required.")
    return value


def text(body: dict, key: str, where: str, required: bool = False,
         limit: int = MAX_NAME, empty: bool = False) -> Optional[str]:
    """A string field: present (if ``required``), a string, within ``limit``."""
    value = body.get(key)
    if value is None:
        if required:
            raise RequestError(400, f"Invalid input for field '{where}.{key}': it is "
                               "required.")
        return None
    if (not isinstance(value, str) or (not value and not empty) or len(value) > limit
            or not encodable(value)):
        raise RequestError(400, f"Invalid input for field '{where}.{key}': a "
                           f"{'' if empty else 'non-empty '}string of at most {limit} "
                           "characters (valid Unicode) is required.")
    return value



def flag(body: dict, key: str, where: str) -> Optional[bool]:
    value = body.get(key)
    if value is None:
        return None
    if not isinstance(value, bool):
        raise RequestError(400, f"Invalid input for field '{where}.{key}': true or "
                           "false is required.")
    return value


def whole_number(body: dict, key: str, where: str, required: bool = False) -> Optional[int]:
    value = body.get(key)
    if value is None and not required:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not -1 <= value <= 2**31:
        raise RequestError(400, f"Invalid input for field '{where}.{key}': an integer "
                           f"from -1 to {2**31} is required.")
    return value


#: How many properties of its own an entity may carry besides Keystone's.
MAX_EXTRA = 64


def extras(body: dict, known: Iterable[str], where: str,
           current: Optional[dict] = None) -> Optional[dict]:
    """
    The properties of ``body`` beyond Keystone's ``known`` ones, merged over
    ``current``: Keystone keeps them on projects, domains and users
    and most other entities (``additionalProperties`` in its schemas) and
    answers them back.
    """
    extra = {k: v for k, v in body.items() if k not in set(known)}
    if not extra:
        return current
    merged = {**(current or {}), **extra}
    if len(merged) > MAX_EXTRA or not all(
            0 < len(k) <= MAX_NAME and encodable(k) for k in merged) or not encodable(
            json.dumps(extra, ensure_ascii=False)):
        raise RequestError(400, f"Invalid input for field '{where}': at most "
                           f"{MAX_EXTRA} extra properties, named by 1 to {MAX_NAME} "
                           "characters.")
    return merged


def with_extra(body: dict, extra: Optional[dict]) -> dict:
    """An entity's JSON with its extra properties (Keystone's own win)."""
    return {**extra, **body} if extra else body


def set_given(target: Any, **values: Any) -> None:
    """Set each value an update gave (not ``None``) on ``target``: a PATCH changes only those."""
    for name, value in values.items():
        if value is not None:
            setattr(target, name, value)


def unknown_fields(body: dict, allowed: Iterable[str], where: str) -> None:
    extra = sorted(set(body) - set(allowed))
    if extra:
        raise RequestError(400, f"Invalid input for field '{where}': additional "
                           f"properties are not allowed ({', '.join(extra)}).")


# query strings


def query(request: Any, name: str) -> Optional[str]:
    values = request.args.get(name.encode("ascii"))
    if not values:
        return None
    try:
        return values[0].decode("utf-8")
    except UnicodeDecodeError:
        raise RequestError(400, f"The query parameter {name!r} is not valid UTF-8.") from None


def query_flag(request: Any, name: str) -> Optional[bool]:
    """``?enabled=true``/``false`` (Keystone also reads ``1``/``0``)."""
    value = query(request, name)
    if value is None:
        return None
    lowered = value.lower()
    if lowered in ("true", "1", "yes"):
        return True
    if lowered in ("false", "0", "no"):
        return False
    raise RequestError(400, f"The query parameter {name!r} must be true or false.")


def has_flag(request: Any, name: str) -> bool:
    """
    Whether the query string holds ``name``, valued or bare (``?nocatalog``):
    Twisted's ``request.args`` drops bare names.
    """
    raw = request.uri.partition(b"?")[2].decode("utf-8", "replace")
    return name in parse_qs(raw, keep_blank_values=True)


def filtered(request: Any, items: list, filters: dict) -> list:
    """``items`` whose attributes match every filter given in the query."""
    for name, attribute in filters.items():
        wanted: Any = query_flag(request, name) if name == "enabled" else query(request, name)
        if wanted is not None:
            items = [i for i in items if attribute(i) == wanted]
    return items


# answers


def v3_url(request: Any, path: str) -> str:
    return f"{root_url(request)}/identity/v3/{path}"


def links(request: Any) -> dict:
    self_url = root_url(request) + request.uri.decode("utf-8", "replace")
    return {"self": self_url, "previous": None, "next": None}


def listing(request: Any, key: str, items: Iterable, render: Callable,
            code: int = 200) -> bytes:
    return json_response(request, {key: [render(request, i) for i in items],
                                   "links": links(request)}, code=code)


def single(request: Any, key: str, item: Any, render: Callable, code: int = 200) -> bytes:
    return json_response(request, {key: render(request, item)}, code=code)


def project_json(request: Any, tenant: Tenant) -> dict:
    return with_extra({
        "id": tenant.id,
        "name": tenant.name,
        "domain_id": tenant.domain_id,
        "parent_id": tenant.parent_id or tenant.domain_id,
        "description": tenant.description,
        "enabled": tenant.enabled,
        "is_domain": tenant.is_domain,
        "tags": list(tenant.tags),
        "options": {},
        "links": {"self": v3_url(request, f"projects/{tenant.id}")},
    }, tenant.extra)


def user_json(request: Any, user: User) -> dict:
    body = {
        "id": user.id,
        "name": user.username,
        "domain_id": user.domain_id,
        "default_project_id": user.tenant.id,
        "enabled": user.enabled,
        "password_expires_at": None,
        "options": {},
        "links": {"self": v3_url(request, f"users/{user.id}")},
    }
    if user.email is not None:
        body["email"] = user.email
    if user.description:
        body["description"] = user.description
    return with_extra(body, user.extra)


def domain_json(request: Any, domain: Domain) -> dict:
    return with_extra({
        "id": domain.id,
        "name": domain.name,
        "description": domain.description,
        "enabled": domain.enabled,
        "tags": [],
        "options": {},
        "links": {"self": v3_url(request, f"domains/{domain.id}")},
    }, domain.extra)


def group_json(request: Any, group: Group) -> dict:
    return with_extra({
        "id": group.id,
        "name": group.name,
        "domain_id": group.domain_id,
        "description": group.description,
        "links": {"self": v3_url(request, f"groups/{group.id}")},
    }, group.extra)


def role_json(request: Any, role: Any) -> dict:
    return with_extra({
        "id": role.id,
        "name": role.name,
        "domain_id": role.domain_id,
        "description": role.description,
        "options": {},
        "links": {"self": v3_url(request, f"roles/{role.id}")},
    }, role.extra)
