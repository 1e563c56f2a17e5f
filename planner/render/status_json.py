"""`ecsplan status --format json`: the status document (docs/status-json.md). Pure: LiveState in,
a JSON-ready dict out. Every field is always present (null or [] when there is nothing), so a
script reads a field without checking for it; datetimes are ISO 8601 in UTC."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any, Sequence

from planner.errors import PlanError
from planner.lock import lock_holder
from planner.model import (
    CodeDeployDeployment,
    Controller,
    Deployment,
    DeploymentGroupInfo,
    LiveState,
    RevisionSummary,
    ScalableTarget,
    ServiceDeploymentInfo,
    TaskSet,
)
from planner.native import is_native, strategy_of

FORMAT_VERSION = 1
# The SuspendedState flags of a scalable target, as the document names them.
_SUSPENDED_FLAGS = (
    ("dynamic_scaling_in", "DynamicScalingInSuspended"),
    ("dynamic_scaling_out", "DynamicScalingOutSuspended"),
    ("scheduled_scaling", "ScheduledScalingSuspended"),
)


def iso_utc(value: dt.datetime | None) -> str | None:
    """ISO 8601 in UTC with a Z, to the second ("2026-01-01T12:00:00Z"); a naive value is taken as
    UTC (botocore's are aware)."""
    if value is None:
        return None
    if value.tzinfo is not None:
        value = value.astimezone(dt.timezone.utc)
    return value.replace(tzinfo=None).isoformat(timespec="seconds") + "Z"


def _deployment(d: Deployment) -> dict[str, Any]:
    return {
        "id": d.id,
        "status": d.status,
        "task_definition": d.task_definition,
        "desired_count": d.desired,
        "running_count": d.running,
        "pending_count": d.pending,
        "failed_tasks": d.failed,
        "rollout_state": d.rollout_state,
        "rollout_state_reason": d.rollout_state_reason or None,
        "created_at": iso_utc(d.created_at),
    }


def _task_set(ts: TaskSet) -> dict[str, Any]:
    return {
        "id": ts.id,
        "status": ts.status,
        "task_definition": ts.task_definition,
        "desired_count": ts.desired,
        "running_count": ts.running,
        "pending_count": ts.pending,
        "scale_percent": ts.scale,
        "stability_status": ts.stability_status,
    }


def _codedeploy(group: DeploymentGroupInfo | None, problem: str | None, deployment: CodeDeployDeployment | None) -> dict[str, Any] | None:
    if group is None and problem is None:
        return None
    return {
        "application": group.application if group else None,
        "deployment_group": group.group if group else None,
        "deployment_config": group.deployment_config if group else None,
        "problem": problem,
        "deployment": None
        if deployment is None
        else {
            "id": deployment.id,
            "status": deployment.status,
            "created_at": iso_utc(deployment.created_at),
            "deployment_config": deployment.deployment_config,
            "task_sets": [{"label": t.label, "task_set_id": t.task_set_id, "traffic_weight": t.traffic_weight} for t in deployment.task_sets],
            "lifecycle_events": [{"name": name, "status": status} for name, status in deployment.lifecycle_events],
        },
    }


def _revision(r: RevisionSummary) -> dict[str, Any]:
    return {
        "arn": r.arn,
        "task_definition": r.task_definition,
        "requested_count": r.requested,
        "running_count": r.running,
        "production_traffic_weight": r.production_weight,
        "test_traffic_weight": r.test_weight,
    }


def _service_deployment(sd: ServiceDeploymentInfo) -> dict[str, Any]:
    return {
        "arn": sd.arn,
        "id": sd.id,
        "status": sd.status,
        "status_reason": sd.status_reason or None,
        "lifecycle_stage": sd.lifecycle_stage,
        "strategy": sd.strategy,
        "bake_time_minutes": sd.bake_minutes,
        "created_at": iso_utc(sd.created_at),
        "target": _revision(sd.target) if sd.target is not None else None,
        "sources": [_revision(s) for s in sd.sources],
        "hooks": [
            {"hook_id": h.hook_id, "target_type": h.target_type, "target_arn": h.target_arn, "status": h.status} for h in sd.hooks
        ],
        "rollback_reason": sd.rollback_reason,
    }


def _autoscaling(ref_cluster: str, ref_service: str, target: ScalableTarget | None) -> dict[str, Any] | None:
    if target is None:
        return None
    return {
        "resource_id": f"service/{ref_cluster}/{ref_service}",
        "scalable_dimension": "ecs:service:DesiredCount",
        "min_capacity": target.min_capacity,
        "max_capacity": target.max_capacity,
        "suspended": target.suspended,
        "suspended_state": {name: flag in target.suspended_flags for name, flag in _SUSPENDED_FLAGS},
    }


def service_document(live: LiveState, *, events: int = 5) -> dict[str, Any]:
    """One entry of `services`; a missing service is an error, as in the text form."""
    svc = live.service
    if svc is None:
        raise PlanError(f"{live.ref}: the service does not exist (ecsplan apply creates it)")
    ecs = svc.controller is Controller.ECS
    strategy = strategy_of(svc.description) if ecs else None
    return {
        "cluster": live.ref.cluster,
        "service": live.ref.service,
        "service_arn": svc.arn,
        "status": svc.description.get("status"),
        "controller": svc.controller.value,
        "strategy": strategy,
        "task_definition": svc.task_definition_arn,
        "desired_count": svc.count("desiredCount"),
        "running_count": svc.count("runningCount"),
        "pending_count": svc.count("pendingCount"),
        "autoscaling": _autoscaling(live.ref.cluster, live.ref.service, live.scalable_target),
        "lock": lock_holder(live),
        "deployments": [_deployment(d) for d in svc.deployments],
        "task_sets": [_task_set(ts) for ts in svc.task_sets],
        "codedeploy": _codedeploy(live.codedeploy, live.codedeploy_problem, live.active_deployment)
        if svc.controller is Controller.CODE_DEPLOY
        else None,
        "service_deployment": _service_deployment(live.service_deployment)
        if is_native(strategy) and live.service_deployment is not None
        else None,
        "events": [{"id": e.id, "created_at": iso_utc(e.created_at), "message": e.message} for e in svc.events[: max(events, 0)]],
    }


def document(states: Sequence[LiveState], *, events: int = 5, tool_version: str) -> dict[str, Any]:
    """The whole document: every service in the order of the configs."""
    return {
        "format_version": FORMAT_VERSION,
        "tool_version": tool_version,
        "services": [service_document(live, events=events) for live in states],
    }


def render(states: Sequence[LiveState], *, events: int = 5, tool_version: str) -> str:
    return json.dumps(document(states, events=events, tool_version=tool_version), indent=2) + "\n"
