"""What every ``/api/v1`` handler reaches through ``req.ports``, and the small helpers they share
(who the caller is as a person, telling the catalog cache a configuration changed, paging)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from shared.api.router import MAX_LIMIT, QueryParam, Request
from shared.auth import service as auth
from shared.auth.models import User
from shared.auth.service import AuthPorts
from shared.catalog.cache import CatalogCache
from shared.errors import InvalidInput
from shared.escalation.durable import DurableClient
from shared.incidents.models import EscalationPort
from shared.notifications.delivery import NotifyPorts
from shared.store.port import DocumentStore


@dataclass(frozen=True)
class ApiPorts:
    store: DocumentStore
    auth: AuthPorts
    escalation: EscalationPort
    notify: NotifyPorts
    #: Cleared after every configuration change, so this instance processes the next alert
    #: with the new integration, routes and services (other instances within its TTL).
    catalog_cache: CatalogCache = field(default_factory=CatalogCache)
    clock: Callable[[], datetime] = lambda: datetime.now(UTC)
    #: The durable client, read by views of an escalation's progress (None: not available).
    orchestrations: DurableClient | None = None


def ports_of(req: Request) -> ApiPorts:
    ports: ApiPorts = req.ports
    return ports


def config_changed(req: Request) -> None:
    """After a configuration write: this instance's next alert sees it."""
    ports_of(req).catalog_cache.clear()


async def signed_in_user(req: Request) -> User:
    return await auth.get_user(store=ports_of(req).store, user_id=person_id(req))


def person_id(req: Request) -> str:
    """The signed-in person behind a ``/me/...`` request (one without an OpenAlert role never
    gets here: the router answers 403, see ``Operation.roleless``)."""
    principal = req.caller
    if principal.kind.value != "user":
        raise InvalidInput("Only people have contact methods and rules.", field="principal")
    return principal.id


PAGING = (
    QueryParam(
        "limit", "Items per page, 1..200 (default 50).", "integer", minimum=1, maximum=MAX_LIMIT
    ),
    QueryParam("continuation", "The token from the previous page."),
)


TEAM_FILTER = (QueryParam("team_id", "Only this team's items."),)
