"""planner/native.py on pure values: what AWS refuses, what the plan explains, how a service
deployment is judged; and the normalize rules for native blue/green. No AWS."""

from __future__ import annotations

import pytest

from planner.errors import ConfigError
from planner.model import ServiceDeploymentInfo
from planner.native import ServiceDeploymentExpectation, explain, judge, problems, validate
from planner.normalize import canonical_service
from planner.rollout import RolloutState

BLUE = "arn:aws:elasticloadbalancing:us-east-1:1:targetgroup/blue/1"
GREEN = "arn:aws:elasticloadbalancing:us-east-1:1:targetgroup/green/2"
RULE = "arn:aws:elasticloadbalancing:us-east-1:1:listener-rule/app/x/y/z"
HOOK = {"hookTargetArn": "arn:aws:lambda:us-east-1:1:function:Check", "lifecycleStages": ["POST_TEST_TRAFFIC_SHIFT"]}


def lb(**advanced):
    return {"targetGroupArn": BLUE, "containerName": "web", "containerPort": 80, "advancedConfiguration": advanced}


def sd(strategy="BLUE_GREEN", balancers=None, controller="ECS", **configuration):
    out = {"deploymentController": {"type": controller}, "deploymentConfiguration": {"strategy": strategy, **configuration}}
    out["loadBalancers"] = balancers if balancers is not None else [lb(alternateTargetGroupArn=GREEN, productionListenerRule=RULE)]
    return out


@pytest.mark.parametrize(
    ("definition", "paths"),
    [
        (sd(), []),
        (sd(lifecycleHooks=[HOOK], bakeTimeInMinutes=5), []),
        (sd(balancers=[lb()]), ["loadBalancers[web:80].advancedConfiguration.alternateTargetGroupArn"]),
        (sd(balancers=[lb(alternateTargetGroupArn=BLUE, productionListenerRule=RULE)]), ["loadBalancers[web:80].advancedConfiguration.alternateTargetGroupArn"]),
        (sd(balancers=[lb(alternateTargetGroupArn=GREEN)]), ["loadBalancers[web:80].advancedConfiguration.productionListenerRule"]),
        (sd("CANARY", canaryConfiguration={"canaryPercent": 0.0}), ["deploymentConfiguration.canaryConfiguration.canaryPercent"]),
        (sd("CANARY", canaryConfiguration={"canaryPercent": 100.1}), ["deploymentConfiguration.canaryConfiguration.canaryPercent"]),
        (sd("CANARY", canaryConfiguration={"canaryPercent": 10.05}), ["deploymentConfiguration.canaryConfiguration.canaryPercent"]),
        (sd("CANARY", canaryConfiguration={"canaryPercent": 0.1, "canaryBakeTimeInMinutes": 1441}), ["deploymentConfiguration.canaryConfiguration.canaryBakeTimeInMinutes"]),
        (sd("LINEAR", linearConfiguration={"stepPercent": 2.9}), ["deploymentConfiguration.linearConfiguration.stepPercent"]),
        (sd("BLUE_GREEN", linearConfiguration={"stepPercent": 10.0}), ["deploymentConfiguration.linearConfiguration"]),
        (sd(lifecycleHooks=[dict(HOOK, lifecycleStages=["BAKE_TIME"])]), ["deploymentConfiguration.lifecycleHooks[0].lifecycleStages"]),
        (sd("ROLLING", balancers=[], lifecycleHooks=[HOOK]), ["deploymentConfiguration.lifecycleHooks[0]"]),
        (sd(controller="CODE_DEPLOY", balancers=[]), ["deploymentConfiguration.strategy"]),
        (sd("PURPLE"), ["deploymentConfiguration.strategy"]),
        (sd(bakeTimeInMinutes=-1), ["deploymentConfiguration.bakeTimeInMinutes"]),
    ],
)
def test_what_aws_refuses_is_found_by_key(definition, paths):
    assert [p for p, _ in problems(definition)] == paths


def test_validate_names_the_file_and_the_key():
    with pytest.raises(ConfigError) as excinfo:
        validate(sd(balancers=[lb()]), source="svc.json")
    assert str(excinfo.value).startswith("svc.json: loadBalancers[web:80].advancedConfiguration.alternateTargetGroupArn: ")


@pytest.mark.parametrize(
    ("configuration", "first"),
    [
        ({"strategy": "BLUE_GREEN", "bakeTimeInMinutes": 5}, "then production traffic 100% at once; bake time 5m"),
        ({"strategy": "LINEAR", "linearConfiguration": {"stepPercent": 25.0, "stepBakeTimeInMinutes": 2}},
         "production traffic 25%, 50%, 75%, 100% (2m between steps); bake time 0m"),
        ({"strategy": "LINEAR"}, "production traffic 10%, 20%, 30%, 40%, 50%, 60%, 70%, 80%, 90%, 100% (6m between steps)"),
        ({"strategy": "LINEAR", "linearConfiguration": {"stepPercent": 40.0}}, "production traffic 40%, 80%, 100%"),
        ({"strategy": "CANARY"}, "production traffic 5% for 10m, then 100%"),
        ({"strategy": "ROLLING"}, "strategy ROLLING: tasks replaced in place"),
    ],
)
def test_the_plan_explains_traffic_steps_and_bake_time(configuration, first):
    assert first in explain(configuration)[0]


def test_hooks_are_explained_by_function_and_stage():
    assert explain({"strategy": "BLUE_GREEN", "lifecycleHooks": [HOOK]})[1] == "hook Check at POST_TEST_TRAFFIC_SHIFT"


def info(status, **extra):
    raw = {"serviceDeploymentArn": "arn:aws:ecs:us-east-1:1:service-deployment/c/s/abc", "status": status,
           "targetServiceRevision": {"arn": "rev-2"}, "sourceServiceRevisions": [{"arn": "rev-1"}], **extra}
    return ServiceDeploymentInfo.from_api(raw, {"rev-2": "arn:aws:ecs:us-east-1:1:task-definition/web:2", "rev-1": "arn:aws:ecs:us-east-1:1:task-definition/web:1"})


WANT = ServiceDeploymentExpectation(arn="x", task_definition_arn="arn:aws:ecs:us-east-1:1:task-definition/web:2")
STOP = ServiceDeploymentExpectation(arn="x", task_definition_arn=None, stopping=True)


@pytest.mark.parametrize(
    ("deployment", "expect", "state", "words"),
    [
        (info("IN_PROGRESS", lifecycleStage="BAKE_TIME"), WANT, RolloutState.IN_PROGRESS, "stage BAKE_TIME"),
        (info("PENDING"), WANT, RolloutState.IN_PROGRESS, "PENDING"),
        (info("SUCCESSFUL", deploymentConfiguration={"bakeTimeInMinutes": 5}), WANT, RolloutState.SUCCEEDED, "web:2 serves all production traffic, bake time 5m over"),
        (info("SUCCESSFUL"), ServiceDeploymentExpectation(arn="x", task_definition_arn="arn:aws:ecs:us-east-1:1:task-definition/web:3"),
         RolloutState.FAILED, "runs web:2, not web:3"),
        (info("ROLLBACK_IN_PROGRESS", rollback={"reason": "circuit breaker tripped"}), WANT, RolloutState.FAILED,
         "(web:2) failed: circuit breaker tripped; ECS is rolling back"),
        (info("ROLLBACK_SUCCESSFUL", statusReason="hook said no",
              lifecycleHookDetails=[{"hookId": "h", "targetArn": "arn:aws:lambda:us-east-1:1:function:Gate", "status": "FAILED"}]),
         WANT, RolloutState.FAILED, "hook said no (lifecycle hook Gate FAILED); ECS rolled back to the previous revision"),
        (info("STOPPED", statusReason="aborted"), WANT, RolloutState.FAILED, "STOPPED: aborted"),
        (info("ROLLBACK_REQUESTED"), STOP, RolloutState.IN_PROGRESS, "ROLLBACK_REQUESTED"),
        (info("ROLLBACK_SUCCESSFUL", statusReason="stopped"), STOP, RolloutState.SUCCEEDED, "rolled back: stopped"),
        (info("SUCCESSFUL"), STOP, RolloutState.FAILED, "completed before the stop took effect"),
    ],
)
def test_a_service_deployment_is_judged(deployment, expect, state, words):
    verdict = judge(deployment, expect)
    assert verdict.state is state and words in verdict.message


def test_swapped_target_groups_and_reordered_hooks_are_no_change():
    ours = {"loadBalancers": [lb(alternateTargetGroupArn=GREEN, productionListenerRule=RULE)],
            "deploymentConfiguration": {"strategy": "BLUE_GREEN", "lifecycleHooks": [HOOK, dict(HOOK, hookTargetArn="arn:aws:lambda:us-east-1:1:function:B")]}}
    live = {"loadBalancers": [dict(lb(alternateTargetGroupArn=BLUE, productionListenerRule=RULE), targetGroupArn=GREEN)],
            "deploymentConfiguration": {"strategy": "BLUE_GREEN", "lifecycleHooks": [dict(HOOK, hookTargetArn="arn:aws:lambda:us-east-1:1:function:B", targetType="AWS_LAMBDA"), HOOK]}}
    assert canonical_service(ours) == canonical_service(live)
