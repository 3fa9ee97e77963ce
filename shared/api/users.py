"""API: who am I, and the people OpenAlert knows (a person's calendar is in
``shared.api.schedules``)."""

from __future__ import annotations

from pydantic import BaseModel, Field

from shared.api.ports import PAGING, ports_of
from shared.api.router import Operation, Reply, Request, ok, page
from shared.auth import documents
from shared.auth import service as auth
from shared.auth.access import require
from shared.auth.models import Action as Right
from shared.auth.models import User


class UserView(BaseModel):
    id: str
    name: str
    email: str | None
    teams: dict[str, str]
    #: Added by e-mail and not signed in yet (POST /users/pending).
    pending: bool = False
    app_roles: list[str] = Field(
        default_factory=list,
        description="OpenAlert app roles from the person's latest sign-in (assigned in Entra ID, "
        "Enterprise applications > OpenAlert > Users and groups; read-only here).",
    )


class MeView(BaseModel):
    id: str
    kind: str
    display_name: str
    roles: list[str]
    teams: dict[str, str]


def user_view(user: User) -> UserView:
    return UserView(
        id=user.id,
        name=user.name,
        email=user.email,
        teams={k: v.value for k, v in user.teams.items()},
        pending=user.pending,
        app_roles=sorted(user.app_roles),
    )


async def me(req: Request) -> Reply:
    p = req.caller
    return ok(
        MeView(
            id=p.id,
            kind=p.kind.value,
            display_name=p.display_name,
            roles=sorted(r.value for r in p.roles),
            teams={k: v.value for k, v in p.teams.items()},
        )
    )


async def list_users(req: Request) -> Reply:
    require(req.caller, Right.READ)
    users, continuation = await documents.list_users(
        ports_of(req).store, limit=req.limit(), continuation=req.continuation()
    )
    return page([user_view(u) for u in users], continuation)


async def get_user(req: Request) -> Reply:
    require(req.caller, Right.READ)
    return ok(
        user_view(await auth.get_user(store=ports_of(req).store, user_id=req.params["user_id"]))
    )


OPERATIONS = [
    Operation(
        method="GET",
        path="/me",
        name="me",
        summary="Who am I",
        tag="users",
        handler=me,
        response=MeView,
        roleless=True,
    ),
    Operation(
        method="GET",
        path="/users",
        name="listUsers",
        summary="Users",
        tag="users",
        handler=list_users,
        response=UserView,
        is_list=True,
        query=PAGING,
    ),
    Operation(
        method="GET",
        path="/users/{user_id}",
        name="getUser",
        summary="A user",
        tag="users",
        handler=get_user,
        response=UserView,
    ),
]
