"""The configuration catalog admins manage: teams, services, integrations and their routes."""
