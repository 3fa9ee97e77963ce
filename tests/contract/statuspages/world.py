"""Two teams on the real SQLite store, each with a service and a status page, the people who act
on them, a recording e-mail channel, and incidents written as the pipeline writes them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from shared.auth.models import AppRole, Principal, PrincipalKind, TeamRole
from shared.catalog.models import Service, Team
from shared.incidents.models import Incident, IncidentStatus, Severity
from shared.incidents.stored import INCIDENTS
from shared.notifications.channels import Delivery, Sent
from shared.notifications.render import Message
from shared.statuspages import service
from shared.statuspages.models import ComponentBody, IncidentRule, PageBody, StatusPage
from shared.statuspages.public import PublicPorts
from shared.store.codec import to_doc
from shared.store.port import DocumentStore

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
SECRET = "test-status-token-secret-0123456789abcdef"
BASE = "https://oa.example.com"


def admin(team: str) -> Principal:
    """A responder who is team admin of ``team`` only."""
    return Principal(
        kind=PrincipalKind.USER,
        id=f"admin-{team}",
        roles=frozenset({AppRole.RESPONDER}),
        teams={team: TeamRole.ADMIN},
    )


def member(team: str) -> Principal:
    return Principal(
        kind=PrincipalKind.USER,
        id=f"member-{team}",
        roles=frozenset({AppRole.RESPONDER}),
        teams={team: TeamRole.MEMBER},
    )


@dataclass
class Mailbox:
    """An e-mail channel that keeps what it was asked to send."""

    name: str = "email"
    sent: list[tuple[str, Message, str]] = field(default_factory=list)

    async def send(
        self,
        *,
        target: str,
        message: Message,
        payload: dict[str, Any],
        idempotency_key: str,
        delivery: Delivery | None = None,
    ) -> Sent:
        self.sent.append((target, message, idempotency_key))
        return Sent(provider_id=idempotency_key)

    def links(self, kind: str) -> list[str]:
        """Every ``.../<kind>?token=...`` link in the sent texts."""
        found = []
        for _, message, _ in self.sent:
            for word in message.text.split():
                if f"/{kind}?token=" in word:
                    found.append(word)
        return found


async def seed_team(store: DocumentStore, team: str) -> None:
    await store.upsert("teams", to_doc(Team(id=team, name=f"Team {team}")))
    await store.upsert("services", to_doc(Service(id=f"svc-{team}", name="API", team_id=team)))


async def make_page(
    store: DocumentStore, team: str, *, slug: str | None = None, after_minutes: float = 5, **kw: Any
) -> StatusPage:
    page = await service.create_page(
        store=store,
        principal=admin(team),
        body=PageBody(team_id=team, name=f"Team {team}", slug=slug or f"team-{team}", **kw),
        now=T0 - timedelta(days=200),
    )
    await service.add_component(
        store=store,
        principal=admin(team),
        page_id=page.id,
        body=ComponentBody(
            name="API", service_ids=(f"svc-{team}",), rule=IncidentRule(after_minutes=after_minutes)
        ),
        now=T0 - timedelta(days=200),
    )
    await service.add_component(
        store=store,
        principal=admin(team),
        page_id=page.id,
        body=ComponentBody(name="Website"),
        now=T0 - timedelta(days=200),
    )
    reloaded, _ = await service.get_page(store=store, principal=admin(team), page_id=page.id)
    return reloaded


async def open_incident(
    store: DocumentStore,
    *,
    team: str,
    service_id: str,
    at: datetime,
    severity: Severity = "P1",
    number: int = 1,
) -> Incident:
    incident = Incident(
        id=f"inc-{team}-{number}",
        number=number,
        title="Checkout failing",
        severity=severity,
        team_id=team,
        service_id=service_id,
        created_at=at,
        updated_at=at,
    )
    await store.upsert(INCIDENTS, to_doc(incident))
    return incident


async def resolve_incident(store: DocumentStore, incident: Incident, at: datetime) -> None:
    done = incident.model_copy(
        update={"status": IncidentStatus.RESOLVED, "resolved_at": at, "updated_at": at}
    )
    await store.upsert(INCIDENTS, to_doc(done))


def ports(store: DocumentStore, mailbox: Mailbox, now: datetime, **kw: Any) -> PublicPorts:
    async def nobody(authorization: str | None) -> Principal:
        from shared.errors import Unauthenticated

        raise Unauthenticated("no identity provider in this test")

    return PublicPorts(
        store=store,
        authenticate=kw.pop("authenticate", nobody),
        base_url=BASE,
        secret=SECRET,
        email=mailbox,
        clock=lambda: now,
    )
