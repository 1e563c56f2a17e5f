"""planner/risk.py on plan values: each risk with its reason, the settings that are not risks,
and the headline of each kind of plan."""

from __future__ import annotations

import copy
import re

import attrs
import pytest

from planner.actions import (
    ContinueServiceDeployment,
    CreateDeployment,
    DeregisterTaskDefinition,
    StopDeployment,
    StopServiceDeployment,
    TaskDefinitionRef,
    UpdateScalableTarget,
    UpdateService,
)
from planner.build import build_plan, build_service_plan
from planner.diff import Change
from planner.errors import ConfigError
from planner.model import Controller, PlanOptions, ServiceRef
from planner.plan import ServicePlan
from planner.risk import Risk, headline, lookup, risks
from tests.factories import GROUP, REF, SERVICE, TASK, TD_ARN, cd_live, desired, live

ROLE = "arn:aws:iam::123456789012:role/"
TD2 = TD_ARN.replace("web:3", "web:2")
LB = [{"targetGroupArn": "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web/1", "containerName": "app", "containerPort": 80}]


def task(**container):
    """TASK with its container changed (a key set to None is removed)."""
    t = copy.deepcopy(TASK)
    c = t["containerDefinitions"][0]
    c.update(container)
    t["containerDefinitions"][0] = {k: v for k, v in c.items() if v is not None}
    return t


def planned(want_task=TASK, want_service=SERVICE, have_task=TASK, have_service=SERVICE, *, breaker=False, have_dc=None, exists=True,
            options=PlanOptions()):
    lv = live(task=have_task, service=have_service, exists=exists)
    if breaker and lv.service is not None:
        lv.service.description["deploymentConfiguration"]["deploymentCircuitBreaker"] = {"enable": True, "rollback": True}
    if have_dc and lv.service is not None:
        lv.service.description["deploymentConfiguration"].update(have_dc)
    return build_service_plan(desired(task=want_task, service=want_service), lv, options)


def dc(**kw):
    return dict(SERVICE, deploymentConfiguration=kw)


RISKS = {
    "desiredCount to 0": (
        dict(want_service=dict(SERVICE, desiredCount=0)),
        [Risk("desiredCount", "scales 2 -> 0: every task of the service stops")],
    ),
    "circuit breaker disabled": (
        dict(want_service=dc(deploymentCircuitBreaker={"enable": False, "rollback": False}), breaker=True),
        [Risk("deploymentConfiguration.deploymentCircuitBreaker.enable",
              "deployment circuit breaker disabled: a failing deployment is no longer stopped and rolled back")],
    ),
    "circuit breaker left out of the file": (
        dict(want_service=dc(maximumPercent=200), breaker=True),
        [Risk("deploymentConfiguration.deploymentCircuitBreaker.enable",
              "deployment circuit breaker disabled: a failing deployment is no longer stopped and rolled back")],
    ),
    "minimumHealthyPercent below 100": (
        dict(want_service=dc(minimumHealthyPercent=50)),
        [Risk("deploymentConfiguration.minimumHealthyPercent",
              "minimumHealthyPercent 50: deployments stop running tasks before their replacements are healthy")],
    ),
    "maximumPercent at 100": (
        dict(want_service=dc(maximumPercent=100)),
        [Risk("deploymentConfiguration.maximumPercent", "maximumPercent 100: no room for replacement tasks, so deployments stop tasks first")],
    ),
    "task role changed": (
        dict(want_task=dict(TASK, taskRoleArn=ROLE + "admin"), have_task=dict(TASK, taskRoleArn=ROLE + "web")),
        [Risk("taskRoleArn", "taskRoleArn changes web -> admin: what the tasks may do in AWS changes")],
    ),
    "execution role added": (
        dict(want_task=dict(TASK, executionRoleArn=ROLE + "exec")),
        [Risk("executionRoleArn", "executionRoleArn changes (none) -> exec: what the tasks may do in AWS changes")],
    ),
    "container removed": (
        dict(want_task=dict(TASK, containerDefinitions=[dict(TASK["containerDefinitions"][0], name="web")])),
        [Risk("containerDefinitions[app]", "container app removed")],
    ),
    "privileged added": (
        dict(want_task=task(privileged=True)),
        [Risk("containerDefinitions[app].privileged", "privileged: true: container app gets root access to the host")],
    ),
    "privileged in a new container": (
        dict(want_task=dict(TASK, containerDefinitions=[*TASK["containerDefinitions"], {"name": "dd", "image": "datadog/agent:7", "privileged": True}])),
        [Risk("containerDefinitions[dd].privileged", "privileged: true: container dd gets root access to the host")],
    ),
    "networkMode host": (
        # networkConfiguration is awsvpc's only: left out of the file (the live one stays)
        dict(want_task=dict(TASK, networkMode="host", requiresCompatibilities=["EC2"]),
             want_service={k: v for k, v in SERVICE.items() if k != "networkConfiguration"} | {"launchType": "EC2"},
             have_service=dict(SERVICE, launchType="EC2")),
        [Risk("networkMode", "networkMode host: the containers share the host's network stack")],
    ),
    "latest image": (
        dict(want_task=task(image="nginx:latest")),
        [Risk("containerDefinitions[app].image", "image nginx:latest is tagged :latest: the tasks run whatever the tag points to when they start")],
    ),
    "untagged image from a registry with a port": (
        dict(want_task=task(image="registry.local:5000/nginx")),
        [Risk("containerDefinitions[app].image",
              "image registry.local:5000/nginx is untagged (it means :latest): the tasks run whatever the tag points to when they start")],
    ),
    "desiredCount 1 to 0": (
        dict(want_service=dict(SERVICE, desiredCount=0), have_service=dict(SERVICE, desiredCount=1)),
        [Risk("desiredCount", "scales 1 -> 0: every task of the service stops")],
    ),
    "privileged false to true": (
        dict(want_task=task(privileged=True), have_task=task(privileged=False)),
        [Risk("containerDefinitions[app].privileged", "privileged: true: container app gets root access to the host")],
    ),
    "blocked change": (
        dict(want_service=dict(SERVICE, launchType="EC2")),
        [Risk("launchType", "blocked, apply refuses the plan: the launch type cannot be changed in place: UpdateService cannot change it; "
                            "delete and re-create the service (downtime), or revert the definition")],
    ),
}


@pytest.mark.parametrize("name", sorted(RISKS))
def test_each_risk_with_its_reason(name):
    kwargs, expected = RISKS[name]
    assert risks(planned(**kwargs)) == expected


# A new revision that no longer serves a load balancer's container or port is not a risk but an
# error AWS returns (API_LoadBalancer.html: the container name and port "must correspond to" the
# task definition): planner/semantic.py refuses it before any plan, for load balancers the file
# declares and for the live service's the file leaves out (the service keeps those).
REFUSED = {
    "port a load balancer uses removed": (dict(want_task=task(portMappings=[{"containerPort": 8080}]), want_service=dict(SERVICE, loadBalancers=LB),
             have_service=dict(SERVICE, loadBalancers=LB)),
        "loadBalancers[0].containerPort: 80 is not a port container 'app' maps"),
    "container a load balancer uses removed": (dict(want_task=dict(TASK, containerDefinitions=[dict(TASK["containerDefinitions"][0], name="web")]),
             want_service=dict(SERVICE, loadBalancers=LB), have_service=dict(SERVICE, loadBalancers=LB)),
        "loadBalancers[0].containerName: 'app' is not a container"),
    "port a live load balancer uses removed (loadBalancers left out of the file)": (dict(want_task=task(portMappings=[{"containerPort": 8080}]), have_service=dict(SERVICE, loadBalancers=LB)),
        "loadBalancers[0].containerPort (the live service's; not in this file): 80 is not a port container 'app' maps"),
    "container a live load balancer uses removed (loadBalancers left out of the file)": (dict(want_task=dict(TASK, containerDefinitions=[dict(TASK["containerDefinitions"][0], name="web")]),
             have_service=dict(SERVICE, loadBalancers=LB)),
        "loadBalancers[0].containerName (the live service's; not in this file): 'app' is not a container"),
}


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_a_load_balancer_the_new_revision_cannot_serve_is_refused_before_planning(name):
    kwargs, message = REFUSED[name]
    with pytest.raises(ConfigError, match=re.escape(message)):
        planned(**kwargs)


NOT_RISKS = {
    "minimumHealthyPercent 100": dict(want_service=dc(minimumHealthyPercent=100), have_dc={"minimumHealthyPercent": 50}),
    "a tagged image": dict(want_task=task(image="nginx:1.27")),
    "an image by digest": dict(want_task=task(image="nginx@sha256:" + "a" * 64)),
    "a role unchanged": dict(want_task=dict(TASK, memory="1024", taskRoleArn=ROLE + "web"), have_task=dict(TASK, taskRoleArn=ROLE + "web")),
    "privileged already there": dict(want_task=task(privileged=True, image="nginx:1.27"), have_task=task(privileged=True)),
    "circuit breaker kept on": dict(want_service=dc(deploymentCircuitBreaker={"enable": True, "rollback": True}, maximumPercent=150), breaker=True),
    "a new service of 0 tasks": dict(want_service=dict(SERVICE, desiredCount=0), exists=False),
    "scale up from 0": dict(want_service=dict(SERVICE, desiredCount=2), have_service=dict(SERVICE, desiredCount=0)),
    "the load balancer's port kept": dict(want_task=task(image="nginx:1.27"), want_service=dict(SERVICE, loadBalancers=LB),
                                          have_service=dict(SERVICE, loadBalancers=LB)),
}


@pytest.mark.parametrize("name", sorted(NOT_RISKS))
def test_what_is_not_a_risk(name):
    plan = planned(**NOT_RISKS[name])
    assert plan.has_changes
    assert risks(plan) == []


def test_a_latest_image_is_a_risk_of_every_new_revision_but_not_without_one():
    """A new revision starts new tasks, which pull what :latest is then; no revision, no pull."""
    latest = task(image="nginx:latest")
    assert [r.path for r in risks(planned(want_task=dict(latest, memory="1024"), have_task=latest))] == ["containerDefinitions[app].image"]
    assert risks(planned(want_task=latest, have_task=latest, want_service=dict(SERVICE, desiredCount=3))) == []


def test_risks_of_a_new_service_come_from_what_it_is_created_with():
    plan = planned(want_task=task(image="nginx"), want_service=dc(minimumHealthyPercent=0), exists=False, have_task=None)
    assert [r.path for r in risks(plan)] == ["containerDefinitions[app].image", "deploymentConfiguration.minimumHealthyPercent"]


def test_an_all_at_once_codedeploy_deployment_is_a_risk():
    service = dict(SERVICE, deploymentController={"type": "CODE_DEPLOY"}, loadBalancers=[dict(LB[0], targetGroupArn="tg-blue")])
    plan = build_service_plan(desired(task=task(image="nginx:1.27"), service=service), cd_live(service=service))
    assert risks(plan) == [Risk("codedeploy.deploymentConfig", "CodeDeployDefault.ECSAllAtOnce: all traffic shifts to the new tasks at once")]
    canary = attrs_evolve_group(service, "CodeDeployDefault.ECSCanary10Percent5Minutes")
    assert risks(canary) == []
    assert headline(plan) == "new revision: image app 1.25 -> 1.27; blue/green deployment (CodeDeploy) of the new revision"


def attrs_evolve_group(service, config):
    lv = cd_live(service=service, group=attrs.evolve(GROUP, deployment_config=config))
    return build_service_plan(desired(task=task(image="nginx:1.27"), service=service), lv)


def test_blocked_risks_can_be_left_to_their_own_callout():
    plan = planned(want_service=dict(SERVICE, launchType="EC2", desiredCount=0))
    assert [r.path for r in risks(plan)] == ["desiredCount", "launchType"]
    assert [r.path for r in risks(plan, include_blocked=False)] == ["desiredCount"]


def test_lookup_reads_a_value_below_a_changed_path():
    changes = [Change(path="containerDefinitions[dd]", before=None, after={"image": "x", "privileged": True}),
               Change(path="cpu", before="256", after="512")]
    assert lookup(changes, "containerDefinitions[dd].privileged") == (True, None, True)
    assert lookup(changes, "cpu") == (True, "256", "512")
    assert lookup(changes, "containerDefinitions[d]") == (False, None, None)  # a prefix of a name is not a parent


# ---------------------------------------------------------------------------------------------
# Headlines


HEADLINES = {
    "new service": (dict(exists=False, have_task=None), "new service"),
    "image": (dict(want_task=task(image="nginx:1.27")), "new revision: image app 1.25 -> 1.27"),
    "image from another repository": (dict(want_task=task(image="ghcr.io/me/nginx:1.25")), "new revision: image app nginx:1.25 -> ghcr.io/me/nginx:1.25"),
    "image from a registry with a port": (dict(want_task=task(image="registry.local:5000/nginx:1.27"), have_task=task(image="registry.local:5000/nginx:1.25")),
                                          "new revision: image app 1.25 -> 1.27"),
    "image by digest": (dict(want_task=task(image="nginx@sha256:" + "0123456789abcdef" * 4), have_task=task(image="nginx@sha256:" + "f" * 64)),
                        "new revision: image app @sha256:ffffffffffff -> @sha256:0123456789ab"),
    "task fields": (
        dict(want_task=dict(TASK, memory="1024", containerDefinitions=[*TASK["containerDefinitions"], {"name": "datadog", "image": "datadog/agent:7"}])),
        "new revision: +container datadog, memory 512 -> 1024",
    ),
    "container fields": (dict(want_task=task(environment=[{"name": "LOG_LEVEL", "value": "debug"}], command=["a"])), "new revision: app command, app environment"),
    "more than four parts": (
        dict(want_task=dict(TASK, cpu="512", memory="1024", taskRoleArn=ROLE + "a", executionRoleArn=ROLE + "b", pidMode="task")),
        "new revision: cpu 256 -> 512, executionRoleArn, memory 512 -> 1024, 2 more",
    ),
    "containers replaced": (dict(want_task=dict(TASK, containerDefinitions=[dict(TASK["containerDefinitions"][0], name="web")])),
                            "new revision: -container app, +container web"),
    "a task field deep down": (dict(want_task=dict(TASK, volumes=[{"name": "data", "host": {"sourcePath": "/b"}}]),
                                    have_task=dict(TASK, volumes=[{"name": "data", "host": {"sourcePath": "/a"}}])), "new revision: volumes"),
    "scale": (dict(want_service=dict(SERVICE, desiredCount=0)), "scale 2 -> 0"),
    "service fields": (dict(want_service=dict(SERVICE, enableExecuteCommand=True, tags=[])), "update enableExecuteCommand, tags"),
    "restart": (dict(options=PlanOptions(force_new_deployment=True)), "restart"),
    "blocked": (dict(want_service=dict(SERVICE, launchType="EC2")), "blocked: launchType"),
    "no changes": ({}, "no changes"),
}


@pytest.mark.parametrize("name", sorted(HEADLINES))
def test_headline(name):
    kwargs, expected = HEADLINES[name]
    assert headline(planned(**kwargs)) == expected


def test_headline_joins_the_parts_in_the_order_of_the_actions():
    plan = planned(want_task=task(image="nginx:1.27"), want_service=dict(SERVICE, desiredCount=4))
    assert headline(plan) == "new revision: image app 1.25 -> 1.27; scale 2 -> 4"


def _service(*actions, controller=Controller.ECS, **kw):
    return ServicePlan(ref=REF, controller=controller, family="web", actions=actions, **kw)


def test_headlines_of_rollback_and_operation_plans():
    rollback = UpdateService(changes=[Change(path="taskDefinition", before=TD_ARN, after=TD2)], cluster="prod", service="web",
                             service_arn="arn:svc", task_definition=TaskDefinitionRef.known(TD2), starts_deployment=True)
    deregister = DeregisterTaskDefinition(changes=[], cluster="prod", service="web", task_definition_arn=TD_ARN)
    assert headline(_service(rollback, deregister)) == "rollback to web:2; deregister web:3"
    cd = CreateDeployment(changes=[Change(path="taskDefinition", before=TD_ARN, after=TD2)], cluster="prod", service="web", application="a",
                          deployment_group="g", task_definition=TaskDefinitionRef.known(TD2), appspec={})
    assert headline(_service(cd, controller=Controller.CODE_DEPLOY)) == "rollback to web:2 (blue/green deployment, CodeDeploy)"
    same = CreateDeployment(changes=[Change(path="loadBalancers", before=1, after=2)], cluster="prod", service="web", application="a",
                            deployment_group="g", task_definition=TaskDefinitionRef.known(TD_ARN), appspec={})
    assert headline(_service(same, controller=Controller.CODE_DEPLOY)) == "blue/green deployment (CodeDeploy) of web:3"
    stop = StopDeployment(cluster="prod", service="web", application="a", deployment_group="g", deployment_id="d-1")
    assert headline(_service(stop)) == "rollback: stop CodeDeploy deployment d-1"
    assert headline(_service(StopDeployment(cluster="prod", service="web", application="a", deployment_group="g", deployment_id="d-1",
                                            rollback=False))) == "stop CodeDeploy deployment d-1"
    sd = StopServiceDeployment(cluster="prod", service="web", service_deployment_arn="arn:aws:ecs:us-east-1:1:service-deployment/prod/web/abc")
    assert headline(_service(sd)) == "rollback: stop service deployment abc"
    hook = ContinueServiceDeployment(cluster="prod", service="web", service_deployment_arn="arn:x/abc", hook_id="h1")
    assert headline(_service(hook)) == "continue at paused hook h1"
    assert headline(_service(ContinueServiceDeployment(cluster="prod", service="web", service_deployment_arn="arn:x/abc", hook_id="h1",
                                                       action="ROLLBACK"))) == "roll back at paused hook h1"
    scaling = UpdateScalableTarget(changes=[Change(path="autoscaling.maxCapacity", before=4, after=8)], resource_id="service/prod/web",
                                   min_capacity=1, max_capacity=8)
    assert headline(_service(scaling)) == "auto scaling range [1, 4] -> [1, 8]"
    assert headline(_service(UpdateScalableTarget(resource_id="r", min_capacity=1, max_capacity=8))) == "auto scaling range [1, 8]"


def test_headline_of_a_native_blue_green_deployment_and_a_task_definition_only_plan():
    bg = UpdateService(changes=[Change(path="taskDefinition", before=TD_ARN, after="(known after apply)")], cluster="prod", service="web",
                       service_arn="arn:svc", task_definition=TaskDefinitionRef.registered(), starts_deployment=True)
    service = _service(bg, deployment_configuration={"strategy": "BLUE_GREEN"})
    assert headline(service) == "blue/green deployment (ECS)"
    only = build_plan([(attrs.evolve(desired(), ref=ServiceRef.task_definition_only("prod", "web")), live(exists=False, task=None))]).services[0]
    assert headline(only) == "first revision of web"
