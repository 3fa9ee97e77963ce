"""A route with an ``active`` window routes by when its envelope arrived, through the real
processing and store: inside the window it applies, outside it the default route does."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from shared.catalog.models import Route
from shared.pipeline.process import process_envelope
from shared.store.codec import to_doc
from shared.store.sqlite import SqliteStore
from tests.contract.test_pipeline_process import T0, _envelope, _ports, _seed


async def test_a_windowed_route_applies_only_to_alerts_received_inside_it(tmp_path: Path) -> None:
    store = await SqliteStore.open(tmp_path / "windows.sqlite")
    try:
        await _seed(store)
        # T0 is 10:00 in Berlin (CET): inside 09:30-11:00, and 13:00 is not.
        quiet = Route.model_validate(
            {
                "id": "route-quiet",
                "integration_id": "int-1",
                "position": 0,
                "conditions": [{"field": "title", "op": "exists"}],
                "page": False,
                "active": {
                    "timezone": "Europe/Berlin",
                    "ranges": [{"start": "09:30", "end": "11:00"}],
                },
            }
        )
        await store.upsert("routes", to_doc(quiet))
        _, ports = _ports(store, cache_ttl_s=0)
        inside = await process_envelope(_envelope(1, "in"), ports=ports, first_delivery=True)
        later = _envelope(2, "out").model_copy(update={"received_at": T0 + timedelta(hours=3)})
        outside = await process_envelope(later, ports=ports, first_delivery=True)
        incidents = {d["id"]: d for d in (await store.query("incidents", limit=10)).items}
        assert incidents[inside.outcomes[0].incident_id]["page"] is False
        assert incidents[outside.outcomes[0].incident_id]["page"] is True
    finally:
        await store.close()
