"""Applier over AWS: the only code that changes anything, one method per action class; each
builds its API request from the action's typed fields."""

from __future__ import annotations

from typing import Any, Callable

from planner import appspec
from planner.actions import (
    ContinueServiceDeployment,
    CreateDeployment,
    CreateService,
    DeregisterTaskDefinition,
    RegisterTaskDefinition,
    ResumeAutoscaling,
    StopDeployment,
    StopServiceDeployment,
    SuspendAutoscaling,
    UpdateScalableTarget,
    UpdateService,
)
from planner.diff import diff
from planner.execute import AutoscalingState
from planner.frozen import thaw
from planner.model import LiveService, arn_tail
from planner.normalize import comparable_task_definitions
from providers import autoscaling, codedeploy, ecs, writes
from providers.service_deployments import ServiceDeployments
from providers.session import Session, aws_errors, write_errors


class AwsApplier:
    """`emit`: where a write recognised after its reply was lost says so (providers/writes.py)."""

    def __init__(self, session: Session, emit: Callable[[str], None] = lambda line: None) -> None:
        self.session = session
        self.emit = emit

    @property
    def ecs(self) -> Any:
        return self.session.client("ecs")

    def register_task_definition(self, action: RegisterTaskDefinition) -> str:
        """Safe to retry: after a lost reply, the family's latest revision is ours when it
        equals the definition (a retry would register a duplicate revision)."""
        client = self.session.write_client("ecs")
        payload = thaw(action.definition)

        def recognise() -> tuple[str, str] | None:
            latest = ecs.describe_task_definition(self.session, action.family)
            if latest is None:
                return None
            want, have = comparable_task_definitions(payload, latest.definition)
            return None if diff(have, want) else (latest.arn, f"registered {latest.arn} (the family's latest revision equals the definition)")

        return writes.write(
            self.session, self.emit, doing=f"registering task definition {action.family}",
            call=lambda: str(client.register_task_definition(**payload)["taskDefinition"]["taskDefinitionArn"]), recognise=recognise,
        )

    def create_service(self, action: CreateService, task_definition_arn: str) -> LiveService:
        """Safe to retry: after a lost reply (or a retry refused "not idempotent"), an ACTIVE
        service of that name running our task definition is ours."""
        client = self.session.write_client("ecs")
        ref = action.ref

        def recognise() -> tuple[LiveService, str] | None:
            found = ecs.describe_services(self.session, ref.cluster, [ref.service]).get(ref.service)
            if found is None or found.task_definition_arn != task_definition_arn:
                return None
            return found, f"created service {found.arn} (it runs {arn_tail(task_definition_arn)})"

        def call() -> LiveService:
            resp = client.create_service(**action.request(task_definition_arn))
            return LiveService(arn=resp["service"]["serviceArn"], description=dict(resp["service"]))

        return writes.write(
            self.session, self.emit, doing=f"creating service {ref.service} in cluster {ref.cluster}", call=call, recognise=recognise, who=str(ref)
        )

    def update_service(self, action: UpdateService, task_definition_arn: str | None) -> LiveService:
        """UpdateService with the changed attributes, then TagResource / UntagResource (tags are
        not an UpdateService input). Returns the service as UpdateService answered."""
        ref = action.ref
        described: dict[str, Any] | None = None
        params = action.request(task_definition_arn)
        if params:
            with write_errors(f"updating service {ref.service} in cluster {ref.cluster}"):
                described = self.ecs.update_service(**params)["service"]
        if action.tags_add:
            with aws_errors(f"tagging service {ref.service}"):
                self.ecs.tag_resource(resourceArn=action.service_arn, tags=[{"key": k, "value": v} for k, v in action.tags_add.items()])
        if action.tags_remove:
            with aws_errors(f"untagging service {ref.service}"):
                self.ecs.untag_resource(resourceArn=action.service_arn, tagKeys=list(action.tags_remove))
        if described is None:
            with aws_errors(f"describing service {ref.service} in cluster {ref.cluster}"):
                described = self.ecs.describe_services(cluster=ref.cluster, services=[ref.service], include=["TAGS"])["services"][0]
        return LiveService(arn=action.service_arn, description=dict(described))

    def create_deployment(self, action: CreateDeployment, task_definition_arn: str) -> str:
        """CreateDeployment (revisionType AppSpecContent) with the planned AppSpec, its
        TaskDefinition now the ARN apply registered (or the one the plan names)."""
        return codedeploy.create_deployment(
            self.session,
            application=action.application,
            group=action.deployment_group,
            content=appspec.appspec_content(action.appspec_for(task_definition_arn)),
            rollback_events=action.rollback_events,
            description=action.description(task_definition_arn),
            emit=self.emit,
            who=str(action.ref),
        )

    def stop_deployment(self, action: StopDeployment) -> str:
        """StopDeployment; CodeDeploy answers Pending and stops the deployment later: the
        waiter follows the stop and then the rollback deployment (it is not there yet)."""
        return codedeploy.stop_deployment(self.session, action.deployment_id, rollback=action.rollback)

    def continue_service_deployment(self, action: ContinueServiceDeployment) -> str:
        return ServiceDeployments(self.session).answer_hook(action.service_deployment_arn, action.hook_id, action.action)

    def stop_service_deployment(self, action: StopServiceDeployment) -> str:
        """StopServiceDeployment; ECS stops (and rolls back) the deployment on its own time: the
        waiter follows it."""
        return ServiceDeployments(self.session).stop(action.service_deployment_arn, action.stop_type)

    def suspend_autoscaling(self, action: SuspendAutoscaling) -> AutoscalingState:
        return autoscaling.suspend(self.session, action.resource_id, action.dimension)

    def update_scalable_target(self, action: UpdateScalableTarget) -> None:
        autoscaling.update_range(self.session, action)

    def resume_autoscaling(self, action: ResumeAutoscaling) -> None:
        autoscaling.resume(self.session, action.resource_id, action.dimension)

    def deregister_task_definition(self, action: DeregisterTaskDefinition) -> None:
        """DeregisterTaskDefinition: the revision becomes INACTIVE (still described; tasks that
        run it go on)."""
        with aws_errors(f"deregistering task definition {action.task_definition_arn}"):
            self.ecs.deregister_task_definition(taskDefinition=action.task_definition_arn)
