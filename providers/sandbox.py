"""An AWS sandbox: moto, patched to keep the ECS (and CodeDeploy blue/green) behaviours a deploy
engine depends on.

moto is loose exactly where a deploy engine lives: it drops most CreateService fields, stores
UpdateService's taskDefinition as given, completes (or never progresses) deployments, accepts
updates real ECS refuses; its CodeDeploy deployments stay Created for ever and change nothing in
ECS. ``install()`` patches moto's internals so that, for ECS, CodeDeploy's ECS deployments and
Application Auto Scaling's ECS targets, the sandbox answers like the real API. Each patch is one
small named factory below, taking moto's original and returning the replacement (an action moto
lacks is added: its factory gets None, and install() refuses once moto grows its own); its
docstring names the AWS behaviour it imitates.

Patches (``installed_patches()`` returns these names, in this order):

- ``record_requests`` (``moto.core.responses.BaseResponse.call_action``): every request moto
  serves, any service (S3 excepted: it bypasses ``call_action``), is appended to a thread-safe
  log of ``RecordedRequest(service, action, params)``, in process and in the threaded server.
- ``family_resolves_to_latest_active``
  (``moto.ecs.models.EC2ContainerServiceBackend.describe_task_definition``): a bare family names
  its latest ACTIVE revision, not its latest revision.
- ``task_definition_read_only_fields``
  (``moto.ecs.models.EC2ContainerServiceBackend.register_task_definition``): registeredAt,
  registeredBy, requiresAttributes; portMappings get protocol "tcp" and, in awsvpc mode,
  hostPort = containerPort.
- ``ec2_memory_reservation_suffices``
  (``moto.ecs.models.EC2ContainerServiceBackend._validate_container_defs``, replaced): a
  container needs memory or memoryReservation (or a task-level memory) for every launch type;
  moto wanted a hard memory limit on EC2.
- ``task_definition_defaults``
  (``moto.ecs.responses.EC2ContainerServiceResponse.register_task_definition``): task cpu /
  memory shorthand ("1 vCPU", "2 GB") stored as units / MiB strings; health checks get
  interval 30, timeout 5, retries 3; a missing hostPort is 0 in bridge mode and the
  containerPort in host mode; a volume with only a name gets "host": {}; enableFaultInjection
  kept (false when not given).
- ``refuse_duplicate_service`` (``moto.ecs.models.EC2ContainerServiceBackend.create_service``):
  "Creation of service was not idempotent." for a name already ACTIVE in the cluster.
- ``create_service_keeps_fields``
  (``moto.ecs.responses.EC2ContainerServiceResponse.create_service``):
  the CreateService fields moto drops are stored, with the defaults real ECS fills in (a DAEMON
  service's deploymentConfiguration defaults are 100/0; a placement spread on "host" is stored
  as "instanceId"); the first deployment is an IN_PROGRESS rollout like any other. A
  CODE_DEPLOY service gets no
  deployments but one PRIMARY task set (moto's TaskSet model, with computedDesiredCount,
  runningCount, pendingCount) running its task definition behind its load balancers.
- ``code_deploy_refuses_rolling_fields``
  (``moto.ecs.responses.EC2ContainerServiceResponse.update_service``): UpdateService on a
  CODE_DEPLOY service refuses a new task definition, network parameters, platform version and
  load balancers with AWS's messages.
- ``update_service_like_ecs`` (``moto.ecs.models.EC2ContainerServiceBackend.update_service``,
  replaced): full task definition ARN, partial deploymentConfiguration merge, a new deployment
  only when a deployment-starting field changes (or forceNewDeployment); on a CODE_DEPLOY
  service desiredCount scales every task set at once.
- ``scalable_target_check_does_not_poll`` (``moto.applicationautoscaling.models.
  ApplicationAutoscalingBackend._ecs_service_exists_for_target``, replaced): RegisterScalableTarget
  checks the ECS service without calling describe_services, so it advances no rollout.
- ``suspended_state_kept_per_flag`` (``...ApplicationAutoscalingBackend.register_scalable_target``):
  SuspendedState shows all three flags (false until set); flags a request leaves out are kept.
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
- Added actions (``moto.codedeploy.responses.CodeDeployResponse``): ``stop_deployment``,
  ``batch_get_deployment_groups`` (at most 100 names; missing ones in errorMessage),
  ``list_deployment_targets``, ``get_deployment_target``, ``batch_get_deployment_targets`` (one
  ECSTarget ``<cluster>:<service>`` with its lifecycle events and task sets).
- ``rollouts_progress_on_describe``
  (``moto.ecs.models.EC2ContainerServiceBackend.describe_services``): each DescribeServices call
  advances the service's rollout by one step, deterministically (no clock, no sleep).

Rollout rules (see ``_advance_service``):

- A healthy rollout takes ``ROLLOUT_STEPS`` DescribeServices calls that include the service: at
  the last one the PRIMARY has runningCount == desiredCount and rolloutState COMPLETED, the
  older deployments have drained and are gone, and the events say so (newest first).
- A task definition with a container image whose tag starts with ``broken`` (``nginx:broken``,
  ``app:broken-1``) never becomes healthy: each step adds failedTasks and events. After
  ``ROLLOUT_STEPS`` steps, with deploymentCircuitBreaker enable+rollback the deployment is FAILED
  and a new PRIMARY rolls back to the previous deployment's task definition; with enable only it
  is FAILED and stays; without the circuit breaker it stays IN_PROGRESS for ever (ECS retries).
- A desiredCount-only change starts no deployment: the PRIMARY converges to the new count over
  ``ROLLOUT_STEPS`` calls, and its rolloutState does not change.

CodeDeploy blue/green rules (ECS compute platform; see ``_advance_deployment``):

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
  StopDeployment stops at once (MANUAL_STOP) with the same effect on ECS.
- With autoRollbackConfiguration {enabled, DEPLOYMENT_FAILURE} (the deployment's, else its
  group's), or StopDeployment's autoRollbackEnabled, a failed / stopped deployment gets
  rollbackInfo and a rollback deployment (creator codeDeployRollback) that keeps the original
  task set and succeeds over its own ``CODEDEPLOY_STEPS`` polls.

Deliberately not imitated (yet): Queued / Baking / Ready statuses (deploymentReadyOption
STOP_DEPLOYMENT, ContinueDeployment), alarms, traffic shifting configurations (canary, linear:
every deployment shifts all at once), test listeners, CodeDeploy deployments of other compute
platforms (stored, never progressed, as moto does), S3 revisions for ECS (refused), clientToken
idempotency, tasks visible through ListTasks/DescribeTasks, moto's MOTO_ECS_SERVICE_RUNNING
environment variable (the rollout model replaces it).

moto is optional: it is imported inside functions only, so ``import providers.sandbox`` works
without it; using the sandbox without moto raises ``SandboxError``.
"""

from __future__ import annotations

import contextlib
import copy
import functools
import hashlib
import importlib
import inspect
import json
import logging
import os
import re
import threading
import urllib.request
from collections.abc import Callable, Iterator
from typing import Any

import attrs

from planner.errors import SandboxError

#: DescribeServices calls (that include the service) a rollout, a rollback or a scale takes.
ROLLOUT_STEPS = 3

#: GetDeployment / BatchGetDeployments calls (that include the deployment) a CodeDeploy
#: blue/green deployment (or its rollback) takes from Created to Succeeded.
CODEDEPLOY_STEPS = 4

#: Real ECS keeps the 100 most recent service events.
EVENTS_KEPT = 100

#: The image tag prefix that makes every task of a task definition fail its health checks.
BROKEN_TAG_PREFIX = "broken"

_MOTO_MISSING = "the sandbox needs moto: pip install 'ecsplan[sandbox]'"

# One lock for all sandbox state changes: the threaded server serves requests concurrently.
_STATE_LOCK = threading.RLock()


# --------------------------------------------------------------------------------------------
# Request recording
# --------------------------------------------------------------------------------------------


@attrs.frozen
class RecordedRequest:
    """One AWS request the sandbox served, with its parsed parameters (API casing)."""

    service: str
    action: str
    params: dict[str, Any]


class _Sink:
    """A list of recorded requests that only takes the requests its filter accepts."""

    def __init__(self, accepts: Callable[[str | None], bool]) -> None:
        self._accepts = accepts
        self._lock = threading.Lock()
        self._items: list[RecordedRequest] = []

    def offer(self, origin: str | None, request: RecordedRequest) -> None:
        if self._accepts(origin):
            with self._lock:
                self._items.append(request)

    def snapshot(self) -> list[RecordedRequest]:
        with self._lock:
            return list(self._items)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


_ALL_REQUESTS = _Sink(lambda origin: True)
_SINKS_LOCK = threading.Lock()
_SINKS: list[_Sink] = [_ALL_REQUESTS]


def _add_sink(sink: _Sink) -> None:
    with _SINKS_LOCK:
        _SINKS.append(sink)


def _remove_sink(sink: _Sink) -> None:
    with _SINKS_LOCK:
        if sink in _SINKS:
            _SINKS.remove(sink)


def _record(origin: str | None, request: RecordedRequest) -> None:
    with _SINKS_LOCK:
        sinks = list(_SINKS)
    for sink in sinks:
        sink.offer(origin, request)


def recorded_requests() -> list[RecordedRequest]:
    """Every request served since this process started (all servers, in process too)."""
    return _ALL_REQUESTS.snapshot()


def _request_params(response: Any) -> dict[str, Any]:
    """The request's parameters as the API names them, whatever protocol carried them."""
    params: Any = None
    if getattr(response, "automated_parameter_parsing", False):
        params = getattr(response, "params", None)
    if not isinstance(params, dict):
        body = getattr(response, "body", None)
        if isinstance(body, bytes):
            body = body.decode("utf-8", "replace")
        if isinstance(body, str) and body.lstrip().startswith("{"):
            try:
                params = json.loads(body)
            except ValueError:
                params = None
    if not isinstance(params, dict):
        try:
            params = response._get_params()
        except Exception:  # a protocol we cannot parse still gets recorded, without params
            params = {}
        params = {k: v for k, v in dict(params).items() if k not in ("Action", "Version")}
    return copy.deepcopy(dict(params))


# --------------------------------------------------------------------------------------------
# Patch machinery
# --------------------------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class _PatchSpec:
    """Where a patch goes and what moto's original looked like when the patch was written.

    ``adds``: the patch adds an action moto does not implement (a response method moto lacks).
    Its factory gets ``None`` for the original, ``params`` is the added method's signature, and
    install() refuses (SandboxError) once moto grows its own version, so that it gets reviewed.
    """

    name: str
    module: str
    owner: str
    attribute: str
    params: tuple[str, ...]
    make: Callable[[Any], Callable[..., Any]]
    adds: bool = False

    @property
    def target(self) -> str:
        return f"{self.module}.{self.owner}.{self.attribute}"


@attrs.frozen(kw_only=True)
class _Requirement:
    """A moto internal the patches read without replacing it."""

    target: str  # module:Owner.attribute or module:name
    params: tuple[str, ...] | None = None


_PATCH_MARKER = "__ecsplan_sandbox_patch__"
_INSTALL_LOCK = threading.Lock()
_INSTALLED: list[str] = []
_ORIGINALS: dict[str, Callable[..., Any] | None] = {}


def _require_moto() -> Any:
    try:
        import moto
    except ImportError as err:
        raise SandboxError(_MOTO_MISSING) from err
    return moto


def _moto_version() -> str:
    try:
        from importlib.metadata import version

        return version("moto")
    except Exception:
        return "unknown"


def _changed(target: str, what: str) -> SandboxError:
    return SandboxError(
        f"moto internal {target} {what}; the sandbox was written against moto 5.2.x and you "
        f"have moto {_moto_version()}: install 'ecsplan[sandbox]' to get a matching moto"
    )


def _check_signature(target: str, func: Any, expected: tuple[str, ...]) -> None:
    """Raise SandboxError unless ``func`` takes exactly the parameters ``expected``."""
    if not callable(func):
        raise _changed(target, "is no longer callable")
    try:
        actual = tuple(inspect.signature(func).parameters)
    except (TypeError, ValueError) as err:
        raise _changed(target, "has no readable signature") from err
    if actual != expected:
        raise _changed(target, f"changed its signature from {expected} to {actual}")


def _resolve_owner(spec_module: str, owner: str, target: str) -> Any:
    try:
        module = importlib.import_module(spec_module)
    except ImportError as err:
        raise _changed(target, "cannot be imported") from err
    found = getattr(module, owner, None)
    if found is None:
        raise _changed(target, "no longer exists")
    return found


def _original_of(spec: _PatchSpec) -> Callable[..., Any] | None:
    """moto's own function for a patch target (also after the patch is installed); None for an
    addition, which moto must not have."""
    owner = _resolve_owner(spec.module, spec.owner, spec.target)
    current = inspect.getattr_static(owner, spec.attribute, None)
    if current is not None and getattr(current, _PATCH_MARKER, None) == spec.name:
        return _ORIGINALS[spec.name]
    if spec.adds:
        if current is not None:
            raise _changed(
                spec.target, "now exists in moto (the sandbox adds its own): review the addition"
            )
        return None
    if current is None:
        raise _changed(spec.target, "no longer exists")
    return current


def _verify_targets() -> None:
    """Check that every patch target and every internal the patches read is still there,
    with the signature the patches were written for. Raises SandboxError naming the first
    one that changed."""
    _require_moto()
    for spec in _PATCHES:
        original = _original_of(spec)
        if not spec.adds:
            _check_signature(spec.target, original, spec.params)
    for req in _REQUIREMENTS:
        module_name, _, dotted = req.target.partition(":")
        try:
            obj: Any = importlib.import_module(module_name)
        except ImportError as err:
            raise _changed(req.target, "cannot be imported") from err
        for part in dotted.split("."):
            obj = getattr(obj, part, None)
            if obj is None:
                raise _changed(req.target, "no longer exists")
        if req.params is not None:
            _check_signature(req.target, obj, req.params)


def install() -> None:
    """Apply every patch (idempotent). Nothing is patched unless every target checks out."""
    with _INSTALL_LOCK:
        if len(_INSTALLED) == len(_PATCHES):
            return
        _verify_targets()
        for spec in _PATCHES:
            if spec.name in _INSTALLED:
                continue
            owner = _resolve_owner(spec.module, spec.owner, spec.target)
            original = _original_of(spec)
            replacement = spec.make(original)
            setattr(replacement, _PATCH_MARKER, spec.name)
            _ORIGINALS[spec.name] = original
            setattr(owner, spec.attribute, replacement)
            _INSTALLED.append(spec.name)


def installed_patches() -> list[str]:
    """Names of the patches applied so far, in the order they were applied."""
    with _INSTALL_LOCK:
        return list(_INSTALLED)


# --------------------------------------------------------------------------------------------
# ECS model helpers (all called with _STATE_LOCK held)
# --------------------------------------------------------------------------------------------

#: https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DeploymentConfiguration.html
DEFAULT_DEPLOYMENT_CONFIGURATION: dict[str, Any] = {
    "deploymentCircuitBreaker": {"enable": False, "rollback": False},
    "maximumPercent": 200,
    "minimumHealthyPercent": 100,
}

#: A DAEMON service's defaults differ (API_DeploymentConfiguration: "The default value for a
#: daemon service is 100%" for maximumPercent, 0% for minimumHealthyPercent).
DAEMON_DEPLOYMENT_CONFIGURATION: dict[str, Any] = {
    **DEFAULT_DEPLOYMENT_CONFIGURATION,
    "maximumPercent": 100,
    "minimumHealthyPercent": 0,
}

#: UpdateService fields whose change starts a new deployment (API_UpdateService.html).
DEPLOYMENT_STARTING_FIELDS: tuple[str, ...] = (
    "taskDefinition",
    "networkConfiguration",
    "platformVersion",
    "loadBalancers",
    "serviceRegistries",
    "serviceConnectConfiguration",
    "volumeConfigurations",
    "vpcLatticeConfigurations",
)

# The Service attribute each API field is kept under. moto's serializer
# (moto.core.serialize.XFormedAttributePicker) reads an attribute named either like the API
# member or like botocore.xform_name(member), so these names are what DescribeServices returns.
_SERVICE_ATTRIBUTES: dict[str, str] = {
    "availabilityZoneRebalancing": "availability_zone_rebalancing",
    "capacityProviderStrategy": "capacity_provider_strategy",
    "createdAt": "created_at",
    "createdBy": "created_by",
    "deploymentConfiguration": "deployment_configuration",
    "deploymentController": "deployment_controller",
    "desiredCount": "desired_count",
    "enableECSManagedTags": "enable_ecs_managed_tags",
    "enableExecuteCommand": "enable_execute_command",
    "healthCheckGracePeriodSeconds": "health_check_grace_period_seconds",
    "loadBalancers": "load_balancers",
    "networkConfiguration": "network_configuration",
    "placementConstraints": "placement_constraints",
    "placementStrategy": "placement_strategy",
    "platformFamily": "platform_family",
    "platformVersion": "platform_version",
    "propagateTags": "propagate_tags",
    "serviceRegistries": "service_registries",
    "taskDefinition": "task_definition",
    # Not members of the Service shape (ECS shows them on deployments), kept for the next one.
    "serviceConnectConfiguration": "service_connect_configuration",
    "volumeConfigurations": "volume_configurations",
    "vpcLatticeConfigurations": "vpc_lattice_configurations",
}

# Fields ECS shows on deployments but not on the service itself.
_DEPLOYMENT_ONLY_FIELDS = (
    "serviceConnectConfiguration",
    "volumeConfigurations",
    "vpcLatticeConfigurations",
)

# Deployment members copied from the service when a deployment starts.
_DEPLOYMENT_COPIED_FIELDS = (
    "capacityProviderStrategy",
    "launchType",
    "platformVersion",
    "platformFamily",
    "networkConfiguration",
    "serviceConnectConfiguration",
    "volumeConfigurations",
    "vpcLatticeConfigurations",
)

# TaskDefinition attributes for read-only DescribeTaskDefinition members (same naming rule).
_TASK_DEFINITION_ATTRIBUTES = {
    "registeredAt": "registered_at",
    "registeredBy": "registered_by",
    "requiresAttributes": "requires_attributes",
    "enableFaultInjection": "enable_fault_injection",
}


@attrs.define
class _Progress:
    """How far a deployment has come: steps taken, and its runningCount when the phase began."""

    step: int = 0
    start_running: int = 0


def _progress(service: Any) -> dict[str, _Progress]:
    # Kept on the moto Service object so that moto's reset discards it with the service.
    table: dict[str, _Progress] | None = getattr(service, "_ecsplan_progress", None)
    if table is None:
        table = {}
        service._ecsplan_progress = table
    return table


def _now() -> Any:
    from moto.core.utils import utcnow

    return utcnow()


def _random() -> Any:
    from moto.moto_api._internal import mock_random

    return mock_random


def _new_deployment_id() -> str:
    return f"ecs-svc/{_random().randint(10**18, 10**19 - 1)}"


def _task_ids(count: int) -> list[str]:
    return [_random().get_random_hex(32) for _ in range(count)]


def _add_event(service: Any, message: str) -> None:
    """Prepend a service event, newest first, as DescribeServices lists them."""
    _prepend_event(service, f"(service {service.name}) {message}")


def _add_task_set_event(service: Any, task_set: Any, message: str) -> None:
    """A service event about one task set, worded as ECS words them."""
    _prepend_event(service, f"(service {service.name}, taskSet {task_set.id}) {message}")


def _prepend_event(service: Any, text: str) -> None:
    event = {"id": str(_random().uuid4()), "createdAt": _now(), "message": text}
    service.events.insert(0, event)
    del service.events[EVENTS_KEPT:]


def _tasks_text(task_ids: list[str]) -> str:
    return " ".join(f"(task {task_id})" for task_id in task_ids)


def _ecs_exception(code: str, message: str) -> Exception:
    from moto.ecs.exceptions import ECSException

    return ECSException(code, message)


def _invalid_parameter(message: str) -> Exception:
    from moto.ecs.exceptions import InvalidParameterException

    return InvalidParameterException(message)


def _is_fargate(service: Any) -> bool:
    if service.launch_type == "FARGATE":
        return True
    strategy = getattr(service, "capacity_provider_strategy", None) or []
    return any(str(item.get("capacityProvider", "")).startswith("FARGATE") for item in strategy)


def _merge_deployment_configuration(
    current: dict[str, Any] | None,
    given: dict[str, Any] | None,
    defaults: dict[str, Any] = DEFAULT_DEPLOYMENT_CONFIGURATION,
) -> dict[str, Any]:
    """ECS keeps the members a request leaves out; a given structure member replaces the old one.

    On create ``current`` is the defaults (a DAEMON service's own), and a partial circuit
    breaker is completed from them.
    """
    merged = copy.deepcopy(current) if current else copy.deepcopy(defaults)
    for key, value in (given or {}).items():
        if key == "deploymentCircuitBreaker" and isinstance(value, dict):
            merged[key] = {**DEFAULT_DEPLOYMENT_CONFIGURATION[key], **value}
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def _placement_strategy(strategy: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
    """ECS stores the spread field "host" as "instanceId", the field it is an alias of
    (awsdocs/amazon-ecs-developer-guide#77; terraform-provider-aws maps host to instanceId for
    the same reason)."""
    out = []
    for item in strategy or []:
        item = dict(item)
        if item.get("type") == "spread" and item.get("field") == "host":
            item["field"] = "instanceId"
        out.append(item)
    return out


def _network_with_defaults(network: dict[str, Any] | None) -> dict[str, Any] | None:
    """assignPublicIp defaults to DISABLED (API_AwsVpcConfiguration.html)."""
    if not network:
        return None
    result = copy.deepcopy(network)
    awsvpc = result.get("awsvpcConfiguration")
    if isinstance(awsvpc, dict):
        awsvpc.setdefault("assignPublicIp", "DISABLED")
        awsvpc.setdefault("securityGroups", [])
    return result


def _network_key(network: dict[str, Any] | None) -> Any:
    """What makes two network configurations the same deployment-wise (order-insensitive)."""
    normal = _network_with_defaults(network)
    if not normal:
        return None
    awsvpc = normal.get("awsvpcConfiguration", {})
    for key in ("subnets", "securityGroups"):
        if isinstance(awsvpc.get(key), list):
            awsvpc[key] = sorted(awsvpc[key])
    return json.dumps(normal, sort_keys=True, default=str)


def _strategy_with_defaults(strategy: list[dict[str, Any]] | None) -> list[dict[str, Any]] | None:
    """CapacityProviderStrategyItem: base and weight default to 0."""
    if strategy is None:
        return None
    return [{"base": 0, "weight": 0, **item} for item in strategy]


def _same(before: Any, after: Any) -> bool:
    if not before and not after:
        return True
    return json.dumps(before, sort_keys=True, default=str) == json.dumps(
        after, sort_keys=True, default=str
    )


def _service_value(service: Any, field: str) -> Any:
    return getattr(service, _SERVICE_ATTRIBUTES[field], None)


def _set_service_value(service: Any, field: str, value: Any) -> None:
    setattr(service, _SERVICE_ATTRIBUTES[field], value)


def _set_counts(backend: Any, service: Any, running: int, pending: int) -> None:
    """Set the service's counts and keep the cluster's task counts in step, as moto does."""
    cluster = backend.clusters.get(service.cluster_name)
    if cluster is not None:
        backend.update_cluster_resources(cluster, running - service.running_count, "RUNNING")
        backend.update_cluster_resources(cluster, pending - service.pending_count, "PENDING")
    service.running_count = running
    service.pending_count = pending


def _recount(backend: Any, service: Any) -> None:
    """The service's counts are the sums over its deployments."""
    if service.deployments:
        running = sum(d["runningCount"] for d in service.deployments)
        pending = sum(d["pendingCount"] for d in service.deployments)
        _set_counts(backend, service, running, pending)


def _new_deployment(service: Any, task_definition: str | None) -> dict[str, Any]:
    """A fresh deployment with the members real ECS returns (API_Deployment.html)."""
    deployment_id = _new_deployment_id()
    now = _now()
    deployment: dict[str, Any] = {
        "id": deployment_id,
        "status": "PRIMARY",
        "taskDefinition": task_definition,
        "desiredCount": service.desired_count,
        "pendingCount": 0,
        "runningCount": 0,
        "failedTasks": 0,
        "createdAt": now,
        "updatedAt": now,
        "rolloutState": "IN_PROGRESS",
        "rolloutStateReason": f"ECS deployment {deployment_id} in progress.",
    }
    for field in _DEPLOYMENT_COPIED_FIELDS:
        if field == "launchType":
            value = service.launch_type
        else:
            value = _service_value(service, field)
        if value not in (None, [], {}):
            deployment[field] = copy.deepcopy(value)
    return deployment


def _start_deployment(service: Any, task_definition: str | None) -> dict[str, Any]:
    """The new deployment becomes PRIMARY; every older one is ACTIVE and drains from now on."""
    progress = _progress(service)
    for older in service.deployments:
        older["status"] = "ACTIVE"
        older["updatedAt"] = _now()
        progress[older["id"]] = _Progress(step=0, start_running=older["runningCount"])
    deployment = _new_deployment(service, task_definition)
    service.deployments.insert(0, deployment)
    progress[deployment["id"]] = _Progress()
    return deployment


def image_is_broken(image: str) -> bool:
    """True when the image's tag starts with ``broken`` (``nginx:broken``, ``app:broken-1``)."""
    name = image.split("@", 1)[0]
    last = name.rsplit("/", 1)[-1]
    if ":" not in last:
        return False
    return last.split(":", 1)[1].startswith(BROKEN_TAG_PREFIX)


def _task_definition_is_broken(backend: Any, task_definition: str | None) -> bool:
    if not task_definition:
        return False
    try:
        found = backend.describe_task_definition(task_definition)
    except Exception:  # deleted revisions cannot fail health checks any more
        return False
    return any(
        image_is_broken(str(container.get("image", "")))
        for container in found.container_definitions
    )


def _advance_service(backend: Any, service: Any) -> None:
    """One DescribeServices poll's worth of progress for one service."""
    if service.status != "ACTIVE" or not service.deployments:
        return
    primary = service.deployments[0]
    state = primary["rolloutState"]
    if state == "IN_PROGRESS":
        if _task_definition_is_broken(backend, primary["taskDefinition"]):
            _advance_failing(backend, service, primary)
        else:
            _advance_healthy(service, primary)
    elif state == "COMPLETED" and primary["runningCount"] != primary["desiredCount"]:
        _advance_scaling(service, primary)
    _recount(backend, service)


def _advance_healthy(service: Any, primary: dict[str, Any]) -> None:
    """Tasks start, the older deployments drain, and after ROLLOUT_STEPS the rollout completes."""
    progress = _progress(service)
    mine = progress.setdefault(primary["id"], _Progress())
    mine.step += 1
    step = min(mine.step, ROLLOUT_STEPS)
    desired = primary["desiredCount"]
    target = desired * step // ROLLOUT_STEPS
    started = target - primary["runningCount"]
    if started > 0:
        _add_event(service, f"has started {started} tasks: {_tasks_text(_task_ids(started))}.")
    primary["runningCount"] = target
    primary["pendingCount"] = max(desired - target, 0)
    primary["updatedAt"] = _now()
    for older in service.deployments[1:]:
        theirs = progress.setdefault(older["id"], _Progress(start_running=older["runningCount"]))
        # Ceiling division: old tasks stop only as fast as new ones start (minimumHealthyPercent).
        remaining = -(-theirs.start_running * (ROLLOUT_STEPS - step) // ROLLOUT_STEPS)
        stopped = older["runningCount"] - remaining
        if stopped > 0:
            _add_event(
                service,
                f"has stopped {stopped} running tasks: {_tasks_text(_task_ids(stopped))}.",
            )
            older["runningCount"] = remaining
            older["updatedAt"] = _now()
        older["pendingCount"] = 0
    if step >= ROLLOUT_STEPS:
        primary["rolloutState"] = "COMPLETED"
        primary["rolloutStateReason"] = f"ECS deployment {primary['id']} completed."
        primary["pendingCount"] = 0
        for older in service.deployments[1:]:
            progress.pop(older["id"], None)
        del service.deployments[1:]
        _add_event(service, f"(deployment {primary['id']}) deployment completed.")
        _add_event(service, "has reached a steady state.")


def _advance_failing(backend: Any, service: Any, primary: dict[str, Any]) -> None:
    """Tasks start and fail their health checks; the circuit breaker decides what then happens.

    https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-circuit-breaker.html
    """
    mine = _progress(service).setdefault(primary["id"], _Progress())
    mine.step += 1
    attempts = max(primary["desiredCount"], 1)
    tasks = _task_ids(attempts)
    _add_event(service, f"has started {attempts} tasks: {_tasks_text(tasks)}.")
    for task_id in tasks:
        _add_event(service, f"(task {task_id}) failed container health checks.")
    primary["failedTasks"] += attempts
    primary["runningCount"] = 0
    primary["pendingCount"] = primary["desiredCount"]
    primary["updatedAt"] = _now()
    if mine.step < ROLLOUT_STEPS:
        return
    breaker = (getattr(service, "deployment_configuration", None) or {}).get(
        "deploymentCircuitBreaker"
    ) or {}
    if not breaker.get("enable"):
        return  # no circuit breaker: ECS keeps retrying for ever
    primary["rolloutState"] = "FAILED"
    primary["rolloutStateReason"] = "ECS deployment circuit breaker: tasks failed to start."
    primary["pendingCount"] = 0
    _add_event(service, f"(deployment {primary['id']}) deployment failed: tasks failed to start.")
    if breaker.get("rollback"):
        _roll_back(service, primary)


def _roll_back(service: Any, failed: dict[str, Any]) -> None:
    """A new PRIMARY runs the previous deployment's task definition; the failed one drains."""
    previous = next(
        (d for d in service.deployments[1:] if d["rolloutState"] != "FAILED"),
        None,
    )
    if previous is None:
        return  # nothing to roll back to (the service's first deployment failed)
    service.task_definition = previous["taskDefinition"]
    for field in ("networkConfiguration", "platformVersion"):
        if field in previous:
            _set_service_value(service, field, copy.deepcopy(previous[field]))
    _add_event(service, f"rolling back to deployment {previous['id']}.")
    _start_deployment(service, previous["taskDefinition"])


def _advance_scaling(service: Any, primary: dict[str, Any]) -> None:
    """A completed PRIMARY follows a new desiredCount over ROLLOUT_STEPS polls."""
    mine = _progress(service).setdefault(
        primary["id"], _Progress(start_running=primary["runningCount"])
    )
    mine.step += 1
    step = min(mine.step, ROLLOUT_STEPS)
    desired = primary["desiredCount"]
    target = mine.start_running + (desired - mine.start_running) * step // ROLLOUT_STEPS
    if step >= ROLLOUT_STEPS:
        target = desired
    change = target - primary["runningCount"]
    if change > 0:
        _add_event(service, f"has started {change} tasks: {_tasks_text(_task_ids(change))}.")
    elif change < 0:
        _add_event(
            service,
            f"has stopped {-change} running tasks: {_tasks_text(_task_ids(-change))}.",
        )
    primary["runningCount"] = target
    primary["pendingCount"] = max(desired - target, 0)
    primary["updatedAt"] = _now()
    if target == desired:
        _add_event(service, "has reached a steady state.")


# --------------------------------------------------------------------------------------------
# ECS task sets of CODE_DEPLOY services (all called with _STATE_LOCK held)
# --------------------------------------------------------------------------------------------

# TaskSet members moto's TaskSet model lacks, kept under their xform_name (what the serializer
# reads, see _SERVICE_ATTRIBUTES).
_TASK_SET_ATTRIBUTES: dict[str, str] = {
    "computedDesiredCount": "computed_desired_count",
    "pendingCount": "pending_count",
    "runningCount": "running_count",
    "startedBy": "started_by",
    "platformFamily": "platform_family",
}

# Sandbox bookkeeping on a task set: its tasks fail their health checks.
_TASK_SET_BROKEN = "_ecsplan_broken"


def _computed_desired(desired: int, scale: dict[str, Any] | None) -> int:
    """computedDesiredCount: the service's desiredCount times the task set's scale, rounded up."""
    percent = float((scale or {}).get("value", 100.0))
    return -(-int(desired * percent) // 100)


def _new_task_set(
    backend: Any,
    service: Any,
    task_definition: str,
    *,
    status: str,
    load_balancers: list[dict[str, Any]],
    network: dict[str, Any] | None,
    platform_version: str | None,
    strategy: list[dict[str, Any]] | None,
    started_by: str | None = None,
    external_id: str | None = None,
) -> Any:
    """A task set as DescribeServices / DescribeTaskSets show it (API_TaskSet.html), built on
    moto's own TaskSet model; its tasks start at once (see _set_task_set_counts)."""
    from moto.ecs.models import TaskSet

    task_set = TaskSet(
        service.arn,
        service.cluster_arn,
        task_definition,
        backend.account_id,
        backend.region_name,
        external_id=external_id,
        network_configuration=copy.deepcopy(network),
        load_balancers=copy.deepcopy(load_balancers),
        service_registries=copy.deepcopy(getattr(service, "service_registries", None)),
        launch_type=service.launch_type,
        capacity_provider_strategy=copy.deepcopy(strategy),
        platform_version=platform_version,
        scale={"value": 100.0, "unit": "PERCENT"},
    )
    task_set.service_arn = service.arn
    task_set.cluster_arn = service.cluster_arn
    task_set.external_id = external_id  # moto: "" when there is none; ECS leaves it out
    task_set.status = status
    # moto defaults platformVersion to LATEST whatever the launch type; ECS shows it for Fargate.
    task_set.platform_version = platform_version if _is_fargate(service) else None
    family = _service_value(service, "platformFamily")
    setattr(task_set, _TASK_SET_ATTRIBUTES["platformFamily"], family)
    setattr(task_set, _TASK_SET_ATTRIBUTES["startedBy"], started_by)
    setattr(task_set, _TASK_SET_ATTRIBUTES["computedDesiredCount"], 0)
    setattr(task_set, _TASK_SET_ATTRIBUTES["runningCount"], 0)
    setattr(task_set, _TASK_SET_ATTRIBUTES["pendingCount"], 0)
    setattr(task_set, _TASK_SET_BROKEN, _task_definition_is_broken(backend, task_definition))
    return task_set


def _set_task_set_counts(service: Any, task_set: Any) -> None:
    """Follow the service's desiredCount: healthy tasks run at once, broken ones stay pending.

    Emits "updated computedDesiredCount for taskSet ... to N." when the count changes, and the
    started / stopped / failed-health-check events for the tasks."""
    computed = _computed_desired(service.desired_count, task_set.scale)
    if computed != task_set.computed_desired_count:
        task_set.computed_desired_count = computed
        _add_event(
            service, f"updated computedDesiredCount for taskSet {task_set.id} to {computed}."
        )
    broken = getattr(task_set, _TASK_SET_BROKEN, False)
    running = 0 if broken else computed
    change = running - task_set.running_count
    if change > 0:
        tasks = _tasks_text(_task_ids(change))
        _add_task_set_event(service, task_set, f"has started {change} tasks: {tasks}.")
    elif change < 0:
        tasks = _tasks_text(_task_ids(-change))
        _add_task_set_event(service, task_set, f"has stopped {-change} running tasks: {tasks}.")
    if broken and computed:
        tasks = _task_ids(computed)
        started = f"has started {computed} tasks: {_tasks_text(tasks)}."
        _add_task_set_event(service, task_set, started)
        for task_id in tasks:
            failed = f"(task {task_id}) failed container health checks."
            _add_task_set_event(service, task_set, failed)
    task_set.running_count = running
    task_set.pending_count = computed - running
    task_set.stabilityStatus = "STABILIZING" if broken and computed else "STEADY_STATE"
    task_set.updatedAt = task_set.stabilityStatusAt = _now()


def _recount_task_sets(backend: Any, service: Any) -> None:
    """A CODE_DEPLOY service's counts are the sums over its task sets."""
    running = sum(task_set.running_count for task_set in service.task_sets)
    pending = sum(task_set.pending_count for task_set in service.task_sets)
    _set_counts(backend, service, running, pending)


def _start_primary_task_set(backend: Any, service: Any) -> None:
    """CreateService with the CODE_DEPLOY controller: no deployments, one PRIMARY task set that
    runs the service's task definition behind the service's load balancers."""
    task_set = _new_task_set(
        backend,
        service,
        service.task_definition,
        status="PRIMARY",
        load_balancers=service.load_balancers,
        network=service.network_configuration or None,
        platform_version=service.platform_version,
        strategy=_service_value(service, "capacityProviderStrategy"),
    )
    setattr(task_set, _TASK_SET_BROKEN, False)  # the first task set starts healthy, whatever runs
    service.deployments = []
    service.task_sets = [task_set]
    _set_task_set_counts(service, task_set)
    _add_event(service, "has reached a steady state.")
    _recount_task_sets(backend, service)


def _scale_task_sets(backend: Any, service: Any) -> None:
    """desiredCount changed on a CODE_DEPLOY service: every task set follows it at once."""
    for task_set in service.task_sets:
        _set_task_set_counts(service, task_set)
    _recount_task_sets(backend, service)


# --------------------------------------------------------------------------------------------
# CodeDeploy blue/green deployments of ECS services (all called with _STATE_LOCK held)
# --------------------------------------------------------------------------------------------

#: The lifecycle events of an ECS blue/green deployment, in the order CodeDeploy runs them
#: (userguide/reference-appspec-file-structure-hooks.html#appspec-hooks-ecs).
ECS_LIFECYCLE_EVENTS: tuple[str, ...] = (
    "BeforeInstall",
    "Install",
    "AfterInstall",
    "AllowTestTraffic",
    "AfterAllowTestTraffic",
    "BeforeAllowTraffic",
    "AllowTraffic",
    "AfterAllowTraffic",
)

#: The events an AppSpec's Hooks may name a Lambda function for (the others are CodeDeploy's).
HOOKABLE_EVENTS: tuple[str, ...] = (
    "BeforeInstall",
    "AfterInstall",
    "AfterAllowTestTraffic",
    "BeforeAllowTraffic",
    "AfterAllowTraffic",
)

#: Deployment statuses that hold the deployment group (a second CreateDeployment is refused).
ACTIVE_DEPLOYMENT_STATUSES: tuple[str, ...] = ("Created", "Queued", "InProgress", "Baking", "Ready")

#: autoRollbackConfiguration.events values (API_AutoRollbackConfiguration.html).
AUTO_ROLLBACK_EVENTS: tuple[str, ...] = (
    "DEPLOYMENT_FAILURE",
    "DEPLOYMENT_STOP_ON_ALARM",
    "DEPLOYMENT_STOP_ON_REQUEST",
)

#: A hook whose Lambda function name contains this fails its lifecycle event.
FAILING_HOOK_MARKER = "Fail"

#: Names or IDs a CodeDeploy batch call takes at most (BatchGetApplications,
#: BatchGetDeploymentGroups: 100; BatchGetDeployments: 25).
CODEDEPLOY_BATCH_LIMIT = 100
BATCH_GET_DEPLOYMENTS_LIMIT = 25

#: errorInformation of a deployment whose replacement task set never becomes healthy.
ECS_UPDATE_ERROR = {
    "code": "ECS_UPDATE_ERROR",
    "message": (
        "The deployment timed out while waiting for the replacement task set to become "
        "healthy. This time out period is 60 minutes."
    ),
}

#: errorInformation of a deployment stopped with StopDeployment (the sandbox's wording).
MANUAL_STOP_ERROR = {"code": "MANUAL_STOP", "message": "The deployment was stopped by the user."}

# StopDeployment's reply, as in API_StopDeployment.html's sample response.
_STOP_PENDING = "Stopping Pending. Stopping to schedule commands in the deployment instances"

# Sandbox bookkeeping on moto's DeploymentInfo objects (moto's reset discards them with it).
_RUN = "_ecsplan_run"
_ERROR = "_ecsplan_error_information"
_ROLLBACK_INFO = "_ecsplan_rollback_info"


@attrs.frozen
class _Failure:
    """Where a deployment will fail, and what CodeDeploy then reports."""

    event: str
    error: dict[str, str]
    diagnostics: dict[str, str]


@attrs.define
class _BlueGreen:
    """One ECS blue/green deployment's plan and progress, kept on moto's DeploymentInfo."""

    cluster: str
    service: str
    service_arn: str
    task_definition: str  # the replacement (green) task set's; a rollback's is the blue one
    blue_task_definition: str
    blue_task_set: str | None
    blue_target_group: str | None
    green_target_group: str | None
    overrides: dict[str, Any]  # networkConfiguration / platformVersion / capacityProviderStrategy
    hooks: dict[str, str]
    failure: _Failure | None
    rollback_of: str | None = None
    events: list[dict[str, Any]] = attrs.Factory(
        lambda: [{"lifecycleEventName": name, "status": "Pending"} for name in ECS_LIFECYCLE_EVENTS]
    )
    polls: int = 0
    done: int = 0
    green_task_set: str | None = None
    updated_at: Any = None


def _codedeploy_error(code: str, message: str) -> Exception:
    from moto.codedeploy.exceptions import CodeDeployException

    return CodeDeployException(code, message)


def _run_of(deployment: Any) -> _BlueGreen | None:
    return getattr(deployment, _RUN, None)


def _ecs_of(codedeploy: Any) -> Any:
    from moto.ecs.models import ecs_backends

    return ecs_backends[codedeploy.account_id][codedeploy.region_name]


def _new_codedeploy_id() -> str:
    """Deployment IDs as CodeDeploy writes them: d- and nine upper-case letters or digits."""
    pool = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
    return "d-" + "".join(_random().choice(pool) for _ in range(9))


def _store_deployment(codedeploy: Any, deployment: Any) -> None:
    """Give a deployment moto created a CodeDeploy-style ID (moto uses a UUID), tags included."""
    old = deployment.deployment_id
    new = _new_codedeploy_id()
    while new in codedeploy.deployments:
        new = _new_codedeploy_id()
    codedeploy.deployments.pop(old, None)
    deployment.deployment_id = new
    codedeploy.deployments[new] = deployment
    old_arn = codedeploy._arn(f"deployment:{old}")
    if codedeploy.tagger.has_tags(old_arn):
        codedeploy.tagger.copy_tags(old_arn, codedeploy._arn(f"deployment:{new}"))
        codedeploy.tagger.delete_all_tags_for_resource(old_arn)


def _appspec_digest(content: str) -> dict[str, Any]:
    """What GetDeployment shows of an AppSpecContent revision: its SHA-256, never the content
    (API_GetDeployment.html: "The content property ... is always null")."""
    return {
        "revisionType": "AppSpecContent",
        "appSpecContent": {"sha256": hashlib.sha256(content.encode("utf-8")).hexdigest()},
    }


def _invalid_revision(message: str) -> Exception:
    return _codedeploy_error("InvalidRevisionException", message)


def _parse_appspec(content: Any) -> dict[str, Any]:
    """An AppSpec is JSON or YAML (YAML first would also read JSON, but JSON errors read better)."""
    if not isinstance(content, str) or not content.strip():
        raise _invalid_revision("The AppSpec content is empty.")
    try:
        document = json.loads(content)
    except ValueError:
        import yaml

        try:
            document = yaml.safe_load(content)
        except yaml.YAMLError as err:
            raise _invalid_revision(f"The AppSpec file is neither valid JSON nor YAML: {err}")
    if not isinstance(document, dict):
        raise _invalid_revision("The AppSpec file must be a JSON or YAML object.")
    return document


def _camel_keys(value: Any) -> Any:
    """AppSpec properties are PascalCase; the ECS API members they set are camelCase."""
    if isinstance(value, dict):
        return {
            (key[:1].lower() + key[1:] if isinstance(key, str) else key): _camel_keys(item)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [_camel_keys(item) for item in value]
    return value


def _appspec_target_service(document: dict[str, Any]) -> dict[str, Any]:
    resources = document.get("Resources")
    if not isinstance(resources, list) or not resources or not isinstance(resources[0], dict):
        raise _invalid_revision("The AppSpec file must list the target ECS service in Resources.")
    target = resources[0].get("TargetService")
    if not isinstance(target, dict):
        raise _invalid_revision("The AppSpec file's first resource must be a TargetService.")
    if target.get("Type", "AWS::ECS::Service") != "AWS::ECS::Service":
        raise _invalid_revision(
            f"The TargetService type must be AWS::ECS::Service, not {target.get('Type')}."
        )
    properties = target.get("Properties")
    if not isinstance(properties, dict):
        raise _invalid_revision("The TargetService of the AppSpec file has no Properties.")
    return properties


def _appspec_hooks(document: dict[str, Any]) -> dict[str, str]:
    """Hooks: a list of one-entry maps ({BeforeInstall: FunctionName}); a single map is accepted."""
    given = document.get("Hooks") or []
    entries = given if isinstance(given, list) else [given]
    hooks: dict[str, str] = {}
    for entry in entries:
        if not isinstance(entry, dict):
            raise _invalid_revision("Each AppSpec hook must map a lifecycle event to a function.")
        for event, function in entry.items():
            if event not in HOOKABLE_EVENTS:
                raise _invalid_revision(
                    f"The AppSpec hook {event} is not a lifecycle event of an ECS deployment "
                    f"that takes a hook; use one of {', '.join(HOOKABLE_EVENTS)}."
                )
            hooks[str(event)] = str(function)
    return hooks


def _registered_task_definition(ecs: Any, arn: Any) -> Any:
    if not isinstance(arn, str) or not arn.startswith("arn:") or ":task-definition/" not in arn:
        raise _invalid_revision(
            f"The TaskDefinition in the AppSpec file must be a task definition ARN, not {arn!r}."
        )
    name = arn.split(":task-definition/", 1)[1]
    family, _, revision = name.partition(":")
    revisions = ecs.task_definitions.get(family) or {}
    found = revisions.get(int(revision)) if revision.isdigit() else None
    if found is None or found.arn != arn:
        raise _invalid_revision(f"The task definition {arn} in the AppSpec file does not exist.")
    if found.status != "ACTIVE":
        raise _invalid_revision(f"The task definition {arn} in the AppSpec file is not ACTIVE.")
    return found


def _group_service(ecs: Any, group: Any) -> Any:
    """The ECS service a deployment group deploys; it must exist and use CodeDeploy."""
    services = group.ecs_services or []
    if not services:
        raise _codedeploy_error(
            "InvalidECSServiceException",
            f"The deployment group {group.deployment_group_name} has no ECS service.",
        )
    cluster = str(services[0].get("clusterName", ""))
    name = str(services[0].get("serviceName", ""))
    try:
        service = ecs._get_service(cluster, name)
    except Exception:
        service = None
    if service is None or service.status != "ACTIVE":
        raise _codedeploy_error(
            "InvalidECSServiceException",
            f"The ECS service {name} in cluster {cluster.split('/')[-1]} does not exist.",
        )
    if (service.deployment_controller or {}).get("type") != "CODE_DEPLOY":
        raise _codedeploy_error(
            "InvalidECSServiceException",
            f"The ECS service {name} does not use the CODE_DEPLOY deployment controller.",
        )
    return service


def _target_group_name(codedeploy: Any, arn: str) -> str:
    found = _elbv2_of(codedeploy).target_groups.get(arn)
    if found is not None:
        return str(found.name)
    # arn:aws:elasticloadbalancing:<region>:<account>:targetgroup/<name>/<id>
    return arn.split(":targetgroup/", 1)[-1].split("/", 1)[0]


def _target_group_arn(codedeploy: Any, name: str) -> str | None:
    for target_group in _elbv2_of(codedeploy).target_groups.values():
        if target_group.name == name:
            return str(target_group.arn)
    return None


def _elbv2_of(codedeploy: Any) -> Any:
    from moto.elbv2.models import elbv2_backends

    return elbv2_backends[codedeploy.account_id][codedeploy.region_name]


def _blue_green_target_groups(codedeploy: Any, group: Any, service: Any) -> tuple[str, str]:
    """The service's target group (blue) and the other one of the group's pair (green)."""

    def invalid(message: str) -> Exception:
        return _codedeploy_error("InvalidLoadBalancerInfoException", message)

    pairs = (group.load_balancer_info or {}).get("targetGroupPairInfoList") or []
    given = (pairs[0].get("targetGroups") or []) if pairs else []
    names = [str(target_group.get("name", "")) for target_group in given]
    if len(names) != 2:
        raise invalid(
            f"The deployment group {group.deployment_group_name} must name a pair of target "
            "groups in loadBalancerInfo.targetGroupPairInfoList."
        )
    if not service.load_balancers or not service.load_balancers[0].get("targetGroupArn"):
        raise invalid(f"The ECS service {service.name} has no target group.")
    blue = str(service.load_balancers[0]["targetGroupArn"])
    blue_name = _target_group_name(codedeploy, blue)
    if blue_name not in names:
        raise invalid(
            f"The ECS service {service.name}'s target group {blue_name} is not one of the "
            f"deployment group's target groups {names[0]} and {names[1]}."
        )
    green_name = names[1] if blue_name == names[0] else names[0]
    green = _target_group_arn(codedeploy, green_name)
    if green is None:
        raise invalid(f"The target group {green_name} does not exist.")
    return blue, green


def _failure_of(ecs: Any, task_definition: str, hooks: dict[str, str]) -> _Failure | None:
    """The first lifecycle event that will fail: a hook named *Fail*, or Install when the
    replacement task set can never become healthy (a broken image)."""
    failures: list[_Failure] = []
    if _task_definition_is_broken(ecs, task_definition):
        failures.append(
            _Failure(
                event="Install",
                error=dict(ECS_UPDATE_ERROR),
                diagnostics={"errorCode": "UnknownError", "message": ECS_UPDATE_ERROR["message"]},
            )
        )
    for event, function in hooks.items():
        if FAILING_HOOK_MARKER in function:
            message = (
                f"The {event} lifecycle event hook failed: Lambda function {function} "
                "reported Failed to CodeDeploy."
            )
            failures.append(
                _Failure(
                    event=event,
                    error={"code": "HEALTH_CONSTRAINTS", "message": message},
                    diagnostics={
                        "errorCode": "ScriptFailed",
                        "scriptName": function,
                        "message": message,
                        "logTail": "",
                    },
                )
            )
    if not failures:
        return None
    return min(failures, key=lambda failure: ECS_LIFECYCLE_EVENTS.index(failure.event))


def _plan_ecs_deployment(codedeploy: Any, group: Any, revision: Any) -> tuple[_BlueGreen, str]:
    """Validate an ECS CreateDeployment as CodeDeploy does; return its plan and AppSpec content."""
    if not revision:
        raise _codedeploy_error("RevisionRequiredException", "RevisionLocation must be specified")
    if revision.get("revisionType") != "AppSpecContent":
        raise _invalid_revision(
            "The sandbox deploys ECS services from revisionType AppSpecContent only, not "
            f"{revision.get('revisionType')}."
        )
    content = (revision.get("appSpecContent") or {}).get("content")
    document = _parse_appspec(content)
    properties = _appspec_target_service(document)
    if not properties.get("TaskDefinition"):
        raise _invalid_revision("The AppSpec file's TargetService has no TaskDefinition.")
    ecs = _ecs_of(codedeploy)
    service = _group_service(ecs, group)
    task_definition = _registered_task_definition(ecs, properties["TaskDefinition"])
    lb_info = properties.get("LoadBalancerInfo")
    if not isinstance(lb_info, dict) or not lb_info.get("ContainerName"):
        raise _invalid_revision("The AppSpec file's LoadBalancerInfo has no ContainerName.")
    if lb_info.get("ContainerPort") in (None, ""):
        raise _invalid_revision("The AppSpec file's LoadBalancerInfo has no ContainerPort.")
    container_name = str(lb_info["ContainerName"])
    containers = {str(c.get("name")): c for c in task_definition.container_definitions}
    if container_name not in containers:
        raise _invalid_revision(
            f"The container {container_name} in the AppSpec file's LoadBalancerInfo is not a "
            f"container of task definition {task_definition.arn}."
        )
    try:
        container_port = int(lb_info["ContainerPort"])
    except (TypeError, ValueError):
        raise _invalid_revision(f"ContainerPort {lb_info['ContainerPort']!r} is not a number.")
    ports = {m.get("containerPort") for m in containers[container_name].get("portMappings") or []}
    if container_port not in ports:
        raise _invalid_revision(
            f"The container {container_name} of task definition {task_definition.arn} does "
            f"not map container port {container_port}."
        )
    hooks = _appspec_hooks(document)
    blue_target_group, green_target_group = _blue_green_target_groups(codedeploy, group, service)
    overrides: dict[str, Any] = {}
    if properties.get("NetworkConfiguration"):
        overrides["networkConfiguration"] = _network_with_defaults(
            _camel_keys(properties["NetworkConfiguration"])
        )
    if properties.get("PlatformVersion"):
        overrides["platformVersion"] = str(properties["PlatformVersion"])
    if properties.get("CapacityProviderStrategy"):
        overrides["capacityProviderStrategy"] = _strategy_with_defaults(
            _camel_keys(properties["CapacityProviderStrategy"])
        )
    primary = next((ts for ts in service.task_sets if ts.status == "PRIMARY"), None)
    run = _BlueGreen(
        cluster=service.cluster_name,
        service=service.name,
        service_arn=service.arn,
        task_definition=task_definition.arn,
        blue_task_definition=service.task_definition,
        blue_task_set=primary.id if primary is not None else None,
        blue_target_group=blue_target_group,
        green_target_group=green_target_group,
        overrides=overrides,
        hooks=hooks,
        failure=_failure_of(ecs, task_definition.arn, hooks),
        updated_at=_now(),
    )
    return run, str(content)


def _refuse_concurrent_deployment(codedeploy: Any, application: str, group: str) -> None:
    for deployment in codedeploy.deployments.values():
        if (
            deployment.application_name == application
            and deployment.deployment_group_name == group
            and deployment.status in ACTIVE_DEPLOYMENT_STATUSES
        ):
            raise _codedeploy_error(
                "DeploymentLimitExceededException",
                f"The Deployment Group '{group}' already has an active Deployment "
                f"'{deployment.deployment_id}'",
            )


def _check_auto_rollback(configuration: Any) -> None:
    events = (configuration or {}).get("events") or []
    unknown = [event for event in events if event not in AUTO_ROLLBACK_EVENTS]
    if unknown:
        raise _codedeploy_error(
            "InvalidAutoRollbackConfigException",
            f"Auto rollback events {', '.join(map(str, unknown))} are not valid; use "
            f"{', '.join(AUTO_ROLLBACK_EVENTS)}.",
        )


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


def _promote_green(ecs: Any, service: Any, run: _BlueGreen) -> None:
    """Success: the replacement task set is PRIMARY, the original one is gone, and the service
    runs the AppSpec's task definition behind the other target group of the pair
    (CodeDeploy swaps blue and green: kayac/ecspresso#936)."""
    green = _task_set(service, run.green_task_set)
    if green is None:
        return
    for task_set in list(service.task_sets):
        if task_set is not green:
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
    _add_event(service, "has reached a steady state.")


def _discard_green(ecs: Any, service: Any, run: _BlueGreen) -> None:
    """Failure or stop: the replacement task set goes; the service keeps what it ran."""
    green = _task_set(service, run.green_task_set)
    if green is not None:
        _remove_task_set(ecs, service, green)
        _add_event(service, "has reached a steady state.")


def _begin_event(ecs: Any, service: Any, deployment: Any, run: _BlueGreen, index: int) -> None:
    event = run.events[index]
    if event["status"] != "Pending":
        return
    _start_event(event)
    if event["lifecycleEventName"] == "Install" and run.rollback_of is None and service is not None:
        _install_green(ecs, service, deployment, run)


def _advance_deployment(codedeploy: Any, deployment: Any) -> None:
    """One GetDeployment / BatchGetDeployments poll's worth of progress for one deployment.

    Poll k completes the lifecycle events up to len(events) * k // CODEDEPLOY_STEPS and starts
    the next one, so CODEDEPLOY_STEPS polls take a deployment from Created to Succeeded. A
    failing event is shown InProgress on at least one poll, and fails on the next.
    """
    run = _run_of(deployment)
    if run is None or deployment.status not in ("Created", "InProgress"):
        return
    ecs = _ecs_of(codedeploy)
    service = _live_service(ecs, run)
    if deployment.status == "Created":
        deployment.status = "InProgress"
        deployment.start_time = _now()
        _set_overview(deployment, "InProgress")
    run.updated_at = _now()
    if service is None and run.rollback_of is None:
        _end_deployment(
            codedeploy,
            deployment,
            "Failed",
            {"code": "INVALID_ECS_SERVICE", "message": f"The ECS service {run.service} is gone."},
        )
        return
    run.polls += 1
    target = len(run.events) * min(run.polls, CODEDEPLOY_STEPS) // CODEDEPLOY_STEPS
    while run.done < target:
        event = run.events[run.done]
        failure = run.failure
        if failure is not None and failure.event == event["lifecycleEventName"]:
            if event["status"] == "InProgress":
                _end_deployment(codedeploy, deployment, "Failed", failure.error, failure)
            else:
                _begin_event(ecs, service, deployment, run, run.done)
            return
        _begin_event(ecs, service, deployment, run, run.done)
        _finish_event(event, "Succeeded")
        run.done += 1
    if run.done < len(run.events):
        _begin_event(ecs, service, deployment, run, run.done)
        return
    deployment.status = "Succeeded"
    deployment.complete_time = _now()
    _set_overview(deployment, "Succeeded")
    if run.rollback_of is None:
        _promote_green(ecs, service, run)
    else:
        rolled_back = codedeploy.deployments.get(run.rollback_of)
        info = getattr(rolled_back, _ROLLBACK_INFO, None) if rolled_back is not None else None
        if info is not None:
            info["rollbackMessage"] = (
                f"Deployment {run.rollback_of} was rolled back by deployment "
                f"{deployment.deployment_id}."
            )


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
        "Succeeded": "Succeeded",
        "Failed": "Failed",
        "Stopped": "Failed",
    }.get(deployment.status, "Unknown")


def _ecs_target(codedeploy: Any, deployment: Any, run: _BlueGreen) -> dict[str, Any]:
    """The deployment's one target, the ECS service (API_ECSTarget.html)."""
    service = _live_service(_ecs_of(codedeploy), run)
    allow_traffic = run.events[ECS_LIFECYCLE_EVENTS.index("AllowTraffic")]
    traffic_shifted = allow_traffic["status"] == "Succeeded"
    task_sets = []
    for task_set_id, label in ((run.blue_task_set, "Blue"), (run.green_task_set, "Green")):
        task_set = _task_set(service, task_set_id)
        if task_set is None:
            continue
        carries_traffic = (label == "Green") == traffic_shifted
        target_group = (task_set.load_balancers or [{}])[0].get("targetGroupArn")
        info: dict[str, Any] = {
            "identifer": task_set.id,  # sic: the API member is spelt so (ECSTaskSet)
            "desiredCount": task_set.computed_desired_count,
            "pendingCount": task_set.pending_count,
            "runningCount": task_set.running_count,
            "status": task_set.status,
            "trafficWeight": 100.0 if carries_traffic else 0.0,
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


# --------------------------------------------------------------------------------------------
# Patches
# --------------------------------------------------------------------------------------------


def _patch_record_requests(original: Callable[..., Any]) -> Callable[..., Any]:
    """Record every request moto serves, before it is handled (failed calls are recorded too).

    Real AWS has CloudTrail; tests need less: "no UpdateService carried taskDefinition" must be
    checkable even though moto would accept it. ``call_action`` is where every moto service but
    S3 dispatches, both under ``mock_aws`` and in ``ThreadedMotoServer``.
    """

    @functools.wraps(original)
    def call_action(self: Any) -> Any:
        try:
            action = self._get_action() or ""
        except Exception:
            action = ""
        request = RecordedRequest(
            service=str(self.service_name or ""),
            action=str(action),
            params=_request_params(self),
        )
        origin = self.headers.get("Host") if getattr(self, "is_werkzeug_request", False) else None
        _record(origin, request)
        return original(self)

    return call_action


def _patch_family_resolves_to_latest_active(original: Callable[..., Any]) -> Callable[..., Any]:
    """A bare family names its latest ACTIVE revision (moto takes the latest of any status).

    API_DescribeTaskDefinition.html: "If a revision isn't specified, the latest ACTIVE revision
    is used." The same resolution applies to CreateService and UpdateService (kayac/ecspresso#218).
    """

    @functools.wraps(original)
    def describe_task_definition(self: Any, task_definition_str: str) -> Any:
        name = task_definition_str.split("/")[-1]
        if ":" in name:
            return original(self, task_definition_str)
        revisions = self.task_definitions.get(name) or {}
        active = [number for number, found in revisions.items() if found.status == "ACTIVE"]
        if not active:
            from moto.ecs.exceptions import TaskDefinitionNotFoundException

            raise TaskDefinitionNotFoundException()
        return revisions[max(active)]

    return describe_task_definition


def _patch_task_definition_read_only_fields(original: Callable[..., Any]) -> Callable[..., Any]:
    """RegisterTaskDefinition / DescribeTaskDefinition return what AWS fills in.

    - registeredAt, registeredBy (the caller: moto's root principal), requiresAttributes
      (API_TaskDefinition.html; a small honest subset: docker-remote-api 1.18, task-eni for
      awsvpc).
    - portMappings: protocol defaults to "tcp"; with awsvpc a missing hostPort is the
      containerPort (API_PortMapping.html). Other container defaults stay moto's.
    """

    @functools.wraps(original)
    def register_task_definition(
        self: Any, family: str, container_definitions: Any, *args: Any, **kwargs: Any
    ) -> Any:
        found = original(self, family, container_definitions, *args, **kwargs)
        awsvpc = found.network_mode == "awsvpc"
        containers = []
        for container in found.container_definitions:
            container = dict(container)
            mappings = []
            for mapping in container.get("portMappings") or []:
                mapping = {**mapping}
                mapping.setdefault("protocol", "tcp")
                if awsvpc and "hostPort" not in mapping and "containerPort" in mapping:
                    mapping["hostPort"] = mapping["containerPort"]
                mappings.append(mapping)
            container["portMappings"] = mappings
            containers.append(container)
        found.container_definitions = containers
        requires = [{"name": "com.amazonaws.ecs.capability.docker-remote-api.1.18"}]
        if awsvpc:
            requires.append({"name": "ecs.capability.task-eni"})
        setattr(found, _TASK_DEFINITION_ATTRIBUTES["requiresAttributes"], requires)
        setattr(found, _TASK_DEFINITION_ATTRIBUTES["registeredAt"], _now())
        partition = found.arn.split(":")[1]
        setattr(
            found,
            _TASK_DEFINITION_ATTRIBUTES["registeredBy"],
            f"arn:{partition}:iam::{self.account_id}:root",
        )
        return found

    return register_task_definition


def _patch_ec2_memory_reservation_suffices(original: Callable[..., Any]) -> Callable[..., Any]:
    """A container needs memory or memoryReservation (or a task-level memory), also on EC2.

    API_ContainerDefinition, memoryReservation: "You must specify a non-zero integer for one or
    both of memory or memoryReservation in a container definition." moto demands a hard memory
    limit for every container of an EC2 task, which refuses the common soft-limit-only EC2
    container; name and image are still required ("Container.name/image should not be null").
    """
    del original  # replaced: moto's EC2 rule is the one real ECS does not have

    def _validate_container_defs(
        memory: str | None,
        container_definitions: list[dict[str, Any]],
        requires_compatibilities: list[str] | None,
    ) -> None:
        from moto.ecs.exceptions import TaskDefinitionMemoryError, TaskDefinitionMissingPropertyError

        del requires_compatibilities  # the rule is the same for every launch type
        for container in container_definitions:
            # The capitalised keys are what CloudFormation passes to moto.
            if "name" not in container and "Name" not in container:
                raise TaskDefinitionMissingPropertyError("name")
            if "image" not in container and "Image" not in container:
                raise TaskDefinitionMissingPropertyError("image")
            limits = ("memory", "Memory", "memoryReservation", "MemoryReservation")
            if not memory and not any(container.get(key) for key in limits):
                raise TaskDefinitionMemoryError(container.get("name") or container.get("Name"))

    return staticmethod(_validate_container_defs)  # type: ignore[return-value]


#: API_HealthCheck: what ECS stores for a health check that leaves these out.
HEALTH_CHECK_DEFAULTS = {"interval": 30, "timeout": 5, "retries": 3}

_CPU_SHORTHAND = re.compile(r"^\s*([0-9]*\.?[0-9]+)\s*vcpu\s*$", re.IGNORECASE)
_MEMORY_SHORTHAND = re.compile(r"^\s*([0-9]*\.?[0-9]+)\s*gb\s*$", re.IGNORECASE)


def _task_units(value: Any, shorthand: re.Pattern[str], factor: int) -> Any:
    """"1 vCPU" -> "1024", "2 GB" / "2GB" -> "2048"; anything else as given."""
    if value is None:
        return None
    match = shorthand.match(str(value))
    return str(int(float(match.group(1)) * factor)) if match else str(value)


def _container_with_defaults(container: dict[str, Any], network_mode: str | None) -> dict[str, Any]:
    container = dict(container)
    if network_mode in ("bridge", "host"):
        mappings = []
        for mapping in container.get("portMappings") or []:
            mapping = dict(mapping)
            if "hostPort" not in mapping and "containerPort" in mapping:
                # bridge: 0 is a dynamic host port; host: the container's own port.
                mapping["hostPort"] = 0 if network_mode == "bridge" else mapping["containerPort"]
            mappings.append(mapping)
        container["portMappings"] = mappings
    if isinstance(container.get("healthCheck"), dict):
        container["healthCheck"] = {**HEALTH_CHECK_DEFAULTS, **container["healthCheck"]}
    return container


def _volume_with_defaults(volume: dict[str, Any]) -> dict[str, Any]:
    configurations = (
        "host",
        "dockerVolumeConfiguration",
        "efsVolumeConfiguration",
        "fsxWindowsFileServerVolumeConfiguration",
        "configuredAtLaunch",
    )
    if any(key in volume for key in configurations):
        return volume
    return {**volume, "host": {}}  # a name only: a Docker-managed bind mount


def _patch_task_definition_defaults(original: Callable[..., Any]) -> Callable[..., Any]:
    """RegisterTaskDefinition stores what ECS stores, not the request as moto keeps it.

    - cpu / memory in the shorthand API_RegisterTaskDefinition accepts ("1 vCPU", "0.5 GB",
      "2GB") are stored and returned as CPU units / MiB strings ("1024", "512", "2048").
    - A health check without interval, timeout or retries gets 30, 5 and 3 (API_HealthCheck).
    - portMappings without hostPort: 0 (a dynamic port) in bridge mode, the containerPort in
      host mode (API_PortMapping; awsvpc is handled by task_definition_read_only_fields).
    - A volume with only a name comes back with "host": {} (API_Volume: an empty host lets
      Docker choose the path).
    - enableFaultInjection (which moto drops) is kept, false when not given: DescribeTaskDefinition
      returns it for every definition (API_TaskDefinition; tools broke when it appeared,
      aws-actions/amazon-ecs-deploy-task-definition#706).
    """

    @functools.wraps(original)
    def register_task_definition(self: Any) -> Any:
        result = original(self)
        found = result.result["taskDefinition"]
        with _STATE_LOCK:
            found.cpu = _task_units(found.cpu, _CPU_SHORTHAND, 1024)
            found.memory = _task_units(found.memory, _MEMORY_SHORTHAND, 1024)
            found.container_definitions = [
                _container_with_defaults(c, found.network_mode) for c in found.container_definitions
            ]
            found.volumes = [_volume_with_defaults(dict(v)) for v in found.volumes or []]
            setattr(
                found,
                _TASK_DEFINITION_ATTRIBUTES["enableFaultInjection"],
                bool(self._get_param("enableFaultInjection") or False),
            )
        return result

    return register_task_definition


def _patch_refuse_duplicate_service(original: Callable[..., Any]) -> Callable[..., Any]:
    """CreateService for a name already ACTIVE in the cluster fails (moto overwrites it).

    Real ECS: InvalidParameterException "Creation of service was not idempotent."
    (API_CreateService.html; a deleted, INACTIVE service's name may be reused.)
    """

    @functools.wraps(original)
    def create_service(
        self: Any, cluster_str: str, service_name: str, *args: Any, **kwargs: Any
    ) -> Any:
        cluster = self._get_cluster(cluster_str)
        existing = self.services.get(f"{cluster.name}:{service_name}")
        if existing is not None and existing.status == "ACTIVE":
            raise _invalid_parameter("Creation of service was not idempotent.")
        return original(self, cluster_str, service_name, *args, **kwargs)

    return create_service


# CreateService request members moto's response drops; stored by _apply_create_fields.
_CREATE_EXTRA_FIELDS = (
    "availabilityZoneRebalancing",
    "capacityProviderStrategy",
    "deploymentConfiguration",
    "enableECSManagedTags",
    "enableExecuteCommand",
    "healthCheckGracePeriodSeconds",
    "launchType",
    "placementConstraints",
    "placementStrategy",
    "serviceConnectConfiguration",
    "volumeConfigurations",
    "vpcLatticeConfigurations",
)


def _apply_create_fields(backend: Any, service: Any, given: dict[str, Any]) -> None:
    """Store what CreateService was given, with the defaults DescribeServices shows."""
    daemon = service.scheduling_strategy == "DAEMON"
    _set_service_value(
        service,
        "deploymentConfiguration",
        _merge_deployment_configuration(
            None,
            given.get("deploymentConfiguration"),
            DAEMON_DEPLOYMENT_CONFIGURATION if daemon else DEFAULT_DEPLOYMENT_CONFIGURATION,
        ),
    )
    strategy = _strategy_with_defaults(given.get("capacityProviderStrategy"))
    _set_service_value(service, "capacityProviderStrategy", strategy)
    if strategy and not given.get("launchType"):
        service.launch_type = None  # a capacity provider strategy replaces the launch type
    # API_CreateService.html: "when no value is specified ... defaults the value to ENABLED".
    rebalancing = given.get("availabilityZoneRebalancing") or "ENABLED"
    _set_service_value(service, "availabilityZoneRebalancing", rebalancing)
    _set_service_value(service, "enableExecuteCommand", bool(given.get("enableExecuteCommand")))
    _set_service_value(service, "enableECSManagedTags", bool(given.get("enableECSManagedTags")))
    _set_service_value(service, "placementConstraints", given.get("placementConstraints") or [])
    _set_service_value(service, "placementStrategy", _placement_strategy(given.get("placementStrategy")))
    grace = given.get("healthCheckGracePeriodSeconds")
    if grace is None and service.load_balancers:
        grace = 0
    _set_service_value(service, "healthCheckGracePeriodSeconds", grace)
    for field in _DEPLOYMENT_ONLY_FIELDS:
        _set_service_value(service, field, given.get(field))
    _set_service_value(
        service, "networkConfiguration", _network_with_defaults(service.network_configuration)
    )
    if _is_fargate(service):
        if not service.platform_version:
            service.platform_version = "LATEST"
        _set_service_value(service, "platformFamily", "Linux")
    else:
        _set_service_value(service, "platformFamily", None)
    _set_service_value(service, "createdAt", _now())
    partition = service.cluster_arn.split(":")[1]
    _set_service_value(service, "createdBy", f"arn:{partition}:iam::{backend.account_id}:root")
    controller = (service.deployment_controller or {}).get("type", "ECS")
    if controller == "ECS":
        service.deployments = []
        _progress(service).clear()
        _start_deployment(service, service.task_definition)
    elif controller == "CODE_DEPLOY":
        _start_primary_task_set(backend, service)
    _recount(backend, service)


def _patch_create_service_keeps_fields(original: Callable[..., Any]) -> Callable[..., Any]:
    """CreateService keeps what real ECS keeps (moto drops it) and fills in ECS's defaults.

    API_CreateService.html / API_Service.html: deploymentConfiguration (partial input merged
    with maximumPercent 200, minimumHealthyPercent 100, circuit breaker off; for a DAEMON
    service maximumPercent 100, minimumHealthyPercent 0), enableExecuteCommand and
    enableECSManagedTags false, placementConstraints/Strategy [] (a spread on "host" is stored
    as "instanceId"),
    capacityProviderStrategy (base/weight 0), availabilityZoneRebalancing ENABLED,
    healthCheckGracePeriodSeconds when given (0 with load balancers), platformVersion LATEST
    for Fargate, assignPublicIp DISABLED, serviceConnect/volume/VPC Lattice configurations.
    The first deployment starts IN_PROGRESS with no task running, like any rollout.
    A CODE_DEPLOY service has no deployments but one PRIMARY task set (API_TaskSet.html) running
    its task definition at desiredCount, behind its load balancers.
    """

    @functools.wraps(original)
    def create_service(self: Any) -> Any:
        result = original(self)
        service = result.result["service"]
        given = {field: self._get_param(field) for field in _CREATE_EXTRA_FIELDS}
        with _STATE_LOCK:
            _apply_create_fields(self.ecs_backend, service, given)
        return result

    return create_service


def _refuse_code_deploy_changes(backend: Any, service: Any, params: dict[str, Any]) -> None:
    """UpdateService on a CODE_DEPLOY service: these go through CodeDeploy CreateDeployment.

    Messages as real ECS returns them (terraform-provider-aws#13473, kayac/ecspresso#393).
    """
    suffix = (
        "on services with a CODE_DEPLOY deployment controller. "
        "Use AWS CodeDeploy to trigger a new deployment."
    )
    task_definition = params.get("taskDefinition")
    if task_definition:
        arn = backend.describe_task_definition(task_definition).arn
        if arn != service.task_definition:
            raise _invalid_parameter(f"Unable to update task definition {suffix}")
    if params.get("networkConfiguration") is not None:
        raise _invalid_parameter(f"Unable to update network parameters {suffix}")
    if params.get("loadBalancers") is not None:
        raise _invalid_parameter(f"Unable to update load balancers {suffix}")
    if params.get("platformVersion") is not None:
        raise _invalid_parameter(f"Unable to update platform version {suffix}")


# What UpdateService refuses, per deployment controller type. CodeDeploy deployments (and the
# EXTERNAL controller) will add their own entries here.
_CONTROLLER_REFUSALS: dict[str, Callable[[Any, Any, dict[str, Any]], None]] = {
    "CODE_DEPLOY": _refuse_code_deploy_changes,
}


def _patch_code_deploy_refuses_rolling_fields(original: Callable[..., Any]) -> Callable[..., Any]:
    """UpdateService refuses, at the API, what the service's deployment controller forbids.

    API_UpdateService.html: with CODE_DEPLOY only desiredCount, deploymentConfiguration, health
    check grace period, placement, tags settings (and a few more) may change; moto accepts all.
    """

    @functools.wraps(original)
    def update_service(self: Any) -> Any:
        params = dict(self._get_params())
        backend = self.ecs_backend
        service = backend._get_service(
            params.get("cluster") or "default", str(params.get("service", "")).split("/")[-1]
        )
        controller = (service.deployment_controller or {}).get("type", "ECS")
        refusal = _CONTROLLER_REFUSALS.get(controller)
        if refusal is not None:
            refusal(backend, service, params)
        return original(self)

    return update_service


@functools.lru_cache(maxsize=1)
def _update_service_members() -> dict[str, str]:
    """snake_case (as moto's response spells it) -> UpdateService member name."""
    import botocore.session
    from moto.core.utils import camelcase_to_underscores

    members = (
        botocore.session.get_session()
        .get_service_model("ecs")
        .shape_for("UpdateServiceRequest")
        .members
    )
    return {camelcase_to_underscores(name): name for name in members}


def _camel_case_props(service_properties: dict[str, Any]) -> dict[str, Any]:
    """moto's response hands the backend snake_case keys; go back to the API member names."""
    by_snake = _update_service_members()
    return {by_snake.get(key, key): value for key, value in service_properties.items()}


def _patch_update_service_like_ecs(original: Callable[..., Any]) -> Callable[..., Any]:
    """UpdateService as ECS does it (replaces moto's, which stores what it is given as is).

    API_UpdateService.html:
    - taskDefinition is stored as the full ARN (a family means its latest ACTIVE revision);
    - deploymentConfiguration is merged into the current one; the other accepted fields are
      stored where DescribeServices reads them (networkConfiguration validated, assignPublicIp
      DISABLED by default, a placement spread on "host" stored as "instanceId");
    - a new deployment (PRIMARY, IN_PROGRESS, nothing running; the old PRIMARY becomes ACTIVE)
      starts only when a deployment-starting field changes or forceNewDeployment is true;
    - desiredCount alone starts no deployment: the PRIMARY converges to it over later polls;
      a CODE_DEPLOY service's task sets follow it at once ("updated computedDesiredCount for
      taskSet ... to N.").
    """
    del original  # replaced, not wrapped: moto's version sets every given key as an attribute

    def update_service(self: Any, service_properties: dict[str, Any]) -> Any:
        props = {k: v for k, v in _camel_case_props(service_properties).items() if v is not None}
        cluster_str = props.pop("cluster", "default")
        service = self._get_service(cluster_str, str(props.pop("service")).split("/")[-1])
        if service.status != "ACTIVE":
            raise _ecs_exception("ServiceNotActiveException", "Service was not ACTIVE.")
        force = bool(props.pop("forceNewDeployment", False))
        with _STATE_LOCK:
            return _update_service(self, service, props, force)

    return update_service


def _update_service(backend: Any, service: Any, props: dict[str, Any], force: bool) -> Any:
    changes: list[str] = []
    if "taskDefinition" in props:
        arn = backend.describe_task_definition(props.pop("taskDefinition")).arn
        if arn != service.task_definition:
            changes.append("taskDefinition")
            service.task_definition = arn
    if "networkConfiguration" in props:
        given = props.pop("networkConfiguration")
        network = _network_with_defaults(service._validate_network(given))
        if _network_key(network) != _network_key(service.network_configuration):
            changes.append("networkConfiguration")
        _set_service_value(service, "networkConfiguration", network)
    for field in DEPLOYMENT_STARTING_FIELDS:
        if field in props:
            value = props.pop(field)
            if not _same(_service_value(service, field), value):
                changes.append(field)
            _set_service_value(service, field, value)
    if "deploymentConfiguration" in props:
        _set_service_value(
            service,
            "deploymentConfiguration",
            _merge_deployment_configuration(
                _service_value(service, "deploymentConfiguration"),
                props.pop("deploymentConfiguration"),
            ),
        )
    if "capacityProviderStrategy" in props:
        strategy = _strategy_with_defaults(props.pop("capacityProviderStrategy"))
        _set_service_value(service, "capacityProviderStrategy", strategy)
        if strategy:
            service.launch_type = None
    if "placementStrategy" in props:
        props["placementStrategy"] = _placement_strategy(props["placementStrategy"])
    desired = props.pop("desiredCount", None)
    for field, value in props.items():
        if field in _SERVICE_ATTRIBUTES:
            _set_service_value(service, field, value)
    if desired is not None:
        _change_desired_count(backend, service, int(desired))
    if service.deployments and (changes or force):
        _start_deployment(service, service.task_definition)
    _recount(backend, service)
    return service


def _change_desired_count(backend: Any, service: Any, desired: int) -> None:
    service.desired_count = desired
    if service.task_sets and (service.deployment_controller or {}).get("type") == "CODE_DEPLOY":
        # The task sets follow at once (ECS scales each to desiredCount x scale). EXTERNAL
        # services' task sets (moto's CreateTaskSet) keep moto's behaviour.
        _scale_task_sets(backend, service)
        return
    if not service.deployments:
        # No ECS deployments to converge (EXTERNAL): moto's immediate behaviour.
        _set_counts(backend, service, desired, 0)
        return
    primary = service.deployments[0]
    if primary["desiredCount"] == desired:
        return
    primary["desiredCount"] = desired
    primary["updatedAt"] = _now()
    if primary["rolloutState"] == "COMPLETED":
        _progress(service)[primary["id"]] = _Progress(start_running=primary["runningCount"])


def _patch_rollouts_progress_on_describe(original: Callable[..., Any]) -> Callable[..., Any]:
    """Each DescribeServices call advances each listed service's rollout by one step.

    Real ECS moves on with time; the sandbox moves on with polls, so waiters and tests are
    deterministic (no clock, no sleep). See the module docstring for the rollout rules
    (API_Deployment.html, developerguide/service-event-messages.html,
    developerguide/deployment-circuit-breaker.html).
    """

    @functools.wraps(original)
    def describe_services(self: Any, cluster_str: str, service_names_or_arns: list[str]) -> Any:
        services, failures = original(self, cluster_str, service_names_or_arns)
        with _STATE_LOCK:
            seen: set[int] = set()
            for service in services:
                if id(service) not in seen:
                    seen.add(id(service))
                    _advance_service(self, service)
        return services, failures

    return describe_services


# ---- Application Auto Scaling ------------------------------------------------------------

#: SuspendedState members (API_SuspendedState.html); DescribeScalableTargets shows all three.
SUSPENDED_STATE_FLAGS: tuple[str, ...] = (
    "DynamicScalingInSuspended",
    "DynamicScalingOutSuspended",
    "ScheduledScalingSuspended",
)


def _patch_scalable_target_check_does_not_poll(original: Callable[..., Any]) -> Callable[..., Any]:
    """RegisterScalableTarget checks that the ECS service exists without polling it.

    moto checks through EC2ContainerServiceBackend.describe_services, which
    ``rollouts_progress_on_describe`` makes a poll: suspending or resuming auto scaling would
    advance rollouts. For AWS a RegisterScalableTarget is no DescribeServices. The check and its
    error stay moto's (ValidationException "ECS service doesn't exist: <resource id>").
    """
    del original  # replaced: the same check, reading the ECS backend directly

    def _ecs_service_exists_for_target(self: Any, r_id: str) -> bool:
        from moto.applicationautoscaling.exceptions import AWSValidationException

        _, cluster, name = r_id.split("/")
        try:
            self.ecs_backend._get_service(cluster, name)
        except Exception as err:
            raise AWSValidationException(f"ECS service doesn't exist: {r_id}") from err
        return True

    return _ecs_service_exists_for_target


def _patch_suspended_state_kept_per_flag(original: Callable[..., Any]) -> Callable[..., Any]:
    """RegisterScalableTarget keeps SuspendedState flags a request leaves out.

    API_RegisterScalableTarget.html: re-registering an existing target updates what the request
    gives and keeps the rest (moto already keeps MinCapacity / MaxCapacity); moto replaces the
    whole SuspendedState and shows none until one is given. Here each of
    DynamicScalingInSuspended, DynamicScalingOutSuspended, ScheduledScalingSuspended is false
    until set, and a request that gives some of them keeps the others (per-flag merging is the
    sandbox's reading of the "keeps the rest" rule).
    """

    @functools.wraps(original)
    def register_scalable_target(
        self: Any,
        namespace: str,
        r_id: str,
        dimension: str,
        min_capacity: int | None,
        max_capacity: int | None,
        role_arn: str,
        suspended_state: Any,
    ) -> Any:
        with _STATE_LOCK:
            existing = (self.targets.get(dimension) or {}).get(r_id)
            before = dict(getattr(existing, "suspended_state", None) or {})
            target = original(
                self, namespace, r_id, dimension, min_capacity, max_capacity, role_arn,
                suspended_state,
            )
            merged = {flag: False for flag in SUSPENDED_STATE_FLAGS}
            merged.update({k: bool(v) for k, v in before.items() if k in merged})
            merged.update({k: bool(v) for k, v in (suspended_state or {}).items() if k in merged})
            target.suspended_state = merged
            return target

    return register_scalable_target


# ---- CodeDeploy ---------------------------------------------------------------------------


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
                    plan = _plan_ecs_deployment(self, group, given["revision"])
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

    The deployment is Stopped at once (AWS: shortly after) with errorInformation MANUAL_STOP,
    its replacement task set goes and the service keeps what it ran. autoRollbackEnabled true
    starts a rollback deployment (false: none; left out: the deployment's autoRollbackConfiguration
    decides, by DEPLOYMENT_STOP_ON_REQUEST). The reply is AWS's: status Pending with its
    statusMessage. A completed deployment: DeploymentAlreadyCompletedException.
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
            _end_deployment(
                backend, deployment, "Stopped", MANUAL_STOP_ERROR, rollback=bool(rollback)
            )
        return ActionResult({"status": "Pending", "statusMessage": _STOP_PENDING})

    return stop_deployment


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


_ECS_MODELS = "moto.ecs.models"
_ECS_RESPONSES = "moto.ecs.responses"
_BACKEND = "EC2ContainerServiceBackend"
_RESPONSE = "EC2ContainerServiceResponse"
_AAS_MODELS = "moto.applicationautoscaling.models"
_AAS_BACKEND = "ApplicationAutoscalingBackend"
_CD_MODELS = "moto.codedeploy.models"
_CD_RESPONSES = "moto.codedeploy.responses"
_CD_BACKEND = "CodeDeployBackend"
_CD_RESPONSE = "CodeDeployResponse"

# Order matters only in that it is the order installed_patches() reports (and
# tests/test_sandbox.py builds its "moto target gone" case from the last entry, an ECS backend
# patch: keep rollouts_progress_on_describe last).
_PATCHES: tuple[_PatchSpec, ...] = (
    _PatchSpec(
        name="record_requests",
        module="moto.core.responses",
        owner="BaseResponse",
        attribute="call_action",
        params=("self",),
        make=_patch_record_requests,
    ),
    _PatchSpec(
        name="family_resolves_to_latest_active",
        module=_ECS_MODELS,
        owner=_BACKEND,
        attribute="describe_task_definition",
        params=("self", "task_definition_str"),
        make=_patch_family_resolves_to_latest_active,
    ),
    _PatchSpec(
        name="task_definition_read_only_fields",
        module=_ECS_MODELS,
        owner=_BACKEND,
        attribute="register_task_definition",
        params=(
            "self", "family", "container_definitions", "volumes", "network_mode", "tags",
            "placement_constraints", "requires_compatibilities", "cpu", "memory",
            "task_role_arn", "execution_role_arn", "proxy_configuration",
            "inference_accelerators", "runtime_platform", "ipc_mode", "pid_mode",
            "ephemeral_storage",
        ),
        make=_patch_task_definition_read_only_fields,
    ),
    _PatchSpec(
        name="ec2_memory_reservation_suffices",
        module=_ECS_MODELS,
        owner=_BACKEND,
        attribute="_validate_container_defs",
        params=("memory", "container_definitions", "requires_compatibilities"),
        make=_patch_ec2_memory_reservation_suffices,
    ),
    _PatchSpec(
        name="task_definition_defaults",
        module=_ECS_RESPONSES,
        owner=_RESPONSE,
        attribute="register_task_definition",
        params=("self",),
        make=_patch_task_definition_defaults,
    ),
    _PatchSpec(
        name="refuse_duplicate_service",
        module=_ECS_MODELS,
        owner=_BACKEND,
        attribute="create_service",
        params=(
            "self", "cluster_str", "service_name", "desired_count", "task_definition_str",
            "load_balancers", "scheduling_strategy", "tags", "deployment_controller",
            "launch_type", "service_registries", "platform_version", "propagate_tags",
            "network_configuration", "role_arn",
        ),
        make=_patch_refuse_duplicate_service,
    ),
    _PatchSpec(
        name="create_service_keeps_fields",
        module=_ECS_RESPONSES,
        owner=_RESPONSE,
        attribute="create_service",
        params=("self",),
        make=_patch_create_service_keeps_fields,
    ),
    _PatchSpec(
        name="code_deploy_refuses_rolling_fields",
        module=_ECS_RESPONSES,
        owner=_RESPONSE,
        attribute="update_service",
        params=("self",),
        make=_patch_code_deploy_refuses_rolling_fields,
    ),
    _PatchSpec(
        name="update_service_like_ecs",
        module=_ECS_MODELS,
        owner=_BACKEND,
        attribute="update_service",
        params=("self", "service_properties"),
        make=_patch_update_service_like_ecs,
    ),
    _PatchSpec(
        name="scalable_target_check_does_not_poll",
        module=_AAS_MODELS,
        owner=_AAS_BACKEND,
        attribute="_ecs_service_exists_for_target",
        params=("self", "r_id"),
        make=_patch_scalable_target_check_does_not_poll,
    ),
    _PatchSpec(
        name="suspended_state_kept_per_flag",
        module=_AAS_MODELS,
        owner=_AAS_BACKEND,
        attribute="register_scalable_target",
        params=(
            "self", "namespace", "r_id", "dimension", "min_capacity", "max_capacity",
            "role_arn", "suspended_state",
        ),
        make=_patch_suspended_state_kept_per_flag,
    ),
    _PatchSpec(
        name="batch_get_applications_limit",
        module=_CD_RESPONSES,
        owner=_CD_RESPONSE,
        attribute="batch_get_applications",
        params=("self",),
        make=_patch_batch_get_applications_limit,
    ),
    _PatchSpec(
        name="create_deployment_validates_appspec",
        module=_CD_MODELS,
        owner=_CD_BACKEND,
        attribute="create_deployment",
        params=(
            "self", "application_name", "deployment_group_name", "revision",
            "deployment_config_name", "description", "ignore_application_stop_failures",
            "target_instances", "auto_rollback_configuration", "update_outdated_instances_only",
            "file_exists_behavior", "override_alarm_configuration",
        ),
        make=_patch_create_deployment_validates_appspec,
    ),
    _PatchSpec(
        name="deployments_progress_on_get",
        module=_CD_RESPONSES,
        owner=_CD_RESPONSE,
        attribute="get_deployment",
        params=("self",),
        make=_patch_deployments_progress_on_get,
    ),
    _PatchSpec(
        name="deployments_progress_on_batch_get",
        module=_CD_RESPONSES,
        owner=_CD_RESPONSE,
        attribute="batch_get_deployments",
        params=("self",),
        make=_patch_deployments_progress_on_batch_get,
    ),
    _PatchSpec(
        name="stop_deployment",
        module=_CD_RESPONSES,
        owner=_CD_RESPONSE,
        attribute="stop_deployment",
        params=("self",),
        make=_add_stop_deployment,
        adds=True,
    ),
    _PatchSpec(
        name="batch_get_deployment_groups",
        module=_CD_RESPONSES,
        owner=_CD_RESPONSE,
        attribute="batch_get_deployment_groups",
        params=("self",),
        make=_add_batch_get_deployment_groups,
        adds=True,
    ),
    _PatchSpec(
        name="list_deployment_targets",
        module=_CD_RESPONSES,
        owner=_CD_RESPONSE,
        attribute="list_deployment_targets",
        params=("self",),
        make=_add_list_deployment_targets,
        adds=True,
    ),
    _PatchSpec(
        name="get_deployment_target",
        module=_CD_RESPONSES,
        owner=_CD_RESPONSE,
        attribute="get_deployment_target",
        params=("self",),
        make=_add_get_deployment_target,
        adds=True,
    ),
    _PatchSpec(
        name="batch_get_deployment_targets",
        module=_CD_RESPONSES,
        owner=_CD_RESPONSE,
        attribute="batch_get_deployment_targets",
        params=("self",),
        make=_add_batch_get_deployment_targets,
        adds=True,
    ),
    _PatchSpec(
        name="rollouts_progress_on_describe",
        module=_ECS_MODELS,
        owner=_BACKEND,
        attribute="describe_services",
        params=("self", "cluster_str", "service_names_or_arns"),
        make=_patch_rollouts_progress_on_describe,
    ),
)

# moto internals the patches read or call without replacing them.
_REQUIREMENTS: tuple[_Requirement, ...] = (
    _Requirement(target="moto.core.serialize:XFormedAttributePicker"),
    _Requirement(target="moto.core.responses:ActionResult.result"),
    _Requirement(target="moto.core.responses:BaseResponse._get_action", params=("self",)),
    _Requirement(target="moto.core.responses:BaseResponse._get_params", params=("self",)),
    _Requirement(target="moto.core.utils:utcnow"),
    _Requirement(target="moto.core.utils:camelcase_to_underscores"),
    _Requirement(target="moto.moto_api._internal:mock_random"),
    _Requirement(target="moto.ecs.exceptions:ECSException"),
    _Requirement(target="moto.ecs.exceptions:InvalidParameterException"),
    _Requirement(target="moto.ecs.exceptions:TaskDefinitionNotFoundException"),
    _Requirement(target="moto.ecs.exceptions:TaskDefinitionMemoryError"),
    _Requirement(target="moto.ecs.exceptions:TaskDefinitionMissingPropertyError"),
    _Requirement(target="moto.core.responses:BaseResponse._get_param"),
    _Requirement(
        target="moto.ecs.models:EC2ContainerServiceBackend._get_service",
        params=("self", "cluster_str", "service_str"),
    ),
    _Requirement(
        target="moto.ecs.models:EC2ContainerServiceBackend._get_cluster",
        params=("self", "name"),
    ),
    _Requirement(
        target="moto.ecs.models:EC2ContainerServiceBackend.update_cluster_resources",
        params=("self", "cluster", "task_num", "task_state"),
    ),
    _Requirement(
        target="moto.ecs.models:Service._validate_network", params=("self", "nc")
    ),
    _Requirement(
        target="moto.ecs.models:Service.__init__",
        params=(
            "self", "cluster", "service_name", "desired_count", "backend", "task_definition",
            "load_balancers", "scheduling_strategy", "tags", "deployment_controller",
            "launch_type", "service_registries", "platform_version", "network_configuration",
            "propagate_tags", "role_arn",
        ),
    ),
    _Requirement(target="moto.ecs.responses:EC2ContainerServiceResponse.ecs_backend"),
    _Requirement(target="moto.ecs.models:ecs_backends"),
    _Requirement(
        target="moto.ecs.models:TaskSet.__init__",
        params=(
            "self", "service", "cluster", "task_definition", "account_id", "region_name",
            "external_id", "network_configuration", "load_balancers", "service_registries",
            "launch_type", "capacity_provider_strategy", "platform_version", "scale",
            "client_token", "tags",
        ),
    ),
    _Requirement(target="moto.elbv2.models:elbv2_backends"),
    _Requirement(target="moto.applicationautoscaling.exceptions:AWSValidationException"),
    _Requirement(target="moto.codedeploy.exceptions:CodeDeployException"),
    _Requirement(
        target="moto.codedeploy.models:DeploymentInfo.__init__",
        params=(
            "self", "application", "deployment_group", "revision", "deployment_config_name",
            "description", "ignore_application_stop_failures", "targetInstances",
            "auto_rollback_configuration", "update_outdated_instances_only",
            "file_exists_behavior", "override_alarm_configuration", "creator",
        ),
    ),
    _Requirement(
        target="moto.codedeploy.models:CodeDeployBackend.get_deployment",
        params=("self", "deployment_id"),
    ),
    _Requirement(
        target="moto.codedeploy.models:CodeDeployBackend.get_application",
        params=("self", "application_name"),
    ),
    _Requirement(
        target="moto.codedeploy.models:CodeDeployBackend._arn", params=("self", "resource")
    ),
    _Requirement(
        target="moto.codedeploy.responses:_deployment_group_info", params=("deployment_group",)
    ),
    _Requirement(target="moto.codedeploy.responses:CodeDeployResponse.codedeploy_backend"),
    _Requirement(target="moto.utilities.tagging_service:TaggingService.copy_tags"),
    _Requirement(target="moto.utilities.tagging_service:TaggingService.has_tags"),
    _Requirement(
        target="moto.utilities.tagging_service:TaggingService.delete_all_tags_for_resource"
    ),
    _Requirement(
        target="moto.moto_server.threaded_moto_server:ThreadedMotoServer.get_host_and_port",
        params=("self",),
    ),
)


# --------------------------------------------------------------------------------------------
# Entry points
# --------------------------------------------------------------------------------------------


class SandboxServer:
    """A moto ThreadedMotoServer on 127.0.0.1, with the patches installed."""

    def __init__(self, server: Any, port: int) -> None:
        self._server = server
        self._port = port
        self.endpoint_url = f"http://127.0.0.1:{port}"
        self._sink = _Sink(lambda origin: _port_of(origin) == port)
        _add_sink(self._sink)
        self._stopped = False

    @property
    def requests(self) -> list[RecordedRequest]:
        """The requests this server served (a copy), oldest first."""
        return self._sink.snapshot()

    def clear_requests(self) -> None:
        self._sink.clear()

    def reset(self) -> None:
        """Reset all moto state (moto's own reset API) and forget the recorded requests."""
        request = urllib.request.Request(
            f"{self.endpoint_url}/moto-api/reset", data=b"", method="POST"
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as reply:
                reply.read()
        except OSError as err:
            raise SandboxError(f"cannot reset the sandbox at {self.endpoint_url}: {err}") from err
        self.clear_requests()

    def stop(self) -> None:
        if self._stopped:
            return
        self._stopped = True
        _remove_sink(self._sink)
        self._server.stop()

    def __enter__(self) -> SandboxServer:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


def _port_of(origin: str | None) -> int | None:
    if not origin or ":" not in origin:
        return None
    try:
        return int(origin.rsplit(":", 1)[1])
    except ValueError:
        return None


def _skip_default_amis() -> None:
    # moto loads its catalogue of default AMIs on every EC2 reset (~0.3 s); the sandbox serves
    # ECS deployments and never uses an AMI.
    os.environ.setdefault("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")


def start_server(port: int = 0) -> SandboxServer:
    """Install the patches and start a moto server on 127.0.0.1 (port 0: a free one)."""
    install()
    _skip_default_amis()
    try:
        from moto.moto_server.threaded_moto_server import ThreadedMotoServer
    except ImportError as err:  # moto without its [server] extra (flask, werkzeug)
        raise SandboxError(_MOTO_MISSING) from err
    werkzeug_log = logging.getLogger("werkzeug")
    if werkzeug_log.level == logging.NOTSET:
        # werkzeug otherwise prints an access-log line per request to stderr.
        werkzeug_log.setLevel(logging.WARNING)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    try:
        server.start()
    except OSError as err:
        raise SandboxError(f"cannot start the sandbox on 127.0.0.1:{port}: {err}") from err
    _, actual_port = server.get_host_and_port()
    return SandboxServer(server, int(actual_port))


class Recorder:
    """The requests served in process during one ``in_process()`` block."""

    def __init__(self) -> None:
        self._sink = _Sink(lambda origin: origin is None)

    @property
    def requests(self) -> list[RecordedRequest]:
        return self._sink.snapshot()

    def clear(self) -> None:
        self._sink.clear()


@contextlib.contextmanager
def in_process() -> Iterator[Recorder]:
    """moto's ``mock_aws()`` with the patches installed: boto3 talks to the sandbox, in process."""
    install()
    _skip_default_amis()
    from moto import mock_aws

    recorder = Recorder()
    _add_sink(recorder._sink)
    try:
        with mock_aws():
            yield recorder
    finally:
        _remove_sink(recorder._sink)
