"""ECS-native blue/green, linear and canary deployments (deploymentController ECS, strategy
BLUE_GREEN / LINEAR / CANARY) through the CLI against the sandbox server: the plan says what the
deployment will do, apply follows the service deployment through its stages, hooks, traffic steps
and bake time, a failed hook is a failure naming the hook, `ecsplan rollback` stops a deployment
in progress, and the target groups ECS swaps are no change.

Timing is by polls (ECSPLAN_POLL_INTERVAL=0; one DescribeServiceDeployments poll is one step or
one minute of bake time), never by sleeping. Setup runs in process (tests/helpers_cli.py)."""

from __future__ import annotations

import json

import pytest

from planner.errors import ConfigError

NEW = {"IMAGE_TAG": "1.27"}


def ok(res):
    assert res.returncode == 0, res.stdout + res.stderr
    return res


def describe_polls(native):
    return [r for r in native.aws.server.requests if r.action == "DescribeServiceDeployments"]


def load_balancer(native):
    return native.aws.service(name="web-native")["loadBalancers"][0]


def test_blue_green_apply_waits_for_the_stages_and_the_bake_time_then_replans_clean(native):
    native.deploy()  # the first deployment: bake time 2m
    first_polls = len(describe_polls(native))
    before = load_balancer(native)
    native.aws.server.clear_requests()

    res = ok(native.run("apply", "--auto-approve", env={**NEW, "BAKE_MINUTES": "3"}))
    out = res.stdout
    # The plan says what the deployment will do; the bake time change is an in-place update.
    assert "deployment: strategy BLUE_GREEN: new tasks start beside the old ones; test traffic, then production traffic 100% at once; bake time 3m" in out
    assert "deployment: hook ValidateTestTraffic at POST_TEST_TRAFFIC_SHIFT" in out
    assert "~ deploymentConfiguration.bakeTimeInMinutes: 2 -> 3" in out
    # Every stage and the hook, in order, then success with the new revision as target.
    stages = ["RECONCILE_SERVICE", "PRE_SCALE_UP", "SCALE_UP", "POST_SCALE_UP", "TEST_TRAFFIC_SHIFT", "POST_TEST_TRAFFIC_SHIFT",
              "PRODUCTION_TRAFFIC_SHIFT", "POST_PRODUCTION_TRAFFIC_SHIFT", "BAKE_TIME", "CLEAN_UP"]
    positions = [out.index(f"stage {s};") for s in stages]
    assert positions == sorted(positions)
    assert "hooks ValidateTestTraffic SUCCEEDED" in out
    assert "SUCCESSFUL: web-native:2 serves all production traffic, bake time 3m over" in out
    # The bake time is waited for: one poll a minute, so 3m take one poll more than 2m did.
    assert len(describe_polls(native)) == first_polls + 1
    # ECS swapped the production and the alternate target group; the re-plan is clean.
    after = load_balancer(native)
    assert after["targetGroupArn"] == before["advancedConfiguration"]["alternateTargetGroupArn"]
    assert after["advancedConfiguration"]["alternateTargetGroupArn"] == before["targetGroupArn"]
    native.assert_plans_clean(env={**NEW, "BAKE_MINUTES": "3"})


def test_a_failed_hook_rolls_back_and_apply_exits_1_naming_the_hook(native):
    native.deploy()
    res = native.run("apply", "--auto-approve", env={**NEW, "DEMO_HOOK": "ValidateFail"})
    assert res.returncode == 1, res.stdout + res.stderr
    assert "Lifecycle hook arn:aws:lambda:us-east-1:123456789012:function:ValidateFail returned FAILED at stage POST_TEST_TRAFFIC_SHIFT" in res.stderr
    assert "(web-native:2) failed" in res.stderr and "Traceback" not in res.stderr
    service = native.aws.service(name="web-native")
    assert service["taskDefinition"].endswith("web-native:1")  # ECS rolled back


def test_status_shows_the_deployment_in_progress_and_rollback_stops_it(native):
    native.deploy()
    native.deploy(env=NEW, wait=False)

    status = ok(native.run("status", env=NEW)).stdout
    assert "Service deployment (BLUE_GREEN): " in status and "IN_PROGRESS; stage " in status
    (svc,) = json.loads(ok(native.run("status", "--format", "json", env=NEW)).stdout)["services"]
    assert svc["strategy"] == "BLUE_GREEN" and svc["service_deployment"]["status"] == "IN_PROGRESS"
    assert svc["service_deployment"]["target"]["task_definition"].endswith("web-native:2")

    res = ok(native.run("rollback", "--auto-approve", env=NEW))
    assert "- stop_service_deployment: stop service deployment " in res.stdout
    assert "with rollback to the previous service revision" in res.stdout
    assert "Plan: 1 service deployment to stop." in res.stdout
    assert "rolled back: Service deployment stopped with rollback (StopServiceDeployment)" in res.stdout
    stops = [r for r in native.aws.server.requests if r.action == "StopServiceDeployment"]
    assert len(stops) == 1 and stops[0].params["stopType"] == "ROLLBACK"
    assert native.aws.service(name="web-native")["taskDefinition"].endswith("web-native:1")


@pytest.mark.parametrize(
    ("strategy", "configuration", "plan_line", "steps"),
    [
        ("LINEAR", {"linearConfiguration": {"stepPercent": 50.0, "stepBakeTimeInMinutes": 1}},
         "production traffic 50%, 100% (1m between steps)", ["web-native:2 50%", "web-native:2 100%"]),
        ("CANARY", {"canaryConfiguration": {"canaryPercent": 10.0, "canaryBakeTimeInMinutes": 2}},
         "production traffic 10% for 2m, then 100%", ["web-native:2 10%", "web-native:2 100%"]),
    ],
)
def test_linear_and_canary_shift_production_traffic_in_steps(native, strategy, configuration, plan_line, steps):
    native.set_strategy(strategy, **configuration)
    native.deploy()
    res = ok(native.run("apply", "--auto-approve", env=NEW))
    assert f"deployment: strategy {strategy}: " in res.stdout and plan_line in res.stdout
    positions = [res.stdout.index(f"production traffic {s}") for s in steps]
    assert positions == sorted(positions)
    assert "SUCCESSFUL: web-native:2 serves all production traffic" in res.stdout
    native.assert_plans_clean(env=NEW)


def test_wait_follows_a_deployment_in_progress_to_its_end(native):
    native.deploy()
    native.deploy(env=NEW, wait=False)
    res = ok(native.run("wait", env=NEW))
    assert "waiting for service deployment " in res.stdout and "stage BAKE_TIME" in res.stdout
    assert "SUCCESSFUL: web-native:2" in res.stdout and "Every deployment succeeded." in res.stdout


def test_init_from_a_live_native_service_plans_clean(native, tmp_path):
    native.deploy()
    native.deploy(env=NEW)  # the target groups are swapped now
    ok(native.run("init", "--cluster", "ecsplan-demo", "--service", "web-native", "--dir", str(tmp_path / "imported")))
    native.assert_plans_clean(config=[tmp_path / "imported" / "ecsplan.yml"])


@pytest.mark.parametrize(
    ("strategy", "members", "key"),
    [
        ("CANARY", {"canaryConfiguration": {"canaryPercent": 150.0}}, "deploymentConfiguration.canaryConfiguration.canaryPercent"),
        ("ROLLING", {}, "deploymentConfiguration.lifecycleHooks[0]: lifecycle hooks run in BLUE_GREEN, LINEAR and CANARY"),
    ],
)
def test_what_aws_refuses_is_a_plan_time_error_naming_file_and_key(native, strategy, members, key):
    native.set_strategy(strategy, **members)
    with pytest.raises(ConfigError) as excinfo:
        native.plan()
    assert "ecs-service-def.json" in str(excinfo.value) and key in str(excinfo.value)


def test_a_paused_hook_is_answered_by_ecsplan_continue_as_a_plan(native):
    native.deploy()
    path = native.path / "ecs-service-def.json"
    text = path.read_text()
    start = text.index('        "hookTargetArn"')
    end = text.index('"lifecycleStages"')
    path.write_text(text[:start] + '        "targetType": "PAUSE",\n        ' + text[end:])
    native.deploy(env=NEW, wait=False)
    ecs = native.aws.client("ecs")
    arn = ecs.list_service_deployments(cluster="ecsplan-demo", service="web-native")["serviceDeployments"][0]["serviceDeploymentArn"]
    for _ in range(30):  # one stage per poll, until the PAUSE hook waits
        info = ecs.describe_service_deployments(serviceDeploymentArns=[arn])["serviceDeployments"][0]
        if any(h.get("status") == "AWAITING_ACTION" for h in info.get("lifecycleHookDetails") or []):
            break
    else:
        raise AssertionError("the PAUSE hook never waited")
    native.aws.server.clear_requests()

    declined = native.run("continue", env=NEW)  # stdin closed: the question is declined
    assert declined.returncode == 1 and "the hook is still waiting and nothing was changed" in declined.stderr
    assert "~ continue_service_deployment: answer paused hook " in declined.stdout and ": CONTINUE (let the deployment go on)" in declined.stdout
    assert "Plan: 1 paused hook to answer." in declined.stdout
    assert not [r for r in native.aws.server.requests if r.action == "ContinueServiceDeployment"]

    res = ok(native.run("continue", "--auto-approve", env=NEW))
    assert "Continue complete: every deployment succeeded." in res.stdout
    (answer,) = [r.params for r in native.aws.server.requests if r.action == "ContinueServiceDeployment"]
    assert answer["serviceDeploymentArn"] == arn and answer["action"] == "CONTINUE"
    assert native.aws.service(name="web-native")["taskDefinition"].endswith("web-native:2")

    nothing = native.run("continue", "--auto-approve", env=NEW)
    assert nothing.returncode == 1 and "nothing to continue" in nothing.stderr
