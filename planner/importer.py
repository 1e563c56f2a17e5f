"""`ecsplan init`: definition files from a live service. Pure: descriptions in, documents out.

The files keep what a user manages (the CreateService / RegisterTaskDefinition inputs) and
nothing AWS sets (ARNs, revisions, counts, deployments, events), so that `ecsplan plan` on them
right after `init` is clean.
"""

from __future__ import annotations

import copy
from typing import Any

from planner.normalize import DEPLOYMENT_REPORTED_FIELDS, TASK_READ_ONLY, primary_deployment, prune
from planner.schema import SCHEMA

# Set from the config (cluster, service), planned (taskDefinition) or per request (clientToken).
_NOT_IN_SERVICE_FILE = {"cluster", "serviceName", "taskDefinition", "clientToken"}
_SERVICE_LINKED_ROLE = "/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS"


def service_document(description: dict[str, Any]) -> dict[str, Any]:
    desc = copy.deepcopy(description)
    primary = primary_deployment(desc)
    for key in DEPLOYMENT_REPORTED_FIELDS:  # reported on the deployment
        if key not in desc and primary.get(key):
            desc[key] = primary[key]
    role = desc.get("roleArn")
    if role and _SERVICE_LINKED_ROLE not in role:
        desc["role"] = role  # a role of your own is part of the service; the service-linked one is not
    inputs = SCHEMA["service"][""] - _NOT_IN_SERVICE_FILE
    document: dict[str, Any] = prune({k: v for k, v in desc.items() if k in inputs})
    return document


def task_document(definition: dict[str, Any]) -> dict[str, Any]:
    td = copy.deepcopy(definition)
    for key in TASK_READ_ONLY:
        td.pop(key, None)
    inputs = SCHEMA["task"][""]
    document: dict[str, Any] = prune({k: v for k, v in td.items() if k in inputs})
    return document


def config_document(*, region: str | None, cluster: str, service: str) -> dict[str, Any]:
    doc: dict[str, Any] = {}
    if region:
        doc["region"] = region
    doc.update(
        cluster=cluster,
        service=service,
        service_definition="ecs-service-def.json",
        task_definition="ecs-task-def.json",
        timeout="10m",
    )
    return doc
