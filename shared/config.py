"""Every app setting of OpenAlert, declared once.

The settings contract: each field here (by its environment name) appears in
``local.settings.example.json`` with a working local value and is set, or documented as optional,
by ``infra/``. ``tests/unit/test_settings_contract.py`` keeps the three in agreement.

Settings are read once per process through :func:`get_settings`, never at import time, so tests
and devhost can set the environment first.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

#: Settings the Functions host (not our code) reads: binding connections and worker selection.
#: They belong to the contract too, so they are listed here with what they are for.
HOST_SETTINGS: dict[str, str] = {
    "FUNCTIONS_WORKER_RUNTIME": "Always 'python'.",
    "AzureWebJobsStorage": (
        "Host storage (Durable Functions task hub, timer leases). Locally the Azurite connection "
        "string; in Azure identity-based via AzureWebJobsStorage__accountName."
    ),
    "ServiceBusConnection": (
        "Service Bus connection used by the queue bindings. Locally a devhost placeholder; in "
        "Azure identity-based via ServiceBusConnection__fullyQualifiedNamespace."
    ),
}


class Settings(BaseSettings):
    """App settings. Field names are the environment (app setting) names, case-sensitive."""

    model_config = SettingsConfigDict(case_sensitive=True, extra="ignore", populate_by_name=True)

    LOG_LEVEL: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(
        default="INFO", description="Root log level of the worker."
    )
    PUBLIC_BASE_URL: str = Field(
        default="http://localhost:7071",
        description="Externally reachable base URL of the function app, used in links we send.",
    )
    CONSOLE_BASE_URL: str = Field(
        default="",
        description=(
            "Base URL of the web console; every notification links to "
            "'<CONSOLE_BASE_URL>/incidents/<id>'. Empty: PUBLIC_BASE_URL (devhost serves the "
            "console at its root). In Azure, the console's Static Web App (docs/deploy.md)."
        ),
    )
    CONSOLE_ORIGINS: str = Field(
        default="",
        description=(
            "Comma-separated browser origins (scheme://host[:port]) allowed to call /api/v1 "
            "cross-origin (CORS, ETag exposed): the console's origin when it is hosted apart "
            "from the function app. Empty: same-origin only."
        ),
    )
    DURABLE_TASK_HUB: str = Field(
        default="openalert",
        description="Durable Functions task hub name (host.json: %DURABLE_TASK_HUB%).",
    )

    # --- state store ---------------------------------------------------------------------------
    STORE_BACKEND: Literal["sqlite", "postgres", "cosmos"] = Field(
        default="sqlite", description="Which document-store adapter to use."
    )
    SQLITE_PATH: str = Field(
        default=".devhost/openalert.sqlite",
        description="SQLite database file (STORE_BACKEND=sqlite, the embedded local default).",
    )
    POSTGRES_DSN: str = Field(
        default="",
        description=(
            "libpq connection string (STORE_BACKEND=postgres). In Azure, host/dbname/user only: "
            "the password is an Entra token obtained with the managed identity."
        ),
    )
    COSMOS_ENDPOINT: str = Field(
        default="", description="Cosmos DB account endpoint (STORE_BACKEND=cosmos)."
    )
    COSMOS_KEY: str = Field(
        default="",
        description=(
            "Account key, only for the local emulator. Empty in Azure: the managed identity is "
            "used (DefaultAzureCredential)."
        ),
    )
    COSMOS_DATABASE: str = Field(default="openalert", description="Cosmos DB database name.")
    COSMOS_EMULATOR: bool = Field(
        default=False,
        description=(
            "True only for the local @vercel/cosmosdb-server emulator: skips TLS verification "
            "(self-signed loopback cert) and works around its gaps. Never true in Azure."
        ),
    )

    # --- ingest (shared/pipeline, docs/integrations.md) -------------------------------------------
    INGEST_MAX_BODY_BYTES: int = Field(
        default=1024 * 1024, ge=1024, description="Largest alert request body accepted (413 above)."
    )
    CLAIMCHECK_THRESHOLD_BYTES: int = Field(
        default=192 * 1024,
        ge=1024,
        description=(
            "Bodies larger than this go to Blob Storage and the queue message carries a reference "
            "(Service Bus Standard caps messages at 256 KB)."
        ),
    )
    CATALOG_CACHE_SECONDS: float = Field(
        default=10.0,
        ge=0,
        le=300,
        description=(
            "How long alert processing keeps an integration, its routes and its service in "
            "memory: a configuration change reaches other instances within this time (at once in "
            "the instance that made it). 0 reads them for every alert."
        ),
    )
    CLAIMCHECK_CONTAINER: str = Field(
        default="alert-payloads", description="Blob container for claim-checked alert bodies."
    )
    CLAIMCHECK_ACCOUNT_URL: str = Field(
        default="",
        description=(
            "Blob endpoint for claim-check bodies, used with the managed identity in Azure. Empty: "
            "the AzureWebJobsStorage connection string (Azurite locally)."
        ),
    )

    # --- authentication (shared/auth, docs/auth.md) ----------------------------------------------
    ENTRA_TENANT_ID: str = Field(
        default="",
        description=(
            "Directory (tenant) id whose Entra ID v2 tokens are accepted. Single tenant only; "
            "empty disables bearer-token sign-in (API keys still work)."
        ),
    )
    ENTRA_CLIENT_ID: str = Field(
        default="",
        description=(
            "Application (client) id of the OpenAlert app registration: the token audience. "
            "Both '<id>' and 'api://<id>' are accepted."
        ),
    )
    ENTRA_AUTHORITY: str = Field(
        default="https://login.microsoftonline.com",
        description=(
            "Token issuer authority; the issuer is '<authority>/<tenant>/v2.0'. Only devhost "
            "overrides it, to point the same validation code at its development identity provider."
        ),
    )
    ENTRA_ALLOWED_AUDIENCES: str = Field(
        default="",
        description=(
            "Extra accepted token audiences, comma-separated (e.g. a custom application id URI)."
        ),
    )
    DEVHOST_IDP_ENABLED: bool = Field(
        default=False,
        description=(
            "devhost serves a development identity provider (OpenID metadata, JWKS, "
            "'python -m devhost token'). Never set in Azure."
        ),
    )

    # --- notifications (shared/notifications, docs/notifications.md) ---------------------------
    NOTIFY_BUNDLE_SECONDS: int = Field(
        default=30,
        ge=0,
        le=600,
        description=(
            "Pages to one person within this window after a first one are held and sent as one "
            "digest (0 disables bundling). Important pages are never held."
        ),
    )
    NOTIFY_CONSOLE_SHOWS_CODES: bool = Field(
        default=False,
        description=(
            "The console channel (the log) also writes contact-method verification codes. For "
            "local runs without e-mail or SMS (devhost's example settings turn it on); never in "
            "Azure, where log readers must not verify addresses they do not hold."
        ),
    )
    SMTP_HOST: str = Field(default="", description="SMTP server for e-mail; empty: not used.")
    SMTP_PORT: int = Field(default=587, ge=1, le=65535, description="SMTP port (587 submission).")
    SMTP_USERNAME: str = Field(default="", description="SMTP user; empty: no authentication.")
    SMTP_PASSWORD: str = Field(
        default="", description="SMTP password (a Key Vault reference in Azure)."
    )
    SMTP_STARTTLS: bool = Field(default=True, description="Upgrade the SMTP session with TLS.")
    SMTP_FROM: str = Field(
        default="OpenAlert <openalert@localhost>", description="From address of e-mails."
    )
    ACS_ENDPOINT: str = Field(
        default="",
        description=(
            "Azure Communication Services endpoint (https://<name>.communication.azure.com) for "
            "e-mail (when no SMTP_HOST) and SMS; empty: not used."
        ),
    )
    ACS_ACCESS_KEY: str = Field(
        default="",
        description="ACS access key (local runs); empty: the managed identity is used in Azure.",
    )
    ACS_EMAIL_SENDER: str = Field(
        default="", description="Verified ACS e-mail sender address (DoNotReply@<domain>)."
    )
    ACS_SMS_FROM: str = Field(default="", description="ACS phone number SMS are sent from (E.164).")
    ACS_VOICE_FROM: str = Field(
        default="",
        description=(
            "ACS phone number voice calls are placed from (E.164 caller id); with ACS_ENDPOINT "
            "it turns on voice calls (Call Automation). Empty: voice is not used."
        ),
    )
    ACS_COGNITIVE_SERVICES_ENDPOINT: str = Field(
        default="",
        description=(
            "Azure AI services endpoint connected to the ACS resource; Call Automation needs it "
            "to read text aloud (text-to-speech). Empty: not sent (local stubs)."
        ),
    )
    ACS_CALLBACK_AUDIENCE: str = Field(
        default="",
        description=(
            "The ACS resource's immutable resource id: set, every voice callback must carry "
            "Call Automation's signed JWT for it (401 otherwise). Empty: the per-call secret "
            "in the callback URL is the only credential."
        ),
    )
    ACS_CALLBACK_ISSUER: str = Field(
        default="https://acscallautomation.communication.azure.com",
        description="Issuer of Call Automation's callback JWTs (change only for local stubs).",
    )
    ACS_CALLBACK_OPENID_METADATA_URL: str = Field(
        default=(
            "https://acscallautomation.communication.azure.com/calling/.well-known/"
            "acsopenidconfiguration"
        ),
        description="OpenID metadata that lists Call Automation's signing keys.",
    )
    VOICE_CALLBACK_BASE_URL: str = Field(
        default="",
        description=(
            "Base URL at which ACS reaches this app's /api/voice/callbacks/{token}; empty: "
            "PUBLIC_BASE_URL."
        ),
    )

    # --- outbound calls to user-configured targets (shared/outbound, docs/notifications.md) ------
    OUTBOUND_ALLOW: str = Field(
        default="",
        description=(
            "Comma-separated CIDRs and host names that webhook contacts, outgoing webhooks and "
            "Workflows URLs may reach although they are not public internet addresses (a "
            "VNet-integrated deployment calling a private endpoint). Empty: only globally "
            "routable addresses. The only way to open the outbound guard."
        ),
    )
    OUTBOUND_ALLOW_HTTP: bool = Field(
        default=False,
        description=(
            "Development only: user-configured targets may be http:// as well as https://. "
            "Never set in Azure."
        ),
    )

    # --- Microsoft Teams (shared/msteams, docs/teams.md) ------------------------------------------
    BOT_APP_ID: str = Field(
        default="",
        description=(
            "Microsoft App ID of the Azure Bot (the audience of Bot Framework tokens); empty: "
            "the Teams bot is off and /api/messages answers 503."
        ),
    )
    BOT_TENANT_ID: str = Field(
        default="", description="Tenant of the bot identity; empty: ENTRA_TENANT_ID."
    )
    BOT_OPENID_METADATA_URL: str = Field(
        default="https://login.botframework.com/v1/.well-known/openidconfiguration",
        description="Bot Framework OpenID metadata (tests point it at a local server).",
    )
    BOT_ISSUER: str = Field(
        default="https://api.botframework.com", description="Issuer of Bot Framework tokens."
    )

    # --- status pages (shared/statuspages, docs/status-pages.md) -------------------------------
    STATUS_TOKEN_SECRET: str = Field(
        default="",
        description=(
            "HMAC key (32+ characters) signing status-page subscribers' confirm and unsubscribe "
            "links; a Key Vault reference in Azure. Empty or short: e-mail sign-up answers 503."
        ),
    )
    STATUS_NOTIFY_BUNDLE_SECONDS: int = Field(
        default=120,
        ge=0,
        le=3600,
        description=(
            "Status-page subscribers get posts and updates bundled over this window, and at "
            "most one e-mail per page per window."
        ),
    )

    @property
    def console_base_url(self) -> str:
        """Where people open incidents: the one base of every link a notification carries."""
        return (self.CONSOLE_BASE_URL or self.PUBLIC_BASE_URL).rstrip("/")

    @property
    def console_origins(self) -> frozenset[str]:
        return frozenset(
            o.strip().rstrip("/") for o in self.CONSOLE_ORIGINS.split(",") if o.strip()
        )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read from the environment on first use."""
    return Settings()


def setting_names() -> set[str]:
    """Every setting name in the contract: ours plus the host's."""
    return set(Settings.model_fields) | set(HOST_SETTINGS)
