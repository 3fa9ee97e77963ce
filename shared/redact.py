"""Secrets readers may know exist but never read back.

A secret is write-only: it is set through the API and then used by the app, but every answer,
log line and delivery log entry shows at most that it is set and its last 4 characters. Two
kinds:

- **secret strings** (a Grafana HMAC secret): shown as ``************`` and the last 4
  characters (:func:`hint`);
- **credential URLs**: the whole URL of a webhook contact, an outgoing webhook or a Teams
  Workflows target. Slack puts the credential in the path, Workflows in ``sig=``, others in
  userinfo or any query parameter, so no part after the host is shown: scheme, host (and port)
  and the last 4 characters (:func:`redact_url`).

Model fields declare it with :data:`WriteOnly`: the OpenAPI schema marks them ``writeOnly`` and
the management API's one serialization path (``shared.api.router``) dumps them with
``context={REDACT: True}``, which replaces the value by its hint. Stored documents and queue
messages are dumped without that context and keep the value. A hint sent back unchanged (a
client that PUTs what it read) keeps the stored secret: :func:`restore_secrets`.
"""

from __future__ import annotations

from typing import Annotated, Any, TypeVar, get_args, get_origin
from urllib.parse import urlsplit

from pydantic import BaseModel, Field, PlainSerializer, SerializationInfo
from pydantic.fields import FieldInfo

#: The serialization context key that asks for secrets to be redacted.
REDACT = "redact"
#: Twelve stars: a hint stays at least 16 characters, so it passes the length rules of the
#: field it came from when a client sends it back.
MASK = "*" * 12

M = TypeVar("M", bound=BaseModel)


def hint(secret: str) -> str:
    """``************`` and the last 4 characters; only the mask for secrets under 16
    characters, whose last 4 would be a quarter of them."""
    return MASK + (secret[-4:] if len(secret) >= 16 else "")


def redact_url(url: str) -> str:
    """Scheme, host and port of a credential URL, then the mask and its last 4 characters."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = parts.port
    except ValueError:
        return MASK
    if not parts.scheme or not host:
        return MASK
    netloc = f"[{host}]" if ":" in host else host
    if port is not None:
        netloc += f":{port}"
    return f"{parts.scheme}://{netloc}/{hint(url)}"


def is_hint(value: object) -> bool:
    """Whether ``value`` is what a reader was shown (a hint or a redacted URL)."""
    return isinstance(value, str) and MASK in value


def _redacting(value: str | None, info: SerializationInfo) -> str | None:
    if value is None or not (info.context or {}).get(REDACT):
        return value
    return hint(value)


def _redacting_url(value: str | None, info: SerializationInfo) -> str | None:
    if value is None or not (info.context or {}).get(REDACT):
        return value
    return redact_url(value)


_WRITE_ONLY = "Write-only: answers show only a hint (`************` and the last 4 characters)."
_WRITE_ONLY_URL = (
    "Write-only (the URL is a credential): answers show scheme and host, then "
    "`************` and the last 4 characters."
)

#: How the document marks a secret. Not OpenAPI's ``writeOnly``: that says the property never
#: appears in answers, and ours do carry it, as a masked hint (and a client may send the hint
#: back to keep the stored value).
SECRET_MARK = {"x-secret": True}

#: A secret string field.
WriteOnly = Annotated[
    str,
    Field(json_schema_extra=SECRET_MARK, description=_WRITE_ONLY),
    PlainSerializer(_redacting, when_used="always"),
]
#: A credential URL field.
WriteOnlyUrl = Annotated[
    str,
    Field(json_schema_extra=SECRET_MARK, description=_WRITE_ONLY_URL),
    PlainSerializer(_redacting_url, when_used="always"),
]


def _is_write_only(field: FieldInfo) -> bool:
    """Whether the field's type is a write-only one, also inside ``| None``."""
    metadata = list(field.metadata)
    stack: list[Any] = [field.annotation]
    while stack:
        annotation = stack.pop()
        if get_origin(annotation) is Annotated:
            metadata += annotation.__metadata__
        stack.extend(get_args(annotation))
    return any(
        isinstance(m, PlainSerializer) and m.func in (_redacting, _redacting_url) for m in metadata
    )


def restore_secrets(new: M, old: BaseModel) -> M:
    """``new`` with every write-only field that holds a hint replaced by ``old``'s value, so a
    read-modify-write does not overwrite a secret with its hint (nested models included)."""
    update: dict[str, Any] = {}
    for name, info in type(new).model_fields.items():
        value = getattr(new, name)
        previous = getattr(old, name, None)
        if _is_write_only(info) and is_hint(value):
            update[name] = previous
        elif isinstance(value, BaseModel) and isinstance(previous, BaseModel):
            restored = restore_secrets(value, previous)
            if restored is not value:
                update[name] = restored
    return new.model_copy(update=update) if update else new


def redact_path(path: str) -> str:
    """A request path fit for a log line: the secrets some paths carry are masked (an
    integration key in ``/api/integrations/{key}[/heartbeat]``, a calendar feed's token in
    ``…/calendars[/users]/{id}/{token}.ics``, a voice callback's token). The management API's
    ``/v1/integrations/{id}`` carries an id, not a key, and is kept. Callers pass the path
    without its query string."""
    segments = path.split("/")
    secret: set[int] = set()
    for i, segment in enumerate(segments):
        before = segments[i - 1] if i else ""
        if segment == "integrations" and before != "v1":
            secret.add(i + 1)
        elif segment == "calendars":
            secret.add(i + 3 if i + 1 < len(segments) and segments[i + 1] == "users" else i + 2)
        elif segment == "callbacks" and before == "voice":
            secret.add(i + 1)
    return "/".join(
        MASK if i in secret and segment else segment for i, segment in enumerate(segments)
    )
