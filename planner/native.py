"""ECS-native blue/green, linear and canary deployments (deploymentController ECS with
deploymentConfiguration.strategy BLUE_GREEN, LINEAR or CANARY; July 2025). Pure.

- `problems` / `validate`: combinations AWS refuses, found at plan time and named by file and key
  (API_DeploymentConfiguration.html, API_LinearConfiguration.html, API_CanaryConfiguration.html,
  API_DeploymentLifecycleHook.html, API_AdvancedConfiguration.html).
- `explain`: what the plan says of a deployment: its strategy, traffic steps and bake time.
- `judge`: a service deployment (DescribeServiceDeployments) against what apply started. Success
  is this apply's service deployment SUCCESSFUL with the new revision as its target; AWS marks it
  SUCCESSFUL only once the bake time is over (terraform-provider-aws#43434 waits for the same).
  A rollback (circuit breaker, alarm, failed hook, a stop) is a failure, with AWS's reason and
  the hook that failed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import attrs

from planner.errors import ConfigError
from planner.model import ServiceDeploymentInfo, arn_tail
from planner.rollout import RolloutState, Verdict

ROLLING = "ROLLING"
NATIVE_STRATEGIES = ("BLUE_GREEN", "LINEAR", "CANARY")
STRATEGIES = (ROLLING, *NATIVE_STRATEGIES)

#: DeploymentLifecycleHookStage (botocore 1.44): where a hook may run. BAKE_TIME, SCALE_UP and
#: CLEAN_UP are lifecycle stages but take no hook.
HOOK_STAGES = (
    "RECONCILE_SERVICE",
    "PRE_SCALE_UP",
    "POST_SCALE_UP",
    "TEST_TRAFFIC_SHIFT",
    "POST_TEST_TRAFFIC_SHIFT",
    "PRE_PRODUCTION_TRAFFIC_SHIFT",
    "PRODUCTION_TRAFFIC_SHIFT",
    "POST_PRODUCTION_TRAFFIC_SHIFT",
)

# Defaults of the API reference.
LINEAR_DEFAULTS: dict[str, float] = {"stepPercent": 10.0, "stepBakeTimeInMinutes": 6}
CANARY_DEFAULTS: dict[str, float] = {"canaryPercent": 5.0, "canaryBakeTimeInMinutes": 10}
MAX_BAKE_MINUTES = 1440

FAILED_STATUSES = ("STOPPED", "ROLLBACK_REQUESTED", "ROLLBACK_IN_PROGRESS", "ROLLBACK_SUCCESSFUL", "ROLLBACK_FAILED")
ROLLED_BACK = ("ROLLBACK_SUCCESSFUL",)


def strategy_of(service_definition: Mapping[str, Any]) -> str:
    """deploymentConfiguration.strategy of a definition or a DescribeServices answer (ROLLING when
    absent); CODE_DEPLOY / EXTERNAL services have no strategy of their own."""
    configuration = service_definition.get("deploymentConfiguration") or {}
    return str(configuration.get("strategy") or ROLLING) if isinstance(configuration, Mapping) else ROLLING


def is_native(strategy: str | None) -> bool:
    return strategy in NATIVE_STRATEGIES


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _multiple_of_tenth(value: float) -> bool:
    return abs(value * 10 - round(value * 10)) < 1e-9


def problems(service_definition: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(key path, what is wrong) for each combination AWS refuses."""
    out: list[tuple[str, str]] = []
    controller = ((service_definition.get("deploymentController") or {}).get("type")) or "ECS"
    configuration = service_definition.get("deploymentConfiguration")
    if not isinstance(configuration, Mapping):
        return out
    strategy = strategy_of(service_definition)
    base = "deploymentConfiguration"
    if strategy not in STRATEGIES:
        out.append((f"{base}.strategy", f"{strategy!r} is not a strategy: {', '.join(STRATEGIES)}"))
        return out
    if strategy != ROLLING and controller != "ECS":
        out.append((f"{base}.strategy", f"{strategy} needs deploymentController ECS (this service's is {controller}): "
                    "CodeDeploy shifts traffic through its deployment config"))
    bake = configuration.get("bakeTimeInMinutes")
    if bake is not None and not (isinstance(bake, int) and 0 <= bake <= MAX_BAKE_MINUTES):
        out.append((f"{base}.bakeTimeInMinutes", f"{bake!r} is not a whole number of minutes from 0 to {MAX_BAKE_MINUTES}"))
    linear = configuration.get("linearConfiguration")
    canary = configuration.get("canaryConfiguration")
    if linear is not None and strategy != "LINEAR":
        out.append((f"{base}.linearConfiguration", f"only valid with strategy LINEAR (the strategy is {strategy})"))
    if canary is not None and strategy != "CANARY":
        out.append((f"{base}.canaryConfiguration", f"only valid with strategy CANARY (the strategy is {strategy})"))
    if isinstance(linear, Mapping):
        step = linear.get("stepPercent")
        if step is not None and not ((n := _number(step)) is not None and 3.0 <= n <= 100.0 and _multiple_of_tenth(n)):
            out.append((f"{base}.linearConfiguration.stepPercent", f"{step!r} is out of range: a multiple of 0.1 from 3.0 to 100.0"))
        out += _bake_problem(linear, "stepBakeTimeInMinutes", f"{base}.linearConfiguration")
    if isinstance(canary, Mapping):
        percent = canary.get("canaryPercent")
        if percent is not None and not ((n := _number(percent)) is not None and 0.1 <= n <= 100.0 and _multiple_of_tenth(n)):
            out.append((f"{base}.canaryConfiguration.canaryPercent", f"{percent!r} is out of range: a multiple of 0.1 from 0.1 to 100.0"))
        out += _bake_problem(canary, "canaryBakeTimeInMinutes", f"{base}.canaryConfiguration")
    hooks = configuration.get("lifecycleHooks") or []
    for i, hook in enumerate(hooks if isinstance(hooks, list) else []):
        where = f"{base}.lifecycleHooks[{i}]"
        if strategy == ROLLING:
            out.append((where, "lifecycle hooks run in BLUE_GREEN, LINEAR and CANARY deployments only (the strategy is ROLLING)"))
            continue
        stages = hook.get("lifecycleStages") if isinstance(hook, Mapping) else None
        if not stages:
            out.append((f"{where}.lifecycleStages", "a hook needs at least one lifecycle stage"))
            continue
        for stage in stages:
            if stage not in HOOK_STAGES:
                out.append((f"{where}.lifecycleStages", f"{stage!r} is not a stage a hook can run at in a {strategy} deployment: {', '.join(HOOK_STAGES)}"))
        if (hook.get("targetType") or "AWS_LAMBDA") == "AWS_LAMBDA" and not hook.get("hookTargetArn"):
            out.append((f"{where}.hookTargetArn", "an AWS_LAMBDA hook needs the Lambda function's ARN"))
    if is_native(strategy):
        balancers = service_definition.get("loadBalancers") or []
        for lb in balancers if isinstance(balancers, list) else []:
            if not isinstance(lb, Mapping) or lb.get("loadBalancerName"):
                continue
            key = f"loadBalancers[{lb.get('containerName', '')}:{lb.get('containerPort', '')}]"
            advanced = lb.get("advancedConfiguration") or {}
            if not advanced.get("alternateTargetGroupArn"):
                out.append((f"{key}.advancedConfiguration.alternateTargetGroupArn",
                            f"a {strategy} deployment shifts traffic to an alternate target group: name it (and productionListenerRule, roleArn)"))
            elif advanced.get("alternateTargetGroupArn") == lb.get("targetGroupArn"):
                out.append((f"{key}.advancedConfiguration.alternateTargetGroupArn", "the alternate target group must differ from targetGroupArn"))
            elif not advanced.get("productionListenerRule"):
                out.append((f"{key}.advancedConfiguration.productionListenerRule",
                            "a blue/green load balancer needs the production listener rule whose traffic ECS shifts"))
    return out


def _bake_problem(section: Mapping[str, Any], key: str, base: str) -> list[tuple[str, str]]:
    value = section.get(key)
    if value is None or (isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_BAKE_MINUTES):
        return []
    return [(f"{base}.{key}", f"{value!r} is not a whole number of minutes from 0 to {MAX_BAKE_MINUTES}")]


def validate(service_definition: Mapping[str, Any], *, source: str) -> None:
    """ConfigError naming the file and every key AWS would refuse, before any AWS call."""
    found = problems(service_definition)
    if found:
        raise ConfigError(f"{source}: " + "; ".join(f"{path}: {why}" for path, why in found))


# ---------------------------------------------------------------------------------------------
# What the plan says of a deployment


def _pct(value: float) -> str:
    return f"{value:g}%"


def traffic_steps(configuration: Mapping[str, Any]) -> tuple[float, ...]:
    """Production traffic on the new revision after each shift."""
    strategy = configuration.get("strategy")
    if strategy == "LINEAR":
        step = float({**LINEAR_DEFAULTS, **(configuration.get("linearConfiguration") or {})}["stepPercent"])
        out: list[float] = []
        weight = 0.0
        while weight < 100.0:
            weight = min(100.0, round(weight + step, 1))
            out.append(weight)
        return tuple(out)
    if strategy == "CANARY":
        percent = float({**CANARY_DEFAULTS, **(configuration.get("canaryConfiguration") or {})}["canaryPercent"])
        return (percent, 100.0) if percent < 100.0 else (100.0,)
    return (100.0,)


def _minutes(n: float) -> str:
    return f"{int(n)}m"


def explain(configuration: Mapping[str, Any]) -> list[str]:
    """Lines the plan shows for a deployment of this configuration: strategy, steps, bake, hooks."""
    strategy = str(configuration.get("strategy") or ROLLING)
    if not is_native(strategy):
        return [f"strategy {strategy}: tasks replaced in place (maximumPercent / minimumHealthyPercent)"]
    steps = traffic_steps(configuration)
    if strategy == "LINEAR":
        linear = {**LINEAR_DEFAULTS, **(configuration.get("linearConfiguration") or {})}
        shift = f"production traffic {', '.join(_pct(s) for s in steps)} ({_minutes(linear['stepBakeTimeInMinutes'])} between steps)"
    elif strategy == "CANARY":
        canary = {**CANARY_DEFAULTS, **(configuration.get("canaryConfiguration") or {})}
        shift = f"production traffic {_pct(steps[0])} for {_minutes(canary['canaryBakeTimeInMinutes'])}, then 100%"
    else:
        shift = "production traffic 100% at once"
    bake = int(configuration.get("bakeTimeInMinutes") or 0)
    lines = [
        f"strategy {strategy}: new tasks start beside the old ones; test traffic, then {shift}; "
        f"bake time {_minutes(bake)} (the old revision kept for rollback), then the old tasks go"
    ]
    for hook in configuration.get("lifecycleHooks") or []:
        target = str(hook.get("hookTargetArn") or hook.get("targetType") or "?")
        name = target.rsplit(":", 1)[-1] if ":function:" in target else target
        lines.append(f"hook {name} at {', '.join(hook.get('lifecycleStages') or [])}")
    return lines


# ---------------------------------------------------------------------------------------------
# Judging a service deployment


@attrs.frozen(kw_only=True)
class ServiceDeploymentExpectation:
    """What apply (or `ecsplan wait`, or a stop) follows: the service deployment (None: the newest
    one of the service, found by the waiter) and the task definition its target must run.
    `stopping`: a StopServiceDeployment ROLLBACK apply asked for; its end is the rollback's."""

    arn: str | None
    task_definition_arn: str | None
    stopping: bool = False


def _revision_name(info: ServiceDeploymentInfo) -> str:
    return arn_tail(info.target.task_definition) if info.target and info.target.task_definition else "the new revision"


def _with_failed_hooks(info: ServiceDeploymentInfo, reason: str) -> str:
    """AWS's reason, and the hooks that failed or timed out when it does not name them."""
    unnamed = [h for h in info.hooks if h.status in ("FAILED", "TIMED_OUT") and h.name not in reason]
    if not unnamed:
        return reason
    return f"{reason} (" + ", ".join(f"lifecycle hook {h.name} {h.status}" for h in unnamed) + ")"


def describe(info: ServiceDeploymentInfo) -> str:
    """One line that changes whenever the deployment moves: shown while waiting."""
    parts = [info.status]
    if info.lifecycle_stage and info.active:
        parts.append(f"stage {info.lifecycle_stage}")
    if info.target is not None and info.target.production_weight is not None and info.active:
        traffic = f"production traffic {_revision_name(info)} {_pct(info.target.production_weight)}"
        if info.target.test_weight:
            traffic += f", test traffic {_pct(info.target.test_weight)}"
        parts.append(traffic)
    if info.hooks:
        parts.append("hooks " + ", ".join(f"{h.name} {h.status}" for h in info.hooks))
    return "; ".join(parts)


def paused_note(info: ServiceDeploymentInfo) -> str | None:
    """Said while a PAUSE hook waits: how to answer it (ContinueServiceDeployment)."""
    if not info.paused_hooks:
        return None
    hook = info.paused_hooks[0]
    command = f"aws ecs continue-service-deployment --service-deployment-arn {info.arn} --hook-id {hook.hook_id}"
    return (
        f"service deployment {info.id} is paused at {info.lifecycle_stage} (hook {hook.hook_id} AWAITING_ACTION): "
        f"continue it with `{command}`, or roll it back with `{command} --action ROLLBACK` (or `ecsplan rollback`)"
    )


def judge(info: ServiceDeploymentInfo, expect: ServiceDeploymentExpectation) -> Verdict:
    name = f"service deployment {info.id}"
    reason = (info.rollback_reason or info.status_reason or "no reason given").rstrip(".")
    why = _with_failed_hooks(info, reason)
    if expect.stopping:
        if info.status in ROLLED_BACK:
            return Verdict(state=RolloutState.SUCCEEDED, message=f"{name} rolled back: {reason}")
        if info.status == "STOPPED":
            return Verdict(state=RolloutState.SUCCEEDED, message=f"{name} stopped: {reason}")
        if info.status == "SUCCESSFUL":
            return Verdict(state=RolloutState.FAILED, message=f"{name} completed before the stop took effect: it was not rolled back")
        if info.status == "ROLLBACK_FAILED":
            return Verdict(state=RolloutState.FAILED, message=f"{name}: the rollback failed: {reason}")
        return Verdict(state=RolloutState.IN_PROGRESS, message=describe(info))
    if info.status == "SUCCESSFUL":
        wanted = expect.task_definition_arn
        got = info.target.task_definition if info.target else None
        if wanted and got and got != wanted:
            return Verdict(state=RolloutState.FAILED, message=f"{name} SUCCESSFUL but its target runs {arn_tail(got)}, not {arn_tail(wanted)}")
        bake = f", bake time {info.bake_minutes}m over" if info.bake_minutes else ""
        return Verdict(state=RolloutState.SUCCEEDED, message=f"{name} SUCCESSFUL: {_revision_name(info)} serves all production traffic{bake}")
    if info.status in FAILED_STATUSES:
        if info.status == "STOPPED":
            return Verdict(state=RolloutState.FAILED, message=f"{name} STOPPED: {why}")
        tail = {
            "ROLLBACK_SUCCESSFUL": "ECS rolled back to the previous revision",
            "ROLLBACK_FAILED": "ECS's rollback failed too",
        }.get(info.status, "ECS is rolling back to the previous revision")
        return Verdict(state=RolloutState.FAILED, message=f"{name} ({_revision_name(info)}) failed: {why}; {tail} ({info.status})")
    return Verdict(state=RolloutState.IN_PROGRESS, message=describe(info))


def newest(deployments: Sequence[ServiceDeploymentInfo]) -> ServiceDeploymentInfo | None:
    """The most recently created of `deployments` (the first when none says when)."""
    dated = [(d.created_at, d) for d in deployments if d.created_at is not None]
    if dated:
        return max(dated, key=lambda pair: pair[0])[1]
    return deployments[0] if deployments else None
