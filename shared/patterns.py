"""Regular expressions written by users, compiled and run only by RE2 (linear time).

Python's ``re`` backtracks: ``^(a+)+$`` against a few dozen characters takes seconds and each
extra character doubles it, on the event loop that also runs every other alert. RE2 runs in
time linear in the text for every pattern it accepts, and refuses the constructs that need
backtracking (backreferences, lookaround), so a pattern from a route condition, a mapping or
anywhere else a user types one is checked here at save and run here at match. Nothing a user
writes reaches ``re``.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import re2

from shared.errors import InvalidInput

#: Longest pattern accepted; RE2's own memory budget bounds what a shorter one can compile to.
MAX_PATTERN_CHARS = 1000
#: RE2's per-pattern memory budget (bytes); patterns that need more fail to compile.
MAX_PATTERN_MEMORY = 8 << 20


class InvalidPattern(ValueError):
    """A pattern RE2 cannot compile, or one too long; a ``ValueError`` so pydantic validators
    turn it into a 400 naming the field."""


def _options() -> Any:
    options = re2.Options()
    options.log_errors = False
    options.max_mem = MAX_PATTERN_MEMORY
    return options


@lru_cache(maxsize=1024)
def _compiled(pattern: str) -> Any:
    if len(pattern) > MAX_PATTERN_CHARS:
        raise InvalidPattern(f"regex longer than {MAX_PATTERN_CHARS} characters")
    try:
        return re2.compile(pattern, _options())
    except re2.error as exc:
        reason = exc.args[0] if exc.args else exc
        if isinstance(reason, bytes):
            reason = reason.decode("utf-8", "replace")
        raise InvalidPattern(f"invalid regex (RE2 syntax): {reason}") from None


def check(pattern: str) -> str:
    """The pattern, if RE2 compiles it; raises :class:`InvalidPattern` saying why not."""
    _compiled(pattern)
    return pattern


def check_field(pattern: str, *, field: str) -> str:
    """:func:`check` for code outside pydantic: the problem names ``field``."""
    try:
        return check(pattern)
    except InvalidPattern as exc:
        raise InvalidInput(str(exc), field=field) from None


def search(pattern: str, text: str) -> bool:
    """Whether ``pattern`` matches anywhere in ``text``. A stored pattern RE2 refuses (saved
    before patterns were checked with RE2) matches nothing, so its route falls through to the
    next one and in the end to the default route, which pages."""
    try:
        compiled = _compiled(pattern)
    except InvalidPattern:
        return False
    return compiled.search(text) is not None
