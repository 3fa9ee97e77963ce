"""The import plan: what is created, updated or left as it is, and what could not be carried
over (with the reason and what to do by hand). Printed, and written as JSON and Markdown."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Op = Literal["create", "update", "unchanged"]


@dataclass(frozen=True)
class Gap:
    """Something Opsgenie has that OpenAlert does not carry over, or carries with a loss."""

    kind: str
    name: str
    reason: str
    todo: str
    #: "skipped": not imported at all; "lossy": imported with the difference described.
    severity: Literal["skipped", "lossy", "manual"] = "lossy"


@dataclass(frozen=True)
class Step:
    kind: str
    name: str
    op: Op
    external_id: str
    team: str = ""
    #: What changes, for an update (the fields that differ).
    changes: tuple[str, ...] = ()


@dataclass
class Plan:
    steps: list[Step] = field(default_factory=list)
    gaps: list[Gap] = field(default_factory=list)
    #: Senders to repoint, one line each, per imported integration.
    senders: list[dict[str, str]] = field(default_factory=list)
    #: Per user: contact methods and notification rules to enter (JSON ready for /me/...).
    personal: dict[str, Any] = field(default_factory=dict)
    #: Timeline comparison results per schedule (after a real run).
    verification: list[dict[str, Any]] = field(default_factory=list)

    def gap(self, kind: str, name: str, reason: str, todo: str, severity: str = "lossy") -> None:
        assert severity in ("skipped", "lossy", "manual")
        gap = Gap(kind, name, reason, todo, severity)  # type: ignore[arg-type]
        if gap not in self.gaps:  # a team's rule is met once per integration of the team
            self.gaps.append(gap)

    def counts(self) -> dict[str, dict[str, int]]:
        out: dict[str, Counter[str]] = {}
        for s in self.steps:
            out.setdefault(s.kind, Counter())[s.op] += 1
        for g in self.gaps:
            out.setdefault(g.kind, Counter())[g.severity] += 1
        return {k: dict(v) for k, v in sorted(out.items())}

    def changed(self) -> int:
        return sum(1 for s in self.steps if s.op != "unchanged")

    def to_json(self) -> str:
        return json.dumps(
            {
                "counts": self.counts(),
                "steps": [asdict(s) for s in self.steps],
                "gaps": [asdict(g) for g in self.gaps],
                "senders": self.senders,
                "personal": self.personal,
                "verification": self.verification,
            },
            indent=2,
            sort_keys=True,
        )

    def to_markdown(self, title: str) -> str:
        ops = ("create", "update", "unchanged", "lossy", "skipped", "manual")
        lines = [f"# {title}", "", "| Kind | " + " | ".join(ops) + " |"]
        lines.append("|---" * (len(ops) + 1) + "|")
        for kind, c in self.counts().items():
            cells = [str(c.get(k, 0)) for k in ops]
            lines.append(f"| {kind} | " + " | ".join(cells) + " |")
        lines += ["", "## Changes", ""]
        changes = [s for s in self.steps if s.op != "unchanged"]
        lines += [
            f"- **{s.op}** {s.kind} `{s.name}`"
            + (f" (in {s.team})" if s.team else "")
            + (f": {', '.join(s.changes)}" if s.changes else "")
            for s in changes
        ] or ["Nothing to change."]
        lines += ["", "## Not carried over, or carried with a difference", ""]
        # One line per difference, naming everything it applies to (25 people, one reason).
        grouped: dict[tuple[str, str, str, str], list[str]] = {}
        for g in self.gaps:
            grouped.setdefault((g.severity, g.kind, g.reason, g.todo), []).append(g.name)
        lines += [
            f"- [{sev}] {kind} " + ", ".join(f"`{n}`" for n in names) + f": {reason} "
            f"**By hand:** {todo}"
            for (sev, kind, reason, todo), names in grouped.items()
        ] or ["Nothing."]
        if self.senders:
            lines += ["", "## Senders to repoint", ""]
            lines += [f"- `{s['name']}` ({s['format']}): {s['todo']}" for s in self.senders]
        if self.personal:
            lines += ["", "## Each person's contact methods and notification rules", ""]
            lines.append(
                "Each person adds these under their own profile (phone numbers must be verified "
                "by their owner), or runs `openalert import opsgenie --me`."
            )
            lines += [
                f"- {email}: {len(v['contacts'])} contact methods, rules "
                + ("translated" if v["rules"] else "none")
                for email, v in sorted(self.personal.items())
            ]
        if self.verification:
            lines += ["", "## On-call check against Opsgenie's timeline", ""]
            lines += [
                f"- `{v['schedule']}`: {v['hours']} hours compared, {len(v['differences'])} differ"
                for v in self.verification
            ]
        return "\n".join(lines) + "\n"
