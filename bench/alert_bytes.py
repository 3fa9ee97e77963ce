"""Bytes written per new and per duplicate Alertmanager alert (issue 22), printed by
bench_pipeline.

The alert is what kube-prometheus sends for a crash-looping pod: one alert per webhook, with the
usual labels, a summary, a description and a runbook link — 1.5 KiB of JSON. A new alert is a
new fingerprint (a new incident); a duplicate is Alertmanager's ``repeat_interval`` re-send of
the same fingerprint. Counted is the JSON size of every document the real SQLite adapter is
asked to write (``create``/``replace``/``upsert``), which is what Cosmos DB bills RUs by.
Duplicates are counted after the first 16, when the incident's window of newest alert records
(``shared.incidents.alertlog``) is full and each duplicate's record pushes out the oldest.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from shared.pipeline.models import Envelope
from shared.pipeline.process import ProcessPorts, process_envelope
from shared.store.sqlite import SqliteStore
from tests.fixtures.escalation import RecordedEscalation

WINDOW = 16


class WrittenBytes:
    """The real adapter, adding up the JSON size of every document written."""

    def __init__(self, inner: SqliteStore) -> None:
        self.inner = inner
        self.written = 0
        self.by_container: dict[str, int] = {}

    def reset(self) -> None:
        self.written = 0
        self.by_container = {}

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self.inner, name)
        if name in ("create", "replace", "upsert"):

            async def counted(container: str, doc: dict[str, Any], **kwargs: Any) -> Any:
                size = len(json.dumps(doc, separators=(",", ":")).encode())
                self.written += size
                self.by_container[container] = self.by_container.get(container, 0) + size
                return await attr(container, doc, **kwargs)

            return counted
        return attr


def alertmanager_alert(fingerprint: str, pod: str) -> str:
    """One firing alert as Alertmanager's webhook sends it (version 4)."""
    labels = {
        "alertname": "KubePodCrashLooping",
        "container": "api",
        "instance": "10.244.3.17:8080",
        "job": "kube-state-metrics",
        "namespace": "payments",
        "pod": pod,
        "prometheus": "monitoring/k8s",
        "service": "kube-state-metrics",
        "severity": "critical",
        "team": "payments",
    }
    body = {
        "version": "4",
        "groupKey": '{}/{severity=~"critical|warning"}:{alertname="KubePodCrashLooping"}',
        "truncatedAlerts": 0,
        "status": "firing",
        "receiver": "oncall-payments",
        "groupLabels": {"alertname": "KubePodCrashLooping"},
        "commonLabels": labels,
        "commonAnnotations": {},
        "externalURL": "http://alertmanager.monitoring:9093",
        "alerts": [
            {
                "status": "firing",
                "labels": labels,
                "annotations": {
                    "summary": "Pod is crash looping.",
                    "description": (
                        f"Pod payments/{pod} (api) is in waiting state (reason:"
                        ' "CrashLoopBackOff"). It restarted 7 times in the last 15 minutes;'
                        " the last termination was OOMKilled with exit code 137."
                    ),
                    "runbook_url": "https://runbooks.prometheus-operator.dev/runbooks/"
                    "kubernetes/kubepodcrashlooping",
                },
                "startsAt": "2026-05-01T10:00:00.000Z",
                "endsAt": "0001-01-01T00:00:00Z",
                "generatorURL": "http://prometheus.monitoring:9090/graph?g0.expr=max_over_time"
                "%28kube_pod_container_status_waiting_reason%7Breason%3D%22CrashLoopBackOff"
                "%22%2Cjob%3D%22kube-state-metrics%22%7D%5B5m%5D%29+%3E%3D+1&g0.tab=1",
                "fingerprint": fingerprint,
            }
        ],
    }
    return json.dumps(body, separators=(",", ":"))


def _envelope(i: int, body: str) -> Envelope:
    return Envelope(
        id=f"am-{i:06d}",
        integration_id="int-bench",
        format="alertmanager",
        received_at=datetime.now(UTC),
        body=body,
    )


async def bytes_per_alert(db: Path, n: int = 64) -> None:
    """``db`` holds the bench setup with an Alertmanager integration ``int-bench``."""
    inner = await SqliteStore.open(db)
    store = WrittenBytes(inner)
    ports = ProcessPorts(store=store, claim_check=None, escalation=RecordedEscalation())
    try:
        # Warm the instance's catalog cache, as in a running instance.
        await process_envelope(
            _envelope(0, alertmanager_alert("0000warm", "api-warm")),
            ports=ports,
            first_delivery=True,
        )
        store.reset()
        for i in range(n):
            body = alertmanager_alert(f"{i:016x}", f"api-7c9f-{i:04d}")
            await process_envelope(_envelope(1 + i, body), ports=ports, first_delivery=True)
        per_new, new_split = store.written / n, dict(store.by_container)
        repeat = alertmanager_alert("00000000000000ff", "api-7c9f-dup")
        for i in range(1 + WINDOW):
            await process_envelope(_envelope(1000 + i, repeat), ports=ports, first_delivery=True)
        store.reset()
        for i in range(n):
            await process_envelope(_envelope(2000 + i, repeat), ports=ports, first_delivery=True)
        per_dup, dup_split = store.written / n, store.by_container
    finally:
        await inner.close()
    size = len(alertmanager_alert("0" * 16, "api-7c9f-0000").encode())
    print(
        f"bytes written:         {per_new / 1024:.1f} KiB per new and {per_dup / 1024:.1f} KiB per"
        f" duplicate of a {size / 1024:.1f} KiB Alertmanager alert ({n} of each; duplicates"
        f" after the incident's {WINDOW}-record window is full)"
    )
    for what, split in (("new", new_split), ("duplicate", dup_split)):
        parts = ", ".join(f"{c} {b / n / 1024:.1f}" for c, b in sorted(split.items()))
        print(f"  per {what} alert, KiB by container: {parts}")
