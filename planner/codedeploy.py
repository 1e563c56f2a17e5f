"""CodeDeploy blue/green deployments, pure: how long to wait for one, how to describe it while
it waits, and when its production traffic has shifted.

A deployment may wait for a reroute (deploymentReadyOption STOP_DEPLOYMENT: status Ready until
ContinueDeployment, or Stopped when waitTimeInMinutes runs out), shift traffic in canary or
linear steps (the deployment config's trafficRoutingConfig), and keep the original (blue) task
set for terminateBlueInstancesOnDeploymentSuccess.terminationWaitTimeInMinutes before it
Succeeds. The AWS CLI's `aws ecs deploy` therefore waits ready wait + termination wait + 10
minutes, at least 30 minutes and at most 6 hours (aws/aws-cli
awscli/customizations/ecs/deploy.py: TIMEOUT_BUFFER_MIN, MAX_WAIT_MIN,
get_deployment_wait_time, wait_for_deploy_success); ecsplan counts the traffic shifting too.
"""

from __future__ import annotations

import datetime as dt
import enum
import math
from typing import Any, Mapping, Sequence

import attrs

from planner.actions import ActionType
from planner.errors import UsageError
from planner.model import DeploymentGroupInfo
from planner.plan import Plan
from planner.rollout import CODEDEPLOY_FAILED, CodeDeployExpectation, RolloutState, Verdict, judge_codedeploy, short_td

#: What `aws ecs deploy` adds to the group's waits, and its bounds (minutes).
MARGIN_MINUTES = 10
MIN_WAIT_MINUTES = 30
MAX_WAIT_MINUTES = 360


class WaitUntil(enum.Enum):
    """How far `apply` / `wait` follow a CodeDeploy deployment (--wait-until)."""

    SUCCEEDED = "succeeded"  # the deployment Succeeded: the original task set is gone
    TRAFFIC_SHIFTED = "traffic-shifted"  # AfterAllowTraffic Succeeded: the termination wait may go on


class RoutingType(enum.Enum):
    """trafficRoutingConfig.type of a deployment config (API_TrafficRoutingConfig.html)."""

    ALL_AT_ONCE = "AllAtOnce"
    CANARY = "TimeBasedCanary"
    LINEAR = "TimeBasedLinear"


@attrs.frozen(kw_only=True)
class TrafficRouting:
    """How a deployment config shifts production traffic to the replacement task set."""

    type: RoutingType = RoutingType.ALL_AT_ONCE
    percentage: int = 100
    interval_minutes: int = 0

    @classmethod
    def from_api(cls, config: Mapping[str, Any] | None) -> TrafficRouting:
        """From GetDeploymentConfig's trafficRoutingConfig (none: all at once)."""
        config = config or {}
        kind = config.get("type") or RoutingType.ALL_AT_ONCE.value
        if kind == RoutingType.CANARY.value:
            canary = config.get("timeBasedCanary") or {}
            return cls(type=RoutingType.CANARY, percentage=int(canary.get("canaryPercentage") or 0), interval_minutes=int(canary.get("canaryInterval") or 0))
        if kind == RoutingType.LINEAR.value:
            linear = config.get("timeBasedLinear") or {}
            return cls(type=RoutingType.LINEAR, percentage=int(linear.get("linearPercentage") or 0), interval_minutes=int(linear.get("linearInterval") or 0))
        return cls()

    @property
    def shifting_minutes(self) -> int:
        """Minutes from the first increment to all traffic shifted: a canary's interval; for
        linear steps, one interval between each of ceil(100 / percentage) increments."""
        if self.type is RoutingType.CANARY:
            return self.interval_minutes
        if self.type is RoutingType.LINEAR and self.percentage > 0:
            return (math.ceil(100 / self.percentage) - 1) * self.interval_minutes
        return 0


#: The predefined deployment configs of the ECS compute platform: no need to read them
#: (userguide/deployment-configurations.html#deployment-configuration-ecs).
PREDEFINED_ECS_CONFIGS: Mapping[str, TrafficRouting] = {
    "CodeDeployDefault.ECSAllAtOnce": TrafficRouting(),
    "CodeDeployDefault.ECSCanary10Percent5Minutes": TrafficRouting(type=RoutingType.CANARY, percentage=10, interval_minutes=5),
    "CodeDeployDefault.ECSCanary10Percent15Minutes": TrafficRouting(type=RoutingType.CANARY, percentage=10, interval_minutes=15),
    "CodeDeployDefault.ECSLinear10PercentEvery1Minutes": TrafficRouting(type=RoutingType.LINEAR, percentage=10, interval_minutes=1),
    "CodeDeployDefault.ECSLinear10PercentEvery3Minutes": TrafficRouting(type=RoutingType.LINEAR, percentage=10, interval_minutes=3),
}


def predefined_routing(config_name: str | None) -> TrafficRouting | None:
    """The routing of a predefined ECS config (no name: CodeDeploy's default for ECS groups,
    ECSAllAtOnce); None for a custom config, to be read with GetDeploymentConfig."""
    if not config_name:
        return TrafficRouting()
    return PREDEFINED_ECS_CONFIGS.get(config_name)


@attrs.frozen(kw_only=True)
class WaitBudget:
    """How long to follow a CodeDeploy deployment when neither --timeout nor the config's
    `timeout:` says: the group's waits and the traffic shifting, plus a margin, bounded."""

    ready_minutes: int | None  # None: the group reroutes at once (CONTINUE_DEPLOYMENT)
    shifting_minutes: int | None  # None: the deployment config could not be read
    termination_minutes: int
    config_name: str | None = None

    @property
    def wanted_minutes(self) -> int:
        return (self.ready_minutes or 0) + (self.shifting_minutes or 0) + self.termination_minutes + MARGIN_MINUTES

    @property
    def minutes(self) -> int:
        return min(max(self.wanted_minutes, MIN_WAIT_MINUTES), MAX_WAIT_MINUTES)

    @property
    def seconds(self) -> float:
        return float(self.minutes * 60)

    def explain(self) -> str:
        """What the wait is made of, e.g. "ready wait 60m + traffic shifting 3m (config) +
        termination wait 5m + 10m margin"."""
        parts = []
        if self.ready_minutes is not None:
            parts.append(f"ready wait {self.ready_minutes}m")
        if self.shifting_minutes is None:
            parts.append(f"traffic shifting of {self.config_name} unknown")
        elif self.shifting_minutes:
            parts.append(f"traffic shifting {self.shifting_minutes}m ({self.config_name})")
        parts.append(f"termination wait {self.termination_minutes}m")
        parts.append(f"{MARGIN_MINUTES}m margin")
        text = " + ".join(parts)
        if self.wanted_minutes < MIN_WAIT_MINUTES:
            text += f", at least {MIN_WAIT_MINUTES}m"
        elif self.wanted_minutes > MAX_WAIT_MINUTES:
            text += f", at most {MAX_WAIT_MINUTES}m"
        return text


def wait_budget(group: DeploymentGroupInfo, routing: TrafficRouting | None) -> WaitBudget:
    """The default wait for a deployment of `group` whose config shifts traffic as `routing`
    (None: unknown). The ready wait counts only with STOP_DEPLOYMENT: CONTINUE_DEPLOYMENT
    reroutes at once (waitTimeInMinutes "applies only to the STOP_DEPLOYMENT option")."""
    return WaitBudget(
        ready_minutes=group.ready_wait_minutes if group.waits_for_reroute else None,
        shifting_minutes=routing.shifting_minutes if routing is not None else None,
        termination_minutes=group.termination_wait_minutes,
        config_name=group.deployment_config or "CodeDeployDefault.ECSAllAtOnce",
    )


def check_wait_until(plan: Plan, until: WaitUntil) -> None:
    """--wait-until traffic-shifted ends the wait while CodeDeploy still runs the deployment
    (its termination wait): a plan that resumes auto scaling after the deployment would resume
    it before the deployment ended, so the two are refused together."""
    if until is not WaitUntil.TRAFFIC_SHIFTED:
        return
    resuming = [str(s.ref) for s in plan.services if s.action(ActionType.RESUME_AUTOSCALING) is not None]
    if resuming:
        raise UsageError(
            f"--wait-until traffic-shifted ends the wait before CodeDeploy removes the original task set, but the plan resumes "
            f"auto scaling after the deployment ({', '.join(resuming)}); wait until it succeeded, or plan without --suspend-autoscaling"
        )
    deregistering = [str(s.ref) for s in plan.services if s.action(ActionType.DEREGISTER_TASK_DEFINITION) is not None]
    if deregistering:
        raise UsageError(
            f"--wait-until traffic-shifted ends the wait before the CodeDeploy deployment succeeded, but the plan deregisters the "
            f"rolled-back revision once it succeeded ({', '.join(deregistering)}); wait until it succeeded"
        )


# ---------------------------------------------------------------------------------------------
# While waiting


def continue_command(deployment_id: str, wait_type: str) -> str:
    """The AWS CLI command that ends a wait: READY_WAIT reroutes traffic, TERMINATION_WAIT
    removes the original task set now (API_ContinueDeployment.html)."""
    return f"aws deploy continue-deployment --deployment-id {deployment_id} --deployment-wait-type {wait_type}"


def describe_status(info: Mapping[str, Any], group: DeploymentGroupInfo | None) -> str:
    """The deployment's status as shown while waiting; Ready says what it waits for."""
    status = str(info.get("status"))
    if status != "Ready":
        return status
    text = (
        "Ready (waiting for reroute: traffic moves to the replacement task set when you run "
        f"`{continue_command(str(info.get('deploymentId')), 'READY_WAIT')}`"
    )
    if group is not None and group.waits_for_reroute:
        text += f"; CodeDeploy stops the deployment after {group.ready_wait_minutes}m"
    return text + ")"


def _percent(value: float) -> str:
    return f"{value:g}%"


def describe_traffic(task_sets: Sequence[Mapping[str, Any]]) -> str | None:
    """Production traffic between the replacement (Green) and original (Blue) task sets of the
    deployment target (ECSTaskSet.trafficWeight); None unless both are there and traffic has
    begun to move."""
    weights = {str(ts.get("taskSetLabel")): float(ts.get("trafficWeight") or 0) for ts in task_sets}
    if "Green" not in weights or "Blue" not in weights or not weights["Green"]:
        return None
    return f"traffic: replacement {_percent(weights['Green'])}, original {_percent(weights['Blue'])}"


def _event(events: Sequence[Mapping[str, Any]], name: str) -> Mapping[str, Any] | None:
    return next((e for e in events if e.get("lifecycleEventName") == name), None)


def traffic_shifted(events: Sequence[Mapping[str, Any]]) -> bool:
    """AfterAllowTraffic Succeeded: all production traffic is on the replacement task set."""
    event = _event(events, "AfterAllowTraffic")
    return event is not None and event.get("status") == "Succeeded"


def blue_goes_at(events: Sequence[Mapping[str, Any]], group: DeploymentGroupInfo, now: dt.datetime) -> dt.datetime:
    """When CodeDeploy removes the original task set: the end of AfterAllowTraffic (else now)
    plus the group's termination wait."""
    event = _event(events, "AfterAllowTraffic")
    end = event.get("endTime") if event is not None else None
    start = end if isinstance(end, dt.datetime) else now
    return start + dt.timedelta(minutes=group.termination_wait_minutes)


def _utc(when: dt.datetime) -> str:
    if when.tzinfo is not None:
        when = when.astimezone(dt.timezone.utc)
    return when.strftime("%Y-%m-%d %H:%M UTC")


def termination_note(events: Sequence[Mapping[str, Any]], group: DeploymentGroupInfo | None, now: dt.datetime) -> str:
    """e.g. "the original (blue) task set goes at 2025-05-01 12:34 UTC (termination wait 5m)"."""
    if group is None:
        return "the original (blue) task set goes after the deployment group's termination wait"
    return f"the original (blue) task set goes at {_utc(blue_goes_at(events, group, now))} (termination wait {group.termination_wait_minutes}m)"


def termination_wait_note(deployment_id: str, events: Sequence[Mapping[str, Any]], group: DeploymentGroupInfo | None, now: dt.datetime) -> str:
    """Said once while waiting for Succeeded after traffic has shifted."""
    return (
        f"traffic shifted; {termination_note(events, group, now)}, then the deployment Succeeds; "
        f"to remove it now: `{continue_command(deployment_id, 'TERMINATION_WAIT')}`"
    )


# ---------------------------------------------------------------------------------------------
# Verdicts


def judge_deployment(
    info: Mapping[str, Any],
    service_task_definition: str | None,
    expect: CodeDeployExpectation,
    *,
    events: Sequence[Mapping[str, Any]] = (),
    until: WaitUntil = WaitUntil.SUCCEEDED,
    now: dt.datetime,
) -> Verdict:
    """Succeeded or Failed / Stopped as rollout.judge_codedeploy says; with
    `until` TRAFFIC_SHIFTED, success already when AfterAllowTraffic Succeeded (the service
    runs the replacement task set; the original one goes after the termination wait)."""
    status = info.get("status")
    if until is WaitUntil.TRAFFIC_SHIFTED and status not in ("Succeeded", *CODEDEPLOY_FAILED) and traffic_shifted(events):
        wanted = expect.task_definition_arn
        if wanted and service_task_definition and service_task_definition != wanted:
            return Verdict(
                state=RolloutState.FAILED,
                message=f"CodeDeploy deployment {expect.deployment_id} shifted traffic but the service runs "
                f"{short_td(service_task_definition)}, not {short_td(wanted)}",
            )
        runs = f"; the service runs {short_td(service_task_definition)}" if service_task_definition else ""
        return Verdict(
            state=RolloutState.SUCCEEDED,
            message=f"CodeDeploy deployment {expect.deployment_id} shifted all traffic to the replacement task set{runs}; "
            f"{termination_note(events, expect.group, now)}, then the deployment Succeeds",
        )
    verdict = judge_codedeploy(dict(info), service_task_definition, expect)
    if verdict.state is RolloutState.SUCCEEDED and service_task_definition:
        return attrs.evolve(verdict, message=f"{verdict.message}; the service runs {short_td(service_task_definition)}")
    return verdict


@attrs.frozen(kw_only=True)
class StopVerdict:
    """Whether a stop apply asked for has taken effect, and the rollback deployment to follow."""

    state: RolloutState
    message: str
    rollback_deployment_id: str | None = None


def judge_stop(info: Mapping[str, Any], expect: CodeDeployExpectation) -> StopVerdict:
    """StopDeployment answers Pending; the deployment is Stopped later, and only then does
    rollbackInfo name the rollback deployment (API_StopDeployment.html)."""
    status = str(info.get("status"))
    deployment = expect.deployment_id
    if status == "Succeeded":
        return StopVerdict(
            state=RolloutState.FAILED,
            message=f"CodeDeploy deployment {deployment} Succeeded before the stop took effect: the service runs the new "
            "revision; `ecsplan rollback` now deploys the previous revision",
        )
    if status not in CODEDEPLOY_FAILED:
        return StopVerdict(state=RolloutState.IN_PROGRESS, message=f"deployment {deployment}: stop requested, CodeDeploy shows {status}")
    rollback = (info.get("rollbackInfo") or {}).get("rollbackDeploymentId")
    if rollback:
        return StopVerdict(
            state=RolloutState.SUCCEEDED,
            message=f"deployment {deployment}: {status}; following its rollback deployment {rollback}",
            rollback_deployment_id=str(rollback),
        )
    return StopVerdict(
        state=RolloutState.SUCCEEDED,
        message=f"deployment {deployment}: {status}; CodeDeploy started no rollback deployment (the original task set keeps serving)",
    )
