"""Action types and the actions of a plan."""

from __future__ import annotations

import enum
from typing import Any

import attrs

from planner.diff import Change


class ActionType(enum.Enum):
    """What apply does, in this order within a service (DESIGN.md)."""

    REGISTER_TASK_DEFINITION = "register_task_definition"
    CREATE_SERVICE = "create_service"
    SUSPEND_AUTOSCALING = "suspend_autoscaling"
    UPDATE_SERVICE = "update_service"
    CREATE_DEPLOYMENT = "create_deployment"
    RESUME_AUTOSCALING = "resume_autoscaling"


# Terraform's legend: + create, ~ update in place.
MARKERS = {
    ActionType.REGISTER_TASK_DEFINITION: "+",
    ActionType.CREATE_SERVICE: "+",
    ActionType.SUSPEND_AUTOSCALING: "~",
    ActionType.UPDATE_SERVICE: "~",
    ActionType.CREATE_DEPLOYMENT: "+",
    ActionType.RESUME_AUTOSCALING: "~",
}

KNOWN_AFTER_APPLY = "(known after apply)"


@attrs.frozen(kw_only=True)
class Action:
    """One step of a service's plan: what changes (for people) and the payload (for apply)."""

    type: ActionType
    changes: tuple[Change, ...] = ()
    payload: dict[str, Any] = attrs.field(factory=dict)
    note: str = ""  # e.g. "starts a new deployment"
    # What the action will use that is not a change: application, deployment group, AppSpec.
    details: dict[str, Any] = attrs.field(factory=dict)


@attrs.frozen(kw_only=True)
class Blocked:
    """A change that cannot be made in place; apply refuses a plan that has one."""

    path: str
    reason: str
    before: Any = None
    after: Any = None
