"""The Plan: per-service typed actions, the live-state view and fingerprint it was made against,
and the summary line. Its document form (`--format json`, plan files) is planner/planfile.py."""

from __future__ import annotations

import enum
import hashlib
import json
from typing import Any, Iterable

import attrs

from planner.actions import Action, ActionType, Blocked, starts_deployment
from planner.diff import plain
from planner.frozen import FrozenDict, freeze_mapping, str_tuple
from planner.model import Controller, DeploymentGroupInfo, LiveState, ReadTarget, ServiceRef, arn_tail
from planner.native import explain, is_native, strategy_of
from planner.normalize import REVISION_REPORTED_FIELDS, SERVICE_IMMUTABLE, canonical_service, without_ignored_tags


class Purpose(enum.Enum):
    """What a plan is for: `ecsplan plan/apply` deploys the files; `ecsplan rollback` goes back."""

    DEPLOY = "deploy"
    ROLLBACK = "rollback"
    CONTINUE = "continue"  # `ecsplan continue`: answers paused lifecycle hooks


def live_view(live: LiveState, managed_keys: tuple[str, ...], ignore_tags: tuple[str, ...] = (), *, scalable_target: bool = False) -> dict[str, Any]:
    """What a plan depends on in the live state: the service's existence, the task definition it
    runs, its immutable fields, the fields the plan manages and the CodeDeploy deployment in
    progress. Volatile fields (events, running counts, deployments, timestamps) are left out so a
    plan does not go stale for nothing, nor for tags another tool owns (`ignore_tags`).
    `scalable_target`: the plan changes the auto scaling range, so it depends on the target."""
    view: dict[str, Any] = {"exists": live.service is not None}
    if scalable_target:
        target = live.scalable_target
        view["scalableTarget"] = {"min": target.min_capacity, "max": target.max_capacity} if target else None
    # The revision compared against: the one the service runs, else the family's latest.
    view["taskDefinition"] = live.running_task_definition or (live.task_definition.arn if live.task_definition else None)
    if live.service is not None:
        canon = canonical_service(without_ignored_tags(live.service.description, ignore_tags), live.service.controller)
        for key in sorted(set(managed_keys) | set(SERVICE_IMMUTABLE) | {"tags"}):
            if key in canon:
                view[key] = plain(canon[key])
        view["deploymentController"] = live.service.controller.value
        # Plans apply once: a register moves the family's latest revision, a rolling deployment
        # (or its circuit breaker's rollback) the PRIMARY deployment, applied or failed alike.
        view["latestRevision"] = live.latest_task_definition
        if live.service.controller is Controller.ECS:
            view["primaryDeployment"] = live.service.primary.id if live.service.primary else None
        if live.service.controller is Controller.CODE_DEPLOY:
            view["activeDeployment"] = live.active_deployment.id if live.active_deployment else None
        elif is_native(strategy_of(live.service.description)):
            view["activeServiceDeployment"] = live.service_deployment.arn if live.service_deployment else None
            if live.service_deployment is not None and live.service_deployment.paused_hooks:
                # A plan that answers paused hooks goes stale once they are answered.
                view["pausedHooks"] = sorted(h.hook_id for h in live.service_deployment.paused_hooks)
    return view


def fingerprint(view: Any) -> str:
    return hashlib.sha256(json.dumps(plain(view), sort_keys=True, default=str).encode()).hexdigest()


def _actions(value: Iterable[Action]) -> tuple[Action, ...]:
    return tuple(value)


def _blocked(value: Iterable[Blocked]) -> tuple[Blocked, ...]:
    return tuple(value)


@attrs.frozen(kw_only=True)
class ServicePlan:
    ref: ServiceRef
    controller: Controller
    family: str
    source: str = ""
    actions: tuple[Action, ...] = attrs.field(default=(), converter=_actions)
    blocked: tuple[Blocked, ...] = attrs.field(default=(), converter=_blocked)
    live_view: FrozenDict = attrs.field(factory=FrozenDict, converter=freeze_mapping)
    managed_keys: tuple[str, ...] = attrs.field(default=(), converter=str_tuple)
    ignore_tags: tuple[str, ...] = attrs.field(default=(), converter=str_tuple)  # ignore.tags: not in the live view
    codedeploy: DeploymentGroupInfo | None = None
    timeout_seconds: float | None = None
    sensitive: tuple[str, ...] = attrs.field(default=(), converter=str_tuple)
    secret_values: tuple[str, ...] = attrs.field(default=(), converter=str_tuple)
    # ECS controller: the deploymentConfiguration a deployment will use (the file's, else the
    # live one): what the plan says of its strategy, traffic steps, bake time and hooks.
    deployment_configuration: FrozenDict = attrs.field(factory=FrozenDict, converter=freeze_mapping)
    # What the shown changes were computed against, so apply can recompute them from the payloads
    # (planner/integrity.py): `task_definition`, the live revision a new one was diffed with (read-
    # only fields and ignored tags left out); `service`, the live fields an update_service changes.
    compared: FrozenDict = attrs.field(factory=FrozenDict, converter=freeze_mapping)
    # The deployment in progress when the plan was made (its id), ecsplan's or not: said by a
    # plan that changes nothing instead of a bare "No changes". Not saved in plan files.
    in_progress: str | None = attrs.field(default=None, eq=False)
    # Who held the service's apply lock (another apply running) when the plan was read: said by
    # a plan that changes the service, since apply refuses it while the lock is held. Not saved.
    locked_by: str | None = attrs.field(default=None, eq=False)

    @property
    def strategy(self) -> str | None:
        """ROLLING, BLUE_GREEN, LINEAR or CANARY (ECS controller); None for CODE_DEPLOY / EXTERNAL."""
        if self.controller is not Controller.ECS:
            return None
        return strategy_of({"deploymentConfiguration": self.deployment_configuration})

    def deployment_lines(self) -> list[str]:
        """What the plan says of the deployment it starts, for the ECS-native strategies."""
        if not is_native(self.strategy) or not any(starts_deployment(a) or a.TYPE is ActionType.CREATE_SERVICE for a in self.actions):
            return []
        return explain(self.deployment_configuration)

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.live_view)

    @property
    def has_changes(self) -> bool:
        return bool(self.actions or self.blocked)

    def action(self, type_: ActionType) -> Action | None:
        return next((a for a in self.actions if a.TYPE is type_), None)

    @property
    def read_target(self) -> ReadTarget:
        """What a re-read of this service needs (the stale check before apply)."""
        return ReadTarget(
            ref=self.ref,
            family=self.family,
            codedeploy_application=self.codedeploy.application if self.codedeploy else None,
            codedeploy_group=self.codedeploy.group if self.codedeploy else None,
            source=self.source,
            revision_fields=tuple(f for f in REVISION_REPORTED_FIELDS if f in self.managed_keys),
            scalable_target=self.changes_scalable_target,
        )

    @property
    def changes_scalable_target(self) -> bool:
        return self.action(ActionType.UPDATE_SCALABLE_TARGET) is not None


def _services(value: Iterable[ServicePlan]) -> tuple[ServicePlan, ...]:
    return tuple(value)


@attrs.frozen(kw_only=True)
class Plan:
    services: tuple[ServicePlan, ...] = attrs.field(converter=_services)
    region: str | None = None
    account: str | None = None
    tool_version: str = ""
    purpose: Purpose = Purpose.DEPLOY
    commit: str | None = None  # the commit the files come from, when known (GITHUB_SHA)

    @property
    def has_changes(self) -> bool:
        return any(s.has_changes for s in self.services)

    @property
    def blocked(self) -> list[tuple[ServiceRef, Blocked]]:
        return [(s.ref, b) for s in self.services for b in s.blocked]

    def counts(self) -> dict[str, int]:
        counts = {t.value: 0 for t in ActionType}
        for s in self.services:
            for a in s.actions:
                counts[a.TYPE.value] += 1
        counts["blocked"] = sum(len(s.blocked) for s in self.services)
        return counts


def deployment_in_progress(live: LiveState) -> str | None:
    """The deployment under way on the service, if any: a CodeDeploy deployment, an ECS-native
    service deployment, or a rolling PRIMARY deployment whose rolloutState is IN_PROGRESS."""
    if live.active_deployment is not None:
        return live.active_deployment.id
    if live.service_deployment is not None:
        return arn_tail(live.service_deployment.arn)
    primary = live.service.primary if live.service is not None else None
    if primary is not None and primary.rollout_state == "IN_PROGRESS":
        return primary.id
    return None


def in_progress_services(plan: Plan) -> list[ServicePlan]:
    """The unchanged services whose deployment is still under way (a plan says so instead of a
    bare "No changes"; a changed one shows its change, and apply refuses it unless --force)."""
    return [s for s in plan.services if s.in_progress and not s.has_changes]


def wait_command(service: ServicePlan) -> str:
    return f"ecsplan wait -c {service.source or 'ecspresso.yml'}"


def in_progress_lines(plan: Plan) -> list[str]:
    """A line per unchanged service whose deployment is still under way (text and JSON)."""
    return [f"{s.ref}: a deployment is in progress ({s.in_progress}): `{wait_command(s)}` follows it" for s in in_progress_services(plan)]


def locked_services(plan: Plan) -> list[ServicePlan]:
    """The changed services another apply held the lock of when the plan was read."""
    return [s for s in plan.services if s.locked_by and s.has_changes]


def unlock_command(service: ServicePlan) -> str:
    return f"ecsplan apply --force-unlock -c {service.source or 'ecspresso.yml'}"


def lock_lines(plan: Plan) -> list[str]:
    """A line per changed service another apply holds (text and JSON): apply refuses it."""
    return [
        f"{s.ref}: locked by another apply ({s.locked_by}): apply refuses this service until that apply ends "
        f"(if it died: `{unlock_command(s)}`)"
        for s in locked_services(plan)
    ]


def notes(plan: Plan) -> list[str]:
    """What a plan says beside its changes: deployments under way, locks held."""
    return in_progress_lines(plan) + lock_lines(plan)


def summary_line(plan: Plan) -> str:
    """`Plan: 1 to register, 1 to update, 1 blue/green deployment.` (Terraform's summary, our
    nouns; only what will happen: zero counts are noise)."""
    c = plan.counts()
    if not plan.has_changes:
        return "No changes. The live services match the definitions."
    parts = [t.count_text(c[t.value]) for t in ActionType if t.count_words and c[t.value]]
    line = "Plan: " + (", ".join(p for p in parts if p) or "nothing to apply") + "."
    if c["blocked"]:
        line += f" {c['blocked']} blocked (apply will refuse this plan)."
    return line
