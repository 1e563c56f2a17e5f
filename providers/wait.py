"""Waiting for deployments: poll, print each change of state and each new service event, and
decide success with planner.rollout (never the services_stable waiter)."""

from __future__ import annotations

import datetime as dt
import time
from typing import Callable

from planner.errors import DeploymentFailed, WaitTimeout
from planner.execute import Emit
from planner.model import LiveService, ServiceEvent, ServiceRef
from planner.rollout import (
    CodeDeployExpectation,
    RolloutExpectation,
    RolloutState,
    describe_codedeploy,
    describe_deployments,
    judge,
    judge_codedeploy,
    rollback_in_progress,
    rollout_state_note,
    short_td,
    timeout_report,
    what_is_awaited,
)
from providers import codedeploy
from providers.session import Session, aws_errors, poll_interval


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
    ) -> None:
        self.session = session
        self.resume_hint = resume_hint
        self.sleep = sleep
        self.clock = clock

    def _describe(self, ref: ServiceRef) -> LiveService:
        with aws_errors(f"describing service {ref.service} in cluster {ref.cluster}"):
            resp = self.session.client("ecs").describe_services(cluster=ref.cluster, services=[ref.service])
        if not resp.get("services"):
            raise DeploymentFailed(f"{ref}: the service disappeared while waiting")
        found = resp["services"][0]
        return LiveService(arn=str(found.get("serviceArn", "")), description=dict(found))

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
        while True:
            service = self._describe(ref)
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
                raise DeploymentFailed(f"{ref}: {message}{tail}")
            if self.clock() - started >= timeout:
                report = timeout_report(service, expect, [e.message for e in new_events])
                raise WaitTimeout(
                    f"{ref}: timed out after {format_duration(timeout)} waiting for {what}; it may still be running "
                    f"(now: {state})." + (f"\n{report}\n" if report else " ")
                    + f"Follow it with `{self.resume_hint}`, or raise --timeout / `timeout:` in the config"
                )
            self.sleep(interval)

    def wait_codedeploy(self, ref: ServiceRef, expect: CodeDeployExpectation, timeout: float | None, emit: Emit) -> None:
        """Poll the deployment; print its status and each lifecycle event as it moves; at
        Succeeded, check the service really runs the new task definition."""
        timeout = self.DEFAULT_TIMEOUT if timeout is None else timeout
        interval = poll_interval()
        started = self.clock()
        last_status = ""
        seen: dict[str, str] = {}
        emit(f"{ref}: waiting for CodeDeploy deployment {expect.deployment_id} (timeout {format_duration(timeout)})")
        while True:
            info = codedeploy.get_deployment(self.session, expect.deployment_id)
            status = describe_codedeploy(info)
            if status != last_status:
                emit(f"{ref}: deployment {expect.deployment_id}: {status}")
                last_status = status
            for event in codedeploy.lifecycle_events(self.session, expect.deployment_id):
                name, state = event.get("lifecycleEventName", "?"), event.get("status", "?")
                if seen.get(name) != state and state != "Pending":
                    seen[name] = state
                    diag = (event.get("diagnostics") or {}).get("message")
                    emit(f"{ref}:   {name}: {state}" + (f" ({diag})" if diag else ""))
            service_td = None
            if info.get("status") == "Succeeded":
                service_td = self._describe(ref).task_definition_arn
            verdict = judge_codedeploy(info, service_td, expect)
            if verdict.state is RolloutState.SUCCEEDED:
                emit(f"{ref}: {verdict.message}; the service runs {short_td(service_td)}")
                return
            if verdict.state is RolloutState.FAILED:
                raise DeploymentFailed(f"{ref}: {verdict.message}")
            if self.clock() - started >= timeout:
                raise WaitTimeout(
                    f"{ref}: timed out after {format_duration(timeout)} waiting for CodeDeploy deployment "
                    f"{expect.deployment_id} (now {status}); it goes on in CodeDeploy. Follow it with "
                    f"`{self.resume_hint}`, or stop it with rollback in the console"
                )
            self.sleep(interval)


def _events_since(service: LiveService, expect: RolloutExpectation, wait_started: dt.datetime) -> dt.datetime:
    """Events that belong to this wait: for apply, those since its deployment was created (earlier
    ones are history); for `ecsplan wait` (a deployment long under way, or the old one a rollback
    returns to), or when no deployment was started, those since the wait started. ECS's
    timestamps have milliseconds: so has the wait's start."""
    ours = service.deployment(expect.deployment_id)
    if not expect.from_wait_start and ours is not None and ours.created_at is not None:
        return ours.created_at
    return wait_started.replace(microsecond=wait_started.microsecond // 1000 * 1000)
