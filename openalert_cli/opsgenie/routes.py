"""Opsgenie filters as route conditions, and integration kinds as OpenAlert formats."""

from __future__ import annotations

import re
from typing import Any

from openalert_cli.opsgenie import parse as og

_FIELDS = {"message": "title", "description": "description", "source": "source"}


def _condition(c: og.Condition) -> tuple[dict[str, Any] | None, str]:
    """One Opsgenie condition as a route condition, or why it cannot be one."""
    value = c.expected or ""
    if c.field in _FIELDS or c.field == "priority":
        name = "severity" if c.field == "priority" else _FIELDS[c.field]
    elif c.field in ("extra-properties", "details") and c.key:
        name = f"label:{c.key}"
    elif c.field in ("extra-properties", "details") and c.operation == "contains-key":
        return ({"field": f"label:{value}", "op": "not_exists" if c.negate else "exists"}, "")
    elif c.field == "tags" and c.operation in ("contains", "equals"):
        # The Opsgenie-format parser keeps tags as one comma-joined label.
        pattern = f"(^|,){re.escape(value)}(,|$)"
        if c.negate:
            return None, f"'tags not {c.operation}' has no negated regex in RE2"
        return {"field": "label:tags", "op": "regex", "value": pattern}, ""
    else:
        return None, f"field {c.field!r} is not something routes can test"
    op = c.operation
    if op == "equals":
        return {"field": name, "op": "ne" if c.negate else "eq", "value": value}, ""
    if op == "is-empty":
        return {"field": name, "op": "exists" if c.negate else "not_exists"}, ""
    patterns = {
        "matches": value,
        "contains": re.escape(value),
        "starts-with": "^" + re.escape(value),
        "ends-with": re.escape(value) + "$",
        "equals-ignore-whitespace": r"^\s*" + re.escape(value.strip()) + r"\s*$",
    }
    if op in patterns:
        if c.negate:
            return None, f"'not {op}' cannot be written as an RE2 pattern"
        return {"field": name, "op": "regex", "value": patterns[op]}, ""
    return None, f"operation {op!r} on {c.field!r}"


def conditions(f: og.Filter) -> tuple[list[dict[str, Any]], str, str]:
    """(conditions, match, problem). An empty problem means the filter maps exactly."""
    if f.type == "match-all" or not f.conditions:
        return [{"field": "title", "op": "exists"}], "all", ""
    if f.type not in ("match-all-conditions", "match-any-condition"):
        return [], "all", f"unknown filter type {f.type!r}"
    out = []
    for c in f.conditions:
        cond, problem = _condition(c)
        if cond is None:
            return [], "all", problem
        out.append(cond)
    return out, "any" if f.type == "match-any-condition" else "all", ""


# --- integrations ----------------------------------------------------------------------------
#: Opsgenie integration type -> OpenAlert format (shared/catalog/models.py ``SourceFormat``).
FORMATS = {
    "API": "opsgenie",
    "Prometheus": "alertmanager",
    "Alertmanager": "alertmanager",
    "Grafana": "grafana",
    "Datadog": "datadog",
    "Sentry": "sentry",
    "Azure": "azure_monitor",
    "AzureV2": "azure_monitor",
    "AzureLogAnalytics": "azure_monitor",
    "AzureServiceHealth": "azure_monitor",
    "AzureResourceHealth": "azure_monitor",
}


def integration_format(kind: str) -> str | None:
    return FORMATS.get(kind)


def sender_todo(fmt: str, url: str) -> str:
    if fmt == "opsgenie":
        return (
            f"Opsgenie-API senders keep their code: change the base URL to "
            f"{url.split('/v2/alerts')[0]}/ and use the new key as 'GenieKey <key>'"
        )
    if fmt == "alertmanager":
        return f"replace the opsgenie_configs receiver by webhook_configs url {url} (key in URL)"
    if fmt == "heartbeat":
        return f"ping {url} instead of /v2/heartbeats/<name>/ping"
    return f"point the sender at {url} with the new key"
