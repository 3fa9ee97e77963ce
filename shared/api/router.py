"""The management API's request handling, independent of Azure Functions.

One table of :class:`Operation` drives routing, authentication, body parsing and the OpenAPI
document, so the document cannot drift from what is served. ``functions/api.py`` is a thin
adapter: it hands method, path, query, headers and body to :func:`dispatch` and turns the
:class:`Reply` into an ``HttpResponse``.

Errors are RFC 9457 problem documents with a stable ``type`` per error class
(``shared.errors``); unexpected exceptions become a 500 problem without internals, logged here.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal, get_args, get_origin

from pydantic import BaseModel, ValidationError

from shared import jsonin
from shared.auth.access import require_role
from shared.auth.models import Principal
from shared.conditional import conditional
from shared.errors import (
    InvalidInput,
    NotFound,
    OpenAlertError,
    PayloadTooLarge,
    RateLimited,
    Unauthenticated,
)
from shared.redact import REDACT, redact_path

log = logging.getLogger(__name__)

PROBLEM_BASE = "https://openalert.dev/problems/"
#: Largest JSON body the management API accepts (a policy or schedule is a few KB): 1 MiB.
MAX_BODY_BYTES = 1024 * 1024
MAX_LIMIT = 200
DEFAULT_LIMIT = 50
#: The date-times a query may name. Shift arithmetic (a zone offset, a week's window) past
#: these overflows ``datetime`` near years 1 and 9999; no schedule or incident is out there.
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(2200, 1, 1, tzinfo=UTC)

Method = Literal["GET", "POST", "PUT", "PATCH", "DELETE"]


class MethodNotAllowed(OpenAlertError):
    status = 405
    title = "Method not allowed"
    type_slug = "method-not-allowed"

    def __init__(self, detail: str, *, allow: Sequence[str]) -> None:
        super().__init__(detail)
        #: The methods the path supports: RFC 9110 requires them in ``Allow`` on a 405.
        self.allow = tuple(allow)


@dataclass(frozen=True)
class QueryParam:
    name: str
    description: str
    kind: Literal["string", "integer", "date-time", "boolean"] = "string"
    required: bool = False
    many: bool = False
    #: Bounds of an integer parameter, declared in the document as the handler enforces them.
    minimum: int | None = None
    maximum: int | None = None
    #: A string parameter's pattern and length, declared as the handler enforces them.
    pattern: str | None = None
    max_length: int | None = None


@dataclass
class Request:
    """What a handler gets. ``principal`` is None only for public operations."""

    principal: Principal | None
    params: dict[str, str]
    query: Mapping[str, str]
    headers: Mapping[str, str]
    body: BaseModel | None
    ports: Any
    base_url: str

    @property
    def caller(self) -> Principal:
        assert self.principal is not None, "public operations have no caller"
        return self.principal

    def limit(self) -> int:
        raw = self.query.get("limit")
        if raw is None:
            return DEFAULT_LIMIT
        try:
            value = int(raw)
        except ValueError:
            raise InvalidInput(
                "limit must be an integer.", field="limit", expected=f"1..{MAX_LIMIT}"
            ) from None
        if not 1 <= value <= MAX_LIMIT:
            raise InvalidInput(f"limit must be 1..{MAX_LIMIT}.", field="limit")
        return value

    def continuation(self) -> str | None:
        value = self.query.get("continuation") or None
        if value is not None and (len(value) > 4096 or not value.isprintable()):
            raise InvalidInput("continuation is not a token this API issued.", field="continuation")
        return value

    def time(self, name: str) -> datetime | None:
        raw = self.query.get(name)
        if raw is None:
            return None
        try:
            value = datetime.fromisoformat(raw.replace("Z", "+00:00"))
        except ValueError:
            raise InvalidInput(
                f"{name} must be an ISO-8601 date-time with a UTC offset.", field=name
            ) from None
        if value.tzinfo is None:
            raise InvalidInput(f"{name} needs a UTC offset (e.g. Z).", field=name)
        if not EARLIEST <= value < LATEST:
            raise InvalidInput(
                f"{name} must be from {EARLIEST.year} to {LATEST.year - 1}.",
                field=name,
                expected=f"{EARLIEST.isoformat()} <= {name} < {LATEST.isoformat()}",
            )
        return value

    def many(self, name: str) -> list[str]:
        raw = self.query.get(name) or ""
        return [v for v in (s.strip() for s in raw.split(",")) if v]

    def if_match(self) -> str | None:
        for key, value in self.headers.items():
            if key.lower() == "if-match":
                return value.strip().strip('"') or None
        return None


@dataclass(frozen=True)
class Reply:
    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "application/json"


Handler = Callable[[Request], Awaitable[Reply]]


@dataclass(frozen=True)
class Operation:
    method: Method
    #: Path below ``/api/v1``, with ``{name}`` parameters.
    path: str
    name: str
    summary: str
    tag: str
    handler: Handler
    body: type[BaseModel] | None = None
    #: The success response's model (the item model for lists); None for 204.
    response: type[BaseModel] | None = None
    is_list: bool = False
    status: int = 200
    #: Other success statuses the handler may answer with the same body (e.g. 200 for
    #: "already there" beside 201 for "created").
    also: tuple[int, ...] = ()
    public: bool = False
    #: True only where a signed-in person without an OpenAlert role may still be answered
    #: (``/me``, so a console can tell them they have none). Everything else is 403 for them.
    roleless: bool = False
    query: tuple[QueryParam, ...] = ()
    content_type: str = "application/json"

    @property
    def pattern(self) -> re.Pattern[str]:
        regex = re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", self.path)
        return re.compile(f"^{regex}$")


def ok(value: Any, *, status: int = 200, etag: str | None = None) -> Reply:
    headers = {"ETag": f'"{etag}"'} if etag else {}
    return Reply(status, _jsonable(value), headers)


def page(items: Sequence[Any], continuation: str | None) -> Reply:
    return Reply(200, {"items": [_jsonable(i) for i in items], "continuation": continuation})


def _jsonable(value: Any) -> Any:
    if isinstance(value, BaseModel):
        # A model's API_HIDDEN fields are internal bookkeeping kept in the stored document;
        # write-only fields (shared.redact) show only their hint, in nested models too.
        return value.model_dump(
            mode="json",
            exclude=set(getattr(value, "API_HIDDEN", ())),
            context={REDACT: True},
        )
    return value


def problem(exc: OpenAlertError) -> Reply:
    doc: dict[str, Any] = {
        "type": PROBLEM_BASE + exc.type_slug,
        "title": exc.title,
        "status": exc.status,
        "detail": exc.detail,
        **exc.extensions,
    }
    headers: dict[str, str] = {}
    if isinstance(exc, Unauthenticated):
        headers["WWW-Authenticate"] = exc.challenge()
    elif exc.status == 401:
        headers["WWW-Authenticate"] = 'Bearer realm="openalert"'
    if isinstance(exc, RateLimited):
        headers["Retry-After"] = str(max(1, round(exc.retry_after)))
    if isinstance(exc, MethodNotAllowed):
        headers["Allow"] = ", ".join(exc.allow)
    return Reply(exc.status, doc, headers, "application/problem+json")


def _validation_problem(exc: ValidationError) -> InvalidInput:
    errors = [
        {"field": ".".join(str(p) for p in err["loc"]) or "(body)", "message": err["msg"]}
        for err in exc.errors(include_url=False)[:20]
    ]
    first = errors[0] if errors else {"field": "(body)", "message": "invalid"}
    return InvalidInput(
        f"{first['field']}: {first['message']}", field=first["field"], errors=errors
    )


def _is_set(annotation: Any) -> bool:
    origin = get_origin(annotation)
    if origin in (set, frozenset):
        return True
    return any(_is_set(arg) for arg in get_args(annotation)) if origin is not None else False


def _no_repeats_in_sets(model: type[BaseModel], raw: Mapping[str, Any]) -> None:
    """A set field is ``uniqueItems`` in the document; pydantic would fold a repeat away
    silently, so it is refused here like any other value the document does not allow."""
    for name, info in model.model_fields.items():
        value = raw.get(info.alias or name)
        if isinstance(value, list) and _is_set(info.annotation):
            if len({json.dumps(v, sort_keys=True) for v in value}) != len(value):
                raise InvalidInput(f"{name}: items must be unique.", field=name)


def parse_body(model: type[BaseModel], body: bytes) -> BaseModel:
    if len(body) > MAX_BODY_BYTES:
        raise PayloadTooLarge(
            f"The body is larger than {MAX_BODY_BYTES} bytes.", limit=MAX_BODY_BYTES
        )
    if not body.strip():
        raise InvalidInput("A JSON body is required.", field="(body)", expected="JSON object")
    try:
        raw = jsonin.loads(body, field="(body)", whole_floats_as_int=True)
    except jsonin.InvalidJson as exc:
        raise InvalidInput(f"The body is {exc.detail}.", field="(body)") from None
    if not isinstance(raw, dict):
        raise InvalidInput("The body must be a JSON object.", field="(body)")
    # Fields a body model names as read-only (what a GET shows of the server's) are dropped
    # before validation, so what was read can be sent back; anything else unknown is refused.
    read_only: frozenset[str] = getattr(model, "read_only", frozenset())
    raw = {k: v for k, v in raw.items() if k not in read_only}
    _no_repeats_in_sets(model, raw)
    try:
        # Strict, as the document says: `0` is not a boolean and "5" not an integer. JSON
        # strings still become date-times, enums and the like, as they are documented.
        return model.model_validate_json(json.dumps(raw), strict=True)
    except ValidationError as exc:
        raise _validation_problem(exc) from None


Authenticate = Callable[[str | None], Awaitable[Principal]]


@dataclass
class Api:
    operations: list[Operation]

    def match(self, method: str, path: str) -> tuple[Operation, dict[str, str]]:
        path = "/" + path.strip("/")
        matches = [(op, m) for op in self.operations if (m := op.pattern.match(path))]
        # A literal segment beats a parameter (``/users/pending`` is not ``/users/{user_id}``),
        # so a path's methods are those of its most specific template, as the document says.
        fewest = min((op.path.count("{") for op, _ in matches), default=0)
        matches = [(op, m) for op, m in matches if op.path.count("{") == fewest]
        for op, m in matches:
            if op.method == method.upper():
                return op, m.groupdict()
        allowed = [op.method for op, _ in matches]
        if allowed:
            raise MethodNotAllowed(
                f"{method.upper()} is not supported on {path}.", allow=sorted(set(allowed))
            )
        raise NotFound(f"No API operation at {path}.")

    async def dispatch(
        self,
        *,
        method: str,
        path: str,
        query: Mapping[str, str],
        headers: Mapping[str, str],
        body: bytes,
        authenticate: Authenticate,
        ports: Any,
        base_url: str,
    ) -> Reply:
        try:
            op, params = self.match(method, path)
            principal = None
            if not op.public:
                authorization = next(
                    (v for k, v in headers.items() if k.lower() == "authorization"), None
                )
                principal = await authenticate(authorization)
                if not op.roleless:
                    require_role(principal)
            parsed = parse_body(op.body, body) if op.body is not None else None
            request = Request(principal, params, query, headers, parsed, ports, base_url)
            reply = await op.handler(request)
            status, body_out, out = conditional(
                method, headers, reply.status, reply.body, reply.headers, reply.content_type
            )
            return Reply(status, body_out, out, reply.content_type)
        except OpenAlertError as exc:
            return problem(exc)
        except ValidationError as exc:
            return problem(_validation_problem(exc))
        except Exception:
            # Logged without the secrets some paths carry (a calendar feed's token).
            log.exception("API %s %s failed", method, redact_path("/v1/" + path.lstrip("/")))
            return Reply(
                500,
                {
                    "type": PROBLEM_BASE + "internal",
                    "title": "Internal error",
                    "status": 500,
                    "detail": "The request failed on the server; it has been logged.",
                },
                content_type="application/problem+json",
            )
