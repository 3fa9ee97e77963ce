"""Azure Functions (ASP.NET-style) route templates.

``{id}``, ``{id:int}`` (and the other inline constraints), ``{id?}``, ``{*rest}``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from devhost.config import DevhostError

_CONSTRAINTS = {
    "int": r"-?\d+",
    "long": r"-?\d+",
    "double": r"-?\d+(?:\.\d+)?",
    "float": r"-?\d+(?:\.\d+)?",
    "decimal": r"-?\d+(?:\.\d+)?",
    "bool": r"(?i:true|false)",
    "alpha": r"[A-Za-z]+",
    "guid": r"[0-9A-Fa-f]{8}-?[0-9A-Fa-f]{4}-?[0-9A-Fa-f]{4}-?[0-9A-Fa-f]{4}-?[0-9A-Fa-f]{12}",
}
_PARAM = re.compile(r"^\{(\*)?([A-Za-z_][A-Za-z0-9_]*)(?::([a-z]+)(?:\((.*)\))?)?(\?)?\}$")


@dataclass(frozen=True)
class Route:
    template: str
    pattern: re.Pattern[str]
    #: Sort key: literal segments first, then constrained params, then plain, catch-all last.
    precedence: tuple[int, ...]

    def match(self, path: str) -> dict[str, str] | None:
        m = self.pattern.fullmatch(path)
        if m is None:
            return None
        return {k: v for k, v in m.groupdict().items() if v is not None}


def compile_route(template: str) -> Route:
    template = template.strip("/")
    parts: list[str] = []
    precedence: list[int] = []
    segments = template.split("/") if template else []
    for index, segment in enumerate(segments):
        m = _PARAM.match(segment)
        if m is None:
            if "{" in segment or "}" in segment:
                raise DevhostError(f"route {template!r}: unsupported segment {segment!r}")
            parts.append("/" + re.escape(segment))
            precedence.append(0)
            continue
        catch_all, name, constraint, arg, optional = m.groups()
        if catch_all:
            if index != len(segments) - 1:
                raise DevhostError(f"route {template!r}: a catch-all must be the last segment")
            parts.append(f"(?:/(?P<{name}>.*))?")
            precedence.append(3)
            continue
        if constraint == "regex" and arg is not None:
            # ASP.NET anchors a regex constraint to the segment; inside our path pattern the
            # group is anchored by its neighbours, so explicit ^/$ must go.
            body = arg.removeprefix("^").removesuffix("$")
        elif constraint is None:
            body = r"[^/]+"
        elif constraint in _CONSTRAINTS:
            body = _CONSTRAINTS[constraint]
        else:
            raise DevhostError(f"route {template!r}: unsupported constraint {constraint!r}")
        group = f"/(?P<{name}>{body})"
        parts.append(f"(?:{group})?" if optional else group)
        precedence.append(1 if constraint else 2)
    # DOTALL: a segment may hold any decoded character, newlines included (as in ASP.NET).
    pattern = re.compile("".join(parts) or "", re.DOTALL)
    return Route(template=template, pattern=pattern, precedence=tuple(precedence))


def order(routes: list[Route]) -> list[Route]:
    """Most specific first, as the host's router does (literals beat parameters)."""
    return sorted(routes, key=lambda r: (r.precedence, -len(r.precedence)))
