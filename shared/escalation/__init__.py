"""Escalation policies, the pure step evaluation ("plan") and the escalation service."""
