"""The tasks a failing rolling deployment stopped, as ListTasks / DescribeTasks show them.

moto's rollout model here (ecs_rollouts) launches no moto tasks; a failing rollout records each
task it saw fail (``record_stopped``), on the service object, so a reset forgets them. Patches:

- ``list_stopped_tasks`` (``EC2ContainerServiceResponse.list_tasks``): ListTasks with
  desiredStatus STOPPED lists them too, filtered by ``startedBy`` and ``serviceName``
  (API_ListTasks.html: "desiredStatus ... STOPPED"; a service's tasks have startedBy set to the
  deployment ID: API_Task.html, startedBy "If a service started the task, the startedBy
  parameter contains the deployment ID of the service that starts it").
- ``describe_stopped_tasks`` (``EC2ContainerServiceResponse.describe_tasks``): DescribeTasks
  returns them: lastStatus / desiredStatus STOPPED, stopCode ServiceSchedulerInitiated,
  stoppedReason "Task failed container health checks", each container STOPPED with exitCode
  137 (killed when stopped) (API_DescribeTasks.html, API_Task.html, API_Container.html;
  developerguide/stopped-task-error-codes.html). ECS keeps stopped tasks visible for at least an
  hour; the sandbox keeps them until the reset.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from providers.sandbox.common import _STATE_LOCK

_STOPPED = "_ecsplan_stopped_tasks"  # an attribute of moto's Service object
STOPPED_REASON = "Task failed container health checks"
EXIT_CODE = 137


def record_stopped(backend: Any, service: Any, deployment: dict[str, Any], task_ids: list[str]) -> None:
    """The tasks `deployment` launched and saw fail, as DescribeTasks returns them."""
    arn = str(service.arn)  # arn:aws:ecs:REGION:ACCOUNT:service/CLUSTER/NAME
    prefix, _, path = arn.partition(":service/")
    cluster = path.split("/")[0]
    try:
        containers = [dict(c) for c in backend.describe_task_definition(deployment["taskDefinition"]).container_definitions]
    except Exception:  # noqa: BLE001 - a deregistered revision: no container names to show
        containers = []
    stopped = getattr(service, _STOPPED, None)
    if stopped is None:
        stopped = []
        setattr(service, _STOPPED, stopped)
    for task_id in task_ids:
        task_arn = f"{prefix}:task/{cluster}/{task_id}"
        stopped.append({
            "taskArn": task_arn,
            "clusterArn": f"{prefix}:cluster/{cluster}",
            "taskDefinitionArn": deployment["taskDefinition"],
            "group": f"service:{service.name}",
            "startedBy": deployment["id"],
            "lastStatus": "STOPPED",
            "desiredStatus": "STOPPED",
            "stopCode": "ServiceSchedulerInitiated",
            "stoppedReason": STOPPED_REASON,
            "containers": [
                {"name": c.get("name"), "image": c.get("image"), "taskArn": task_arn, "lastStatus": "STOPPED", "exitCode": EXIT_CODE}
                for c in containers
            ],
        })


def _stopped_tasks(backend: Any, cluster: str) -> list[dict[str, Any]]:
    name = cluster.split("/")[-1]
    out: list[dict[str, Any]] = []
    for service in list(backend.services.values()):
        if str(service.arn).split(":service/")[-1].split("/")[0] == name:
            out.extend(getattr(service, _STOPPED, None) or [])
    return out


def _patch_list_stopped_tasks(original: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(original)
    def list_tasks(self: Any) -> Any:
        from moto.core.responses import ActionResult  # moto is the sandbox's extra: imported when used

        if self._get_param("desiredStatus") != "STOPPED":
            return original(self)
        started_by = self._get_param("startedBy")
        service_name = self._get_param("serviceName")
        with _STATE_LOCK:
            arns = [
                t["taskArn"]
                for t in _stopped_tasks(self.ecs_backend, self._get_param("cluster", "default"))
                if (not started_by or t["startedBy"] == started_by) and (not service_name or t["group"] == f"service:{service_name}")
            ]
        return ActionResult({"taskArns": arns})

    return list_tasks


def _patch_describe_stopped_tasks(original: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(original)
    def describe_tasks(self: Any) -> Any:
        from moto.core.responses import ActionResult

        wanted = self._get_param("tasks", [])
        with _STATE_LOCK:
            known = {t["taskArn"]: t for t in _stopped_tasks(self.ecs_backend, self._get_param("cluster", "default"))}
        found = [known[w] for w in wanted if w in known] + [t for t in known.values() if t["taskArn"].split("/")[-1] in wanted]
        if not found:
            return original(self)
        return ActionResult({"tasks": found, "failures": []})

    return describe_tasks
