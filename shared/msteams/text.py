"""Alert text made inert for Teams, whose cards and messages render Markdown.

Titles, service and schedule names, people's names and notes come from monitoring tools and
users; put into a ``TextBlock``, a ``FactSet`` or a message as they are, ``[click](https://evil)``
would become a link in a card that looks like ours, ``**x**`` bold, ``- x`` a list. Every such
value passes :func:`md_escape` (one line) or :func:`md_escape_lines` (keeps line breaks) before
it reaches a card or message; the Markdown around it is ours.

The escaping is CommonMark's backslash escape for every character that can open inline syntax
(emphasis, code, links, images, autolinks, HTML, entities, strikethrough, tables) and for the
line starts that open blocks (headings, quotes, lists). Teams clients have honoured escapes
unevenly, so the delimiters that pair up (``**``, ``](``) are also never left adjacent. Bare
URLs, which Teams turns into links without any Markdown, get a word joiner (U+2060, invisible)
after the scheme's colon and after ``www``, so the text shows unchanged but is not a link.
"""

from __future__ import annotations

import re

from shared.notifications.render import Message

#: Characters that open or close inline Markdown (CommonMark and the GFM extensions Teams uses).
_INLINE = re.compile(r"([\\`*_\[\]()<>&~|#!{}])")
#: Line starts that open a block: list items (``-``, ``+``, ``1.``, ``1)``), setext underlines.
_BLOCK_START = re.compile(r"^([-+=]|\d{1,9}(?=[.)]))")
_SCHEME = re.compile(r"(?i)\b([a-z][a-z0-9+.-]{0,30}):(?=//)")
_WWW = re.compile(r"(?i)\b(www)(?=\.)")
_JOINER = "\u2060"


def md_escape(text: str) -> str:
    """``text`` as one line of literal text in Teams Markdown (whitespace runs become one
    space: a line break in a value would start a new block)."""
    return _line(" ".join(text.split()), "")


def md_escape_lines(text: str, *, links_under: str = "") -> str:
    """Each line escaped like :func:`md_escape`; blank lines dropped, lines kept apart with a
    blank line (a single newline does not break a line in Teams Markdown). URLs that start
    with ``links_under`` (our own ``PUBLIC_BASE_URL``) stay links."""
    lines = (_line(" ".join(line.split()), links_under) for line in text.splitlines())
    return "\n\n".join(line for line in lines if line)


def _line(line: str, links_under: str) -> str:
    if not line:
        return ""
    pieces: list[str] = []
    at = 0
    if links_under:
        for match in re.finditer(re.escape(links_under.rstrip("/")) + r"(?:/[^\s()<>]*)?", line):
            pieces.append(_inline(line[at : match.start()]))
            pieces.append(f"[{_inline(match.group())}]({match.group()})")
            at = match.end()
    pieces.append(_inline(line[at:]))
    # A line that starts with one of our links starts with "[", which opens no block.
    return _BLOCK_START.sub(lambda m: _escape_block_start(m.group(1)), "".join(pieces))


def _inline(text: str) -> str:
    text = _INLINE.sub(r"\\\1", text)
    text = _SCHEME.sub(lambda m: m.group(1) + ":" + _JOINER, text)
    return _WWW.sub(lambda m: m.group(1) + _JOINER, text)


def personal_text(message: Message, *, base_url: str) -> str:
    """A notification as a Teams chat message: the subject in bold, then the text, in which
    only URLs under ``base_url`` (the incident links we wrote) are links."""
    subject = md_escape(message.subject)
    body = md_escape_lines(message.text, links_under=base_url)
    return f"**{subject}**\n\n{body}"


def _escape_block_start(token: str) -> str:
    if token.isdigit():
        # "1." and "1)" start a list only when the digits are followed by them; escape those.
        return token + "\\"
    return "\\" + token
