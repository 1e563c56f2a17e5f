"""Is the plan about to be applied the plan that was reviewed? Checked before any call that
changes anything (`ecsplan apply FILE`):

- its `plan_id` is the hash of its content (`check_plan_id`): an edited file is refused;
- every payload targets the service its ServicePlan names, and a task definition payload the
  service plan's family (`check_targets`): an edit cannot send an update to another service;
- every shown change is recomputed from the payload it will send and the live state the plan
  saved, with the planner's own diff (`check_changes`): a payload edited and its id recomputed
  is still refused, since the changes people reviewed no longer follow from it.

Pure: values in, PlanError out.
"""

from __future__ import annotations

import json
from typing import Any

from planner.actions import (
    Action,
    ContinueServiceDeployment,
    CreateDeployment,
    CreateService,
    DeregisterTaskDefinition,
    RegisterTaskDefinition,
    ResumeAutoscaling,
    StopDeployment,
    StopServiceDeployment,
    SuspendAutoscaling,
    TaskDefinitionRef,
    UpdateScalableTarget,
    UpdateService,
    reused,
)
from planner.diff import Change, diff, plain
from planner.errors import PlanError
from planner.frozen import thaw
from planner.model import arn_tail
from planner.normalize import SERVICE_DEPLOYMENT_FIELDS, canonical_service, canonical_task_definition, comparable_services, comparable_task_definitions
from planner.plan import Plan, ServicePlan

# What --force-new-deployment adds to an update that would start no deployment otherwise.
RESTART = "restart"


def check_plan_id(recorded: Any, computed: str, source: str) -> None:
    """The file's plan_id must be the hash of its content."""
    if recorded != computed:
        found = f"plan_id {str(recorded)[:12]}" if recorded else "no plan_id"
        raise PlanError(
            f"{source}: the plan's content does not match its plan_id ({found}, content {computed[:12]}): it was edited after "
            "`ecsplan plan` made it; make the plan again"
        )


def check_expected_id(identity: str, wanted: str, source: str) -> None:
    """`apply FILE --plan-id ID`: the full id, or at least its 12-character short form."""
    wanted = wanted.strip().lower()
    if len(wanted) < 12:
        raise PlanError(f"--plan-id {wanted}: give the plan id as reviewed, at least its first 12 characters")
    if not identity.startswith(wanted):
        raise PlanError(f"{source}: the plan's id is {identity[:12]}, not the reviewed {wanted[:12]} (--plan-id); nothing was applied")


# ---------------------------------------------------------------------------------------------
# Targets


def _targets(action: Action) -> list[tuple[str, str]]:
    """(what, the service it names) for every service name in the payload."""
    if isinstance(action, CreateService):
        return [("definition.cluster/serviceName", f"{action.definition.get('cluster')}/{action.definition.get('serviceName')}")]
    if isinstance(action, (UpdateService, CreateDeployment, StopDeployment, StopServiceDeployment, ContinueServiceDeployment, DeregisterTaskDefinition)):
        out = [("cluster/service", f"{action.cluster}/{action.service}")]
        if isinstance(action, UpdateService):
            # TagResource goes to the service ARN: its tail is cluster/service (new ARN format).
            out.append(("service_arn", "/".join(action.service_arn.split(":")[-1].split("/")[-2:])))
        return out
    if isinstance(action, (SuspendAutoscaling, ResumeAutoscaling, UpdateScalableTarget)):
        return [("resource_id", action.resource_id.removeprefix("service/"))]
    return []


def _target_problems(s: ServicePlan) -> list[str]:
    out = []
    name = f"{s.ref.cluster}/{s.ref.service}"
    for action in s.actions:
        for what, target in _targets(action):
            if target != name:
                out.append(f"  {s.ref}: {action.TYPE.label} {what} is {target}, not {name}")
        family = _family(action)
        if family is not None and family != s.family:
            out.append(f"  {s.ref}: {action.TYPE.label} registers family {family!r}, not the plan's {s.family!r}")
    return out


def _family(action: Action) -> str | None:
    if isinstance(action, RegisterTaskDefinition):
        return action.family
    return None


def check_targets(plan: Plan) -> None:
    problems = [p for s in plan.services for p in _target_problems(s)]
    if problems:
        raise PlanError("the plan's payloads name another service or family than the plan shows; nothing was applied:\n" + "\n".join(problems))


# ---------------------------------------------------------------------------------------------
# Changes


def _top(path: str) -> str:
    return path.split(".")[0].split("[")[0]


def _register_changes(s: ServicePlan, action: RegisterTaskDefinition) -> list[Change]:
    definition = thaw(action.definition)
    if action.first_revision:
        return diff({}, canonical_task_definition(definition, fill=False))
    live = s.compared.get("task_definition")
    if live is None:
        raise PlanError(f"{s.ref}: register_task_definition: the plan file does not carry the task definition it was compared with; make the plan again")
    want, have = comparable_task_definitions(definition, thaw(live))
    return diff(have, want)


def _task_definition_after(s: ServicePlan, td: TaskDefinitionRef) -> str:
    """How the plan shows the revision an action uses: the family's latest ACTIVE one (not the
    running one) is shown as reused, identical (the plan registered nothing)."""
    if td.arn is not None and td.arn == s.live_view.get("latestRevision") and td.arn != s.live_view.get("taskDefinition"):
        return reused(td.arn)
    return str(td)


def _task_definition_change(s: ServicePlan, after: str) -> Change:
    return Change(path="taskDefinition", before=s.live_view.get("taskDefinition"), after=after)


def _wanted_tags(live: dict[str, Any], action: UpdateService) -> list[dict[str, str]]:
    tags = {t["key"]: t.get("value", "") for t in live.get("tags") or []}
    for key in action.tags_remove:
        tags.pop(key, None)
    tags.update(thaw(action.tags_add))
    return [{"key": k, "value": v} for k, v in tags.items()]


def _update_changes(s: ServicePlan, action: UpdateService) -> list[Change]:
    fields = thaw(action.fields)
    changes: list[Change] = []
    tagged = bool(action.tags_add or action.tags_remove)
    if fields or tagged:
        live = s.compared.get("service")
        if live is None:
            raise PlanError(f"{s.ref}: update_service: the plan file does not carry the service fields it was compared with; make the plan again")
        live = thaw(live)
        desired = dict(fields)
        if tagged:
            desired["tags"] = _wanted_tags(live, action)
        keys = tuple(desired)
        want, have = comparable_services(desired, live, keys, s.controller)
        changes = [c for c in diff(have, want) if _top(c.path) in keys]
    if action.task_definition is not None:
        changes.insert(0, _task_definition_change(s, _task_definition_after(s, action.task_definition)))
    started = action.task_definition is not None or any(f in SERVICE_DEPLOYMENT_FIELDS or f == "capacityProviderStrategy" for f in fields)
    if action.force_new_deployment and not started:
        running = s.live_view.get("taskDefinition")
        changes.insert(0, Change(path=RESTART, before=None, after=f"new deployment with the same task definition ({arn_tail(running)})"))
    return changes


def _create_service_changes(s: ServicePlan, action: CreateService) -> list[Change]:
    definition = thaw(action.definition)
    want = canonical_service(definition, s.controller, fill=False)
    changes = [c for c in diff({}, want) if _top(c.path) != "serviceName"]
    changes.append(Change(path="taskDefinition", before=None, after=str(action.task_definition)))
    return changes


def _create_service_tolerated(s: ServicePlan, recomputed: list[Change], shown: list[Change]) -> tuple[list[Change], list[Change]]:
    """CreateService's input adds the cluster and a desiredCount of 0 the file may not declare,
    and drops a declared roleArn (the role is not a CreateService input of ecsplan's)."""
    shown_paths = {c.path for c in shown}
    recomputed = [
        c for c in recomputed
        if c.path in shown_paths or not ((c.path == "cluster" and c.after == s.ref.cluster) or (c.path == "desiredCount" and c.after == 0))
    ]
    shown = [c for c in shown if _top(c.path) != "role"]
    return recomputed, shown


def _scalable_target_changes(s: ServicePlan, action: UpdateScalableTarget) -> list[Change]:
    target = s.live_view.get("scalableTarget") or {}
    return [
        Change(path=f"autoscaling.{key}", before=target.get(short), after=after)
        for key, short, after in (("minCapacity", "min", action.min_capacity), ("maxCapacity", "max", action.max_capacity))
        if target.get(short) != after
    ]


def _named_in_changes(action: Action) -> str | None:
    """Actions whose changes only say what the payload names: the name that must appear."""
    if isinstance(action, DeregisterTaskDefinition):
        return f"taskDefinition[{arn_tail(action.task_definition_arn)}].status"
    if isinstance(action, StopDeployment):
        return action.deployment_id
    if isinstance(action, StopServiceDeployment):
        return arn_tail(action.service_deployment_arn)
    if isinstance(action, ContinueServiceDeployment):
        return action.hook_id
    return None


def expected_changes(s: ServicePlan, action: Action) -> list[Change] | None:
    """The changes the payload and the saved live state give; None: not recomputable here
    (checked by `_mentions` or shown whole in the plan: the AppSpec of create_deployment)."""
    if isinstance(action, RegisterTaskDefinition):
        return _register_changes(s, action)
    if isinstance(action, UpdateService):
        return _update_changes(s, action)
    if isinstance(action, CreateService):
        return _create_service_changes(s, action)
    if isinstance(action, UpdateScalableTarget):
        return _scalable_target_changes(s, action)
    return None


def _first_difference(expected: list[Any], shown: list[Any]) -> str:
    for want, have in zip(expected, shown):
        if want != have:
            return str(have.get("path") if want.get("path") == have.get("path") else f"{have.get('path')} (recomputed: {want.get('path')})")
    longer = expected[len(shown):] or shown[len(expected):]
    what = "not shown" if len(expected) > len(shown) else "not in the payload"
    return f"{longer[0].get('path')} ({what})"


def _action_problem(s: ServicePlan, action: Action) -> str | None:
    shown = list(action.changes)
    if isinstance(action, CreateDeployment):
        td = [c for c in shown if c.path == "taskDefinition"]
        if td and td[0].after != _task_definition_after(s, action.task_definition):
            return "taskDefinition"
        return None
    mention = _named_in_changes(action)
    if mention is not None:
        if not shown or not all(mention in f"{c.path} {c.before} {c.after}" for c in shown):
            return shown[0].path if shown else "(no change shown)"
        if isinstance(action, ContinueServiceDeployment) and any(c.after != action.action for c in shown):
            return shown[0].path
        return None
    expected = expected_changes(s, action)
    if expected is None:
        return None
    if isinstance(action, CreateService):
        expected, shown = _create_service_tolerated(s, expected, shown)
    want = plain([c.to_json() for c in expected])
    have = plain([c.to_json() for c in shown])
    if _normal(want) == _normal(have):
        return None
    return _first_difference(_normal(want), _normal(have))


def _normal(value: Any) -> Any:
    """JSON's view of a value (a plan file is JSON: tuples are lists, keys strings)."""
    return json.loads(json.dumps(value, sort_keys=True, default=str))


def check_changes(plan: Plan) -> None:
    """Every shown change follows from the payload and the saved live state."""
    problems = []
    for s in plan.services:
        for action in s.actions:
            where = _action_problem(s, action)
            if where is not None:
                problems.append(f"  {s.ref}: {action.TYPE.label}: the payload does not give the changes shown, first at {where}")
    if problems:
        raise PlanError(
            "the plan's payloads do not match the changes it shows (the plan file was edited); nothing was applied:\n"
            + "\n".join(problems)
            + "\nMake the plan again and review it."
        )


def check_plan(plan: Plan) -> None:
    check_targets(plan)
    check_changes(plan)

