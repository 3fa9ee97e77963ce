"""The guard's decision at save: a user-configured target (a webhook contact, an outgoing
webhook, a Teams Workflows URL) that could never be called is refused when it is saved, with a
400 naming the field, instead of failing every delivery later. Names are not resolved here; the
connector checks their addresses on every call (:mod:`shared.outbound.client`)."""

from __future__ import annotations

from shared.errors import InvalidInput
from shared.outbound.guard import OutboundBlocked, OutboundPolicy


def check_saved_target(http: object, url: str, *, field: str) -> None:
    """Raise :class:`InvalidInput` for ``field`` unless ``url`` may be saved under the policy
    of ``http`` (the app's guarded client). A client without a policy (a test's plain one)
    gets the strictest: https to public addresses only."""
    policy = getattr(http, "policy", None)
    if not isinstance(policy, OutboundPolicy):
        policy = OutboundPolicy()
    try:
        policy.check_target(url)
    except OutboundBlocked as exc:
        # The reason never repeats the URL: it may carry a credential.
        detail = f"{field} is not an allowed target: {exc.reason}."
        raise InvalidInput(detail, field=field) from None
