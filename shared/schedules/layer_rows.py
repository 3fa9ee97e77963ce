"""Each layer's own shifts, for the timeline's layer rows.

The final schedule says who is on call; an editor also wants to see what each rotation would do
on its own (where its restrictions leave it empty, where a lower layer shows through). Each row
is the same resolver the pager uses (:func:`~shared.schedules.resolve.final_schedule`) run on a
copy of the schedule holding only that layer and no overrides, so the browser never re-implements
rotations.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from shared.schedules import limits
from shared.schedules.models import Schedule, Shift
from shared.schedules.resolve import final_schedule


class LayerRow(BaseModel):
    #: Position in ``Schedule.layers`` (lowest priority first).
    index: int
    name: str
    #: The layer alone over the range; ``user`` None where it has nobody (restrictions, gap slots,
    #: before it starts or after it ends).
    shifts: list[Shift]


class LayerRows(BaseModel):
    start: datetime
    end: datetime
    layers: list[LayerRow]


def layer_rows(schedule: Schedule, start: datetime, end: datetime) -> LayerRows:
    """Pure: one row per layer over [start, end)."""
    rows = []
    for i, layer in enumerate(schedule.layers):
        alone = schedule.model_copy(update={"layers": (layer,), "overrides": ()})
        rows.append(LayerRow(index=i, name=layer.name, shifts=final_schedule(alone, start, end)))
    return LayerRows(start=start, end=end, layers=rows)


async def compute_layer_rows(schedule: Schedule, start: datetime, end: datetime) -> LayerRows:
    """:func:`layer_rows` in a worker thread under the schedule budget."""
    return await limits.compute(layer_rows, schedule, start, end)
