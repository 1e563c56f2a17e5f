"""Judging a rolling deployment from DescribeServices output. Pure.

The `services_stable` waiter reports success after a circuit-breaker rollback too: one
deployment, running == desired (kayac/ecspresso#732, fabfuel/ecs-deploy#185,
aws-actions/amazon-ecs-deploy-task-definition#191). We instead follow the deployment this apply
created: it must be PRIMARY, run the new task definition, and reach rolloutState COMPLETED.
"""

from __future__ import annotations

import enum
from typing import Any

import attrs

from planner.model import LiveService, arn_tail


class RolloutState(enum.Enum):
    IN_PROGRESS = "in_progress"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


@attrs.frozen(kw_only=True)
class RolloutExpectation:
    """What apply started: the deployment id UpdateService/CreateService returned as PRIMARY (None
    when the update started no deployment) and the task definition it must run."""

    deployment_id: str | None
    task_definition_arn: str | None


@attrs.frozen(kw_only=True)
class Verdict:
    state: RolloutState
    message: str


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


def judge(service: LiveService, expect: RolloutExpectation) -> Verdict:
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
        return Verdict(
            state=RolloutState.FAILED,
            message=f"deployment {expect.deployment_id} is gone and the service now runs {now}: it was rolled back or replaced",
        )
    if ours.rollout_state == "FAILED":
        reason = (ours.rollout_state_reason or "no reason given").rstrip(".")
        rolled_back = primary is not None and primary.id != ours.id
        tail = f"; ECS rolled back to {now} (deployment {primary.id})" if rolled_back and primary else ""
        return Verdict(state=RolloutState.FAILED, message=f"deployment {ours.id} failed: {reason}{tail}")
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
    return Verdict(state=RolloutState.IN_PROGRESS, message=describe_deployments(service))


def expectation_in_progress(service: LiveService) -> RolloutExpectation:
    """What `ecsplan wait` follows on a rolling service: the PRIMARY deployment and the task
    definition it runs."""
    primary = service.primary
    return RolloutExpectation(deployment_id=primary.id if primary else None, task_definition_arn=primary.task_definition if primary else None)


# ---------------------------------------------------------------------------------------------
# CodeDeploy blue/green deployments

CODEDEPLOY_FAILED = ("Failed", "Stopped")


@attrs.frozen(kw_only=True)
class CodeDeployExpectation:
    """A CodeDeploy deployment apply created (or `ecsplan wait` found) and the task definition
    the service must run once it Succeeded (None when unknown)."""

    deployment_id: str
    task_definition_arn: str | None


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
        reason = f"{err.get('code', 'no error code')}: {err.get('message', 'no message')}" if err else "no error information"
        rollback = info.get("rollbackInfo") or {}
        if rollback.get("rollbackDeploymentId"):
            tail = f"; CodeDeploy rolled back with deployment {rollback['rollbackDeploymentId']}"
            if rollback.get("rollbackMessage"):
                tail += f" ({rollback['rollbackMessage']})"
        else:
            tail = "; no automatic rollback (the service keeps serving the original task set unless traffic had shifted)"
        return Verdict(state=RolloutState.FAILED, message=f"CodeDeploy deployment {expect.deployment_id} {status}: {reason}{tail}")
    return Verdict(state=RolloutState.IN_PROGRESS, message=describe_codedeploy(info))
