"""Generated secret keys: format, hashing, constant-time verification.

A key reads ``<prefix><id>_<secret>``: ``id`` is 12 lowercase letters and digits, non-secret,
used to look the key up (a point read); ``secret`` is 32 bytes from :mod:`secrets`, url-safe
base64 (43 characters). The whole text is usable in a URL path, a header and a JSON string.

Only the SHA-256 of the whole key is stored. A fast hash is right here, unlike for passwords:
the secret carries 256 bits of entropy, so guessing inputs is hopeless however fast the hash
is, and a slow hash (bcrypt, argon2) would cost ~50-100 ms of CPU on every alert and API call.
Lookup is by the non-secret id; the hash comparison is constant-time
(:func:`shared.auth.secret_hash.secret_matches`), so response timing reveals nothing about how
much of a guessed secret was right.
"""

from __future__ import annotations

import secrets
import string
from dataclasses import dataclass

from shared.auth.secret_hash import secret_hash
from shared.errors import Unauthenticated

ID_ALPHABET = string.ascii_lowercase + string.digits
ID_CHARS = 12
SECRET_BYTES = 32
#: len(urlsafe_b64encode(32 bytes)) without padding.
SECRET_CHARS = 43
_SECRET_ALPHABET = frozenset(string.ascii_letters + string.digits + "-_")


@dataclass(frozen=True)
class IssuedKey:
    key_id: str
    #: The full key text: shown to its owner once, never stored.
    secret: str
    key_hash: str


@dataclass(frozen=True)
class KeyFormat:
    prefix: str
    label: str  # what the key is called in messages: "API key", "integration key"

    def issue(self) -> IssuedKey:
        key_id = "".join(secrets.choice(ID_ALPHABET) for _ in range(ID_CHARS))
        text = f"{self.prefix}{key_id}_{secrets.token_urlsafe(SECRET_BYTES)}"
        return IssuedKey(key_id=key_id, secret=text, key_hash=secret_hash(text))

    def owns(self, text: str) -> bool:
        """Whether ``text`` claims to be a key of this format (cheap prefix check)."""
        return text.startswith(self.prefix)

    def key_id(self, text: str) -> str:
        """The lookup id of a well-formed key; :class:`Unauthenticated` otherwise (a malformed
        key is answered exactly like a wrong one)."""
        p = len(self.prefix)
        if (
            len(text) != p + ID_CHARS + 1 + SECRET_CHARS
            or not text.startswith(self.prefix)
            or text[p + ID_CHARS] != "_"
        ):
            raise Unauthenticated(f"The {self.label} is not valid.")
        key_id = text[p : p + ID_CHARS]
        secret = text[p + ID_CHARS + 1 :]
        if not all(c in ID_ALPHABET for c in key_id) or not _SECRET_ALPHABET.issuperset(secret):
            raise Unauthenticated(f"The {self.label} is not valid.")
        return key_id


API_KEY = KeyFormat(prefix="oa_", label="API key")
INTEGRATION_KEY = KeyFormat(prefix="oai_", label="integration key")
