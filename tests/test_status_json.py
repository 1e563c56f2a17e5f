"""`ecsplan status`: the JSON document's builder (pure, from LiveState values built with
tests/factories.py) for the rolling, CODE_DEPLOY, ECS-native and auto scaling shapes, the text
form's auto scaling line, and docs/status-json.md naming every field the builder writes."""

from __future__ import annotations

import datetime as dt
import json
import re

import attrs
import pytest

from planner.errors import PlanError
from planner.model import CodeDeployDeployment, ScalableTarget, ServiceDeploymentInfo, TargetTaskSet
from planner.render import status, status_json
from tests.factories import CD_SERVICE, GROUP, TD_ARN, cd_live, live
from tests.helpers_cli import ROOT

TOKYO = dt.timezone(dt.timedelta(hours=9))
NEW_TD = "arn:aws:ecs:us-east-1:123456789012:task-definition/web:4"


def _service(state, **kwargs):
    (svc,) = status_json.document([state], tool_version="9.9.9", **kwargs)["services"]
    return svc


def rolling():
    lv = live()
    lv.service.description["deployments"][0].update(createdAt=dt.datetime(2026, 1, 2, 12, 0, 5, tzinfo=dt.timezone.utc), desiredCount=2,
                                                     runningCount=2, rolloutStateReason="ECS deployment ecs-svc/1 completed.")
    lv.service.description["events"] = [
        {"id": f"e{i}", "message": f"event {i}", "createdAt": dt.datetime(2026, 1, 2, 21, 0, i, tzinfo=TOKYO)} for i in range(3)
    ]
    return lv


def codedeploy():
    lv = cd_live()
    lv.service.description["taskSets"] = [
        {"id": "ecs-svc/blue", "status": "PRIMARY", "taskDefinition": TD_ARN, "computedDesiredCount": 2, "runningCount": 2,
         "pendingCount": 0, "scale": {"value": 100.0, "unit": "PERCENT"}, "stabilityStatus": "STEADY_STATE"},
        {"id": "ecs-svc/green", "status": "ACTIVE", "taskDefinition": NEW_TD, "computedDesiredCount": 2, "runningCount": 1,
         "pendingCount": 1, "scale": {"value": 100.0, "unit": "PERCENT"}, "stabilityStatus": "STABILIZING"},
    ]
    lv.service.description["deployments"] = []
    deployment = CodeDeployDeployment(
        id="d-ABC123", status="InProgress", created_at=dt.datetime(2026, 1, 2, 21, 0, 0, tzinfo=TOKYO),
        deployment_config="CodeDeployDefault.ECSLinear10PercentEvery1Minutes",
        task_sets=(TargetTaskSet(label="Blue", task_set_id="ecs-svc/blue", traffic_weight=70.0),
                   TargetTaskSet(label="Green", task_set_id="ecs-svc/green", traffic_weight=30.0)),
        lifecycle_events=(("BeforeInstall", "Succeeded"), ("AllowTraffic", "InProgress")),
    )
    return attrs.evolve(lv, active_deployment=deployment)


def native():
    lv = live()
    lv.service.description["deploymentConfiguration"]["strategy"] = "BLUE_GREEN"
    revision = "arn:aws:ecs:us-east-1:123456789012:service-revision/prod/web/2"
    raw = {
        "serviceDeploymentArn": "arn:aws:ecs:us-east-1:123456789012:service-deployment/prod/web/abc",
        "status": "IN_PROGRESS", "lifecycleStage": "POST_TEST_TRAFFIC_SHIFT",
        "createdAt": dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.timezone.utc),
        "deploymentConfiguration": {"strategy": "BLUE_GREEN", "bakeTimeInMinutes": 5},
        "targetServiceRevision": {"arn": revision, "requestedTaskCount": 2, "runningTaskCount": 2,
                                  "requestedProductionTrafficWeight": 0.0, "requestedTestTrafficWeight": 100.0},
        "sourceServiceRevisions": [{"arn": "arn:aws:ecs:us-east-1:123456789012:service-revision/prod/web/1", "requestedTaskCount": 2,
                                    "runningTaskCount": 2, "requestedProductionTrafficWeight": 100.0}],
        "lifecycleHookDetails": [{"hookId": "h-1", "targetType": "PAUSE", "status": "AWAITING_ACTION"}],
    }
    return attrs.evolve(lv, service_deployment=ServiceDeploymentInfo.from_api(raw, {revision: NEW_TD}))


def test_rolling_service_document() -> None:
    doc = status_json.document([rolling()], events=2, tool_version="9.9.9")
    assert doc["format_version"] == status_json.FORMAT_VERSION == 1 and doc["tool_version"] == "9.9.9"
    (svc,) = doc["services"]
    assert svc == {
        "cluster": "prod", "service": "web", "service_arn": "arn:aws:ecs:us-east-1:123456789012:service/prod/web", "status": "ACTIVE",
        "controller": "ECS", "strategy": "ROLLING", "task_definition": TD_ARN, "desired_count": 2, "running_count": 2, "pending_count": 0,
        "autoscaling": None, "lock": None,
        "deployments": [{"id": "ecs-svc/1", "status": "PRIMARY", "task_definition": TD_ARN, "desired_count": 2, "running_count": 2,
                         "pending_count": 0, "failed_tasks": 0, "rollout_state": "COMPLETED",
                         "rollout_state_reason": "ECS deployment ecs-svc/1 completed.", "created_at": "2026-01-02T12:00:05Z"}],
        "task_sets": [], "codedeploy": None, "service_deployment": None,
        # Newest first, at most --events; another zone's time in UTC.
        "events": [{"id": "e0", "created_at": "2026-01-02T12:00:00Z", "message": "event 0"},
                   {"id": "e1", "created_at": "2026-01-02T12:00:01Z", "message": "event 1"}],
    }
    assert json.loads(status_json.render([rolling()], events=2, tool_version="9.9.9")) == doc


def test_code_deploy_service_has_task_sets_with_scale_and_the_deployment_with_traffic() -> None:
    svc = _service(codedeploy())
    assert svc["controller"] == "CODE_DEPLOY" and svc["strategy"] is None and svc["deployments"] == []
    assert svc["task_sets"][1] == {"id": "ecs-svc/green", "status": "ACTIVE", "task_definition": NEW_TD, "desired_count": 2,
                                   "running_count": 1, "pending_count": 1, "scale_percent": 100.0, "stability_status": "STABILIZING"}
    assert svc["codedeploy"] == {
        "application": GROUP.application, "deployment_group": GROUP.group, "deployment_config": GROUP.deployment_config, "problem": None,
        "deployment": {
            "id": "d-ABC123", "status": "InProgress", "created_at": "2026-01-02T12:00:00Z",
            "deployment_config": "CodeDeployDefault.ECSLinear10PercentEvery1Minutes",
            "task_sets": [{"label": "Blue", "task_set_id": "ecs-svc/blue", "traffic_weight": 70.0},
                          {"label": "Green", "task_set_id": "ecs-svc/green", "traffic_weight": 30.0}],
            "lifecycle_events": [{"name": "BeforeInstall", "status": "Succeeded"}, {"name": "AllowTraffic", "status": "InProgress"}],
        },
    }
    assert svc["service_deployment"] is None


def test_code_deploy_service_without_a_deployment_or_a_group() -> None:
    assert _service(cd_live())["codedeploy"]["deployment"] is None
    unresolved = _service(cd_live(service=CD_SERVICE, group=None))["codedeploy"]
    assert unresolved["application"] is None and unresolved["deployment"] is None
    assert unresolved["problem"] == "ecspresso.yml: no CodeDeploy deployment group deploys service web"


def test_native_service_has_its_service_deployment() -> None:
    svc = _service(native())
    assert svc["strategy"] == "BLUE_GREEN" and svc["codedeploy"] is None
    sd = svc["service_deployment"]
    assert (sd["id"], sd["status"], sd["lifecycle_stage"], sd["strategy"], sd["bake_time_minutes"], sd["created_at"]) == (
        "abc", "IN_PROGRESS", "POST_TEST_TRAFFIC_SHIFT", "BLUE_GREEN", 5, "2026-01-02T03:04:05Z")
    assert sd["target"]["task_definition"] == NEW_TD and sd["target"]["production_traffic_weight"] == 0.0
    assert sd["target"]["test_traffic_weight"] == 100.0 and sd["sources"][0]["production_traffic_weight"] == 100.0
    assert sd["sources"][0]["task_definition"] is None  # its revision's task definition was not read
    assert sd["hooks"] == [{"hook_id": "h-1", "target_type": "PAUSE", "target_arn": None, "status": "AWAITING_ACTION"}]
    assert sd["status_reason"] is None and sd["rollback_reason"] is None


def test_a_rolling_service_never_shows_a_service_deployment() -> None:
    lv = native()
    lv.service.description["deploymentConfiguration"]["strategy"] = "ROLLING"
    assert _service(lv)["service_deployment"] is None


@pytest.mark.parametrize(
    ("target", "suspended", "state", "text"),
    [
        (ScalableTarget(min_capacity=1, max_capacity=4), False,
         {"dynamic_scaling_in": False, "dynamic_scaling_out": False, "scheduled_scaling": False}, "min 1, max 4, active"),
        (ScalableTarget(min_capacity=2, max_capacity=8, suspended_flags=("DynamicScalingInSuspended",)), False,
         {"dynamic_scaling_in": True, "dynamic_scaling_out": False, "scheduled_scaling": False},
         "min 2, max 8, partly suspended (DynamicScalingInSuspended)"),
        (ScalableTarget(min_capacity=1, max_capacity=4, suspended=True,
                        suspended_flags=("DynamicScalingInSuspended", "DynamicScalingOutSuspended", "ScheduledScalingSuspended")), True,
         {"dynamic_scaling_in": True, "dynamic_scaling_out": True, "scheduled_scaling": True}, "min 1, max 4, suspended"),
    ],
    ids=["active", "partly-suspended", "suspended"],
)
def test_autoscaling_in_json_and_text(target, suspended, state, text) -> None:
    lv = attrs.evolve(rolling(), scalable_target=target)
    assert _service(lv)["autoscaling"] == {
        "resource_id": "service/prod/web", "scalable_dimension": "ecs:service:DesiredCount",
        "min_capacity": target.min_capacity, "max_capacity": target.max_capacity, "suspended": suspended, "suspended_state": state,
    }
    assert f"  Auto scaling: {text}" in status.service_lines(lv)


def test_text_without_a_scalable_target_says_so_and_shows_task_set_scale_and_traffic() -> None:
    assert "  Auto scaling: none (no scalable target)" in status.service_lines(rolling())
    lines = status.service_lines(codedeploy())
    assert "  TaskSet ACTIVE: web:4 desired 2, running 1, pending 1, scale 100%" in lines
    assert "    traffic: replacement 30%, original 70%" in lines


def test_events_limit_and_missing_service() -> None:
    assert _service(rolling(), events=0)["events"] == []
    assert len(_service(rolling())["events"]) == 3
    with pytest.raises(PlanError, match="prod/web: the service does not exist"):
        status_json.document([live(exists=False)], tool_version="9.9.9")


def test_iso_utc() -> None:
    assert status_json.iso_utc(None) is None
    assert status_json.iso_utc(dt.datetime(2026, 1, 2, 3, 4, 5, 678000)) == "2026-01-02T03:04:05Z"  # naive: taken as UTC
    assert status_json.iso_utc(dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=TOKYO)) == "2026-01-01T18:04:05Z"


def _keys(value, prefix=""):
    """Every field path of a document: `services[].codedeploy.deployment.task_sets[].label`."""
    if isinstance(value, dict):
        for k, v in value.items():
            yield f"{prefix}{k}"
            yield from _keys(v, f"{prefix}{k}.")
    elif isinstance(value, list):
        for item in value:
            yield from _keys(item, prefix.rstrip(".") + "[].")


def test_docs_name_every_field() -> None:
    """docs/status-json.md documents each field the builder writes (its last name, in backticks,
    in the table of the object that holds it)."""
    text = (ROOT / "docs" / "status-json.md").read_text()
    documented = {name.rsplit(".", 1)[-1] for name in re.findall(r"`([a-z_.]+)`", text)}
    states = [rolling(), codedeploy(), native(), attrs.evolve(rolling(), scalable_target=ScalableTarget(min_capacity=1, max_capacity=2))]
    fields = {path.rsplit(".", 1)[-1] for path in _keys(status_json.document(states, tool_version="1"))}
    assert fields - documented == set()


def test_the_apply_lock_in_json_and_text() -> None:
    from planner.render.status import render as render_text

    holder = "alice@ci-7 pid 4242 plan abcabcabcabc since 2026-11-28T23:40:00Z"
    lv = rolling()
    lv.service.description["tags"] = [{"key": "team", "value": "web"}, {"key": "ecsplan:lock", "value": holder}]
    (svc,) = status_json.document([lv], tool_version="1")["services"]
    assert svc["lock"] == holder
    text = render_text([lv])
    assert f"  Apply lock: held by {holder} (an apply is running; if it died: `ecsplan apply --force-unlock`)" in text.splitlines()
    assert "Apply lock" not in render_text([rolling()])
