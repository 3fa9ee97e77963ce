"""devhost: runs the real ``function_app.py`` locally without the Azure Functions host.

HTTP triggers behind aiohttp, Service Bus queues emulated over SQLite with peek-lock semantics,
NCRONTAB timer triggers, and plugins (Durable Functions, the development identity provider).
Never deployed (``.funcignore``). See docs/devhost.md.
"""
