"""Where an object came from in another system, so an importer finds it again.

An importer (``openalert import opsgenie``) writes ``external_id`` in the same request that
creates the object: a run killed right after a create still finds that object on the next run,
which a mapping kept beside the API could not guarantee. The id is only a label: nothing in the
product reads it, it is stored on the team's own object (so it is as team-scoped as the object)
and it is not unique by constraint.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

ExternalId = Annotated[
    str,
    Field(
        min_length=3,
        max_length=200,
        pattern=r"^[a-z][a-z0-9-]{1,30}:[A-Za-z0-9._~:@/+=-]{1,160}$",
        description=(
            "Where the object was imported from: '<system>:<its id>', e.g. "
            "'opsgenie:schedule:4e5a…'. Set by importers to find the object again."
        ),
    ),
]
