"""`ecsplan rollback` (the gap the seed admits: ecspresso's rollback could not handle CodeDeploy) and
`ecsplan status`. A rollback is a plan: shown, saved and applied like any plan."""

from __future__ import annotations

import json
import re


def ok(res):
    assert res.returncode == 0, res.stdout + res.stderr
    return res


def test_rolling_rollback_returns_to_the_previous_revision(project):
    project.deploy()
    project.deploy(env={"IMAGE_TAG": "1.27"})
    project.aws.server.clear_requests()
    declined = project.run("rollback", input="n\n")
    assert declined.returncode == 1 and "ecsplan will roll back with the following actions" in declined.stdout
    assert 'taskDefinition: "arn:aws:ecs:us-east-1:123456789012:task-definition/web:2" -> "arn:aws:ecs:us-east-1:123456789012:task-definition/web:1"' in declined.stdout
    assert "Plan: 1 to update." in declined.stdout
    assert project.aws.mutations() == []
    res = ok(project.run("rollback", "--auto-approve"))
    assert "completed" in res.stdout and "Rollback complete" in res.stdout
    svc = project.aws.service()
    assert svc["taskDefinition"].endswith("web:1")
    assert [d["rolloutState"] for d in svc["deployments"]] == ["COMPLETED"]


def test_rollback_plan_as_json_then_saved_and_applied_like_any_plan(project):
    project.deploy()
    project.deploy(env={"IMAGE_TAG": "1.27"})
    project.aws.server.clear_requests()
    shown = project.run("rollback", "--format", "json")  # stdin closed: the question is declined
    assert shown.returncode == 1 and "Roll back?" in shown.stderr and "Rollback cancelled" in shown.stderr
    doc = json.loads(shown.stdout)
    assert doc["purpose"] == "rollback" and doc["format_version"] == 2
    (svc,) = doc["services"]
    assert [a["type"] for a in svc["actions"]] == ["update_service"]
    assert svc["actions"][0]["changes"][0]["after"].endswith("task-definition/web:1")
    saved = ok(project.run("rollback", "--out", "rollback.plan"))
    assert "Saved the rollback plan to rollback.plan" in saved.stderr
    assert project.aws.mutations() == []  # --out applies nothing
    ok(project.run("apply", "rollback.plan"))
    assert project.aws.service()["taskDefinition"].endswith("web:1")


def test_a_saved_rollback_plan_goes_stale_like_any_plan(project):
    project.deploy()
    project.deploy(env={"IMAGE_TAG": "1.27"})
    project.save_plan(project.path / "rollback.plan", rollback=True)  # `ecsplan rollback --out rollback.plan`
    project.deploy(env={"IMAGE_TAG": "1.28"})  # someone deployed since
    project.aws.server.clear_requests()
    res = project.run("apply", "rollback.plan")
    assert res.returncode == 1 and "saved plan is stale" in res.stderr and "taskDefinition changed" in res.stderr
    assert project.aws.mutations() == []


def test_nothing_older_to_roll_back_to(project):
    project.deploy()
    res = project.run("rollback", "--auto-approve")
    assert res.returncode == 1 and "no ACTIVE revision older than web:1" in res.stderr


def test_codedeploy_rollback_stops_the_deployment_in_progress(bluegreen):
    bg = bluegreen.create()
    bg.deploy(env={"IMAGE_TAG": "1.27"}, wait=False)
    res = ok(bg.run("rollback", "--auto-approve"))
    (stop,) = [r for r in bg.aws.server.requests if r.action == "StopDeployment"]
    assert stop.params["autoRollbackEnabled"] is True
    assert "- stop_deployment: stop CodeDeploy deployment d-" in res.stdout and "Plan: 1 deployment to stop." in res.stdout
    assert "rollback deployment d-" in res.stdout
    assert bg.aws.service(name="web-bg")["taskDefinition"].endswith("web-bg:1")


def test_codedeploy_rollback_deploys_the_previous_revision_when_nothing_runs(bluegreen):
    bg = bluegreen.create()
    bg.deploy(env={"IMAGE_TAG": "1.27"})
    res = ok(bg.run("rollback", "--auto-approve"))
    assert "+ create_deployment: blue/green deployment through CodeDeploy" in res.stdout
    assert "task-definition/web-bg:2\" -> \"arn:aws:ecs:us-east-1:123456789012:task-definition/web-bg:1\"" in res.stdout
    assert bg.aws.service(name="web-bg")["taskDefinition"].endswith("web-bg:1")
    assert not [r for r in bg.aws.server.requests if r.action == "UpdateService"]


def test_status_shows_deployments_and_events(project):
    project.deploy()
    res = ok(project.run("status"))
    assert "Service: web  Cluster: ecsplan-demo  Controller: ECS" in res.stdout
    assert "Deployments: PRIMARY web:1 running 2/2 (COMPLETED)" in res.stdout
    assert "has reached a steady state." in res.stdout


ISO_UTC = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")


def test_status_as_json_for_a_rolling_service(project):
    project.deploy()
    doc = json.loads(ok(project.run("status", "--format", "json", "--events", "2")).stdout)
    assert doc["format_version"] == 1 and isinstance(doc["tool_version"], str)
    (svc,) = doc["services"]
    assert (svc["cluster"], svc["service"], svc["controller"], svc["strategy"]) == ("ecsplan-demo", "web", "ECS", "ROLLING")
    assert svc["task_definition"] == "arn:aws:ecs:us-east-1:123456789012:task-definition/web:1"
    assert (svc["desired_count"], svc["running_count"], svc["pending_count"]) == (2, 2, 0)
    (deployment,) = svc["deployments"]
    assert deployment["status"] == "PRIMARY" and deployment["rollout_state"] == "COMPLETED"
    assert deployment["task_definition"] == svc["task_definition"] and deployment["running_count"] == 2
    assert ISO_UTC.match(deployment["created_at"])
    # No auto scaling target, no task sets, no CodeDeploy, no ECS-native service deployment.
    assert svc["autoscaling"] is None and svc["task_sets"] == [] and svc["codedeploy"] is None and svc["service_deployment"] is None
    assert len(svc["events"]) == 2 and svc["events"][0]["message"] == "(service web) has reached a steady state."
    assert all(ISO_UTC.match(e["created_at"]) for e in svc["events"])


def test_status_of_a_blue_green_service_shows_task_sets_and_the_deployment(bluegreen):
    bg = bluegreen.create()
    bg.deploy(env={"IMAGE_TAG": "1.27"}, wait=False)
    res = ok(bg.run("status"))
    assert "Controller: CODE_DEPLOY" in res.stdout and "TaskSet PRIMARY: web-bg:1" in res.stdout
    assert "CodeDeploy: deployment d-" in res.stdout and "AppECS-ecsplan-demo-web-bg/DgpECS-ecsplan-demo-web-bg" in res.stdout
    assert "Auto scaling: min 1, max 4, active" in res.stdout and ", scale 100%" in res.stdout
    (svc,) = json.loads(ok(bg.run("status", "--format", "json")).stdout)["services"]
    assert svc["autoscaling"]["min_capacity"] == 1 and svc["autoscaling"]["max_capacity"] == 4 and svc["autoscaling"]["suspended"] is False
    assert svc["strategy"] is None and svc["task_sets"][0]["scale_percent"] == 100.0
    deployment = svc["codedeploy"]["deployment"]
    assert deployment["id"].startswith("d-") and svc["codedeploy"]["deployment_group"] == "DgpECS-ecsplan-demo-web-bg"
    assert {t["label"] for t in deployment["task_sets"]} == {"Blue", "Green"}
    assert [e["name"] for e in deployment["lifecycle_events"]][:2] == ["BeforeInstall", "Install"]


def test_status_of_a_missing_service_is_an_error(project):
    res = project.run("status")
    assert res.returncode == 1 and "does not exist" in res.stderr
