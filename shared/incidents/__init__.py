"""Incidents (alert groups): models, the lifecycle state machine and the incident service."""
