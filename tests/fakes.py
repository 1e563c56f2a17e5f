"""Hand-written fakes of the executor's protocols (LiveStateReader, Applier, Waiter), typed so
mypy checks them against the protocols (tests/test_execute.py assigns them to protocol types)."""

from __future__ import annotations

import threading
from typing import Any, Callable, Sequence

from planner.actions import (
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
from planner.execute import AutoscalingState, Emit
from planner.model import LiveService, LiveState, ReadTarget, ServiceRef
from planner.native import ServiceDeploymentExpectation
from planner.rollout import CodeDeployExpectation, RolloutExpectation
from providers.errors import AwsError

NEW_TD = "arn:aws:ecs:us-east-1:123456789012:task-definition/web:4"


class FakeReader:
    def __init__(self, states: dict[ServiceRef, LiveState], region: str | None = "us-east-1", account: str | None = "123456789012") -> None:
        self.states, self.region, self.account = states, region, account
        self.reads: list[list[ReadTarget]] = []

    def read(self, targets: Sequence[ReadTarget]) -> dict[ServiceRef, LiveState]:
        self.reads.append(list(targets))
        return {t.ref: self.states[t.ref] for t in targets}

    def identity(self) -> tuple[str | None, str | None]:
        return self.region, self.account


class FakeApplier:
    """Records (call, what it was given); `fail_on` names the call that raises AwsError."""

    def __init__(self, fail_on: str | None = None, found: AutoscalingState = AutoscalingState.SUSPENDED, stop_answer: str = "Pending") -> None:
        self.calls: list[tuple[str, Any]] = []
        self.fail_on, self.found, self.stop_answer = fail_on, found, stop_answer

    def _do(self, name: str, given: Any) -> None:
        self.calls.append((name, given))
        if name == self.fail_on:
            raise AwsError(f"{name} failed")

    def register_task_definition(self, action: RegisterTaskDefinition) -> str:
        self._do("register", dict(action.definition))
        return NEW_TD

    def create_service(self, action: CreateService, task_definition_arn: str) -> LiveService:
        self._do("create", action.request(task_definition_arn))
        return LiveService(arn="arn:svc", description={"deployments": [{"id": "d1", "status": "PRIMARY"}]})

    def update_service(self, action: UpdateService, task_definition_arn: str | None) -> LiveService:
        self._do("update", action.request(task_definition_arn))
        return LiveService(arn=action.service_arn, description={"deployments": [{"id": "d2", "status": "PRIMARY", "taskDefinition": task_definition_arn}]})

    def create_deployment(self, action: CreateDeployment, task_definition_arn: str) -> str:
        self._do("deploy", action.appspec_for(task_definition_arn))
        return "d-1"

    def stop_deployment(self, action: StopDeployment) -> str:
        self._do("stop", action.deployment_id)
        return self.stop_answer

    def continue_service_deployment(self, action: ContinueServiceDeployment) -> str:
        self._do("continue_service_deployment", (action.hook_id, action.action))
        return action.service_deployment_arn

    def stop_service_deployment(self, action: StopServiceDeployment) -> str:
        self._do("stop_service_deployment", action.service_deployment_arn)
        return action.service_deployment_arn

    def suspend_autoscaling(self, action: SuspendAutoscaling) -> AutoscalingState:
        self._do("suspend", action.resource_id)
        return self.found

    def update_scalable_target(self, action: UpdateScalableTarget) -> None:
        self._do("scalable_target", action.request())

    def resume_autoscaling(self, action: ResumeAutoscaling) -> None:
        self._do("resume", action.resource_id)

    def deregister_task_definition(self, action: DeregisterTaskDefinition) -> None:
        self._do("deregister", action.task_definition_arn)


class FakeWaiter:
    def __init__(self, error: BaseException | None = None) -> None:
        self.waits: list[tuple[ServiceRef, RolloutExpectation | CodeDeployExpectation | ServiceDeploymentExpectation]] = []
        self.timeouts: list[float | None] = []
        self.error = error

    def _wait(self, ref: ServiceRef, expect: RolloutExpectation | CodeDeployExpectation | ServiceDeploymentExpectation, timeout: float | None) -> None:
        self.waits.append((ref, expect))
        self.timeouts.append(timeout)
        if self.error:
            raise self.error

    def wait_rolling(self, ref: ServiceRef, expect: RolloutExpectation, timeout: float | None, emit: Emit) -> None:
        self._wait(ref, expect, timeout)

    def wait_codedeploy(self, ref: ServiceRef, expect: CodeDeployExpectation, timeout: float | None, emit: Emit) -> None:
        self._wait(ref, expect, timeout)

    def wait_service_deployment(self, ref: ServiceRef, expect: ServiceDeploymentExpectation, timeout: float | None, emit: Emit) -> None:
        self._wait(ref, expect, timeout)


class ThreadedWaiter(FakeWaiter):
    """FakeWaiter for services applied at once: waits are recorded under a lock, and `behave[ref]`
    runs in the wait's own thread (block on a barrier or an event, raise, ...)."""

    def __init__(self, behave: dict[ServiceRef, Callable[[], None]] | None = None) -> None:
        super().__init__()
        self.behave = behave or {}
        self.lock = threading.Lock()

    def _wait(self, ref: ServiceRef, expect: RolloutExpectation | CodeDeployExpectation | ServiceDeploymentExpectation, timeout: float | None) -> None:
        with self.lock:
            self.waits.append((ref, expect))
            self.timeouts.append(timeout)
        if ref in self.behave:
            self.behave[ref]()
