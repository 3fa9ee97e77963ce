"""Service Bus queue and connection names shared by every blueprint.

The names must match the queues infra/ creates and devhost emulates; one place keeps a
producer and its consumer from drifting apart.
"""

from __future__ import annotations

from typing import Final

#: The app-setting prefix the Functions host reads the Service Bus connection from.
CONNECTION: Final = "ServiceBusConnection"
#: Accepted alert envelopes: ingest -> process.
ALERTS_QUEUE: Final = "alerts"
#: Notification jobs: escalation, bot, voice, timers -> deliver.
NOTIFICATIONS_QUEUE: Final = "notifications"
