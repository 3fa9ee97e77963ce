"""Tenancy: every API operation, every red principal, blue's objects: the documented answer.

The operation list comes from the OpenAPI document the app serves, so an operation added without
a row here fails :func:`test_every_served_operation_has_a_row`. Each row lists variants: the
request (blue's objects in the path or body, or red's own object holding a reference to blue's)
and the right it needs (``docs/auth.md``). The expected answer for each principal follows from
:data:`RIGHTS` — the documented rights, written independently of the implementation — and the
global Admin is the control: it gets the success answer, so a refusal elsewhere is authorization,
not a malformed request.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any, Literal

import pytest

from shared.auth.models import Action
from tests.contract.api.tenancy_world import NOW, World, seed

READ, INCIDENTS, ACT, CONFIGURE = (
    Action.READ,
    Action.READ_INCIDENTS,
    Action.ACT,
    Action.CONFIGURE,
)
#: "any": a right in some team (the /me pages need a role, nothing more); None: global.
Team = Literal["red", "blue", "any"] | None
EVERYWHERE = "*"

#: The documented rights (docs/auth.md "Roles and teams", "API keys", "Threat model").
RIGHTS: dict[str, dict[Action, str | frozenset[str]]] = {
    "admin": {READ: EVERYWHERE, INCIDENTS: EVERYWHERE, ACT: EVERYWHERE, CONFIGURE: EVERYWHERE},
    "red-lead": {READ: EVERYWHERE, INCIDENTS: EVERYWHERE, ACT: {"red"}, CONFIGURE: {"red"}},  # type: ignore[dict-item]
    "red-resp": {READ: EVERYWHERE, INCIDENTS: EVERYWHERE, ACT: frozenset({"red"})},
    "red-viewer": {READ: EVERYWHERE, INCIDENTS: EVERYWHERE},
    "nobody": {},
    # Keys of the red people, limited to red, claiming every scope: bounded by their creators.
    "key-red-lead": {
        READ: frozenset({"red"}),
        INCIDENTS: frozenset({"red"}),
        ACT: frozenset({"red"}),
        CONFIGURE: frozenset({"red"}),
    },
    "key-red-resp": {
        READ: frozenset({"red"}),
        INCIDENTS: frozenset({"red"}),
        ACT: frozenset({"red"}),
    },
    "key-red-viewer": {READ: frozenset({"red"}), INCIDENTS: frozenset({"red"})},
}
PRINCIPALS = [p for p in RIGHTS if p != "admin"]


def has(who: str, right: Action, team: Team) -> bool:
    granted = RIGHTS[who].get(right)
    if granted is None:
        return False
    if granted == EVERYWHERE:
        return True
    if team == "any":
        return bool(granted)
    return team is not None and team in granted


@dataclass(frozen=True)
class V:
    """One request and its documented answer."""

    label: str
    path: str
    body: Any = None
    query: dict[str, str] = field(default_factory=dict)
    #: The right the request needs, and where; None: only authentication.
    need: tuple[Action, Team] | None = None
    #: The answer once allowed (a success, or 400 for a refused reference, 404 for another
    #: person's things...).
    then: int = 200
    #: The answer when the right is missing.
    denied: int = 403
    #: People only (the /me pages, swaps): an API key that passes ``need`` gets 400.
    people_only: bool = False
    #: Ids that must not appear in a 2xx answer of a principal without READ on blue.
    hidden: tuple[str, ...] = ()
    #: Public (no credential at all).
    public: bool = False
    #: Answered even for a signed-in person without a role (only ``/me``).
    roleless: bool = False

    def expected(self, who: str) -> int:
        if self.public:
            return self.then
        if not RIGHTS[who] and not who.startswith("key-") and not self.roleless:
            return 403  # no role, no access
        if self.need is not None and not has(who, *self.need):
            return self.denied
        if self.people_only and who.startswith("key-"):
            return 400
        return self.then


def policy(team: str, user: str) -> dict[str, Any]:
    return {
        "name": "p",
        "team_id": team,
        "steps": [{"type": "notify_users", "user_ids": [user]}],
    }


def schedule(team: str, user: str) -> dict[str, Any]:
    return {
        "name": "s",
        "team_id": team,
        "time_zone": "UTC",
        "layers": [{"name": "l", "participants": [user], "start": "2026-01-05T09:00:00"}],
    }


ROUTE = {"position": 1, "conditions": [{"field": "severity", "op": "eq", "value": "P4"}]}
SOON = NOW + timedelta(days=1)
OVERRIDE = {
    "start": (NOW + timedelta(hours=2)).isoformat(),
    "end": (NOW + timedelta(hours=3)).isoformat(),
}
ICS = (
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\nBEGIN:VEVENT\r\nUID:1\r\n"
    f"DTSTART:{SOON:%Y%m%dT%H%M%SZ}\r\nDTEND:{SOON + timedelta(hours=4):%Y%m%dT%H%M%SZ}\r\n"
    "SUMMARY:{user}@example.com\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
)
BLUE_IDS = ("{pol-blue}", "{svc-blue}", "{int-blue}", "{sched-blue}", "wh-blue", "inc-blue")


def incident_action(verb: str, body: Any = None, then: int = 200) -> list[V]:
    return [
        V("blue incident", f"POST /incidents/inc-blue/{verb}", body, need=(ACT, "blue"), then=then)
    ]


#: operationId -> its variants. Paths are "METHOD /path" with {name} filled from the world's ids.
TABLE: dict[str, list[V]] = {
    "openapi": [V("public", "GET /openapi.json", public=True)],
    "me": [V("who am I", "GET /me", roleless=True)],
    "listUsers": [V("directory", "GET /users", need=(READ, None))],
    "getUser": [V("blue person", "GET /users/blue-resp", need=(READ, None))],
    "myCalendarLink": [
        V("own", "POST /me/calendar-link", need=(READ, "any"), then=201, people_only=True)
    ],
    "subscribedUserCalendar": [
        V("wrong token", "GET /calendars/users/blue-resp/guess.ics", public=True, then=404)
    ],
    "myCalendar": [V("own", "GET /me/calendar", need=(READ, "any"), people_only=True)],
    "myShifts": [V("own", "GET /me/shifts", need=(READ, "any"), people_only=True)],
    "onCallNow": [
        V("mine", "GET /oncall", need=(READ, "any"), hidden=BLUE_IDS),
        V("blue", "GET /oncall", query={"team_id": "blue"}, need=(READ, "blue")),
    ],
    "listIncidents": [
        V("all", "GET /incidents", hidden=("inc-blue",)),
        V("blue filter", "GET /incidents", query={"team_id": "blue"}, hidden=("inc-blue",)),
    ],
    "getIncident": [V("blue", "GET /incidents/inc-blue", need=(INCIDENTS, "blue"))],
    "countIncidents": [
        V("all", "GET /incidents/counts"),
        V("blue filter", "GET /incidents/counts", query={"team_id": "blue"}),
    ],
    # 200 with a result per id: the refusal is that id's problem (403), checked per principal
    # in tests/contract/api/test_console_api.py.
    "bulkIncidentAction": [
        V("blue incident", "POST /incidents/bulk", {"action": "acknowledge", "ids": ["inc-blue"]})
    ],
    "getTimeline": [V("blue", "GET /incidents/inc-blue/timeline", need=(INCIDENTS, "blue"))],
    "getAlerts": [V("blue", "GET /incidents/inc-blue/alerts", need=(INCIDENTS, "blue"))],
    "listIncidentChanges": [V("blue", "GET /incidents/inc-blue/changes", need=(INCIDENTS, "blue"))],
    "incidentEscalation": [
        V("blue", "GET /incidents/inc-blue/escalation", need=(INCIDENTS, "blue"))
    ],
    "incidentDeliveries": [
        V("blue", "GET /incidents/inc-blue/deliveries", need=(INCIDENTS, "blue"))
    ],
    "incident_acknowledge": incident_action("acknowledge"),
    "incident_unacknowledge": incident_action("unacknowledge"),  # nothing to undo: unchanged
    "incident_resolve": incident_action("resolve"),
    "incident_reopen": incident_action("reopen"),
    "incident_snooze": incident_action("snooze", {"minutes": 10}),
    "incident_escalate": incident_action("escalate"),
    "incident_reassign": [
        *incident_action("reassign", {"users": ["blue-resp"]}),
        V(
            "red incident to a blue person",
            "POST /incidents/inc-red/reassign",
            {"users": ["blue-resp"]},
            need=(ACT, "red"),
            then=400,
        ),
    ],
    "incident_responders": [
        *incident_action("responders", {"users": ["blue-resp"]}),
        V(
            "red incident, blue responder",
            "POST /incidents/inc-red/responders",
            {"users": ["blue-lead"]},
            need=(ACT, "red"),
            then=400,
        ),
    ],
    "incident_notes": incident_action("notes", {"note": "hello"}),
    "listTeams": [V("all", "GET /teams")],
    "createTeam": [V("global", "POST /teams", {"name": "Green"}, need=(CONFIGURE, None), then=201)],
    "getTeam": [V("blue", "GET /teams/blue", need=(READ, "blue"))],
    "updateTeam": [V("blue", "PUT /teams/blue", {"name": "Bleu"}, need=(CONFIGURE, "blue"))],
    "deleteTeam": [V("blue", "DELETE /teams/blue", need=(CONFIGURE, None), then=409)],
    "listMembers": [V("blue", "GET /teams/blue/members", need=(READ, "blue"))],
    "putMember": [
        V(
            "join blue",
            "PUT /teams/blue/members/red-resp",
            {"role": "admin"},
            need=(CONFIGURE, "blue"),
        )
    ],
    "deleteMember": [
        V("blue member", "DELETE /teams/blue/members/blue-resp", need=(CONFIGURE, "blue"), then=204)
    ],
    "listServices": [
        V("blue filter", "GET /services", query={"team_id": "blue"}, need=(READ, "blue")),
        V("all", "GET /services", hidden=BLUE_IDS),
    ],
    "createService": [
        V(
            "in blue",
            "POST /services",
            {"name": "x", "team_id": "blue"},
            need=(CONFIGURE, "blue"),
            then=201,
        ),
        V(
            "red using blue's policy",
            "POST /services",
            {"name": "x", "team_id": "red", "escalation_policy_id": "{pol-blue}"},
            need=(CONFIGURE, "red"),
            then=400,
        ),
    ],
    "getService": [V("blue", "GET /services/{svc-blue}", need=(READ, "blue"))],
    "listServiceChanges": [V("blue", "GET /services/{svc-blue}/changes", need=(READ, "blue"))],
    "updateService": [
        V(
            "blue",
            "PUT /services/{svc-blue}",
            {"name": "x", "team_id": "blue"},
            need=(CONFIGURE, "blue"),
        ),
        V(
            "move blue's to red",
            "PUT /services/{svc-blue}",
            {"name": "x", "team_id": "red"},
            need=(CONFIGURE, "blue"),
        ),
        V(
            "red's onto blue's policy",
            "PUT /services/{svc-red}",
            {"name": "x", "team_id": "red", "escalation_policy_id": "{pol-blue}"},
            need=(CONFIGURE, "red"),
            then=400,
        ),
    ],
    "deleteService": [V("blue", "DELETE /services/{svc-blue}", need=(CONFIGURE, "blue"), then=409)],
    "listIntegrations": [
        V("blue filter", "GET /integrations", query={"team_id": "blue"}, need=(READ, "blue")),
        V("all", "GET /integrations", hidden=BLUE_IDS),
    ],
    "createIntegration": [
        V(
            "on blue's service",
            "POST /integrations",
            {"name": "x", "service_id": "{svc-blue}", "format": "generic"},
            need=(CONFIGURE, "blue"),
            then=201,
        )
    ],
    "getIntegration": [V("blue", "GET /integrations/{int-blue}", need=(READ, "blue"))],
    "updateIntegration": [
        V(
            "blue",
            "PUT /integrations/{int-blue}",
            {"name": "x", "service_id": "{svc-blue}", "format": "generic"},
            need=(CONFIGURE, "blue"),
        ),
        V(
            "red's onto blue's service",
            "PUT /integrations/{int-red}",
            {"name": "x", "service_id": "{svc-blue}", "format": "generic"},
            need=(CONFIGURE, "blue"),
        ),
    ],
    "rotateIntegrationKey": [
        V("blue", "POST /integrations/{int-blue}/rotate", need=(CONFIGURE, "blue"))
    ],
    "deleteIntegration": [
        V("blue", "DELETE /integrations/{int-blue}", need=(CONFIGURE, "blue"), then=204)
    ],
    "getIntegrationSetup": [
        V(
            "blue",
            "GET /integrations/{int-blue}/setup",
            need=(READ, "blue"),
            hidden=("intkey-blue",),
        )
    ],
    "sendTestAlert": [
        # Configured, then 503: this in-process world gives the API no alerts queue (the
        # queue's own path is tests/contract/api/test_integration_tools.py and the e2e test).
        V(
            "blue",
            "POST /integrations/{int-blue}/test-alert",
            need=(CONFIGURE, "blue"),
            then=503,
        )
    ],
    "testRoutes": [
        V(
            "blue's, pasted",
            "POST /integrations/{int-blue}/routes/test",
            {"payload": {"title": "x", "severity": "P5"}},
            need=(READ, "blue"),
        ),
        V(
            "red's, with blue's incident",
            "POST /integrations/{int-red}/routes/test",
            {"incident_id": "inc-blue"},
            need=(INCIDENTS, "blue"),
            then=404,
        ),
    ],
    "listHeartbeats": [
        V("blue filter", "GET /heartbeats", query={"team_id": "blue"}, need=(READ, "blue")),
        V("all", "GET /heartbeats", hidden=BLUE_IDS),
    ],
    "getHeartbeat": [
        # Blue's integration is a generic one: readable, then not a heartbeat.
        V("blue", "GET /heartbeats/{int-blue}", need=(READ, "blue"), then=404)
    ],
    "listRoutes": [V("blue", "GET /integrations/{int-blue}/routes", need=(READ, "blue"))],
    "createRoute": [
        V(
            "on blue's integration",
            "POST /integrations/{int-blue}/routes",
            ROUTE,
            need=(CONFIGURE, "blue"),
            then=201,
        ),
        V(
            "red's routing to blue's service",
            "POST /integrations/{int-red}/routes",
            {**ROUTE, "service_id": "{svc-blue}"},
            need=(CONFIGURE, "blue"),
            then=201,
        ),
        V(
            "red's onto blue's policy",
            "POST /integrations/{int-red}/routes",
            {**ROUTE, "escalation_policy_id": "{pol-blue}"},
            need=(CONFIGURE, "red"),
            then=400,
        ),
    ],
    "deleteRoute": [
        V(
            "blue",
            "DELETE /integrations/{int-blue}/routes/{route-blue}",
            need=(CONFIGURE, "blue"),
            then=204,
        )
    ],
    "listPolicies": [
        V(
            "blue filter",
            "GET /escalation-policies",
            query={"team_id": "blue"},
            need=(READ, "blue"),
        ),
        V("all", "GET /escalation-policies", hidden=BLUE_IDS),
    ],
    "createPolicy": [
        V(
            "in blue",
            "POST /escalation-policies",
            policy("blue", "blue-resp"),
            need=(CONFIGURE, "blue"),
            then=201,
        ),
        V(
            "red paging a blue person",
            "POST /escalation-policies",
            policy("red", "blue-resp"),
            need=(CONFIGURE, "red"),
            then=400,
        ),
        V(
            "red calling blue's webhook",
            "POST /escalation-policies",
            {
                **policy("red", "red-resp"),
                "steps": [
                    {"type": "notify_users", "user_ids": ["red-resp"]},
                    {"type": "call_webhook", "webhook_id": "wh-blue"},
                ],
            },
            need=(CONFIGURE, "red"),
            then=400,
        ),
        V(
            "red paging blue's schedule",
            "POST /escalation-policies",
            {
                **policy("red", "red-resp"),
                "steps": [{"type": "notify_schedule", "schedule_id": "{sched-blue}"}],
            },
            need=(CONFIGURE, "red"),
            then=400,
        ),
        V(
            "red paging team blue",
            "POST /escalation-policies",
            {**policy("red", "red-resp"), "steps": [{"type": "notify_team", "team_id": "blue"}]},
            need=(CONFIGURE, "red"),
            then=400,
        ),
    ],
    "getPolicy": [V("blue", "GET /escalation-policies/{pol-blue}", need=(READ, "blue"))],
    "updatePolicy": [
        V(
            "blue",
            "PUT /escalation-policies/{pol-blue}",
            policy("blue", "blue-lead"),
            need=(CONFIGURE, "blue"),
        ),
        V(
            "red's paging a blue person",
            "PUT /escalation-policies/{pol-red}",
            policy("red", "blue-lead"),
            need=(CONFIGURE, "red"),
            then=400,
        ),
    ],
    "listPolicyVersions": [
        V("blue", "GET /escalation-policies/{pol-blue}/versions", need=(READ, "blue"))
    ],
    "getPolicyVersion": [
        V("blue", "GET /escalation-policies/{pol-blue}/versions/1", need=(READ, "blue"))
    ],
    "previewPolicy": [
        V("blue", "POST /escalation-policies/{pol-blue}/preview", need=(READ, "blue"))
    ],
    "previewPolicyBody": [
        V(
            "in blue",
            "POST /escalation-policies/preview",
            policy("blue", "blue-resp"),
            need=(CONFIGURE, "blue"),
        ),
        V(
            "red paging a blue person",
            "POST /escalation-policies/preview",
            policy("red", "blue-resp"),
            need=(CONFIGURE, "red"),
            then=400,
        ),
    ],
    "deletePolicy": [
        V("blue", "DELETE /escalation-policies/{pol-blue}", need=(CONFIGURE, "blue"), then=204)
    ],
    "listSchedules": [
        V("blue filter", "GET /schedules", query={"team_id": "blue"}, need=(READ, "blue")),
        V("all", "GET /schedules", hidden=BLUE_IDS),
    ],
    "createSchedule": [
        V(
            "in blue",
            "POST /schedules",
            schedule("blue", "blue-resp"),
            need=(CONFIGURE, "blue"),
            then=201,
        ),
        V(
            "red with a blue person",
            "POST /schedules",
            schedule("red", "blue-resp"),
            need=(CONFIGURE, "red"),
            then=400,
        ),
    ],
    "getSchedule": [V("blue", "GET /schedules/{sched-blue}", need=(READ, "blue"))],
    "updateSchedule": [
        V(
            "blue",
            "PUT /schedules/{sched-blue}",
            schedule("blue", "blue-lead"),
            need=(CONFIGURE, "blue"),
        ),
        V(
            "red's with a blue person",
            "PUT /schedules/{sched-red}",
            schedule("red", "blue-lead"),
            need=(CONFIGURE, "red"),
            then=400,
        ),
    ],
    "deleteSchedule": [
        V("blue", "DELETE /schedules/{sched-blue}", need=(CONFIGURE, "blue"), then=204)
    ],
    "whoIsOnCall": [V("blue", "GET /schedules/{sched-blue}/oncall", need=(READ, "blue"))],
    "finalSchedule": [V("blue", "GET /schedules/{sched-blue}/final", need=(READ, "blue"))],
    "layerShifts": [V("blue", "GET /schedules/{sched-blue}/layer-shifts", need=(READ, "blue"))],
    "scheduleIcal": [V("blue", "GET /schedules/{sched-blue}/ical", need=(READ, "blue"))],
    "listContactMethods": [
        V(
            "own only",
            "GET /me/contact-methods",
            need=(READ, "any"),
            people_only=True,
            hidden=("cm-blue",),
        )
    ],
    "addContactMethod": [
        V(
            "own",
            "POST /me/contact-methods",
            {"kind": "email", "address": "{who}@example.net"},
            need=(READ, "any"),
            then=201,
            people_only=True,
        )
    ],
    "verifyContactMethod": [
        V(
            "blue person's",
            "POST /me/contact-methods/cm-blue/verify",
            {"code": "123456"},
            need=(READ, "any"),
            then=404,
            people_only=True,
        )
    ],
    "deleteContactMethod": [
        V(
            "blue person's",
            "DELETE /me/contact-methods/cm-blue",
            need=(READ, "any"),
            then=404,
            people_only=True,
        )
    ],
    "getNotificationRules": [
        V("own", "GET /me/notification-rules", need=(READ, "any"), people_only=True)
    ],
    "putNotificationRules": [
        V(
            "using a blue person's method",
            "PUT /me/notification-rules",
            {"default": [{"type": "notify", "contact": "cm-blue"}]},
            need=(READ, "any"),
            then=400,
            people_only=True,
        )
    ],
    "previewMyRules": [
        V("own", "GET /me/notification-rules/preview", need=(READ, "any"), people_only=True)
    ],
    "previewRulesBody": [
        V(
            "own, edited",
            "POST /me/notification-rules/preview",
            {"default": [{"type": "notify", "contact": "email"}]},
            need=(READ, "any"),
            people_only=True,
        )
    ],
    "myDeliveries": [V("own", "GET /me/deliveries", need=(READ, "any"), people_only=True)],
    "listWebhooks": [
        V("blue filter", "GET /webhooks", query={"team_id": "blue"}, need=(READ, "blue")),
        V("all", "GET /webhooks", hidden=("wh-blue",)),
    ],
    "createWebhook": [
        V(
            "in blue",
            "POST /webhooks",
            {"team_id": "blue", "name": "x", "url": "https://hooks.example/y"},
            need=(CONFIGURE, "blue"),
            then=201,
        )
    ],
    "deleteWebhook": [V("blue", "DELETE /webhooks/wh-blue", need=(CONFIGURE, "blue"), then=204)],
    "requestSwap": [
        V(
            "on blue's schedule",
            "POST /schedules/{sched-blue}/swaps",
            {
                "start": (NOW + timedelta(hours=2)).isoformat(),
                "end": (NOW + timedelta(hours=3)).isoformat(),
                "taker_id": "blue-lead",
            },
            need=(READ, "blue"),
            then=400,  # only whoever is on call may ask, and no red principal is
            people_only=True,
        )
    ],
    "decideSwap": [
        V(
            "blue's swap",
            "POST /schedules/{sched-blue}/swaps/{swap-blue}",
            {"decision": "accept"},
            need=(READ, "blue"),
            then=403,  # only the person asked may accept
            people_only=True,
        )
    ],
    "importIcal": [
        V(
            "into blue's schedule",
            "POST /schedules/{sched-blue}/ical-import",
            {"ics": ICS.replace("{user}", "blue-lead")},
            need=(CONFIGURE, "blue"),
        ),
        V(
            # Answered per event: that event is skipped with the reason, nothing is imported
            # (tests/contract/catalog/test_references.py checks the report and the schedule).
            "a blue person into red's schedule",
            "POST /schedules/{sched-red}/ical-import",
            {"ics": ICS.replace("{user}", "blue-lead")},
            need=(CONFIGURE, "red"),
        ),
    ],
    "createOverride": [
        V(
            "on blue's schedule",
            "POST /schedules/{sched-blue}/overrides",
            {"user": "blue-lead", **OVERRIDE},
            need=(CONFIGURE, "blue"),
            then=201,
        ),
        V(
            "a blue person on red's schedule",
            "POST /schedules/{sched-red}/overrides",
            {"user": "blue-lead", **OVERRIDE},
            need=(CONFIGURE, "red"),
            then=400,
        ),
    ],
    "previewSchedule": [
        V(
            "in blue",
            "POST /schedules/preview",
            schedule("blue", "blue-resp"),
            need=(CONFIGURE, "blue"),
        ),
        V(
            "red with a blue person",
            "POST /schedules/preview",
            schedule("red", "blue-resp"),
            need=(CONFIGURE, "red"),
            then=400,
        ),
    ],
    "previewScheduleEdit": [
        V(
            "blue's",
            "POST /schedules/{sched-blue}/preview",
            schedule("blue", "blue-lead"),
            need=(CONFIGURE, "blue"),
        ),
        V(
            "red's with a blue person",
            "POST /schedules/{sched-red}/preview",
            schedule("red", "blue-lead"),
            need=(CONFIGURE, "red"),
            then=400,
        ),
    ],
    "takeOverShift": [
        V(
            # No red principal, nor the global Admin, is one of blue's members to take it.
            "blue's shift",
            "POST /schedules/{sched-blue}/take-over",
            {},
            need=(CONFIGURE, "blue"),
            then=400,
            people_only=True,
        )
    ],
    "listOverrides": [V("blue", "GET /schedules/{sched-blue}/overrides", need=(READ, "blue"))],
    "deleteOverride": [
        V(
            "blue's",
            "DELETE /schedules/{sched-blue}/overrides/ovr-none",
            need=(CONFIGURE, "blue"),
            then=404,
        )
    ],
    "listSwaps": [V("blue", "GET /schedules/{sched-blue}/swaps", need=(READ, "blue"))],
    "addPendingUser": [
        V(
            "into blue",
            "POST /users/pending",
            {"email": "{who}-new@example.net", "team_id": "blue"},
            need=(CONFIGURE, "blue"),
            then=201,
        )
    ],
    "issueIcalLink": [
        V("blue", "POST /schedules/{sched-blue}/ical-link", need=(CONFIGURE, "blue"), then=201)
    ],
    "subscribedCalendar": [
        V("wrong token", "GET /calendars/{sched-blue}/guess.ics", public=True, then=404)
    ],
    "listApiKeys": [V("visible ones", "GET /api-keys", hidden=("{apikey-blue}",))],
    "createApiKey": [
        V(
            "limited to blue",
            "POST /api-keys",
            {"name": "x", "scopes": ["write"], "team_ids": ["blue"]},
            need=(CONFIGURE, "blue"),
            then=201,
        ),
        V(
            "unlimited",
            "POST /api-keys",
            {"name": "x", "scopes": ["read"]},
            need=(CONFIGURE, None),
            then=201,
        ),
    ],
    "getApiKey": [
        V("blue lead's", "GET /api-keys/{apikey-blue}", need=(CONFIGURE, "blue"), denied=404)
    ],
    "listStatusPages": [
        V("blue filter", "GET /status-pages", query={"team_id": "blue"}, need=(READ, "blue")),
        V("all", "GET /status-pages", hidden=("{page-blue}",)),
    ],
    "createStatusPage": [
        V(
            "in blue",
            "POST /status-pages",
            {"team_id": "blue", "name": "x", "slug": "{who}-new"},
            need=(CONFIGURE, "blue"),
            then=201,
        )
    ],
    "getStatusPage": [V("blue", "GET /status-pages/{page-blue}", need=(READ, "blue"))],
    "updateStatusPage": [
        V(
            "blue",
            "PUT /status-pages/{page-blue}",
            {"team_id": "blue", "name": "x", "slug": "blue-status"},
            need=(CONFIGURE, "blue"),
        ),
        V(
            "move blue's to red",
            "PUT /status-pages/{page-blue}",
            {"team_id": "red", "name": "x", "slug": "blue-status"},
            need=(CONFIGURE, "blue"),
            then=400,  # its component follows blue's service
        ),
    ],
    "deleteStatusPage": [
        V("blue", "DELETE /status-pages/{page-blue}", need=(CONFIGURE, "blue"), then=204)
    ],
    "addStatusGroup": [
        V(
            "on blue's page",
            "POST /status-pages/{page-blue}/groups",
            {"name": "x"},
            need=(CONFIGURE, "blue"),
            then=201,
        )
    ],
    "deleteStatusGroup": [
        V(
            "blue's",
            "DELETE /status-pages/{page-blue}/groups/{group-blue}",
            need=(CONFIGURE, "blue"),
            then=204,
        )
    ],
    "addStatusComponent": [
        V(
            "on blue's page",
            "POST /status-pages/{page-blue}/components",
            {"name": "x", "service_ids": ["{svc-blue}"]},
            need=(CONFIGURE, "blue"),
            then=201,
        ),
        V(
            "red's following blue's service",
            "POST /status-pages/{page-red}/components",
            {"name": "x", "service_ids": ["{svc-blue}"]},
            need=(CONFIGURE, "red"),
            then=400,
        ),
    ],
    "updateStatusComponent": [
        V(
            "blue's",
            "PUT /status-pages/{page-blue}/components/{comp-blue}",
            {"name": "x"},
            need=(CONFIGURE, "blue"),
        ),
        V(
            "red's onto blue's service",
            "PUT /status-pages/{page-red}/components/{comp-red}",
            {"name": "x", "service_ids": ["{svc-blue}"]},
            need=(CONFIGURE, "red"),
            then=400,
        ),
    ],
    "deleteStatusComponent": [
        V(
            "blue's",
            "DELETE /status-pages/{page-blue}/components/{comp-blue}",
            need=(CONFIGURE, "blue"),
            then=204,
        )
    ],
    "setStatusComponentManual": [
        V(
            "blue's",
            "PUT /status-pages/{page-blue}/components/{comp-blue}/manual-status",
            {"status": "major_outage"},
            need=(ACT, "blue"),
        )
    ],
    "listStatusPosts": [V("blue", "GET /status-pages/{page-blue}/posts", need=(READ, "blue"))],
    "postStatusIncident": [
        V(
            "on blue's page",
            "POST /status-pages/{page-blue}/incidents",
            {"name": "x", "body": "y"},
            need=(ACT, "blue"),
            then=201,
        ),
        V(
            "red's about blue's incident",
            "POST /status-pages/{page-red}/incidents",
            {"name": "x", "body": "y", "incident_id": "inc-blue"},
            need=(ACT, "red"),
            then=400,
        ),
    ],
    "scheduleStatusMaintenance": [
        V(
            "on blue's page",
            "POST /status-pages/{page-blue}/maintenances",
            {
                "name": "x",
                "body": "y",
                "component_ids": ["{comp-blue}"],
                "scheduled_for": SOON.isoformat(),
                "scheduled_until": (SOON + timedelta(hours=1)).isoformat(),
            },
            need=(ACT, "blue"),
            then=201,
        )
    ],
    "postStatusUpdate": [
        V(
            "blue's post",
            "POST /status-pages/{page-blue}/posts/{post-blue}/updates",
            {"body": "y", "status": "identified"},
            need=(ACT, "blue"),
            then=201,
        )
    ],
    "revokeApiKey": [
        V(
            "blue lead's",
            "POST /api-keys/{apikey-blue}/revoke",
            need=(CONFIGURE, "blue"),
            denied=404,
        )
    ],
}


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    path = tmp_path_factory.mktemp("tenancy") / "world.sqlite"
    ids = asyncio.run(seed(path))
    return path, ids


@pytest.fixture
async def world(template: tuple[Path, dict[str, str]], tmp_path: Path) -> AsyncIterator[World]:
    w = await World.open(template[0], tmp_path, template[1])
    yield w
    await w.close()


def fill(text: str, ids: dict[str, str]) -> str:
    for name, value in ids.items():
        text = text.replace("{" + name + "}", value)
    return text


async def test_every_served_operation_has_a_row(world: World) -> None:
    reply = await world.call(None, "GET", "/openapi.json")
    served = {op["operationId"] for item in reply.body["paths"].values() for op in item.values()}
    assert served == set(TABLE), (
        f"operations without a tenancy row: {sorted(served - set(TABLE))}; "
        f"rows for operations no longer served: {sorted(set(TABLE) - served)}"
    )


@pytest.mark.parametrize("operation", sorted(TABLE))
async def test_operation_holds_the_team_boundary(world: World, operation: str) -> None:
    failures: list[str] = []
    for variant in TABLE[operation]:
        method, path = fill(variant.path, world.ids).split(" ", 1)
        template = fill(json.dumps(variant.body), world.ids)
        query = {k: fill(v, world.ids) for k, v in variant.query.items()}
        hidden = [fill(h, world.ids) for h in variant.hidden]
        # The control last: it is the only principal whose success changes the world.
        for who in [*PRINCIPALS, "admin"]:
            body = json.loads(template.replace("{who}", who))
            reply = await world.call(None if variant.public else who, method, path, body, query)
            want = variant.expected(who)
            where = f"{operation} [{variant.label}] as {who}"
            if reply.status != want:
                failures.append(f"{where}: {reply.status} (wanted {want}) {reply.body}")
            elif reply.status >= 400:
                if reply.content_type != "application/problem+json":
                    failures.append(f"{where}: {reply.status} is not problem+json")
            elif hidden and not has(who, READ, "blue"):
                leaked = [h for h in hidden if h in json.dumps(reply.body)]
                if leaked:
                    failures.append(f"{where}: shows {leaked}")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("who", [None, "intkey-red", "intkey-blue"])
async def test_anonymous_and_integration_keys_get_401_everywhere(
    world: World, who: str | None
) -> None:
    """An integration key is for ingest only; the management API does not know it."""
    for operation, variants in sorted(TABLE.items()):
        variant = variants[0]
        if variant.public:
            continue
        method, path = fill(variant.path, world.ids).split(" ", 1)
        body = json.loads(fill(json.dumps(variant.body), world.ids).replace("{who}", "x"))
        reply = await world.call(who, method, path, body)
        assert reply.status == 401, (operation, reply.body)
        assert reply.headers["WWW-Authenticate"].startswith("Bearer")
