"""Where an imported calendar comes from when it is not pasted: a URL (an Opsgenie, PagerDuty or
Outlook export link), read once through the app's guarded outbound client.

The URL is a person's input and may point anywhere, so it gets the same guard as webhook
targets (``shared.outbound``: public addresses only, https unless the operator allows http, no
redirects followed, checked on the resolved addresses). Errors name the field and the reason,
never the URL (an export link often carries its secret)."""

from __future__ import annotations

import httpx

from shared.errors import InvalidInput
from shared.outbound.guard import OutboundBlocked
from shared.outbound.targets import check_saved_target

#: The most an imported calendar may be (the same as a pasted one).
MAX_BYTES = 512 * 1024


async def fetch_calendar(http: httpx.AsyncClient, url: str, *, max_bytes: int = MAX_BYTES) -> bytes:
    """The body of ``url``: 200 only, at most ``max_bytes`` (read as it streams, so a huge
    answer is cut off rather than buffered)."""
    check_saved_target(http, url, field="url")
    chunks: list[bytes] = []
    size = 0
    try:
        async with http.stream("GET", url, headers={"Accept": "text/calendar"}) as reply:
            if reply.status_code != 200:
                raise InvalidInput(
                    f"The calendar URL answered HTTP {reply.status_code}, not 200.", field="url"
                )
            async for chunk in reply.aiter_bytes():
                size += len(chunk)
                if size > max_bytes:
                    raise InvalidInput(
                        f"The calendar is larger than {max_bytes // 1024} KiB.", field="url"
                    )
                chunks.append(chunk)
    except OutboundBlocked as exc:
        raise InvalidInput(f"url is not an allowed target: {exc.reason}.", field="url") from None
    except (httpx.HTTPError, httpx.InvalidURL) as exc:
        # InvalidURL (a character httpx refuses) is not an HTTPError: a 400 too, never a 500.
        raise InvalidInput(
            f"The calendar URL could not be read ({type(exc).__name__}).", field="url"
        ) from None
    return b"".join(chunks)
