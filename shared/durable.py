"""The part of Durable Functions' ``DurableOrchestrationClient`` that ``shared/`` starts
orchestrations with, as a protocol: ``shared/`` never imports the Functions SDK, and tests and
devhost hand in their own clients."""

from __future__ import annotations

from typing import Protocol


class OrchestrationStarter(Protocol):
    async def start_new(
        self,
        orchestration_function_name: str,
        instance_id: str | None = None,
        client_input: object | None = None,
    ) -> str: ...
