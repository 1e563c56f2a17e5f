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
    return (arn or "?").rsplit("/", 1)[-1]


def describe_deployments(service: dict[str, Any]) -> str:
    """One line that changes whenever the rollout moves: shown while waiting."""
    parts = []
    for d in service.get("deployments") or []:
        part = f"{d.get('status')} {short_td(d.get('taskDefinition'))} running {d.get('runningCount', 0)}/{d.get('desiredCount', 0)}"
        if d.get("pendingCount"):
            part += f" pending {d['pendingCount']}"
        if d.get("failedTasks"):
            part += f" failed {d['failedTasks']}"
        if d.get("rolloutState"):
            part += f" ({d['rolloutState']})"
        parts.append(part)
    return "; ".join(parts) or "no deployments"


def judge(service: dict[str, Any], expect: RolloutExpectation) -> Verdict:
    deployments = service.get("deployments") or []
    primary = next((d for d in deployments if d.get("status") == "PRIMARY"), None)
    if expect.deployment_id is None:
        # No new deployment (an in-place change): wait for the PRIMARY to be steady.
        if primary is None:
            return Verdict(state=RolloutState.FAILED, message="the service has no PRIMARY deployment")
        if primary.get("rolloutState") == "FAILED":
            return Verdict(state=RolloutState.FAILED, message=f"deployment {primary.get('id')} failed: {primary.get('rolloutStateReason', '')}")
        steady = primary.get("runningCount") == primary.get("desiredCount") and len(deployments) == 1
        if primary.get("rolloutState", "COMPLETED") == "COMPLETED" and steady:
            return Verdict(state=RolloutState.SUCCEEDED, message="the service is steady")
        return Verdict(state=RolloutState.IN_PROGRESS, message=describe_deployments(service))

    ours = next((d for d in deployments if d.get("id") == expect.deployment_id), None)
    if ours is None:
        now = short_td(primary.get("taskDefinition")) if primary else "nothing"
        return Verdict(
            state=RolloutState.FAILED,
            message=f"deployment {expect.deployment_id} is gone and the service now runs {now}: it was rolled back or replaced",
        )
    if ours.get("rolloutState") == "FAILED":
        reason = (ours.get("rolloutStateReason") or "no reason given").rstrip(".")
        rolled_back = primary is not None and primary.get("id") != ours.get("id")
        tail = f"; ECS rolled back to {short_td(primary.get('taskDefinition'))} (deployment {primary.get('id')})" if rolled_back and primary else ""
        return Verdict(state=RolloutState.FAILED, message=f"deployment {ours.get('id')} failed: {reason}{tail}")
    if ours.get("status") != "PRIMARY":
        now = short_td(primary.get("taskDefinition")) if primary else "nothing"
        return Verdict(
            state=RolloutState.FAILED,
            message=f"deployment {ours.get('id')} is no longer PRIMARY (now {ours.get('status')}); the service runs {now}: rolled back or replaced",
        )
    if expect.task_definition_arn and ours.get("taskDefinition") != expect.task_definition_arn:
        return Verdict(
            state=RolloutState.FAILED,
            message=f"deployment {ours.get('id')} runs {short_td(ours.get('taskDefinition'))}, not {short_td(expect.task_definition_arn)}",
        )
    if ours.get("rolloutState") == "COMPLETED":
        return Verdict(state=RolloutState.SUCCEEDED, message=f"deployment {ours.get('id')} completed: {short_td(ours.get('taskDefinition'))} running {ours.get('runningCount')}/{ours.get('desiredCount')}")
    return Verdict(state=RolloutState.IN_PROGRESS, message=describe_deployments(service))


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
