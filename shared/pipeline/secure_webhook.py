"""Which callers an Azure Monitor secure webhook accepts, per integration.

An integration may list the app ids of its own action-group apps
(``settings.azure_monitor_app_ids``); without a list, only Microsoft's Azure Monitor webhook app
is accepted. Without an Entra ID validator (no ``ENTRA_TENANT_ID``/``ENTRA_CLIENT_ID``) no token
can be checked, so a secure-webhook path answers as if its key were wrong.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from shared.auth.service import authenticate_secure_webhook
from shared.auth.tokens import EntraTokenValidator
from shared.catalog.models import Integration
from shared.errors import Unauthenticated

SecureWebhookCheck = Callable[[str | None, Integration], Awaitable[None]]


def secure_webhook_check(validator: EntraTokenValidator | None) -> SecureWebhookCheck:
    """The ingest port that authenticates a secure-webhook call for one integration."""

    async def secure_webhook(authorization: str | None, integration: Integration) -> None:
        if validator is None:
            raise Unauthenticated("The integration key is not valid.")
        allowed = integration.settings.azure_monitor_app_ids or None
        if allowed:
            await authenticate_secure_webhook(
                authorization=authorization, validator=validator, allowed_app_ids=allowed
            )
        else:
            await authenticate_secure_webhook(authorization=authorization, validator=validator)

    return secure_webhook
