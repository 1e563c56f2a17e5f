"""One table case per normalisation rule (planner.normalize.RULES): what the user writes and what
AWS returns must come out identical when they mean the same thing; every rule has a case, and
the README's list of what ecsplan ignores is the rule table."""

from pathlib import Path

import pytest

from planner.diff import diff
from planner.model import Controller
from planner.normalize import (
    RULES,
    canonical_service,
    canonical_task_definition,
    comparable_services,
    comparable_task_definitions,
    rules_markdown,
)

C = {"name": "app", "image": "nginx"}


def td(**kw):
    base = {"family": "f", "containerDefinitions": [dict(C)]}
    base.update(kw)
    return base


def container(**kw):
    return td(containerDefinitions=[dict(C, **kw)])


TASK_CASES = [
    ("task-read-only", td(), td(taskDefinitionArn="arn", revision=3, status="ACTIVE", requiresAttributes=[{"name": "x"}],
                                compatibilities=["EC2"], registeredAt="t", registeredBy="me", deregisteredAt="t")),
    ("container-defaults", container(), container(cpu=0, essential=True, versionConsistency="enabled")),
    ("empty-is-absent", container(), container(environment=[], mountPoints=[], volumesFrom=[], secrets=None, linuxParameters={})),
    ("env-and-secrets-by-name", container(environment=[{"name": "A", "value": "1"}, {"name": "B", "value": "2"}],
                                          secrets=[{"name": "S", "valueFrom": "x"}, {"name": "T", "valueFrom": "y"}]),
     container(environment=[{"name": "B", "value": "2"}, {"name": "A", "value": "1"}],
               secrets=[{"name": "T", "valueFrom": "y"}, {"name": "S", "valueFrom": "x"}])),
    ("port-mapping-defaults", container(portMappings=[{"containerPort": 80}, {"containerPort": 81}]),
     container(portMappings=[{"containerPort": 81, "protocol": "tcp"}, {"containerPort": 80, "protocol": "tcp", "hostPort": 0}])),
    ("port-mapping-defaults", dict(container(portMappings=[{"containerPort": 80}]), networkMode="awsvpc"),
     dict(container(portMappings=[{"containerPort": 80, "hostPort": 80, "protocol": "tcp"}]), networkMode="awsvpc")),
    ("task-network-mode", td(), td(networkMode="bridge")),
    ("task-network-mode", td(requiresCompatibilities=["FARGATE"]), td(requiresCompatibilities=["FARGATE"], networkMode="awsvpc")),
    ("task-units", td(cpu="0.25 vCPU", memory="1 GB"), td(cpu="256", memory=1024)),
    ("keyed-container-lists",
     container(mountPoints=[{"sourceVolume": "a", "containerPath": "/a"}, {"sourceVolume": "b", "containerPath": "/b", "readOnly": True}],
               ulimits=[{"name": "nofile", "softLimit": 1, "hardLimit": 2}, {"name": "core", "softLimit": 0, "hardLimit": 0}],
               dependsOn=[{"containerName": "x", "condition": "START"}, {"containerName": "y", "condition": "HEALTHY"}]),
     container(mountPoints=[{"sourceVolume": "b", "containerPath": "/b", "readOnly": True}, {"sourceVolume": "a", "containerPath": "/a", "readOnly": False}],
               ulimits=[{"name": "core", "softLimit": 0, "hardLimit": 0}, {"name": "nofile", "softLimit": 1, "hardLimit": 2}],
               dependsOn=[{"containerName": "y", "condition": "HEALTHY"}, {"containerName": "x", "condition": "START"}])),
    ("health-check-defaults", container(healthCheck={"command": ["CMD", "true"]}),
     container(healthCheck={"command": ["CMD", "true"], "interval": 30, "timeout": 5, "retries": 3})),
    ("zero-is-default", container(), container(readonlyRootFilesystem=False, startTimeout=0, privileged=False)),
    ("volumes-by-name", td(volumes=[{"name": "a", "efsVolumeConfiguration": {"fileSystemId": "fs-1"}}, {"name": "b"}]),
     td(volumes=[{"name": "b", "host": {}}, {"name": "a", "efsVolumeConfiguration": {"fileSystemId": "fs-1", "rootDirectory": "/"}}])),
    ("tags-by-key", td(tags=[{"key": "a", "value": "1"}, {"key": "b", "value": "2"}]), td(tags=[{"key": "b", "value": "2"}, {"key": "a", "value": "1"}])),
    ("sorted-sets", td(requiresCompatibilities=["EC2", "FARGATE"]), td(requiresCompatibilities=["FARGATE", "EC2"])),
    ("containers-by-name", td(containerDefinitions=[dict(C), {"name": "b", "image": "x"}]),
     td(containerDefinitions=[{"name": "b", "image": "x"}, dict(C)])),
    ("unknown-live-field", container(), dict(container(restartAttemptsV2=3, brandNewThing={"x": 1}), futureTopLevel="on")),
    ("task-defaults", td(), td(enableFaultInjection=False)),
]


@pytest.mark.parametrize("rule, user, aws", TASK_CASES, ids=[f"{r[0]}-{i}" for i, r in enumerate(TASK_CASES)])
def test_task_rule(rule, user, aws):
    want, have = comparable_task_definitions(user, aws)
    assert want == have


NET = {"awsvpcConfiguration": {"subnets": ["b", "a"], "securityGroups": ["y", "x"]}}
SERVICE_CASES = [
    ("native-blue-green-target-groups",
     {"loadBalancers": [{"targetGroupArn": "tg-blue", "containerName": "web", "containerPort": 80,
                         "advancedConfiguration": {"alternateTargetGroupArn": "tg-green", "productionListenerRule": "rule"}}]},
     {"loadBalancers": [{"targetGroupArn": "tg-green", "containerName": "web", "containerPort": 80,
                         "advancedConfiguration": {"alternateTargetGroupArn": "tg-blue", "productionListenerRule": "rule"}}]}),
    ("lifecycle-hooks-by-target",
     {"deploymentConfiguration": {"strategy": "BLUE_GREEN", "lifecycleHooks": [
         {"hookTargetArn": "fn-a", "lifecycleStages": ["POST_SCALE_UP", "PRE_SCALE_UP"]}, {"hookTargetArn": "fn-b", "lifecycleStages": ["TEST_TRAFFIC_SHIFT"]}]}},
     {"deploymentConfiguration": {"strategy": "BLUE_GREEN", "lifecycleHooks": [
         {"hookTargetArn": "fn-b", "lifecycleStages": ["TEST_TRAFFIC_SHIFT"], "targetType": "AWS_LAMBDA"},
         {"hookTargetArn": "fn-a", "lifecycleStages": ["PRE_SCALE_UP", "POST_SCALE_UP"]}]}}),
    ("service-read-only", {"desiredCount": 1}, {"desiredCount": 1, "serviceArn": "a", "status": "ACTIVE", "runningCount": 1,
                                                 "pendingCount": 0, "deployments": [{}], "events": [{}], "createdAt": "t",
                                                 "platformFamily": "Linux", "taskDefinition": "arn"}),
    ("assign-public-ip-default", {"networkConfiguration": NET},
     {"networkConfiguration": {"awsvpcConfiguration": {"subnets": ["a", "b"], "securityGroups": ["x", "y"], "assignPublicIp": "DISABLED"}}}),
    ("service-defaults", {"healthCheckGracePeriodSeconds": 0, "propagateTags": "NONE", "enableExecuteCommand": False},
     {"platformVersion": "LATEST", "schedulingStrategy": "REPLICA", "deploymentController": {"type": "ECS"},
      "enableECSManagedTags": False}),
    ("deployment-configuration-defaults", {"deploymentConfiguration": {}},
     {"deploymentConfiguration": {"maximumPercent": 200, "minimumHealthyPercent": 100,
                                  "deploymentCircuitBreaker": {"enable": False, "rollback": False},
                                  "alarms": {"alarmNames": [], "enable": False, "rollback": False}}}),
    ("role-arn", {"role": "arn:r"}, {"roleArn": "arn:r"}),
    ("load-balancers-by-container", {"loadBalancers": [{"targetGroupArn": "t1", "containerName": "a", "containerPort": 80},
                                                       {"targetGroupArn": "t2", "containerName": "b", "containerPort": 81}]},
     {"loadBalancers": [{"targetGroupArn": "t2", "containerName": "b", "containerPort": 81},
                        {"targetGroupArn": "t1", "containerName": "a", "containerPort": 80}]}),
    ("capacity-providers-by-name", {"capacityProviderStrategy": [{"capacityProvider": "FARGATE", "weight": 1},
                                                                 {"capacityProvider": "FARGATE_SPOT", "weight": 3}]},
     {"capacityProviderStrategy": [{"capacityProvider": "FARGATE_SPOT", "weight": 3, "base": 0},
                                   {"capacityProvider": "FARGATE", "weight": 1, "base": 0}]}),
    ("tags-by-key", {"tags": [{"key": "a", "value": "1"}, {"key": "b", "value": "2"}]},
     {"tags": [{"key": "b", "value": "2"}, {"key": "a", "value": "1"}]}),
    ("sorted-sets", {"placementConstraints": [{"type": "distinctInstance"}, {"type": "memberOf", "expression": "x"}]},
     {"placementConstraints": [{"type": "memberOf", "expression": "x"}, {"type": "distinctInstance"}]}),
    ("service-undeclared", {"deploymentConfiguration": {"maximumPercent": 150}},
     {"desiredCount": 7, "deploymentConfiguration": {"maximumPercent": 150, "minimumHealthyPercent": 100, "strategy": "ROLLING",
                                                    "deploymentCircuitBreaker": {"enable": False, "rollback": False}}}),
    ("unknown-live-field", {"deploymentConfiguration": {}},
     {"deploymentConfiguration": {"futureKnob": 3}, "brandNewServiceField": {"on": True}}),
    ("daemon-deployment-defaults", {"schedulingStrategy": "DAEMON", "deploymentConfiguration": {}},
     {"schedulingStrategy": "DAEMON", "deploymentConfiguration": {"maximumPercent": 100, "minimumHealthyPercent": 0}}),
    ("placement-strategy-host", {"placementStrategy": [{"type": "spread", "field": "host"}]},
     {"placementStrategy": [{"type": "spread", "field": "instanceId"}]}),
    ("service-connect-from-deployment", {"serviceConnectConfiguration": {"enabled": True, "namespace": "ns"}},
     {"deployments": [{"status": "PRIMARY", "serviceConnectConfiguration": {"enabled": True, "namespace": "ns"}}]}),
]
DECLARED = ("desiredCount", "deploymentConfiguration", "placementStrategy", "serviceConnectConfiguration", "networkConfiguration", "loadBalancers", "capacityProviderStrategy",
            "tags", "placementConstraints", "healthCheckGracePeriodSeconds", "propagateTags", "enableExecuteCommand",
            "enableECSManagedTags", "platformVersion")


@pytest.mark.parametrize("rule, user, aws", SERVICE_CASES, ids=[f"{r[0]}-{i}" for i, r in enumerate(SERVICE_CASES)])
def test_service_rule(rule, user, aws):
    keys = tuple(k for k in DECLARED if k in user)
    if rule in ("service-read-only", "service-defaults", "role-arn"):
        assert canonical_service(user) == canonical_service(aws)
    else:
        want, have = comparable_services(user, aws, keys, Controller.ECS)
        assert want == have


def test_code_deploy_target_group_swap_is_not_a_change():
    user = {"loadBalancers": [{"targetGroupArn": "tg-blue", "containerName": "app", "containerPort": 80}]}
    aws = {"loadBalancers": [{"targetGroupArn": "tg-green", "containerName": "app", "containerPort": 80}]}
    assert canonical_service(user, Controller.CODE_DEPLOY) == canonical_service(aws, Controller.CODE_DEPLOY)
    assert canonical_service(user, Controller.ECS) != canonical_service(aws, Controller.ECS)


def test_every_rule_has_a_table_case():
    covered = {c[0] for c in TASK_CASES} | {c[0] for c in SERVICE_CASES} | {"code-deploy-target-group", "ignored-tags", "lock-tag"}
    assert covered == {r.name for r in RULES}


def test_readme_lists_the_rule_table():
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    assert rules_markdown() in readme, "README's 'What ecsplan ignores and why' drifted from planner.normalize.RULES"


def test_a_real_change_survives_normalisation():
    before = canonical_task_definition(container(environment=[{"name": "A", "value": "1"}]))
    after = canonical_task_definition(container(environment=[{"name": "A", "value": "2"}]))
    assert [(c.path, c.before, c.after) for c in diff(before, after)] == [("containerDefinitions[app].environment[A]", "1", "2")]


def test_a_known_field_the_user_removed_is_a_change_in_a_task_definition():
    want, have = comparable_task_definitions(container(), container(memoryReservation=256, stopTimeout=30))
    assert [(c.path, c.kind) for c in diff(have, want)] == [
        ("containerDefinitions[app].memoryReservation", "remove"), ("containerDefinitions[app].stopTimeout", "remove")]


def test_an_unknown_field_the_user_declares_is_compared():
    want, have = comparable_task_definitions(container(brandNewThing=2), container(brandNewThing=1))
    assert [c.path for c in diff(have, want)] == ["containerDefinitions[app].brandNewThing"]


def test_lock_tag_rule():
    """lock-tag: apply's lock is dropped from both sides, with or without ignore.tags."""
    from planner.normalize import without_ignored_tags

    team = {"key": "team", "value": "web"}
    lock = {"key": "ecsplan:lock", "value": "alice@ci pid 1 plan abc since 2026-11-28T23:40:00Z"}
    assert without_ignored_tags({"tags": [lock, team]}, ()) == {"tags": [team]}
    assert without_ignored_tags({"tags": [team, lock]}, ("team",)) == {"tags": []}
    same = {"tags": [team, {"key": "Ecsplan:lock", "value": "x"}]}  # exact key only
    assert without_ignored_tags(same, ()) is same


def test_ignored_tags_rule():
    """ignored-tags: exact keys, case-sensitive, as ecspresso's ignore.tags."""
    from planner.normalize import without_ignored_tags

    tags = [{"key": "CostCenter", "value": "1"}, {"key": "costcenter", "value": "2"}, {"key": "team", "value": "web"}]
    assert without_ignored_tags({"tags": tags}, ("CostCenter",)) == {"tags": tags[1:]}
    same = {"tags": tags}
    assert without_ignored_tags(same, ("other",)) is same and without_ignored_tags(same, ()) is same
