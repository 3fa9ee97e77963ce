"""Find each imported object again by its ``external_id`` and create, update or leave it.

Every create carries the object's ``external_id`` in the same request, so a run killed between
any two requests leaves nothing the next run cannot find: it updates what exists and creates
the rest. A dry run goes through the same decisions without writing.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from openalert_cli.api import OpenAlert, Refused
from openalert_cli.opsgenie.plan import Plan, Step


def same(want: Any, have: Any) -> bool:
    """Whether the server's value says what the importer sends (a subset test for objects;
    times and date-times compared as instants, so '08:00:00' = '08:00' and 'Z' = '+00:00')."""
    if isinstance(want, Mapping):
        return isinstance(have, Mapping) and all(
            same(v, have.get(k)) for k, v in want.items() if not (v is None and k not in have)
        )
    if isinstance(want, list | tuple):
        return (
            isinstance(have, list | tuple)
            and len(want) == len(have)
            and all(same(a, b) for a, b in zip(want, have, strict=True))
        )
    if isinstance(want, str) and isinstance(have, str) and want != have:
        return _instant(want) is not None and _instant(want) == _instant(have)
    if isinstance(want, float | int) and isinstance(have, float | int):
        return float(want) == float(have)
    return bool(want == have)


def _instant(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None


class Reconciler:
    def __init__(self, api: OpenAlert, plan: Plan, *, dry_run: bool) -> None:
        self.api = api
        self.plan = plan
        self.dry_run = dry_run
        #: path -> external_id -> the object as the server has it.
        self._known: dict[str, dict[str, Mapping[str, Any]]] = {}
        #: path -> name -> objects without an external id.
        self._unmarked: dict[str, dict[str, list[Mapping[str, Any]]]] = {}

    def existing(self, path: str) -> dict[str, Mapping[str, Any]]:
        if path not in self._known:
            found: dict[str, Mapping[str, Any]] = {}
            unmarked: dict[str, list[Mapping[str, Any]]] = {}
            for item in self.api.items(path):
                ext = item.get("external_id")
                if isinstance(ext, str) and ext.startswith("opsgenie:"):
                    found.setdefault(ext, item)
                elif not ext:
                    unmarked.setdefault(str(item.get("name", "")), []).append(item)
            self._known[path] = found
            self._unmarked[path] = unmarked
        return self._known[path]

    def _adoptable(self, path: str, name: str) -> Mapping[str, Any] | None:
        """The one object of that name nobody imported (made by hand before the import)."""
        self.existing(path)
        same_name = self._unmarked.get(path, {}).get(name, [])
        return same_name[0] if len(same_name) == 1 else None

    def upsert(
        self, kind: str, path: str, body: dict[str, Any], *, team: str = "", adopt: bool = False
    ) -> Mapping[str, Any] | None:
        """The object after this run (a placeholder in a dry run), or None if OpenAlert
        refused it (recorded as a gap with the server's reason). ``adopt``: an object of the
        same name that no import made is taken over (updated, given the external id) instead
        of a second one being created."""
        ext = str(body["external_id"])
        name = str(body.get("name", ext))
        have = self.existing(path).get(ext)
        if have is None and adopt:
            have = self._adoptable(path, name)
        if have is not None:
            changes = tuple(k for k, v in body.items() if not same(v, have.get(k)))
            if not changes:
                self.plan.steps.append(Step(kind, name, "unchanged", ext, team))
                return have
            self.plan.steps.append(Step(kind, name, "update", ext, team, changes))
            if self.dry_run:
                return have
            return self._write(kind, name, "PUT", f"{path}/{have['id']}", body, ext, path)
        self.plan.steps.append(Step(kind, name, "create", ext, team))
        if self.dry_run:
            return {**body, "id": f"(new {kind} {name})"}
        return self._write(kind, name, "POST", path, body, ext, path)

    def _write(
        self, kind: str, name: str, method: str, url: str, body: Any, ext: str, path: str
    ) -> Mapping[str, Any] | None:
        try:
            answer = self.api.request(method, url, body)
        except Refused as exc:
            if exc.status >= 500 or exc.status in (401, 403):
                raise
            self.plan.steps.pop()
            self.plan.gap(
                kind, name, f"OpenAlert refused it: {exc.detail}", "fix it by hand", "skipped"
            )
            return None
        # Integrations answer {integration, key, setup}; everything else the object itself.
        obj = answer.get("integration", answer) if isinstance(answer, dict) else answer
        self.existing(path)[ext] = obj
        return answer if isinstance(answer, dict) else None

    def write(self, method: str, url: str, body: Any = None) -> Any:
        """A write outside the create/update pattern (members, overrides, routes)."""
        if self.dry_run:
            return None
        return self.api.request(method, url, body)


def dumps(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str)
