"""Every card OpenAlert sends, checked by Microsoft's adaptivecards library (npm, in .tools/).

No registry package ships the official Adaptive Card 1.5 JSON schema (docs/teams.md lists what
was checked), so the cards go through the official parser instead: it reports unknown element
and action types, invalid property values and missing required properties. It runs in Node
from ``.tools/node_modules`` (``make setup`` installs it from tools.package.json).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from shared.incidents.models import Actor, IncidentStatus
from shared.msteams.cards import incident_card, message_card
from shared.msteams.tab import incident_deep_link, teams_app_id
from shared.notifications.workflows import workflows_message
from tests.unit.msteams.test_cards import incident

ROOT = Path(__file__).resolve().parents[3]
SCRIPT = Path(__file__).with_name("adaptivecards_check.js")
NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
ALICE = Actor(kind="user", id="a", display="Alice")


def official_problems(cards: list[dict[str, Any]]) -> list[list[str]]:
    node = shutil.which("node")
    assert node, "node is needed (make setup installs the adaptivecards package into .tools/)"
    module_dirs = [str(ROOT / ".tools" / "node_modules"), os.environ.get("NODE_PATH", "")]
    done = subprocess.run(
        [node, str(SCRIPT)],
        input=json.dumps(cards),
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "NODE_PATH": os.pathsep.join(d for d in module_dirs if d)},
        check=False,
    )
    assert done.returncode == 0, f"adaptivecards is missing? run make setup\n{done.stderr}"
    result: list[list[str]] = json.loads(done.stdout)
    return result


def card(notice: str | None = None, **state: Any) -> dict[str, Any]:
    return incident_card(
        incident(**state),
        service_name="Checkout",
        on_call=["Alice", "Bob"],
        url="https://oa.example.com/incidents/inc-1",
        notice=notice,
    )


CARDS: dict[str, dict[str, Any]] = {
    "triggered": card(),
    "acknowledged": card(
        status=IncidentStatus.ACKNOWLEDGED, acknowledged_at=NOW, acknowledged_by=ALICE
    ),
    "snoozed": card(
        status=IncidentStatus.SNOOZED,
        acknowledged_at=NOW,
        acknowledged_by=ALICE,
        snoozed_until=NOW + timedelta(hours=1),
    ),
    "resolved": card(status=IncidentStatus.RESOLVED, resolved_at=NOW, resolved_by=ALICE),
    "described": card(description="Disk /data is 97% full.\nWrites fail at 100%."),
    "refused": card(
        notice="You cannot acknowledge this incident (OpenAlert.Viewer; responders act on "
        "incidents of their own teams)."
    ),
    "not set up": card(notice="You are not set up in OpenAlert yet."),
    # Six actions, the last the deep link to the incident in the Teams tab.
    "opened in the tab": incident_card(
        incident(),
        service_name="Checkout",
        on_call=["Alice"],
        url="https://oa.example.com/incidents/inc-1",
        tab_url=incident_deep_link(
            teams_app_id("6b1c0b1e-5d8e-4f6b-9a51-2a3c4d5e6f70"),
            "inc-1",
            "https://oa.example.com/incidents/inc-1",
        ),
    ),
    "message": message_card("This incident no longer exists."),
    "workflows": workflows_message(
        incident(), service_name="Checkout", base_url="https://oa.example.com", event="triggered"
    )["attachments"][0]["content"],
    "workflows described": workflows_message(
        incident(description="Disk /data is 97% full."),
        service_name="Checkout",
        base_url="https://oa.example.com",
        event="triggered",
    )["attachments"][0]["content"],
}


def test_every_card_passes_the_official_parser() -> None:
    problems = official_problems(list(CARDS.values()))
    assert dict(zip(CARDS, problems, strict=True)) == {name: [] for name in CARDS}


@pytest.mark.parametrize(
    ("broken", "reported"),
    [
        ({"type": "TextBlock", "text": "x", "size": "Huge"}, 'Invalid value "Huge"'),
        ({"type": "Carousel2"}, 'Unknown element type "Carousel2"'),
        ({"type": "Input.Text"}, "All inputs must have a unique Id"),
        ({"type": "ActionSet", "actions": [{"type": "Action.OpenUrl"}]}, '"url" must be set'),
    ],
)
def test_the_official_parser_reports_broken_cards(broken: dict[str, Any], reported: str) -> None:
    # The check above can fail: the same parser flags a card with a broken element. (It does
    # not flag everything: an Action.Execute without a verb passes it, which is why
    # test_cards.py also checks the cards against the schema subset written there.)
    bad = {**CARDS["triggered"], "body": [*CARDS["triggered"]["body"], broken]}
    [problems] = official_problems([bad])
    assert any(reported in p for p in problems), problems
