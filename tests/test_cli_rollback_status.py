"""`ecsplan rollback` (the gap the seed admits: ecspresso's rollback could not handle CodeDeploy) and
`ecsplan status`."""

from __future__ import annotations


def ok(res):
    assert res.returncode == 0, res.stdout + res.stderr
    return res


def test_rolling_rollback_returns_to_the_previous_revision(project):
    ok(project.run("apply", "--auto-approve"))
    ok(project.run("apply", "--auto-approve", env={"IMAGE_TAG": "1.27"}))
    project.aws.server.clear_requests()
    declined = project.run("rollback", input="n\n")
    assert declined.returncode == 1 and "web:2 -> web:1 by a rolling update" in declined.stdout
    assert project.aws.mutations() == []
    res = ok(project.run("rollback", "--auto-approve"))
    assert "completed" in res.stdout and "Rollback complete" in res.stdout
    svc = project.aws.service()
    assert svc["taskDefinition"].endswith("web:1")
    assert [d["rolloutState"] for d in svc["deployments"]] == ["COMPLETED"]


def test_nothing_older_to_roll_back_to(project):
    ok(project.run("apply", "--auto-approve"))
    res = project.run("rollback", "--auto-approve")
    assert res.returncode == 1 and "no ACTIVE revision older than web:1" in res.stderr


def test_codedeploy_rollback_stops_the_deployment_in_progress(bluegreen):
    bg = bluegreen.create()
    ok(bg.run("apply", "--auto-approve", "--no-wait", env={"IMAGE_TAG": "1.27"}))
    res = ok(bg.run("rollback", "--auto-approve"))
    (stop,) = [r for r in bg.aws.server.requests if r.action == "StopDeployment"]
    assert stop.params["autoRollbackEnabled"] is True
    assert "Stopped" in res.stdout and "rollback deployment d-" in res.stdout
    assert bg.aws.service(name="web-bg")["taskDefinition"].endswith("web-bg:1")


def test_codedeploy_rollback_deploys_the_previous_revision_when_nothing_runs(bluegreen):
    bg = bluegreen.create()
    ok(bg.run("apply", "--auto-approve", env={"IMAGE_TAG": "1.27"}))
    res = ok(bg.run("rollback", "--auto-approve"))
    assert "web-bg:2 -> web-bg:1 by a CodeDeploy deployment" in res.stdout
    assert bg.aws.service(name="web-bg")["taskDefinition"].endswith("web-bg:1")
    assert not [r for r in bg.aws.server.requests if r.action == "UpdateService"]


def test_status_shows_deployments_and_events(project):
    ok(project.run("apply", "--auto-approve"))
    res = ok(project.run("status"))
    assert "Service: web  Cluster: ecsplan-demo  Controller: ECS" in res.stdout
    assert "Deployments: PRIMARY web:1 running 2/2 (COMPLETED)" in res.stdout
    assert "has reached a steady state." in res.stdout


def test_status_of_a_blue_green_service_shows_task_sets_and_the_deployment(bluegreen):
    bg = bluegreen.create()
    ok(bg.run("apply", "--auto-approve", "--no-wait", env={"IMAGE_TAG": "1.27"}))
    res = ok(bg.run("status"))
    assert "Controller: CODE_DEPLOY" in res.stdout and "TaskSet PRIMARY: web-bg:1" in res.stdout
    assert "CodeDeploy: deployment d-" in res.stdout and "AppECS-ecsplan-demo-web-bg/DgpECS-ecsplan-demo-web-bg" in res.stdout


def test_status_of_a_missing_service_is_an_error(project):
    res = project.run("status")
    assert res.returncode == 1 and "does not exist" in res.stderr
