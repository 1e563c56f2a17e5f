"""`ecsplan rollback --deregister` against the sandbox: the revision left is deregistered once
the rollback succeeded (INACTIVE, still described), and kept when the rollback wait fails."""

from __future__ import annotations

import cli
from providers import app

TD = "arn:aws:ecs:us-east-1:123456789012:task-definition/web:"


def status(project, revision: int) -> str:
    return project.aws.client("ecs").describe_task_definition(taskDefinition=f"{TD}{revision}")["taskDefinition"]["status"]


def test_rollback_deregister_leaves_the_service_on_1_and_2_inactive(project):
    project.deploy()
    project.deploy(env={"IMAGE_TAG": "1.27"})
    res = project.run("rollback", "--deregister", "--auto-approve")
    assert res.returncode == 0, res.stdout + res.stderr
    assert "- deregister_task_definition: deregister web:2 once the rollback succeeded" in res.stdout
    assert "Plan: 1 to update, 1 to deregister." in res.stdout
    assert f"deregister_task_definition: deregistered {TD}2 (now INACTIVE)" in res.stdout
    assert "Rollback complete: every deployment succeeded." in res.stdout
    # The deregistration came after the rollback deployment completed.
    assert res.stdout.index("completed") < res.stdout.index("deregistered")
    assert project.aws.service()["taskDefinition"] == f"{TD}1"
    assert (status(project, 1), status(project, 2)) == ("ACTIVE", "INACTIVE")


def test_a_failing_rollback_wait_keeps_2_and_says_the_deregistration_was_not_done(project):
    project.deploy()
    project.deploy(env={"IMAGE_TAG": "1.27"})
    res = project.run("rollback", "--deregister", "--auto-approve", "--timeout", "0s")  # one poll: the rollout is not over
    assert res.returncode == 1, res.stdout + res.stderr
    assert "timed out after 0s" in res.stderr
    assert "Not done:\n  ecsplan-demo/web: deregister_task_definition" in res.stderr
    assert project.aws.service()["taskDefinition"] == f"{TD}1"  # the rollback itself was started
    assert status(project, 2) == "ACTIVE"
    assert "DeregisterTaskDefinition" not in [r.action for r in project.aws.server.requests]


def test_a_saved_deregistering_rollback_plan_is_not_applied_without_the_wait(project):
    project.deploy()
    project.deploy(env={"IMAGE_TAG": "1.27"})
    with project._environ(None) as environ:
        desired = project._desired((), environ)
        ctx = project._context(desired, [])
        plan = app.make_rollback_plan(ctx, desired, deregister=True)
        path = str(project.path / "rollback.plan")
        app.planfile.save(plan, path)
        again = app.planfile.load(path)
        assert [a.type.value for a in again.services[0].actions] == ["update_service", "deregister_task_definition"]
        project.aws.server.clear_requests()
        report = app.run_apply(ctx, again, wait=False, timeout=None, resume_hint="ecsplan wait")
    assert report.error is not None and "needs the wait: drop --no-wait; nothing was applied" in str(report.error)
    assert project.aws.mutations() == []


def test_deregister_with_no_wait_is_a_usage_error(capsys):
    assert cli.main(["rollback", "--deregister", "--no-wait"]) == 1
    assert "--deregister deregisters the rolled-back revision once the rollback succeeded, so it needs the wait" in capsys.readouterr().err
