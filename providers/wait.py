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
    short_td,
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
        since: dt.datetime | None = None
        seen_events: set[str] = set()
        new_events: list[ServiceEvent] = []
        last_state = ""
        what = f"deployment {expect.deployment_id}" if expect.deployment_id else "the service to be steady"
        emit(f"{ref}: waiting for {what} (timeout {format_duration(timeout)})")
        while True:
            service = self._describe(ref)
            if since is None:
                since = _events_since(service, expect)
            # ECS lists events newest first; print them oldest first.
            for event in reversed(service.events):
                if event.id in seen_events or (event.created_at is not None and event.created_at < since):
                    continue
                seen_events.add(event.id)
                new_events.append(event)
                emit(f"{ref}: event: {event.message}")
            state = describe_deployments(service)
            if state != last_state:
                emit(f"{ref}: {state}")
                last_state = state
            verdict = judge(service, expect)
            if verdict.state is RolloutState.SUCCEEDED:
                emit(f"{ref}: {verdict.message}")
                return
            if verdict.state is RolloutState.FAILED:
                events = "\n".join(f"  {e.message}" for e in new_events[-8:])
                tail = f"\nService events since the deployment started:\n{events}" if events else ""
                raise DeploymentFailed(f"{ref}: {verdict.message}{tail}")
            if self.clock() - started >= timeout:
                raise WaitTimeout(
                    f"{ref}: timed out after {format_duration(timeout)} waiting for {what}; it may still be running "
                    f"(now: {state}). Follow it with `{self.resume_hint}`, or raise --timeout / `timeout:` in the config"
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


def _events_since(service: LiveService, expect: RolloutExpectation) -> dt.datetime:
    """Events that belong to this wait: those since our deployment was created (earlier ones are
    history), or since now when no deployment was started."""
    ours = service.deployment(expect.deployment_id)
    if ours is not None and ours.created_at is not None:
        return ours.created_at
    return dt.datetime.now(dt.timezone.utc)
