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
  ``app:broken-1``) never becomes healthy, and fails slowly, as on AWS: each poll launches
  ``FAILED_TASKS_PER_POLL`` task, which fails its health checks (an event each), and failedTasks
  grows by as much. On AWS a task fails only after its health checks ran out (grace period,
  interval x retries) or, one that never reaches RUNNING, with launches throttled "up to a
  maximum of 27 minutes" apart (developerguide/service-throttle-logic.html); public logs show
  11+ minutes for one failing task. With the circuit breaker on, the deployment
  becomes FAILED ("ECS deployment circuit breaker: tasks failed to start.") only when
  failedTasks reaches the threshold (``circuit_breaker_threshold``: by default
  max(3, min(200, ceil(desiredCount / 2))), API_DeploymentCircuitBreaker.html,
  API_ThresholdConfiguration.html); with rollback on, ECS then rolls back (below); with enable
  only it stays FAILED and PRIMARY; without the circuit breaker it stays IN_PROGRESS for ever
  (ECS retries).
- A circuit-breaker rollback does not start a new deployment (``_roll_back``): the most recent
  COMPLETED deployment "changes from a COMPLETED to IN_PROGRESS" state and is PRIMARY again,
  rolloutStateReason "ECS deployment circuit breaker: rolling back to deploymentId
  ecs-svc/..."; the failed one stays, ACTIVE and FAILED, until the rollback completes
  (ROLLOUT_STEPS polls later), then it is gone (developerguide/deployment-circuit-breaker.html,
  API_Deployment.html). Not imitated: the DRAINING status a failed deployment may pass through
  (the engine takes any status but PRIMARY alike), running tasks (the failed ones are kept for
  ListTasks / DescribeTasks: ecs_tasks). No COMPLETED deployment left: no rollback ("The rollback method
  requires a previous deployment in COMPLETED state", developerguide/
  deployment-failure-detection.html).
- A service behind a Classic Load Balancer (a ``loadBalancers`` entry names a
  ``loadBalancerName``) gets deployments without rolloutState and rolloutStateReason:
  Deployment.rolloutState "is only returned for services that use the rolling update (ECS)
  deployment type that aren't behind a Classic Load Balancer" (botocore's ecs model,
  API_Deployment.html). Its deployments progress by their counts alone; its circuit breaker
  never trips (the older API_DeploymentCircuitBreaker.html text: "can only be used for services
  using the rolling update (ECS) deployment type that aren't behind a Classic Load Balancer"),
  so a broken image retries for ever. The state is kept under a key that is no member of the
  Deployment shape (``_STATE``): moto's serializer never returns it.
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
from providers.sandbox.ecs_tasks import record_stopped
from providers.sandbox.service_deployments import in_service_deployment
from providers.sandbox.task_definitions import _task_definition_is_broken

#: DescribeServices calls (that include the service) a rollout, a rollback or a scale takes.
ROLLOUT_STEPS = 3

#: Tasks a broken deployment launches (and sees fail) per DescribeServices poll.
FAILED_TASKS_PER_POLL = 1

#: rolloutStateReason of a deployment the circuit breaker failed, and of the deployment it rolls
#: back to (developerguide/deployment-circuit-breaker.html).
CIRCUIT_BREAKER_FAILED_REASON = "ECS deployment circuit breaker: tasks failed to start."
CIRCUIT_BREAKER_ROLLBACK_REASON = "ECS deployment circuit breaker: rolling back to deploymentId {id}."

# Where a deployment's rollout state is kept. Not members of the Deployment shape, so moto's
# serializer (which picks shape members) never returns them; _publish() copies them to
# rolloutState / rolloutStateReason unless the service is behind a Classic Load Balancer.
_STATE = "ecsplanRolloutState"
_REASON = "ecsplanRolloutStateReason"

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


def circuit_breaker_threshold(desired_count: int, breaker: dict[str, Any]) -> int:
    """Consecutive failed tasks after which the circuit breaker fails a deployment.

    API_ThresholdConfiguration.html / ThresholdType: by default BOUNDED_PERCENT 50: value% of
    the latest desired count, clamped to 3..200 (API_ServiceDeploymentCircuitBreaker.html:
    "a minimum threshold of 3 and a maximum threshold of 200 ... 0.5 * desired task count");
    UNBOUNDED_PERCENT without the clamp; COUNT: value itself. Percentages round up.
    """
    config = breaker.get("thresholdConfiguration") or {}
    kind = config.get("type") or "BOUNDED_PERCENT"
    value = int(config.get("value", 50))
    if kind == "COUNT":
        return max(value, 1)
    computed = -(-value * max(desired_count, 0) // 100)
    if kind == "UNBOUNDED_PERCENT":
        return max(computed, 1)
    return max(3, min(200, computed))


def _behind_classic_load_balancer(service: Any) -> bool:
    return any(
        isinstance(lb, dict) and lb.get("loadBalancerName")
        for lb in getattr(service, "load_balancers", None) or []
    )


def _state(deployment: dict[str, Any]) -> str:
    # A deployment the sandbox did not make (none should exist) has moto's visible keys only.
    return str(deployment.get(_STATE, deployment.get("rolloutState")))


def _set_state(deployment: dict[str, Any], state: str, reason: str) -> None:
    deployment[_STATE] = state
    deployment[_REASON] = reason


def _publish(service: Any) -> None:
    """What DescribeServices shows of each deployment's rollout state (nothing behind a CLB).

    The keys stay (None is not serialized) because the rest of the sandbox reads them.
    """
    hidden = _behind_classic_load_balancer(service)
    for deployment in service.deployments:
        deployment["rolloutState"] = None if hidden else _state(deployment)
        deployment["rolloutStateReason"] = (
            None if hidden else deployment.get(_REASON, deployment.get("rolloutStateReason"))
        )


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
    }
    _set_state(deployment, "IN_PROGRESS", f"ECS deployment {deployment_id} in progress.")
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
    _publish(service)
    return deployment


def _advance_service(backend: Any, service: Any) -> None:
    """One DescribeServices poll's worth of progress for one service."""
    if service.status != "ACTIVE" or not service.deployments:
        return
    if in_service_deployment(service):
        return  # a BLUE_GREEN / LINEAR / CANARY service deployment moves them (service_deployments)
    primary = service.deployments[0]
    state = _state(primary)
    if state == "IN_PROGRESS":
        if _task_definition_is_broken(backend, primary["taskDefinition"]):
            failed = _advance_failing(service, primary)
            record_stopped(backend, service, primary, failed)  # for ListTasks / DescribeTasks
        else:
            _advance_healthy(service, primary)
    elif state == "COMPLETED" and primary["runningCount"] != primary["desiredCount"]:
        _advance_scaling(service, primary)
    _publish(service)
    _recount(backend, service)


def _advance_healthy(service: Any, primary: dict[str, Any]) -> None:
    """Tasks start, the older deployments drain, and after ROLLOUT_STEPS the rollout completes.

    The PRIMARY goes from the runningCount it had when the phase began (0 for a new deployment;
    all of its tasks for a deployment ECS rolls back to) to its desiredCount.
    """
    progress = _progress(service)
    mine = progress.setdefault(primary["id"], _Progress())
    mine.step += 1
    step = min(mine.step, ROLLOUT_STEPS)
    desired = primary["desiredCount"]
    target = mine.start_running + (desired - mine.start_running) * step // ROLLOUT_STEPS
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
        _set_state(primary, "COMPLETED", f"ECS deployment {primary['id']} completed.")
        primary["runningCount"] = desired
        primary["pendingCount"] = 0
        for older in service.deployments[1:]:
            progress.pop(older["id"], None)
        del service.deployments[1:]
        # A later desiredCount change converges from the count reached now (_advance_scaling).
        progress.pop(primary["id"], None)
        _add_event(service, f"(deployment {primary['id']}) deployment completed.")
        _add_event(service, "has reached a steady state.")


def _circuit_breaker(service: Any) -> dict[str, Any]:
    configuration = getattr(service, "deployment_configuration", None) or {}
    return configuration.get("deploymentCircuitBreaker") or {}


def _advance_failing(service: Any, primary: dict[str, Any]) -> list[str]:
    """A task launches and fails its health checks; the circuit breaker counts the failures.

    developerguide/deployment-circuit-breaker.html: the deployment fails once the consecutive
    failed tasks reach the threshold (circuit_breaker_threshold); until then ECS keeps
    launching replacements, slowly (one per poll here, FAILED_TASKS_PER_POLL).
    """
    mine = _progress(service).setdefault(primary["id"], _Progress())
    mine.step += 1
    tasks = _task_ids(FAILED_TASKS_PER_POLL)
    _add_event(service, f"has started {len(tasks)} tasks: {_tasks_text(tasks)}.")
    for task_id in tasks:
        _add_event(service, f"(task {task_id}) failed container health checks.")
    primary["failedTasks"] += len(tasks)
    primary["runningCount"] = 0
    primary["pendingCount"] = min(primary["desiredCount"], FAILED_TASKS_PER_POLL)
    primary["updatedAt"] = _now()
    breaker = _circuit_breaker(service)
    if not breaker.get("enable") or _behind_classic_load_balancer(service):
        return tasks  # no circuit breaker: ECS keeps retrying for ever
    if primary["failedTasks"] < circuit_breaker_threshold(service.desired_count, breaker):
        return tasks
    _set_state(primary, "FAILED", CIRCUIT_BREAKER_FAILED_REASON)
    primary["pendingCount"] = 0
    _add_event(service, f"(deployment {primary['id']}) deployment failed: tasks failed to start.")
    if breaker.get("rollback"):
        _roll_back(service, primary)
    return tasks


def _roll_back(service: Any, failed: dict[str, Any]) -> None:
    """The most recent COMPLETED deployment is PRIMARY and IN_PROGRESS again; no new deployment.

    developerguide/deployment-circuit-breaker.html (rollback); API_Deployment.html. The failed
    deployment stays ACTIVE and FAILED until the rollback completes (_advance_healthy drops
    it then). Without a COMPLETED deployment there is nothing to roll back to: the failed one
    stays PRIMARY (developerguide/deployment-failure-detection.html).
    """
    previous = next((d for d in service.deployments[1:] if _state(d) == "COMPLETED"), None)
    if previous is None:
        return
    service.task_definition = previous["taskDefinition"]
    for field in ("networkConfiguration", "platformVersion"):
        if field in previous:
            _set_service_value(service, field, copy.deepcopy(previous[field]))
    now = _now()
    failed["status"] = "ACTIVE"
    failed["updatedAt"] = now
    previous["status"] = "PRIMARY"
    previous["updatedAt"] = now
    _set_state(previous, "IN_PROGRESS", CIRCUIT_BREAKER_ROLLBACK_REASON.format(id=previous["id"]))
    # ECS lists the PRIMARY first; the sandbox (and ecs_services) rely on it.
    service.deployments.remove(previous)
    service.deployments.insert(0, previous)
    progress = _progress(service)
    progress[previous["id"]] = _Progress(start_running=previous["runningCount"])
    for older in service.deployments[1:]:
        progress[older["id"]] = _Progress(start_running=older["runningCount"])
    _add_event(service, f"rolling back to deployment {previous['id']}.")


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
        _progress(service).pop(primary["id"], None)  # the next change starts from here
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
