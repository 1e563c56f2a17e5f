"""One table case per normalisation rule: what the user writes and what AWS returns must come
out identical when they mean the same thing (AWS-FACTS.md, "Normalisation")."""

import pytest

from planner.diff import diff
from planner.model import Controller
from planner.normalize import canonical_service, canonical_task_definition

C = {"name": "app", "image": "nginx"}


def td(**kw):
    base = {"family": "f", "containerDefinitions": [dict(C)]}
    base.update(kw)
    return base


def container(**kw):
    return td(containerDefinitions=[dict(C, **kw)])


TASK_RULES = [
    ("read-only fields dropped", td(), td(taskDefinitionArn="arn", revision=3, status="ACTIVE", requiresAttributes=[{"name": "x"}],
                                         compatibilities=["EC2"], registeredAt="t", registeredBy="me", deregisteredAt="t")),
    ("container cpu 0 and essential true are defaults", container(), container(cpu=0, essential=True)),
    ("empty lists, nulls and absent are the same", container(), container(environment=[], mountPoints=[], volumesFrom=[], secrets=None)),
    ("environment order", container(environment=[{"name": "A", "value": "1"}, {"name": "B", "value": "2"}]),
     container(environment=[{"name": "B", "value": "2"}, {"name": "A", "value": "1"}])),
    ("secrets order", container(secrets=[{"name": "A", "valueFrom": "x"}, {"name": "B", "valueFrom": "y"}]),
     container(secrets=[{"name": "B", "valueFrom": "y"}, {"name": "A", "valueFrom": "x"}])),
    ("portMappings protocol defaults to tcp, order ignored", container(portMappings=[{"containerPort": 80}, {"containerPort": 81}]),
     container(portMappings=[{"containerPort": 81, "protocol": "tcp"}, {"containerPort": 80, "protocol": "tcp"}])),
    ("awsvpc: hostPort equals containerPort",
     dict(container(portMappings=[{"containerPort": 80}]), networkMode="awsvpc"),
     dict(container(portMappings=[{"containerPort": 80, "hostPort": 80, "protocol": "tcp"}]), networkMode="awsvpc")),
    ("bridge: hostPort 0 is a dynamic port, same as omitted",
     container(portMappings=[{"containerPort": 80}]), container(portMappings=[{"containerPort": 80, "hostPort": 0}])),
    ("bridge network mode is the EC2 default", td(), td(networkMode="bridge")),
    ("FARGATE implies awsvpc", td(requiresCompatibilities=["FARGATE"]), td(requiresCompatibilities=["FARGATE"], networkMode="awsvpc")),
    ("cpu units: 0.25 vCPU == 256", td(cpu="0.25 vCPU"), td(cpu="256")),
    ("memory units: 1 GB == 1024, numbers as strings", td(memory="1 GB"), td(memory=1024)),
    ("mountPoints order, readOnly false default",
     container(mountPoints=[{"sourceVolume": "a", "containerPath": "/a"}, {"sourceVolume": "b", "containerPath": "/b", "readOnly": True}]),
     container(mountPoints=[{"sourceVolume": "b", "containerPath": "/b", "readOnly": True}, {"sourceVolume": "a", "containerPath": "/a", "readOnly": False}])),
    ("volumes order", td(volumes=[{"name": "a"}, {"name": "b"}]), td(volumes=[{"name": "b"}, {"name": "a"}])),
    ("tags order", td(tags=[{"key": "a", "value": "1"}, {"key": "b", "value": "2"}]), td(tags=[{"key": "b", "value": "2"}, {"key": "a", "value": "1"}])),
    ("requiresCompatibilities order", td(requiresCompatibilities=["EC2", "FARGATE"]), td(requiresCompatibilities=["FARGATE", "EC2"])),
    ("containers compared by name", td(containerDefinitions=[dict(C), {"name": "b", "image": "x"}]),
     td(containerDefinitions=[{"name": "b", "image": "x"}, dict(C)])),
]


@pytest.mark.parametrize("name, user, aws", TASK_RULES, ids=[r[0] for r in TASK_RULES])
def test_task_rule(name, user, aws):
    assert canonical_task_definition(user) == canonical_task_definition(aws)


NET = {"awsvpcConfiguration": {"subnets": ["b", "a"], "securityGroups": ["y", "x"]}}
SERVICE_RULES = [
    ("read-only fields dropped", {"desiredCount": 1}, {"desiredCount": 1, "serviceArn": "a", "status": "ACTIVE", "runningCount": 1,
                                                         "pendingCount": 0, "deployments": [{}], "events": [{}], "createdAt": "t",
                                                         "platformFamily": "Linux", "taskDefinition": "arn"}),
    ("assignPublicIp defaults to DISABLED, subnets and security groups sorted", {"networkConfiguration": NET},
     {"networkConfiguration": {"awsvpcConfiguration": {"subnets": ["a", "b"], "securityGroups": ["x", "y"], "assignPublicIp": "DISABLED"}}}),
    ("platformVersion LATEST is the default", {}, {"platformVersion": "LATEST"}),
    ("schedulingStrategy REPLICA is the default", {}, {"schedulingStrategy": "REPLICA"}),
    ("deploymentConfiguration defaults", {"deploymentConfiguration": {}},
     {"deploymentConfiguration": {"maximumPercent": 200, "minimumHealthyPercent": 100,
                                  "deploymentCircuitBreaker": {"enable": False, "rollback": False}}}),
    ("deployment controller ECS is the default", {}, {"deploymentController": {"type": "ECS"}}),
    ("propagateTags NONE, managed tags and exec off are defaults", {},
     {"propagateTags": "NONE", "enableECSManagedTags": False, "enableExecuteCommand": False}),
    ("role and roleArn are one field", {"role": "arn:r"}, {"roleArn": "arn:r"}),
    ("tags order", {"tags": [{"key": "a", "value": "1"}, {"key": "b", "value": "2"}]},
     {"tags": [{"key": "b", "value": "2"}, {"key": "a", "value": "1"}]}),
]


@pytest.mark.parametrize("name, user, aws", SERVICE_RULES, ids=[r[0] for r in SERVICE_RULES])
def test_service_rule(name, user, aws):
    assert canonical_service(user) == canonical_service(aws)


def test_code_deploy_target_group_swap_is_not_a_change():
    user = {"loadBalancers": [{"targetGroupArn": "tg-blue", "containerName": "app", "containerPort": 80}]}
    aws = {"loadBalancers": [{"targetGroupArn": "tg-green", "containerName": "app", "containerPort": 80}]}
    assert canonical_service(user, Controller.CODE_DEPLOY) == canonical_service(aws, Controller.CODE_DEPLOY)
    assert canonical_service(user, Controller.ECS) != canonical_service(aws, Controller.ECS)


def test_a_real_change_survives_normalisation():
    before = canonical_task_definition(container(environment=[{"name": "A", "value": "1"}]))
    after = canonical_task_definition(container(environment=[{"name": "A", "value": "2"}]))
    assert [(c.path, c.before, c.after) for c in diff(before, after)] == [("containerDefinitions[app].environment[A]", "1", "2")]
