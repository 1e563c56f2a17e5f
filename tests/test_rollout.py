"""Judging a rolling deployment: success only when OUR deployment is PRIMARY, runs the new task
definition and is COMPLETED. A circuit-breaker rollback leaves one steady deployment, which is
exactly what `services_stable` mistakes for success (kayac/ecspresso#732)."""

import pytest

from planner.model import LiveService
from planner.rollout import RolloutExpectation, RolloutState, judge

NEW = "arn:aws:ecs:us-east-1:123456789012:task-definition/web:5"
OLD = "arn:aws:ecs:us-east-1:123456789012:task-definition/web:4"
EXPECT = RolloutExpectation(deployment_id="ecs-svc/new", task_definition_arn=NEW)


def svc(deployments):
    return LiveService(arn="arn:svc", description={"deployments": deployments})


def dep(id_, status, td, state, running=2, desired=2, reason=""):
    return {"id": id_, "status": status, "taskDefinition": td, "rolloutState": state,
            "runningCount": running, "desiredCount": desired, "rolloutStateReason": reason}


@pytest.mark.parametrize(
    "name, deployments, state, words",
    [
        ("completed", [dep("ecs-svc/new", "PRIMARY", NEW, "COMPLETED")], RolloutState.SUCCEEDED, "completed"),
        ("in progress", [dep("ecs-svc/new", "PRIMARY", NEW, "IN_PROGRESS", running=1), dep("ecs-svc/old", "ACTIVE", OLD, "COMPLETED")],
         RolloutState.IN_PROGRESS, "PRIMARY web:5 running 1/2"),
        ("failed", [dep("ecs-svc/new", "PRIMARY", NEW, "FAILED", reason="tasks failed to start")], RolloutState.FAILED, "tasks failed to start"),
        ("rolled back: ours ACTIVE+FAILED, rollback PRIMARY",
         [dep("ecs-svc/rb", "PRIMARY", OLD, "IN_PROGRESS"), dep("ecs-svc/new", "ACTIVE", NEW, "FAILED", reason="circuit breaker")],
         RolloutState.FAILED, "rolled back to web:4"),
        ("rolled back and drained: one steady deployment on the OLD revision (services_stable says success)",
         [dep("ecs-svc/rb", "PRIMARY", OLD, "COMPLETED")], RolloutState.FAILED, "is gone and the service now runs web:4"),
        ("replaced by another deployment", [dep("ecs-svc/other", "PRIMARY", NEW, "IN_PROGRESS"), dep("ecs-svc/new", "ACTIVE", NEW, "IN_PROGRESS")],
         RolloutState.FAILED, "no longer PRIMARY"),
        ("ours is PRIMARY but runs another revision", [dep("ecs-svc/new", "PRIMARY", OLD, "COMPLETED")], RolloutState.FAILED, "runs web:4, not web:5"),
    ],
)
def test_judge(name, deployments, state, words):
    verdict = judge(svc(deployments), EXPECT)
    assert verdict.state is state, verdict
    assert words in verdict.message


def test_in_place_change_waits_for_a_steady_primary():
    expect = RolloutExpectation(deployment_id=None, task_definition_arn=None)
    assert judge(svc([dep("d", "PRIMARY", OLD, "COMPLETED", running=1, desired=3)]), expect).state is RolloutState.IN_PROGRESS
    assert judge(svc([dep("d", "PRIMARY", OLD, "COMPLETED", running=3, desired=3)]), expect).state is RolloutState.SUCCEEDED
