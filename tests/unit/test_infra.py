"""infra/ against the product: every .bicep parses, the resources the deployment relies on exist
with identity-only auth, the settings contract holds and the Cosmos containers match the store.

No Azure here, so this is static: pycep parses the Bicep, the tests walk the parsed tree.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any, cast

import pytest
from pycep import BicepParser

from shared.config import HOST_SETTINGS, Settings
from shared.store.containers import CONTAINERS

INFRA = Path(__file__).resolve().parents[2] / "infra"
BICEP_FILES = sorted(INFRA.rglob("*.bicep"))

# How pycep reads the Bicep literal -1 (Cosmos: TTL on, no default expiry).
NO_TTL = {"operator": {"type": "minus", "operands": {"integer_value": 1}}}

# A host setting that is identity-based in Azure is satisfied by this app setting instead.
IDENTITY_FORMS = {
    "AzureWebJobsStorage": "AzureWebJobsStorage__accountName",
    "ServiceBusConnection": "ServiceBusConnection__fullyQualifiedNamespace",
}


@cache
def parsed(relative: str) -> dict[str, Any]:
    tree = BicepParser().parse(text=(INFRA / relative).read_text())
    return cast(dict[str, Any], tree)


def resource(relative: str, name: str) -> dict[str, Any]:
    res: dict[str, Any] = parsed(relative)["resources"][name]
    return res


def props(relative: str, name: str) -> dict[str, Any]:
    config: dict[str, Any] = resource(relative, name)["config"]
    return dict(config.get("properties", {}))


def variable(relative: str, name: str) -> Any:
    return parsed(relative)["variables"][name]["value"]


@pytest.mark.parametrize("path", BICEP_FILES, ids=lambda p: p.name)
def test_every_bicep_file_parses(path: Path) -> None:
    tree = parsed(str(path.relative_to(INFRA)))
    assert tree.get("resources") or tree.get("modules")


def test_no_keys_or_connection_strings_anywhere() -> None:
    forbidden = re.compile(r"listKeys|AccountKey=|SharedAccessKey|listConnectionStrings", re.I)
    for path in BICEP_FILES:
        assert not forbidden.search(path.read_text()), f"{path.name} uses a key or secret"


def test_settings_contract_every_setting_is_set_or_optional() -> None:
    app_settings = set(variable("modules/functionapp.bicep", "baseSettings"))
    optional = {
        entry.split(":", 1)[0].strip()
        for entry in variable("modules/functionapp.bicep", "optionalSettings")
    }
    missing = []
    for name in sorted(set(Settings.model_fields) | set(HOST_SETTINGS)):
        if name in app_settings or name in optional:
            continue
        if IDENTITY_FORMS.get(name) in app_settings:
            continue
        missing.append(name)
    assert not missing, f"settings not set by modules/functionapp.bicep nor optional: {missing}"
    # The identity-based forms must be there even though the plain names are listed optional.
    for identity_form in IDENTITY_FORMS.values():
        assert identity_form in app_settings
    stale = optional - set(Settings.model_fields) - set(HOST_SETTINGS)
    assert not stale, f"optionalSettings names settings that no longer exist: {stale}"


def test_function_app_is_flex_consumption_python_311_with_user_identity() -> None:
    plan = resource("modules/functionapp.bicep", "plan")["config"]
    assert plan["sku"] == {"tier": "FlexConsumption", "name": "FC1"}
    site = resource("modules/functionapp.bicep", "site")["config"]
    assert site["identity"]["type"] == "UserAssigned"
    config = site["properties"]["functionAppConfig"]
    assert config["runtime"] == {"name": "python", "version": "3.11"}
    storage = config["deployment"]["storage"]
    assert storage["authentication"]["type"] == "UserAssignedIdentity"
    scale = config["scaleAndConcurrency"]
    assert {"alwaysReady", "instanceMemoryMB", "maximumInstanceCount"} <= set(scale)
    app_settings = variable("modules/functionapp.bicep", "baseSettings")
    assert app_settings["AzureWebJobsStorage__credential"] == "managedidentity"
    assert app_settings["ServiceBusConnection__credential"] == "managedidentity"
    assert "Authorization=AAD" in app_settings["APPLICATIONINSIGHTS_AUTHENTICATION_STRING"]


def test_storage_is_identity_only_with_claim_check_lifecycle() -> None:
    account = props("modules/storage.bicep", "account")
    assert account["allowSharedKeyAccess"] is False
    assert account["allowBlobPublicAccess"] is False
    assert account["minimumTlsVersion"] == "TLS1_2"
    assert account["supportsHttpsTrafficOnly"] is True
    params = parsed("modules/storage.bicep")["parameters"]
    assert params["claimCheckContainer"]["default"] == Settings().CLAIMCHECK_CONTAINER
    rule = props("modules/storage.bicep", "lifecycle")["policy"]["rules"][0]
    assert "delete" in rule["definition"]["actions"]["baseBlob"]


def test_service_bus_queues() -> None:
    assert props("modules/servicebus.bicep", "namespace")["disableLocalAuth"] is True
    alerts = props("modules/servicebus.bicep", "alerts")
    assert alerts["requiresDuplicateDetection"] is True
    assert alerts["duplicateDetectionHistoryTimeWindow"]
    for queue in ("alerts", "notifications"):
        q = props("modules/servicebus.bicep", queue)
        assert q["deadLetteringOnMessageExpiration"] is True
        assert q["maxDeliveryCount"] >= 1 and q["lockDuration"]


def test_cosmos_containers_match_the_store_declaration() -> None:
    assert props("modules/cosmos.bicep", "account")["disableLocalAuth"] is True
    declared = {
        c["name"]: (c["pk"], None if c["ttl"] == NO_TTL else c["ttl"])
        for c in variable("modules/cosmos.bicep", "containers")
    }
    expected = {spec.name: (f"/{spec.pk_field}", spec.default_ttl) for spec in CONTAINERS.values()}
    assert declared == expected
    # Every container gets defaultTtl (-1 when none): without it Azure ignores per-item ttl.
    loop = resource("modules/cosmos.bicep", "sqlContainers")["config"]["config"]
    container = loop["properties"]["resource"]
    assert container["defaultTtl"] == {
        "operator": {
            "type": "property_accessor",
            "operands": {"operand_1": "c", "operand_2": "ttl"},
        }
    }
    # Serverless only: no throughput to provision, so no half-wired provisioned mode.
    assert props("modules/cosmos.bicep", "account")["capabilities"] == [
        {"name": "EnableServerless"}
    ]
    assert "cosmosServerless" not in parsed("main.bicep")["parameters"]
    role = props("modules/cosmos.bicep", "dataContributor")
    assert "00000000-0000-0000-0000-000000000002" in str(role["roleDefinitionId"])


def test_postgres_is_entra_only() -> None:
    auth = props("modules/postgres.bicep", "server")["authConfig"]
    assert auth["activeDirectoryAuth"] == "Enabled" and auth["passwordAuth"] == "Disabled"
    assert "admin" in parsed("modules/postgres.bicep")["resources"]
    # Reachable from Flex Consumption (shared Azure outbound addresses, no VNet).
    rule = props("modules/postgres.bicep", "allowAzure")
    assert rule == {"startIpAddress": "0.0.0.0", "endIpAddress": "0.0.0.0"}
    assert props("modules/postgres.bicep", "server")["network"]["publicNetworkAccess"] == "Enabled"


def test_monitoring_key_vault_and_bot() -> None:
    assert props("modules/monitoring.bicep", "insights")["DisableLocalAuth"] is True
    vault = props("modules/keyvault.bicep", "vault")
    assert vault["enableRbacAuthorization"] is True and vault["enablePurgeProtection"] is True
    bot = props("modules/bot.bicep", "bot")
    assert bot["msaAppType"] == "UserAssignedMSI"
    assert "msaAppTenantId" in bot
    assert resource("modules/bot.bicep", "teams")["config"]["name"] == "MsTeamsChannel"


def test_role_assignments_name_their_guids() -> None:
    text = (INFRA / "modules/roles.bicep").read_text()
    for guid, role in {
        "b7e6dc6d-f1e8-4753-8033-0f276bb0955b": "Storage Blob Data Owner",
        "974c5e8b-45b9-4653-ba55-5f855dd0fb88": "Storage Queue Data Contributor",
        "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3": "Storage Table Data Contributor",
        "090c5cfd-751d-490a-894a-3ce6f1109419": "Service Bus Data Owner",
        "4633458b-17de-408a-b874-0445c86b69e6": "Key Vault Secrets User",
        "3913510d-42f4-4e42-8a64-420c390055eb": "Monitoring Metrics Publisher",
    }.items():
        line = next((ln for ln in text.splitlines() if guid in ln and "//" in ln), "")
        assert role in line, f"{role} ({guid}) is not assigned with a naming comment"


def test_main_wires_modules_and_outputs() -> None:
    main = parsed("main.bicep")
    assert {"storage", "serviceBus", "monitoring", "keyVault", "cosmos", "postgres"} <= set(
        main["modules"]
    )
    assert {"roles", "functionApp", "bot"} <= set(main["modules"])
    assert {"FUNCTION_BASE_URL", "INGEST_URL_PATTERN", "BOT_ID"} <= set(main["outputs"])


def test_site_config_has_no_settings_flex_consumption_rejects() -> None:
    site = props("modules/functionapp.bicep", "site")
    assert "ftpsState" not in site["siteConfig"]


def test_durable_escalation_is_pager_grade_by_default() -> None:
    main = parsed("main.bicep")["parameters"]
    assert main["alwaysReadyDurable"]["default"] >= 1
    host = json.loads((INFRA.parent / "host.json").read_text())
    durable = host["extensions"]["durableTask"]
    interval = durable["storageProvider"]["maxQueuePollingInterval"]
    h, m, sec = (int(x) for x in interval.split(":"))
    assert h * 3600 + m * 60 + sec <= 10
    # distributedTracingEnabled with version "None" silently turns tracing off.
    tracing = durable.get("tracing", {})
    assert not tracing or tracing.get("version") != "None"


def test_acs_role_is_granted_when_acs_is_named() -> None:
    main = parsed("main.bicep")
    assert main["parameters"]["acsName"]["default"] == ""
    assert "condition" in main["modules"]["acs"]["config"]
    role = props("modules/acs.bicep", "contributor")
    assert "b24988ac-6180-42a0-ab88-20f7382dd24c" in json.dumps(role["roleDefinitionId"])
    assert role["principalType"] == "ServicePrincipal"
    assert "ACS_ENDPOINT" in variable("modules/functionapp.bicep", "baseSettings")


def test_key_vault_can_recover_a_soft_deleted_vault() -> None:
    main = parsed("main.bicep")["parameters"]["keyVaultCreateMode"]
    allowed = next(d["argument"] for d in main["decorators"] if d["type"] == "allowed")
    assert set(allowed) == {"default", "recover"}
    assert props("modules/keyvault.bicep", "vault")["createMode"] == "createMode"
