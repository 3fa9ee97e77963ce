"""Seed a demo team, schedule, service and integrations for ``make run`` (idempotent, local only).

The integration keys are generated on first run and kept in ``<state dir>/demo-keys.json`` so
every ``make run`` prints the same ready-to-paste commands. Never used in Azure.
"""

from __future__ import annotations

import asyncio
import json
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from shared.auth.documents import put_user, user_exists
from shared.auth.keys import INTEGRATION_KEY
from shared.auth.models import TeamRole, User
from shared.catalog import stored as catalog
from shared.catalog.models import Integration, Service, Team
from shared.config import get_settings
from shared.escalation.models import Policy
from shared.escalation.policies import load_policy, save_policy
from shared.schedules.models import Layer, Schedule
from shared.schedules.stored import load_schedule_doc, save_schedule
from shared.store.factory import open_store
from shared.store.port import DocumentStore

TEAM_ID = "team-demo"
SERVICE_ID = "svc-demo"
POLICY_ID = "pol-demo"
SCHEDULE_ID = "sch-demo"
INTEGRATIONS = {"int-demo-alertmanager": "alertmanager", "int-demo-generic": "generic"}
#: Demo responders (not real Entra users: ids are placeholders, nobody signs in as them).
USERS = {"demo-alice": "Alice (demo)", "demo-bob": "Bob (demo)"}
#: Page Alice, then Bob two minutes later, then both again once.
POLICY = {
    "id": POLICY_ID,
    "name": "Demo policy",
    "team_id": TEAM_ID,
    "version": 1,
    "steps": [
        {"type": "notify_users", "user_ids": ["demo-alice"]},
        {"type": "wait", "minutes": 2},
        {"type": "notify_users", "user_ids": ["demo-bob"]},
        {"type": "wait", "minutes": 5},
        {"type": "repeat", "times": 1},
    ],
    "ack_timeout_minutes": 30,
}


async def seed(store: DocumentStore, known_keys: dict[str, str]) -> dict[str, str]:
    """Create what is missing; returns integration id -> key (``known_keys``: a previous run)."""
    keys = dict(known_keys)
    now = datetime.now(UTC)
    if await catalog.load_team(store, TEAM_ID) is None:
        await catalog.put_team(store, Team(id=TEAM_ID, name="Demo team", created_at=now))
    for user_id, name in USERS.items():
        if not await user_exists(store, user_id):
            user = User(
                id=user_id,
                tenant_id="demo",
                name=name,
                email=f"{user_id}@example.com",
                teams={TEAM_ID: TeamRole.MEMBER},
                created_at=now,
                updated_at=now,
                last_seen_at=now,
            )
            await put_user(store, user)
    if await load_policy(store, POLICY_ID) is None:
        await save_policy(store, Policy.model_validate(POLICY))
    existing_service = await catalog.load_service(store, SERVICE_ID)
    if existing_service is None or not existing_service.escalation_policy_id:
        service = Service(
            id=SERVICE_ID,
            name="Demo service",
            team_id=TEAM_ID,
            escalation_policy_id=POLICY_ID,
            created_at=now,
        )
        await catalog.put_service(store, service)
    for integration_id, fmt in INTEGRATIONS.items():
        existing = await catalog.load_integration(store, integration_id)
        if existing is None or integration_id not in keys:
            issued = INTEGRATION_KEY.issue()
            integration = Integration(
                id=integration_id,
                name=f"Demo {fmt}",
                service_id=SERVICE_ID,
                team_id=TEAM_ID,
                format=fmt,
                key_prefix=issued.key_id,
                key_hash=issued.key_hash,
                created_at=now,
            )
            await catalog.put_integration(store, integration)
            keys[integration_id] = issued.secret
    return keys


async def seed_schedule(store: DocumentStore) -> None:
    """A daily rotation of the demo responders in Tokyo time, so "On call now", "My shifts" and
    the schedule pages have content in a zone other than the viewer's. Apart from :func:`seed`:
    the end-to-end tests that seed the demo count pages, and a schedule announces handoffs."""
    if await load_schedule_doc(store, SCHEDULE_ID) is not None:
        return
    start = (datetime.now(UTC) - timedelta(days=3)).strftime("%Y-%m-%dT09:00")
    layer = Layer.model_validate(
        {"name": "Daily", "participants": list(USERS), "start": start, "frequency": "daily"}
    )
    schedule = Schedule(
        id=SCHEDULE_ID, name="Demo primary", team_id=TEAM_ID, time_zone="Asia/Tokyo", layers=[layer]
    )
    await save_schedule(store, schedule, etag=None)


async def _seed_store(known: dict[str, str]) -> dict[str, str]:
    store = await open_store(get_settings())
    try:
        keys = await seed(store, known)
        await seed_schedule(store)
        return keys
    finally:
        await store.close()


def main(base_url: str) -> None:
    keys_file = Path(get_settings().SQLITE_PATH).parent / "demo-keys.json"
    known = json.loads(keys_file.read_text()) if keys_file.exists() else {}
    keys = asyncio.run(_seed_store(known))
    keys_file.parent.mkdir(parents=True, exist_ok=True)
    keys_file.write_text(json.dumps(keys, indent=2))
    keys_file.chmod(0o600)
    key = keys["int-demo-generic"]
    print(
        "Demo data: team 'Demo team', schedule 'Demo primary', service 'Demo service', "
        "integrations:"
    )
    for integration_id, fmt in INTEGRATIONS.items():
        print(f"  {fmt:<13} POST {base_url}/api/integrations/{keys[integration_id]}")
    print("Open an incident:")
    print(
        f"  curl -sS -X POST {base_url}/api/integrations/{key} -H 'Content-Type: application/json' "
        """-d '{"title":"Demo: disk full on db-1","severity":"critical","id":"demo-1"}'"""
    )


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:7071")
