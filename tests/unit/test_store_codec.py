"""Documents hold JSON only: wall-clock times and dates (route windows, quiet hours) are stored
as ISO text and read back as the same values."""

from __future__ import annotations

import json
from datetime import time

from shared.catalog.models import Route
from shared.store.codec import from_doc, to_doc


def test_a_route_with_a_time_window_stores_and_reads_back() -> None:
    route = Route.model_validate(
        {
            "id": "r1",
            "integration_id": "int-1",
            "position": 0,
            "conditions": [{"field": "severity", "op": "exists"}],
            "active": {"timezone": "Europe/Berlin", "ranges": [{"start": "22:00", "end": "06:00"}]},
        }
    )
    doc = to_doc(route)
    json.dumps(doc)  # what every store adapter does with it
    assert doc["active"]["ranges"][0]["start"] == "22:00:00"
    back = from_doc(Route, doc)
    assert back == route and back.active is not None
    assert back.active.ranges[0].end == time(6, 0)
