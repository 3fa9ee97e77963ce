"""The API layer shapes requests and answers; rules and document writes live in the services.
These checks keep it that way as operations are added, and pin the helpers the rules moved to."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from shared.api.v1 import API
from shared.errors import NotFound
from shared.schedules import links
from shared.store.codec import strip_doc

API_DIR = Path(__file__).resolve().parents[3] / "shared" / "api"
#: Store calls that write, and the modules that mint or compare secrets: none belong here.
WRITES = {"create", "replace", "upsert", "delete", "patch", "increment"}
SECRET_MODULES = {"hashlib", "hmac", "secrets"}


def _modules() -> list[Path]:
    return sorted(API_DIR.glob("*.py"))


@pytest.mark.parametrize("path", _modules(), ids=lambda p: p.name)
def test_api_modules_neither_write_the_store_nor_handle_secrets(path: Path) -> None:
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Import | ast.ImportFrom):
            names = {a.name for a in node.names} if isinstance(node, ast.Import) else {node.module}
            assert not names & SECRET_MODULES, f"{path.name}:{node.lineno} imports {names}"
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            owner = node.func.value
            on_store = isinstance(owner, ast.Attribute) and owner.attr == "store"
            on_store |= isinstance(owner, ast.Name) and owner.id == "store"
            assert not (on_store and node.func.attr in WRITES), (
                f"{path.name}:{node.lineno} writes the store ({node.func.attr})"
            )


@pytest.mark.parametrize("path", _modules(), ids=lambda p: p.name)
def test_api_modules_stay_small(path: Path) -> None:
    assert len(path.read_text().splitlines()) < 500


def test_every_operation_row_is_unique() -> None:
    keys = [(op.method, op.path) for op in API.operations]
    assert len(keys) == len(set(keys))
    names = [op.name for op in API.operations]
    assert len(names) == len(set(names))


def test_strip_doc_leaves_the_model_fields() -> None:
    doc = {"id": "u1", "pk": "u1", "_etag": "e", "ttl": 5, "teams_list": ["t"], "name": "Ann"}
    assert strip_doc(doc, "teams_list") == {"id": "u1", "name": "Ann"}
    assert strip_doc(doc) == {"id": "u1", "name": "Ann", "teams_list": ["t"]}


def test_a_calendar_token_opens_only_its_own_document() -> None:
    token, digest = links.new_token()
    doc = {"id": "s1", links.TOKEN_HASH: digest}
    assert links.check_token(doc, token) is doc
    other, _ = links.new_token()
    for wrong_doc, wrong_token in ((doc, other), (None, token), ({"id": "s1"}, token)):
        with pytest.raises(NotFound):
            links.check_token(wrong_doc, wrong_token)
