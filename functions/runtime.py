"""Per-process clients, created once on first use and shared by every invocation.

Nothing here runs at import time: the Functions host imports ``function_app`` before app
settings may be final, and tests import it without any backend.
"""

from __future__ import annotations

import asyncio
import os
from dataclasses import dataclass
from datetime import timedelta

import httpx
from httpx_aiohttp import AiohttpTransport

from shared.auth.integration_keys import KeyResolver
from shared.auth.service import AuthPorts, build_auth_ports, entra_validator
from shared.catalog.cache import CatalogCache
from shared.catalog.queries import integration_by_key_prefix, integration_loader
from shared.config import Settings, get_settings
from shared.escalation.durable import DurableClient, DurableEscalation
from shared.msteams.auth import BotAuthenticator
from shared.msteams.connector import ConnectorClient
from shared.msteams.service import TeamsChannelPoster, TeamsPersonalChannel, TeamsPorts
from shared.notifications.channels import (
    AcsAuth,
    AcsEmailChannel,
    AcsSmsChannel,
    Channel,
    ConsoleChannel,
    SmtpChannel,
    WebhookChannel,
)
from shared.notifications.delivery import NotifyPorts
from shared.notifications.voice import AcsVoiceChannel
from shared.notifications.voice_acs import AcsCallAutomation, AcsCallbackAuthenticator
from shared.outbound.client import OutboundClient, OutboundPolicy
from shared.pipeline.claimcheck import BlobClaimCheck
from shared.pipeline.ingest import IngestPorts
from shared.pipeline.ports import InstancePorts
from shared.pipeline.ratelimit import RateLimiter
from shared.pipeline.secure_webhook import secure_webhook_check
from shared.store.factory import open_store
from shared.store.port import DocumentStore


@dataclass
class Runtime:
    settings: Settings
    store: DocumentStore
    http: httpx.AsyncClient
    #: The guarded client for user-configured targets (webhooks, Workflows URLs).
    outbound: OutboundClient
    ingest: IngestPorts
    process: InstancePorts
    claim_check: BlobClaimCheck | None
    auth: AuthPorts
    notify: NotifyPorts
    #: None when voice calls are off (no ACS_ENDPOINT or ACS_VOICE_FROM).
    calls: AcsCallAutomation | None
    #: Call Automation's callback JWT check; None when ACS_CALLBACK_AUDIENCE is not set.
    voice_callbacks: AcsCallbackAuthenticator | None
    #: None when BOT_APP_ID is not set (the Teams bot is off).
    teams: TeamsPorts | None
    bot_auth: BotAuthenticator | None

    def escalation(self, client: DurableClient) -> DurableEscalation:
        """The escalation port over this invocation's Durable client (bound per invocation,
        so it cannot live on the shared runtime)."""
        return DurableEscalation(client=client, store=self.store)


_runtime: Runtime | None = None
_lock = asyncio.Lock()


async def runtime() -> Runtime:
    global _runtime
    if _runtime is not None:
        return _runtime
    async with _lock:
        if _runtime is None:
            _runtime = await _build(get_settings())
    return _runtime


async def _build(settings: Settings) -> Runtime:
    credential = None
    if (
        settings.STORE_BACKEND != "sqlite"
        or settings.CLAIMCHECK_ACCOUNT_URL
        or (settings.ACS_ENDPOINT and not settings.ACS_ACCESS_KEY)
    ):
        from azure.identity.aio import DefaultAzureCredential

        credential = DefaultAzureCredential()
    store = await open_store(settings, credential=credential)
    # httpx's API over aiohttp's connection pool: httpcore's pool scans every connection for
    # expiry on each request, which capped outbound webhooks near 200/s on this code's path.
    http = httpx.AsyncClient(
        timeout=10.0,
        transport=AiohttpTransport(limits=httpx.Limits(max_connections=100)),
    )
    outbound = OutboundClient(
        OutboundPolicy.parse(settings.OUTBOUND_ALLOW, allow_http=settings.OUTBOUND_ALLOW_HTTP)
    )
    storage = os.environ.get("AzureWebJobsStorage", "")
    claim_check = None
    if settings.CLAIMCHECK_ACCOUNT_URL or storage.startswith("DefaultEndpointsProtocol"):
        claim_check = BlobClaimCheck.from_settings(
            connection_string=storage,
            account_url=settings.CLAIMCHECK_ACCOUNT_URL,
            container=settings.CLAIMCHECK_CONTAINER,
            credential=credential,
        )

    validator = entra_validator(settings, http)

    ingest = IngestPorts(
        resolver=KeyResolver(lookup=integration_by_key_prefix(store)),
        load_integration=integration_loader(store),
        rate_limiter=RateLimiter(),
        claim_check=claim_check,
        secure_webhook=secure_webhook_check(validator),
        max_body_bytes=settings.INGEST_MAX_BODY_BYTES,
        claim_check_threshold=settings.CLAIMCHECK_THRESHOLD_BYTES,
    )
    process = InstancePorts(
        store=store,
        claim_check=claim_check,
        catalog=CatalogCache(ttl_s=settings.CATALOG_CACHE_SECONDS),
    )
    teams: TeamsPorts | None = None
    bot_auth: BotAuthenticator | None = None
    acs = AcsAuth(access_key=settings.ACS_ACCESS_KEY, credential=credential)
    channels = _channels(settings, http, outbound, acs)
    calls: AcsCallAutomation | None = None
    voice_callbacks = (
        AcsCallbackAuthenticator(
            audience=settings.ACS_CALLBACK_AUDIENCE,
            http=http,
            issuer=settings.ACS_CALLBACK_ISSUER,
            metadata_url=settings.ACS_CALLBACK_OPENID_METADATA_URL,
        )
        if settings.ACS_CALLBACK_AUDIENCE
        else None
    )
    if settings.ACS_ENDPOINT and settings.ACS_VOICE_FROM:
        calls = AcsCallAutomation(
            http=http,
            endpoint=settings.ACS_ENDPOINT,
            auth=acs,
            cognitive_services_endpoint=settings.ACS_COGNITIVE_SERVICES_ENDPOINT,
        )
        channels["voice"] = AcsVoiceChannel(
            calls=calls,
            store=store,
            caller_id=settings.ACS_VOICE_FROM,
            callback_base=settings.VOICE_CALLBACK_BASE_URL or settings.PUBLIC_BASE_URL,
        )
    if settings.BOT_APP_ID:
        from azure.identity.aio import ManagedIdentityCredential

        # The Azure Bot authenticates as the user-assigned identity whose client id is the
        # bot's app id; locally (no identity endpoint) outbound calls go unauthenticated.
        bot_credential = (
            ManagedIdentityCredential(client_id=settings.BOT_APP_ID)
            if os.environ.get("IDENTITY_ENDPOINT")
            else None
        )
        teams = TeamsPorts(
            store=store,
            connector=ConnectorClient(http=http, credential=bot_credential),
            bot_id=settings.BOT_APP_ID,
            tenant_id=settings.BOT_TENANT_ID or settings.ENTRA_TENANT_ID,
            base_url=settings.console_base_url,
        )
        bot_auth = BotAuthenticator(
            http=http,
            app_id=settings.BOT_APP_ID,
            metadata_url=settings.BOT_OPENID_METADATA_URL,
            issuer=settings.BOT_ISSUER,
        )
        channels["teams"] = TeamsPersonalChannel(teams)
        channels["teams_channel"] = TeamsChannelPoster(teams)
    notify = NotifyPorts(
        store=store,
        channels=channels,
        http=outbound,
        # Only incident links are built from it (shared.notifications.render.incident_url).
        base_url=settings.console_base_url,
        bundle_window=timedelta(seconds=settings.NOTIFY_BUNDLE_SECONDS),
    )
    return Runtime(
        settings=settings,
        store=store,
        http=http,
        outbound=outbound,
        ingest=ingest,
        process=process,
        claim_check=claim_check,
        auth=build_auth_ports(settings, store=store, http=http),
        notify=notify,
        calls=calls,
        voice_callbacks=voice_callbacks,
        teams=teams,
        bot_auth=bot_auth,
    )


def _channels(
    settings: Settings, http: httpx.AsyncClient, outbound: OutboundClient, acs: AcsAuth
) -> dict[str, Channel]:
    """The channel per contact kind from the settings; console where nothing is configured.
    ``http`` calls the operator's own services (ACS); ``outbound`` the addresses users enter."""
    channels: dict[str, Channel] = {
        "console": ConsoleChannel(show_codes=settings.NOTIFY_CONSOLE_SHOWS_CODES)
    }
    channels["webhook"] = WebhookChannel(outbound)
    if settings.SMTP_HOST:
        channels["email"] = SmtpChannel(
            host=settings.SMTP_HOST,
            port=settings.SMTP_PORT,
            sender=settings.SMTP_FROM,
            username=settings.SMTP_USERNAME,
            password=settings.SMTP_PASSWORD,
            starttls=settings.SMTP_STARTTLS,
        )
    elif settings.ACS_ENDPOINT and settings.ACS_EMAIL_SENDER:
        channels["email"] = AcsEmailChannel(
            http=http, endpoint=settings.ACS_ENDPOINT, sender=settings.ACS_EMAIL_SENDER, auth=acs
        )
    if settings.ACS_ENDPOINT and settings.ACS_SMS_FROM:
        channels["sms"] = AcsSmsChannel(
            http=http, endpoint=settings.ACS_ENDPOINT, sender=settings.ACS_SMS_FROM, auth=acs
        )
    return channels
