"""API: a person's own contact methods, notification rules and deliveries; a team's outgoing
webhooks. Views show secrets as hints only (``shared.redact``)."""

from __future__ import annotations

import asyncio

from pydantic import BaseModel, ConfigDict, Field

from shared.api.ports import PAGING, TEAM_FILTER, person_id, ports_of
from shared.api.router import Operation, QueryParam, Reply, Request, ok, page
from shared.auth import owned
from shared.incidents import service as incidents
from shared.msteams.connection import TeamsConnection, personal_connection
from shared.notifications import contacts as notifications
from shared.notifications import webhooks
from shared.notifications.delivery import list_deliveries
from shared.notifications.models import (
    ContactKind,
    ContactMethod,
    DeliveryAttempt,
    NotificationRules,
    Webhook,
)
from shared.notifications.preview import RulesPreview, rules_preview
from shared.notifications.webhooks import WebhookBody
from shared.redact import WriteOnly, WriteOnlyUrl, redact_url


# notifications: a person's own contact methods, rules and deliveries; team webhooks
class ContactMethodBody(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    kind: ContactKind
    address: str = Field(default="", max_length=2048)
    label: str = Field(default="", max_length=100)


class CodeBody(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    code: str = Field(min_length=4, max_length=12)


class ContactMethodView(BaseModel):
    id: str
    kind: ContactKind
    address: str = Field(
        description=(
            "The address; a webhook's URL is a credential and shows only scheme, host and the "
            "last 4 characters."
        )
    )
    label: str
    verified: bool


class WebhookView(BaseModel):
    id: str
    team_id: str
    name: str
    url: WriteOnlyUrl
    #: The signing secret, as a hint (shown whole only once, at creation).
    secret: WriteOnly
    events: list[str]
    timeout_seconds: float
    format: str


class WebhookCreated(BaseModel):
    """The signing secret is shown once; verify ``X-OpenAlert-Signature`` with it."""

    webhook: WebhookView
    secret: str


def _method_view(m: ContactMethod) -> ContactMethodView:
    # A webhook contact's URL is a credential even to its owner: hint only, like the log.
    address = redact_url(m.address) if m.kind == "webhook" else m.address
    return ContactMethodView(
        id=m.id, kind=m.kind, address=address, label=m.label, verified=m.verified
    )


def _webhook_view(w: Webhook) -> WebhookView:
    return WebhookView(
        id=w.id,
        team_id=w.team_id,
        name=w.name,
        url=w.url,
        secret=w.secret,
        events=sorted(w.events),
        timeout_seconds=w.timeout_seconds,
        format=w.format,
    )


async def list_contact_methods(req: Request) -> Reply:
    methods = await notifications.contact_methods(ports_of(req).store, person_id(req))
    return page([_method_view(m) for m in methods], None)


async def add_contact_method(req: Request) -> Reply:
    assert isinstance(req.body, ContactMethodBody)
    method = await notifications.add_contact_method(
        ports=ports_of(req).notify,
        user_id=person_id(req),
        kind=req.body.kind,
        address=req.body.address,
        label=req.body.label,
    )
    return ok(_method_view(method), status=201)


async def verify_contact_method(req: Request) -> Reply:
    assert isinstance(req.body, CodeBody)
    method = await notifications.verify_contact_method(
        ports=ports_of(req).notify,
        user_id=person_id(req),
        method_id=req.params["method_id"],
        code=req.body.code,
    )
    return ok(_method_view(method))


async def delete_contact_method(req: Request) -> Reply:
    await notifications.delete_contact_method(
        store=ports_of(req).store, user_id=person_id(req), method_id=req.params["method_id"]
    )
    ports_of(req).notify.prefs.discard(person_id(req))
    return Reply(204)


async def get_rules(req: Request) -> Reply:
    rules = await notifications.get_rules(ports_of(req).store, person_id(req))
    return ok(rules or NotificationRules())


async def put_rules(req: Request) -> Reply:
    assert isinstance(req.body, NotificationRules)
    user_id = person_id(req)
    methods = await notifications.contact_methods(ports_of(req).store, user_id)
    rules = await notifications.put_rules(
        store=ports_of(req).store, user_id=user_id, rules=req.body, methods=methods
    )
    ports_of(req).notify.prefs.discard(user_id)
    return ok(rules)


async def preview_rules(req: Request) -> Reply:
    """What my rules (saved, or the body being edited) do with a page arriving at ``at``."""
    user_id = person_id(req)
    store = ports_of(req).store
    rules = req.body if isinstance(req.body, NotificationRules) else None
    if req.body is None:
        rules = await notifications.get_rules(store, user_id)
    methods = await notifications.contact_methods(store, user_id)
    at = req.time("at") or ports_of(req).clock()
    # Quiet hours are found minute by minute, each step of each set: off the event loop.
    return ok(await asyncio.to_thread(rules_preview, rules, methods, at))


async def my_teams_connection(req: Request) -> Reply:
    """Whether the Teams bot can message me 1:1 (the profile's "Teams connection")."""
    ports = ports_of(req)
    return ok(
        await personal_connection(
            ports.store, person_id(req), bot_enabled="teams" in ports.notify.channels
        )
    )


RULES_AT = (QueryParam("at", "When the page arrives (default now).", "date-time"),)


async def my_deliveries(req: Request) -> Reply:
    items, token = await list_deliveries(
        store=ports_of(req).store,
        user_id=person_id(req),
        limit=req.limit(),
        continuation=req.continuation(),
    )
    return page(items, token)


async def incident_deliveries(req: Request) -> Reply:
    await incidents.get_incident(
        store=ports_of(req).store, principal=req.caller, incident_id=req.params["incident_id"]
    )
    items, token = await list_deliveries(
        store=ports_of(req).store,
        incident_id=req.params["incident_id"],
        limit=req.limit(),
        continuation=req.continuation(),
    )
    return page(items, token)


async def list_webhooks(req: Request) -> Reply:
    items, token = await owned.list_documents(
        store=ports_of(req).store,
        principal=req.caller,
        container="webhooks",
        model=Webhook,
        team_id=req.query.get("team_id") or None,
        limit=req.limit(),
        continuation=req.continuation(),
    )
    return page([_webhook_view(w) for w in items], token)


async def create_webhook(req: Request) -> Reply:
    assert isinstance(req.body, WebhookBody)
    hook, secret = await webhooks.create_webhook(
        store=ports_of(req).store,
        principal=req.caller,
        http=getattr(ports_of(req).notify, "http", None),
        body=req.body,
    )
    return ok(WebhookCreated(webhook=_webhook_view(hook), secret=secret), status=201)


async def delete_webhook(req: Request) -> Reply:
    await webhooks.delete_webhook(
        store=ports_of(req).store, principal=req.caller, webhook_id=req.params["webhook_id"]
    )
    return Reply(204)


OPERATIONS = [
    Operation(
        method="GET",
        path="/me/contact-methods",
        name="listContactMethods",
        summary="My contact methods",
        tag="notifications",
        handler=list_contact_methods,
        response=ContactMethodView,
        is_list=True,
    ),
    Operation(
        method="POST",
        path="/me/contact-methods",
        name="addContactMethod",
        summary="Add a contact method (e-mail and SMS get a verification code)",
        tag="notifications",
        handler=add_contact_method,
        body=ContactMethodBody,
        response=ContactMethodView,
        status=201,
    ),
    Operation(
        method="POST",
        path="/me/contact-methods/{method_id}/verify",
        name="verifyContactMethod",
        summary="Confirm a contact method with its code",
        tag="notifications",
        handler=verify_contact_method,
        body=CodeBody,
        response=ContactMethodView,
    ),
    Operation(
        method="DELETE",
        path="/me/contact-methods/{method_id}",
        name="deleteContactMethod",
        summary="Remove a contact method",
        tag="notifications",
        handler=delete_contact_method,
        status=204,
    ),
    Operation(
        method="GET",
        path="/me/notification-rules",
        name="getNotificationRules",
        summary="My notification rules",
        tag="notifications",
        handler=get_rules,
        response=NotificationRules,
    ),
    Operation(
        method="GET",
        path="/me/notification-rules/preview",
        name="previewMyRules",
        summary="What my saved rules do with a page arriving now (or at), per rule set",
        tag="notifications",
        handler=preview_rules,
        response=RulesPreview,
        query=RULES_AT,
    ),
    Operation(
        method="POST",
        path="/me/notification-rules/preview",
        name="previewRulesBody",
        summary="What these unsaved rules would do with a page arriving now (or at)",
        tag="notifications",
        handler=preview_rules,
        body=NotificationRules,
        response=RulesPreview,
        query=RULES_AT,
    ),
    Operation(
        method="PUT",
        path="/me/notification-rules",
        name="putNotificationRules",
        summary="Replace my notification rules",
        tag="notifications",
        handler=put_rules,
        body=NotificationRules,
        response=NotificationRules,
    ),
    Operation(
        method="GET",
        path="/me/teams-connection",
        name="myTeamsConnection",
        summary="Whether the Teams bot has a 1:1 chat with me (and runs at all)",
        tag="notifications",
        handler=my_teams_connection,
        response=TeamsConnection,
    ),
    Operation(
        method="GET",
        path="/me/deliveries",
        name="myDeliveries",
        summary="Notifications sent to me",
        tag="notifications",
        handler=my_deliveries,
        response=DeliveryAttempt,
        is_list=True,
        query=PAGING,
    ),
    Operation(
        method="GET",
        path="/incidents/{incident_id}/deliveries",
        name="incidentDeliveries",
        summary="Notifications sent for an incident",
        tag="incidents",
        handler=incident_deliveries,
        response=DeliveryAttempt,
        is_list=True,
        query=PAGING,
    ),
    Operation(
        method="GET",
        path="/webhooks",
        name="listWebhooks",
        summary="Outgoing webhooks",
        tag="notifications",
        handler=list_webhooks,
        response=WebhookView,
        is_list=True,
        query=(*PAGING, *TEAM_FILTER),
    ),
    Operation(
        method="POST",
        path="/webhooks",
        name="createWebhook",
        summary="Create an outgoing webhook (secret once)",
        tag="notifications",
        handler=create_webhook,
        body=WebhookBody,
        response=WebhookCreated,
        status=201,
    ),
    Operation(
        method="DELETE",
        path="/webhooks/{webhook_id}",
        name="deleteWebhook",
        summary="Delete an outgoing webhook",
        tag="notifications",
        handler=delete_webhook,
        status=204,
    ),
]
