"""Value types shared by the planner and the providers. Plain data, no behaviour that does I/O."""

from __future__ import annotations

import enum
from typing import Any

import attrs


class Controller(enum.Enum):
    """Deployment controller of a service (`deploymentController.type`)."""

    ECS = "ECS"
    CODE_DEPLOY = "CODE_DEPLOY"
    EXTERNAL = "EXTERNAL"


@attrs.frozen(kw_only=True, order=True)
class ServiceRef:
    """Names one service; the key of everything per-service (cluster as a name, not an ARN)."""

    cluster: str
    service: str

    def __str__(self) -> str:
        return f"{self.cluster}/{self.service}"


@attrs.frozen(kw_only=True)
class DesiredService:
    """What the files say: the rendered task and service definitions of one service."""

    ref: ServiceRef
    source: str  # the config file, for messages
    task_definition_path: str = ""  # the definition files, for messages
    service_definition_path: str = ""
    region: str | None
    task_definition: dict[str, Any]  # as written by the user (camelCase API shape)
    service_definition: dict[str, Any]  # as written by the user; serviceName/cluster are filled from config
    timeout_seconds: float | None = None
    codedeploy_application: str | None = None
    codedeploy_group: str | None = None
    appspec: dict[str, Any] | None = None
    sensitive: tuple[str, ...] = ()

    @property
    def controller(self) -> Controller:
        ctl = (self.service_definition.get("deploymentController") or {}).get("type") or "ECS"
        return Controller(ctl)


@attrs.frozen(kw_only=True)
class LiveTaskDefinition:
    """A registered revision as DescribeTaskDefinition returns it (tags folded in as `tags`)."""

    arn: str
    definition: dict[str, Any]

    @property
    def family(self) -> str:
        return str(self.definition.get("family", ""))

    @property
    def revision(self) -> int:
        return int(self.definition.get("revision", 0))


@attrs.frozen(kw_only=True)
class LiveService:
    """A service as DescribeServices(include=["TAGS"]) returns it."""

    arn: str
    description: dict[str, Any]

    @property
    def task_definition_arn(self) -> str | None:
        return self.description.get("taskDefinition")

    @property
    def controller(self) -> Controller:
        ctl = (self.description.get("deploymentController") or {}).get("type") or "ECS"
        return Controller(ctl)


@attrs.frozen(kw_only=True)
class DeploymentGroupInfo:
    """The CodeDeploy application and deployment group that deploy one CODE_DEPLOY service."""

    application: str
    group: str
    deployment_config: str | None = None


@attrs.frozen(kw_only=True)
class PlanOptions:
    """Choices made on the command line that shape a plan (and travel in a saved plan)."""

    suspend_autoscaling: bool = False
    rollback_events: tuple[str, ...] = ()


@attrs.frozen(kw_only=True)
class LiveState:
    """What runs now for one service: the service (None when missing) and the task definition to
    compare with (the one the service runs; for a missing service, the family's latest ACTIVE)."""

    ref: ServiceRef
    service: LiveService | None
    task_definition: LiveTaskDefinition | None
    codedeploy: DeploymentGroupInfo | None = None  # resolved only when a deployment is planned
