"""ECS-native strategies in the plan and the executor, on pure values (the factories' service
made BLUE_GREEN): what the plan says of the deployment, which configuration it describes, and
which wait the executor asks for. No AWS."""

from __future__ import annotations

import copy

import attrs

from planner.actions import ActionType
from planner.build import build_plan, build_service_plan, deployment_configuration
from planner.execute import apply_plan
from planner.model import Controller, ServiceDeploymentInfo
from planner.native import ServiceDeploymentExpectation
from planner.rollback import build_rollback_plan
from planner.rollout import RolloutExpectation
from tests.factories import CD_SERVICE, REF, SERVICE, cd_live, desired, live, with_image
from tests.fakes import FakeApplier, FakeReader, FakeWaiter

CONFIG = {"strategy": "BLUE_GREEN", "bakeTimeInMinutes": 5, "maximumPercent": 200}
NATIVE = dict(SERVICE, deploymentConfiguration=CONFIG)


def native_live():
    lv = live(service=NATIVE)
    lv.service.description["deploymentConfiguration"] = copy.deepcopy(CONFIG)
    return lv


def test_the_plan_describes_the_deployment_only_when_a_native_strategy_deploys():
    sp = build_service_plan(desired(task=with_image("nginx:1.27"), service=NATIVE), native_live())
    assert sp.strategy == "BLUE_GREEN" and sp.deployment_lines() and "bake time 5m" in " ".join(sp.deployment_lines())
    in_place = build_service_plan(desired(service=dict(NATIVE, desiredCount=5)), native_live())
    assert in_place.actions and in_place.deployment_lines() == []  # nothing deploys
    rolling = build_service_plan(desired(task=with_image("nginx:1.27")), live())
    assert rolling.strategy == "ROLLING" and rolling.deployment_lines() == []
    created = build_service_plan(desired(service=NATIVE), live(task=None, exists=False))
    assert created.deployment_lines()
    code_deploy = build_service_plan(desired(service=CD_SERVICE), cd_live())
    assert code_deploy.strategy is None


def test_the_configuration_described_is_the_files_else_the_live_one_and_only_its_strategy_keys():
    assert deployment_configuration(desired(service=NATIVE), live(), Controller.ECS) == {"strategy": "BLUE_GREEN", "bakeTimeInMinutes": 5}
    undeclared = {k: v for k, v in NATIVE.items() if k != "deploymentConfiguration"}
    assert deployment_configuration(desired(service=undeclared), native_live(), Controller.ECS) == {"strategy": "BLUE_GREEN", "bakeTimeInMinutes": 5}
    assert deployment_configuration(desired(service=NATIVE), native_live(), Controller.CODE_DEPLOY) == {}


def test_a_daemon_from_the_live_service_gets_the_daemon_defaults():
    lv = live()
    lv.service.description["schedulingStrategy"] = "DAEMON"
    lv.service.description["deploymentConfiguration"] = {"maximumPercent": 100, "minimumHealthyPercent": 50}
    (update,) = build_service_plan(desired(service=dict(SERVICE, deploymentConfiguration={})), lv).actions
    assert (update.fields["deploymentConfiguration"]["maximumPercent"], update.fields["deploymentConfiguration"]["minimumHealthyPercent"]) == (100, 0)


class NativeApplier(FakeApplier):
    """ECS answers with the service as it now is: native strategy, a service deployment ARN."""

    def create_service(self, action, task_definition_arn):
        svc = super().create_service(action, task_definition_arn)
        return attrs.evolve(svc, description={**svc.description, "deploymentConfiguration": CONFIG, "currentServiceDeployment": "sd-new"})

    def update_service(self, action, task_definition_arn):
        svc = super().update_service(action, task_definition_arn)
        return attrs.evolve(svc, description={**svc.description, "deploymentConfiguration": CONFIG, "currentServiceDeployment": "sd-2"})


def run(plan, states, applier):
    waiter = FakeWaiter()
    report = apply_plan(plan, reader=FakeReader(states, region=plan.region, account=plan.account), applier=applier, waiter=waiter, emit=lambda _: None)
    assert report.ok, report.error
    return waiter


def test_native_creates_and_deploying_updates_wait_for_their_service_deployment():
    created = run(build_plan([(desired(service=NATIVE), live(task=None, exists=False))]), {REF: live(task=None, exists=False)}, NativeApplier())
    ((_, expect),) = created.waits
    assert isinstance(expect, ServiceDeploymentExpectation) and expect.arn == "sd-new" and not expect.stopping
    updated = run(build_plan([(desired(task=with_image("nginx:1.27"), service=NATIVE), native_live())]), {REF: native_live()}, NativeApplier())
    ((_, expect),) = updated.waits
    assert isinstance(expect, ServiceDeploymentExpectation) and expect.arn == "sd-2" and expect.task_definition_arn.endswith("web:4")
    network = copy.deepcopy(NATIVE)
    network["networkConfiguration"]["awsvpcConfiguration"]["securityGroups"] = ["sg-2"]
    moved = run(build_plan([(desired(service=network), native_live())]), {REF: native_live()}, NativeApplier())
    ((_, expect),) = moved.waits
    assert isinstance(expect, ServiceDeploymentExpectation) and expect.task_definition_arn is None  # what the deployment runs
    in_place = run(build_plan([(desired(service=dict(NATIVE, desiredCount=5)), native_live())]), {REF: native_live()}, NativeApplier())
    ((_, expect),) = in_place.waits
    assert isinstance(expect, RolloutExpectation) and expect.deployment_id is None  # steady, no service deployment


def test_a_stopped_service_deployment_is_followed_as_a_stop():
    info = ServiceDeploymentInfo(arn="arn:sd-1", status="IN_PROGRESS", lifecycle_stage="BAKE_TIME")
    lv = attrs.evolve(native_live(), service_deployment=info)
    plan = build_rollback_plan([(desired(service=NATIVE), lv)])
    assert plan.services[0].actions[0].type is ActionType.STOP_SERVICE_DEPLOYMENT
    waiter = run(plan, {REF: lv}, NativeApplier())
    ((_, expect),) = waiter.waits
    assert expect.arn == "arn:sd-1" and expect.stopping


def test_an_answered_pause_hook_is_followed_as_a_stop_only_when_the_answer_is_rollback():
    from planner.model import HookDetail
    from planner.rollback import build_continue_plan

    hook = HookDetail(hook_id="h-1", target_type="PAUSE", target_arn=None, status="AWAITING_ACTION")
    info = ServiceDeploymentInfo(arn="arn:sd-1", status="IN_PROGRESS", lifecycle_stage="POST_TEST_TRAFFIC_SHIFT", hooks=(hook,))
    lv = attrs.evolve(native_live(), service_deployment=info)
    for rollback, stopping in ((False, False), (True, True)):
        waiter = run(build_continue_plan([(desired(service=NATIVE), lv)], rollback=rollback), {REF: lv}, NativeApplier())
        ((_, expect),) = waiter.waits
        assert expect.arn == "arn:sd-1" and expect.stopping is stopping
