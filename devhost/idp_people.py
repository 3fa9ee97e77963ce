"""The people the development identity provider offers, and its pages (``devhost.idp_oauth``).

The host fills a :data:`Directory` from the product's store (``devhost.idp_users``); this module,
like the rest of the IdP, does not import the product. The "sign in as" page is small, plain
HTML: one form per person with the role to sign in with, and a form for anyone else by e-mail;
labelled controls, a heading, ``lang``, and no horizontal scrolling at phone width.
"""

from __future__ import annotations

import html
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass

from aiohttp import web

ROLE_CHOICES = ("Admin", "Responder", "Viewer", "none")


@dataclass(frozen=True)
class IdpUser:
    """A person the sign-in page offers. ``id`` becomes the token's ``oid``."""

    id: str
    name: str
    email: str
    #: App roles the person held last (``OpenAlert.Responder``, ...): the page's default pick.
    app_roles: tuple[str, ...] = ()
    #: Team memberships, shown beside the name ("team-demo: member").
    teams: tuple[str, ...] = ()


#: Who may sign in; the host reads them from the product's store.
Directory = Callable[[], Awaitable[list[IdpUser]]]


async def no_directory() -> list[IdpUser]:
    return []


def html_page(title: str, body: str) -> str:
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(title)}</title><style>"
        "body{font-family:system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;"
        "color:#1b1b1b;background:#fff}li{margin:.75rem 0;list-style:none}"
        "ul{padding:0}form{display:flex;flex-wrap:wrap;gap:.5rem;align-items:center}"
        "button{padding:.4rem .9rem}.who{flex:1 1 14rem}.muted{color:#555}"
        f"</style></head><body><main><h1>{html.escape(title)}</h1>{body}</main></body></html>"
    )


def error_page(message: str) -> web.Response:
    return web.Response(
        status=400,
        text=html_page("Sign-in error", f"<p role='alert'>{html.escape(message)}</p>"),
        content_type="text/html",
        charset="utf-8",
    )


def _role_select(label: str, default: str, ident: str) -> str:
    options = "".join(
        f'<option value="{r}"{" selected" if r == default else ""}>'
        f"{'No OpenAlert role' if r == 'none' else r}</option>"
        for r in ROLE_CHOICES
    )
    return (
        f'<label for="{ident}">Role<span class="muted"> for {html.escape(label)}</span></label>'
        f'<select id="{ident}" name="role">{options}</select>'
    )


def sign_in_page(params: Mapping[str, str], users: list[IdpUser]) -> str:
    hidden = "".join(
        f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">'
        for k, v in params.items()
        if k not in ("user", "email", "name", "role")
    )
    rows: list[str] = []
    for n, user in enumerate(users):
        default = next(
            (r.removeprefix("OpenAlert.") for r in user.app_roles if r.startswith("OpenAlert.")),
            "Responder",
        )
        teams = ", ".join(user.teams) or "no team"
        rows.append(
            f'<li><form method="post">{hidden}'
            f'<span class="who"><strong>{html.escape(user.name or user.email)}</strong> '
            f'<span class="muted">{html.escape(user.email)} · {html.escape(teams)}</span></span>'
            f"{_role_select(user.name or user.email, default, f'role-{n}')}"
            f'<button type="submit" name="user" value="{html.escape(user.id)}">'
            f"Sign in as {html.escape(user.name or user.email)}</button></form></li>"
        )
    people = (
        f'<ul aria-label="People in the store">{"".join(rows)}</ul>'
        if rows
        else "<p>No people in the store yet.</p>"
    )
    other = (
        f'<h2>Someone else</h2><form method="post">{hidden}'
        '<label for="email">E-mail</label>'
        '<input id="email" name="email" type="email" autocomplete="email" required>'
        '<label for="name">Name</label><input id="name" name="name" autocomplete="name">'
        f"{_role_select('someone else', 'Responder', 'role-other')}"
        '<button type="submit">Sign in</button></form>'
    )
    intro = (
        "<p>devhost's development identity provider. Pick who to be; the console gets the "
        "same kind of tokens Entra ID issues.</p>"
    )
    return html_page("Sign in to OpenAlert (devhost)", intro + people + other)
