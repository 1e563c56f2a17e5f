"""Idempotent re-runs and deployments in progress, the whole loop against the sandbox (the pure
rules are in test_idempotent.py): a re-run after a partial apply registers no duplicate; apply
refuses to pile a change onto a deployment in progress unless --force."""

from __future__ import annotations

from planner.actions import ActionType
from planner.frozen import thaw


def family_revisions(aws, family="web"):
    return aws.client("ecs").list_task_definitions(familyPrefix=family)["taskDefinitionArns"]


def test_a_rerun_after_a_partial_apply_reuses_the_registered_revision(project):
    project.deploy()
    new = {"IMAGE_TAG": "1.27"}
    (register,) = [a for s in project.plan(env=new).services for a in s.actions if a.type is ActionType.REGISTER_TASK_DEFINITION]
    arn = project.aws.client("ecs").register_task_definition(**thaw(register.definition))["taskDefinition"]["taskDefinitionArn"]
    before = family_revisions(project.aws)

    res = project.run("apply", "--auto-approve", env=new)
    assert res.returncode == 0, res.stdout + res.stderr
    assert "(already registered, identical)" in res.stdout
    assert family_revisions(project.aws) == before
    assert project.aws.service()["taskDefinition"] == arn
    project.assert_plans_clean(env=new)


def test_apply_refuses_a_change_while_a_deployment_is_in_progress_unless_forced(project, monkeypatch):
    monkeypatch.setattr("providers.sandbox.ecs_rollouts.ROLLOUT_STEPS", 50)  # the rollout outlasts the plan's reads
    project.deploy(wait=False)
    assert project.aws.service()["deployments"][0]["rolloutState"] == "IN_PROGRESS"
    plan = project.run("plan", "--detailed-exitcode")
    assert plan.returncode == 0, plan.stdout + plan.stderr
    assert "a deployment is in progress (ecs-svc/" in plan.stdout and "`ecsplan wait -c ecspresso.yml` follows it" in plan.stdout

    new = {"IMAGE_TAG": "1.27"}
    before = len(project.aws.mutations())
    refused = project.run("apply", "--auto-approve", env=new)
    assert refused.returncode == 1
    assert "a deployment is in progress: ecsplan-demo/web (ecs-svc/" in refused.stderr
    assert "wait for it (`ecsplan wait`) or pass --force; nothing was applied" in refused.stderr
    assert project.aws.mutations()[before:] == []

    forced = project.run("apply", "--auto-approve", "--force", "--no-wait", env=new)
    assert forced.returncode == 0, forced.stdout + forced.stderr
    assert project.aws.service()["taskDefinition"].endswith(":2")
