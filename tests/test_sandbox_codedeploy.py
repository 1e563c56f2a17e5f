"""providers/sandbox.py against a real moto server over HTTP: CodeDeploy blue/green deployments of
ECS services (task sets, polls, failures, rollbacks, stops, targets, batch reads) and Application
Auto Scaling's suspended state.

``build_blue_green`` builds what a blue/green service needs (network, ALB with a listener and two
target groups, cluster, task definition, CODE_DEPLOY service, CodeDeploy application and
deployment group); it takes only a ``client(name)`` factory so other test modules can copy it.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from typing import Any

import attrs
import pytest

pytest.importorskip("moto")
boto3 = pytest.importorskip("boto3")

import botocore.exceptions  # noqa: E402
import yaml  # noqa: E402
from botocore import xform_name  # noqa: E402

from providers import sandbox  # noqa: E402
from providers.errors import SandboxError  # noqa: E402

REGION = "us-east-1"
STEPS = sandbox.CODEDEPLOY_STEPS
ROLLBACK_ON_FAILURE = {"enabled": True, "events": ["DEPLOYMENT_FAILURE"]}


# ---- the builder (copy me) ----------------------------------------------------------------


@attrs.frozen(kw_only=True)
class BlueGreen:
    """What build_blue_green created."""

    cluster: str
    service: str
    application: str
    group: str
    task_definition: str  # the ARN the service runs
    blue_target_group: str  # ARN; the service's loadBalancers[0].targetGroupArn
    green_target_group: str  # ARN; the other one of the deployment group's pair
    listener: str
    subnets: tuple[str, ...]
    security_group: str


def build_blue_green(
    client: Callable[[str], Any],
    *,
    cluster: str = "demo",
    service: str = "web",
    image: str = "nginx:1.27",
    desired_count: int = 2,
    container: str = "app",
    port: int = 80,
    application: str | None = None,
    group: str | None = None,
    group_auto_rollback: dict[str, Any] | None = None,
    deployment_config: str = "CodeDeployDefault.ECSAllAtOnce",
    ready_wait: int | None = None,
    termination_wait: int = 0,
    by_arn: bool = False,
) -> BlueGreen:
    """A CODE_DEPLOY service behind an ALB and its CodeDeploy application / deployment group,
    named as ``aws ecs deploy`` names them (AppECS-<cluster>-<service>, DgpECS-...).

    ``ready_wait``: deploymentReadyOption STOP_DEPLOYMENT with that waitTimeInMinutes (None:
    CONTINUE_DEPLOYMENT); ``termination_wait``: terminationWaitTimeInMinutes; ``by_arn``: the
    group's ecsServices names the service and cluster by ARN."""
    ec2, elbv2, ecs, codedeploy = (client(n) for n in ("ec2", "elbv2", "ecs", "codedeploy"))
    application = application or f"AppECS-{cluster}-{service}"
    group = group or f"DgpECS-{cluster}-{service}"
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnets = tuple(
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.0.{i}.0/24", AvailabilityZone=f"{REGION}{az}")[
            "Subnet"
        ]["SubnetId"]
        for i, az in ((1, "a"), (2, "b"))
    )
    security_group = ec2.create_security_group(
        GroupName=service, Description=service, VpcId=vpc
    )["GroupId"]
    balancer = elbv2.create_load_balancer(
        Name=service, Subnets=list(subnets), SecurityGroups=[security_group]
    )["LoadBalancers"][0]["LoadBalancerArn"]
    blue, green = (
        elbv2.create_target_group(
            Name=f"{service}-{colour}", Protocol="HTTP", Port=port, VpcId=vpc, TargetType="ip"
        )["TargetGroups"][0]["TargetGroupArn"]
        for colour in ("blue", "green")
    )
    listener = elbv2.create_listener(
        LoadBalancerArn=balancer,
        Protocol="HTTP",
        Port=80,
        DefaultActions=[{"Type": "forward", "TargetGroupArn": blue}],
    )["Listeners"][0]["ListenerArn"]
    ecs.create_cluster(clusterName=cluster)
    task_definition = ecs.register_task_definition(
        family=service,
        networkMode="awsvpc",
        requiresCompatibilities=["FARGATE"],
        cpu="256",
        memory="512",
        containerDefinitions=[
            {"name": container, "image": image, "portMappings": [{"containerPort": port}]}
        ],
    )["taskDefinition"]["taskDefinitionArn"]
    created = ecs.create_service(
        cluster=cluster,
        serviceName=service,
        taskDefinition=task_definition,
        desiredCount=desired_count,
        launchType="FARGATE",
        deploymentController={"type": "CODE_DEPLOY"},
        networkConfiguration={
            "awsvpcConfiguration": {"subnets": [subnets[0]], "securityGroups": [security_group]}
        },
        loadBalancers=[{"targetGroupArn": blue, "containerName": container, "containerPort": port}],
    )
    codedeploy.create_application(applicationName=application, computePlatform="ECS")
    ready_option: dict[str, Any] = {"actionOnTimeout": "CONTINUE_DEPLOYMENT"}
    if ready_wait is not None:
        ready_option = {"actionOnTimeout": "STOP_DEPLOYMENT", "waitTimeInMinutes": ready_wait}
    ecs_service = {"serviceName": service, "clusterName": cluster}
    if by_arn:
        ecs_service = {
            "serviceName": created["service"]["serviceArn"],
            "clusterName": created["service"]["clusterArn"],
        }
    group_params: dict[str, Any] = {
        "applicationName": application,
        "deploymentGroupName": group,
        "serviceRoleArn": "arn:aws:iam::123456789012:role/ecsCodeDeployRole",
        "deploymentConfigName": deployment_config,
        "deploymentStyle": {
            "deploymentType": "BLUE_GREEN",
            "deploymentOption": "WITH_TRAFFIC_CONTROL",
        },
        "blueGreenDeploymentConfiguration": {
            "terminateBlueInstancesOnDeploymentSuccess": {
                "action": "TERMINATE",
                "terminationWaitTimeInMinutes": termination_wait,
            },
            "deploymentReadyOption": ready_option,
        },
        "loadBalancerInfo": {
            "targetGroupPairInfoList": [
                {
                    "targetGroups": [{"name": f"{service}-blue"}, {"name": f"{service}-green"}],
                    "prodTrafficRoute": {"listenerArns": [listener]},
                }
            ]
        },
        "ecsServices": [ecs_service],
    }
    if group_auto_rollback is not None:
        group_params["autoRollbackConfiguration"] = group_auto_rollback
    codedeploy.create_deployment_group(**group_params)
    return BlueGreen(
        cluster=cluster,
        service=service,
        application=application,
        group=group,
        task_definition=task_definition,
        blue_target_group=blue,
        green_target_group=green,
        listener=listener,
        subnets=subnets,
        security_group=security_group,
    )


def appspec(
    task_definition: str | None,
    *,
    container: str | None = "app",
    port: int | None = 80,
    hooks: list[dict[str, str]] | None = None,
    properties: dict[str, Any] | None = None,
    form: str = "yaml",
) -> str:
    """An ECS AppSpec (AWS's structure), as YAML or JSON text."""
    lb_info: dict[str, Any] = {}
    if container is not None:
        lb_info["ContainerName"] = container
    if port is not None:
        lb_info["ContainerPort"] = port
    props: dict[str, Any] = {"LoadBalancerInfo": lb_info, **(properties or {})}
    if task_definition is not None:
        props["TaskDefinition"] = task_definition
    document: dict[str, Any] = {
        "version": 0.0,
        "Resources": [{"TargetService": {"Type": "AWS::ECS::Service", "Properties": props}}],
    }
    if hooks:
        document["Hooks"] = hooks
    return json.dumps(document) if form == "json" else yaml.safe_dump(document, sort_keys=False)


# ---- fixtures ------------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class Aws:
    server: sandbox.SandboxServer
    clients: dict[str, Any]

    def client(self, name: str) -> Any:
        return self.clients[name]

    @property
    def ecs(self) -> Any:
        return self.clients["ecs"]

    @property
    def cd(self) -> Any:
        return self.clients["codedeploy"]

    @property
    def aas(self) -> Any:
        return self.clients["application-autoscaling"]


@pytest.fixture(scope="module")
def server(sandbox_server: sandbox.SandboxServer) -> Any:
    # The one sandbox server of this test process (tests/conftest.py); each test resets it.
    return sandbox_server


@pytest.fixture(scope="module")
def clients(server: sandbox.SandboxServer) -> dict[str, Any]:
    kwargs = {
        "endpoint_url": server.endpoint_url,
        "region_name": REGION,
        "aws_access_key_id": "testing",
        "aws_secret_access_key": "testing",
    }
    names = ("ecs", "ec2", "elbv2", "codedeploy", "application-autoscaling")
    return {name: boto3.client(name, **kwargs) for name in names}


@pytest.fixture
def aws(server: sandbox.SandboxServer, clients: dict[str, Any]) -> Aws:
    server.reset()
    return Aws(server=server, clients=clients)


@pytest.fixture
def bg(aws: Aws) -> BlueGreen:
    built = build_blue_green(aws.client)
    aws.server.clear_requests()
    return built


# ---- helpers -------------------------------------------------------------------------------


def register(aws: Aws, image: str, family: str = "web", container: str = "app") -> str:
    return aws.ecs.register_task_definition(
        family=family,
        networkMode="awsvpc",
        requiresCompatibilities=["FARGATE"],
        cpu="256",
        memory="512",
        containerDefinitions=[
            {"name": container, "image": image, "portMappings": [{"containerPort": 80}]}
        ],
    )["taskDefinition"]["taskDefinitionArn"]


def deploy(aws: Aws, bg: BlueGreen, content: str, **kwargs: Any) -> str:
    return aws.cd.create_deployment(
        applicationName=bg.application,
        deploymentGroupName=bg.group,
        revision={"revisionType": "AppSpecContent", "appSpecContent": {"content": content}},
        **kwargs,
    )["deploymentId"]


def get(aws: Aws, deployment_id: str, times: int = 1) -> dict[str, Any]:
    info: dict[str, Any] = {}
    for _ in range(times):
        info = aws.cd.get_deployment(deploymentId=deployment_id)["deploymentInfo"]
    return info


def service(aws: Aws, bg: BlueGreen) -> dict[str, Any]:
    return aws.ecs.describe_services(cluster=bg.cluster, services=[bg.service])["services"][0]


def events_of(aws: Aws, deployment_id: str, bg: BlueGreen) -> list[tuple[str, str]]:
    target = aws.cd.get_deployment_target(
        deploymentId=deployment_id, targetId=f"{bg.cluster}:{bg.service}"
    )["deploymentTarget"]["ecsTarget"]
    return [(e["lifecycleEventName"], e["status"]) for e in target["lifecycleEvents"]]


def messages(svc: dict[str, Any]) -> list[str]:
    return [event["message"] for event in svc["events"]]


def error_of(excinfo: pytest.ExceptionInfo[Any]) -> tuple[str, str]:
    error = excinfo.value.response["Error"]
    return error["Code"], error["Message"]


def expected_events(done: int, running: bool = True) -> list[tuple[str, str]]:
    """The first ``done`` events Succeeded, the next InProgress, the rest Pending."""
    names = sandbox.ECS_LIFECYCLE_EVENTS
    statuses = ["Succeeded"] * done
    if done < len(names):
        statuses.append("InProgress" if running else "Pending")
    statuses += ["Pending"] * (len(names) - len(statuses))
    return list(zip(names, statuses))


def assert_unchanged(aws: Aws, bg: BlueGreen) -> dict[str, Any]:
    """The service runs what build_blue_green gave it, in one PRIMARY task set, on blue."""
    svc = service(aws, bg)
    assert svc["taskDefinition"] == bg.task_definition
    assert svc["loadBalancers"][0]["targetGroupArn"] == bg.blue_target_group
    assert [(ts["status"], ts["taskDefinition"]) for ts in svc["taskSets"]] == [
        ("PRIMARY", bg.task_definition)
    ]
    assert svc["runningCount"] == 2
    return svc


# ---- 1. CODE_DEPLOY services have task sets, not deployments ------------------------------


def test_code_deploy_service_has_one_primary_task_set_and_no_deployments(
    aws: Aws, bg: BlueGreen
) -> None:
    svc = service(aws, bg)
    assert svc.get("deployments") == []
    [task_set] = svc["taskSets"]
    assert re.fullmatch(r"ecs-svc/\d+", task_set["id"])
    assert task_set["taskSetArn"].endswith(f":task-set/{bg.cluster}/{bg.service}/{task_set['id']}")
    assert task_set["serviceArn"] == svc["serviceArn"]
    assert task_set["clusterArn"] == svc["clusterArn"]
    assert task_set["status"] == "PRIMARY"
    assert task_set["taskDefinition"] == svc["taskDefinition"] == bg.task_definition
    assert (task_set["computedDesiredCount"], task_set["runningCount"]) == (2, 2)
    assert task_set["pendingCount"] == 0
    assert (task_set["launchType"], task_set["platformVersion"]) == ("FARGATE", "LATEST")
    assert task_set["networkConfiguration"] == svc["networkConfiguration"]
    assert task_set["loadBalancers"] == svc["loadBalancers"]
    assert task_set["scale"] == {"value": 100.0, "unit": "PERCENT"}
    assert task_set["stabilityStatus"] == "STEADY_STATE"
    assert "createdAt" in task_set and "updatedAt" in task_set
    assert "externalId" not in task_set and "startedBy" not in task_set
    assert (svc["runningCount"], svc["pendingCount"]) == (2, 0)
    # moto's DescribeTaskSets reads the same model.
    described = aws.ecs.describe_task_sets(cluster=bg.cluster, service=bg.service)["taskSets"]
    assert [ts["id"] for ts in described] == [task_set["id"]]


def test_rollout_polls_leave_code_deploy_services_alone(aws: Aws, bg: BlueGreen) -> None:
    before = service(aws, bg)
    for _ in range(sandbox.ROLLOUT_STEPS + 1):
        after = service(aws, bg)
    assert after.get("deployments") == []
    assert after["taskSets"] == before["taskSets"]
    assert after["events"] == before["events"]


def test_desired_count_scales_the_primary_task_set(aws: Aws, bg: BlueGreen) -> None:
    task_set_id = service(aws, bg)["taskSets"][0]["id"]
    updated = aws.ecs.update_service(cluster=bg.cluster, service=bg.service, desiredCount=3)
    [task_set] = updated["service"]["taskSets"]
    assert (task_set["computedDesiredCount"], task_set["runningCount"]) == (3, 3)
    svc = service(aws, bg)
    assert (svc["desiredCount"], svc["runningCount"], svc["pendingCount"]) == (3, 3, 0)
    assert svc.get("deployments") == []
    newest, before = messages(svc)[:2]
    assert newest.startswith(
        f"(service {bg.service}, taskSet {task_set_id}) has started 1 tasks: (task "
    )
    assert before == (
        f"(service {bg.service}) updated computedDesiredCount for taskSet {task_set_id} to 3."
    )


def test_external_services_task_sets_keep_moto_behaviour(aws: Aws, bg: BlueGreen) -> None:
    aws.ecs.create_service(
        cluster=bg.cluster,
        serviceName="external",
        taskDefinition=bg.task_definition,
        desiredCount=1,
        deploymentController={"type": "EXTERNAL"},
    )
    aws.ecs.create_task_set(
        cluster=bg.cluster, service="external", taskDefinition=bg.task_definition
    )
    updated = aws.ecs.update_service(cluster=bg.cluster, service="external", desiredCount=3)
    assert updated["service"]["runningCount"] == 3  # moto's immediate count, no task set model
    assert "computedDesiredCount" not in updated["service"]["taskSets"][0]


def test_task_set_attributes_are_kept_where_the_serializer_reads_them() -> None:
    for field, attribute in sandbox._TASK_SET_ATTRIBUTES.items():
        assert attribute == xform_name(field), field


# ---- 2. deployments progress over polls --------------------------------------------------


def test_deployment_progresses_over_polls_and_swaps_the_target_group(
    aws: Aws, bg: BlueGreen
) -> None:
    new_arn = register(aws, "nginx:1.28")
    content = appspec(new_arn)
    deployment_id = deploy(aws, bg, content, description="web to 1.28")
    assert re.fullmatch(r"d-[A-Z0-9]{9}", deployment_id)
    listed = aws.cd.list_deployments(
        applicationName=bg.application,
        deploymentGroupName=bg.group,
        includeOnlyStatuses=["Created"],
    )
    assert listed["deployments"] == [deployment_id]  # ListDeployments is no poll
    blue_set = service(aws, bg)["taskSets"][0]["id"]

    info = get(aws, deployment_id)
    assert info["status"] == "InProgress"
    assert "startTime" in info and "completeTime" not in info
    assert info["deploymentOverview"]["InProgress"] == 1
    assert info["revision"] == {
        "revisionType": "AppSpecContent",
        "appSpecContent": {"sha256": hashlib.sha256(content.encode()).hexdigest()},
    }
    svc = service(aws, bg)
    assert svc["taskDefinition"] == bg.task_definition
    assert [(ts["status"], ts["taskDefinition"]) for ts in svc["taskSets"]] == [
        ("PRIMARY", bg.task_definition),
        ("ACTIVE", new_arn),
    ]
    green = svc["taskSets"][1]
    assert (green["startedBy"], green["externalId"]) == ("CODE_DEPLOY", deployment_id)
    assert green["loadBalancers"][0]["targetGroupArn"] == bg.green_target_group
    assert (green["runningCount"], svc["runningCount"]) == (2, 4)

    for _ in range(STEPS - 2):
        assert get(aws, deployment_id)["status"] == "InProgress"
    info = get(aws, deployment_id)
    assert info["status"] == "Succeeded"
    assert "completeTime" in info
    assert info["deploymentOverview"]["Succeeded"] == 1
    assert "errorInformation" not in info and "rollbackInfo" not in info
    assert info["description"] == "web to 1.28"
    svc = service(aws, bg)
    assert svc["taskDefinition"] == new_arn
    assert [(ts["id"], ts["status"], ts["taskDefinition"]) for ts in svc["taskSets"]] == [
        (green["id"], "PRIMARY", new_arn)
    ]
    assert svc["loadBalancers"] == [
        {"targetGroupArn": bg.green_target_group, "containerName": "app", "containerPort": 80}
    ]
    assert (svc["runningCount"], svc["pendingCount"]) == (2, 0)
    assert messages(svc)[0] == f"(service {bg.service}) has reached a steady state."
    assert messages(svc)[1].startswith(
        f"(service {bg.service}, taskSet {blue_set}) has stopped 2 running tasks: (task "
    )
    assert (
        f"(service {bg.service}) updated computedDesiredCount for taskSet {green['id']} to 2."
        in messages(svc)
    )
    assert get(aws, deployment_id, times=2)["status"] == "Succeeded"  # stays so

    # The next deployment goes back to the blue target group.
    newer = register(aws, "nginx:1.29")
    second = deploy(aws, bg, appspec(newer))
    assert get(aws, second, times=STEPS)["status"] == "Succeeded"
    svc = service(aws, bg)
    assert svc["taskDefinition"] == newer
    assert svc["loadBalancers"][0]["targetGroupArn"] == bg.blue_target_group


def test_batch_get_deployments_advances_each_listed_deployment_once_per_call(
    aws: Aws, bg: BlueGreen
) -> None:
    deployment_id = deploy(aws, bg, appspec(register(aws, "nginx:1.28")))
    statuses = []
    for _ in range(STEPS):
        infos = aws.cd.batch_get_deployments(deploymentIds=[deployment_id, deployment_id])
        statuses.append(infos["deploymentsInfo"][0]["status"])
    assert statuses == ["InProgress"] * (STEPS - 1) + ["Succeeded"]
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        aws.cd.batch_get_deployments(deploymentIds=[deployment_id] * 26)
    assert error_of(excinfo) == (
        "BatchLimitExceededException",
        "The maximum number of names or IDs allowed for this request (25) was exceeded.",
    )


def test_yaml_appspec_is_accepted(aws: Aws, bg: BlueGreen) -> None:
    new_arn = register(aws, "nginx:1.28")
    content = appspec(new_arn, hooks=[{"BeforeInstall": "CheckBeforeInstall"}], form="yaml")
    assert content.lstrip().startswith("version:")
    deployment_id = deploy(aws, bg, content)
    assert get(aws, deployment_id, times=STEPS)["status"] == "Succeeded"
    assert service(aws, bg)["taskDefinition"] == new_arn


def test_json_appspec_is_accepted_and_its_service_properties_apply(
    aws: Aws, bg: BlueGreen
) -> None:
    new_arn = register(aws, "nginx:1.28")
    network = {
        "AwsvpcConfiguration": {
            "Subnets": list(bg.subnets),
            "SecurityGroups": [bg.security_group],
            "AssignPublicIp": "ENABLED",
        }
    }
    content = appspec(
        new_arn,
        properties={"NetworkConfiguration": network, "PlatformVersion": "1.4.0"},
        form="json",
    )
    deployment_id = deploy(aws, bg, content)
    get(aws, deployment_id)
    green = service(aws, bg)["taskSets"][1]
    assert green["platformVersion"] == "1.4.0"
    assert green["networkConfiguration"]["awsvpcConfiguration"]["assignPublicIp"] == "ENABLED"
    assert get(aws, deployment_id, times=STEPS - 1)["status"] == "Succeeded"
    svc = service(aws, bg)
    assert svc["taskDefinition"] == new_arn
    assert svc["platformVersion"] == "1.4.0"
    assert svc["networkConfiguration"] == {
        "awsvpcConfiguration": {
            "subnets": list(bg.subnets),
            "securityGroups": [bg.security_group],
            "assignPublicIp": "ENABLED",
        }
    }


# ---- 3. CreateDeployment validates like CodeDeploy ---------------------------------------


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (lambda arn: appspec(None), "The AppSpec file's TargetService has no TaskDefinition."),
        (
            lambda arn: appspec(arn, container="nope"),
            "The container nope in the AppSpec file's LoadBalancerInfo is not a container of "
            "task definition {arn}.",
        ),
        (
            lambda arn: appspec(arn, container=None),
            "The AppSpec file's LoadBalancerInfo has no ContainerName.",
        ),
        (
            lambda arn: appspec(arn, port=None),
            "The AppSpec file's LoadBalancerInfo has no ContainerPort.",
        ),
        (
            lambda arn: appspec(arn, port=8080),
            "The container app of task definition {arn} does not map container port 8080.",
        ),
        (
            lambda arn: appspec("web:2"),
            "The TaskDefinition in the AppSpec file must be a task definition ARN, not 'web:2'.",
        ),
        (
            lambda arn: appspec(arn.replace(":2", ":9")),
            "The task definition {other} in the AppSpec file does not exist.",
        ),
        (
            lambda arn: appspec(arn, hooks=[{"Install": "Nope"}]),
            "The AppSpec hook Install is not a lifecycle event of an ECS deployment that takes "
            "a hook; use one of BeforeInstall, AfterInstall, AfterAllowTestTraffic, "
            "BeforeAllowTraffic, AfterAllowTraffic.",
        ),
        (lambda arn: "Resources: [", None),
        (
            lambda arn: '{"version": 0.0}',
            "The AppSpec file must list the target ECS service in Resources.",
        ),
    ],
    ids=[
        "no-task-definition", "unknown-container", "no-container", "no-port", "unmapped-port",
        "not-an-arn", "unregistered", "hook-on-install", "not-json-or-yaml", "no-resources",
    ],
)
def test_invalid_appspec_is_refused_with_invalid_revision(
    aws: Aws, bg: BlueGreen, content: Any, message: str | None
) -> None:
    arn = register(aws, "nginx:1.28")
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        deploy(aws, bg, content(arn))
    code, text = error_of(excinfo)
    assert code == "InvalidRevisionException"
    if message is None:
        assert text.startswith("The AppSpec file is neither valid JSON nor YAML")
    else:
        assert text == message.format(arn=arn, other=arn.replace(":2", ":9"))
    assert aws.cd.list_deployments()["deployments"] == []
    assert_unchanged(aws, bg)


def test_other_revision_types_and_missing_revisions_are_refused(aws: Aws, bg: BlueGreen) -> None:
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        aws.cd.create_deployment(
            applicationName=bg.application,
            deploymentGroupName=bg.group,
            revision={"revisionType": "S3", "s3Location": {"bucket": "b", "key": "k"}},
        )
    assert error_of(excinfo)[0] == "InvalidRevisionException"
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        aws.cd.create_deployment(applicationName=bg.application, deploymentGroupName=bg.group)
    assert error_of(excinfo) == ("RevisionRequiredException", "RevisionLocation must be specified")


def test_a_group_without_a_live_code_deploy_service_is_refused(aws: Aws, bg: BlueGreen) -> None:
    aws.cd.create_deployment_group(
        applicationName=bg.application,
        deploymentGroupName="ghost",
        serviceRoleArn="arn:aws:iam::123456789012:role/ecsCodeDeployRole",
        ecsServices=[{"serviceName": "ghost", "clusterName": bg.cluster}],
    )
    content = appspec(register(aws, "nginx:1.28"))
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        aws.cd.create_deployment(
            applicationName=bg.application,
            deploymentGroupName="ghost",
            revision={"revisionType": "AppSpecContent", "appSpecContent": {"content": content}},
        )
    assert error_of(excinfo) == (
        "InvalidECSServiceException",
        f"The ECS service ghost in cluster {bg.cluster} does not exist.",
    )
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        aws.cd.create_deployment(
            applicationName=bg.application,
            deploymentGroupName="nope",
            revision={"revisionType": "AppSpecContent", "appSpecContent": {"content": content}},
        )
    assert error_of(excinfo)[0] == "DeploymentGroupDoesNotExistException"


def test_invalid_auto_rollback_events_are_refused(aws: Aws, bg: BlueGreen) -> None:
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        deploy(
            aws,
            bg,
            appspec(register(aws, "nginx:1.28")),
            autoRollbackConfiguration={"enabled": True, "events": ["DEPLOYMENT_BORED"]},
        )
    assert error_of(excinfo)[0] == "InvalidAutoRollbackConfigException"


def test_a_second_deployment_while_one_is_active_is_refused(aws: Aws, bg: BlueGreen) -> None:
    first = deploy(aws, bg, appspec(register(aws, "nginx:1.28")))
    content = appspec(register(aws, "nginx:1.29"))
    for polls in (0, 1):  # Created, then InProgress
        get(aws, first, times=polls)
        with pytest.raises(botocore.exceptions.ClientError) as excinfo:
            deploy(aws, bg, content)
        assert error_of(excinfo) == (
            "DeploymentLimitExceededException",
            f"The Deployment Group '{bg.group}' already has an active Deployment '{first}'",
        )
    get(aws, first, times=STEPS)
    assert get(aws, deploy(aws, bg, content))["status"] == "InProgress"


# ---- 4. deployments fail, and roll back --------------------------------------------------


def test_broken_image_fails_at_install_and_leaves_the_service_as_it_was(
    aws: Aws, bg: BlueGreen
) -> None:
    broken = register(aws, "nginx:broken")
    deployment_id = deploy(aws, bg, appspec(broken))
    assert get(aws, deployment_id)["status"] == "InProgress"
    assert events_of(aws, deployment_id, bg) == expected_events(1)  # Install: waiting for health
    svc = service(aws, bg)
    green = svc["taskSets"][1]
    assert (green["taskDefinition"], green["status"]) == (broken, "ACTIVE")
    assert (green["runningCount"], green["pendingCount"]) == (0, 2)
    assert green["stabilityStatus"] == "STABILIZING"
    assert any(m.endswith("failed container health checks.") for m in messages(svc))

    info = get(aws, deployment_id)
    assert info["status"] == "Failed"
    assert info["errorInformation"] == {
        "code": "ECS_UPDATE_ERROR",
        "message": "The deployment timed out while waiting for the replacement task set to "
        "become healthy. This time out period is 60 minutes.",
    }
    assert "rollbackInfo" not in info
    assert info["deploymentOverview"]["Failed"] == 1
    assert events_of(aws, deployment_id, bg) == [
        ("BeforeInstall", "Succeeded"),
        ("Install", "Failed"),
    ] + [(name, "Skipped") for name in sandbox.ECS_LIFECYCLE_EVENTS[2:]]
    assert_unchanged(aws, bg)
    assert get(aws, deployment_id, times=STEPS)["status"] == "Failed"  # stays so
    assert aws.cd.list_deployments()["deployments"] == [deployment_id]  # no rollback


def test_broken_image_with_auto_rollback_rolls_back_with_a_deployment_that_succeeds(
    aws: Aws, bg: BlueGreen
) -> None:
    deployment_id = deploy(
        aws,
        bg,
        appspec(register(aws, "nginx:broken")),
        autoRollbackConfiguration=ROLLBACK_ON_FAILURE,
    )
    info = get(aws, deployment_id, times=2)
    assert info["status"] == "Failed"
    assert info["autoRollbackConfiguration"] == ROLLBACK_ON_FAILURE  # as given
    rollback_id = info["rollbackInfo"]["rollbackDeploymentId"]
    assert re.fullmatch(r"d-[A-Z0-9]{9}", rollback_id) and rollback_id != deployment_id
    assert rollback_id in info["rollbackInfo"]["rollbackMessage"]
    assert aws.cd.list_deployments(includeOnlyStatuses=["Created"])["deployments"] == [rollback_id]
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:  # the rollback holds the group
        deploy(aws, bg, appspec(register(aws, "nginx:1.29")))
    assert f"already has an active Deployment '{rollback_id}'" in error_of(excinfo)[1]

    statuses = [get(aws, rollback_id)["status"] for _ in range(STEPS)]
    assert statuses == ["InProgress"] * (STEPS - 1) + ["Succeeded"]
    rollback = get(aws, rollback_id)
    assert rollback["creator"] == "codeDeployRollback"
    assert rollback["rollbackInfo"] == {"rollbackTriggeringDeploymentId": deployment_id}
    assert "errorInformation" not in rollback
    assert_unchanged(aws, bg)
    assert get(aws, deployment_id)["rollbackInfo"] == {
        "rollbackDeploymentId": rollback_id,
        "rollbackMessage": (
            f"Deployment {deployment_id} was rolled back by deployment {rollback_id}."
        ),
    }


def test_the_groups_auto_rollback_applies_when_the_deployment_names_none(aws: Aws) -> None:
    bg = build_blue_green(aws.client, group_auto_rollback=ROLLBACK_ON_FAILURE)
    deployment_id = deploy(aws, bg, appspec(register(aws, "app:broken-1")))
    info = get(aws, deployment_id, times=2)
    assert info["status"] == "Failed"
    assert "autoRollbackConfiguration" not in info  # none given
    assert "rollbackDeploymentId" in info["rollbackInfo"]


@pytest.mark.parametrize(
    ("event", "failing_poll"),
    [
        ("BeforeInstall", 2),
        ("AfterInstall", 2),
        ("AfterAllowTestTraffic", 3),
        ("BeforeAllowTraffic", 4),
        ("AfterAllowTraffic", 5),
    ],
)
def test_a_failing_hook_fails_its_lifecycle_event(
    aws: Aws, bg: BlueGreen, event: str, failing_poll: int
) -> None:
    assert STEPS == 4, "the failing polls below are worked out for CODEDEPLOY_STEPS = 4"
    hooks = [{"BeforeInstall": "CheckFirst"}, {event: "ValidateFail"}]
    if event == "BeforeInstall":
        hooks = [{"BeforeInstall": "ValidateFail"}]
    deployment_id = deploy(aws, bg, appspec(register(aws, "nginx:1.28"), hooks=hooks))
    index = sandbox.ECS_LIFECYCLE_EVENTS.index(event)
    info = get(aws, deployment_id, times=failing_poll - 1)
    assert info["status"] == "InProgress"
    assert events_of(aws, deployment_id, bg)[index] == (event, "InProgress")
    info = get(aws, deployment_id)
    assert info["status"] == "Failed"
    assert info["errorInformation"]["code"] == "HEALTH_CONSTRAINTS"
    assert f"{event} lifecycle event hook" in info["errorInformation"]["message"]
    assert "ValidateFail" in info["errorInformation"]["message"]
    target = aws.cd.get_deployment_target(
        deploymentId=deployment_id, targetId=f"{bg.cluster}:{bg.service}"
    )["deploymentTarget"]["ecsTarget"]
    failed = target["lifecycleEvents"][index]
    assert (failed["status"], failed["diagnostics"]["scriptName"]) == ("Failed", "ValidateFail")
    assert failed["diagnostics"]["errorCode"] == "ScriptFailed"
    assert {e["status"] for e in target["lifecycleEvents"][:index]} <= {"Succeeded"}
    assert {e["status"] for e in target["lifecycleEvents"][index + 1 :]} <= {"Skipped"}
    assert target["status"] == "Failed"
    assert_unchanged(aws, bg)


# ---- 5. StopDeployment ---------------------------------------------------------------------


def test_stop_deployment_stops_it_and_removes_the_replacement_task_set(
    aws: Aws, bg: BlueGreen
) -> None:
    deployment_id = deploy(aws, bg, appspec(register(aws, "nginx:1.28")))
    get(aws, deployment_id)
    assert len(service(aws, bg)["taskSets"]) == 2
    reply = aws.cd.stop_deployment(deploymentId=deployment_id, autoRollbackEnabled=False)
    assert (reply["status"], reply["statusMessage"]) == (
        "Pending",
        "Stopping Pending. Stopping to schedule commands in the deployment instances",
    )
    info = get(aws, deployment_id, times=sandbox.STOP_POLLS)  # asynchronous, as on AWS
    assert info["status"] == "Stopped"
    assert info["errorInformation"] == {
        "code": "MANUAL_STOP",
        "message": "The deployment was stopped by the user.",
    }
    assert "rollbackInfo" not in info
    assert [s for _, s in events_of(aws, deployment_id, bg)] == ["Succeeded"] * 2 + ["Skipped"] * 6
    assert_unchanged(aws, bg)
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        aws.cd.stop_deployment(deploymentId=deployment_id)
    assert error_of(excinfo) == (
        "DeploymentAlreadyCompletedException",
        f"The deployment {deployment_id} has already completed.",
    )
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        aws.cd.stop_deployment(deploymentId="d-NOSUCHONE")
    assert error_of(excinfo)[0] == "DeploymentDoesNotExistException"


def test_stop_deployment_with_auto_rollback_rolls_back(aws: Aws, bg: BlueGreen) -> None:
    deployment_id = deploy(aws, bg, appspec(register(aws, "nginx:1.28")))
    aws.cd.stop_deployment(deploymentId=deployment_id, autoRollbackEnabled=True)  # still Created
    info = get(aws, deployment_id, times=sandbox.STOP_POLLS)
    assert info["status"] == "Stopped"
    rollback_id = info["rollbackInfo"]["rollbackDeploymentId"]
    assert get(aws, rollback_id, times=STEPS)["status"] == "Succeeded"
    assert_unchanged(aws, bg)


# ---- 6. BatchGetDeploymentGroups / BatchGetApplications ----------------------------------


def test_batch_get_deployment_groups_returns_found_groups_and_names_missing_ones(
    aws: Aws, bg: BlueGreen
) -> None:
    reply = aws.cd.batch_get_deployment_groups(
        applicationName=bg.application, deploymentGroupNames=[bg.group, "nope"]
    )
    [group] = reply["deploymentGroupsInfo"]
    assert group["deploymentGroupName"] == bg.group
    assert group["applicationName"] == bg.application
    assert group["computePlatform"] == "ECS"
    assert group["deploymentConfigName"] == "CodeDeployDefault.ECSAllAtOnce"
    assert group["ecsServices"] == [{"serviceName": bg.service, "clusterName": bg.cluster}]
    assert group["deploymentStyle"]["deploymentType"] == "BLUE_GREEN"
    pair = group["loadBalancerInfo"]["targetGroupPairInfoList"][0]
    assert pair["targetGroups"] == [{"name": "web-blue"}, {"name": "web-green"}]
    assert pair["prodTrafficRoute"]["listenerArns"] == [bg.listener]
    assert group["blueGreenDeploymentConfiguration"]["deploymentReadyOption"] == {
        "actionOnTimeout": "CONTINUE_DEPLOYMENT"
    }
    assert reply["errorMessage"] == (
        f"The deployment groups nope do not exist in application {bg.application}."
    )
    only_found = aws.cd.batch_get_deployment_groups(
        applicationName=bg.application, deploymentGroupNames=[bg.group]
    )
    assert "errorMessage" not in only_found

    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        aws.cd.batch_get_deployment_groups(
            applicationName=bg.application, deploymentGroupNames=[f"g{i}" for i in range(101)]
        )
    assert error_of(excinfo) == (
        "BatchLimitExceededException",
        "The maximum number of names or IDs allowed for this request (100) was exceeded.",
    )
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        aws.cd.batch_get_deployment_groups(applicationName="nope", deploymentGroupNames=["g"])
    assert error_of(excinfo)[0] == "ApplicationDoesNotExistException"


def test_batch_get_applications_takes_at_most_100_names(aws: Aws, bg: BlueGreen) -> None:
    found = aws.cd.batch_get_applications(applicationNames=[bg.application])
    assert found["applicationsInfo"][0]["computePlatform"] == "ECS"
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        aws.cd.batch_get_applications(applicationNames=[f"a{i}" for i in range(101)])
    assert error_of(excinfo)[0] == "BatchLimitExceededException"


# ---- 7. deployment targets and their lifecycle events -------------------------------------


def test_lifecycle_events_through_deployment_targets(aws: Aws, bg: BlueGreen) -> None:
    deployment_id = deploy(aws, bg, appspec(register(aws, "nginx:1.28")))
    target_id = f"{bg.cluster}:{bg.service}"
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        aws.cd.list_deployment_targets(deploymentId=deployment_id)
    assert error_of(excinfo) == (
        "DeploymentNotStartedException",
        "The specified deployment has not started.",
    )
    per_poll = len(sandbox.ECS_LIFECYCLE_EVENTS) // STEPS
    for poll in range(1, STEPS):
        get(aws, deployment_id)
        listed = aws.cd.list_deployment_targets(deploymentId=deployment_id)
        assert listed["targetIds"] == [target_id]
        assert events_of(aws, deployment_id, bg) == expected_events(poll * per_poll)
    target = aws.cd.get_deployment_target(deploymentId=deployment_id, targetId=target_id)
    assert target["deploymentTarget"]["deploymentTargetType"] == "ECSTarget"
    ecs_target = target["deploymentTarget"]["ecsTarget"]
    assert ecs_target["deploymentId"] == deployment_id
    assert ecs_target["targetArn"] == service(aws, bg)["serviceArn"]
    assert ecs_target["status"] == "InProgress"
    for event in ecs_target["lifecycleEvents"]:
        assert ("startTime" in event) == (event["status"] != "Pending")
        assert ("endTime" in event) == (event["status"] == "Succeeded")
    labels = {ts["taskSetLabel"]: ts for ts in ecs_target["taskSetsInfo"]}
    assert (labels["Blue"]["status"], labels["Blue"]["trafficWeight"]) == ("PRIMARY", 100.0)
    assert (labels["Green"]["status"], labels["Green"]["trafficWeight"]) == ("ACTIVE", 0.0)
    assert labels["Green"]["targetGroup"] == {"name": "web-green"}
    assert (
        aws.cd.list_deployment_targets(
            deploymentId=deployment_id, targetFilters={"TargetStatus": ["Succeeded"]}
        )["targetIds"]
        == []
    )

    get(aws, deployment_id)
    assert events_of(aws, deployment_id, bg) == expected_events(len(sandbox.ECS_LIFECYCLE_EVENTS))
    [ecs_target] = aws.cd.batch_get_deployment_targets(
        deploymentId=deployment_id, targetIds=[target_id]
    )["deploymentTargets"]
    assert ecs_target["ecsTarget"]["status"] == "Succeeded"
    [green] = ecs_target["ecsTarget"]["taskSetsInfo"]
    assert (green["taskSetLabel"], green["status"], green["trafficWeight"]) == (
        "Green", "PRIMARY", 100.0,
    )
    assert (
        aws.cd.list_deployment_targets(
            deploymentId=deployment_id, targetFilters={"TargetStatus": ["Succeeded"]}
        )["targetIds"]
        == [target_id]
    )
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        aws.cd.get_deployment_target(deploymentId=deployment_id, targetId="demo:other")
    assert error_of(excinfo)[0] == "DeploymentTargetDoesNotExistException"


# ---- 8. Application Auto Scaling ---------------------------------------------------------


def test_auto_scaling_suspend_and_resume_round_trip(aws: Aws, bg: BlueGreen) -> None:
    resource = f"service/{bg.cluster}/{bg.service}"
    target = {
        "ServiceNamespace": "ecs",
        "ResourceId": resource,
        "ScalableDimension": "ecs:service:DesiredCount",
    }

    def described() -> dict[str, Any]:
        [found] = aws.aas.describe_scalable_targets(
            ServiceNamespace="ecs", ResourceIds=[resource]
        )["ScalableTargets"]
        return found

    aws.aas.register_scalable_target(**target, MinCapacity=1, MaxCapacity=4)
    flags = sandbox.SUSPENDED_STATE_FLAGS
    assert described()["SuspendedState"] == {flag: False for flag in flags}
    aws.aas.register_scalable_target(**target, SuspendedState={flag: True for flag in flags})
    found = described()
    assert (found["MinCapacity"], found["MaxCapacity"]) == (1, 4)
    assert found["SuspendedState"] == {flag: True for flag in flags}
    aws.aas.register_scalable_target(**target, SuspendedState={"DynamicScalingInSuspended": False})
    assert described()["SuspendedState"] == {
        "DynamicScalingInSuspended": False,
        "DynamicScalingOutSuspended": True,
        "ScheduledScalingSuspended": True,
    }
    aws.aas.register_scalable_target(**target, SuspendedState={flag: False for flag in flags})
    found = described()
    assert found["SuspendedState"] == {flag: False for flag in flags}
    assert (found["MinCapacity"], found["MaxCapacity"]) == (1, 4)


def test_register_scalable_target_is_no_rollout_poll(aws: Aws, bg: BlueGreen) -> None:
    aws.ecs.create_service(
        cluster=bg.cluster,
        serviceName="rolling",
        taskDefinition=bg.task_definition,
        desiredCount=2,
        launchType="FARGATE",
        networkConfiguration={
            "awsvpcConfiguration": {
                "subnets": [bg.subnets[0]],
                "securityGroups": [bg.security_group],
            }
        },
    )
    for _ in range(sandbox.ROLLOUT_STEPS):
        aws.aas.register_scalable_target(
            ServiceNamespace="ecs",
            ResourceId=f"service/{bg.cluster}/rolling",
            ScalableDimension="ecs:service:DesiredCount",
            MinCapacity=1,
            MaxCapacity=4,
        )
    rolling = aws.ecs.describe_services(cluster=bg.cluster, services=["rolling"])["services"][0]
    assert rolling["deployments"][0]["rolloutState"] == "IN_PROGRESS"  # one poll, not four
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        aws.aas.register_scalable_target(
            ServiceNamespace="ecs",
            ResourceId=f"service/{bg.cluster}/ghost",
            ScalableDimension="ecs:service:DesiredCount",
            MinCapacity=1,
            MaxCapacity=4,
        )
    assert error_of(excinfo) == (
        "ValidationException",
        f"ECS service doesn't exist: service/{bg.cluster}/ghost",
    )


# ---- 9. request recording ------------------------------------------------------------------


def test_codedeploy_and_auto_scaling_requests_are_recorded_in_order(
    aws: Aws, bg: BlueGreen
) -> None:
    resource = f"service/{bg.cluster}/{bg.service}"
    suspended = {flag: True for flag in sandbox.SUSPENDED_STATE_FLAGS}
    aws.aas.register_scalable_target(
        ServiceNamespace="ecs",
        ResourceId=resource,
        ScalableDimension="ecs:service:DesiredCount",
        MinCapacity=1,
        MaxCapacity=4,
        SuspendedState=suspended,
    )
    aws.server.clear_requests()
    aws.aas.register_scalable_target(
        ServiceNamespace="ecs",
        ResourceId=resource,
        ScalableDimension="ecs:service:DesiredCount",
        SuspendedState=suspended,
    )
    aws.cd.batch_get_deployment_groups(
        applicationName=bg.application, deploymentGroupNames=[bg.group]
    )
    content = appspec(register(aws, "nginx:1.28"))
    deployment_id = deploy(aws, bg, content)
    get(aws, deployment_id)
    aws.cd.stop_deployment(deploymentId=deployment_id)
    requests = aws.server.requests
    assert [(r.service, r.action) for r in requests] == [
        ("application-autoscaling", "RegisterScalableTarget"),
        ("codedeploy", "BatchGetDeploymentGroups"),
        ("ecs", "RegisterTaskDefinition"),
        ("codedeploy", "CreateDeployment"),
        ("codedeploy", "GetDeployment"),
        ("codedeploy", "StopDeployment"),
    ]
    assert requests[0].params["SuspendedState"] == suspended
    assert requests[3].params["revision"]["appSpecContent"]["content"] == content
    assert requests[5].params == {"deploymentId": deployment_id}
    assert not [r for r in requests if r.action == "ListApplications"]


# ---- 10. the waits: Ready, traffic shifting, termination wait (one poll = one minute) -------


def status_of(aws: Aws, deployment_id: str) -> str:
    """The deployment's status without a poll (ListDeployments moves nothing)."""
    for status in ("Created", "InProgress", "Ready", "Succeeded", "Failed", "Stopped"):
        if deployment_id in aws.cd.list_deployments(includeOnlyStatuses=[status])["deployments"]:
            return status
    raise AssertionError(f"{deployment_id} not listed")


def weights(aws: Aws, deployment_id: str, bg: BlueGreen) -> dict[str, float]:
    target = aws.cd.get_deployment_target(
        deploymentId=deployment_id, targetId=f"{bg.cluster}:{bg.service}"
    )["deploymentTarget"]["ecsTarget"]
    return {ts["taskSetLabel"]: ts["trafficWeight"] for ts in target["taskSetsInfo"]}


@pytest.fixture
def bg_waits(aws: Aws, request: pytest.FixtureRequest) -> BlueGreen:
    built = build_blue_green(aws.client, **request.param)
    aws.server.clear_requests()
    return built


def test_deployment_configs_predefined_and_custom(aws: Aws) -> None:
    info = aws.cd.get_deployment_config(
        deploymentConfigName="CodeDeployDefault.ECSCanary10Percent5Minutes"
    )["deploymentConfigInfo"]
    assert info["computePlatform"] == "ECS"
    assert info["trafficRoutingConfig"] == {
        "type": "TimeBasedCanary",
        "timeBasedCanary": {"canaryPercentage": 10, "canaryInterval": 5},
    }
    assert set(sandbox.ECS_PREDEFINED_CONFIGS) == {
        "CodeDeployDefault.ECSAllAtOnce",
        "CodeDeployDefault.ECSCanary10Percent5Minutes",
        "CodeDeployDefault.ECSCanary10Percent15Minutes",
        "CodeDeployDefault.ECSLinear10PercentEvery1Minutes",
        "CodeDeployDefault.ECSLinear10PercentEvery3Minutes",
    }
    linear = {"type": "TimeBasedLinear", "timeBasedLinear": {"linearPercentage": 25, "linearInterval": 2}}
    config_id = aws.cd.create_deployment_config(
        deploymentConfigName="Linear25Every2", computePlatform="ECS", trafficRoutingConfig=linear
    )["deploymentConfigId"]
    info = aws.cd.get_deployment_config(deploymentConfigName="Linear25Every2")["deploymentConfigInfo"]
    assert (info["deploymentConfigId"], info["trafficRoutingConfig"]) == (config_id, linear)
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        aws.cd.create_deployment_config(
            deploymentConfigName="Linear25Every2", computePlatform="ECS", trafficRoutingConfig=linear
        )
    assert error_of(excinfo)[0] == "DeploymentConfigAlreadyExistsException"
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        aws.cd.create_deployment_config(
            deploymentConfigName="Bad",
            computePlatform="ECS",
            trafficRoutingConfig={"type": "TimeBasedCanary", "timeBasedCanary": {"canaryPercentage": 100, "canaryInterval": 5}},
        )
    assert error_of(excinfo)[0] == "InvalidTrafficRoutingConfigurationException"
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        aws.cd.get_deployment_config(deploymentConfigName="Nope")
    assert error_of(excinfo)[0] == "DeploymentConfigDoesNotExistException"


@pytest.mark.parametrize("bg_waits", [{"ready_wait": 3}], indirect=True)
def test_ready_wait_holds_until_continue_deployment(aws: Aws, bg_waits: BlueGreen) -> None:
    bg = bg_waits
    new_arn = register(aws, "nginx:1.28")
    deployment_id = deploy(aws, bg, appspec(new_arn))
    assert get(aws, deployment_id, times=2)["status"] == "InProgress"
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        aws.cd.continue_deployment(deploymentId=deployment_id, deploymentWaitType="READY_WAIT")
    assert error_of(excinfo) == (
        "DeploymentIsNotInReadyStateException",
        "The deployment does not have a status of Ready and can't continue yet.",
    )
    info = get(aws, deployment_id)  # AfterAllowTestTraffic done: waiting for the reroute
    assert info["status"] == "Ready"
    assert info["deploymentOverview"]["Ready"] == 1
    assert events_of(aws, deployment_id, bg) == expected_events(5, running=False)
    target = aws.cd.get_deployment_target(
        deploymentId=deployment_id, targetId=f"{bg.cluster}:{bg.service}"
    )["deploymentTarget"]["ecsTarget"]
    assert target["status"] == "Ready"
    assert weights(aws, deployment_id, bg) == {"Blue": 100.0, "Green": 0.0}
    assert get(aws, deployment_id, times=2)["status"] == "Ready"  # held for 3 polls in all
    assert service(aws, bg)["taskDefinition"] == bg.task_definition

    assert aws.cd.continue_deployment(deploymentId=deployment_id) is not None  # READY_WAIT
    assert status_of(aws, deployment_id) == "InProgress"
    info = get(aws, deployment_id)
    assert info["status"] == "Succeeded"
    assert service(aws, bg)["taskDefinition"] == new_arn
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        aws.cd.continue_deployment(deploymentId=deployment_id)
    assert error_of(excinfo)[0] == "DeploymentAlreadyCompletedException"


@pytest.mark.parametrize("bg_waits", [{"ready_wait": 3}], indirect=True)
def test_ready_wait_that_runs_out_stops_the_deployment(aws: Aws, bg_waits: BlueGreen) -> None:
    bg = bg_waits
    deployment_id = deploy(aws, bg, appspec(register(aws, "nginx:1.28")))
    statuses = [get(aws, deployment_id)["status"] for _ in range(6)]
    assert statuses == ["InProgress"] * 2 + ["Ready"] * 3 + ["Stopped"]
    info = get(aws, deployment_id)
    assert info["errorInformation"] == sandbox.READY_TIMEOUT_ERROR
    assert "rollbackInfo" not in info
    assert_unchanged(aws, bg)


@pytest.mark.parametrize(
    ("bg_waits", "green"),
    [
        ({"deployment_config": "CodeDeployDefault.ECSCanary10Percent5Minutes"}, [10.0] * 5),
        (
            {"deployment_config": "CodeDeployDefault.ECSLinear10PercentEvery1Minutes"},
            [10.0, 20.0, 30.0, 40.0, 50.0, 60.0, 70.0, 80.0, 90.0],
        ),
    ],
    indirect=["bg_waits"],
    ids=["canary", "linear"],
)
def test_canary_and_linear_configs_shift_traffic_over_polls(
    aws: Aws, bg_waits: BlueGreen, green: list[float]
) -> None:
    bg = bg_waits
    new_arn = register(aws, "nginx:1.28")
    deployment_id = deploy(aws, bg, appspec(new_arn))
    get(aws, deployment_id, times=2)
    seen = []
    for _ in green:
        assert get(aws, deployment_id)["status"] == "InProgress"
        allow_traffic = dict(events_of(aws, deployment_id, bg))["AllowTraffic"]
        assert allow_traffic == "InProgress"
        shares = weights(aws, deployment_id, bg)
        assert shares["Blue"] + shares["Green"] == 100.0
        seen.append(shares["Green"])
        assert service(aws, bg)["taskDefinition"] == bg.task_definition
    assert seen == green
    assert get(aws, deployment_id)["status"] == "Succeeded"
    assert service(aws, bg)["taskDefinition"] == new_arn


def test_a_deployment_names_an_unknown_config(aws: Aws, bg: BlueGreen) -> None:
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        deploy(aws, bg, appspec(register(aws, "nginx:1.28")), deploymentConfigName="Nope")
    assert error_of(excinfo)[0] == "DeploymentConfigDoesNotExistException"


@pytest.mark.parametrize("bg_waits", [{"termination_wait": 3}], indirect=True)
def test_termination_wait_keeps_the_original_task_set_before_succeeded(
    aws: Aws, bg_waits: BlueGreen
) -> None:
    bg = bg_waits
    new_arn = register(aws, "nginx:1.28")
    deployment_id = deploy(aws, bg, appspec(new_arn))
    blue_set = service(aws, bg)["taskSets"][0]["id"]
    info = get(aws, deployment_id, times=STEPS)
    assert info["status"] == "InProgress"  # every lifecycle event done, the wait has begun
    assert info["instanceTerminationWaitTimeStarted"] is True
    assert events_of(aws, deployment_id, bg) == expected_events(8)
    svc = service(aws, bg)
    assert svc["taskDefinition"] == new_arn  # traffic has moved
    assert svc["loadBalancers"][0]["targetGroupArn"] == bg.green_target_group
    assert [(ts["id"] == blue_set, ts["status"]) for ts in svc["taskSets"]] == [
        (True, "ACTIVE"),
        (False, "PRIMARY"),
    ]
    assert weights(aws, deployment_id, bg) == {"Blue": 0.0, "Green": 100.0}
    assert [get(aws, deployment_id)["status"] for _ in range(3)] == ["InProgress"] * 2 + ["Succeeded"]
    svc = service(aws, bg)
    assert [(ts["status"], ts["taskDefinition"]) for ts in svc["taskSets"]] == [("PRIMARY", new_arn)]

    # ContinueDeployment TERMINATION_WAIT ends the wait at once.
    newer = register(aws, "nginx:1.29")
    second = deploy(aws, bg, appspec(newer))
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        aws.cd.continue_deployment(deploymentId=second, deploymentWaitType="TERMINATION_WAIT")
    assert error_of(excinfo)[0] == "InvalidDeploymentStatusException"
    assert get(aws, second, times=STEPS)["status"] == "InProgress"
    aws.cd.continue_deployment(deploymentId=second, deploymentWaitType="TERMINATION_WAIT")
    assert status_of(aws, second) == "Succeeded"
    assert [ts["taskDefinition"] for ts in service(aws, bg)["taskSets"]] == [newer]


@pytest.mark.parametrize("bg_waits", [{"termination_wait": 30}], indirect=True)
def test_a_stop_during_the_termination_wait_puts_the_original_task_set_back(
    aws: Aws, bg_waits: BlueGreen
) -> None:
    bg = bg_waits
    deployment_id = deploy(aws, bg, appspec(register(aws, "nginx:1.28")))
    get(aws, deployment_id, times=STEPS)
    aws.cd.stop_deployment(deploymentId=deployment_id, autoRollbackEnabled=False)
    assert get(aws, deployment_id, times=sandbox.STOP_POLLS)["status"] == "Stopped"
    assert_unchanged(aws, bg)


# ---- 11. CODE_DEPLOY services: UpdateService refuses what starts a deployment --------------


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"forceNewDeployment": True}, "Cannot force a new deployment"),
        ({"forceNewDeployment": True, "desiredCount": 3}, "Cannot force a new deployment"),
        ({"taskDefinition": "web"}, "Unable to update task definition"),
        ({"taskDefinition": "web", "forceNewDeployment": True}, "Unable to update task definition"),
    ],
    ids=["force", "force-with-count", "same-task-definition", "both"],
)
def test_update_service_refuses_force_and_even_the_same_task_definition(
    aws: Aws, bg: BlueGreen, params: dict[str, Any], message: str
) -> None:
    params = {k: (bg.task_definition if v == "web" else v) for k, v in params.items()}
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        aws.ecs.update_service(cluster=bg.cluster, service=bg.service, **params)
    assert error_of(excinfo) == (
        "InvalidParameterException",
        f"{message} on services with a CODE_DEPLOY deployment controller. "
        "Use AWS CodeDeploy to trigger a new deployment.",
    )
    assert service(aws, bg)["desiredCount"] == 2  # nothing changed
    updated = aws.ecs.update_service(
        cluster=bg.cluster, service=bg.service, desiredCount=3, forceNewDeployment=False
    )
    assert updated["service"]["desiredCount"] == 3


# ---- 12. StopDeployment is asynchronous ----------------------------------------------------


def test_stop_deployment_answers_pending_and_stops_polls_later(aws: Aws, bg: BlueGreen) -> None:
    assert sandbox.STOP_POLLS == 2, "the polls below are worked out for STOP_POLLS = 2"
    deployment_id = deploy(aws, bg, appspec(register(aws, "nginx:1.28")))
    get(aws, deployment_id)
    reply = aws.cd.stop_deployment(deploymentId=deployment_id, autoRollbackEnabled=True)
    assert reply["status"] == "Pending"
    assert aws.cd.stop_deployment(deploymentId=deployment_id)["status"] == "Pending"  # again
    info = get(aws, deployment_id)  # not yet in effect
    assert info["status"] == "InProgress"
    assert "rollbackInfo" not in info and "errorInformation" not in info
    assert len(service(aws, bg)["taskSets"]) == 2
    assert events_of(aws, deployment_id, bg) == expected_events(2)  # and no further
    active = aws.cd.list_deployments(
        applicationName=bg.application,
        deploymentGroupName=bg.group,
        includeOnlyStatuses=["Created", "Queued", "InProgress", "Ready"],
    )["deployments"]
    assert active == [deployment_id]  # no rollback deployment yet

    info = get(aws, deployment_id)
    assert info["status"] == "Stopped"
    assert info["errorInformation"] == sandbox.MANUAL_STOP_ERROR
    rollback_id = info["rollbackInfo"]["rollbackDeploymentId"]
    assert get(aws, rollback_id, times=STEPS)["status"] == "Succeeded"
    assert_unchanged(aws, bg)


# ---- 13. deployment groups name their service by name or by ARN -----------------------------


@pytest.mark.parametrize("bg_waits", [{"by_arn": True}], indirect=True)
def test_ecs_services_given_as_arns_are_kept_and_deployed(aws: Aws, bg_waits: BlueGreen) -> None:
    bg = bg_waits
    svc = service(aws, bg)
    [group] = aws.cd.batch_get_deployment_groups(
        applicationName=bg.application, deploymentGroupNames=[bg.group]
    )["deploymentGroupsInfo"]
    assert group["ecsServices"] == [
        {"serviceName": svc["serviceArn"], "clusterName": svc["clusterArn"]}
    ]
    new_arn = register(aws, "nginx:1.28")
    deployment_id = deploy(aws, bg, appspec(new_arn))
    assert get(aws, deployment_id, times=STEPS)["status"] == "Succeeded"
    assert service(aws, bg)["taskDefinition"] == new_arn

# ---- the guard for patches that add an action moto lacks ----------------------------------


def test_an_added_action_that_moto_grows_is_reported() -> None:
    sandbox.install()
    added = [spec for spec in sandbox._PATCHES if spec.adds]
    assert {spec.attribute for spec in added} == {
        "stop_deployment", "continue_deployment", "get_deployment_config",
        "create_deployment_config", "batch_get_deployment_groups", "list_deployment_targets",
        "get_deployment_target", "batch_get_deployment_targets",
        # ECS service deployments (service_deployments.py)
        "list_service_deployments", "describe_service_deployments", "describe_service_revisions",
        "stop_service_deployment", "continue_service_deployment",
    }
    # The installed addition carries another patch's name: to the guard it is moto's own.
    grown = attrs.evolve(added[0], name="moto_grew_it")
    with pytest.raises(SandboxError) as excinfo:
        sandbox._original_of(grown)
    assert "CodeDeployResponse.stop_deployment now exists in moto" in str(excinfo.value)
