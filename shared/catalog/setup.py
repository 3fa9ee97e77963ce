"""What to paste into each sender for an integration: URLs, the key's place, config snippets.

Built with the key when it is shown (create, rotate) and from ``PUBLIC_BASE_URL``, never from the
request's Host header (a proxy's or a spoofed one would end up in monitoring configurations).
Senders that speak another vendor's API get that vendor's *base* URL where they append the path
themselves: Alertmanager's ``opsgenie_configs.api_url`` and the Opsgenie SDK's host append
``v2/alerts``; pdpyras's ``EventsAPISession`` appends ``/v2/enqueue``.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from shared.catalog.models import Integration

#: Alertmanager templates turning the common ``severity`` label into each API's own levels, so
#: alerts are not all sent at the receiver's default (PagerDuty "error", Opsgenie P3).
PD_SEVERITY = (
    '{{ if eq .CommonLabels.severity "critical" }}critical'
    '{{ else if eq .CommonLabels.severity "warning" }}warning'
    '{{ else if eq .CommonLabels.severity "info" }}info{{ else }}error{{ end }}'
)
OG_PRIORITY = (
    '{{ if eq .CommonLabels.severity "critical" }}P1'
    '{{ else if eq .CommonLabels.severity "warning" }}P3'
    '{{ else if eq .CommonLabels.severity "info" }}P4{{ else }}P2{{ end }}'
)


#: Stands for the key in the setup of a saved integration: the key is shown only once (at
#: creation and rotation), and only its hash is kept.
KEY_PLACEHOLDER = "<integration-key>"


class SenderSetup(BaseModel):
    """Everything a sender's configuration needs; ``snippets`` are ready to paste."""

    url: str = Field(description="The URL to post alerts to (for Azure Monitor: with the key).")
    key_in: str = Field(description="Where the key goes for this integration's senders.")
    opsgenie_base_url: str | None = Field(
        default=None,
        description="Opsgenie senders' API URL (Alertmanager api_url, SDK host): they append "
        "v2/alerts themselves.",
    )
    pagerduty_enqueue_url: str | None = None
    routing_key: str | None = None
    snippets: dict[str, str] = Field(
        default_factory=dict, description="Sender name -> a ready configuration to paste."
    )


def _yaml_str(value: str) -> str:
    """A single-quoted YAML scalar (templates contain quotes and braces)."""
    return "'" + value.replace("'", "''") + "'"


#: Alertmanager sends at most this many alerts of a group per notification and drops the rest
#: (``truncatedAlerts`` counts them; they never arrive, resolves included). High enough for an
#: outage's group, low enough to stay within the 1 MiB body limit at ~3 KiB an alert.
AM_MAX_ALERTS = 300


def _alertmanager_webhook(base: str, key: str) -> str:
    return f"""receivers:
  - name: openalert
    webhook_configs:
      - url: {base}/api/integrations
        send_resolved: true
        max_alerts: {AM_MAX_ALERTS}
        http_config:
          authorization:
            credentials: {key}
"""


def _grafana(base: str, key: str) -> str:
    return _grafana_vendor(
        "webhook",
        {
            "url": f"{base}/api/integrations",
            "httpMethod": "POST",
            "authorization_scheme": "Bearer",
            "authorization_credentials": key,
        },
    )


def _grafana_vendor(kind: str, settings: dict[str, str]) -> str:
    """A Grafana contact point of type ``kind``: a webhook, or Grafana's own PagerDuty or
    Opsgenie type repointed."""
    lines = "".join(f"          {k}: {v}\n" for k, v in settings.items())
    return f"""apiVersion: 1
contactPoints:
  - orgId: 1
    name: openalert
    receivers:
      - uid: openalert
        type: {kind}
        settings:
{lines}"""


def _azure_action_group(base: str, key: str) -> str:
    return f"""resource openalert 'Microsoft.Insights/actionGroups@2023-01-01' = {{
  name: 'openalert'
  location: 'Global'
  properties: {{
    groupShortName: 'openalert'
    enabled: true
    webhookReceivers: [
      {{
        name: 'openalert'
        serviceUri: '{base}/api/integrations/{key}'
        useCommonAlertSchema: true
      }}
    ]
  }}
}}
"""


def _alertmanager_pagerduty(base: str, key: str) -> str:
    return f"""receivers:
  - name: openalert
    pagerduty_configs:
      - url: {base}/api/pagerduty/v2/enqueue
        routing_key: {key}
        send_resolved: true
        severity: {_yaml_str(PD_SEVERITY)}
"""


def _alertmanager_opsgenie(base: str, key: str) -> str:
    return f"""receivers:
  - name: openalert
    opsgenie_configs:
      - api_url: {base}/api/opsgenie/
        api_key: {key}
        send_resolved: true
        priority: {_yaml_str(OG_PRIORITY)}
"""


def sender_setup(base_url: str, integration: Integration, key: str) -> SenderSetup:
    base = base_url.rstrip("/")
    fmt = integration.format
    if fmt == "pagerduty":
        return SenderSetup(
            url=f"{base}/api/pagerduty/v2/enqueue",
            key_in="routing_key in the body",
            pagerduty_enqueue_url=f"{base}/api/pagerduty/v2/enqueue",
            routing_key=key,
            snippets={
                "alertmanager": _alertmanager_pagerduty(base, key),
                "grafana": _grafana_vendor(
                    "pagerduty", {"integrationKey": key, "url": f"{base}/api/pagerduty/v2/enqueue"}
                ),
                "pdpyras": (
                    f"session = pdpyras.EventsAPISession({key!r})\n"
                    f"session.url = {base + '/api/pagerduty'!r}\n"
                ),
            },
        )
    if fmt == "opsgenie":
        return SenderSetup(
            url=f"{base}/api/opsgenie/v2/alerts",
            key_in="Authorization: GenieKey <key>",
            opsgenie_base_url=f"{base}/api/opsgenie/",
            snippets={
                "alertmanager": _alertmanager_opsgenie(base, key),
                # Grafana's Opsgenie contact point takes the full alerts URL, not the base.
                "grafana": _grafana_vendor(
                    "opsgenie", {"apiKey": key, "apiUrl": f"{base}/api/opsgenie/v2/alerts"}
                ),
                "opsgenie_sdk": (
                    "conf = opsgenie_sdk.Configuration()\n"
                    f"conf.host = {base + '/api/opsgenie'!r}\n"
                    f"conf.api_key = {{'Authorization': {key!r}}}\n"
                ),
            },
        )
    if fmt == "heartbeat":
        url = f"{base}/api/integrations/{key}/heartbeat"
        return SenderSetup(url=url, key_in="the path", snippets={"curl": f"curl -fsS {url}\n"})
    snippets: dict[str, str] = {
        "curl": (
            f"curl -X POST {base}/api/integrations -H 'Authorization: Bearer {key}' "
            "-H 'Content-Type: application/json' "
            '-d \'{"title": "Test alert", "id": "test"}\'\n'
        )
    }
    if fmt == "alertmanager":
        snippets["alertmanager"] = _alertmanager_webhook(base, key)
    elif fmt == "grafana":
        snippets["grafana"] = _grafana(base, key)
    elif fmt == "azure_monitor":
        snippets["azure_action_group"] = _azure_action_group(base, key)
    return SenderSetup(
        url=f"{base}/api/integrations/{key}",
        key_in="the path, or Authorization: Bearer <key> / the Basic-auth password at "
        f"{base}/api/integrations",
        snippets=snippets,
    )
