"""People a schedule names must exist: one check for participants, override people and swap
takers, so ``alice@example.con`` or ``no-such-user`` is a 400 naming the field, not a rotation
that pages nobody.

Kept to existence on purpose: whether the saving team may use a person (team boundaries) is a
separate check that sits beside this one.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from shared.auth.documents import load_user_label, user_exists
from shared.catalog.references import Ref
from shared.errors import InvalidInput
from shared.schedules.ical import Person
from shared.schedules.models import Layer, Override
from shared.store.port import DocumentStore


class UnknownPerson(InvalidInput):
    type_slug = "unknown-person"
    title = "Unknown person"


def layer_people(layers: Sequence[Layer]) -> list[tuple[str, str]]:
    """(field path, user id) of every participant, in body order."""
    return [
        (f"layers.{i}.participants.{j}", person)
        for i, layer in enumerate(layers)
        for j, person in enumerate(layer.participants)
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


def schedule_refs(layers: Iterable[Layer], overrides: Iterable[Override]) -> list[Ref]:
    """The people a schedule names: layer participants and override takers."""
    refs = [
        Ref("user", user_id, f"layers.{i}.participants.{j}")
        for i, layer in enumerate(layers)
        for j, user_id in enumerate(layer.participants)
    ]
    refs += [Ref("user", o.user, f"overrides.{k}.user") for k, o in enumerate(overrides)]
    return refs
