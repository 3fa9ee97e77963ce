"""``/api/v1``: the operation table. Each domain module (``shared.api.incidents``,
``incident_bulk``, ``catalog``, ``heartbeats``, ``escalation``, ``schedules``, ``schedule_preview``,
``oncall``, ``calendars``, ``notifications``, ``users``, ``keys``, ``changes``, ``statuspages``)
keeps its handlers beside its ``OPERATIONS`` rows; this module only gathers them into
:data:`API`."""

from __future__ import annotations

from shared.api import (
    calendars,
    catalog,
    changes,
    escalation,
    heartbeats,
    incident_bulk,
    incidents,
    keys,
    notifications,
    oncall,
    schedule_preview,
    schedules,
    statuspages,
    users,
)
from shared.api.ports import ApiPorts
from shared.api.router import Api, Operation, Reply, Request, ok

__all__ = ["API", "ApiPorts"]


async def openapi(req: Request) -> Reply:
    from shared.api.openapi import document

    return ok(document(API))


API = Api(
    [
        Operation(
            method="GET",
            path="/openapi.json",
            name="openapi",
            summary="This document",
            tag="meta",
            handler=openapi,
            public=True,
        ),
        *users.OPERATIONS,
        *incidents.OPERATIONS,
        *incident_bulk.OPERATIONS,
        *catalog.OPERATIONS,
        *heartbeats.OPERATIONS,
        *escalation.OPERATIONS,
        *schedules.OPERATIONS,
        *oncall.OPERATIONS,
        *schedule_preview.OPERATIONS,
        *calendars.OPERATIONS,
        *keys.OPERATIONS,
        *notifications.OPERATIONS,
        *changes.OPERATIONS,
        *statuspages.OPERATIONS,
    ]
)
