"""Value types shared by the planner and the providers. Plain data, no behaviour that does I/O."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

import attrs


class Controller(enum.Enum):
    """Deployment controller of a service (`deploymentController.type`)."""

    ECS = "ECS"
    CODE_DEPLOY = "CODE_DEPLOY"
    EXTERNAL = "EXTERNAL"


def arn_tail(arn: str | None) -> str:
    """The name after the last "/" of an ARN: `web:3` of a task definition ARN, `prod` of a
    cluster ARN; "?" when there is none."""
    return (arn or "?").rsplit("/", 1)[-1]


def cluster_name(cluster: str) -> str:
    """Accept a cluster as a name or an ARN (arn:aws:ecs:region:acct:cluster/NAME)."""
    return arn_tail(cluster) if cluster.startswith("arn:") else cluster


def revision_of(arn: str) -> tuple[str, int]:
    """(family, revision) of a task definition ARN or `family:revision`."""
    family, _, rev = arn_tail(arn).partition(":")
    return family, int(rev) if rev.isdigit() else 0


# ServiceRef.service of a task-definition-only config.
TASK_ONLY_PREFIX = "taskdef:"


@attrs.frozen(kw_only=True, order=True)
class ServiceRef:
    """Names one service; the key of everything per-service (cluster as a name, not an ARN)."""

    cluster: str
    service: str

    def __str__(self) -> str:
        return f"{self.cluster}/{self.service}"

    @classmethod
    def task_definition_only(cls, cluster: str, family: str) -> ServiceRef:
        """The key of a config with a task definition and no service (ecspresso accepts them):
        `taskdef:<family>`, which no ECS service name can be (":" is not allowed in one)."""
        return cls(cluster=cluster, service=TASK_ONLY_PREFIX + family)

    @property
    def is_task_definition_only(self) -> bool:
        return self.service.startswith(TASK_ONLY_PREFIX)


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
    secret_values: tuple[str, ...] = ()  # looked-up secrets (SSM SecureString): masked in outputs
    ignore_tags: tuple[str, ...] = ()  # ignore.tags: tag keys another tool owns (both sides dropped)
    ignored_keys: tuple[str, ...] = ()  # ecspresso config keys ecsplan accepts and does not use
    # The config's plugins: {"name", "config", "func_prefix"} each (`ecsplan render config`).
    plugins: tuple[dict[str, Any], ...] = ()

    @property
    def task_definition_only(self) -> bool:
        """A config without service / service_definition: only the task definition is planned."""
        return self.ref.is_task_definition_only

    @property
    def controller(self) -> Controller:
        ctl = (self.service_definition.get("deploymentController") or {}).get("type") or "ECS"
        return Controller(ctl)

    @property
    def family(self) -> str:
        return str(self.task_definition.get("family", ""))

    @property
    def hooks(self) -> list[dict[str, str]]:
        return list((self.appspec or {}).get("Hooks") or [])

    @property
    def definition_file(self) -> str:
        """The file to name in a message about the service definition."""
        return self.service_definition_path or self.source


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
class Deployment:
    """One entry of DescribeServices' `deployments` (the rolling controller's)."""

    id: str
    status: str  # PRIMARY, ACTIVE, INACTIVE
    task_definition: str | None
    desired: int = 0
    running: int = 0
    pending: int = 0
    failed: int = 0
    rollout_state: str | None = None  # IN_PROGRESS, COMPLETED, FAILED; absent behind a Classic LB
    rollout_state_reason: str = ""
    created_at: dt.datetime | None = None

    @classmethod
    def from_api(cls, d: dict[str, Any]) -> Deployment:
        created = d.get("createdAt")
        return cls(
            id=str(d.get("id", "")),
            status=str(d.get("status", "")),
            task_definition=d.get("taskDefinition"),
            desired=int(d.get("desiredCount") or 0),
            running=int(d.get("runningCount") or 0),
            pending=int(d.get("pendingCount") or 0),
            failed=int(d.get("failedTasks") or 0),
            rollout_state=d.get("rolloutState"),
            rollout_state_reason=str(d.get("rolloutStateReason") or ""),
            created_at=created if isinstance(created, dt.datetime) else None,
        )

    @property
    def is_primary(self) -> bool:
        return self.status == "PRIMARY"


@attrs.frozen(kw_only=True)
class TaskSet:
    """One entry of DescribeServices' `taskSets` (CODE_DEPLOY and EXTERNAL controllers)."""

    id: str
    status: str  # PRIMARY, ACTIVE, DRAINING
    task_definition: str | None
    desired: int = 0
    running: int = 0
    pending: int = 0
    scale: float | None = None  # scale.value: the share of the service's desiredCount (PERCENT)
    stability_status: str | None = None  # STEADY_STATE or STABILIZING

    @classmethod
    def from_api(cls, t: dict[str, Any]) -> TaskSet:
        scale = (t.get("scale") or {}).get("value")
        return cls(
            id=str(t.get("id", "")),
            status=str(t.get("status", "")),
            task_definition=t.get("taskDefinition"),
            desired=int(t.get("computedDesiredCount") or 0),
            running=int(t.get("runningCount") or 0),
            pending=int(t.get("pendingCount") or 0),
            scale=float(scale) if isinstance(scale, (int, float)) and not isinstance(scale, bool) else None,
            stability_status=t.get("stabilityStatus"),
        )


@attrs.frozen(kw_only=True)
class ServiceEvent:
    id: str
    message: str
    created_at: dt.datetime | None = None


@attrs.frozen(kw_only=True)
class LiveService:
    """A service as DescribeServices(include=["TAGS"]) returns it: the raw description (what the
    planner compares) and its runtime state as typed values."""

    arn: str
    description: dict[str, Any]

    @property
    def name(self) -> str:
        return str(self.description.get("serviceName", arn_tail(self.arn)))

    @property
    def task_definition_arn(self) -> str | None:
        return self.description.get("taskDefinition")

    @property
    def controller(self) -> Controller:
        ctl = (self.description.get("deploymentController") or {}).get("type") or "ECS"
        return Controller(ctl)

    @property
    def deployments(self) -> tuple[Deployment, ...]:
        return tuple(Deployment.from_api(d) for d in self.description.get("deployments") or [] if isinstance(d, dict))

    @property
    def primary(self) -> Deployment | None:
        return next((d for d in self.deployments if d.is_primary), None)

    def deployment(self, deployment_id: str | None) -> Deployment | None:
        return next((d for d in self.deployments if d.id == deployment_id), None)

    @property
    def task_sets(self) -> tuple[TaskSet, ...]:
        return tuple(TaskSet.from_api(t) for t in self.description.get("taskSets") or [] if isinstance(t, dict))

    @property
    def events(self) -> tuple[ServiceEvent, ...]:
        """Newest first, as ECS lists them."""
        return tuple(
            ServiceEvent(
                id=str(e.get("id", "")),
                message=str(e.get("message", "")),
                created_at=e["createdAt"] if isinstance(e.get("createdAt"), dt.datetime) else None,
            )
            for e in self.description.get("events") or []
        )

    def count(self, key: str) -> int:
        """desiredCount / runningCount / pendingCount."""
        return int(self.description.get(key) or 0)


@attrs.frozen(kw_only=True)
class DeploymentGroupInfo:
    """The CodeDeploy application and deployment group that deploy one CODE_DEPLOY service, and
    the group's waits (its blueGreenDeploymentConfiguration): how long a deployment may wait
    for a reroute (deploymentReadyOption: actionOnTimeout STOP_DEPLOYMENT, waitTimeInMinutes) and
    how long the original task set stays after traffic moved
    (terminateBlueInstancesOnDeploymentSuccess.terminationWaitTimeInMinutes)."""

    application: str
    group: str
    deployment_config: str | None = None
    ready_action: str | None = None  # CONTINUE_DEPLOYMENT (reroute at once) or STOP_DEPLOYMENT
    ready_wait_minutes: int = 0
    termination_wait_minutes: int = 0

    @property
    def waits_for_reroute(self) -> bool:
        """STOP_DEPLOYMENT: a deployment is Ready until ContinueDeployment, or Stopped when
        waitTimeInMinutes ran out (API_DeploymentReadyOption.html)."""
        return self.ready_action == "STOP_DEPLOYMENT"


@attrs.frozen(kw_only=True)
class TargetTaskSet:
    """One task set of a CodeDeploy deployment's ECS target (ECSTaskSet): Blue (original) or
    Green (replacement), and its share of production traffic."""

    label: str  # Blue or Green
    task_set_id: str
    traffic_weight: float | None = None


@attrs.frozen(kw_only=True)
class CodeDeployDeployment:
    """A CodeDeploy deployment in progress (ListDeployments with the active statuses). `status`
    reads "active" unless the status was asked for; then GetDeployment's status, creation time and
    deployment config, and its ECS target's task sets and lifecycle events (name, status) too."""

    id: str
    status: str
    created_at: dt.datetime | None = None
    deployment_config: str | None = None
    task_sets: tuple[TargetTaskSet, ...] = ()
    lifecycle_events: tuple[tuple[str, str], ...] = ()


@attrs.frozen(kw_only=True)
class RevisionSummary:
    """One entry of a service deployment's source / target revisions (ServiceRevisionSummary),
    with the task definition the revision runs (DescribeServiceRevisions) when it was read."""

    arn: str
    task_definition: str | None = None
    requested: int = 0
    running: int = 0
    production_weight: float | None = None
    test_weight: float | None = None

    @classmethod
    def from_api(cls, r: dict[str, Any], task_definitions: dict[str, str]) -> RevisionSummary:
        def weight(key: str) -> float | None:
            value = r.get(key)
            return float(value) if isinstance(value, (int, float)) else None

        arn = str(r.get("arn", ""))
        return cls(
            arn=arn,
            task_definition=task_definitions.get(arn),
            requested=int(r.get("requestedTaskCount") or 0),
            running=int(r.get("runningTaskCount") or 0),
            production_weight=weight("requestedProductionTrafficWeight"),
            test_weight=weight("requestedTestTrafficWeight"),
        )


@attrs.frozen(kw_only=True)
class HookDetail:
    """A lifecycle hook active in a service deployment (DeploymentLifecycleHookDetail)."""

    hook_id: str
    target_type: str  # AWS_LAMBDA or PAUSE
    target_arn: str | None
    status: str  # AWAITING_ACTION, IN_PROGRESS, SUCCEEDED, FAILED, TIMED_OUT

    @property
    def name(self) -> str:
        """The Lambda function's name (the last part of its ARN), or PAUSE."""
        if not self.target_arn:
            return self.target_type
        return self.target_arn.rsplit(":", 1)[-1] if ":function:" in self.target_arn else arn_tail(self.target_arn)


@attrs.frozen(kw_only=True)
class ServiceDeploymentInfo:
    """An ECS-native service deployment (DescribeServiceDeployments): BLUE_GREEN, LINEAR or
    CANARY strategies deploy through these."""

    arn: str
    status: str  # PENDING, IN_PROGRESS, SUCCESSFUL, STOPPED, STOP_REQUESTED, ROLLBACK_*
    status_reason: str = ""
    lifecycle_stage: str | None = None
    target: RevisionSummary | None = None
    sources: tuple[RevisionSummary, ...] = ()
    hooks: tuple[HookDetail, ...] = ()
    rollback_reason: str | None = None
    strategy: str | None = None
    bake_minutes: int | None = None
    created_at: dt.datetime | None = None

    @classmethod
    def from_api(cls, d: dict[str, Any], task_definitions: dict[str, str] | None = None) -> ServiceDeploymentInfo:
        tds = task_definitions or {}
        target = d.get("targetServiceRevision")
        rollback = d.get("rollback") or {}
        configuration = d.get("deploymentConfiguration") or {}
        bake = configuration.get("bakeTimeInMinutes")
        created = d.get("createdAt")
        return cls(
            arn=str(d.get("serviceDeploymentArn", "")),
            status=str(d.get("status", "")),
            status_reason=str(d.get("statusReason") or ""),
            lifecycle_stage=d.get("lifecycleStage"),
            target=RevisionSummary.from_api(target, tds) if isinstance(target, dict) else None,
            sources=tuple(RevisionSummary.from_api(s, tds) for s in d.get("sourceServiceRevisions") or [] if isinstance(s, dict)),
            hooks=tuple(
                HookDetail(
                    hook_id=str(h.get("hookId", "")),
                    target_type=str(h.get("targetType") or "AWS_LAMBDA"),
                    target_arn=h.get("targetArn"),
                    status=str(h.get("status", "")),
                )
                for h in d.get("lifecycleHookDetails") or []
                if isinstance(h, dict)
            ),
            rollback_reason=rollback.get("reason"),
            strategy=configuration.get("strategy"),
            bake_minutes=int(bake) if isinstance(bake, int) else None,
            created_at=created if isinstance(created, dt.datetime) else None,
        )

    @property
    def id(self) -> str:
        return arn_tail(self.arn)

    @property
    def active(self) -> bool:
        return self.status in ("PENDING", "IN_PROGRESS", "STOP_REQUESTED", "ROLLBACK_REQUESTED", "ROLLBACK_IN_PROGRESS")

    @property
    def paused_hooks(self) -> tuple[HookDetail, ...]:
        return tuple(h for h in self.hooks if h.status == "AWAITING_ACTION")


@attrs.frozen(kw_only=True)
class ScalableTarget:
    """The service's Application Auto Scaling target (ecs:service:DesiredCount)."""

    min_capacity: int
    max_capacity: int
    suspended: bool = False  # all three SuspendedState flags set
    # The SuspendedState flags that are set (DynamicScalingInSuspended, ...): a part may be.
    suspended_flags: tuple[str, ...] = ()


@attrs.frozen(kw_only=True)
class PlanOptions:
    """Choices made on the command line that shape a plan (and travel in a saved plan)."""

    suspend_autoscaling: bool = False
    rollback_events: tuple[str, ...] = ()
    # Overrides, as ecspresso's `deploy --force-new-deployment`, `scale --tasks N` and the auto
    # scaling min/max options: they show in the plan as ordinary changes.
    force_new_deployment: bool = False
    desired_count: int | None = None
    autoscaling_min: int | None = None
    autoscaling_max: int | None = None

    @property
    def reads_autoscaling(self) -> bool:
        """Whether the plan needs the services' scalable targets."""
        return self.suspend_autoscaling or self.desired_count is not None or self.autoscaling_min is not None or self.autoscaling_max is not None


@attrs.frozen(kw_only=True)
class LiveState:
    """Everything one read found for one service, all a plan, a wait, a status or a rollback
    needs: the service (None when missing); the task definition to compare with (the one the
    service runs; for a missing service, the family's latest ACTIVE); for CODE_DEPLOY services
    the deployment group (or why it could not be found) and the deployment in progress; and,
    when asked for, the previous ACTIVE revision of the family (rollback) and the auto scaling
    target (plans that suspend auto scaling)."""

    ref: ServiceRef
    service: LiveService | None
    task_definition: LiveTaskDefinition | None
    codedeploy: DeploymentGroupInfo | None = None
    codedeploy_problem: str | None = None  # why the group could not be resolved (said when needed)
    active_deployment: CodeDeployDeployment | None = None
    previous_task_definition: str | None = None
    scalable_target: ScalableTarget | None = None  # read when the plan suspends auto scaling, and by status
    # ECS-native BLUE_GREEN / LINEAR / CANARY: the service deployment in progress, if any.
    service_deployment: ServiceDeploymentInfo | None = None
    # Declared fields only the service revision reports that could not be read (the service
    # lists no current revision): the plan refuses to guess them.
    unread_fields: tuple[str, ...] = ()
    # The family's latest ACTIVE revision (an existing service's; a missing one compares with it
    # already): a plan that registered one, applied or not, goes stale (plans apply once).
    latest_task_definition: str | None = None
    # That revision itself, when it is not the one the service runs: a plan whose definition
    # equals it updates the service to it instead of registering a duplicate (a re-run).
    latest_revision: LiveTaskDefinition | None = None

    @property
    def running_task_definition(self) -> str | None:
        return self.service.task_definition_arn if self.service is not None else None


@attrs.frozen(kw_only=True)
class ReadTarget:
    """What one read needs to know of a service: its family (for a missing service, the latest
    ACTIVE revision is compared) and the CodeDeploy names the config gives (None: discover)."""

    ref: ServiceRef
    family: str
    codedeploy_application: str | None = None
    codedeploy_group: str | None = None
    source: str = ""  # the config file, for messages
    # Declared fields only DescribeServiceRevisions returns (monitoring, gatewayConnectors): the
    # reader folds them from the service's current revision into its description.
    revision_fields: tuple[str, ...] = ()
    # The service's scalable target too (the stale check of a plan that changes its range).
    scalable_target: bool = False

    @classmethod
    def of(cls, desired: DesiredService) -> ReadTarget:
        from planner.normalize import REVISION_REPORTED_FIELDS  # noqa: PLC0415 - normalize imports this module

        return cls(
            ref=desired.ref,
            family=desired.family,
            codedeploy_application=desired.codedeploy_application,
            codedeploy_group=desired.codedeploy_group,
            source=desired.source,
            revision_fields=tuple(f for f in REVISION_REPORTED_FIELDS if f in desired.service_definition),
        )
