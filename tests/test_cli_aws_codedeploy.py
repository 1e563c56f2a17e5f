"""CodeDeploy as AWS really runs it, through the CLI against the sandbox server: deployments that
wait for a reroute (Ready until ContinueDeployment), shift traffic in canary / linear steps and
keep the original task set for a termination wait; UpdateService on a CODE_DEPLOY service that
refuses forceNewDeployment and any taskDefinition; StopDeployment that answers Pending and stops
later; deployment groups that name their service by ARN.

Timing is by polls (ECSPLAN_POLL_INTERVAL=0; one sandbox poll stands for one minute of
CodeDeploy's waits), never by sleeping. The project is fixtures/demo/bluegreen without its
`timeout:` (so ecsplan derives the wait from the deployment group), and its deployment group is
made here with the waits each test needs."""

from __future__ import annotations

import json
import re

import pytest

from tests.helpers_cli import resealed

APPLICATION = "AppECS-ecsplan-demo-web-bg"
GROUP = "DgpECS-ecsplan-demo-web-bg"
NEW = {"IMAGE_TAG": "1.27"}
CONTINUE = "aws deploy continue-deployment --deployment-id {id} --deployment-wait-type {wait}"


def ok(res):
    assert res.returncode == 0, res.stdout + res.stderr
    return res


def requests(bg, action):
    return [r for r in bg.aws.server.requests if r.action == action]


def deployment_id_in(text):
    return re.search(r"created CodeDeploy deployment (d-[A-Z0-9]{9})", text).group(1)


def status_of(bg, deployment_id):
    """The deployment's status without a poll (ListDeployments moves nothing in the sandbox)."""
    cd = bg.aws.client("codedeploy")
    for status in ("Created", "InProgress", "Ready", "Succeeded", "Failed", "Stopped"):
        if deployment_id in cd.list_deployments(includeOnlyStatuses=[status])["deployments"]:
            return status
    raise AssertionError(f"{deployment_id} not listed")


def seed_group(bg, *, ready_wait=None, termination_wait=0, config="CodeDeployDefault.ECSAllAtOnce", by_arn=False):
    """The CodeDeploy application and deployment group of web-bg, with the waits asked for:
    `ready_wait` minutes of deploymentReadyOption STOP_DEPLOYMENT (None: CONTINUE_DEPLOYMENT),
    `termination_wait` minutes before the original task set goes, the deployment config, and
    ecsServices by name or (`by_arn`) by ARN, as `aws ecs deploy` accepts both."""
    cd = bg.aws.client("codedeploy")
    cd.create_application(applicationName=APPLICATION, computePlatform="ECS")
    ready = {"actionOnTimeout": "CONTINUE_DEPLOYMENT"}
    if ready_wait is not None:
        ready = {"actionOnTimeout": "STOP_DEPLOYMENT", "waitTimeInMinutes": ready_wait}
    svc = bg.aws.service(name="web-bg")
    target = {"serviceName": "web-bg", "clusterName": "ecsplan-demo"}
    if by_arn:
        target = {"serviceName": svc["serviceArn"], "clusterName": svc["clusterArn"]}
    cd.create_deployment_group(
        applicationName=APPLICATION,
        deploymentGroupName=GROUP,
        serviceRoleArn="arn:aws:iam::123456789012:role/ecsCodeDeployRole",
        deploymentConfigName=config,
        deploymentStyle={"deploymentType": "BLUE_GREEN", "deploymentOption": "WITH_TRAFFIC_CONTROL"},
        blueGreenDeploymentConfiguration={
            "terminateBlueInstancesOnDeploymentSuccess": {"action": "TERMINATE", "terminationWaitTimeInMinutes": termination_wait},
            "deploymentReadyOption": ready,
        },
        loadBalancerInfo={
            "targetGroupPairInfoList": [
                {
                    "targetGroups": [{"name": "web-bg-blue"}, {"name": "web-bg-green"}],
                    "prodTrafficRoute": {"listenerArns": [bg.env["DEMO_LISTENER_ARN"]]},
                }
            ]
        },
        ecsServices=[target],
    )
    bg.aws.server.clear_requests()
    return bg


@pytest.fixture
def bg(bluegreen):
    """web-bg created by ecsplan, without a deployment group yet; its config has no `timeout:`."""
    config = bluegreen.path / "ecspresso.yml"
    config.write_text(config.read_text().replace("timeout: 10m\n", ""))
    return bluegreen.create(codedeploy=False)


# ---- 2. deployments that outlast ten minutes ------------------------------------------------


def test_the_default_wait_comes_from_the_group_and_its_deployment_config(bg):
    """Ready wait 60m + canary 3m + termination wait 5m + 10m margin: the wait is 78 minutes, not
    ecsplan's 10-minute default, which a real deployment like this one would outlast."""
    bg.aws.client("codedeploy").create_deployment_config(
        deploymentConfigName="Canary20Percent3Minutes",
        computePlatform="ECS",
        trafficRoutingConfig={"type": "TimeBasedCanary", "timeBasedCanary": {"canaryPercentage": 20, "canaryInterval": 3}},
    )
    seed_group(bg, ready_wait=60, termination_wait=5, config="Canary20Percent3Minutes")
    started = ok(bg.run("apply", "--auto-approve", "--no-wait", env=NEW))
    deployment_id = deployment_id_in(started.stdout)
    cd = bg.aws.client("codedeploy")
    statuses = [cd.get_deployment(deploymentId=deployment_id)["deploymentInfo"]["status"] for _ in range(3)]
    assert statuses == ["InProgress", "InProgress", "Ready"]
    cd.continue_deployment(deploymentId=deployment_id, deploymentWaitType="READY_WAIT")
    bg.aws.server.clear_requests()

    res = ok(bg.run("wait", env=NEW))
    assert (
        f"waiting for CodeDeploy deployment {deployment_id} (timeout 78m: ready wait 60m + traffic shifting 3m "
        "(Canary20Percent3Minutes) + termination wait 5m + 10m margin)"
    ) in res.stdout
    assert "traffic: replacement 20%, original 80%" in res.stdout  # the canary step
    assert "traffic: replacement 100%, original 0%" in res.stdout
    assert "the original (blue) task set goes at " in res.stdout and "(termination wait 5m)" in res.stdout
    assert CONTINUE.format(id=deployment_id, wait="TERMINATION_WAIT") in res.stdout
    assert f"CodeDeploy deployment {deployment_id} Succeeded" in res.stdout
    assert len(requests(bg, "GetDeploymentConfig")) == 1  # read once; predefined ones are not read at all
    assert bg.aws.service(name="web-bg")["taskDefinition"].endswith("web-bg:2")


def test_ready_shows_the_command_that_continues_it_and_a_wait_that_runs_out_stops_it(bg):
    seed_group(bg, ready_wait=3)
    res = bg.run("apply", "--auto-approve", env=NEW)
    assert res.returncode == 1
    deployment_id = deployment_id_in(res.stdout)
    assert "(timeout 30m: ready wait 3m + termination wait 0m + 10m margin, at least 30m)" in res.stdout
    assert (
        f"deployment {deployment_id}: Ready (waiting for reroute: traffic moves to the replacement task set when you run "
        f"`{CONTINUE.format(id=deployment_id, wait='READY_WAIT')}`; CodeDeploy stops the deployment after 3m)"
    ) in res.stdout
    assert f"CodeDeploy deployment {deployment_id} Stopped: TIMEOUT" in res.stderr
    assert bg.aws.service(name="web-bg")["taskDefinition"].endswith("web-bg:1")


def test_apply_wait_until_traffic_shifted_ends_before_the_termination_wait(bg):
    seed_group(bg, termination_wait=30)
    res = ok(bg.run("apply", "--auto-approve", "--wait-until", "traffic-shifted", env=NEW))
    deployment_id = deployment_id_in(res.stdout)
    assert (
        f"CodeDeploy deployment {deployment_id} shifted all traffic to the replacement task set; the service runs web-bg:2; "
        "the original (blue) task set goes at "
    ) in res.stdout
    assert "(termination wait 30m), then the deployment Succeeds" in res.stdout
    assert "Apply complete: traffic shifted in every CodeDeploy deployment" in res.stdout
    assert status_of(bg, deployment_id) == "InProgress"  # CodeDeploy still waits to remove blue
    live = bg.aws.service(name="web-bg")
    assert live["taskDefinition"].endswith("web-bg:2")
    assert sorted(ts["status"] for ts in live["taskSets"]) == ["ACTIVE", "PRIMARY"]


def test_wait_until_traffic_shifted_and_a_usage_error_with_no_wait(bg):
    seed_group(bg, termination_wait=30)
    deployment_id = deployment_id_in(ok(bg.run("apply", "--auto-approve", "--no-wait", env=NEW)).stdout)
    res = ok(bg.run("wait", "--wait-until", "traffic-shifted", env=NEW))
    assert f"CodeDeploy deployment {deployment_id} shifted all traffic to the replacement task set" in res.stdout
    assert status_of(bg, deployment_id) == "InProgress"
    refused = bg.run("apply", "--auto-approve", "--no-wait", "--wait-until", "traffic-shifted", env={"IMAGE_TAG": "1.28"})
    assert refused.returncode == 1 and "--wait-until" in refused.stderr


# ---- 7. UpdateService on a CODE_DEPLOY service: never forceNewDeployment, never taskDefinition --


def test_a_code_deploy_apply_sends_update_service_neither_force_nor_task_definition(bg):
    seed_group(bg)
    ok(bg.run("apply", "--auto-approve", env={**NEW, "DESIRED_COUNT": "3"}))
    (update,) = requests(bg, "UpdateService")
    assert update.params["desiredCount"] == 3
    assert "forceNewDeployment" not in update.params and "taskDefinition" not in update.params
    assert len(requests(bg, "CreateDeployment")) == 1


@pytest.mark.parametrize(
    "tamper",
    [
        lambda payload: payload.update(task_definition={"arn": "arn:aws:ecs:us-east-1:123456789012:task-definition/web-bg:1"}),
        lambda payload: payload.update(force_new_deployment=True),
    ],
    ids=["task-definition", "force-new-deployment"],
)
def test_a_plan_file_that_would_send_them_is_refused_before_any_write(bg, tamper):
    seed_group(bg)
    bg.save_plan(bg.path / "plan.json", env={"DESIRED_COUNT": "3"})
    doc = json.loads((bg.path / "plan.json").read_text())
    (update,) = [a for s in doc["services"] for a in s["actions"] if a["type"] == "update_service"]
    tamper(update["payload"])
    (bg.path / "plan.json").write_text(resealed(doc))
    bg.aws.server.clear_requests()
    res = bg.run("apply", "plan.json")
    assert res.returncode == 1
    assert "CODE_DEPLOY" in res.stderr and "nothing was applied" in res.stderr
    assert bg.aws.mutations() == []


# ---- 8. StopDeployment is asynchronous ------------------------------------------------------


def test_rollback_waits_for_the_stop_then_follows_the_rollback_deployment(bg):
    seed_group(bg, termination_wait=0)
    deployment_id = deployment_id_in(ok(bg.run("apply", "--auto-approve", "--no-wait", env=NEW)).stdout)
    res = ok(bg.run("rollback", "--auto-approve"))
    assert f"asked CodeDeploy to stop deployment {deployment_id} with rollback (CodeDeploy: Pending)" in res.stdout
    match = re.search(rf"deployment {deployment_id}: Stopped; following its rollback deployment (d-[A-Z0-9]{{9}})", res.stdout)
    assert match, res.stdout
    rollback_id = match.group(1)
    assert f"CodeDeploy deployment {rollback_id} Succeeded" in res.stdout
    assert status_of(bg, deployment_id) == "Stopped" and status_of(bg, rollback_id) == "Succeeded"
    live = bg.aws.service(name="web-bg")
    assert live["taskDefinition"].endswith("web-bg:1") and len(live["taskSets"]) == 1
    polls = [r.params["deploymentId"] for r in requests(bg, "GetDeployment")]
    assert polls.count(deployment_id) >= 2  # polled until the stop took effect


def test_rollback_no_wait_says_the_stop_is_pending(bg):
    seed_group(bg)
    deployment_id = deployment_id_in(ok(bg.run("apply", "--auto-approve", "--no-wait", env=NEW)).stdout)
    res = ok(bg.run("rollback", "--auto-approve", "--no-wait"))
    assert f"asked CodeDeploy to stop deployment {deployment_id} with rollback (CodeDeploy: Pending)" in res.stdout
    assert "Rollback complete (not waited for)" in res.stdout
    assert requests(bg, "GetDeployment") == []


# ---- 10. deployment groups that name the service by ARN -------------------------------------


def test_discovery_finds_a_group_that_names_service_and_cluster_by_arn(bg):
    seed_group(bg, by_arn=True)
    doc = json.loads(ok(bg.run("plan", "--format", "json", env=NEW)).stdout)
    (deploy,) = [a for s in doc["services"] for a in s["actions"] if a["type"] == "create_deployment"]
    assert (deploy["details"]["application"], deploy["details"]["deployment_group"]) == (APPLICATION, GROUP)
    ok(bg.run("apply", "--auto-approve", env=NEW))
    assert bg.aws.service(name="web-bg")["taskDefinition"].endswith("web-bg:2")
