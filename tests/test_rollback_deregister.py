"""`rollback --deregister`, pure: the plan deregisters the revision each service leaves after its
rollback (rolling, CodeDeploy, ECS-native), never one a service of the plan goes back to, once
per revision; the executor runs it only after the rollback was waited for."""

from __future__ import annotations

import attrs
import pytest

from planner.actions import ActionType, DeregisterTaskDefinition
from planner.errors import PlanError
from planner.execute import apply_plan
from planner.model import CodeDeployDeployment, DesiredService, RevisionSummary, ServiceDeploymentInfo, ServiceRef
from planner.plan import Purpose
from planner.render import json as render_json
from planner.render import markdown as render_markdown
from planner.render import text as render_text
from planner.render.text import report_lines
from planner.rollback import build_rollback_plan
from providers.errors import AwsError
from tests.factories import CD_SERVICE, TD_ARN, cd_live, desired, live
from tests.fakes import FakeApplier, FakeReader, FakeWaiter

TD = "arn:aws:ecs:us-east-1:123456789012:task-definition/web:"
PREVIOUS = TD + "2"
SD_ARN = "arn:aws:ecs:us-east-1:123456789012:service-deployment/prod/web/sd-1"


def rollback(*pairs, deregister=True):
    return build_rollback_plan(list(pairs), region="us-east-1", account="123456789012", deregister=deregister)


def rolling():
    return desired(), attrs.evolve(live(), previous_task_definition=PREVIOUS)


def other(name: str, running: str, previous: str) -> tuple[DesiredService, object]:
    """Another service of the plan, `name`, running `running`, whose previous revision is `previous`."""
    d = attrs.evolve(desired(), ref=ServiceRef(cluster="prod", service=name))
    lv = live()
    lv.service.description["taskDefinition"] = running
    return d, attrs.evolve(lv, ref=d.ref, previous_task_definition=previous)


def test_rolling_deregisters_the_revision_it_leaves_after_the_update():
    plan = rollback(rolling())
    (service,) = plan.services
    assert [a.type for a in service.actions] == [ActionType.UPDATE_SERVICE, ActionType.DEREGISTER_TASK_DEFINITION]
    dereg = service.actions[1]
    assert (dereg.task_definition_arn, dereg.ref) == (TD_ARN, service.ref)
    assert [(c.path, c.before, c.after) for c in dereg.changes] == [("taskDefinition[web:3].status", "ACTIVE", "INACTIVE")]
    assert "web:3" in dereg.note and "once the rollback succeeded" in dereg.note
    assert [a.type for a in rollback(rolling(), deregister=False).services[0].actions] == [ActionType.UPDATE_SERVICE]


def test_every_rendering_shows_the_deregistration():
    plan = rollback(rolling())
    text = render_text.render(plan, color=False)
    assert "deregister_task_definition" in text and "1 to deregister" in text and "web:3" in text
    assert '"deregister_task_definition"' in render_json.render(plan)
    assert "deregister_task_definition" in render_markdown.render(plan)


def test_codedeploy_in_progress_deregisters_the_replacement_task_sets_revision():
    lv = attrs.evolve(cd_live(), active_deployment=CodeDeployDeployment(id="d-1", status="InProgress"))
    lv.service.description["taskSets"] = [
        {"id": "ecs-svc/1", "status": "PRIMARY", "taskDefinition": TD_ARN},
        {"id": "ecs-svc/2", "status": "ACTIVE", "taskDefinition": TD + "4"},
    ]
    (service,) = rollback((desired(service=CD_SERVICE), lv)).services
    assert [a.type for a in service.actions] == [ActionType.STOP_DEPLOYMENT, ActionType.DEREGISTER_TASK_DEFINITION]
    assert service.actions[1].task_definition_arn == TD + "4"
    # A deployment of the revision already running leaves nothing to deregister.
    lv.service.description["taskSets"][1]["taskDefinition"] = TD_ARN
    assert [a.type for a in rollback((desired(service=CD_SERVICE), lv)).services[0].actions] == [ActionType.STOP_DEPLOYMENT]
    # No replacement task set yet (or two): which revision it deploys cannot be told.
    for task_sets in ([lv.service.description["taskSets"][0]], [{"status": "ACTIVE", "taskDefinition": TD + "4"},
                                                               {"status": "ACTIVE", "taskDefinition": TD + "5"}]):
        lv.service.description["taskSets"] = task_sets
        with pytest.raises(PlanError, match="cannot tell which revision the deployment in progress deploys"):
            rollback((desired(service=CD_SERVICE), lv))
        assert rollback((desired(service=CD_SERVICE), lv), deregister=False).services[0].actions  # without --deregister: fine


def test_codedeploy_with_nothing_in_progress_deregisters_the_running_revision_after_the_deployment():
    (service,) = rollback((desired(service=CD_SERVICE), attrs.evolve(cd_live(), previous_task_definition=PREVIOUS))).services
    assert [a.type for a in service.actions] == [ActionType.CREATE_DEPLOYMENT, ActionType.DEREGISTER_TASK_DEFINITION]
    assert service.actions[1].task_definition_arn == TD_ARN


def native_in_progress(target: str | None, sources: tuple[str | None, ...]):
    sd = ServiceDeploymentInfo(arn=SD_ARN, status="IN_PROGRESS", target=RevisionSummary(arn="rev-new", task_definition=target),
                               sources=tuple(RevisionSummary(arn=f"rev-{i}", task_definition=s) for i, s in enumerate(sources)))
    return desired(), attrs.evolve(live(), service_deployment=sd)


def test_native_stop_deregisters_the_target_revision_unless_a_source_runs_it():
    (service,) = rollback(native_in_progress(TD + "4", (TD_ARN,))).services
    assert [a.type for a in service.actions] == [ActionType.STOP_SERVICE_DEPLOYMENT, ActionType.DEREGISTER_TASK_DEFINITION]
    assert service.actions[1].task_definition_arn == TD + "4"
    assert len(rollback(native_in_progress(TD_ARN, (TD_ARN,))).services[0].actions) == 1  # the source runs it: kept
    for unknown in (native_in_progress(None, (TD_ARN,)), native_in_progress(TD + "4", (TD_ARN, None))):
        with pytest.raises(PlanError, match="cannot tell"):
            rollback(unknown)


def test_a_revision_another_service_goes_back_to_is_kept():
    # web leaves :3, api goes back to :3 (from :5): :3 stays; api's :5 goes.
    plan = rollback(rolling(), other("api", TD + "5", TD_ARN))
    by_name = {s.ref.service: [a.task_definition_arn for a in s.actions if isinstance(a, DeregisterTaskDefinition)] for s in plan.services}
    assert by_name == {"web": [], "api": [TD + "5"]}


def test_a_revision_several_services_leave_is_deregistered_once_after_the_last_of_them():
    plan = rollback(other("zeta", TD_ARN, PREVIOUS), rolling(), other("alpha", TD_ARN, TD + "1"))
    assert [s.ref.service for s in plan.services] == ["alpha", "web", "zeta"]
    assert [[a.type.value for a in s.actions] for s in plan.services] == [
        ["update_service"], ["update_service"], ["update_service", "deregister_task_definition"]]


# ---- the executor -------------------------------------------------------------------------


def test_the_deregistration_runs_after_the_rollback_wait():
    plan = rollback(rolling())
    applier, waiter = FakeApplier(), FakeWaiter()
    report = apply_plan(plan, reader=FakeReader({plan.services[0].ref: rolling()[1]}), applier=applier, waiter=waiter, emit=lambda _: None)
    assert report.ok, report.error
    assert [c[0] for c in applier.calls] == ["update", "deregister"] and applier.calls[1][1] == TD_ARN
    assert len(waiter.waits) == 1
    assert report.done[-1][1:] == (ActionType.DEREGISTER_TASK_DEFINITION, f"deregistered {TD_ARN} (now INACTIVE)")


def test_a_failed_rollback_wait_leaves_the_revision_and_the_report_says_so():
    plan = rollback(rolling())
    applier = FakeApplier()
    report = apply_plan(plan, reader=FakeReader({plan.services[0].ref: rolling()[1]}), applier=applier,
                        waiter=FakeWaiter(error=AwsError("the deployment failed")), emit=lambda _: None)
    assert not report.ok and [c[0] for c in applier.calls] == ["update"]
    assert report.not_done == [(plan.services[0].ref, ActionType.DEREGISTER_TASK_DEFINITION)]
    assert any("deregister_task_definition" in line for line in report_lines(report))


def test_without_the_wait_a_deregistering_plan_is_refused_before_any_write():
    plan = rollback(rolling())
    applier = FakeApplier()
    report = apply_plan(plan, reader=FakeReader({plan.services[0].ref: rolling()[1]}), applier=applier, waiter=None, emit=lambda _: None)
    assert isinstance(report.error, PlanError) and "needs the wait: drop --no-wait; nothing was applied" in str(report.error)
    assert applier.calls == [] and len(report.not_done) == 2


def test_a_deregistration_with_no_wait_before_it_is_refused():
    # A plan file edited by hand: the deregistration alone, with no rollback before it.
    plan = rollback(rolling())
    service = plan.services[0]
    edited = attrs.evolve(plan, services=(attrs.evolve(service, actions=service.actions[1:]),))
    applier = FakeApplier()
    report = apply_plan(edited, reader=FakeReader({service.ref: rolling()[1]}), applier=applier, waiter=FakeWaiter(), emit=lambda _: None)
    assert isinstance(report.error, PlanError) and "no rollback deployment was waited for" in str(report.error)
    assert applier.calls == [] and report.not_done == [(service.ref, ActionType.DEREGISTER_TASK_DEFINITION)]


def test_the_plan_is_a_rollback_plan():
    assert rollback(rolling()).purpose is Purpose.ROLLBACK


def test_wait_until_traffic_shifted_is_refused_with_a_deregistering_plan():
    from planner.codedeploy import WaitUntil, check_wait_until
    from planner.errors import UsageError

    with pytest.raises(UsageError, match="the plan deregisters the rolled-back revision once it succeeded \\(prod/web\\)"):
        check_wait_until(rollback(rolling()), WaitUntil.TRAFFIC_SHIFTED)
    check_wait_until(rollback(rolling()), WaitUntil.SUCCEEDED)
    check_wait_until(rollback(rolling(), deregister=False), WaitUntil.TRAFFIC_SHIFTED)
