"""The foundation, end to end: the CLI in a subprocess against the sandbox server over HTTP (the
deploy a test starts from is made in process: tests/helpers_cli.py)."""

from __future__ import annotations


def apply_ok(project, *args, env=None):
    res = project.run("apply", "--auto-approve", *args, env=env)
    assert res.returncode == 0, res.stdout + res.stderr
    return res


def action_types(doc):
    return [a["type"] for s in doc["services"] for a in s["actions"]]


def test_missing_service_is_created_then_plans_clean(project):
    res = apply_ok(project)
    assert "create_service" in res.stdout and "Apply complete" in res.stdout
    svc = project.aws.service()
    primary = [d for d in svc["deployments"] if d["status"] == "PRIMARY"]
    assert primary[0]["rolloutState"] == "COMPLETED"
    clean = project.run("plan", "--detailed-exitcode")
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert "No changes" in clean.stdout
    assert action_types(project.plan_document()) == []


def test_new_image_registers_updates_waits_and_replans_clean(project):
    project.deploy()
    before = project.aws.service()["taskDefinition"]
    new = {"IMAGE_TAG": "1.27"}

    plan = project.run_process("plan", "--detailed-exitcode", env=new)  # the real entry point, once
    assert plan.returncode == 2, plan.stderr
    assert '"public.ecr.aws/nginx/nginx:1.25" -> "public.ecr.aws/nginx/nginx:1.27"' in plan.stdout
    assert "(known after apply)" in plan.stdout
    assert action_types(project.plan_document(env=new)) == ["register_task_definition", "update_service"]

    res = apply_ok(project, env=new)
    assert "waiting for deployment" in res.stdout
    svc = project.aws.service()
    assert svc["taskDefinition"] != before and svc["taskDefinition"].endswith("task-definition/web:2")
    (primary,) = [d for d in svc["deployments"] if d["status"] == "PRIMARY"]
    assert primary["taskDefinition"] == svc["taskDefinition"] and primary["rolloutState"] == "COMPLETED"
    project.assert_plans_clean(env=new)


def test_desired_count_only_change_is_update_service_alone(project):
    project.deploy()
    doc = project.plan_document(env={"DESIRED_COUNT": "3"})
    assert action_types(doc) == ["update_service"]
    (change,) = doc["services"][0]["actions"][0]["changes"]
    assert change == {"path": "desiredCount", "before": 2, "after": 3}
    apply_ok(project, env={"DESIRED_COUNT": "3"})
    assert project.aws.service()["desiredCount"] == 3
    project.assert_plans_clean(env={"DESIRED_COUNT": "3"})


def test_failing_rollout_exits_1_and_names_the_failure(project):
    project.deploy()
    res = project.run("apply", "--auto-approve", env={"IMAGE_TAG": "broken-1"})
    assert res.returncode == 1
    assert "Apply complete" not in res.stdout
    assert "failed" in res.stderr and "rolled back" in res.stderr
    assert "circuit breaker" in res.stderr  # the rolloutStateReason ECS gives
    svc = project.aws.service()
    assert svc["taskDefinition"].endswith("web:1")  # ECS rolled back to the previous revision


def test_must_env_unset_exits_1_names_the_variable_and_changes_nothing(project):
    res = project.run("apply", "--auto-approve", env={"DEMO_SUBNET_ID": None})
    assert res.returncode == 1
    assert "DEMO_SUBNET_ID" in res.stderr and "ecs-service-def.json" in res.stderr
    assert "Traceback" not in res.stderr
    assert project.aws.mutations() == []


def test_blocked_change_is_shown_and_refused(project):
    project.deploy()
    sd = project.path / "ecs-service-def.json"
    sd.write_text(sd.read_text().replace('"launchType": "FARGATE"', '"launchType": "EC2"'))
    project.aws.server.clear_requests()
    plan = project.run("plan", "--detailed-exitcode")
    assert plan.returncode == 1
    assert "blocked" in plan.stdout and "launchType" in plan.stdout and "re-create" in plan.stdout
    res = project.run("apply", "--auto-approve")
    assert res.returncode == 1 and "cannot be made in place" in res.stderr
    assert project.aws.mutations() == []


def test_apply_asks_and_a_no_changes_nothing(project):
    res = project.run("apply", input="n\n")
    assert res.returncode == 1
    assert "[y/N]" in res.stdout and "cancelled" in res.stderr
    assert project.aws.mutations() == []
    closed = project.run("apply")  # stdin closed: no answer is a no
    assert closed.returncode == 1 and project.aws.mutations() == []


def test_apply_yes_at_the_prompt_applies(project):
    res = project.run("apply", input="yes\n")
    assert res.returncode == 0, res.stderr
    assert project.aws.service()["status"] == "ACTIVE"


def test_no_wait_then_wait_follows_the_deployment(project):
    project.deploy()
    res = project.run("apply", "--auto-approve", "--no-wait", env={"IMAGE_TAG": "1.27"})
    assert res.returncode == 0 and "ecsplan wait" in res.stdout
    (primary,) = [d for d in project.aws.service()["deployments"] if d["status"] == "PRIMARY"]
    waited = project.run("wait", env={"IMAGE_TAG": "1.27"})
    assert waited.returncode == 0, waited.stderr
    assert "completed" in waited.stdout and primary["id"] in waited.stdout


def test_timeout_exits_1_and_says_how_to_resume(project):
    project.deploy()
    res = project.run("apply", "--auto-approve", "--timeout", "0s", "-c", "ecspresso.yml", env={"IMAGE_TAG": "1.27"})
    assert res.returncode == 1
    assert "timed out" in res.stderr and "ecsplan wait -c ecspresso.yml" in res.stderr
    assert "register_task_definition" in res.stderr  # the report of what was done


def test_usage_errors_exit_1_not_2(project):
    res = project.run_process("plan", "--format", "yaml")  # argparse's exit, through the interpreter
    assert res.returncode == 1 and "invalid choice" in res.stderr
    res = project.run("apply", "--timeout", "soon")
    assert res.returncode == 1 and "duration" in res.stderr
    assert project.aws.mutations() == []


def test_version(project):
    res = project.run_process("--version")
    assert res.returncode == 0 and res.stdout.startswith("ecsplan ")


def test_the_configs_timeout_ends_the_wait_too(project):
    project.deploy()
    cfg = project.path / "ecspresso.yml"
    cfg.write_text(cfg.read_text().replace("timeout: 5m", "timeout: 1ms"))
    res = project.run("apply", "--auto-approve", env={"IMAGE_TAG": "1.27"})
    assert res.returncode == 1
    assert "timed out after" in res.stderr and "raise --timeout / `timeout:` in the config" in res.stderr


def test_a_declared_monitoring_block_round_trips_and_a_change_shows(project):
    """monitoring is accepted by CreateService / UpdateService and returned only on the service
    revision (DescribeServiceRevisions): the reader folds it in, so it is compared and sent."""
    path = project.path / "ecs-service-def.json"
    path.write_text(path.read_text().replace(
        '"enableExecuteCommand": false,',
        '"enableExecuteCommand": false,\n  "monitoring": {"metricConfigurations": '
        '[{"metricNames": ["CPUUtilization", "MemoryUtilization"], "resolutionSeconds": {{ env "RESOLUTION" "20" }}}]},'))
    project.deploy()
    clean = project.run("plan", "--detailed-exitcode")
    assert clean.returncode == 0, clean.stdout + clean.stderr
    coarser = {"RESOLUTION": "60"}
    doc = project.plan_document(env=coarser)
    assert action_types(doc) == ["update_service"]
    (change,) = doc["services"][0]["actions"][0]["changes"]
    assert change["path"] == "monitoring.metricConfigurations"
    assert (change["before"][0]["resolutionSeconds"], change["after"][0]["resolutionSeconds"]) == (20, 60)
    project.deploy(env=coarser)
    project.assert_plans_clean(env=coarser)


def test_a_fleet_applies_in_parallel_and_one_failing_service_does_not_stop_the_others(project, tmp_path):
    import shutil

    root = tmp_path / "services"
    for name in ("api", "job", "web"):
        shutil.copytree(project.path, root / name)
        for file, text in (("ecspresso.yml", ("service: web", f"service: {name}")), ("ecs-task-def.json", ('"family": "web"', f'"family": "{name}"'))):
            p = root / name / file
            p.write_text(p.read_text().replace(*text))
    project.deploy(config=[root])
    # job's new image is one the sandbox's tasks fail to start: its rollout fails and rolls back
    job = root / "job" / "ecs-task-def.json"
    job.write_text(job.read_text().replace("{{ env `IMAGE_TAG` `1.25` }}", "broken-1"))
    res = project.run("apply", "-c", str(root), "--auto-approve", "--parallelism", "3", env={"IMAGE_TAG": "1.27"})
    assert res.returncode == 1, res.stdout + res.stderr
    assert "Apply complete" not in res.stdout
    assert "[ecsplan-demo/api] update_service ..." in res.stdout and "[ecsplan-demo/job] waiting for" in res.stdout
    table = res.stderr[res.stderr.index("Result: "):].splitlines()
    assert table[0] == "Result: 2 done, 1 failed"
    rows = {line.split()[0]: line.split()[1] for line in table[1:]}
    assert rows == {"ecsplan-demo/api": "done", "ecsplan-demo/job": "failed", "ecsplan-demo/web": "done"}
    assert "ecsplan: error: ecsplan-demo/job:" in res.stderr and "rolled back" in res.stderr
    assert table[2].split(maxsplit=3)[3].startswith("deployment ecs-svc/")  # the reason, without the service again
    assert project.aws.service(name="api")["taskDefinition"].endswith("api:2")
    assert project.aws.service(name="job")["taskDefinition"].endswith("job:1")  # ECS rolled back
    assert project.aws.service(name="web")["taskDefinition"].endswith("web:2")
