"""The pure planner: named before/after states in, the ordered list of action types out
(Django's autodetector tests). No AWS at all."""

import copy

import attrs
import pytest

from planner.actions import KNOWN_AFTER_APPLY, ActionType, TaskDefinitionRef
from planner.build import build_plan, build_service_plan
from planner.diff import Change
from planner.errors import ConfigError
from planner.model import DesiredService, LiveState, PlanOptions, ScalableTarget, ServiceRef
from planner.plan import summary_line
from tests.factories import CD_SERVICE, SERVICE, TASK, TD_ARN, cd_live, desired, live, types, with_image


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
        ("launchType", "FARGATE", "launchType"),
        ("schedulingStrategy", "DAEMON", "schedulingStrategy"),
        ("deploymentController", {"type": "CODE_DEPLOY"}, "deploymentController"),
        ("serviceName", "web2", "serviceName"),
    ],
)
def test_changes_update_service_cannot_make_are_blocked(field, value, path):
    # Valid definitions otherwise (planner/semantic.py refuses DAEMON on Fargate and a
    # CODE_DEPLOY service without a load balancer): an EC2 service, with a target group.
    base = dict(SERVICE, launchType="EC2", loadBalancers=[{"targetGroupArn": "arn:tg", "containerName": "app", "containerPort": 80}])
    task = {k: v for k, v in TASK.items() if k != "requiresCompatibilities"}
    sd = dict(base, **{field: value})
    sp = build_service_plan(desired(task=task, service=sd), live(task=task, service=base))
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
    # A load balancer must name a port the container maps (planner/semantic.py): both tasks map 8080 too.
    task = copy.deepcopy(TASK)
    task["containerDefinitions"][0]["portMappings"] = [{"containerPort": 80}, {"containerPort": 8080}]
    lv = attrs.evolve(cd_live(), task_definition=live(task=task).task_definition)
    sp = build_service_plan(desired(task=task, service=dict(CD_SERVICE, **change)), lv)
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


# ---------------------------------------------------------------------------------------------
# Rules pinned one by one (each was a surviving mutant of planner/build.py).

def test_an_undeclared_launch_type_is_not_compared_but_the_controller_always_is():
    lv = live()
    lv.service.description["launchType"] = "EC2"
    sd = {k: v for k, v in SERVICE.items() if k != "launchType"}
    assert build_service_plan(desired(service=sd), lv).blocked == ()
    cd = live(controller="CODE_DEPLOY")  # the file declares no controller: ECS is the default
    assert [b.path for b in build_service_plan(desired(), cd).blocked] == ["deploymentController"]


def test_moving_from_a_launch_type_to_capacity_providers_is_not_blocked():
    sd = {k: v for k, v in SERVICE.items() if k != "launchType"}
    sd["capacityProviderStrategy"] = [{"capacityProvider": "FARGATE_SPOT", "weight": 1}]
    sp = build_service_plan(desired(service=sd), live())
    assert sp.blocked == ()
    (update,) = sp.actions
    assert update.force_new_deployment and update.starts_deployment
    assert update.request(None)["forceNewDeployment"] is True
    # declaring both the launch type and a strategy: AWS refuses it (planner/semantic.py)
    both = dict(sd, launchType="EC2")
    with pytest.raises(ConfigError, match="capacityProviderStrategy: cannot be given with launchType EC2"):
        build_service_plan(desired(service=both), live())


@pytest.mark.parametrize("have, want, blocked", [
    ("arn:aws:iam::123456789012:role/ecsServiceRole", "ecsServiceRole", []),
    ("arn:aws:iam::123456789012:role/ecsServiceRole", "arn:aws:iam::123456789012:role/ecsServiceRole", []),
    ("arn:aws:iam::123456789012:role/ecsServiceRole", "otherRole", ["role"]),
])
def test_a_role_named_by_name_or_arn_is_the_same_role(have, want, blocked):
    lv = live()
    lv.service.description["roleArn"] = have
    assert [b.path for b in build_service_plan(desired(service=dict(SERVICE, role=want)), lv).blocked] == blocked


def test_a_new_service_gets_desired_count_zero_unless_declared_and_none_for_daemons():
    undeclared = {k: v for k, v in SERVICE.items() if k != "desiredCount"}
    create = build_service_plan(desired(service=undeclared), live(exists=False)).actions[-1]
    assert create.definition["desiredCount"] == 0
    daemon = dict(undeclared, schedulingStrategy="DAEMON", launchType="EC2")
    create = build_service_plan(desired(service=daemon), live(exists=False)).actions[-1]
    assert "desiredCount" not in create.definition


def test_tags_are_added_to_a_service_that_has_none():
    lv = live()
    del lv.service.description["tags"]
    (update,) = build_service_plan(desired(), lv).actions
    assert update.tags_add == {"team": "web"} and update.tags_remove == ()


def test_new_things_are_shown_as_written_without_aws_defaults():
    register, create = build_service_plan(desired(service=dict(SERVICE, serviceName="web")), live(task=None, exists=False)).actions
    container = {c.path: c.after for c in register.changes}["containerDefinitions[app]"]
    assert container["image"] == "nginx:1.25"
    assert "essential" not in container and "cpu" not in container  # AWS's defaults, not written
    create_paths = [c.path for c in create.changes]
    assert "desiredCount" in create_paths and "serviceName" not in create_paths
    assert not any(p.startswith(("schedulingStrategy", "propagateTags", "enableExecuteCommand")) for p in create_paths)


def test_a_missing_service_whose_family_differs_uses_the_revision_the_plan_registers():
    register, create = build_service_plan(desired(task=with_image("nginx:1.27")), live(exists=False)).actions
    assert register.type is ActionType.REGISTER_TASK_DEFINITION and not register.first_revision
    assert create.task_definition.is_registered


def test_the_task_definition_change_comes_first_in_update_and_deployment():
    sp = build_service_plan(desired(task=with_image("nginx:1.27"), service=dict(SERVICE, desiredCount=5, platformVersion="1.4.0")), live())
    assert [c.path for c in sp.actions[1].changes][:2] == ["taskDefinition", "desiredCount"]
    cd = build_service_plan(desired(task=with_image("nginx:1.27"), service=dict(CD_SERVICE, platformVersion="1.4.0")), cd_live())
    deploy = cd.action(ActionType.CREATE_DEPLOYMENT)
    assert [c.path for c in deploy.changes] == ["taskDefinition", "platformVersion"]


def test_a_declared_deployment_configuration_is_sent_whole_with_the_defaults_it_leaves_out():
    sd = dict(SERVICE, deploymentConfiguration={"minimumHealthyPercent": 50})
    (update,) = build_service_plan(desired(service=sd), live()).actions
    assert update.fields["deploymentConfiguration"] == {
        "minimumHealthyPercent": 50, "maximumPercent": 200, "strategy": "ROLLING",
        "deploymentCircuitBreaker": {"enable": False, "rollback": False},
        "alarms": {"alarmNames": (), "enable": False, "rollback": False},
    }
    cd = dict(CD_SERVICE, deploymentConfiguration={"minimumHealthyPercent": 50})
    update = build_service_plan(desired(service=cd), cd_live()).action(ActionType.UPDATE_SERVICE)
    assert "deploymentCircuitBreaker" not in update.fields["deploymentConfiguration"]  # the rolling controller's only
    assert "strategy" not in update.fields["deploymentConfiguration"]
    daemon = dict(SERVICE, schedulingStrategy="DAEMON", deploymentConfiguration={}, launchType="EC2")  # DAEMON: not on Fargate
    lv = live(service=dict(SERVICE, launchType="EC2"))
    lv.service.description["schedulingStrategy"] = "DAEMON"
    lv.service.description["deploymentConfiguration"] = {"maximumPercent": 100, "minimumHealthyPercent": 50}
    (update,) = build_service_plan(desired(service=daemon), lv).actions
    assert (update.fields["deploymentConfiguration"]["maximumPercent"], update.fields["deploymentConfiguration"]["minimumHealthyPercent"]) == (100, 0)


@pytest.mark.parametrize("declared, live_count, blocked", [(6, 2, ["desiredCount"]), (3, 2, []), (None, 7, ["desiredCount"]), (None, 2, [])])
def test_a_desired_count_outside_the_scaling_range_blocks_a_plan_that_suspends_auto_scaling(declared, live_count, blocked):
    sd = dict(CD_SERVICE, desiredCount=declared) if declared is not None else {k: v for k, v in CD_SERVICE.items() if k != "desiredCount"}
    lv = attrs.evolve(cd_live(), scalable_target=ScalableTarget(min_capacity=1, max_capacity=4))
    lv.service.description["desiredCount"] = live_count
    opts = PlanOptions(suspend_autoscaling=True)
    sp = build_service_plan(desired(task=with_image("nginx:1.27"), service=sd), lv, opts)
    assert [b.path for b in sp.blocked] == blocked
    if blocked:
        assert "outside the auto scaling range [1, 4]" in sp.blocked[0].reason
    # without --suspend-autoscaling nothing registers the target: no block
    assert build_service_plan(desired(task=with_image("nginx:1.27"), service=sd), lv).blocked == ()


def test_ignored_tags_are_never_a_change_never_tagged_or_untagged_and_never_stale():
    """ignore.tags (kayac/ecspresso#726): the files' tags of those keys are dropped when the
    config is read (tests/test_ecspresso_compat.py); here AWS's side."""
    from planner.plan import live_view

    lv = live()
    lv.service.description["tags"].append({"key": "CostCenter", "value": "from-terraform"})
    lv.task_definition.definition["tags"] = [{"key": "CostCenter", "value": "from-terraform"}]
    assert types(build_service_plan(desired(), lv)) == [ActionType.REGISTER_TASK_DEFINITION, ActionType.UPDATE_SERVICE]
    d = attrs.evolve(desired(), ignore_tags=("CostCenter",))
    sp = build_service_plan(d, lv)
    assert types(sp) == []
    (upd,) = build_service_plan(attrs.evolve(d, service_definition=dict(SERVICE, tags=[])), lv).actions
    assert (upd.tags_add, upd.tags_remove) == ({}, ("team",))
    moved = copy.deepcopy(lv)
    moved.service.description["tags"][-1]["value"] = "changed by terraform"
    assert live_view(moved, sp.managed_keys, d.ignore_tags) == sp.live_view
    assert live_view(moved, sp.managed_keys) != live_view(lv, sp.managed_keys)


@pytest.mark.parametrize(
    ("controller", "unread", "message"),
    [
        ("ECS", ("monitoring",), "monitoring: ecsplan cannot compare monitoring: only the service revision reports it"),
        ("CODE_DEPLOY", (), "monitoring: ecsplan cannot change monitoring of a CODE_DEPLOY service"),
    ],
)
def test_a_declared_field_ecsplan_cannot_compare_is_a_plan_time_error(controller, unread, message):
    monitoring = {"metricConfigurations": [{"metricNames": ["CPUUtilization"], "resolutionSeconds": 20}]}
    service = dict(CD_SERVICE if controller == "CODE_DEPLOY" else SERVICE, monitoring=monitoring)
    lv = attrs.evolve(live(service=service, controller=controller), unread_fields=unread)
    with pytest.raises(ConfigError) as info:
        build_service_plan(desired(service=service), lv)
    assert message in str(info.value)


def test_values_aws_refuses_are_config_errors_and_creation_needs_its_network():
    """planner/semantic.py runs on every plan; what only CreateService requires (awsvpc's
    networkConfiguration) is asked of a missing service only."""
    no_network = {k: v for k, v in SERVICE.items() if k != "networkConfiguration"}
    assert build_service_plan(desired(service=no_network), live(service=SERVICE)).blocked == ()
    with pytest.raises(ConfigError, match=r"^ecspresso.yml: the service definition has values AWS refuses; nothing was changed:\n  networkConfiguration: is required"):
        build_service_plan(desired(service=no_network), live(exists=False))
    with pytest.raises(ConfigError, match="networkMode: 'bridged' must be one of"):
        build_service_plan(desired(task=dict(TASK, networkMode="bridged")), live())
