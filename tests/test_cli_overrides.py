"""The overrides (#14) end to end against the sandbox: `apply --force-new-deployment` restarts an
unchanged service, `--desired-count` / `--autoscaling-min/max` apply and then plan clean, and bad
values exit 1 before any change."""

import pytest

import cli
from planner.errors import UsageError
from planner.model import PlanOptions

RESOURCE = "service/ecsplan-demo/web"


def ok(res):
    assert res.returncode == 0, res.stdout + res.stderr
    return res


def register_target(aws, low=1, high=4):
    aws.client("application-autoscaling").register_scalable_target(
        ServiceNamespace="ecs", ResourceId=RESOURCE, ScalableDimension="ecs:service:DesiredCount", MinCapacity=low, MaxCapacity=high)


def requests(aws, action):
    return [r.params for r in aws.server.requests if r.action == action]


def test_force_new_deployment_restarts_an_unchanged_service_with_the_same_task_definition(project):
    project.deploy()
    before = project.aws.service()
    project.aws.server.clear_requests()
    res = ok(project.run("apply", "--force-new-deployment", "--auto-approve"))
    assert '+ restart: "new deployment with the same task definition (web:1)"' in res.stdout
    assert "Apply complete: every deployment succeeded." in res.stdout
    (update,) = requests(project.aws, "UpdateService")
    assert update.get("forceNewDeployment") is True and "taskDefinition" not in update
    after = project.aws.service()
    primary = next(d for d in after["deployments"] if d["status"] == "PRIMARY")
    old = next(d for d in before["deployments"] if d["status"] == "PRIMARY")
    assert primary["id"] != old["id"] and primary["taskDefinition"] == old["taskDefinition"] == before["taskDefinition"]
    assert primary["rolloutState"] == "COMPLETED" and after["taskDefinition"] == before["taskDefinition"]


def test_desired_count_and_the_scaling_range_apply_then_plan_clean(project):
    project.deploy()
    register_target(project.aws)
    project.aws.server.clear_requests()
    res = ok(project.run("apply", "--auto-approve", "--desired-count", "6", "--autoscaling-max", "8"))
    assert "~ desiredCount: 2 -> 6" in res.stdout and "~ autoscaling.maxCapacity: 4 -> 8" in res.stdout
    (registration,) = requests(project.aws, "RegisterScalableTarget")
    assert (registration["MinCapacity"], registration["MaxCapacity"]) == (1, 8) and "SuspendedState" not in registration
    target = project.aws.client("application-autoscaling").describe_scalable_targets(
        ServiceNamespace="ecs", ResourceIds=[RESOURCE])["ScalableTargets"][0]
    assert (target["MinCapacity"], target["MaxCapacity"]) == (1, 8)
    assert project.aws.service()["desiredCount"] == 6
    assert ok(project.run("plan", "--desired-count", "6", "--autoscaling-max", "8", "--detailed-exitcode")).stdout.startswith("# web")


@pytest.mark.parametrize("deployed, target, args, message", [
    (False, False, ["plan", "--desired-count", "-1"], "argument --desired-count: '-1' is not a whole number >= 0"),
    (True, True, ["apply", "--auto-approve", "--autoscaling-min", "5"],
     "--autoscaling-min: the minimum capacity 5 would be greater than the maximum capacity 4 of service/ecsplan-demo/web"),
], ids=["negative", "min-above-max"])
def test_bad_values_exit_1_with_the_reason_and_change_nothing(project, deployed, target, args, message):
    if deployed:
        project.deploy()
    if target:
        register_target(project.aws)
    project.aws.server.clear_requests()
    res = project.run(*args)
    assert res.returncode == 1 and message in res.stderr, res.stderr
    assert project.aws.mutations() == []


@pytest.mark.parametrize("args, given", [
    (["--desired-count", "0", "--force-new-deployment"], "--force-new-deployment, --desired-count"),
    (["--autoscaling-min", "0"], "--autoscaling-min"),
    (["--autoscaling-max", "2", "--suspend-autoscaling"], "--suspend-autoscaling, --autoscaling-max"),
])
def test_a_saved_plan_with_plan_options_is_a_usage_error(capsys, args, given):
    """In process: refused before anything is read (0 is a value given too)."""
    assert cli.main(["apply", "saved.plan", *args]) == 1
    assert f"ecsplan: error: {given}: plan options shape the plan: pass them to `ecsplan plan --out`" in capsys.readouterr().err


def test_a_range_without_target_and_a_code_deploy_restart_are_refused_by_the_plan(bluegreen):
    """In process: the plan is where they are refused (the CLI maps the error to exit 1 as above)."""
    bg = bluegreen.create(scalable_target=False)
    with pytest.raises(UsageError, match="service/ecsplan-demo/web-bg has no scalable target"):
        bg.plan(options=PlanOptions(autoscaling_max=3))
    with pytest.raises(UsageError, match="--force-new-deployment: ecsplan-demo/web-bg has the CODE_DEPLOY deployment controller"):
        bg.plan(options=PlanOptions(force_new_deployment=True))
    assert bg.aws.mutations() == []
