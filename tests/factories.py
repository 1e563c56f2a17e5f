"""Named before/after states for the pure planner's tests (Django's autodetector tests): what the
files say, what AWS returns for it, and the LiveState a read would build. Shared by every test
module; no test module imports another."""

from __future__ import annotations

import copy
from typing import Any

import attrs

from planner.model import DeploymentGroupInfo, DesiredService, LiveService, LiveState, LiveTaskDefinition, ServiceRef

REF = ServiceRef(cluster="prod", service="web")
TD_ARN = "arn:aws:ecs:us-east-1:123456789012:task-definition/web:3"

TASK: dict[str, Any] = {
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
SERVICE: dict[str, Any] = {
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


def types(sp: Any) -> list[Any]:
    return [a.type for a in sp.actions]


def with_image(image):
    t = copy.deepcopy(TASK)
    t["containerDefinitions"][0]["image"] = image
    return t


CD_SERVICE = dict(SERVICE, deploymentController={"type": "CODE_DEPLOY"},
                  loadBalancers=[{"targetGroupArn": "tg-blue", "containerName": "app", "containerPort": 80}])


GROUP = DeploymentGroupInfo(application="AppECS-prod-web", group="DgpECS-prod-web", deployment_config="CodeDeployDefault.ECSAllAtOnce")


def cd_live(service=CD_SERVICE, target_group="tg-blue", group=GROUP):
    lv = live(service=service, controller="CODE_DEPLOY")
    lv.service.description["loadBalancers"][0]["targetGroupArn"] = target_group
    return attrs.evolve(lv, codedeploy=group, codedeploy_problem=None if group else "ecspresso.yml: no CodeDeploy deployment group deploys service web")


