"""ECS calls and mappers: API responses -> planner values."""

from __future__ import annotations

from typing import Any, Iterable

import botocore.exceptions

from planner.model import LiveService, LiveTaskDefinition, revision_of
from providers.session import Session, aws_errors


def chunks(items: list[Any], size: int) -> Iterable[list[Any]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def describe_services(session: Session, cluster: str, names: list[str]) -> dict[str, LiveService]:
    """ACTIVE services by name (DescribeServices takes 10 names a call). A DRAINING or INACTIVE
    service is a deleted one: treated as missing."""
    ecs = session.client("ecs")
    found: dict[str, LiveService] = {}
    for batch in chunks(names, 10):
        with aws_errors(f"describing services {', '.join(batch)} in cluster {cluster}"):
            # include=["TAGS"]: without it tags are silently absent (fabfuel/ecs-deploy#130).
            resp = ecs.describe_services(cluster=cluster, services=batch, include=["TAGS"])
        for svc in resp.get("services", []):
            if svc.get("status") == "ACTIVE":
                found[svc["serviceName"]] = LiveService(arn=svc["serviceArn"], description=svc)
    return found


def describe_task_definition(session: Session, name_or_arn: str) -> LiveTaskDefinition | None:
    """A revision with its tags folded in; None when the family has no ACTIVE revision."""
    ecs = session.client("ecs")
    with aws_errors(f"describing task definition {name_or_arn}"):
        try:
            resp = ecs.describe_task_definition(taskDefinition=name_or_arn, include=["TAGS"])
        except botocore.exceptions.ClientError as err:
            # AWS answers a family without revisions with ClientException "Unable to describe
            # task definition." : for us, "nothing registered yet".
            if "Unable to describe task definition" in err.response.get("Error", {}).get("Message", ""):
                return None
            raise
    td = dict(resp["taskDefinition"])
    if resp.get("tags"):
        td["tags"] = resp["tags"]
    return LiveTaskDefinition(arn=td["taskDefinitionArn"], definition=td)


def previous_revision(session: Session, current_arn: str) -> str | None:
    """The latest ACTIVE revision of the family older than `current_arn` (what a rollback
    returns to), or None."""
    family, current = revision_of(current_arn)
    ecs = session.client("ecs")
    with aws_errors(f"listing revisions of task definition family {family}"):
        for page in ecs.get_paginator("list_task_definitions").paginate(familyPrefix=family, status="ACTIVE", sort="DESC"):
            for arn in page.get("taskDefinitionArns", []):
                name, revision = revision_of(arn)
                if name == family and revision < current:
                    return str(arn)
    return None


def stopped_tasks(session: Session, cluster: str, deployment_id: str, limit: int = 5) -> list[dict[str, Any]]:
    """The most recent tasks `deployment_id` started that stopped (ListTasks desiredStatus STOPPED
    startedBy the deployment ID, then DescribeTasks): why a rollout failed. [] when they cannot be
    read (ECS keeps stopped tasks about an hour; the role may lack ecs:ListTasks): the failure is
    reported anyway."""
    ecs = session.client("ecs")
    try:
        arns = ecs.list_tasks(cluster=cluster, desiredStatus="STOPPED", startedBy=deployment_id).get("taskArns", [])
        if not arns:
            return []
        tasks = ecs.describe_tasks(cluster=cluster, tasks=arns[-limit:]).get("tasks", [])
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError):
        return []
    return [dict(t) for t in tasks]
