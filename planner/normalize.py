"""Canonical form of task and service definitions, applied to both sides before diffing.

A diff that never goes quiet is the most common complaint about every peer (AWS-FACTS.md). The
rules below turn "what the user wrote" and "what AWS returns" into the same shape when they mean
the same thing: defaults AWS fills in are dropped, order-insensitive lists become `Keyed` maps
(so change paths name entries, not positions), units are converted, empties are removed.

Each rule is a named entry in `TASK_RULES` / `SERVICE_RULES` with a one-line reason; the table
tests in tests/test_normalize.py have one case per rule.
"""

from __future__ import annotations

import copy
import re
from typing import Any, Callable

from planner.model import Controller


class Keyed(dict):  # type: ignore[type-arg]
    """A list the API keeps in no meaningful order, re-keyed by its natural key.

    The diff renders keys of a Keyed as `[key]` (containerDefinitions[app]) and keys of a plain
    dict as `.field`.
    """


# Read-only fields of DescribeTaskDefinition: never part of the desired state.
TASK_READ_ONLY = (
    "taskDefinitionArn",
    "revision",
    "status",
    "requiresAttributes",
    "compatibilities",
    "registeredAt",
    "registeredBy",
    "deregisteredAt",
)

# Fields of DescribeServices that describe the service's runtime, never what a user manages.
SERVICE_READ_ONLY = (
    "serviceArn",
    "clusterArn",
    "status",
    "runningCount",
    "pendingCount",
    "deployments",
    "taskSets",
    "events",
    "createdAt",
    "createdBy",
    "currentServiceDeployment",
    "currentServiceRevisions",
    "resourceManagementType",
    "platformFamily",  # derived from the task definition; DescribeServices output only
    "taskDefinition",  # handled by the planner: the registered revision, not the file's value
)

# UpdateService cannot change these: a change means delete + create (AWS-FACTS.md).
SERVICE_IMMUTABLE = ("serviceName", "launchType", "schedulingStrategy", "deploymentController", "role")

# Fields that start a new deployment when changed (AWS-FACTS.md); the others are applied in place.
SERVICE_DEPLOYMENT_FIELDS = (
    "networkConfiguration",
    "platformVersion",
    "loadBalancers",
    "serviceRegistries",
    "serviceConnectConfiguration",
    "volumeConfigurations",
    "vpcLatticeConfigurations",
)

SERVICE_IN_PLACE_FIELDS = (
    "desiredCount",
    "capacityProviderStrategy",
    "deploymentConfiguration",
    "availabilityZoneRebalancing",
    "placementConstraints",
    "placementStrategy",
    "healthCheckGracePeriodSeconds",
    "enableExecuteCommand",
    "enableECSManagedTags",
    "propagateTags",
)

SERVICE_UPDATABLE = SERVICE_DEPLOYMENT_FIELDS + SERVICE_IN_PLACE_FIELDS

# What UpdateService accepts for CODE_DEPLOY services; the rest travels in the AppSpec
# ("Unable to update task definition on services with a CODE_DEPLOY deployment controller").
CODE_DEPLOY_UPDATABLE = (
    "desiredCount",
    "deploymentConfiguration",
    "healthCheckGracePeriodSeconds",
    "placementConstraints",
    "placementStrategy",
    "enableECSManagedTags",
    "propagateTags",
    "enableExecuteCommand",
)


def is_empty(value: Any) -> bool:
    """Empty lists, nulls and absent keys are the same thing to ECS ("" is a value: an env var)."""
    return value is None or value == [] or value == {}


def prune(value: Any) -> Any:
    """Drop empty values recursively (keeps False and 0: they are values)."""
    if isinstance(value, dict):
        out = type(value)() if isinstance(value, Keyed) else {}
        for k, v in value.items():
            v = prune(v)
            if not is_empty(v):
                out[k] = v
        return out
    if isinstance(value, list):
        return [prune(v) for v in value if not is_empty(prune(v))]
    return value


def _drop_defaults(obj: dict[str, Any], defaults: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in obj.items() if not (k in defaults and v == defaults[k])}


def _sort_key(value: Any) -> str:
    import json

    return json.dumps(value, sort_keys=True, default=str)


def _sorted(values: list[Any]) -> list[Any]:
    return sorted(values, key=_sort_key)


def _keyed(entries: list[dict[str, Any]], key: Callable[[dict[str, Any]], str]) -> Keyed:
    out = Keyed()
    for entry in entries:
        k = key(entry)
        # Duplicate keys would hide an entry; keep both visibly instead.
        while k in out:
            k = k + "'"
        out[k] = entry
    return out


# ---------------------------------------------------------------------------------------------
# Units: "0.25 vCPU" == "256", "1 GB" == "1024"; task-level cpu/memory compared as strings.

_CPU_RE = re.compile(r"^\s*([0-9]*\.?[0-9]+)\s*v?cpu\s*$", re.IGNORECASE)
_MEM_RE = re.compile(r"^\s*([0-9]*\.?[0-9]+)\s*(gb|gib|mb|mib)\s*$", re.IGNORECASE)


def cpu_units(value: Any) -> str:
    text = str(value)
    m = _CPU_RE.match(text)
    if m:
        return str(int(round(float(m.group(1)) * 1024)))
    return text.strip()


def memory_mib(value: Any) -> str:
    text = str(value)
    m = _MEM_RE.match(text)
    if m:
        n = float(m.group(1))
        return str(int(round(n * 1024))) if m.group(2).lower() in ("gb", "gib") else str(int(round(n)))
    return text.strip()


# ---------------------------------------------------------------------------------------------
# Task definitions


def _port_key(pm: dict[str, Any]) -> str:
    return f"{pm.get('containerPort', pm.get('hostPort'))}/{pm.get('protocol', 'tcp')}"


def _container(c: dict[str, Any], network_mode: str) -> dict[str, Any]:
    c = dict(c)
    # AWS fills cpu 0 and essential true when the user omits them.
    c = _drop_defaults(c, {"cpu": 0, "essential": True})
    if "environment" in c and c["environment"]:
        c["environment"] = Keyed({e.get("name", ""): e.get("value", "") for e in c["environment"]})
    if "secrets" in c and c["secrets"]:
        c["secrets"] = Keyed({s.get("name", ""): s.get("valueFrom", "") for s in c["secrets"]})
    if "environmentFiles" in c and c["environmentFiles"]:
        c["environmentFiles"] = _sorted(c["environmentFiles"])
    if c.get("portMappings"):
        pms = []
        for pm in c["portMappings"]:
            pm = dict(pm)
            pm.setdefault("protocol", "tcp")  # AWS fills protocol tcp
            if network_mode == "awsvpc" and "containerPort" in pm:
                pm.setdefault("hostPort", pm["containerPort"])  # awsvpc: hostPort == containerPort
            if network_mode == "bridge" and pm.get("hostPort") == 0:
                pm.pop("hostPort")  # bridge: 0 means a dynamic port, same as omitted
            pms.append(pm)
        c["portMappings"] = _keyed(pms, _port_key)
    if c.get("mountPoints"):
        mps = [_drop_defaults(dict(m), {"readOnly": False}) for m in c["mountPoints"]]
        c["mountPoints"] = _keyed(mps, lambda m: str(m.get("containerPath", "")))
    if c.get("volumesFrom"):
        c["volumesFrom"] = _sorted([_drop_defaults(dict(v), {"readOnly": False}) for v in c["volumesFrom"]])
    if c.get("ulimits"):
        c["ulimits"] = _keyed(list(c["ulimits"]), lambda u: str(u.get("name", "")))
    if c.get("dependsOn"):
        c["dependsOn"] = _keyed(list(c["dependsOn"]), lambda d: str(d.get("containerName", "")))
    if c.get("extraHosts"):
        c["extraHosts"] = _sorted(c["extraHosts"])
    if c.get("systemControls"):
        c["systemControls"] = _sorted(c["systemControls"])
    if c.get("resourceRequirements"):
        c["resourceRequirements"] = _keyed(list(c["resourceRequirements"]), lambda r: str(r.get("type", "")))
    return c


def canonical_task_definition(td: dict[str, Any] | None) -> dict[str, Any]:
    """Canonical form of a task definition (user file or DescribeTaskDefinition + tags)."""
    if not td:
        return {}
    td = copy.deepcopy(td)
    for key in TASK_READ_ONLY:
        td.pop(key, None)
    requires = td.get("requiresCompatibilities") or []
    # Fargate implies awsvpc; EC2 without a mode means bridge (what AWS reports back).
    network_mode = td.get("networkMode") or ("awsvpc" if "FARGATE" in requires else "bridge")
    if "networkMode" in td or "FARGATE" in requires:
        td["networkMode"] = network_mode
    if td.get("networkMode") == "bridge" and "FARGATE" not in requires:
        td.pop("networkMode")  # bridge is the default AWS fills in
    if "cpu" in td and td["cpu"] is not None:
        td["cpu"] = cpu_units(td["cpu"])
    if "memory" in td and td["memory"] is not None:
        td["memory"] = memory_mib(td["memory"])
    if td.get("containerDefinitions"):
        td["containerDefinitions"] = _keyed(
            [_container(c, network_mode) for c in td["containerDefinitions"]],
            lambda c: str(c.get("name", "")),
        )
    if td.get("volumes"):
        td["volumes"] = _keyed(list(td["volumes"]), lambda v: str(v.get("name", "")))
    if td.get("tags"):
        td["tags"] = Keyed({t.get("key", ""): t.get("value", "") for t in td["tags"]})
    if td.get("requiresCompatibilities"):
        td["requiresCompatibilities"] = sorted(td["requiresCompatibilities"])
    if td.get("placementConstraints"):
        td["placementConstraints"] = _sorted(td["placementConstraints"])
    return prune(td)


# ---------------------------------------------------------------------------------------------
# Services

_DEPLOYMENT_CONFIGURATION_DEFAULTS = {
    "maximumPercent": 200,
    "minimumHealthyPercent": 100,
}


def _deployment_configuration(dc: dict[str, Any]) -> dict[str, Any]:
    dc = dict(dc)
    for k, v in _DEPLOYMENT_CONFIGURATION_DEFAULTS.items():
        dc.setdefault(k, v)
    cb = dict(dc.get("deploymentCircuitBreaker") or {})
    cb.setdefault("enable", False)
    cb.setdefault("rollback", False)
    dc["deploymentCircuitBreaker"] = cb
    if dc.get("alarms") == {"alarmNames": [], "enable": False, "rollback": False}:
        dc.pop("alarms")  # AWS reports disabled alarms when none were configured
    return dc


def _network_configuration(nc: dict[str, Any]) -> dict[str, Any]:
    nc = copy.deepcopy(nc)
    vpc = nc.get("awsvpcConfiguration")
    if isinstance(vpc, dict):
        vpc.setdefault("assignPublicIp", "DISABLED")
        for key in ("subnets", "securityGroups"):
            if vpc.get(key):
                vpc[key] = sorted(vpc[key])
    return nc


def _load_balancers(lbs: list[dict[str, Any]], controller: Controller) -> Keyed:
    out = []
    for lb in lbs:
        lb = dict(lb)
        if controller is Controller.CODE_DEPLOY:
            # CodeDeploy swaps the target group between blue and green (kayac/ecspresso#936).
            lb.pop("targetGroupArn", None)
        out.append(lb)
    return _keyed(out, lambda lb: f"{lb.get('containerName', '')}:{lb.get('containerPort', '')}")


def canonical_service(sd: dict[str, Any] | None, controller: Controller = Controller.ECS) -> dict[str, Any]:
    """Canonical form of a service definition (user file or DescribeServices output)."""
    if not sd:
        return {}
    sd = copy.deepcopy(sd)
    for key in SERVICE_READ_ONLY:
        sd.pop(key, None)
    if "roleArn" in sd and "role" not in sd:
        sd["role"] = sd.pop("roleArn")  # DescribeServices says roleArn where CreateService says role
    if "deploymentConfiguration" in sd and isinstance(sd["deploymentConfiguration"], dict):
        sd["deploymentConfiguration"] = _deployment_configuration(sd["deploymentConfiguration"])
    if isinstance(sd.get("networkConfiguration"), dict):
        sd["networkConfiguration"] = _network_configuration(sd["networkConfiguration"])
    if sd.get("loadBalancers"):
        sd["loadBalancers"] = _load_balancers(sd["loadBalancers"], controller)
    if sd.get("serviceRegistries"):
        sd["serviceRegistries"] = _sorted(sd["serviceRegistries"])
    if sd.get("placementConstraints"):
        sd["placementConstraints"] = _sorted(sd["placementConstraints"])
    if sd.get("capacityProviderStrategy"):
        sd["capacityProviderStrategy"] = _keyed(
            [_drop_defaults(dict(c), {"base": 0}) for c in sd["capacityProviderStrategy"]],
            lambda c: str(c.get("capacityProvider", "")),
        )
    if sd.get("tags"):
        sd["tags"] = Keyed({t.get("key", ""): t.get("value", "") for t in sd["tags"]})
    if sd.get("deploymentController") == {"type": "ECS"}:
        sd.pop("deploymentController")  # ECS is the default controller
    defaults = {
        "schedulingStrategy": "REPLICA",
        "propagateTags": "NONE",
        "enableECSManagedTags": False,
        "enableExecuteCommand": False,
        "platformVersion": "LATEST",
    }
    sd = _drop_defaults(sd, defaults)
    return prune(sd)
