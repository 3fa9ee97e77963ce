"""Routes on each imported integration: the team's suppress and priority policies first,
then its routing rules in order (the default rule is the service's policy, not a route)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from openalert_cli.api import OpenAlert, Refused
from openalert_cli.opsgenie import mapping
from openalert_cli.opsgenie import parse as og
from openalert_cli.opsgenie import routes as conditions
from openalert_cli.opsgenie.account import Account
from openalert_cli.opsgenie.mapping import ext
from openalert_cli.opsgenie.plan import Plan, Step
from openalert_cli.opsgenie.reconcile import Reconciler, same

#: Windows a route's ``active`` holds (shared/catalog/route_windows.py).
MAX_ROUTE_WINDOWS = 50


class Routes:
    acc: Account
    api: OpenAlert
    plan: Plan
    r: Reconciler
    integration_ids: dict[str, str]

    #: The policy a routing rule's target becomes (the importer's: it creates schedule policies).
    _route_policy: Callable[[og.Recipient, str], str | None]

    def _routes(self, i: og.Integration, integration_ext: str) -> None:
        assert i.team_id is not None
        team = next(t for t in self.acc.teams if t.id == i.team_id)
        wanted: list[dict[str, Any]] = []
        for p in sorted(self.acc.policies.get(i.team_id, []), key=lambda p: p.order):
            wanted += self._policy_route(p, team.name)
        for rule in sorted(self.acc.routing.get(i.team_id, []), key=lambda r: r.order):
            if rule.is_default:
                continue
            route = self._rule_route(rule, team.name)
            if route is not None:
                wanted.append(route)
        for pos, route in enumerate(wanted):
            route["position"] = pos
        integration_id = self.integration_ids.get(integration_ext, "")
        have: list[Mapping[str, Any]] = []
        if integration_id and not integration_id.startswith("(new"):
            have = [
                r
                for r in self.api.items(f"/integrations/{integration_id}/routes")
                if str(r.get("external_id", "")).startswith("opsgenie:")
            ]
        have.sort(key=lambda r: int(r.get("position", 0)))
        if same(wanted, have):
            for route in wanted:
                self.plan.steps.append(
                    Step("route", route["name"], "unchanged", route["external_id"], i.name)
                )
            return
        for route in wanted:
            self.plan.steps.append(
                Step("route", route["name"], "create", route["external_id"], i.name)
            )
        for old in have:
            self.r.write("DELETE", f"/integrations/{integration_id}/routes/{old['id']}")
        for route in wanted:
            try:
                self.r.write("POST", f"/integrations/{integration_id}/routes", route)
            except Refused as exc:
                self.plan.gap(
                    "route", route["name"], exc.detail, "add the route by hand", "skipped"
                )

    def _rule_route(self, rule: og.RoutingRule, team: str) -> dict[str, Any] | None:
        name = f"{team} / {rule.name or rule.id}"
        active = self._window(rule, name)
        if rule.time_restriction is not None and active is None:
            return None
        conds, match, problem = conditions.conditions(rule.criteria)
        if problem:
            self.plan.gap("routing rule", name, problem, "add the route by hand", "skipped")
            return None
        route: dict[str, Any] = {
            "name": name,
            "conditions": conds,
            "match": match,
            "external_id": ext("routing-rule", rule.id),
        }
        if active is not None:
            route["active"] = active
        if rule.notify.type == "none":
            route["page"] = False
            return route
        policy = self._route_policy(rule.notify, rule_team(self.acc, rule))
        if policy is None:
            self.plan.gap(
                "routing rule", name, "its target was not imported", "add it by hand", "skipped"
            )
            return None
        route["escalation_policy_id"] = policy
        return route

    def _window(self, rule: og.RoutingRule, name: str) -> dict[str, Any] | None:
        """The rule's time restriction as the route's ``active`` window, in the rule's zone."""
        if rule.time_restriction is None:
            return None
        ranges, notes = mapping.restrictions(rule.time_restriction)
        tz = mapping.zone(rule.timezone)
        if tz is None:
            tz = "UTC"
            self.plan.gap(
                "routing rule", name, f"time zone {rule.timezone!r} unknown or unset: UTC used",
                "check the route's window",
            )  # fmt: skip
        if notes or len(ranges) > MAX_ROUTE_WINDOWS:
            self.plan.gap(
                "routing rule", name, "its time restriction does not fit a route window",
                "add the route by hand", "skipped",
            )  # fmt: skip
            return None
        return {"timezone": tz, "ranges": ranges}

    def _policy_route(self, p: og.Policy, team: str) -> list[dict[str, Any]]:
        name = f"{team} / {p.name}"
        if not p.enabled:
            return []
        problems = [f"actions {', '.join(p.other_actions)}"] if p.other_actions else []
        if p.time_restriction is not None:
            problems.append("a time restriction")
        conds, match, problem = conditions.conditions(p.filter)
        if problem:
            problems.append(problem)
        if p.type == "notification" and not p.suppress:
            problems.append("no suppress action")
        if p.type == "alert" and p.priority is None:
            problems.append("no priority change")
        if p.type == "alert" and any(
            not r.is_default for r in self.acc.routing.get(rule_team_of(self.acc, team), [])
        ):
            problems.append("a priority change would shadow the team's routing rules")
        if problems:
            self.plan.gap(
                "policy",
                name,
                "cannot be a route: " + "; ".join(problems),
                "recreate it by hand",
                "skipped",
            )
            return []
        route: dict[str, Any] = {
            "name": name,
            "conditions": conds,
            "match": match,
            "external_id": ext("policy", p.id),
        }
        if p.type == "notification":
            route["page"] = False
        else:
            route["severity"] = p.priority
        return [route]


def rule_team(acc: Account, rule: og.RoutingRule) -> str:
    return next(t for t, rules in acc.routing.items() if rule in rules)


def rule_team_of(acc: Account, team_name: str) -> str:
    return next((t.id for t in acc.teams if t.name == team_name), "")
