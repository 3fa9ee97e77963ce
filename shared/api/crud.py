"""The CRUD shapes, once. Every configuration resource has the same five operations; these build
their handlers from the service function and the name of the id parameter, so the handlers cannot
drift apart. No rules here: each service function checks rights and validates."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from shared.api.ports import config_changed, ports_of
from shared.api.router import Reply, Request, ok, page


def _base(req: Request, wanted: bool) -> dict[str, Any]:
    """``base_url`` for answers that carry links (PUBLIC_BASE_URL, never the Host header)."""
    return {"base_url": req.base_url} if wanted else {}


def list_owned(fn: Callable[..., Any], *, base: bool = False) -> Callable[[Request], Any]:
    async def handler(req: Request) -> Reply:
        items, token = await fn(
            store=ports_of(req).store,
            principal=req.caller,
            team_id=req.query.get("team_id") or None,
            limit=req.limit(),
            continuation=req.continuation(),
            **_base(req, base),
        )
        return page(items, token)

    return handler


def create(fn: Callable[..., Any], *, now: bool = True) -> Callable[[Request], Any]:
    async def handler(req: Request) -> Reply:
        extra: dict[str, Any] = {"now": ports_of(req).clock()} if now else {}
        created = await fn(store=ports_of(req).store, principal=req.caller, body=req.body, **extra)
        config_changed(req)
        return ok(created, status=201)

    return handler


def read(fn: Callable[..., Any], param: str, *, base: bool = False) -> Callable[[Request], Any]:
    async def handler(req: Request) -> Reply:
        item, etag = await fn(
            store=ports_of(req).store,
            principal=req.caller,
            **{param: req.params[param]},
            **_base(req, base),
        )
        return ok(item, etag=etag)

    return handler


def update(
    fn: Callable[..., Any], param: str, *, now: bool = False, base: bool = False
) -> Callable[[Request], Any]:
    async def handler(req: Request) -> Reply:
        extra: dict[str, Any] = {"now": ports_of(req).clock()} if now else {}
        extra.update(_base(req, base))
        item = await fn(
            store=ports_of(req).store,
            principal=req.caller,
            body=req.body,
            etag=req.if_match(),
            **{param: req.params[param]},
            **extra,
        )
        config_changed(req)
        return ok(item)

    return handler


def delete(fn: Callable[..., Any], param: str) -> Callable[[Request], Any]:
    async def handler(req: Request) -> Reply:
        await fn(store=ports_of(req).store, principal=req.caller, **{param: req.params[param]})
        config_changed(req)
        return Reply(204)

    return handler


def paged(fn: Callable[..., Any], param: str | None = None) -> Callable[[Request], Any]:
    async def handler(req: Request) -> Reply:
        scope = {param: req.params[param]} if param else {}
        items, token = await fn(
            store=ports_of(req).store,
            principal=req.caller,
            limit=req.limit(),
            continuation=req.continuation(),
            **scope,
        )
        return page(items, token)

    return handler
