"""Plans for review: saved plans, stale-plan refusal, JSON, Markdown, masking, many configs;
through the CLI against the sandbox server. What the renderers print is pinned on saved plans in
tests/test_golden.py."""

from __future__ import annotations

import json
import os
import shutil
import stat

import pytest

from planner import planfile
from providers import app
from tests.helpers_cli import resealed
from tests.helpers_golden import CHANGES, saved_plan_path

WRITES = {"RegisterTaskDefinition", "UpdateService", "CreateService", "TagResource", "UntagResource", "CreateDeployment"}


def ok(res):
    assert res.returncode == 0, res.stdout + res.stderr
    return res


@pytest.fixture
def deployed(project):
    project.deploy()
    project.aws.server.clear_requests()
    return project


def writes(project):
    return [r.action for r in project.aws.server.requests if r.action in WRITES]


def test_saved_plan_applies_exactly_without_prompt_or_config(deployed, tmp_path):
    plan_file = tmp_path / "p.json"
    res = ok(deployed.run("plan", "--out", str(plan_file), env=CHANGES))
    assert "ecsplan apply" in res.stderr
    assert stat.S_IMODE(os.stat(plan_file).st_mode) == 0o600
    for name in ("ecspresso.yml", "ecs-task-def.json", "ecs-service-def.json"):
        (deployed.path / name).unlink()  # apply FILE must not read the config files
    res = ok(deployed.run("apply", str(plan_file)))  # stdin is closed: no prompt may be asked
    assert "[y/N]" not in res.stdout
    svc = deployed.aws.service()
    assert svc["taskDefinition"].endswith("web:2") and svc["desiredCount"] == 3
    td = deployed.aws.client("ecs").describe_task_definition(taskDefinition=svc["taskDefinition"])["taskDefinition"]
    env = {e["name"]: e["value"] for e in td["containerDefinitions"][0]["environment"]}
    assert env["DB_PASSWORD"] == "correct-horse"  # the plan file keeps the real value


def test_plan_file_with_config_is_a_usage_error(project):
    res = project.run("apply", str(saved_plan_path("update")), "-c", "ecspresso.yml")
    assert res.returncode == 1 and "not both" in res.stderr
    assert project.aws.mutations() == []


def test_stale_plan_is_refused_and_nothing_is_written(deployed, tmp_path):
    plan_file = deployed.save_plan(tmp_path / "p.json", env={"IMAGE_TAG": "1.27"})
    deployed.deploy(env={"DESIRED_COUNT": "4"})  # someone else changed it
    deployed.aws.server.clear_requests()
    res = deployed.run("apply", str(plan_file))
    assert res.returncode == 1
    assert "saved plan is stale" in res.stderr and "ecsplan-demo/web: desiredCount changed" in res.stderr
    assert writes(deployed) == []


def test_volatile_fields_do_not_make_a_plan_stale(deployed, tmp_path):
    deployed.deploy(env={"IMAGE_TAG": "1.27"}, wait=False)
    plan_file = deployed.save_plan(tmp_path / "p.json", env={"IMAGE_TAG": "1.27", "DESIRED_COUNT": "3"})
    deployed.wait()  # the rollout moves on: events, running counts, deployments change
    ok(deployed.run("apply", str(plan_file)))
    assert deployed.aws.service()["desiredCount"] == 3


def test_plan_for_another_region_or_account_is_refused(deployed, tmp_path):
    plan_file = deployed.save_plan(tmp_path / "p.json", env=CHANGES)
    deployed.aws.server.clear_requests()
    res = deployed.run("apply", str(plan_file), "--region", "eu-west-1")
    assert res.returncode == 1 and "saved plan is for region us-east-1" in res.stderr
    doc = json.loads(plan_file.read_text())
    doc["account"] = "999999999999"
    plan_file.write_text(resealed(doc))
    res = deployed.run("apply", str(plan_file))
    assert res.returncode == 1 and "saved plan is for account 999999999999" in res.stderr
    doc["account"], doc["region"] = "123456789012", None  # edited out: nothing to check it against
    plan_file.write_text(resealed(doc))
    res = deployed.run("apply", str(plan_file), "--region", "eu-west-1")
    assert res.returncode == 1 and "the plan names no region, so it cannot be checked against this run (eu-west-1)" in res.stderr
    assert writes(deployed) == []


def test_bad_plan_files(project, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    res = project.run("apply", str(bad))
    assert res.returncode == 1 and "not a plan file" in res.stderr and "Traceback" not in res.stderr
    printed = tmp_path / "printed.json"  # what `ecsplan plan --format json` prints
    printed.write_text(app.render_plan(planfile.load(str(saved_plan_path("update"))), "json", color=False))
    res = project.run("apply", str(printed))
    assert res.returncode == 1 and "--format json` output, not a plan file" in res.stderr
    assert project.run("apply", str(tmp_path / "missing.json")).returncode == 1
    assert writes(project) == []


def test_secret_values_are_not_printed_by_apply(deployed):
    # The plan in every format masks them (tests/test_golden.py); apply prints more than the plan.
    res = ok(deployed.run("apply", "--auto-approve", env={"DB_PASSWORD": "correct-horse"}))
    assert "containerDefinitions[web].environment[DB_PASSWORD]: (sensitive) -> (sensitive)" in res.stdout
    assert "correct-horse" not in res.stdout + res.stderr and "hunter2" not in res.stdout + res.stderr


def test_sensitive_patterns_from_the_config(deployed):
    cfg = deployed.path / "ecspresso.yml"
    cfg.write_text(cfg.read_text() + "sensitive: [LOG_LEVEL]\n")
    out = deployed.plan_text(env={"LOG_LEVEL": "debug"})
    assert "environment[LOG_LEVEL]: (sensitive) -> (sensitive)" in out and "debug" not in out


def test_folder_of_configs_plans_every_service_in_one_document(deployed, tmp_path):
    root = tmp_path / "services"
    shutil.copytree(deployed.path, root / "web")
    shutil.copytree(deployed.path, root / "api")
    for name, text in (("ecspresso.yml", ("service: web", "service: api")), ("ecs-task-def.json", ('"family": "web"', '"family": "api"'))):
        p = root / "api" / name
        p.write_text(p.read_text().replace(*text))
    deployed.deploy(config=[root / "api"])
    doc = json.loads(ok(deployed.run("plan", "-c", str(root), "--format", "json", env={"IMAGE_TAG": "1.27"})).stdout)
    assert [s["service"] for s in doc["services"]] == ["api", "web"]
    assert all(s["actions"] for s in doc["services"])
    # only web changes when only web's tag moves
    (root / "web" / "ecs-task-def.json").write_text((root / "web" / "ecs-task-def.json").read_text().replace("{{ env `IMAGE_TAG` `1.25` }}", "1.27"))
    doc = deployed.plan_document(config=[root])
    assert {s["service"]: bool(s["actions"]) for s in doc["services"]} == {"api": False, "web": True}
    assert doc["summary"]["changed_services"] == 1
    text = deployed.plan_text(config=[root, root / "web"])
    assert "# api (cluster ecsplan-demo, controller ECS): no changes" in text


def test_summary_files(deployed, tmp_path):
    summary, step = tmp_path / "comment.md", tmp_path / "step.md"
    step.write_text("# earlier step\n")
    res = ok(deployed.run("plan", "--summary-file", str(summary), "--github-step-summary",
                          env={**CHANGES, "GITHUB_STEP_SUMMARY": str(step)}))
    assert "register_task_definition" in res.stdout  # the normal output is unchanged
    assert summary.read_text().startswith("## ecsplan plan: 1 of 1 service changes")
    assert step.read_text().startswith("# earlier step\n") and "```diff" in step.read_text()
    res = deployed.run("plan", "--github-step-summary", env={"GITHUB_STEP_SUMMARY": None})
    assert res.returncode == 1 and "GITHUB_STEP_SUMMARY is not set" in res.stderr


def test_blocked_plan_markdown_calls_it_out(deployed):
    sd = deployed.path / "ecs-service-def.json"
    sd.write_text(sd.read_text().replace('"launchType": "FARGATE"', '"launchType": "EC2"'))
    res = deployed.run("plan", "--format", "markdown", "--detailed-exitcode")
    assert res.returncode == 1
    assert res.stdout.startswith("## ecsplan plan: blocked changes, apply will refuse this plan")
    assert "> [!CAUTION]" in res.stdout and "`launchType`" in res.stdout
