"""Authentication and authorization (docs/auth.md).

- ``models``: principals, roles, actions, the user and API-key records.
- ``tokens``: Entra ID v2 access-token validation (pyjwt, JWKS over httpx).
- ``access``: principals from credentials and the pure authorization rules (``can``/``require``).
- ``headers``, ``keys``, ``cache``: Authorization parsing, generated-key format and hashing,
  the bounded TTL cache.
- ``apikeys``: API keys' read model and hot-path cache.
- ``integration_keys``: ingest keys wherever senders put them, Grafana HMAC verification.
- ``service``: the use cases over the document store (authenticate, provision, team roles,
  API key lifecycle).
"""
