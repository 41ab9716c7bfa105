"""What may be made to go wrong in Identity (``IdentityControlAPI``)."""

from __future__ import annotations

from mimic.model.behaviors import BehaviorKind, CriterionKind, Event, failure_kind

#: What may go wrong when a user authenticates (any Identity version).
AUTH_EVENT = Event(
    name="auth",
    behaviors=(
        failure_kind(
            "unauthorized",
            "Unable to authenticate user with credentials provided.",
            "answer with {code, message, type} instead of a token",
        ),
        BehaviorKind("default", "authenticate normally"),
    ),
    criteria=(CriterionKind("username"), CriterionKind("tenant_id")),
)
