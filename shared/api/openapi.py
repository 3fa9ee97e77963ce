"""OpenAPI 3.1 for ``/api/v1``, generated from the operation table and the pydantic models."""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from shared.api.router import PROBLEM_BASE, Api, Operation, QueryParam

PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "RFC 9457 problem details; `type` is stable per error kind.",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string", "format": "uri", "examples": [PROBLEM_BASE + "not-found"]},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "field": {"type": "string"},
        "errors": {"type": "array", "items": {"type": "object"}},
    },
}

_ERRORS = {
    "400": "Invalid input (which field and why in `detail`/`field`)",
    "401": "No or invalid credentials",
    "403": "The caller's role or team does not allow this",
    "404": "Not found",
    "409": "Conflict (e.g. a transition the incident's state does not allow)",
    "412": "Stale If-Match",
    "413": "Body too large",
}


def _ref(model: type[BaseModel]) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{model.__name__}"}


def _param_schema(q: QueryParam) -> dict[str, Any]:
    if q.kind == "integer":
        schema: dict[str, Any] = {"type": "integer"}
        if q.minimum is not None:
            schema["minimum"] = q.minimum
        if q.maximum is not None:
            schema["maximum"] = q.maximum
        return schema
    if q.kind == "boolean":
        return {"type": "boolean"}
    if q.kind == "date-time":
        return {"type": "string", "format": "date-time"}
    schema = {"type": "string"}
    if q.pattern is not None:
        schema["pattern"] = q.pattern
    if q.max_length is not None:
        schema["maxLength"] = q.max_length
    return schema


def _operation(op: Operation) -> dict[str, Any]:
    doc: dict[str, Any] = {"operationId": op.name, "summary": op.summary, "tags": [op.tag]}
    params: list[dict[str, Any]] = [
        {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
        for name in re.findall(r"\{(\w+)\}", op.path)
    ]
    params += [
        {
            "name": q.name,
            "in": "query",
            "required": q.required,
            "description": q.description,
            "schema": _param_schema(q),
        }
        for q in op.query
    ]
    if params:
        doc["parameters"] = params
    if op.body is not None:
        doc["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": _ref(op.body)}},
        }
    responses: dict[str, Any] = {}
    if op.status == 204:
        responses["204"] = {"description": "Done"}
    elif op.content_type != "application/json":
        responses[str(op.status)] = {
            "description": "OK",
            "content": {op.content_type: {"schema": {"type": "string"}}},
        }
    else:
        schema: dict[str, Any] = _ref(op.response) if op.response else {"type": "object"}
        if op.is_list:
            schema = {
                "type": "object",
                "required": ["items", "continuation"],
                "properties": {
                    "items": {"type": "array", "items": schema},
                    "continuation": {"type": ["string", "null"]},
                },
            }
        for status in (op.status, *op.also):
            responses[str(status)] = {
                "description": "OK",
                "content": {"application/json": {"schema": schema}},
            }
    if op.method == "GET" and op.content_type == "application/json":
        # shared.conditional: every JSON GET has an ETag and honours If-None-Match.
        responses["304"] = {"description": "Not modified (the ETag named in If-None-Match)"}
    problem = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
    for code, text in _ERRORS.items():
        if code == "401" and op.public:
            continue
        responses[code] = {"description": text, "content": problem}
    doc["responses"] = responses
    if op.public:
        doc["security"] = []
    return doc


def document(api: Api) -> dict[str, Any]:
    models: set[type[BaseModel]] = set()
    for op in api.operations:
        for model in (op.body, op.response):
            if model is not None:
                models.add(model)
    ordered = sorted(models, key=lambda m: m.__name__)
    _, schemas = models_json_schema(
        [(m, "validation") for m in ordered], ref_template="#/components/schemas/{model}"
    )
    components = dict(schemas.get("$defs", {}))
    # Responses leave API_HIDDEN fields out of the top-level model only (router._jsonable):
    # the schema does the same.
    for model in ordered:
        schema = components.get(model.__name__, {})
        for hidden in getattr(model, "API_HIDDEN", ()):
            schema.get("properties", {}).pop(hidden, None)
    components["Problem"] = PROBLEM_SCHEMA
    paths: dict[str, dict[str, Any]] = {}
    for op in api.operations:
        paths.setdefault(op.path, {})[op.method.lower()] = _operation(op)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "OpenAlert management API",
            "version": "1",
            "description": (
                "Configure OpenAlert and act on incidents. Authenticate with an Entra ID access "
                "token or an OpenAlert API key (`Authorization: Bearer ...`). Errors are RFC "
                "9457 problem documents. Lists page with `limit` and `continuation`."
            ),
        },
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearer": []}],
        "components": {
            "schemas": components,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
        "paths": paths,
    }
