"""Inbound alerts: the normalized ``AlertEvent`` and one parser per source format (pure)."""
