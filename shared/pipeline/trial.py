""" "Send a test alert": a realistic sample of the integration's source through the real ingest
path — the format's size limit, the real parser, the integration's rate limit, the envelope —
onto the ``alerts`` queue, where it is processed like any alert (grouping, routes, escalation,
pages). Only the sender's authentication is skipped: the caller is signed in and may configure
the integration's team, which is the right a test that pages people takes.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import datetime

from pydantic import BaseModel

from shared.alerts.models import SourceFormat
from shared.alerts.samples import sample_alert
from shared.auth.access import require
from shared.auth.models import Action, Principal
from shared.catalog.stored import load_integration
from shared.errors import InvalidInput, NotFound, Unavailable
from shared.pipeline.ingest import IngestPorts, accept_authenticated
from shared.pipeline.models import Envelope
from shared.store.port import DocumentStore

#: Puts an envelope on the ``alerts`` queue (the API function's output binding).
SendAlert = Callable[[Envelope], None]


class TestAlertSent(BaseModel):
    """Queued: the incident appears once the alert is processed (seconds)."""

    __test__ = False  # a model, not a test case

    envelope_id: str
    integration_id: str
    format: str
    #: The test alert's own dedup key: its incident carries it.
    dedup_key: str | None
    title: str


async def send_test_alert(
    *,
    store: DocumentStore,
    principal: Principal,
    integration_id: str,
    now: datetime,
    ingest: IngestPorts | None,
    send: SendAlert | None,
) -> TestAlertSent:
    integration = await load_integration(store, integration_id)
    if integration is None:
        raise NotFound(f"Integration {integration_id!r} does not exist.")
    require(principal, Action.CONFIGURE, [integration.team_id])
    if not integration.enabled:
        raise InvalidInput("The integration is disabled: enable it to test it.", field="enabled")
    if ingest is None or send is None:
        raise Unavailable("Test alerts need the alerts queue, which this host does not give.")
    fmt = SourceFormat(integration.format)
    body = sample_alert(fmt, token=secrets.token_hex(6), now=now)
    accepted = await accept_authenticated(
        integration=integration,
        fmt=fmt,
        body=body,
        headers={"content-type": "application/json", "user-agent": "OpenAlert test alert"},
        received_at=now,
        ports=ingest,
    )
    send(accepted.envelope)
    return TestAlertSent(
        envelope_id=accepted.envelope.id,
        integration_id=integration.id,
        format=fmt.value,
        dedup_key=accepted.dedup_key,
        title=accepted.title or "",
    )
