"""Two teams, their people, keys and configuration, and the management API router in-process.

Built once per test module into a SQLite file and copied for each test (a copy costs a few
milliseconds; seeding costs a few hundred). People authenticate as their user record says (the
roles of their latest sign-in, their current teams), exactly what the token path produces after
provisioning; API keys go through the real ``shared.auth.service.authenticate``.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from shared.api.router import Reply
from shared.api.v1 import API, ApiPorts
from shared.auth import service as auth
from shared.auth.access import principal_of
from shared.auth.apikeys import ApiKeyCache
from shared.auth.documents import API_KEYS, USERS, api_key_doc, user_doc
from shared.auth.keys import API_KEY
from shared.auth.models import (
    ApiKey,
    ApiKeyCreate,
    ApiKeyScope,
    AppRole,
    Principal,
    TeamRole,
    User,
)
from shared.auth.service import AuthPorts
from shared.catalog import models as catalog_models
from shared.catalog import service as catalog
from shared.escalation import policies
from shared.escalation.models import PolicyBody
from shared.incidents.models import Incident
from shared.notifications.channels import Sent
from shared.notifications.delivery import NotifyPorts
from shared.notifications.models import ContactMethod, Webhook
from shared.notifications.render import Message
from shared.schedules import service as schedule_service
from shared.schedules import service as schedules
from shared.schedules.models import ScheduleBody
from shared.statuspages import models as status_models
from shared.statuspages import service as statuspages
from shared.store.codec import from_doc, to_doc
from shared.store.sqlite import SqliteStore

NOW = datetime.now(UTC).replace(microsecond=0)
ALL_SCOPES = frozenset({ApiKeyScope.READ, ApiKeyScope.WRITE, ApiKeyScope.INCIDENTS})
TEAMS = ("red", "blue")
#: person -> (app role or None, {team: team role})
PEOPLE: dict[str, tuple[AppRole | None, dict[str, TeamRole]]] = {
    "admin": (AppRole.ADMIN, {}),
    "nobody": (None, {}),
    **{
        f"{team}-{who}": (role, {team: team_role})
        for team in TEAMS
        for who, role, team_role in (
            ("lead", AppRole.RESPONDER, TeamRole.ADMIN),
            ("resp", AppRole.RESPONDER, TeamRole.MEMBER),
            ("viewer", AppRole.VIEWER, TeamRole.MEMBER),
        )
    },
}


@dataclass
class Recorder:
    """A channel that keeps what it was asked to send (verification codes)."""

    name: str = "console"
    sent: list[str] = field(default_factory=list)

    async def send(
        self,
        *,
        target: str,
        message: Message,
        payload: dict[str, Any],
        idempotency_key: str,
        delivery: Any = None,
    ) -> Sent:
        self.sent.append(target)
        return Sent(provider_id=idempotency_key)


@dataclass
class Signals:
    async def start(self, incident: Incident) -> None:
        return None

    async def signal(self, incident_id: str, signal: Any, *, from_source: bool) -> None:
        return None


async def _person(store: SqliteStore, name: str) -> Principal:
    role, teams = PEOPLE[name]
    user = User(
        id=name,
        tenant_id="t",
        name=name,
        email=f"{name}@example.com",
        teams=teams,
        app_roles=(role.value,) if role else (),
        created_at=NOW,
        updated_at=NOW,
        last_seen_at=NOW,
    )
    await store.upsert(USERS, user_doc(user))
    return principal_of(user)


async def seed(path: Path) -> dict[str, str]:
    """The world; returns the ids of what it made (names -> ids) and the keys' secrets."""
    store = await SqliteStore.open(path)
    ids: dict[str, str] = {}
    try:
        people = {name: await _person(store, name) for name in PEOPLE}
        admin = people["admin"]
        for color in TEAMS:
            # Teams get their colour as id so the people's memberships above point at them.
            await store.create("teams", {"id": color, "pk": color, "name": color.title()})
        for color in TEAMS:
            await _seed_team(store, color, admin, people, ids)
        # Keys of each red person. Only a team admin may mint one today; the others' keys are
        # written as if minted when they had more rights, to show a key is bounded by its
        # creator's *current* rights whatever scopes it claims.
        for who in ("lead", "resp", "viewer"):
            issued = API_KEY.issue()
            key = ApiKey(
                id=issued.key_id,
                name=f"red-{who} key",
                key_hash=issued.key_hash,
                scopes=ALL_SCOPES,
                team_ids=frozenset({"red"}),
                created_by=f"red-{who}",
                created_at=NOW,
            )
            await store.create(API_KEYS, api_key_doc(key))
            ids[f"key-red-{who}"] = issued.secret
    finally:
        await store.close()
    return ids


async def _seed_team(
    store: SqliteStore,
    color: str,
    admin: Principal,
    people: dict[str, Principal],
    ids: dict[str, str],
) -> None:
    resp = f"{color}-resp"
    policy = await policies.create_policy(
        store=store,
        principal=admin,
        body=PolicyBody.model_validate(
            {
                "name": f"{color} policy",
                "team_id": color,
                "steps": [{"type": "notify_users", "user_ids": [resp]}],
            }
        ),
        now=NOW,
    )
    service = await catalog.create_service(
        store=store,
        principal=admin,
        body=catalog_models.ServiceBody(
            name=f"{color} svc", team_id=color, escalation_policy_id=policy.id
        ),
        now=NOW,
    )
    integration = await catalog.create_integration(
        store=store,
        principal=admin,
        body=catalog_models.IntegrationBody(
            name=f"{color} int", service_id=service.id, format="generic"
        ),
        now=NOW,
        base_url="https://oa.example",
    )
    route = await catalog.create_route(
        store=store,
        principal=admin,
        integration_id=integration.integration.id,
        body=catalog_models.RouteBody.model_validate(
            {"position": 0, "conditions": [{"field": "severity", "op": "eq", "value": "P5"}]}
        ),
    )
    schedule = await schedule_service.create_schedule(
        store=store,
        principal=admin,
        body=ScheduleBody.model_validate(
            {
                "name": f"{color} rota",
                "team_id": color,
                "time_zone": "UTC",
                "layers": [
                    {
                        "name": "l",
                        "participants": [resp],
                        "start": "2026-01-05T09:00:00",
                        "frequency": "daily",
                    }
                ],
            }
        ),
    )
    requester = from_doc(User, await store.get(USERS, resp, resp) or {})
    swap = await schedules.request_swap(
        store=store,
        schedule_id=schedule.id,
        requester=requester,
        start=NOW + timedelta(minutes=5),
        end=NOW + timedelta(hours=1),
        taker_id=f"{color}-lead",
        now=NOW,
    )
    hook = Webhook(
        id=f"wh-{color}",
        team_id=color,
        name=f"{color} hook",
        url="https://hooks.example/x",
        secret="s" * 32,
    )
    await store.create("webhooks", {**hook.model_dump(mode="json"), "pk": hook.id})
    incident = Incident(
        id=f"inc-{color}",
        number=1 if color == "red" else 2,
        title=f"{color} is down",
        team_id=color,
        service_id=service.id,
        created_at=NOW,
        updated_at=NOW,
    )
    await store.create("incidents", to_doc(incident))
    method = ContactMethod(
        id=f"cm-{color}",
        user_id=resp,
        kind="email",
        address=f"{resp}@example.com",
        verified=True,
        created_at=NOW,
    )
    await store.create("contact_methods", to_doc(method, pk_field="user_id", pk=resp))
    key = await auth.create_api_key(
        store=store,
        creator=people[f"{color}-lead"],
        request=ApiKeyCreate(name=f"{color}-lead key", scopes=ALL_SCOPES, team_ids={color}),
        now=NOW,
    )
    ids.update(
        {
            f"pol-{color}": policy.id,
            f"svc-{color}": service.id,
            f"int-{color}": integration.integration.id,
            f"intkey-{color}": integration.key,
            f"route-{color}": route.id,
            f"sched-{color}": schedule.id,
            f"swap-{color}": swap.id,
            f"apikey-{color}": key.key.id,
        }
    )
    ids.update(await _seed_status_page(store, color, admin, service.id))


async def _seed_status_page(
    store: SqliteStore, color: str, admin: Principal, service_id: str
) -> dict[str, str]:
    """A status page of the team: a group, a component following its service, a post."""
    page = await statuspages.create_page(
        store=store,
        principal=admin,
        body=status_models.PageBody(team_id=color, name=f"{color} status", slug=f"{color}-status"),
        now=NOW,
    )
    group = await statuspages.add_group(
        store=store,
        principal=admin,
        page_id=page.id,
        body=status_models.GroupBody(name="EU"),
        now=NOW,
    )
    component = await statuspages.add_component(
        store=store,
        principal=admin,
        page_id=page.id,
        body=status_models.ComponentBody(name="API", service_ids=(service_id,)),
        now=NOW,
    )
    post = await statuspages.post_incident(
        store=store,
        principal=admin,
        page_id=page.id,
        body=status_models.PostBody(name=f"{color} trouble", body="Looking"),
        now=NOW,
    )
    return {
        f"page-{color}": page.id,
        f"group-{color}": group.id,
        f"comp-{color}": component.id,
        f"post-{color}": post.id,
    }


@dataclass
class World:
    store: SqliteStore
    ports: ApiPorts
    ids: dict[str, str]
    http: httpx.AsyncClient
    channel: Recorder

    @staticmethod
    def _copy(template: Path, workdir: Path) -> None:
        for suffix in ("", "-wal", "-shm"):
            source = Path(f"{template}{suffix}")
            if source.exists():
                shutil.copy(source, workdir / f"store.sqlite{suffix}")

    @classmethod
    async def open(cls, template: Path, workdir: Path, ids: dict[str, str]) -> World:
        cls._copy(template, workdir)  # a few small files: not worth a thread
        store = await SqliteStore.open(workdir / "store.sqlite")

        async def load(key_id: str) -> ApiKey | None:
            return await auth._read_api_key(store, key_id)

        channel = Recorder()
        http = httpx.AsyncClient()
        ports = ApiPorts(
            store=store,
            auth=AuthPorts(store=store, validator=None, api_keys=ApiKeyCache(load=load)),
            escalation=Signals(),
            notify=NotifyPorts(
                store=store,
                channels={"console": channel},
                http=http,
                base_url="https://oa.example",
            ),
        )
        return cls(store, ports, ids, http, channel)

    async def close(self) -> None:
        await self.http.aclose()
        await self.store.close()

    async def _authenticate(self, authorization: str | None) -> Principal:
        token = (authorization or "").removeprefix("Bearer ")
        if token.startswith("person:"):
            name = token.removeprefix("person:")
            doc = await self.store.get(USERS, name, name)
            assert doc is not None, name
            return principal_of(from_doc(User, doc))
        return await auth.authenticate(authorization=authorization, ports=self.ports.auth)

    def credential(self, who: str) -> str:
        if who.startswith(("key-", "intkey-")):
            return f"Bearer {self.ids[who]}"
        return f"Bearer person:{who}"

    async def call(
        self,
        who: str | None,
        method: str,
        path: str,
        body: Any = None,
        query: dict[str, str] | None = None,
    ) -> Reply:
        headers = {"Authorization": self.credential(who)} if who else {}
        return await API.dispatch(
            method=method,
            path=path,
            query=query or {},
            headers=headers,
            body=b"" if body is None else json.dumps(body).encode(),
            authenticate=self._authenticate,
            ports=self.ports,
            base_url="https://oa.example",
        )
