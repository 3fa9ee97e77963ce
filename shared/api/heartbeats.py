"""API: heartbeats — each heartbeat integration's last ping and state (``ok``, ``waiting``,
``missed``...), by the timer's own rule (``shared.pipeline.heartbeat_status``). A heartbeat is
created as an integration of format ``heartbeat`` (``POST /integrations``)."""

from __future__ import annotations

from shared.api.ports import PAGING, TEAM_FILTER, ports_of
from shared.api.router import Operation, Reply, Request, ok, page
from shared.pipeline import heartbeat_status as heartbeats


async def list_heartbeats(req: Request) -> Reply:
    items, token = await heartbeats.list_heartbeats(
        store=ports_of(req).store,
        principal=req.caller,
        team_id=req.query.get("team_id") or None,
        limit=req.limit(),
        continuation=req.continuation(),
        now=ports_of(req).clock(),
    )
    return page(items, token)


async def get_heartbeat(req: Request) -> Reply:
    status = await heartbeats.get_heartbeat(
        store=ports_of(req).store,
        principal=req.caller,
        integration_id=req.params["integration_id"],
        now=ports_of(req).clock(),
    )
    return ok(status)


OPERATIONS = [
    Operation(
        method="GET",
        path="/heartbeats",
        name="listHeartbeats",
        summary="Heartbeats with their last ping and state",
        tag="integrations",
        handler=list_heartbeats,
        response=heartbeats.HeartbeatStatus,
        is_list=True,
        query=(*PAGING, *TEAM_FILTER),
    ),
    Operation(
        method="GET",
        path="/heartbeats/{integration_id}",
        name="getHeartbeat",
        summary="A heartbeat's last ping and state",
        tag="integrations",
        handler=get_heartbeat,
        response=heartbeats.HeartbeatStatus,
    ),
]
