"""CodeDeploy, pure (planner/codedeploy.py and the executor's check): the default wait from the
deployment group and its deployment config, bounded as `aws ecs deploy` bounds it; what is shown
while waiting; the verdicts for --wait-until and for an asynchronous StopDeployment; discovery
that matches a group naming its service by ARN; a plan that would send UpdateService what ECS
refuses on a CODE_DEPLOY service. Table tests, no AWS."""

from __future__ import annotations

import datetime as dt
from typing import Any

import attrs
import pytest

from planner.actions import TaskDefinitionRef, UpdateService
from planner.build import build_plan
from planner.codedeploy import (
    MAX_WAIT_MINUTES,
    MIN_WAIT_MINUTES,
    PREDEFINED_ECS_CONFIGS,
    RoutingType,
    TrafficRouting,
    WaitUntil,
    check_wait_until,
    continue_command,
    describe_status,
    describe_traffic,
    judge_deployment,
    judge_stop,
    predefined_routing,
    termination_note,
    traffic_shifted,
    wait_budget,
)
from planner.errors import PlanError, UsageError
from planner.execute import apply_plan
from planner.model import DeploymentGroupInfo, PlanOptions, ServiceRef
from planner.rollout import CodeDeployExpectation, RolloutState
from providers.codedeploy import _serves
from tests.factories import CD_SERVICE, REF, cd_live, desired, with_image
from tests.fakes import FakeApplier, FakeReader, FakeWaiter

NOW = dt.datetime(2025, 5, 1, 12, 0, tzinfo=dt.timezone.utc)
TD1 = "arn:aws:ecs:us-east-1:123456789012:task-definition/web:1"
TD2 = "arn:aws:ecs:us-east-1:123456789012:task-definition/web:2"


def group(*, ready: str | None = "CONTINUE_DEPLOYMENT", ready_wait: int = 0, termination: int = 0, config: str | None = None) -> DeploymentGroupInfo:
    return DeploymentGroupInfo(
        application="AppECS-prod-web",
        group="DgpECS-prod-web",
        deployment_config=config,
        ready_action=ready,
        ready_wait_minutes=ready_wait,
        termination_wait_minutes=termination,
    )


CANARY_5 = PREDEFINED_ECS_CONFIGS["CodeDeployDefault.ECSCanary10Percent5Minutes"]


# ---- the traffic routing of deployment configs ------------------------------------------------


@pytest.mark.parametrize(
    ("config", "routing", "minutes"),
    [
        (None, TrafficRouting(), 0),
        ({"type": "AllAtOnce"}, TrafficRouting(), 0),
        ({"type": "TimeBasedCanary", "timeBasedCanary": {"canaryPercentage": 10, "canaryInterval": 15}},
         TrafficRouting(type=RoutingType.CANARY, percentage=10, interval_minutes=15), 15),
        ({"type": "TimeBasedLinear", "timeBasedLinear": {"linearPercentage": 10, "linearInterval": 3}},
         TrafficRouting(type=RoutingType.LINEAR, percentage=10, interval_minutes=3), 27),
        ({"type": "TimeBasedLinear", "timeBasedLinear": {"linearPercentage": 30, "linearInterval": 2}},
         TrafficRouting(type=RoutingType.LINEAR, percentage=30, interval_minutes=2), 6),  # 30, 60, 90, 100
    ],
    ids=["none", "all-at-once", "canary", "linear", "linear-uneven"],
)
def test_traffic_routing_from_the_api_and_its_shifting_time(config: Any, routing: TrafficRouting, minutes: int) -> None:
    assert TrafficRouting.from_api(config) == routing
    assert routing.shifting_minutes == minutes


@pytest.mark.parametrize(
    ("name", "minutes"),
    [
        (None, 0),
        ("CodeDeployDefault.ECSAllAtOnce", 0),
        ("CodeDeployDefault.ECSCanary10Percent5Minutes", 5),
        ("CodeDeployDefault.ECSCanary10Percent15Minutes", 15),
        ("CodeDeployDefault.ECSLinear10PercentEvery1Minutes", 9),
        ("CodeDeployDefault.ECSLinear10PercentEvery3Minutes", 27),
        ("MyCustomConfig", None),
    ],
)
def test_predefined_configs_need_no_read(name: str | None, minutes: int | None) -> None:
    routing = predefined_routing(name)
    assert (routing.shifting_minutes if routing is not None else None) == minutes


# ---- the default wait -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("info", "routing", "minutes", "explained"),
    [
        (group(), TrafficRouting(), MIN_WAIT_MINUTES, "termination wait 0m + 10m margin, at least 30m"),
        (group(ready="STOP_DEPLOYMENT", ready_wait=60, termination=5, config="CodeDeployDefault.ECSCanary10Percent5Minutes"), CANARY_5, 80,
         "ready wait 60m + traffic shifting 5m (CodeDeployDefault.ECSCanary10Percent5Minutes) + termination wait 5m + 10m margin"),
        # waitTimeInMinutes "applies only to the STOP_DEPLOYMENT option": CONTINUE_DEPLOYMENT reroutes at once.
        (group(ready="CONTINUE_DEPLOYMENT", ready_wait=60, termination=30), TrafficRouting(), 40, "termination wait 30m + 10m margin"),
        (group(ready="STOP_DEPLOYMENT", ready_wait=2880, termination=60), TrafficRouting(), MAX_WAIT_MINUTES,
         "ready wait 2880m + termination wait 60m + 10m margin, at most 360m"),
        (group(termination=45, config="Custom"), None, 55, "traffic shifting of Custom unknown + termination wait 45m + 10m margin"),
    ],
    ids=["no-waits", "all-waits", "continue-deployment", "bounded-6h", "config-unreadable"],
)
def test_wait_budget_is_the_groups_waits_plus_a_margin_bounded_as_the_aws_cli(
    info: DeploymentGroupInfo, routing: TrafficRouting | None, minutes: int, explained: str
) -> None:
    budget = wait_budget(info, routing)
    assert budget.minutes == minutes and budget.seconds == minutes * 60
    assert budget.explain() == explained


# ---- while waiting ----------------------------------------------------------------------------


def test_ready_says_what_it_waits_for_and_how_to_continue() -> None:
    info = {"deploymentId": "d-ABC", "status": "Ready"}
    command = continue_command("d-ABC", "READY_WAIT")
    assert command == "aws deploy continue-deployment --deployment-id d-ABC --deployment-wait-type READY_WAIT"
    assert describe_status(info, group(ready="STOP_DEPLOYMENT", ready_wait=15)) == (
        f"Ready (waiting for reroute: traffic moves to the replacement task set when you run `{command}`; "
        "CodeDeploy stops the deployment after 15m)"
    )
    assert describe_status(info, None).endswith(f"`{command}`)")
    assert describe_status({"status": "InProgress"}, None) == "InProgress"


@pytest.mark.parametrize(
    ("task_sets", "shown"),
    [
        ([{"taskSetLabel": "Blue", "trafficWeight": 90.0}, {"taskSetLabel": "Green", "trafficWeight": 10.0}], "traffic: replacement 10%, original 90%"),
        ([{"taskSetLabel": "Blue", "trafficWeight": 12.5}, {"taskSetLabel": "Green", "trafficWeight": 87.5}], "traffic: replacement 87.5%, original 12.5%"),
        ([{"taskSetLabel": "Blue", "trafficWeight": 100.0}, {"taskSetLabel": "Green", "trafficWeight": 0.0}], None),  # not yet
        ([{"taskSetLabel": "Green", "trafficWeight": 100.0}], None),
        ([], None),
    ],
)
def test_traffic_between_the_task_sets(task_sets: list[dict[str, Any]], shown: str | None) -> None:
    assert describe_traffic(task_sets) == shown


def events(after_allow_traffic: str, end: dt.datetime | None = None) -> list[dict[str, Any]]:
    last: dict[str, Any] = {"lifecycleEventName": "AfterAllowTraffic", "status": after_allow_traffic}
    if end is not None:
        last["endTime"] = end
    return [{"lifecycleEventName": "AllowTraffic", "status": "Succeeded"}, last]


def test_the_original_task_set_goes_after_the_termination_wait() -> None:
    assert traffic_shifted(events("Succeeded")) and not traffic_shifted(events("InProgress")) and not traffic_shifted([])
    ended = dt.datetime(2025, 5, 1, 11, 58, 30, tzinfo=dt.timezone.utc)
    assert termination_note(events("Succeeded", ended), group(termination=30), NOW) == (
        "the original (blue) task set goes at 2025-05-01 12:28 UTC (termination wait 30m)"
    )
    assert "12:05 UTC" in termination_note(events("Succeeded"), group(termination=5), NOW)  # no endTime: from now
    assert termination_note([], None, NOW) == "the original (blue) task set goes after the deployment group's termination wait"


# ---- verdicts ---------------------------------------------------------------------------------


EXPECT = CodeDeployExpectation(deployment_id="d-1", task_definition_arn=TD2, group=group(termination=30))


@pytest.mark.parametrize(
    ("status", "after_allow_traffic", "service_td", "until", "state", "message"),
    [
        ("InProgress", "InProgress", None, WaitUntil.TRAFFIC_SHIFTED, RolloutState.IN_PROGRESS, "InProgress"),
        ("InProgress", "Succeeded", TD2, WaitUntil.SUCCEEDED, RolloutState.IN_PROGRESS, "InProgress"),
        ("InProgress", "Succeeded", TD2, WaitUntil.TRAFFIC_SHIFTED, RolloutState.SUCCEEDED,
         "CodeDeploy deployment d-1 shifted all traffic to the replacement task set; the service runs web:2; "
         "the original (blue) task set goes at 2025-05-01 12:30 UTC (termination wait 30m), then the deployment Succeeds"),
        ("InProgress", "Succeeded", TD1, WaitUntil.TRAFFIC_SHIFTED, RolloutState.FAILED,
         "CodeDeploy deployment d-1 shifted traffic but the service runs web:1, not web:2"),
        ("Succeeded", "Succeeded", TD2, WaitUntil.TRAFFIC_SHIFTED, RolloutState.SUCCEEDED, "CodeDeploy deployment d-1 Succeeded; the service runs web:2"),
        ("Succeeded", "Succeeded", TD2, WaitUntil.SUCCEEDED, RolloutState.SUCCEEDED, "CodeDeploy deployment d-1 Succeeded; the service runs web:2"),
        ("Stopped", "Succeeded", None, WaitUntil.TRAFFIC_SHIFTED, RolloutState.FAILED,
         "CodeDeploy deployment d-1 Stopped: MANUAL_STOP: stopped; no automatic rollback (the service keeps serving the original task set "
         "unless traffic had shifted)"),
    ],
    ids=["not-yet", "shifted-but-wait-for-succeeded", "shifted", "shifted-wrong-revision", "succeeded-anyway", "succeeded", "stopped"],
)
def test_judge_deployment_until_traffic_shifted_or_succeeded(
    status: str, after_allow_traffic: str, service_td: str | None, until: WaitUntil, state: RolloutState, message: str
) -> None:
    info = {"deploymentId": "d-1", "status": status}
    if status == "Stopped":
        info["errorInformation"] = {"code": "MANUAL_STOP", "message": "stopped."}
    verdict = judge_deployment(info, service_td, EXPECT, events=events(after_allow_traffic), until=until, now=NOW)
    assert (verdict.state, verdict.message) == (state, message)


STOPPING = CodeDeployExpectation(deployment_id="d-1", task_definition_arn=None, stopping=True)


@pytest.mark.parametrize(
    ("info", "state", "rollback", "message"),
    [
        ({"status": "InProgress"}, RolloutState.IN_PROGRESS, None, "deployment d-1: stop requested, CodeDeploy shows InProgress"),
        ({"status": "Ready"}, RolloutState.IN_PROGRESS, None, "deployment d-1: stop requested, CodeDeploy shows Ready"),
        ({"status": "Stopped", "rollbackInfo": {"rollbackDeploymentId": "d-2"}}, RolloutState.SUCCEEDED, "d-2",
         "deployment d-1: Stopped; following its rollback deployment d-2"),
        ({"status": "Stopped"}, RolloutState.SUCCEEDED, None,
         "deployment d-1: Stopped; CodeDeploy started no rollback deployment (the original task set keeps serving)"),
        ({"status": "Failed", "rollbackInfo": {"rollbackDeploymentId": "d-3"}}, RolloutState.SUCCEEDED, "d-3",
         "deployment d-1: Failed; following its rollback deployment d-3"),
        ({"status": "Succeeded"}, RolloutState.FAILED, None,
         "CodeDeploy deployment d-1 Succeeded before the stop took effect: the service runs the new revision; "
         "`ecsplan rollback` now deploys the previous revision"),
    ],
    ids=["pending", "pending-ready", "stopped-rolling-back", "stopped-no-rollback", "failed-meanwhile", "succeeded-first"],
)
def test_judge_stop_waits_for_the_stop_then_names_the_rollback(info: dict[str, Any], state: RolloutState, rollback: str | None, message: str) -> None:
    verdict = judge_stop(info, STOPPING)
    assert (verdict.state, verdict.rollback_deployment_id, verdict.message) == (state, rollback, message)


def test_wait_until_traffic_shifted_refuses_a_plan_that_resumes_auto_scaling() -> None:
    lv = cd_live()
    plain = build_plan([(desired(task=with_image("nginx:1.27"), service=CD_SERVICE), lv)])
    suspended = build_plan([(desired(task=with_image("nginx:1.27"), service=CD_SERVICE), lv)], options=PlanOptions(suspend_autoscaling=True))
    check_wait_until(plain, WaitUntil.TRAFFIC_SHIFTED)
    check_wait_until(suspended, WaitUntil.SUCCEEDED)
    with pytest.raises(UsageError, match="resumes auto scaling"):
        check_wait_until(suspended, WaitUntil.TRAFFIC_SHIFTED)


# ---- the executor: never taskDefinition / forceNewDeployment to a CODE_DEPLOY service ----------


def test_a_plan_sending_a_code_deploy_service_a_task_definition_is_refused_before_any_write() -> None:
    lv = cd_live()
    sd = dict(CD_SERVICE, desiredCount=5)
    plan = build_plan([(desired(service=sd), lv)])
    [service] = plan.services
    [update] = service.actions
    assert isinstance(update, UpdateService) and "taskDefinition" not in update.request(None)
    tampered = attrs.evolve(plan, services=(attrs.evolve(service, actions=(attrs.evolve(update, task_definition=TaskDefinitionRef.known(TD1)),)),))
    applier = FakeApplier()
    report = apply_plan(tampered, reader=FakeReader({REF: lv}), applier=applier, waiter=FakeWaiter(), emit=lambda _: None)
    assert isinstance(report.error, PlanError) and "taskDefinition" in str(report.error)
    assert applier.calls == []


# ---- discovery: ecsServices by name or by ARN -------------------------------------------------

SERVICE_ARN = "arn:aws:ecs:us-east-1:123456789012:service/prod/web"
CLUSTER_ARN = "arn:aws:ecs:us-east-1:123456789012:cluster/prod"


@pytest.mark.parametrize(
    ("target", "arns", "serves"),
    [
        ({"serviceName": "web", "clusterName": "prod"}, None, True),
        ({"serviceName": "web", "clusterName": CLUSTER_ARN}, None, True),
        ({"serviceName": SERVICE_ARN, "clusterName": CLUSTER_ARN}, (SERVICE_ARN, CLUSTER_ARN), True),
        ({"serviceName": SERVICE_ARN, "clusterName": "prod"}, None, True),  # matched by the names in the ARN
        ({"serviceName": "arn:aws:ecs:us-east-1:123456789012:service/web", "clusterName": "prod"}, None, True),  # old ARN format
        ({"serviceName": "arn:aws:ecs:us-east-1:123456789012:service/web", "clusterName": "prod"},
         ("arn:aws:ecs:us-east-1:123456789012:service/web", CLUSTER_ARN), True),
        ({"serviceName": SERVICE_ARN, "clusterName": CLUSTER_ARN}, ("arn:aws:ecs:us-east-1:999999999999:service/prod/web", CLUSTER_ARN), False),
        ({"serviceName": "arn:aws:ecs:us-east-1:123456789012:service/staging/web", "clusterName": "staging"}, None, False),
        ({"serviceName": "api", "clusterName": "prod"}, None, False),
        ({"serviceName": "web", "clusterName": "arn:aws:ecs:us-east-1:123456789012:cluster/staging"}, None, False),
    ],
    ids=["names", "cluster-arn", "both-arns", "service-arn", "old-arn", "old-arn-exact", "other-account", "other-cluster-arn",
         "other-service", "other-cluster"],
)
def test_a_group_serves_the_service_by_name_or_arn(target: dict[str, str], arns: tuple[str, str] | None, serves: bool) -> None:
    assert _serves({"ecsServices": [target]}, ServiceRef(cluster="prod", service="web"), arns) is serves
