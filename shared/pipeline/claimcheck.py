"""Large bodies go to Blob Storage and the envelope carries their name (the claim-check pattern).

Service Bus Standard caps a message at 256 KB; alert bodies can be up to the ingest limit
(1 MB), so anything over ``CLAIMCHECK_THRESHOLD_BYTES`` is stored first and only then enqueued.
Blob names are the envelope id: writing the same envelope twice is harmless.
"""

from __future__ import annotations

from typing import Any, Protocol

from azure.core.exceptions import AzureError, ResourceExistsError, ResourceNotFoundError
from azure.storage.blob.aio import BlobServiceClient

from shared.errors import NotFound, Unavailable


class ClaimCheck(Protocol):
    async def put(self, name: str, data: bytes) -> None: ...

    async def get(self, name: str) -> bytes: ...


class BlobClaimCheck:
    def __init__(self, service: BlobServiceClient, container: str) -> None:
        self._service = service
        self._container = container
        self._ensured = False

    @classmethod
    def from_settings(
        cls, *, connection_string: str, account_url: str, container: str, credential: Any = None
    ) -> BlobClaimCheck:
        if account_url:
            service = BlobServiceClient(account_url=account_url, credential=credential)
        else:
            service = BlobServiceClient.from_connection_string(connection_string)
        return cls(service, container)

    async def _ensure(self) -> None:
        if self._ensured:
            return
        try:
            await self._service.create_container(self._container)
        except ResourceExistsError:
            pass
        self._ensured = True

    async def put(self, name: str, data: bytes) -> None:
        try:
            await self._ensure()
            await self._service.get_blob_client(self._container, name).upload_blob(
                data, overwrite=True
            )
        except AzureError as exc:
            raise Unavailable(f"claim-check storage: {exc}") from exc

    async def get(self, name: str) -> bytes:
        try:
            stream = await self._service.get_blob_client(self._container, name).download_blob()
            return bytes(await stream.readall())
        except ResourceNotFoundError as exc:
            raise NotFound(f"claim-check blob {name} is missing") from exc
        except AzureError as exc:
            raise Unavailable(f"claim-check storage: {exc}") from exc

    async def ping(self) -> None:
        """Reachability for the readiness probe (creates the container on first use)."""
        try:
            await self._ensure()
            await self._service.get_container_client(self._container).get_container_properties()
        except AzureError as exc:
            raise Unavailable(f"claim-check storage: {exc}") from exc

    async def close(self) -> None:
        await self._service.close()
