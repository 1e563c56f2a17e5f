"""CodeDeploy blue/green, end to end through the CLI against the sandbox server. The sandbox
refuses what real ECS refuses on CODE_DEPLOY services, and the recorded requests show what the
engine sent: no UpdateService may carry a field that must travel in the AppSpec."""

from __future__ import annotations

import json

import pytest

FORBIDDEN = {"taskDefinition", "networkConfiguration", "loadBalancers", "platformVersion"}


def svc(bg):
    return bg.aws.service(name="web-bg")


def requests(bg, action):
    return [r for r in bg.aws.server.requests if r.action == action]


def appspec_of(request):
    return json.loads(request.params["revision"]["appSpecContent"]["content"])


def action_types(doc):
    return [a["type"] for s in doc["services"] for a in s["actions"]]


def test_created_service_plans_clean_and_new_image_deploys_blue_green(bluegreen):
    bg = bluegreen.create()
    bg.assert_plans_clean()
    blue = svc(bg)["loadBalancers"][0]["targetGroupArn"]

    new = {"IMAGE_TAG": "1.27"}
    doc = bg.plan_document(env=new)
    assert doc["services"][0]["controller"] == "CODE_DEPLOY"
    assert action_types(doc) == ["register_task_definition", "create_deployment"]
    deploy = doc["services"][0]["actions"][1]
    assert deploy["details"]["application"] == "AppECS-ecsplan-demo-web-bg"
    assert deploy["details"]["deployment_group"] == "DgpECS-ecsplan-demo-web-bg"
    assert deploy["details"]["appspec"]["Resources"][0]["TargetService"]["Properties"]["TaskDefinition"] == "(known after apply)"

    text = bg.run("plan", "--rollback-events", "DEPLOYMENT_FAILURE", env=new).stdout
    for words in ("create_deployment: blue/green deployment through CodeDeploy", "application: AppECS-ecsplan-demo-web-bg",
                  "deployment_config: CodeDeployDefault.ECSAllAtOnce", "auto_rollback_events: DEPLOYMENT_FAILURE",
                  "TaskDefinition: (known after apply)", "ContainerName: web", "AfterAllowTestTraffic: ValidateTestTraffic"):
        assert words in text, text

    res = bg.run("apply", "--auto-approve", "--rollback-events", "DEPLOYMENT_FAILURE", env=new)
    assert res.returncode == 0, res.stdout + res.stderr
    assert "console.aws.amazon.com/codesuite/codedeploy/deployments/" in res.stdout
    assert "Succeeded" in res.stdout and "AfterAllowTestTraffic" in res.stdout
    live = svc(bg)
    assert live["taskDefinition"].endswith("task-definition/web-bg:2")
    assert live["loadBalancers"][0]["targetGroupArn"] != blue  # CodeDeploy swapped blue and green...
    bg.assert_plans_clean(env=new)  # ...and that is not a change

    (create,) = requests(bg, "CreateDeployment")
    spec = appspec_of(create)
    props = spec["Resources"][0]["TargetService"]["Properties"]
    assert props["TaskDefinition"] == live["taskDefinition"]
    assert props["LoadBalancerInfo"] == {"ContainerName": "web", "ContainerPort": 80}
    assert spec["Hooks"] == [{"AfterAllowTestTraffic": "ValidateTestTraffic"}]
    assert create.params["autoRollbackConfiguration"] == {"enabled": True, "events": ["DEPLOYMENT_FAILURE"]}
    assert all(FORBIDDEN.isdisjoint(r.params) for r in requests(bg, "UpdateService"))


def test_allowed_attribute_changes_use_update_service_without_forbidden_fields(bluegreen):
    bg = bluegreen.create()
    env = {"IMAGE_TAG": "1.27", "DESIRED_COUNT": "3"}
    doc = bg.plan_document(env=env)
    assert action_types(doc) == ["register_task_definition", "update_service", "create_deployment"]
    res = bg.run("apply", "--auto-approve", env=env)
    assert res.returncode == 0, res.stdout + res.stderr
    (update,) = requests(bg, "UpdateService")
    assert update.params["desiredCount"] == 3 and FORBIDDEN.isdisjoint(update.params)
    assert svc(bg)["desiredCount"] == 3


def test_network_change_travels_in_the_appspec(bluegreen):
    bg = bluegreen.create()
    sd = bg.path / "ecs-service-def.json"
    sd.write_text(sd.read_text().replace('"assignPublicIp": "DISABLED"', '"assignPublicIp": "ENABLED"'))
    doc = bg.plan_document()
    assert action_types(doc) == ["create_deployment"]
    assert doc["services"][0]["actions"][0]["changes"][0]["path"] == "networkConfiguration.awsvpcConfiguration.assignPublicIp"
    res = bg.run("apply", "--auto-approve")
    assert res.returncode == 0, res.stdout + res.stderr
    assert requests(bg, "UpdateService") == []
    props = appspec_of(requests(bg, "CreateDeployment")[0])["Resources"][0]["TargetService"]["Properties"]
    assert props["NetworkConfiguration"]["AwsvpcConfiguration"]["AssignPublicIp"] == "ENABLED"
    bg.assert_plans_clean()


def test_names_in_the_config_skip_discovery(bluegreen):
    bg = bluegreen.create()
    cfg = bg.path / "ecspresso.yml"
    cfg.write_text(cfg.read_text() + "codedeploy:\n  application_name: AppECS-ecsplan-demo-web-bg\n"
                   "  deployment_group_name: DgpECS-ecsplan-demo-web-bg\n")
    res = bg.run("apply", "--auto-approve", env={"IMAGE_TAG": "1.27"})
    assert res.returncode == 0, res.stdout + res.stderr
    assert requests(bg, "ListApplications") == [] and requests(bg, "ListDeploymentGroups") == []
    assert len(requests(bg, "CreateDeployment")) == 1


def test_discovery_happens_once_and_none_found_says_how_to_name_them(bluegreen):
    bg = bluegreen.create(codedeploy=False)
    res = bg.run("plan", env={"IMAGE_TAG": "1.27"})
    assert res.returncode == 1
    assert "no CodeDeploy deployment group deploys service web-bg in cluster ecsplan-demo" in res.stderr
    assert "application_name: AppECS-ecsplan-demo-web-bg" in res.stderr
    assert len(requests(bg, "ListApplications")) == 1
    assert bg.aws.mutations() == []


def test_suspend_and_resume_autoscaling_around_the_deployment(bluegreen):
    bg = bluegreen.create()
    res = bg.run("apply", "--auto-approve", "--suspend-autoscaling", env={"IMAGE_TAG": "1.27"})
    assert res.returncode == 0, res.stdout + res.stderr
    order = [(r.action, r.params.get("SuspendedState", {}).get("DynamicScalingInSuspended"))
             for r in bg.aws.server.requests if r.action in ("RegisterScalableTarget", "CreateDeployment")]
    assert order == [("RegisterScalableTarget", True), ("CreateDeployment", None), ("RegisterScalableTarget", False)]
    assert bg.scalable_target()["SuspendedState"]["DynamicScalingInSuspended"] is False


def test_failed_deployment_exits_1_names_it_and_resumes_autoscaling(bluegreen):
    bg = bluegreen.create()
    res = bg.run("apply", "--auto-approve", "--suspend-autoscaling", "--rollback-events", "DEPLOYMENT_FAILURE",
                 env={"IMAGE_TAG": "broken-1"})
    assert res.returncode == 1
    (create,) = requests(bg, "CreateDeployment")
    deployment_id = [line for line in res.stdout.splitlines() if "created CodeDeploy deployment" in line][0].split()[-1]
    assert f"CodeDeploy deployment {deployment_id} Failed" in res.stderr
    assert "ECS_UPDATE_ERROR" in res.stderr and "rolled back with deployment" in res.stderr
    assert "resume_autoscaling" in res.stderr  # listed as done
    assert bg.scalable_target()["SuspendedState"]["DynamicScalingInSuspended"] is False
    assert svc(bg)["taskDefinition"].endswith("web-bg:1")


def test_already_suspended_autoscaling_is_left_suspended(bluegreen):
    bg = bluegreen.create()
    bg.aws.client("application-autoscaling").register_scalable_target(
        ServiceNamespace="ecs", ResourceId="service/ecsplan-demo/web-bg", ScalableDimension="ecs:service:DesiredCount",
        SuspendedState={"DynamicScalingInSuspended": True, "DynamicScalingOutSuspended": True, "ScheduledScalingSuspended": True})
    res = bg.run("apply", "--auto-approve", "--suspend-autoscaling", env={"IMAGE_TAG": "1.27"})
    assert res.returncode == 0, res.stdout + res.stderr
    assert "left suspended" in res.stdout
    assert bg.scalable_target()["SuspendedState"]["DynamicScalingInSuspended"] is True


@pytest.mark.parametrize("args", [["apply", "--rollback-events", "DEPLOYMENT_FAILURE,ON_A_WHIM"],
                                  ["plan", "--rollback-events", "nope"]])
def test_unknown_rollback_event_is_a_usage_error_before_any_call(bluegreen, args):
    bluegreen.aws.server.clear_requests()
    res = bluegreen.run(*args, env={"IMAGE_TAG": "1.27"})
    assert res.returncode == 1 and "DEPLOYMENT_STOP_ON_ALARM" in res.stderr
    assert bluegreen.aws.server.requests == []


def test_no_wait_then_wait_follows_the_codedeploy_deployment(bluegreen):
    bg = bluegreen.create()
    res = bg.run("apply", "--auto-approve", "--no-wait", env={"IMAGE_TAG": "1.27"})
    assert res.returncode == 0, res.stdout + res.stderr
    waited = bg.run("wait", env={"IMAGE_TAG": "1.27"})
    assert waited.returncode == 0, waited.stdout + waited.stderr
    assert "Succeeded" in waited.stdout
    assert svc(bg)["taskDefinition"].endswith("web-bg:2")


def test_render_appspec(bluegreen):
    res = bluegreen.run("render", "appspec", "--task-definition", "arn:aws:ecs:us-east-1:123456789012:task-definition/web-bg:7")
    assert res.returncode == 0, res.stderr
    spec = json.loads(res.stdout)
    props = spec["Resources"][0]["TargetService"]["Properties"]
    assert props["TaskDefinition"].endswith("web-bg:7") and props["LoadBalancerInfo"]["ContainerPort"] == 80
    assert props["NetworkConfiguration"]["AwsvpcConfiguration"]["Subnets"] == [bluegreen.env["DEMO_SUBNET_ID"]]
    assert spec["Hooks"] == [{"AfterAllowTestTraffic": "ValidateTestTraffic"}]


def test_several_deployment_groups_for_one_service_is_an_error_naming_them(bluegreen):
    from providers import demo

    bg = bluegreen.create()
    demo.seed_codedeploy(bg.aws.client, bg.env, application="Other", group="also-web-bg")
    res = bg.run("apply", "--auto-approve", env={"IMAGE_TAG": "1.27"})
    assert res.returncode == 1
    assert "several CodeDeploy deployment groups deploy ecsplan-demo/web-bg" in res.stderr
    assert "AppECS-ecsplan-demo-web-bg/DgpECS-ecsplan-demo-web-bg" in res.stderr and "Other/also-web-bg" in res.stderr
    assert bg.aws.mutations() == []
