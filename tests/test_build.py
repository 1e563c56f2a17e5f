"""The pure planner: named before/after states in, the ordered list of action types out
(Django's autodetector tests). No AWS at all."""

import copy

import pytest

from planner.actions import KNOWN_AFTER_APPLY, ActionType
from planner.build import build_plan, build_service_plan
from planner.model import DesiredService, LiveService, LiveState, LiveTaskDefinition, ServiceRef
from planner.plan import summary_line

REF = ServiceRef(cluster="prod", service="web")
TD_ARN = "arn:aws:ecs:us-east-1:123456789012:task-definition/web:3"

TASK = {
    "family": "web",
    "requiresCompatibilities": ["FARGATE"],
    "networkMode": "awsvpc",
    "cpu": "256",
    "memory": "512",
    "containerDefinitions": [
        {"name": "app", "image": "nginx:1.25", "portMappings": [{"containerPort": 80}],
         "environment": [{"name": "LOG_LEVEL", "value": "info"}]},
    ],
}
SERVICE = {
    "launchType": "FARGATE",
    "desiredCount": 2,
    "networkConfiguration": {"awsvpcConfiguration": {"subnets": ["subnet-b", "subnet-a"], "securityGroups": ["sg-1"]}},
    "tags": [{"key": "team", "value": "web"}],
}


def aws_task(td):
    """What DescribeTaskDefinition returns for `td`: defaults filled, read-only fields added."""
    out = copy.deepcopy(td)
    for c in out["containerDefinitions"]:
        c.setdefault("cpu", 0)
        c.setdefault("essential", True)
        c.setdefault("mountPoints", [])
        c.setdefault("volumesFrom", [])
        for pm in c.get("portMappings", []):
            pm.setdefault("hostPort", pm["containerPort"])
            pm.setdefault("protocol", "tcp")
    out.update(taskDefinitionArn=TD_ARN, revision=3, status="ACTIVE", compatibilities=["EC2", "FARGATE"],
               requiresAttributes=[{"name": "com.amazonaws.ecs.capability.docker-remote-api.1.18"}],
               registeredAt="2026-01-01T00:00:00Z", registeredBy="arn:aws:iam::123456789012:user/me")
    return out


def aws_service(sd, controller="ECS"):
    """What DescribeServices returns for `sd`."""
    out = copy.deepcopy(sd)
    out["networkConfiguration"]["awsvpcConfiguration"]["subnets"].sort()
    out["networkConfiguration"]["awsvpcConfiguration"]["assignPublicIp"] = "DISABLED"
    out.update(
        serviceArn="arn:aws:ecs:us-east-1:123456789012:service/prod/web", serviceName="web", status="ACTIVE",
        clusterArn="arn:aws:ecs:us-east-1:123456789012:cluster/prod", taskDefinition=TD_ARN, runningCount=2,
        pendingCount=0, schedulingStrategy="REPLICA", platformVersion="LATEST", propagateTags="NONE",
        enableECSManagedTags=False, enableExecuteCommand=False, deploymentController={"type": controller},
        deploymentConfiguration={"deploymentCircuitBreaker": {"enable": False, "rollback": False},
                                 "maximumPercent": 200, "minimumHealthyPercent": 100},
        deployments=[{"id": "ecs-svc/1", "status": "PRIMARY", "taskDefinition": TD_ARN, "rolloutState": "COMPLETED"}],
        events=[{"id": "e1", "message": "(service web) has reached a steady state."}],
    )
    return out


def desired(task=TASK, service=SERVICE):
    return DesiredService(ref=REF, source="ecspresso.yml", region="us-east-1", task_definition=copy.deepcopy(task),
                          service_definition=copy.deepcopy(service))


def live(task=TASK, service=SERVICE, *, exists=True, controller="ECS"):
    desc = aws_service(service, controller)
    return LiveState(ref=REF, service=LiveService(arn=desc["serviceArn"], description=desc) if exists else None,
                     task_definition=LiveTaskDefinition(arn=TD_ARN, definition=aws_task(task)) if task else None)


def types(sp):
    return [a.type for a in sp.actions]


def with_image(image):
    t = copy.deepcopy(TASK)
    t["containerDefinitions"][0]["image"] = image
    return t


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
    assert upd.payload["use_registered_task_definition"] is True
    assert upd.payload["starts_deployment"] is True
    assert reg.payload["taskDefinition"]["containerDefinitions"][0]["image"] == "nginx:1.27"


def test_desired_count_only_is_an_in_place_update():
    sd = dict(SERVICE, desiredCount=3)
    sp = build_service_plan(desired(service=sd), live())
    assert types(sp) == [ActionType.UPDATE_SERVICE]
    (upd,) = sp.actions
    assert [(c.path, c.before, c.after) for c in upd.changes] == [("desiredCount", 2, 3)]
    assert upd.payload["set"] == {"desiredCount": 3}
    assert upd.payload["starts_deployment"] is False


def test_undeclared_desired_count_is_not_managed():
    sd = {k: v for k, v in SERVICE.items() if k != "desiredCount"}
    lv = live()
    lv.service.description["desiredCount"] = 7  # auto scaling moved it (kayac/ecspresso#274)
    assert types(build_service_plan(desired(service=sd), lv)) == []


def test_missing_service_is_created_with_a_new_task_definition_family():
    sp = build_service_plan(desired(), live(task=None, exists=False))
    assert types(sp) == [ActionType.REGISTER_TASK_DEFINITION, ActionType.CREATE_SERVICE]
    create = sp.actions[1]
    assert create.payload["service"]["serviceName"] == "web" and create.payload["service"]["cluster"] == "prod"
    assert create.payload["use_registered_task_definition"] is True


def test_missing_service_reuses_an_identical_latest_revision():
    sp = build_service_plan(desired(), live(exists=False))
    assert types(sp) == [ActionType.CREATE_SERVICE]
    assert sp.actions[0].payload["service"]["taskDefinition"] == TD_ARN


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
    assert upd.payload["starts_deployment"] is True
    assert "tags" not in upd.payload["set"]
    assert upd.payload["tags_add"] == [{"key": "cost", "value": "42"}, {"key": "team", "value": "api"}]
    assert upd.payload["tags_remove"] == []


CD_SERVICE = dict(SERVICE, deploymentController={"type": "CODE_DEPLOY"},
                  loadBalancers=[{"targetGroupArn": "tg-blue", "containerName": "app", "containerPort": 80}])


def cd_live(service=CD_SERVICE, target_group="tg-blue"):
    lv = live(service=service, controller="CODE_DEPLOY")
    lv.service.description["loadBalancers"][0]["targetGroupArn"] = target_group
    return lv


def test_code_deploy_new_image_goes_through_a_deployment_never_update_service():
    sp = build_service_plan(desired(task=with_image("nginx:1.27"), service=CD_SERVICE), cd_live())
    assert types(sp) == [ActionType.REGISTER_TASK_DEFINITION, ActionType.CREATE_DEPLOYMENT]
    props = sp.actions[1].payload["appspec"]["Resources"][0]["TargetService"]["Properties"]
    assert props["TaskDefinition"] == KNOWN_AFTER_APPLY
    assert props["LoadBalancerInfo"] == {"ContainerName": "app", "ContainerPort": 80}
    assert props["NetworkConfiguration"]["AwsvpcConfiguration"]["Subnets"] == ["subnet-b", "subnet-a"]


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
        assert set(upd.payload["set"]) == update_fields and dep is None
    else:
        assert upd is None and [c.path for c in dep.changes] == deploy_paths


def test_suspend_and_resume_wrap_the_deployment_only_when_asked():
    from planner.model import PlanOptions

    opts = PlanOptions(suspend_autoscaling=True, rollback_events=("DEPLOYMENT_FAILURE",))
    sp = build_service_plan(desired(task=with_image("nginx:1.27"), service=dict(CD_SERVICE, desiredCount=3)), cd_live(), opts)
    assert types(sp) == [ActionType.REGISTER_TASK_DEFINITION, ActionType.SUSPEND_AUTOSCALING, ActionType.UPDATE_SERVICE,
                         ActionType.CREATE_DEPLOYMENT, ActionType.RESUME_AUTOSCALING]
    assert sp.action(ActionType.CREATE_DEPLOYMENT).payload["auto_rollback_events"] == ["DEPLOYMENT_FAILURE"]
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
