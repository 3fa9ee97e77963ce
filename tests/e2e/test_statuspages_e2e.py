"""Status pages over devhost, the real function app: a P1 alert posted through ingest turns its
component red once its rule's delay has passed, a posted update appears on the public page and in
both feeds (read by feedparser), resolving the alert turns the component green; the Statuspage
JSON validates; a restricted page refuses anonymous callers; another team's page shows nothing
of this team's.

The delay is controlled without sleeping: the rule is evaluated on every read, so the component
first has a 60-minute delay (the open P1 must not show yet), then the owner sets it to 0 and
the next read shows the outage.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import feedparser
import httpx
import pytest
from jsonschema import Draft202012Validator

from tests.fixtures.devhost import ROOT, DevhostHandle, start_devhost
from tests.fixtures.seed import paging_settings, person_token

PUBLIC = "https://oa.example.com"
SCHEMA = json.loads(
    (ROOT / "tests" / "contract" / "statuspages" / "statuspage_v2.schema.json").read_text()
)


@pytest.fixture(scope="module")
def host(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevhostHandle]:
    state: Path = tmp_path_factory.mktemp("status")
    handle = start_devhost(
        app_dir=ROOT, state=state / "devhost.sqlite", env=paging_settings(state / "oa.sqlite")
    )
    yield handle
    handle.stop()


def until(check: Callable[[], Any], what: str, timeout: float = 20.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


class World:
    def __init__(self, host: DevhostHandle) -> None:
        self.host = host
        self.token = person_token(host, email="admin@example.com", roles=("Admin",))
        self.api = httpx.Client(
            base_url=host.base_url + "/api/v1",
            headers={"Authorization": f"Bearer {self.token}"},
            timeout=15,
        )
        self.public = httpx.Client(base_url=host.base_url + "/api/status", timeout=15)

    def ok(self, method: str, path: str, body: Any = None, status: int = 200) -> Any:
        r = self.api.request(method, path, json=body)
        assert r.status_code == status, r.text
        return r.json() if r.content else None

    def team(self, name: str) -> dict[str, Any]:
        team = self.ok("POST", "/teams", {"name": name}, 201)
        service = self.ok("POST", "/services", {"name": f"{name} API", "team_id": team["id"]}, 201)
        hook = self.ok(
            "POST",
            "/integrations",
            {"name": "hook", "service_id": service["id"], "format": "generic"},
            201,
        )
        return {"team": team, "service": service, "ingest": hook["ingest_url"]}

    def alert(self, ingest_url: str, **fields: str) -> None:
        url = ingest_url.replace(PUBLIC, self.host.base_url)
        r = httpx.post(url, json={"title": "Checkout down", "dedup_key": "checkout", **fields})
        assert r.status_code == 202, r.text

    def summary(self, slug: str) -> dict[str, Any]:
        r = self.public.get(f"/{slug}/api/v2/summary.json")
        assert r.status_code == 200, r.text
        doc: dict[str, Any] = r.json()
        return doc


@pytest.fixture(scope="module")
def world(host: DevhostHandle) -> World:
    return World(host)


def component_status(doc: dict[str, Any], name: str) -> str:
    return str(next(c["status"] for c in doc["components"] if c["name"] == name))


def test_a_p1_turns_red_an_update_appears_and_resolving_turns_green(world: World) -> None:
    a = world.team("Shop")
    page = world.ok(
        "POST",
        "/status-pages",
        {"team_id": a["team"]["id"], "name": "Shop", "slug": "shop"},
        201,
    )
    rule = {"severities": {"P1": "major_outage"}, "after_minutes": 60}
    checkout = world.ok(
        "POST",
        f"/status-pages/{page['id']}/components",
        {"name": "Checkout", "service_ids": [a["service"]["id"]], "rule": rule},
        201,
    )
    world.ok("POST", f"/status-pages/{page['id']}/components", {"name": "Blog"}, 201)
    assert component_status(world.summary("shop"), "Checkout") == "operational"

    world.alert(a["ingest"], severity="P1")
    incident = until(
        lambda: world.ok("GET", f"/incidents?team_id={a['team']['id']}")["items"], "the incident"
    )[0]
    assert incident["severity"] == "P1"
    # Open, but for less than the rule's 60 minutes: not shown yet.
    assert component_status(world.summary("shop"), "Checkout") == "operational"
    world.ok(
        "PUT",
        f"/status-pages/{page['id']}/components/{checkout['id']}",
        {
            "name": "Checkout",
            "service_ids": [a["service"]["id"]],
            "rule": {**rule, "after_minutes": 0},
        },
    )
    red = world.summary("shop")
    assert component_status(red, "Checkout") == "major_outage"
    assert red["status"] == {"indicator": "major", "description": "Partial System Outage"}
    html = world.public.get("/shop").text
    assert "Major outage" in html and "Partial System Outage" in html

    post = world.ok(
        "POST",
        f"/status-pages/{page['id']}/incidents",
        {
            "name": "Checkout errors",
            "body": "We are investigating failed payments.",
            "component_ids": [checkout["id"]],
            "incident_id": incident["id"],
        },
        201,
    )
    world.ok(
        "POST",
        f"/status-pages/{page['id']}/posts/{post['id']}/updates",
        {
            "body": "The payment provider is failing; we have switched to the backup.",
            "status": "identified",
        },
        201,
    )
    html = world.public.get("/shop").text
    assert "Checkout errors" in html and "switched to the backup" in html
    for feed_path, version in (("history.rss", "rss20"), ("history.atom", "atom10")):
        r = world.public.get(f"/shop/{feed_path}")
        feed = feedparser.parse(r.content)
        assert not feed.bozo and feed.version == version
        assert feed.entries[0].title == "Checkout errors"
        body = feed.entries[0].get("content", [{"value": feed.entries[0].get("summary", "")}])
        assert "<strong>Identified</strong>" in body[0]["value"]
    summary = world.summary("shop")
    schema = Draft202012Validator({**SCHEMA, "$ref": "#/$defs/summary.json"})
    assert not list(schema.iter_errors(summary))
    assert summary["incidents"][0]["incident_updates"][0]["status"] == "identified"

    world.alert(a["ingest"], severity="P1", status="resolved")
    until(
        lambda: component_status(world.summary("shop"), "Checkout") == "operational",
        "the component to turn green",
    )
    assert world.summary("shop")["status"]["indicator"] == "none"


def test_restricted_pages_refuse_anonymous_and_teams_stay_apart(world: World) -> None:
    a = world.team("Bank")
    b = world.team("Games")
    page_a = world.ok(
        "POST",
        "/status-pages",
        {"team_id": a["team"]["id"], "name": "Bank", "slug": "bank", "visibility": "restricted"},
        201,
    )
    world.ok(
        "POST",
        f"/status-pages/{page_a['id']}/components",
        {"name": "Ledger", "service_ids": [a["service"]["id"]], "rule": {"after_minutes": 0}},
        201,
    )
    page_b = world.ok(
        "POST", "/status-pages", {"team_id": b["team"]["id"], "name": "Games", "slug": "games"}, 201
    )
    # Team b's component may not follow team a's service.
    r = world.api.post(
        f"/status-pages/{page_b['id']}/components",
        json={"name": "Sneaky", "service_ids": [a["service"]["id"]]},
    )
    assert r.status_code == 400 and r.json()["field"] == "service_ids"
    world.ok("POST", f"/status-pages/{page_b['id']}/components", {"name": "Lobby"}, 201)
    world.alert(a["ingest"], severity="P1", dedup_key="ledger")

    for path in ("", "/history.rss", "/history.atom", "/api/v2/summary.json"):
        r = world.public.get(f"/bank{path}")
        assert r.status_code == 401, (path, r.status_code)
        assert "Ledger" not in r.text and "Bank" not in r.text
    signed_in = {
        "Authorization": f"Bearer {person_token(world.host, email='viewer@example.com', roles=())}"
    }
    r = world.public.get("/bank/api/v2/summary.json", headers=signed_in)
    assert r.status_code == 200
    until(
        lambda: (
            component_status(
                world.public.get("/bank/api/v2/summary.json", headers=signed_in).json(), "Ledger"
            )
            == "major_outage"
        ),
        "team a's outage",
    )
    games = world.summary("games")
    assert [c["name"] for c in games["components"]] == ["Lobby"]
    assert games["status"]["indicator"] == "none" and games["incidents"] == []
    text = world.public.get("/games").text
    assert "Ledger" not in text and "Bank" not in text
    r = world.public.head("/games/api/v2/components.json")
    assert r.status_code == 200 and r.headers["access-control-allow-origin"] == "*"
