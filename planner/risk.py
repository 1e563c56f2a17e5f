"""What deserves a reviewer's second look (pure, from the plan): per service a one-line headline
of what changes, in people's words rather than API action names, and the risks, each a path and a
one-line reason.

Both are derived from the actions: their `changes` (before / after, named by the paths
planner/diff.py gives: `containerDefinitions[web].image`, `deploymentConfiguration.minimumHealthyPercent`)
and their payloads (what apply sends: the task definition it registers, the load balancers the
service keeps). A risk is about what the plan changes: a setting that was already there before the
plan is not one of its risks.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Iterable

import attrs

from planner.actions import (
    KNOWN_AFTER_APPLY,
    Action,
    ContinueServiceDeployment,
    CreateDeployment,
    CreateService,
    DeregisterTaskDefinition,
    RegisterTaskDefinition,
    StopDeployment,
    StopServiceDeployment,
    UpdateScalableTarget,
    UpdateService,
)
from planner.diff import Change, plain
from planner.model import arn_tail
from planner.overrides import RESTART
from planner.plan import ServicePlan

ALL_AT_ONCE = "CodeDeployDefault.ECSAllAtOnce"
_MAX_PARTS = 4  # of a "new revision" headline; the rest is counted
_SHOWN_VALUES = ("cpu", "memory", "networkMode", "pidMode", "ipcMode")  # task fields whose values a headline shows
_STEP = re.compile(r"\.([^.\[]+)|\[([^\]]*)\]")
_STRATEGY_WORDS = {"BLUE_GREEN": "blue/green", "LINEAR": "linear", "CANARY": "canary"}


@attrs.frozen
class Risk:
    """A change that deserves a second look: where (a change path) and why, in one line."""

    path: str
    reason: str

    def to_json(self) -> dict[str, str]:
        return {"path": self.path, "reason": self.reason}


# ---------------------------------------------------------------------------------------------
# Reading changes


def _steps(rest: str) -> list[str]:
    return [m.group(1) if m.group(1) is not None else m.group(2) for m in _STEP.finditer(rest)]


def _descend(value: Any, steps: list[str]) -> Any:
    for step in steps:
        if not isinstance(value, Mapping):
            return None
        value = value.get(step)
    return value


def lookup(changes: Iterable[Change], path: str) -> tuple[bool, Any, Any]:
    """(found, before, after) of the value at `path`, from the change at that path or at a path
    above it (a new container's `containerDefinitions[web]` holds its `.image`); found False when
    no change covers it (the value is the same before and after)."""
    for c in changes:
        if c.path == path:
            return True, plain(c.before), plain(c.after)
        if path.startswith(c.path) and path[len(c.path)] in ".[":
            steps = _steps(path[len(c.path):])
            before, after = _descend(plain(c.before), steps), _descend(plain(c.after), steps)
            if before != after:
                return True, before, after
    return False, None, None


def _split_image(image: str) -> tuple[str, str | None]:
    """(repository, the tag or @digest); None when the image names neither."""
    if "@" in image:
        repo, digest = image.split("@", 1)
        return repo, "@" + digest
    name = image.rsplit("/", 1)[-1]
    if ":" in name:
        repo, tag = image.rsplit(":", 1)
        return repo, tag
    return image, None


def _short_ref(ref: str) -> str:
    return ref[:20] if ref.startswith("@") else ref  # @sha256: and 12 hex digits


def _image_change(container: str, before: Any, after: Any) -> str:
    old_repo, old_ref = _split_image(str(before))
    new_repo, new_ref = _split_image(str(after))
    if old_repo == new_repo and old_ref and new_ref:
        return f"image {container} {_short_ref(old_ref)} -> {_short_ref(new_ref)}"
    return f"image {container} {before} -> {after}"


def _containers(definition: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return [c for c in definition.get("containerDefinitions") or () if isinstance(c, Mapping)]


# ---------------------------------------------------------------------------------------------
# The headline


def _revision_parts(action: RegisterTaskDefinition) -> list[str]:
    """The changed images per container, else the changed task fields."""
    images = []
    for c in action.changes:
        steps = _steps(c.path[len("containerDefinitions"):]) if c.path.startswith("containerDefinitions[") else []
        if len(steps) == 2 and steps[1] == "image" and c.before is not None and c.after is not None:
            images.append(_image_change(steps[0], c.before, c.after))
    if images:
        return images
    parts: list[str] = []
    for c in action.changes:
        steps = _steps("." + c.path)
        if steps[0] == "containerDefinitions" and len(steps) == 2:
            part = f"+container {steps[1]}" if c.before is None else f"-container {steps[1]}" if c.after is None else f"container {steps[1]}"
        elif steps[0] == "containerDefinitions" and len(steps) > 2:
            part = f"{steps[1]} {steps[2]}"
        elif steps[0] in _SHOWN_VALUES and len(steps) == 1 and c.before is not None and c.after is not None:
            part = f"{steps[0]} {plain(c.before)} -> {plain(c.after)}"
        else:
            part = steps[0]
        if part not in parts:
            parts.append(part)
    if len(parts) > _MAX_PARTS:
        parts = parts[: _MAX_PARTS - 1] + [f"{len(parts) - _MAX_PARTS + 1} more"]
    return parts


def _rollback_target(action: Action) -> str | None:
    """The revision a rollback goes back to: its taskDefinition change names a known ARN (a
    deploy plan's says known after apply)."""
    for c in action.changes:
        if c.path == "taskDefinition" and c.after not in (None, KNOWN_AFTER_APPLY):
            return arn_tail(str(c.after))
    return None


def _update_parts(service: ServicePlan, action: UpdateService) -> list[str]:
    parts = []
    target = _rollback_target(action)
    if target:
        parts.append(f"rollback to {target}")
    found, before, after = lookup(action.changes, "desiredCount")
    if found:
        parts.append(f"scale {before} -> {after}")
    if any(c.path == RESTART for c in action.changes):
        parts.append("restart")
    others = [f for f in action.changed_fields() if f not in ("taskDefinition", "desiredCount")]
    if others:
        parts.append("update " + ", ".join(others))
    strategy = _STRATEGY_WORDS.get(service.strategy or "")
    if strategy and action.starts_deployment:
        parts.append(f"{strategy} deployment (ECS)")
    return parts


def _parts(service: ServicePlan, action: Action) -> list[str]:
    if isinstance(action, RegisterTaskDefinition):
        if action.first_revision:
            return [] if any(isinstance(a, CreateService) for a in service.actions) else [f"first revision of {action.family}"]
        return ["new revision: " + ", ".join(_revision_parts(action))]
    if isinstance(action, CreateService):
        return ["new service"]
    if isinstance(action, UpdateService):
        return _update_parts(service, action)
    if isinstance(action, CreateDeployment):
        target = _rollback_target(action)
        if target:
            return [f"rollback to {target} (blue/green deployment, CodeDeploy)"]
        what = "the new revision" if action.task_definition.is_registered else arn_tail(action.task_definition.arn)
        return [f"blue/green deployment (CodeDeploy) of {what}"]
    if isinstance(action, StopDeployment):
        return [f"rollback: stop CodeDeploy deployment {action.deployment_id}" if action.rollback else f"stop CodeDeploy deployment {action.deployment_id}"]
    if isinstance(action, StopServiceDeployment):
        return [f"rollback: stop service deployment {arn_tail(action.service_deployment_arn)}"]
    if isinstance(action, ContinueServiceDeployment):
        return [f"{'continue' if action.action == 'CONTINUE' else 'roll back'} at paused hook {action.hook_id}"]
    if isinstance(action, UpdateScalableTarget):
        return [f"auto scaling range {_range(action)}"]
    if isinstance(action, DeregisterTaskDefinition):
        return [f"deregister {arn_tail(action.task_definition_arn)}"]
    return []  # suspend / resume auto scaling: said by the deployment they surround


def _range(action: UpdateScalableTarget) -> str:
    found_min, old_min, _ = lookup(action.changes, "autoscaling.minCapacity")
    found_max, old_max, _ = lookup(action.changes, "autoscaling.maxCapacity")
    if not found_min and not found_max:
        return f"[{action.min_capacity}, {action.max_capacity}]"
    old = f"[{old_min if found_min else action.min_capacity}, {old_max if found_max else action.max_capacity}]"
    return f"{old} -> [{action.min_capacity}, {action.max_capacity}]"


def headline(service: ServicePlan) -> str:
    """What changes, in one line: `new revision: image web 1.25 -> 1.27; scale 2 -> 3`."""
    if not service.has_changes:
        return "no changes"
    parts = [p for a in service.actions for p in _parts(service, a)]
    if service.blocked:
        parts.append("blocked: " + ", ".join(dict.fromkeys(b.path for b in service.blocked)))
    return "; ".join(parts) or "no changes"


# ---------------------------------------------------------------------------------------------
# Risks


def _deployment_risks(changes: tuple[Change, ...], *, exists: bool) -> list[Risk]:
    out = []
    found, before, after = lookup(changes, "desiredCount")
    if found and exists and after == 0 and before not in (None, 0):
        out.append(Risk("desiredCount", f"scales {before} -> 0: every task of the service stops"))
    path = "deploymentConfiguration.deploymentCircuitBreaker.enable"
    found, before, after = lookup(changes, path)
    if found and before is True and after is not True:
        what = "removed" if after is None else "disabled"
        out.append(Risk(path, f"deployment circuit breaker {what}: a failing deployment is no longer stopped and rolled back"))
    path = "deploymentConfiguration.minimumHealthyPercent"
    found, before, after = lookup(changes, path)
    if found and isinstance(after, (int, float)) and after < 100:
        out.append(Risk(path, f"minimumHealthyPercent {after}: deployments stop running tasks before their replacements are healthy"))
    path = "deploymentConfiguration.maximumPercent"
    found, before, after = lookup(changes, path)
    if found and after == 100:
        out.append(Risk(path, "maximumPercent 100: no room for replacement tasks, so deployments stop tasks first"))
    return out


def _revision_risks(action: RegisterTaskDefinition) -> list[Risk]:
    out = []
    if not action.first_revision:
        for role in ("taskRoleArn", "executionRoleArn"):
            found, before, after = lookup(action.changes, role)
            if found:
                out.append(Risk(role, f"{role} changes {arn_tail(before) if before else '(none)'} -> {arn_tail(after) if after else '(none)'}: "
                                      "what the tasks may do in AWS changes"))
        for c in action.changes:
            steps = _steps("." + c.path)
            if steps[0] == "containerDefinitions" and len(steps) == 2 and c.after is None:
                out.append(Risk(c.path, f"container {steps[1]} removed"))
    found, before, after = lookup(action.changes, "networkMode")
    if found and after == "host" and before != "host":
        out.append(Risk("networkMode", "networkMode host: the containers share the host's network stack"))
    for container in _containers(action.definition):
        name = str(container.get("name", ""))
        path = f"containerDefinitions[{name}]"
        found, before, after = lookup(action.changes, path + ".privileged")
        if found and after is True and before is not True:
            out.append(Risk(path + ".privileged", f"privileged: true: container {name} gets root access to the host"))
        image = str(container.get("image", ""))
        _, ref = _split_image(image)
        if ref is None or ref == "latest":
            how = "untagged (it means :latest)" if ref is None else "tagged :latest"
            out.append(Risk(path + ".image", f"image {image} is {how}: the tasks run whatever the tag points to when they start"))
    return out


def risks(service: ServicePlan, *, include_blocked: bool = True) -> list[Risk]:
    """What a reviewer should look at twice, in the order of the actions; blocked changes last
    (`include_blocked=False`: for a rendering that calls them out on their own)."""
    out: list[Risk] = []
    exists = not any(isinstance(a, CreateService) for a in service.actions)
    for action in service.actions:
        if isinstance(action, RegisterTaskDefinition):
            out += _revision_risks(action)
        elif isinstance(action, (UpdateService, CreateService)):
            out += _deployment_risks(action.changes, exists=exists)
        elif isinstance(action, CreateDeployment):
            if action.deployment_config == ALL_AT_ONCE:  # the deployment group's, as the plan read it
                out.append(Risk("codedeploy.deploymentConfig", f"{ALL_AT_ONCE}: all traffic shifts to the new tasks at once"))
    if include_blocked:
        out += [Risk(b.path, f"blocked, apply refuses the plan: {b.reason}") for b in service.blocked]
    return list(dict.fromkeys(out))
