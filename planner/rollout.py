"""Judging a rolling deployment from DescribeServices output. Pure.

The `services_stable` waiter reports success after a circuit-breaker rollback too: one
deployment, running == desired (kayac/ecspresso#732, fabfuel/ecs-deploy#185,
aws-actions/amazon-ecs-deploy-task-definition#191). We instead follow the deployment this apply
created: it must be PRIMARY, run the new task definition, and reach rolloutState COMPLETED.

AWS as it really is (developerguide/deployment-circuit-breaker.html, API_Deployment.html):
- failures are slow: the circuit breaker fails a deployment only after
  max(3, min(200, ceil(desiredCount / 2))) consecutive failed tasks (by default), so a wait can
  time out while a rollout fails; the timeout then says what it saw (`timeout_report`);
- a circuit-breaker rollback starts no new deployment: the last COMPLETED deployment is PRIMARY
  and IN_PROGRESS again ("ECS deployment circuit breaker: rolling back to deploymentId ..."),
  the failed one ACTIVE and FAILED until it is gone; `ecsplan wait` started then follows the
  rollback and reports it as one (`expectation_in_progress`, `judge`);
- behind a Classic Load Balancer there is no rolloutState: such a deployment is judged by its
  task counts.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping, Sequence
from typing import Any

import attrs

from planner.model import Deployment, DeploymentGroupInfo, LiveService, arn_tail


class RolloutState(enum.Enum):
    IN_PROGRESS = "in_progress"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


@attrs.frozen(kw_only=True)
class RolloutExpectation:
    """What apply started: the deployment id UpdateService/CreateService returned as PRIMARY (None
    when the update started no deployment) and the task definition it must run.

    `ecsplan wait` follows what is in progress, and shows only the service events from its start
    on (`from_wait_start`: the deployment may be long under way, and the one a rollback returns
    to is old). Started during a circuit-breaker rollback, it follows the deployment ECS rolls
    back to (`rollback`); `failed_deployment_id` / `failed_task_definition` name the deployment
    that failed (None when it is gone already)."""

    deployment_id: str | None
    task_definition_arn: str | None
    from_wait_start: bool = False
    rollback: bool = False
    failed_deployment_id: str | None = None
    failed_task_definition: str | None = None


@attrs.frozen(kw_only=True)
class Verdict:
    state: RolloutState
    message: str


#: Said wherever a deployment is judged by its task counts for want of a rolloutState.
CLASSIC_LOAD_BALANCER_NOTE = "rolloutState is not available behind a Classic Load Balancer"

# The rolloutStateReason of the deployment the circuit breaker rolls back to: "ECS deployment
# circuit breaker: rolling back to deploymentId ecs-svc/..." (deployment-circuit-breaker.html).
_ROLLBACK_REASON = "rolling back to deploymentid"


def short_td(arn: str | None) -> str:
    return arn_tail(arn)


def describe_deployments(service: LiveService) -> str:
    """One line that changes whenever the rollout moves: shown while waiting."""
    parts = []
    for d in service.deployments:
        part = f"{d.status} {short_td(d.task_definition)} running {d.running}/{d.desired}"
        if d.pending:
            part += f" pending {d.pending}"
        if d.failed:
            part += f" failed {d.failed}"
        if d.rollout_state:
            part += f" ({d.rollout_state})"
        parts.append(part)
    return "; ".join(parts) or "no deployments"


def behind_classic_load_balancer(service: LiveService) -> bool:
    """A `loadBalancers` entry names a Classic Load Balancer (`loadBalancerName`)."""
    balancers = service.description.get("loadBalancers") or []
    return any(isinstance(lb, dict) and lb.get("loadBalancerName") for lb in balancers)


def is_rollback(deployment: Deployment, service: LiveService) -> bool:
    """The deployment is one the circuit breaker rolls back to: PRIMARY and IN_PROGRESS again,
    with ECS's reason saying so, or older than a FAILED deployment beside it."""
    if not deployment.is_primary or deployment.rollout_state != "IN_PROGRESS":
        return False
    if _ROLLBACK_REASON in deployment.rollout_state_reason.lower():
        return True
    failed = _failed_beside(deployment, service)
    return bool(
        failed is not None
        and failed.created_at is not None
        and deployment.created_at is not None
        and deployment.created_at < failed.created_at
    )


def _failed_beside(deployment: Deployment, service: LiveService) -> Deployment | None:
    """The FAILED deployment a rollback to `deployment` leaves behind (the newest one)."""
    failed = [d for d in service.deployments if d.id != deployment.id and d.rollout_state == "FAILED"]
    failed.sort(key=lambda d: d.created_at.timestamp() if d.created_at else 0.0, reverse=True)
    return failed[0] if failed else None


def _name(deployment_id: str | None, task_definition: str | None) -> str:
    if deployment_id is None:
        return "the failed deployment"
    return f"deployment {deployment_id} ({short_td(task_definition)})"


def _steady_by_counts(ours: Deployment, service: LiveService) -> bool:
    """Success without a rolloutState: PRIMARY, everything running, nothing pending, the old
    deployments drained."""
    return ours.is_primary and ours.running == ours.desired and ours.pending == 0 and len(service.deployments) == 1


def _no_rollout_state_note(service: LiveService) -> str:
    if behind_classic_load_balancer(service):
        return CLASSIC_LOAD_BALANCER_NOTE
    return "ECS returned no rolloutState"


def judge(service: LiveService, expect: RolloutExpectation) -> Verdict:
    if expect.rollback:
        return _judge_rollback(service, expect)
    deployments = service.deployments
    primary = service.primary
    if expect.deployment_id is None:
        # No new deployment (an in-place change): wait for the PRIMARY to be steady.
        if primary is None:
            return Verdict(state=RolloutState.FAILED, message="the service has no PRIMARY deployment")
        if primary.rollout_state == "FAILED":
            return Verdict(state=RolloutState.FAILED, message=f"deployment {primary.id} failed: {primary.rollout_state_reason}")
        steady = primary.running == primary.desired and len(deployments) == 1
        if (primary.rollout_state or "COMPLETED") == "COMPLETED" and steady:
            return Verdict(state=RolloutState.SUCCEEDED, message="the service is steady")
        return Verdict(state=RolloutState.IN_PROGRESS, message=describe_deployments(service))

    ours = service.deployment(expect.deployment_id)
    now = short_td(primary.task_definition) if primary else "nothing"
    if ours is None:
        if primary is not None and _ROLLBACK_REASON in primary.rollout_state_reason.lower():
            return Verdict(
                state=RolloutState.FAILED,
                message=f"deployment {expect.deployment_id} is gone: the circuit breaker rolled back to {now} (deployment {primary.id})",
            )
        return Verdict(
            state=RolloutState.FAILED,
            message=f"deployment {expect.deployment_id} is gone and the service now runs {now}: it was rolled back or replaced",
        )
    if ours.rollout_state == "FAILED":
        reason = (ours.rollout_state_reason or "no reason given").rstrip(".")
        rolled_back = primary is not None and primary.id != ours.id
        tail = f"; ECS rolled back to {now} (deployment {primary.id})" if rolled_back and primary else ""
        return Verdict(state=RolloutState.FAILED, message=f"{_name(ours.id, ours.task_definition)} failed: {reason}{tail}")
    if not ours.is_primary:
        return Verdict(
            state=RolloutState.FAILED,
            message=f"deployment {ours.id} is no longer PRIMARY (now {ours.status}); the service runs {now}: rolled back or replaced",
        )
    if expect.task_definition_arn and ours.task_definition != expect.task_definition_arn:
        return Verdict(
            state=RolloutState.FAILED,
            message=f"deployment {ours.id} runs {short_td(ours.task_definition)}, not {short_td(expect.task_definition_arn)}",
        )
    if ours.rollout_state == "COMPLETED":
        return Verdict(state=RolloutState.SUCCEEDED, message=f"deployment {ours.id} completed: {short_td(ours.task_definition)} running {ours.running}/{ours.desired}")
    if ours.rollout_state is None and _steady_by_counts(ours, service):
        return Verdict(
            state=RolloutState.SUCCEEDED,
            message=f"deployment {ours.id} reached its desired count: {short_td(ours.task_definition)} running "
            f"{ours.running}/{ours.desired}, nothing pending, the old deployments drained ({_no_rollout_state_note(service)})",
        )
    return Verdict(state=RolloutState.IN_PROGRESS, message=describe_deployments(service))


def _judge_rollback(service: LiveService, expect: RolloutExpectation) -> Verdict:
    """A circuit-breaker rollback ends in a failure either way: the deployment that was wanted
    failed. Its end is said as a rollback, never as the success of a deployment."""
    ours = service.deployment(expect.deployment_id)
    failed = _name(expect.failed_deployment_id, expect.failed_task_definition)
    target = _name(expect.deployment_id, expect.task_definition_arn)
    primary = service.primary
    now = short_td(primary.task_definition) if primary else "nothing"
    if ours is None:
        return Verdict(state=RolloutState.FAILED, message=f"ECS's rollback to {target} is gone; the service now runs {now}")
    if ours.rollout_state == "FAILED":
        reason = (ours.rollout_state_reason or "no reason given").rstrip(".")
        return Verdict(state=RolloutState.FAILED, message=f"{failed} failed and ECS's rollback to {target} failed too: {reason}")
    if not ours.is_primary:
        return Verdict(
            state=RolloutState.FAILED,
            message=f"ECS's rollback to {target} was replaced (now {ours.status}); the service runs {now}",
        )
    done = ours.rollout_state == "COMPLETED" or (ours.rollout_state is None and _steady_by_counts(ours, service))
    if done:
        return Verdict(
            state=RolloutState.FAILED,
            message=f"{failed} failed; the circuit breaker rolled back to {target}: the rollback completed, "
            f"{short_td(ours.task_definition)} running {ours.running}/{ours.desired}",
        )
    return Verdict(state=RolloutState.IN_PROGRESS, message=describe_deployments(service))


def expectation_in_progress(service: LiveService) -> RolloutExpectation:
    """What `ecsplan wait` follows on a rolling service: the PRIMARY deployment and the task
    definition it runs; during a circuit-breaker rollback, the rollback (and what failed)."""
    primary = service.primary
    if primary is None:
        return RolloutExpectation(deployment_id=None, task_definition_arn=None, from_wait_start=True)
    if is_rollback(primary, service):
        failed = _failed_beside(primary, service)
        return RolloutExpectation(
            deployment_id=primary.id,
            task_definition_arn=primary.task_definition,
            from_wait_start=True,
            rollback=True,
            failed_deployment_id=failed.id if failed else None,
            failed_task_definition=failed.task_definition if failed else None,
        )
    return RolloutExpectation(deployment_id=primary.id, task_definition_arn=primary.task_definition, from_wait_start=True)


def what_is_awaited(expect: RolloutExpectation) -> str:
    """The waiter's first line: what it follows."""
    if expect.rollback:
        failed = _name(expect.failed_deployment_id, expect.failed_task_definition)
        target = _name(expect.deployment_id, expect.task_definition_arn)
        return f"ECS's circuit-breaker rollback (ECS is rolling back {failed} to {target}, PRIMARY again)"
    if expect.deployment_id:
        return f"deployment {expect.deployment_id}"
    return "the service to be steady"


def rollout_state_note(service: LiveService, expect: RolloutExpectation) -> str | None:
    """Said once while waiting when the deployment followed has no rolloutState."""
    ours = service.deployment(expect.deployment_id) if expect.deployment_id else service.primary
    if ours is None or ours.rollout_state is not None:
        return None
    return (
        f"{_no_rollout_state_note(service)}: deployment {ours.id} is judged by its task counts "
        "(PRIMARY, runs the new task definition, running == desired, nothing pending, the old deployments drained)"
    )


def rollback_in_progress(service: LiveService) -> Deployment | None:
    """The deployment ECS is rolling back to, while it does."""
    primary = service.primary
    return primary if primary is not None and is_rollback(primary, service) else None


# ---------------------------------------------------------------------------------------------
# What a timed-out wait saw of a failing rollout


@attrs.frozen(kw_only=True)
class CircuitBreaker:
    """The service's deploymentCircuitBreaker, with the threshold it applies now."""

    enabled: bool
    rollback: bool
    threshold: int
    rule: str  # how the threshold follows from the configuration, for messages


def circuit_breaker_threshold(desired_count: int, threshold_configuration: Mapping[str, Any]) -> int:
    """Consecutive failed tasks after which the circuit breaker fails a deployment.

    API_ThresholdConfiguration.html: by default BOUNDED_PERCENT 50, value% of the latest desired
    count clamped to 3..200 (the long-standing rule: max(3, min(200, ceil(desiredCount / 2)))),
    UNBOUNDED_PERCENT without the clamp, COUNT the value itself. Percentages round up.
    """
    kind = str(threshold_configuration.get("type") or "BOUNDED_PERCENT")
    value = int(threshold_configuration.get("value", 50))
    if kind == "COUNT":
        return max(value, 1)
    computed = -(-value * max(desired_count, 0) // 100)
    if kind == "UNBOUNDED_PERCENT":
        return max(computed, 1)
    return max(3, min(200, computed))


def circuit_breaker(service: LiveService) -> CircuitBreaker:
    configuration = service.description.get("deploymentConfiguration") or {}
    breaker = configuration.get("deploymentCircuitBreaker") or {}
    threshold_configuration = breaker.get("thresholdConfiguration") or {}
    desired = service.count("desiredCount")
    kind = str(threshold_configuration.get("type") or "BOUNDED_PERCENT")
    value = int(threshold_configuration.get("value", 50))
    rule = {
        "COUNT": f"thresholdConfiguration COUNT {value}",
        "UNBOUNDED_PERCENT": f"{value}% of desiredCount {desired}",
    }.get(kind, f"{value}% of desiredCount {desired}, at least 3, at most 200")
    return CircuitBreaker(
        enabled=bool(breaker.get("enable")),
        rollback=bool(breaker.get("rollback")),
        threshold=circuit_breaker_threshold(desired, threshold_configuration),
        rule=rule,
    )


# Service events that say why tasks fail: "(task ...) failed container health checks.",
# "(port 80) is unhealthy in (target-group ...)", "was unable to place a task", "(deployment
# ...) deployment failed: tasks failed to start." (developerguide/service-event-messages.html).
_FAILURE_WORDS = ("fail", "unhealthy", "unable", "error", "exited")
_TASK_ID = re.compile(r"\(task [0-9a-f]+\)")


def failure_events(messages: Sequence[str]) -> list[tuple[str, int]]:
    """The failure events among `messages` (oldest first), task ids masked, each with how many
    times it was seen, in the order first seen."""
    counts: dict[str, int] = {}
    for message in messages:
        if any(word in message.lower() for word in _FAILURE_WORDS):
            key = _TASK_ID.sub("(task ...)", message)
            counts[key] = counts.get(key, 0) + 1
    return list(counts.items())


def timeout_report(service: LiveService, expect: RolloutExpectation, messages: Sequence[str]) -> str:
    """What a wait that timed out saw of a failing rollout: the failed task count against the
    circuit breaker's threshold, the failure events seen, and what ECS may still do. Empty when
    nothing failed."""
    ours = service.deployment(expect.deployment_id) if expect.deployment_id else service.primary
    failures = failure_events(messages)
    if ours is None or (ours.failed == 0 and not failures):
        return ""
    breaker = circuit_breaker(service)
    name = _name(ours.id, ours.task_definition)
    if ours.rollout_state is None:
        head = (
            f"{name} is failing: {ours.failed} failed tasks; {_no_rollout_state_note(service)}, so ECS gives no "
            "circuit-breaker verdict: it retries until the tasks start. Fix the image and apply again, or `ecsplan rollback`"
        )
    elif not breaker.enabled:
        head = (
            f"{name} is failing: {ours.failed} failed tasks; the circuit breaker is off, so ECS retries for ever. "
            "Fix the image and apply again, or `ecsplan rollback`"
        )
    else:
        head = (
            f"{name} is failing: {ours.failed} of {breaker.threshold} failed tasks (the circuit breaker fails the "
            f"deployment at {breaker.threshold} consecutive failed tasks: {breaker.rule})"
        )
        previous = next((d for d in service.deployments if d.id != ours.id and d.rollout_state == "COMPLETED"), None)
        if breaker.rollback and previous is not None:
            head += f". ECS may still roll back to {short_td(previous.task_definition)} (deployment {previous.id})"
        elif breaker.rollback:
            head += ". ECS may still fail it (no COMPLETED deployment to roll back to)"
        else:
            head += ". ECS may still fail it (rollback is off: the old tasks keep serving)"
    lines = [head]
    if failures:
        lines.append("Failures seen:")
        lines.extend(f"  {count}x {message}" for message, count in failures[-8:])
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------
# CodeDeploy blue/green deployments

CODEDEPLOY_FAILED = ("Failed", "Stopped")


@attrs.frozen(kw_only=True)
class CodeDeployExpectation:
    """A CodeDeploy deployment apply created (or `ecsplan wait` found) and the task definition
    the service must run once it Succeeded (None when unknown); the deployment group (its waits
    make the default timeout: planner/codedeploy.py); `stopping`: apply asked CodeDeploy to stop
    it (StopDeployment answers Pending), so the wait is for the stop, then for the rollback
    deployment CodeDeploy starts, if any."""

    deployment_id: str
    task_definition_arn: str | None
    group: DeploymentGroupInfo | None = None
    stopping: bool = False


def describe_codedeploy(info: dict[str, Any]) -> str:
    # deploymentOverview counts targets; an ECS deployment has one, so the status says it all.
    return str(info.get("status"))


def judge_codedeploy(info: dict[str, Any], service_task_definition: str | None, expect: CodeDeployExpectation) -> Verdict:
    status = info.get("status")
    if status == "Succeeded":
        if expect.task_definition_arn and service_task_definition and service_task_definition != expect.task_definition_arn:
            return Verdict(
                state=RolloutState.FAILED,
                message=f"CodeDeploy deployment {expect.deployment_id} Succeeded but the service runs "
                f"{short_td(service_task_definition)}, not {short_td(expect.task_definition_arn)}",
            )
        return Verdict(state=RolloutState.SUCCEEDED, message=f"CodeDeploy deployment {expect.deployment_id} Succeeded")
    if status in CODEDEPLOY_FAILED:
        err = info.get("errorInformation") or {}
        reason = f"{err.get('code', 'no error code')}: {str(err.get('message', 'no message')).rstrip('.')}" if err else "no error information"
        rollback = info.get("rollbackInfo") or {}
        if rollback.get("rollbackDeploymentId"):
            tail = f"; CodeDeploy rolled back with deployment {rollback['rollbackDeploymentId']}"
            if rollback.get("rollbackMessage"):
                tail += f" ({rollback['rollbackMessage']})"
        else:
            tail = "; no automatic rollback (the service keeps serving the original task set unless traffic had shifted)"
        return Verdict(state=RolloutState.FAILED, message=f"CodeDeploy deployment {expect.deployment_id} {status}: {reason}{tail}")
    return Verdict(state=RolloutState.IN_PROGRESS, message=describe_codedeploy(info))


def stopped_task_line(task: dict[str, Any]) -> str:
    """One stopped task of a failed deployment (a DescribeTasks entry): why ECS stopped it and how
    each container ended (exitCode, reason: API_Task.html, API_Container.html)."""
    task_id = str(task.get("taskArn") or "?").rsplit("/", 1)[-1]
    why = task.get("stoppedReason") or task.get("stopCode") or "no stoppedReason"
    ended = []
    for c in task.get("containers") or []:
        parts = [f"exit code {c['exitCode']}"] if c.get("exitCode") is not None else []
        if c.get("reason"):
            parts.append(str(c["reason"]))
        if parts:
            ended.append(f"container {c.get('name') or '?'}: {', '.join(parts)}")
    return f"  task {task_id}: {why}" + (f"; {'; '.join(ended)}" if ended else "")
