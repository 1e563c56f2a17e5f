"""The plan applied is the plan reviewed (planner/integrity.py), on plan values: an edited payload,
with or without its plan_id recomputed, a payload naming another service or family, an id
changed. No AWS."""

from __future__ import annotations

import json

import attrs
import pytest

from planner import planfile
from planner.actions import ActionType
from planner.build import build_plan
from planner.errors import PlanError
from planner.frozen import thaw
from planner.integrity import check_changes, check_expected_id, check_plan, check_plan_id, check_targets
from planner.model import PlanOptions, ScalableTarget
from tests.factories import SERVICE, TASK, desired, live, with_image

TAGGED = dict(SERVICE, desiredCount=3, tags=[{"key": "team", "value": "web"}])


def made(task=None, service=None, options=PlanOptions(), *, exists=True, target=None):
    d = desired(task=task or with_image("nginx:1.27"), service=service or dict(SERVICE))
    state = attrs.evolve(live() if exists else live(task=None, exists=False), scalable_target=target)
    return build_plan([(d, state)], region="us-east-1", account="123456789012", options=options)


def edited(plan, type_, **fields):
    """The plan with one action's payload fields replaced (its shown changes kept)."""
    s = plan.services[0]
    actions = tuple(attrs.evolve(a, **fields) if a.TYPE is type_ else a for a in s.actions)
    return attrs.evolve(plan, services=(attrs.evolve(s, actions=actions),))


def evil_definition(plan):
    (reg,) = [a for a in plan.services[0].actions if a.TYPE is ActionType.REGISTER_TASK_DEFINITION]
    td = thaw(reg.definition)
    td["containerDefinitions"][0].update(image="evil.example.com/miner:latest", privileged=True)
    return td


def test_the_planners_own_plans_pass_every_check():
    for plan in (
        made(),
        made(service=TAGGED),
        made(service=dict(SERVICE, desiredCount=5), options=PlanOptions(force_new_deployment=True)),
        made(task=TASK, options=PlanOptions(force_new_deployment=True)),
        made(exists=False),
    ):
        assert plan.has_changes
        check_plan(plan)


def test_a_payload_edited_after_review_is_refused_even_with_its_id_recomputed(tmp_path):
    plan = made()
    tampered = edited(plan, ActionType.REGISTER_TASK_DEFINITION, definition=evil_definition(plan))
    # The attacker recomputes the id: the file loads...
    path = str(tmp_path / "p.plan")
    planfile.save(tampered, path)
    loaded = planfile.load(path)
    # ...but the changes shown no longer follow from the payload.
    with pytest.raises(PlanError) as err:
        check_changes(loaded)
    assert "prod/web: register_task_definition: the payload does not give the changes shown, first at containerDefinitions[app].image" in str(err.value)
    assert "nothing was applied" in str(err.value)


def test_a_payload_edited_without_recomputing_the_id_is_refused_at_load(tmp_path):
    plan = made()
    doc = planfile.to_document(plan, include_payloads=True)
    doc["services"][0]["actions"][0]["payload"]["definition"]["containerDefinitions"][0]["image"] = "evil.example.com/miner:latest"
    path = tmp_path / "p.plan"
    path.write_text(json.dumps(doc))
    with pytest.raises(PlanError, match=r"p\.plan: the plan's content does not match its plan_id \(plan_id [0-9a-f]{12}, content [0-9a-f]{12}\): "
                       r"it was edited after `ecsplan plan` made it; make the plan again"):
        planfile.load(str(path))
    doc.pop("plan_id")
    path.write_text(json.dumps(doc))
    with pytest.raises(PlanError, match=r"\(no plan_id, content"):
        planfile.load(str(path))


def test_an_edited_id_is_refused_and_an_untouched_file_loads(tmp_path):
    path = str(tmp_path / "p.plan")
    planfile.save(made(), path)
    assert planfile.load(path) == made()
    doc = json.loads(open(path).read())
    doc["plan_id"] = "0" * 64
    open(path, "w").write(json.dumps(doc))
    with pytest.raises(PlanError, match="plan_id 000000000000"):
        planfile.load(path)


def test_an_update_sent_to_another_service_is_refused():
    plan = made(service=dict(SERVICE, desiredCount=3))
    with pytest.raises(PlanError) as err:
        check_targets(edited(plan, ActionType.UPDATE_SERVICE, service="payments"))
    assert "prod/web: update_service cluster/service is prod/payments, not prod/web" in str(err.value)
    with pytest.raises(PlanError, match="update_service service_arn is other/web, not prod/web"):
        check_targets(edited(plan, ActionType.UPDATE_SERVICE, service_arn="arn:aws:ecs:us-east-1:123456789012:service/other/web"))
    with pytest.raises(PlanError, match="update_service cluster/service is staging/web"):
        check_plan(edited(plan, ActionType.UPDATE_SERVICE, cluster="staging"))


def test_a_task_definition_of_another_family_is_refused():
    plan = made()
    td = evil_definition(plan)
    td["family"] = "payments"
    with pytest.raises(PlanError, match="prod/web: register_task_definition registers family 'payments', not the plan's 'web'"):
        check_targets(edited(plan, ActionType.REGISTER_TASK_DEFINITION, definition=td))


def test_autoscaling_resource_ids_must_name_the_service():
    plan = made(service=dict(SERVICE, desiredCount=3), options=PlanOptions(suspend_autoscaling=True))
    with pytest.raises(PlanError, match="suspend_autoscaling resource_id is prod/other, not prod/web"):
        check_targets(edited(plan, ActionType.SUSPEND_AUTOSCALING, resource_id="service/prod/other"))


def test_an_update_field_edited_is_refused_with_its_path():
    plan = made(service=dict(SERVICE, desiredCount=3))
    with pytest.raises(PlanError, match="prod/web: update_service: the payload does not give the changes shown, first at desiredCount"):
        check_changes(edited(plan, ActionType.UPDATE_SERVICE, fields={"desiredCount": 0}))
    with pytest.raises(PlanError, match=r"first at desiredCount \(recomputed: deploymentConfiguration"):
        check_changes(edited(plan, ActionType.UPDATE_SERVICE, fields={
            "desiredCount": 3, "deploymentConfiguration": {"minimumHealthyPercent": 0, "maximumPercent": 200}}))


def test_tags_and_forced_deployments_are_recomputed_too():
    plan = made(service=TAGGED)
    with pytest.raises(PlanError, match="update_service"):
        check_changes(edited(plan, ActionType.UPDATE_SERVICE, tags_add={"team": "evil"}))
    restart = made(task=TASK, options=PlanOptions(force_new_deployment=True))
    with pytest.raises(PlanError, match="update_service"):
        check_changes(edited(restart, ActionType.UPDATE_SERVICE, fields={"desiredCount": 9}))


def test_a_plan_file_without_the_compared_revision_is_refused():
    plan = made()
    s = plan.services[0]
    with pytest.raises(PlanError, match="does not carry the task definition it was compared with"):
        check_changes(attrs.evolve(plan, services=(attrs.evolve(s, compared={}),)))


def test_scalable_target_changes_follow_from_the_payload():
    plan = made(options=PlanOptions(autoscaling_max=8), target=ScalableTarget(min_capacity=1, max_capacity=4))
    check_changes(plan)
    with pytest.raises(PlanError, match="update_scalable_target"):
        check_changes(edited(plan, ActionType.UPDATE_SCALABLE_TARGET, max_capacity=80))


def test_the_reviewed_id_is_a_prefix_of_at_least_12_characters():
    identity = "9b1d5e0c7a42" + "0" * 52
    check_expected_id(identity, "9b1d5e0c7a42", "p.plan")
    check_expected_id(identity, identity.upper(), "p.plan")
    with pytest.raises(PlanError, match=r"p\.plan: the plan's id is 9b1d5e0c7a42, not the reviewed 111111111111 \(--plan-id\); nothing was applied"):
        check_expected_id(identity, "111111111111", "p.plan")
    with pytest.raises(PlanError, match="at least its first 12 characters"):
        check_expected_id(identity, "9b1d5", "p.plan")
    check_plan_id(identity, identity, "p.plan")


def _one(action):
    from tests.test_planfile import plan_of

    return plan_of(action)


def test_actions_whose_changes_name_their_payload():
    from tests.test_planfile import EVERY_ACTION

    for action in EVERY_ACTION[5:]:  # create_deployment, stop*, continue, resume, deregister
        check_changes(_one(action))
    create, stop, stop_sd, cont, _resume, dereg = EVERY_ACTION[5:]
    other = "arn:aws:ecs:us-east-1:123456789012:task-definition/web:9"
    cases = [
        (attrs.evolve(create, task_definition=create.task_definition.known(other),
                      changes=[attrs.evolve(stop.changes[0], path="taskDefinition", after="(known after apply)")]), "create_deployment", "taskDefinition"),
        (attrs.evolve(stop, deployment_id="d-2"), "stop_deployment", "codedeploy.deployment"),
        (attrs.evolve(stop_sd, service_deployment_arn=stop_sd.service_deployment_arn.replace("sd-1", "sd-2")), "stop_service_deployment", "serviceDeployment"),
        (attrs.evolve(cont, action="ROLLBACK"), "continue_service_deployment", "serviceDeployment.hooks[h-1]"),
        (attrs.evolve(cont, hook_id="h-2"), "continue_service_deployment", "serviceDeployment.hooks[h-1]"),
        (attrs.evolve(dereg, task_definition_arn=other), "deregister_task_definition", "taskDefinition[web:3].status"),
        (attrs.evolve(dereg, changes=()), "deregister_task_definition", "(no change shown)"),
    ]
    for action, label, where in cases:
        with pytest.raises(PlanError) as err:
            check_changes(_one(action))
        assert f"prod/web: {label}: the payload does not give the changes shown, first at {where}\n" in str(err.value)


def test_a_new_service_may_add_the_cluster_and_a_zero_count_but_nothing_else():
    plan = made(exists=False)
    (create,) = [a for a in plan.services[0].actions if a.TYPE is ActionType.CREATE_SERVICE]
    assert create.definition["cluster"] == "prod" and "cluster" not in [c.path for c in create.changes]
    check_changes(plan)
    moved = dict(thaw(create.definition), cluster="other")
    with pytest.raises(PlanError, match=r"create_service: .* first at cluster \(not in the payload\)|create_service: .*cluster"):
        check_changes(edited(plan, ActionType.CREATE_SERVICE, definition=moved))
    with pytest.raises(PlanError, match=r"create_service: .*first at desiredCount"):
        check_changes(edited(plan, ActionType.CREATE_SERVICE, definition=dict(thaw(create.definition), desiredCount=0)))


def test_a_restart_shows_what_it_restarts():
    restart = made(task=TASK, options=PlanOptions(force_new_deployment=True))
    (update,) = restart.services[0].actions
    assert [c.path for c in update.changes] == ["restart"]
    with pytest.raises(PlanError, match="first at restart"):
        check_changes(edited(restart, ActionType.UPDATE_SERVICE, changes=[attrs.evolve(update.changes[0], after="web:1")]))
    # A deployment started anyway (a new revision): no restart line; one added is refused.
    new = made(options=PlanOptions(force_new_deployment=True))
    check_changes(new)
    (upd,) = [a for a in new.services[0].actions if a.TYPE is ActionType.UPDATE_SERVICE]
    with pytest.raises(PlanError, match=r"first at taskDefinition \(recomputed: restart\)|restart"):
        check_changes(edited(new, ActionType.UPDATE_SERVICE, task_definition=None, changes=upd.changes))


def test_a_shown_change_missing_or_extra_is_named():
    plan = made(task=TASK, service=dict(SERVICE, desiredCount=3))
    (update,) = plan.services[0].actions
    with pytest.raises(PlanError, match=r"first at desiredCount \(not shown\)"):
        check_changes(edited(plan, ActionType.UPDATE_SERVICE, changes=()))
    extra = [*update.changes, attrs.evolve(update.changes[0], path="propagateTags")]
    with pytest.raises(PlanError, match=r"first at propagateTags \(not in the payload\)"):
        check_changes(edited(plan, ActionType.UPDATE_SERVICE, changes=extra))


def test_tags_removed_are_recomputed_from_the_saved_live_tags():
    tagged_live = dict(SERVICE, tags=[{"key": "team", "value": "web"}, {"key": "old", "value": "x"}])
    d = desired(task=TASK, service=dict(SERVICE, tags=[{"key": "team", "value": "web"}]))
    plan = build_plan([(d, live(service=tagged_live))])
    check_changes(plan)
    with pytest.raises(PlanError, match="update_service"):
        check_changes(edited(plan, ActionType.UPDATE_SERVICE, tags_remove=("team",)))


def test_no_restart_line_when_the_update_starts_a_deployment_anyway():
    nc = {"awsvpcConfiguration": {"subnets": ["subnet-9"], "securityGroups": ["sg-1"], "assignPublicIp": "DISABLED"}}
    cps = [{"capacityProvider": "FARGATE_SPOT", "weight": 1, "base": 0}]
    for changed in ({"networkConfiguration": nc}, {"capacityProviderStrategy": cps}):
        # capacity providers replace the launch type (AWS refuses both: planner/semantic.py)
        base = {k: v for k, v in SERVICE.items() if not (k == "launchType" and "capacityProviderStrategy" in changed)}
        plan = made(task=TASK, service=dict(base, **changed), options=PlanOptions(force_new_deployment=True))
        (update,) = plan.services[0].actions
        assert "restart" not in [c.path for c in update.changes] and update.force_new_deployment
        check_changes(plan)
