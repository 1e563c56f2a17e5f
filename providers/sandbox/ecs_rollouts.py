"""ECS rolling deployments: how a service's deployments progress, fail and roll back.

Real ECS moves on with time; the sandbox moves on with DescribeServices polls. Patch:

- ``rollouts_progress_on_describe``
  (``moto.ecs.models.EC2ContainerServiceBackend.describe_services``): each DescribeServices call
  advances the service's rollout by one step, deterministically (no clock, no sleep).

Rollout rules (see ``_advance_service``):

- A healthy rollout takes ``ROLLOUT_STEPS`` DescribeServices calls that include the service: at
  the last one the PRIMARY has runningCount == desiredCount and rolloutState COMPLETED, the
  older deployments have drained and are gone, and the events say so (newest first).
- A task definition with a container image whose tag starts with ``broken`` (``nginx:broken``,
  ``app:broken-1``) never becomes healthy: each step adds failedTasks and events. After
  ``ROLLOUT_STEPS`` steps, with deploymentCircuitBreaker enable+rollback the deployment is FAILED
  and a new PRIMARY rolls back to the previous deployment's task definition; with enable only it
  is FAILED and stays; without the circuit breaker it stays IN_PROGRESS for ever (ECS retries).
- A desiredCount-only change starts no deployment: the PRIMARY converges to the new count over
  ``ROLLOUT_STEPS`` calls, and its rolloutState does not change.

Deployments start here (``_start_deployment``) when CreateService / UpdateService
(``ecs_services``) says so. A CODE_DEPLOY service has task sets, not deployments: polls never
touch it. The helpers are called with ``_STATE_LOCK`` held.
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Callable
from typing import Any

import attrs

from providers.sandbox.common import (
    _STATE_LOCK,
    _add_event,
    _now,
    _random,
    _service_value,
    _set_counts,
    _set_service_value,
    _task_ids,
    _tasks_text,
)
from providers.sandbox.task_definitions import _task_definition_is_broken

#: DescribeServices calls (that include the service) a rollout, a rollback or a scale takes.
ROLLOUT_STEPS = 3

# Deployment members copied from the service when a deployment starts.
_DEPLOYMENT_COPIED_FIELDS = (
    "capacityProviderStrategy",
    "launchType",
    "platformVersion",
    "platformFamily",
    "networkConfiguration",
    "serviceConnectConfiguration",
    "volumeConfigurations",
    "vpcLatticeConfigurations",
)


@attrs.define
class _Progress:
    """How far a deployment has come: steps taken, and its runningCount when the phase began."""

    step: int = 0
    start_running: int = 0


def _progress(service: Any) -> dict[str, _Progress]:
    # Kept on the moto Service object so that moto's reset discards it with the service.
    table: dict[str, _Progress] | None = getattr(service, "_ecsplan_progress", None)
    if table is None:
        table = {}
        service._ecsplan_progress = table
    return table


def _new_deployment_id() -> str:
    return f"ecs-svc/{_random().randint(10**18, 10**19 - 1)}"


def _recount(backend: Any, service: Any) -> None:
    """The service's counts are the sums over its deployments."""
    if service.deployments:
        running = sum(d["runningCount"] for d in service.deployments)
        pending = sum(d["pendingCount"] for d in service.deployments)
        _set_counts(backend, service, running, pending)


def _new_deployment(service: Any, task_definition: str | None) -> dict[str, Any]:
    """A fresh deployment with the members real ECS returns (API_Deployment.html)."""
    deployment_id = _new_deployment_id()
    now = _now()
    deployment: dict[str, Any] = {
        "id": deployment_id,
        "status": "PRIMARY",
        "taskDefinition": task_definition,
        "desiredCount": service.desired_count,
        "pendingCount": 0,
        "runningCount": 0,
        "failedTasks": 0,
        "createdAt": now,
        "updatedAt": now,
        "rolloutState": "IN_PROGRESS",
        "rolloutStateReason": f"ECS deployment {deployment_id} in progress.",
    }
    for field in _DEPLOYMENT_COPIED_FIELDS:
        if field == "launchType":
            value = service.launch_type
        else:
            value = _service_value(service, field)
        if value not in (None, [], {}):
            deployment[field] = copy.deepcopy(value)
    return deployment


def _start_deployment(service: Any, task_definition: str | None) -> dict[str, Any]:
    """The new deployment becomes PRIMARY; every older one is ACTIVE and drains from now on."""
    progress = _progress(service)
    for older in service.deployments:
        older["status"] = "ACTIVE"
        older["updatedAt"] = _now()
        progress[older["id"]] = _Progress(step=0, start_running=older["runningCount"])
    deployment = _new_deployment(service, task_definition)
    service.deployments.insert(0, deployment)
    progress[deployment["id"]] = _Progress()
    return deployment


def _advance_service(backend: Any, service: Any) -> None:
    """One DescribeServices poll's worth of progress for one service."""
    if service.status != "ACTIVE" or not service.deployments:
        return
    primary = service.deployments[0]
    state = primary["rolloutState"]
    if state == "IN_PROGRESS":
        if _task_definition_is_broken(backend, primary["taskDefinition"]):
            _advance_failing(backend, service, primary)
        else:
            _advance_healthy(service, primary)
    elif state == "COMPLETED" and primary["runningCount"] != primary["desiredCount"]:
        _advance_scaling(service, primary)
    _recount(backend, service)


def _advance_healthy(service: Any, primary: dict[str, Any]) -> None:
    """Tasks start, the older deployments drain, and after ROLLOUT_STEPS the rollout completes."""
    progress = _progress(service)
    mine = progress.setdefault(primary["id"], _Progress())
    mine.step += 1
    step = min(mine.step, ROLLOUT_STEPS)
    desired = primary["desiredCount"]
    target = desired * step // ROLLOUT_STEPS
    started = target - primary["runningCount"]
    if started > 0:
        _add_event(service, f"has started {started} tasks: {_tasks_text(_task_ids(started))}.")
    primary["runningCount"] = target
    primary["pendingCount"] = max(desired - target, 0)
    primary["updatedAt"] = _now()
    for older in service.deployments[1:]:
        theirs = progress.setdefault(older["id"], _Progress(start_running=older["runningCount"]))
        # Ceiling division: old tasks stop only as fast as new ones start (minimumHealthyPercent).
        remaining = -(-theirs.start_running * (ROLLOUT_STEPS - step) // ROLLOUT_STEPS)
        stopped = older["runningCount"] - remaining
        if stopped > 0:
            _add_event(
                service,
                f"has stopped {stopped} running tasks: {_tasks_text(_task_ids(stopped))}.",
            )
            older["runningCount"] = remaining
            older["updatedAt"] = _now()
        older["pendingCount"] = 0
    if step >= ROLLOUT_STEPS:
        primary["rolloutState"] = "COMPLETED"
        primary["rolloutStateReason"] = f"ECS deployment {primary['id']} completed."
        primary["pendingCount"] = 0
        for older in service.deployments[1:]:
            progress.pop(older["id"], None)
        del service.deployments[1:]
        _add_event(service, f"(deployment {primary['id']}) deployment completed.")
        _add_event(service, "has reached a steady state.")


def _advance_failing(backend: Any, service: Any, primary: dict[str, Any]) -> None:
    """Tasks start and fail their health checks; the circuit breaker decides what then happens.

    https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-circuit-breaker.html
    """
    mine = _progress(service).setdefault(primary["id"], _Progress())
    mine.step += 1
    attempts = max(primary["desiredCount"], 1)
    tasks = _task_ids(attempts)
    _add_event(service, f"has started {attempts} tasks: {_tasks_text(tasks)}.")
    for task_id in tasks:
        _add_event(service, f"(task {task_id}) failed container health checks.")
    primary["failedTasks"] += attempts
    primary["runningCount"] = 0
    primary["pendingCount"] = primary["desiredCount"]
    primary["updatedAt"] = _now()
    if mine.step < ROLLOUT_STEPS:
        return
    breaker = (getattr(service, "deployment_configuration", None) or {}).get(
        "deploymentCircuitBreaker"
    ) or {}
    if not breaker.get("enable"):
        return  # no circuit breaker: ECS keeps retrying for ever
    primary["rolloutState"] = "FAILED"
    primary["rolloutStateReason"] = "ECS deployment circuit breaker: tasks failed to start."
    primary["pendingCount"] = 0
    _add_event(service, f"(deployment {primary['id']}) deployment failed: tasks failed to start.")
    if breaker.get("rollback"):
        _roll_back(service, primary)


def _roll_back(service: Any, failed: dict[str, Any]) -> None:
    """A new PRIMARY runs the previous deployment's task definition; the failed one drains."""
    previous = next(
        (d for d in service.deployments[1:] if d["rolloutState"] != "FAILED"),
        None,
    )
    if previous is None:
        return  # nothing to roll back to (the service's first deployment failed)
    service.task_definition = previous["taskDefinition"]
    for field in ("networkConfiguration", "platformVersion"):
        if field in previous:
            _set_service_value(service, field, copy.deepcopy(previous[field]))
    _add_event(service, f"rolling back to deployment {previous['id']}.")
    _start_deployment(service, previous["taskDefinition"])


def _advance_scaling(service: Any, primary: dict[str, Any]) -> None:
    """A completed PRIMARY follows a new desiredCount over ROLLOUT_STEPS polls."""
    mine = _progress(service).setdefault(
        primary["id"], _Progress(start_running=primary["runningCount"])
    )
    mine.step += 1
    step = min(mine.step, ROLLOUT_STEPS)
    desired = primary["desiredCount"]
    target = mine.start_running + (desired - mine.start_running) * step // ROLLOUT_STEPS
    if step >= ROLLOUT_STEPS:
        target = desired
    change = target - primary["runningCount"]
    if change > 0:
        _add_event(service, f"has started {change} tasks: {_tasks_text(_task_ids(change))}.")
    elif change < 0:
        _add_event(
            service,
            f"has stopped {-change} running tasks: {_tasks_text(_task_ids(-change))}.",
        )
    primary["runningCount"] = target
    primary["pendingCount"] = max(desired - target, 0)
    primary["updatedAt"] = _now()
    if target == desired:
        _add_event(service, "has reached a steady state.")


def _patch_rollouts_progress_on_describe(original: Callable[..., Any]) -> Callable[..., Any]:
    """Each DescribeServices call advances each listed service's rollout by one step.

    Real ECS moves on with time; the sandbox moves on with polls, so waiters and tests are
    deterministic (no clock, no sleep). See the module docstring for the rollout rules
    (API_Deployment.html, developerguide/service-event-messages.html,
    developerguide/deployment-circuit-breaker.html).
    """

    @functools.wraps(original)
    def describe_services(self: Any, cluster_str: str, service_names_or_arns: list[str]) -> Any:
        services, failures = original(self, cluster_str, service_names_or_arns)
        with _STATE_LOCK:
            seen: set[int] = set()
            for service in services:
                if id(service) not in seen:
                    seen.add(id(service))
                    _advance_service(self, service)
        return services, failures

    return describe_services
