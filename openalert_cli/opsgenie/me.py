"""``openalert import opsgenie --me``: a person brings their own contact methods and 'new alert'
notification rule over, signed in as themselves. An admin cannot do this for them: e-mail, SMS
and voice numbers are used only once their owner enters the code OpenAlert sends, so each
person adds their own (the code arrives as they run this)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from openalert_cli.api import OpenAlert
from openalert_cli.opsgenie import parse as og
from openalert_cli.opsgenie import personal
from openalert_cli.opsgenie.client import Opsgenie
from openalert_cli.opsgenie.plan import Op, Plan, Step
from openalert_cli.opsgenie.reconcile import same


def import_me(opsgenie: Opsgenie, api: OpenAlert, *, dry_run: bool) -> Plan:
    plan = Plan()
    me = api.request("GET", "/me")
    email = str(api.request("GET", f"/users/{quote(str(me['id']))}").get("email") or "")
    if not email:
        plan.gap(
            "user", str(me["id"]), "your OpenAlert account has no e-mail", "nothing", "skipped"
        )
        return plan
    user = og.user(opsgenie.data(f"/v2/users/{quote(email)}"))
    contacts = [og.contact(c) for c in opsgenie.data(f"/v2/users/{user.id}/contacts")]
    rules = [
        og.notification_rule(opsgenie.data(f"/v2/users/{user.id}/notification-rules/{m['id']}"))
        for m in opsgenie.data(f"/v2/users/{user.id}/notification-rules")
    ]
    wanted, notes = personal.personal(contacts, rules, user.time_zone)
    for n in notes:
        plan.gap("notification rule", email, n.reason, n.todo, "skipped" if n.skipped else "lossy")
    have = {(m["kind"], m["address"]) for m in api.items("/me/contact-methods")}
    for c in wanted["contacts"]:
        name = f"{c['kind']} {c['address']}"
        if (c["kind"], c["address"]) in have:
            plan.steps.append(Step("contact method", name, "unchanged", f"opsgenie:contact:{name}"))
            continue
        plan.steps.append(Step("contact method", name, "create", f"opsgenie:contact:{name}"))
        if not dry_run:
            api.request("POST", "/me/contact-methods", c)
            plan.gap(
                "contact method", name, "a verification code was sent",
                "enter it under your profile (POST /me/contact-methods/{id}/verify)", "manual",
            )  # fmt: skip
    desired: dict[str, Any] | None = wanted["rules"]
    if desired is not None:
        current = api.request("GET", "/me/notification-rules")
        changed = not same(desired, current)
        op: Op = "update" if changed else "unchanged"
        plan.steps.append(Step("notification rules", email, op, f"opsgenie:rules:{user.id}"))
        if changed and not dry_run:
            api.request("PUT", "/me/notification-rules", desired)
    return plan
