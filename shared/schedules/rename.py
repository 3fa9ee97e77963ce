"""A person's new id in every schedule: a pending user's first sign-in (``shared.auth.pending``)
moves each reference to the e-mail placeholder — participants, overrides, swaps — to the real
Entra id, through the schedule write loop so a concurrent edit is never lost."""

from __future__ import annotations

import logging

from shared.schedules.models import Schedule
from shared.schedules.overrides import change
from shared.schedules.stored import NeedsRepair, query_schedules
from shared.store.port import DocumentStore

log = logging.getLogger(__name__)


async def rename_person(store: DocumentStore, old: str, new: str) -> None:
    """Every schedule reference to ``old`` (participants, overrides, swaps) now names ``new``:
    a pending user's first sign-in."""
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

    def taker(user: str | None) -> str | None:
        return None if user is None else swap(user)

    layers = tuple(
        layer.model_copy(update={"participants": tuple(swap(p) for p in layer.participants)})
        for layer in schedule.layers
    )
    overrides = tuple(o.model_copy(update={"user": swap(o.user)}) for o in schedule.overrides)
    swaps = tuple(
        s.model_copy(update={"requester_id": swap(s.requester_id), "taker_id": taker(s.taker_id)})
        for s in schedule.swaps
    )
    return schedule.model_copy(update={"layers": layers, "overrides": overrides, "swaps": swaps})
