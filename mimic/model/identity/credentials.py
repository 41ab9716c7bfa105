"""
Credentials a user keeps in Keystone: stored credentials (``/v3/credentials``:
EC2 keys, TOTP secrets... opaque blobs to Keystone and to Mimic) and
application credentials, which authenticate as their user on their project
with at most the roles they were created with, and the access rules that
say which API calls a credential's tokens are for.
"""

from __future__ import annotations

import hashlib
from typing import Any, Optional

import attrs

from mimic.model.identity.projects import Tenant
from mimic.model.identity.users import User


@attrs.define(eq=False)
class Credential:
    id: str
    user_id: str
    type: str
    blob: str
    project_id: Optional[str] = None
    extra: Optional[dict] = None


#: The methods an access rule may name (Keystone's application credential schema).
ACCESS_RULE_METHODS = ("DELETE", "GET", "HEAD", "PATCH", "POST", "PUT")


@attrs.define(eq=False)
class AccessRule:
    """
    One API call a credential's tokens are for: ``method`` on ``path`` of
    the service of type ``service``. A user's rules are shared by their
    credentials: the same (service, path, method) is one rule.
    """

    id: str
    user_id: str
    service: str
    path: str
    method: str

    @property
    def key(self) -> tuple:
        return (self.user_id, self.service, self.path, self.method)


@attrs.define(eq=False)
class ApplicationCredential:
    """
    An application credential. Only a digest of its secret is kept;
    ``roles`` are role names (the creator's roles on the project when none
    are named), of which a token gets those the user still holds.
    """

    id: str
    name: str
    user: User
    project: Tenant
    secret_digest: str
    roles: tuple
    description: str = ""
    expires_at: Optional[float] = None
    unrestricted: bool = False
    access_rules: tuple = ()

    def effective_roles(self, held: tuple) -> tuple:
        return tuple(r for r in held if r in self.roles)


def secret_digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


@attrs.define
class CredentialBook:
    credentials: dict = attrs.field(factory=dict)
    application_credentials: dict = attrs.field(factory=dict)
    access_rules: dict = attrs.field(factory=dict)

    def of_user(self, user: User) -> list:
        return [c for c in self.application_credentials.values() if c.user is user]

    def rules_of(self, user: User) -> list:
        return [r for r in self.access_rules.values() if r.user_id == user.id]

    def same_rule(self, rule: AccessRule) -> Optional[AccessRule]:
        """The user's rule for the same call, if they have one (Keystone reuses it)."""
        return next((r for r in self.access_rules.values() if r.key == rule.key), None)

    def rule_in_use(self, rule: AccessRule) -> bool:
        return any(rule in c.access_rules for c in self.application_credentials.values())

    def forget_user(self, user: User) -> None:
        for credential in self.of_user(user):
            del self.application_credentials[credential.id]
        for rule in self.rules_of(user):
            del self.access_rules[rule.id]
        for credential in [c for c in self.credentials.values() if c.user_id == user.id]:
            del self.credentials[credential.id]


def find_application_credential(store: Any, identity: Any,
                                user_domain_id: Optional[str] = None
                                ) -> Optional[ApplicationCredential]:
    """
    The credential ``identity`` names if its secret matches, else ``None``;
    a user named by name is looked up in ``user_domain_id`` (the domain
    the request names, found by the caller).
    """
    book = store.credentials
    if identity.id is not None:
        credential = book.application_credentials.get(identity.id)
    else:
        if identity.user_id is not None:
            user = store.user_by_id(identity.user_id)
        elif user_domain_id is not None:
            user = store.user_by_name(identity.user_name or "", user_domain_id)
        else:
            user = None
        credential = next((c for c in book.of_user(user) if c.name == identity.name),
                          None) if user is not None else None
    if credential is None or credential.secret_digest != secret_digest(identity.secret):
        return None
    return credential
