"""`ecsplan status` as text: each service, its auto scaling, its deployments (rolling) or task sets
and CodeDeploy deployment in progress (blue/green), and its most recent events. Pure: LiveState
in, lines out. `--format json`: planner/render/status_json.py."""

from __future__ import annotations

import datetime as dt
from typing import Sequence

from planner.codedeploy import describe_traffic
from planner.errors import PlanError
from planner.lock import force_unlock_command, lock_holder
from planner.model import Controller, LiveState, ScalableTarget
from planner.native import describe, is_native, paused_note, strategy_of
from planner.rollout import describe_deployments, short_td


def _when(value: dt.datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S") if value is not None else ""


def autoscaling_text(target: ScalableTarget | None) -> str:
    """e.g. "min 1, max 4, active"; "none" without a scalable target."""
    if target is None:
        return "none (no scalable target)"
    if target.suspended:
        state = "suspended"
    elif target.suspended_flags:
        state = f"partly suspended ({', '.join(target.suspended_flags)})"
    else:
        state = "active"
    return f"min {target.min_capacity}, max {target.max_capacity}, {state}"


def service_lines(live: LiveState, *, events: int = 5) -> list[str]:
    svc = live.service
    if svc is None:
        raise PlanError(f"{live.ref}: the service does not exist (ecsplan apply creates it)")
    lines = [
        f"Service: {live.ref.service}  Cluster: {live.ref.cluster}  Controller: {svc.controller.value}",
        f"  TaskDefinition: {short_td(svc.task_definition_arn)}  desired {svc.count('desiredCount')}, "
        f"running {svc.count('runningCount')}, pending {svc.count('pendingCount')}",
        f"  Auto scaling: {autoscaling_text(live.scalable_target)}",
    ]
    holder = lock_holder(live)
    if holder is not None:
        lines.append(f"  Apply lock: held by {holder} (an apply is running; if it died: `{force_unlock_command()}`)")
    if svc.controller is Controller.CODE_DEPLOY:
        for ts in svc.task_sets:
            scale = f", scale {ts.scale:g}%" if ts.scale is not None else ""
            lines.append(f"  TaskSet {ts.status}: {short_td(ts.task_definition)} desired {ts.desired}, running {ts.running}, pending {ts.pending}{scale}")
        if live.active_deployment is not None and live.codedeploy is not None:
            group = live.codedeploy
            deployment = live.active_deployment
            lines.append(f"  CodeDeploy: deployment {deployment.id} {deployment.status} ({group.application}/{group.group})")
            traffic = describe_traffic([{"taskSetLabel": t.label, "trafficWeight": t.traffic_weight} for t in deployment.task_sets])
            if traffic:
                lines.append(f"    {traffic}")
    else:
        lines.append(f"  Deployments: {describe_deployments(svc)}")
        strategy = strategy_of(svc.description)
        if is_native(strategy):
            sd = live.service_deployment
            if sd is None:
                lines.append(f"  Service deployment ({strategy}): none in progress")
            else:
                lines.append(f"  Service deployment ({strategy}): {sd.id} {describe(sd)}")
                note = paused_note(sd)
                if note:
                    lines.append(f"    {note}")
    recent = svc.events[:events]
    if recent:
        lines.append("  Events (newest first):")
        lines.extend(f"    {_when(e.created_at)} {e.message}" for e in recent)
    return lines


def render(states: Sequence[LiveState], *, events: int = 5) -> str:
    lines: list[str] = []
    for live in states:
        lines.extend(service_lines(live, events=events))
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"
