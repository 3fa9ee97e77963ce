"""Every resource name infra/ derives fits its type's rules for any azd environment name.

azd passes AZURE_ENV_NAME (up to 64 characters). Each module resource whose name comes from a
parameter is traced back to the expression main.bicep passes, which is evaluated here for a
64-character environment name (uniqueString stands in as its 13 lowercase characters) and
checked against the resource type's length and character rules (Microsoft's "naming rules and
restrictions for Azure resources").
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any, cast

import pytest
from pycep import BicepParser

INFRA = Path(__file__).resolve().parents[2] / "infra"
ENV_NAME = "openalert-production-westeurope-" + "x" * 32
UNIQUE = "abcdefghijklm"

#: type -> (min length, max length, pattern the whole name must match)
RULES: dict[str, tuple[int, int, str]] = {
    "Microsoft.ManagedIdentity/userAssignedIdentities": (3, 128, r"[A-Za-z0-9][A-Za-z0-9_-]*"),
    "Microsoft.Storage/storageAccounts": (3, 24, r"[a-z0-9]+"),
    # Also: must not end in -sb or -mgmt (checked below).
    "Microsoft.ServiceBus/namespaces": (6, 50, r"[A-Za-z][A-Za-z0-9-]*[A-Za-z0-9]"),
    "Microsoft.OperationalInsights/workspaces": (4, 63, r"[A-Za-z0-9][A-Za-z0-9-]*[A-Za-z0-9]"),
    "Microsoft.Insights/components": (1, 260, r"[^%&\\?/]+"),
    # Also: no two hyphens in a row (checked below).
    "Microsoft.KeyVault/vaults": (3, 24, r"[A-Za-z][A-Za-z0-9-]*[A-Za-z0-9]"),
    "Microsoft.DocumentDB/databaseAccounts": (3, 44, r"[a-z0-9][a-z0-9-]*[a-z0-9]"),
    "Microsoft.DBforPostgreSQL/flexibleServers": (3, 63, r"[a-z0-9][a-z0-9-]*[a-z0-9]"),
    "Microsoft.Web/serverfarms": (1, 60, r"[A-Za-z0-9-]+"),
    # Sites allow 60; the Functions host id is the first 32 characters, kept whole here.
    "Microsoft.Web/sites": (2, 32, r"[A-Za-z0-9][A-Za-z0-9-]*[A-Za-z0-9]"),
    "Microsoft.BotService/botServices": (2, 64, r"[A-Za-z0-9][A-Za-z0-9_.-]*"),
    "Microsoft.Web/staticSites": (1, 40, r"[A-Za-z0-9][A-Za-z0-9-]*[A-Za-z0-9]"),
}


@cache
def parsed(relative: str) -> dict[str, Any]:
    return cast(dict[str, Any], BicepParser().parse(text=(INFRA / relative).read_text()))


def evaluate(expr: Any, scope: dict[str, Any]) -> str:
    """The string value of the subset of Bicep expressions names use."""
    if isinstance(expr, str):
        if expr in scope:
            return evaluate(scope[expr], scope)
        return re.sub(r"\$\{([^}]+)\}", lambda m: evaluate(m.group(1).strip(), scope), expr)
    if isinstance(expr, dict) and "function" in expr:
        fn, args = expr["function"]["type"], list(expr["function"]["parameters"].values())
        if fn == "unique_string":
            return UNIQUE
        if fn == "to_lower":
            return evaluate(args[0], scope).lower()
        if fn == "take":
            return evaluate(args[0], scope)[: int(args[1])]
        if fn == "replace":
            return evaluate(args[0], scope).replace(
                evaluate(args[1], scope), evaluate(args[2], scope)
            )
        raise AssertionError(f"name uses {fn}(), which this test does not evaluate")
    if isinstance(expr, dict) and expr.get("operator", {}).get("type") == "property_accessor":
        ops = expr["operator"]["operands"]
        target = scope[ops["operand_1"]]
        if isinstance(target, dict) and "value" in target:
            target = target["value"]
        return evaluate(target[ops["operand_2"]], scope)
    raise AssertionError(f"cannot evaluate name expression {json.dumps(expr)[:200]}")


def main_scope() -> dict[str, Any]:
    main = parsed("main.bicep")
    scope: dict[str, Any] = {k: v["value"] for k, v in main["variables"].items()}
    scope["environmentName"] = ENV_NAME
    return scope


def derived_names() -> list[tuple[str, str, str]]:
    """(where, resource type, evaluated name) for every top-level resource named from a
    parameter (child resources such as queues and containers have fixed names)."""
    main = parsed("main.bicep")
    scope = main_scope()
    out: list[tuple[str, str, str]] = []
    for res_name, res in main["resources"].items():
        out.append((f"main.bicep:{res_name}", res["type"], evaluate(res["config"]["name"], scope)))
    for mod in main["modules"].values():
        path = mod["detail"]["path"]
        body = mod["config"].get("config", mod["config"])
        params = body["params"]
        module = parsed(path)
        for res_name, res in module["resources"].items():
            if res.get("existing") or res["type"].count("/") != 1:
                continue
            name_expr = res["config"].get("name")
            if isinstance(name_expr, str) and name_expr in module["parameters"]:
                out.append(
                    (
                        f"{path}:{res_name}",
                        res["type"],
                        evaluate(params[name_expr], scope),
                    )
                )
    return out


def test_the_environment_name_takes_what_azd_allows() -> None:
    env = parsed("main.bicep")["parameters"]["environmentName"]
    limits = {d["type"]: d["argument"] for d in env["decorators"] if d["type"] != "description"}
    assert limits.get("max_length", 0) >= 64
    wiring = json.loads((INFRA / "main.parameters.json").read_text())["parameters"]
    assert wiring["environmentName"]["value"] == "${AZURE_ENV_NAME}"


def test_every_named_resource_type_is_covered() -> None:
    found = derived_names()
    assert len(found) >= len(RULES), "a resource lost its derived name"
    missing = {t for _, t, _ in found} - set(RULES)
    assert not missing, f"no naming rule recorded for {missing}"


@pytest.mark.parametrize("where,type_,name", derived_names(), ids=lambda v: str(v))
def test_every_name_fits_its_type_for_a_64_character_environment(
    where: str, type_: str, name: str
) -> None:
    low, high, pattern = RULES[type_]
    assert low <= len(name) <= high, (
        f"{where}: {name!r} is {len(name)} long, {type_} takes {low}-{high}"
    )
    assert re.fullmatch(pattern, name), f"{where}: {name!r} breaks {type_}'s character rules"
    if type_ == "Microsoft.ServiceBus/namespaces":
        assert not name.endswith(("-sb", "-mgmt")), f"{where}: {name!r} ends in a reserved suffix"
    if type_ == "Microsoft.KeyVault/vaults":
        assert "--" not in name, f"{where}: {name!r} has consecutive hyphens"
