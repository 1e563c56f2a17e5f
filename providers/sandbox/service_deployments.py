"""ECS-native blue/green, linear and canary deployments: service deployments and service revisions.

Since July 2025 ECS deploys blue/green itself (``deploymentController.type`` ECS with
``deploymentConfiguration.strategy`` BLUE_GREEN, LINEAR or CANARY). A deployment is then a
*service deployment* (API_ServiceDeployment.html) moving from a source *service revision* to a
target one (API_ServiceRevision.html) through lifecycle stages. moto 5.2 has neither; the
sandbox adds the five actions as the API reference documents them (botocore 1.44 models them):

- ``list_service_deployments`` (API_ListServiceDeployments.html): the service's deployments,
  newest first, as ServiceDeploymentBrief, optionally filtered by ``status``. Moves nothing.
- ``describe_service_deployments`` (API_DescribeServiceDeployments.html): the deployments
  asked for; an unknown ARN is a ``failures`` entry (reason MISSING). **Each call advances each
  deployment it lists by one step** (below): real ECS moves on with time, the sandbox with polls.
- ``describe_service_revisions`` (API_DescribeServiceRevisions.html): the revisions asked for
  (task definition, load balancers, network, launch type, platform, service connect, volume and
  VPC Lattice configurations, ``monitoring`` / ``gatewayConnectors`` when the service has them,
  createdAt); unknown ARNs are failures. Every deployment of every ECS-controller service
  (rolling ones too) makes a revision; DescribeServices reports ``currentServiceRevisions``
  and ``currentServiceDeployment``.
- ``stop_service_deployment`` (API_StopServiceDeployment.html): stopType ROLLBACK (the default
  here) makes an active deployment ROLLBACK_REQUESTED, then ROLLBACK_IN_PROGRESS on the next
  poll and ROLLBACK_SUCCESSFUL on the one after (the source revision serves again); ABORT makes
  it STOP_REQUESTED, then STOPPED. A deployment that ended: ConflictException; an unknown ARN:
  ServiceDeploymentNotFoundException.
- ``continue_service_deployment`` (API_ContinueServiceDeployment.html): answers a hook that is
  AWAITING_ACTION (targetType PAUSE): action CONTINUE (default) lets the deployment go on with
  the next poll, ROLLBACK rolls it back. No such hook: ConflictException.

How a service deployment progresses (developerguide/blue-green-deployment-how-it-works.html,
deployment-type-linear.html, deployment-type-canary.html, API_DeploymentLifecycleHook.html).
Only services whose strategy is BLUE_GREEN, LINEAR or CANARY get service deployments here
(rolling ones keep ``ecs_rollouts``'s model; real ECS gives them service deployments too: not
imitated). One DescribeServiceDeployments poll is one step:

- PENDING (the poll that sees it first), then IN_PROGRESS through the lifecycle stages
  RECONCILE_SERVICE, PRE_SCALE_UP, SCALE_UP, POST_SCALE_UP, TEST_TRAFFIC_SHIFT (test traffic
  100% to the target revision), POST_TEST_TRAFFIC_SHIFT, PRODUCTION_TRAFFIC_SHIFT,
  POST_PRODUCTION_TRAFFIC_SHIFT, BAKE_TIME, CLEAN_UP, then SUCCESSFUL.
- PRODUCTION_TRAFFIC_SHIFT: BLUE_GREEN shifts 100% in one step; LINEAR shifts ``stepPercent``
  (default 10) per step with ``stepBakeTimeInMinutes`` (default 6) polls between steps (none
  after 100%); CANARY shifts ``canaryPercent`` (default 5), waits ``canaryBakeTimeInMinutes``
  (default 10) polls, then the rest. ``requestedProductionTrafficWeight`` /
  ``requestedTestTrafficWeight`` of the source and target revision summaries say where traffic is.
- BAKE_TIME lasts ``bakeTimeInMinutes`` polls (one poll stands for a minute).
- Lifecycle hooks: at a stage one of ``lifecycleHooks`` names (PRE_PRODUCTION_TRAFFIC_SHIFT is
  run just before PRODUCTION_TRAFFIC_SHIFT), ``lifecycleHookDetails`` lists the hook: an
  AWS_LAMBDA hook is IN_PROGRESS for one poll, then SUCCEEDED, or FAILED when its function name
  contains ``Fail`` (``FAILING_HOOK_MARKER``): the deployment rolls back ("hookStatus FAILED":
  roll back). A PAUSE hook is AWAITING_ACTION until ContinueServiceDeployment.
- A broken image (``task_definitions.image_is_broken``) never becomes healthy: SCALE_UP fails a
  task per poll; with the circuit breaker on, once failures reach its threshold (the rolling
  rule, ``ecs_rollouts.circuit_breaker_threshold``) the deployment rolls back (rollback on) or is
  STOPPED (rollback off); without it SCALE_UP goes on for ever.
- A rollback: ROLLBACK_IN_PROGRESS with ``rollback`` (reason, startedAt, serviceRevisionArn
  of the source), the service's task definition back to the source revision's; the next poll
  ROLLBACK_SUCCESSFUL. The statusReason words are the sandbox's.
- Success: the target revision is the service's only current revision; each load balancer's
  ``targetGroupArn`` and ``advancedConfiguration.alternateTargetGroupArn`` swap (the target
  group that received the green tasks is production now); the DescribeServices deployment of
  the target is PRIMARY and COMPLETED, the older ones are gone.

The DescribeServices ``deployments`` of such a service follow its service deployment
(``ecs_rollouts`` leaves them alone). The helpers are called with ``_STATE_LOCK`` held.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import attrs

from providers.sandbox.common import _STATE_LOCK, _add_event, _now, _random, _service_value, _set_service_value

#: Strategies whose deployments are service deployments here.
NATIVE_STRATEGIES = ("BLUE_GREEN", "LINEAR", "CANARY")

#: A Lambda hook whose function name contains this fails (hookStatus FAILED): the deployment
#: rolls back.
FAILING_SERVICE_HOOK_MARKER = "Fail"

#: Statuses of a deployment still under way.
ACTIVE_SERVICE_DEPLOYMENT_STATUSES = ("PENDING", "IN_PROGRESS", "STOP_REQUESTED", "ROLLBACK_REQUESTED", "ROLLBACK_IN_PROGRESS")

# Defaults of LinearConfiguration / CanaryConfiguration (API reference).
LINEAR_DEFAULTS = {"stepPercent": 10.0, "stepBakeTimeInMinutes": 6}
CANARY_DEFAULTS = {"canaryPercent": 5.0, "canaryBakeTimeInMinutes": 10}

_STAGES_BEFORE_PRODUCTION = (
    "RECONCILE_SERVICE", "PRE_SCALE_UP", "SCALE_UP", "POST_SCALE_UP", "TEST_TRAFFIC_SHIFT", "POST_TEST_TRAFFIC_SHIFT",
)


@attrs.define
class _Step:
    stage: str
    production: float = 0.0  # production traffic weight of the target revision after this step
    test: float = 0.0
    hook_stages: tuple[str, ...] = ()  # hook stages run at this step


@attrs.define
class _Run:
    """One service deployment: its record (what DescribeServiceDeployments returns) and its plan."""

    record: dict[str, Any]
    service: Any
    steps: list[_Step]
    index: int = -1  # -1: PENDING
    hooks: list[dict[str, Any]] = attrs.field(factory=list)  # lifecycleHookDetails of this step
    hooks_done: bool = False
    failed_tasks: int = 0
    source_task_definition: str | None = None
    stop: str | None = None  # ROLLBACK / ABORT asked for


def _state(backend: Any) -> tuple[dict[str, _Run], dict[str, dict[str, Any]]]:
    # Kept on the backend: moto's reset clears the backend's __dict__, and these with it.
    runs: dict[str, _Run] | None = getattr(backend, "_ecsplan_service_deployments", None)
    revisions: dict[str, dict[str, Any]] | None = getattr(backend, "_ecsplan_service_revisions", None)
    if runs is None or revisions is None:
        runs, revisions = {}, {}
        backend._ecsplan_service_deployments = runs
        backend._ecsplan_service_revisions = revisions
    return runs, revisions


def strategy_of(service: Any) -> str:
    configuration = _service_value(service, "deploymentConfiguration") or {}
    return str(configuration.get("strategy") or "ROLLING")


def is_native(service: Any) -> bool:
    controller = (getattr(service, "deployment_controller", None) or {}).get("type", "ECS")
    return controller == "ECS" and strategy_of(service) in NATIVE_STRATEGIES


def in_service_deployment(service: Any) -> bool:
    """A service deployment of the service is under way: it moves the service's deployments."""
    return bool(getattr(service, "_ecsplan_service_deployment_active", False))


def _ecs_error(code: str, message: str) -> Exception:
    from moto.ecs.exceptions import ECSException

    return ECSException(code, message)


def _invalid(message: str) -> Exception:
    from moto.ecs.exceptions import InvalidParameterException

    return InvalidParameterException(message)


def _arn(backend: Any, kind: str, service: Any) -> str:
    suffix = _random().get_random_hex(20) if kind == "service-deployment" else str(_random().randint(10**18, 10**19 - 1))
    return f"arn:aws:ecs:{backend.region_name}:{backend.account_id}:{kind}/{service.cluster_name}/{service.name}/{suffix}"


_REVISION_FIELDS = (
    "capacityProviderStrategy", "platformVersion", "platformFamily", "loadBalancers", "serviceRegistries",
    "networkConfiguration", "serviceConnectConfiguration", "volumeConfigurations", "vpcLatticeConfigurations",
)


def _new_revision(backend: Any, service: Any) -> dict[str, Any]:
    """A service revision: the configuration the deployment runs (API_ServiceRevision.html)."""
    _, revisions = _state(backend)
    revision: dict[str, Any] = {
        "serviceRevisionArn": _arn(backend, "service-revision", service),
        "serviceArn": service.arn,
        "clusterArn": service.cluster_arn,
        "taskDefinition": service.task_definition,
        "createdAt": _now(),
    }
    if service.launch_type:
        revision["launchType"] = service.launch_type
    for field in _REVISION_FIELDS:
        value = _service_value(service, field)
        if value not in (None, [], {}):
            revision[field] = copy.deepcopy(value)
    # Accepted by CreateService/UpdateService but not in the Service shape (AWS-FACTS.md): shown
    # on the revision only, when the service keeps them.
    for field, attribute in (("monitoring", "monitoring"), ("gatewayConnectors", "gateway_connectors")):
        value = getattr(service, attribute, None)
        if value not in (None, [], {}):
            revision[field] = copy.deepcopy(value)
    revisions[revision["serviceRevisionArn"]] = revision
    return revision


def _summary(arn: str, requested: int, running: int, production: float, test: float) -> dict[str, Any]:
    return {
        "arn": arn,
        "requestedTaskCount": requested,
        "runningTaskCount": running,
        "pendingTaskCount": max(requested - running, 0),
        "requestedProductionTrafficWeight": production,
        "requestedTestTrafficWeight": test,
    }


def _production_steps(configuration: dict[str, Any]) -> list[_Step]:
    """PRODUCTION_TRAFFIC_SHIFT as polls: one per traffic step, one per minute of step bake."""
    strategy = configuration.get("strategy")
    hook = ("PRE_PRODUCTION_TRAFFIC_SHIFT", "PRODUCTION_TRAFFIC_SHIFT")
    if strategy == "LINEAR":
        linear = {**LINEAR_DEFAULTS, **(configuration.get("linearConfiguration") or {})}
        step, bake = float(linear["stepPercent"]), int(linear["stepBakeTimeInMinutes"])
        out: list[_Step] = []
        weight = 0.0
        while weight < 100.0:
            weight = min(100.0, round(weight + step, 1))
            out.append(_Step(stage="PRODUCTION_TRAFFIC_SHIFT", production=weight, test=100.0, hook_stages=hook if not out else ()))
            if weight < 100.0:
                out.extend(_Step(stage="PRODUCTION_TRAFFIC_SHIFT", production=weight, test=100.0) for _ in range(bake))
        return out
    if strategy == "CANARY":
        canary = {**CANARY_DEFAULTS, **(configuration.get("canaryConfiguration") or {})}
        percent, bake = float(canary["canaryPercent"]), int(canary["canaryBakeTimeInMinutes"])
        out = [_Step(stage="PRODUCTION_TRAFFIC_SHIFT", production=percent, test=100.0, hook_stages=hook)]
        out.extend(_Step(stage="PRODUCTION_TRAFFIC_SHIFT", production=percent, test=100.0) for _ in range(bake))
        if percent < 100.0:
            out.append(_Step(stage="PRODUCTION_TRAFFIC_SHIFT", production=100.0, test=100.0))
        return out
    return [_Step(stage="PRODUCTION_TRAFFIC_SHIFT", production=100.0, test=100.0, hook_stages=hook)]


def _plan(configuration: dict[str, Any]) -> list[_Step]:
    steps = [
        _Step(stage=stage, test=100.0 if stage in ("TEST_TRAFFIC_SHIFT", "POST_TEST_TRAFFIC_SHIFT") else 0.0, hook_stages=(stage,))
        for stage in _STAGES_BEFORE_PRODUCTION
    ]
    steps += _production_steps(configuration)
    steps.append(_Step(stage="POST_PRODUCTION_TRAFFIC_SHIFT", production=100.0, test=100.0, hook_stages=("POST_PRODUCTION_TRAFFIC_SHIFT",)))
    steps += [_Step(stage="BAKE_TIME", production=100.0, test=100.0) for _ in range(int(configuration.get("bakeTimeInMinutes") or 0))]
    steps.append(_Step(stage="CLEAN_UP", production=100.0, test=100.0))
    return steps


def on_deployment_started(backend: Any, service: Any, deployment: dict[str, Any], source_task_definition: str | None) -> None:
    """A deployment of an ECS-controller service started (ecs_services): a new service revision;
    for the native strategies, a service deployment from the current revisions to it."""
    revision = _new_revision(backend, service)
    previous = [s["arn"] for s in getattr(service, "current_service_revisions", None) or []]
    now = _now()
    if not is_native(service):
        service.current_service_revisions = [_summary(revision["serviceRevisionArn"], service.desired_count, 0, 100.0, 0.0)]
        return
    runs, _ = _state(backend)
    configuration = copy.deepcopy(_service_value(service, "deploymentConfiguration") or {})
    record: dict[str, Any] = {
        "serviceDeploymentArn": _arn(backend, "service-deployment", service),
        "serviceArn": service.arn,
        "clusterArn": service.cluster_arn,
        "createdAt": now,
        "updatedAt": now,
        "status": "PENDING",
        "deploymentConfiguration": configuration,
        "sourceServiceRevisions": [_summary(arn, service.desired_count, service.desired_count, 100.0, 0.0) for arn in previous],
        "targetServiceRevision": _summary(revision["serviceRevisionArn"], service.desired_count, 0, 0.0, 0.0),
        "ecsplanDeploymentId": deployment["id"],
    }
    breaker = configuration.get("deploymentCircuitBreaker") or {}
    if breaker.get("enable"):
        record["deploymentCircuitBreaker"] = {"status": "MONITORING", "failureCount": 0, "threshold": _threshold(service)}
    for older in runs.values():
        # A new deployment replaces one under way (ECS stops it).
        if older.service is service and older.record["status"] in ACTIVE_SERVICE_DEPLOYMENT_STATUSES:
            _finish(older, "STOPPED", "Service deployment stopped: a newer service deployment replaced it.")
    run = _Run(record=record, service=service, steps=_plan(configuration), source_task_definition=source_task_definition)
    runs[record["serviceDeploymentArn"]] = run
    service._ecsplan_service_deployment_active = True
    service.current_service_deployment = record["serviceDeploymentArn"]
    service.current_service_revisions = [*record["sourceServiceRevisions"], record["targetServiceRevision"]]


def _threshold(service: Any) -> int:
    from providers.sandbox.ecs_rollouts import circuit_breaker_threshold

    configuration = _service_value(service, "deploymentConfiguration") or {}
    return circuit_breaker_threshold(service.desired_count, configuration.get("deploymentCircuitBreaker") or {})


def _finish(run: _Run, status: str, reason: str) -> None:
    run.service._ecsplan_service_deployment_active = False
    now = _now()
    run.record.update(status=status, statusReason=reason, updatedAt=now, finishedAt=now)
    if status == "STOPPED":
        run.record["stoppedAt"] = now
    run.record.pop("lifecycleStage", None)


def _hooks_at(run: _Run, step: _Step) -> list[dict[str, Any]]:
    hooks = (run.record["deploymentConfiguration"].get("lifecycleHooks")) or []
    out = []
    for hook in hooks:
        if set(hook.get("lifecycleStages") or []) & set(step.hook_stages):
            target_type = hook.get("targetType") or "AWS_LAMBDA"
            detail: dict[str, Any] = {
                "hookId": _random().get_random_hex(16),
                "targetType": target_type,
                "status": "AWAITING_ACTION" if target_type == "PAUSE" else "IN_PROGRESS",
            }
            if hook.get("hookTargetArn"):
                detail["targetArn"] = hook["hookTargetArn"]
            timeout = hook.get("timeoutConfiguration") or {}
            if timeout.get("action"):
                detail["timeoutAction"] = timeout["action"]
            out.append(detail)
    return out


def _deployments_entries(run: _Run) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
    deployment_id = run.record.get("ecsplanDeploymentId")
    ours = next((d for d in run.service.deployments if d["id"] == deployment_id), None)
    return ours, [d for d in run.service.deployments if d["id"] != deployment_id]


def _roll_back(backend: Any, run: _Run, reason: str) -> None:
    """ROLLBACK_IN_PROGRESS: the source revision serves again; ROLLBACK_SUCCESSFUL next poll."""
    now = _now()
    source = run.record["sourceServiceRevisions"]
    run.record.update(status="ROLLBACK_IN_PROGRESS", statusReason=reason, updatedAt=now)
    run.record["rollback"] = {"reason": reason, "startedAt": now, **({"serviceRevisionArn": source[0]["arn"]} if source else {})}
    service = run.service
    if run.source_task_definition:
        service.task_definition = run.source_task_definition
    ours, others = _deployments_entries(run)
    if others:
        others[0]["status"] = "PRIMARY"
        others[0]["updatedAt"] = now
        if ours is not None:
            ours["status"] = "ACTIVE"
            _set_rollout_state(ours, "FAILED", reason)
    _add_event(service, f"(service-deployment {run.record['serviceDeploymentArn'].rsplit('/', 1)[-1]}) rolling back: {reason}")


def _complete_rollback(run: _Run) -> None:
    service = run.service
    ours, others = _deployments_entries(run)
    if ours is not None and others:
        service.deployments.remove(ours)
    source = run.record["sourceServiceRevisions"]
    service.current_service_revisions = copy.deepcopy(source) or [run.record["targetServiceRevision"]]
    for summary in service.current_service_revisions:
        summary.update(requestedProductionTrafficWeight=100.0, requestedTestTrafficWeight=0.0)
    run.record["targetServiceRevision"].update(runningTaskCount=0, pendingTaskCount=0, requestedProductionTrafficWeight=0.0, requestedTestTrafficWeight=0.0)
    _finish(run, "ROLLBACK_SUCCESSFUL", run.record.get("statusReason", "rolled back"))
    _add_event(service, "rollback completed: the source service revision serves all traffic.")


def _set_rollout_state(deployment: dict[str, Any], state: str, reason: str) -> None:
    """Where ecs_rollouts keeps a deployment's rollout state, and what DescribeServices shows."""
    from providers.sandbox.ecs_rollouts import _set_state

    _set_state(deployment, state, reason)
    deployment.update(rolloutState=state, rolloutStateReason=reason)


def _swap_target_groups(service: Any) -> None:
    balancers = copy.deepcopy(_service_value(service, "loadBalancers") or [])
    for lb in balancers:
        advanced = lb.get("advancedConfiguration") or {}
        if advanced.get("alternateTargetGroupArn") and lb.get("targetGroupArn"):
            lb["targetGroupArn"], advanced["alternateTargetGroupArn"] = advanced["alternateTargetGroupArn"], lb["targetGroupArn"]
    _set_service_value(service, "loadBalancers", balancers)


def _succeed(run: _Run) -> None:
    service = run.service
    _swap_target_groups(service)
    ours, others = _deployments_entries(run)
    if ours is not None:
        for older in others:
            service.deployments.remove(older)
        ours.update(status="PRIMARY", runningCount=ours["desiredCount"], pendingCount=0, updatedAt=_now())
        _set_rollout_state(ours, "COMPLETED", f"ECS deployment {ours['id']} completed.")
    target = run.record["targetServiceRevision"]
    target.update(runningTaskCount=target["requestedTaskCount"], pendingTaskCount=0, requestedProductionTrafficWeight=100.0, requestedTestTrafficWeight=0.0)
    for source in run.record["sourceServiceRevisions"]:
        source.update(requestedTaskCount=0, runningTaskCount=0, pendingTaskCount=0, requestedProductionTrafficWeight=0.0, requestedTestTrafficWeight=0.0)
    service.current_service_revisions = [copy.deepcopy(target)]
    _finish(run, "SUCCESSFUL", "Service deployment completed.")
    _add_event(service, "has reached a steady state.")


def _advance(backend: Any, run: _Run) -> None:
    """One poll's worth of progress (module docstring)."""
    from providers.sandbox.task_definitions import _task_definition_is_broken

    record = run.record
    status = record["status"]
    record["updatedAt"] = _now()
    if status == "ROLLBACK_REQUESTED":
        _roll_back(backend, run, record.get("statusReason") or "Service deployment stopped with rollback (StopServiceDeployment).")
        return
    if status == "ROLLBACK_IN_PROGRESS":
        _complete_rollback(run)
        return
    if status == "STOP_REQUESTED":
        _finish(run, "STOPPED", "Service deployment stopped (StopServiceDeployment ABORT).")
        return
    if status == "PENDING":
        record.update(status="IN_PROGRESS", startedAt=_now())
        run.index = 0
        _enter(run)
        return
    if status != "IN_PROGRESS":
        return
    step = run.steps[run.index]
    # Hooks of this stage: Lambda hooks answer on the next poll; PAUSE hooks wait for an answer.
    if run.hooks and not run.hooks_done:
        for hook in run.hooks:
            if hook["status"] == "IN_PROGRESS":
                failed = FAILING_SERVICE_HOOK_MARKER in str(hook.get("targetArn", "")).rsplit(":", 1)[-1]
                hook["status"] = "FAILED" if failed else "SUCCEEDED"
        failed_hook = next((h for h in run.hooks if h["status"] == "FAILED"), None)
        if failed_hook is not None:
            _roll_back(backend, run, f"Lifecycle hook {failed_hook.get('targetArn', failed_hook['hookId'])} returned FAILED at stage {step.stage}.")
            return
        if any(h["status"] in ("AWAITING_ACTION", "IN_PROGRESS") for h in run.hooks):
            return
        run.hooks_done = True
        return
    if step.stage == "SCALE_UP" and _task_definition_is_broken(backend, run.service.task_definition):
        _fail_task(backend, run)
        return
    run.index += 1
    if run.index >= len(run.steps):
        _succeed(run)
        return
    _enter(run)


def _enter(run: _Run) -> None:
    step = run.steps[run.index]
    record = run.record
    record["lifecycleStage"] = step.stage
    target = record["targetServiceRevision"]
    target["requestedProductionTrafficWeight"] = step.production
    target["requestedTestTrafficWeight"] = step.test
    for source in record["sourceServiceRevisions"]:
        source["requestedProductionTrafficWeight"] = round(100.0 - step.production, 1)
        source["requestedTestTrafficWeight"] = round(100.0 - step.test, 1)
    if run.index > _STAGES_BEFORE_PRODUCTION.index("SCALE_UP"):
        target.update(runningTaskCount=target["requestedTaskCount"], pendingTaskCount=0)
        ours, _ = _deployments_entries(run)
        if ours is not None:
            ours.update(runningCount=ours["desiredCount"], pendingCount=0)
    run.hooks = _hooks_at(run, step)
    run.hooks_done = not run.hooks
    record["lifecycleHookDetails"] = run.hooks
    if step.stage == "PRODUCTION_TRAFFIC_SHIFT":
        _add_event(run.service, f"shifted {step.production:g}% of production traffic to the new service revision.")


def _fail_task(backend: Any, run: _Run) -> None:
    service = run.service
    task = _random().get_random_hex(32)
    _add_event(service, f"(task {task}) failed container health checks.")
    run.failed_tasks += 1
    breaker = (_service_value(service, "deploymentConfiguration") or {}).get("deploymentCircuitBreaker") or {}
    if "deploymentCircuitBreaker" in run.record:
        run.record["deploymentCircuitBreaker"]["failureCount"] = run.failed_tasks
    if not breaker.get("enable") or run.failed_tasks < _threshold(service):
        return
    run.record["deploymentCircuitBreaker"]["status"] = "TRIGGERED"
    reason = "ECS deployment circuit breaker: tasks failed to start."
    if breaker.get("rollback"):
        _roll_back(backend, run, reason)
    else:
        _finish(run, "STOPPED", reason)


def _public(run: _Run) -> dict[str, Any]:
    return {k: v for k, v in run.record.items() if not k.startswith("ecsplan")}


def _brief(run: _Run) -> dict[str, Any]:
    record = run.record
    out: dict[str, Any] = {k: record[k] for k in ("serviceDeploymentArn", "serviceArn", "clusterArn", "startedAt", "createdAt", "finishedAt", "status", "statusReason") if k in record}
    out["targetServiceRevisionArn"] = record["targetServiceRevision"]["arn"]
    return out


def _run_for(backend: Any, arn: str) -> _Run:
    runs, _ = _state(backend)
    run = runs.get(arn)
    if run is None:
        raise _ecs_error("ServiceDeploymentNotFoundException", f"The service deployment {arn} does not exist.")
    return run


# --------------------------------------------------------------------------------------------
# The added actions


def _add_list_service_deployments(original: None) -> Callable[..., Any]:
    """ListServiceDeployments (moto lacks it): the service's deployments, newest first."""
    del original

    def list_service_deployments(self: Any) -> Any:
        from moto.core.responses import ActionResult

        backend = self.ecs_backend
        cluster = self._get_param("cluster") or "default"
        service = backend._get_service(cluster, str(self._get_param("service") or "").split("/")[-1])
        wanted = self._get_param("status") or []
        with _STATE_LOCK:
            runs, _ = _state(backend)
            found = [r for r in runs.values() if r.service is service and (not wanted or r.record["status"] in wanted)]
            found.sort(key=lambda r: r.record["createdAt"], reverse=True)
            return ActionResult({"serviceDeployments": [_brief(r) for r in found]})

    return list_service_deployments


def _add_describe_service_deployments(original: None) -> Callable[..., Any]:
    """DescribeServiceDeployments (moto lacks it); each call advances each listed deployment."""
    del original

    def describe_service_deployments(self: Any) -> Any:
        from moto.core.responses import ActionResult

        backend = self.ecs_backend
        arns = self._get_param("serviceDeploymentArns") or []
        if not arns:
            raise _invalid("serviceDeploymentArns must not be empty.")
        with _STATE_LOCK:
            runs, _ = _state(backend)
            found, failures = [], []
            for arn in arns:
                run = runs.get(arn)
                if run is None:
                    failures.append({"arn": arn, "reason": "MISSING"})
                    continue
                _advance(backend, run)
                found.append(copy.deepcopy(_public(run)))
            return ActionResult({"serviceDeployments": found, "failures": failures})

    return describe_service_deployments


def _add_describe_service_revisions(original: None) -> Callable[..., Any]:
    """DescribeServiceRevisions (moto lacks it): the revisions asked for; unknown ones MISSING."""
    del original

    def describe_service_revisions(self: Any) -> Any:
        from moto.core.responses import ActionResult

        arns = self._get_param("serviceRevisionArns") or []
        if not arns:
            raise _invalid("serviceRevisionArns must not be empty.")
        with _STATE_LOCK:
            _, revisions = _state(self.ecs_backend)
            found = [copy.deepcopy(revisions[a]) for a in arns if a in revisions]
            failures = [{"arn": a, "reason": "MISSING"} for a in arns if a not in revisions]
            return ActionResult({"serviceRevisions": found, "failures": failures})

    return describe_service_revisions


def _add_stop_service_deployment(original: None) -> Callable[..., Any]:
    """StopServiceDeployment (moto lacks it): ROLLBACK_REQUESTED (or STOP_REQUESTED for ABORT);
    the stop takes effect on the following polls."""
    del original

    def stop_service_deployment(self: Any) -> Any:
        from moto.core.responses import ActionResult

        arn = str(self._get_param("serviceDeploymentArn") or "")
        stop_type = self._get_param("stopType") or "ROLLBACK"
        if stop_type not in ("ROLLBACK", "ABORT"):
            raise _invalid(f"stopType {stop_type} is not valid: ROLLBACK or ABORT.")
        with _STATE_LOCK:
            run = _run_for(self.ecs_backend, arn)
            if run.record["status"] not in ("PENDING", "IN_PROGRESS"):
                raise _ecs_error("ConflictException", f"The service deployment is {run.record['status']}; only a deployment in progress can be stopped.")
            run.stop = stop_type
            if stop_type == "ROLLBACK":
                run.record.update(status="ROLLBACK_REQUESTED", statusReason="Service deployment stopped with rollback (StopServiceDeployment).")
            else:
                run.record.update(status="STOP_REQUESTED")
            run.record["updatedAt"] = _now()
            return ActionResult({"serviceDeploymentArn": arn})

    return stop_service_deployment


def _add_continue_service_deployment(original: None) -> Callable[..., Any]:
    """ContinueServiceDeployment (moto lacks it): answers a PAUSE hook AWAITING_ACTION."""
    del original

    def continue_service_deployment(self: Any) -> Any:
        from moto.core.responses import ActionResult

        arn = str(self._get_param("serviceDeploymentArn") or "")
        hook_id = self._get_param("hookId")
        action = self._get_param("action") or "CONTINUE"
        with _STATE_LOCK:
            run = _run_for(self.ecs_backend, arn)
            hook = next((h for h in run.hooks if h["status"] == "AWAITING_ACTION" and (not hook_id or h["hookId"] == hook_id)), None)
            if run.record["status"] != "IN_PROGRESS" or hook is None:
                raise _ecs_error("ConflictException", "The service deployment has no lifecycle hook awaiting action with this hookId.")
            if action == "ROLLBACK":
                hook["status"] = "FAILED"
                _roll_back(self.ecs_backend, run, f"Service deployment rolled back at lifecycle hook {hook['hookId']} (ContinueServiceDeployment ROLLBACK).")
            else:
                hook["status"] = "SUCCEEDED"
            return ActionResult({"serviceDeploymentArn": arn})

    return continue_service_deployment
