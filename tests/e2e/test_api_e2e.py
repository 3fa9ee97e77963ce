"""The management API end to end: the real app in devhost, tokens from devhost's development
identity provider (validated by the production validator), the real SQLite store."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from devhost import idp
from shared.api.v1 import API
from shared.auth.tokens import issuer_for
from tests.fixtures.devhost import ROOT, DevhostHandle, start_devhost

TENANT = "00000000-0000-4000-8000-00000000a11e"
CLIENT_ID = "00000000-0000-4000-8000-0000000c11e7"

#: HTTP functions that authenticate by other means or are public on purpose. Everything else
#: must refuse a request without credentials.
PUBLIC_FUNCTIONS = {
    "health_live",  # liveness probe
    "health_ready",  # readiness probe
    "ingest_integration",  # integration key / secure webhook
    "ingest_heartbeat",  # integration key
    "ingest_pagerduty",  # routing_key
    "ingest_opsgenie_create",  # GenieKey
    "ingest_opsgenie_action",  # GenieKey
    "ingest_pagerduty_change",  # routing_key
    "ingest_opsgenie_update",  # GenieKey
    "opsgenie_request_status",  # GenieKey (another integration's request reads as unknown)
    "opsgenie_unsupported",  # answers only Opsgenie's 404 shape, reads nothing
    "bot_messages",  # Bot Framework token, checked in code (tests/e2e/test_teams_e2e.py)
    # ACS Call Automation events: the unguessable per-call token in the URL is the credential
    # (unknown token: 404; tests/e2e/test_voice_e2e.py).
    "voice_callback",
    # Public status pages: anonymous by design for public pages; a restricted page refuses
    # anonymous callers (tests/e2e/test_statuspages_e2e.py).
    "status_public",
}
PUBLIC_OPERATIONS = {
    "openapi",
    "subscribedCalendar",  # the unguessable token in the URL is the credential
    "subscribedUserCalendar",  # likewise
}


class Api:
    def __init__(self, host: DevhostHandle) -> None:
        self.host = host
        self.key = idp.load_or_create_key(host.state.parent)
        self.issuer = issuer_for(host.base_url + "/.devhost/idp", TENANT)
        self.http = httpx.Client(base_url=host.base_url + "/api/v1", timeout=15)

    def token(self, email: str, *roles: str, minutes: float = 30) -> str:
        return idp.mint_token(
            self.key,
            issuer=self.issuer,
            tenant_id=TENANT,
            audience=CLIENT_ID,
            roles=list(roles),
            minutes=minutes,
            email=email,
        )

    def as_(self, token: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {token}"}

    def call(self, method: str, path: str, token: str, body: Any = None, **kw: Any) -> Any:
        headers = {**self.as_(token), **kw.pop("headers", {})}
        r = self.http.request(method, path, headers=headers, json=body, **kw)
        return r


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    state = tmp_path_factory.mktemp("api")
    env = {
        "SQLITE_PATH": str(state / "openalert.sqlite"),
        "DEVHOST_IDP_ENABLED": "true",
        "ENTRA_TENANT_ID": TENANT,
        "ENTRA_CLIENT_ID": CLIENT_ID,
        "AzureWebJobsStorage": "",
    }
    handle = start_devhost(app_dir=ROOT, state=state / "devhost.sqlite", env=env)
    client = Api(handle)
    yield client
    client.http.close()
    handle.stop()


@pytest.fixture(scope="module")
def admin(api: Api) -> str:
    return api.token("admin@example.com", "Admin")


def is_problem(r: httpx.Response, status: int) -> dict[str, Any]:
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/problem+json"), r.headers
    doc: dict[str, Any] = r.json()
    assert doc["status"] == status and doc["type"].startswith("https://openalert.dev/problems/")
    return doc


def oid(email: str) -> str:
    return idp.user_oid(email)


def setup_team(api: Api, admin: str, name: str) -> dict[str, Any]:
    team = api.call("POST", "/teams", admin, {"name": name}).json()
    policy = api.call(
        "POST",
        "/escalation-policies",
        admin,
        {
            "name": f"{name} policy",
            "team_id": team["id"],
            # A policy may only name the team's own members; nobody is one yet.
            "steps": [{"type": "notify_team", "team_id": team["id"]}],
        },
    )
    assert policy.status_code == 201, policy.text
    service = api.call(
        "POST",
        "/services",
        admin,
        {"name": f"{name} svc", "team_id": team["id"], "escalation_policy_id": policy.json()["id"]},
    )
    assert service.status_code == 201, service.text
    created = api.call(
        "POST",
        "/integrations",
        admin,
        {"name": f"{name} hook", "service_id": service.json()["id"], "format": "generic"},
    )
    assert created.status_code == 201, created.text
    return {
        "team": team,
        "policy": policy.json(),
        "service": service.json(),
        "integration": created.json(),
    }


def wait_incident(api: Api, token: str, title: str, within: float = 15) -> dict[str, Any]:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        items = api.call("GET", "/incidents", token, params={"limit": 200}).json()["items"]
        found = [i for i in items if i["title"] == title]
        if found:
            return dict(found[0])
        time.sleep(0.1)
    raise AssertionError(f"no incident {title!r}")


def test_openapi_is_public_and_lists_every_operation(api: Api) -> None:
    r = api.http.get("/openapi.json")
    assert r.status_code == 200
    doc = r.json()
    assert doc["openapi"] == "3.1.0"
    ops = {(m.upper(), p) for p, item in doc["paths"].items() for m in item}
    assert ops == {(o.method, o.path) for o in API.operations}
    assert "Incident" in doc["components"]["schemas"]
    assert "Problem" in doc["components"]["schemas"]


def test_route_audit_nothing_answers_without_credentials(
    api: Api, app_functions: dict[str, Any]
) -> None:
    """Every HTTP function and every API operation not declared public refuses anonymity."""
    base = api.host.base_url
    checked = 0
    for name, fn in app_functions.items():
        trigger = fn.get_trigger().get_dict_repr()
        if trigger["type"] != "httpTrigger" or name in PUBLIC_FUNCTIONS or name == "api_v1":
            continue
        raise AssertionError(f"{name} is an HTTP function missing from the audit's lists")
    for op in API.operations:
        if op.name in PUBLIC_OPERATIONS:
            continue
        path = op.path.replace("{", "").replace("}", "")
        r = httpx.request(op.method, f"{base}/api/v1{path}", json={} if op.body else None)
        doc = is_problem(r, 401)
        assert r.headers["www-authenticate"].startswith("Bearer"), op.name
        assert doc["type"].endswith("/unauthenticated")
        checked += 1
    assert checked == len(API.operations) - len(PUBLIC_OPERATIONS)
    # And a forged token is as good as none.
    r = httpx.get(f"{base}/api/v1/incidents", headers={"Authorization": "Bearer abc.def.ghi"})
    is_problem(r, 401)


def test_configuration_flow_and_key_shown_once(api: Api, admin: str) -> None:
    made = setup_team(api, admin, "Payments")
    created = made["integration"]
    assert created["key"].startswith("oa_int_") or len(created["key"]) > 20
    assert created["ingest_url"].endswith(created["key"])
    integration_id = created["integration"]["id"]
    # Links come from PUBLIC_BASE_URL (devhost sets it to itself), not from the Host header.
    spoofed = api.call(
        "POST", f"/integrations/{integration_id}/rotate", admin, headers={"Host": "evil.example"}
    ).json()
    assert spoofed["ingest_url"].startswith(api.host.base_url + "/api/integrations/")
    assert spoofed["setup"]["snippets"]["curl"].startswith(f"curl -X POST {api.host.base_url}/")
    created = {**created, "key": spoofed["key"], "ingest_url": spoofed["ingest_url"]}
    r = api.call("GET", f"/integrations/{integration_id}", admin)
    assert r.status_code == 200 and "key" not in r.json() and "key_hash" not in r.json()
    route = api.call(
        "POST",
        f"/integrations/{integration_id}/routes",
        admin,
        {
            "position": 0,
            "conditions": [{"field": "severity", "op": "eq", "value": "P5"}],
            "page": False,
        },
    )
    assert route.status_code == 201, route.text
    routes = api.call("GET", f"/integrations/{integration_id}/routes", admin).json()["items"]
    assert [r["id"] for r in routes] == [route.json()["id"]]
    # Rotation: the old key stops working at once.
    old_key = created["key"]
    rotated = api.call("POST", f"/integrations/{integration_id}/rotate", admin).json()
    assert rotated["key"] != old_key
    r = httpx.post(created["ingest_url"], json={"title": "x"})
    assert r.status_code in (401, 404)
    r = httpx.post(rotated["ingest_url"], json={"title": "after rotation", "id": "rot-1"})
    assert r.status_code == 202


def test_responders_act_viewers_read_and_other_teams_are_refused(api: Api, admin: str) -> None:
    made = setup_team(api, admin, "Checkout")
    team_id = made["team"]["id"]
    responder = api.token("resp@example.com", "Responder")
    outsider = api.token("outsider@example.com", "Responder")
    viewer = api.token("viewer@example.com", "Viewer")
    for token in (responder, outsider, viewer):
        assert api.call("GET", "/me", token).status_code == 200  # provisioned on first call
    r = api.call(
        "PUT", f"/teams/{team_id}/members/{oid('resp@example.com')}", admin, {"role": "member"}
    )
    assert r.status_code == 200, r.text
    assert api.call("GET", "/me", responder).json()["teams"] == {team_id: "member"}
    people = api.call("GET", "/users", viewer).json()["items"]
    assert oid("resp@example.com") in [u["id"] for u in people]
    cal = api.call("GET", "/me/calendar", responder)
    assert cal.status_code == 200 and cal.text.startswith("BEGIN:VCALENDAR")
    link = api.call("POST", "/me/calendar-link", responder).json()["url"]
    assert httpx.get(link).text.startswith("BEGIN:VCALENDAR")
    assert httpx.get(link.replace(".ics", "0.ics")).status_code == 404

    httpx.post(made["integration"]["ingest_url"], json={"title": "checkout down", "id": "co-1"})
    incident = wait_incident(api, responder, "checkout down")
    iid = incident["id"]
    assert incident["status"] == "triggered"

    is_problem(api.call("POST", f"/incidents/{iid}/acknowledge", viewer), 403)
    is_problem(api.call("POST", f"/incidents/{iid}/acknowledge", outsider), 403)
    assert api.call("GET", f"/incidents/{iid}", viewer).status_code == 200

    r = api.call("POST", f"/incidents/{iid}/acknowledge", responder)
    assert r.status_code == 200 and r.json()["status"] == "acknowledged"
    assert r.json()["acknowledged_by"]["id"] == oid("resp@example.com")
    again = api.call("POST", f"/incidents/{iid}/acknowledge", responder)
    assert again.status_code == 200 and again.json()["updated_at"] == r.json()["updated_at"]
    timeline = api.call("GET", f"/incidents/{iid}/timeline", responder).json()["items"]
    assert [e["kind"] for e in timeline].count("acknowledged") == 1

    is_problem(api.call("POST", f"/incidents/{iid}/snooze", responder, {}), 400)
    r = api.call("POST", f"/incidents/{iid}/notes", responder, {"note": "looking at db"})
    assert r.status_code == 200
    r = api.call("POST", f"/incidents/{iid}/resolve", responder)
    assert r.json()["status"] == "resolved"
    doc = is_problem(api.call("POST", f"/incidents/{iid}/acknowledge", responder), 409)
    assert "resolved" in doc["detail"]
    listed = api.call(
        "GET", "/incidents", responder, params={"status": "resolved", "team_id": team_id}
    ).json()["items"]
    assert iid in [i["id"] for i in listed]
    alerts = api.call("GET", f"/incidents/{iid}/alerts", responder).json()["items"]
    assert len(alerts) == 1


def test_bad_input_is_a_clear_problem(api: Api, admin: str) -> None:
    h = {**api.as_(admin), "Content-Type": "application/json"}
    doc = is_problem(api.http.post("/teams", content=b"{nope", headers=h), 400)
    assert "JSON" in doc["detail"]
    doc = is_problem(api.http.post("/teams", json={"name": "x", "colour": "red"}, headers=h), 400)
    assert doc["field"] == "colour"
    doc = is_problem(api.http.post("/teams", json={"name": ""}, headers=h), 400)
    assert doc["field"] == "name"
    is_problem(api.http.post("/teams", content=b"[]", headers=h), 400)
    is_problem(api.http.post("/teams", content=b" " * (1024 * 1024 + 10), headers=h), 413)
    is_problem(api.http.delete("/incidents", headers=h), 405)
    is_problem(api.http.get("/nothing/here", headers=h), 404)
    is_problem(api.http.get("/incidents", params={"limit": "0"}, headers=h), 400)
    is_problem(api.http.get("/incidents", params={"status": "sleeping"}, headers=h), 400)
    is_problem(api.http.get("/incidents", params={"created_after": "yesterday"}, headers=h), 400)
    is_problem(api.http.get("/incidents", params={"continuation": "garbage"}, headers=h), 400)
    is_problem(api.http.get("/teams/team-missing", headers=h), 404)


def test_etag_guards_updates(api: Api, admin: str) -> None:
    team = api.call("POST", "/teams", admin, {"name": "Etag"}).json()
    r = api.call("GET", f"/teams/{team['id']}", admin)
    etag = r.headers["etag"]
    ok = api.call(
        "PUT", f"/teams/{team['id']}", admin, {"name": "Etag 2"}, headers={"If-Match": etag}
    )
    assert ok.status_code == 200
    stale = api.call(
        "PUT", f"/teams/{team['id']}", admin, {"name": "Etag 3"}, headers={"If-Match": etag}
    )
    is_problem(stale, 412)


def test_api_keys_scopes_and_revocation(api: Api, admin: str) -> None:
    r = api.call("POST", "/api-keys", admin, {"name": "grafana sync", "scopes": ["read"]})
    assert r.status_code == 201, r.text
    secret, key_id = r.json()["secret"], r.json()["key"]["id"]
    assert api.call("GET", "/teams", secret).status_code == 200
    is_problem(api.call("POST", "/teams", secret, {"name": "nope"}), 403)
    listed = api.call("GET", "/api-keys", admin).json()["items"]
    assert key_id in [k["id"] for k in listed] and all("secret" not in k for k in listed)
    assert api.call("POST", f"/api-keys/{key_id}/revoke", admin).status_code == 200
    is_problem(api.call("GET", "/teams", secret), 401)


def _member(api: Api, admin: str, team: dict[str, Any], email: str) -> str:
    """A member of ``team``: people exist once they have signed in, and a schedule names only
    its team's members."""
    assert api.call("GET", "/me", api.token(email, "Responder")).status_code == 200
    user_id = oid(email)
    r = api.call("PUT", f"/teams/{team['id']}/members/{user_id}", admin, {"role": "member"})
    assert r.status_code == 200, r.text
    return user_id


def test_schedules_oncall_final_and_ical(api: Api, admin: str) -> None:
    team = api.call("POST", "/teams", admin, {"name": "Sched"}).json()
    ann, ben = (
        _member(api, admin, team, "ann@example.com"),
        _member(api, admin, team, "ben@example.com"),
    )
    body: dict[str, Any] = {
        "name": "Primary",
        "team_id": team["id"],
        "time_zone": "Europe/Berlin",
        "layers": [
            {
                "name": "weekly",
                "participants": [ann, "no-such-user"],
                "start": "2026-11-02T09:00:00",
                "frequency": "weekly",
            }
        ],
    }
    r = api.call("POST", "/schedules", admin, body)
    is_problem(r, 400)
    assert r.json()["field"] == "layers.0.participants.1"
    body["layers"][0]["participants"] = [ann, ben]
    r = api.call("POST", "/schedules", admin, body)
    assert r.status_code == 201, r.text
    sid = r.json()["id"]
    r = api.call("GET", f"/schedules/{sid}/oncall", admin, params={"at": "2026-11-10T12:00:00Z"})
    assert r.json()["users"] == [ben]
    r = api.call(
        "GET",
        f"/schedules/{sid}/final",
        admin,
        params={"start": "2026-11-09T00:00:00Z", "end": "2026-11-16T00:00:00Z"},
    )
    assert {s["user"] for s in r.json()["items"]} == {ann, ben}
    r = api.call(
        "GET",
        f"/schedules/{sid}/ical",
        admin,
        params={"start": "2026-11-09T00:00:00Z", "end": "2026-11-16T00:00:00Z"},
    )
    assert r.headers["content-type"].startswith("text/calendar")
    assert "BEGIN:VCALENDAR" in r.text and "ATTENDEE" in r.text and "ben@example.com" in r.text
    link = api.call("POST", f"/schedules/{sid}/ical-link", admin).json()["url"]
    sub = httpx.get(link)
    assert sub.status_code == 200 and sub.text.startswith("BEGIN:VCALENDAR")
    assert httpx.get(link.replace(".ics", "x.ics")).status_code == 404
    ics = (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:1\r\n"
        "DTSTART:20300101T000000Z\r\nDTEND:20300101T080000Z\r\nRRULE:FREQ=DAILY;COUNT=3\r\n"
        "SUMMARY:carl\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    r = api.call("POST", f"/schedules/{sid}/ical-import", admin, {"ics": ics, "days": 366})
    assert r.status_code == 200, r.text
    assert (r.json()["imported"], r.json()["events"][0]["outcome"]) == (0, "skipped")
    r = api.call(
        "GET",
        f"/schedules/{sid}/final",
        admin,
        params={"start": "2026-01-01T00:00:00Z", "end": "2026-12-01T00:00:00Z"},
    )
    is_problem(r, 400)


def test_overrides_are_their_own_resource_and_survive_a_put(api: Api, admin: str) -> None:
    team = api.call("POST", "/teams", admin, {"name": "Overrides"}).json()
    ann, cat = (
        _member(api, admin, team, "ann@example.com"),
        _member(api, admin, team, "cat@example.com"),
    )
    layer = {"name": "daily", "participants": [ann], "start": "2026-11-02T09:00:00"}
    body = {"name": "O", "team_id": team["id"], "time_zone": "UTC", "layers": [layer]}
    sid = api.call("POST", "/schedules", admin, body).json()["id"]
    window = {"start": "2026-11-10T10:00:00Z", "end": "2026-11-10T12:00:00Z"}
    r = api.call("POST", f"/schedules/{sid}/overrides", admin, {"user": "nobody", **window})
    is_problem(r, 400)
    assert r.json()["field"] == "user"
    r = api.call("POST", f"/schedules/{sid}/overrides", admin, {"user": cat, **window})
    assert r.status_code == 201, r.text
    oid = r.json()["id"]
    # An editor saves back exactly what it read: the override stays.
    read = api.call("GET", f"/schedules/{sid}", admin).json()
    assert [o["id"] for o in read["overrides"]] == [oid]
    r = api.call("PUT", f"/schedules/{sid}", admin, read)
    assert r.status_code == 200, r.text
    r = api.call("GET", f"/schedules/{sid}/overrides", admin, params=window)
    assert [o["id"] for o in r.json()["items"]] == [oid]
    at = {"at": "2026-11-10T11:00:00Z"}
    assert api.call("GET", f"/schedules/{sid}/oncall", admin, params=at).json()["users"] == [cat]
    assert api.call("DELETE", f"/schedules/{sid}/overrides/{oid}", admin).status_code == 204
    assert api.call("GET", f"/schedules/{sid}/oncall", admin, params=at).json()["users"] == [ann]
    is_problem(api.call("DELETE", f"/schedules/{sid}/overrides/{oid}", admin), 404)
    # Someone who has never signed in is added by e-mail and can be scheduled at once.
    r = api.call(
        "POST", "/users/pending", admin, {"email": "eve@example.com", "team_id": team["id"]}
    )
    assert r.status_code == 201 and r.json()["pending"], r.text
    eve = r.json()["id"]
    assert api.call("GET", f"/users/{eve}", admin).json()["pending"] is True
    r = api.call("POST", f"/schedules/{sid}/overrides", admin, {"user": eve, **window})
    assert r.status_code == 201, r.text
    assert api.call("GET", f"/schedules/{sid}/swaps", admin, params=window).json()["items"] == []


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=10,
)


@settings(
    max_examples=250,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    op=st.sampled_from(API.operations),
    param=st.text(
        alphabet=st.characters(codec="ascii", exclude_characters="/?#%"), min_size=1, max_size=12
    ),
    body=json_values,
    query=st.dictionaries(
        st.sampled_from(["limit", "continuation", "status", "at", "start", "end", "team_id"]),
        st.text(max_size=15),
        max_size=3,
    ),
)
def test_no_generated_request_gets_a_5xx(
    api: Api, admin: str, op: Any, param: str, body: Any, query: dict[str, str]
) -> None:
    path = "/api/v1" + op.path
    for name in (
        "incident_id",
        "team_id",
        "user_id",
        "service_id",
        "integration_id",
        "route_id",
        "policy_id",
        "schedule_id",
        "override_id",
        "key_id",
    ):
        path = path.replace("{" + name + "}", quote(param, safe=""))
    r = httpx.request(
        op.method,
        api.host.base_url + path,
        params=query,
        content=json.dumps(body),
        headers={**api.as_(admin), "Content-Type": "application/json"},
        timeout=15,
    )
    assert r.status_code < 500, (op.name, path, body, r.text)
    if r.status_code >= 400:
        assert r.headers["content-type"].startswith("application/problem+json"), r.text


def test_a_token_for_another_port_or_expired_says_why_over_http(api: Api) -> None:
    def token(issuer: str, now: float) -> str:
        return idp.mint_token(
            api.key,
            issuer=issuer,
            tenant_id=TENANT,
            audience=CLIENT_ID,
            roles=[],
            minutes=30,
            email="a@example.com",
            now=now,
        )

    another_port = issuer_for("http://127.0.0.1:1/.devhost/idp", TENANT)
    for presented, why in (
        (token(another_port, time.time()), f"the token's issuer is not {api.issuer}"),
        (token(api.issuer, time.time() - 7200), "the token has expired"),
    ):
        r = api.http.get("/incidents", headers={"Authorization": f"Bearer {presented}"})
        is_problem(r, 401)
        assert f'error="invalid_token", error_description="{why}"' in r.headers["www-authenticate"]


def test_a_test_alert_goes_through_the_real_queue_to_an_incident(api: Api, admin: str) -> None:
    """The API function's alerts-queue output: the sample is ingested, queued, processed."""
    made = setup_team(api, admin, "Tests")
    service_id = made["service"]["id"]
    for fmt, title in [
        ("generic", "[Test] Backup failed"),
        ("alertmanager", "[Test] Pod payments/api-7c9f is crash looping"),
    ]:
        created = api.call(
            "POST", "/integrations", admin, {"name": fmt, "service_id": service_id, "format": fmt}
        )
        iid = created.json()["integration"]["id"]
        sent = api.call("POST", f"/integrations/{iid}/test-alert", admin)
        assert sent.status_code == 202, sent.text
        assert sent.json()["title"] == title
        incident = wait_incident(api, admin, title)
        assert incident["service_id"] == service_id
