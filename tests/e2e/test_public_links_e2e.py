"""Links the API hands out name PUBLIC_BASE_URL, never the request's Host header: a forged Host
cannot turn an ingest URL or a calendar link into one that sends the key to the forger."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.fixtures.devhost import ROOT, DevhostHandle, start_devhost
from tests.fixtures.seed import paging_settings, person_token

PUBLIC = "https://oa.example.com"


@pytest.fixture(scope="module")
def host(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevhostHandle]:
    state: Path = tmp_path_factory.mktemp("links")
    handle = start_devhost(
        app_dir=ROOT, state=state / "devhost.sqlite", env=paging_settings(state / "oa.sqlite")
    )
    yield handle
    handle.stop()


def test_links_use_public_base_url_whatever_the_host_header(host: DevhostHandle) -> None:
    token = person_token(host, email="admin@example.com", roles=("Admin",))
    headers = {
        "Authorization": f"Bearer {token}",
        "Host": "evil.example",
        "X-Forwarded-Host": "evil.example",
    }
    with httpx.Client(base_url=host.base_url + "/api/v1", headers=headers, timeout=15) as api:
        team = api.post("/teams", json={"name": "links"}).json()
        service = api.post("/services", json={"name": "svc", "team_id": team["id"]}).json()
        links: list[str] = []
        for fmt in ("generic", "pagerduty", "opsgenie", "heartbeat"):
            r = api.post(
                "/integrations", json={"name": fmt, "service_id": service["id"], "format": fmt}
            )
            assert r.status_code == 201, r.text
            links.append(r.json()["ingest_url"])
            rotated = api.post(f"/integrations/{r.json()['integration']['id']}/rotate")
            assert rotated.status_code == 200, rotated.text
            links.append(rotated.json()["ingest_url"])
        r = api.post("/me/calendar-link")
        assert r.status_code in (200, 201), r.text
        links.append(r.json()["url"])
        schedule = api.post(
            "/schedules", json={"name": "rota", "team_id": team["id"], "time_zone": "UTC"}
        )
        assert schedule.status_code == 201, schedule.text
        r = api.post(f"/schedules/{schedule.json()['id']}/ical-link")
        assert r.status_code == 201, r.text
        links.append(r.json()["url"])
    assert links and all(link.startswith(PUBLIC + "/api/") for link in links), links
