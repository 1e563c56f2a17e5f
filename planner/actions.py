"""The actions of a plan: one frozen class per action type, with typed, deeply immutable fields.

What apply sends is in the fields; what the plan explains to people (`note`, `details`) is
derived from them, never stored beside them. A task definition an action uses is a
`TaskDefinitionRef`: a known ARN, or "the revision this plan registers" (Terraform's "known
after apply"), resolved by the executor once the register action has run.
"""

from __future__ import annotations

import enum
from typing import Any, ClassVar, Union

import attrs

from planner.diff import Change
from planner.errors import PlanError
from planner.frozen import FrozenDict, freeze_mapping, str_tuple, thaw
from planner.model import ServiceRef, arn_tail

KNOWN_AFTER_APPLY = "(known after apply)"


class ActionType(enum.Enum):
    """What apply does, in this order within a service (DESIGN.md). Each type carries its symbol
    (Terraform's legend: + create, ~ update in place, - stop/remove) and how the summary counts it
    (None: not counted, e.g. suspend/resume around a deployment)."""

    symbol: str
    count_words: tuple[str, str] | None

    def __new__(cls, value: str, symbol: str, count_words: tuple[str, str] | None) -> ActionType:
        obj = object.__new__(cls)
        obj._value_ = value
        obj.symbol = symbol
        obj.count_words = count_words
        return obj

    REGISTER_TASK_DEFINITION = ("register_task_definition", "+", ("to register", "to register"))
    CREATE_SERVICE = ("create_service", "+", ("to create", "to create"))
    SUSPEND_AUTOSCALING = ("suspend_autoscaling", "~", None)
    UPDATE_SCALABLE_TARGET = ("update_scalable_target", "~", ("scalable target to update", "scalable targets to update"))
    UPDATE_SERVICE = ("update_service", "~", ("to update", "to update"))
    CREATE_DEPLOYMENT = ("create_deployment", "+", ("blue/green deployment", "blue/green deployments"))
    STOP_DEPLOYMENT = ("stop_deployment", "-", ("deployment to stop", "deployments to stop"))
    STOP_SERVICE_DEPLOYMENT = ("stop_service_deployment", "-", ("service deployment to stop", "service deployments to stop"))
    CONTINUE_SERVICE_DEPLOYMENT = ("continue_service_deployment", "~", ("paused hook to answer", "paused hooks to answer"))
    RESUME_AUTOSCALING = ("resume_autoscaling", "~", None)
    DEREGISTER_TASK_DEFINITION = ("deregister_task_definition", "-", ("to deregister", "to deregister"))

    @property
    def label(self) -> str:
        """The name shown in plans and reports."""
        return str(self.value)

    @classmethod
    def of(cls, value: str) -> ActionType:
        """The type named `value` (as plan documents spell it); ValueError for an unknown one."""
        for member in cls:
            if member.value == value:
                return member
        raise ValueError(f"unknown action type {value!r}")

    def count_text(self, n: int) -> str | None:
        if self.count_words is None:
            return None
        singular, plural = self.count_words
        return f"{n} {singular if n == 1 else plural}"


@attrs.frozen(kw_only=True)
class TaskDefinitionRef:
    """A task definition an action uses: a known ARN, or None for the revision this plan
    registers (known after apply)."""

    arn: str | None = None

    @classmethod
    def registered(cls) -> TaskDefinitionRef:
        return cls(arn=None)

    @classmethod
    def known(cls, arn: str) -> TaskDefinitionRef:
        return cls(arn=arn)

    @property
    def is_registered(self) -> bool:
        return self.arn is None

    def resolve(self, registered: str | None) -> str:
        if self.arn is not None:
            return self.arn
        if not registered:
            raise PlanError("the plan uses the task definition it registers, but none was registered")
        return registered

    def __str__(self) -> str:
        return self.arn or KNOWN_AFTER_APPLY


def reused(arn: str) -> str:
    """A taskDefinition change's `after` when the plan reuses the family's latest ACTIVE
    revision (equal to the desired definition) instead of registering a duplicate."""
    return f"{arn} (already registered, identical)"


def _changes(value: Any) -> tuple[Change, ...]:
    return tuple(value)


class _Typed:
    """Every action class names its ActionType once, as TYPE; `action.type` reads it."""

    TYPE: ClassVar[ActionType]

    @property
    def type(self) -> ActionType:
        return self.TYPE


@attrs.frozen(kw_only=True)
class RegisterTaskDefinition(_Typed):
    """RegisterTaskDefinition of the user's definition (read-only fields removed)."""

    TYPE: ClassVar[ActionType] = ActionType.REGISTER_TASK_DEFINITION
    changes: tuple[Change, ...] = attrs.field(default=(), converter=_changes)
    definition: FrozenDict = attrs.field(converter=freeze_mapping)
    first_revision: bool = False

    @property
    def family(self) -> str:
        return str(self.definition.get("family", ""))

    @property
    def note(self) -> str:
        if self.first_revision:
            return f"first revision of family {self.family}"
        return f"new revision of {self.family} {KNOWN_AFTER_APPLY}"


@attrs.frozen(kw_only=True)
class CreateService(_Typed):
    """CreateService with the user's definition; `taskDefinition` from `task_definition`."""

    TYPE: ClassVar[ActionType] = ActionType.CREATE_SERVICE
    changes: tuple[Change, ...] = attrs.field(default=(), converter=_changes)
    definition: FrozenDict = attrs.field(converter=freeze_mapping)  # CreateService input, no taskDefinition
    task_definition: TaskDefinitionRef

    @property
    def ref(self) -> ServiceRef:
        return ServiceRef(cluster=str(self.definition["cluster"]), service=str(self.definition["serviceName"]))

    @property
    def note(self) -> str:
        return "service is missing"

    def request(self, task_definition_arn: str) -> dict[str, Any]:
        return {**thaw(self.definition), "taskDefinition": task_definition_arn}


@attrs.frozen(kw_only=True)
class UpdateService(_Typed):
    """UpdateService with the changed fields (and the task definition for rolling services),
    then TagResource / UntagResource: tags are not an UpdateService input."""

    TYPE: ClassVar[ActionType] = ActionType.UPDATE_SERVICE
    changes: tuple[Change, ...] = attrs.field(default=(), converter=_changes)
    cluster: str
    service: str
    service_arn: str
    fields: FrozenDict = attrs.field(factory=FrozenDict, converter=freeze_mapping)
    task_definition: TaskDefinitionRef | None = None
    tags_add: FrozenDict = attrs.field(factory=FrozenDict, converter=freeze_mapping)  # key -> value
    tags_remove: tuple[str, ...] = attrs.field(default=(), converter=str_tuple)
    starts_deployment: bool = False
    # forceNewDeployment: AWS refuses a capacity provider change without it (reproio/ecs_deploy#74);
    # --force-new-deployment asks for it (a restart with the same task definition).
    force_new_deployment: bool = False

    @property
    def ref(self) -> ServiceRef:
        return ServiceRef(cluster=self.cluster, service=self.service)

    @property
    def note(self) -> str:
        if self.force_new_deployment and "capacityProviderStrategy" in self.fields:
            return "starts a new deployment (forceNewDeployment: AWS requires one for a capacity provider change)"
        if self.force_new_deployment:
            return "starts a new deployment (forceNewDeployment: the tasks are replaced)"
        return "starts a new deployment" if self.starts_deployment else "in place, no new deployment"

    def request(self, task_definition_arn: str | None) -> dict[str, Any]:
        """The UpdateService parameters; empty when only tags change."""
        params: dict[str, Any] = thaw(self.fields)
        if task_definition_arn:
            params["taskDefinition"] = task_definition_arn
        if self.force_new_deployment:
            params["forceNewDeployment"] = True
        if not params:
            return {}
        return {"cluster": self.cluster, "service": self.service, **params}

    def changed_fields(self) -> list[str]:
        out = list(self.fields)
        if self.task_definition is not None:
            out.insert(0, "taskDefinition")
        if self.tags_add or self.tags_remove:
            out.append("tags")
        return out


@attrs.frozen(kw_only=True)
class CreateDeployment(_Typed):
    """A CodeDeploy deployment (revisionType AppSpecContent) of a CODE_DEPLOY service."""

    TYPE: ClassVar[ActionType] = ActionType.CREATE_DEPLOYMENT
    changes: tuple[Change, ...] = attrs.field(default=(), converter=_changes)
    cluster: str
    service: str
    application: str
    deployment_group: str
    deployment_config: str | None = None
    task_definition: TaskDefinitionRef
    appspec: FrozenDict = attrs.field(converter=freeze_mapping)  # its TaskDefinition set at apply
    rollback_events: tuple[str, ...] = attrs.field(default=(), converter=str_tuple)

    @property
    def ref(self) -> ServiceRef:
        return ServiceRef(cluster=self.cluster, service=self.service)

    @property
    def note(self) -> str:
        return "blue/green deployment through CodeDeploy"

    def appspec_for(self, task_definition: str) -> dict[str, Any]:
        spec: dict[str, Any] = thaw(self.appspec)
        spec["Resources"][0]["TargetService"]["Properties"]["TaskDefinition"] = task_definition
        return spec

    def description(self, task_definition_arn: str) -> str:
        return f"ecsplan: {self.ref} to {arn_tail(task_definition_arn)}"


@attrs.frozen(kw_only=True)
class StopDeployment(_Typed):
    """StopDeployment of a CodeDeploy deployment in progress, with rollback (a rollback plan)."""

    TYPE: ClassVar[ActionType] = ActionType.STOP_DEPLOYMENT
    changes: tuple[Change, ...] = attrs.field(default=(), converter=_changes)
    cluster: str
    service: str
    application: str
    deployment_group: str
    deployment_id: str
    rollback: bool = True

    @property
    def ref(self) -> ServiceRef:
        return ServiceRef(cluster=self.cluster, service=self.service)

    @property
    def note(self) -> str:
        how = "with rollback to the original task set" if self.rollback else "without rollback"
        return f"stop CodeDeploy deployment {self.deployment_id} {how}"


@attrs.frozen(kw_only=True)
class StopServiceDeployment(_Typed):
    """StopServiceDeployment of an ECS-native (BLUE_GREEN / LINEAR / CANARY) service deployment in
    progress, stopType ROLLBACK: the source revision serves again (a rollback plan)."""

    TYPE: ClassVar[ActionType] = ActionType.STOP_SERVICE_DEPLOYMENT
    changes: tuple[Change, ...] = attrs.field(default=(), converter=_changes)
    cluster: str
    service: str
    service_deployment_arn: str
    stop_type: str = "ROLLBACK"

    @property
    def ref(self) -> ServiceRef:
        return ServiceRef(cluster=self.cluster, service=self.service)

    @property
    def note(self) -> str:
        how = "with rollback to the previous service revision" if self.stop_type == "ROLLBACK" else "without rollback (ABORT)"
        return f"stop service deployment {arn_tail(self.service_deployment_arn)} {how}"


@attrs.frozen(kw_only=True)
class ContinueServiceDeployment(_Typed):
    """ContinueServiceDeployment: the answer to a lifecycle hook AWAITING_ACTION (a PAUSE hook) of
    an ECS-native service deployment in progress: CONTINUE lets it go on, ROLLBACK rolls it back."""

    TYPE: ClassVar[ActionType] = ActionType.CONTINUE_SERVICE_DEPLOYMENT
    changes: tuple[Change, ...] = attrs.field(default=(), converter=_changes)
    cluster: str
    service: str
    service_deployment_arn: str
    hook_id: str
    action: str = "CONTINUE"  # or ROLLBACK

    @property
    def ref(self) -> ServiceRef:
        return ServiceRef(cluster=self.cluster, service=self.service)

    @property
    def note(self) -> str:
        what = "let the deployment go on" if self.action == "CONTINUE" else "roll the deployment back"
        return f"answer paused hook {self.hook_id} of service deployment {arn_tail(self.service_deployment_arn)}: {self.action} ({what})"


@attrs.frozen(kw_only=True)
class SuspendAutoscaling(_Typed):
    """RegisterScalableTarget with SuspendedState on the service's desiredCount."""

    TYPE: ClassVar[ActionType] = ActionType.SUSPEND_AUTOSCALING
    changes: tuple[Change, ...] = attrs.field(default=(), converter=_changes)
    resource_id: str
    dimension: str = "ecs:service:DesiredCount"

    @property
    def note(self) -> str:
        return "suspend scaling of desiredCount for the deployment"


@attrs.frozen(kw_only=True)
class UpdateScalableTarget(_Typed):
    """RegisterScalableTarget of an existing target with new MinCapacity / MaxCapacity
    (--autoscaling-min / --autoscaling-max); SuspendedState is left out, so AWS keeps it."""

    TYPE: ClassVar[ActionType] = ActionType.UPDATE_SCALABLE_TARGET
    changes: tuple[Change, ...] = attrs.field(default=(), converter=_changes)
    resource_id: str
    min_capacity: int
    max_capacity: int
    dimension: str = "ecs:service:DesiredCount"

    @property
    def note(self) -> str:
        # API_RegisterScalableTarget: registering moves the current capacity into the range.
        return "RegisterScalableTarget; a desiredCount outside the new range moves into it"

    def request(self) -> dict[str, Any]:
        return {
            "ServiceNamespace": "ecs",
            "ResourceId": self.resource_id,
            "ScalableDimension": self.dimension,
            "MinCapacity": self.min_capacity,
            "MaxCapacity": self.max_capacity,
        }


@attrs.frozen(kw_only=True)
class ResumeAutoscaling(_Typed):
    """Undo SuspendAutoscaling, after the deployment ended (also when it failed); left alone when
    ecsplan did not suspend it."""

    TYPE: ClassVar[ActionType] = ActionType.RESUME_AUTOSCALING
    changes: tuple[Change, ...] = attrs.field(default=(), converter=_changes)
    resource_id: str
    dimension: str = "ecs:service:DesiredCount"

    @property
    def note(self) -> str:
        return "resume after the deployment ends, also when it fails (left suspended if it was suspended before)"


@attrs.frozen(kw_only=True)
class DeregisterTaskDefinition(_Typed):
    """DeregisterTaskDefinition of the revision a rollback left (`rollback --deregister`), run
    only once the rollback deployment succeeded: the revision becomes INACTIVE (tasks running it
    go on; no new service or task can use it)."""

    TYPE: ClassVar[ActionType] = ActionType.DEREGISTER_TASK_DEFINITION
    changes: tuple[Change, ...] = attrs.field(default=(), converter=_changes)
    cluster: str
    service: str
    task_definition_arn: str

    @property
    def ref(self) -> ServiceRef:
        return ServiceRef(cluster=self.cluster, service=self.service)

    @property
    def note(self) -> str:
        return f"deregister {arn_tail(self.task_definition_arn)} once the rollback succeeded (not done if it fails or is not waited for)"


Action = Union[
    RegisterTaskDefinition,
    CreateService,
    UpdateService,
    CreateDeployment,
    StopDeployment,
    StopServiceDeployment,
    SuspendAutoscaling,
    UpdateScalableTarget,
    ResumeAutoscaling,
    ContinueServiceDeployment,
    DeregisterTaskDefinition,
]

ACTION_CLASSES: dict[ActionType, type[Action]] = {
    cls.TYPE: cls
    for cls in (
        RegisterTaskDefinition,
        CreateService,
        SuspendAutoscaling,
        UpdateScalableTarget,
        UpdateService,
        CreateDeployment,
        StopDeployment,
        StopServiceDeployment,
        ContinueServiceDeployment,
        ResumeAutoscaling,
        DeregisterTaskDefinition,
    )
}


def starts_deployment(action: Action) -> bool:
    return isinstance(action, CreateDeployment) or (isinstance(action, UpdateService) and action.starts_deployment)


def details(action: Action) -> dict[str, Any]:
    """What the action will use that is not a change, for people: the CodeDeploy application,
    group, config, rollback events and the AppSpec it sends."""
    if isinstance(action, CreateDeployment):
        return {
            "application": action.application,
            "deployment_group": action.deployment_group,
            "deployment_config": action.deployment_config or "(the deployment group's)",
            "auto_rollback_events": list(action.rollback_events) or "none (pass --rollback-events to roll back automatically)",
            "appspec": action.appspec_for(str(action.task_definition)),
        }
    if isinstance(action, StopDeployment):
        return {"application": action.application, "deployment_group": action.deployment_group}
    if isinstance(action, StopServiceDeployment):
        return {"service_deployment": action.service_deployment_arn, "stop_type": action.stop_type}
    return {}


@attrs.frozen(kw_only=True)
class Blocked:
    """A change that cannot be made in place; apply refuses a plan that has one."""

    path: str
    reason: str
    before: Any = None
    after: Any = None
