"""The management REST API (``/api/v1``): routing, OpenAPI and the operation table."""
