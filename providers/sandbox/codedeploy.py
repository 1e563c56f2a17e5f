"""CodeDeploy's blue/green deployments of ECS services: the patches to moto's CodeDeploy.

moto's CodeDeploy deployments stay Created for ever and change nothing in ECS. Patches:

- ``batch_get_applications_limit``
  (``moto.codedeploy.responses.CodeDeployResponse.batch_get_applications``): at most 100 names.
- ``create_deployment_validates_appspec``
  (``moto.codedeploy.models.CodeDeployBackend.create_deployment``): AppSpec (JSON or YAML),
  task definition, container / port, hooks, deployment group service and target group pair
  validated with CodeDeploy's exceptions; one active deployment per group; IDs d-XXXXXXXXX;
  GetDeployment shows the AppSpec's sha256, not its content.
- ``deployments_progress_on_get`` (``...CodeDeployResponse.get_deployment``) and
  ``deployments_progress_on_batch_get`` (``...CodeDeployResponse.batch_get_deployments``, at
  most 25 IDs): each call advances each deployment it names by one step, deterministically, and
  fills in errorInformation and rollbackInfo.
- Added actions (``moto.codedeploy.responses.CodeDeployResponse``): ``stop_deployment``
  (asynchronous: Pending, Stopped a little later), ``continue_deployment`` (READY_WAIT,
  TERMINATION_WAIT), ``batch_get_deployment_groups`` (at most 100 names; missing ones in
  errorMessage), ``list_deployment_targets``, ``get_deployment_target``,
  ``batch_get_deployment_targets`` (one ECSTarget ``<cluster>:<service>`` with its lifecycle
  events and task sets); ``get_deployment_config`` and ``create_deployment_config`` are in
  ``codedeploy_configs``.

The validation and the plan are in ``codedeploy_plan``, the run in ``codedeploy_progress``.

CodeDeploy blue/green rules (ECS compute platform; see
``codedeploy_progress._advance_deployment``):

- A CODE_DEPLOY service has task sets, not deployments: its taskDefinition is the PRIMARY task
  set's, DescribeServices polls never touch it, desiredCount scales its task sets at once.
- A deployment is Created until its first GetDeployment / BatchGetDeployments call that names
  it; each such call is one step. Step k completes the lifecycle events (BeforeInstall, Install,
  AfterInstall, AllowTestTraffic, AfterAllowTestTraffic, BeforeAllowTraffic, AllowTraffic,
  AfterAllowTraffic) up to 8 * k // ``CODEDEPLOY_STEPS`` and starts the next: a healthy
  deployment is Succeeded at step ``CODEDEPLOY_STEPS``. Install creates the replacement task
  set (ACTIVE, startedBy CODE_DEPLOY, externalId the deployment ID) behind the other target
  group of the group's pair; on success it is PRIMARY, the original one is gone, and the
  service runs the AppSpec's task definition (and its NetworkConfiguration, PlatformVersion,
  CapacityProviderStrategy when given) behind that other target group: CodeDeploy swaps blue
  and green (kayac/ecspresso#936), so the next deployment swaps back.
- Failures: an image tag starting with ``broken`` fails Install (ECS_UPDATE_ERROR); a hook whose
  Lambda function name contains ``Fail`` fails its event (HEALTH_CONSTRAINTS). A failing event
  is shown InProgress on at least one poll and fails on the next; the later events are Skipped,
  the replacement task set goes, the service keeps its task definition and target group.
- StopDeployment answers Pending; ``STOP_POLLS`` polls later the deployment is Stopped
  (MANUAL_STOP) with the same effect on ECS, and its rollback deployment (if any) appears.
- The waits, one poll standing for one minute (``codedeploy_progress._advance_deployment``;
  the group's blueGreenDeploymentConfiguration and the deployment configuration, see
  ``codedeploy_plan._waits_of``): with deploymentReadyOption STOP_DEPLOYMENT the deployment is
  Ready after AfterAllowTestTraffic (target status Ready, BeforeAllowTraffic Pending) for
  waitTimeInMinutes polls, until ContinueDeployment READY_WAIT, else Stopped (TIMEOUT); a
  canary / linear configuration keeps AllowTraffic InProgress while the replacement task set's
  trafficWeight grows step by step (``codedeploy_configs``); terminationWaitTimeInMinutes keeps
  the original task set (ACTIVE, no traffic) that many polls after AfterAllowTraffic, the
  deployment InProgress with instanceTerminationWaitTimeStarted and the service already on the
  new task set, until ContinueDeployment TERMINATION_WAIT or the end of the wait; then
  Succeeded. A stop during the termination wait puts the service back on the original task set.
  Sources: userguide deployment-steps-ecs.html (reroute, wait, terminate) and
  deployment-configurations.html; API_DeploymentReadyOption.html,
  API_BlueGreenDeploymentConfiguration.html, API_ContinueDeployment.html. The AWS CLI's
  ``aws ecs deploy`` waits ready wait + termination wait + 10 minutes for the same reason
  (aws/aws-cli awscli/customizations/ecs/deploy.py, get_deployment_wait_time).
- With autoRollbackConfiguration {enabled, DEPLOYMENT_FAILURE} (the deployment's, else its
  group's), or StopDeployment's autoRollbackEnabled, a failed / stopped deployment gets
  rollbackInfo and a rollback deployment (creator codeDeployRollback) that keeps the original
  task set and succeeds over its own ``CODEDEPLOY_STEPS`` polls.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any

from providers.sandbox.codedeploy_plan import (
    _RUN,
    ACTIVE_DEPLOYMENT_STATUSES,
    _appspec_digest,
    _BlueGreen,
    _check_auto_rollback,
    _codedeploy_error,
    _plan_ecs_deployment,
    _refuse_concurrent_deployment,
    _run_of,
    _store_deployment,
)
from providers.sandbox.codedeploy_progress import (
    _advance_deployment,
    _complete_deployment_info,
    _continue_from_ready,
    _deployment_target,
    _request_stop,
    _rolls_back_on,
    _skip_termination_wait,
    _started_deployment,
    _target_status,
)
from providers.sandbox.common import _STATE_LOCK

#: Names or IDs a CodeDeploy batch call takes at most (BatchGetApplications,
#: BatchGetDeploymentGroups: 100; BatchGetDeployments: 25).
CODEDEPLOY_BATCH_LIMIT = 100
BATCH_GET_DEPLOYMENTS_LIMIT = 25

# StopDeployment's reply, as in API_StopDeployment.html's sample response.
_STOP_PENDING = "Stopping Pending. Stopping to schedule commands in the deployment instances"


def _batch_limit(limit: int) -> Exception:
    return _codedeploy_error(
        "BatchLimitExceededException",
        f"The maximum number of names or IDs allowed for this request ({limit}) was exceeded.",
    )


def _patch_batch_get_applications_limit(original: Callable[..., Any]) -> Callable[..., Any]:
    """BatchGetApplications takes at most 100 names (API_BatchGetApplications.html:
    BatchLimitExceededException); moto takes any number."""

    @functools.wraps(original)
    def batch_get_applications(self: Any) -> Any:
        if len(self._get_param("applicationNames") or []) > CODEDEPLOY_BATCH_LIMIT:
            raise _batch_limit(CODEDEPLOY_BATCH_LIMIT)
        return original(self)

    return batch_get_applications


def _patch_create_deployment_validates_appspec(original: Callable[..., Any]) -> Callable[..., Any]:
    """CreateDeployment validates like CodeDeploy, and IDs look like CodeDeploy's.

    For an application with compute platform ECS (API_CreateDeployment.html, AppSpec reference
    for ECS): revisionType AppSpecContent whose content is JSON or YAML; Resources[0]
    .TargetService.Properties.TaskDefinition is the ARN of a registered, ACTIVE task definition
    (InvalidRevisionException); LoadBalancerInfo names a container of it and a port it maps
    (InvalidRevisionException); hooks name ECS lifecycle events; the deployment group deploys an
    existing CODE_DEPLOY service (InvalidECSServiceException) behind one of its target group
    pair (InvalidLoadBalancerInfoException); autoRollbackConfiguration events are valid
    (InvalidAutoRollbackConfigException). Any platform: a second deployment while one is active
    in the group is refused (DeploymentLimitExceededException "The Deployment Group '<name>'
    already has an active Deployment '<id>'"). The deployment ID is d-XXXXXXXXX (moto: a UUID),
    and GetDeployment shows the AppSpec's sha256, not its content, as AWS does.
    """

    @functools.wraps(original)
    def create_deployment(self: Any, *args: Any, **kwargs: Any) -> str:
        bound = inspect.signature(original).bind(self, *args, **kwargs)
        bound.apply_defaults()
        given = bound.arguments
        application = given["application_name"]
        group_name = given["deployment_group_name"]
        with _STATE_LOCK:
            plan: tuple[_BlueGreen, str] | None = None
            group = (self.deployment_groups.get(application) or {}).get(group_name)
            if application in self.applications and group is not None:
                _check_auto_rollback(given["auto_rollback_configuration"])
                if group.application.compute_platform == "ECS":
                    plan = _plan_ecs_deployment(
                        self, group, given["revision"], given["deployment_config_name"]
                    )
                _refuse_concurrent_deployment(self, application, group_name)
            deployment_id = original(*bound.args, **bound.kwargs)  # moto's own checks first
            deployment = self.deployments[deployment_id]
            _store_deployment(self, deployment)
            if plan is not None:
                run, content = plan
                setattr(deployment, _RUN, run)
                deployment.revision = _appspec_digest(content)
            return str(deployment.deployment_id)

    return create_deployment


def _patch_deployments_progress_on_get(original: Callable[..., Any]) -> Callable[..., Any]:
    """Each GetDeployment call advances the deployment by one step, and shows what AWS shows.

    Real CodeDeploy moves on with time; the sandbox moves on with polls (no clock, no sleep):
    see the module docstring for the blue/green rules. errorInformation and rollbackInfo (moto:
    always empty) are filled in, and left out when there are none.
    """

    @functools.wraps(original)
    def get_deployment(self: Any) -> Any:
        deployment_id = self._get_param("deploymentId")
        if not deployment_id:
            raise _codedeploy_error(
                "DeploymentIdRequiredException", "At least one deployment ID must be specified."
            )
        backend = self.codedeploy_backend
        with _STATE_LOCK:
            deployment = backend.deployments.get(str(deployment_id))
            if deployment is not None:
                _advance_deployment(backend, deployment)
            result = original(self)
            _complete_deployment_info(result.result["deploymentInfo"], deployment)
            return result

    return get_deployment


def _patch_deployments_progress_on_batch_get(original: Callable[..., Any]) -> Callable[..., Any]:
    """Each BatchGetDeployments call advances each listed deployment by one step (as
    GetDeployment does) and takes at most 25 IDs (API_BatchGetDeployments.html)."""

    @functools.wraps(original)
    def batch_get_deployments(self: Any) -> Any:
        deployment_ids = self._get_param("deploymentIds") or []
        if len(deployment_ids) > BATCH_GET_DEPLOYMENTS_LIMIT:
            raise _batch_limit(BATCH_GET_DEPLOYMENTS_LIMIT)
        backend = self.codedeploy_backend
        with _STATE_LOCK:
            for deployment_id in dict.fromkeys(map(str, deployment_ids)):
                deployment = backend.deployments.get(deployment_id)
                if deployment is not None:
                    _advance_deployment(backend, deployment)
            result = original(self)
            for info in result.result["deploymentsInfo"]:
                _complete_deployment_info(info, backend.deployments.get(info["deploymentId"]))
            return result

    return batch_get_deployments


def _add_stop_deployment(original: None) -> Callable[..., Any]:
    """StopDeployment (moto lacks it; API_StopDeployment.html).

    Asynchronous, as on AWS: the reply is status Pending with its statusMessage (the API
    reference's sample response), and the deployment is Stopped later, here ``STOP_POLLS``
    polls (GetDeployment / BatchGetDeployments naming it) later, going no further meanwhile
    (aws-actions/amazon-ecs-deploy-task-definition#345: scripts that stop a deployment "wait
    for it to stop"). Then it has errorInformation MANUAL_STOP, its replacement task set goes
    and the service keeps (or gets back) what it ran; autoRollbackEnabled true starts a rollback
    deployment, named in rollbackInfo only then (false: none; left out: the deployment's
    autoRollbackConfiguration decides, by DEPLOYMENT_STOP_ON_REQUEST). Asking again while the
    stop is pending answers Pending again. A completed deployment:
    DeploymentAlreadyCompletedException.
    """
    del original

    def stop_deployment(self: Any) -> Any:
        from moto.core.responses import ActionResult

        deployment_id = self._get_param("deploymentId")
        if not deployment_id:
            raise _codedeploy_error(
                "DeploymentIdRequiredException", "At least one deployment ID must be specified."
            )
        rollback = self._get_param("autoRollbackEnabled")
        backend = self.codedeploy_backend
        with _STATE_LOCK:
            deployment = backend.get_deployment(str(deployment_id))
            if deployment.status not in ACTIVE_DEPLOYMENT_STATUSES:
                raise _codedeploy_error(
                    "DeploymentAlreadyCompletedException",
                    f"The deployment {deployment_id} has already completed.",
                )
            if rollback is None:
                rollback = _rolls_back_on(deployment, "DEPLOYMENT_STOP_ON_REQUEST")
            _request_stop(backend, deployment, bool(rollback))
        return ActionResult({"status": "Pending", "statusMessage": _STOP_PENDING})

    return stop_deployment


def _add_continue_deployment(original: None) -> Callable[..., Any]:
    """ContinueDeployment (moto lacks it; API_ContinueDeployment.html).

    deploymentWaitType READY_WAIT (the default) reroutes the traffic of a deployment that is
    Ready (deploymentReadyOption STOP_DEPLOYMENT): it is InProgress again and goes on from the
    next poll; any other status: DeploymentIsNotInReadyStateException. TERMINATION_WAIT ends
    the termination wait of a deployment whose original task set is kept
    (instanceTerminationWaitTimeStarted): the original task set goes and the deployment
    Succeeded; before that wait: InvalidDeploymentStatusException. A completed deployment:
    DeploymentAlreadyCompletedException; another wait type: InvalidDeploymentWaitTypeException.
    The reply is empty.
    """
    del original

    def continue_deployment(self: Any) -> Any:
        from moto.core.responses import EmptyResult

        deployment_id = self._get_param("deploymentId")
        if not deployment_id:
            raise _codedeploy_error(
                "DeploymentIdRequiredException", "At least one deployment ID must be specified."
            )
        wait_type = self._get_param("deploymentWaitType") or "READY_WAIT"
        if wait_type not in ("READY_WAIT", "TERMINATION_WAIT"):
            raise _codedeploy_error(
                "InvalidDeploymentWaitTypeException", f"The wait type {wait_type} is invalid."
            )
        backend = self.codedeploy_backend
        with _STATE_LOCK:
            deployment = backend.get_deployment(str(deployment_id))
            if deployment.status not in ACTIVE_DEPLOYMENT_STATUSES:
                raise _codedeploy_error(
                    "DeploymentAlreadyCompletedException",
                    f"The deployment {deployment_id} has already completed.",
                )
            run = _run_of(deployment)
            if wait_type == "READY_WAIT":
                if run is None or deployment.status != "Ready" or run.stop is not None:
                    raise _codedeploy_error(
                        "DeploymentIsNotInReadyStateException",
                        "The deployment does not have a status of Ready and can't continue yet.",
                    )
                _continue_from_ready(deployment, run)
            else:
                if run is None or run.hold != "termination" or run.stop is not None:
                    raise _codedeploy_error(
                        "InvalidDeploymentStatusException",
                        f"The deployment {deployment_id} is not waiting to terminate the "
                        "original task set.",
                    )
                _skip_termination_wait(backend, deployment, run)
        return EmptyResult()

    return continue_deployment


def _add_batch_get_deployment_groups(original: None) -> Callable[..., Any]:
    """BatchGetDeploymentGroups (moto lacks it; API_BatchGetDeploymentGroups.html).

    Each found group as GetDeploymentGroup shows it (ecsServices, loadBalancerInfo,
    deploymentConfigName, computePlatform, blueGreenDeploymentConfiguration...); names that are
    not groups of the application go in errorMessage. More than 100 names:
    BatchLimitExceededException; an unknown application: ApplicationDoesNotExistException.
    """
    del original

    def batch_get_deployment_groups(self: Any) -> Any:
        from moto.codedeploy.responses import _deployment_group_info
        from moto.core.responses import ActionResult

        application = self._get_param("applicationName")
        names = self._get_param("deploymentGroupNames") or []
        if not application:
            raise _codedeploy_error(
                "ApplicationNameRequiredException", "The minimum number of required application "
                "names was not specified."
            )
        if not names:
            raise _codedeploy_error(
                "DeploymentGroupNameRequiredException",
                "The deployment group name was not specified.",
            )
        if len(names) > CODEDEPLOY_BATCH_LIMIT:
            raise _batch_limit(CODEDEPLOY_BATCH_LIMIT)
        backend = self.codedeploy_backend
        with _STATE_LOCK:
            backend.get_application(application)  # ApplicationDoesNotExistException
            groups = backend.deployment_groups.get(application) or {}
            found = [groups[name] for name in dict.fromkeys(names) if name in groups]
            missing = [name for name in dict.fromkeys(names) if name not in groups]
            result: dict[str, Any] = {
                "deploymentGroupsInfo": [_deployment_group_info(group) for group in found]
            }
        if missing:
            result["errorMessage"] = (
                f"The deployment groups {', '.join(missing)} do not exist in application "
                f"{application}."
            )
        return ActionResult(result)

    return batch_get_deployment_groups


def _add_list_deployment_targets(original: None) -> Callable[..., Any]:
    """ListDeploymentTargets (moto lacks it; API_ListDeploymentTargets.html).

    An ECS deployment has one target, ``<cluster>:<service>``; targetFilters TargetStatus
    filters it by its status. Before the deployment has started (status Created: it starts at
    its first GetDeployment / BatchGetDeployments poll): DeploymentNotStartedException.
    """
    del original

    def list_deployment_targets(self: Any) -> Any:
        from moto.core.responses import ActionResult

        backend = self.codedeploy_backend
        statuses = (self._get_param("targetFilters") or {}).get("TargetStatus") or []
        with _STATE_LOCK:
            deployment = _started_deployment(backend, self._get_param("deploymentId"))
            run = _run_of(deployment)
            target_ids = [] if run is None else [f"{run.cluster}:{run.service}"]
            if statuses and _target_status(deployment) not in statuses:
                target_ids = []
        return ActionResult({"targetIds": target_ids})

    return list_deployment_targets


def _add_get_deployment_target(original: None) -> Callable[..., Any]:
    """GetDeploymentTarget (moto lacks it; API_GetDeploymentTarget.html).

    deploymentTargetType ECSTarget; ecsTarget has the lifecycle events (lifecycleEventName,
    status Pending / InProgress / Succeeded / Failed / Skipped, startTime, endTime, diagnostics
    of a failed one), the target's status, and taskSetsInfo (Blue / Green, trafficWeight).
    """
    del original

    def get_deployment_target(self: Any) -> Any:
        from moto.core.responses import ActionResult

        backend = self.codedeploy_backend
        with _STATE_LOCK:
            deployment = _started_deployment(backend, self._get_param("deploymentId"))
            target = _deployment_target(backend, deployment, self._get_param("targetId"))
        return ActionResult({"deploymentTarget": target})

    return get_deployment_target


def _add_batch_get_deployment_targets(original: None) -> Callable[..., Any]:
    """BatchGetDeploymentTargets (moto lacks it; API_BatchGetDeploymentTargets.html): the
    targets GetDeploymentTarget returns, at most 25 per call for ECS."""
    del original

    def batch_get_deployment_targets(self: Any) -> Any:
        from moto.core.responses import ActionResult

        backend = self.codedeploy_backend
        target_ids = self._get_param("targetIds") or []
        if len(target_ids) > BATCH_GET_DEPLOYMENTS_LIMIT:
            raise _codedeploy_error(
                "DeploymentTargetListSizeExceededException",
                f"The maximum number of targets that can be associated with an Amazon ECS "
                f"deployment ({BATCH_GET_DEPLOYMENTS_LIMIT}) was exceeded.",
            )
        with _STATE_LOCK:
            deployment = _started_deployment(backend, self._get_param("deploymentId"))
            targets = [_deployment_target(backend, deployment, tid) for tid in target_ids]
        return ActionResult({"deploymentTargets": targets})

    return batch_get_deployment_targets
