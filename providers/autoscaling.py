"""Application Auto Scaling around a deployment: suspend scaling of the service's desiredCount,
resume it afterwards (RegisterScalableTarget with SuspendedState on ecs:service:DesiredCount);
and the range of a target (--autoscaling-min / --autoscaling-max)."""

from __future__ import annotations

from planner.actions import UpdateScalableTarget
from planner.execute import AutoscalingState
from planner.model import ScalableTarget
from providers.session import Session, aws_errors

_FLAGS = ("DynamicScalingInSuspended", "DynamicScalingOutSuspended", "ScheduledScalingSuspended")


def targets(session: Session, resource_ids: list[str], dimension: str = "ecs:service:DesiredCount") -> dict[str, ScalableTarget]:
    """The registered targets of these services, 50 resource IDs a call (the API's limit)."""
    found: dict[str, ScalableTarget] = {}
    client = session.client("application-autoscaling")
    for start in range(0, len(resource_ids), 50):
        batch = resource_ids[start : start + 50]
        with aws_errors(f"reading the scalable targets of {', '.join(batch)}"):
            pages = client.get_paginator("describe_scalable_targets").paginate(ServiceNamespace="ecs", ResourceIds=batch, ScalableDimension=dimension)
            for page in pages:
                for t in page.get("ScalableTargets") or []:
                    state = t.get("SuspendedState") or {}
                    found[t["ResourceId"]] = ScalableTarget(
                        min_capacity=int(t["MinCapacity"]),
                        max_capacity=int(t["MaxCapacity"]),
                        suspended=all(state.get(flag) for flag in _FLAGS),
                        suspended_flags=tuple(flag for flag in _FLAGS if state.get(flag)),
                    )
    return found


def _set(session: Session, resource_id: str, dimension: str, target: ScalableTarget, suspended: bool) -> None:
    """Min and max are sent back as they are: an update changes only what it names, and ecsplan
    names all it depends on (API_RegisterScalableTarget)."""
    with aws_errors(f"{'suspending' if suspended else 'resuming'} auto scaling of {resource_id}"):
        session.client("application-autoscaling").register_scalable_target(
            ServiceNamespace="ecs",
            ResourceId=resource_id,
            ScalableDimension=dimension,
            MinCapacity=target.min_capacity,
            MaxCapacity=target.max_capacity,
            SuspendedState={flag: suspended for flag in _FLAGS},
        )


def suspend(session: Session, resource_id: str, dimension: str) -> AutoscalingState:
    """What it found, so resume knows whether the suspension is ecsplan's to undo."""
    target = targets(session, [resource_id], dimension).get(resource_id)
    if target is None:
        return AutoscalingState.NO_TARGET
    if target.suspended:
        return AutoscalingState.ALREADY_SUSPENDED
    _set(session, resource_id, dimension, target, True)
    return AutoscalingState.SUSPENDED


def resume(session: Session, resource_id: str, dimension: str) -> None:
    target = targets(session, [resource_id], dimension).get(resource_id)
    if target is not None:  # deregistered meanwhile: nothing to resume
        _set(session, resource_id, dimension, target, False)


def update_range(session: Session, action: UpdateScalableTarget) -> None:
    """RegisterScalableTarget of the existing target with the planned MinCapacity / MaxCapacity;
    SuspendedState left out, so AWS keeps it (API_RegisterScalableTarget: an update changes only
    what it names). The plan's stale check made sure the target is still there."""
    with aws_errors(f"setting the auto scaling range of {action.resource_id} to [{action.min_capacity}, {action.max_capacity}]"):
        session.client("application-autoscaling").register_scalable_target(**action.request())
