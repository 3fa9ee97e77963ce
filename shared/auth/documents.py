"""How authentication's records are stored in the document store.

Both containers (``shared.store.containers``) are partitioned by the document's own id
(``pk`` = ``id``): every hot-path access — the caller's user record, an API key by its id — is a
point read, and nothing needs a partition-wide query.
"""

from __future__ import annotations

from shared.auth.models import ApiKey, User
from shared.store.codec import to_doc
from shared.store.port import Doc

USERS = "users"
API_KEYS = "api_keys"


def user_doc(user: User) -> Doc:
    """``teams_list`` (the user's team ids) is a declared query field, so a team's members are
    ``query(USERS, where=[array_contains("teams_list", team_id)])``."""
    return to_doc(user, teams_list=sorted(user.teams))


def api_key_doc(key: ApiKey) -> Doc:
    """``owner_id`` (the creator) is a declared query field, for "my keys" lists."""
    return to_doc(key, owner_id=key.created_by)
