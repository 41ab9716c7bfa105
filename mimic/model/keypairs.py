"""
SSH key pairs known to Nova for one tenant in one region: imported with a
public key (checked and fingerprinted as Nova does) or generated here, in
which case the private half is handed back once and never kept.
"""

from __future__ import annotations

import base64
import hashlib
import re
from typing import Iterator, Optional

import attrs

from mimic.model.nova_errors import BadRequest, Conflict, NotFound, QuotaExceeded


@attrs.frozen
class Keypair:
    """An SSH key pair known to Nova (the private half is never kept)."""

    id: int
    name: str
    public_key: str
    fingerprint: str
    user_id: str
    created: float
    type: str = "ssh"


@attrs.define
class KeypairStore:
    """The key pairs of one tenant's region, by name."""

    owner: str
    quota: int = 100
    _by_name: dict[str, Keypair] = attrs.field(factory=dict)
    _serial: int = 0

    def __iter__(self) -> Iterator[Keypair]:
        return iter(self._by_name.values())

    def __contains__(self, name: object) -> bool:
        return name in self._by_name

    def get(self, name: str) -> Keypair:
        keypair = self._by_name.get(name)
        if keypair is None:
            raise NotFound(f"Keypair {name} not found for user {self.owner}")
        return keypair

    def create(self, name: str, user_id: str, now: float,
               public_key: Optional[str] = None, key_type: str = "ssh",
               dotted_names: bool = False) -> tuple[Keypair, Optional[str]]:
        """
        A new keypair; without ``public_key`` a real RSA pair is generated
        and its private half returned (and forgotten), as Nova does.
        """
        check_keypair_name(name, dotted_names)
        if name in self._by_name:
            raise Conflict(f"Key pair '{name}' already exists.")
        if len(self._by_name) >= self.quota:
            raise QuotaExceeded("Quota exceeded, too many key pairs.")
        private_key = None
        if public_key is None:
            public_key, private_key = generate_keypair()
        fingerprint = ssh_fingerprint(public_key)
        self._serial += 1
        keypair = Keypair(self._serial, name, public_key.strip(),
                          fingerprint, user_id, now, type=key_type)
        self._by_name[name] = keypair
        return keypair, private_key

    def delete(self, name: str) -> None:
        self.get(name)
        del self._by_name[name]


_KEYPAIR_NAME = re.compile(r"^[A-Za-z0-9_\- ]+$")
#: From Nova's microversion 2.92 names may also hold ``@`` and ``.``.
_DOTTED_KEYPAIR_NAME = re.compile(r"^[A-Za-z0-9_\-@. ]+$")


def check_keypair_name(name: str, dotted: bool = False) -> None:
    if not 1 <= len(name) <= 255 or name != name.strip():
        raise BadRequest("Keypair name must be string and between 1 and 255 "
                         "characters long")
    if not (_DOTTED_KEYPAIR_NAME if dotted else _KEYPAIR_NAME).match(name):
        raise BadRequest("Keypair name contains unsafe characters")


def generate_keypair() -> tuple[str, str]:
    """A fresh RSA key pair: (OpenSSH public key, PEM private key)."""
    # Imported when a key is first made or read, not at start-up.
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    ).decode("ascii")
    public = key.public_key().public_bytes(
        serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH,
    ).decode("ascii")
    return f"{public} Generated-by-Nova", private


def ssh_fingerprint(public_key: str) -> str:
    """Nova's fingerprint: MD5 of the key blob, as colon-separated hex."""
    from cryptography.exceptions import UnsupportedAlgorithm
    from cryptography.hazmat.primitives import serialization

    try:
        serialization.load_ssh_public_key(public_key.strip().encode("utf-8"))
        blob = base64.b64decode(public_key.split()[1], validate=True)
    except (ValueError, IndexError, UnsupportedAlgorithm):
        raise BadRequest("Keypair data is invalid: failed to generate fingerprint") from None
    digest = hashlib.md5(blob).hexdigest()
    return ":".join(digest[i:i + 2] for i in range(0, len(digest), 2))

