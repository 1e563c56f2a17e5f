"""desired vs live -> Plan. No I/O: the caller hands in values read elsewhere.

One `_generate_*` step per action; `build_service_plan` calls them in the order DESIGN.md fixes,
each call commented with why it comes where it does."""

from __future__ import annotations

import copy
from typing import Any, Iterable

from planner import appspec, overrides, semantic
from planner.actions import (
    KNOWN_AFTER_APPLY,
    Action,
    Blocked,
    CreateDeployment,
    CreateService,
    RegisterTaskDefinition,
    ResumeAutoscaling,
    SuspendAutoscaling,
    TaskDefinitionRef,
    UpdateService,
    reused,
    starts_deployment,
)
from planner.diff import Change, diff, plain
from planner.errors import ConfigError
from planner.lock import lock_holder
from planner.model import Controller, DeploymentGroupInfo, DesiredService, LiveService, LiveState, PlanOptions, ScalableTarget
from planner.native import validate as validate_strategy
from planner.normalize import (
    CODE_DEPLOY_UPDATABLE,
    DEPLOYMENT_REPORTED_FIELDS,
    REVISION_REPORTED_FIELDS,
    SERVICE_DEPLOYMENT_FIELDS,
    SERVICE_READ_ONLY,
    SERVICE_UNREADABLE,
    SERVICE_UPDATABLE,
    TASK_READ_ONLY,
    canonical_service,
    canonical_task_definition,
    comparable_services,
    comparable_task_definitions,
    deployment_configuration_request,
    primary_deployment,
    without_ignored_tags,
)
from planner.plan import Plan, ServicePlan, deployment_in_progress, live_view

# Remedy shown with every blocked change.
_RECREATE = "UpdateService cannot change it; delete and re-create the service (downtime), or revert the definition"


def register_payload(task_definition: dict[str, Any]) -> dict[str, Any]:
    """RegisterTaskDefinition input: the user's definition without read-only fields."""
    td = copy.deepcopy(task_definition)
    for key in TASK_READ_ONLY:
        td.pop(key, None)
    return td


def check_definitions(desired: DesiredService, *, creating: bool = False, live_balancers: Any = None) -> None:
    """What AWS would refuse of the rendered definitions (enums, ranges, Fargate sizes, ports,
    names, 64 KiB), every problem of a file in one ConfigError (planner/semantic.py). Every plan
    runs it; providers/app.py also runs it before reading AWS, so a bad file costs no call.
    `creating`: the service is missing, so what only CreateService requires is checked too;
    `live_balancers`: the live service's load balancers (the new revision must serve them when
    the file leaves them out)."""
    semantic.check(
        desired.task_definition,
        None if desired.task_definition_only else desired.service_definition,
        task_file=desired.task_definition_path or desired.source,
        service_file=desired.definition_file,
        sensitive=desired.sensitive,
        secret_values=desired.secret_values,
        creating=creating,
        live_balancers=live_balancers,
    )


def managed_keys(desired: DesiredService) -> tuple[str, ...]:
    """Service fields the user declared: the only ones ecsplan compares and updates (a field left
    out is owned by someone else, e.g. desiredCount by auto scaling: kayac/ecspresso#274)."""
    declared = set(desired.service_definition)
    return tuple(k for k in SERVICE_UPDATABLE + ("tags",) if k in declared)


def _check_comparable(desired: DesiredService, live: LiveState) -> None:
    """A declared field ecsplan cannot read back would show as a change on every plan: refuse
    the plan, naming it."""
    sd = desired.service_definition
    unreadable = [f for f in SERVICE_UNREADABLE if f in sd]
    if unreadable:
        raise ConfigError(
            f"ecsplan cannot compare {', '.join(unreadable)}: AWS accepts it but returns it in no API ecsplan reads; "
            "leave it out of the service definition (set it another way)",
            file=desired.definition_file,
            where=unreadable[0],
        )
    if live.service is not None and live.unread_fields:
        raise ConfigError(
            f"ecsplan cannot compare {', '.join(live.unread_fields)}: only the service revision reports it, and "
            f"{desired.ref} lists no current service revision (DescribeServices currentServiceRevisions); "
            "leave it out of the service definition",
            file=desired.definition_file,
            where=live.unread_fields[0],
        )
    if live.service is not None and live.service.controller is Controller.CODE_DEPLOY:
        # A new service revision comes with a deployment; on CODE_DEPLOY services that is a
        # CodeDeploy one, whose AppSpec has no place for these.
        stuck = [f for f in REVISION_REPORTED_FIELDS if f in sd]
        if stuck:
            raise ConfigError(
                f"ecsplan cannot change {', '.join(stuck)} of a CODE_DEPLOY service (neither UpdateService nor the AppSpec "
                "takes it); leave it out of the service definition",
                file=desired.definition_file,
                where=stuck[0],
            )


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


def _create_service_input(desired: DesiredService) -> dict[str, Any]:
    """CreateService input from the user's service definition (taskDefinition set at apply)."""
    sd = copy.deepcopy(desired.service_definition)
    for key in SERVICE_READ_ONLY + ("serviceName", "cluster", "roleArn", "clusterArn"):
        sd.pop(key, None)
    sd["cluster"] = desired.ref.cluster
    sd["serviceName"] = desired.ref.service
    if sd.get("schedulingStrategy") != "DAEMON":
        sd.setdefault("desiredCount", 0)
    return sd


def _top(path: str) -> str:
    return path.split(".")[0].split("[")[0]


def _tag_delta(want: Any, have: Any) -> tuple[dict[str, str], list[str]]:
    want_map = {t["key"]: t.get("value", "") for t in (want or [])}
    have_map = {t["key"]: t.get("value", "") for t in (have or [])}
    add = {k: v for k, v in sorted(want_map.items()) if have_map.get(k) != v}
    remove = sorted(k for k in have_map if k not in want_map)
    return add, remove


# ---------------------------------------------------------------------------------------------
# One step per action


def _generate_register(desired: DesiredService, live: LiveState) -> RegisterTaskDefinition | None:
    """Only when the definition really differs from the revision the service runs
    (kayac/ecspresso#218), or the family's latest ACTIVE for a new service; always when the
    family has no revision yet."""
    if live.task_definition is None:
        # A first revision: shown as written, not with AWS's defaults (nothing to compare with).
        want = canonical_task_definition(desired.task_definition, fill=False)
        return RegisterTaskDefinition(changes=diff({}, want), definition=register_payload(desired.task_definition), first_revision=True)
    have_td = without_ignored_tags(live.task_definition.definition, desired.ignore_tags)
    want, have = comparable_task_definitions(desired.task_definition, have_td)
    changes = diff(have, want)
    if not changes:
        return None
    return RegisterTaskDefinition(changes=changes, definition=register_payload(desired.task_definition))


def _reusable_revision(desired: DesiredService, live: LiveState) -> str | None:
    """The family's latest ACTIVE revision when it is not the one the service runs and equals
    the desired definition (ignored tags respected): a re-run after a partial apply (registered,
    then the update failed) reuses it instead of registering a duplicate."""
    latest = live.latest_revision
    if latest is None or live.service is None or latest.arn == live.service.task_definition_arn:
        return None
    want, have = comparable_task_definitions(desired.task_definition, without_ignored_tags(latest.definition, desired.ignore_tags))
    return latest.arn if not diff(have, want) else None


def _generate_create_service(desired: DesiredService, live: LiveState, controller: Controller, register: bool) -> CreateService:
    """The service is missing: every declared field is an addition, shown as written."""
    current = live.task_definition.arn if live.task_definition else None
    want = canonical_service(desired.service_definition, controller, fill=False)
    changes = [c for c in diff({}, want) if _top(c.path) != "serviceName"]
    td = TaskDefinitionRef.registered() if register or current is None else TaskDefinitionRef.known(current)
    changes.append(Change(path="taskDefinition", before=None, after=str(td)))
    return CreateService(changes=changes, definition=_create_service_input(desired), task_definition=td)


def _generate_update_service(
    desired: DesiredService,
    service: LiveService,
    controller: Controller,
    field_changes: list[Change],
    update_fields: list[str],
    register: bool,
    reuse: str | None = None,
) -> UpdateService | None:
    """Changed attributes (tags through TagResource/UntagResource) and, for the rolling
    controller, the new task definition (or the identical one already registered: `reuse`)."""
    changes = [c for c in field_changes if _top(c.path) in update_fields]
    rolling_td = (register or reuse is not None) and controller is Controller.ECS
    if rolling_td:
        after = reused(reuse) if reuse is not None else KNOWN_AFTER_APPLY
        changes.insert(0, Change(path="taskDefinition", before=service.task_definition_arn, after=after))
    if not changes:
        return None
    fields = {f: copy.deepcopy(desired.service_definition[f]) for f in update_fields if f != "tags"}
    if isinstance(fields.get("deploymentConfiguration"), dict):
        daemon = (desired.service_definition.get("schedulingStrategy") or service.description.get("schedulingStrategy")) == "DAEMON"
        fields["deploymentConfiguration"] = deployment_configuration_request(fields["deploymentConfiguration"], daemon=daemon, controller=controller)
    # A capacity provider change must force a new deployment, or AWS refuses the update (the
    # rolling controller's only: CODE_DEPLOY services change it through the AppSpec).
    force = controller is Controller.ECS and "capacityProviderStrategy" in fields
    live_tags = without_ignored_tags(service.description, desired.ignore_tags).get("tags")
    tags_add, tags_remove = _tag_delta(desired.service_definition.get("tags"), live_tags) if "tags" in update_fields else ({}, [])
    return UpdateService(
        changes=changes,
        cluster=desired.ref.cluster,
        service=desired.ref.service,
        service_arn=service.arn,
        fields=fields,
        task_definition=(TaskDefinitionRef.known(reuse) if reuse is not None else TaskDefinitionRef.registered()) if rolling_td else None,
        tags_add=tags_add,
        tags_remove=tags_remove,
        starts_deployment=rolling_td or force or any(f in SERVICE_DEPLOYMENT_FIELDS for f in fields),
        force_new_deployment=force,
    )


def codedeploy_group(live: LiveState) -> DeploymentGroupInfo:
    """The deployment group a CodeDeploy action needs; the reader's reason when it found none
    (said only now: a CODE_DEPLOY service with nothing to deploy needs no group)."""
    if live.codedeploy is None:
        raise ConfigError(live.codedeploy_problem or f"{live.ref}: no CodeDeploy deployment group found")
    return live.codedeploy


def deployment_action(
    desired: DesiredService, live: LiveState, changes: list[Change], task_definition: TaskDefinitionRef, rollback_events: tuple[str, ...]
) -> CreateDeployment:
    """A CodeDeploy deployment of `task_definition` with the AppSpec built from the service
    definition and the config's hooks."""
    spec = appspec.build_appspec(desired.service_definition, str(task_definition), desired.hooks, source=desired.definition_file)
    group = codedeploy_group(live)
    return CreateDeployment(
        changes=changes,
        cluster=desired.ref.cluster,
        service=desired.ref.service,
        application=group.application,
        deployment_group=group.group,
        deployment_config=group.deployment_config,
        task_definition=task_definition,
        appspec=spec,
        rollback_events=rollback_events,
    )


def _with_autoscaling_suspended(desired: DesiredService, actions: list[Action]) -> list[Action]:
    """suspend_autoscaling before anything touches the service and resume_autoscaling last:
    nothing may scale the service while a deployment replaces its tasks (the seed: ecspresso
    could suspend but never resumed)."""
    if not any(starts_deployment(a) for a in actions):
        return actions
    resource_id = f"service/{desired.ref.cluster}/{desired.ref.service}"
    first_touch = next(i for i, a in enumerate(actions) if not isinstance(a, RegisterTaskDefinition))
    return [*actions[:first_touch], SuspendAutoscaling(resource_id=resource_id), *actions[first_touch:], ResumeAutoscaling(resource_id=resource_id)]


def _outside_scaling_range(desired: DesiredService, live: LiveState, target: ScalableTarget) -> list[Blocked]:
    """Registering the scalable target again (suspend, resume) moves desiredCount into
    [MinCapacity, MaxCapacity] (API_RegisterScalableTarget): a count outside the range would
    not survive the apply. `target`: the range once the plan is applied."""
    declared = desired.service_definition.get("desiredCount")
    count = declared if declared is not None else (live.service.count("desiredCount") if live.service else None)
    if not isinstance(count, int) or target.min_capacity <= count <= target.max_capacity:
        return []
    whose = "the service definition's" if declared is not None else "the service's current"
    return [
        Blocked(
            path="desiredCount",
            reason=f"{whose} desiredCount {count} is outside the auto scaling range [{target.min_capacity}, {target.max_capacity}] of "
            f"service/{desired.ref.cluster}/{desired.ref.service}: suspending and resuming auto scaling re-registers the target, "
            "which moves desiredCount into the range. Change desiredCount or the target's range, or drop --suspend-autoscaling",
            before=live.service.count("desiredCount") if live.service else None,
            after=count,
        )
    ]


# What the plan says of an ECS-controller service's deployment (planner/native.py explains it).
_STRATEGY_KEYS = ("strategy", "bakeTimeInMinutes", "linearConfiguration", "canaryConfiguration", "lifecycleHooks")


def deployment_configuration(desired: DesiredService, live: LiveState, controller: Controller) -> dict[str, Any]:
    """The deploymentConfiguration the next deployment uses: the file's when declared (apply
    sends it), else the live one."""
    if controller is not Controller.ECS:
        return {}
    declared = desired.service_definition.get("deploymentConfiguration")
    source = declared if isinstance(declared, dict) else (live.service.description.get("deploymentConfiguration") if live.service else None)
    return {k: copy.deepcopy(v) for k, v in (source or {}).items() if k in _STRATEGY_KEYS}


# Service fields the canonical form of another depends on (platformVersion: launchType).
_CONTEXT_FIELDS = ("launchType", "schedulingStrategy")


def compared_with(desired: DesiredService, live: LiveState, actions: list[Action]) -> dict[str, Any]:
    """What apply needs to recompute the shown changes from the payloads (planner/integrity.py):
    the live revision a new one was diffed with, and the live fields an update_service changes."""
    out: dict[str, Any] = {}
    register = next((a for a in actions if isinstance(a, RegisterTaskDefinition)), None)
    if register is not None and not register.first_revision and live.task_definition is not None:
        td = without_ignored_tags(live.task_definition.definition, desired.ignore_tags)
        out["task_definition"] = {k: v for k, v in td.items() if k not in TASK_READ_ONLY}
    update = next((a for a in actions if isinstance(a, UpdateService)), None)
    if update is not None and live.service is not None and (update.fields or update.tags_add or update.tags_remove):
        sd = without_ignored_tags(live.service.description, desired.ignore_tags)
        primary = primary_deployment(sd)
        wanted = {*update.fields, "tags", *_CONTEXT_FIELDS}
        service = {k: sd[k] for k in sorted(wanted) if k in sd}
        for key in DEPLOYMENT_REPORTED_FIELDS:  # as canonical_service folds them in
            if key in wanted and key not in service and primary.get(key):
                service[key] = primary[key]
        out["service"] = service
    return out


def build_service_plan(desired: DesiredService, live: LiveState, options: PlanOptions = PlanOptions()) -> ServicePlan:
    """Ordered actions for one service, in DESIGN.md's order."""
    controller = live.service.controller if live.service is not None else desired.controller
    # --desired-count N and the other overrides: checked before anything is planned; the count
    # then stands in the service definition, compared and updated like a declared desiredCount.
    overrides.check_values(options)
    desired = overrides.with_desired_count(desired, live, options)
    # What AWS would refuse of a BLUE_GREEN / LINEAR / CANARY configuration, before any call.
    validate_strategy(desired.service_definition, source=desired.definition_file)
    check_definitions(desired, creating=live.service is None,
                      live_balancers=live.service.description.get("loadBalancers") if live.service is not None else None)
    _check_comparable(desired, live)
    keys = managed_keys(desired)
    actions: list[Action] = []
    blocked: list[Blocked] = []

    # 1. register_task_definition first: the service update (or the deployment) names its ARN.
    register = _generate_register(desired, live)
    reuse = _reusable_revision(desired, live) if register is not None and not desired.task_definition_only else None
    if reuse is not None:
        register = None  # the family's latest ACTIVE revision already is the desired one
    if register is not None:
        actions.append(register)

    # --autoscaling-min/max: refused where there is no target to change (no service, none registered).
    scaling = overrides.scalable_target_update(desired, live, options)

    if desired.task_definition_only:
        pass  # a task-definition-only config: no service to create or update
    elif live.service is None:
        # 2. create_service: the service is missing.
        actions.append(_generate_create_service(desired, live, controller, register is not None))
    else:
        blocked = _blocked_changes(desired, live.service.description, controller)
        have_sd = without_ignored_tags(live.service.description, desired.ignore_tags)
        want, have = comparable_services(desired.service_definition, have_sd, keys, controller)
        field_changes = diff(have, want)
        changed_fields = sorted({_top(c.path) for c in field_changes})
        if controller is Controller.CODE_DEPLOY:
            # What UpdateService refuses on CODE_DEPLOY services travels in the AppSpec.
            update_fields = [f for f in changed_fields if f in CODE_DEPLOY_UPDATABLE or f == "tags"]
        else:
            update_fields = changed_fields
        deploy_fields = [f for f in changed_fields if f not in update_fields]

        # 3. update_scalable_target (--autoscaling-min/max): before update_service, so the
        #    desiredCount it sets is inside the new range when the range is registered.
        if scaling is not None:
            actions.append(scaling)
        # 4. update_service: before a CodeDeploy deployment, so the deployment starts from the
        #    updated service (e.g. a new desiredCount); --force-new-deployment forces one.
        update = _generate_update_service(desired, live.service, controller, field_changes, update_fields, register is not None, reuse)
        update = overrides.with_restart(update, desired, live, controller, options)
        if update is not None:
            actions.append(update)

        # 5. create_deployment (CODE_DEPLOY): a new revision or what UpdateService refuses.
        if controller is Controller.CODE_DEPLOY and (register is not None or reuse is not None or deploy_fields):
            deploy_changes = [c for c in field_changes if _top(c.path) in deploy_fields]
            if register is not None or reuse is not None:
                after = reused(reuse) if reuse is not None else KNOWN_AFTER_APPLY
                deploy_changes.insert(0, Change(path="taskDefinition", before=live.service.task_definition_arn, after=after))
            if reuse is not None:
                td = TaskDefinitionRef.known(reuse)
            else:
                td = TaskDefinitionRef.registered() if register is not None else TaskDefinitionRef.known(live.task_definition.arn if live.task_definition else "")
            actions.append(deployment_action(desired, live, deploy_changes, td, options.rollback_events))

    target = overrides.scaling_range(live, scaling)

    # 6. suspend / resume around everything that starts a deployment, when asked for.
    if options.suspend_autoscaling:
        actions = _with_autoscaling_suspended(desired, actions)
        if target is not None and any(isinstance(a, SuspendAutoscaling) for a in actions):
            blocked += _outside_scaling_range(desired, live, target)
    # A count auto scaling would move back, said once (the rule above says it when suspending).
    reason = overrides.outside_range(desired, target, options, scaling is not None)
    if reason and not any(b.path == "desiredCount" for b in blocked):
        current = live.service.count("desiredCount") if live.service else None
        blocked.append(Blocked(path="desiredCount", reason=reason, before=current, after=desired.service_definition.get("desiredCount")))

    return ServicePlan(
        ref=desired.ref,
        controller=controller,
        family=desired.family,
        source=desired.source,
        actions=tuple(actions),
        blocked=tuple(blocked),
        live_view=live_view(live, keys, desired.ignore_tags, scalable_target=scaling is not None),
        managed_keys=keys,
        ignore_tags=desired.ignore_tags,
        codedeploy=live.codedeploy,
        timeout_seconds=desired.timeout_seconds,
        sensitive=desired.sensitive,
        secret_values=desired.secret_values,
        deployment_configuration=deployment_configuration(desired, live, controller),
        compared=compared_with(desired, live, actions),
        in_progress=deployment_in_progress(live),
        locked_by=lock_holder(live),
    )


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
