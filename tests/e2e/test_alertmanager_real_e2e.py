"""A real Prometheus Alertmanager (Debian's binary) sending to devhost, configured only from what
the API's ``setup`` answer and docs/integrations.md tell a user to paste.

Five receivers, one per documented way in: the webhook with the key in the path, the key-less
URL with ``http_config.authorization`` (Bearer), the key-less URL with ``basic_auth``, the
``opsgenie_configs`` receiver on our Opsgenie base URL and the ``pagerduty_configs`` receiver on
our enqueue URL (with options users add). Alerts go to Alertmanager's own API; Alertmanager
groups, notifies, and on resolve notifies again. Two more webhook receivers cover a throttled
integration and a group bigger than the snippet's ``max_alerts`` used to be. The tests wait on
what OpenAlert records, never on a fixed sleep.
"""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from devhost import idp
from shared.auth.tokens import issuer_for
from tests.fixtures.devhost import ROOT, DevhostHandle, free_port, start_devhost
from tests.fixtures.seed import E2E_CLIENT_ID, E2E_TENANT, paging_settings

ALERTMANAGER = "/usr/bin/prometheus-alertmanager"

#: Per receiver: (receiver name, the alerts' severity label, the priority OpenAlert must show).
CASES = (
    ("wh_path", "critical", "P1"),
    ("wh_bearer", "warning", "P3"),
    ("wh_basic", "info", "P4"),
    ("opsgenie", "critical", "P1"),
    ("pagerduty", "warning", "P3"),
)
#: A webhook receiver whose integration admits one alert, then one every half second: its
#: groups are throttled. Its route re-sends a group only after a minute, so an alert counts
#: as delivered in time only if Alertmanager retried the throttled notification itself.
THROTTLED = "wh_throttled"
THROTTLED_GROUPS = 8
#: A receiver pasted as is, and a group bigger than the old snippet's ``max_alerts: 100``.
BIG = "wh_big"
BIG_GROUP = 150


def _binary() -> str:
    found = shutil.which("prometheus-alertmanager") or (
        ALERTMANAGER if Path(ALERTMANAGER).exists() else None
    )
    if found is None:
        pytest.fail(
            f"{ALERTMANAGER} is missing: install Debian's Alertmanager with "
            "`apt-get install -y prometheus-alertmanager` (.ci/run does this on CI)"
        )
    return found


def _wait(what: str, probe: Callable[[], Any], within: float = 20.0) -> Any:
    deadline = time.monotonic() + within
    while True:
        got = probe()
        if got:
            return got
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not seen within {within}s")
        time.sleep(0.1)


class World:
    def __init__(self, host: DevhostHandle) -> None:
        self.host = host
        key = idp.load_or_create_key(host.state.parent)
        token = idp.mint_token(
            key,
            issuer=issuer_for(host.base_url + "/.devhost/idp", E2E_TENANT),
            tenant_id=E2E_TENANT,
            audience=E2E_CLIENT_ID,
            roles=["Admin"],
            minutes=30,
            email="admin@example.com",
        )
        self.api = httpx.Client(
            base_url=host.base_url + "/api/v1",
            headers={"Authorization": f"Bearer {token}"},
            timeout=15,
        )
        #: Integration id -> receiver name.
        self.receiver_of: dict[str, str] = {}

    def create(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        r = self.api.post(path, json=body)
        assert r.status_code == 201, r.text
        created: dict[str, Any] = r.json()
        return created

    def incidents(self) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        params = {"limit": "200"}
        while True:
            r = self.api.get("/incidents", params=params)
            assert r.status_code == 200, r.text
            items += r.json()["items"]
            if not r.json().get("continuation"):
                return items
            params["continuation"] = r.json()["continuation"]


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    state = tmp_path_factory.mktemp("am-real")
    port = free_port()
    # The setup answer is built from PUBLIC_BASE_URL: point it at this devhost so the snippets
    # are pasted unchanged.
    env = paging_settings(state / "openalert.sqlite", PUBLIC_BASE_URL=f"http://127.0.0.1:{port}")
    host = start_devhost(app_dir=ROOT, state=state / "devhost.sqlite", env=env, port=port)
    w = World(host)
    try:
        yield w
    finally:
        w.api.close()
        host.stop()


def _receivers(w: World) -> list[dict[str, Any]]:
    """Each receiver from an integration's ``setup`` snippet, varied only as the docs say."""
    team = w.create("/teams", {"name": "am-real"})
    policy = w.create(
        "/escalation-policies",
        {
            "name": "am-real",
            "team_id": team["id"],
            "steps": [{"type": "notify_team", "team_id": team["id"]}],
        },
    )
    service = w.create(
        "/services",
        {"name": "am-real", "team_id": team["id"], "escalation_policy_id": policy["id"]},
    )
    receivers: list[dict[str, Any]] = []
    for name in [c[0] for c in CASES] + [THROTTLED, BIG]:
        fmt = name if name in ("opsgenie", "pagerduty") else "alertmanager"
        limits = {"rate_limit_per_minute": 120, "rate_limit_burst": 1} if name == THROTTLED else {}
        created = w.create(
            "/integrations",
            {"name": name, "service_id": service["id"], "format": fmt, **limits},
        )
        world_id = created["integration"]["id"]
        w.receiver_of[world_id] = name
        setup = created["setup"]
        if fmt == "opsgenie":
            assert setup["opsgenie_base_url"] == w.host.base_url + "/api/opsgenie/"
        if fmt == "pagerduty":
            assert setup["pagerduty_enqueue_url"] == w.host.base_url + "/api/pagerduty/v2/enqueue"
            assert setup["routing_key"] == created["key"]
        receiver = yaml.safe_load(setup["snippets"]["alertmanager"])["receivers"][0]
        receiver["name"] = name
        if name == "wh_path":
            # docs/integrations.md: the key in the path, no header.
            hook = receiver["webhook_configs"][0]
            del hook["http_config"]
            hook["url"] = setup["url"]
            assert hook["url"].endswith("/api/integrations/" + created["key"])
        elif name == "opsgenie":
            # Options users add (Alertmanager's docs): update_alerts sends PUT .../message and
            # .../description after each create.
            receiver["opsgenie_configs"][0].update(
                {"update_alerts": True, "tags": "db,prod", "note": "see the runbook"}
            )
        elif name == "wh_basic":
            # docs/integrations.md: "or: basic_auth: {username: alertmanager, password: <key>}"
            hook = receiver["webhook_configs"][0]
            hook["http_config"] = {
                "basic_auth": {"username": "alertmanager", "password": created["key"]}
            }
        receivers.append(receiver)
    return receivers


def _config(receivers: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "global": {"resolve_timeout": "1m"},
        "route": {
            "receiver": receivers[0]["name"],
            "group_by": ["alertname"],
            # Small enough that the whole run is a few seconds; Alertmanager still groups.
            "group_wait": "100ms",
            "group_interval": "500ms",
            "repeat_interval": "1h",
            "routes": [
                {
                    "matchers": [f'via="{r["name"]}"'],
                    "receiver": r["name"],
                    **({"group_interval": "1m"} if r["name"] == THROTTLED else {}),
                }
                for r in receivers
            ],
        },
        "receivers": receivers,
    }


@pytest.fixture(scope="module")
def alertmanager(world: World, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    binary = _binary()
    state = tmp_path_factory.mktemp("am-state")
    (state / "alertmanager.yml").write_text(yaml.safe_dump(_config(_receivers(world))))
    port = free_port()
    log = (state / "alertmanager.log").open("wb")
    process = subprocess.Popen(
        [
            binary,
            f"--config.file={state / 'alertmanager.yml'}",
            f"--storage.path={state / 'data'}",
            f"--web.listen-address=127.0.0.1:{port}",
            "--cluster.listen-address=",
            "--log.level=debug",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"

    def ready() -> bool:
        if process.poll() is not None:
            raise AssertionError(
                "alertmanager exited:\n" + (state / "alertmanager.log").read_text()
            )
        try:
            return httpx.get(base + "/-/ready", timeout=1).status_code == 200
        except httpx.TransportError:
            return False

    try:
        _wait("alertmanager ready", ready, within=15)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()
        print((state / "alertmanager.log").read_text()[-4000:])


#: Two alerts per receiver in one Alertmanager group (same alertname, another instance).
INSTANCES = ("db-1", "db-2")


def _alerts(start: datetime, end: datetime | None, instances: tuple[str, ...]) -> list[Any]:
    alerts = []
    for name, severity, _ in CASES:
        for instance in instances:
            alert: dict[str, Any] = {
                "labels": {
                    "alertname": f"AmReal_{name}",
                    "via": name,
                    "severity": severity,
                    "instance": instance,
                },
                "annotations": {
                    "summary": f"AmReal {name} summary",
                    "description": f"Disk /var on {instance} is 97% full",
                },
                "startsAt": start.isoformat(),
                "generatorURL": "http://prometheus.example/graph?g0.expr=up",
            }
            if end is not None:
                alert["endsAt"] = end.isoformat()
            alerts.append(alert)
    return alerts


def _failures(am: str) -> dict[str, str]:
    """Alertmanager's own count of failed notification attempts, per integration type (the
    throttling test makes some on purpose, so tests compare before and after)."""
    metrics = httpx.get(am + "/metrics", timeout=5).text
    prefix = "alertmanager_notifications_failed_total{"
    return dict(line.rsplit(" ", 1) for line in metrics.splitlines() if line.startswith(prefix))


def _by_receiver(w: World) -> dict[str, list[dict[str, Any]]]:
    found: dict[str, list[dict[str, Any]]] = {name: [] for name, _, _ in CASES}
    for incident in w.incidents():
        name = w.receiver_of.get(incident.get("integration_id") or "")
        if name in found:
            found[name].append(incident)
    return found


def _webhook(name: str) -> bool:
    return name.startswith("wh_")


def test_real_alertmanager_opens_and_resolves_through_every_documented_receiver(
    world: World, alertmanager: str
) -> None:
    started = time.monotonic()
    failures = _failures(alertmanager)
    # Started a minute ago, so the resolves below can end them "now" (Alertmanager refuses an
    # end before the start).
    since = datetime.now(UTC) - timedelta(minutes=1)
    r = httpx.post(alertmanager + "/api/v2/alerts", json=_alerts(since, None, INSTANCES))
    assert r.status_code == 200, r.text

    def opened_all() -> dict[str, list[dict[str, Any]]] | None:
        # The webhook carries each alert (one incident per fingerprint); Opsgenie and PagerDuty
        # receivers send one alert per Alertmanager group.
        found = _by_receiver(world)
        want = {name: len(INSTANCES) if _webhook(name) else 1 for name, _, _ in CASES}
        return found if {k: len(v) for k, v in found.items()} == want else None

    opened = _wait("the incidents of every receiver", opened_all)
    opened_in = time.monotonic() - started
    for name, _, priority in CASES:
        for incident in opened[name]:
            assert incident["status"] == "triggered", (name, incident)
            assert incident["severity"] == priority, (name, incident["severity"])
            # The description annotation reaches the incident through every receiver: the
            # webhook's own annotation, Opsgenie's and PagerDuty's default templates list it.
            assert "is 97% full" in incident["description"], (name, incident)
    assert _failures(alertmanager) == failures, "a notification failed"

    # One instance recovers: the webhook's incident of that alert resolves, the grouped
    # Opsgenie / PagerDuty alert stays open while part of its group still fires.
    partial_at = time.monotonic()
    r = httpx.post(
        alertmanager + "/api/v2/alerts", json=_alerts(since, datetime.now(UTC), INSTANCES[:1])
    )
    assert r.status_code == 200, r.text

    def partly_resolved() -> bool:
        found = _by_receiver(world)
        return all(
            sorted(i["status"] for i in found[name]) == ["resolved", "triggered"]
            for name, _, _ in CASES
            if _webhook(name)
        )

    _wait("the recovered instance's incidents resolved", partly_resolved)
    partial_in = time.monotonic() - partial_at
    # Alertmanager has notified the grouped receivers too by now (same flush); still open.
    for name in ("opsgenie", "pagerduty"):
        assert [i["status"] for i in _by_receiver(world)[name]] == ["triggered"], name

    resolved_at = time.monotonic()
    r = httpx.post(
        alertmanager + "/api/v2/alerts", json=_alerts(since, datetime.now(UTC), INSTANCES)
    )
    assert r.status_code == 200, r.text
    final = _wait(
        "every incident resolved",
        lambda: (
            (f := _by_receiver(world))
            and all(i["status"] == "resolved" for v in f.values() for i in v)
            and f
        ),
    )
    resolved_in = time.monotonic() - resolved_at
    assert _failures(alertmanager) == failures, "a notification failed"
    metrics = httpx.get(alertmanager + "/metrics").text
    sent = sum(
        float(line.rsplit(" ", 1)[1])
        for line in metrics.splitlines()
        if line.startswith("alertmanager_notifications_total{")
    )
    received = sum(i["alert_count"] for v in final.values() for i in v)
    print(
        f"alerts posted to Alertmanager: {len(CASES) * len(INSTANCES)}; Alertmanager "
        f"notifications: {sent:.0f}, all succeeded; alerts recorded by OpenAlert: {received} on "
        f"{sum(len(v) for v in final.values())} incidents; opened in {opened_in:.2f}s, "
        f"partial resolve {partial_in:.2f}s, resolved in {resolved_in:.2f}s"
    )


def test_a_throttled_alertmanager_retries_at_once_instead_of_a_group_interval_later(
    world: World, alertmanager: str
) -> None:
    """Alertmanager's webhook receiver takes a 429 as final (the group waits for its next
    group_interval, here a minute) but retries a 5xx with backoff: every group gets through
    within seconds, at the integration's own pace."""
    started = time.monotonic()
    alerts = [
        {
            "labels": {"alertname": f"AmThrottled{n}", "via": THROTTLED, "severity": "critical"},
            "annotations": {"summary": f"AmThrottled {n}"},
        }
        for n in range(THROTTLED_GROUPS)
    ]
    r = httpx.post(alertmanager + "/api/v2/alerts", json=alerts)
    assert r.status_code == 200, r.text

    def delivered() -> int:
        return sum(
            world.receiver_of.get(i.get("integration_id") or "") == THROTTLED
            for i in world.incidents()
        )

    _wait(f"{THROTTLED_GROUPS} throttled groups delivered", lambda: delivered() == THROTTLED_GROUPS)
    print(f"{THROTTLED_GROUPS} throttled groups delivered in {time.monotonic() - started:.2f}s")


def test_a_big_group_arrives_whole(world: World, alertmanager: str) -> None:
    """One outage, one Alertmanager group of 150 alerts through the pasted snippet: every alert
    reaches OpenAlert (the snippet's max_alerts used to drop all but 100, each of the others
    never opened, and a resolve left out would leave its incident open for ever)."""
    started = time.monotonic()
    alerts = [
        {
            "labels": {"alertname": "AmBig", "via": BIG, "instance": f"host-{n:03d}"},
            "annotations": {"summary": f"AmBig {n}", "description": "x" * 200},
        }
        for n in range(BIG_GROUP)
    ]
    r = httpx.post(alertmanager + "/api/v2/alerts", json=alerts)
    assert r.status_code == 200, r.text

    def delivered() -> list[dict[str, Any]]:
        return [
            i
            for i in world.incidents()
            if world.receiver_of.get(i.get("integration_id") or "") == BIG
        ]

    _wait(f"{BIG_GROUP} alerts of one group", lambda: len(delivered()) == BIG_GROUP)
    print(f"a group of {BIG_GROUP} alerts delivered in {time.monotonic() - started:.2f}s")
