"""Walk a Plan: refuse blocked or stale plans, run actions in order through an Applier, stop at
the first failure, and report what was done and what was not.

The executor sees protocols; providers/ implements them against AWS.
"""

from __future__ import annotations

from typing import Any, Callable, Protocol, Sequence

import attrs

from planner.actions import Action, ActionType
from planner.diff import diff
from planner.errors import BlockedPlanError, EcsplanError, Interrupted, PlanError, StalePlanError
from planner.model import Controller, LiveState, ServiceRef
from planner.plan import Plan, ServicePlan, live_view
from planner.appspec import console_url
from planner.rollout import CodeDeployExpectation, RolloutExpectation

Emit = Callable[[str], None]


class LiveStateReader(Protocol):
    def read(self, targets: Sequence[tuple[ServiceRef, str]]) -> dict[ServiceRef, LiveState]: ...

    def identity(self) -> tuple[str | None, str | None]:
        """(region, account id) the reader talks to."""
        ...


class Applier(Protocol):
    def register_task_definition(self, payload: dict[str, Any]) -> str: ...

    def create_service(self, payload: dict[str, Any]) -> dict[str, Any]: ...

    def update_service(self, payload: dict[str, Any]) -> dict[str, Any]: ...

    def create_deployment(self, payload: dict[str, Any], task_definition_arn: str) -> str: ...

    def suspend_autoscaling(self, payload: dict[str, Any]) -> str:
        """Returns what it found: 'suspended' (by us), 'already suspended', 'no scalable target'."""
        ...

    def resume_autoscaling(self, payload: dict[str, Any]) -> None: ...


class Waiter(Protocol):
    def wait_rolling(self, ref: ServiceRef, expect: RolloutExpectation, timeout: float | None, emit: Emit) -> None: ...

    def wait_codedeploy(self, ref: ServiceRef, expect: CodeDeployExpectation, timeout: float | None, emit: Emit) -> None: ...


@attrs.define
class ServiceResult:
    """What apply produced for one service, for the actions that follow and for the report."""

    task_definition_arn: str | None = None
    deployment_id: str | None = None
    wait_for: RolloutExpectation | CodeDeployExpectation | None = None
    autoscaling: str | None = None  # what suspend_autoscaling found


@attrs.define
class ApplyReport:
    done: list[tuple[ServiceRef, ActionType, str]] = attrs.field(factory=list)
    not_done: list[tuple[ServiceRef, ActionType]] = attrs.field(factory=list)
    error: EcsplanError | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def check_blocked(plan: Plan) -> None:
    blocked = plan.blocked
    if blocked:
        lines = [f"  {ref}: {b.path}: {b.reason}" for ref, b in blocked]
        raise BlockedPlanError("the plan has changes that cannot be made in place; nothing was applied:\n" + "\n".join(lines))


def check_identity(plan: Plan, reader: LiveStateReader) -> None:
    region, account = reader.identity()
    if plan.region and region and plan.region != region:
        raise StalePlanError(f"saved plan is for region {plan.region}, but this run talks to {region}; nothing was applied")
    if plan.account and account and plan.account != account:
        raise StalePlanError(f"saved plan is for account {plan.account}, but these credentials are for {account}; nothing was applied")


def check_stale(plan: Plan, reader: LiveStateReader) -> None:
    """A saved plan records what it saw; if the live state moved since, refuse (Terraform)."""
    targets = [(s.ref, s.family) for s in plan.services if s.actions]
    if not targets:
        return
    now = reader.read(targets)
    moved = []
    for s in plan.services:
        if not s.actions:
            continue
        view = live_view(now[s.ref], s.managed_keys)
        if view != s.live_view:
            what = ", ".join(c.path for c in diff(s.live_view, view)) or "live state"
            moved.append(f"  {s.ref}: {what} changed")
    if moved:
        raise StalePlanError(
            "saved plan is stale: the live state changed since it was made; nothing was applied.\n"
            + "\n".join(moved)
            + "\nMake a new plan and review it."
        )


class Executor:
    """One explicit table dispatches action types to handlers; an unknown type raises."""

    def __init__(self, applier: Applier, region: str | None = None) -> None:
        self.applier = applier
        self.region = region
        self.handlers: dict[ActionType, Callable[[ServicePlan, Action, ServiceResult], str]] = {
            ActionType.REGISTER_TASK_DEFINITION: self._register,
            ActionType.CREATE_SERVICE: self._create_service,
            ActionType.UPDATE_SERVICE: self._update_service,
            ActionType.CREATE_DEPLOYMENT: self._create_deployment,
            ActionType.SUSPEND_AUTOSCALING: self._suspend,
            ActionType.RESUME_AUTOSCALING: self._resume,
        }

    def run(self, service: ServicePlan, action: Action, result: ServiceResult) -> str:
        handler = self.handlers.get(action.type)
        if handler is None:
            raise PlanError(f"{service.ref}: ecsplan cannot apply action {action.type.value!r} yet")
        return handler(service, action, result)

    def _register(self, service: ServicePlan, action: Action, result: ServiceResult) -> str:
        result.task_definition_arn = self.applier.register_task_definition(action.payload["taskDefinition"])
        return f"registered {result.task_definition_arn}"

    def _task_definition_for(self, action: Action, result: ServiceResult, fallback: str | None) -> str | None:
        if action.payload.get("use_registered_task_definition"):
            if not result.task_definition_arn:
                raise PlanError("the plan uses a registered task definition, but none was registered")
            return result.task_definition_arn
        return fallback

    def _create_service(self, service: ServicePlan, action: Action, result: ServiceResult) -> str:
        payload = dict(action.payload["service"])
        payload["taskDefinition"] = self._task_definition_for(action, result, payload.get("taskDefinition"))
        created = self.applier.create_service(payload)
        primary = _primary(created)
        result.task_definition_arn = payload["taskDefinition"]
        if service.controller is Controller.ECS:
            result.wait_for = RolloutExpectation(
                deployment_id=primary.get("id") if primary else None, task_definition_arn=payload["taskDefinition"]
            )
        return f"created service {created.get('serviceArn', service.ref.service)}"

    def _update_service(self, service: ServicePlan, action: Action, result: ServiceResult) -> str:
        payload = dict(action.payload)
        td = self._task_definition_for(action, result, None)
        if td:
            payload["taskDefinition"] = td
        updated = self.applier.update_service(payload)
        primary = _primary(updated)
        if service.controller is Controller.ECS:
            if payload.get("starts_deployment"):
                result.deployment_id = primary.get("id") if primary else None
                result.wait_for = RolloutExpectation(
                    deployment_id=result.deployment_id, task_definition_arn=td or (primary or {}).get("taskDefinition")
                )
            else:
                result.wait_for = RolloutExpectation(deployment_id=None, task_definition_arn=None)
        fields = sorted(payload.get("set", {}))
        if td:
            fields.insert(0, "taskDefinition")
        if payload.get("tags_add") or payload.get("tags_remove"):
            fields.append("tags")
        started = f", deployment {result.deployment_id}" if result.deployment_id else ""
        return f"updated {', '.join(fields)}{started}"

    def _create_deployment(self, service: ServicePlan, action: Action, result: ServiceResult) -> str:
        td = self._task_definition_for(action, result, action.payload.get("task_definition_arn"))
        if not td:
            raise PlanError(f"{service.ref}: no task definition to deploy")
        deployment_id = self.applier.create_deployment(action.payload, td)
        result.wait_for = CodeDeployExpectation(deployment_id=deployment_id, task_definition_arn=td)
        detail = f"created CodeDeploy deployment {deployment_id}"
        if self.region:
            detail += f"\n    {console_url(self.region, deployment_id)}"
        return detail

    def _suspend(self, service: ServicePlan, action: Action, result: ServiceResult) -> str:
        result.autoscaling = self.applier.suspend_autoscaling(action.payload)
        return {
            "suspended": f"suspended auto scaling of {action.payload['resource_id']}",
            "already suspended": "auto scaling was already suspended; it will be left suspended",
        }.get(result.autoscaling, f"nothing to suspend ({result.autoscaling})")

    def _resume(self, service: ServicePlan, action: Action, result: ServiceResult) -> str:
        if result.autoscaling != "suspended":
            return "nothing to resume (ecsplan did not suspend it)"
        self.applier.resume_autoscaling(action.payload)
        result.autoscaling = "resumed"
        return f"resumed auto scaling of {action.payload['resource_id']}"


def _primary(service: dict[str, Any]) -> dict[str, Any] | None:
    return next((d for d in service.get("deployments") or [] if d.get("status") == "PRIMARY"), None)


def apply_plan(
    plan: Plan,
    *,
    reader: LiveStateReader,
    applier: Applier,
    waiter: Waiter | None,
    emit: Emit,
    timeout: float | None = None,
) -> ApplyReport:
    """Apply in plan order, service by service; wait for each service's deployment before the
    next service is touched, so a failed rollout stops the run with the rest untouched."""
    report = ApplyReport()
    pending = [(s.ref, a.type) for s in plan.services for a in s.actions]
    try:
        check_blocked(plan)
        check_identity(plan, reader)
        check_stale(plan, reader)
        executor = Executor(applier, plan.region or reader.identity()[0])
        for service in plan.services:
            if service.actions:
                _apply_service(service, executor, waiter, emit, timeout, report, pending)
    except EcsplanError as err:
        report.error = err
    except KeyboardInterrupt:
        # Say what was done before the interrupt: a deploy tool must not leave it unsaid.
        report.error = Interrupted("interrupted; the changes listed as done were made, a deployment may still be running")
    report.not_done = pending
    return report


def _apply_service(
    service: ServicePlan,
    executor: Executor,
    waiter: Waiter | None,
    emit: Emit,
    timeout: float | None,
    report: ApplyReport,
    pending: list[tuple[ServiceRef, ActionType]],
) -> None:
    """The service's actions in order. The deployment an action starts is waited for before the
    next action, so resume_autoscaling comes after the deployment ended; if anything fails or is
    interrupted after ecsplan suspended auto scaling, it is resumed before the error is reported."""
    result = ServiceResult()
    limit = timeout if timeout is not None else service.timeout_seconds

    def run(action: Action) -> None:
        emit(f"{service.ref}: {action.type.value} ...")
        detail = executor.run(service, action, result)
        pending.remove((service.ref, action.type))
        report.done.append((service.ref, action.type, detail))
        emit(f"{service.ref}: {action.type.value}: {detail}")

    try:
        for action in service.actions:
            run(action)
            if result.wait_for is not None and waiter is not None:
                expect, result.wait_for = result.wait_for, None
                if isinstance(expect, CodeDeployExpectation):
                    waiter.wait_codedeploy(service.ref, expect, limit, emit)
                else:
                    waiter.wait_rolling(service.ref, expect, limit, emit)
    except BaseException:
        resume = service.action(ActionType.RESUME_AUTOSCALING)
        if resume is not None and result.autoscaling == "suspended":
            emit(f"{service.ref}: the deployment did not succeed; resuming auto scaling ecsplan suspended")
            try:
                run(resume)
            except EcsplanError as err:
                emit(f"{service.ref}: could not resume auto scaling: {err}")
        raise
