"""The development identity provider's sign-in: OAuth 2.0 authorization code + PKCE (S256).

The web console signs in with MSAL against Entra ID in Azure; locally it runs the same code path
against these endpoints, in Entra ID's places under ``{authority}/{tenant}/oauth2/v2.0/``:

- ``authorize`` (GET): a small "sign in as" page listing the people in the store (the host
  passes them in as a :data:`Directory`) with a role to sign in with; choosing one (POST)
  redirects to ``redirect_uri`` with ``code`` and ``state`` in the query or, as MSAL asks with
  ``response_mode=fragment``, in the fragment. ``prompt=none`` completes from the session
  cookie the last sign-in set, or answers ``login_required``.
- ``token`` (POST, form-encoded): the ``authorization_code`` grant (``code_verifier`` checked
  against the S256 challenge, the code used once, within five minutes) and the
  ``refresh_token`` grant. It returns the API access token, an ID token, a refresh token,
  ``expires_in`` and ``client_info``.
- ``logout``: clears the session cookie and returns to ``post_logout_redirect_uri``.

The access token is the one ``python -m devhost token`` mints: the API validates it exactly as
an Entra ID token (issuer ``ENTRA_AUTHORITY``). Metadata and ID tokens name the issuer of the
address the browser used (MSAL insists on an https authority; devhost serves one with a
self-signed certificate, see ``devhost.idp_tls``). Refresh tokens are signed, not stored, so a
devhost restart keeps sessions. Unknown parameters (``client_info``, ``pocd``, ...) are ignored.

Redirects go to loopback addresses only: this is a development tool, never an open redirector.
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import html
import json
import secrets
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode, urlsplit

import jwt
from aiohttp import web
from cryptography.hazmat.primitives.asymmetric import rsa

from devhost import idp

#: Lifetimes: Entra ID's defaults for SPAs (one hour; refresh tokens a fixed 24 hours).
ACCESS_MINUTES = 60
REFRESH_SECONDS = 24 * 3600
CODE_SECONDS = 300
SESSION_COOKIE = "devhost-idp-session"
ROLE_CHOICES = ("Admin", "Responder", "Viewer", "none")
OIDC_SCOPES = frozenset({"openid", "profile", "offline_access", "email"})
_REFRESH_TYPE = "devhost-refresh"


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


class OAuthError(Exception):
    def __init__(self, error: str, description: str) -> None:
        super().__init__(description)
        self.error = error
        self.description = description


@dataclass(frozen=True)
class _Grant:
    client_id: str
    redirect_uri: str
    challenge: str
    scope: str
    nonce: str | None
    tenant: str
    user_id: str
    name: str
    email: str
    role: str
    expires: float


def install(web_app: web.Application, site: idp.IdpSite, directory: Directory) -> None:
    """Add the sign-in endpoints to an IdP that :func:`devhost.idp.install` set up."""
    OAuthEndpoints(site=site, directory=directory).install(web_app)


@dataclass
class OAuthEndpoints:
    site: idp.IdpSite
    directory: Directory = no_directory
    _codes: dict[str, _Grant] = field(default_factory=dict)

    @property
    def key(self) -> rsa.RSAPrivateKey:
        return self.site.key

    def authority_for(self, request: web.Request) -> str:
        return self.site.authority_for(request)

    def _tenant_of(self, request: web.Request) -> str:
        return self.site.tenant_of(request)

    def install(self, app: web.Application) -> None:
        base = idp.IDP_PATH + "/{tenant}/oauth2/v2.0"
        app.router.add_get(base + "/authorize", self.authorize_page)
        app.router.add_post(base + "/authorize", self.authorize_pick)
        app.router.add_post(base + "/token", self.token)
        app.router.add_route("OPTIONS", base + "/token", self.preflight)
        app.router.add_get(base + "/logout", self.logout)

    # --- authorize ----------------------------------------------------------------------------
    async def authorize_page(self, request: web.Request) -> web.StreamResponse:
        tenant = self._tenant_of(request)
        params = dict(request.query)
        redirect_uri = _checked_redirect(params.get("redirect_uri"))
        if redirect_uri is None:
            return _error_page("redirect_uri must be an http(s) address on this machine.")
        try:
            _check_authorize(params)
        except OAuthError as exc:
            return _redirect_error(params, redirect_uri, exc)
        if params.get("prompt") == "none":
            session = self._session(request)
            if session is None:
                return _redirect_error(
                    params, redirect_uri, OAuthError("login_required", "No one is signed in.")
                )
            return self._issue_code(params, redirect_uri, tenant, *session)
        users = await self.directory()
        return web.Response(
            text=_sign_in_page(params, users), content_type="text/html", charset="utf-8"
        )

    async def authorize_pick(self, request: web.Request) -> web.StreamResponse:
        tenant = self._tenant_of(request)
        form = {k: v for k, v in (await request.post()).items() if isinstance(v, str)}
        redirect_uri = _checked_redirect(form.get("redirect_uri"))
        if redirect_uri is None:
            return _error_page("redirect_uri must be an http(s) address on this machine.")
        try:
            _check_authorize(form)
            role = form.get("role", "Responder")
            if role not in ROLE_CHOICES:
                raise OAuthError("invalid_request", f"role must be one of {ROLE_CHOICES}.")
            user_id, name, email = await self._who(form)
        except OAuthError as exc:
            return _redirect_error(form, redirect_uri, exc)
        response = self._issue_code(form, redirect_uri, tenant, user_id, name, email, role)
        session = jwt.encode(
            {"sub": user_id, "name": name, "email": email, "role": role, "typ": "session"},
            self.key,
            algorithm=idp.ALGORITHM,
        )
        response.set_cookie(
            SESSION_COOKIE,
            session,
            httponly=True,
            secure=request.secure,
            # MSAL's silent iframe is a cross-site frame of the console: only SameSite=None
            # cookies reach it, and browsers take those over https only.
            samesite="None" if request.secure else "Lax",
            path=idp.IDP_PATH,
        )
        return response

    async def _who(self, form: Mapping[str, str]) -> tuple[str, str, str]:
        user_id = form.get("user", "").strip()
        if user_id:
            for user in await self.directory():
                if user.id == user_id:
                    return user.id, user.name, user.email
            raise OAuthError("access_denied", f"No person {user_id!r} in the store.")
        email = form.get("email", "").strip().lower()
        if "@" not in email or len(email) > 254:
            raise OAuthError("invalid_request", "Pick a person or enter an e-mail address.")
        name = form.get("name", "").strip() or idp.default_name(email)
        return idp.user_oid(email), name, email

    def _session(self, request: web.Request) -> tuple[str, str, str, str] | None:
        raw = request.cookies.get(SESSION_COOKIE)
        if not raw:
            return None
        try:
            claims = jwt.decode(raw, self.key.public_key(), algorithms=[idp.ALGORITHM])
        except jwt.PyJWTError:
            return None
        return str(claims["sub"]), str(claims["name"]), str(claims["email"]), str(claims["role"])

    def _issue_code(
        self,
        params: Mapping[str, str],
        redirect_uri: str,
        tenant: str,
        user_id: str,
        name: str,
        email: str,
        role: str,
    ) -> web.StreamResponse:
        now = time.time()
        for code in [c for c, g in self._codes.items() if g.expires < now]:
            del self._codes[code]
        code = secrets.token_urlsafe(32)
        self._codes[code] = _Grant(
            client_id=params["client_id"],
            redirect_uri=redirect_uri,
            challenge=params["code_challenge"],
            scope=params.get("scope", ""),
            nonce=params.get("nonce"),
            tenant=tenant,
            user_id=user_id,
            name=name,
            email=email,
            role=role,
            expires=now + CODE_SECONDS,
        )
        answer = {"code": code, "client_info": _client_info(user_id, tenant)}
        if "state" in params:
            answer["state"] = params["state"]
        return _redirect(redirect_uri, params.get("response_mode"), answer)

    # --- token ---------------------------------------------------------------------------------
    async def preflight(self, request: web.Request) -> web.Response:
        headers = {
            **_cors(request),
            "Access-Control-Allow-Methods": "POST, OPTIONS",
            "Access-Control-Allow-Headers": "Content-Type",
            "Access-Control-Max-Age": "600",
        }
        return web.Response(status=204, headers=headers)

    async def token(self, request: web.Request) -> web.Response:
        tenant = self._tenant_of(request)
        try:
            if request.content_type != "application/x-www-form-urlencoded":
                raise OAuthError("invalid_request", "The body must be form-urlencoded.")
            form = {k: v for k, v in (await request.post()).items() if isinstance(v, str)}
            grant_type = form.get("grant_type")
            if grant_type == "authorization_code":
                grant = self._redeem(form, tenant)
            elif grant_type == "refresh_token":
                grant = self._refreshed(form, tenant, self.authority_for(request))
            else:
                raise OAuthError(
                    "unsupported_grant_type",
                    "grant_type must be authorization_code or refresh_token.",
                )
        except OAuthError as exc:
            return web.json_response(
                {"error": exc.error, "error_description": exc.description},
                status=400,
                headers={**_cors(request), "Cache-Control": "no-store"},
            )
        return web.json_response(
            self._tokens(grant, self.authority_for(request)),
            headers={**_cors(request), "Cache-Control": "no-store", "Pragma": "no-cache"},
        )

    def _redeem(self, form: Mapping[str, str], tenant: str) -> _Grant:
        grant = self._codes.pop(form.get("code", ""), None)
        if grant is None or grant.expires < time.time() or grant.tenant != tenant:
            raise OAuthError("invalid_grant", "The code is unknown, used or expired.")
        if form.get("client_id") != grant.client_id:
            raise OAuthError("invalid_grant", "The code was issued to another client_id.")
        if form.get("redirect_uri") != grant.redirect_uri:
            raise OAuthError("invalid_grant", "redirect_uri differs from the authorize request.")
        verifier = form.get("code_verifier", "")
        if not 43 <= len(verifier) <= 128:
            raise OAuthError("invalid_grant", "code_verifier must be 43-128 characters.")
        if not secrets.compare_digest(_s256(verifier), grant.challenge):
            raise OAuthError("invalid_grant", "code_verifier does not match the code_challenge.")
        if form.get("scope"):
            grant = _with_scope(grant, form["scope"])
        return grant

    def _refreshed(self, form: Mapping[str, str], tenant: str, authority: str) -> _Grant:
        try:
            claims = jwt.decode(
                form.get("refresh_token", ""),
                self.key.public_key(),
                algorithms=[idp.ALGORITHM],
                audience=form.get("client_id", ""),
                issuer=idp.issuer_for(authority, tenant),
            )
        except jwt.PyJWTError as exc:
            raise OAuthError("invalid_grant", f"The refresh token is not valid ({exc}).") from None
        if claims.get("typ") != _REFRESH_TYPE:
            raise OAuthError("invalid_grant", "That is not a refresh token.")
        return _Grant(
            client_id=str(claims["aud"]),
            redirect_uri="",
            challenge="",
            scope=form.get("scope") or str(claims.get("scp", "")),
            nonce=None,
            tenant=tenant,
            user_id=str(claims["oid"]),
            name=str(claims["name"]),
            email=str(claims["email"]),
            role=str(claims["role"]),
            expires=0,
        )

    def _tokens(self, grant: _Grant, authority: str) -> dict[str, Any]:
        now = int(time.time())
        issuer = idp.issuer_for(authority, grant.tenant)
        access = idp.mint_token(
            self.key,
            issuer=idp.issuer_for(self.site.api_authority, grant.tenant),
            tenant_id=grant.tenant,
            audience=self.site.audience or grant.client_id,
            roles=[] if grant.role == "none" else [grant.role],
            minutes=ACCESS_MINUTES,
            email=grant.email,
            name=grant.name,
            oid=grant.user_id,
            azp=grant.client_id,
            now=now,
        )
        person = {
            "oid": grant.user_id,
            "tid": grant.tenant,
            "name": grant.name,
            "preferred_username": grant.email,
            "email": grant.email,
        }
        id_claims: dict[str, Any] = {
            **person,
            "aud": grant.client_id,
            "iss": issuer,
            "iat": now,
            "nbf": now,
            "exp": now + ACCESS_MINUTES * 60,
            "sub": grant.user_id,
            "ver": "2.0",
        }
        if grant.nonce:
            id_claims["nonce"] = grant.nonce
        refresh = {
            **person,
            "aud": grant.client_id,
            "iss": issuer,
            "iat": now,
            "exp": now + REFRESH_SECONDS,
            "typ": _REFRESH_TYPE,
            "role": grant.role,
            "scp": grant.scope,
            "jti": secrets.token_urlsafe(12),
        }
        kid = {"kid": idp.public_jwk(self.key)["kid"]}
        return {
            "token_type": "Bearer",
            "scope": _granted_scope(grant.scope, self.site.audience or grant.client_id),
            "expires_in": ACCESS_MINUTES * 60,
            "ext_expires_in": ACCESS_MINUTES * 60,
            "access_token": access,
            "id_token": jwt.encode(id_claims, self.key, algorithm=idp.ALGORITHM, headers=kid),
            "refresh_token": jwt.encode(refresh, self.key, algorithm=idp.ALGORITHM, headers=kid),
            "client_info": _client_info(grant.user_id, grant.tenant),
        }

    # --- logout --------------------------------------------------------------------------------
    async def logout(self, request: web.Request) -> web.StreamResponse:
        self._tenant_of(request)
        target = _checked_redirect(request.query.get("post_logout_redirect_uri"))
        response: web.StreamResponse
        if target is None:
            response = web.Response(
                text=_html_page("Signed out", "<p>You are signed out of devhost.</p>"),
                content_type="text/html",
                charset="utf-8",
            )
        else:
            response = web.Response(status=302, headers={"Location": target})
        response.del_cookie(SESSION_COOKIE, path=idp.IDP_PATH)
        return response


_cors = idp.cors_headers


def _checked_redirect(uri: str | None) -> str | None:
    if not uri:
        return None
    try:
        parts = urlsplit(uri)
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or parts.hostname not in idp.LOOPBACK:
        return None
    if parts.fragment:
        return None
    return uri


def _check_authorize(params: Mapping[str, str]) -> None:
    if params.get("response_type") != "code":
        raise OAuthError("unsupported_response_type", "response_type must be code.")
    if not params.get("client_id"):
        raise OAuthError("invalid_request", "client_id is required.")
    if params.get("code_challenge_method") != "S256" or not params.get("code_challenge"):
        raise OAuthError(
            "invalid_request", "PKCE is required: code_challenge with code_challenge_method=S256."
        )
    if params.get("response_mode", "query") not in ("query", "fragment"):
        raise OAuthError("invalid_request", "response_mode must be query or fragment.")


def _s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii", "replace")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def _client_info(user_id: str, tenant: str) -> str:
    raw = json.dumps({"uid": user_id, "utid": tenant}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _with_scope(grant: _Grant, scope: str) -> _Grant:
    return dataclasses.replace(grant, scope=scope)


def _granted_scope(requested: str, audience: str) -> str:
    """The requested scopes, as Entra ID answers them; a sign-in that named no API scope gets
    the API's default one, which is what the access token is for."""
    scopes = requested.split()
    if not [s for s in scopes if s not in OIDC_SCOPES]:
        scopes = [f"api://{audience}/.default", *scopes]
    return " ".join(scopes)


def _redirect(uri: str, mode: str | None, answer: Mapping[str, str]) -> web.StreamResponse:
    query = urlencode(answer)
    if mode == "fragment":
        location = f"{uri}#{query}"
    else:
        location = f"{uri}{'&' if '?' in uri else '?'}{query}"
    return web.Response(status=302, headers={"Location": location, "Cache-Control": "no-store"})


def _redirect_error(params: Mapping[str, str], uri: str, exc: OAuthError) -> web.StreamResponse:
    answer = {"error": exc.error, "error_description": exc.description}
    if "state" in params:
        answer["state"] = params["state"]
    mode = params.get("response_mode")
    return _redirect(uri, mode if mode in ("query", "fragment") else None, answer)


def _html_page(title: str, body: str) -> str:
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


def _error_page(message: str) -> web.Response:
    return web.Response(
        status=400,
        text=_html_page("Sign-in error", f"<p role='alert'>{html.escape(message)}</p>"),
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


def _sign_in_page(params: Mapping[str, str], users: list[IdpUser]) -> str:
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
    return _html_page("Sign in to OpenAlert (devhost)", intro + people + other)
