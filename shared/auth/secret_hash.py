"""Secrets kept as hashes: API and integration keys, calendar links, verification codes, voice
callback tokens.

Only the SHA-256 of a secret is stored, and a presented secret is checked by hashing it and
comparing the digests in constant time, so a stolen database holds no usable secret and timing
tells a prober nothing. The secrets are long random strings (or short-lived codes with few
tries), so a plain hash needs no salt or stretching.
"""

from __future__ import annotations

import hashlib
import hmac


def secret_hash(secret: str) -> str:
    """Lowercase hex SHA-256 of the secret (UTF-8): what is stored."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def secret_matches(secret: str, stored_hash: str | None) -> bool:
    """Whether ``secret`` hashes to ``stored_hash``, compared in constant time; never for an
    empty or missing stored hash (a secret that was never issued)."""
    if not stored_hash:
        return False
    return hmac.compare_digest(secret_hash(secret).encode("utf-8"), stored_hash.encode("utf-8"))
