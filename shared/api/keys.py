"""API: OpenAlert API keys (issue, list, read, revoke; ``shared.auth.service`` holds the rules)."""

from __future__ import annotations

from shared.api.ports import PAGING, ports_of
from shared.api.router import Operation, Reply, Request, ok, page
from shared.auth import service as auth
from shared.auth.models import ApiKeyCreate, ApiKeyRead, CreatedApiKey


async def list_api_keys(req: Request) -> Reply:
    items, token = await auth.list_api_keys(
        store=ports_of(req).store,
        principal=req.caller,
        limit=req.limit(),
        continuation=req.continuation(),
    )
    return page(items, token)


async def create_api_key(req: Request) -> Reply:
    assert isinstance(req.body, ApiKeyCreate)
    created = await auth.create_api_key(
        store=ports_of(req).store, creator=req.caller, request=req.body, now=ports_of(req).clock()
    )
    return ok(created, status=201)


async def get_api_key(req: Request) -> Reply:
    key = await auth.get_api_key(
        store=ports_of(req).store, principal=req.caller, key_id=req.params["key_id"]
    )
    return ok(key)


async def revoke_api_key(req: Request) -> Reply:
    key = await auth.revoke_api_key(
        store=ports_of(req).store,
        cache=ports_of(req).auth.api_keys,
        principal=req.caller,
        key_id=req.params["key_id"],
        now=ports_of(req).clock(),
    )
    return ok(key)


OPERATIONS = [
    Operation(
        method="GET",
        path="/api-keys",
        name="listApiKeys",
        summary="API keys",
        tag="api-keys",
        handler=list_api_keys,
        response=ApiKeyRead,
        is_list=True,
        query=PAGING,
    ),
    Operation(
        method="POST",
        path="/api-keys",
        name="createApiKey",
        summary="Create an API key (secret shown once)",
        tag="api-keys",
        handler=create_api_key,
        body=ApiKeyCreate,
        response=CreatedApiKey,
        status=201,
    ),
    Operation(
        method="GET",
        path="/api-keys/{key_id}",
        name="getApiKey",
        summary="An API key",
        tag="api-keys",
        handler=get_api_key,
        response=ApiKeyRead,
    ),
    Operation(
        method="POST",
        path="/api-keys/{key_id}/revoke",
        name="revokeApiKey",
        summary="Revoke an API key",
        tag="api-keys",
        handler=revoke_api_key,
        response=ApiKeyRead,
    ),
]
