"""``openalert import opsgenie`` end to end: the Opsgenie stand-in (tests/fixtures/
opsgenie_standin.py) on one loopback port, the real app in devhost on another, the importer
talking to both over HTTP only.

One account, in order: a dry run (plans everything, writes nothing); a run killed after a few
writes (a subprocess, SIGKILL) and the re-run that completes it without duplicates; the objects
as the API shows them; every hour of a 4-week window holding the US and EU DST changes (and, most
years, Australia's) compared with the stand-in's own timeline; a third run that changes nothing;
then an Alertmanager alert to the imported integration pages the person Opsgenie has on call.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from openalert_cli.cli import main
from openalert_cli.opsgenie import parse as og
from openalert_cli.opsgenie.verify import hours, openalert_at, opsgenie_at
from shared.auth.documents import user_doc
from shared.auth.models import User
from shared.store.sqlite import SqliteStore
from tests.fixtures.devhost import ROOT, DevhostHandle, start_devhost
from tests.fixtures.opsgenie_account import UNMATCHED, account, dst_window
from tests.fixtures.opsgenie_standin import StandIn, serve
from tests.fixtures.seed import E2E_TENANT, paging_settings, person_token

pytestmark = pytest.mark.slow
KEY = "og-read-key"


@dataclass
class Env:
    host: DevhostHandle
    standin: StandIn
    token: str
    out: Path
    users: dict[str, str]  # e-mail -> OpenAlert user id

    def args(self, *extra: str) -> list[str]:
        return [
            "import", "opsgenie",
            "--opsgenie-key", KEY,
            "--opsgenie-url", self.standin.base_url,
            "--openalert-url", self.host.base_url,
            "--openalert-token", self.token,
            "--out", str(self.out),
            *extra,
        ]  # fmt: skip

    def api(self) -> httpx.Client:
        return httpx.Client(
            base_url=self.host.base_url + "/api/v1",
            headers={"Authorization": f"Bearer {self.token}"},
            timeout=30,
        )


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Env]:
    state = tmp_path_factory.mktemp("opsgenie")
    db = state / "openalert.sqlite"
    now = datetime.now(UTC)
    data = account(now)
    users = {u["username"]: f"oid-{u['id']}" for u in data["users"] if u["username"] != UNMATCHED}

    async def seed() -> None:
        store = await SqliteStore.open(db)
        try:
            for email, user_id in users.items():
                person = User(
                    id=user_id,
                    tenant_id=E2E_TENANT,
                    name=email.split("@")[0],
                    email=email,
                    created_at=now,
                    updated_at=now,
                    last_seen_at=now,
                )
                await store.upsert("users", user_doc(person))
        finally:
            await store.close()

    asyncio.run(seed())
    host = start_devhost(app_dir=ROOT, state=state / "devhost.sqlite", env=paging_settings(db))
    try:
        token = person_token(host, email="admin@example.com", roles=("OpenAlert.Admin",))
        # The Data team was set up by hand before the import: the import takes it over.
        r = httpx.post(
            f"{host.base_url}/api/v1/teams",
            json={"name": "Data", "description": "made by hand"},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert r.status_code == 201, r.text
        # A 429 every 25th request: retries exercised, without seconds of waiting per run.
        with serve(StandIn(data, key=KEY, throttle_every=25)) as standin:
            yield Env(host, standin, token, state / "out", users)
    finally:
        host.stop()


def _counts(env: Env) -> dict[str, int]:
    with env.api() as api:
        out = {}
        for path in ("/teams", "/schedules", "/escalation-policies", "/services", "/integrations"):
            items = api.get(path, params={"limit": 200}).json()["items"]
            out[path] = len(items)
            ext = [i.get("external_id") for i in items if i.get("external_id")]
            assert len(ext) == len(set(ext)), f"duplicates in {path}: {ext}"
        return out


def test_dry_run_plans_everything_and_writes_nothing(env: Env, capsys: Any) -> None:
    before = _counts(env)
    assert main(env.args("--dry-run")) == 0
    assert _counts(env) == before
    plan = json.loads((env.out / "plan.json").read_text())
    counts = plan["counts"]
    assert counts["team"] == {"create": 2, "update": 1}
    [adopted] = [s for s in plan["steps"] if s["kind"] == "team" and s["op"] == "update"]
    assert adopted["name"] == "Data" and "external_id" in adopted["changes"]
    assert counts["schedule"]["create"] == 3
    # + the one-step policies of routes to a schedule (Payments' default, Platform's night)
    assert counts["escalation"]["create"] == 3 + 2
    assert counts["integration"]["create"] == 8 and counts["integration"]["skipped"] == 2
    assert counts["heartbeat"]["create"] == 2
    gaps = {(g["kind"], g["name"]) for g in plan["gaps"]}
    assert ("user", UNMATCHED) in gaps
    assert ("escalation", "Company-wide") in gaps  # no owner team
    assert ("integration", "Ops inbox") in gaps and ("integration", "Jira sync") in gaps
    assert ("routing rule", "Platform / Night") not in gaps  # a route with a window
    assert ("policy", "Platform / Delay at night") in gaps
    assert ("maintenance", "1 windows") in gaps
    [rules] = [g for g in plan["gaps"] if "incident rules" in g["reason"]]
    assert rules["name"] == "Checkout" and rules["reason"].startswith("1 incident rules")
    [actions] = [g for g in plan["gaps"] if "actions are not carried" in g["reason"]]
    assert actions["name"] == "Prometheus prod" and "ignore: Drop watchdog" in actions["reason"]
    forwarding = [n for k, n in gaps if k == "forwarding rule"]
    assert forwarding == ["dev@example.com -> eli@example.com"]  # the past one is not listed
    assert any(k == "override" and "emea-only" in n for k, n in gaps)
    assert len(plan["personal"]) == 25
    markdown = (env.out / "plan.md").read_text()
    assert "Senders to repoint" in markdown and "Opsgenie-API senders keep their code" in markdown
    assert "create" in capsys.readouterr().out


def test_a_killed_run_completes_on_rerun_without_duplicates(env: Env) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "openalert_cli", *env.args("--verify-weeks", "0")],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    writes = 0
    for line in proc.stdout:
        writes += line.startswith("write ")
        if writes == 12:
            proc.send_signal(signal.SIGKILL)
            break
    proc.wait()
    assert proc.returncode == -signal.SIGKILL, "the run ended before it could be killed"
    partial = _counts(env)
    assert 0 < sum(partial.values()) < 3 + 3 + 4 + 5 + 10
    window, _ = dst_window(datetime.now(UTC))
    started = time.monotonic()
    assert main(env.args("--verify-from", window.isoformat())) == 0
    elapsed = time.monotonic() - started
    after = _counts(env)
    assert after == {
        "/teams": 3,
        "/schedules": 3,
        "/escalation-policies": 5,
        "/services": 3 + 3,
        "/integrations": 8 + 2,
    }
    plan = json.loads((env.out / "plan.json").read_text())
    assert plan["verification"] and all(not v["differences"] for v in plan["verification"])
    keys = json.loads((env.out / "integration-keys.json").read_text())
    assert len(keys) == 10  # the killed run's integrations got new keys: nobody had theirs
    print(f"\nimport of the stand-in account completed in {elapsed:.1f} s; counts {plan['counts']}")


def test_imported_objects(env: Env) -> None:
    with env.api() as api:
        teams = {t["name"]: t for t in api.get("/teams").json()["items"]}
        assert set(teams) == {"Platform", "Payments", "Data"}
        members = api.get(f"/teams/{teams['Platform']['id']}/members").json()["items"]
        roles = {m["email"]: m["teams"][teams["Platform"]["id"]] for m in members}
        assert roles["ada@example.com"] == "admin" and roles["ben@example.com"] == "member"
        assert len(roles) == 9
        schedules = {s["name"]: s for s in api.get("/schedules").json()["items"]}
        fts = schedules["Follow the sun"]
        assert fts["time_zone"] == "Europe/Berlin"
        apac = next(layer for layer in fts["layers"] if layer["name"] == "APAC")
        assert apac["participants"][2] == "" and apac["interval"] == 2
        assert apac["restrictions"] == [
            {"weekdays": [0, 1, 2, 3, 4, 5, 6], "start": "00:00:00", "end": "07:00:00"},
            {"weekdays": [0, 1, 2, 3, 4, 5, 6], "start": "23:00:00", "end": "00:00:00"},
        ]
        policies = {p["name"]: p for p in api.get("/escalation-policies").json()["items"]}
        steps = [s["type"] for s in policies["Platform escalation"]["steps"]]
        assert steps == [
            "notify_schedule", "wait", "notify_schedule", "wait", "notify_users", "wait",
            "notify_users", "wait", "repeat", "resolve",
        ]  # fmt: skip
        assert policies["Payments escalation"]["steps"][-1] == {"type": "repeat", "times": 10}
        ints = {i["name"]: i for i in api.get("/integrations").json()["items"]}
        assert ints["Prometheus prod"]["format"] == "alertmanager"
        assert ints["Platform API"]["format"] == "opsgenie"
        assert ints["nightly-backup"]["settings"]["heartbeat_interval_seconds"] == 86400
        assert ints["cron-sync"]["enabled"] is False
        routes = api.get(f"/integrations/{ints['Prometheus prod']['id']}/routes").json()["items"]
        assert [r["name"] for r in routes] == [
            "Platform / Drop test alerts", "Platform / P1",
            "Platform / Staging", "Platform / Night",
        ]  # fmt: skip
        assert [r["page"] for r in routes] == [False, True, False, True]
        assert routes[3]["active"] == {
            "timezone": "Europe/Berlin",
            "ranges": [
                {"weekdays": [0, 1, 2, 3, 4, 5, 6], "start": "00:00:00", "end": "06:00:00"},
                {"weekdays": [0, 1, 2, 3, 4, 5, 6], "start": "22:00:00", "end": "00:00:00"},
            ],
        }
        overrides = api.get(
            f"/schedules/{fts['id']}/overrides",
            params={
                "start": dst_window(datetime.now(UTC))[0].isoformat(),
                "end": (dst_window(datetime.now(UTC))[1]).isoformat(),
            },
        ).json()["items"]
        assert [o["user"] for o in overrides] == [env.users["ivo@example.com"]]


def test_every_hour_of_four_weeks_with_dst_matches_opsgenies_timeline(env: Env) -> None:
    start, _ = dst_window(datetime.now(UTC))
    ids = {f"og-u{i:02d}": uid for i, uid in enumerate(env.users.values())}
    og_ids = {u["id"]: env.users.get(u["username"], "") for u in env.standin.account["users"]}
    assert ids  # the fixture's users are the account's
    with env.api() as api:
        ours = {s["external_id"]: s["id"] for s in api.get("/schedules").json()["items"]}
        compared = 0
        for sched in env.standin.account["schedules"]:
            periods: list[og.Period] = []
            for week in range(4):
                at = (start + timedelta(weeks=week)).isoformat()
                r = httpx.get(
                    f"{env.standin.base_url}/v2/schedules/{sched['id']}/timeline",
                    params={"date": at, "interval": 1, "intervalUnit": "weeks"},
                    headers={"Authorization": f"GenieKey {KEY}"},
                )
                if r.status_code == 429:
                    r = httpx.get(r.request.url, headers=r.request.headers)
                periods += og.timeline(r.json()["data"])
            grid = hours(start, 4)
            shifts = api.get(
                f"/schedules/{ours['opsgenie:schedule:' + sched['id']]}/final",
                params={
                    "start": grid[0].isoformat(),
                    "end": (grid[-1] + timedelta(hours=1)).isoformat(),
                },
            ).json()["items"]
            for at in grid:
                want = opsgenie_at(periods, at, og_ids)
                assert openalert_at(shifts, at) == want, (sched["name"], at)
                compared += 1
            assert any(p.type == "override" for p in periods) or sched["id"] == "og-s-data"
    assert compared == 3 * 4 * 7 * 24


def test_a_second_run_changes_nothing_and_the_next_four_weeks_match(env: Env) -> None:
    before = _counts(env)
    assert main(env.args()) == 0  # 1 if any hour of the next 4 weeks differed
    plan = json.loads((env.out / "plan.json").read_text())
    changed = [s for s in plan["steps"] if s["op"] != "unchanged"]
    assert changed == []
    assert _counts(env) == before
    assert [v["hours"] for v in plan["verification"]] == [4 * 7 * 24] * 3
    assert all(v["differences"] == [] for v in plan["verification"])


def test_a_change_in_opsgenie_is_an_update_in_place(env: Env) -> None:
    account = env.standin.account
    pay = next(e for e in account["escalations"] if e["id"] == "og-e-pay")
    pay["rules"][1]["delay"]["timeAmount"] = 15
    next(t for t in account["teams"] if t["id"] == "og-t-pay")["description"] = "Payments (EU)"
    before = _counts(env)
    assert main(env.args("--verify-weeks", "0")) == 0
    plan = json.loads((env.out / "plan.json").read_text())
    updated = {
        (s["kind"], s["name"], tuple(s["changes"])) for s in plan["steps"] if s["op"] != "unchanged"
    }
    assert updated == {
        ("escalation", "Payments escalation", ("steps",)),
        ("team", "Payments", ("description",)),
    }
    assert _counts(env) == before
    with env.api() as api:
        [policy] = [
            p
            for p in api.get("/escalation-policies").json()["items"]
            if p["name"] == "Payments escalation"
        ]
        assert [s["minutes"] for s in policy["steps"] if s["type"] == "wait"][:2] == [15, 5]
        assert policy["version"] == 2


def test_one_team_with_the_global_objects_and_missing_users(env: Env) -> None:
    out = env.out.parent / "one-team"
    args = [*env.args("--dry-run", "--team", "Data", "--global-team", "Data")]
    args[args.index("--out") + 1] = str(out)
    args.append("--add-missing-users")
    assert main(args) == 0
    plan = json.loads((out / "plan.json").read_text())
    teams = {s["name"] for s in plan["steps"] if s["kind"] == "team"}
    assert teams == {"Data"}
    made = {(s["kind"], s["name"]) for s in plan["steps"] if s["op"] == "create"}
    # Company-wide (no owner) goes to Data; Yara (a Data member without an account) is added.
    assert ("escalation", "Company-wide") in made and ("heartbeat", "global-ping") in made
    assert ("user", UNMATCHED) in made
    assert not any(g["name"] == UNMATCHED for g in plan["gaps"] if g["kind"] == "user")
    names = {s["name"] for s in plan["steps"] if s["kind"] in ("schedule", "integration")}
    assert names == {"Data on-call", "Alertmanager data", "Sentry"}


def test_an_alert_to_the_imported_alertmanager_integration_pages_opsgenies_on_call(
    env: Env,
) -> None:
    keys = json.loads((env.out / "integration-keys.json").read_text())
    [key] = [k["key"] for k in keys.values() if k["name"] == "Alertmanager data"]
    now = datetime.now(UTC)
    r = httpx.get(
        f"{env.standin.base_url}/v2/schedules/og-s-data/timeline",
        params={
            "date": (now - timedelta(hours=1)).isoformat(),
            "interval": 1,
            "intervalUnit": "days",
        },
        headers={"Authorization": f"GenieKey {KEY}"},
    )
    if r.status_code == 429:
        r = httpx.get(r.request.url, headers=r.request.headers)
    og_ids = {u["id"]: env.users.get(u["username"], "") for u in env.standin.account["users"]}
    expected = opsgenie_at(og.timeline(r.json()["data"]), datetime.now(UTC), og_ids)
    assert expected, "the Data schedule has someone on call at every hour"
    alert = {
        "version": "4", "groupKey": "{}:{alertname=\"DiskFull\"}", "status": "firing",
        "receiver": "openalert", "groupLabels": {"alertname": "DiskFull"},
        "commonLabels": {"alertname": "DiskFull", "severity": "critical"},
        "commonAnnotations": {}, "externalURL": "http://am", "truncatedAlerts": 0,
        "alerts": [{"status": "firing", "labels": {"alertname": "DiskFull", "severity": "critical"},
                    "annotations": {"summary": "Disk full on db-1"}, "startsAt": now.isoformat(),
                    "endsAt": "0001-01-01T00:00:00Z", "generatorURL": "http://prom",
                    "fingerprint": "abc123"}],
    }  # fmt: skip
    r = httpx.post(f"{env.host.base_url}/api/integrations/{key}", json=alert)
    assert r.status_code == 202, r.text
    deadline = time.monotonic() + 30
    with env.api() as api:
        while True:
            incidents = api.get("/incidents").json()["items"]
            mine = [i for i in incidents if "DiskFull" in i["title"] or "Disk" in i["title"]]
            if mine:
                timeline = api.get(f"/incidents/{mine[0]['id']}/timeline").json()["items"]
                pages = [
                    e
                    for e in timeline
                    if e.get("kind") == "escalation" and "targets" in e.get("data", {})
                ]
                if pages:
                    break
            assert time.monotonic() < deadline, "nobody was paged"
            time.sleep(0.2)
    assert set(pages[0]["data"]["targets"]) == expected


def test_a_person_brings_their_own_contact_methods_and_rule(env: Env) -> None:
    ada = person_token(env.host, email="ada@example.com", roles=("OpenAlert.Responder",))
    args = [a if a != env.token else ada for a in env.args("--me")]
    assert main(args) == 0
    api = httpx.Client(
        base_url=env.host.base_url + "/api/v1", headers={"Authorization": f"Bearer {ada}"}
    )
    with api:
        methods = api.get("/me/contact-methods").json()["items"]
        assert sorted((m["kind"], m["address"], m["verified"]) for m in methods) == [
            ("email", "ada@example.com", False),
            ("sms", "+4915112345000", False),
        ]
        rules = api.get("/me/notification-rules").json()
        assert rules["default"] == [
            {"type": "notify", "contact": "email"},
            {"type": "wait", "minutes": 5.0},
            {"type": "notify", "contact": "sms"},
        ]
        # Her rule notifies 08:00-20:00 Berlin time; outside it, default pages wait.
        assert rules["quiet_hours"] == {
            "timezone": "Europe/Berlin",
            "ranges": [
                {"weekdays": [0, 1, 2, 3, 4, 5, 6], "start": "00:00:00", "end": "08:00:00"},
                {"weekdays": [0, 1, 2, 3, 4, 5, 6], "start": "20:00:00", "end": "00:00:00"},
            ],
        }
    assert main(args) == 0  # again: nothing new
    plan = json.loads((env.out / "plan.json").read_text())
    assert {s["op"] for s in plan["steps"]} == {"unchanged"} and len(plan["steps"]) == 3


def test_refused_keys_are_a_clear_error(env: Env, capsys: Any) -> None:
    bad_og = [a if a != KEY else "wrong" for a in env.args("--dry-run")]
    assert main(bad_og) == 2
    assert "401" in capsys.readouterr().err
    bad_oa = [a if a != env.token else "oa_not_a_key" for a in env.args("--dry-run")]
    assert main(bad_oa) == 2
    assert "401" in capsys.readouterr().err
