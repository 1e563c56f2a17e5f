"""Application Auto Scaling's ECS targets.

Patches:

- ``scalable_target_check_does_not_poll`` (``moto.applicationautoscaling.models.
  ApplicationAutoscalingBackend._ecs_service_exists_for_target``, replaced): RegisterScalableTarget
  checks the ECS service without calling describe_services, so it advances no rollout.
- ``suspended_state_kept_per_flag`` (``...ApplicationAutoscalingBackend.register_scalable_target``):
  SuspendedState shows all three flags (false until set); flags a request leaves out are kept;
  and every registration moves the ECS service's desiredCount into [MinCapacity, MaxCapacity].
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from providers.sandbox.common import _STATE_LOCK
from providers.sandbox.ecs_services import _change_desired_count

#: SuspendedState members (API_SuspendedState.html); DescribeScalableTargets shows all three.
SUSPENDED_STATE_FLAGS: tuple[str, ...] = (
    "DynamicScalingInSuspended",
    "DynamicScalingOutSuspended",
    "ScheduledScalingSuspended",
)


def _patch_scalable_target_check_does_not_poll(original: Callable[..., Any]) -> Callable[..., Any]:
    """RegisterScalableTarget checks that the ECS service exists without polling it.

    moto checks through EC2ContainerServiceBackend.describe_services, which
    ``rollouts_progress_on_describe`` makes a poll: suspending or resuming auto scaling would
    advance rollouts. For AWS a RegisterScalableTarget is no DescribeServices. The check and its
    error stay moto's (ValidationException "ECS service doesn't exist: <resource id>").
    """
    del original  # replaced: the same check, reading the ECS backend directly

    def _ecs_service_exists_for_target(self: Any, r_id: str) -> bool:
        from moto.applicationautoscaling.exceptions import AWSValidationException

        _, cluster, name = r_id.split("/")
        try:
            self.ecs_backend._get_service(cluster, name)
        except Exception as err:
            raise AWSValidationException(f"ECS service doesn't exist: {r_id}") from err
        return True

    return _ecs_service_exists_for_target


def _patch_suspended_state_kept_per_flag(original: Callable[..., Any]) -> Callable[..., Any]:
    """RegisterScalableTarget keeps SuspendedState flags a request leaves out.

    API_RegisterScalableTarget.html: re-registering an existing target updates what the request
    gives and keeps the rest (moto already keeps MinCapacity / MaxCapacity); moto replaces the
    whole SuspendedState and shows none until one is given. Here each of
    DynamicScalingInSuspended, DynamicScalingOutSuspended, ScheduledScalingSuspended is false
    until set, and a request that gives some of them keeps the others (per-flag merging is the
    sandbox's reading of the "keeps the rest" rule).

    The same page: registering "changes the resource's current capacity to a value that is inside
    of this range" when the resource is active, also for an update that leaves MinCapacity and
    MaxCapacity out: a suspend or resume moves a desiredCount outside the range back into it.
    """

    @functools.wraps(original)
    def register_scalable_target(
        self: Any,
        namespace: str,
        r_id: str,
        dimension: str,
        min_capacity: int | None,
        max_capacity: int | None,
        role_arn: str,
        suspended_state: Any,
    ) -> Any:
        with _STATE_LOCK:
            existing = (self.targets.get(dimension) or {}).get(r_id)
            before = dict(getattr(existing, "suspended_state", None) or {})
            target = original(
                self, namespace, r_id, dimension, min_capacity, max_capacity, role_arn,
                suspended_state,
            )
            merged = {flag: False for flag in SUSPENDED_STATE_FLAGS}
            merged.update({k: bool(v) for k, v in before.items() if k in merged})
            merged.update({k: bool(v) for k, v in (suspended_state or {}).items() if k in merged})
            target.suspended_state = merged
            if namespace == "ecs":
                _clamp_desired_count(self, r_id, target)
            return target

    return register_scalable_target


def _clamp_desired_count(backend: Any, r_id: str, target: Any) -> None:
    """The ECS service's desiredCount, moved into the target's [min, max] (API_RegisterScalableTarget)."""
    _, cluster, name = r_id.split("/")
    try:
        service = backend.ecs_backend._get_service(cluster, name)
    except Exception:  # noqa: BLE001 - no such service: nothing to move (moto checked it exists)
        return
    low, high = target.min_capacity, target.max_capacity
    desired = service.desired_count
    clamped = max(low, desired) if low is not None else desired
    clamped = min(high, clamped) if high is not None else clamped
    if clamped != desired:
        _change_desired_count(backend.ecs_backend, service, clamped)
