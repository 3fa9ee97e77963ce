"""Authentication and authorization (docs/auth.md).

- ``models``: principals, roles, actions, the user and API-key records.
- ``tokens``: Entra ID v2 access-token validation (pyjwt, ``JwksCache`` over httpx).
- ``access``: principals from credentials and the pure authorization rules (``can``/``require``).
- ``headers``, ``keys``, ``secret_hash``: Authorization parsing, generated-key format, secrets
  kept as hashes.
- ``apikeys``, ``key_rights``: API keys' read model, hot-path cache and rights.
- ``integration_keys``: ingest keys wherever senders put them, Grafana HMAC verification
  (which callers an integration's secure webhook accepts is ``shared.pipeline.secure_webhook``).
- ``documents``: the owner of the ``users`` and ``api_keys`` containers; ``membership``: a
  person's team roles; ``pending``: people added by e-mail before their first sign-in;
  ``owned``: reads of team-owned documents.
- ``service``: the use cases over the document store (authenticate, provision, API key
  lifecycle).
"""
