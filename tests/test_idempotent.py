"""Idempotent re-runs: a plan whose task definition equals the family's latest ACTIVE revision
(registered by a partial apply, the update then failed) reuses it instead of registering a
duplicate. Pure tests on factories; the loop against the sandbox is in test_cli_idempotent.py."""

from __future__ import annotations

import attrs
import pytest

from planner.actions import KNOWN_AFTER_APPLY, ActionType, TaskDefinitionRef, reused
from planner.build import build_plan, build_service_plan
from planner.errors import PlanError
from planner.integrity import check_plan
from planner.model import LiveTaskDefinition
from tests.factories import CD_SERVICE, TD_ARN, aws_task, cd_live, desired, live, types, with_image

LATEST = TD_ARN.replace("web:3", "web:4")


def with_latest(lv, task):
    return attrs.evolve(lv, latest_task_definition=LATEST, latest_revision=LiveTaskDefinition(arn=LATEST, definition=aws_task(task)))


def test_an_identical_latest_revision_is_reused_not_registered_again():
    sp = build_service_plan(desired(task=with_image("nginx:1.27")), with_latest(live(), with_image("nginx:1.27")))
    assert types(sp) == [ActionType.UPDATE_SERVICE]
    (upd,) = sp.actions
    assert [(c.path, c.before, c.after) for c in upd.changes] == [("taskDefinition", TD_ARN, f"{LATEST} (already registered, identical)")]
    assert upd.task_definition == TaskDefinitionRef.known(LATEST)
    assert upd.starts_deployment is True


def test_a_different_latest_revision_is_not_reused():
    sp = build_service_plan(desired(task=with_image("nginx:1.27")), with_latest(live(), with_image("nginx:1.28")))
    assert types(sp) == [ActionType.REGISTER_TASK_DEFINITION, ActionType.UPDATE_SERVICE]
    assert sp.actions[1].task_definition == TaskDefinitionRef.registered()
    assert sp.actions[1].changes[0].after == KNOWN_AFTER_APPLY


def test_tags_the_config_ignores_do_not_prevent_reuse():
    task = dict(with_image("nginx:1.27"), tags=[{"key": "team", "value": "web"}])
    lv = with_latest(live(), dict(task, tags=[{"key": "team", "value": "web"}, {"key": "owner", "value": "ops"}]))
    assert types(build_service_plan(desired(task=task), lv)) == [ActionType.REGISTER_TASK_DEFINITION, ActionType.UPDATE_SERVICE]
    ignoring = attrs.evolve(desired(task=task), ignore_tags=("owner",))
    assert types(build_service_plan(ignoring, lv)) == [ActionType.UPDATE_SERVICE]


def test_the_running_revision_is_never_reused_as_new():
    # The latest revision is the one the service runs: a changed definition registers.
    lv = attrs.evolve(live(), latest_revision=LiveTaskDefinition(arn=TD_ARN, definition=aws_task(with_image("nginx:1.27"))))
    assert types(build_service_plan(desired(task=with_image("nginx:1.27")), lv)) == [ActionType.REGISTER_TASK_DEFINITION, ActionType.UPDATE_SERVICE]


def test_code_deploy_deploys_the_reused_revision():
    lv = with_latest(cd_live(), with_image("nginx:1.27"))
    sp = build_service_plan(desired(task=with_image("nginx:1.27"), service=CD_SERVICE), lv)
    assert types(sp) == [ActionType.CREATE_DEPLOYMENT]
    assert sp.actions[0].task_definition == TaskDefinitionRef.known(LATEST)
    assert sp.actions[0].changes[0].after == reused(LATEST)
    check_plan(build_plan([(desired(task=with_image("nginx:1.27"), service=CD_SERVICE), lv)]))


def test_the_integrity_check_accepts_a_reuse_and_refuses_it_edited():
    plan = build_plan([(desired(task=with_image("nginx:1.27")), with_latest(live(), with_image("nginx:1.27")))])
    check_plan(plan)
    s = plan.services[0]
    other = TD_ARN.replace("web:3", "web:9")
    edited = attrs.evolve(s, actions=(attrs.evolve(s.actions[0], task_definition=TaskDefinitionRef.known(other)),))
    with pytest.raises(PlanError, match="first at taskDefinition"):
        check_plan(attrs.evolve(plan, services=(edited,)))


# ---- a deployment in progress ----------------------------------------------------------------


def rolling_in_progress(lv):
    desc = dict(lv.service.description, deployments=[{"id": "ecs-svc/2", "status": "PRIMARY", "taskDefinition": TD_ARN, "rolloutState": "IN_PROGRESS"}])
    return attrs.evolve(lv, service=attrs.evolve(lv.service, description=desc))


def test_an_unchanged_plan_says_a_deployment_is_in_progress_instead_of_a_bare_no_changes():
    from planner.plan import deployment_in_progress, in_progress_lines
    from planner.render.text import render

    plan = build_plan([(desired(), rolling_in_progress(live()))])
    assert not plan.has_changes
    assert in_progress_lines(plan) == ["prod/web: a deployment is in progress (ecs-svc/2): `ecsplan wait -c ecspresso.yml` follows it"]
    assert in_progress_lines(plan)[0] in render(plan)
    assert in_progress_lines(build_plan([(desired(), live())])) == []
    assert deployment_in_progress(live()) is None
    # A changed service: its plan shows the change, not the note (apply refuses it instead).
    assert in_progress_lines(build_plan([(desired(task=with_image("nginx:1.27")), rolling_in_progress(live()))])) == []


def test_code_deploy_and_native_deployments_in_progress_are_named():
    from planner.model import CodeDeployDeployment, ServiceDeploymentInfo
    from planner.plan import deployment_in_progress

    assert deployment_in_progress(attrs.evolve(cd_live(), active_deployment=CodeDeployDeployment(id="d-ABC", status="active"))) == "d-ABC"
    arn = "arn:aws:ecs:us-east-1:123456789012:service-deployment/prod/web/XYZ"
    assert deployment_in_progress(attrs.evolve(live(), service_deployment=ServiceDeploymentInfo(arn=arn, status="IN_PROGRESS"))) == "XYZ"


def test_the_refusal_spares_forced_rollback_and_unchanged_plans():
    from planner.execute import check_in_progress
    from planner.plan import Purpose

    busy = rolling_in_progress(live())
    changing = build_plan([(desired(task=with_image("nginx:1.27")), busy)])
    now = {busy.ref: busy}
    with pytest.raises(PlanError, match=r"a deployment is in progress: prod/web \(ecs-svc/2\); wait for it"):
        check_in_progress(changing, now, force=False)
    check_in_progress(changing, now, force=True)
    check_in_progress(attrs.evolve(changing, purpose=Purpose.ROLLBACK), now, force=False)
    check_in_progress(build_plan([(desired(), busy)]), now, force=False)  # nothing to change
    check_in_progress(changing, {busy.ref: live()}, force=False)  # finished since the plan


def test_the_note_names_the_services_own_config():
    from planner.plan import in_progress_lines

    plan = build_plan([(attrs.evolve(desired(), source="prod/ecspresso.yml"), rolling_in_progress(live()))])
    assert in_progress_lines(plan) == ["prod/web: a deployment is in progress (ecs-svc/2): `ecsplan wait -c prod/ecspresso.yml` follows it"]
