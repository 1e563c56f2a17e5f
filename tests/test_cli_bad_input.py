"""Bad input is a feature: each kind shows the user a message naming the file and what is wrong,
exits 1 without a traceback, and changes nothing in AWS (no mutating request reaches it)."""

from __future__ import annotations


def assert_refused(project, res, *words):
    assert res.returncode == 1, res.stdout + res.stderr
    assert "Traceback" not in res.stderr
    for word in words:
        assert word in res.stderr, res.stderr
    assert project.aws.mutations() == []


def test_misspelt_container_key_is_caught_at_plan_time(project):
    td = project.path / "ecs-task-def.json"
    td.write_text(td.read_text().replace('"essential": true', '"esential": true'))
    for cmd in (["plan"], ["apply", "--auto-approve"]):
        res = project.run(*cmd)
        assert_refused(project, res, "ecs-task-def.json", '"esential"', "RegisterTaskDefinition", "nothing was changed")


def test_wrong_type_in_service_definition_is_caught_at_plan_time(project):
    sd = project.path / "ecs-service-def.json"
    sd.write_text(sd.read_text().replace('"propagateTags": "SERVICE"', '"propagateTags": true'))
    res = project.run("apply", "--auto-approve")
    assert_refused(project, res, "ecs-service-def.json", "propagateTags", "CreateService")


def test_invalid_json_names_file_and_line(project):
    sd = project.path / "ecs-service-def.json"
    sd.write_text(sd.read_text().replace('"launchType": "FARGATE",', '"launchType": "FARGATE"'))
    res = project.run("apply", "--auto-approve")
    assert_refused(project, res, "ecs-service-def.json", "line 3", "invalid JSON")


def test_unknown_template_function_names_it(project):
    td = project.path / "ecs-task-def.json"
    td.write_text(td.read_text().replace('{{ env `LOG_LEVEL` `info` }}', '{{ tfstate `x` }}'))
    res = project.run("plan")
    assert_refused(project, res, "ecs-task-def.json", "tfstate", "must_env")


def test_no_config_in_folder(project, tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    res = project.run("plan", "-c", str(empty))
    assert_refused(project, res, "no config files")
    (project.path / "ecspresso.yml").rename(project.path / "other.yml")
    res = project.run("plan")
    assert_refused(project, res, "no config file found", "-c")


def test_missing_cluster_is_a_clear_aws_error(project):
    cfg = project.path / "ecspresso.yml"
    cfg.write_text(cfg.read_text().replace("cluster: ecsplan-demo", "cluster: nope"))
    res = project.run("apply", "--auto-approve")
    assert_refused(project, res, "cluster nope", "ClusterNotFoundException")


def test_missing_config_file(project):
    res = project.run("plan", "-c", "missing.yml")
    assert_refused(project, res, "missing.yml")
