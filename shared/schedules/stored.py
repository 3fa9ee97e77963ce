"""Reading stored schedules, some of which were saved before a rule they now break (a layer
shorter than the 15-minute minimum, an RRULE form no longer accepted, too dense a rotation).

Such a schedule is never silently used (who is on call in it cannot be trusted) and never a
500: a reader of one schedule gets :class:`NeedsRepair` (409) naming the rule, a reader of
many (the list, the on-call card, a person's calendar) skips it or lists it with its
``problems``, and an escalation step records that it could not be resolved and why.

This module owns the ``schedules`` container: other packages read and write schedules through
its ``load_*``/``save_*``/``query_*`` functions, never by the container's name.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from shared.errors import Conflict, NotFound
from shared.schedules.models import Schedule, check_density
from shared.store.codec import from_doc
from shared.store.port import Doc, DocumentStore, Page, eq, in_

SCHEDULES = "schedules"

#: Parts of a schedule made of independent elements: a broken element is left out of a
#: listing, not the whole schedule.
_ELEMENTS = ("layers", "overrides", "swaps")


class NeedsRepair(Conflict):
    type_slug = "schedule-needs-repair"
    title = "Schedule needs repair"


class Problem(BaseModel):
    """A rule a stored schedule breaks; ``stored`` is the element as saved, for a repair."""

    model_config = ConfigDict(frozen=True)
    field: str
    detail: str
    stored: Any = None


class ListedSchedule(Schedule):
    """A schedule as listed. With ``problems``, the stored schedule breaks a rule added since
    it was saved (elements named there are left out of this answer, with their stored form);
    until a PUT of a corrected version repairs it, pages to it reach nobody through it."""

    problems: tuple[Problem, ...] = ()


def _fields(doc: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in doc.items() if k != "pk"}


def _where(loc: tuple[int | str, ...]) -> str:
    return ".".join(str(p) for p in loc)


def load(doc: dict[str, Any]) -> Schedule:
    """The stored schedule, or :class:`NeedsRepair` naming the first rule it breaks."""
    try:
        return from_doc(Schedule, _fields(doc))
    except ValidationError as exc:
        first = exc.errors()[0]
        where = _where(first["loc"])
        raise NeedsRepair(
            f"The stored schedule breaks a rule added since it was saved ({where}: "
            f"{first['msg']}); PUT a corrected version.",
            field=where,
        ) from None


def listed(doc: dict[str, Any]) -> ListedSchedule:
    """The stored schedule for a listing: always an answer, with its ``problems`` if any."""
    fields = _fields(doc)
    problems: list[Problem] = []
    # Each pass drops the elements (and resets the fields) an error names; a field's errors
    # all surface in one pass, so a few passes suffice.
    for _ in range(len(_ELEMENTS) + 2):
        try:
            schedule = from_doc(ListedSchedule, fields)
            break
        except ValidationError as exc:
            dropped: dict[str, set[int]] = {}
            for error in exc.errors():
                loc = error["loc"]
                problems.append(Problem(field=_where(loc), detail=error["msg"]))
                if len(loc) > 1 and loc[0] in _ELEMENTS and isinstance(loc[1], int):
                    dropped.setdefault(str(loc[0]), set()).add(loc[1])
                elif loc and loc[0] in _ELEMENTS:
                    fields[str(loc[0])] = []
                elif loc == ("time_zone",):
                    fields["time_zone"] = "UTC"
                else:
                    raise
            for name, indices in dropped.items():
                kept = []
                for i, element in enumerate(fields[name]):
                    if i in indices:
                        problems[:] = [
                            p.model_copy(update={"stored": element})
                            if f"{p.field}.".startswith(f"{name}.{i}.")
                            else p
                            for p in problems
                        ]
                    else:
                        kept.append(element)
                fields[name] = kept
    else:
        raise NeedsRepair(f"Schedule {doc.get('id')!r} cannot be read.")
    try:
        check_density(schedule.layers)
    except ValueError as exc:
        problems.append(Problem(field="layers", detail=str(exc)))
    return schedule.model_copy(update={"problems": tuple(problems)})


# --- the container ---------------------------------------------------------------------------
def schedule_doc(schedule: Schedule) -> Doc:
    # Layer starts are local wall-clock (naive) times, which the UTC codec refuses by design;
    # the schedule is stored in its own JSON form.
    return {**schedule.model_dump(mode="json"), "pk": schedule.id}


async def load_schedule_doc(store: DocumentStore, schedule_id: str) -> Doc | None:
    """The stored document as it is, for a reader that checks a stored field before the
    schedule's rules (the calendar link's token) or handles :class:`NeedsRepair` itself."""
    return await store.get(SCHEDULES, schedule_id, schedule_id)


async def load_schedule(store: DocumentStore, schedule_id: str) -> tuple[Schedule, str]:
    """The schedule and its ETag: NotFound without one, :class:`NeedsRepair` for a stored
    schedule that breaks a newer rule."""
    doc = await load_schedule_doc(store, schedule_id)
    if doc is None:
        raise NotFound(f"Schedule {schedule_id!r} does not exist.")
    return load(doc), str(doc["_etag"])


async def save_schedule(store: DocumentStore, schedule: Schedule, *, etag: str | None) -> None:
    """Write ``schedule``: a create without ``etag``, else a replace guarded by it."""
    if etag is None:
        await store.create(SCHEDULES, schedule_doc(schedule))
    else:
        await store.replace(SCHEDULES, schedule_doc(schedule), if_match=etag)


async def delete_schedule_doc(store: DocumentStore, schedule_id: str) -> None:
    await store.delete(SCHEDULES, schedule_id, schedule_id)


async def query_schedules(
    store: DocumentStore,
    *,
    team_ids: list[str] | None = None,
    limit: int = 100,
    continuation: str | None = None,
) -> Page:
    """One page of stored schedule documents (of ``team_ids`` when given). Each is read with
    :func:`load` or :func:`listed`, so a reader of many decides what a broken one means."""
    where = [] if team_ids is None else [in_("team_id", team_ids)]
    if team_ids is not None and len(team_ids) == 1:
        where = [eq("team_id", team_ids[0])]
    return await store.query(SCHEDULES, where=where, limit=limit, continuation=continuation)
