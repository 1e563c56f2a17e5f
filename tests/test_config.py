"""planner.config: ecspresso-compatible config files, definition files, durations, -c lookup."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from planner.config import CodeDeployConfig, Plugin, find_configs, load_config, parse_duration
from planner.errors import ConfigError, TemplateError

TASK_DEF = {"family": "nginx", "containerDefinitions": [{"name": "app", "image": "nginx:latest"}]}
SERVICE_DEF = {"desiredCount": 2, "launchType": "FARGATE"}


def write(path: Path, content: str | dict[str, Any] | list[Any]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(content if isinstance(content, str) else json.dumps(content, indent=2), encoding="utf-8")
    return path


def project(
    tmp_path: Path,
    config: str = "cluster: demo\nservice: nginx\nservice_definition: svc.json\ntask_definition: td.json\n",
    task_def: str | dict[str, Any] | list[Any] = TASK_DEF,
    service_def: str | dict[str, Any] | list[Any] = SERVICE_DEF,
    config_name: str = "ecspresso.yml",
) -> Path:
    write(tmp_path / "td.json", task_def)
    write(tmp_path / "svc.json", service_def)
    return write(tmp_path / config_name, config)


def config_error(path: Path, environ: dict[str, str] | None = None) -> ConfigError:
    with pytest.raises(ConfigError) as info:
        load_config(path, environ=environ or {})
    return info.value


# --- loading ----------------------------------------------------------------------------------


def test_full_config(tmp_path: Path) -> None:
    config = """\
region: ap-northeast-1
cluster: ecspresso-demo
service: nginx-service
service_definition: defs/ecs-service-def.json
task_definition: defs/ecs-task-def.json
timeout: 10m
required_version: ">= 2.0"
plugins:
  - name: tfstate
    config: {url: s3://bucket/terraform.tfstate}
codedeploy:
  application_name: AppECS-ecspresso-demo-nginx-service
  deployment_group_name: DgpECS-ecspresso-demo-nginx-service
appspec:
  version: 0.0
  Hooks:
    - BeforeInstall: "LambdaFunctionToValidateBeforeInstall"
sensitive: ["*_TOKEN", "DB_URL"]
"""
    write(tmp_path / "defs/ecs-task-def.json", TASK_DEF)
    write(tmp_path / "defs/ecs-service-def.json", SERVICE_DEF)
    path = write(tmp_path / "ecspresso.yml", config)

    loaded = load_config(str(path), environ={})

    assert loaded.path == str(path)
    assert loaded.region == "ap-northeast-1"
    assert loaded.cluster == "ecspresso-demo"
    assert loaded.service == "nginx-service"
    assert loaded.task_definition_path == str(tmp_path / "defs/ecs-task-def.json")
    assert loaded.service_definition_path == str(tmp_path / "defs/ecs-service-def.json")
    assert loaded.task_definition == TASK_DEF
    assert loaded.service_definition == SERVICE_DEF
    assert loaded.timeout_seconds == 600.0
    assert loaded.codedeploy == CodeDeployConfig(
        application_name="AppECS-ecspresso-demo-nginx-service",
        deployment_group_name="DgpECS-ecspresso-demo-nginx-service",
    )
    assert loaded.appspec == {"Hooks": [{"BeforeInstall": "LambdaFunctionToValidateBeforeInstall"}]}
    assert loaded.sensitive == ("*_TOKEN", "DB_URL")
    assert loaded.ignored_keys == ("required_version", "appspec.version")
    assert loaded.plugins == (Plugin(name="tfstate", config={"url": "s3://bucket/terraform.tfstate"}),)


def test_minimal_task_only_config_gets_ecspresso_defaults(tmp_path: Path) -> None:
    path = project(tmp_path, config="task_definition: td.json\n")
    loaded = load_config(path, environ={})
    assert loaded.cluster == "default"
    assert (loaded.region, loaded.service, loaded.service_definition, loaded.service_definition_path) == (
        None,
        None,
        None,
        None,
    )
    assert (loaded.timeout_seconds, loaded.codedeploy, loaded.appspec) == (None, None, None)
    assert (loaded.sensitive, loaded.ignored_keys) == ((), ())


def test_json_config(tmp_path: Path) -> None:
    config = json.dumps({"cluster": "c", "service": "s", "service_definition": "svc.json", "task_definition": "td.json"})
    loaded = load_config(project(tmp_path, config=config, config_name="ecsplan.json"), environ={})
    assert (loaded.cluster, loaded.service, loaded.task_definition) == ("c", "s", TASK_DEF)


def test_config_and_definitions_are_rendered(tmp_path: Path) -> None:
    config = 'cluster: {{ must_env "CLUSTER" }}\nregion: {{ env "AWS_REGION" "" }}\ntask_definition: td.json\n'
    task_def = '{"family": "app", "containerDefinitions": [{"name": "app", "image": "nginx:{{ must_env `TAG` }}"}]}'
    loaded = load_config(project(tmp_path, config=config, task_def=task_def), environ={"CLUSTER": "prod", "TAG": "1.25"})
    assert loaded.cluster == "prod"
    assert loaded.region is None  # an empty value means "not set", as in ecspresso
    assert loaded.task_definition["containerDefinitions"][0]["image"] == "nginx:1.25"


def test_empty_strings_mean_not_set(tmp_path: Path) -> None:
    # `cluster: "{{ env "CLUSTER" "" }}"` renders to "" when CLUSTER is unset: ecspresso then uses its defaults.
    config = 'region: ""\ncluster: "{{ env `CLUSTER` `` }}"\nservice: ""\ntask_definition: td.json\n'
    loaded = load_config(project(tmp_path, config=config), environ={})
    assert (loaded.region, loaded.cluster, loaded.service) == (None, "default", None)


def test_yaml_definitions(tmp_path: Path) -> None:
    write(tmp_path / "td.yml", "family: app\ncontainerDefinitions:\n  - name: app\n    image: nginx\n")
    write(tmp_path / "svc.yaml", "desiredCount: 1\n")
    path = write(tmp_path / "ecsplan.yml", "service: s\nservice_definition: svc.yaml\ntask_definition: td.yml\n")
    loaded = load_config(path, environ={})
    assert loaded.task_definition == {"family": "app", "containerDefinitions": [{"name": "app", "image": "nginx"}]}
    assert loaded.service_definition == {"desiredCount": 1}


def test_wrapped_task_definition_is_unwrapped_with_its_tags(tmp_path: Path) -> None:
    tags = [{"key": "team", "value": "web"}]
    path = project(tmp_path, task_def={"taskDefinition": TASK_DEF, "tags": tags})
    assert load_config(path, environ={}).task_definition == {**TASK_DEF, "tags": tags}


@pytest.mark.parametrize(
    ("service_def", "expected"),
    [
        pytest.param({"service": SERVICE_DEF}, SERVICE_DEF, id="wrapped"),
        pytest.param(SERVICE_DEF, SERVICE_DEF, id="bare"),
    ],
)
def test_service_definition_unwrapped_only_when_service_is_the_only_key(
    tmp_path: Path, service_def: dict[str, Any], expected: dict[str, Any]
) -> None:
    assert load_config(project(tmp_path, service_def=service_def), environ={}).service_definition == expected


def test_service_definition_beside_a_wrapped_one_is_an_unknown_key(tmp_path: Path) -> None:
    err = config_error(project(tmp_path, service_def={"service": SERVICE_DEF, "x": 1}))
    assert str(err).endswith("svc.json: x: unknown key: not a CreateService/UpdateService field")


def test_empty_codedeploy_means_discover(tmp_path: Path) -> None:
    path = project(tmp_path, config="task_definition: td.json\ncodedeploy: {}\n")
    assert load_config(path, environ={}).codedeploy is None


def test_timeout_as_plain_seconds(tmp_path: Path) -> None:
    path = project(tmp_path, config="task_definition: td.json\ntimeout: 300\n")
    assert load_config(path, environ={}).timeout_seconds == 300.0


# --- errors: files ----------------------------------------------------------------------------


def test_missing_config_file(tmp_path: Path) -> None:
    err = config_error(tmp_path / "nope.yml")
    assert str(err) == f"{tmp_path / 'nope.yml'}: config file not found; pass the right path with -c"


def test_jsonnet_config_and_definition(tmp_path: Path) -> None:
    write(tmp_path / "td.jsonnet", "local f = import 'f.libsonnet';\n{family: f, containerDefinitions: [{name: 'app', image: '{{ must_env `TAG` }}'}]}")
    write(tmp_path / "f.libsonnet", "'app'")
    path = write(tmp_path / "ecspresso.jsonnet", "{task_definition: 'td.jsonnet'}")
    loaded = load_config(path, environ={"TAG": "1"})
    assert loaded.task_definition == {"family": "app", "containerDefinitions": [{"name": "app", "image": "1"}]}


def test_missing_task_definition_file_names_the_key(tmp_path: Path) -> None:
    path = project(tmp_path, config="task_definition: defs/missing.json\n")
    assert str(config_error(path)) == (
        f"{path}: task_definition: points to defs/missing.json, which does not exist "
        f"(looked for {tmp_path / 'defs/missing.json'}; paths are relative to the config file's folder)"
    )


def test_missing_service_definition_file_names_the_key(tmp_path: Path) -> None:
    path = project(tmp_path, config="service: s\nservice_definition: gone.json\ntask_definition: td.json\n")
    err = config_error(path)
    assert (err.file, err.where) == (str(path), "service_definition")
    assert "points to gone.json, which does not exist" in str(err)


def test_definition_path_that_is_a_folder(tmp_path: Path) -> None:
    (tmp_path / "defs").mkdir()
    path = project(tmp_path, config="task_definition: defs\n")
    assert str(config_error(path)) == f"{path}: task_definition: points to defs, which is a folder, not a file"


def test_config_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "ecspresso.yml"
    path.write_bytes(b"cluster: \xff\xfe\n")
    assert str(config_error(path)) == f"{path}: is not UTF-8 text (byte 9)"


def test_yaml_syntax_error_has_line_and_column(tmp_path: Path) -> None:
    path = project(tmp_path, config="cluster: demo\nservice: [nginx\ntask_definition: td.json\n")
    err = config_error(path)
    assert str(err).startswith(f"{path}: line 3:16: invalid YAML: ")
    assert err.where == "line 3:16"


def test_json_syntax_error_in_task_definition_has_line_and_column(tmp_path: Path) -> None:
    path = project(tmp_path, config="task_definition: td.json\n", task_def='{\n  "family": "app",\n  oops\n}')
    assert str(config_error(path)) == (
        f"{tmp_path / 'td.json'}: line 3:3: invalid JSON: Expecting property name enclosed in double quotes"
    )


def test_template_error_in_definition_names_the_definition_file(tmp_path: Path) -> None:
    task_def = '{"family": "app",\n "containerDefinitions": [{"name": "app", "image": "{{ must_env `TAG` }}"}]}'
    path = project(tmp_path, config="task_definition: td.json\n", task_def=task_def)
    with pytest.raises(TemplateError) as info:
        load_config(path, environ={})
    assert str(info.value).startswith(f"{tmp_path / 'td.json'}: line 2:53: environment variable TAG is not set")


@pytest.mark.parametrize(
    ("content", "kind"),
    [
        pytest.param("- cluster: demo\n", "a list", id="list"),
        pytest.param("", "nothing (empty)", id="empty"),
        pytest.param("just text\n", "a string", id="scalar"),
    ],
)
def test_config_top_level_must_be_a_mapping(tmp_path: Path, content: str, kind: str) -> None:
    path = project(tmp_path, config=content)
    assert str(config_error(path)) == (
        f"{path}: the top level must be a mapping of keys (region:, cluster:, service:, ...), got {kind}"
    )


# --- errors: config keys ----------------------------------------------------------------------


def test_missing_task_definition_key(tmp_path: Path) -> None:
    path = project(tmp_path, config="cluster: demo\n")
    assert str(config_error(path)) == (
        f"{path}: task_definition: task_definition is required: the path of the task definition file "
        "(JSON or YAML), relative to this file"
    )


def test_service_definition_without_service(tmp_path: Path) -> None:
    path = project(tmp_path, config="service_definition: svc.json\ntask_definition: td.json\n")
    assert str(config_error(path)) == (
        f"{path}: service: service is required when service_definition is given: add `service: <name>`"
    )


def test_cluster_must_be_a_string(tmp_path: Path) -> None:
    path = project(tmp_path, config="cluster: [a, b]\ntask_definition: td.json\n")
    assert str(config_error(path)) == (
        f"{path}: cluster: must be a string, got a list ['a', 'b']; quote it if it is meant as text"
    )


def test_bad_timeout(tmp_path: Path) -> None:
    path = project(tmp_path, config="task_definition: td.json\ntimeout: 10 minutes\n")
    assert str(config_error(path)) == (
        f"{path}: timeout: '10 minutes' is not a duration (cannot read '10 minutes'); "
        "use seconds (300) or units like 90s, 10m, 1h30m"
    )


def test_zero_timeout(tmp_path: Path) -> None:
    path = project(tmp_path, config="task_definition: td.json\ntimeout: 0s\n")
    assert str(config_error(path)) == f"{path}: timeout: must be longer than zero, like 10m"


def test_codedeploy_must_be_a_mapping(tmp_path: Path) -> None:
    path = project(tmp_path, config="task_definition: td.json\ncodedeploy: AppECS-x\n")
    assert str(config_error(path)) == (
        f"{path}: codedeploy: must be a mapping with application_name and deployment_group_name, got a string"
    )


def test_codedeploy_unknown_key(tmp_path: Path) -> None:
    path = project(tmp_path, config="task_definition: td.json\ncodedeploy:\n  application: App\n")
    assert str(config_error(path)) == (
        f"{path}: codedeploy.application: unknown key; codedeploy takes application_name and deployment_group_name and deployment_config_name"
    )


def test_codedeploy_name_must_be_a_string(tmp_path: Path) -> None:
    path = project(tmp_path, config="task_definition: td.json\ncodedeploy:\n  application_name: 42\n")
    err = config_error(path)
    assert err.where == "codedeploy.application_name"
    assert str(err) == (
        f"{path}: codedeploy.application_name: must be a string, got a number 42; quote it if it is meant as text"
    )


def test_appspec_unknown_hook_event(tmp_path: Path) -> None:
    config = "task_definition: td.json\nappspec:\n  Hooks:\n    - BeforeInstall: A\n    - BeforeTraffic: B\n"
    path = project(tmp_path, config=config)
    assert str(config_error(path)) == (
        f"{path}: appspec.Hooks[1]: unknown lifecycle event 'BeforeTraffic'; ECS deployments accept "
        "BeforeInstall, AfterInstall, AfterAllowTestTraffic, BeforeAllowTraffic, AfterAllowTraffic"
    )


def test_appspec_hooks_must_be_a_list(tmp_path: Path) -> None:
    path = project(tmp_path, config="task_definition: td.json\nappspec:\n  Hooks:\n    BeforeInstall: A\n")
    assert str(config_error(path)) == (
        f"{path}: appspec.Hooks: must be a list like [{{BeforeInstall: FunctionName}}], got a mapping"
    )


def test_appspec_hook_function_must_be_a_string(tmp_path: Path) -> None:
    path = project(tmp_path, config="task_definition: td.json\nappspec:\n  Hooks:\n    - AfterInstall:\n")
    assert str(config_error(path)) == (
        f"{path}: appspec.Hooks[0].AfterInstall: must be a Lambda function name (a string), got nothing (empty)"
    )


def test_appspec_lowercase_hooks_is_not_silently_dropped(tmp_path: Path) -> None:
    path = project(tmp_path, config="task_definition: td.json\nappspec:\n  hooks:\n    - BeforeInstall: A\n")
    assert str(config_error(path)) == f"{path}: appspec.hooks: the key is spelled Hooks (capital H)"


def test_sensitive_must_be_a_list(tmp_path: Path) -> None:
    path = project(tmp_path, config="task_definition: td.json\nsensitive: TOKEN\n")
    assert str(config_error(path)) == (
        f'{path}: sensitive: must be a list of name patterns (e.g. ["*_TOKEN"]), got a string'
    )


def test_sensitive_entries_must_be_strings(tmp_path: Path) -> None:
    path = project(tmp_path, config="task_definition: td.json\nsensitive: [TOKEN, 3]\n")
    assert str(config_error(path)) == f"{path}: sensitive[1]: must be a non-empty string, got a number 3"


# --- errors: task and service definitions -----------------------------------------------------


@pytest.mark.parametrize(
    ("task_def", "where", "message"),
    [
        pytest.param(
            {"containerDefinitions": TASK_DEF["containerDefinitions"]},
            "family",
            "is required: the task definition family (a non-empty string)",
            id="no-family",
        ),
        pytest.param(
            {**TASK_DEF, "family": 7}, "family", "must be a non-empty string, got a number 7", id="family-number"
        ),
        pytest.param(
            {"family": "app"},
            "containerDefinitions",
            "is required: a list of container definitions",
            id="no-containers",
        ),
        pytest.param(
            {"family": "app", "containerDefinitions": {"name": "app"}},
            "containerDefinitions",
            "must be a non-empty list of container definitions, got a mapping",
            id="containers-not-list",
        ),
        pytest.param(
            {"family": "app", "containerDefinitions": []},
            "containerDefinitions",
            "must be a non-empty list of container definitions, got a list",
            id="containers-empty",
        ),
        pytest.param(
            {"family": "app", "containerDefinitions": ["app"]},
            "containerDefinitions[0]",
            "must be a mapping, got a string",
            id="container-not-mapping",
        ),
        pytest.param(
            {"family": "app", "containerDefinitions": [{"name": "a"}, {"image": "x"}]},
            "containerDefinitions[1].name",
            "every container needs a name (a non-empty string)",
            id="container-without-name",
        ),
        pytest.param(
            {"family": "app", "containerDefinitions": [{"name": "a"}, {"name": "a"}]},
            "containerDefinitions[1].name",
            "container name 'a' is used twice",
            id="duplicate-container-name",
        ),
        pytest.param(
            {"taskDefinition": {"family": "app"}},
            "taskDefinition.containerDefinitions",
            "is required: a list of container definitions",
            id="wrapped-no-containers",
        ),
        pytest.param(
            {"taskDefinition": ["x"]}, "taskDefinition", "must be a mapping (the task definition), got a list", id="wrapped-list"
        ),
        pytest.param(
            {"taskDefinition": {**TASK_DEF, "tags": []}, "tags": []},
            "tags",
            "tags are given both beside and inside taskDefinition; keep one",
            id="tags-twice",
        ),
    ],
)
def test_bad_task_definition(tmp_path: Path, task_def: dict[str, Any], where: str, message: str) -> None:
    path = project(tmp_path, config="task_definition: td.json\n", task_def=task_def)
    err = config_error(path)
    assert (err.file, err.where) == (str(tmp_path / "td.json"), where)
    assert str(err) == f"{tmp_path / 'td.json'}: {where}: {message}"


def test_wrapped_task_definition_with_other_keys(tmp_path: Path) -> None:
    path = project(tmp_path, config="task_definition: td.json\n", task_def={"taskDefinition": TASK_DEF, "x": 1})
    assert str(config_error(path)) == (
        f"{tmp_path / 'td.json'}: a wrapped task definition may only have tags beside taskDefinition; found x"
    )


def test_task_definition_must_be_a_mapping(tmp_path: Path) -> None:
    path = project(tmp_path, config="task_definition: td.json\n", task_def=[TASK_DEF])
    assert str(config_error(path)) == (
        f"{tmp_path / 'td.json'}: a task definition must be a mapping (a JSON object) at the top level, got a list"
    )


def test_service_definition_must_be_a_mapping(tmp_path: Path) -> None:
    path = project(tmp_path, service_def=[SERVICE_DEF])
    assert str(config_error(path)) == (
        f"{tmp_path / 'svc.json'}: a service definition must be a mapping (a JSON object) at the top level, got a list"
    )


# --- durations --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("10m", 600.0),
        ("90s", 90.0),
        ("1h30m", 5400.0),
        ("1m30s", 90.0),
        ("1.5h", 5400.0),
        ("500ms", 0.5),
        ("2h0m0s", 7200.0),
        ("300", 300.0),
        (" 300 ", 300.0),
        ("2.5", 2.5),
        (300, 300.0),
        (1.5, 1.5),
        ("0s", 0.0),
    ],
)
def test_parse_duration(value: str | int | float, seconds: float) -> None:
    assert parse_duration(value) == pytest.approx(seconds)


@pytest.mark.parametrize(
    ("value", "why"),
    [
        ("", "it is empty"),
        ("10 minutes", "cannot read '10 minutes'"),
        ("1h 30m", "cannot read ' 30m'"),
        ("10d", "cannot read '10d'"),
        ("m", "cannot read 'm'"),
        ("-5m", "cannot read '-5m'"),
        ("5mm", "cannot read 'm'"),
        (-1, "it must be zero or more"),
        (float("inf"), "it must be zero or more"),
        (True, "got a boolean"),
        (None, "got nothing (empty)"),
        ([10], "got a list"),
    ],
)
def test_parse_duration_rejects(value: Any, why: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse_duration(value, file="ecspresso.yml", where="timeout")
    assert str(info.value) == (
        f"ecspresso.yml: timeout: {value!r} is not a duration ({why}); use seconds (300) or units like 90s, 10m, 1h30m"
    )


# --- finding configs --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("present", "chosen"),
    [
        (["ecsplan.yml", "ecspresso.yml"], "ecsplan.yml"),
        (["ecsplan.json", "ecsplan.yaml"], "ecsplan.yaml"),
        (["ecspresso.yml", "ecspresso.json"], "ecspresso.yml"),
        (["ecspresso.json"], "ecspresso.json"),
        (["ecspresso.jsonnet"], "ecspresso.jsonnet"),
    ],
)
def test_default_config(tmp_path: Path, present: list[str], chosen: str) -> None:
    for name in present:
        write(tmp_path / name, "")
    assert find_configs([], cwd=tmp_path) == [str(tmp_path / chosen)]


def test_default_config_relative_to_current_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path / "ecspresso.yml", "")
    monkeypatch.chdir(tmp_path)
    assert find_configs([]) == ["ecspresso.yml"]


def test_no_default_config(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        find_configs([], cwd=tmp_path)
    assert str(info.value) == (
        f"no config file found in {tmp_path} (looked for ecsplan.yml, ecsplan.yaml, ecsplan.json, "
        "ecspresso.yml, ecspresso.yaml, ecspresso.json, ecspresso.jsonnet); pass one with -c FILE or -c FOLDER"
    )


def test_folder_is_searched_recursively_sorted_skipping_hidden_and_dependencies(tmp_path: Path) -> None:
    for name in [
        "services/web/ecspresso.yml",
        "services/api/ecsplan.yaml",
        "services/api/v2/ecspresso.jsonnet",
        "services/ecsplan.json",
        "services/api/notes.yml",
        "services/.hidden/ecspresso.yml",
        "services/.venv/ecspresso.yml",
        "services/web/node_modules/pkg/ecspresso.yml",
    ]:
        write(tmp_path / name, "")
    assert find_configs(["services"], cwd=tmp_path) == [
        str(tmp_path / "services/api/ecsplan.yaml"),
        str(tmp_path / "services/api/v2/ecspresso.jsonnet"),
        str(tmp_path / "services/ecsplan.json"),
        str(tmp_path / "services/web/ecspresso.yml"),
    ]


def test_files_and_folders_mixed_without_duplicates(tmp_path: Path) -> None:
    write(tmp_path / "a/ecspresso.yml", "")
    write(tmp_path / "b/ecsplan.yml", "")
    write(tmp_path / "custom-name.yml", "")
    args = ["b/ecsplan.yml", "custom-name.yml", str(tmp_path), "./b/../b/ecsplan.yml"]
    assert find_configs(args, cwd=tmp_path) == [
        str(tmp_path / "b/ecsplan.yml"),
        str(tmp_path / "custom-name.yml"),
        str(tmp_path / "a/ecspresso.yml"),
    ]


def test_folder_without_configs(tmp_path: Path) -> None:
    write(tmp_path / "empty/readme.md", "")
    with pytest.raises(ConfigError) as info:
        find_configs(["empty"], cwd=tmp_path)
    assert str(info.value) == (
        "-c empty: no config files below this folder (looked for ecsplan.yml, ecsplan.yaml, ecsplan.json, "
        "ecspresso.yml, ecspresso.yaml, ecspresso.json, ecspresso.jsonnet)"
    )


def test_nonexistent_path(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        find_configs(["missing.yml"], cwd=tmp_path)
    assert str(info.value) == "-c missing.yml: no such file or folder"


def test_found_configs_load(tmp_path: Path) -> None:
    project(tmp_path / "svc", config="task_definition: td.json\n", config_name="ecsplan.yml")
    [found] = find_configs([str(tmp_path)], cwd=os.getcwd())
    assert load_config(found, environ={}).task_definition == TASK_DEF
