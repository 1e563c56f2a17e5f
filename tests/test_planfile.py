"""The plan-file codec on pure values: `load(save(plan)) == plan` for every action type, the
format version is checked, and a --format json document is not a plan file. No AWS."""

from __future__ import annotations

import json
import os
import stat

import attrs
import pytest

from planner import planfile
from planner.actions import (
    ACTION_CLASSES,
    ActionType,
    ContinueServiceDeployment,
    CreateDeployment,
    CreateService,
    DeregisterTaskDefinition,
    RegisterTaskDefinition,
    ResumeAutoscaling,
    StopDeployment,
    StopServiceDeployment,
    SuspendAutoscaling,
    TaskDefinitionRef,
    UpdateScalableTarget,
    UpdateService,
    details,
)
from planner.diff import Change
from planner.errors import PlanError
from planner.model import Controller, DeploymentGroupInfo, ServiceRef
from planner.plan import Plan, Purpose, ServicePlan

REF = ServiceRef(cluster="prod", service="web")
ARN = "arn:aws:ecs:us-east-1:123456789012:task-definition/web:3"
SPEC = {"version": 0.0, "Resources": [{"TargetService": {"Type": "AWS::ECS::Service", "Properties": {
    "TaskDefinition": "(known after apply)", "LoadBalancerInfo": {"ContainerName": "app", "ContainerPort": 80}}}}]}

EVERY_ACTION = [
    RegisterTaskDefinition(changes=[Change(path="containerDefinitions[app].image", before="nginx:1", after="nginx:2")],
                           definition={"family": "web", "containerDefinitions": [{"name": "app", "image": "nginx:2"}]}),
    CreateService(changes=[Change(path="desiredCount", before=None, after=2)],
                  definition={"cluster": "prod", "serviceName": "web", "desiredCount": 2}, task_definition=TaskDefinitionRef.registered()),
    SuspendAutoscaling(resource_id="service/prod/web"),
    UpdateScalableTarget(changes=[Change(path="autoscaling.minCapacity", before=1, after=3)], resource_id="service/prod/web",
                         min_capacity=3, max_capacity=4),
    UpdateService(changes=[Change(path="taskDefinition", before=ARN, after="(known after apply)")], cluster="prod", service="web",
                  service_arn="arn:aws:ecs:us-east-1:123456789012:service/prod/web", fields={"desiredCount": 3},
                  task_definition=TaskDefinitionRef.known(ARN), tags_add={"team": "web"}, tags_remove=("old",), starts_deployment=True),
    CreateDeployment(cluster="prod", service="web", application="AppECS-prod-web", deployment_group="DgpECS-prod-web",
                     deployment_config="CodeDeployDefault.ECSAllAtOnce", task_definition=TaskDefinitionRef.registered(), appspec=SPEC,
                     rollback_events=("DEPLOYMENT_FAILURE",)),
    StopDeployment(changes=[Change(path="codedeploy.deployment", before="d-1 (InProgress)", after="stopped, rolled back")],
                   cluster="prod", service="web", application="AppECS-prod-web", deployment_group="DgpECS-prod-web", deployment_id="d-1"),
    StopServiceDeployment(changes=[Change(path="serviceDeployment", before="sd-1 (IN_PROGRESS)", after="stopped, rolled back")], cluster="prod",
                          service="web", service_deployment_arn="arn:aws:ecs:us-east-1:123456789012:service-deployment/prod/web/sd-1"),
    ContinueServiceDeployment(changes=[Change(path="serviceDeployment.hooks[h-1]", before="AWAITING_ACTION at POST_TEST_TRAFFIC_SHIFT", after="CONTINUE")],
                              cluster="prod", service="web", service_deployment_arn="arn:aws:ecs:us-east-1:123456789012:service-deployment/prod/web/sd-1",
                              hook_id="h-1"),
    ResumeAutoscaling(resource_id="service/prod/web"),
    DeregisterTaskDefinition(changes=[Change(path="taskDefinition[web:3].status", before="ACTIVE", after="INACTIVE")],
                             cluster="prod", service="web", task_definition_arn=ARN),
]


def plan_of(*actions, purpose=Purpose.DEPLOY):
    service = ServicePlan(ref=REF, controller=Controller.CODE_DEPLOY, family="web", source="ecsplan.yml", actions=actions,
                          live_view={"exists": True, "taskDefinition": ARN, "tags": {"team": "web"}}, managed_keys=("desiredCount", "tags"),
                          codedeploy=DeploymentGroupInfo(application="AppECS-prod-web", group="DgpECS-prod-web"), timeout_seconds=600.0,
                          sensitive=("API_*",))
    return Plan(services=(service,), region="us-east-1", account="123456789012", tool_version="0.1.0", purpose=purpose)


def test_every_action_type_is_covered_here():
    assert {type(a) for a in EVERY_ACTION} == set(ACTION_CLASSES.values())
    assert [a.type for a in EVERY_ACTION] == list(ActionType)  # also DESIGN.md's order


@pytest.mark.parametrize("action", EVERY_ACTION, ids=lambda a: a.type.value)
def test_save_then_load_gives_the_same_plan(tmp_path, action):
    plan = plan_of(action)
    path = str(tmp_path / "p.plan")
    planfile.save(plan, path)
    assert planfile.load(path) == plan
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600  # unmasked values inside


def test_a_whole_rollback_plan_round_trips(tmp_path):
    plan = plan_of(*EVERY_ACTION, purpose=Purpose.ROLLBACK)
    path = str(tmp_path / "p.plan")
    planfile.save(plan, path)
    again = planfile.load(path)
    assert again == plan and again.purpose is Purpose.ROLLBACK
    assert again.services[0].fingerprint == plan.services[0].fingerprint


def test_a_registered_task_definition_is_written_as_known_after_apply():
    doc = planfile.to_document(plan_of(EVERY_ACTION[1]), include_payloads=True)
    (action,) = doc["services"][0]["actions"]
    assert action["payload"]["task_definition"] == {"arn": None}
    assert action["note"] == "service is missing"


def test_json_output_has_no_payloads_and_shows_derived_details():
    doc = planfile.to_document(plan_of(EVERY_ACTION[5]), include_payloads=False)
    (action,) = doc["services"][0]["actions"]
    assert "payload" not in action and "live_view" not in doc["services"][0]
    assert action["details"]["application"] == "AppECS-prod-web"
    assert action["details"]["auto_rollback_events"] == ["DEPLOYMENT_FAILURE"]
    assert doc["summary"]["create_deployment"] == 1 and doc["summary"]["text"] == "Plan: 1 blue/green deployment."


def _resealed(doc):
    """An edited document with its plan_id recomputed, as `ecsplan plan` would write it."""
    return json.dumps(dict(doc, plan_id=planfile.plan_id(planfile.from_document(doc, source="(test)"))))


def test_an_older_format_is_refused_with_what_to_do(tmp_path):
    doc = planfile.to_document(plan_of(EVERY_ACTION[0]), include_payloads=True)
    doc["format_version"] = 1
    path = tmp_path / "old.plan"
    path.write_text(json.dumps(doc))
    with pytest.raises(PlanError, match="format_version 1 is not 2 .*make the plan again with this version of ecsplan"):
        planfile.load(str(path))


def test_json_output_is_not_a_plan_file(tmp_path):
    path = tmp_path / "out.json"
    path.write_text(json.dumps(planfile.to_document(plan_of(EVERY_ACTION[0]), include_payloads=False)))
    with pytest.raises(PlanError, match="this is `--format json` output, not a plan file"):
        planfile.load(str(path))


@pytest.mark.parametrize("edit, words", [
    (lambda d: d["services"][0]["actions"][0].update(type="delete_everything"), "not a valid ecsplan plan file"),
    (lambda d: d["services"][0]["actions"][0]["payload"].pop("definition"), "not a valid ecsplan plan file"),
    (lambda d: d["services"][0].pop("family"), "not a valid ecsplan plan file (KeyError"),
])
def test_a_damaged_plan_file_is_refused(tmp_path, edit, words):
    doc = planfile.to_document(plan_of(EVERY_ACTION[0]), include_payloads=True)
    edit(doc)
    path = tmp_path / "bad.plan"
    path.write_text(json.dumps(doc))
    with pytest.raises(PlanError, match=words.replace("(", r"\(")):
        planfile.load(str(path))


def test_the_live_view_of_a_missing_service_says_so_and_fingerprints_ignore_key_order():
    from planner.model import LiveState
    from planner.plan import fingerprint, live_view

    assert live_view(LiveState(ref=REF, service=None, task_definition=None), ()) == {"exists": False, "taskDefinition": None}
    assert fingerprint({"a": 1, "b": [1, 2]}) == fingerprint({"b": (1, 2), "a": 1})
    assert fingerprint({"a": 1}) != fingerprint({"a": 2})


def test_a_field_added_later_within_format_2_takes_its_default_when_a_file_lacks_it(tmp_path):
    doc = planfile.to_document(plan_of(EVERY_ACTION[4]), include_payloads=True)
    del doc["services"][0]["actions"][0]["payload"]["force_new_deployment"]
    path = tmp_path / "older.plan"
    path.write_text(_resealed(doc))
    (action,) = planfile.load(str(path)).services[0].actions
    assert action.force_new_deployment is False and action.fields == {"desiredCount": 3}


def test_the_document_counts_changed_services_and_is_indented_for_review(tmp_path):
    doc = planfile.to_document(plan_of(EVERY_ACTION[0]), include_payloads=False)
    assert doc["summary"]["changed_services"] == 1
    path = tmp_path / "p.plan"
    planfile.save(plan_of(EVERY_ACTION[0]), str(path))
    assert path.read_text().startswith('{\n  "format_version": 2,\n  "tool_version": "0.1.0",')


def test_the_old_format_message_names_the_version_that_made_it(tmp_path):
    doc = planfile.to_document(plan_of(EVERY_ACTION[0]), include_payloads=True)
    doc.update(format_version=1, tool_version="0.0.9")
    path = tmp_path / "old.plan"
    path.write_text(json.dumps(doc))
    with pytest.raises(PlanError, match=r"made by ecsplan 0\.0\.9"):
        planfile.load(str(path))


def test_action_defaults_and_derived_text():
    update = UpdateService(cluster="c", service="s", service_arn="arn", fields={"desiredCount": 1}, task_definition=TaskDefinitionRef.known(ARN),
                           tags_remove=("old",))
    assert update.starts_deployment is False and update.force_new_deployment is False
    assert update.changed_fields() == ["taskDefinition", "desiredCount", "tags"]
    deploy = attrs.evolve(EVERY_ACTION[5], deployment_config=None)
    assert details(deploy)["deployment_config"] == "(the deployment group's)"
    assert details(EVERY_ACTION[5])["deployment_config"] == "CodeDeployDefault.ECSAllAtOnce"
    assert str(TaskDefinitionRef.registered()) == "(known after apply)" and str(TaskDefinitionRef.known(ARN)) == ARN
    with pytest.raises(PlanError, match="none was registered"):
        TaskDefinitionRef.registered().resolve(None)


def test_frozen_values_hash_by_content_and_refuse_changes():
    from planner.frozen import FrozenDict, freeze, thaw

    a, b = freeze({"x": [1, {"y": 2}]}), freeze({"x": [1, {"y": 2}]})
    assert hash(a) == hash(b) == hash(a) and a == b and {a: 1}[b] == 1
    assert thaw(a) == {"x": [1, {"y": 2}]} and isinstance(a["x"], tuple) and isinstance(a["x"][1], FrozenDict)
    with pytest.raises(TypeError):
        a["x"] = 3  # type: ignore[index]


def test_secret_values_go_only_into_plan_files_and_older_files_load_without_them(tmp_path):
    plan = plan_of(EVERY_ACTION[0])
    secret = attrs.evolve(plan, services=(attrs.evolve(plan.services[0], secret_values=("s3cr3t",)),))
    assert "secret_values" not in planfile.to_document(secret, include_payloads=False)["services"][0]
    assert planfile.to_document(secret, include_payloads=True)["services"][0]["secret_values"] == ["s3cr3t"]
    assert "secret_values" not in planfile.to_document(plan, include_payloads=True)["services"][0]
    doc = planfile.to_document(plan, include_payloads=True)
    doc["services"][0].pop("deployment_configuration", None)
    path = tmp_path / "older.plan"
    path.write_text(_resealed(doc))
    assert planfile.load(str(path)).services[0].deployment_configuration == {}


def test_ignored_tags_travel_only_in_plan_files():
    plan = plan_of(EVERY_ACTION[0])
    ignoring = attrs.evolve(plan, services=(attrs.evolve(plan.services[0], ignore_tags=("owner",)),))
    assert "ignore_tags" not in planfile.to_document(ignoring, include_payloads=False)["services"][0]
    assert planfile.to_document(ignoring, include_payloads=True)["services"][0]["ignore_tags"] == ["owner"]


def test_the_live_values_compared_travel_only_in_plan_files():
    plan = plan_of(EVERY_ACTION[0])
    comparing = attrs.evolve(plan, services=(attrs.evolve(plan.services[0], compared={"desiredCount": 2}),))
    assert "compared" not in planfile.to_document(comparing, include_payloads=False)["services"][0]
    assert planfile.to_document(comparing, include_payloads=True)["services"][0]["compared"] == {"desiredCount": 2}


def test_the_plan_id_does_not_depend_on_key_order():
    plan = plan_of(EVERY_ACTION[0])
    doc = planfile.to_document(plan, include_payloads=True)
    assert planfile._digest(dict(reversed(list(doc.items())))) == planfile._digest(doc)


def test_the_plan_id_covers_every_payload_and_survives_the_file(tmp_path):
    plan = attrs.evolve(plan_of(*EVERY_ACTION), commit="3f2c1e0")
    identity = planfile.plan_id(plan)
    assert len(identity) == 64 and planfile.short_id(identity) == identity[:12]
    path = str(tmp_path / "p.plan")
    planfile.save(plan, path)
    saved = json.loads(open(path).read())
    assert saved["plan_id"] == identity == planfile.to_document(plan, include_payloads=False)["plan_id"]
    again = planfile.load(path)
    assert again.commit == "3f2c1e0" and planfile.plan_id(again) == identity
    # Only a payload differs (what apply sends, not what the plan shows): another id.
    register = EVERY_ACTION[0]
    evil = attrs.evolve(register, definition={**register.definition, "containerDefinitions": [{"name": "app", "image": "evil:latest"}]})
    assert planfile.plan_id(plan_of(evil, *EVERY_ACTION[1:])) != planfile.plan_id(plan_of(*EVERY_ACTION))
    assert planfile.plan_id(attrs.evolve(plan, commit=None)) != identity


def test_a_plan_file_over_the_size_limit_is_refused_before_it_is_read(tmp_path, monkeypatch):
    path = tmp_path / "huge.json"
    path.write_text(" " * 2048)
    monkeypatch.setattr(planfile, "MAX_PLAN_BYTES", 1024)
    with pytest.raises(PlanError, match=r"huge.json: is 2048 bytes, over the 1024 bytes \(64 MiB\) ecsplan reads as a plan file"):
        planfile.load(str(path))
    monkeypatch.setattr(planfile, "MAX_PLAN_BYTES", 2048)  # at the limit: read (and refused as JSON)
    with pytest.raises(PlanError, match="invalid JSON"):
        planfile.load(str(path))


def test_the_plan_file_depth_limit_is_exact(tmp_path):
    at_limit, over = tmp_path / "200.json", tmp_path / "201.json"
    at_limit.write_text("[" * 200 + "]" * 200)
    over.write_text("[" * 201 + "]" * 201)
    with pytest.raises(PlanError, match="top level is not an object"):  # read, then refused as a plan
        planfile.load(str(at_limit))
    with pytest.raises(PlanError, match="nested deeper than 200 levels"):
        planfile.load(str(over))


def test_nesting_is_measured_exactly():
    assert not planfile._too_deep({"a": [[1]]}, 3) and planfile._too_deep({"a": [[[1]]]}, 3)
    assert not planfile._too_deep("scalar", 0) and planfile._too_deep([], 0)
