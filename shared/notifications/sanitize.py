"""Alert text made safe for each channel.

Titles, services and descriptions come from monitoring tools and so from anyone who can post
an alert. A line break in an e-mail subject makes the mail library refuse the message (or, in
a laxer one, injects headers); control characters garble an SMS or a text-to-speech prompt;
bidi overrides make a title read differently from what it says; a lone surrogate cannot be
encoded at all. Every rendered message is cleaned here, so no channel sees such text.
"""

from __future__ import annotations

import unicodedata

#: Explicit direction marks, embeddings, overrides and isolates (Unicode TR 9).
BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)


def _drop(ch: str) -> bool:
    return ch in BIDI_CONTROLS or unicodedata.category(ch) == "Cs"


def _breaks(ch: str) -> bool:
    return unicodedata.category(ch) in ("Cc", "Zl", "Zp")


def one_line(text: str) -> str:
    """For headers, subjects, SMS and speech: no line breaks or control characters at all;
    each run of whitespace becomes one space."""
    cleaned = "".join(" " if _breaks(ch) else ch for ch in text if not _drop(ch))
    return " ".join(cleaned.split())


def multi_line(text: str) -> str:
    """For message bodies: line breaks stay (as ``\\n``), other control characters go."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "\n".join(
        "".join(" " if _breaks(ch) else ch for ch in line if not _drop(ch)) for line in lines
    )
