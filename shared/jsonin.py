"""Decoding JSON that arrives over HTTP: one function every entry point uses.

``json.loads`` alone lets three kinds of hostile body through to code that then fails with a
500: nesting deep enough that the decoder (or, under its limit, any later recursive walk such as
validation or re-encoding) raises ``RecursionError``; integers too long for Python to turn into
text (more than 4,300 digits raise ``ValueError`` when logged or stored); and ``NaN`` /
``Infinity`` / ``1e999``, which no store accepts. This decoder refuses all three as
:class:`InvalidJson` (a 400 naming the field), before any of them reaches a handler.
"""

from __future__ import annotations

import json
import math
from typing import Any

from shared.errors import InvalidInput

#: Deepest nesting accepted. Real payloads (alerts, policies, activities) stay under 20.
MAX_DEPTH = 64
#: Longest number literal accepted, in characters; enough for any int64 or double.
MAX_NUMBER_CHARS = 40


class InvalidJson(InvalidInput):
    """The body is not JSON, or is JSON no payload of ours looks like."""


class _Refused(ValueError):
    pass


def _int(text: str) -> int:
    if len(text) > MAX_NUMBER_CHARS:
        raise _Refused(f"a number has {len(text)} characters; at most {MAX_NUMBER_CHARS}")
    return int(text)


def _float(text: str) -> float:
    if len(text) > MAX_NUMBER_CHARS:
        raise _Refused(f"a number has {len(text)} characters; at most {MAX_NUMBER_CHARS}")
    value = float(text)
    if not math.isfinite(value):
        raise _Refused(f"the number {text} is out of range")
    return value


def _constant(name: str) -> Any:
    raise _Refused(f"{name} is not a JSON number")


def depth(doc: Any, limit: int = MAX_DEPTH) -> int:
    """Nesting depth of decoded JSON (a scalar is 0), counting no further than ``limit + 1``.
    Iterative, so no input can exhaust the stack."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(doc, 0)]
    while stack:
        node, level = stack.pop()
        if isinstance(node, dict):
            children: Any = node.values()
        elif isinstance(node, list):
            children = node
        else:
            continue
        level += 1
        deepest = max(deepest, level)
        if deepest > limit:
            return deepest
        stack.extend((child, level) for child in children if isinstance(child, dict | list))
    return deepest


def _whole_float(text: str) -> float | int:
    value = _float(text)
    return int(value) if value.is_integer() else value


def loads(
    body: bytes | str,
    *,
    field: str = "(body)",
    max_depth: int = MAX_DEPTH,
    whole_floats_as_int: bool = False,
) -> Any:
    """Decoded JSON, or :class:`InvalidJson` saying what is wrong with it (``field`` names
    where the JSON was, for the problem document).

    ``whole_floats_as_int``: ``2.0`` decodes as ``2``. JSON Schema counts it as an integer, so a
    strict validator must see it as one; a float field takes an int all the same."""
    parse_float = _whole_float if whole_floats_as_int else _float
    try:
        doc = json.loads(body, parse_int=_int, parse_float=parse_float, parse_constant=_constant)
    except RecursionError:
        raise InvalidJson(f"JSON nested deeper than {max_depth} levels", field=field) from None
    except _Refused as exc:
        raise InvalidJson(f"unacceptable JSON: {exc}", field=field) from None
    except (ValueError, UnicodeDecodeError) as exc:
        # JSONDecodeError is a ValueError; its message says where the JSON broke.
        raise InvalidJson(f"not valid JSON: {str(exc)[:200]}", field=field) from None
    if depth(doc, max_depth) > max_depth:
        raise InvalidJson(f"JSON nested deeper than {max_depth} levels", field=field)
    return doc
