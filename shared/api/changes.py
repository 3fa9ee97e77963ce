"""API: the changes of a service and those that preceded an incident (PagerDuty Change Events)."""

from __future__ import annotations

from shared.api.router import Operation, Reply, Request, page
from shared.catalog import changes
from shared.catalog.service import get_service
from shared.incidents.service import get_incident


async def list_service_changes(req: Request) -> Reply:
    store = req.ports.store
    service, _ = await get_service(
        store=store, principal=req.caller, service_id=req.params["service_id"]
    )
    items = await changes.changes_between(store, service.id, limit=req.limit())
    return page(items, None)


async def list_incident_changes(req: Request) -> Reply:
    incident = await get_incident(
        store=req.ports.store, principal=req.caller, incident_id=req.params["incident_id"]
    )
    items = await changes.changes_between(
        req.ports.store,
        incident.service_id,
        since=incident.created_at - changes.WINDOW,
        until=incident.created_at,
        limit=req.limit(),
    )
    return page(items, None)


OPERATIONS = [
    Operation(
        method="GET",
        path="/services/{service_id}/changes",
        name="listServiceChanges",
        summary="Changes of a service (PagerDuty Change Events), newest first, 30 days",
        tag="services",
        handler=list_service_changes,
        response=changes.ServiceChange,
        is_list=True,
    ),
    Operation(
        method="GET",
        path="/incidents/{incident_id}/changes",
        name="listIncidentChanges",
        summary=("Changes of the incident's service in the 4 hours before it opened, newest first"),
        tag="incidents",
        handler=list_incident_changes,
        response=changes.ServiceChange,
        is_list=True,
    ),
]
