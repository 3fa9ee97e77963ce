"""One contract suite for every document-store adapter, against real backends.

SQLite: a temp file. PostgreSQL: the server ``tests/fixtures/postgres.py`` starts.
Cosmos DB: the ``@vercel/cosmosdb-server`` emulator ``tests/fixtures/cosmos.py`` starts; the
cases it cannot run are listed once, in ``EMULATOR_GAPS``, with the reason.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shared.errors import InvalidInput
from shared.store.port import (
    Conflict,
    DocumentStore,
    NotFound,
    PreconditionFailed,
    array_contains,
    eq,
    gt,
    gte,
    in_,
    lt,
    lte,
    ne,
)
from tests.fixtures.stores import BACKENDS, open_backend

#: Cases the Cosmos emulator cannot run, with why. Everything else runs against it too.
EMULATOR_GAPS: dict[str, str] = {
    "test_ttl_expiry": "the emulator does not expire documents (TTL is not implemented)",
    "test_increment_restarts_an_expired_document": "the emulator does not expire documents",
}


@pytest.fixture(params=BACKENDS)
async def store(request: pytest.FixtureRequest) -> AsyncIterator[DocumentStore]:
    backend: str = request.param
    if backend == "cosmos" and request.node.originalname in EMULATOR_GAPS:
        pytest.skip(f"cosmos emulator gap: {EMULATOR_GAPS[request.node.originalname]}")
    async with open_backend(backend, request) as s:
        yield s


def uid() -> str:
    return uuid.uuid4().hex[:12]


def strip(doc: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in doc.items() if k != "_etag"}


async def test_crud_round_trip(store: DocumentStore) -> None:
    doc = {"id": uid(), "pk": "p1", "name": "Ops", "n": 3, "nested": {"a": [1, 2]}}
    created = await store.create("teams", doc)
    assert created["_etag"]
    assert strip(created) == doc
    got = await store.get("teams", "p1", doc["id"])
    assert got is not None and strip(got) == doc and got["_etag"] == created["_etag"]
    assert await store.get("teams", "other-pk", doc["id"]) is None
    assert await store.get("teams", "p1", "missing") is None
    replaced = await store.replace("teams", {**doc, "name": "SRE"}, if_match=created["_etag"])
    assert replaced["name"] == "SRE" and replaced["_etag"] != created["_etag"]
    await store.delete("teams", "p1", doc["id"])
    assert await store.get("teams", "p1", doc["id"]) is None
    await store.delete("teams", "p1", doc["id"])  # idempotent


async def test_create_conflict_and_missing_replace(store: DocumentStore) -> None:
    doc = {"id": uid(), "pk": "p"}
    await store.create("teams", doc)
    with pytest.raises(Conflict):
        await store.create("teams", doc)
    with pytest.raises(NotFound):
        await store.replace("teams", {"id": uid(), "pk": "p"})
    with pytest.raises(NotFound):
        await store.patch("teams", "p", uid(), {"a": 1})


async def test_stale_etag_is_rejected(store: DocumentStore) -> None:
    first = await store.create("teams", {"id": uid(), "pk": "p", "v": 1})
    await store.replace("teams", {**strip(first), "v": 2}, if_match=first["_etag"])
    with pytest.raises(PreconditionFailed):
        await store.replace("teams", {**strip(first), "v": 3}, if_match=first["_etag"])
    with pytest.raises(PreconditionFailed):
        await store.patch("teams", "p", first["id"], {"v": 4}, if_match=first["_etag"])


async def test_concurrent_writers_exactly_one_wins(store: DocumentStore) -> None:
    base = await store.create("incidents", {"id": uid(), "pk": "x", "status": "triggered"})

    async def write(status: str) -> str:
        try:
            await store.replace(
                "incidents", {**strip(base), "status": status}, if_match=base["_etag"]
            )
            return status
        except PreconditionFailed:
            return "lost"

    results = await asyncio.gather(*(write(f"s{i}") for i in range(8)))
    winners = [r for r in results if r != "lost"]
    assert len(winners) == 1
    final = await store.get("incidents", "x", base["id"])
    assert final is not None and final["status"] == winners[0]


async def test_upsert_and_patch(store: DocumentStore) -> None:
    doc_id = uid()
    a = await store.upsert("teams", {"id": doc_id, "pk": "p", "v": 1})
    b = await store.upsert("teams", {"id": doc_id, "pk": "p", "v": 2})
    assert b["v"] == 2 and b["_etag"] != a["_etag"]
    patched = await store.patch("teams", "p", doc_id, {"v": 3, "extra": "x"}, if_match=b["_etag"])
    assert strip(patched) == {"id": doc_id, "pk": "p", "v": 3, "extra": "x"}
    with pytest.raises(InvalidInput):
        await store.patch("teams", "p", doc_id, {"id": "other"})


async def test_increment_creates_then_adds(store: DocumentStore) -> None:
    doc_id = uid()
    assert await store.increment("counters", doc_id, doc_id, "value") == 1
    assert await store.increment("counters", doc_id, doc_id, "value", by=4) == 5
    doc = await store.get("counters", doc_id, doc_id)
    assert doc is not None and strip(doc) == {"id": doc_id, "pk": doc_id, "value": 5}
    # Other fields of an existing document are kept; a missing field starts from zero.
    await store.upsert("teams", {"id": doc_id, "pk": "p", "name": "Ops"})
    assert await store.increment("teams", "p", doc_id, "seen") == 1
    team = await store.get("teams", "p", doc_id)
    assert team is not None and team["name"] == "Ops" and team["seen"] == 1
    with pytest.raises(InvalidInput):
        await store.increment("counters", doc_id, doc_id, "pk")


async def test_increment_restarts_an_expired_document(store: DocumentStore) -> None:
    doc_id = uid()
    await store.create("processed", {"id": doc_id, "pk": doc_id, "n": 41, "ttl": 1})
    assert await store.increment("processed", doc_id, doc_id, "n") == 42
    await asyncio.sleep(2.2)
    # Gone as far as readers know, so it starts again from ``by``.
    assert await store.increment("processed", doc_id, doc_id, "n", by=3) == 3


async def test_concurrent_increments_never_lose_an_update(store: DocumentStore) -> None:
    doc_id = uid()
    values = await asyncio.gather(
        *(store.increment("counters", doc_id, doc_id, "value") for _ in range(20))
    )
    assert sorted(values) == list(range(1, 21))


async def _seed(store: DocumentStore, team: str, n: int = 7) -> list[dict[str, Any]]:
    docs = []
    for i in range(n):
        doc = {
            "id": f"{team}-{i:02d}",
            "pk": f"{team}-{i:02d}",
            "team_id": team,
            "status": ["triggered", "acknowledged", "resolved"][i % 3],
            "severity": f"P{1 + i % 5}",
            "number": i,
            "created_at": f"2026-11-{10 + i:02d}T00:00:00.000000Z",
        }
        docs.append(await store.create("incidents", doc))
    return docs


async def test_query_condition_kinds(store: DocumentStore) -> None:
    team = uid()
    await _seed(store, team)

    async def ids(*where: Any) -> set[int]:
        page = await store.query("incidents", where=[eq("team_id", team), *where], limit=100)
        return {d["number"] for d in page.items}

    assert await ids() == set(range(7))
    assert await ids(eq("status", "triggered")) == {0, 3, 6}
    assert await ids(ne("status", "triggered")) == {1, 2, 4, 5}
    assert await ids(in_("severity", ["P1", "P2"])) == {0, 1, 5, 6}
    assert await ids(lt("number", 2)) == {0, 1}
    assert await ids(lte("number", 2)) == {0, 1, 2}
    assert await ids(gt("number", 5)) == {6}
    assert await ids(gte("created_at", "2026-11-15T00:00:00.000000Z")) == {5, 6}


async def test_array_contains(store: DocumentStore) -> None:
    owner = uid()
    await store.create(
        "api_keys", {"id": uid(), "pk": "k1", "owner_id": owner, "team_ids": ["a", "b"]}
    )
    await store.create("api_keys", {"id": uid(), "pk": "k2", "owner_id": owner, "team_ids": ["c"]})
    page = await store.query(
        "api_keys", where=[eq("owner_id", owner), array_contains("team_ids", "b")]
    )
    assert [d["pk"] for d in page.items] == ["k1"]


async def test_partition_scoped_query(store: DocumentStore) -> None:
    incident = uid()
    for i in range(3):
        await store.create(
            "timeline",
            {"id": uid(), "incident_id": incident, "at": f"2026-01-0{i + 1}", "kind": "k"},
        )
    await store.create(
        "timeline", {"id": uid(), "incident_id": uid(), "at": "2026-01-01", "kind": "k"}
    )
    page = await store.query("timeline", pk=incident, order_by=("at", False))
    assert [d["at"] for d in page.items] == ["2026-01-01", "2026-01-02", "2026-01-03"]


@pytest.mark.parametrize("desc", [False, True])
async def test_order_and_continuation_across_pages_with_ties(
    store: DocumentStore, desc: bool
) -> None:
    team = uid()
    for i in range(11):
        # Three documents share each severity: pages must not skip or repeat within a tie.
        await store.create(
            "incidents",
            {
                "id": f"{team}-{i:02d}",
                "pk": f"{team}-{i:02d}",
                "team_id": team,
                "severity": f"P{i // 3}",
            },
        )
    seen: list[str] = []
    token = None
    pages = 0
    while True:
        page = await store.query(
            "incidents",
            where=[eq("team_id", team)],
            order_by=("severity", desc),
            limit=4,
            continuation=token,
        )
        pages += 1
        seen.extend(d["id"] for d in page.items)
        token = page.continuation
        if token is None:
            break
    assert len(seen) == 11 and len(set(seen)) == 11
    severities = [f"P{int(i[-2:]) // 3}" for i in seen]
    assert severities == sorted(severities, reverse=desc)
    assert pages >= 3


async def test_continuation_without_order(store: DocumentStore) -> None:
    incident = uid()
    for i in range(5):
        await store.create(
            "timeline", {"id": f"t{i}", "incident_id": incident, "at": "x", "kind": "k"}
        )
    first = await store.query("timeline", pk=incident, limit=2)
    assert len(first.items) == 2 and first.continuation
    rest: list[str] = []
    token = first.continuation
    while token:
        page = await store.query("timeline", pk=incident, limit=2, continuation=token)
        rest.extend(d["id"] for d in page.items)
        token = page.continuation
    assert sorted([d["id"] for d in first.items] + rest) == [f"t{i}" for i in range(5)]


async def test_undeclared_field_and_bad_tokens_are_rejected(store: DocumentStore) -> None:
    with pytest.raises(InvalidInput):
        await store.query("incidents", where=[eq("title", "x")])
    with pytest.raises(InvalidInput):
        await store.query("incidents", order_by=("title", False))
    with pytest.raises(InvalidInput):
        await store.query("incidents", continuation="not-a-token!!")
    with pytest.raises(InvalidInput):
        await store.query("teams", limit=0)


async def test_invalid_documents_are_rejected(store: DocumentStore) -> None:
    with pytest.raises(InvalidInput):
        await store.create("teams", {"pk": "p"})
    with pytest.raises(InvalidInput):
        await store.create("teams", {"id": "a", "pk": 5})
    with pytest.raises(InvalidInput):
        await store.create("teams", {"id": "a/b", "pk": "p"})
    with pytest.raises(InvalidInput):
        await store.create("teams", {"id": uid(), "pk": "p", "text": "nul\x00byte"})
    with pytest.raises(InvalidInput):
        await store.create("teams", {"id": uid(), "pk": "p", "text": "lone \ud800 surrogate"})


async def test_unicode_and_large_documents(store: DocumentStore) -> None:
    text = "Störung 🔥 — 障害 " * 10
    doc = {"id": uid(), "pk": "u", "name": text, "blob": "x" * 1_000_000}
    await store.create("teams", doc)
    got = await store.get("teams", "u", doc["id"])
    assert got is not None and got["name"] == text and len(got["blob"]) == 1_000_000


async def test_ttl_expiry(store: DocumentStore) -> None:
    doc = {"id": uid(), "pk": "t", "ttl": 1}
    await store.create("processed", doc)
    assert await store.get("processed", "t", doc["id"]) is not None
    await asyncio.sleep(2.2)
    assert await store.get("processed", "t", doc["id"]) is None
    page = await store.query("processed", pk="t")
    assert page.items == []
    # The id is free again once expired.
    await store.create("processed", doc)


@settings(
    max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None
)
@given(
    payload=st.dictionaries(
        st.text(alphabet=st.characters(categories=("L", "N")), min_size=1, max_size=8).filter(
            lambda k: k not in ("id", "pk", "ttl") and not k.startswith("_")
        ),
        st.recursive(
            st.none()
            | st.booleans()
            | st.integers(-(2**53), 2**53)
            | st.text(
                st.characters(exclude_characters="\x00", exclude_categories=("Cs",)), max_size=20
            ),
            lambda inner: (
                st.lists(inner, max_size=3)
                | st.dictionaries(
                    st.text(
                        st.characters(exclude_characters="\x00", exclude_categories=("Cs",)),
                        max_size=5,
                    ),
                    inner,
                    max_size=3,
                )
            ),
            max_leaves=8,
        ),
        max_size=6,
    )
)
async def test_documents_round_trip(store: DocumentStore, payload: dict[str, Any]) -> None:
    doc = {"id": uid(), "pk": "rt", **payload}
    await store.create("teams", doc)
    got = await store.get("teams", "rt", doc["id"])
    assert got is not None and strip(got) == doc


_OPS = st.lists(
    st.tuples(
        st.sampled_from(["upsert", "delete", "patch"]),
        st.sampled_from(["a", "b", "c", "d", "e"]),
        st.sampled_from(["amber", "blue", "cyan", "Émile", "zulu"]),
    ),
    max_size=12,
)


@settings(
    max_examples=15, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None
)
@given(ops=_OPS, floor=st.sampled_from(["", "b", "d", "zz"]), page_size=st.integers(1, 4))
async def test_write_sequences_match_in_memory_model(
    store: DocumentStore, ops: list[tuple[str, str, str]], floor: str, page_size: int
) -> None:
    # Each example gets its own partition, so the model starts empty and examples stay independent.
    part = uid()
    model: dict[str, str] = {}
    for op, doc_id, name in ops:
        if op == "upsert":
            await store.upsert("teams", {"id": doc_id, "pk": part, "name": name})
            model[doc_id] = name
        elif op == "delete":
            await store.delete("teams", part, doc_id)
            model.pop(doc_id, None)
        elif doc_id in model:
            await store.patch("teams", part, doc_id, {"name": name})
            model[doc_id] = name
        else:
            with pytest.raises(NotFound):
                await store.patch("teams", part, doc_id, {"name": name})

    got: list[dict[str, Any]] = []
    token: str | None = None
    while True:
        page = await store.query(
            "teams",
            pk=part,
            where=[gte("name", floor)],
            order_by=("name", False),
            limit=page_size,
            continuation=token,
        )
        assert len(page.items) <= page_size
        got.extend(page.items)
        token = page.continuation
        if token is None:
            break
    expected = sorted((n, i) for i, n in model.items() if n >= floor)
    # Tie order between equal names is the adapter's (id, then backend order); compare the
    # sorted names and the exact id set so paging can neither drop nor repeat a document.
    assert [d["name"] for d in got] == [n for n, _ in expected]
    assert sorted(d["id"] for d in got) == sorted(i for _, i in expected)
    for d in got:
        assert (await store.get("teams", part, d["id"])) is not None
