"""A person's contact methods (added, proven, removed) and notification rules, and reading them.

E-mail, SMS and voice numbers must be proven with a one-time code before they are paged (a
typo must not page a stranger); sending codes is rate-limited per person and address
(:mod:`shared.notifications.verify_limits`). Every delivery reads a person's rules and methods
through :func:`preferences`, cached in the ports; changes made here drop the cached entry.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta

from shared.auth.secret_hash import secret_hash, secret_matches
from shared.errors import InvalidInput, NotFound
from shared.notifications.channels import PermanentDeliveryError
from shared.notifications.delivery import NotifyPorts
from shared.notifications.models import ContactKind, ContactMethod, NotificationRules, check_address
from shared.notifications.render import render_direct
from shared.notifications.verify_limits import take_verification_slot
from shared.outbound.targets import check_saved_target
from shared.store.codec import from_doc, to_doc
from shared.store.port import DocumentStore, eq

RULES = "notification_rules"
CONTACTS = "contact_methods"
CODE_TTL = timedelta(minutes=15)
CODE_ATTEMPTS = 5


async def get_rules(store: DocumentStore, user_id: str) -> NotificationRules | None:
    doc = await store.get(RULES, user_id, user_id)
    if doc is None:
        return None
    return NotificationRules.model_validate(
        {k: v for k, v in doc.items() if k not in ("id", "pk", "_etag", "user_id")}
    )


async def contact_methods(store: DocumentStore, user_id: str) -> list[ContactMethod]:
    page = await store.query(CONTACTS, where=[eq("user_id", user_id)], limit=50)
    methods = [from_doc(ContactMethod, d) for d in page.items]
    return sorted(methods, key=lambda m: (m.created_at or datetime.min.replace(tzinfo=UTC), m.id))


async def preferences(
    ports: NotifyPorts, user_id: str
) -> tuple[NotificationRules | None, list[ContactMethod]]:
    hit, value = ports.prefs.get(user_id)
    if hit and value is not None:
        return value
    value = (await get_rules(ports.store, user_id), await contact_methods(ports.store, user_id))
    ports.prefs.put(user_id, value)
    return value


async def add_contact_method(
    *, ports: NotifyPorts, user_id: str, kind: ContactKind, address: str, label: str = ""
) -> ContactMethod:
    """Create a contact method; e-mail, SMS and voice get a 6-digit code to prove ownership
    (a voice number gets a call that reads the code out)."""
    try:
        check_address(kind, address)
    except ValueError as exc:
        raise InvalidInput(str(exc), field="address") from None
    if kind == "webhook":
        check_saved_target(ports.http, address, field="address")
    now = ports.clock()
    method = ContactMethod(
        id=f"cm-{secrets.token_hex(6)}",
        user_id=user_id,
        kind=kind,
        address=address,
        label=label,
        created_at=now,
    )
    code: str | None = None
    if method.needs_verification:
        await take_verification_slot(
            ports.store, user_id=user_id, kind=kind, address=address, now=now
        )
        code = f"{secrets.randbelow(1_000_000):06d}"
        method = method.model_copy(
            update={
                "code_hash": secret_hash(f"{method.id}:{code}"),
                "code_expires_at": now + CODE_TTL,
            }
        )
    else:
        method = method.model_copy(update={"verified": True})
    await ports.store.create(CONTACTS, to_doc(method, pk_field="user_id", pk=user_id))
    ports.prefs.discard(user_id)
    if code is not None:
        channel = ports.channels.get(kind) or ports.channels["console"]
        message = render_direct(
            "Your OpenAlert verification code",
            f"Your OpenAlert verification code is {code}. It expires in 15 minutes.",
            base_url=ports.base_url,
            # Read out digit by digit on a voice call.
            spoken=f"Your OpenAlert verification code is {', '.join(code)}.",
        )
        try:
            await channel.send(
                target=address,
                message=message,
                payload={"event": "verify"},
                idempotency_key=f"verify:{method.id}",
            )
        except PermanentDeliveryError as exc:
            await ports.store.delete(CONTACTS, user_id, method.id)
            raise InvalidInput(
                f"The address cannot receive messages: {exc.detail}", field="address"
            ) from None
    return method


async def verify_contact_method(
    *, ports: NotifyPorts, user_id: str, method_id: str, code: str
) -> ContactMethod:
    doc = await ports.store.get(CONTACTS, user_id, method_id)
    if doc is None:
        raise NotFound(f"Contact method {method_id!r} does not exist.")
    method = from_doc(ContactMethod, doc)
    if method.verified:
        return method
    now = ports.clock()
    if (
        method.code_attempts >= CODE_ATTEMPTS
        or not method.code_expires_at
        or (now > method.code_expires_at)
    ):
        raise InvalidInput(
            "The code expired or was tried too often; add the method again.", field="code"
        )
    if not secret_matches(f"{method.id}:{code.strip()}", method.code_hash):
        await ports.store.replace(
            CONTACTS, {**doc, "code_attempts": method.code_attempts + 1}, if_match=doc["_etag"]
        )
        raise InvalidInput("That code is not right.", field="code")
    verified = method.model_copy(
        update={"verified": True, "code_hash": None, "code_expires_at": None}
    )
    await ports.store.replace(
        CONTACTS, to_doc(verified, pk_field="user_id", pk=user_id), if_match=doc["_etag"]
    )
    ports.prefs.discard(user_id)
    return verified


async def delete_contact_method(*, store: DocumentStore, user_id: str, method_id: str) -> None:
    if await store.get(CONTACTS, user_id, method_id) is None:
        raise NotFound(f"Contact method {method_id!r} does not exist.")
    await store.delete(CONTACTS, user_id, method_id)


async def put_rules(
    *, store: DocumentStore, user_id: str, rules: NotificationRules, methods: list[ContactMethod]
) -> NotificationRules:
    known = (
        {m.id for m in methods}
        | {m.kind for m in methods}
        | {"email", "sms", "voice", "webhook", "teams", "console"}
    )
    for ruleset in (rules.default, rules.important):
        for step in ruleset:
            if step.type == "notify" and step.contact not in known:
                raise InvalidInput(f"Unknown contact method {step.contact!r}.", field="contact")
    await store.upsert(
        RULES, {"id": user_id, "pk": user_id, "user_id": user_id, **rules.model_dump(mode="json")}
    )
    return rules
