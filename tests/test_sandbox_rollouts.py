"""The sandbox's rolling deployments as AWS runs them, over HTTP against the sandbox server:
failures are slow (one failed task per poll; FAILED only at the circuit breaker's threshold), a
circuit-breaker rollback makes the last COMPLETED deployment PRIMARY again (no new deployment),
and a service behind a Classic Load Balancer gets no rolloutState."""

from __future__ import annotations

from typing import Any

import attrs
import pytest

pytest.importorskip("moto")
boto3 = pytest.importorskip("boto3")

from providers import sandbox  # noqa: E402

REGION = "us-east-1"
CLUSTER = "demo"
BREAKER_ROLLBACK = {"deploymentCircuitBreaker": {"enable": True, "rollback": True}}
CLASSIC = [{"loadBalancerName": "web-clb", "containerName": "app", "containerPort": 80}]


@attrs.frozen(kw_only=True)
class Ecs:
    client: Any
    subnet: str
    security_group: str

    def register(self, image: str = "nginx:1.27") -> str:
        reply = self.client.register_task_definition(
            family="web",
            networkMode="awsvpc",
            requiresCompatibilities=["FARGATE"],
            cpu="256",
            memory="512",
            containerDefinitions=[
                {"name": "app", "image": image, "portMappings": [{"containerPort": 80}]}
            ],
        )
        return str(reply["taskDefinition"]["taskDefinitionArn"])

    def create(self, desired: int = 2, **kwargs: Any) -> dict[str, Any]:
        params: dict[str, Any] = {
            "cluster": CLUSTER,
            "serviceName": "web",
            "taskDefinition": "web",
            "desiredCount": desired,
            "launchType": "FARGATE",
            "networkConfiguration": {
                "awsvpcConfiguration": {
                    "subnets": [self.subnet], "securityGroups": [self.security_group],
                }
            },
            **kwargs,
        }
        return dict(self.client.create_service(**params)["service"])

    def create_classic(self, desired: int = 2, **kwargs: Any) -> dict[str, Any]:
        """An EC2 service in bridge mode behind a Classic Load Balancer (Fargate has none)."""
        arn = self.client.register_task_definition(
            family="web-ec2",
            containerDefinitions=[{
                "name": "app", "image": kwargs.pop("image", "nginx:1.27"), "memory": 128,
                "portMappings": [{"containerPort": 80}],
            }],
        )["taskDefinition"]["taskDefinitionArn"]
        return dict(self.client.create_service(
            cluster=CLUSTER, serviceName="web", taskDefinition=arn, desiredCount=desired,
            launchType="EC2", loadBalancers=CLASSIC, **kwargs,
        )["service"])

    def describe(self) -> dict[str, Any]:
        return dict(self.client.describe_services(cluster=CLUSTER, services=["web"])["services"][0])

    def poll(self, times: int) -> dict[str, Any]:
        service: dict[str, Any] = {}
        for _ in range(times):
            service = self.describe()
        return service

    def update(self, **kwargs: Any) -> dict[str, Any]:
        return dict(self.client.update_service(cluster=CLUSTER, service="web", **kwargs)["service"])


@pytest.fixture
def ecs(sandbox_server: sandbox.SandboxServer) -> Ecs:
    sandbox_server.reset()
    kwargs = {
        "endpoint_url": sandbox_server.endpoint_url, "region_name": REGION,
        "aws_access_key_id": "testing", "aws_secret_access_key": "testing",
    }
    ec2 = boto3.client("ec2", **kwargs)
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"]
    group = ec2.create_security_group(GroupName="web", Description="web", VpcId=vpc)["GroupId"]
    client = boto3.client("ecs", **kwargs)
    client.create_cluster(clusterName=CLUSTER)
    made = Ecs(client=client, subnet=subnet, security_group=group)
    made.register()
    return made


def messages(service: dict[str, Any]) -> list[str]:
    return [event["message"] for event in service["events"]]


def by_id(service: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {d["id"]: d for d in service["deployments"]}


# ---- item 3: failures are slow ------------------------------------------------------------


@pytest.mark.parametrize(
    ("desired", "breaker", "threshold"),
    [
        (1, {}, 3),
        (2, {}, 3),
        (6, {}, 3),
        (7, {}, 4),  # ceil(3.5)
        (10, {}, 5),
        (400, {}, 200),
        (1000, {}, 200),
        (10, {"thresholdConfiguration": {"type": "BOUNDED_PERCENT", "value": 20}}, 3),
        (1000, {"thresholdConfiguration": {"type": "UNBOUNDED_PERCENT", "value": 50}}, 500),
        (10, {"thresholdConfiguration": {"type": "COUNT", "value": 7}}, 7),
    ],
)
def test_circuit_breaker_threshold(desired: int, breaker: dict[str, Any], threshold: int) -> None:
    assert sandbox.circuit_breaker_threshold(desired, breaker) == threshold


def test_a_broken_image_fails_one_task_per_poll_and_fails_only_at_the_threshold(ecs: Ecs) -> None:
    ecs.create(desired=10, deploymentConfiguration=BREAKER_ROLLBACK)
    good_id = ecs.poll(sandbox.ROLLOUT_STEPS)["deployments"][0]["id"]
    broken_id = ecs.update(taskDefinition=ecs.register(image="nginx:broken"))["deployments"][0]["id"]
    threshold = sandbox.circuit_breaker_threshold(10, BREAKER_ROLLBACK["deploymentCircuitBreaker"])
    assert threshold == 5
    polls = threshold // sandbox.FAILED_TASKS_PER_POLL
    for poll in range(1, polls):
        service = ecs.describe()
        failing = by_id(service)[broken_id]
        assert (failing["status"], failing["rolloutState"]) == ("PRIMARY", "IN_PROGRESS")
        assert failing["failedTasks"] == poll * sandbox.FAILED_TASKS_PER_POLL
        assert failing["runningCount"] == 0
        assert by_id(service)[good_id]["runningCount"] == 10  # the old tasks keep serving
        started, failed = messages(service)[1], messages(service)[0]
        assert started.startswith("(service web) has started 1 tasks: (task ")
        assert failed.endswith("failed container health checks.")
    service = ecs.describe()
    failed_deployment = by_id(service)[broken_id]
    assert failed_deployment["failedTasks"] == threshold
    assert failed_deployment["rolloutState"] == "FAILED"
    assert failed_deployment["rolloutStateReason"] == sandbox.CIRCUIT_BREAKER_FAILED_REASON


def test_a_custom_threshold_count_is_honoured(ecs: Ecs) -> None:
    breaker = {"enable": True, "rollback": False, "thresholdConfiguration": {"type": "COUNT", "value": 6}}
    ecs.create(deploymentConfiguration={"deploymentCircuitBreaker": breaker})
    ecs.poll(sandbox.ROLLOUT_STEPS)
    ecs.update(taskDefinition=ecs.register(image="nginx:broken"))
    assert ecs.poll(5)["deployments"][0]["rolloutState"] == "IN_PROGRESS"
    assert ecs.describe()["deployments"][0]["rolloutState"] == "FAILED"


# ---- item 4: the rollback's shape ---------------------------------------------------------


def test_rollback_makes_the_last_completed_deployment_primary_again(ecs: Ecs) -> None:
    ecs.create(deploymentConfiguration=BREAKER_ROLLBACK)
    good = ecs.poll(sandbox.ROLLOUT_STEPS)
    good_id, good_arn = good["deployments"][0]["id"], good["taskDefinition"]
    good_created = good["deployments"][0]["createdAt"]
    broken_arn = ecs.register(image="nginx:broken")
    broken_id = ecs.update(taskDefinition=broken_arn)["deployments"][0]["id"]

    service = ecs.poll(3)  # the threshold for desiredCount 2
    assert [d["id"] for d in service["deployments"]] == [good_id, broken_id]  # nothing new
    primary, failed = service["deployments"]
    assert (primary["status"], primary["rolloutState"], primary["taskDefinition"]) == (
        "PRIMARY", "IN_PROGRESS", good_arn,
    )
    assert primary["rolloutStateReason"] == (
        f"ECS deployment circuit breaker: rolling back to deploymentId {good_id}."
    )
    assert primary["createdAt"] == good_created  # the old deployment, not a new one
    assert primary["runningCount"] == 2  # its tasks never stopped
    assert (failed["status"], failed["rolloutState"], failed["taskDefinition"]) == (
        "ACTIVE", "FAILED", broken_arn,
    )
    assert service["taskDefinition"] == good_arn

    for _ in range(sandbox.ROLLOUT_STEPS - 1):
        service = ecs.describe()
        assert [(d["id"], d["status"], d["rolloutState"]) for d in service["deployments"]] == [
            (good_id, "PRIMARY", "IN_PROGRESS"), (broken_id, "ACTIVE", "FAILED"),
        ]
    service = ecs.describe()
    (only,) = service["deployments"]
    assert (only["id"], only["status"], only["rolloutState"]) == (good_id, "PRIMARY", "COMPLETED")
    assert only["rolloutStateReason"] == f"ECS deployment {good_id} completed."
    assert messages(service)[:2] == [
        "(service web) has reached a steady state.",
        f"(service web) (deployment {good_id}) deployment completed.",
    ]
    assert service["runningCount"] == 2


def test_no_rollback_without_a_completed_deployment(ecs: Ecs) -> None:
    ecs.register(image="nginx:broken")
    ecs.create(deploymentConfiguration=BREAKER_ROLLBACK)
    service = ecs.poll(3 + sandbox.ROLLOUT_STEPS)
    (failed,) = service["deployments"]
    assert (failed["status"], failed["rolloutState"]) == ("PRIMARY", "FAILED")
    assert not any("rolling back" in m for m in messages(service))


# ---- item 5: no rolloutState behind a Classic Load Balancer --------------------------------


def test_a_classic_load_balancer_service_has_no_rollout_state(ecs: Ecs) -> None:
    created = ecs.create_classic()
    (first,) = created["deployments"]
    assert "rolloutState" not in first and "rolloutStateReason" not in first
    service = ecs.poll(sandbox.ROLLOUT_STEPS)
    (done,) = service["deployments"]
    assert (done["runningCount"], done["desiredCount"], done["pendingCount"]) == (2, 2, 0)
    assert "rolloutState" not in done and "rolloutStateReason" not in done
    assert not any(key.startswith("ecsplan") for key in done)  # the kept state stays inside

    new_arn = ecs.client.register_task_definition(
        family="web-ec2",
        containerDefinitions=[{"name": "app", "image": "nginx:1.28", "memory": 128,
                               "portMappings": [{"containerPort": 80}]}],
    )["taskDefinition"]["taskDefinitionArn"]
    new_id = ecs.update(taskDefinition=new_arn)["deployments"][0]["id"]
    service = ecs.poll(sandbox.ROLLOUT_STEPS - 1)
    assert [d["id"] for d in service["deployments"]] == [new_id, done["id"]]
    assert all("rolloutState" not in d for d in service["deployments"])
    service = ecs.describe()
    (primary,) = service["deployments"]
    assert (primary["id"], primary["runningCount"], primary["pendingCount"]) == (new_id, 2, 0)
    assert "rolloutState" not in primary

    ecs.update(desiredCount=5)  # converges over ROLLOUT_STEPS polls, as with rolloutState
    assert ecs.describe()["deployments"][0]["runningCount"] < 5
    assert ecs.poll(sandbox.ROLLOUT_STEPS - 1)["deployments"][0]["runningCount"] == 5


def test_behind_a_classic_load_balancer_a_broken_image_retries_for_ever(ecs: Ecs) -> None:
    ecs.create_classic(image="nginx:broken", deploymentConfiguration=BREAKER_ROLLBACK)
    service = ecs.poll(10)
    (deployment,) = service["deployments"]
    assert deployment["failedTasks"] == 10 * sandbox.FAILED_TASKS_PER_POLL
    assert "rolloutState" not in deployment
    assert not any("deployment failed" in m for m in messages(service))
