"""The Teams bot: incident card clicks, chat commands, installs, and posting/updating cards.

A click arrives as an ``adaptiveCard/action`` invoke. The clicker is identified by
``from.aadObjectId`` — the same Entra object id the API's tokens carry — and authorized with the
roles and teams recorded for that person (``User.app_roles`` from their latest sign-in,
``User.teams``), so Teams allows exactly what the API allows. The answer is the updated card,
which Teams shows in place of the clicked one; other copies of the card (the channel post, other
people's 1:1 messages) are updated from the notification queue.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from microsoft_agents.activity import Activity

from shared.auth.access import can, principal_of
from shared.auth.documents import load_user
from shared.auth.models import Action as Right
from shared.auth.models import User
from shared.catalog.service import service_name
from shared.errors import Conflict, Forbidden, InvalidInput, NotFound
from shared.incidents.models import Action, Actor, Incident
from shared.incidents.stored import load_incident, open_incidents
from shared.msteams.cards import (
    HELP,
    STATUS_UPDATE,
    VERBS,
    incident_card,
    message_card,
    parse_command,
)
from shared.msteams.connection import CONVERSATIONS
from shared.msteams.connector import ConnectorClient, card_activity
from shared.msteams.status_update import post_status_update
from shared.msteams.tab import incident_deep_link, teams_app_id
from shared.msteams.text import md_escape, personal_text
from shared.notifications.channels import Delivery, PermanentDeliveryError, Sent
from shared.notifications.render import Message, incident_url
from shared.schedules import limits, stored
from shared.schedules.resolve import final_schedule, on_call
from shared.store.codec import utc_iso
from shared.store.port import DocumentStore, eq

log = logging.getLogger(__name__)

CARDS = "teams_cards"
#: Where Teams sends bots' traffic in the public cloud, for a first 1:1 message to someone
#: the bot has not heard from in this process (Teams answers with the right region's URL).
DEFAULT_SERVICE_URL = "https://smba.trafficmanager.net/teams/"

Act = Callable[..., Awaitable[Incident]]
NOT_SET_UP = (
    "You are not set up in OpenAlert yet: sign in to OpenAlert once, or ask an OpenAlert admin "
    "to add you to the team."
)
CANNOT_SEE = (
    "You cannot see this incident: OpenAlert gives you no right to read incidents of its team."
)


@dataclass
class TeamsPorts:
    store: DocumentStore
    connector: ConnectorClient
    bot_id: str
    tenant_id: str
    base_url: str
    #: ``shared.incidents.service.act`` with store and escalation bound; None where the bot
    #: only posts (the notification path).
    act: Act | None = None
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))


# --- identity --------------------------------------------------------------------------------
def _aad_object_id(activity: Activity) -> str:
    # The SDK types ``from`` as always present; on the wire it may be missing.
    sender = activity.from_property
    return (sender.aad_object_id or "") if sender is not None else ""


def _dict(value: object) -> dict[str, Any]:
    """``value`` and ``channelData`` are untyped JSON in the Activity model."""
    return value if isinstance(value, dict) else {}


async def _user(store: DocumentStore, activity: Activity) -> User | None:
    aad = _aad_object_id(activity)
    if not aad:
        return None
    return await load_user(store, aad)


# --- cards -----------------------------------------------------------------------------------
async def on_call_for_team(store: DocumentStore, team_id: str, now: datetime) -> list[str]:
    page = await stored.query_schedules(store, team_ids=[team_id], limit=20)
    names: list[str] = []
    for doc in page.items:
        try:
            schedule = stored.load(doc)
            names.extend((await limits.compute(on_call, schedule, now)).users)
        except (stored.NeedsRepair, limits.ScheduleTooComplex) as exc:
            # The card still goes out; the schedule's own pages say it needs repair.
            log.warning("On-call of schedule %s not shown: %s", doc.get("id"), exc.detail)
    return list(dict.fromkeys(names))


async def card_for(
    ports: TeamsPorts, incident: Incident, notice: str | None = None
) -> dict[str, Any]:
    url = incident_url(ports.base_url, incident.id)
    return incident_card(
        incident,
        service_name=await service_name(ports.store, incident.service_id),
        on_call=await on_call_for_team(ports.store, incident.team_id, ports.clock()),
        url=url,
        notice=notice,
        tab_url=incident_deep_link(teams_app_id(ports.bot_id), incident.id, url),
    )


def invoke_card(card: dict[str, Any]) -> dict[str, Any]:
    return {"statusCode": 200, "type": "application/vnd.microsoft.card.adaptive", "value": card}


# --- inbound activities ----------------------------------------------------------------------
@dataclass
class Handled:
    """What the HTTP adapter answers (``invoke`` only) and what to queue afterwards."""

    invoke: dict[str, Any] | None = None
    messages: list[dict[str, Any]] = field(default_factory=list)


async def handle(activity: Activity, *, ports: TeamsPorts) -> Handled:
    kind = activity.type
    await remember_conversation(activity, ports=ports)
    if kind == "invoke" and activity.name == "adaptiveCard/action":
        return await _card_action(activity, ports)
    if kind == "message":
        await _command(activity, ports)
        return Handled()
    if kind == "invoke":
        return Handled(
            invoke={
                "statusCode": 200,
                "type": "application/vnd.microsoft.activity.message",
                "value": "Not supported.",
            }
        )
    return Handled()


async def _card_action(activity: Activity, ports: TeamsPorts) -> Handled:
    action = _dict(_dict(activity.value).get("action"))
    verb = str(action.get("verb") or "")
    data = _dict(action.get("data"))
    incident_id = str(data.get("incident_id") or "")
    if not incident_id:
        raise InvalidInput("The card action carries no incident.", field="action.data")
    # The card's data is the clicker's to forge: who they are decides what the answer shows,
    # before anything of the incident does. Acting is checked again by the incident service.
    user = await _user(ports.store, activity)
    if user is None:
        return Handled(invoke=invoke_card(message_card(NOT_SET_UP)))
    incident = await load_incident(ports.store, incident_id)
    if incident is None:
        return Handled(invoke=invoke_card(message_card("This incident no longer exists.")))
    principal = principal_of(user)
    if not can(principal, Right.READ_INCIDENTS, [incident.team_id]):
        return Handled(invoke=invoke_card(message_card(CANNOT_SEE)))
    if verb == STATUS_UPDATE:
        notice = await post_status_update(
            store=ports.store, principal=principal, incident=incident, data=data, now=ports.clock()
        )
        return Handled(invoke=invoke_card(await card_for(ports, incident, notice=notice)))
    if verb == "refresh" or verb not in VERBS:
        return Handled(invoke=invoke_card(await card_for(ports, incident)))
    kind, minutes = VERBS[verb]
    note = str(data.get("note") or "").strip() or None
    if kind == "add_note" and not note:
        return Handled(
            invoke=invoke_card(await card_for(ports, incident, notice="Type a note first."))
        )
    if ports.act is None:
        raise InvalidInput("Card actions are not handled here.")
    try:
        updated = await ports.act(
            principal=principal,
            incident_id=incident_id,
            action=Action(
                kind=kind,
                actor=Actor(kind="user", id=user.id, display=user.name),
                snooze_for=timedelta(minutes=minutes) if minutes else None,
                note=note,
                via="teams",
            ),
            now=ports.clock(),
        )
    except Forbidden:
        role = ", ".join(sorted(r.value for r in principal.roles)) or "no OpenAlert role"
        return Handled(
            invoke=invoke_card(
                await card_for(
                    ports,
                    incident,
                    notice=f"You cannot {verb.rstrip('0123456789')} this incident ({role}; "
                    "responders act on incidents of their own teams).",
                )
            )
        )
    except (Conflict, NotFound, InvalidInput) as exc:
        return Handled(invoke=invoke_card(await card_for(ports, incident, notice=exc.detail)))
    # Everyone else's copy of the card is brought up to date from the queue.
    follow_up = {
        "type": "teams_update",
        "incident_id": incident_id,
        "idempotency_key": f"teams-update:{incident_id}:{utc_iso(updated.updated_at)}",
    }
    return Handled(invoke=invoke_card(await card_for(ports, updated)), messages=[follow_up])


async def _reply(ports: TeamsPorts, activity: Activity, text: str) -> None:
    assert activity.conversation is not None and activity.service_url  # parse_activity's checks
    reply = Activity(type="message", text=text, text_format="markdown")
    if activity.id:
        # The SDK's model refuses an explicit None here; an activity may arrive without an id.
        reply.reply_to_id = activity.id
    await ports.connector.send(activity.service_url, activity.conversation.id, reply)


async def _command(activity: Activity, ports: TeamsPorts) -> None:
    command = parse_command(activity.text or "")
    user = await _user(ports.store, activity)
    if user is None:
        await _reply(
            ports,
            activity,
            "Hi! You are not set up in OpenAlert yet. Sign in to OpenAlert once (or ask "
            "an admin to add you to your team), then try again.",
        )
        return
    if command in ("help", "unknown"):
        prefix = "" if command == "help" else "I did not understand that. "
        await _reply(ports, activity, prefix + HELP)
        return
    # "Your teams", narrowed by the rights the API would grant the person there: a membership
    # without an app role (or one removed since) shows nothing.
    principal = principal_of(user)
    right = Right.READ if command == "oncall" else Right.READ_INCIDENTS
    teams = sorted(t for t in user.teams if can(principal, right, [t]))
    if not teams:
        text = (
            "Your OpenAlert role gives you no access to your teams."
            if user.teams
            else "You are not in any OpenAlert team yet."
        )
        await _reply(ports, activity, text)
        return
    now = ports.clock()
    if command == "oncall":
        lines = []
        for team_id in teams:
            page = await stored.query_schedules(ports.store, team_ids=[team_id], limit=20)
            for doc in page.items:
                try:
                    schedule = stored.load(doc)
                    current = ", ".join((await limits.compute(on_call, schedule, now)).users)
                    window = await limits.compute(
                        final_schedule, schedule, now, now + timedelta(days=14)
                    )
                except (stored.NeedsRepair, limits.ScheduleTooComplex) as exc:
                    name = md_escape(str(doc.get("name") or doc.get("id")))
                    lines.append(f"- **{name}**: cannot be resolved ({md_escape(exc.detail)})")
                    continue
                current = current or "nobody"
                upcoming = [s for s in window if s.user and s.start > now]
                nxt = (
                    f"{upcoming[0].user} from {upcoming[0].start:%a %H:%M} UTC" if upcoming else "—"
                )
                lines.append(
                    f"- **{md_escape(schedule.name)}**: {md_escape(current)} now; "
                    f"next {md_escape(nxt)}"
                )
        await _reply(ports, activity, "\n".join(lines) or "Your teams have no schedules yet.")
        return
    items, _ = await open_incidents(ports.store, team_ids=teams, newest_first=True, limit=10)
    if not items:
        await _reply(ports, activity, "No open incidents for your teams.")
        return
    lines = [
        f"- \\[{i.severity}\\] #{i.number} {md_escape(i.title)} ({i.status.value}) "
        f"[open]({incident_url(ports.base_url, i.id)})"
        for i in items
    ]
    await _reply(ports, activity, "Open incidents:\n" + "\n".join(lines))


async def remember_conversation(activity: Activity, *, ports: TeamsPorts) -> None:
    """Keep a conversation reference for every channel and person the bot hears from."""
    conversation = activity.conversation
    if conversation is None or not activity.service_url:
        return
    conversation_id = conversation.id
    channel_data = _dict(activity.channel_data)
    is_channel = conversation.conversation_type == "channel" or "channel" in channel_data
    user_id = _aad_object_id(activity)
    ref = {
        "id": conversation_id,
        "pk": conversation_id,
        "kind": "channel" if is_channel else "personal",
        "service_url": activity.service_url,
        "tenant_id": str(
            _dict(channel_data.get("tenant")).get("id") or conversation.tenant_id or ports.tenant_id
        ),
        "team_id": str(_dict(channel_data.get("team")).get("id") or ""),
        "channel_name": str(_dict(channel_data.get("channel")).get("name") or ""),
        "user_id": "" if is_channel else user_id,
        "updated_at": utc_iso(ports.clock()),
    }
    existing = await ports.store.get(CONVERSATIONS, conversation_id, conversation_id)
    if existing is None or any(existing.get(k) != v for k, v in ref.items() if k != "updated_at"):
        await ports.store.upsert(CONVERSATIONS, ref)
        if (
            existing is None
            and activity.type in ("conversationUpdate", "installationUpdate")
            and is_channel
        ):
            await ports.connector.send(
                activity.service_url,
                conversation_id,
                Activity(
                    type="message",
                    text=(
                        "OpenAlert is installed here. To post incidents to this channel, use "
                        f"channel id `{conversation_id}` in an escalation policy's "
                        "post_to_channel step."
                    ),
                ),
            )


# --- outbound: cards in channels and 1:1 -----------------------------------------------------
async def post_or_update(ports: TeamsPorts, incident: Incident, conversation_id: str) -> str:
    """The incident's card in one conversation: posted once, then always updated in place."""
    ref = await ports.store.get(CONVERSATIONS, conversation_id, conversation_id)
    if ref is None:
        raise PermanentDeliveryError(
            f"teams: the bot has no conversation {conversation_id!r} (is the app installed?)"
        )
    card = await card_for(ports, incident)
    activity = card_activity(card, summary=f"#{incident.number} {incident.title}")
    existing = await ports.store.get(CARDS, incident.id, conversation_id)
    if existing is not None:
        await ports.connector.update(
            ref["service_url"], conversation_id, existing["activity_id"], activity
        )
        return str(existing["activity_id"])
    activity_id = await ports.connector.send(ref["service_url"], conversation_id, activity)
    await ports.store.upsert(
        CARDS,
        {
            "id": conversation_id,
            "incident_id": incident.id,
            "activity_id": activity_id,
            "service_url": ref["service_url"],
        },
    )
    return activity_id


async def personal_conversation(ports: TeamsPorts, user_id: str) -> str:
    page = await ports.store.query(CONVERSATIONS, where=[eq("user_id", user_id)], limit=5)
    personal = [d for d in page.items if d.get("kind") == "personal"]
    if personal:
        return str(personal[0]["id"])
    any_ref = await ports.store.query(CONVERSATIONS, where=[eq("kind", "channel")], limit=1)
    service_url = any_ref.items[0]["service_url"] if any_ref.items else DEFAULT_SERVICE_URL
    conversation_id = await ports.connector.create_conversation(
        service_url, bot_id=ports.bot_id, user_id=user_id, tenant_id=ports.tenant_id
    )
    await ports.store.upsert(
        CONVERSATIONS,
        {
            "id": conversation_id,
            "pk": conversation_id,
            "kind": "personal",
            "service_url": service_url,
            "tenant_id": ports.tenant_id,
            "team_id": "",
            "channel_name": "",
            "user_id": user_id,
            "updated_at": utc_iso(ports.clock()),
        },
    )
    return conversation_id


async def update_all(ports: TeamsPorts, incident_id: str) -> int:
    """Bring every posted copy of an incident's card up to date; returns how many."""
    incident = await load_incident(ports.store, incident_id)
    if incident is None:
        return 0
    page = await ports.store.query(CARDS, where=[eq("incident_id", incident_id)], limit=100)
    for card in page.items:
        await post_or_update(ports, incident, str(card["id"]))
    return len(page.items)


@dataclass
class TeamsPersonalChannel:
    """The ``teams`` contact kind: the bot messages the person 1:1 with the incident card."""

    ports: TeamsPorts
    name: str = "teams"

    async def send(
        self,
        *,
        target: str,
        message: Message,
        payload: dict[str, Any],
        idempotency_key: str,
        delivery: Delivery | None = None,
    ) -> Sent:
        conversation_id = await personal_conversation(self.ports, target)
        incident_doc = payload.get("incident")
        if isinstance(incident_doc, dict):
            activity_id = await post_or_update(
                self.ports, Incident.model_validate(incident_doc), conversation_id
            )
        else:
            ref = await self.ports.store.get(CONVERSATIONS, conversation_id, conversation_id)
            assert ref is not None
            activity_id = await self.ports.connector.send(
                ref["service_url"],
                conversation_id,
                Activity(type="message", text=personal_text(message, base_url=self.ports.base_url)),
            )
        return Sent(provider_id=activity_id)


@dataclass
class TeamsChannelPoster:
    """The ``post_to_channel`` escalation step and card refreshes (``teams_channel`` port)."""

    ports: TeamsPorts
    name: str = "teams_channel"

    async def send(
        self,
        *,
        target: str,
        message: Message,
        payload: dict[str, Any],
        idempotency_key: str,
        delivery: Delivery | None = None,
    ) -> Sent:
        incident = Incident.model_validate(payload["incident"])
        return Sent(provider_id=await post_or_update(self.ports, incident, target))

    async def update_all(self, incident_id: str) -> int:
        return await update_all(self.ports, incident_id)
