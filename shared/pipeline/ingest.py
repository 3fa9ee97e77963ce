"""Ingest: authenticate the sender, check and validate the body, and build the envelope.

The HTTP function enqueues the returned envelope (Service Bus output binding) and answers 202
only then. Validation happens here, at the edge, so a malformed body is a 400 to the sender (who
can fix it) and never a poison message in the queue.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from shared import jsonin
from shared.alerts.models import InvalidPayload, PayloadTooBig, SourceFormat
from shared.alerts.parse import MAX_BYTES, parse
from shared.alerts.sources import heartbeat, opsgenie, pagerduty_change, sentry
from shared.auth.integration_keys import (
    BAD_KEY,
    GRAFANA_TIMESTAMP_HEADER,
    KeyResolver,
    extract_integration_key,
    verify_grafana_signature,
)
from shared.auth.keys import INTEGRATION_KEY
from shared.catalog.models import Integration
from shared.errors import NotFound, RateLimited, RateLimitedRetryable, Unauthenticated
from shared.pipeline.claimcheck import ClaimCheck
from shared.pipeline.models import Envelope
from shared.pipeline.ratelimit import RateLimiter

KEPT_HEADERS = ("content-type", "user-agent", "x-forwarded-for")

SecureWebhookCheck = Callable[[str | None, Integration], Awaitable[None]]


@dataclass(frozen=True)
class IngestPorts:
    resolver: KeyResolver[Integration]
    #: Integration by id, for secure-webhook requests that carry no key.
    load_integration: Callable[[str], Awaitable[Integration | None]]
    rate_limiter: RateLimiter
    claim_check: ClaimCheck | None
    secure_webhook: SecureWebhookCheck | None
    max_body_bytes: int
    claim_check_threshold: int


@dataclass(frozen=True)
class Accepted:
    envelope: Envelope
    #: What the sender's protocol expects back (PagerDuty's dedup_key, Opsgenie's requestId).
    dedup_key: str | None = None
    #: The first alert's title (a test alert's answer shows it).
    title: str | None = None


def _header(headers: Mapping[str, str], name: str) -> str | None:
    lowered = name.lower()
    return next((v for k, v in headers.items() if k.lower() == lowered), None)


async def _integration_for(
    *, path_key: str | None, headers: Mapping[str, str], body_doc: Any, ports: IngestPorts
) -> Integration:
    # A path segment that is not an integration key is an integration id: the Azure Monitor
    # secure webhook authenticates with an Entra token instead of a key in the URL.
    if path_key and not INTEGRATION_KEY.owns(path_key):
        integration = _usable(await ports.load_integration(path_key))
        if integration.format != "azure_monitor" or ports.secure_webhook is None:
            raise Unauthenticated(BAD_KEY)
        await ports.secure_webhook(_header(headers, "Authorization"), integration)
        return integration
    key = extract_integration_key(path_key, headers, body_doc)
    return _usable(await ports.resolver.resolve(key))


def _usable(integration: Integration | None) -> Integration:
    """Every ingest path's one gate: a disabled integration answers as an unknown one, so a
    sender cannot tell them apart (and a disabled secure webhook is refused before its token
    is even checked)."""
    if integration is None or not integration.enabled:
        raise Unauthenticated(BAD_KEY)
    return integration


async def authenticate(headers: Mapping[str, str], ports: IngestPorts) -> Integration:
    """The integration whose key the request's headers carry (senders' read calls)."""
    return await _integration_for(path_key=None, headers=headers, body_doc=None, ports=ports)


#: Senders that drop a notification answered 429 but retry a 5xx with backoff. Alertmanager's
#: webhook receiver calls a 429 "unrecoverable" and sends the group again only at its next
#: ``group_interval`` (5 minutes by default): seen with the real binary, and its PagerDuty and
#: Opsgenie receivers do retry a 429, so the vendor-compatible endpoints keep it.
RETRY_ONLY_ON_5XX = frozenset({SourceFormat.ALERTMANAGER})


def _throttle(
    integration: Integration,
    ports: IngestPorts,
    *,
    alerts: int = 1,
    fmt: SourceFormat | None = None,
) -> None:
    """The integration's rate counts alerts, not requests: an Alertmanager or Grafana batch of
    300 alerts takes 300 tokens. A request takes at least one, so empty batches are counted
    too."""
    try:
        ports.rate_limiter.take(
            integration.id,
            per_minute=integration.rate_limit_per_minute,
            burst=integration.rate_limit_burst,
            cost=max(1, alerts),
        )
    except RateLimited as exc:
        if fmt not in RETRY_ONLY_ON_5XX:
            raise
        raise RateLimitedRetryable(
            exc.detail, retry_after=exc.retry_after, **exc.extensions
        ) from None


def _check_size(body: bytes, limit: int) -> None:
    if len(body) > limit:
        raise PayloadTooBig(
            f"body is {len(body)} bytes; the limit is {limit}", limit=limit, size=len(body)
        )


async def _envelope(
    *,
    integration: Integration,
    fmt: SourceFormat,
    body: bytes,
    headers: Mapping[str, str],
    received_at: datetime,
    ports: IngestPorts,
    envelope_id: str,
    kind: Literal["body", "opsgenie_action", "heartbeat", "change"] = "body",
    action: dict[str, Any] | None = None,
) -> Envelope:
    kept = {k.lower(): v[:512] for k, v in headers.items() if k.lower() in KEPT_HEADERS}
    inline: str | None = body.decode("utf-8") if body else None
    blob: str | None = None
    if body and len(body) > ports.claim_check_threshold:
        if ports.claim_check is None:
            raise PayloadTooBig("body too large to queue and no claim-check storage is configured")
        await ports.claim_check.put(envelope_id, body)
        inline, blob = None, envelope_id
    return Envelope(
        id=envelope_id,
        integration_id=integration.id,
        format=fmt,
        received_at=received_at,
        headers=kept,
        body=inline,
        blob=blob,
        kind=kind,
        action=action or {},
    )


async def accept_body(
    *,
    endpoint: SourceFormat | None,
    path_key: str | None,
    headers: Mapping[str, str],
    body: bytes,
    received_at: datetime,
    ports: IngestPorts,
) -> Accepted:
    """``endpoint`` None: the generic ``/integrations/{key}`` route (format from the
    integration); otherwise the vendor-compatible route's format."""
    _check_size(body, ports.max_body_bytes)
    body_doc: Any = None
    if path_key is None and endpoint == SourceFormat.PAGERDUTY:
        # PagerDuty senders authenticate with routing_key inside the body.
        try:
            body_doc = jsonin.loads(body, field="$")
        except jsonin.InvalidJson as exc:
            raise InvalidPayload(exc.detail, field="$", expected="a JSON object") from exc
    integration = await _integration_for(
        path_key=path_key, headers=headers, body_doc=body_doc, ports=ports
    )
    fmt = endpoint or SourceFormat(integration.format)
    if fmt == SourceFormat.HEARTBEAT:
        raise InvalidPayload("heartbeat integrations take pings at /heartbeat", field="path")
    if fmt == SourceFormat.GRAFANA and integration.settings.grafana_hmac_secret:
        verify_grafana_signature(
            body=body,
            headers=headers,
            secret=integration.settings.grafana_hmac_secret,
            signature_header=integration.settings.grafana_hmac_header,
            timestamp_header=GRAFANA_TIMESTAMP_HEADER
            if _header(headers, GRAFANA_TIMESTAMP_HEADER)
            else None,
            now=time.time(),
        )
    if fmt == SourceFormat.SENTRY and integration.settings.sentry_client_secret:
        verify_grafana_signature(
            body=body,
            headers=headers,
            secret=integration.settings.sentry_client_secret,
            signature_header=sentry.SIGNATURE_HEADER,
            now=time.time(),
        )
    return await accept_authenticated(
        integration=integration,
        fmt=fmt,
        body=body,
        headers=headers,
        received_at=received_at,
        ports=ports,
    )


async def accept_authenticated(
    *,
    integration: Integration,
    fmt: SourceFormat,
    body: bytes,
    headers: Mapping[str, str],
    received_at: datetime,
    ports: IngestPorts,
) -> Accepted:
    """The path after the sender is known: the format's size limit, the real parser, the rate
    limit and the envelope. A test alert from the API (its caller signed in) enters here."""
    if len(body) > MAX_BYTES[fmt]:
        raise PayloadTooBig(
            f"{fmt.value} payload is {len(body)} bytes; the limit is {MAX_BYTES[fmt]}"
        )
    envelope_id = uuid.uuid4().hex
    mapping = None
    if fmt == SourceFormat.GENERIC and integration.settings.generic_mapping is not None:
        mapping = integration.settings.generic_mapping.model_dump()
    events = parse(fmt, body, received_at=received_at, event_id=envelope_id, mapping=mapping)
    _throttle(integration, ports, alerts=len(events), fmt=fmt)
    envelope = await _envelope(
        integration=integration,
        fmt=fmt,
        body=body,
        headers=headers,
        received_at=received_at,
        ports=ports,
        envelope_id=envelope_id,
    )
    first = events[0] if events else None
    return Accepted(
        envelope=envelope,
        dedup_key=first.dedup_key if first else None,
        title=first.title if first else None,
    )


async def accept_opsgenie_action(
    *,
    action: str,
    identifier: str,
    identifier_type: str | None,
    headers: Mapping[str, str],
    body: bytes,
    received_at: datetime,
    ports: IngestPorts,
) -> Accepted:
    _check_size(body, opsgenie.MAX_BYTES)
    integration = await _integration_for(path_key=None, headers=headers, body_doc=None, ports=ports)
    opsgenie.parse_action(action, identifier, identifier_type, body, received_at=received_at)
    _throttle(integration, ports)
    envelope = await _envelope(
        integration=integration,
        fmt=SourceFormat.OPSGENIE,
        body=body,
        headers=headers,
        received_at=received_at,
        ports=ports,
        envelope_id=uuid.uuid4().hex,
        kind="opsgenie_action",
        action={"action": action, "identifier": identifier, "identifier_type": identifier_type},
    )
    return Accepted(envelope=envelope)


async def accept_opsgenie_update(
    *, field: str, identifier: str, headers: Mapping[str, str], body: bytes, ports: IngestPorts
) -> str:
    """An Opsgenie message or description update (``opsgenie.UPDATES``): authenticated,
    checked and counted like any request, then answered; its request id."""
    _check_size(body, opsgenie.MAX_BYTES)
    integration = await _integration_for(path_key=None, headers=headers, body_doc=None, ports=ports)
    opsgenie.parse_update(field, identifier, body)
    _throttle(integration, ports)
    return uuid.uuid4().hex


async def accept_change(
    *, headers: Mapping[str, str], body: bytes, received_at: datetime, ports: IngestPorts
) -> Accepted:
    """A PagerDuty change event: authenticated by ``routing_key``, validated, queued."""
    _check_size(body, pagerduty_change.MAX_BYTES)
    try:
        body_doc = jsonin.loads(body, field="$")
    except jsonin.InvalidJson as exc:
        raise InvalidPayload(exc.detail, field="$", expected="a JSON object") from exc
    integration = await _integration_for(
        path_key=None, headers=headers, body_doc=body_doc, ports=ports
    )
    pagerduty_change.parse_change(body, received_at=received_at)
    _throttle(integration, ports)
    envelope = await _envelope(
        integration=integration,
        fmt=SourceFormat.PAGERDUTY,
        body=body,
        headers=headers,
        received_at=received_at,
        ports=ports,
        envelope_id=uuid.uuid4().hex,
        kind="change",
    )
    return Accepted(envelope=envelope)


async def accept_heartbeat(
    *, path_key: str, headers: Mapping[str, str], received_at: datetime, ports: IngestPorts
) -> Accepted:
    integration = await _integration_for(
        path_key=path_key, headers=headers, body_doc=None, ports=ports
    )
    if integration.format != "heartbeat":
        raise NotFound("this integration does not take heartbeat pings")
    heartbeat.ping(integration.name_slug(), received_at=received_at)
    _throttle(integration, ports)
    envelope = await _envelope(
        integration=integration,
        fmt=SourceFormat.HEARTBEAT,
        body=b"",
        headers=headers,
        received_at=received_at,
        ports=ports,
        envelope_id=uuid.uuid4().hex,
        kind="heartbeat",
        action={"name": integration.name_slug()},
    )
    return Accepted(envelope=envelope)
