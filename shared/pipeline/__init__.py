"""The alert pipeline: ingest (authenticate, validate, enqueue), then process (incidents)."""
