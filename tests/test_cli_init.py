"""`ecsplan init` writes files from a live service; planning them right away is clean."""

from __future__ import annotations

import json


def ok(res):
    assert res.returncode == 0, res.stdout + res.stderr
    return res


def test_init_from_a_rolling_service_plans_clean(project, tmp_path):
    project.deploy()
    out = tmp_path / "imported"
    res = ok(project.run("init", "--cluster", "ecsplan-demo", "--service", "web", "--dir", str(out)))
    assert "wrote" in res.stdout
    td = json.loads((out / "ecs-task-def.json").read_text())
    sd = json.loads((out / "ecs-service-def.json").read_text())
    assert "taskDefinitionArn" not in td and "revision" not in td and td["family"] == "web"
    assert {"deployments", "events", "serviceArn", "taskDefinition", "runningCount"}.isdisjoint(sd)
    assert sd["desiredCount"] == 2 and sd["launchType"] == "FARGATE"
    project.assert_plans_clean(config=[out / "ecsplan.yml"])


def test_init_from_a_blue_green_service_plans_clean(bluegreen, tmp_path):
    bg = bluegreen.create()
    bg.deploy(env={"IMAGE_TAG": "1.27"})  # the target group is swapped now
    out = tmp_path / "imported"
    ok(bg.run("init", "--cluster", "ecsplan-demo", "--service", "web-bg", "--dir", str(out)))
    assert json.loads((out / "ecs-service-def.json").read_text())["deploymentController"] == {"type": "CODE_DEPLOY"}
    bg.assert_plans_clean(config=[out / "ecsplan.yml"])


def test_init_does_not_overwrite_and_names_a_missing_service(project, tmp_path):
    project.deploy()
    out = tmp_path / "imported"
    ok(project.run("init", "--cluster", "ecsplan-demo", "--service", "web", "--dir", str(out)))
    again = project.run("init", "--cluster", "ecsplan-demo", "--service", "web", "--dir", str(out))
    assert again.returncode == 1 and "already exist" in again.stderr and "--force" in again.stderr
    missing = project.run("init", "--cluster", "ecsplan-demo", "--service", "nope", "--dir", str(tmp_path / "x"))
    assert missing.returncode == 1 and "service nope not found" in missing.stderr
    assert not (tmp_path / "x" / "ecsplan.yml").exists()
