"""People a schedule names must exist: one check for participants, override people and swap
takers, so ``alice@example.con`` or ``no-such-user`` is a 400 naming the field, not a rotation
that pages nobody.

Kept to existence on purpose: whether the saving team may use a person (team boundaries) is a
separate check that sits beside this one.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence

from shared.auth.documents import load_user_label, user_exists
from shared.errors import InvalidInput
from shared.schedules.ical import Person
from shared.schedules.models import GAP, Layer, Schedule
from shared.store.port import DocumentStore

log = logging.getLogger(__name__)


class UnknownPerson(InvalidInput):
    type_slug = "unknown-person"
    title = "Unknown person"


def layer_people(layers: Sequence[Layer]) -> list[tuple[str, str]]:
    """(field path, user id) of every participant, in body order."""
    return [
        (f"layers.{i}.participants.{j}", person)
        for i, layer in enumerate(layers)
        for j, person in enumerate(layer.participants)
        if person != GAP
    ]


async def require_people(store: DocumentStore, named: Iterable[tuple[str, str]]) -> None:
    """Raise :class:`UnknownPerson` for the first (field, user id) that is not a known user."""
    known: dict[str, bool] = {}
    for field, user_id in named:
        if user_id not in known:
            known[user_id] = await user_exists(store, user_id)
        if not known[user_id]:
            raise UnknownPerson(
                f"{field}: {user_id!r} is not a known user. People are named by user id "
                "(see GET /users); someone who has never signed in can be added by e-mail "
                "as a pending user (POST /users/pending).",
                field=field,
            )


async def names(store: DocumentStore, user_ids: Iterable[str]) -> dict[str, Person]:
    """Display name and e-mail of each known user (for calendar exports)."""
    out: dict[str, Person] = {}
    for user_id in sorted(set(user_ids)):
        label = await load_user_label(store, user_id)
        if label is not None:
            out[user_id] = Person(name=label.name or user_id, email=label.email)
    return out


async def rename_person(store: DocumentStore, old: str, new: str) -> None:
    """Every schedule reference to ``old`` (participants, overrides, swaps) now names ``new``:
    a pending user's first sign-in."""
    # Imported here: the override module builds on this one.
    from shared.schedules.overrides import change
    from shared.schedules.stored import NeedsRepair, query_schedules

    continuation: str | None = None
    while True:
        page = await query_schedules(store, continuation=continuation)
        for doc in page.items:
            if old in str(doc):
                try:
                    await change(store, str(doc["id"]), lambda s: (_renamed(s, old, new), None))
                except NeedsRepair as exc:
                    # A sign-in never fails on a schedule someone else must repair.
                    log.error("Schedule %s not updated for %s: %s", doc.get("id"), new, exc.detail)
        continuation = page.continuation
        if continuation is None:
            return


def _renamed(schedule: Schedule, old: str, new: str) -> Schedule:
    def swap(user: str) -> str:
        return new if user == old else user

    layers = tuple(
        layer.model_copy(update={"participants": tuple(swap(p) for p in layer.participants)})
        for layer in schedule.layers
    )
    overrides = tuple(o.model_copy(update={"user": swap(o.user)}) for o in schedule.overrides)
    swaps = tuple(
        s.model_copy(update={"requester_id": swap(s.requester_id), "taker_id": swap(s.taker_id)})
        for s in schedule.swaps
    )
    return schedule.model_copy(update={"layers": layers, "overrides": overrides, "swaps": swaps})
