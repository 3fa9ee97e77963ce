"""Durable Functions for devhost: orchestrations, activities, timers, events, the client API.

Runs orchestrators written with the real ``azure-functions-durable`` SDK (replay schema V2);
see ``docs/durable.md`` for what is emulated and how it differs from Azure.
"""

from devhost.durable.plugin import DurablePlugin

__all__ = ["DurablePlugin"]
