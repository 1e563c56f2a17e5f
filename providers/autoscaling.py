"""Application Auto Scaling around a deployment: suspend scaling of the service's desiredCount,
resume it afterwards (RegisterScalableTarget with SuspendedState on ecs:service:DesiredCount)."""

from __future__ import annotations

from typing import Any

from planner.execute import AutoscalingState
from providers.session import Session, aws_errors

_FLAGS = ("DynamicScalingInSuspended", "DynamicScalingOutSuspended", "ScheduledScalingSuspended")


def _target(session: Session, resource_id: str, dimension: str) -> dict[str, Any] | None:
    with aws_errors(f"reading the scalable target of {resource_id}"):
        targets = session.client("application-autoscaling").describe_scalable_targets(
            ServiceNamespace="ecs", ResourceIds=[resource_id], ScalableDimension=dimension
        ).get("ScalableTargets") or []
    return targets[0] if targets else None


def _set(session: Session, resource_id: str, dimension: str, suspended: bool) -> None:
    with aws_errors(f"{'suspending' if suspended else 'resuming'} auto scaling of {resource_id}"):
        session.client("application-autoscaling").register_scalable_target(
            ServiceNamespace="ecs",
            ResourceId=resource_id,
            ScalableDimension=dimension,
            SuspendedState={flag: suspended for flag in _FLAGS},
        )


def suspend(session: Session, resource_id: str, dimension: str) -> AutoscalingState:
    """What it found, so resume knows whether the suspension is ecsplan's to undo."""
    target = _target(session, resource_id, dimension)
    if target is None:
        return AutoscalingState.NO_TARGET
    state = target.get("SuspendedState") or {}
    if all(state.get(flag) for flag in _FLAGS):
        return AutoscalingState.ALREADY_SUSPENDED
    _set(session, resource_id, dimension, True)
    return AutoscalingState.SUSPENDED


def resume(session: Session, resource_id: str, dimension: str) -> None:
    _set(session, resource_id, dimension, False)
