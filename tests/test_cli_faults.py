"""Faults as a user sees them (issue 13), through the fault proxy in front of the sandbox
(`faults`): exit codes and messages of the CLI. What the engine does underneath, in process:
tests/test_faults_engine.py."""

from __future__ import annotations


def test_a_503_with_a_json_body_from_sts_is_a_clear_error(project, aws, faults):
    faults.fail("sts")
    result = project.through(faults).run("plan")
    assert result.returncode == 1
    assert result.stderr == (
        "ecsplan: error: reading the caller identity (sts:GetCallerIdentity): AWS sent a reply in a form the API does not use "
        '(an outage, or a proxy in the way?): {"__type": "ServiceUnavailable", "message": "injected 503"}; try again later\n'
    )
    assert aws.mutations() == []


def test_a_stalled_wait_ends_at_the_timeout_and_names_ecsplan_wait(project, aws, faults):
    project.deploy()
    faults.stall("ecs", "DescribeServices", after="UpdateService")
    result = project.through(faults).run("apply", "--auto-approve", "--timeout", "1s", env={"IMAGE_TAG": "1.26"})
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert "timed out after 1s waiting for deployment ecs-svc/" in result.stderr, result.stderr
    assert "The deployment goes on in AWS: follow it with `ecsplan wait`" in result.stderr, result.stderr
    assert aws.service()["taskDefinition"].endswith("web:2")  # the update was made; the rollout goes on


def test_display_only_access_denied_does_not_end_a_codedeploy_apply(bluegreen, aws, faults):
    bg = bluegreen.create()
    for operation in ("ListDeploymentTargets", "GetDeploymentTarget"):
        faults.deny("codedeploy", operation)
    result = bg.through(faults).run("apply", "--auto-approve", "--suspend-autoscaling", env={"IMAGE_TAG": "1.27"})
    assert result.returncode == 0, result.stdout + result.stderr
    warnings = [line for line in result.stdout.splitlines() if "warning" in line]
    assert len(warnings) == 1 and "ecsplan-demo/web-bg: warning: cannot show lifecycle events and traffic (" in warnings[0], result.stdout
    assert "AccessDeniedException" in warnings[0] and "Succeeded" in result.stdout, result.stdout
    assert aws.service(name="web-bg")["taskDefinition"].endswith("web-bg:2")
    assert bg.scalable_target()["SuspendedState"] == {"DynamicScalingInSuspended": False, "DynamicScalingOutSuspended": False, "ScheduledScalingSuspended": False}
