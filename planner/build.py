"""desired vs live -> Plan. No I/O: the caller hands in values read elsewhere."""

from __future__ import annotations

import copy
from typing import Any, Iterable

from planner.actions import KNOWN_AFTER_APPLY, Action, ActionType, Blocked
from planner.diff import Change, diff, plain
from planner import appspec
from planner.model import Controller, DesiredService, LiveState, PlanOptions
from planner.normalize import (
    CODE_DEPLOY_UPDATABLE,
    SERVICE_DEPLOYMENT_FIELDS,
    SERVICE_READ_ONLY,
    SERVICE_UPDATABLE,
    TASK_READ_ONLY,
    as_written,
    canonical_service,
    canonical_task_definition,
    comparable_services,
    comparable_task_definitions,
)
from planner.plan import Plan, ServicePlan, live_view

# Remedy shown with every blocked change.
_RECREATE = "UpdateService cannot change it; delete and re-create the service (downtime), or revert the definition"


def register_payload(task_definition: dict[str, Any]) -> dict[str, Any]:
    """RegisterTaskDefinition input: the user's definition without read-only fields."""
    td = copy.deepcopy(task_definition)
    for key in TASK_READ_ONLY:
        td.pop(key, None)
    return td


def managed_keys(desired: DesiredService) -> tuple[str, ...]:
    """Service fields the user declared: the only ones ecsplan compares and updates (a field left
    out is owned by someone else, e.g. desiredCount by auto scaling: kayac/ecspresso#274)."""
    declared = set(desired.service_definition)
    return tuple(k for k in SERVICE_UPDATABLE + ("tags",) if k in declared)


def _blocked_changes(desired: DesiredService, live: dict[str, Any], controller: Controller) -> list[Blocked]:
    sd = desired.service_definition
    out: list[Blocked] = []
    name = sd.get("serviceName")
    if name and name != desired.ref.service:
        out.append(
            Blocked(
                path="serviceName",
                reason=f"the service definition names {name!r} but the config's service is {desired.ref.service!r}; a service cannot be renamed. Make them agree",
                before=desired.ref.service,
                after=name,
            )
        )
    want_c = canonical_service(sd, controller)
    have_c = canonical_service(live, controller)
    for key, what in (
        ("launchType", "the launch type"),
        ("schedulingStrategy", "the scheduling strategy"),
        ("deploymentController", "the deployment controller"),
    ):
        if key not in sd and key != "deploymentController":
            continue
        if key == "launchType" and "capacityProviderStrategy" in sd and "launchType" not in sd:
            continue
        want, have = want_c.get(key), have_c.get(key)
        if want != have:
            out.append(Blocked(path=key, reason=f"{what} cannot be changed in place: {_RECREATE}", before=plain(have), after=plain(want)))
    role = sd.get("role")
    have_role = live.get("roleArn")
    if role and have_role and role != have_role and not str(have_role).endswith("/" + role):
        out.append(Blocked(path="role", reason=f"the service's IAM role cannot be changed in place: {_RECREATE}", before=have_role, after=role))
    return out


def _service_payload(desired: DesiredService) -> dict[str, Any]:
    """CreateService input from the user's service definition."""
    sd = copy.deepcopy(desired.service_definition)
    for key in SERVICE_READ_ONLY + ("serviceName", "cluster", "roleArn", "clusterArn"):
        sd.pop(key, None)
    sd["cluster"] = desired.ref.cluster
    sd["serviceName"] = desired.ref.service
    sd.setdefault("desiredCount", 0 if sd.get("schedulingStrategy") != "DAEMON" else None)
    if sd["desiredCount"] is None:
        sd.pop("desiredCount")
    return sd


def build_service_plan(desired: DesiredService, live: LiveState, options: PlanOptions = PlanOptions()) -> ServicePlan:
    """Ordered actions for one service. The order is DESIGN.md's: the task definition is
    registered first because the service update (or the deployment) names its new ARN; auto
    scaling is suspended before anything touches the service and resumed last."""
    controller = live.service.controller if live.service is not None else desired.controller
    keys = managed_keys(desired)
    actions: list[Action] = []
    blocked: list[Blocked] = []

    # 1. register_task_definition: only when the definition really differs from the revision the
    #    service runs (kayac/ecspresso#218), or the family's latest ACTIVE for a new service.
    want_td, have_td = comparable_task_definitions(
        desired.task_definition, live.task_definition.definition if live.task_definition else None
    )
    if live.task_definition is None:
        with as_written():  # a first revision: show what the user wrote, not AWS's defaults
            want_td = canonical_task_definition(desired.task_definition)
    td_changes = diff(have_td, want_td)
    register = bool(td_changes) or live.task_definition is None
    if register:
        actions.append(
            Action(
                type=ActionType.REGISTER_TASK_DEFINITION,
                changes=tuple(td_changes),
                payload={"taskDefinition": register_payload(desired.task_definition)},
                note=(
                    f"new revision of {desired.task_definition.get('family')} {KNOWN_AFTER_APPLY}"
                    if live.task_definition is not None
                    else f"first revision of family {desired.task_definition.get('family')}"
                ),
            )
        )
    current_td_arn = live.task_definition.arn if live.task_definition else None

    if live.service is None:
        # 2. create_service: every declared field is an addition.
        payload = _service_payload(desired)
        payload["taskDefinition"] = current_td_arn
        with as_written():
            want = canonical_service(desired.service_definition, controller)
        changes = [c for c in diff({}, want) if c.path.split(".")[0].split("[")[0] not in ("serviceName",)]
        changes.append(Change(path="taskDefinition", before=None, after=KNOWN_AFTER_APPLY if register else current_td_arn))
        actions.append(
            Action(
                type=ActionType.CREATE_SERVICE,
                changes=tuple(changes),
                payload={"service": payload, "use_registered_task_definition": register},
                note="service is missing",
            )
        )
    else:
        live_desc = live.service.description
        blocked = _blocked_changes(desired, live_desc, controller)
        want_m, have_m = comparable_services(desired.service_definition, live_desc, keys, controller)
        field_changes = diff(have_m, want_m)
        changed_fields = sorted({_top(c.path) for c in field_changes})

        if controller is Controller.CODE_DEPLOY:
            update_fields = [f for f in changed_fields if f in CODE_DEPLOY_UPDATABLE or f == "tags"]
            deploy_fields = [f for f in changed_fields if f not in update_fields]
        else:
            update_fields, deploy_fields = changed_fields, []

        # 3. update_service: changed attributes (tags through TagResource/UntagResource) and, for
        #    the rolling controller, the new task definition.
        update_changes = [c for c in field_changes if _top(c.path) in update_fields]
        rolling_td = register and controller is Controller.ECS
        if rolling_td:
            update_changes.insert(0, Change(path="taskDefinition", before=current_td_arn_of(live), after=KNOWN_AFTER_APPLY))
        if update_changes:
            sets = {f: copy.deepcopy(desired.service_definition[f]) for f in update_fields if f != "tags"}
            tags_add, tags_remove = _tag_delta(desired.service_definition.get("tags"), live_desc.get("tags"), "tags" in update_fields)
            starts = rolling_td or any(f in SERVICE_DEPLOYMENT_FIELDS for f in sets)
            actions.append(
                Action(
                    type=ActionType.UPDATE_SERVICE,
                    changes=tuple(update_changes),
                    payload={
                        "cluster": desired.ref.cluster,
                        "service": desired.ref.service,
                        "service_arn": live.service.arn,
                        "set": sets,
                        "use_registered_task_definition": rolling_td,
                        "tags_add": tags_add,
                        "tags_remove": tags_remove,
                        "starts_deployment": starts,
                    },
                    note="starts a new deployment" if starts else "in place, no new deployment",
                )
            )

        # 4. create_deployment (CODE_DEPLOY): what UpdateService refuses travels in the AppSpec.
        if controller is Controller.CODE_DEPLOY and (register or deploy_fields):
            deploy_changes = [c for c in field_changes if _top(c.path) in deploy_fields]
            if register:
                deploy_changes.insert(0, Change(path="taskDefinition", before=current_td_arn_of(live), after=KNOWN_AFTER_APPLY))
            actions.append(_create_deployment(desired, live, deploy_changes, register, options))

    # suspend_autoscaling first and resume_autoscaling last: nothing may scale the service while
    # a deployment replaces its tasks (the seed: ecspresso could suspend but never resumed).
    if options.suspend_autoscaling and any(_starts_deployment(a) for a in actions):
        target = {"resource_id": f"service/{desired.ref.cluster}/{desired.ref.service}", "dimension": "ecs:service:DesiredCount"}
        first_touch = next(i for i, a in enumerate(actions) if a.type is not ActionType.REGISTER_TASK_DEFINITION)
        actions.insert(first_touch, Action(type=ActionType.SUSPEND_AUTOSCALING, payload=target, note="suspend scaling of desiredCount for the deployment"))
        actions.append(
            Action(
                type=ActionType.RESUME_AUTOSCALING,
                payload=target,
                note="resume after the deployment ends, also when it fails (left suspended if it was suspended before)",
            )
        )

    return ServicePlan(
        ref=desired.ref,
        controller=controller,
        family=str(desired.task_definition.get("family", "")),
        source=desired.source,
        actions=tuple(actions),
        blocked=tuple(blocked),
        live_view=live_view(live, keys),
        managed_keys=keys,
        timeout_seconds=desired.timeout_seconds,
        sensitive=desired.sensitive,
    )


def _starts_deployment(action: Action) -> bool:
    return action.type is ActionType.CREATE_DEPLOYMENT or bool(action.payload.get("starts_deployment"))


def _create_deployment(
    desired: DesiredService, live: LiveState, changes: list[Change], register: bool, options: PlanOptions
) -> Action:
    """The deployment as the plan shows it: application, group, config, the AppSpec it will send
    (the new task definition ARN known after apply), hooks, rollback events."""
    current = live.task_definition.arn if live.task_definition else ""
    hooks = list((desired.appspec or {}).get("Hooks") or [])
    preview = appspec.build_appspec(
        desired.service_definition, KNOWN_AFTER_APPLY if register else current, hooks, source=desired.service_definition_path or desired.source
    )
    group = live.codedeploy
    details: dict[str, Any] = {
        "application": group.application if group else desired.codedeploy_application or "(not resolved yet)",
        "deployment_group": group.group if group else desired.codedeploy_group or "(not resolved yet)",
        "deployment_config": (group.deployment_config if group else None) or "(the deployment group's)",
        "auto_rollback_events": list(options.rollback_events) or "none (pass --rollback-events to roll back automatically)",
        "appspec": preview,
    }
    return Action(
        type=ActionType.CREATE_DEPLOYMENT,
        changes=tuple(changes),
        payload={
            "cluster": desired.ref.cluster,
            "service": desired.ref.service,
            "application_name": group.application if group else desired.codedeploy_application,
            "deployment_group_name": group.group if group else desired.codedeploy_group,
            "use_registered_task_definition": register,
            "task_definition_arn": current,
            "appspec": preview,
            "auto_rollback_events": list(options.rollback_events),
        },
        note="blue/green deployment through CodeDeploy",
        details=details,
    )


def current_td_arn_of(live: LiveState) -> str | None:
    return live.service.task_definition_arn if live.service is not None else None


def _top(path: str) -> str:
    return path.split(".")[0].split("[")[0]


def _tag_delta(want: Any, have: Any, managed: bool) -> tuple[list[dict[str, str]], list[str]]:
    if not managed:
        return [], []
    want_map = {t["key"]: t.get("value", "") for t in (want or [])}
    have_map = {t["key"]: t.get("value", "") for t in (have or [])}
    add = [{"key": k, "value": v} for k, v in sorted(want_map.items()) if have_map.get(k) != v]
    remove = sorted(k for k in have_map if k not in want_map)
    return add, remove


def build_plan(
    pairs: Iterable[tuple[DesiredService, LiveState]],
    *,
    region: str | None = None,
    account: str | None = None,
    tool_version: str = "",
    options: PlanOptions = PlanOptions(),
) -> Plan:
    services = tuple(sorted((build_service_plan(d, l, options) for d, l in pairs), key=lambda s: s.ref))
    return Plan(services=services, region=region, account=account, tool_version=tool_version)
