"""The people devhost's sign-in page offers: the users in the product's configured store.

Kept apart from :mod:`devhost.idp` and :mod:`devhost.idp_oauth`, which must not depend on the
product: this module reads the store through the product's own adapters and hands the IdP a
plain :data:`~devhost.idp_oauth.Directory`. The store is opened on first use and closed by
:meth:`StoreDirectory.close` when devhost stops.
"""

from __future__ import annotations

import asyncio

from devhost.idp_oauth import IdpUser
from shared.auth.documents import USERS
from shared.auth.models import User
from shared.config import Settings
from shared.store.codec import from_doc
from shared.store.factory import open_store
from shared.store.port import DocumentStore

#: The page lists at most this many people (a development store holds a handful).
LISTED = 200


class StoreDirectory:
    def __init__(self) -> None:
        self._store: DocumentStore | None = None
        self._lock = asyncio.Lock()

    async def __call__(self) -> list[IdpUser]:
        async with self._lock:
            if self._store is None:
                # The worker's settings: devhost read local.settings.json into the environment.
                self._store = await open_store(Settings())
        page = await self._store.query(USERS, limit=LISTED)
        users = [from_doc(User, doc) for doc in page.items]
        return sorted(
            (
                IdpUser(
                    id=u.id,
                    name=u.name,
                    email=u.email or "",
                    app_roles=u.app_roles,
                    teams=tuple(f"{team}: {role.value}" for team, role in sorted(u.teams.items())),
                )
                for u in users
                if not u.pending
            ),
            key=lambda u: (u.name.lower(), u.id),
        )

    async def close(self) -> None:
        if self._store is not None:
            await self._store.close()
            self._store = None
