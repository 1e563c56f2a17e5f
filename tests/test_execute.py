"""The executor with hand-written fakes of the reader/applier/waiter protocols: order, stop at the
first failure, refuse blocked and stale plans before any change, report what was and was not done."""

import copy
from typing import Any

import attrs
import pytest

from planner.actions import ActionType
from planner.build import build_plan
from planner.errors import BlockedPlanError, DeploymentFailed, Interrupted, OutcomeUnknown, StalePlanError
from planner.execute import Applier, AutoscalingState, LiveStateReader, Waiter, apply_plan
from planner.model import CodeDeployDeployment, LiveState, PlanOptions
from planner.render.text import report_lines
from planner.rollback import build_rollback_plan
from planner.rollout import CodeDeployExpectation
from providers.errors import AwsError
from tests.factories import CD_SERVICE, REF, SERVICE, cd_live, desired, live, with_image
from tests.fakes import NEW_TD, FakeApplier, FakeReader, FakeWaiter


def run(plan, states, applier=None, waiter=None, reader=None):
    applier = applier or FakeApplier()
    waiter = waiter or FakeWaiter()
    # Typed as the protocols: mypy checks the fakes against them.
    # The reader is where the plan was made unless a test says otherwise.
    as_reader: LiveStateReader = reader or FakeReader(states, region=plan.region, account=plan.account)
    as_applier: Applier = applier
    as_waiter: Waiter = waiter
    report = apply_plan(plan, reader=as_reader, applier=as_applier, waiter=as_waiter, emit=lambda _: None)
    return report, applier, waiter


def new_image_plan():
    lv = live()
    return build_plan([(desired(task=with_image("nginx:1.27")), lv)], region="us-east-1", account="123456789012"), {REF: lv}


def test_actions_run_in_order_and_the_update_names_the_registered_revision():
    plan, states = new_image_plan()
    report, applier, waiter = run(plan, states)
    assert report.ok and report.not_done == []
    assert [c[0] for c in applier.calls] == ["register", "update"]
    assert applier.calls[1][1]["taskDefinition"].endswith("web:4")
    (ref, expect), = waiter.waits
    assert expect.deployment_id == "d2" and expect.task_definition_arn.endswith("web:4")


def test_first_failure_stops_and_reports_what_was_not_done():
    plan, states = new_image_plan()
    report, applier, _ = run(plan, states, applier=FakeApplier(fail_on="update"))
    assert isinstance(report.error, AwsError)
    assert [t for _, t, _ in report.done] == [ActionType.REGISTER_TASK_DEFINITION]
    assert report.not_done == [(REF, ActionType.UPDATE_SERVICE)]


def test_failed_rollout_is_an_error():
    plan, states = new_image_plan()
    report, _, _ = run(plan, states, waiter=FakeWaiter(DeploymentFailed("rolled back")))
    assert isinstance(report.error, DeploymentFailed)


def test_interrupt_while_waiting_is_reported_not_raised():
    plan, states = new_image_plan()
    report, _, _ = run(plan, states, waiter=FakeWaiter(KeyboardInterrupt()))
    assert isinstance(report.error, Interrupted) and len(report.done) == 2


def test_blocked_plan_changes_nothing():
    plan = build_plan([(desired(service=dict(SERVICE, launchType="EC2")), live())])
    report, applier, _ = run(plan, {REF: live()})
    assert isinstance(report.error, BlockedPlanError) and applier.calls == []


def test_stale_plan_changes_nothing_and_says_what_moved():
    plan, _ = new_image_plan()
    moved = live()
    moved.service.description["taskDefinition"] = "arn:aws:ecs:us-east-1:123456789012:task-definition/web:9"
    moved = LiveState(ref=REF, service=moved.service, task_definition=copy.deepcopy(moved.task_definition))
    report, applier, _ = run(plan, {REF: moved})
    assert isinstance(report.error, StalePlanError) and applier.calls == []
    assert "stale" in str(report.error) and "prod/web: taskDefinition changed" in str(report.error)


@pytest.mark.parametrize("region, account, words", [("eu-west-1", "123456789012", "region us-east-1"),
                                                   ("us-east-1", "999999999999", "account 123456789012")])
def test_plan_for_another_region_or_account_is_refused(region, account, words):
    plan, states = new_image_plan()
    report, applier, _ = run(plan, states, reader=FakeReader(states, region=region, account=account))
    assert isinstance(report.error, StalePlanError) and words in str(report.error) and applier.calls == []


def code_deploy_plan():
    lv = cd_live()
    opts = PlanOptions(suspend_autoscaling=True)
    plan = build_plan([(desired(task=with_image("nginx:1.27"), service=CD_SERVICE), lv)], region="us-east-1",
                      account="123456789012", options=opts)
    return plan, {REF: lv}


@pytest.mark.parametrize("error", [DeploymentFailed("Failed"), KeyboardInterrupt()])
def test_autoscaling_is_resumed_when_the_deployment_fails_or_is_interrupted(error):
    plan, states = code_deploy_plan()
    report, applier, waiter = run(plan, states, applier=FakeApplier(), waiter=FakeWaiter(error))
    assert [c[0] for c in applier.calls] == ["register", "suspend", "deploy", "resume"]
    assert report.error is not None and report.not_done == []


def test_resume_comes_after_the_wait_and_is_skipped_when_it_was_suspended_before():
    plan, states = code_deploy_plan()
    report, applier, waiter = run(plan, states, applier=FakeApplier(found=AutoscalingState.ALREADY_SUSPENDED), waiter=FakeWaiter())
    assert report.ok and [c[0] for c in applier.calls] == ["register", "suspend", "deploy"]
    assert waiter.waits[0][1].deployment_id == "d-1"
    assert "did not suspend" in report.done[-1][2]



# ---------------------------------------------------------------------------------------------
# Behaviours pinned one by one (each was a surviving mutant of planner/execute.py).

def test_a_new_code_deploy_service_is_not_waited_for_as_a_rolling_deployment():
    plan = build_plan([(desired(service=CD_SERVICE), live(exists=False))])
    report, applier, waiter = run(plan, {REF: live(exists=False)})
    assert report.ok and [c[0] for c in applier.calls] == ["create"] and waiter.waits == []


def test_an_update_without_a_new_revision_waits_for_the_revision_the_deployment_runs():
    sd = copy.deepcopy(SERVICE)
    sd["networkConfiguration"]["awsvpcConfiguration"]["securityGroups"] = ["sg-2"]
    plan = build_plan([(desired(service=sd), live())])
    report, applier, waiter = run(plan, {REF: live()})
    assert report.ok and "taskDefinition" not in applier.calls[0][1]
    ((_, expect),) = waiter.waits
    assert expect.deployment_id == "d2" and expect.task_definition_arn is None  # what the fake's deployment runs


def test_an_in_place_update_waits_for_a_steady_service():
    plan = build_plan([(desired(service=dict(SERVICE, desiredCount=3)), live())])
    report, _, waiter = run(plan, {REF: live()})
    ((_, expect),) = waiter.waits
    assert report.ok and expect.deployment_id is None and report.done[0][2] == "updated desiredCount"


@pytest.mark.parametrize("found, words", [
    (AutoscalingState.SUSPENDED, "suspended auto scaling of service/prod/web"),
    (AutoscalingState.ALREADY_SUSPENDED, "auto scaling was already suspended; it will be left suspended"),
    (AutoscalingState.NO_TARGET, "nothing to suspend (no scalable target)"),
])
def test_suspend_says_what_it_found(found, words):
    plan, states = code_deploy_plan()
    report, _, _ = run(plan, states, applier=FakeApplier(found=found))
    assert [d for _, t, d in report.done if t is ActionType.SUSPEND_AUTOSCALING] == [words]


def test_a_failure_after_an_earlier_suspension_leaves_auto_scaling_alone():
    plan, states = code_deploy_plan()
    report, applier, _ = run(plan, states, applier=FakeApplier(found=AutoscalingState.ALREADY_SUSPENDED), waiter=FakeWaiter(DeploymentFailed("x")))
    assert [c[0] for c in applier.calls] == ["register", "suspend", "deploy"] and isinstance(report.error, DeploymentFailed)
    assert (REF, ActionType.RESUME_AUTOSCALING) in report.not_done  # not ecsplan's to resume


def test_the_console_url_uses_the_plans_region():
    lv = cd_live()
    plan = build_plan([(desired(task=with_image("nginx:1.27"), service=CD_SERVICE), lv)], region="eu-west-1", account="123456789012")
    report, _, _ = run(plan, {REF: lv})
    deploy = [d for _, t, d in report.done if t is ActionType.CREATE_DEPLOYMENT][0]
    assert "https://eu-west-1.console.aws.amazon.com/codesuite/codedeploy/deployments/d-1?region=eu-west-1" in deploy


@pytest.mark.parametrize("what", ["region", "account"])
def test_a_plan_that_names_no_region_or_account_is_not_applied(what):
    lv = cd_live()
    where: dict[str, str | None] = {"region": "us-east-1", "account": "123456789012", what: None}
    plan = build_plan([(desired(task=with_image("nginx:1.27"), service=CD_SERVICE), lv)], region=where["region"], account=where["account"])
    report, applier, _ = run(plan, {REF: lv}, reader=FakeReader({REF: lv}))
    assert str(report.error).startswith(f"the plan names no {what}, so it cannot be checked against this run (")
    assert applier.calls == [] and report.done == []
    # A run that does not know its own region or account has nothing to check against.
    report, _, _ = run(plan, {REF: lv}, reader=FakeReader({REF: lv}, **{what: None}))
    assert report.ok, report.error


def test_the_wait_limit_is_the_commands_timeout_else_the_configs():
    plan = build_plan([(attrs.evolve(desired(task=with_image("nginx:1.27")), timeout_seconds=300.0), live())], region="us-east-1", account="123456789012")
    for given, used in ((None, 300.0), (60.0, 60.0)):
        waiter = FakeWaiter()
        apply_plan(plan, reader=FakeReader({REF: live()}), applier=FakeApplier(), waiter=waiter, emit=lambda _: None, timeout=given)
        assert waiter.timeouts == [used]


def test_a_stop_deployment_waits_for_the_stop_then_its_rollback_deployment():
    # StopDeployment answers Pending: the rollback deployment is not known yet, so the waiter is
    # given the stopped deployment to follow until it is Stopped (then its rollback deployment).
    lv = attrs.evolve(cd_live(), active_deployment=CodeDeployDeployment(id="d-9", status="InProgress"))
    plan = build_rollback_plan([(desired(service=CD_SERVICE), lv)])
    report, applier, waiter = run(plan, {REF: lv})
    assert applier.calls == [("stop", "d-9")]
    assert report.done[0][2] == "asked CodeDeploy to stop deployment d-9 with rollback (CodeDeploy: Pending)"
    [(_, expect)] = waiter.waits
    assert isinstance(expect, CodeDeployExpectation)
    assert (expect.deployment_id, expect.stopping, expect.group) == ("d-9", True, lv.codedeploy)


def test_a_write_whose_outcome_is_unknown_is_listed_apart_neither_done_nor_not_done():
    class LostReply(OutcomeUnknown):
        pass

    class Applier(FakeApplier):
        def update_service(self, action: Any, task_definition_arn: str | None) -> Any:
            raise LostReply("updating service web: InternalFailure; AWS may have done it")

    plan, states = new_image_plan()
    report, _, _ = run(plan, states, applier=Applier())
    assert isinstance(report.error, LostReply)
    assert [t for _, t, _ in report.done] == [ActionType.REGISTER_TASK_DEFINITION]
    assert report.unknown == [(REF, ActionType.UPDATE_SERVICE)] and report.not_done == []
    assert report_lines(report) == [
        "Done:", f"  {REF}: register_task_definition: registered {NEW_TD}",
        "Outcome unknown (AWS may have done it; `ecsplan plan` shows what is live):", f"  {REF}: update_service"]
