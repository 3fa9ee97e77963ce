"""Time zone names as request fields: an IANA name (``Europe/Berlin``) checked when the body is
read, so a typo is a 422 naming the field rather than a failure when a rule is evaluated."""

from __future__ import annotations

from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator


def iana_zone(value: str) -> str:
    """``value`` if the zone database knows it; ValueError otherwise."""
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown IANA time zone {value!r}") from exc
    return value


#: A ``str`` field holding an IANA zone name.
IanaZone = Annotated[str, AfterValidator(iana_zone)]
