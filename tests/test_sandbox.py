"""providers/sandbox.py against a real moto server over HTTP: each patch, and the patch guard."""

from __future__ import annotations

import inspect
import subprocess
import sys
from pathlib import Path
from typing import Any

import attrs
import pytest

pytest.importorskip("moto")
boto3 = pytest.importorskip("boto3")

import botocore.exceptions  # noqa: E402
from botocore import xform_name  # noqa: E402

from providers import sandbox  # noqa: E402
from providers.errors import SandboxError  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
REGION = "us-east-1"
CLUSTER = "demo"
TARGET_GROUP = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web/1"
REGISTRY = "arn:aws:servicediscovery:us-east-1:123456789012:service/srv-1"
BREAKER_ROLLBACK = {"deploymentCircuitBreaker": {"enable": True, "rollback": True}}
BREAKER_ONLY = {"deploymentCircuitBreaker": {"enable": True, "rollback": False}}

EXPECTED_PATCHES = [
    "record_requests",
    "list_stopped_tasks",
    "describe_stopped_tasks",
    "family_resolves_to_latest_active",
    "task_definition_read_only_fields",
    "ec2_memory_reservation_suffices",
    "deregistered_at_set",
    "task_definition_defaults",
    "refuse_duplicate_service",
    "create_service_keeps_fields",
    "code_deploy_refuses_rolling_fields",
    "update_service_like_ecs",
    "scalable_target_check_does_not_poll",
    "suspended_state_kept_per_flag",
    "batch_get_applications_limit",
    "create_deployment_validates_appspec",
    "deployments_progress_on_get",
    "deployments_progress_on_batch_get",
    "stop_deployment",
    "continue_deployment",
    "get_deployment_config",
    "create_deployment_config",
    "batch_get_deployment_groups",
    "list_deployment_targets",
    "get_deployment_target",
    "batch_get_deployment_targets",
    "list_service_deployments",
    "describe_service_deployments",
    "describe_service_revisions",
    "stop_service_deployment",
    "continue_service_deployment",
    "rollouts_progress_on_describe",
]

DEPLOYMENT_FIELDS = {
    "id", "status", "taskDefinition", "desiredCount", "pendingCount", "runningCount",
    "failedTasks", "createdAt", "updatedAt", "launchType", "platformVersion",
    "networkConfiguration", "rolloutState", "rolloutStateReason",
}


@attrs.frozen(kw_only=True)
class Aws:
    """Clients pointed at the sandbox, and the network every awsvpc service needs."""

    server: sandbox.SandboxServer
    ecs: Any
    ec2: Any
    subnet: str = ""
    security_group: str = ""

    def network(self, **extra: Any) -> dict[str, Any]:
        return {
            "awsvpcConfiguration": {
                "subnets": [self.subnet],
                "securityGroups": [self.security_group],
                **extra,
            }
        }

    def register(self, image: str = "nginx:1.27", family: str = "web", **kwargs: Any) -> str:
        defaults: dict[str, Any] = {
            "networkMode": "awsvpc",
            "requiresCompatibilities": ["FARGATE"],
            "cpu": "256",
            "memory": "512",
        }
        defaults.update(kwargs)
        reply = self.ecs.register_task_definition(
            family=family,
            containerDefinitions=[
                {"name": "app", "image": image, "portMappings": [{"containerPort": 80}]}
            ],
            **defaults,
        )
        return reply["taskDefinition"]["taskDefinitionArn"]

    def create(self, name: str = "web", **kwargs: Any) -> dict[str, Any]:
        params: dict[str, Any] = {
            "cluster": CLUSTER,
            "serviceName": name,
            "taskDefinition": "web",
            "desiredCount": 2,
            "launchType": "FARGATE",
            "networkConfiguration": self.network(),
        }
        params.update(kwargs)
        params = {k: v for k, v in params.items() if v is not None}  # None: leave it out
        return self.ecs.create_service(**params)["service"]

    def describe(self, name: str = "web") -> dict[str, Any]:
        return self.ecs.describe_services(cluster=CLUSTER, services=[name])["services"][0]

    def poll(self, times: int, name: str = "web") -> dict[str, Any]:
        service: dict[str, Any] = {}
        for _ in range(times):
            service = self.describe(name)
        return service

    def update(self, name: str = "web", **kwargs: Any) -> dict[str, Any]:
        return self.ecs.update_service(cluster=CLUSTER, service=name, **kwargs)["service"]

    def stable(self, name: str = "web") -> dict[str, Any]:
        """Create the service and let its first rollout complete."""
        self.create(name)
        service = self.poll(sandbox.ROLLOUT_STEPS, name)
        assert service["deployments"][0]["rolloutState"] == "COMPLETED"
        return service


@pytest.fixture(scope="module")
def server(sandbox_server: sandbox.SandboxServer) -> Any:
    # The one sandbox server of this test process (tests/conftest.py); each test resets it.
    return sandbox_server


@pytest.fixture(scope="module")
def clients(server: sandbox.SandboxServer) -> tuple[Any, Any]:
    kwargs = {
        "endpoint_url": server.endpoint_url,
        "region_name": REGION,
        "aws_access_key_id": "testing",
        "aws_secret_access_key": "testing",
    }
    return boto3.client("ecs", **kwargs), boto3.client("ec2", **kwargs)


@pytest.fixture
def aws(server: sandbox.SandboxServer, clients: tuple[Any, Any]) -> Aws:
    server.reset()
    ecs, ec2 = clients
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"]
    group = ec2.create_security_group(GroupName="web", Description="web", VpcId=vpc)["GroupId"]
    ecs.create_cluster(clusterName=CLUSTER)
    aws = Aws(server=server, ecs=ecs, ec2=ec2, subnet=subnet, security_group=group)
    aws.register()
    server.clear_requests()
    return aws


def messages(service: dict[str, Any]) -> list[str]:
    return [event["message"] for event in service["events"]]


def error_of(excinfo: pytest.ExceptionInfo[Any]) -> tuple[str, str]:
    error = excinfo.value.response["Error"]
    return error["Code"], error["Message"]


# ---- 1. CreateService keeps what real ECS keeps -------------------------------------------


def test_create_service_keeps_given_fields_and_merges_deployment_configuration(aws: Aws) -> None:
    created = aws.create(
        deploymentConfiguration={
            "maximumPercent": 150,
            "deploymentCircuitBreaker": {"enable": True, "rollback": True},
        },
        enableExecuteCommand=True,
        enableECSManagedTags=True,
        propagateTags="SERVICE",
        healthCheckGracePeriodSeconds=30,
        availabilityZoneRebalancing="DISABLED",
        placementConstraints=[],
        serviceConnectConfiguration={"enabled": False},
    )
    described = aws.describe()
    for service in (created, described):
        assert service["deploymentConfiguration"] == {
            "deploymentCircuitBreaker": {"enable": True, "rollback": True},
            "maximumPercent": 150,
            "minimumHealthyPercent": 100,
        }
        assert service["enableExecuteCommand"] is True
        assert service["enableECSManagedTags"] is True
        assert service["propagateTags"] == "SERVICE"
        assert service["healthCheckGracePeriodSeconds"] == 30
        assert service["availabilityZoneRebalancing"] == "DISABLED"
        assert service["platformVersion"] == "LATEST"
        awsvpc = service["networkConfiguration"]["awsvpcConfiguration"]
        assert awsvpc["assignPublicIp"] == "DISABLED"
    assert described["deployments"][0]["serviceConnectConfiguration"] == {"enabled": False}


def test_create_service_fills_in_real_ecs_defaults(aws: Aws) -> None:
    service = aws.create()
    assert service["deploymentConfiguration"] == sandbox.DEFAULT_DEPLOYMENT_CONFIGURATION
    assert service["enableExecuteCommand"] is False
    assert service["enableECSManagedTags"] is False
    assert service["propagateTags"] == "NONE"
    assert service["schedulingStrategy"] == "REPLICA"
    assert service["platformVersion"] == "LATEST"
    assert service["placementConstraints"] == []
    assert service["placementStrategy"] == []
    assert service["availabilityZoneRebalancing"] == "ENABLED"
    assert "healthCheckGracePeriodSeconds" not in service
    assert "createdAt" in service
    deployment = service["deployments"][0]
    assert DEPLOYMENT_FIELDS <= set(deployment)
    assert deployment["rolloutState"] == "IN_PROGRESS"
    assert deployment["runningCount"] == 0
    assert deployment["networkConfiguration"]["awsvpcConfiguration"]["assignPublicIp"] == "DISABLED"


def test_create_service_on_ec2_with_placement_and_load_balancer(aws: Aws) -> None:
    aws.register(family="worker", networkMode="bridge", requiresCompatibilities=["EC2"])
    placement = [{"type": "spread", "field": "attribute:ecs.availability-zone"}]
    service = aws.create(
        "worker",
        taskDefinition="worker",
        launchType="EC2",
        networkConfiguration=None,
        placementStrategy=placement,
        placementConstraints=[{"type": "distinctInstance"}],
        loadBalancers=[
            {
                "targetGroupArn": TARGET_GROUP,
                "containerName": "app",
                "containerPort": 80,
            }
        ],
    )
    assert service["placementStrategy"] == placement
    assert service["placementConstraints"] == [{"type": "distinctInstance"}]
    assert service["healthCheckGracePeriodSeconds"] == 0  # load balancers: ECS fills in 0
    assert "platformVersion" not in service  # only Fargate gets LATEST
    assert service["launchType"] == "EC2"


def test_capacity_provider_strategy_replaces_the_launch_type(aws: Aws) -> None:
    service = aws.ecs.create_service(
        cluster=CLUSTER,
        serviceName="spot",
        taskDefinition="web",
        desiredCount=1,
        capacityProviderStrategy=[{"capacityProvider": "FARGATE_SPOT", "weight": 1}],
        networkConfiguration=aws.network(),
    )["service"]
    assert service["capacityProviderStrategy"] == [
        {"capacityProvider": "FARGATE_SPOT", "weight": 1, "base": 0}
    ]
    assert "launchType" not in service
    assert service["platformVersion"] == "LATEST"


def test_duplicate_create_is_refused_but_a_deleted_name_can_be_reused(aws: Aws) -> None:
    aws.create()
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        aws.create()
    assert error_of(excinfo) == (
        "InvalidParameterException",
        "Creation of service was not idempotent.",
    )
    aws.ecs.delete_service(cluster=CLUSTER, service="web", force=True)
    assert aws.create(desiredCount=1)["desiredCount"] == 1


# ---- 2. UpdateService behaves like ECS ----------------------------------------------------


def test_update_service_stores_the_full_arn_of_the_latest_active_revision(aws: Aws) -> None:
    aws.stable()
    second = aws.register(image="nginx:1.28")
    third = aws.register(image="nginx:1.29")
    aws.ecs.deregister_task_definition(taskDefinition=third)
    updated = aws.update(taskDefinition="web")
    assert updated["taskDefinition"] == second
    assert updated["deployments"][0]["taskDefinition"] == second
    assert aws.describe()["taskDefinition"] == second


def test_fields_that_do_not_start_a_deployment_are_stored_without_one(aws: Aws) -> None:
    before = aws.stable()
    updated = aws.update(
        taskDefinition="web",  # the revision it already runs: not a change
        deploymentConfiguration={"minimumHealthyPercent": 50},
        enableExecuteCommand=True,
        healthCheckGracePeriodSeconds=60,
        propagateTags="TASK_DEFINITION",
        enableECSManagedTags=True,
        placementStrategy=[{"type": "random"}],
    )
    assert [d["id"] for d in updated["deployments"]] == [d["id"] for d in before["deployments"]]
    described = aws.describe()
    assert described["deploymentConfiguration"] == {
        "deploymentCircuitBreaker": {"enable": False, "rollback": False},
        "maximumPercent": 200,
        "minimumHealthyPercent": 50,
    }
    assert described["enableExecuteCommand"] is True
    assert described["healthCheckGracePeriodSeconds"] == 60
    assert described["propagateTags"] == "TASK_DEFINITION"
    assert described["enableECSManagedTags"] is True
    assert described["placementStrategy"] == [{"type": "random"}]
    assert len(described["deployments"]) == 1


def test_a_capacity_provider_change_needs_force_new_deployment_and_then_starts_one(aws: Aws) -> None:
    before = aws.stable()
    strategy = [{"capacityProvider": "FARGATE", "weight": 1, "base": 1}]
    with pytest.raises(botocore.exceptions.ClientError, match="you must force a new deployment"):
        aws.update(capacityProviderStrategy=strategy)
    assert not aws.describe().get("capacityProviderStrategy")  # refused: nothing changed
    updated = aws.update(capacityProviderStrategy=strategy, forceNewDeployment=True)
    assert len(updated["deployments"]) == len(before["deployments"]) + 1
    assert aws.describe()["capacityProviderStrategy"] == strategy


@pytest.mark.parametrize(
    "change",
    [
        lambda aws: {"taskDefinition": aws.register(image="nginx:1.28")},
        lambda aws: {"networkConfiguration": aws.network(assignPublicIp="ENABLED")},
        lambda aws: {"platformVersion": "1.4.0"},
        lambda aws: {"serviceRegistries": [{"registryArn": REGISTRY}]},
        lambda aws: {"forceNewDeployment": True},
    ],
    ids=[
        "taskDefinition", "networkConfiguration", "platformVersion", "serviceRegistries",
        "forceNewDeployment",
    ],
)
def test_a_deployment_starting_change_starts_a_new_primary(aws: Aws, change: Any) -> None:
    old = aws.stable()["deployments"][0]
    updated = aws.update(**change(aws))
    new, previous = updated["deployments"]
    assert new["id"] != old["id"] and new["id"].startswith("ecs-svc/")
    assert new["status"] == "PRIMARY"
    assert (new["rolloutState"], new["runningCount"]) == ("IN_PROGRESS", 0)
    assert DEPLOYMENT_FIELDS <= set(new)
    assert (previous["id"], previous["status"]) == (old["id"], "ACTIVE")


def test_same_network_configuration_in_another_order_is_no_change(aws: Aws) -> None:
    aws.stable()
    network = aws.network(assignPublicIp="DISABLED")
    updated = aws.update(networkConfiguration=network)
    assert len(updated["deployments"]) == 1


def test_desired_count_only_converges_without_a_new_deployment(aws: Aws) -> None:
    primary = aws.stable()["deployments"][0]
    updated = aws.update(desiredCount=5)
    assert [d["id"] for d in updated["deployments"]] == [primary["id"]]
    assert updated["deployments"][0]["desiredCount"] == 5
    assert updated["runningCount"] == 2
    service = aws.poll(sandbox.ROLLOUT_STEPS - 1)
    assert service["deployments"][0]["runningCount"] < 5
    service = aws.describe()
    deployment = service["deployments"][0]
    assert (deployment["runningCount"], deployment["rolloutState"]) == (5, "COMPLETED")
    assert service["runningCount"] == 5 and service["desiredCount"] == 5
    assert messages(service)[0] == "(service web) has reached a steady state."


# ---- 3. rollouts progress over polls ------------------------------------------------------


def test_rollout_completes_after_rollout_steps_describe_calls(aws: Aws) -> None:
    old = aws.stable()["deployments"][0]
    new_arn = aws.register(image="nginx:1.28")
    new_id = aws.update(taskDefinition=new_arn)["deployments"][0]["id"]
    for _ in range(sandbox.ROLLOUT_STEPS - 1):
        service = aws.describe()
        assert service["deployments"][0]["rolloutState"] == "IN_PROGRESS"
        assert service["runningCount"] == 2  # old tasks stop only as new ones start
    service = aws.describe()
    assert [d["id"] for d in service["deployments"]] == [new_id]
    primary = service["deployments"][0]
    assert primary["rolloutState"] == "COMPLETED"
    assert primary["rolloutStateReason"] == f"ECS deployment {new_id} completed."
    assert primary["runningCount"] == primary["desiredCount"] == service["runningCount"] == 2
    assert messages(service)[:2] == [
        "(service web) has reached a steady state.",
        f"(service web) (deployment {new_id}) deployment completed.",
    ]
    assert any(m.startswith("(service web) has started 1 tasks: (task ") for m in messages(service))
    event = service["events"][0]
    assert set(event) == {"id", "createdAt", "message"}
    assert old["id"] not in [d["id"] for d in service["deployments"]]


# ---- 4. a rollout can be made to fail -----------------------------------------------------


def test_broken_image_with_circuit_breaker_rollback_fails_and_rolls_back(aws: Aws) -> None:
    aws.create(deploymentConfiguration=BREAKER_ROLLBACK)
    good = aws.poll(sandbox.ROLLOUT_STEPS)
    good_id, good_arn = good["deployments"][0]["id"], good["taskDefinition"]
    broken_arn = aws.register(image="nginx:broken")
    broken_id = aws.update(taskDefinition=broken_arn)["deployments"][0]["id"]

    service = aws.describe()
    assert service["deployments"][0]["failedTasks"] > 0
    assert "failed container health checks." in messages(service)[0]

    # The circuit breaker trips at max(3, ceil(2 / 2)) = 3 failed tasks, one task per poll.
    service = aws.poll(3 // sandbox.FAILED_TASKS_PER_POLL - 1)
    # AWS's shape (tests/test_sandbox_rollouts.py has the details): no new deployment; the last
    # COMPLETED one is PRIMARY and IN_PROGRESS again, the failed one ACTIVE and FAILED.
    rollback, failed = service["deployments"]
    assert (failed["id"], failed["status"]) == (broken_id, "ACTIVE")
    assert failed["rolloutState"] == "FAILED"
    assert failed["rolloutStateReason"] == "ECS deployment circuit breaker: tasks failed to start."
    assert (rollback["status"], rollback["rolloutState"], rollback["taskDefinition"]) == (
        "PRIMARY", "IN_PROGRESS", good_arn,
    )
    assert rollback["id"] == good_id
    assert service["taskDefinition"] == good_arn
    assert messages(service)[:2] == [
        f"(service web) rolling back to deployment {good_id}.",
        f"(service web) (deployment {broken_id}) deployment failed: tasks failed to start.",
    ]

    service = aws.poll(sandbox.ROLLOUT_STEPS)
    assert [(d["id"], d["rolloutState"]) for d in service["deployments"]] == [
        (good_id, "COMPLETED")
    ]
    assert service["runningCount"] == 2


def test_broken_image_with_circuit_breaker_without_rollback_stays_failed(aws: Aws) -> None:
    aws.create(deploymentConfiguration=BREAKER_ONLY)
    aws.poll(sandbox.ROLLOUT_STEPS)
    broken_arn = aws.register(image="registry.example.com:5000/app:broken-1")
    aws.update(taskDefinition=broken_arn)
    service = aws.poll(sandbox.ROLLOUT_STEPS * 3)
    failed, previous = service["deployments"]
    assert (failed["status"], failed["rolloutState"], failed["taskDefinition"]) == (
        "PRIMARY", "FAILED", broken_arn,
    )
    assert (previous["status"], previous["runningCount"]) == ("ACTIVE", 2)
    assert service["taskDefinition"] == broken_arn


def test_broken_image_without_circuit_breaker_retries_for_ever(aws: Aws) -> None:
    aws.stable()
    aws.update(taskDefinition=aws.register(image="nginx:broken"))
    first = aws.poll(sandbox.ROLLOUT_STEPS)["deployments"][0]["failedTasks"]
    service = aws.poll(sandbox.ROLLOUT_STEPS * 2)
    primary = service["deployments"][0]
    assert primary["rolloutState"] == "IN_PROGRESS"
    assert primary["failedTasks"] > first
    assert primary["runningCount"] == 0
    assert service["deployments"][1]["runningCount"] == 2  # the old tasks keep serving


@pytest.mark.parametrize(
    ("image", "broken"),
    [
        ("nginx:broken", True),
        ("app:broken-1", True),
        ("123456789012.dkr.ecr.us-east-1.amazonaws.com/app:broken", True),
        ("localhost:5000/app:1.0", False),
        ("localhost:5000/broken", False),
        ("nginx", False),
        ("nginx:notbroken", False),
        ("app@sha256:abc", False),
    ],
)
def test_which_images_are_broken(image: str, broken: bool) -> None:
    assert sandbox.image_is_broken(image) is broken


# ---- 5. rejects what real ECS rejects -----------------------------------------------------

SUFFIX = (
    "on services with a CODE_DEPLOY deployment controller. "
    "Use AWS CodeDeploy to trigger a new deployment."
)
LOAD_BALANCER = {"targetGroupArn": TARGET_GROUP, "containerName": "app", "containerPort": 80}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda aws: {"taskDefinition": aws.register(image="nginx:1.28")},
            f"Unable to update task definition {SUFFIX}",
        ),
        (
            lambda aws: {"networkConfiguration": aws.network()},
            f"Unable to update network parameters {SUFFIX}",
        ),
        (
            lambda aws: {"loadBalancers": [LOAD_BALANCER]},
            f"Unable to update load balancers {SUFFIX}",
        ),
        (lambda aws: {"platformVersion": "1.4.0"}, f"Unable to update platform version {SUFFIX}"),
    ],
    ids=["taskDefinition", "networkConfiguration", "loadBalancers", "platformVersion"],
)
def test_code_deploy_service_refuses_rolling_fields(aws: Aws, change: Any, message: str) -> None:
    aws.create(deploymentController={"type": "CODE_DEPLOY"})
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        aws.update(**change(aws))
    assert error_of(excinfo) == ("InvalidParameterException", message)


def test_code_deploy_service_accepts_what_ecs_accepts(aws: Aws) -> None:
    created = aws.create(deploymentController={"type": "CODE_DEPLOY"})
    updated = aws.update(
        desiredCount=3,
        healthCheckGracePeriodSeconds=10,
        deploymentConfiguration={"maximumPercent": 150},
    )
    assert updated["taskDefinition"] == created["taskDefinition"]
    assert updated["desiredCount"] == 3
    assert updated["healthCheckGracePeriodSeconds"] == 10
    assert updated["deploymentConfiguration"]["maximumPercent"] == 150


# ---- 6. task definitions come back as AWS returns them ------------------------------------


def test_task_definition_read_only_fields_and_port_mapping_defaults(aws: Aws) -> None:
    described = aws.ecs.describe_task_definition(taskDefinition="web")["taskDefinition"]
    assert described["status"] == "ACTIVE"
    assert described["compatibilities"] == ["EC2", "FARGATE"]
    assert "registeredAt" in described
    assert described["registeredBy"].startswith("arn:aws:iam::")
    assert isinstance(described["requiresAttributes"], list)
    assert described["containerDefinitions"][0]["portMappings"] == [
        {"containerPort": 80, "hostPort": 80, "protocol": "tcp"}
    ]
    bridge = aws.register(family="bridge", networkMode="bridge", requiresCompatibilities=["EC2"])
    mappings = aws.ecs.describe_task_definition(taskDefinition=bridge)["taskDefinition"][
        "containerDefinitions"
    ][0]["portMappings"]
    # bridge: a missing hostPort is stored as 0, a dynamic port (terraform-provider-aws's
    # container definition comparison treats the hostPort 0 the API returns as unset).
    assert mappings == [{"containerPort": 80, "hostPort": 0, "protocol": "tcp"}]


def test_bare_family_describes_the_latest_active_revision(aws: Aws) -> None:
    second = aws.register(image="nginx:1.28")
    aws.ecs.deregister_task_definition(taskDefinition=second)
    described = aws.ecs.describe_task_definition(taskDefinition="web")["taskDefinition"]
    assert described["revision"] == 1


# ---- 7. request recording -----------------------------------------------------------------


def test_requests_are_recorded_with_their_params(aws: Aws) -> None:
    aws.create()
    aws.describe()
    actions = [(r.service, r.action) for r in aws.server.requests]
    assert actions == [("ecs", "CreateService"), ("ecs", "DescribeServices")]
    create = aws.server.requests[0]
    assert create.params["serviceName"] == "web"
    assert create.params["desiredCount"] == 2
    assert create in sandbox.recorded_requests()
    aws.server.clear_requests()
    assert aws.server.requests == []


def test_a_refused_request_is_recorded_too(aws: Aws) -> None:
    aws.create(deploymentController={"type": "CODE_DEPLOY"})
    new_arn = aws.register(image="nginx:1.28")
    with pytest.raises(botocore.exceptions.ClientError):
        aws.update(taskDefinition=new_arn)
    updates = [r for r in aws.server.requests if r.action == "UpdateService"]
    assert [u.params.get("taskDefinition") for u in updates] == [new_arn]


def test_requests_of_other_services_are_recorded(aws: Aws) -> None:
    aws.ec2.describe_vpcs()
    assert [(r.service, r.action) for r in aws.server.requests] == [("ec2", "DescribeVpcs")]


def test_in_process_sandbox_records_its_own_requests() -> None:
    with sandbox.in_process() as recorder:
        ecs = boto3.client("ecs", region_name=REGION)
        ecs.create_cluster(clusterName="inproc")
        ecs.register_task_definition(
            family="inproc", containerDefinitions=[{"name": "a", "image": "busybox", "memory": 64}]
        )
        ecs.create_service(
            cluster="inproc", serviceName="s", taskDefinition="inproc", desiredCount=1
        )
        for _ in range(sandbox.ROLLOUT_STEPS):
            service = ecs.describe_services(cluster="inproc", services=["s"])["services"][0]
    assert service["deployments"][0]["rolloutState"] == "COMPLETED"
    assert [r.action for r in recorder.requests] == [
        "CreateCluster", "RegisterTaskDefinition", "CreateService",
    ] + ["DescribeServices"] * sandbox.ROLLOUT_STEPS


# ---- the guard: fails loudly when a patch no longer applies -------------------------------


def test_every_patch_is_installed_and_every_target_still_matches_moto() -> None:
    sandbox.install()
    sandbox.install()  # idempotent
    assert sandbox.installed_patches() == EXPECTED_PATCHES
    sandbox._verify_targets()  # raises SandboxError naming the moto internal that changed
    for spec in sandbox._PATCHES:
        module = __import__(spec.module, fromlist=[spec.owner])
        live = inspect.getattr_static(getattr(module, spec.owner), spec.attribute)
        assert getattr(live, "__ecsplan_sandbox_patch__", None) == spec.name, spec.target
    for field, attribute in sandbox._SERVICE_ATTRIBUTES.items():
        # moto's serializer finds a member under its xform_name: the attributes must match.
        assert attribute == xform_name(field), field


def test_a_changed_moto_signature_is_reported_with_the_target_name() -> None:
    def update_service(self: Any, props: dict[str, Any], extra: int) -> None: ...

    target = "moto.ecs.models.EC2ContainerServiceBackend.update_service"
    with pytest.raises(SandboxError) as excinfo:
        sandbox._check_signature(target, update_service, ("self", "service_properties"))
    assert f"moto internal {target} changed its signature" in str(excinfo.value)


def test_a_missing_moto_target_is_reported_and_nothing_is_half_patched(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    gone = attrs.evolve(sandbox._PATCHES[-1], name="gone", attribute="describe_services_v2")
    monkeypatch.setattr(sandbox, "_PATCHES", (*sandbox._PATCHES, gone))
    with pytest.raises(SandboxError) as excinfo:
        sandbox.install()
    assert "EC2ContainerServiceBackend.describe_services_v2 no longer exists" in str(excinfo.value)
    assert "gone" not in sandbox.installed_patches()


def test_import_works_without_moto_and_install_says_how_to_get_it() -> None:
    code = (
        "import sys; sys.modules['moto'] = None\n"
        "import providers.sandbox as s\n"
        "from providers.errors import SandboxError\n"
        "try:\n    s.install()\nexcept SandboxError as e:\n    print(e)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "the sandbox needs moto: pip install 'ecsplan[sandbox]'"


def test_a_deregistered_revision_is_inactive_and_still_described(aws: Aws) -> None:
    # API_DeregisterTaskDefinition.html: the revision becomes INACTIVE (with deregisteredAt), is
    # still returned by DescribeTaskDefinition, and is no longer listed among the family's ACTIVE
    # revisions.
    first = aws.register()
    second = aws.register(image="nginx:1.28")
    answer = aws.ecs.deregister_task_definition(taskDefinition=second)["taskDefinition"]
    assert answer["taskDefinitionArn"] == second and answer["status"] == "INACTIVE"
    described = aws.ecs.describe_task_definition(taskDefinition=second)["taskDefinition"]
    assert described["status"] == "INACTIVE" and described["taskDefinitionArn"] == second
    assert described["deregisteredAt"] == answer["deregisteredAt"] >= described["registeredAt"]
    assert "deregisteredAt" not in aws.ecs.describe_task_definition(taskDefinition=first)["taskDefinition"]
    assert aws.ecs.describe_task_definition(taskDefinition=first)["taskDefinition"]["status"] == "ACTIVE"
    active = aws.ecs.list_task_definitions(familyPrefix="web", status="ACTIVE")["taskDefinitionArns"]
    assert first in active and second not in active
    assert aws.ecs.list_task_definitions(familyPrefix="web", status="INACTIVE")["taskDefinitionArns"] == [second]


def test_latency_is_per_server_port_and_can_be_taken_back():
    """make bench's network round trip: only the server it is set on, by the Host header's port."""
    from providers.sandbox import recording

    recording.set_latency(41001, 0.025)
    try:
        assert recording._latency_of("127.0.0.1:41001") == 0.025
        assert recording._latency_of("127.0.0.1:41002") == 0.0
        assert recording._latency_of(None) == 0.0 and recording._latency_of("localhost") == 0.0
        assert recording._latency_of("127.0.0.1:x") == 0.0
    finally:
        recording.set_latency(41001, 0)
    assert recording._latency_of("127.0.0.1:41001") == 0.0
