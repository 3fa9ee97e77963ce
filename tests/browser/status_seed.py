"""The status page of the browser tests: a page ``demo-status`` of the demo team with a
"Checkout" component following its own service (a P1 shows after 1.2 seconds) and a "Blog", and a
generic integration for that service, so alerts of the other specs (on the demo service) never
colour it.

``python -m tests.browser.status_seed <sqlite> post <title> <body> [update <status> <body>]...``
publishes a status incident about Checkout (``post``) and adds updates to the newest one,
through the status pages' service on the store devhost serves (as a responder would through the
API; the API path itself is covered by tests/e2e/test_statuspages_e2e.py).
"""

from __future__ import annotations

import asyncio
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from shared.auth.keys import INTEGRATION_KEY
from shared.auth.models import AppRole, Principal, PrincipalKind, TeamRole
from shared.catalog.models import Integration, Service
from shared.statuspages import service
from shared.statuspages import store as pages
from shared.statuspages.models import ComponentBody, IncidentRule, PageBody, PostBody, UpdateBody
from shared.store.codec import to_doc
from shared.store.port import DocumentStore
from shared.store.sqlite import SqliteStore

SLUG = "demo-status"
SERVICE = "svc-status"


def _owner(team_id: str) -> Principal:
    return Principal(
        kind=PrincipalKind.USER,
        id="status-owner",
        roles=frozenset({AppRole.RESPONDER}),
        teams={team_id: TeamRole.ADMIN},
    )


async def seed_status_page(store: DocumentStore, team_id: str) -> str:
    """The page and its service's integration; the integration key."""
    now = datetime.now(UTC) - timedelta(days=30)
    await store.upsert("services", to_doc(Service(id=SERVICE, name="Checkout", team_id=team_id)))
    issued = INTEGRATION_KEY.issue()
    integration = Integration(
        id="int-status",
        name="status page alerts",
        service_id=SERVICE,
        team_id=team_id,
        format="generic",
        key_prefix=issued.key_id,
        key_hash=issued.key_hash,
    )
    await store.upsert("integrations", to_doc(integration))
    owner = _owner(team_id)
    page = await service.create_page(
        store=store,
        principal=owner,
        body=PageBody(team_id=team_id, name="Demo shop", slug=SLUG, time_zone="Europe/Berlin"),
        now=now,
    )
    for body in (
        ComponentBody(
            name="Checkout",
            description="Payments and orders",
            service_ids=(SERVICE,),
            rule=IncidentRule(after_minutes=0.02),
        ),
        ComponentBody(name="Blog", position=2),
    ):
        await service.add_component(
            store=store, principal=owner, page_id=page.id, body=body, now=now
        )
    return issued.secret


async def _publish(sqlite: Path, steps: list[tuple[str, str, str]]) -> None:
    store = await SqliteStore.open(sqlite)
    try:
        page_id = await pages.page_id_for_slug(store, SLUG)
        assert page_id is not None
        page, _ = await pages.load_page(store, page_id)
        owner = _owner(page.team_id)
        for action, first, second in steps:
            now = datetime.now(UTC)
            if action == "post":
                await service.post_incident(
                    store=store,
                    principal=owner,
                    page_id=page.id,
                    body=PostBody(name=first, body=second, component_ids=(page.components[0].id,)),
                    now=now,
                )
                continue
            [newest] = await pages.query_posts(store, page.id, limit=1)
            await service.add_update(
                store=store,
                principal=owner,
                page_id=page.id,
                post_id=newest.id,
                body=UpdateBody.model_validate({"status": first, "body": second}),
                now=now,
            )
    finally:
        await store.close()


if __name__ == "__main__":
    words = sys.argv[2:]
    asyncio.run(
        _publish(Path(sys.argv[1]), [tuple(words[i : i + 3]) for i in range(0, len(words), 3)])
    )  # type: ignore[misc]
