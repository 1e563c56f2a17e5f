"""What the sandbox's patches share: one state lock, moto's clock and random source, and the ECS
service helpers that the service, rollout, task-set and CodeDeploy code all use (the attributes
a service's API fields are kept under, service events, task counts, the defaults of network
configurations and capacity provider strategies).

Helpers that change sandbox state are called with ``_STATE_LOCK`` held.
"""

from __future__ import annotations

import copy
import threading
from typing import Any

#: Real ECS keeps the 100 most recent service events.
EVENTS_KEPT = 100

# One lock for all sandbox state changes: the threaded server serves requests concurrently.
_STATE_LOCK = threading.RLock()

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
    # Neither on the service nor on deployments: ECS shows them on service revisions only.
    "monitoring": "monitoring",
    "gatewayConnectors": "gateway_connectors",
}


def _now() -> Any:
    from moto.core.utils import utcnow

    return utcnow()


def _random() -> Any:
    from moto.moto_api._internal import mock_random

    return mock_random


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


def _is_fargate(service: Any) -> bool:
    if service.launch_type == "FARGATE":
        return True
    strategy = getattr(service, "capacity_provider_strategy", None) or []
    return any(str(item.get("capacityProvider", "")).startswith("FARGATE") for item in strategy)


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


def _strategy_with_defaults(strategy: list[dict[str, Any]] | None) -> list[dict[str, Any]] | None:
    """CapacityProviderStrategyItem: base and weight default to 0."""
    if strategy is None:
        return None
    return [{"base": 0, "weight": 0, **item} for item in strategy]


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
