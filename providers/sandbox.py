"""An AWS sandbox: moto, patched to keep the ECS behaviours a deploy engine depends on.

moto is loose exactly where a deploy engine lives: it drops most CreateService fields, stores
UpdateService's taskDefinition as given, completes (or never progresses) deployments, accepts
updates real ECS refuses. ``install()`` patches moto's internals so that, for ECS, the sandbox
answers like the real API. Each patch is one small named factory below, taking moto's original
and returning the replacement; its docstring names the AWS behaviour it imitates.

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
- ``refuse_duplicate_service`` (``moto.ecs.models.EC2ContainerServiceBackend.create_service``):
  "Creation of service was not idempotent." for a name already ACTIVE in the cluster.
- ``create_service_keeps_fields``
  (``moto.ecs.responses.EC2ContainerServiceResponse.create_service``):
  the CreateService fields moto drops are stored, with the defaults real ECS fills in; the first
  deployment is an IN_PROGRESS rollout like any other.
- ``code_deploy_refuses_rolling_fields``
  (``moto.ecs.responses.EC2ContainerServiceResponse.update_service``): UpdateService on a
  CODE_DEPLOY service refuses a new task definition, network parameters, platform version and
  load balancers with AWS's messages.
- ``update_service_like_ecs`` (``moto.ecs.models.EC2ContainerServiceBackend.update_service``,
  replaced): full task definition ARN, partial deploymentConfiguration merge, a new deployment
  only when a deployment-starting field changes (or forceNewDeployment).
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

Deliberately not imitated (yet): CodeDeploy deployments and task sets (CODE_DEPLOY services
have no ``deployments``; ``_CONTROLLER_REFUSALS`` is where a controller's rules go), clientToken
idempotency, tasks visible through ListTasks/DescribeTasks, moto's MOTO_ECS_SERVICE_RUNNING
environment variable (the rollout model replaces it).

moto is optional: it is imported inside functions only, so ``import providers.sandbox`` works
without it; using the sandbox without moto raises ``SandboxError``.
"""

from __future__ import annotations

import contextlib
import copy
import functools
import importlib
import inspect
import json
import logging
import threading
import urllib.request
from collections.abc import Callable, Iterator
from typing import Any

import attrs

from planner.errors import SandboxError

#: DescribeServices calls (that include the service) a rollout, a rollback or a scale takes.
ROLLOUT_STEPS = 3

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
    """Where a patch goes and what moto's original looked like when the patch was written."""

    name: str
    module: str
    owner: str
    attribute: str
    params: tuple[str, ...]
    make: Callable[[Callable[..., Any]], Callable[..., Any]]

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
_ORIGINALS: dict[str, Callable[..., Any]] = {}


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


def _original_of(spec: _PatchSpec) -> Callable[..., Any]:
    """moto's own function for a patch target (also after the patch is installed)."""
    owner = _resolve_owner(spec.module, spec.owner, spec.target)
    current = inspect.getattr_static(owner, spec.attribute, None)
    if current is None:
        raise _changed(spec.target, "no longer exists")
    if getattr(current, _PATCH_MARKER, None) == spec.name:
        return _ORIGINALS[spec.name]
    return current


def _verify_targets() -> None:
    """Check that every patch target and every internal the patches read is still there,
    with the signature the patches were written for. Raises SandboxError naming the first
    one that changed."""
    _require_moto()
    for spec in _PATCHES:
        _check_signature(spec.target, _original_of(spec), spec.params)
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
    event = {
        "id": str(_random().uuid4()),
        "createdAt": _now(),
        "message": f"(service {service.name}) {message}",
    }
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
    current: dict[str, Any] | None, given: dict[str, Any] | None
) -> dict[str, Any]:
    """ECS keeps the members a request leaves out; a given structure member replaces the old one.

    On create ``current`` is the defaults, and a partial circuit breaker is completed from them.
    """
    merged = copy.deepcopy(current) if current else copy.deepcopy(DEFAULT_DEPLOYMENT_CONFIGURATION)
    for key, value in (given or {}).items():
        if key == "deploymentCircuitBreaker" and isinstance(value, dict):
            merged[key] = {**DEFAULT_DEPLOYMENT_CONFIGURATION[key], **value}
        else:
            merged[key] = copy.deepcopy(value)
    return merged


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
    _set_service_value(
        service,
        "deploymentConfiguration",
        _merge_deployment_configuration(None, given.get("deploymentConfiguration")),
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
    _set_service_value(service, "placementStrategy", given.get("placementStrategy") or [])
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
    if (service.deployment_controller or {}).get("type", "ECS") == "ECS":
        service.deployments = []
        _progress(service).clear()
        _start_deployment(service, service.task_definition)
    _recount(backend, service)


def _patch_create_service_keeps_fields(original: Callable[..., Any]) -> Callable[..., Any]:
    """CreateService keeps what real ECS keeps (moto drops it) and fills in ECS's defaults.

    API_CreateService.html / API_Service.html: deploymentConfiguration (partial input merged
    with maximumPercent 200, minimumHealthyPercent 100, circuit breaker off),
    enableExecuteCommand and enableECSManagedTags false, placementConstraints/Strategy [],
    capacityProviderStrategy (base/weight 0), availabilityZoneRebalancing ENABLED,
    healthCheckGracePeriodSeconds when given (0 with load balancers), platformVersion LATEST
    for Fargate, assignPublicIp DISABLED, serviceConnect/volume/VPC Lattice configurations.
    The first deployment starts IN_PROGRESS with no task running, like any rollout.
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
      DISABLED by default);
    - a new deployment (PRIMARY, IN_PROGRESS, nothing running; the old PRIMARY becomes ACTIVE)
      starts only when a deployment-starting field changes or forceNewDeployment is true;
    - desiredCount alone starts no deployment: the PRIMARY converges to it over later polls.
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
    if not service.deployments:
        # No ECS deployments to converge (CODE_DEPLOY, EXTERNAL): moto's immediate behaviour.
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


_ECS_MODELS = "moto.ecs.models"
_ECS_RESPONSES = "moto.ecs.responses"
_BACKEND = "EC2ContainerServiceBackend"
_RESPONSE = "EC2ContainerServiceResponse"

# Order matters only in that it is the order installed_patches() reports.
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


def start_server(port: int = 0) -> SandboxServer:
    """Install the patches and start a moto server on 127.0.0.1 (port 0: a free one)."""
    install()
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
    from moto import mock_aws

    recorder = Recorder()
    _add_sink(recorder._sink)
    try:
        with mock_aws():
            yield recorder
    finally:
        _remove_sink(recorder._sink)
