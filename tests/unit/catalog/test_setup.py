"""What an integration's answer tells each sender to paste."""

from __future__ import annotations

from typing import Any

import yaml

from shared.catalog.models import Integration
from shared.catalog.setup import OG_PRIORITY, PD_SEVERITY, sender_setup

BASE = "https://oa.example.com"
KEY = "oai_abcdefghijkl_secret"


def integration(fmt: str) -> Integration:
    return Integration.model_validate(
        {
            "id": "int-1",
            "name": "x",
            "service_id": "s",
            "team_id": "t",
            "format": fmt,
            "key_prefix": "p",
            "key_hash": "h",
        }
    )


def receiver(snippet: str) -> dict[str, Any]:
    doc = yaml.safe_load(snippet)
    [one] = doc["receivers"]
    assert one["name"] == "openalert"
    return dict(one)


def test_alertmanager_posts_to_the_key_less_url_with_the_key_as_bearer_token() -> None:
    setup = sender_setup(BASE + "/", integration("alertmanager"), KEY)
    [hook] = receiver(setup.snippets["alertmanager"])["webhook_configs"]
    assert hook["url"] == f"{BASE}/api/integrations"
    assert hook["http_config"]["authorization"]["credentials"] == KEY
    assert hook["send_resolved"] is True


def test_pagerduty_senders_get_the_enqueue_url_routing_key_and_a_severity_template() -> None:
    setup = sender_setup(BASE, integration("pagerduty"), KEY)
    assert setup.pagerduty_enqueue_url == f"{BASE}/api/pagerduty/v2/enqueue"
    assert setup.routing_key == KEY
    [pd] = receiver(setup.snippets["alertmanager"])["pagerduty_configs"]
    assert (pd["url"], pd["routing_key"], pd["severity"]) == (
        setup.pagerduty_enqueue_url,
        KEY,
        PD_SEVERITY,
    )


def test_opsgenie_senders_get_the_base_url_they_append_v2_alerts_to() -> None:
    setup = sender_setup(BASE, integration("opsgenie"), KEY)
    # Alertmanager joins api_url and "v2/alerts"; the SDK's host gets "/v2/alerts".
    assert setup.opsgenie_base_url == f"{BASE}/api/opsgenie/"
    [og] = receiver(setup.snippets["alertmanager"])["opsgenie_configs"]
    assert (og["api_url"], og["api_key"], og["priority"]) == (
        setup.opsgenie_base_url,
        KEY,
        OG_PRIORITY,
    )
    assert f"conf.host = '{BASE}/api/opsgenie'" in setup.snippets["opsgenie_sdk"]


def test_grafana_contact_point_and_azure_action_group() -> None:
    grafana = yaml.safe_load(sender_setup(BASE, integration("grafana"), KEY).snippets["grafana"])
    [point] = grafana["contactPoints"]
    [hook] = point["receivers"]
    assert hook["type"] == "webhook"
    assert hook["settings"]["url"] == f"{BASE}/api/integrations"
    assert hook["settings"]["authorization_credentials"] == KEY
    azure = sender_setup(BASE, integration("azure_monitor"), KEY).snippets["azure_action_group"]
    # An action group's plain webhook cannot send headers: the key is in the URL.
    assert f"serviceUri: '{BASE}/api/integrations/{KEY}'" in azure
    assert "useCommonAlertSchema: true" in azure


def test_grafanas_own_pagerduty_and_opsgenie_contact_points_are_repointed() -> None:
    def settings(fmt: str) -> dict[str, Any]:
        snippet = sender_setup(BASE, integration(fmt), KEY).snippets["grafana"]
        [point] = yaml.safe_load(snippet)["contactPoints"]
        [hook] = point["receivers"]
        assert hook["type"] == fmt
        return dict(hook["settings"])

    assert settings("pagerduty") == {
        "integrationKey": KEY,
        "url": f"{BASE}/api/pagerduty/v2/enqueue",
    }
    assert settings("opsgenie") == {"apiKey": KEY, "apiUrl": f"{BASE}/api/opsgenie/v2/alerts"}
