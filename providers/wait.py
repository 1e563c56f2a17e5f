"""Waiting for deployments: poll, print each change of state and each new service event, and
decide success with planner.rollout (never the services_stable waiter)."""

from __future__ import annotations

import datetime as dt
import threading
import time
from typing import Any, Callable, TypeVar

from planner.codedeploy import (
    TrafficRouting,
    WaitBudget,
    WaitUntil,
    describe_status,
    describe_traffic,
    judge_deployment,
    judge_stop,
    predefined_routing,
    termination_wait_note,
    traffic_shifted,
    wait_budget,
)
from planner.errors import DeploymentFailed, Interrupted, WaitTimeout
from planner.execute import Emit
from planner.model import DeploymentGroupInfo, LiveService, ServiceEvent, ServiceRef
from planner.native import ServiceDeploymentExpectation, paused_note
from planner.native import describe as describe_service_deployment
from planner.native import judge as judge_service_deployment
from planner.rollout import (
    CodeDeployExpectation,
    RolloutExpectation,
    RolloutState,
    describe_deployments,
    judge,
    rollback_in_progress,
    rollout_state_note,
    stopped_task_line,
    timeout_report,
    what_is_awaited,
)
from providers import codedeploy, ecs
from providers.errors import AwsError
from providers.service_deployments import ServiceDeployments
from providers.session import Session, aws_errors, poll_interval

T = TypeVar("T")


def format_duration(seconds: float) -> str:
    seconds = int(round(seconds))
    if seconds % 60 == 0 and seconds >= 60:
        return f"{seconds // 60}m"
    if seconds >= 60:
        return f"{seconds // 60}m{seconds % 60}s"
    return f"{seconds}s"


class AwsWaiter:
    DEFAULT_TIMEOUT = 600.0  # ecspresso's default: 10m

    def __init__(
        self,
        session: Session,
        *,
        resume_hint: str = "ecsplan wait",
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        until: WaitUntil = WaitUntil.SUCCEEDED,
        stop: threading.Event | None = None,
    ) -> None:
        self.session = session
        self.stop = stop  # set on Ctrl-C by the executor (parallel apply): the wait ends at its next poll
        self.resume_hint = resume_hint
        self.sleep = sleep
        self.clock = clock
        self.until = until  # how far CodeDeploy deployments are followed (--wait-until)
        self._routings: dict[str, TrafficRouting | None] = {}  # custom deployment configs read
        self._warned: set[tuple[str, str]] = set()  # display-only reads that failed: warned once each

    def _pause(self, ref: ServiceRef, interval: float) -> None:
        """Between two polls. With a stop event, the pause is a wait on it: Ctrl-C in the main
        thread ends every wait (each in its own thread) at once, not after a whole interval."""
        if self.stop is None:
            self.sleep(interval)
        elif self.stop.wait(interval):
            raise self._interrupted(ref)

    def _interrupted(self, ref: ServiceRef) -> Interrupted:
        return Interrupted(f"{ref}: interrupted while waiting; the deployment may still be running: follow it with `{self.resume_hint}`")

    def _calls(self, ref: ServiceRef, what: str, started: float, timeout: float, emit: Emit) -> _Calls:
        return _Calls(self, ref, what, started, timeout, emit)

    def _describe(self, ref: ServiceRef) -> LiveService:
        with aws_errors(f"describing service {ref.service} in cluster {ref.cluster}"):
            resp = self.session.client("ecs").describe_services(cluster=ref.cluster, services=[ref.service])
        if not resp.get("services"):
            raise DeploymentFailed(f"{ref}: the service disappeared while waiting")
        found = resp["services"][0]
        return LiveService(arn=str(found.get("serviceArn", "")), description=dict(found))

    def _stopped_tasks_text(self, ref: ServiceRef, service: LiveService, expect: RolloutExpectation) -> str:
        """The tasks the failed deployment stopped: their stoppedReason and container exit codes."""
        failed = expect.deployment_id or next((d.id for d in service.deployments if d.rollout_state == "FAILED"), None)
        if not failed:
            return ""
        lines = [stopped_task_line(t) for t in ecs.stopped_tasks(self.session, ref.cluster, failed)]
        return f"\nTasks deployment {failed} stopped (DescribeTasks):\n" + "\n".join(lines) if lines else ""

    def wait_rolling(self, ref: ServiceRef, expect: RolloutExpectation, timeout: float | None, emit: Emit) -> None:
        timeout = self.DEFAULT_TIMEOUT if timeout is None else timeout
        interval = poll_interval()
        started = self.clock()
        wait_started = dt.datetime.now(dt.timezone.utc)
        history: set[str] | None = None
        seen_events: set[str] = set()
        new_events: list[ServiceEvent] = []
        last_state = ""
        noted = False
        what = what_is_awaited(expect)
        emit(f"{ref}: waiting for {what} (timeout {format_duration(timeout)})")
        call = self._calls(ref, what, started, timeout, emit)
        while True:
            service = call(lambda: self._describe(ref))
            if history is None:
                # What the first poll lists from before `since` is history; any event that shows
                # up later is new, whatever its timestamp (clocks differ).
                since = _events_since(service, expect, wait_started)
                history = {e.id for e in service.events if e.created_at is not None and e.created_at < since}
            # ECS lists events newest first; print them oldest first.
            for event in reversed(service.events):
                if event.id in seen_events or event.id in history:
                    continue
                seen_events.add(event.id)
                new_events.append(event)
                emit(f"{ref}: event: {event.message}")
            state = describe_deployments(service)
            if state != last_state:
                emit(f"{ref}: {state}")
                last_state = state
            note = None if noted else rollout_state_note(service, expect)
            if note:
                emit(f"{ref}: {note}")
                noted = True
            verdict = judge(service, expect)
            if verdict.state is RolloutState.SUCCEEDED:
                emit(f"{ref}: {verdict.message}")
                return
            if verdict.state is RolloutState.FAILED:
                message = verdict.message
                rollback = None if expect.rollback else rollback_in_progress(service)
                if rollback is not None:
                    message += f"; the rollback is in progress: follow it with `{self.resume_hint}`"
                events = "\n".join(f"  {e.message}" for e in new_events[-8:])
                since_what = "the wait started" if expect.from_wait_start else "the deployment started"
                tail = f"\nService events since {since_what}:\n{events}" if events else ""
                with call.bounded():
                    tail += self._stopped_tasks_text(ref, service, expect)
                raise DeploymentFailed(f"{ref}: {message}{tail}")
            if self.clock() - started >= timeout:
                report = timeout_report(service, expect, [e.message for e in new_events])
                raise WaitTimeout(
                    f"{ref}: timed out after {format_duration(timeout)} waiting for {what}; it may still be running "
                    f"(now: {state})." + (f"\n{report}\n" if report else " ")
                    + f"Follow it with `{self.resume_hint}`, or raise --timeout / `timeout:` in the config"
                )
            self._pause(ref, interval)

    def wait_codedeploy(self, ref: ServiceRef, expect: CodeDeployExpectation, timeout: float | None, emit: Emit) -> None:
        """Follow a CodeDeploy deployment until it Succeeded (or, with --wait-until
        traffic-shifted, until its traffic has moved); for a stop apply asked for, first until
        the stop took effect, then the rollback deployment CodeDeploy started, if any."""
        if expect.stopping:
            rollback_id = self._wait_for_stop(ref, expect, timeout, emit)
            if rollback_id is None:
                return
            # A rollback deployment: all of it, whatever --wait-until says.
            self._follow_codedeploy(ref, CodeDeployExpectation(deployment_id=rollback_id, task_definition_arn=None, group=expect.group), timeout, emit, WaitUntil.SUCCEEDED)
            return
        self._follow_codedeploy(ref, expect, timeout, emit, self.until)

    def _budget(self, group: DeploymentGroupInfo | None) -> WaitBudget | None:
        """The default CodeDeploy wait: the group's waits and its deployment config's traffic
        shifting (a custom config is read once per run; the predefined ones not at all)."""
        if group is None:
            return None
        routing = predefined_routing(group.deployment_config)
        if routing is None and group.deployment_config:
            name = group.deployment_config
            if name not in self._routings:
                try:
                    self._routings[name] = codedeploy.traffic_routing(self.session, name)
                except AwsError:
                    self._routings[name] = None  # said in the budget: "traffic shifting ... unknown"
            routing = self._routings[name]
        return wait_budget(group, routing)

    def _follow_codedeploy(self, ref: ServiceRef, expect: CodeDeployExpectation, timeout: float | None, emit: Emit, until: WaitUntil) -> None:
        """Poll the deployment; print its status, each lifecycle event and each traffic shift as
        it moves; when it Succeeded (or shifted its traffic, as `until` asks), check the service
        really runs the new task definition."""
        budget = self._budget(expect.group) if timeout is None else None
        if timeout is None:
            timeout = budget.seconds if budget is not None else self.DEFAULT_TIMEOUT
        interval = poll_interval()
        started = self.clock()
        last_status = last_traffic = ""
        told_termination = False
        seen: dict[str, str] = {}
        made_of = f": {budget.explain()}" if budget is not None else ""
        emit(f"{ref}: waiting for CodeDeploy deployment {expect.deployment_id} (timeout {format_duration(timeout)}{made_of})")
        call = self._calls(ref, f"CodeDeploy deployment {expect.deployment_id}", started, timeout, emit)
        while True:
            info = call(lambda: codedeploy.get_deployment(self.session, expect.deployment_id))
            target = call(lambda: self._ecs_target(ref, expect.deployment_id, until, emit))
            events = list(target.get("lifecycleEvents") or [])
            for event in events:
                name, state = event.get("lifecycleEventName", "?"), event.get("status", "?")
                if seen.get(name) != state and state != "Pending":
                    seen[name] = state
                    diag = (event.get("diagnostics") or {}).get("message")
                    emit(f"{ref}:   {name}: {state}" + (f" ({diag})" if diag else ""))
            traffic = describe_traffic(target.get("taskSetsInfo") or [])
            if traffic and traffic != last_traffic:
                emit(f"{ref}:   {traffic}")
                last_traffic = traffic
            status = describe_status(info, expect.group)  # after the events that led to it
            if status != last_status:
                emit(f"{ref}: deployment {expect.deployment_id}: {status}")
                last_status = status
            shifted = traffic_shifted(events)
            service_td = None
            if info.get("status") == "Succeeded" or (until is WaitUntil.TRAFFIC_SHIFTED and shifted):
                service_td = call(lambda: self._describe(ref)).task_definition_arn
            now = dt.datetime.now(dt.timezone.utc)
            verdict = judge_deployment(info, service_td, expect, events=events, until=until, now=now)
            if verdict.state is RolloutState.SUCCEEDED:
                emit(f"{ref}: {verdict.message}")
                return
            if verdict.state is RolloutState.FAILED:
                raise DeploymentFailed(f"{ref}: {verdict.message}")
            if shifted and not told_termination and (expect.group is None or expect.group.termination_wait_minutes > 0):
                emit(f"{ref}: {termination_wait_note(expect.deployment_id, events, expect.group, now)}")
                told_termination = True
            if self.clock() - started >= timeout:
                raise WaitTimeout(
                    f"{ref}: timed out after {format_duration(timeout)} waiting for CodeDeploy deployment "
                    f"{expect.deployment_id} (now {status}); it goes on in CodeDeploy. Follow it with "
                    f"`{self.resume_hint}`, or stop it with rollback (`ecsplan rollback`)"
                )
            self._pause(ref, interval)

    def _ecs_target(self, ref: ServiceRef, deployment_id: str, until: WaitUntil, emit: Emit) -> dict[str, Any]:
        """The deployment's target (lifecycle events, traffic), which a wait until Succeeded only
        prints: when it cannot be read (a role without codedeploy:ListDeploymentTargets /
        GetDeploymentTarget, an error), one warning and the wait goes on, judged by GetDeployment.
        --wait-until traffic-shifted needs the events: there the error ends the wait."""
        try:
            return codedeploy.ecs_target(self.session, deployment_id)
        except AwsError as err:
            if until is WaitUntil.TRAFFIC_SHIFTED:
                raise
            key = ("codedeploy-target", deployment_id)
            if key not in self._warned:
                self._warned.add(key)
                emit(f"{ref}: warning: cannot show lifecycle events and traffic ({err}); the wait goes on with the deployment's status")
            return {}

    def _service_events(self, ref: ServiceRef, emit: Emit, call: _Calls) -> tuple[ServiceEvent, ...]:
        """The service's events, which a service deployment's wait only prints (it is judged by
        DescribeServiceDeployments): when they cannot be read (a role without
        ecs:DescribeServices, an error), one warning and none."""
        try:
            return call.once(lambda: tuple(self._describe(ref).events))
        except AwsError as err:
            key = ("service-events", str(ref))
            if key not in self._warned:
                self._warned.add(key)
                emit(f"{ref}: warning: cannot show service events ({err}); the wait goes on with the service deployment's status")
            return ()

    def wait_service_deployment(self, ref: ServiceRef, expect: ServiceDeploymentExpectation, timeout: float | None, emit: Emit) -> None:
        """Follow an ECS-native (BLUE_GREEN / LINEAR / CANARY) service deployment: print each
        change of its status, lifecycle stage, traffic and hooks, and each new service event,
        until it is SUCCESSFUL (its bake time over) or rolled back / stopped; for a stop apply
        asked for, until the rollback ended."""
        timeout = self.DEFAULT_TIMEOUT if timeout is None else timeout
        interval = poll_interval()
        started = self.clock()
        deployments = ServiceDeployments(self.session)
        arn = expect.arn
        if arn is None:
            # UpdateService did not say (currentServiceDeployment): the newest one is this apply's.
            found = deployments.newest(ref)
            if found is None:
                raise DeploymentFailed(f"{ref}: ECS started no service deployment")
            arn = found.arn
        what = f"service deployment {arn.rsplit('/', 1)[-1]}"
        emit(f"{ref}: waiting for {'the rollback of ' if expect.stopping else ''}{what} (timeout {format_duration(timeout)})")
        seen_events: set[str] | None = None
        new_events: list[str] = []
        last = ""
        told_pause = False
        call = self._calls(ref, what, started, timeout, emit)
        while True:
            info = call(lambda: deployments.describe(arn))
            listed = self._service_events(ref, emit, call)
            if seen_events is None:
                seen_events = {e.id for e in listed}  # what was there before the wait is history
            for event in reversed(listed):
                if event.id not in seen_events:
                    seen_events.add(event.id)
                    new_events.append(event.message)
                    emit(f"{ref}: event: {event.message}")
            state = describe_service_deployment(info)
            if state != last:
                emit(f"{ref}: {what}: {state}")
                last = state
            note = paused_note(info)
            if note and not told_pause:
                emit(f"{ref}: {note}")
                told_pause = True
            verdict = judge_service_deployment(info, expect)
            if verdict.state is RolloutState.SUCCEEDED:
                emit(f"{ref}: {verdict.message}")
                return
            if verdict.state is RolloutState.FAILED:
                events = "\n".join(f"  {m}" for m in new_events[-8:])
                tail = f"\nService events since the deployment started:\n{events}" if events else ""
                if info.active:
                    tail = f"; follow the rollback with `{self.resume_hint}`" + tail
                raise DeploymentFailed(f"{ref}: {verdict.message}{tail}")
            if self.clock() - started >= timeout:
                raise WaitTimeout(
                    f"{ref}: timed out after {format_duration(timeout)} waiting for {what} (now: {state}); it goes on in ECS. "
                    f"Follow it with `{self.resume_hint}`, or stop it with rollback (`ecsplan rollback`)"
                )
            self._pause(ref, interval)

    def _wait_for_stop(self, ref: ServiceRef, expect: CodeDeployExpectation, timeout: float | None, emit: Emit) -> str | None:
        """StopDeployment answered Pending: poll until the deployment is Stopped (or ended
        otherwise); returns the rollback deployment CodeDeploy started, if any."""
        timeout = self.DEFAULT_TIMEOUT if timeout is None else timeout
        interval = poll_interval()
        started = self.clock()
        last = ""
        emit(f"{ref}: waiting for CodeDeploy to stop deployment {expect.deployment_id} (timeout {format_duration(timeout)})")
        call = self._calls(ref, f"CodeDeploy to stop deployment {expect.deployment_id}", started, timeout, emit)
        while True:
            verdict = judge_stop(call(lambda: codedeploy.get_deployment(self.session, expect.deployment_id)), expect)
            if verdict.message != last:
                emit(f"{ref}: {verdict.message}")
                last = verdict.message
            if verdict.state is RolloutState.SUCCEEDED:
                return verdict.rollback_deployment_id
            if verdict.state is RolloutState.FAILED:
                raise DeploymentFailed(f"{ref}: {verdict.message}")
            if self.clock() - started >= timeout:
                raise WaitTimeout(
                    f"{ref}: timed out after {format_duration(timeout)} waiting for CodeDeploy to stop deployment "
                    f"{expect.deployment_id}; the stop may still take effect. Follow it with `{self.resume_hint}`"
                )
            self._pause(ref, interval)


class _Calls:
    """The calls of one wait (`what`, for `ref`, started at `started` by the waiter's clock):
    each ends by the wait's timeout (Session.deadline cuts its connect/read timeouts and retries
    to the time left). A transient failure that outlasts botocore's retries (throttling, a 5xx,
    a reply lost or later than the time left) is made again after a pause that doubles from the
    poll interval (up to 30 s, never past the timeout), with one warning line per service; at
    the timeout the wait ends, saying the deployment goes on in AWS. Anything else is raised.

    With the waiter's stop event (apply: each wait in its own thread), a call is made in a
    thread of its own and the wait ends as soon as the event is set (Ctrl-C, SIGTERM), not when
    a stalled call gives up: the call, a read, is left to end on its own."""

    def __init__(self, waiter: AwsWaiter, ref: ServiceRef, what: str, started: float, timeout: float, emit: Emit) -> None:
        self.waiter = waiter
        self.ref = ref
        self.what = what
        self.started = started
        self.timeout = timeout
        self.emit = emit

    def bounded(self) -> Any:
        left = self.timeout - (self.waiter.clock() - self.started)
        return self.waiter.session.deadline(time.monotonic() + left)

    def __call__(self, read: Callable[[], T]) -> T:
        failures = 0
        while True:
            try:
                return self.once(read)
            except AwsError as err:
                self._retry_later(err, failures)
                failures += 1

    def once(self, read: Callable[[], T]) -> T:
        """`read()`, ending by the wait's timeout, or at once when the stop event is set."""
        stop = self.waiter.stop
        if stop is None:
            with self.bounded():
                return read()
        if stop.is_set():
            raise self.waiter._interrupted(self.ref)
        outcome: list[Any] = []
        done = threading.Event()
        bounded = self.bounded()  # the deadline as of now, entered in the call's thread

        def run() -> None:
            try:
                with bounded:
                    outcome.append((True, read()))
            except BaseException as err:  # handed to the waiting thread, raised there
                outcome.append((False, err))
            finally:
                done.set()

        threading.Thread(target=run, name=f"wait-call {self.ref}", daemon=True).start()
        while not done.wait(0.1):
            if stop.is_set():
                raise self.waiter._interrupted(self.ref)
        ok, value = outcome[0]
        if not ok:
            raise value
        return value

    def _retry_later(self, err: AwsError, failures: int) -> None:
        if not err.transient:
            raise err
        ref, waiter = self.ref, self.waiter
        left = self.started + self.timeout - waiter.clock()
        if left <= 0:
            raise WaitTimeout(
                f"{ref}: timed out after {format_duration(self.timeout)} waiting for {self.what}; the last call failed ({err}). "
                f"The deployment goes on in AWS: follow it with `{waiter.resume_hint}`, or raise --timeout / `timeout:` in the config"
            )
        key = ("poll", str(ref))
        if key not in waiter._warned:
            waiter._warned.add(key)
            self.emit(f"{ref}: warning: {err}; retrying until the timeout")
        waiter._pause(ref, min(poll_interval() * 2 ** min(failures, 8), 30.0, left))


def _events_since(service: LiveService, expect: RolloutExpectation, wait_started: dt.datetime) -> dt.datetime:
    """Events that belong to this wait: for apply, those since its deployment was created (earlier
    ones are history); for `ecsplan wait` (a deployment long under way, or the old one a rollback
    returns to), or when no deployment was started, those since the wait started. ECS's
    timestamps have milliseconds: so has the wait's start."""
    ours = service.deployment(expect.deployment_id)
    if not expect.from_wait_start and ours is not None and ours.created_at is not None:
        return ours.created_at
    return wait_started.replace(microsecond=wait_started.microsecond // 1000 * 1000)
