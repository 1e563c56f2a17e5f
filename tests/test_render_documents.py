"""`ecsplan render`: the config document (the config as ecsplan understood it, after templates and
defaults) and masking in every view, by the plan's rules (planner/render/mask.py), unless
`--unmask`. Pure: configs read from tmp_path without AWS."""

from __future__ import annotations

import copy
import json

import attrs
import pytest

from planner.desired import RENDER_DOCUMENTS, config_document, load_desired, render_document
from planner.errors import ConfigError, UsageError
from planner.render.mask import SENSITIVE
from tests.factories import SERVICE, TASK, desired

CONFIG = """\
region: ap-northeast-1
cluster: {{ must_env `CLUSTER` }}
service: web
service_definition: defs/service.json
task_definition: defs/task.json
timeout: 1h30m
filter_command: peco
required_version: ">= 2.0"
sensitive: [MY_SPECIAL]
plugins:
  - name: tfstate
    config: {url: s3://bucket/terraform.tfstate}
    func_prefix: net_
codedeploy:
  application_name: AppECS-prod-web
  deployment_group_name: DgpECS-prod-web
appspec:
  Hooks:
    - BeforeInstall: Check
ignore:
  tags: [CostCenter]
"""


def _write(tmp_path, config: str) -> None:
    (tmp_path / "defs").mkdir()
    (tmp_path / "ecspresso.yml").write_text(config)
    (tmp_path / "defs" / "task.json").write_text(json.dumps(TASK))
    (tmp_path / "defs" / "service.json").write_text(json.dumps(dict(SERVICE, deploymentController={"type": "CODE_DEPLOY"})))


def test_config_document_is_the_config_as_understood(tmp_path) -> None:
    _write(tmp_path, CONFIG)
    (d,) = load_desired([], cwd=str(tmp_path), environ={"CLUSTER": "prod"})
    folder = str(tmp_path)
    assert config_document(d) == {
        "config": f"{folder}/ecspresso.yml",
        "region": "ap-northeast-1",
        "cluster": "prod",  # rendered
        "service": "web",
        "service_definition": f"{folder}/defs/service.json",
        "task_definition": f"{folder}/defs/task.json",
        "timeout": "1h30m",
        "plugins": [{"name": "tfstate", "config": {"url": "s3://bucket/terraform.tfstate"}, "func_prefix": "net_"}],
        "codedeploy": {"application_name": "AppECS-prod-web", "deployment_group_name": "DgpECS-prod-web"},
        "appspec": {"Hooks": [{"BeforeInstall": "Check"}]},
        "ignore": {"tags": ["CostCenter"]},
        "sensitive": ["MY_SPECIAL"],
        "ignored_keys": ["filter_command", "required_version"],
    }
    # --region wins over the config's, as for every command.
    assert config_document(d, region="eu-west-1")["region"] == "eu-west-1"
    assert render_document(d, "config") == config_document(d)


def test_config_document_defaults(tmp_path) -> None:
    """No cluster: ecspresso's `default`; no timeout, region, plugins, codedeploy: null or empty;
    a task-definition-only config has no service."""
    (tmp_path / "ecspresso.yml").write_text("task_definition: task.json\ntimeout: 90\n")
    (tmp_path / "task.json").write_text(json.dumps(TASK))
    (d,) = load_desired([], cwd=str(tmp_path), environ={})
    doc = config_document(d)
    assert (doc["cluster"], doc["service"], doc["service_definition"], doc["region"]) == ("default", None, None, None)
    assert (doc["timeout"], doc["plugins"], doc["codedeploy"], doc["appspec"], doc["ignore"]) == ("1m30s", [], None, None, None)
    (tmp_path / "ecspresso.yml").write_text("task_definition: task.json\n")
    (d,) = load_desired([], cwd=str(tmp_path), environ={})
    assert config_document(d)["timeout"] is None  # apply's default rules (see --timeout)


def _secret_task():
    task = copy.deepcopy(TASK)
    task["containerDefinitions"][0]["environment"] = [
        {"name": "LOG_LEVEL", "value": "info"},
        {"name": "DB_PASSWORD", "value": "hunter2"},  # a sensitive name
        {"name": "MY_SPECIAL_THING", "value": "config-pattern"},  # the config's sensitive: pattern
        {"name": "DATABASE_URL", "value": "postgres://app:s3cr3t-from-ssm@db/app"},  # holds a looked-up secret
    ]
    task["containerDefinitions"][0]["command"] = ["run", "--password=s3cr3t-from-ssm"]
    return task


def _secret_desired():
    service = dict(SERVICE, tags=[{"key": "token-owner", "value": "s3cr3t-from-ssm"}])
    return attrs.evolve(desired(task=_secret_task(), service=service), sensitive=("MY_SPECIAL",), secret_values=("s3cr3t-from-ssm",))


def test_taskdef_is_masked_by_name_and_by_value() -> None:
    doc = render_document(_secret_desired(), "taskdef")
    env = {e["name"]: e["value"] for e in doc["containerDefinitions"][0]["environment"]}
    assert env == {"LOG_LEVEL": "info", "DB_PASSWORD": SENSITIVE, "MY_SPECIAL_THING": SENSITIVE, "DATABASE_URL": SENSITIVE}
    assert doc["containerDefinitions"][0]["command"] == ["run", SENSITIVE]
    assert "s3cr3t" not in json.dumps(doc) and "hunter2" not in json.dumps(doc)


def test_unmask_shows_every_value() -> None:
    d = _secret_desired()
    doc = render_document(d, "taskdef", unmask=True)
    env = {e["name"]: e["value"] for e in doc["containerDefinitions"][0]["environment"]}
    assert env["DB_PASSWORD"] == "hunter2" and env["DATABASE_URL"] == "postgres://app:s3cr3t-from-ssm@db/app"
    assert render_document(d, "servicedef", unmask=True)["tags"] == [{"key": "token-owner", "value": "s3cr3t-from-ssm"}]


@pytest.mark.parametrize("what", RENDER_DOCUMENTS)
def test_every_view_masks_looked_up_secrets(what) -> None:
    d = _secret_desired()
    if what == "appspec":  # a hook named by a secret value: masked like any string that holds one
        d = attrs.evolve(d, appspec={"Hooks": [{"BeforeInstall": "s3cr3t-from-ssm"}]},
                         service_definition=dict(d.service_definition, deploymentController={"type": "CODE_DEPLOY"},
                                                 loadBalancers=[{"targetGroupArn": "tg", "containerName": "app", "containerPort": 80}]))
    if what == "config":
        d = attrs.evolve(d, plugins=({"name": "tfstate", "config": {"url": "s3://s3cr3t-from-ssm/state"}, "func_prefix": ""},))
    assert "s3cr3t-from-ssm" in json.dumps(render_document(d, what, unmask=True))
    assert "s3cr3t-from-ssm" not in json.dumps(render_document(d, what))


def test_unknown_view_and_service_views_of_a_task_only_config(tmp_path) -> None:
    with pytest.raises(UsageError, match="choose config, taskdef, servicedef, appspec"):
        render_document(desired(), "cluster")
    (tmp_path / "ecspresso.yml").write_text("task_definition: task.json\n")
    (tmp_path / "task.json").write_text(json.dumps(TASK))
    (d,) = load_desired([], cwd=str(tmp_path), environ={})
    with pytest.raises(ConfigError, match="render servicedef"):
        render_document(d, "servicedef")
    assert render_document(d, "config")["service"] is None
