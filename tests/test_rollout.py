"""Judging a rolling deployment: success only when OUR deployment is PRIMARY, runs the new task
definition and is COMPLETED. A circuit-breaker rollback leaves one steady deployment, which is
exactly what `services_stable` mistakes for success (kayac/ecspresso#732)."""

import datetime as dt

import pytest

from planner.model import LiveService
from planner.rollout import (
    CLASSIC_LOAD_BALANCER_NOTE,
    RolloutExpectation,
    RolloutState,
    circuit_breaker_threshold,
    expectation_in_progress,
    failure_events,
    judge,
    rollout_state_note,
    timeout_report,
)

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


# ---- AWS as it really is: slow failures, the rollback's shape, no rolloutState behind a CLB ----

T0 = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
ROLLBACK_REASON = "ECS deployment circuit breaker: rolling back to deploymentId ecs-svc/old."
CLASSIC = [{"loadBalancerName": "web-clb", "containerName": "web", "containerPort": 80}]
BREAKER_ROLLBACK = {"deploymentCircuitBreaker": {"enable": True, "rollback": True}}


def service(deployments, **description):
    return LiveService(arn="arn:svc", description={"deployments": deployments, **description})


def deployment(id_, status, td, state, *, running=2, desired=2, pending=0, failed=0, reason="", minutes=0):
    d = {"id": id_, "status": status, "taskDefinition": td, "runningCount": running, "desiredCount": desired,
         "pendingCount": pending, "failedTasks": failed, "createdAt": T0 + dt.timedelta(minutes=minutes)}
    if state is not None:  # behind a Classic Load Balancer ECS returns neither
        d.update(rolloutState=state, rolloutStateReason=reason)
    return d


# The AWS shape: the last COMPLETED deployment (older) is PRIMARY and IN_PROGRESS again.
ROLLING_BACK = [
    deployment("ecs-svc/old", "PRIMARY", OLD, "IN_PROGRESS", reason=ROLLBACK_REASON),
    deployment("ecs-svc/new", "ACTIVE", NEW, "FAILED", running=0, failed=3,
               reason="ECS deployment circuit breaker: tasks failed to start.", minutes=5),
]
ROLLBACK = RolloutExpectation(deployment_id="ecs-svc/old", task_definition_arn=OLD, from_wait_start=True, rollback=True,
                              failed_deployment_id="ecs-svc/new", failed_task_definition=NEW)


@pytest.mark.parametrize(
    "name, deployments, description, state, words",
    [
        ("AWS rollback shape: ours FAILED, the old deployment PRIMARY again", ROLLING_BACK, {}, RolloutState.FAILED,
         "deployment ecs-svc/new (web:5) failed: ECS deployment circuit breaker: tasks failed to start; "
         "ECS rolled back to web:4 (deployment ecs-svc/old)"),
        ("ours passing through DRAINING while FAILED",
         [ROLLING_BACK[0], {**ROLLING_BACK[1], "status": "DRAINING"}], {}, RolloutState.FAILED,
         "deployment ecs-svc/new (web:5) failed"),
        ("ours gone, the PRIMARY says it is a rollback", ROLLING_BACK[:1], {}, RolloutState.FAILED,
         "deployment ecs-svc/new is gone: the circuit breaker rolled back to web:4 (deployment ecs-svc/old)"),
        ("failing, not yet at the threshold",
         [deployment("ecs-svc/new", "PRIMARY", NEW, "IN_PROGRESS", running=0, failed=2, minutes=5),
          deployment("ecs-svc/old", "ACTIVE", OLD, "COMPLETED")], {}, RolloutState.IN_PROGRESS, "failed 2"),
        ("CLB: no rolloutState, old deployment still there",
         [deployment("ecs-svc/new", "PRIMARY", NEW, None), deployment("ecs-svc/old", "ACTIVE", OLD, None, running=1)],
         {"loadBalancers": CLASSIC}, RolloutState.IN_PROGRESS, "PRIMARY web:5 running 2/2"),
        ("CLB: no rolloutState, tasks pending",
         [deployment("ecs-svc/new", "PRIMARY", NEW, None, running=1, pending=1)],
         {"loadBalancers": CLASSIC}, RolloutState.IN_PROGRESS, "pending 1"),
        ("CLB: no rolloutState, steady: judged by counts",
         [deployment("ecs-svc/new", "PRIMARY", NEW, None)], {"loadBalancers": CLASSIC}, RolloutState.SUCCEEDED,
         f"deployment ecs-svc/new reached its desired count: web:5 running 2/2, nothing pending, the old "
         f"deployments drained ({CLASSIC_LOAD_BALANCER_NOTE})"),
        ("CLB: steady on the wrong revision", [deployment("ecs-svc/new", "PRIMARY", OLD, None)],
         {"loadBalancers": CLASSIC}, RolloutState.FAILED, "runs web:4, not web:5"),
        ("CLB: ours replaced", [deployment("ecs-svc/other", "PRIMARY", NEW, None), deployment("ecs-svc/new", "ACTIVE", NEW, None)],
         {"loadBalancers": CLASSIC}, RolloutState.FAILED, "no longer PRIMARY"),
    ],
)
def test_judge_as_aws_runs_it(name, deployments, description, state, words):
    verdict = judge(service(deployments, **description), EXPECT)
    assert verdict.state is state, verdict
    assert words in verdict.message


@pytest.mark.parametrize(
    "name, deployments, state, words",
    [
        ("rolling back", ROLLING_BACK, RolloutState.IN_PROGRESS, "PRIMARY web:4 running 2/2 (IN_PROGRESS)"),
        ("rollback completed: a failure, said as a rollback", [deployment("ecs-svc/old", "PRIMARY", OLD, "COMPLETED")],
         RolloutState.FAILED, "deployment ecs-svc/new (web:5) failed; the circuit breaker rolled back to deployment "
         "ecs-svc/old (web:4): the rollback completed, web:4 running 2/2"),
        ("rollback completed behind a CLB (counts)", [deployment("ecs-svc/old", "PRIMARY", OLD, None)],
         RolloutState.FAILED, "the rollback completed"),
        ("the rollback failed too", [deployment("ecs-svc/old", "PRIMARY", OLD, "FAILED", reason="tasks failed to start.")],
         RolloutState.FAILED, "ECS's rollback to deployment ecs-svc/old (web:4) failed too: tasks failed to start"),
        ("the rollback replaced", [deployment("ecs-svc/x", "PRIMARY", NEW, "IN_PROGRESS", minutes=9),
                                   deployment("ecs-svc/old", "ACTIVE", OLD, "IN_PROGRESS")],
         RolloutState.FAILED, "was replaced (now ACTIVE)"),
        ("the rollback gone", [deployment("ecs-svc/x", "PRIMARY", NEW, "IN_PROGRESS", minutes=9)],
         RolloutState.FAILED, "ECS's rollback to deployment ecs-svc/old (web:4) is gone; the service now runs web:5"),
    ],
)
def test_judge_a_rollback_wait_follows(name, deployments, state, words):
    verdict = judge(service(deployments), ROLLBACK)
    assert verdict.state is state, verdict
    assert words in verdict.message
    assert "completed:" not in verdict.message  # never the success of a deployment


@pytest.mark.parametrize(
    "name, deployments, expected",
    [
        ("rollback, by ECS's reason", ROLLING_BACK, ROLLBACK),
        ("rollback, by age: the PRIMARY is older than the FAILED one beside it",
         [{**ROLLING_BACK[0], "rolloutStateReason": ""}, ROLLING_BACK[1]], ROLLBACK),
        ("rollback whose failed deployment is gone", ROLLING_BACK[:1],
         RolloutExpectation(deployment_id="ecs-svc/old", task_definition_arn=OLD, from_wait_start=True, rollback=True)),
        ("a new deployment after a FAILED one (breaker without rollback) is no rollback",
         [deployment("ecs-svc/next", "PRIMARY", NEW, "IN_PROGRESS", minutes=9),
          deployment("ecs-svc/new", "ACTIVE", NEW, "FAILED", minutes=5)],
         RolloutExpectation(deployment_id="ecs-svc/next", task_definition_arn=NEW, from_wait_start=True)),
        ("a plain rollout", [deployment("ecs-svc/new", "PRIMARY", NEW, "IN_PROGRESS", minutes=5),
                             deployment("ecs-svc/old", "ACTIVE", OLD, "COMPLETED")],
         RolloutExpectation(deployment_id="ecs-svc/new", task_definition_arn=NEW, from_wait_start=True)),
        ("nothing", [], RolloutExpectation(deployment_id=None, task_definition_arn=None, from_wait_start=True)),
    ],
)
def test_what_ecsplan_wait_follows(name, deployments, expected):
    assert expectation_in_progress(service(deployments)) == expected


@pytest.mark.parametrize(
    "desired, configuration, threshold",
    [
        (0, {}, 3), (1, {}, 3), (2, {}, 3), (6, {}, 3), (7, {}, 4), (10, {}, 5), (399, {}, 200), (1000, {}, 200),
        (10, {"type": "BOUNDED_PERCENT", "value": 20}, 3),
        (1000, {"type": "UNBOUNDED_PERCENT", "value": 50}, 500),
        (10, {"type": "COUNT", "value": 7}, 7),
    ],
)
def test_circuit_breaker_threshold(desired, configuration, threshold):
    assert circuit_breaker_threshold(desired, configuration) == threshold


FAILING = [
    deployment("ecs-svc/new", "PRIMARY", NEW, "IN_PROGRESS", running=0, desired=10, pending=1, failed=1, minutes=5),
    deployment("ecs-svc/old", "ACTIVE", OLD, "COMPLETED", running=10, desired=10),
]
SEEN = [
    "(service web) has started 1 tasks: (task 0a58).",
    "(service web) (task 0a58) failed container health checks.",
    "(service web) has started 1 tasks: (task e997).",
    "(service web) (task e997) failed container health checks.",
    "(service web) (port 80) is unhealthy in (target-group arn:tg) due to (reason Health checks failed).",
]


@pytest.mark.parametrize(
    "name, deployments, description, words",
    [
        ("circuit breaker with rollback", FAILING, {"deploymentConfiguration": BREAKER_ROLLBACK},
         ["deployment ecs-svc/new (web:5) is failing: 1 of 5 failed tasks",
          "the circuit breaker fails the deployment at 5 consecutive failed tasks: 50% of desiredCount 10, at least 3, at most 200",
          "ECS may still roll back to web:4 (deployment ecs-svc/old)",
          "Failures seen:\n  2x (service web) (task ...) failed container health checks.\n  1x (service web) (port 80) is unhealthy"]),
        ("a COUNT threshold", FAILING,
         {"deploymentConfiguration": {"deploymentCircuitBreaker": {
             "enable": True, "rollback": True, "thresholdConfiguration": {"type": "COUNT", "value": 7}}}},
         ["1 of 7 failed tasks", "thresholdConfiguration COUNT 7"]),
        ("circuit breaker without rollback", FAILING,
         {"deploymentConfiguration": {"deploymentCircuitBreaker": {"enable": True, "rollback": False}}},
         ["1 of 5 failed tasks", "ECS may still fail it (rollback is off"]),
        ("nothing to roll back to", FAILING[:1], {"deploymentConfiguration": BREAKER_ROLLBACK},
         ["ECS may still fail it (no COMPLETED deployment to roll back to)"]),
        ("no circuit breaker", FAILING, {"deploymentConfiguration": {"deploymentCircuitBreaker": {"enable": False}}},
         ["1 failed tasks; the circuit breaker is off, so ECS retries for ever", "`ecsplan rollback`"]),
        ("behind a CLB", [deployment("ecs-svc/new", "PRIMARY", NEW, None, running=0, failed=4)],
         {"loadBalancers": CLASSIC, "deploymentConfiguration": BREAKER_ROLLBACK},
         [f"4 failed tasks; {CLASSIC_LOAD_BALANCER_NOTE}, so ECS gives no circuit-breaker verdict"]),
    ],
)
def test_timeout_report_says_what_it_saw(name, deployments, description, words):
    report = timeout_report(service(deployments, desiredCount=10, **description), EXPECT, SEEN)
    for word in words:
        assert word in report, report


def test_timeout_report_is_empty_when_nothing_failed():
    healthy = [deployment("ecs-svc/new", "PRIMARY", NEW, "IN_PROGRESS", running=1), deployment("ecs-svc/old", "ACTIVE", OLD, "COMPLETED")]
    assert timeout_report(service(healthy), EXPECT, ["(service web) has started 1 tasks: (task 0a58)."]) == ""


def test_failure_events_mask_task_ids_and_count():
    assert failure_events(SEEN + ["(service web) has reached a steady state."]) == [
        ("(service web) (task ...) failed container health checks.", 2),
        ("(service web) (port 80) is unhealthy in (target-group arn:tg) due to (reason Health checks failed).", 1),
    ]


def test_rollout_state_note_only_without_a_rollout_state():
    clb = service([deployment("ecs-svc/new", "PRIMARY", NEW, None)], loadBalancers=CLASSIC)
    note = rollout_state_note(clb, EXPECT)
    assert note is not None and note.startswith(CLASSIC_LOAD_BALANCER_NOTE) and "judged by its task counts" in note
    assert rollout_state_note(service([deployment("ecs-svc/new", "PRIMARY", NEW, "IN_PROGRESS")]), EXPECT) is None
    other = rollout_state_note(service([deployment("ecs-svc/new", "PRIMARY", NEW, None)]), EXPECT)
    assert other is not None and other.startswith("ECS returned no rolloutState")
