"""The AppSpec of an ECS blue/green deployment (revisionType AppSpecContent). Pure.

Shape (AWS CodeDeploy AppSpec reference, "AppSpec 'resources' section for Amazon ECS"):
TargetService.Properties has TaskDefinition (required), LoadBalancerInfo (required, from the
service's loadBalancers[0]), and optionally PlatformVersion, NetworkConfiguration (all or
nothing) and CapacityProviderStrategy; Hooks come from the config's `appspec.Hooks`.
"""

from __future__ import annotations

import json
from typing import Any

import yaml

from planner.errors import ConfigError

VALID_ROLLBACK_EVENTS = ("DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_ALARM", "DEPLOYMENT_STOP_ON_REQUEST")


def build_appspec(
    service_definition: dict[str, Any],
    task_definition_arn: str,
    hooks: list[dict[str, str]] | None = None,
    *,
    source: str = "",
) -> dict[str, Any]:
    lbs = service_definition.get("loadBalancers") or []
    if not lbs or not lbs[0].get("containerName") or lbs[0].get("containerPort") is None:
        raise ConfigError(
            "a CODE_DEPLOY service needs loadBalancers[0] with containerName and containerPort "
            "(CodeDeploy shifts traffic through the load balancer)",
            file=source or None,
            where="loadBalancers",
        )
    props: dict[str, Any] = {
        "TaskDefinition": task_definition_arn,
        "LoadBalancerInfo": {"ContainerName": lbs[0]["containerName"], "ContainerPort": int(lbs[0]["containerPort"])},
    }
    if service_definition.get("platformVersion"):
        props["PlatformVersion"] = service_definition["platformVersion"]
    vpc = (service_definition.get("networkConfiguration") or {}).get("awsvpcConfiguration")
    if vpc:
        net: dict[str, Any] = {"Subnets": list(vpc.get("subnets") or [])}
        if vpc.get("securityGroups"):
            net["SecurityGroups"] = list(vpc["securityGroups"])
        net["AssignPublicIp"] = vpc.get("assignPublicIp") or "DISABLED"
        props["NetworkConfiguration"] = {"AwsvpcConfiguration": net}
    if service_definition.get("capacityProviderStrategy"):
        props["CapacityProviderStrategy"] = [
            {"CapacityProvider": c["capacityProvider"], "Base": int(c.get("base", 0)), "Weight": int(c.get("weight", 0))}
            for c in service_definition["capacityProviderStrategy"]
        ]
    spec: dict[str, Any] = {
        "version": 0.0,
        "Resources": [{"TargetService": {"Type": "AWS::ECS::Service", "Properties": props}}],
    }
    if hooks:
        spec["Hooks"] = [dict(h) for h in hooks]
    return spec


def appspec_content(spec: dict[str, Any]) -> str:
    """The string CreateDeployment carries: JSON (CodeDeploy accepts JSON or YAML)."""
    return json.dumps(spec, sort_keys=False)


def appspec_yaml(spec: dict[str, Any]) -> str:
    return yaml.safe_dump(spec, sort_keys=False)


def console_url(region: str, deployment_id: str) -> str:
    return f"https://{region}.console.aws.amazon.com/codesuite/codedeploy/deployments/{deployment_id}?region={region}"
