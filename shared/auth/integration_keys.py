"""Ingest authentication: integration keys wherever senders put them, and Grafana's HMAC.

Integration keys use :data:`shared.auth.keys.INTEGRATION_KEY` (``oai_<id>_<secret>``): the
integration stores ``key_id`` and ``key_hash`` (never the key), and :class:`KeyResolver` turns a
presented key into the integration with one point read per TTL and a constant-time hash check.
Rotating or deleting a key takes effect on every instance within the cache TTL (60 s default).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Generic, NoReturn, TypeVar

from shared.auth.headers import basic_credentials, get_header, parse_authorization
from shared.auth.keys import INTEGRATION_KEY, KeyFormat
from shared.auth.secret_hash import secret_matches
from shared.errors import Unauthenticated
from shared.ttlcache import TtlCache

log = logging.getLogger(__name__)

T = TypeVar("T")

#: Grafana's documented default signature header (the UI's placeholder; older grafana/alerting
#: code used ``X-Grafana-Alert-Signature``, so the header name is configurable per integration).
GRAFANA_SIGNATURE_HEADER = "X-Grafana-Alerting-Signature"
#: Grafana sends no timestamp unless a timestamp header is configured; this is the name the docs
#: and most setups use. The value is Unix seconds, and the signed message becomes
#: ``<timestamp>:<body>``.
GRAFANA_TIMESTAMP_HEADER = "X-Grafana-Alerting-Timestamp"
#: How far a signed timestamp may be from our clock, seconds (replay window).
HMAC_TOLERANCE_S = 300.0

NO_KEY = "No integration key was presented."
BAD_KEY = "The integration key is not valid."
BAD_SIGNATURE = "The request signature is not valid."


def extract_integration_key(
    path_key: str | None,
    headers: Mapping[str, str],
    body: Any = None,
) -> str:
    """The integration key of an ingest request, from the first place that has one:

    1. the URL path (``/api/integrations/{key}``);
    2. ``Authorization: Bearer <key>`` (Alertmanager ``authorization``, Grafana header creds);
    3. ``Authorization: Basic`` — the password, or the user name when the password is empty
       (Alertmanager/Grafana basic auth; some users paste the key as the user name);
    4. ``Authorization: GenieKey <key>`` (Opsgenie Alert API senders);
    5. ``routing_key`` of a JSON object body (PagerDuty Events API v2 senders).

    Raises :class:`Unauthenticated` when none has one, or the Authorization header is malformed.
    """
    if path_key:
        return path_key
    parsed = parse_authorization(get_header(headers, "Authorization"))
    if parsed is not None:
        scheme, credentials = parsed
        if scheme in ("bearer", "geniekey"):
            return credentials
        if scheme == "basic":
            user, password = basic_credentials(credentials)
            if password or user:
                return password or user
    if isinstance(body, Mapping):
        routing_key = body.get("routing_key")
        if isinstance(routing_key, str) and routing_key:
            return routing_key
    raise Unauthenticated(NO_KEY)


class KeyResolver(Generic[T]):
    """Presented key -> the thing it unlocks, cached.

    ``lookup(key_id)`` returns ``(stored_hash, value)`` or None. Results, including "no such
    key", are cached per key id for ``ttl_s``; the hash comparison runs on every call, hit or
    miss, in constant time.
    """

    def __init__(
        self,
        *,
        lookup: Callable[[str], Awaitable[tuple[str, T] | None]],
        key_format: KeyFormat = INTEGRATION_KEY,
        ttl_s: float = 60.0,
        max_entries: int = 10_000,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._lookup = lookup
        self._format = key_format
        self._cache: TtlCache[str, tuple[str, T] | None] = TtlCache(
            ttl_s=ttl_s, max_entries=max_entries, monotonic=monotonic
        )
        #: Store lookups done; read by tests and the bench.
        self.lookups = 0

    async def resolve(self, presented: str) -> T:
        key_id = self._format.key_id(presented)
        hit, entry = self._cache.get(key_id)
        if not hit:
            self.lookups += 1
            entry = await self._lookup(key_id)
            self._cache.put(key_id, entry)
        if entry is None:
            log.info("%s %s rejected: unknown id", self._format.label, key_id)
            raise Unauthenticated(f"The {self._format.label} is not valid.")
        stored_hash, value = entry
        if not secret_matches(presented, stored_hash):
            log.info("%s %s rejected: wrong secret", self._format.label, key_id)
            raise Unauthenticated(f"The {self._format.label} is not valid.")
        return value

    def forget(self, key_id: str) -> None:
        """Drop a cached entry (this instance only) after a rotation or revocation here."""
        self._cache.discard(key_id)


def grafana_signature(secret: str, body: bytes, timestamp: str | None = None) -> str:
    """Lowercase hex HMAC-SHA256 of ``body``, or of ``<timestamp>:<body>``, as Grafana signs."""
    message = body if timestamp is None else timestamp.encode("ascii") + b":" + body
    return hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


def verify_grafana_signature(
    *,
    body: bytes,
    headers: Mapping[str, str],
    secret: str,
    signature_header: str = GRAFANA_SIGNATURE_HEADER,
    timestamp_header: str | None = None,
    now: float,
    tolerance_s: float = HMAC_TOLERANCE_S,
) -> None:
    """Verify a webhook HMAC over the raw body bytes; raises :class:`Unauthenticated`. Grafana's
    scheme, which is also Sentry's ``Sentry-Hook-Signature`` (no timestamp).

    With ``timestamp_header`` set, the timestamp (Unix seconds) must be present and within
    ``tolerance_s`` of ``now`` (Unix seconds), and it is part of the signed message.
    """
    presented = (get_header(headers, signature_header) or "").strip().lower()
    presented = presented.removeprefix("sha256=")
    if not presented or not presented.isascii():
        _bad_signature("no or non-ASCII signature header %r", signature_header)
    timestamp: str | None = None
    if timestamp_header is not None:
        timestamp = (get_header(headers, timestamp_header) or "").strip()
        if not timestamp.isascii() or not timestamp.isdigit() or len(timestamp) > 12:
            _bad_signature("missing or malformed timestamp header %r", timestamp_header)
        if abs(now - int(timestamp)) > tolerance_s:
            _bad_signature("timestamp %s outside the %s s window", timestamp, tolerance_s)
    expected = grafana_signature(secret, body, timestamp)
    if not hmac.compare_digest(presented.encode("ascii"), expected.encode("ascii")):
        _bad_signature("signature mismatch")


def _bad_signature(reason: str, *args: object) -> NoReturn:
    log.info("webhook signature rejected: " + reason, *args)
    raise Unauthenticated(BAD_SIGNATURE)
