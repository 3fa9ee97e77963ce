"""Opening stores: the settings-driven factory and PostgreSQL's Entra-token password."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from azure.core.credentials import AccessToken
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from shared.config import Settings
from shared.store.factory import open_store
from shared.store.postgres import ENTRA_SCOPE, PostgresStore
from shared.store.sqlite import SqliteStore


class RecordingCredential:
    """Stands in for the managed identity: Entra has no local form, so record what was asked."""

    def __init__(self) -> None:
        self.scopes: list[tuple[str, ...]] = []

    async def get_token(self, *scopes: str, **_: Any) -> AccessToken:
        self.scopes.append(scopes)
        return AccessToken(f"token-{len(self.scopes)}", 4_102_444_800)


async def test_factory_opens_sqlite_from_settings(tmp_path: Path) -> None:
    settings = Settings(STORE_BACKEND="sqlite", SQLITE_PATH=str(tmp_path / "s.sqlite"))
    store = await open_store(settings)
    try:
        assert isinstance(store, SqliteStore)
        created = await store.create("teams", {"id": "t1", "pk": "t1", "name": "Ops"})
        assert created["_etag"]
    finally:
        await store.close()
    # Re-opening the same file is idempotent and keeps the data.
    again = await open_store(settings)
    try:
        got = await again.get("teams", "t1", "t1")
        assert got is not None and got["name"] == "Ops"
    finally:
        await again.close()


async def test_postgres_gets_an_entra_token_per_new_connection(postgres_dsn: str) -> None:
    # The test cluster trusts loopback, so it accepts whatever password the token supplies;
    # what matters is that each new connection asked the credential for the PostgreSQL scope.
    params = conninfo_to_dict(postgres_dsn)
    params.pop("password", None)
    dsn = make_conninfo(**params)
    credential = RecordingCredential()
    store = await PostgresStore.open(dsn, credential=credential, max_size=2)
    try:
        await store.upsert("teams", {"id": "entra", "pk": "entra", "name": "x"})
        assert await store.get("teams", "entra", "entra") is not None
    finally:
        await store.close()
    assert credential.scopes and all(s == (ENTRA_SCOPE,) for s in credential.scopes)
