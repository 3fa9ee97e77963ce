"""Composition root: builds the app and registers every blueprint. Nothing else lives here."""

import azure.durable_functions as df
import azure.functions as func

from functions import (
    api,
    bot,
    escalation,
    health,
    heartbeats,
    ingest,
    notify,
    notify_waits,
    process,
    schedules_timer,
    statuspages,
    voice,
)
from shared.outbound.logs import quiet_url_loggers

# Webhook URLs are credentials; the HTTP client loggers would write them at INFO. Set here, the
# one start-up path of both the Functions host and devhost.
quiet_url_loggers()

# Platform-level auth is anonymous on purpose: every route authenticates itself (Entra ID tokens,
# API keys, integration keys, Bot Framework tokens), and the route-audit test proves it.
app = df.DFApp(http_auth_level=func.AuthLevel.ANONYMOUS)

app.register_functions(health.bp)
app.register_functions(ingest.bp)
app.register_functions(process.bp)
app.register_functions(heartbeats.bp)
app.register_functions(escalation.bp)
app.register_functions(api.bp)
app.register_functions(notify.bp)
app.register_functions(notify_waits.bp)
app.register_functions(bot.bp)
app.register_functions(schedules_timer.bp)
app.register_functions(voice.bp)
app.register_functions(statuspages.bp)
