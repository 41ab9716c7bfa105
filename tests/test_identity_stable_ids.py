"""
Identity stable across runs (issue 15): the same user name gets the same
user id and tenant id in every run and after every reset, whatever
authenticated first; the ids come from the name and ``--seed``; two names
never share an id.
"""

from __future__ import annotations

import pytest
from twisted.internet.task import Clock

from mimic.model.identity import SessionStore, User
from mimic.model.identity.ids import StableIds, tenant_id_of_user
from mimic.util import IdSource


def v2_ids(mimic, username):
    access = mimic.authenticate(username)
    return access["user"]["id"], access["token"]["tenant"]["id"]


def v3_ids(mimic, username):
    response = mimic.post("/identity/v3/auth/tokens", json={"auth": {"identity": {
        "methods": ["password"], "password": {"user": {
            "name": username, "password": "x", "domain": {"id": "default"}}}}}})
    assert response.status_code == 201, response.text
    token = response.json()["token"]
    return token["user"]["id"], token["project"]["id"]


def test_ids_do_not_depend_on_who_authenticated_first_or_on_reset(mimic):
    alice = v2_ids(mimic, "alice")
    bob = v2_ids(mimic, "bob")
    mimic.reset()
    assert v2_ids(mimic, "bob") == bob
    assert v3_ids(mimic, "carol") != alice
    assert v3_ids(mimic, "alice") == alice
    assert alice[1].isdigit() and alice[0] != bob[0] and alice[1] != bob[1]


def test_the_same_seed_gives_the_same_ids_in_another_run(mimic, mimic_factory):
    default_run = v2_ids(mimic, "alice")
    again = mimic_factory("--seed", "0").client()
    v2_ids(again, "someone-else")
    assert v2_ids(again, "alice") == default_run
    other_seed = mimic_factory("--seed", "7").client()
    seven = v2_ids(other_seed, "alice")
    assert seven[0] != default_run[0] and seven[1] != default_run[1]
    other_seed.reset()
    assert v2_ids(other_seed, "alice") == seven


def test_a_hundred_thousand_names_get_distinct_user_and_tenant_ids():
    ids = StableIds(seed=0)
    user_ids = {ids.hex("user", f"user-{n}") for n in range(100_000)}
    assert len(user_ids) == 100_000
    # A tenant id is the user id's number in decimal: distinct user ids
    # can never share one.
    assert len({tenant_id_of_user(u) for u in user_ids}) == 100_000


def test_a_name_whose_id_is_taken_gets_another_and_its_own_tenant():
    store = SessionStore(clock=Clock(), ids=IdSource(0))
    # Force the collision no real pair of names is likely to make: another
    # user already holds the id "bob" derives.
    bobs_id = store.stable.hex("user", "bob")
    squatter = store.tenant("elsewhere")
    store._remember(User(id=bobs_id, username="mallory", tenant=squatter))
    bob = store.user("bob")
    assert bob.id != bobs_id and len(bob.id) == 32
    assert bob.tenant.id == tenant_id_of_user(bob.id) != squatter.id
    assert store.user_by_id(bobs_id).username == "mallory"


@pytest.mark.parametrize("name", ["", "é", "\ud800", "x" * 1000])
def test_any_name_has_a_32_hex_digit_id(name):
    assert len(StableIds(seed=3).hex("user", name)) == 32
