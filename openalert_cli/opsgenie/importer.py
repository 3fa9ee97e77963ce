"""The import: Opsgenie account -> plan -> OpenAlert objects, in dependency order (users,
teams, members, schedules and overrides, policies, services, integrations and heartbeats,
routes). See docs/migrate-from-opsgenie.md for what maps to what."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from openalert_cli.api import OpenAlert, Refused
from openalert_cli.opsgenie import mapping, personal, routes
from openalert_cli.opsgenie import parse as og
from openalert_cli.opsgenie.account import Account
from openalert_cli.opsgenie.importer_routes import Routes
from openalert_cli.opsgenie.mapping import ext
from openalert_cli.opsgenie.plan import Op, Plan, Step
from openalert_cli.opsgenie.reconcile import Reconciler, same

ROLES = {"admin": "admin", "user": "member"}


@dataclass
class Options:
    teams: frozenset[str] = frozenset()  # Opsgenie team names; empty: all
    dry_run: bool = False
    global_team: str | None = None  # Opsgenie team name that takes objects without an owner
    add_missing_users: bool = False
    now: datetime = field(default_factory=lambda: datetime.now(UTC))
    keys_file: Path | None = None


@dataclass
class Ids:
    """Opsgenie id -> OpenAlert id, filled as the run goes."""

    users: dict[str, str] = field(default_factory=dict)
    teams: dict[str, str] = field(default_factory=dict)
    schedules: dict[str, str] = field(default_factory=dict)
    policies: dict[str, str] = field(default_factory=dict)
    services: dict[str, str] = field(default_factory=dict)  # Opsgenie team id -> its service
    integrations: dict[str, str] = field(default_factory=dict)


class Importer(Routes):
    def __init__(self, acc: Account, api: OpenAlert, opts: Options) -> None:
        self.acc, self.api, self.opts = acc, api, opts
        self.plan = Plan()
        self.r = Reconciler(api, self.plan, dry_run=opts.dry_run)
        self.ids = Ids()
        self.integration_ids = self.ids.integrations
        self.og_users = {u.id: u for u in acc.users}
        self.keys: dict[str, dict[str, str]] = {}
        #: Opsgenie schedule id -> the one-step policy routes to that schedule use.
        self._schedule_policies: dict[str, str | None] = {}
        if opts.keys_file is not None and opts.keys_file.exists():
            self.keys = json.loads(opts.keys_file.read_text())

    # --- scope -------------------------------------------------------------------------------
    def _teams(self) -> list[og.Team]:
        if not self.opts.teams:
            return self.acc.teams
        return [t for t in self.acc.teams if t.name in self.opts.teams]

    def _owner(self, kind: str, name: str, team_id: str | None) -> str | None:
        """The Opsgenie team an object is imported into, or None (reported)."""
        if team_id is not None:
            return team_id if team_id in self.ids.teams else None
        glob = next((t for t in self.acc.teams if t.name == self.opts.global_team), None)
        if glob is not None and glob.id in self.ids.teams:
            return glob.id
        if not self.opts.teams:
            self.plan.gap(
                kind,
                name,
                "it belongs to no team; every OpenAlert object belongs to one",
                "re-run with --global-team NAME to put such objects into that team",
                "skipped",
            )
        return None

    def _tname(self, og_team_id: str) -> str:
        return next((t.name for t in self.acc.teams if t.id == og_team_id), og_team_id)

    def _note(self, kind: str, name: str, notes: list[mapping.Note]) -> None:
        for n in notes:
            self.plan.gap(kind, name, n.reason, n.todo, "skipped" if n.skipped else "lossy")

    # --- the run -----------------------------------------------------------------------------
    def run(self) -> Plan:
        for what, why in self.acc.unreadable:
            self.plan.gap("unreadable", what, why, "check it in Opsgenie", "skipped")
        self._users()
        self._teams_and_members()
        self._schedules()
        self._policies()
        self._services()
        self._integrations()
        self._heartbeats()
        self._leftovers()
        return self.plan

    def _users(self) -> None:
        ours = {str(u["email"]).lower(): u for u in self.api.items("/users") if u.get("email")}
        self._our_users = ours
        for u in self.acc.users:
            if u.username in ours:
                self.ids.users[u.id] = str(ours[u.username]["id"])
                self.plan.steps.append(Step("user", u.username, "unchanged", ext("user", u.id)))
            elif not self.opts.add_missing_users:
                self.plan.gap(
                    "user",
                    u.username,
                    "no OpenAlert person with this e-mail (they have not signed in)",
                    "they sign in once (or re-run with --add-missing-users) and you re-run",
                    "skipped",
                )
            if u.time_zone and mapping.zone(u.time_zone) is None:
                self.plan.gap("user", u.username, f"unknown time zone {u.time_zone!r}", "nothing")
            rules, notes = personal.personal(
                self.acc.contacts.get(u.id, []), self.acc.rules.get(u.id, []), u.time_zone
            )
            if u.id in self.acc.contacts:
                self.plan.personal[u.username] = {**rules, "time_zone": u.time_zone}
                for n in notes:
                    self.plan.gap("notification rule", u.username, n.reason, n.todo, "manual")

    def _teams_and_members(self) -> None:
        for t in self._teams():
            body = {"name": t.name, "description": t.description, "external_id": ext("team", t.id)}
            # A team set up by hand before the import (same name) is taken over, not doubled.
            made = self.r.upsert("team", "/teams", body, adopt=True)
            if made is None:
                continue
            team_id = str(made["id"])
            self.ids.teams[t.id] = team_id
            for m in t.members:
                og_user = self.og_users.get(m.user_id or "")
                username = m.username or (og_user.username if og_user else "")
                if m.user_id not in self.ids.users and self.opts.add_missing_users and username:
                    self._add_pending(username, og_user, team_id, t.name)
                self._member(t, team_id, m, username)

    def _add_pending(self, email: str, u: og.User | None, team_id: str, team: str) -> None:
        ext_id = ext("user", u.id if u else email)
        self.plan.steps.append(Step("user", email, "create", ext_id, team))
        if u is None:
            return
        made = self.r.write(
            "POST", "/users/pending", {"email": email, "name": u.full_name, "team_id": team_id}
        )
        self.ids.users[u.id] = str(made["id"]) if made else f"(new user {email})"

    def _member(self, t: og.Team, team_id: str, m: og.Member, username: str) -> None:
        user_id = self.ids.users.get(m.user_id or "")
        if user_id is None:
            return  # reported with the user
        role = ROLES.get(m.role)
        if role is None:
            role = "member"
            self.plan.gap(
                "member", f"{username} in {t.name}", f"custom team role {m.role!r}", "member used"
            )
        have = self._our_users.get(username, {}).get("teams", {})
        key = f"{ext('team', t.id)}/{username}"
        if isinstance(have, Mapping) and have.get(team_id) == role:
            self.plan.steps.append(Step("member", username, "unchanged", key, t.name))
            return
        op: Op = "update" if isinstance(have, Mapping) and team_id in have else "create"
        self.plan.steps.append(Step("member", username, op, key, t.name, (role,)))
        self.r.write("PUT", f"/teams/{team_id}/members/{user_id}", {"role": role})

    # --- schedules ---------------------------------------------------------------------------
    def _schedules(self) -> None:
        for s in self.acc.schedules:
            owner = self._owner("schedule", s.name, s.team_id)
            if owner is None:
                continue
            if not s.enabled:
                self.plan.gap("schedule", s.name, "disabled in Opsgenie", "nothing", "skipped")
                continue
            body, notes = mapping.schedule_body(s, self.ids.teams[owner], self.ids.users)
            for name, n in notes:
                self._note("schedule", f"{s.name} / {name}" if name != s.name else name, [n])
            made = self.r.upsert("schedule", "/schedules", body, team=self._tname(owner))
            if made is None:
                continue
            self.ids.schedules[s.id] = str(made["id"])
            self._overrides(s, str(made["id"]))

    def _overrides(self, s: og.Schedule, schedule_id: str) -> None:
        now = self.opts.now
        wanted = [o for o in self.acc.overrides.get(s.id, []) if o.end > now]
        if not wanted:
            return
        have: list[Mapping[str, Any]] = []
        if not schedule_id.startswith("(new"):
            # The API answers at most 93 days per request.
            at, end = now, max(o.end for o in wanted)
            while at < end:
                have += self.api.items(
                    f"/schedules/{schedule_id}/overrides",
                    start=_z(at),
                    end=_z(min(end, at + timedelta(days=90))),
                )
                at += timedelta(days=90)
        for o in wanted:
            body, notes = mapping.override_body(o, s, self.ids.users)
            self._note("override", f"{s.name} / {o.alias}", notes)
            if body is None:
                continue
            exists = any(
                same(body["user"], h.get("user"))
                and same(body["start"], h.get("start"))
                and same(body["end"], h.get("end"))
                for h in have
            )
            step = Step(
                "override",
                f"{s.name} / {o.alias}",
                "unchanged" if exists else "create",
                ext("override", o.alias),
                s.name,
            )
            self.plan.steps.append(step)
            if not exists:
                try:
                    self.r.write("POST", f"/schedules/{schedule_id}/overrides", body)
                except Refused as exc:
                    self.plan.steps.pop()
                    self.plan.gap("override", step.name, exc.detail, "add it by hand", "skipped")

    # --- escalations -------------------------------------------------------------------------
    def _policies(self) -> None:
        members: dict[str, dict[str, list[str]]] = {}
        for t in self.acc.teams:
            for m in t.members:
                if m.user_id in self.ids.users:
                    members.setdefault(t.id, {}).setdefault(m.role, []).append(
                        self.ids.users[m.user_id]
                    )
        defaults: dict[str, str] = {}
        for team_id in self.acc.routing:
            rule = self._default_rule(team_id)
            if rule and rule.notify.type == "schedule" and rule.notify.id in self.ids.schedules:
                defaults[team_id] = self.ids.schedules[rule.notify.id]
        conditional = frozenset(
            t for t, rules in self.acc.routing.items() if any(not r.is_default for r in rules)
        )
        refs = mapping.Refs(
            self.ids.users, self.ids.schedules, self.ids.teams, members, defaults, conditional
        )
        for e in self.acc.escalations:
            owner = self._owner("escalation", e.name, e.team_id)
            if owner is None:
                continue
            body, notes = mapping.policy_body(e, self.ids.teams[owner], refs)
            self._note("escalation", e.name, notes)
            if body is None:
                continue
            made = self.r.upsert(
                "escalation", "/escalation-policies", body, team=self._tname(owner)
            )
            if made is not None:
                self.ids.policies[e.id] = str(made["id"])

    def _route_policy(self, notify: og.Recipient, team_id: str) -> str | None:
        """The policy a routing rule's target becomes (a schedule gets a one-step policy)."""
        if notify.type == "escalation":
            return self.ids.policies.get(notify.id or "")
        if notify.type == "schedule" and notify.id in self.ids.schedules:
            if notify.id in self._schedule_policies:
                return self._schedule_policies[notify.id]
            name = f"{notify.name or notify.id} on call"
            body = {
                "name": name,
                "team_id": self.ids.teams[team_id],
                "steps": [
                    {"type": "notify_schedule", "schedule_id": self.ids.schedules[notify.id]}
                ],
                "external_id": ext("schedule-policy", notify.id),
            }
            made = self.r.upsert(
                "escalation", "/escalation-policies", body, team=self._tname(team_id)
            )
            self._schedule_policies[notify.id] = str(made["id"]) if made else None
            return self._schedule_policies[notify.id]
        return None

    # --- services, integrations, heartbeats, routes -------------------------------------------
    def _default_rule(self, team_id: str) -> og.RoutingRule | None:
        rules = self.acc.routing.get(team_id, [])
        return next((r for r in rules if r.is_default), rules[-1] if rules else None)

    def _services(self) -> None:
        for t in self._teams():
            if t.id not in self.ids.teams:
                continue
            rule = self._default_rule(t.id)
            policy = self._route_policy(rule.notify, t.id) if rule else None
            if policy is None:
                self.plan.gap(
                    "service",
                    t.name,
                    "the team's default routing rule notifies nobody (or no routing rule)",
                    "choose the service's escalation policy",
                )
            body = {
                "name": t.name,
                "team_id": self.ids.teams[t.id],
                "escalation_policy_id": policy,
                "description": "Alerts of the Opsgenie team's integrations",
                "external_id": ext("team-service", t.id),
            }
            made = self.r.upsert("service", "/services", body, team=t.name)
            if made is not None:
                self.ids.services[t.id] = str(made["id"])
        for svc in self.acc.services:
            if svc.team_id not in self.ids.services:
                continue
            rule = self._default_rule(svc.team_id)
            body = {
                "name": svc.name,
                "team_id": self.ids.teams[svc.team_id],
                "escalation_policy_id": self._route_policy(rule.notify, svc.team_id)
                if rule
                else None,
                "description": svc.description[:2000],
                "external_id": ext("service", svc.id),
            }
            self.r.upsert("service", "/services", body, team=self._tname(svc.team_id))
            if self.acc.incident_rules.get(svc.id):
                self.plan.gap(
                    "service", svc.name,
                    f"{self.acc.incident_rules[svc.id]} incident rules are not carried (OpenAlert "
                    "groups alerts into incidents by dedup key)",
                    "nothing, or routes by hand for rules that chose priorities", "lossy",
                )  # fmt: skip

    def _integration(self, kind: str, name: str, body: dict[str, Any]) -> None:
        made = self.r.upsert(kind, "/integrations", body)
        if made is None:
            return
        ext_id = str(body["external_id"])
        integration = made.get("integration", made)
        self.ids.integrations[ext_id] = str(integration["id"])
        if "key" in made:
            self._keep_key(ext_id, name, body["format"], made)
        elif ext_id not in self.keys and not self.opts.dry_run:
            # Made by a run killed before it saved the key: nobody has it, so a new one is safe.
            rotated = self.r.write("POST", f"/integrations/{integration['id']}/rotate")
            if rotated:
                self._keep_key(ext_id, name, body["format"], rotated)
        setup = self.keys.get(ext_id, {})
        self.plan.senders.append(
            {
                "name": name,
                "format": str(body["format"]),
                "todo": routes.sender_todo(str(body["format"]), setup.get("url", "(new URL)")),
            }
        )

    def _keep_key(self, ext_id: str, name: str, fmt: object, made: Mapping[str, Any]) -> None:
        setup = made.get("setup") or {}
        self.keys[ext_id] = {
            "name": name,
            "format": str(fmt),
            "key": str(made["key"]),
            "url": str(setup.get("url", made.get("ingest_url", ""))),
        }
        if self.opts.keys_file is not None:
            self.opts.keys_file.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.opts.keys_file.with_suffix(".tmp")
            tmp.write_text(json.dumps(self.keys, indent=2))
            os.chmod(tmp, 0o600)
            tmp.replace(self.opts.keys_file)

    def _integrations(self) -> None:
        for i in self.acc.integrations:
            if i.team_id not in self.ids.services:
                if i.team_id is None and not self.opts.teams:
                    self.plan.gap(
                        "integration", i.name, "global integration", "add it to a team", "skipped"
                    )
                continue
            fmt = routes.integration_format(i.type)
            if fmt is None:
                self.plan.gap(
                    "integration",
                    i.name,
                    f"OpenAlert does not ingest Opsgenie's {i.type!r} integration",
                    "send these alerts through a generic webhook or the Opsgenie-compatible API",
                    "skipped",
                )
                continue
            body = {
                "name": i.name,
                "service_id": self.ids.services[i.team_id],
                "format": fmt,
                "enabled": i.enabled,
                "external_id": ext("integration", i.id),
            }
            self._integration("integration", i.name, body)
            self._routes(i, str(body["external_id"]))
            if self.acc.actions.get(i.id):
                self.plan.gap(
                    "integration", i.name,
                    "its actions are not carried: " + "; ".join(self.acc.actions[i.id]),
                    "add routes with page: false (ignore) or conditions for them", "lossy",
                )  # fmt: skip

    def _heartbeats(self) -> None:
        for h in self.acc.heartbeats:
            owner = self._owner("heartbeat", h.name, h.team_id)
            if owner is None or owner not in self.ids.services:
                continue
            seconds = h.interval_minutes * 60
            clamped = min(max(seconds, 60), 7 * 24 * 3600)
            if clamped != seconds:
                self.plan.gap(
                    "heartbeat", h.name, f"interval {h.interval_minutes} min clamped", "nothing"
                )
            if h.alert_message or h.alert_priority:
                self.plan.gap(
                    "heartbeat", h.name, "custom alert message/priority not kept", "nothing"
                )
            body = {
                "name": h.name,
                "service_id": self.ids.services[owner],
                "format": "heartbeat",
                "enabled": h.enabled,
                "settings": {"heartbeat_interval_seconds": clamped},
                "external_id": ext("heartbeat", h.name),
            }
            self._integration("heartbeat", h.name, body)

    def _leftovers(self) -> None:
        for source, target, _, end in self.acc.forwarding:
            if end is not None and end <= self.opts.now:
                continue
            self.plan.gap(
                "forwarding rule",
                f"{source} -> {target}",
                "OpenAlert has no forwarding of a person's pages",
                f"add overrides for {target} on the schedules {source} is on for that time",
                "skipped",
            )
        if self.acc.maintenance:
            self.plan.gap(
                "maintenance",
                f"{self.acc.maintenance} windows",
                "OpenAlert has no maintenance windows yet",
                "disable the integrations (enabled: false) for the window by hand",
                "skipped",
            )


def _z(at: datetime) -> str:
    return at.astimezone(UTC).isoformat().replace("+00:00", "Z")
