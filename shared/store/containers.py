"""Every container, its partition key and its queryable fields — declared once, here.

Partition choices follow the hot paths (single-partition point operations):
- ``incidents``, ``alerts``, ``timeline``: partitioned by incident id, so an incident, its alerts
  and its timeline are one partition (reads for the incident page, writes on every alert).
- ``dedup``: partitioned by integration id, id = dedup key: the dedup lookup is a point read.
- config (teams, services, integrations, routes, policies, schedules, users, api keys):
  partitioned by their own id (``pk`` = ``id``) — small, read by id, listed rarely.
- ``processed``: idempotency markers per Service Bus message id, with a TTL.
"""

from __future__ import annotations

from shared.errors import InvalidInput
from shared.store.port import ContainerSpec

_DAY = 24 * 3600

CONTAINERS: dict[str, ContainerSpec] = {}


def register(spec: ContainerSpec) -> ContainerSpec:
    existing = CONTAINERS.get(spec.name)
    if existing is not None and existing != spec:
        raise ValueError(f"container {spec.name!r} is declared twice with different specs")
    CONTAINERS[spec.name] = spec
    return spec


def spec_for(name: str) -> ContainerSpec:
    try:
        return CONTAINERS[name]
    except KeyError:
        raise InvalidInput(f"unknown container {name!r}", field="container") from None


for _spec in (
    ContainerSpec("teams", "pk", ("name",)),
    ContainerSpec("users", "pk", ("email", "teams_list")),
    ContainerSpec("api_keys", "pk", ("owner_id", "team_ids")),
    ContainerSpec("services", "pk", ("team_id", "name")),
    ContainerSpec("integrations", "pk", ("service_id", "team_id", "key_prefix", "format")),
    ContainerSpec("routes", "pk", ("integration_id", "position")),
    ContainerSpec("escalation_policies", "pk", ("team_id", "name")),
    # Every saved version of a policy, in its partition (shared.escalation.policy_versions).
    ContainerSpec("escalation_policy_versions", "policy_id"),
    ContainerSpec("schedules", "pk", ("team_id", "name")),
    ContainerSpec("oncall_state", "pk", ("schedule_id",)),
    ContainerSpec(
        "incidents",
        "pk",
        (
            "status",
            "severity",
            "team_id",
            "service_id",
            "created_at",
            "number",
            "updated_at",
            "dedup_key",
            "assignees",
        ),
    ),
    # Alert chunks: an incident's older alert records, RECENT_ALERTS_KEPT per document.
    ContainerSpec("alerts", "incident_id", ("received_at", "alert_ids")),
    ContainerSpec("timeline", "incident_id", ("at", "kind")),
    ContainerSpec("dedup", "integration_id", ("incident_id", "open")),
    ContainerSpec("counters", "pk"),
    # Targets each escalation notify step resolved, by step idempotency key (re-runs reuse them).
    ContainerSpec("escalation_steps", "incident_id"),
    ContainerSpec("heartbeats", "pk"),
    ContainerSpec("notifications", "pk", ("incident_id", "user_id", "status", "created_at")),
    ContainerSpec("contact_methods", "user_id", ("kind",)),
    ContainerSpec("notification_rules", "pk"),
    # Rule steps waiting for their time and bundling windows (the notify_flush timer reads them).
    ContainerSpec("notification_pending", "pk", ("due_at",)),
    ContainerSpec("notification_bundles", "pk", ("window_until",)),
    ContainerSpec("webhooks", "pk", ("team_id",)),
    ContainerSpec("conversations", "pk", ("kind", "team_id", "user_id")),
    # Which Teams message shows an incident's card, per conversation (updated in place).
    ContainerSpec("teams_cards", "incident_id"),
    ContainerSpec("processed", "pk", (), default_ttl=7 * _DAY),
    # Changes of a service (PagerDuty Change Events), shown on the incidents that follow them.
    ContainerSpec("changes", "service_id", ("service_id", "at"), default_ttl=30 * _DAY),
    # Voice calls by callback-token hash, and the ACS events handled per call (idempotency).
    # A call lasts minutes; a week covers late redeliveries and looking into a complaint.
    ContainerSpec("voice_calls", "pk", (), default_ttl=7 * _DAY),
    ContainerSpec("voice_events", "pk", (), default_ttl=7 * _DAY),
    # Status pages (shared/statuspages/store.py): pages and their slug claims by own id; posts,
    # monthly status history, subscribers and subscriber notices by page id.
    ContainerSpec("status_pages", "pk", ("team_id", "slug")),
    ContainerSpec("status_posts", "page_id", ("kind", "open", "created_at", "incident_id")),
    ContainerSpec("status_history", "page_id"),
    ContainerSpec("status_subscribers", "page_id", ("confirmed",)),
    ContainerSpec("status_outbox", "page_id", ("due_at",)),
):
    register(_spec)
