"""Applier over AWS: the only code that changes anything, one method per action type."""

from __future__ import annotations

from typing import Any

import copy

from planner import appspec
from providers import autoscaling, codedeploy
from providers.session import Session, aws_errors


class AwsApplier:
    def __init__(self, session: Session) -> None:
        self.session = session

    @property
    def ecs(self) -> Any:
        return self.session.client("ecs")

    def register_task_definition(self, payload: dict[str, Any]) -> str:
        family = payload.get("family", "?")
        with aws_errors(f"registering task definition {family}"):
            resp = self.ecs.register_task_definition(**payload)
        return str(resp["taskDefinition"]["taskDefinitionArn"])

    def create_service(self, payload: dict[str, Any]) -> dict[str, Any]:
        with aws_errors(f"creating service {payload.get('serviceName')} in cluster {payload.get('cluster')}"):
            resp = self.ecs.create_service(**payload)
        return dict(resp["service"])

    def update_service(self, payload: dict[str, Any]) -> dict[str, Any]:
        """UpdateService with the changed attributes, then TagResource / UntagResource (tags are
        not an UpdateService input). Returns the service as UpdateService answered."""
        cluster, service = payload["cluster"], payload["service"]
        params: dict[str, Any] = dict(payload.get("set") or {})
        if payload.get("taskDefinition"):
            params["taskDefinition"] = payload["taskDefinition"]
        described: dict[str, Any] | None = None
        if params:
            with aws_errors(f"updating service {service} in cluster {cluster}"):
                described = self.ecs.update_service(cluster=cluster, service=service, **params)["service"]
        arn = payload.get("service_arn") or (described or {}).get("serviceArn")
        if payload.get("tags_add"):
            with aws_errors(f"tagging service {service}"):
                self.ecs.tag_resource(resourceArn=arn, tags=payload["tags_add"])
        if payload.get("tags_remove"):
            with aws_errors(f"untagging service {service}"):
                self.ecs.untag_resource(resourceArn=arn, tagKeys=payload["tags_remove"])
        if described is None:
            with aws_errors(f"describing service {service} in cluster {cluster}"):
                described = self.ecs.describe_services(cluster=cluster, services=[service], include=["TAGS"])["services"][0]
        return dict(described)

    def create_deployment(self, payload: dict[str, Any], task_definition_arn: str) -> str:
        """CreateDeployment (revisionType AppSpecContent) with the planned AppSpec, its
        TaskDefinition now the ARN apply registered (or the one the service runs)."""
        spec = copy.deepcopy(payload["appspec"])
        spec["Resources"][0]["TargetService"]["Properties"]["TaskDefinition"] = task_definition_arn
        return codedeploy.create_deployment(
            self.session,
            application=payload["application_name"],
            group=payload["deployment_group_name"],
            content=appspec.appspec_content(spec),
            rollback_events=payload.get("auto_rollback_events") or [],
            description=f"ecsplan: {payload['cluster']}/{payload['service']} to {task_definition_arn.rsplit('/', 1)[-1]}",
        )

    def suspend_autoscaling(self, payload: dict[str, Any]) -> str:
        return autoscaling.suspend(self.session, payload["resource_id"], payload["dimension"])

    def resume_autoscaling(self, payload: dict[str, Any]) -> None:
        autoscaling.resume(self.session, payload["resource_id"], payload["dimension"])
