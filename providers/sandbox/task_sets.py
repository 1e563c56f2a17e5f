"""ECS task sets of CODE_DEPLOY services, built on moto's TaskSet model (API_TaskSet.html).

A CODE_DEPLOY service has task sets, not deployments: CreateService gives it one PRIMARY task
set that runs its task definition behind its load balancers (``create_service_keeps_fields``),
its desiredCount scales every task set at once (``update_service_like_ecs``), and a CodeDeploy
deployment adds a replacement task set, then promotes or discards it (``codedeploy_progress``).
Task sets show computedDesiredCount, runningCount, pendingCount, startedBy and platformFamily,
which moto's model lacks; the tasks of a broken task definition stay pending.

No patches of its own. The helpers are called with ``_STATE_LOCK`` held.
"""

from __future__ import annotations

import copy
from typing import Any

from providers.sandbox.common import (
    _add_event,
    _add_task_set_event,
    _is_fargate,
    _now,
    _service_value,
    _set_counts,
    _task_ids,
    _tasks_text,
)
from providers.sandbox.task_definitions import _task_definition_is_broken

# TaskSet members moto's TaskSet model lacks, kept under their xform_name (what the serializer
# reads, see common._SERVICE_ATTRIBUTES).
_TASK_SET_ATTRIBUTES: dict[str, str] = {
    "computedDesiredCount": "computed_desired_count",
    "pendingCount": "pending_count",
    "runningCount": "running_count",
    "startedBy": "started_by",
    "platformFamily": "platform_family",
}

# Sandbox bookkeeping on a task set: its tasks fail their health checks.
_TASK_SET_BROKEN = "_ecsplan_broken"


def _computed_desired(desired: int, scale: dict[str, Any] | None) -> int:
    """computedDesiredCount: the service's desiredCount times the task set's scale, rounded up."""
    percent = float((scale or {}).get("value", 100.0))
    return -(-int(desired * percent) // 100)


def _new_task_set(
    backend: Any,
    service: Any,
    task_definition: str,
    *,
    status: str,
    load_balancers: list[dict[str, Any]],
    network: dict[str, Any] | None,
    platform_version: str | None,
    strategy: list[dict[str, Any]] | None,
    started_by: str | None = None,
    external_id: str | None = None,
) -> Any:
    """A task set as DescribeServices / DescribeTaskSets show it (API_TaskSet.html), built on
    moto's own TaskSet model; its tasks start at once (see _set_task_set_counts)."""
    from moto.ecs.models import TaskSet

    task_set = TaskSet(
        service.arn,
        service.cluster_arn,
        task_definition,
        backend.account_id,
        backend.region_name,
        external_id=external_id,
        network_configuration=copy.deepcopy(network),
        load_balancers=copy.deepcopy(load_balancers),
        service_registries=copy.deepcopy(getattr(service, "service_registries", None)),
        launch_type=service.launch_type,
        capacity_provider_strategy=copy.deepcopy(strategy),
        platform_version=platform_version,
        scale={"value": 100.0, "unit": "PERCENT"},
    )
    task_set.service_arn = service.arn
    task_set.cluster_arn = service.cluster_arn
    task_set.external_id = external_id  # type: ignore[assignment]  # moto: "" when there is none; ECS leaves it out
    task_set.status = status
    # moto defaults platformVersion to LATEST whatever the launch type; ECS shows it for Fargate.
    task_set.platform_version = platform_version if _is_fargate(service) else None  # type: ignore[assignment]  # None: left out
    family = _service_value(service, "platformFamily")
    setattr(task_set, _TASK_SET_ATTRIBUTES["platformFamily"], family)
    setattr(task_set, _TASK_SET_ATTRIBUTES["startedBy"], started_by)
    setattr(task_set, _TASK_SET_ATTRIBUTES["computedDesiredCount"], 0)
    setattr(task_set, _TASK_SET_ATTRIBUTES["runningCount"], 0)
    setattr(task_set, _TASK_SET_ATTRIBUTES["pendingCount"], 0)
    setattr(task_set, _TASK_SET_BROKEN, _task_definition_is_broken(backend, task_definition))
    return task_set


def _set_task_set_counts(service: Any, task_set: Any) -> None:
    """Follow the service's desiredCount: healthy tasks run at once, broken ones stay pending.

    Emits "updated computedDesiredCount for taskSet ... to N." when the count changes, and the
    started / stopped / failed-health-check events for the tasks."""
    computed = _computed_desired(service.desired_count, task_set.scale)
    if computed != task_set.computed_desired_count:
        task_set.computed_desired_count = computed
        _add_event(
            service, f"updated computedDesiredCount for taskSet {task_set.id} to {computed}."
        )
    broken = getattr(task_set, _TASK_SET_BROKEN, False)
    running = 0 if broken else computed
    change = running - task_set.running_count
    if change > 0:
        tasks = _tasks_text(_task_ids(change))
        _add_task_set_event(service, task_set, f"has started {change} tasks: {tasks}.")
    elif change < 0:
        tasks = _tasks_text(_task_ids(-change))
        _add_task_set_event(service, task_set, f"has stopped {-change} running tasks: {tasks}.")
    if broken and computed:
        started_ids = _task_ids(computed)
        started = f"has started {computed} tasks: {_tasks_text(started_ids)}."
        _add_task_set_event(service, task_set, started)
        for task_id in started_ids:
            failed = f"(task {task_id}) failed container health checks."
            _add_task_set_event(service, task_set, failed)
    task_set.running_count = running
    task_set.pending_count = computed - running
    task_set.stabilityStatus = "STABILIZING" if broken and computed else "STEADY_STATE"
    task_set.updatedAt = task_set.stabilityStatusAt = _now()


def _recount_task_sets(backend: Any, service: Any) -> None:
    """A CODE_DEPLOY service's counts are the sums over its task sets."""
    running = sum(task_set.running_count for task_set in service.task_sets)
    pending = sum(task_set.pending_count for task_set in service.task_sets)
    _set_counts(backend, service, running, pending)


def _start_primary_task_set(backend: Any, service: Any) -> None:
    """CreateService with the CODE_DEPLOY controller: no deployments, one PRIMARY task set that
    runs the service's task definition behind the service's load balancers."""
    task_set = _new_task_set(
        backend,
        service,
        service.task_definition,
        status="PRIMARY",
        load_balancers=service.load_balancers,
        network=service.network_configuration or None,
        platform_version=service.platform_version,
        strategy=_service_value(service, "capacityProviderStrategy"),
    )
    setattr(task_set, _TASK_SET_BROKEN, False)  # the first task set starts healthy, whatever runs
    service.deployments = []
    service.task_sets = [task_set]
    _set_task_set_counts(service, task_set)
    _add_event(service, "has reached a steady state.")
    _recount_task_sets(backend, service)


def _scale_task_sets(backend: Any, service: Any) -> None:
    """desiredCount changed on a CODE_DEPLOY service: every task set follows it at once."""
    for task_set in service.task_sets:
        _set_task_set_counts(service, task_set)
    _recount_task_sets(backend, service)
