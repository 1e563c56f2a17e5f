"""Walk a Plan: refuse blocked, foreign or stale plans before any write, then run the services
concurrently (bounded), each service's actions in order through an Applier, each service stopping
at its first failure, and report every service: done, failed or not started.

The executor sees protocols; providers/ implements them against AWS. Every command that changes
something (apply, rollback) comes through here.
"""

from __future__ import annotations

import enum
import threading
from concurrent.futures import Future, ThreadPoolExecutor, wait
from typing import Any, Callable, Protocol, Sequence

import attrs

from planner.actions import (
    Action,
    ActionType,
    ContinueServiceDeployment,
    CreateDeployment,
    CreateService,
    DeregisterTaskDefinition,
    RegisterTaskDefinition,
    ResumeAutoscaling,
    StopDeployment,
    StopServiceDeployment,
    SuspendAutoscaling,
    UpdateScalableTarget,
    UpdateService,
)
from planner.appspec import console_url
from planner.diff import diff, plain
from planner.errors import BlockedPlanError, Halted, Interrupted, OutcomeUnknown, PlanError, PlannerError, StalePlanError
from planner.integrity import check_plan
from planner.lock import ServiceLocks
from planner.model import Controller, LiveService, LiveState, ReadTarget, ServiceRef
from planner.native import ServiceDeploymentExpectation, is_native, strategy_of
from planner.plan import Plan, Purpose, ServicePlan, deployment_in_progress, live_view
from planner.rollout import CodeDeployExpectation, RolloutExpectation

Emit = Callable[[str], None]


class AutoscalingState(enum.Enum):
    """What suspend_autoscaling found, so resume knows whether it is ecsplan's to undo."""

    SUSPENDED = "suspended"  # by ecsplan, now
    ALREADY_SUSPENDED = "already suspended"
    NO_TARGET = "no scalable target"
    RESUMED = "resumed"


class LiveStateReader(Protocol):
    def read(self, targets: Sequence[ReadTarget]) -> dict[ServiceRef, LiveState]: ...

    def identity(self) -> tuple[str | None, str | None]:
        """(region, account id) the reader talks to."""
        ...


class Applier(Protocol):
    """One method per action class; each builds the API request from the action's fields."""

    def register_task_definition(self, action: RegisterTaskDefinition) -> str: ...

    def create_service(self, action: CreateService, task_definition_arn: str) -> LiveService: ...

    def update_service(self, action: UpdateService, task_definition_arn: str | None) -> LiveService: ...

    def create_deployment(self, action: CreateDeployment, task_definition_arn: str) -> str: ...

    def stop_deployment(self, action: StopDeployment) -> str:
        """Asks CodeDeploy to stop it; returns CodeDeploy's answer (Pending: StopDeployment is
        asynchronous, the deployment is Stopped and its rollback deployment appears later)."""
        ...

    def continue_service_deployment(self, action: ContinueServiceDeployment) -> str:
        """ContinueServiceDeployment with the action's answer to its hook."""
        ...

    def stop_service_deployment(self, action: StopServiceDeployment) -> str:
        """StopServiceDeployment; returns the ARN ECS answers. The stop takes effect later."""
        ...

    def suspend_autoscaling(self, action: SuspendAutoscaling) -> AutoscalingState: ...

    def update_scalable_target(self, action: UpdateScalableTarget) -> None: ...

    def resume_autoscaling(self, action: ResumeAutoscaling) -> None: ...

    def deregister_task_definition(self, action: DeregisterTaskDefinition) -> None: ...


class Waiter(Protocol):
    def wait_rolling(self, ref: ServiceRef, expect: RolloutExpectation, timeout: float | None, emit: Emit) -> None: ...

    def wait_codedeploy(self, ref: ServiceRef, expect: CodeDeployExpectation, timeout: float | None, emit: Emit) -> None: ...

    def wait_service_deployment(self, ref: ServiceRef, expect: ServiceDeploymentExpectation, timeout: float | None, emit: Emit) -> None: ...


@attrs.define
class ServiceResult:
    """What apply produced for one service, for the actions that follow and for the report."""

    task_definition_arn: str | None = None
    deployment_id: str | None = None
    wait_for: RolloutExpectation | CodeDeployExpectation | ServiceDeploymentExpectation | None = None
    autoscaling: AutoscalingState | None = None
    waited: bool = False  # a deployment of this service was waited for and succeeded


def check_blocked(plan: Plan) -> None:
    blocked = plan.blocked
    if blocked:
        lines = [f"  {ref}: {b.path}: {b.reason}" for ref, b in blocked]
        raise BlockedPlanError("the plan has changes that cannot be made in place; nothing was applied:\n" + "\n".join(lines))


def check_identity(plan: Plan, reader: LiveStateReader) -> None:
    region, account = reader.identity()
    # A plan always records where it was made; one that names no region or account (edited
    # out) cannot be checked against this run, so it is not applied anywhere.
    for what, value, here in (("region", plan.region, region), ("account", plan.account, account)):
        if not value and here:
            raise StalePlanError(f"the plan names no {what}, so it cannot be checked against this run ({here}); nothing was applied")
    if plan.region and region and plan.region != region:
        raise StalePlanError(f"saved plan is for region {plan.region}, but this run talks to {region}; nothing was applied")
    if plan.account and account and plan.account != account:
        raise StalePlanError(f"saved plan is for account {plan.account}, but these credentials are for {account}; nothing was applied")


def check_code_deploy_updates(plan: Plan) -> None:
    """UpdateService on a CODE_DEPLOY service refuses taskDefinition, even the revision it runs,
    and forceNewDeployment ("Cannot force a new deployment on services with a CODE_DEPLOY
    deployment controller"): a new revision goes through CodeDeploy. The planner never puts
    either in such a service's update_service; a plan that has one (a plan file edited by hand,
    or made otherwise) is refused before any write, rather than half applied."""
    bad = []
    for s in plan.services:
        if s.controller is not Controller.CODE_DEPLOY:
            continue
        for action in s.actions:
            if not isinstance(action, UpdateService):
                continue
            task_definition = "(the plan's task definition)" if action.task_definition is not None else None
            refused = sorted(set(action.request(task_definition)) & {"taskDefinition", "forceNewDeployment"})
            if refused:
                bad.append(f"  {s.ref}: update_service would send {' and '.join(refused)}")
    if bad:
        raise PlanError(
            "the plan would send UpdateService fields that ECS refuses on CODE_DEPLOY services (a new revision goes "
            "through a CodeDeploy deployment); nothing was applied:\n" + "\n".join(bad)
        )


# What an apply moves, applied or failed: the family's latest revision, the PRIMARY deployment.
APPLIED_MARKS = ("latestRevision", "primaryDeployment")


def check_stale(plan: Plan, reader: LiveStateReader) -> dict[ServiceRef, LiveState]:
    """A saved plan records what it saw; if the live state moved since, refuse (Terraform).
    Returns what it read (the services the plan changes)."""
    changing = [s for s in plan.services if s.actions]
    if not changing:
        return {}
    now = reader.read([s.read_target for s in changing])
    moved = []
    applied = False
    for s in changing:
        view = live_view(now[s.ref], s.managed_keys, s.ignore_tags, scalable_target=s.changes_scalable_target)
        if plain(view) != plain(s.live_view):
            paths = [c.path for c in diff(plain(s.live_view), view)]
            applied = applied or any(p in APPLIED_MARKS for p in paths)
            moved.append(f"  {s.ref}: {', '.join(paths) or 'live state'} changed")
    if moved:
        why = (
            "\nIt was probably applied already (a plan applies once, whether its deployment succeeded or not)."
            if applied
            else ""
        )
        raise StalePlanError(
            "saved plan is stale: the live state changed since it was made; nothing was applied.\n"
            + "\n".join(moved)
            + why
            + "\nMake a new plan and review it."
        )
    return now


def check_in_progress(plan: Plan, now: dict[ServiceRef, LiveState], force: bool) -> None:
    """A deploy that changes a service whose deployment is still under way (ecsplan's own,
    interrupted, or anyone's) is refused unless forced: it would stop or pile onto that one.
    Rollback and continue plans act on the deployment in progress: not refused."""
    if force or plan.purpose is not Purpose.DEPLOY:
        return
    busy = [f"{s.ref} ({d})" for s in plan.services if s.actions and s.ref in now and (d := deployment_in_progress(now[s.ref]))]
    if busy:
        raise PlanError(
            f"a deployment is in progress: {', '.join(busy)}; wait for it (`ecsplan wait`) or pass --force; nothing was applied"
        )


Handler = Callable[[ServicePlan, Any, ServiceResult], str]


class Executor:
    """One explicit table dispatches action types to handlers; an unknown type raises."""

    def __init__(self, applier: Applier, region: str | None = None) -> None:
        self.applier = applier
        self.region = region
        self.handlers: dict[ActionType, Handler] = {
            ActionType.REGISTER_TASK_DEFINITION: self._register,
            ActionType.CREATE_SERVICE: self._create_service,
            ActionType.SUSPEND_AUTOSCALING: self._suspend,
            ActionType.UPDATE_SCALABLE_TARGET: self._update_scalable_target,
            ActionType.UPDATE_SERVICE: self._update_service,
            ActionType.CREATE_DEPLOYMENT: self._create_deployment,
            ActionType.STOP_DEPLOYMENT: self._stop_deployment,
            ActionType.STOP_SERVICE_DEPLOYMENT: self._stop_service_deployment,
            ActionType.CONTINUE_SERVICE_DEPLOYMENT: self._continue_service_deployment,
            ActionType.RESUME_AUTOSCALING: self._resume,
            ActionType.DEREGISTER_TASK_DEFINITION: self._deregister,
        }

    def run(self, service: ServicePlan, action: Action, result: ServiceResult) -> str:
        handler = self.handlers.get(action.TYPE)
        if handler is None:
            raise PlannerError(f"{service.ref}: ecsplan cannot apply action {action.TYPE.value!r} yet")
        return handler(service, action, result)

    def _register(self, service: ServicePlan, action: RegisterTaskDefinition, result: ServiceResult) -> str:
        result.task_definition_arn = self.applier.register_task_definition(action)
        return f"registered {result.task_definition_arn}"

    def _create_service(self, service: ServicePlan, action: CreateService, result: ServiceResult) -> str:
        td = action.task_definition.resolve(result.task_definition_arn)
        created = self.applier.create_service(action, td)
        result.task_definition_arn = td
        if service.controller is Controller.ECS and is_native(strategy_of(created.description)):
            # BLUE_GREEN / LINEAR / CANARY: the first deployment is a service deployment too.
            result.deployment_id = created.description.get("currentServiceDeployment")
            result.wait_for = ServiceDeploymentExpectation(arn=result.deployment_id, task_definition_arn=td)
        elif service.controller is Controller.ECS:
            primary = created.primary
            result.deployment_id = primary.id if primary else None
            result.wait_for = RolloutExpectation(deployment_id=result.deployment_id, task_definition_arn=td)
        return f"created service {created.arn}"

    def _update_service(self, service: ServicePlan, action: UpdateService, result: ServiceResult) -> str:
        td = action.task_definition.resolve(result.task_definition_arn) if action.task_definition is not None else None
        updated = self.applier.update_service(action, td)
        primary = updated.primary
        native = is_native(strategy_of(updated.description))
        if service.controller is Controller.ECS and native and action.starts_deployment:
            # The strategy as ECS now has it (this update may have switched it): BLUE_GREEN,
            # LINEAR and CANARY deploy through a service deployment, followed by its ARN.
            result.deployment_id = updated.description.get("currentServiceDeployment")
            result.wait_for = ServiceDeploymentExpectation(
                arn=result.deployment_id, task_definition_arn=td or (primary.task_definition if primary else None)
            )
        elif service.controller is Controller.ECS:
            if action.starts_deployment:
                result.deployment_id = primary.id if primary else None
                result.wait_for = RolloutExpectation(deployment_id=result.deployment_id, task_definition_arn=td or (primary.task_definition if primary else None))
            else:
                result.wait_for = RolloutExpectation(deployment_id=None, task_definition_arn=None)
        started = f", deployment {result.deployment_id}" if result.deployment_id else ""
        fields = ", ".join(action.changed_fields())
        # --force-new-deployment of an unchanged service: nothing but the restart.
        return f"updated {fields}{started}" if fields else f"forced a new deployment {result.deployment_id or ''}".rstrip()

    def _create_deployment(self, service: ServicePlan, action: CreateDeployment, result: ServiceResult) -> str:
        td = action.task_definition.resolve(result.task_definition_arn)
        deployment_id = self.applier.create_deployment(action, td)
        result.deployment_id = deployment_id
        result.wait_for = CodeDeployExpectation(deployment_id=deployment_id, task_definition_arn=td, group=service.codedeploy)
        detail = f"created CodeDeploy deployment {deployment_id}"
        if self.region:
            detail += f"\n    {console_url(self.region, deployment_id)}"
        return detail

    def _stop_deployment(self, service: ServicePlan, action: StopDeployment, result: ServiceResult) -> str:
        # StopDeployment is asynchronous: the wait is for the stop, then for the rollback
        # deployment CodeDeploy starts once the deployment is Stopped.
        answer = self.applier.stop_deployment(action)
        result.wait_for = CodeDeployExpectation(deployment_id=action.deployment_id, task_definition_arn=None, group=service.codedeploy, stopping=True)
        how = "with rollback" if action.rollback else "without rollback"
        return f"asked CodeDeploy to stop deployment {action.deployment_id} {how} (CodeDeploy: {answer or 'no answer'})"

    def _stop_service_deployment(self, service: ServicePlan, action: StopServiceDeployment, result: ServiceResult) -> str:
        # Asynchronous too: ROLLBACK_REQUESTED now, the rollback on the following polls.
        self.applier.stop_service_deployment(action)
        result.wait_for = ServiceDeploymentExpectation(arn=action.service_deployment_arn, task_definition_arn=None, stopping=True)
        return f"asked ECS to stop service deployment {action.service_deployment_arn} ({action.stop_type})"

    def _continue_service_deployment(self, service: ServicePlan, action: ContinueServiceDeployment, result: ServiceResult) -> str:
        # The deployment goes on (or rolls back) on its own time: the waiter follows it to its end.
        self.applier.continue_service_deployment(action)
        result.wait_for = ServiceDeploymentExpectation(arn=action.service_deployment_arn, task_definition_arn=None, stopping=action.action == "ROLLBACK")
        return f"answered hook {action.hook_id} of service deployment {action.service_deployment_arn}: {action.action}"

    def _suspend(self, service: ServicePlan, action: SuspendAutoscaling, result: ServiceResult) -> str:
        result.autoscaling = self.applier.suspend_autoscaling(action)
        if result.autoscaling is AutoscalingState.SUSPENDED:
            return f"suspended auto scaling of {action.resource_id}"
        if result.autoscaling is AutoscalingState.ALREADY_SUSPENDED:
            return "auto scaling was already suspended; it will be left suspended"
        return f"nothing to suspend ({result.autoscaling.value})"

    def _update_scalable_target(self, service: ServicePlan, action: UpdateScalableTarget, result: ServiceResult) -> str:
        self.applier.update_scalable_target(action)
        return f"set the auto scaling range of {action.resource_id} to [{action.min_capacity}, {action.max_capacity}]"

    def _resume(self, service: ServicePlan, action: ResumeAutoscaling, result: ServiceResult) -> str:
        if result.autoscaling is not AutoscalingState.SUSPENDED:
            return "nothing to resume (ecsplan did not suspend it)"
        self.applier.resume_autoscaling(action)
        result.autoscaling = AutoscalingState.RESUMED
        return f"resumed auto scaling of {action.resource_id}"


    def _deregister(self, service: ServicePlan, action: DeregisterTaskDefinition, result: ServiceResult) -> str:
        # Runs after the service's rollback was waited for: the wait raises when it fails, so
        # the actions before this one ended well. A plan with no wait before it (edited by hand)
        # is refused rather than deregistering a revision the service may still need.
        if not result.waited:
            raise PlanError(f"{service.ref}: no rollback deployment was waited for before deregister_task_definition; not deregistered")
        self.applier.deregister_task_definition(action)
        return f"deregistered {action.task_definition_arn} (now INACTIVE)"


def check_deregister_waits(plan: Plan, waiting: bool) -> None:
    """A revision is deregistered only once the rollback deployment succeeded, which only the
    wait knows: a plan that deregisters one is refused without the wait, before any write."""
    if waiting:
        return
    deregistering = [str(s.ref) for s in plan.services if s.action(ActionType.DEREGISTER_TASK_DEFINITION) is not None]
    if deregistering:
        raise PlanError(
            f"the plan deregisters the rolled-back revision once the rollback succeeded ({', '.join(deregistering)}), "
            "which needs the wait: drop --no-wait; nothing was applied"
        )


class Outcome(enum.Enum):
    DONE = "done"
    FAILED = "failed"
    NOT_STARTED = "not started"


@attrs.define
class ServiceOutcome:
    """One service's line of the result table."""

    ref: ServiceRef
    status: Outcome = Outcome.NOT_STARTED
    deployment_id: str | None = None
    reason: str = ""
    error: BaseException | None = None


@attrs.define
class ApplyReport:
    done: list[tuple[ServiceRef, ActionType, str]] = attrs.field(factory=list)
    not_done: list[tuple[ServiceRef, ActionType]] = attrs.field(factory=list)
    # Writes whose outcome is unknown (OutcomeUnknown): AWS may have made them.
    unknown: list[tuple[ServiceRef, ActionType]] = attrs.field(factory=list)
    error: Exception | None = None  # a check that refused the plan, Ctrl-C, else the first service failure
    services: list[ServiceOutcome] = attrs.field(factory=list)  # plan order, services with actions

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def failed(self) -> list[ServiceOutcome]:
        return [o for o in self.services if o.status is Outcome.FAILED]


def _first_line(err: BaseException) -> str:
    return (str(err).strip().splitlines() or [type(err).__name__])[0]


def apply_plan(
    plan: Plan,
    *,
    reader: LiveStateReader,
    applier: Applier,
    waiter: Waiter | None,
    emit: Emit,
    timeout: float | None = None,
    parallelism: int = 1,
    fail_fast: bool = False,
    stop: threading.Event | None = None,
    force: bool = False,
    locks: ServiceLocks | None = None,
    force_unlock: bool = False,
) -> ApplyReport:
    """Every check runs before the first write of any service. Then the services run in a pool
    of `parallelism` threads, each service's actions in order, the deployment an action starts
    waited for before its next action. A failing service does not stop the others; with
    `fail_fast` no new service starts and the running ones stop before their next action (a
    wait under way is followed to its end: its deployment is running either way). Ctrl-C
    (KeyboardInterrupt in the calling thread, or in a worker) sets `stop`, which the waiter
    shares (its polls end at the next one): no new service starts, the running ones stop at
    their next step. Auto scaling ecsplan suspended is resumed in every service that stopped
    early. The report has every service: done, failed (why) or not started.

    `locks` (planner/lock.py): a service locked by another apply refuses the plan before any
    write (`force_unlock` breaks the lock); every lock is taken before the first write, then the
    live state is checked again under the locks, and each is given back when its service is done."""
    changing = [s for s in plan.services if s.actions]
    report = ApplyReport(services=[ServiceOutcome(s.ref) for s in changing])
    report.not_done = [(s.ref, a.TYPE) for s in changing for a in s.actions]
    try:
        check_blocked(plan)
        check_code_deploy_updates(plan)
        check_plan(plan)  # the payloads give the changes shown, for the services shown
        check_deregister_waits(plan, waiter is not None)
        check_identity(plan, reader)
        now = check_stale(plan, reader)
        if locks is not None and plan.purpose is not Purpose.DEPLOY:
            # Rollback and continue act on the deployment in progress, also one an apply waits on.
            for line in locks.notes(changing, now, plan.purpose.value):
                emit(line)
            locks = None
        if locks is not None:
            locks.check(changing, now, force_unlock)
        check_in_progress(plan, now, force)
        executor = Executor(applier, plan.region or reader.identity()[0])
        if locks is not None:
            locks.acquire(changing, now, force_unlock)
            # Under the locks: an apply that ended between the read above and the lock moved the
            # live state (or started a deployment): the plan is refused as stale here.
            check_in_progress(plan, check_stale(plan, reader), force)
    except Exception as err:  # noqa: BLE001 - any failure, known or not, gets the done/not-done report
        _release_all(locks)
        report.error = err
        for outcome in report.services:
            outcome.reason = "nothing was applied"
        return report
    except KeyboardInterrupt:
        _release_all(locks)
        report.error = Interrupted("interrupted before any change; nothing was applied")
        return report
    run = _Run(report, executor, waiter, emit, timeout, fail_fast, stop or threading.Event())
    run.locks = locks
    try:
        run.run(changing, parallelism)
    finally:
        _release_all(locks)  # the services that never started
    return report


def _release_all(locks: ServiceLocks | None) -> None:
    if locks is not None:
        locks.release_all()


INTERRUPTED = "interrupted; the changes listed as done were made, a deployment may still be running"


def _wait_all(futures: list[Future[None]]) -> None:
    """Wait in slices: a Ctrl-C that lands just before the main thread blocks is handled at the
    next slice at the latest (a lock wait is not always woken by the signal)."""
    while wait(futures, timeout=WAIT_SLICE).not_done:
        pass


WAIT_SLICE = 0.5  # seconds


class _Run:
    """The pool's shared state: the report (changed under one lock), the events, the emit lock."""

    def __init__(self, report: ApplyReport, executor: Executor, waiter: Waiter | None, emit: Emit, timeout: float | None,
                 fail_fast: bool, stop: threading.Event) -> None:
        self.report, self.executor, self.waiter, self.timeout, self.fail_fast = report, executor, waiter, timeout, fail_fast
        self.stop = stop  # Ctrl-C: shared with the waiter, whose polls end at the next one
        self.halt = threading.Event()  # --fail-fast after a failure: no new service, no new action
        self.lock = threading.Lock()
        # Services whose thread is in service(): a Ctrl-C that lands inside pool.submit can leave a
        # started worker out of the pool's own bookkeeping (no future, not joined by shutdown).
        self.active = 0
        self.idle = threading.Condition()
        self._emit = emit
        self.prefixed = len(report.services) > 1
        self.locks: ServiceLocks | None = None  # given back by each service when it is done

    def emit(self, line: str) -> None:
        with self.lock:  # one whole line (or block) at a time, from any thread
            self._emit(line)

    def emit_for(self, ref: ServiceRef) -> Emit:
        """Lines of a service among several: `[cluster/service] ...` (its `cluster/service: ` dropped)."""
        if not self.prefixed:
            return self.emit
        own = f"{ref}: "

        def emit(line: str) -> None:
            self.emit(f"[{ref}] {line[len(own):] if line.startswith(own) else line}")

        return emit

    def run(self, changing: list[ServicePlan], parallelism: int) -> None:
        pool = ThreadPoolExecutor(max_workers=max(1, min(parallelism, len(changing))), thread_name_prefix="ecsplan-apply")
        futures: list[Future[None]] = []
        try:
            try:
                for service, outcome in zip(changing, self.report.services):
                    futures.append(pool.submit(self.service, service, outcome))
                _wait_all(futures)
            except KeyboardInterrupt:
                self.interrupt()
                self.emit("interrupted: no new service starts; the running ones stop at their next step")
                wait(futures)
        finally:
            pool.shutdown(wait=True)
            with self.idle:
                self.idle.wait_for(lambda: self.active == 0)
        if self.stop.is_set():
            self.report.error = Interrupted(INTERRUPTED)
        for outcome in self.report.services:
            if outcome.status is Outcome.NOT_STARTED and not outcome.reason:
                outcome.reason = "interrupted" if self.stop.is_set() else "another service failed (--fail-fast)"

    def interrupt(self) -> None:
        self.stop.set()
        self.halt.set()

    def service(self, service: ServicePlan, outcome: ServiceOutcome) -> None:
        with self.idle:
            self.active += 1
        try:
            self._service(service, outcome)
        finally:
            if self.locks is not None:
                self.locks.release(service.ref)
            with self.idle:
                self.active -= 1
                self.idle.notify_all()

    def _service(self, service: ServicePlan, outcome: ServiceOutcome) -> None:
        if self.halt.is_set() or self.stop.is_set():
            return
        result = ServiceResult()
        try:
            _apply_service(service, self, self.emit_for(service.ref), result)
            outcome.status = Outcome.DONE
        except BaseException as err:  # noqa: BLE001 - kept in the report; Ctrl-C in a worker stops the run
            if isinstance(err, KeyboardInterrupt):
                self.interrupt()
                err = Interrupted(INTERRUPTED)
            reason = _first_line(err)
            own = f"{service.ref}: "
            outcome.status, outcome.error, outcome.reason = Outcome.FAILED, err, reason[len(own):] if reason.startswith(own) else reason
            with self.lock:
                if self.report.error is None and not isinstance(err, Halted) and isinstance(err, Exception):
                    self.report.error = err
        finally:
            outcome.deployment_id = result.deployment_id


def _apply_service(service: ServicePlan, run: _Run, emit: Emit, result: ServiceResult) -> None:
    """The service's actions in order. The deployment an action starts is waited for before the
    next action, so resume_autoscaling comes after the deployment ended; if anything fails or is
    interrupted after ecsplan suspended auto scaling, it is resumed before the error is reported."""
    limit = run.timeout if run.timeout is not None else service.timeout_seconds
    waiter = run.waiter

    def step(action: Action) -> None:
        emit(f"{service.ref}: {action.TYPE.label} ...")
        try:
            detail = run.executor.run(service, action, result)
        except OutcomeUnknown:
            with run.lock:
                run.report.not_done.remove((service.ref, action.TYPE))
                run.report.unknown.append((service.ref, action.TYPE))
            raise
        with run.lock:
            run.report.not_done.remove((service.ref, action.TYPE))
            run.report.done.append((service.ref, action.TYPE, detail))
        emit(f"{service.ref}: {action.TYPE.label}: {detail}")

    try:
        for action in service.actions:
            if run.stop.is_set():
                raise Interrupted(f"{service.ref}: interrupted before {action.TYPE.label}")
            if run.halt.is_set():
                raise Halted(f"{service.ref}: stopped before {action.TYPE.label}: another service failed (--fail-fast)")
            step(action)
            if result.wait_for is not None and waiter is not None:
                expect, result.wait_for = result.wait_for, None
                if isinstance(expect, CodeDeployExpectation):
                    waiter.wait_codedeploy(service.ref, expect, limit, emit)
                elif isinstance(expect, ServiceDeploymentExpectation):
                    waiter.wait_service_deployment(service.ref, expect, limit, emit)
                else:
                    waiter.wait_rolling(service.ref, expect, limit, emit)
                result.waited = True
    except BaseException:
        if run.fail_fast:
            run.halt.set()  # before this service's own clean-up: the others stop at their next action
        resume = service.action(ActionType.RESUME_AUTOSCALING)
        if resume is not None and result.autoscaling is AutoscalingState.SUSPENDED:
            emit(f"{service.ref}: the deployment did not succeed; resuming auto scaling ecsplan suspended")
            try:
                step(resume)
            except Exception as err:  # noqa: BLE001 - the first error is the one to report
                emit(f"{service.ref}: could not resume auto scaling: {err}")
        raise
