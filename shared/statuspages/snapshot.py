"""What a public rendering of a page is made from, gathered once per request: the page, each
component's shown status, the page's recent posts and (for the HTML page) uptime per component.
Every public shape (HTML, feeds, Statuspage JSON) is a pure function of a :class:`Snapshot`, so
none of them can show something another does not, nor anything beyond the page itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from shared.statuspages.evaluate import Shown, maintenance_state
from shared.statuspages.models import ComponentStatus, Post, StatusPage
from shared.statuspages.rollup import Overall, overall
from shared.statuspages.uptime import Day


@dataclass(frozen=True)
class Snapshot:
    page: StatusPage
    #: The page's public address without a trailing slash (its custom domain when it has one).
    url: str
    now: datetime
    shown: dict[str, Shown]
    #: Recent posts, newest first: the open ones and up to 50 closed ones of each kind.
    posts: tuple[Post, ...]
    uptime: dict[str, list[Day]] = field(default_factory=dict)

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.page.time_zone)

    def status_of(self, component_id: str) -> ComponentStatus:
        shown = self.shown.get(component_id)
        return shown.status if shown else ComponentStatus.OPERATIONAL

    def overall(self) -> Overall:
        return overall(self.status_of(c.id) for c in self.page.components)

    def incidents(self, *, unresolved: bool = False) -> list[Post]:
        found = [p for p in self.posts if p.kind == "incident"]
        if unresolved:
            found = [p for p in found if p.status not in ("resolved", "postmortem")]
        return found[:50]

    def maintenances(self, *, states: tuple[str, ...] | None = None) -> list[Post]:
        found = [p for p in self.posts if p.kind == "maintenance"]
        if states is not None:
            found = [p for p in found if maintenance_state(p, self.now) in states]
        return found[:50]

    def updated_at(self) -> datetime:
        """The newest change the page shows (a post, a component's status, the page itself)."""
        moments = [self.page.updated_at, *(p.updated_at for p in self.posts)]
        moments += [s.since for s in self.shown.values() if s.since is not None]
        moments += [c.updated_at for c in self.page.components]
        return max(m for m in moments if m <= self.now) if moments else self.now

    def stamp(self, moment: datetime) -> str:
        """Statuspage's timestamp form: milliseconds and the page zone's offset."""
        text = moment.astimezone(self.tz).isoformat(timespec="milliseconds")
        return text.replace("+00:00", "Z") if self.page.time_zone in ("Etc/UTC", "UTC") else text
