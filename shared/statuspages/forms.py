"""The one request body the public surface reads: a sign-up's e-mail address, from an HTML form
(``email=...``), from Statuspage's widget (``subscriber[email]=...``) or as JSON
(``{"email": ...}``). Pure; anything else is a 400 naming the field, never an exception of
another kind.
"""

from __future__ import annotations

from urllib.parse import parse_qs

from pydantic import ValidationError

from shared import jsonin
from shared.errors import InvalidInput, PayloadTooLarge
from shared.statuspages.models import SubscribeBody

MAX_BODY = 4096
FIELDS = ("email", "subscriber[email]")


def subscribe_address(content_type: str, body: bytes) -> str:
    """The address a sign-up names, validated (see the module docstring)."""
    if len(body) > MAX_BODY:
        raise PayloadTooLarge(f"A sign-up is at most {MAX_BODY} bytes.", limit=MAX_BODY)
    kind = content_type.split(";", 1)[0].strip().lower()
    value: object = None
    if kind == "application/json":
        try:
            doc = jsonin.loads(body, field="(body)")
        except jsonin.InvalidJson as exc:
            raise InvalidInput(f"The body is {exc.detail}.", field="(body)") from None
        if isinstance(doc, dict):
            value = doc.get("email")
    else:
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            raise InvalidInput("The form is not UTF-8.", field="email") from None
        try:
            fields = parse_qs(text, keep_blank_values=True, max_num_fields=10)
        except ValueError:
            raise InvalidInput("The form has too many fields.", field="(body)") from None
        value = next((fields[f][0] for f in FIELDS if fields.get(f)), None)
    if not isinstance(value, str):
        raise InvalidInput("An e-mail address is required.", field="email")
    try:
        return SubscribeBody(email=value).email
    except ValidationError:
        raise InvalidInput("That is not an e-mail address.", field="email") from None
