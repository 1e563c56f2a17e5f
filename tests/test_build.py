"""The pure planner: named before/after states in, the ordered list of action types out
(Django's autodetector tests). No AWS at all."""

import copy

import attrs
import pytest

from planner.actions import KNOWN_AFTER_APPLY, ActionType, TaskDefinitionRef
from planner.build import build_plan, build_service_plan
from planner.diff import Change
from planner.errors import ConfigError
from planner.model import DesiredService, LiveState, ServiceRef
from planner.plan import summary_line
from tests.factories import CD_SERVICE, SERVICE, TD_ARN, cd_live, desired, live, types, with_image


def test_unchanged_service_plans_clean():
    sp = build_service_plan(desired(), live())
    assert types(sp) == [] and sp.blocked == ()
    assert summary_line(build_plan([(desired(), live())])).startswith("No changes")


def test_new_image_registers_then_updates_the_service():
    sp = build_service_plan(desired(task=with_image("nginx:1.27")), live())
    assert types(sp) == [ActionType.REGISTER_TASK_DEFINITION, ActionType.UPDATE_SERVICE]
    reg, upd = sp.actions
    assert [(c.path, c.before, c.after) for c in reg.changes] == [("containerDefinitions[app].image", "nginx:1.25", "nginx:1.27")]
    assert [(c.path, c.before, c.after) for c in upd.changes] == [("taskDefinition", TD_ARN, KNOWN_AFTER_APPLY)]
    assert upd.task_definition == TaskDefinitionRef.registered()
    assert upd.starts_deployment is True
    assert reg.definition["containerDefinitions"][0]["image"] == "nginx:1.27"
    assert reg.note == "new revision of web (known after apply)"


def test_desired_count_only_is_an_in_place_update():
    sd = dict(SERVICE, desiredCount=3)
    sp = build_service_plan(desired(service=sd), live())
    assert types(sp) == [ActionType.UPDATE_SERVICE]
    (upd,) = sp.actions
    assert [(c.path, c.before, c.after) for c in upd.changes] == [("desiredCount", 2, 3)]
    assert upd.fields == {"desiredCount": 3} and upd.task_definition is None
    assert upd.starts_deployment is False
    assert upd.note == "in place, no new deployment"


def test_undeclared_desired_count_is_not_managed():
    sd = {k: v for k, v in SERVICE.items() if k != "desiredCount"}
    lv = live()
    lv.service.description["desiredCount"] = 7  # auto scaling moved it (kayac/ecspresso#274)
    assert types(build_service_plan(desired(service=sd), lv)) == []


def test_missing_service_is_created_with_a_new_task_definition_family():
    sp = build_service_plan(desired(), live(task=None, exists=False))
    assert types(sp) == [ActionType.REGISTER_TASK_DEFINITION, ActionType.CREATE_SERVICE]
    register, create = sp.actions
    assert register.first_revision and register.note == "first revision of family web"
    assert create.definition["serviceName"] == "web" and create.definition["cluster"] == "prod"
    assert create.definition["desiredCount"] == 2
    assert create.task_definition.is_registered
    assert create.changes[-1] == Change(path="taskDefinition", before=None, after=KNOWN_AFTER_APPLY)


def test_missing_service_reuses_an_identical_latest_revision():
    sp = build_service_plan(desired(), live(exists=False))
    assert types(sp) == [ActionType.CREATE_SERVICE]
    assert sp.actions[0].task_definition == TaskDefinitionRef.known(TD_ARN)
    assert sp.actions[0].request(TD_ARN)["taskDefinition"] == TD_ARN


@pytest.mark.parametrize(
    "field, value, path",
    [
        ("launchType", "EC2", "launchType"),
        ("schedulingStrategy", "DAEMON", "schedulingStrategy"),
        ("deploymentController", {"type": "CODE_DEPLOY"}, "deploymentController"),
        ("serviceName", "web2", "serviceName"),
    ],
)
def test_changes_update_service_cannot_make_are_blocked(field, value, path):
    sd = dict(SERVICE, **{field: value})
    sp = build_service_plan(desired(service=sd), live())
    assert [b.path for b in sp.blocked] == [path]
    assert "cannot" in sp.blocked[0].reason


def test_network_change_starts_a_deployment_and_tags_go_through_tag_resource():
    sd = copy.deepcopy(SERVICE)
    sd["networkConfiguration"]["awsvpcConfiguration"]["securityGroups"] = ["sg-2"]
    sd["tags"] = [{"key": "team", "value": "api"}, {"key": "cost", "value": "42"}]
    sp = build_service_plan(desired(service=sd), live())
    (upd,) = sp.actions
    assert [c.path for c in upd.changes] == [
        "networkConfiguration.awsvpcConfiguration.securityGroups", "tags[cost]", "tags[team]"]
    assert upd.starts_deployment is True
    assert "tags" not in upd.fields
    assert upd.tags_add == {"cost": "42", "team": "api"}
    assert upd.tags_remove == ()
    assert upd.changed_fields() == ["networkConfiguration", "tags"]


def test_code_deploy_new_image_goes_through_a_deployment_never_update_service():
    sp = build_service_plan(desired(task=with_image("nginx:1.27"), service=CD_SERVICE), cd_live())
    assert types(sp) == [ActionType.REGISTER_TASK_DEFINITION, ActionType.CREATE_DEPLOYMENT]
    deploy = sp.actions[1]
    assert (deploy.application, deploy.deployment_group) == ("AppECS-prod-web", "DgpECS-prod-web")
    assert deploy.task_definition.is_registered
    props = deploy.appspec["Resources"][0]["TargetService"]["Properties"]
    assert props["TaskDefinition"] == KNOWN_AFTER_APPLY
    assert deploy.appspec_for(TD_ARN)["Resources"][0]["TargetService"]["Properties"]["TaskDefinition"] == TD_ARN
    assert props["LoadBalancerInfo"] == {"ContainerName": "app", "ContainerPort": 80}
    assert props["NetworkConfiguration"]["AwsvpcConfiguration"]["Subnets"] == ("subnet-b", "subnet-a")


def test_code_deploy_swapped_target_group_is_not_a_change():
    assert types(build_service_plan(desired(service=CD_SERVICE), cd_live(target_group="tg-green"))) == []


@pytest.mark.parametrize(
    "change, update_fields, deploy_paths",
    [
        ({"desiredCount": 5}, {"desiredCount"}, None),
        ({"healthCheckGracePeriodSeconds": 60}, {"healthCheckGracePeriodSeconds"}, None),
        ({"platformVersion": "1.4.0"}, None, ["platformVersion"]),
        ({"networkConfiguration": {"awsvpcConfiguration": {"subnets": ["subnet-c"], "securityGroups": ["sg-1"]}}},
         None, ["networkConfiguration.awsvpcConfiguration.subnets"]),
        ({"loadBalancers": [{"targetGroupArn": "tg-blue", "containerName": "app", "containerPort": 8080}]},
         None, ["loadBalancers[app:80]", "loadBalancers[app:8080]"]),
    ],
)
def test_code_deploy_routes_each_field_to_update_service_or_the_appspec(change, update_fields, deploy_paths):
    sp = build_service_plan(desired(service=dict(CD_SERVICE, **change)), cd_live())
    upd, dep = sp.action(ActionType.UPDATE_SERVICE), sp.action(ActionType.CREATE_DEPLOYMENT)
    if update_fields:
        assert set(upd.fields) == update_fields and dep is None
    else:
        assert upd is None and [c.path for c in dep.changes] == deploy_paths


def test_suspend_and_resume_wrap_the_deployment_only_when_asked():
    from planner.model import PlanOptions

    opts = PlanOptions(suspend_autoscaling=True, rollback_events=("DEPLOYMENT_FAILURE",))
    sp = build_service_plan(desired(task=with_image("nginx:1.27"), service=dict(CD_SERVICE, desiredCount=3)), cd_live(), opts)
    assert types(sp) == [ActionType.REGISTER_TASK_DEFINITION, ActionType.SUSPEND_AUTOSCALING, ActionType.UPDATE_SERVICE,
                         ActionType.CREATE_DEPLOYMENT, ActionType.RESUME_AUTOSCALING]
    assert sp.action(ActionType.CREATE_DEPLOYMENT).rollback_events == ("DEPLOYMENT_FAILURE",)
    assert sp.action(ActionType.SUSPEND_AUTOSCALING).resource_id == "service/prod/web"
    # nothing deploys: nothing to suspend
    assert types(build_service_plan(desired(service=dict(SERVICE, desiredCount=3)), live(), opts)) == [ActionType.UPDATE_SERVICE]


def test_code_deploy_without_load_balancer_is_a_config_error():
    from planner.errors import ConfigError

    no_lb = dict(SERVICE, deploymentController={"type": "CODE_DEPLOY"})
    with pytest.raises(ConfigError, match="loadBalancers"):
        build_service_plan(desired(task=with_image("nginx:1.27"), service=no_lb), live(service=no_lb, controller="CODE_DEPLOY"))


def test_plan_orders_services_and_counts_actions():
    other = ServiceRef(cluster="prod", service="api")
    d2 = DesiredService(ref=other, source="b.yml", region=None, task_definition=with_image("nginx:1.27"), service_definition=SERVICE)
    l2 = LiveState(ref=other, service=live().service, task_definition=live().task_definition)
    plan = build_plan([(desired(), live()), (d2, l2)])
    assert [s.ref.service for s in plan.services] == ["api", "web"]
    assert summary_line(plan) == "Plan: 1 to register, 1 to update."


def test_code_deploy_deployment_without_a_group_says_why_the_reader_found_none():
    with pytest.raises(ConfigError, match="no CodeDeploy deployment group deploys service web"):
        build_service_plan(desired(task=with_image("nginx:1.27"), service=CD_SERVICE), cd_live(group=None))
    # nothing to deploy: the group is not needed
    assert types(build_service_plan(desired(service=CD_SERVICE), cd_live(group=None))) == []


def test_actions_are_deeply_immutable():
    sp = build_service_plan(desired(task=with_image("nginx:1.27")), live())
    reg = sp.actions[0]
    with pytest.raises(TypeError):
        reg.definition["family"] = "other"  # type: ignore[index]
    with pytest.raises(AttributeError):
        reg.definition["containerDefinitions"][0].append({})  # a tuple of frozen mappings
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        reg.first_revision = True
