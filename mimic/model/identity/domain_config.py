"""
Domain-specific configuration (``/v3/domains/<id>/config``): the
``[identity]`` and ``[ldap]`` options Keystone lets an operator set per
domain through its API. Only the options Keystone's ``DomainConfigManager``
whitelists (keystone/resource/core.py) and its one sensitive option
(``ldap.password``, stored but never shown) are accepted; Mimic keeps them
for clients to read back and connects to no LDAP server.
"""

from __future__ import annotations

from typing import Any, Optional

import attrs

_LDAP_OPTIONS = (
    "url user suffix query_scope page_size alias_dereferencing debug_level "
    "chase_referrals user_tree_dn user_filter user_objectclass user_id_attribute "
    "user_name_attribute user_mail_attribute user_description_attribute "
    "user_pass_attribute user_enabled_attribute user_enabled_invert user_enabled_mask "
    "user_enabled_default user_attribute_ignore user_default_project_id_attribute "
    "user_enabled_emulation user_enabled_emulation_dn "
    "user_enabled_emulation_use_group_config user_additional_attribute_mapping "
    "group_tree_dn group_filter group_objectclass group_id_attribute "
    "group_name_attribute group_members_are_ids group_member_attribute "
    "group_desc_attribute group_attribute_ignore group_additional_attribute_mapping "
    "tls_cacertfile tls_cacertdir use_tls tls_req_cert use_pool pool_size "
    "pool_retry_max pool_retry_delay pool_connection_timeout pool_connection_lifetime "
    "use_auth_pool auth_pool_size auth_pool_connection_lifetime"
).split()

#: What each group may hold, shown options and sensitive ones.
WHITELISTED = {"identity": ("driver", "list_limit"), "ldap": tuple(_LDAP_OPTIONS)}
SENSITIVE = {"identity": (), "ldap": ("password",)}

#: The longest option value Mimic keeps (Keystone's column is TEXT).
MAX_VALUE = 4096


class InvalidDomainConfig(Exception):
    """A group or option Keystone does not allow, or a malformed value."""


def _check(config: Any) -> dict:
    """``config`` as ``{group: {option: value}}``, or :class:`InvalidDomainConfig`."""
    if not isinstance(config, dict) or not config:
        raise InvalidDomainConfig("a non-empty object of groups is required")
    for group, options in config.items():
        if group not in WHITELISTED:
            raise InvalidDomainConfig(f"group {group} is not a valid group "
                                      f"({', '.join(WHITELISTED)} are)")
        if not isinstance(options, dict) or not options:
            raise InvalidDomainConfig(f"group {group} holds a non-empty object of options")
        for option, value in options.items():
            if option not in WHITELISTED[group] and option not in SENSITIVE[group]:
                raise InvalidDomainConfig(f"option {option} in group {group} is not "
                                          "supported")
            if not isinstance(value, (str, int, float, bool)) or (
                    isinstance(value, str) and len(value) > MAX_VALUE):
                raise InvalidDomainConfig(f"option {option} in group {group} takes a "
                                          f"string, number or boolean of at most "
                                          f"{MAX_VALUE} characters")
    return {group: dict(options) for group, options in config.items()}


@attrs.define
class DomainConfig:
    """One domain's options, sensitive ones included, by group."""

    groups: dict = attrs.field(factory=dict)

    def replace(self, config: Any) -> None:
        self.groups = _check(config)

    def update(self, config: Any, group: Optional[str] = None) -> None:
        """Merge ``config`` in; with ``group``, only into that group."""
        checked = _check(config)
        if group is not None and set(checked) != {group}:
            raise InvalidDomainConfig(f"the request names groups other than {group}")
        for name, options in checked.items():
            self.groups.setdefault(name, {}).update(options)

    def shown(self) -> dict:
        """The options clients see: every group's but the sensitive ones."""
        return {group: {k: v for k, v in options.items() if k not in SENSITIVE[group]}
                for group, options in self.groups.items()}
