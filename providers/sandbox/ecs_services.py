"""ECS services: CreateService and UpdateService as real ECS answers them.

Patches:

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
  CODE_DEPLOY service refuses a task definition (even the one it runs), forceNewDeployment,
  network parameters, platform version and load balancers with AWS's messages.
- ``update_service_like_ecs`` (``moto.ecs.models.EC2ContainerServiceBackend.update_service``,
  replaced): full task definition ARN, partial deploymentConfiguration merge, a new deployment
  only when a deployment-starting field changes (or forceNewDeployment); on a CODE_DEPLOY
  service desiredCount scales every task set at once.

How a deployment then progresses is ``ecs_rollouts``'s; a CODE_DEPLOY service's task sets are
``task_sets``'s. The helpers are called with ``_STATE_LOCK`` held.
"""

from __future__ import annotations

import copy
import functools
import json
from collections.abc import Callable
from typing import Any

from providers.sandbox.common import (
    _SERVICE_ATTRIBUTES,
    _STATE_LOCK,
    _is_fargate,
    _network_with_defaults,
    _now,
    _service_value,
    _set_counts,
    _set_service_value,
    _strategy_with_defaults,
)
from providers.sandbox.ecs_rollouts import _Progress, _progress, _recount, _start_deployment
from providers.sandbox.service_deployments import on_deployment_started
from providers.sandbox.task_sets import _scale_task_sets, _start_primary_task_set

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
    # On the service revision only (API_ServiceRevision.html); a new revision, a new deployment.
    "monitoring",
    "gatewayConnectors",
)

# Fields ECS shows on deployments but not on the service itself.
_DEPLOYMENT_ONLY_FIELDS = (
    "serviceConnectConfiguration",
    "volumeConfigurations",
    "vpcLatticeConfigurations",
)
# Fields ECS shows on service revisions only (DescribeServiceRevisions), kept for each new one.
_REVISION_ONLY_FIELDS = ("monitoring", "gatewayConnectors")


def _ecs_exception(code: str, message: str) -> Exception:
    from moto.ecs.exceptions import ECSException

    return ECSException(code, message)


def _invalid_parameter(message: str) -> Exception:
    from moto.ecs.exceptions import InvalidParameterException

    return InvalidParameterException(message)


def _merge_deployment_configuration(
    current: dict[str, Any] | None,
    given: dict[str, Any] | None,
    defaults: dict[str, Any] = DEFAULT_DEPLOYMENT_CONFIGURATION,
) -> dict[str, Any]:
    """ECS keeps the members a request leaves out; a given structure member replaces the old one.

    Evidence for the merge: aws/copilot-cli#4565 (alarms "won't pick up any changes if they are
    not explicitly specified": an UpdateService whose deploymentConfiguration leaves `alarms` out
    keeps the old alarms). ecsplan therefore sends a declared deploymentConfiguration whole.

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


def _same(before: Any, after: Any) -> bool:
    if not before and not after:
        return True
    return json.dumps(before, sort_keys=True, default=str) == json.dumps(
        after, sort_keys=True, default=str
    )


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
    *_REVISION_ONLY_FIELDS,
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
    for field in _DEPLOYMENT_ONLY_FIELDS + _REVISION_ONLY_FIELDS:
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
        deployment = _start_deployment(service, service.task_definition)
        # A service revision; for BLUE_GREEN / LINEAR / CANARY a service deployment.
        on_deployment_started(backend, service, deployment, None)
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
    for Fargate, assignPublicIp DISABLED, serviceConnect/volume/VPC Lattice configurations,
    monitoring and gatewayConnectors (on service revisions only).
    The first deployment starts IN_PROGRESS with no task running, like any rollout.
    A CODE_DEPLOY service has no deployments but one PRIMARY task set (API_TaskSet.html) running
    its task definition at desiredCount, behind its load balancers.
    serviceConnectConfiguration.namespace is reported as it was given, a name or an ARN:
    kayac/ecspresso#745 found DescribeServices returning the name of a namespace registered by
    name (ecspresso stopped resolving ARNs to names for it; #759, open, keeps the question of
    a namespace given one way and reported the other). ecsplan compares it as given.
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

    Messages as real ECS returns them (terraform-provider-aws#13473, kayac/ecspresso#393,
    boto/boto3#1936). taskDefinition is refused whenever it is given, the revision the service
    runs included: API_UpdateService.html lists what a CODE_DEPLOY service may change
    ("only the desired count, deployment configuration, health check grace period, task
    placement constraints and strategies, enable ECS managed tags option, and propagate tags"),
    and the task definition is not among them. forceNewDeployment true is refused with "Cannot
    force a new deployment on services with a CODE_DEPLOY deployment controller. Use AWS
    CodeDeploy to trigger a new deployment." (aws-actions/amazon-ecs-deploy-task-definition#345:
    "force-new-deployment only applies to ECS services with deployment controller type of ECS";
    the message as users quote it, e.g. for a capacity provider change on such a service). A
    request with both gets the task definition's message (boto/boto3#1936).
    """
    suffix = (
        "on services with a CODE_DEPLOY deployment controller. "
        "Use AWS CodeDeploy to trigger a new deployment."
    )
    if params.get("taskDefinition"):
        raise _invalid_parameter(f"Unable to update task definition {suffix}")
    if params.get("forceNewDeployment"):
        raise _invalid_parameter(f"Cannot force a new deployment {suffix}")
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
    - unsettled, and imitated as "no": whether repeating an unchanged deployment-starting field
      starts a deployment. The API reference says a change of these fields starts one and is
      silent on an unchanged value; ecsplan sends only the fields whose value changes, so the
      engine does not depend on the answer;
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
    source_task_definition = service.task_definition
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
        _refuse_capacity_provider_change_without_force(service, strategy, force)
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
        deployment = _start_deployment(service, service.task_definition)
        # A service revision; for BLUE_GREEN / LINEAR / CANARY a service deployment.
        on_deployment_started(backend, service, deployment, source_task_definition)
    _recount(backend, service)
    return service


#: InvalidParameterException's message, as AWS answers (reproio/ecs_deploy#74,
#: pipe-cd/pipecd#6385, hashicorp/terraform-provider-aws#43533).
CAPACITY_PROVIDER_NEEDS_FORCE = (
    "When switching from launch type to capacity provider strategy on an existing service, or making a change "
    "to a capacity provider strategy on a service that is already using one, you must force a new deployment."
)


def _refuse_capacity_provider_change_without_force(service: Any, strategy: list[dict[str, Any]] | None, force: bool) -> None:
    """UpdateService refuses a capacity provider change without forceNewDeployment.

    API_UpdateService.html (capacityProviderStrategy) and the threads above: switching from a
    launch type to a capacity provider strategy, or changing the strategy of a service that has
    one, must force a new deployment; AWS refuses the update otherwise, changing nothing. The
    same strategy sent again is no change (the sandbox's reading: only a change needs the flag).
    """
    if force:
        return
    current = _service_value(service, "capacityProviderStrategy") or None
    switching = bool(strategy) and service.launch_type is not None and current is None
    if switching or (current is not None and not _same(current, strategy or None)):
        raise _invalid_parameter(CAPACITY_PROVIDER_NEEDS_FORCE)


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
