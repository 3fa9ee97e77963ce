"""The one error hierarchy of OpenAlert, mapped to HTTP only at the edge (``functions/``).

::

    OpenAlertError
      InvalidInput          400  the request or payload is malformed; says which field and why
      Unauthenticated       401  no or bad credentials (never says which part was wrong)
      Forbidden             403  authenticated, but the role or team does not allow it
      NotFound              404
      Conflict              409  the thing exists already / the transition is not allowed
      PreconditionFailed    412  a stale etag / If-Match
      PayloadTooLarge       413
      RateLimited           429  carries ``retry_after`` seconds
      Unavailable           503  a dependency is down; the caller should retry

Domain packages subclass these (``InvalidPayload(InvalidInput)``,
``StoreUnavailable(Unavailable)``) so the edge needs one mapping table, not one per package.
"""

from __future__ import annotations

from typing import Any, ClassVar


class OpenAlertError(Exception):
    """Base of every error the product raises on purpose."""

    status: ClassVar[int] = 500
    #: Stable RFC 9457 ``type`` suffix; the edge prefixes it with the problem-type base URI.
    type_slug: ClassVar[str] = "internal"
    title: ClassVar[str] = "Internal error"

    def __init__(self, detail: str, **extensions: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        #: Extra members for the problem document (e.g. ``field``, ``expected``).
        self.extensions: dict[str, Any] = extensions


class InvalidInput(OpenAlertError):
    status = 400
    type_slug = "invalid-input"
    title = "Invalid input"


class Unauthenticated(OpenAlertError):
    status = 401
    type_slug = "unauthenticated"
    title = "Authentication required"

    def __init__(self, detail: str, *, why: str | None = None, **extensions: Any) -> None:
        super().__init__(detail, **extensions)
        #: Why a bearer token was refused, for ``error_description`` (RFC 6750 section 3). Set
        #: only for what the holder can read in its own token (issuer, audience, times).
        self.why = why

    def challenge(self) -> str:
        """The ``WWW-Authenticate`` value of this 401."""
        if self.why is None:
            return 'Bearer realm="openalert"'
        # RFC 6750 allows %x20-21 / %x23-5B / %x5D-7E in error_description: no quote, no
        # backslash, nothing outside printable ASCII.
        safe = "".join(c for c in self.why if " " <= c <= "~" and c not in '"\\')
        return f'Bearer realm="openalert", error="invalid_token", error_description="{safe}"'


class Forbidden(OpenAlertError):
    status = 403
    type_slug = "forbidden"
    title = "Not allowed"


class NotFound(OpenAlertError):
    status = 404
    type_slug = "not-found"
    title = "Not found"


class Conflict(OpenAlertError):
    status = 409
    type_slug = "conflict"
    title = "Conflict"


class PreconditionFailed(OpenAlertError):
    status = 412
    type_slug = "precondition-failed"
    title = "Precondition failed"


class PayloadTooLarge(OpenAlertError):
    status = 413
    type_slug = "payload-too-large"
    title = "Payload too large"


class RateLimited(OpenAlertError):
    status = 429
    type_slug = "rate-limited"
    title = "Too many requests"

    def __init__(self, detail: str, *, retry_after: float, **extensions: Any) -> None:
        super().__init__(detail, **extensions)
        #: Seconds the caller should wait before retrying.
        self.retry_after = retry_after


class RateLimitedRetryable(RateLimited):
    """Throttled, answered ``503`` for senders that give up on a 429 but retry a 5xx
    (``shared.pipeline.ingest.RETRY_ONLY_ON_5XX``); ``Retry-After`` as for any throttling."""

    status = 503


class Unavailable(OpenAlertError):
    status = 503
    type_slug = "unavailable"
    title = "Temporarily unavailable"
