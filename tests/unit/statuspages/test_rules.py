"""The pure rules: Statuspage's overall indicator, component precedence, 90-day uptime, and
property tests of the two inputs the public surface parses (a sign-up body, a signed token)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.errors import InvalidInput, PayloadTooLarge
from shared.incidents.models import Incident
from shared.statuspages import tokens
from shared.statuspages.evaluate import component_status
from shared.statuspages.forms import subscribe_address
from shared.statuspages.models import Component, ComponentStatus, IncidentRule, Post
from shared.statuspages.rollup import overall
from shared.statuspages.uptime import daily, overall_uptime

S = ComponentStatus
T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
SECRET = "unit-test-secret-0123456789abcdefghij"


@pytest.mark.parametrize(
    ("shown", "indicator", "description"),
    [
        ([], "none", "All Systems Operational"),
        ([S.OPERATIONAL, S.OPERATIONAL], "none", "All Systems Operational"),
        ([S.MAJOR, S.MAJOR], "critical", "Major System Outage"),
        ([S.MAJOR, S.OPERATIONAL], "major", "Partial System Outage"),
        # Atlassian's documented example: partial + major, an unresolved critical incident.
        ([S.PARTIAL, S.MAJOR], "major", "Partial System Outage"),
        ([S.PARTIAL, S.PARTIAL], "major", "Partial System Outage"),
        ([S.PARTIAL, S.OPERATIONAL], "minor", "Minor Service Outage"),
        ([S.DEGRADED, S.DEGRADED], "minor", "Degraded System Service"),
        ([S.DEGRADED, S.OPERATIONAL], "minor", "Partially Degraded Service"),
        ([S.MAINTENANCE, S.OPERATIONAL], "maintenance", "Service Under Maintenance"),
    ],
)
def test_overall_status_follows_statuspage(
    shown: list[ComponentStatus], indicator: str, description: str
) -> None:
    o = overall(shown)
    assert (o.indicator, o.description) == (indicator, description)


def _component(**kw: object) -> Component:
    return Component.model_validate(
        {
            "id": "aaaaaaaaaaaa",
            "name": "API",
            "service_ids": ("svc",),
            "rule": IncidentRule(after_minutes=5),
            "created_at": T0 - timedelta(days=1),
            "updated_at": T0 - timedelta(days=1),
            **kw,
        }
    )


def _incident(**kw: object) -> Incident:
    return Incident.model_validate(
        {
            "id": "i1",
            "number": 1,
            "title": "t",
            "severity": "P1",
            "team_id": "a",
            "service_id": "svc",
            "created_at": T0,
            "updated_at": T0,
            **kw,
        }
    )


def _maintenance(start: datetime) -> Post:
    return Post(
        id="bbbbbbbbbbbb",
        page_id="p",
        team_id="a",
        kind="maintenance",
        name="m",
        status="scheduled",
        component_ids=("aaaaaaaaaaaa",),
        created_at=T0,
        updated_at=T0,
        started_at=start,
        scheduled_for=start,
        scheduled_until=start + timedelta(hours=1),
    )


def test_precedence_manual_then_maintenance_then_incidents() -> None:
    incidents = [_incident()]
    windows = [_maintenance(T0)]
    at = T0 + timedelta(minutes=10)
    plain = component_status(
        _component(), team_id="a", incidents=incidents, maintenances=[], now=at
    )
    assert (plain.status, plain.since) == (S.MAJOR, T0 + timedelta(minutes=5))
    during = component_status(
        _component(), team_id="a", incidents=incidents, maintenances=windows, now=at
    )
    assert during.status is S.MAINTENANCE
    manual = component_status(
        _component(manual_status=S.DEGRADED),
        team_id="a",
        incidents=incidents,
        maintenances=windows,
        now=at,
    )
    assert manual.status is S.DEGRADED
    other_team = component_status(
        _component(), team_id="b", incidents=incidents, maintenances=[], now=at
    )
    assert other_team.status is S.OPERATIONAL


def test_a_flap_shorter_than_the_delay_never_shows() -> None:
    flapped = _incident(status="resolved", resolved_at=T0 + timedelta(minutes=2))
    at = T0 + timedelta(minutes=10)
    shown = component_status(
        _component(), team_id="a", incidents=[flapped], maintenances=[], now=at
    )
    assert shown.status is S.OPERATIONAL and shown.since == T0 + timedelta(minutes=2)


def test_uptime_weights_major_fully_and_partial_at_30_percent() -> None:
    tz = ZoneInfo("Etc/UTC")
    day = datetime(2026, 11, 1, tzinfo=UTC)
    transitions = [
        (day + timedelta(hours=1), S.MAJOR),
        (day + timedelta(hours=2), S.PARTIAL),
        (day + timedelta(hours=4), S.OPERATIONAL),
    ]
    days = daily(
        transitions,
        opening=S.OPERATIONAL,
        known_from=day - timedelta(days=200),
        now=day + timedelta(days=1, hours=12),
        tz=tz,
    )
    assert len(days) == 90
    first, today = days[-2], days[-1]
    assert first.day == day.date() and first.worst is S.MAJOR
    assert first.down_seconds == pytest.approx(3600 + 0.3 * 7200)
    assert today.worst is S.OPERATIONAL and today.known_seconds == pytest.approx(12 * 3600)
    assert days[0].worst is S.OPERATIONAL
    total = overall_uptime(days)
    assert total is not None and 0.99 < total < 1


def test_uptime_knows_nothing_before_the_component_existed() -> None:
    now = datetime(2026, 11, 2, 12, tzinfo=UTC)
    days = daily(
        [],
        opening=S.OPERATIONAL,
        known_from=now - timedelta(hours=36),
        now=now,
        tz=ZoneInfo("Europe/Berlin"),
    )
    assert [d.worst for d in days[:-2]] == [None] * 88
    assert days[-2].known_seconds > 0 and days[-1].known_seconds > 0


@settings(max_examples=150, deadline=None)
@given(
    content_type=st.sampled_from(
        ["application/json", "application/x-www-form-urlencoded", "text/plain", ""]
    ),
    body=st.one_of(
        st.binary(max_size=5000),
        st.text(max_size=300).map(str.encode),
        st.emails().map(lambda e: f"email={e}".encode()),
        st.emails().map(lambda e: f'{{"email": "{e}"}}'.encode()),
    ),
)
def test_sign_up_bodies_parse_or_are_a_clear_4xx(content_type: str, body: bytes) -> None:
    try:
        address = subscribe_address(content_type, body)
    except (InvalidInput, PayloadTooLarge) as exc:
        assert exc.status in (400, 413)
    else:
        assert "@" in address and address == address.strip()


@settings(max_examples=150, deadline=None)
@given(token=st.text(max_size=700))
def test_arbitrary_tokens_are_refused_as_bad_tokens(token: str) -> None:
    with pytest.raises(tokens.BadToken):
        tokens.verify(secret=SECRET, token=token, page_id="p", purpose="unsubscribe", now=T0)


@given(email=st.emails(), other=st.emails())
def test_a_token_names_exactly_its_own_address(email: str, other: str) -> None:
    token = tokens.issue(secret=SECRET, page_id="p", email=email, purpose="confirm", now=T0)
    sid = tokens.verify(secret=SECRET, token=token, page_id="p", purpose="confirm", now=T0)
    assert sid == tokens.subscriber_id("p", email)
    assert (sid == tokens.subscriber_id("p", other)) == (email.lower() == other.lower())


def test_feed_items_label_each_update_as_statuspage_does() -> None:
    from shared.statuspages.feeds import item_html
    from shared.statuspages.models import PostUpdate, StatusPage
    from shared.statuspages.snapshot import Snapshot

    page = StatusPage(
        id="pppppppppppp",
        team_id="a",
        name="P",
        slug="pp",
        created_at=T0,
        updated_at=T0,
        time_zone="America/Chicago",
    )
    updates = tuple(
        PostUpdate(
            id=f"u{n:011d}", status=status, body=f"<b>{n}</b>", created_at=T0 + timedelta(minutes=n)
        )
        for n, status in enumerate(("investigating", "investigating", "resolved"))
    )
    post = Post(
        id="bbbbbbbbbbbb",
        page_id=page.id,
        team_id="a",
        kind="incident",
        name="x",
        status="resolved",
        created_at=T0,
        updated_at=T0,
        started_at=T0,
        updates=updates,
    )
    snap = Snapshot(page=page, url="https://s.example.com", now=T0, shown={}, posts=(post,))
    html = item_html(snap, post)
    labels = [part.split("</strong>")[0] for part in html.split("<strong>")[1:]]
    assert labels == ["Resolved", "Update", "Investigating"]  # newest first
    assert "&lt;b&gt;2&lt;/b&gt;" in html and "CST" in html
