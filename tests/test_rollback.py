"""The rollback plan, pure: rolling -> the previous revision by UpdateService; CodeDeploy -> stop
the deployment in progress with rollback, else deploy the previous revision; nothing to roll
back to is an error naming the revision."""

from __future__ import annotations

import attrs
import pytest

from planner.actions import ActionType, TaskDefinitionRef
from planner.errors import PlanError
from planner.model import CodeDeployDeployment
from planner.plan import Purpose
from planner.rollback import build_rollback_plan
from tests.factories import CD_SERVICE, TD_ARN, cd_live, desired, live

PREVIOUS = "arn:aws:ecs:us-east-1:123456789012:task-definition/web:2"


def rollback(d, lv):
    return build_rollback_plan([(d, lv)], region="us-east-1", account="123456789012")


def test_rolling_goes_back_to_the_previous_revision_by_update_service():
    plan = rollback(desired(), attrs.evolve(live(), previous_task_definition=PREVIOUS))
    assert plan.purpose is Purpose.ROLLBACK
    (service,) = plan.services
    (update,) = service.actions
    assert update.type is ActionType.UPDATE_SERVICE and update.starts_deployment
    assert update.task_definition == TaskDefinitionRef.known(PREVIOUS) and update.fields == {}
    assert [(c.path, c.before, c.after) for c in update.changes] == [("taskDefinition", TD_ARN, PREVIOUS)]
    assert update.request(PREVIOUS) == {"cluster": "prod", "service": "web", "taskDefinition": PREVIOUS}
    assert service.live_view["taskDefinition"] == TD_ARN  # goes stale when someone deploys meanwhile


def test_codedeploy_in_progress_is_stopped_with_rollback():
    lv = attrs.evolve(cd_live(), active_deployment=CodeDeployDeployment(id="d-1", status="InProgress"), previous_task_definition=PREVIOUS)
    (service,) = rollback(desired(service=CD_SERVICE), lv).services
    (stop,) = service.actions
    assert stop.type is ActionType.STOP_DEPLOYMENT and stop.deployment_id == "d-1" and stop.rollback
    assert (stop.application, stop.deployment_group) == ("AppECS-prod-web", "DgpECS-prod-web")
    assert service.live_view["activeDeployment"] == "d-1"


def test_codedeploy_with_nothing_in_progress_deploys_the_previous_revision():
    (service,) = rollback(desired(service=CD_SERVICE), attrs.evolve(cd_live(), previous_task_definition=PREVIOUS)).services
    (deploy,) = service.actions
    assert deploy.type is ActionType.CREATE_DEPLOYMENT and deploy.task_definition == TaskDefinitionRef.known(PREVIOUS)
    assert deploy.appspec["Resources"][0]["TargetService"]["Properties"]["TaskDefinition"] == PREVIOUS
    assert deploy.rollback_events == ()


@pytest.mark.parametrize("lv, words", [
    (live(), "no ACTIVE revision older than web:3 to roll back to"),
    (live(exists=False), "the service does not exist; nothing to roll back"),
])
def test_nothing_to_roll_back_to_is_an_error(lv, words):
    with pytest.raises(PlanError, match=words):
        rollback(desired(), lv)


def test_codedeploy_without_a_group_says_why():
    lv = attrs.evolve(cd_live(group=None), previous_task_definition=PREVIOUS)
    with pytest.raises(Exception, match="no CodeDeploy deployment group deploys service web"):
        rollback(desired(service=CD_SERVICE), lv)


def test_a_service_that_runs_no_task_definition_has_nothing_to_roll_back():
    lv = live()
    del lv.service.description["taskDefinition"]
    with pytest.raises(PlanError, match="nothing to roll back"):
        rollback(desired(), attrs.evolve(lv, previous_task_definition=PREVIOUS))



def test_continue_answers_each_paused_hook_and_refuses_when_nothing_waits():
    from planner.model import HookDetail, ServiceDeploymentInfo
    from planner.rollback import build_continue_plan

    arn = "arn:aws:ecs:us-east-1:123456789012:service-deployment/prod/web/sd-1"
    paused = HookDetail(hook_id="h-1", target_type="PAUSE", target_arn=None, status="AWAITING_ACTION")
    running = HookDetail(hook_id="h-2", target_type="AWS_LAMBDA", target_arn="arn:aws:lambda:us-east-1:1:function:Check", status="IN_PROGRESS")
    sd = ServiceDeploymentInfo(arn=arn, status="IN_PROGRESS", lifecycle_stage="POST_TEST_TRAFFIC_SHIFT", hooks=(paused, running))
    lv = attrs.evolve(live(), service_deployment=sd)
    plan = build_continue_plan([(desired(), lv)], rollback=False)
    assert plan.purpose is Purpose.CONTINUE
    (service,) = plan.services
    (answer,) = service.actions
    assert (answer.type, answer.hook_id, answer.action, answer.service_deployment_arn) == (ActionType.CONTINUE_SERVICE_DEPLOYMENT, "h-1", "CONTINUE", arn)
    assert build_continue_plan([(desired(), lv)], rollback=True).services[0].actions[0].action == "ROLLBACK"
    done = attrs.evolve(lv, service_deployment=attrs.evolve(sd, status="SUCCESSFUL"))
    for nothing in (live(), attrs.evolve(lv, service_deployment=attrs.evolve(sd, hooks=(running,))), done):
        with pytest.raises(PlanError, match="no service deployment is waiting at a paused lifecycle hook"):
            build_continue_plan([(desired(), nothing)], rollback=False)
