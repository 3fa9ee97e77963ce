"""Read a whole Opsgenie account, dependencies first (the crawl order of Opsgenie's own
backup tool, opsgenie-configuration-backup ``ConfigurationExporter.java``). List endpoints that
return metadata only (teams, integrations, policies, notification rules) are followed by a GET
of each item. Every list is read page by page (``limit``/``offset``, ``paging.next``), also those
for which Opsgenie declares no paging: a large account is then still read whole."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TypeVar

from openalert_cli.opsgenie import parse as og
from openalert_cli.opsgenie.client import Opsgenie, OpsgenieError

T = TypeVar("T")


@dataclass
class Account:
    users: list[og.User] = field(default_factory=list)
    contacts: dict[str, list[og.Contact]] = field(default_factory=dict)
    rules: dict[str, list[og.NotificationRule]] = field(default_factory=dict)
    teams: list[og.Team] = field(default_factory=list)
    routing: dict[str, list[og.RoutingRule]] = field(default_factory=dict)
    schedules: list[og.Schedule] = field(default_factory=list)
    overrides: dict[str, list[og.Override]] = field(default_factory=dict)
    escalations: list[og.Escalation] = field(default_factory=list)
    integrations: list[og.Integration] = field(default_factory=list)
    heartbeats: list[og.Heartbeat] = field(default_factory=list)
    policies: dict[str, list[og.Policy]] = field(default_factory=dict)
    services: list[og.Service] = field(default_factory=list)
    #: Opsgenie service id -> how many incident rules it has (OpenAlert has no incident rules).
    incident_rules: dict[str, int] = field(default_factory=dict)
    maintenance: int = 0
    #: Opsgenie integration id -> names of its custom actions (ignore / create / close / ...
    #: rules of advanced integrations), which routes do not replay.
    actions: dict[str, list[str]] = field(default_factory=dict)
    #: Forwarding rules as (from username, to username, start, end); OpenAlert has none.
    forwarding: list[tuple[str, str, datetime | None, datetime | None]] = field(
        default_factory=list
    )
    #: Records Opsgenie sent that could not be parsed: (what, why).
    unreadable: list[tuple[str, str]] = field(default_factory=list)


def _each(
    acc: Account, what: str, items: Iterable[object], parser: Callable[[object], T]
) -> list[T]:
    out: list[T] = []
    for i, raw in enumerate(items):
        try:
            out.append(parser(raw))
        except og.ParseError as exc:
            acc.unreadable.append((f"{what} #{i}", str(exc)))
    return out


def read(client: Opsgenie, *, personal: bool = True) -> Account:
    acc = Account()
    acc.users = _each(acc, "user", list(client.pages("/v2/users")), og.user)
    if personal:
        for u in acc.users:
            contacts = list(client.pages(f"/v2/users/{u.id}/contacts"))
            acc.contacts[u.id] = _each(acc, f"contact of {u.username}", contacts, og.contact)
            full = [
                client.data(f"/v2/users/{u.id}/notification-rules/{meta['id']}")
                for meta in client.pages(f"/v2/users/{u.id}/notification-rules")
                if isinstance(meta, dict) and "id" in meta
            ]
            acc.rules[u.id] = _each(acc, f"rule of {u.username}", full, og.notification_rule)
    for meta in client.pages("/v2/teams"):
        full = client.data(f"/v2/teams/{meta['id']}")
        acc.teams += _each(acc, "team", [full], og.team)
    for t in acc.teams:
        raw_rules = list(client.pages(f"/v2/teams/{t.id}/routing-rules"))
        acc.routing[t.id] = _each(acc, f"routing rule of {t.name}", raw_rules, og.routing_rule)
        policies: list[og.Policy] = []
        for kind in ("alert", "notification"):
            for meta in client.pages(f"/v2/policies/{kind}", {"teamId": t.id}):
                full = client.data(f"/v2/policies/{meta['id']}", {"teamId": t.id})
                policies += _each(acc, f"policy of {t.name}", [full], og.policy)
        acc.policies[t.id] = policies
    raw = list(client.pages("/v2/schedules", {"expand": "rotation"}))
    acc.schedules = _each(acc, "schedule", raw, og.schedule)
    for s in acc.schedules:
        raw_ovr = list(client.pages(f"/v2/schedules/{s.id}/overrides"))
        acc.overrides[s.id] = _each(acc, f"override of {s.name}", raw_ovr, og.override)
    acc.escalations = _each(acc, "escalation", list(client.pages("/v2/escalations")), og.escalation)
    full_integrations = [
        client.data(f"/v2/integrations/{meta['id']}") for meta in client.pages("/v2/integrations")
    ]
    acc.integrations = _each(acc, "integration", full_integrations, og.integration)
    for i in acc.integrations:
        try:
            acc.actions[i.id] = _action_names(client.data(f"/v2/integrations/{i.id}/actions"))
        except OpsgenieError:
            pass  # Opsgenie answers an error for integrations without advanced settings
    beats = list(client.pages("/v2/heartbeats", nested="heartbeats"))
    acc.heartbeats = _each(acc, "heartbeat", beats, og.heartbeat)
    try:
        acc.services = _each(acc, "service", list(client.pages("/v1/services")), og.service)
    except OpsgenieError as exc:  # older accounts / plans without the services API
        acc.unreadable.append(("services", str(exc)))
    for svc in acc.services:
        try:
            found = client.data(f"/v1/services/{svc.id}/incident-rules")
        except OpsgenieError:
            continue  # plans without incident rules answer an error
        # The rule list itself (opsgenie-go-sdk-v2 ``service_incident_rule_result.go``).
        rules = found
        acc.incident_rules[svc.id] = len(rules) if isinstance(rules, list) else 0
    try:
        for raw in client.pages("/v2/forwarding-rules"):
            acc.forwarding.append(_forwarding(raw))
    except (OpsgenieError, og.ParseError) as exc:
        acc.unreadable.append(("forwarding rules", str(exc)))
    try:
        acc.maintenance = len(list(client.pages("/v1/maintenance", {"type": "non-expired"})))
    except OpsgenieError as exc:
        acc.unreadable.append(("maintenance", str(exc)))
    return acc


def timeline_periods(
    client: Opsgenie, schedule_id: str, start: datetime, weeks: int
) -> list[og.Period]:
    """``finalTimeline`` periods for ``weeks`` weeks from ``start``, one week per call."""
    out: list[og.Period] = []
    for k in range(weeks):
        at = (start + timedelta(weeks=k)).isoformat().replace("+00:00", "Z")
        body = client.data(
            f"/v2/schedules/{schedule_id}/timeline",
            {"date": at, "interval": 1, "intervalUnit": "weeks"},
        )
        out += og.timeline(body)
    return out


def _forwarding(raw: object) -> tuple[str, str, datetime | None, datetime | None]:
    """``{fromUser{username}, toUser{username}, startDate, endDate}`` (opsgenie-oas
    ``definitions/ForwardingRule.yaml``)."""
    d = og.as_obj(raw, "forwardingRule")
    who = [
        og.req_str(og.as_obj(d.get(k), f"forwardingRule.{k}"), "username", f"forwardingRule.{k}")
        for k in ("fromUser", "toUser")
    ]
    start = og.opt_time(d, "startDate", "forwardingRule")
    return who[0], who[1], start, og.opt_time(d, "endDate", "forwardingRule")


#: Action groups of ``GET /v2/integrations/{id}/actions`` (opsgenie-oas
#: ``definitions/IntegrationActions.yaml``).
ACTION_GROUPS = ("ignore", "create", "close", "acknowledge", "addNote")


def _action_names(data: object) -> list[str]:
    """``group: name`` of every action that is not a plain default (a filter or an ignore)."""
    d = data if isinstance(data, dict) else {}
    out = []
    for group in ACTION_GROUPS:
        for action in d.get(group) or []:
            if not isinstance(action, dict):
                continue
            kind = (action.get("filter") or {}).get("conditionMatchType", "match-all")
            if group == "ignore" or kind != "match-all":
                out.append(f"{group}: {action.get('name') or '(unnamed)'}")
    return out
