"""The command line's overrides of a plan, as ecspresso's `deploy --force-new-deployment`,
`scale --tasks N` and its auto scaling min/max options: `--force-new-deployment`,
`--desired-count N`, `--autoscaling-min N`, `--autoscaling-max N`. Pure: each turns an option into
what planner/build.py plans like any other change (a desiredCount, an UpdateService that forces a
new deployment, an update_scalable_target), so the plan shows it and the one executor applies it.
Every value is checked here, at plan time, before anything is written."""

from __future__ import annotations

import attrs

from planner.actions import UpdateScalableTarget, UpdateService
from planner.diff import Change
from planner.errors import UsageError
from planner.model import Controller, DesiredService, LiveState, PlanOptions, ScalableTarget, arn_tail

RESTART = "restart"  # the change path of a forced new deployment


def _name(options: PlanOptions) -> str:
    given = [("--autoscaling-min", options.autoscaling_min), ("--autoscaling-max", options.autoscaling_max)]
    return " / ".join(flag for flag, value in given if value is not None)


def check_values(options: PlanOptions) -> None:
    """What no service can make right: a negative count, a minimum above the maximum."""
    for flag, value in (
        ("--desired-count", options.desired_count),
        ("--autoscaling-min", options.autoscaling_min),
        ("--autoscaling-max", options.autoscaling_max),
    ):
        if value is not None and value < 0:
            raise UsageError(f"{flag} {value}: a count cannot be negative")
    low, high = options.autoscaling_min, options.autoscaling_max
    if low is not None and high is not None and low > high:
        raise UsageError(f"--autoscaling-min {low} is greater than --autoscaling-max {high}")


def with_desired_count(desired: DesiredService, live: LiveState, options: PlanOptions) -> DesiredService:
    """--desired-count N: the service definition's desiredCount becomes N (declared or not), so
    the plan compares and updates it like any declared field."""
    count = options.desired_count
    if count is None:
        return desired
    if desired.task_definition_only:
        raise UsageError(f"--desired-count: {desired.source} configures a task definition only, no service to scale")
    daemon = (desired.service_definition.get("schedulingStrategy") or (live.service.description.get("schedulingStrategy") if live.service else None)) == "DAEMON"
    if daemon:
        raise UsageError(f"--desired-count: {desired.ref} is a DAEMON service (one task per container instance); it has no desiredCount to set")
    return attrs.evolve(desired, service_definition={**desired.service_definition, "desiredCount": count})


def scalable_target_update(desired: DesiredService, live: LiveState, options: PlanOptions) -> UpdateScalableTarget | None:
    """--autoscaling-min / --autoscaling-max: the service's existing scalable target with the new
    bound(s); the other bound stays as it is, and the pair must still be in order."""
    if options.autoscaling_min is None and options.autoscaling_max is None:
        return None
    flags = _name(options)
    resource_id = f"service/{desired.ref.cluster}/{desired.ref.service}"
    if desired.task_definition_only or live.service is None:
        what = "configures a task definition only" if desired.task_definition_only else f"creates {desired.ref}"
        raise UsageError(f"{flags}: {desired.source} {what}; there is no scalable target to change")
    target = live.scalable_target
    if target is None:
        raise UsageError(
            f"{flags}: {resource_id} has no scalable target (Application Auto Scaling, ecs:service:DesiredCount); "
            "ecsplan changes the range of an existing target, it does not register one"
        )
    low = target.min_capacity if options.autoscaling_min is None else options.autoscaling_min
    high = target.max_capacity if options.autoscaling_max is None else options.autoscaling_max
    if low > high:
        raise UsageError(
            f"{flags}: the minimum capacity {low} would be greater than the maximum capacity {high} of {resource_id} "
            f"(its range now: [{target.min_capacity}, {target.max_capacity}]); give both bounds"
        )
    changes = [
        Change(path=f"autoscaling.{key}", before=before, after=after)
        for key, before, after in (("minCapacity", target.min_capacity, low), ("maxCapacity", target.max_capacity, high))
        if before != after
    ]
    if not changes:
        return None
    return UpdateScalableTarget(changes=changes, resource_id=resource_id, min_capacity=low, max_capacity=high)


def scaling_range(live: LiveState, update: UpdateScalableTarget | None) -> ScalableTarget | None:
    """The range the service has once the plan is applied."""
    if update is None or live.scalable_target is None:
        return live.scalable_target
    return attrs.evolve(live.scalable_target, min_capacity=update.min_capacity, max_capacity=update.max_capacity)


def outside_range(desired: DesiredService, target: ScalableTarget | None, options: PlanOptions, range_changed: bool) -> str | None:
    """Why the plan's desiredCount would not stay, or None: auto scaling keeps desiredCount in
    [MinCapacity, MaxCapacity] (RegisterScalableTarget moves it at once, scaling activities on
    their next run). Asked only of what this run decides: a --desired-count, or a new range
    against the file's desiredCount."""
    count = desired.service_definition.get("desiredCount")
    if target is None or not isinstance(count, int) or (options.desired_count is None and not range_changed):
        return None
    if target.min_capacity <= count <= target.max_capacity:
        return None
    whose = f"--desired-count {count}" if options.desired_count is not None else f"the service definition's desiredCount {count}"
    which = "new auto scaling range" if range_changed else "auto scaling range"
    return (
        f"{whose} is outside the {which} [{target.min_capacity}, {target.max_capacity}] of "
        f"service/{desired.ref.cluster}/{desired.ref.service}: auto scaling moves desiredCount back into its range. "
        "Give a count inside the range, or change the range with --autoscaling-min / --autoscaling-max"
    )


def with_restart(update: UpdateService | None, desired: DesiredService, live: LiveState, controller: Controller, options: PlanOptions) -> UpdateService | None:
    """--force-new-deployment: UpdateService with forceNewDeployment, a new deployment of the
    same task definition when nothing else starts one. A missing service needs none (it is
    created with its first deployment)."""
    if not options.force_new_deployment or live.service is None or desired.task_definition_only:
        return update
    if controller is not Controller.ECS:
        how = " (it deploys through CodeDeploy: change its task definition to deploy it again)" if controller is Controller.CODE_DEPLOY else ""
        raise UsageError(
            f"--force-new-deployment: {desired.ref} has the {controller.value} deployment controller; ECS accepts "
            f"forceNewDeployment only for the ECS (rolling) controller{how}"
        )
    td = live.service.task_definition_arn
    restart = Change(path=RESTART, before=None, after=f"new deployment with the same task definition ({arn_tail(td)})")
    if update is None:
        return UpdateService(
            changes=[restart],
            cluster=desired.ref.cluster,
            service=desired.ref.service,
            service_arn=live.service.arn,
            starts_deployment=True,
            force_new_deployment=True,
        )
    changes = list(update.changes) if update.starts_deployment else [restart, *update.changes]
    return attrs.evolve(update, changes=changes, starts_deployment=True, force_new_deployment=True)
