"""ECS service deployments and service revisions (ECS-native BLUE_GREEN / LINEAR / CANARY):
calls and mappers to planner values."""

from __future__ import annotations

from typing import Any

from planner.model import ServiceDeploymentInfo, ServiceRef
from providers.errors import AwsError
from providers.session import Session, aws_errors

#: ListServiceDeployments statuses of a deployment still under way.
ACTIVE_STATUSES = ["PENDING", "IN_PROGRESS", "STOP_REQUESTED", "ROLLBACK_REQUESTED", "ROLLBACK_IN_PROGRESS"]


class ServiceDeployments:
    """One service's deployments; the task definition of each revision is read once
    (DescribeServiceRevisions) and kept: a revision never changes."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._task_definitions: dict[str, str] = {}

    @property
    def ecs(self) -> Any:
        return self.session.client("ecs")

    def arns(self, ref: ServiceRef, *, active: bool) -> list[str]:
        """The service's deployments (newest first, as ECS lists them), only those under way
        when `active`."""
        params: dict[str, Any] = {"cluster": ref.cluster, "service": ref.service}
        if active:
            params["status"] = ACTIVE_STATUSES
        with aws_errors(f"listing service deployments of {ref}"):
            found = self.ecs.list_service_deployments(**params).get("serviceDeployments") or []
        return [str(d["serviceDeploymentArn"]) for d in found]

    def describe(self, arn: str) -> ServiceDeploymentInfo:
        with aws_errors(f"describing service deployment {arn}"):
            resp = self.ecs.describe_service_deployments(serviceDeploymentArns=[arn])
        found = resp.get("serviceDeployments") or []
        if not found:
            reason = ((resp.get("failures") or [{}])[0]).get("reason", "not found")
            raise AwsError(f"service deployment {arn} not found ({reason})")
        raw = dict(found[0])
        self._resolve([str(r.get("arn")) for r in [raw.get("targetServiceRevision") or {}, *(raw.get("sourceServiceRevisions") or [])] if r.get("arn")])
        return ServiceDeploymentInfo.from_api(raw, self._task_definitions)

    def _resolve(self, arns: list[str]) -> None:
        missing = [a for a in arns if a not in self._task_definitions]
        if not missing:
            return
        with aws_errors("describing service revisions"):
            resp = self.ecs.describe_service_revisions(serviceRevisionArns=missing)
        for revision in resp.get("serviceRevisions") or []:
            self._task_definitions[str(revision["serviceRevisionArn"])] = str(revision.get("taskDefinition") or "")

    def in_progress(self, ref: ServiceRef) -> ServiceDeploymentInfo | None:
        arns = self.arns(ref, active=True)
        return self.describe(arns[0]) if arns else None

    def newest(self, ref: ServiceRef) -> ServiceDeploymentInfo | None:
        arns = self.arns(ref, active=False)
        return self.describe(arns[0]) if arns else None

    def stop(self, arn: str, stop_type: str) -> str:
        with aws_errors(f"stopping service deployment {arn}"):
            return str(self.ecs.stop_service_deployment(serviceDeploymentArn=arn, stopType=stop_type).get("serviceDeploymentArn", arn))

    def answer_hook(self, arn: str, hook_id: str, action: str) -> str:
        with aws_errors(f"answering lifecycle hook {hook_id} of service deployment {arn}"):
            return str(self.ecs.continue_service_deployment(serviceDeploymentArn=arn, hookId=hook_id, action=action).get("serviceDeploymentArn", arn))



def current_revision(session: Session, description: dict[str, Any]) -> dict[str, Any] | None:
    """The newest of the service's currentServiceRevisions (DescribeServiceRevisions): the
    configuration its latest deployment runs, with what DescribeServices does not return
    (monitoring, gatewayConnectors). None when the service lists no current revision."""
    arns = [str(r["arn"]) for r in description.get("currentServiceRevisions") or [] if isinstance(r, dict) and r.get("arn")]
    if not arns:
        return None
    with aws_errors(f"describing the service revisions of {description.get('serviceName', '?')}"):
        found = session.client("ecs").describe_service_revisions(serviceRevisionArns=arns[:20]).get("serviceRevisions") or []
    if not found:
        return None
    # The latest revision is the one the newest deployment targets.
    order = {arn: index for index, arn in enumerate(arns)}
    return dict(max(found, key=lambda r: (str(r.get("createdAt") or ""), order.get(str(r.get("serviceRevisionArn")), -1))))
