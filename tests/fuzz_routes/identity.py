"""
Identity's routes that take a body: v2.0 tokens and impersonation, its
control API, v3 tokens and the writable Keystone v3 (as an admin), as the
route fuzz sends them.
"""

from __future__ import annotations

V3_PASSWORD = {"auth": {"identity": {"methods": ["password"], "password": {"user": {
    "name": "fuzzer", "password": "x", "domain": {"id": "default"}}}},
    "scope": {"project": {"id": "fuzz-project"}}}}

#: (Klein app, method, rule) -> valid example bodies the fuzzer mutates.
ROUTES: dict[tuple[str, str, str], list] = {
    ("IdentityApi", "POST", "/v2.0/tokens"): [
        {"auth": {"passwordCredentials": {"username": "fuzzer", "password": "x"},
                  "tenantId": "fuzz-tenant"}},
        {"auth": {"RAX-KSKEY:apiKeyCredentials": {"username": "fuzzer", "apiKey": "k"}}},
        {"auth": {"token": {"id": "{token}"}, "tenantId": "{tenant_id}"}}],
    ("IdentityApi", "POST", "/v2.0/RAX-AUTH/impersonation-tokens"): [
        {"RAX-AUTH:impersonation": {"user": {"username": "fuzzer"},
                                    "expire-in-seconds": 60}}],
    ("IdentityControlApi", "POST", "/behaviors/<event>"): [
        {"name": "fail", "parameters": {"code": 401, "message": "no"},
         "criteria": [{"username": "f.*"}]}],
    ("IdentityV3Api", "POST", "/auth/tokens"): [
        V3_PASSWORD,
        {"auth": {"identity": {"methods": ["token"], "token": {"id": "{token}"}}}}],
    # Writable Keystone v3, as an admin. Each body carries a property of
    # its own ("note"), which Keystone keeps: a refusal must not keep it.
    ("IdentityV3CatalogApi", "POST", "/services"): [
        {"service": {"type": "fuzz-type", "name": "fuzz", "description": "d",
                     "enabled": True, "note": "x"}}],
    ("IdentityV3CatalogApi", "PATCH", "/services/<service_id>"): [
        {"service": {"name": "renamed", "description": "d", "enabled": True, "note": "y"}}],
    ("IdentityV3CatalogApi", "POST", "/endpoints"): [
        {"endpoint": {"service_id": "{service_id}", "interface": "public",
                      "url": "http://127.0.0.1:1/x", "region_id": "ORD", "note": "x"}}],
    ("IdentityV3CatalogApi", "PATCH", "/endpoints/<endpoint_id>"): [
        {"endpoint": {"url": "http://127.0.0.1:2/", "interface": "internal",
                      "enabled": True, "region_id": "ORD", "note": "y"}}],
    ("IdentityV3CatalogApi", "POST", "/regions"): [
        {"region": {"id": "fuzz-region-2", "description": "d", "note": "x"}},
        {"region": {"parent_region_id": "{region_id}"}}],
    ("IdentityV3CatalogApi", "PATCH", "/regions/<region_id>"): [
        {"region": {"description": "d2", "note": "y"}}],
    ("IdentityV3CatalogApi", "POST", "/registered_limits"): [
        {"registered_limits": [{"service_id": "{service_id}", "resource_name": "disks",
                                "default_limit": 10, "region_id": "ORD",
                                "description": "d"}]}],
    ("IdentityV3CatalogApi", "PATCH", "/registered_limits/<limit_id>"): [
        {"registered_limit": {"default_limit": 5, "description": "d"}},
        {"registered_limit": {"service_id": "{service_id}", "region_id": "ORD",
                              "resource_name": "ram-renamed"}}],
    ("IdentityV3CatalogApi", "POST", "/limits"): [
        {"limits": [{"service_id": "{service_id}", "resource_name": "cores",
                     "resource_limit": 5, "project_id": "{project_id}",
                     "description": "d"}]}],
    ("IdentityV3CatalogApi", "PATCH", "/limits/<limit_id>"): [
        {"limit": {"resource_limit": 7, "description": "d"}}],
    ("IdentityV3ProjectsApi", "POST", "/domains"): [
        {"domain": {"name": "fuzz-domain-2", "description": "d", "enabled": True,
                    "note": "x"}}],
    ("IdentityV3ProjectsApi", "PATCH", "/domains/<domain_id>"): [
        {"domain": {"name": "fuzz-domain-renamed", "description": "d", "enabled": True,
                    "note": "y"}}],
    ("IdentityV3ProjectsApi", "POST", "/projects"): [
        {"project": {"name": "fuzz-project-2", "domain_id": "default", "description": "d",
                     "enabled": True, "tags": ["a"], "note": "x"}},
        {"project": {"name": "fuzz-child", "parent_id": "{project_id}"}}],
    ("IdentityV3ProjectsApi", "PATCH", "/projects/<project_id>"): [
        {"project": {"name": "fuzz-project-renamed", "description": "d", "enabled": True,
                     "tags": ["b"], "note": "y"}}],
    ("IdentityV3ProjectsApi", "PUT", "/projects/<project_id>/tags"): [{"tags": ["a", "b"]}],
    # The grant-like PUTs take no body: one that comes anyway is ignored.
    ("IdentityV3ProjectsApi", "PUT", "/projects/<project_id>/tags/<tag>"): [{}],
    ("IdentityV3RolesApi", "POST", "/roles"): [
        {"role": {"name": "fuzz-role-2", "description": "d", "note": "x"}},
        {"role": {"name": "fuzz-domain-role", "domain_id": "{domain_id}"}}],
    ("IdentityV3RolesApi", "PATCH", "/roles/<role_id>"): [
        {"role": {"name": "fuzz-role-renamed", "description": "d", "note": "y"}}],
    ("IdentityV3RolesApi", "PUT", "/<any(projects,domains):kind>/<target_id>/"
     "<any(users,groups):actor_kind>/<actor_id>/roles/<role_id>"): [{}],
    ("IdentityV3RolesApi", "PUT", "/OS-INHERIT/<any(domains,projects):kind>/<target_id>/"
     "<any(users,groups):actor_kind>/<actor_id>/roles/<role_id>/inherited_to_projects"): [{}],
    ("IdentityV3RolesApi", "PUT", "/roles/<prior_id>/implies/<implied_id>"): [{}],
    ("IdentityV3RolesApi", "PUT", "/system/<any(users,groups):actor_kind>/<actor_id>/"
     "roles/<role_id>"): [{}],
    ("IdentityV3UsersApi", "POST", "/users"): [
        {"user": {"name": "fuzz-user-2", "password": "p", "domain_id": "default",
                  "email": "e@example.com", "description": "d", "enabled": True,
                  "default_project_id": "{project_id}", "note": "x"}}],
    ("IdentityV3UsersApi", "PATCH", "/users/<user_id>"): [
        {"user": {"name": "fuzz-user-renamed", "email": "f@example.com", "description": "d",
                  "enabled": True, "default_project_id": "{project_id}", "note": "y"}}],
    ("IdentityV3UsersApi", "POST", "/users/<user_id>/password"): [
        # Never the right original password: a change would revoke the
        # caller's own token for the rest of the run.
        {"user": {"password": "new-password", "original_password": "not-the-password"}}],
    ("IdentityV3AppCredentialsApi", "POST", "/users/<user_id>/application_credentials"): [
        {"application_credential": {"name": "ac", "description": "d", "secret": "s",
                                    "expires_at": "2099-01-01T00:00:00Z",
                                    "roles": [{"name": "admin"}], "unrestricted": False}}],
    ("IdentityV3UsersApi", "POST", "/groups"): [
        {"group": {"name": "fuzz-group-2", "description": "d", "domain_id": "default",
                   "note": "x"}}],
    ("IdentityV3UsersApi", "PATCH", "/groups/<group_id>"): [
        {"group": {"name": "renamed", "description": "d", "note": "y"}}],
    ("IdentityV3UsersApi", "PUT", "/groups/<group_id>/users/<user_id>"): [{}],
    ("IdentityV3UsersApi", "POST", "/credentials"): [
        {"credential": {"blob": "{\"access\": \"a\", \"secret\": \"s\"}", "type": "ec2",
                        "user_id": "{user_id}", "project_id": "{project_id}", "note": "x"}},
        {"credential": {"blob": "b", "type": "totp", "user_id": "{user_id}"}}],
    ("IdentityV3UsersApi", "PATCH", "/credentials/<credential_id>"): [
        {"credential": {"blob": "c", "note": "y"}}],
    # Keystone's operator extensions (OS-EP-FILTER, policies, OS-FEDERATION,
    # domain configuration), as the api-ref's examples write them.
    ("IdentityV3EndpointGroupsApi", "POST", "/OS-EP-FILTER/endpoint_groups"): [
        {"endpoint_group": {"name": "eg", "description": "d",
                            "filters": {"interface": "public", "service_id": "{service_id}"}}}],
    ("IdentityV3EndpointGroupsApi", "PATCH", "/OS-EP-FILTER/endpoint_groups/<group_id>"): [
        {"endpoint_group": {"name": "eg2", "filters": {"interface": "admin"}}}],
    ("IdentityV3EndpointGroupsApi", "PUT",
     "/OS-EP-FILTER/endpoint_groups/<group_id>/projects/<project_id>"): [{}],
    ("IdentityV3EndpointGroupsApi", "PUT",
     "/OS-EP-FILTER/projects/<project_id>/endpoints/<endpoint_id>"): [{}],
    ("IdentityV3EndpointGroupsApi", "POST", "/policies"): [
        {"policy": {"blob": "{\"a\": \"b\"}", "type": "application/json"}}],
    ("IdentityV3EndpointGroupsApi", "PATCH", "/policies/<policy_id>"): [
        {"policy": {"blob": "{}", "type": "application/json"}}],
    ("IdentityV3FederationApi", "PUT", "/OS-FEDERATION/identity_providers/<idp_id>"): [
        {"identity_provider": {"description": "d", "enabled": True,
                               "remote_ids": ["https://idp.example/x"]}}],
    ("IdentityV3FederationApi", "PATCH", "/OS-FEDERATION/identity_providers/<idp_id>"): [
        {"identity_provider": {"description": "d2", "enabled": False}}],
    ("IdentityV3FederationApi", "PUT", "/OS-FEDERATION/mappings/<mapping_id>"): [
        {"mapping": {"rules": [{"local": [{"user": {"name": "{0}"}}],
                                "remote": [{"type": "REMOTE_USER"}]}]}}],
    ("IdentityV3FederationApi", "PATCH", "/OS-FEDERATION/mappings/<mapping_id>"): [
        {"mapping": {"rules": [{"local": [{"user": {"name": "{0}"}}],
                                "remote": [{"type": "UserName"}]}]}}],
    ("IdentityV3FederationApi", "PUT", "/OS-FEDERATION/service_providers/<sp_id>"): [
        {"service_provider": {"auth_url": "https://sp.example/v3/auth",
                              "sp_url": "https://sp.example/Shibboleth.sso/SAML2/ECP",
                              "enabled": True}}],
    ("IdentityV3FederationApi", "PATCH", "/OS-FEDERATION/service_providers/<sp_id>"): [
        {"service_provider": {"description": "d", "enabled": False}}],
    ("IdentityV3ProjectsApi", "PUT", "/domains/<domain_id>/config"): [
        {"config": {"identity": {"driver": "ldap"}, "ldap": {"url": "ldap://127.0.0.1"}}}],
    ("IdentityV3ProjectsApi", "PATCH", "/domains/<domain_id>/config"): [
        {"config": {"ldap": {"user_tree_dn": "ou=Users,dc=example"}}}],
    ("IdentityV3ProjectsApi", "PATCH", "/domains/<domain_id>/config/<group>"): [
        {"config": {"ldap": {"url": "ldap://127.0.0.2"}}}],
}

#: Keystone routes a user may call only on themselves, and who that is
#: (an id in the World's ids, and the token to call with).
SELF_ROUTES = {
    ("IdentityV3UsersApi", "POST", "/users/<user_id>/password"): ("v3_self_id", "v3_self_token"),
    ("IdentityV3AppCredentialsApi", "POST", "/users/<user_id>/application_credentials"): (
        "admin_id", "admin_token"),
}
