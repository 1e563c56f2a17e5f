"""AWS as it really is, through the CLI against the sandbox: the behaviours an optimistic sandbox
hid, each one failing on the engine before it learned them (issue "AWS as it really is")."""

from __future__ import annotations


def ok(res):
    assert res.returncode == 0, res.stdout + res.stderr
    return res


def edit(project, name, old, new):
    path = project.path / name
    text = path.read_text()
    assert old in text, f"{old!r} not in {name}"
    path.write_text(text.replace(old, new))


def update_requests(aws):
    return [r.params for r in aws.server.requests if r.action == "UpdateService"]


# 1. A capacity provider change must force a new deployment (reproio/ecs_deploy#74).

def test_switching_to_a_capacity_provider_strategy_forces_a_new_deployment(project):
    project.deploy()  # setup in process
    edit(project, "ecs-service-def.json", '"launchType": "FARGATE",',
         '"capacityProviderStrategy": [{"capacityProvider": "FARGATE_SPOT", "weight": 1}],')
    project.aws.server.clear_requests()
    res = ok(project.run("apply", "--auto-approve"))
    assert "forceNewDeployment: AWS requires one for a capacity provider change" in res.stdout
    assert "Apply complete" in res.stdout
    (update,) = update_requests(project.aws)
    assert update["forceNewDeployment"] is True and update["capacityProviderStrategy"][0]["capacityProvider"] == "FARGATE_SPOT"
    project.assert_plans_clean()


def test_the_sandbox_refuses_a_capacity_provider_change_without_force(project):
    project.deploy()
    ecs = project.aws.client("ecs")
    try:
        ecs.update_service(cluster="ecsplan-demo", service="web", capacityProviderStrategy=[{"capacityProvider": "FARGATE_SPOT", "weight": 1}])
    except ecs.exceptions.InvalidParameterException as err:
        assert "you must force a new deployment" in str(err)
    else:
        raise AssertionError("UpdateService accepted a capacity provider change without forceNewDeployment")
    assert "capacityProviderStrategy" not in project.aws.service() or not project.aws.service()["capacityProviderStrategy"]


# 6. RegisterScalableTarget moves desiredCount into [min, max] (API_RegisterScalableTarget).

def test_the_sandbox_moves_desired_count_into_the_range_on_every_registration(bluegreen):
    bg = bluegreen.create()  # target min 1, max 4; the service runs 2
    scaling = bg.aws.client("application-autoscaling")
    bg.aws.client("ecs").update_service(cluster="ecsplan-demo", service="web-bg", desiredCount=6)
    scaling.register_scalable_target(ServiceNamespace="ecs", ResourceId="service/ecsplan-demo/web-bg",
                                     ScalableDimension="ecs:service:DesiredCount", SuspendedState={"DynamicScalingInSuspended": True})
    assert bg.aws.service(name="web-bg")["desiredCount"] == 4
    target = bg.scalable_target()
    assert (target["MinCapacity"], target["MaxCapacity"]) == (1, 4)


def test_a_desired_count_outside_the_scaling_range_is_refused_when_auto_scaling_is_suspended(bluegreen):
    bg = bluegreen.create()
    res = bg.run("apply", "--auto-approve", "--suspend-autoscaling", env={"IMAGE_TAG": "1.27", "DESIRED_COUNT": "6"})
    assert "desiredCount 6 is outside the auto scaling range [1, 4]" in res.stdout
    assert res.returncode == 1 and "cannot be made in place; nothing was applied" in res.stderr
    assert bg.aws.mutations() == []
    assert bg.aws.service(name="web-bg")["desiredCount"] == 2


def test_suspend_and_resume_send_min_and_max_back_unchanged(bluegreen):
    bg = bluegreen.create()
    ok(bg.run("apply", "--auto-approve", "--suspend-autoscaling", env={"IMAGE_TAG": "1.27"}))
    registrations = [r.params for r in bg.aws.server.requests if r.action == "RegisterScalableTarget"]
    assert [r["SuspendedState"]["DynamicScalingInSuspended"] for r in registrations] == [True, False]
    assert all((r["MinCapacity"], r["MaxCapacity"]) == (1, 4) for r in registrations)


# 9. vpcLatticeConfigurations is reported on the PRIMARY deployment, like serviceConnectConfiguration.

def test_a_declared_vpc_lattice_configuration_plans_clean_after_apply(project):
    lattice = ('"vpcLatticeConfigurations": [{"roleArn": "arn:aws:iam::123456789012:role/ecsInfrastructureRoleForVpcLattice", '
               '"targetGroupArn": "arn:aws:vpc-lattice:us-east-1:123456789012:targetgroup/tg-0123456789abcdef0", "portName": "http"}],')
    edit(project, "ecs-service-def.json", '"enableExecuteCommand": false,', lattice + '\n  "enableExecuteCommand": false,')
    ok(project.run("apply", "--auto-approve"))
    assert "vpcLatticeConfigurations" not in project.aws.service()  # on the deployment, as DescribeServices reports it
    project.assert_plans_clean()


# A declared deploymentConfiguration is sent whole: UpdateService merges a partial one
# (aws/copilot-cli#4565), so a member removed from the file would stay in AWS.

def test_removing_deployment_alarms_from_the_file_removes_them_in_aws(project):
    alarms = '"alarms": {"alarmNames": ["web-5xx"], "enable": true, "rollback": true},'
    edit(project, "ecs-service-def.json", '"maximumPercent": 200,', alarms + '\n    "maximumPercent": 200,')
    project.deploy()
    assert project.aws.service()["deploymentConfiguration"]["alarms"]["alarmNames"] == ["web-5xx"]
    edit(project, "ecs-service-def.json", alarms, "")
    res = ok(project.run("apply", "--auto-approve"))
    assert "deploymentConfiguration.alarms" in res.stdout
    (update,) = [u for u in update_requests(project.aws) if "deploymentConfiguration" in u][-1:]
    assert update["deploymentConfiguration"]["alarms"] == {"alarmNames": [], "enable": False, "rollback": False}
    assert project.aws.service()["deploymentConfiguration"]["alarms"]["enable"] is False
    project.assert_plans_clean()

