"""CodeDeploy blue/green deployments of ECS services, their run: how a deployment progresses,
waits (Ready for a reroute, traffic shifting, the termination wait), fails, stops and rolls back
one poll at a time, what ECS sees meanwhile (the replacement task set, the traffic weights, the
swap of target groups), and the deployment's one target as GetDeploymentTarget shows it. The
rules are in ``codedeploy``'s docstring.

The helpers are called with ``_STATE_LOCK`` held.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import attrs

from providers.sandbox.codedeploy_configs import _Routing
from providers.sandbox.codedeploy_plan import (
    _RUN,
    ECS_LIFECYCLE_EVENTS,
    _appspec_digest,
    _BlueGreen,
    _codedeploy_error,
    _ecs_of,
    _Failure,
    _run_of,
    _StopRequest,
    _store_deployment,
    _target_group_name,
)
from providers.sandbox.common import (
    _add_event,
    _add_task_set_event,
    _now,
    _service_value,
    _set_service_value,
    _task_ids,
    _tasks_text,
)
from providers.sandbox.task_sets import _new_task_set, _recount_task_sets, _set_task_set_counts

#: GetDeployment / BatchGetDeployments calls (that include the deployment) a CodeDeploy
#: blue/green deployment (or its rollback) takes from Created to Succeeded, without waits.
CODEDEPLOY_STEPS = 4

#: Polls (GetDeployment / BatchGetDeployments naming the deployment) after StopDeployment until
#: the deployment is Stopped: the first still shows it as it was, the second Stopped.
STOP_POLLS = 2

#: errorInformation of a deployment stopped with StopDeployment (the sandbox's wording).
MANUAL_STOP_ERROR = {"code": "MANUAL_STOP", "message": "The deployment was stopped by the user."}

#: errorInformation of a deployment whose ready wait (deploymentReadyOption STOP_DEPLOYMENT) ran
#: out before ContinueDeployment (the sandbox's wording; the status is AWS's: Stopped).
READY_TIMEOUT_ERROR = {
    "code": "TIMEOUT",
    "message": "Traffic was not rerouted to the replacement task set before the wait time "
    "(deploymentReadyOption waitTimeInMinutes) ran out; the deployment was stopped.",
}

# More sandbox bookkeeping on moto's DeploymentInfo objects (as _RUN, discarded with them).
_ERROR = "_ecsplan_error_information"
_ROLLBACK_INFO = "_ecsplan_rollback_info"


def _rolls_back_on(deployment: Any, event: str) -> bool:
    """The deployment's autoRollbackConfiguration decides; without one, its group's does."""
    configuration = deployment.auto_rollback_configuration
    if configuration is None:
        configuration = deployment.deployment_group.auto_rollback_configuration
    configuration = configuration or {}
    return bool(configuration.get("enabled")) and event in (configuration.get("events") or [])


def _live_service(ecs: Any, run: _BlueGreen) -> Any:
    try:
        service = ecs._get_service(run.cluster, run.service)
    except Exception:
        return None
    return service if service.status == "ACTIVE" else None


def _task_set(service: Any, task_set_id: str | None) -> Any:
    if service is None or task_set_id is None:
        return None
    return next((ts for ts in service.task_sets if ts.id == task_set_id), None)


def _start_event(event: dict[str, Any]) -> None:
    if event["status"] == "Pending":
        event["status"] = "InProgress"
        event["startTime"] = _now()


def _finish_event(event: dict[str, Any], status: str, diagnostics: Any = None) -> None:
    event["status"] = status
    event.setdefault("startTime", _now())
    event["endTime"] = _now()
    if diagnostics:
        event["diagnostics"] = dict(diagnostics)


def _set_overview(deployment: Any, status: str) -> None:
    """An ECS deployment has one target: deploymentOverview counts it where it stands."""
    overview = {key: 0 for key in deployment.deployment_overview}
    overview[status] = 1
    deployment.deployment_overview = overview


def _install_green(ecs: Any, service: Any, deployment: Any, run: _BlueGreen) -> None:
    """Install: ECS creates the replacement task set (ACTIVE) behind the green target group."""
    load_balancers = [
        {**lb, "targetGroupArn": run.green_target_group}
        if lb.get("targetGroupArn") == run.blue_target_group
        else dict(lb)
        for lb in service.load_balancers
    ]
    green = _new_task_set(
        ecs,
        service,
        run.task_definition,
        status="ACTIVE",
        load_balancers=load_balancers,
        network=run.overrides.get("networkConfiguration") or service.network_configuration or None,
        platform_version=run.overrides.get("platformVersion") or service.platform_version,
        strategy=run.overrides.get("capacityProviderStrategy")
        or _service_value(service, "capacityProviderStrategy"),
        started_by="CODE_DEPLOY",
        external_id=deployment.deployment_id,
    )
    service.task_sets.append(green)
    run.green_task_set = green.id
    _set_task_set_counts(service, green)
    _recount_task_sets(ecs, service)


def _remove_task_set(ecs: Any, service: Any, task_set: Any) -> None:
    if task_set.running_count:
        tasks = _tasks_text(_task_ids(task_set.running_count))
        _add_task_set_event(
            service, task_set, f"has stopped {task_set.running_count} running tasks: {tasks}."
        )
    service.task_sets = [ts for ts in service.task_sets if ts is not task_set]
    _recount_task_sets(ecs, service)


def _promote_green(ecs: Any, service: Any, run: _BlueGreen, *, keep_blue: bool = False) -> None:
    """Traffic has moved: the replacement task set is PRIMARY and the service runs the AppSpec's
    task definition behind the other target group of the pair (CodeDeploy swaps blue and green:
    kayac/ecspresso#936). The original task set goes at once, or (``keep_blue``: the group's
    termination wait) stays ACTIVE until ``_terminate_blue``; what the service ran is kept in
    ``run.restore`` until then, for a stop that puts it back."""
    green = _task_set(service, run.green_task_set)
    if green is None:
        return
    run.restore = {
        "taskDefinition": service.task_definition,
        "loadBalancers": copy.deepcopy(service.load_balancers),
        "launchType": service.launch_type,
        "overrides": {field: copy.deepcopy(_service_value(service, field)) for field in run.overrides},
    }
    for task_set in list(service.task_sets):
        if task_set is green:
            continue
        if keep_blue:
            task_set.status = "ACTIVE"
            task_set.updatedAt = _now()
        else:
            _remove_task_set(ecs, service, task_set)
    green.status = "PRIMARY"
    green.updatedAt = _now()
    service.task_definition = green.task_definition
    service.load_balancers = copy.deepcopy(green.load_balancers)
    for field, value in run.overrides.items():
        _set_service_value(service, field, copy.deepcopy(value))
        if field == "capacityProviderStrategy" and value:
            service.launch_type = None
    _recount_task_sets(ecs, service)
    if not keep_blue:
        run.restore = None
        _add_event(service, "has reached a steady state.")


def _terminate_blue(ecs: Any, service: Any, run: _BlueGreen) -> None:
    """The termination wait is over: the original task set goes."""
    if service is None:
        return
    for task_set in list(service.task_sets):
        if task_set.id != run.green_task_set:
            _remove_task_set(ecs, service, task_set)
    run.restore = None
    _recount_task_sets(ecs, service)
    _add_event(service, "has reached a steady state.")


def _discard_green(ecs: Any, service: Any, run: _BlueGreen) -> None:
    """Failure or stop: the replacement task set goes; the service keeps (or, stopped during the
    termination wait, gets back) what it ran, on the original task set."""
    if service is not None and run.restore is not None:
        blue = _task_set(service, run.blue_task_set)
        if blue is not None:
            blue.status = "PRIMARY"
            blue.updatedAt = _now()
        service.task_definition = run.restore["taskDefinition"]
        service.load_balancers = run.restore["loadBalancers"]
        service.launch_type = run.restore["launchType"]
        for field, value in run.restore["overrides"].items():
            _set_service_value(service, field, value)
        run.restore = None
    run.green_weight = 0.0
    green = _task_set(service, run.green_task_set)
    if green is not None:
        _remove_task_set(ecs, service, green)
        _add_event(service, "has reached a steady state.")


def _begin_event(ecs: Any, service: Any, deployment: Any, run: _BlueGreen, index: int) -> None:
    event = run.events[index]
    if event["status"] != "Pending":
        return
    _start_event(event)
    name = event["lifecycleEventName"]
    if name == "Install" and run.rollback_of is None and service is not None:
        _install_green(ecs, service, deployment, run)
    if name == "AllowTraffic" and run.rollback_of is None and run.routing.polls:
        # Canary / linear: the first increment now, the rest over the next polls.
        run.green_weight = run.routing.weight_after(0)
        _enter_hold(run, "shift")


def _enter_hold(run: _BlueGreen, hold: str) -> None:
    run.hold = hold
    run.hold_polls = 0


def _enters_ready_wait(deployment: Any, run: _BlueGreen, index: int) -> bool:
    """Before BeforeAllowTraffic, with deploymentReadyOption STOP_DEPLOYMENT: the deployment is
    Ready until ContinueDeployment (READY_WAIT) or the wait runs out."""
    if (
        run.events[index]["lifecycleEventName"] != "BeforeAllowTraffic"
        or run.ready_polls is None
        or run.ready_passed
        or run.rollback_of is not None
    ):
        return False
    deployment.status = "Ready"
    _set_overview(deployment, "Ready")
    _enter_hold(run, "ready")
    return True


def _continue_from_ready(deployment: Any, run: _BlueGreen) -> None:
    """ContinueDeployment READY_WAIT: traffic is rerouted from the next poll on."""
    deployment.status = "InProgress"
    _set_overview(deployment, "InProgress")
    run.hold = None
    run.ready_passed = True
    run.updated_at = _now()


def _succeed(codedeploy: Any, ecs: Any, service: Any, deployment: Any, run: _BlueGreen) -> None:
    deployment.status = "Succeeded"
    deployment.complete_time = _now()
    _set_overview(deployment, "Succeeded")
    run.hold = None
    if run.rollback_of is None:
        if run.restore is not None:
            _terminate_blue(ecs, service, run)
        else:
            _promote_green(ecs, service, run)
    else:
        rolled_back = codedeploy.deployments.get(run.rollback_of)
        info = getattr(rolled_back, _ROLLBACK_INFO, None) if rolled_back is not None else None
        if info is not None:
            info["rollbackMessage"] = (
                f"Deployment {run.rollback_of} was rolled back by deployment "
                f"{deployment.deployment_id}."
            )


def _skip_termination_wait(codedeploy: Any, deployment: Any, run: _BlueGreen) -> None:
    """ContinueDeployment TERMINATION_WAIT: the original task set goes now."""
    ecs = _ecs_of(codedeploy)
    run.updated_at = _now()
    _succeed(codedeploy, ecs, _live_service(ecs, run), deployment, run)


def _one_poll_of_hold(codedeploy: Any, ecs: Any, service: Any, deployment: Any, run: _BlueGreen) -> bool:
    """A poll spent in a wait; True when the wait ended and the deployment goes on this poll."""
    run.hold_polls += 1
    if run.hold == "ready":
        if run.hold_polls >= (run.ready_polls or 0):
            # Stopped (API_DeploymentReadyOption.html); rolled back as after DEPLOYMENT_FAILURE
            # when configured so (the sandbox's reading: AWS documents no rollback event for it).
            _end_deployment(codedeploy, deployment, "Stopped", READY_TIMEOUT_ERROR)
        return False
    if run.hold == "shift":
        run.green_weight = run.routing.weight_after(run.hold_polls)
        if run.hold_polls < run.routing.polls:
            return False
        run.hold = None
        return True
    if run.hold == "termination" and run.hold_polls >= run.termination_polls:
        _succeed(codedeploy, ecs, service, deployment, run)
    return False


def _advance_deployment(codedeploy: Any, deployment: Any) -> None:
    """One GetDeployment / BatchGetDeployments poll's worth of progress for one deployment.

    Outside the waits, poll k completes the lifecycle events up to
    len(events) * k // CODEDEPLOY_STEPS and starts the next one, so CODEDEPLOY_STEPS polls take
    a deployment without waits from Created to Succeeded. A failing event is shown InProgress on
    at least one poll, and fails on the next. The waits (``_BlueGreen``) take their own polls: a
    StopDeployment takes effect ``STOP_POLLS`` polls later; Ready holds before
    BeforeAllowTraffic; a canary / linear AllowTraffic shifts over its polls; the termination
    wait keeps the original task set (the deployment InProgress) after AfterAllowTraffic.
    """
    run = _run_of(deployment)
    if run is None or deployment.status not in ("Created", "InProgress", "Ready"):
        return
    run.updated_at = _now()
    if run.stop is not None:
        run.stop = attrs.evolve(run.stop, polls_left=run.stop.polls_left - 1)
        if run.stop.polls_left <= 0:
            _end_deployment(codedeploy, deployment, "Stopped", MANUAL_STOP_ERROR, rollback=run.stop.rollback)
        return
    ecs = _ecs_of(codedeploy)
    service = _live_service(ecs, run)
    if deployment.status == "Created":
        deployment.status = "InProgress"
        deployment.start_time = _now()
        _set_overview(deployment, "InProgress")
    if service is None and run.rollback_of is None:
        _end_deployment(
            codedeploy,
            deployment,
            "Failed",
            {"code": "INVALID_ECS_SERVICE", "message": f"The ECS service {run.service} is gone."},
        )
        return
    if run.hold is not None and not _one_poll_of_hold(codedeploy, ecs, service, deployment, run):
        return
    run.polls += 1
    target = len(run.events) * min(run.polls, CODEDEPLOY_STEPS) // CODEDEPLOY_STEPS
    while run.done < target:
        event = run.events[run.done]
        failure = run.failure
        if _enters_ready_wait(deployment, run, run.done):
            return
        if failure is not None and failure.event == event["lifecycleEventName"]:
            if event["status"] == "InProgress":
                _end_deployment(codedeploy, deployment, "Failed", failure.error, failure)
            else:
                _begin_event(ecs, service, deployment, run, run.done)
            return
        _begin_event(ecs, service, deployment, run, run.done)
        if run.hold is not None:  # AllowTraffic shifts traffic over the next polls
            return
        _finish_event(event, "Succeeded")
        if event["lifecycleEventName"] == "AllowTraffic":
            run.green_weight = 100.0
        run.done += 1
    if run.done < len(run.events):
        if not _enters_ready_wait(deployment, run, run.done):
            _begin_event(ecs, service, deployment, run, run.done)
        return
    if run.rollback_of is None and run.termination_polls and run.restore is None:
        # terminateBlueInstancesOnDeploymentSuccess: traffic has moved, the original task set
        # stays for terminationWaitTimeInMinutes, the deployment InProgress meanwhile.
        _promote_green(ecs, service, run, keep_blue=True)
        deployment.instance_termination_wait_time_started = True
        _enter_hold(run, "termination")
        return
    _succeed(codedeploy, ecs, service, deployment, run)


def _request_stop(codedeploy: Any, deployment: Any, rollback: bool) -> None:
    """StopDeployment: AWS answers Pending and stops the deployment a little later; the
    sandbox stops it STOP_POLLS polls later (the deployment goes no further meanwhile). A
    deployment of another compute platform (never progressed) stops at once."""
    run = _run_of(deployment)
    if run is None:
        _end_deployment(codedeploy, deployment, "Stopped", MANUAL_STOP_ERROR, rollback=rollback)
        return
    if run.stop is None:
        run.stop = _StopRequest(polls_left=STOP_POLLS, rollback=rollback)
        run.updated_at = _now()


def _end_deployment(
    codedeploy: Any,
    deployment: Any,
    status: str,
    error: dict[str, str],
    failure: _Failure | None = None,
    rollback: bool | None = None,
) -> None:
    """Failed or Stopped: the failing event fails, the rest are skipped, the replacement task set
    goes, and (autoRollbackConfiguration / StopDeployment's autoRollbackEnabled) a rollback
    deployment starts."""
    run = _run_of(deployment)
    deployment.status = status
    deployment.complete_time = _now()
    setattr(deployment, _ERROR, dict(error))
    if run is not None:
        run.hold = None
        run.stop = None
        _set_overview(deployment, "Failed")
        for event in run.events:
            if failure is not None and event["lifecycleEventName"] == failure.event:
                _finish_event(event, "Failed", failure.diagnostics)
            elif event["status"] == "InProgress":
                _finish_event(event, "Skipped")
            elif event["status"] == "Pending":
                event["status"] = "Skipped"
        run.updated_at = _now()
        ecs = _ecs_of(codedeploy)
        _discard_green(ecs, _live_service(ecs, run), run)
    if rollback is None:
        rollback = _rolls_back_on(deployment, "DEPLOYMENT_FAILURE")
    if rollback and run is not None and run.rollback_of is None:
        _start_rollback(codedeploy, deployment, run)


def _start_rollback(codedeploy: Any, failed: Any, run: _BlueGreen) -> None:
    """A rollback deployment (creator codeDeployRollback) that keeps the original task set and
    target group, and succeeds over its own CODEDEPLOY_STEPS polls."""
    from moto.codedeploy.models import DeploymentInfo

    content = json.dumps(
        {
            "version": 0.0,
            "Resources": [
                {
                    "TargetService": {
                        "Type": "AWS::ECS::Service",
                        "Properties": {"TaskDefinition": run.blue_task_definition},
                    }
                }
            ],
        }
    )
    rollback = DeploymentInfo(
        failed.application,
        failed.deployment_group,
        _appspec_digest(content),
        failed.deployment_config_name,
        f"Rollback of deployment {failed.deployment_id}",
        None,
        None,
        None,
        None,
        None,
        None,
        "codeDeployRollback",
    )
    codedeploy.deployments[rollback.deployment_id] = rollback
    _store_deployment(codedeploy, rollback)
    setattr(
        rollback,
        _RUN,
        attrs.evolve(
            run,
            task_definition=run.blue_task_definition,
            overrides={},
            hooks={},
            failure=None,
            rollback_of=failed.deployment_id,
            events=[
                {"lifecycleEventName": name, "status": "Pending"} for name in ECS_LIFECYCLE_EVENTS
            ],
            polls=0,
            done=0,
            green_task_set=None,
            updated_at=_now(),
            # CodeDeploy reroutes a rollback's traffic at once, without the group's waits.
            ready_polls=None,
            routing=_Routing("AllAtOnce"),
            termination_polls=0,
            hold=None,
            hold_polls=0,
            ready_passed=False,
            green_weight=0.0,
            stop=None,
            restore=None,
        ),
    )
    setattr(rollback, _ROLLBACK_INFO, {"rollbackTriggeringDeploymentId": failed.deployment_id})
    setattr(
        failed,
        _ROLLBACK_INFO,
        {
            "rollbackDeploymentId": rollback.deployment_id,
            "rollbackMessage": (
                f"Automatic rollback of deployment {failed.deployment_id} is in progress "
                f"with deployment {rollback.deployment_id}."
            ),
        },
    )


# DeploymentInfo members moto always sends empty (its TODOs); AWS leaves them out when unset.
_EMPTY_DEPLOYMENT_MEMBERS = (
    "previousRevision",
    "relatedDeployments",
    "externalId",
    "additionalDeploymentStatusInfo",
)


def _complete_deployment_info(info: dict[str, Any], deployment: Any) -> None:
    """Fill in what moto leaves as TODO: errorInformation and rollbackInfo, left out when there
    are none (as are moto's other empty placeholders and unset times)."""
    error = getattr(deployment, _ERROR, None)
    rollback = getattr(deployment, _ROLLBACK_INFO, None)
    info.pop("errorInformation", None)
    info.pop("rollbackInfo", None)
    if error:
        info["errorInformation"] = dict(error)
    if rollback:
        info["rollbackInfo"] = dict(rollback)
    for key in _EMPTY_DEPLOYMENT_MEMBERS:
        if info.get(key) in ({}, ""):
            del info[key]
    for key in [key for key, value in info.items() if value is None]:
        del info[key]


def _target_status(deployment: Any) -> str:
    return {
        "Created": "Pending",
        "Queued": "Pending",
        "InProgress": "InProgress",
        "Ready": "Ready",
        "Succeeded": "Succeeded",
        "Failed": "Failed",
        "Stopped": "Failed",
    }.get(deployment.status, "Unknown")


def _ecs_target(codedeploy: Any, deployment: Any, run: _BlueGreen) -> dict[str, Any]:
    """The deployment's one target, the ECS service (API_ECSTarget.html)."""
    service = _live_service(_ecs_of(codedeploy), run)
    task_sets = []
    for task_set_id, label in ((run.blue_task_set, "Blue"), (run.green_task_set, "Green")):
        task_set = _task_set(service, task_set_id)
        if task_set is None:
            continue
        weight = run.green_weight if label == "Green" else 100.0 - run.green_weight
        target_group = (task_set.load_balancers or [{}])[0].get("targetGroupArn")
        info: dict[str, Any] = {
            "identifer": task_set.id,  # sic: the API member is spelt so (ECSTaskSet)
            "desiredCount": task_set.computed_desired_count,
            "pendingCount": task_set.pending_count,
            "runningCount": task_set.running_count,
            "status": task_set.status,
            "trafficWeight": weight,
            "taskSetLabel": label,
        }
        if target_group:
            info["targetGroup"] = {"name": _target_group_name(codedeploy, target_group)}
        task_sets.append(info)
    return {
        "deploymentId": deployment.deployment_id,
        "targetId": f"{run.cluster}:{run.service}",
        "targetArn": run.service_arn,
        "lastUpdatedAt": run.updated_at,
        "lifecycleEvents": copy.deepcopy(run.events),
        "status": _target_status(deployment),
        "taskSetsInfo": task_sets,
    }


def _started_deployment(codedeploy: Any, deployment_id: Any) -> Any:
    """The deployment a ListDeploymentTargets / GetDeploymentTarget call names, once started."""
    if not deployment_id:
        raise _codedeploy_error(
            "DeploymentIdRequiredException", "At least one deployment ID must be specified."
        )
    deployment = codedeploy.get_deployment(str(deployment_id))
    if deployment.status in ("Created", "Queued"):
        raise _codedeploy_error(
            "DeploymentNotStartedException", "The specified deployment has not started."
        )
    return deployment


def _deployment_target(codedeploy: Any, deployment: Any, target_id: Any) -> dict[str, Any]:
    if not target_id:
        raise _codedeploy_error(
            "DeploymentTargetIdRequiredException", "A deployment target ID was not provided."
        )
    run = _run_of(deployment)
    if run is None or target_id != f"{run.cluster}:{run.service}":
        raise _codedeploy_error(
            "DeploymentTargetDoesNotExistException",
            f"The deployment target {target_id} does not exist in deployment "
            f"{deployment.deployment_id}.",
        )
    return {
        "deploymentTargetType": "ECSTarget",
        "ecsTarget": _ecs_target(codedeploy, deployment, run),
    }
