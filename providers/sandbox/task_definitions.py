"""Task definitions: RegisterTaskDefinition and DescribeTaskDefinition as real ECS answers them,
and the sandbox's one way to make a task definition fail.

Patches:

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
- ``deregistered_at_set``
  (``moto.ecs.models.EC2ContainerServiceBackend.deregister_task_definition``): a deregistered
  revision (INACTIVE, still described: moto does that) gets deregisteredAt.
- ``task_definition_defaults``
  (``moto.ecs.responses.EC2ContainerServiceResponse.register_task_definition``): task cpu /
  memory shorthand ("1 vCPU", "2 GB") stored as units / MiB strings; health checks get
  interval 30, timeout 5, retries 3; a missing hostPort is 0 in bridge mode and the
  containerPort in host mode; a volume with only a name gets "host": {}; enableFaultInjection
  kept (false when not given).

A task definition with a container image whose tag starts with ``broken`` (``nginx:broken``,
``app:broken-1``, see ``image_is_broken``) never becomes healthy: its rolling deployments fail
(``ecs_rollouts``), its task sets keep their tasks pending (``task_sets``), and a CodeDeploy
deployment of it fails Install (``codedeploy``).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import Any

from providers.sandbox.common import _STATE_LOCK, _now

#: The image tag prefix that makes every task of a task definition fail its health checks.
BROKEN_TAG_PREFIX = "broken"

# TaskDefinition attributes for read-only DescribeTaskDefinition members (same naming rule).
_TASK_DEFINITION_ATTRIBUTES = {
    "registeredAt": "registered_at",
    "registeredBy": "registered_by",
    "requiresAttributes": "requires_attributes",
    "enableFaultInjection": "enable_fault_injection",
    "deregisteredAt": "deregistered_at",
}


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


def _patch_deregistered_at_set(original: Callable[..., Any]) -> Callable[..., Any]:
    """DeregisterTaskDefinition: the revision becomes INACTIVE and stays described, with
    deregisteredAt, the time it was deregistered (API_DeregisterTaskDefinition.html,
    API_TaskDefinition.html). moto sets the status only. Deregistering an INACTIVE revision
    again keeps its first deregisteredAt."""

    @functools.wraps(original)
    def deregister_task_definition(self: Any, task_definition_str: str) -> Any:
        found = original(self, task_definition_str)
        attribute = _TASK_DEFINITION_ATTRIBUTES["deregisteredAt"]
        if getattr(found, attribute, None) is None:
            setattr(found, attribute, _now())
        return found

    return deregister_task_definition


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
                raise TaskDefinitionMemoryError(str(container.get("name") or container.get("Name")))

    return staticmethod(_validate_container_defs)


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
