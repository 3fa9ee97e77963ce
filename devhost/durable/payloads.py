"""Activity inputs and results as the Functions worker converts them for an activity trigger.

The worker's ``ActivityTriggerConverter`` decodes with Durable's own JSON codec (which also
carries the SDK's serialisable classes), so devhost uses the same one both ways.
"""

from __future__ import annotations

import json
from typing import Any


def activity_input(raw: str | None) -> Any:
    """What the worker's ActivityTriggerConverter hands the function: the decoded JSON."""
    if raw is None:
        return None
    from azure.functions._durable_functions import df_loads

    try:
        return df_loads(raw)
    except json.JSONDecodeError:
        return raw


def activity_output(value: Any) -> str:
    from azure.functions._durable_functions import df_dumps

    return str(df_dumps(value))
