"""
Keystone v3 domains and projects (``/identity/v3/domains``,
``/identity/v3/projects``), writable by admins: create, show, list with the
API reference's filters, update, delete, and project tags.

Listings and shows are open to every valid token (as Mimic's read-only v3
was); writes need a token carrying ``admin`` (Keystone's default policy).
A disabled domain's users cannot authenticate; a disabled project cannot
be scoped to. A domain's configuration (``/domains/<id>/config``) holds
the options :mod:`mimic.model.identity.domain_config` allows.
"""

from __future__ import annotations

from typing import Any, Optional

from mimic.klein_rendering import MimicKlein

from mimic.model.identity import DEFAULT_DOMAIN_ID, Domain
from mimic.model.identity.domain_config import DomainConfig, InvalidDomainConfig
from mimic.model.identity.projects import MAX_HIERARCHY_DEPTH
from mimic.rest.http import (
    RequestError,
    empty_response,
    install_error_handlers,
    json_response,
    read_json,
)
from mimic.rest.identity_common import encodable, forget_catalogs, keystone_error_body
from mimic.rest.identity_v3_common import (
    MAX_DESCRIPTION,
    MAX_TAGS,
    KeystoneRoutes,
    domain_json,
    entity,
    filtered,
    flag,
    has_flag,
    listing,
    project_json,
    query_flag,
    extras,
    single,
    text,
)

DOMAIN_FIELDS = ("name", "description", "enabled", "tags", "options", "explicit_domain_id")
PROJECT_FIELDS = ("name", "domain_id", "parent_id", "description", "enabled",
                  "is_domain", "tags", "options")


class IdentityV3ProjectsApi(KeystoneRoutes):
    """``/identity/v3/domains/...`` and ``/identity/v3/projects/...``."""

    app = MimicKlein()

    # domains

    @app.route("/domains", methods=["GET"])
    def domains(self, request: Any) -> bytes:
        self.caller(request)
        domains = filtered(request, self.store.domains(), {
            "name": lambda d: d.name, "enabled": lambda d: d.enabled})
        return listing(request, "domains", domains, domain_json)

    @app.route("/domains", methods=["POST"])
    def create_domain(self, request: Any) -> bytes:
        self.admin(request, "create_domain")
        body = entity(request, "domain")
        extra = extras(body, DOMAIN_FIELDS, "domain")
        name = text(body, "name", "domain", required=True)
        description = text(body, "description", "domain", limit=MAX_DESCRIPTION,
                           empty=True) or ""
        enabled = flag(body, "enabled", "domain")
        explicit = text(body, "explicit_domain_id", "domain")
        if self.store.domain_named(name) is not None:
            raise RequestError(409, f"Conflict occurred attempting to store domain - "
                               f"Duplicate entry found with name {name}.")
        domain_id = explicit or self.store.stable.unique(
            "domain", name, lambda c: self.store.known_domain(c) is not None)
        if self.store.known_domain(domain_id) is not None:
            raise RequestError(409, f"Duplicate ID, {domain_id}.")
        domain = self.store.domain(domain_id, name)
        domain.description = description
        domain.enabled = True if enabled is None else enabled
        domain.extra = extra
        return single(request, "domain", domain, domain_json, code=201)

    @app.route("/domains/<domain_id>", methods=["GET"])
    def show_domain(self, request: Any, domain_id: str) -> bytes:
        self.caller(request)
        return single(request, "domain", self.domain(domain_id), domain_json)

    @app.route("/domains/<domain_id>", methods=["PATCH"])
    def update_domain(self, request: Any, domain_id: str) -> bytes:
        self.admin(request, "update_domain")
        domain = self.domain(domain_id)
        body = entity(request, "domain", update=True)
        extra = extras(body, DOMAIN_FIELDS, "domain", domain.extra)
        name = text(body, "name", "domain")
        description = text(body, "description", "domain", limit=MAX_DESCRIPTION,
                           empty=True)
        enabled = flag(body, "enabled", "domain")
        if name is not None and name != domain.name and self.store.domain_named(name):
            raise RequestError(409, f"Conflict occurred attempting to store domain - "
                               f"Duplicate entry found with name {name}.")
        domain.extra = extra
        if name is not None:
            domain.name = name
        if description is not None:
            domain.description = description
        if enabled is not None:
            domain.enabled = enabled
            if not enabled:
                for user in self.store.users():
                    if user.domain_id == domain.id:
                        self.store.revoke_tokens_of(user)
        return single(request, "domain", domain, domain_json)

    @app.route("/domains/<domain_id>", methods=["DELETE"])
    def delete_domain(self, request: Any, domain_id: str) -> bytes:
        self.admin(request, "delete_domain")
        domain = self.domain(domain_id)
        if domain.id == DEFAULT_DOMAIN_ID:
            raise RequestError(403, "The default domain cannot be deleted.")
        if domain.enabled:
            raise RequestError(403, "Cannot delete a domain that is enabled, please "
                               "disable it first.")
        self._delete_domain_contents(domain)
        self.store.delete_domain(domain)
        return empty_response(request)

    def _delete_domain_contents(self, domain: Domain) -> None:
        """What Keystone deletes with a domain: its projects, users and groups."""
        for user in [u for u in self.store.users() if u.domain_id == domain.id]:
            self.store.delete_user(user)
        for group in [g for g in self.store.groups() if g.domain_id == domain.id]:
            self.store.delete_group(group)
        for tenant in [t for t in self.store.tenants() if t.domain_id == domain.id]:
            if not any(u.tenant is tenant for u in self.store.users()):
                self.store.delete_tenant(tenant)

    # projects

    @app.route("/projects", methods=["GET"])
    def projects(self, request: Any) -> bytes:
        self.caller(request)
        tenants = filtered(request, self.store.tenants(), {
            "name": lambda t: t.name,
            "domain_id": lambda t: t.domain_id,
            "parent_id": lambda t: t.parent_id or t.domain_id,
            "enabled": lambda t: t.enabled,
        })
        is_domain = query_flag(request, "is_domain")
        if is_domain is not None:
            tenants = [t for t in tenants if t.is_domain == is_domain]
        return listing(request, "projects", tenants, project_json)

    @app.route("/projects", methods=["POST"])
    def create_project(self, request: Any) -> bytes:
        self.admin(request, "create_project")
        body = entity(request, "project")
        extra = extras(body, PROJECT_FIELDS, "project")
        name = text(body, "name", "project", required=True)
        is_domain = bool(flag(body, "is_domain", "project"))
        parent_id = text(body, "parent_id", "project")
        domain_id = text(body, "domain_id", "project")
        parent = None
        if parent_id is not None:
            parent = self.store.known_tenant(parent_id)
            if parent is None:
                if self.store.known_domain(parent_id) is None:
                    raise RequestError(404, f"Could not find project: {parent_id}.")
                domain_id = domain_id or parent_id
            else:
                domain_id = domain_id or parent.domain_id
                if domain_id != parent.domain_id:
                    raise RequestError(400, "A project's parent must be in its domain.")
        domain_id = domain_id or DEFAULT_DOMAIN_ID
        if not is_domain:
            self.known("domain", self.store.known_domain(domain_id), domain_id)
        if self.store.find_tenant_named(name, domain_id) is not None or (
                is_domain and self.store.domain_named(name) is not None):
            raise RequestError(409, "Conflict occurred attempting to store project - "
                               f"it is not permitted to have two projects with the "
                               f"same name in the same domain : {name}.")
        tags = _tags(body)
        description = text(body, "description", "project", limit=MAX_DESCRIPTION,
                           empty=True) or ""
        enabled = flag(body, "enabled", "project")
        project_id = self.store.stable.unique(
            "project", f"{domain_id}\x00{name}",
            lambda c: self.store.known_tenant(c) is not None
            or self.store.known_domain(c) is not None)
        if is_domain:
            # A project acting as a domain is a domain too (Keystone's model).
            domain = self.store.domain(project_id, name)
            domain.description = description
            domain_id = project_id
        tenant = self.store.tenant(project_id, name, domain_id=domain_id)
        tenant.description = description
        tenant.enabled = True if enabled is None else enabled
        tenant.parent_id = parent.id if parent is not None else None
        tenant.is_domain = is_domain
        tenant.tags = tags
        tenant.extra = extra
        return single(request, "project", tenant, project_json, code=201)

    @app.route("/projects/<project_id>", methods=["GET"])
    def show_project(self, request: Any, project_id: str) -> bytes:
        self.caller(request)
        tenant = self.project(project_id)
        body = project_json(request, tenant)
        body.update(self._hierarchy(request, tenant))
        return json_response(request, {"project": body})

    def _hierarchy(self, request: Any, tenant: Any) -> dict:
        """
        What ``?parents_as_list``/``?parents_as_ids`` and
        ``?subtree_as_list``/``?subtree_as_ids`` add to a shown project
        (keystone/api/projects.py ``_expand_project_ref``): the parents
        nearest first, and every descendant; the ``_as_ids`` forms nest ids
        (``{parent: {grandparent: {domain: null}}}``, ``{child: {grandchild:
        null}}``), the ``_as_list`` forms list ``{"project": ...}``.
        """
        added: dict = {}
        for key, as_list, as_ids in (
                ("parents", "parents_as_list", "parents_as_ids"),
                ("subtree", "subtree_as_list", "subtree_as_ids")):
            listed, ids = query_flag(request, as_list), query_flag(request, as_ids)
            if listed is None and has_flag(request, as_list):
                listed = True
            if ids is None and has_flag(request, as_ids):
                ids = True
            if listed and ids:
                raise RequestError(400, f"Cannot use {as_list} and {as_ids} query "
                                   "params at the same time.")
            if listed:
                related = (self.store.parents_of(tenant) if key == "parents"
                           else self.store.descendants_of(tenant))
                added[key] = [{"project": project_json(request, t)} for t in related]
            elif ids:
                added[key] = (self._parent_ids(tenant) if key == "parents"
                              else self._subtree_ids(tenant, self.store.children_by_parent()))
        return added

    def _parent_ids(self, tenant: Any) -> dict:
        nested: dict = {tenant.domain_id: None}
        for parent in reversed(self.store.parents_of(tenant)):
            nested = {parent.id: nested}
        return nested

    def _subtree_ids(self, tenant: Any, children: dict, depth: int = 0) -> Optional[dict]:
        mine = children.get(tenant.id)
        if not mine or depth >= MAX_HIERARCHY_DEPTH:
            return None
        return {child.id: self._subtree_ids(child, children, depth + 1) for child in mine}


    @app.route("/projects/<project_id>", methods=["PATCH"])
    def update_project(self, request: Any, project_id: str) -> bytes:
        self.admin(request, "update_project")
        tenant = self.project(project_id)
        body = entity(request, "project", update=True)
        extra = extras(body, PROJECT_FIELDS, "project", tenant.extra)
        name = text(body, "name", "project")
        description = text(body, "description", "project", limit=MAX_DESCRIPTION,
                           empty=True)
        enabled = flag(body, "enabled", "project")
        tags = _tags(body) if "tags" in body else None
        if name is not None and name != tenant.name and self.store.find_tenant_named(
                name, tenant.domain_id) is not None:
            raise RequestError(409, "Conflict occurred attempting to store project - "
                               f"Duplicate entry found with name {name}.")
        if name is not None:
            self.store.rename_tenant(tenant, name)
            forget_catalogs(self.store)
        if description is not None:
            tenant.description = description
        if enabled is not None:
            tenant.enabled = enabled
        if tags is not None:
            tenant.tags = tags
        tenant.extra = extra
        return single(request, "project", tenant, project_json)

    @app.route("/projects/<project_id>", methods=["DELETE"])
    def delete_project(self, request: Any, project_id: str) -> bytes:
        self.admin(request, "delete_project")
        tenant = self.project(project_id)
        if tenant.id in self.store.children_by_parent():
            raise RequestError(403, f"Cannot delete project {tenant.id}: it is not a "
                               "leaf in the project hierarchy (delete its children first).")
        if any(u.tenant is tenant and u.member_by_rule for u in self.store.users()):
            # Mimic's rule makes an implicit user a member of their default
            # project; it cannot go from under them. Managed and seeded
            # users merely lose it as their default, as in Keystone.
            raise RequestError(409, f"Project {tenant.id} is the default project of a "
                               "user Mimic made on first authentication; Mimic keeps it.")
        self.store.delete_tenant(tenant)
        if tenant.is_domain and self.store.known_domain(tenant.id) is not None:
            self.store.delete_domain(self.store.known_domain(tenant.id))
        return empty_response(request)

    # tags

    @app.route("/projects/<project_id>/tags", methods=["GET"])
    def tags(self, request: Any, project_id: str) -> bytes:
        self.caller(request)
        return json_response(request, {"tags": list(self.project(project_id).tags)})

    @app.route("/projects/<project_id>/tags", methods=["PUT"])
    def replace_tags(self, request: Any, project_id: str) -> bytes:
        self.admin(request, "update_project_tags")
        tenant = self.project(project_id)
        body = read_json(request)
        if "tags" not in body:
            raise RequestError(400, "Invalid input for field 'tags': it is required.")
        tenant.tags = _tags(body)
        return json_response(request, {"tags": list(tenant.tags)})

    @app.route("/projects/<project_id>/tags", methods=["DELETE"])
    def clear_tags(self, request: Any, project_id: str) -> bytes:
        self.admin(request, "delete_project_tags")
        self.project(project_id).tags = ()
        return empty_response(request)

    @app.route("/projects/<project_id>/tags/<tag>", methods=["GET", "HEAD"])
    def has_tag(self, request: Any, project_id: str, tag: str) -> bytes:
        self.caller(request)
        if tag not in self.project(project_id).tags:
            raise RequestError(404, f"Could not find project tag: {tag}.")
        return empty_response(request)

    @app.route("/projects/<project_id>/tags/<tag>", methods=["PUT"])
    def add_tag(self, request: Any, project_id: str, tag: str) -> bytes:
        self.admin(request, "create_project_tag")
        tenant = self.project(project_id)
        tenant.tags = _tags({"tags": [*tenant.tags, tag] if tag not in tenant.tags
                             else list(tenant.tags)})
        return empty_response(request, 201)

    @app.route("/projects/<project_id>/tags/<tag>", methods=["DELETE"])
    def remove_tag(self, request: Any, project_id: str, tag: str) -> bytes:
        self.admin(request, "delete_project_tag")
        tenant = self.project(project_id)
        if tag not in tenant.tags:
            raise RequestError(404, f"Could not find project tag: {tag}.")
        tenant.tags = tuple(t for t in tenant.tags if t != tag)
        return empty_response(request)


    # domain configuration

    def _config(self, domain_id: str, group: Optional[str] = None,
                option: Optional[str] = None) -> dict:
        """What is shown of the domain's config, its group or its option (404 if unset)."""
        domain = self.domain(domain_id)
        shown = domain.config.shown() if domain.config is not None else {}
        if group is not None:
            shown = shown.get(group)
            if option is not None and shown is not None:
                shown = {option: shown[option]} if option in shown else None
        if not shown:
            what = option or group or "config"
            raise RequestError(404, f"Could not find {what} in domain configuration for "
                               f"domain {domain.id}.")
        return shown

    def _config_body(self, request: Any) -> Any:
        body = read_json(request)
        if not isinstance(body, dict) or "config" not in body:
            raise RequestError(400, "Invalid input for field 'config': it is required.")
        return body["config"]

    def _invalid(self, error: InvalidDomainConfig) -> RequestError:
        # Keystone's InvalidDomainConfig is a 403.
        return RequestError(403, f"Invalid domain specific configuration: {error}.")

    @app.route("/domains/<domain_id>/config", methods=["PUT"])
    def create_domain_config(self, request: Any, domain_id: str) -> bytes:
        self.admin(request, "create_domain_config")
        domain = self.domain(domain_id)
        config = DomainConfig()
        try:
            config.replace(self._config_body(request))
        except InvalidDomainConfig as error:
            raise self._invalid(error) from None
        existed = domain.config is not None
        domain.config = config
        return json_response(request, {"config": config.shown()},
                             code=200 if existed else 201)

    @app.route("/domains/<domain_id>/config", methods=["GET"])
    @app.route("/domains/<domain_id>/config/<group>", methods=["GET"])
    @app.route("/domains/<domain_id>/config/<group>/<option>", methods=["GET"])
    def show_domain_config(self, request: Any, domain_id: str, group: Optional[str] = None,
                           option: Optional[str] = None) -> bytes:
        self.admin(request, "get_domain_config")
        return json_response(request, {"config": self._config(domain_id, group, option)})

    @app.route("/domains/<domain_id>/config", methods=["PATCH"])
    @app.route("/domains/<domain_id>/config/<group>", methods=["PATCH"])
    def update_domain_config(self, request: Any, domain_id: str,
                             group: Optional[str] = None) -> bytes:
        self.admin(request, "update_domain_config")
        self._config(domain_id, group)
        domain = self.domain(domain_id)
        try:
            domain.config.update(self._config_body(request), group)
        except InvalidDomainConfig as error:
            raise self._invalid(error) from None
        return json_response(request, {"config": domain.config.shown()})

    @app.route("/domains/<domain_id>/config", methods=["DELETE"])
    @app.route("/domains/<domain_id>/config/<group>", methods=["DELETE"])
    @app.route("/domains/<domain_id>/config/<group>/<option>", methods=["DELETE"])
    def delete_domain_config(self, request: Any, domain_id: str, group: Optional[str] = None,
                             option: Optional[str] = None) -> bytes:
        self.admin(request, "delete_domain_config")
        self._config(domain_id, group, option)
        domain = self.domain(domain_id)
        if group is None:
            domain.config = None
        elif option is None:
            del domain.config.groups[group]
        else:
            del domain.config.groups[group][option]
            if not domain.config.groups[group]:
                del domain.config.groups[group]
        if domain.config is not None and not domain.config.groups:
            domain.config = None
        return empty_response(request)


install_error_handlers(IdentityV3ProjectsApi.app, keystone_error_body)


def _tags(body: dict) -> tuple:
    """Keystone's tags: at most 80 strings of 1 to 255 characters, no ``/`` or ``,``."""
    tags = body.get("tags", [])
    if (not isinstance(tags, list) or len(tags) > MAX_TAGS
            or not all(isinstance(t, str) and 0 < len(t) <= 255 and encodable(t)
                       and "/" not in t and "," not in t for t in tags)):
        raise RequestError(400, "Invalid input for field 'tags': a list of at most "
                           f"{MAX_TAGS} strings of 1 to 255 characters, without '/' "
                           "or ',', is required.")
    return tuple(dict.fromkeys(tags))

