"""
The Identity v3 authentication rules on their own, against a store with a
deterministic clock: who is identified, which project is chosen, and that a
refused request leaves the store as it was.
"""

from __future__ import annotations

import pytest
from twisted.internet.task import Clock

from mimic.model.identity import SessionStore
from mimic.model.identity.v3_auth import (
    SYSTEM_SCOPE,
    UNSCOPED,
    AuthenticationFailed,
    AuthRequest,
    AuthTarget,
    DomainRef,
    PasswordIdentity,
    ProjectScope,
    auth_target,
    authenticate,
)
from mimic.util import IdSource


@pytest.fixture
def store():
    return SessionStore(clock=Clock(), ids=IdSource(0))


def by_name(name="alice", domain=DomainRef(id="default"), scope=None, methods=("password",),
            token_id=None):
    return AuthRequest(methods=methods,
                       password=PasswordIdentity("pw", name=name, domain=domain),
                       token_id=token_id, scope=scope)


def snapshot(store):
    return (
        sorted(t.id for t in store.tenants()),
        sorted(u.username for u in store.users()),
        sorted(d.id for d in store.domains()),
    )


def test_project_named_in_a_new_domain_is_made_in_that_domain(store):
    scope = ProjectScope(name="proj", domain=DomainRef(name="Partners"))
    token = authenticate(store, by_name(scope=scope))
    assert token.tenant.id == "proj"
    partners = store.domain_named("Partners")
    assert partners is not None and token.tenant.domain_id == partners.id
    assert token.user.domain_id == "default"


def test_domain_by_id_is_named_after_its_id_on_first_mention(store):
    token = authenticate(store, by_name(domain=DomainRef(id="d-42")))
    assert token.user.domain_id == "d-42"
    assert store.known_domain("d-42").name == "d-42"


@pytest.mark.parametrize("request_", [
    by_name("admin-less", scope=SYSTEM_SCOPE),
    AuthRequest(methods=("password",), password=PasswordIdentity("pw", user_id="1")),
    AuthRequest(methods=("token",), token_id="unknown"),
])
def test_refused_requests_change_nothing(store, request_):
    authenticate(store, by_name(scope=ProjectScope(id="acme")))
    before = snapshot(store)
    with pytest.raises(AuthenticationFailed):
        authenticate(store, request_)
    assert snapshot(store) == before


def test_a_known_name_in_a_new_domain_is_a_new_user_there(store):
    # User names are unique within a domain only, as in Keystone.
    first = authenticate(store, by_name(scope=ProjectScope(id="acme")))
    there = authenticate(store, by_name(domain=DomainRef(name="NewDomain")))
    assert there.user is not first.user
    assert there.user.domain_id == store.domain_named("NewDomain").id
    assert store.user_by_name(first.user.username) is first.user


def test_password_and_token_must_name_the_same_user(store):
    bobs = authenticate(store, by_name("bob"))
    with pytest.raises(AuthenticationFailed):
        authenticate(store, by_name("alice", methods=("password", "token"), token_id=bobs.id))
    both = authenticate(store, by_name("bob", methods=("password", "token"), token_id=bobs.id))
    assert both.user is bobs.user and both is not bobs
    assert both.methods == ("password", "token")


def test_every_authentication_issues_a_new_token_revocable_alone(store):
    unscoped = authenticate(store, by_name(scope=UNSCOPED))
    scoped = authenticate(store, by_name())
    assert unscoped.unscoped and not scoped.unscoped
    again = authenticate(store, by_name())
    assert again is not scoped and again.id != scoped.id
    assert store.revoke(again.id)
    assert store.valid_token(again.id) is None
    assert store.valid_token(scoped.id) is scoped
    assert store.valid_token(unscoped.id) is unscoped


def test_a_known_user_naming_another_project_joins_it(store):
    first = authenticate(store, by_name(scope=ProjectScope(id="acme")))
    other = authenticate(store, by_name(scope=ProjectScope(id="other")))
    assert other.tenant.id == "other" and other.user is first.user
    assert other.roles == ("member", "reader")
    assert first.user.tenant.id == "acme"
    assert sorted(t.id for t in store.projects_of(first.user)) == ["acme", "other"]


def test_the_admin_user_holds_admin_everywhere_and_may_take_a_system_token(store):
    token = authenticate(store, by_name("admin", scope=ProjectScope(id="anyone")))
    assert token.is_admin and token.roles == ("admin", "member", "reader")
    system = authenticate(store, by_name("admin", scope=SYSTEM_SCOPE))
    assert system.system and system.is_admin
    assert not authenticate(store, by_name("alice")).is_admin


def test_an_unscoped_token_used_in_v2_token_auth_gives_the_scoped_token(store):
    unscoped = authenticate(store, by_name(scope=UNSCOPED))
    assert store.adopt_token(unscoped.id) is store.token_for(unscoped.user)


def test_auth_target_names_user_and_tenant_for_behaviors(store):
    token = authenticate(store, by_name(scope=ProjectScope(id="acme")))
    assert auth_target(store, by_name()) == AuthTarget("alice", "acme")
    new_user = by_name("new", scope=ProjectScope(name="p", domain=DomainRef(id="default")))
    assert auth_target(store, new_user) == AuthTarget("new", "p")
    token_request = AuthRequest(methods=("token",), token_id=token.id)
    assert auth_target(store, token_request) == AuthTarget("alice", "acme")


def test_a_state_file_keying_users_by_name_alone_restores_by_domain_and_name(store):
    # State files written before user names became unique per domain hold
    # {name: user}; restoring one finds each user in its own domain.
    here = authenticate(store, by_name("alice")).user
    there = authenticate(store, by_name("alice", domain=DomainRef(id="d-9"))).user
    assert here is not there
    store._users = {"alice": here}
    store.__snapshot_restore__()
    assert store.user_by_name("alice") is here
    assert store.user_by_name("alice", "d-9") is there
    assert authenticate(store, by_name("alice")).user is here
