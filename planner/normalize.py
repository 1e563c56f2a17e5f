"""Canonical form of task and service definitions, applied to both sides before diffing.

A diff that never goes quiet is the most common complaint about every peer (AWS-FACTS.md). The
rules below turn "what the user wrote" and "what AWS returns" into the same shape when they mean
the same thing: defaults AWS fills in are dropped, order-insensitive lists become `Keyed` maps
(so change paths name entries, not positions), units are converted, empties are removed.

`RULES` is the table: each rule has a name and the one-line reason shown in the README's "what
ecsplan ignores and why" (tests/test_normalize.py checks both the README and that every rule has
a table test). The functions below apply them, in the order `canonical_task_definition` and
`canonical_service` call them.
"""

from __future__ import annotations

import copy
import json
import re
from typing import Any, Callable

import attrs

from planner.lock import LOCK_TAG
from planner.model import Controller
from planner.schema import DEPLOYMENT_OUTPUT, SCHEMA, SERVICE_OUTPUT, SERVICE_REVISION_OUTPUT, UPDATE_SERVICE_INPUT


class Keyed(dict):  # type: ignore[type-arg]
    """A list the API keeps in no meaningful order, re-keyed by its natural key.

    The diff renders keys of a Keyed as `[key]` (containerDefinitions[app]) and keys of a plain
    dict as `.field`.
    """


@attrs.frozen(kw_only=True)
class Rule:
    name: str
    scope: str  # "task definition" or "service"
    reason: str


RULES: tuple[Rule, ...] = (
    Rule(name="task-read-only", scope="task definition",
         reason="taskDefinitionArn, revision, status, requiresAttributes, compatibilities, registeredAt/By, deregisteredAt are set by AWS, never by you"),
    Rule(name="empty-is-absent", scope="both",
         reason="an empty list, an empty object and null mean the same as leaving the key out"),
    Rule(name="unknown-live-field", scope="both",
         reason="a field AWS returns that ecsplan's API model does not know (a new AWS feature) is ignored unless your file declares it"),
    Rule(name="zero-is-default", scope="both",
         reason="a sub-field AWS reports as 0, false or empty that your file leaves out is AWS's default, not something to remove"),
    Rule(name="task-network-mode", scope="task definition",
         reason="networkMode bridge is the EC2 default; FARGATE implies awsvpc"),
    Rule(name="task-defaults", scope="task definition",
         reason="enableFaultInjection false is what AWS returns when you leave it out"),
    Rule(name="task-units", scope="task definition",
         reason='task cpu/memory are compared as strings in CPU units / MiB: "0.25 vCPU" == "256", "1 GB" == 1024 == "1024"'),
    Rule(name="containers-by-name", scope="task definition",
         reason="containers are matched by name, not position"),
    Rule(name="container-defaults", scope="task definition",
         reason="container cpu 0, essential true and versionConsistency enabled are what AWS assumes when omitted"),
    Rule(name="env-and-secrets-by-name", scope="task definition",
         reason="environment, secrets and logConfiguration.secretOptions are sets of names: order does not matter"),
    Rule(name="port-mapping-defaults", scope="task definition",
         reason='portMappings: protocol defaults to tcp; with awsvpc or host networking a missing hostPort is the containerPort; with bridge hostPort 0 is a dynamic port (same as omitted); matched by "port/protocol"'),
    Rule(name="keyed-container-lists", scope="task definition",
         reason="mountPoints (by containerPath), volumesFrom (by sourceContainer), ulimits (by name), dependsOn (by containerName), resourceRequirements (by type), extraHosts (by hostname), systemControls (by namespace), environmentFiles: order does not matter; readOnly false is the default"),
    Rule(name="health-check-defaults", scope="task definition",
         reason="healthCheck interval 30, timeout 5, retries 3 are the defaults AWS fills in"),
    Rule(name="volumes-by-name", scope="task definition",
         reason="volumes are matched by name; an EFS rootDirectory of / and a docker volume scope of task are defaults"),
    Rule(name="ignored-tags", scope="both",
         reason="a tag whose key is listed in the config's ignore.tags (the exact key, case-sensitive, as ecspresso's ignore.tags: kayac/ecspresso#726) is dropped from both sides: never a change, never tagged, untagged or registered; tags owned by another tool stay theirs"),
    Rule(name="lock-tag", scope="service",
         reason="the tag ecsplan:lock is apply's lock (who is applying, README \"One apply at a time\"): dropped from both sides, so it is never a change, never untagged by an apply that updates tags, and a lock taken or released never makes a saved plan stale"),
    Rule(name="tags-by-key", scope="both",
         reason="tags are a set of keys: order does not matter"),
    Rule(name="sorted-sets", scope="both",
         reason="requiresCompatibilities, placementConstraints, subnets, securityGroups, serviceRegistries: order does not matter"),
    Rule(name="service-read-only", scope="service",
         reason="serviceArn, status, counts, deployments, taskSets, events, createdAt/By, platformFamily are runtime state; taskDefinition is planned from the task definition file"),
    Rule(name="service-undeclared", scope="service",
         reason="a service field your file leaves out is not managed: e.g. desiredCount owned by auto scaling (kayac/ecspresso#274); a field you declare is compared whole"),
    Rule(name="service-defaults", scope="service",
         reason="schedulingStrategy REPLICA, propagateTags NONE, enableECSManagedTags/enableExecuteCommand false, platformVersion LATEST, healthCheckGracePeriodSeconds 0, deploymentController ECS are the defaults"),
    Rule(name="deployment-configuration-defaults", scope="service",
         reason="deploymentConfiguration: maximumPercent 200, minimumHealthyPercent 100, circuit breaker off, no alarms, strategy ROLLING are the defaults; alarm names are a set"),
    Rule(name="daemon-deployment-defaults", scope="service",
         reason="for a DAEMON service the deploymentConfiguration defaults are maximumPercent 100, minimumHealthyPercent 0"),
    Rule(name="placement-strategy-host", scope="service",
         reason="a spread placement strategy on host is reported as instanceId (the same thing)"),
    Rule(name="service-connect-from-deployment", scope="service",
         reason="DescribeServices reports serviceConnectConfiguration, volumeConfigurations and vpcLatticeConfigurations on the PRIMARY deployment, not the service"),
    Rule(name="assign-public-ip-default", scope="service",
         reason="awsvpcConfiguration.assignPublicIp defaults to DISABLED"),
    Rule(name="role-arn", scope="service",
         reason="DescribeServices says roleArn where CreateService says role"),
    Rule(name="load-balancers-by-container", scope="service",
         reason='loadBalancers are matched by "containerName:containerPort"'),
    Rule(name="code-deploy-target-group", scope="service",
         reason="on CODE_DEPLOY services CodeDeploy swaps the target group between blue and green after every deployment (kayac/ecspresso#936)"),
    Rule(name="native-blue-green-target-groups", scope="service",
         reason="with advancedConfiguration (ECS-native blue/green, linear, canary) ECS swaps targetGroupArn and alternateTargetGroupArn after every successful deployment: the pair is compared, not which is which"),
    Rule(name="lifecycle-hooks-by-target", scope="service",
         reason="deploymentConfiguration.lifecycleHooks are matched by hook target and stages (order does not matter); targetType AWS_LAMBDA is the default"),
    Rule(name="capacity-providers-by-name", scope="service",
         reason="capacityProviderStrategy is matched by capacityProvider; base 0 and weight 0 are the defaults"),
)


def rules_markdown() -> str:
    """The README's "What ecsplan ignores and why", made from RULES (a test keeps them equal)."""
    return "\n".join(f"- **{r.name}** ({r.scope}): {r.reason}." for r in RULES) + "\n"


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
# monitoring and gatewayConnectors live on the service revision (only DescribeServiceRevisions
# returns them), and a new revision comes with a new deployment.
SERVICE_DEPLOYMENT_FIELDS = (
    "networkConfiguration",
    "platformVersion",
    "loadBalancers",
    "serviceRegistries",
    "serviceConnectConfiguration",
    "volumeConfigurations",
    "vpcLatticeConfigurations",
    "monitoring",
    "gatewayConnectors",
)

# UpdateService members that are not service fields: what to update, and how.
_UPDATE_SERVICE_CONTROLS = frozenset({"cluster", "service", "taskDefinition", "forceNewDeployment"})

# The order plans and plan files list them in (plan files stay as they were); fields botocore
# adds come after, by name.
_IN_PLACE_ORDER = (
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

# Every service field UpdateService accepts (botocore's UpdateService input, planner/schema.py),
# but those ecsplan refuses to change in place (SERVICE_IMMUTABLE: a change is blocked).
SERVICE_IN_PLACE_FIELDS = tuple(
    sorted(
        UPDATE_SERVICE_INPUT - _UPDATE_SERVICE_CONTROLS - set(SERVICE_IMMUTABLE) - set(SERVICE_DEPLOYMENT_FIELDS),
        key=lambda f: (_IN_PLACE_ORDER.index(f) if f in _IN_PLACE_ORDER else len(_IN_PLACE_ORDER), f),
    )
)
SERVICE_UPDATABLE = tuple(f for f in SERVICE_DEPLOYMENT_FIELDS if f in UPDATE_SERVICE_INPUT) + SERVICE_IN_PLACE_FIELDS

# Where DescribeServices does not report an updatable field on the service (no such Service
# member), it reports it on the deployments; what neither has, only the service revision does
# (DescribeServiceRevisions on the service's currentServiceRevisions: the reader folds it in).
DEPLOYMENT_REPORTED_FIELDS = tuple(f for f in SERVICE_UPDATABLE if f not in SERVICE_OUTPUT and f in DEPLOYMENT_OUTPUT)
REVISION_REPORTED_FIELDS = tuple(
    f for f in SERVICE_UPDATABLE if f not in SERVICE_OUTPUT and f not in DEPLOYMENT_OUTPUT and f in SERVICE_REVISION_OUTPUT
)
# What ecsplan could send but never read back (a newer botocore's field AWS returns nowhere yet):
# declared, it is a plan-time error rather than a change shown on every plan.
SERVICE_UNREADABLE = tuple(
    f for f in SERVICE_UPDATABLE if f not in SERVICE_OUTPUT and f not in DEPLOYMENT_OUTPUT and f not in SERVICE_REVISION_OUTPUT
)

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


# ---------------------------------------------------------------------------------------------
# Helpers


def without_ignored_tags(definition: dict[str, Any], ignored: tuple[str, ...]) -> dict[str, Any]:
    """Rule ignored-tags: the definition (a file's or AWS's) without the tags whose key is listed
    in ignore.tags (exact keys, as ecspresso compares them), and rule lock-tag: without apply's
    lock tag. The same object when nothing goes."""
    tags = definition.get("tags")
    ignored = (*ignored, LOCK_TAG)
    if not isinstance(tags, list) or not any(isinstance(t, dict) and t.get("key") in ignored for t in tags):
        return definition
    return {**definition, "tags": [t for t in tags if not (isinstance(t, dict) and t.get("key") in ignored)]}


def primary_deployment(description: dict[str, Any]) -> dict[str, Any]:
    """The raw PRIMARY entry of a DescribeServices `deployments` list ({} when none): some
    fields are reported there, not on the service (rule service-connect-from-deployment)."""
    return next((d for d in description.get("deployments") or [] if isinstance(d, dict) and d.get("status") == "PRIMARY"), {})


def is_empty(value: Any) -> bool:
    """Empty lists, nulls and absent keys are the same thing to ECS ("" is a value: an env var)."""
    return value is None or value == [] or value == {}


def prune(value: Any) -> Any:
    """Rule empty-is-absent: drop empty values recursively (keeps False, 0 and "")."""
    if isinstance(value, dict):
        out = Keyed() if isinstance(value, Keyed) else {}
        for k, v in value.items():
            v = prune(v)
            if not is_empty(v):
                out[k] = v
        return out
    if isinstance(value, list):
        return [p for p in (prune(v) for v in value) if not is_empty(p)]
    return value


def _fill(obj: dict[str, Any], defaults: dict[str, Any], fill: bool) -> dict[str, Any]:
    """Fill AWS's defaults on both sides (not drop them): then `true -> false` reads as a change,
    not as a removal, and a value equal to the default on one side only is no change. With
    `fill` False (something new, shown as written: there is nothing to compare with) the object
    is returned as it is."""
    out = dict(obj)
    if not fill:
        return out
    for k, v in defaults.items():
        if out.get(k) is None:
            out[k] = copy.deepcopy(v)
    return out


def _sort_key(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str)


def _sorted(values: list[Any]) -> list[Any]:
    return sorted(values, key=_sort_key)


def _keyed(entries: list[Any], key: Callable[[dict[str, Any]], str]) -> Keyed:
    out = Keyed()
    for entry in entries:
        if not isinstance(entry, dict):
            entry = {"value": entry}
        k = key(entry)
        # Duplicate keys would hide an entry; keep both visibly instead.
        while k in out:
            k = k + "'"
        out[k] = entry
    return out


def _int_if_numeric(value: Any) -> Any:
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return value


# ---------------------------------------------------------------------------------------------
# Rule task-units: "0.25 vCPU" == "256", "1 GB" == "1024"; task-level cpu/memory as strings.

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

_HEALTH_CHECK_DEFAULTS = {"interval": 30, "timeout": 5, "retries": 3}


def _port_key(pm: dict[str, Any]) -> str:
    return f"{pm.get('containerPort', pm.get('hostPort'))}/{pm.get('protocol', 'tcp')}"


def _port_mappings(pms: list[dict[str, Any]], network_mode: str) -> Keyed:
    out = []
    for pm in pms:
        pm = dict(pm)
        pm.setdefault("protocol", "tcp")
        if pm.get("protocol"):
            pm["protocol"] = str(pm["protocol"]).lower()
        if network_mode in ("awsvpc", "host") and "containerPort" in pm:
            pm.setdefault("hostPort", pm["containerPort"])
        if network_mode == "bridge":
            pm.setdefault("hostPort", 0)  # 0 or omitted: a dynamic host port
        out.append(pm)
    return _keyed(out, _port_key)


def _container(c: dict[str, Any], network_mode: str, fill: bool) -> dict[str, Any]:
    c = dict(c)
    # container-defaults
    c = _fill(c, {"cpu": 0, "essential": True, "versionConsistency": "enabled"}, fill)
    # env-and-secrets-by-name
    if c.get("environment"):
        c["environment"] = Keyed({e.get("name", ""): e.get("value", "") for e in c["environment"]})
    if c.get("secrets"):
        c["secrets"] = Keyed({s.get("name", ""): s.get("valueFrom", "") for s in c["secrets"]})
    # port-mapping-defaults
    if c.get("portMappings"):
        c["portMappings"] = _port_mappings(c["portMappings"], network_mode)
    # keyed-container-lists
    if c.get("mountPoints"):
        mps = [_fill(m, {"readOnly": False}, fill) for m in c["mountPoints"]]
        c["mountPoints"] = _keyed(mps, lambda m: str(m.get("containerPath", "")))
    if c.get("volumesFrom"):
        c["volumesFrom"] = _keyed([_fill(v, {"readOnly": False}, fill) for v in c["volumesFrom"]], lambda v: str(v.get("sourceContainer", "")))
    if c.get("ulimits"):
        c["ulimits"] = _keyed(list(c["ulimits"]), lambda u: str(u.get("name", "")))
    if c.get("dependsOn"):
        c["dependsOn"] = _keyed(list(c["dependsOn"]), lambda d: str(d.get("containerName", "")))
    if c.get("resourceRequirements"):
        c["resourceRequirements"] = _keyed(list(c["resourceRequirements"]), lambda r: str(r.get("type", "")))
    if c.get("extraHosts"):
        c["extraHosts"] = _keyed(list(c["extraHosts"]), lambda h: str(h.get("hostname", "")))
    if c.get("systemControls"):
        c["systemControls"] = _keyed(list(c["systemControls"]), lambda sc: str(sc.get("namespace", "")))
    # (dnsServers and dnsSearchDomains keep their order: it is the resolver's search order.)
    for key in ("environmentFiles", "dockerSecurityOptions", "links"):
        if c.get(key):
            c[key] = _sorted(list(c[key]))
    log = c.get("logConfiguration")
    if isinstance(log, dict) and log.get("secretOptions"):
        c["logConfiguration"] = dict(log, secretOptions=Keyed({o.get("name", ""): o.get("valueFrom", "") for o in log["secretOptions"]}))
    # health-check-defaults
    if isinstance(c.get("healthCheck"), dict):
        c["healthCheck"] = _fill(c["healthCheck"], _HEALTH_CHECK_DEFAULTS, fill)
    return c


def _volume(v: dict[str, Any], fill: bool) -> dict[str, Any]:
    v = copy.deepcopy(v)
    efs = v.get("efsVolumeConfiguration")
    if isinstance(efs, dict):
        v["efsVolumeConfiguration"] = _fill(efs, {"rootDirectory": "/"}, fill)
    dvc = v.get("dockerVolumeConfiguration")
    if isinstance(dvc, dict):
        v["dockerVolumeConfiguration"] = _fill(dvc, {"scope": "task"}, fill)
    return v


def canonical_task_definition(td: dict[str, Any] | None, *, fill: bool = True) -> dict[str, Any]:
    """Canonical form of a task definition (user file or DescribeTaskDefinition + tags); with
    `fill` False, without AWS's defaults (a first revision, shown as written)."""
    if not td:
        return {}
    td = copy.deepcopy(td)
    for key in TASK_READ_ONLY:  # task-read-only
        td.pop(key, None)
    requires = td.get("requiresCompatibilities") or []
    # task-network-mode: Fargate implies awsvpc; EC2 without a mode means bridge.
    network_mode = td.get("networkMode") or ("awsvpc" if "FARGATE" in requires else "bridge")
    td["networkMode"] = network_mode
    # task-defaults
    td = _fill(td, {"enableFaultInjection": False}, fill)
    # task-units
    if td.get("cpu") is not None:
        td["cpu"] = cpu_units(td["cpu"])
    if td.get("memory") is not None:
        td["memory"] = memory_mib(td["memory"])
    # containers-by-name
    if td.get("containerDefinitions"):
        td["containerDefinitions"] = _keyed(
            [_container(c, network_mode, fill) for c in td["containerDefinitions"]],
            lambda c: str(c.get("name", "")),
        )
    # volumes-by-name
    if td.get("volumes"):
        td["volumes"] = _keyed([_volume(v, fill) for v in td["volumes"]], lambda v: str(v.get("name", "")))
    # tags-by-key
    if td.get("tags"):
        td["tags"] = Keyed({t.get("key", ""): t.get("value", "") for t in td["tags"]})
    # sorted-sets
    if td.get("requiresCompatibilities"):
        td["requiresCompatibilities"] = sorted(td["requiresCompatibilities"])
    if td.get("placementConstraints"):
        td["placementConstraints"] = _sorted(td["placementConstraints"])
    if td.get("inferenceAccelerators"):
        td["inferenceAccelerators"] = _keyed(list(td["inferenceAccelerators"]), lambda a: str(a.get("deviceName", "")))
    if isinstance(td.get("proxyConfiguration"), dict) and td["proxyConfiguration"].get("properties"):
        props = td["proxyConfiguration"]["properties"]
        td["proxyConfiguration"]["properties"] = Keyed({p.get("name", ""): p.get("value", "") for p in props})
    canonical: dict[str, Any] = prune(td)
    return canonical


# ---------------------------------------------------------------------------------------------
# Services

_DEPLOYMENT_CONFIGURATION_DEFAULTS = {"maximumPercent": 200, "minimumHealthyPercent": 100}


def _deployment_configuration(dc: dict[str, Any], daemon: bool, controller: Controller, fill: bool) -> dict[str, Any]:
    # A DAEMON service replaces tasks in place: AWS's defaults there are 100 / 0.
    defaults = {"maximumPercent": 100, "minimumHealthyPercent": 0} if daemon else _DEPLOYMENT_CONFIGURATION_DEFAULTS
    dc = _fill(dc, defaults, fill)
    if controller is Controller.ECS:  # the circuit breaker and strategies are the rolling controller's
        dc["deploymentCircuitBreaker"] = _fill(dc.get("deploymentCircuitBreaker") or {}, {"enable": False, "rollback": False}, fill)
        dc = _fill(dc, {"strategy": "ROLLING"}, fill)
    if isinstance(dc.get("lifecycleHooks"), list):  # lifecycle-hooks-by-target
        dc["lifecycleHooks"] = _keyed(
            [_fill(dict(h, lifecycleStages=sorted(h.get("lifecycleStages") or [])), {"targetType": "AWS_LAMBDA"}, fill) for h in dc["lifecycleHooks"]],
            lambda h: f"{h.get('hookTargetArn') or h.get('targetType', '')}@{','.join(h.get('lifecycleStages') or [])}",
        )
    alarms = _fill(dc.get("alarms") or {}, {"alarmNames": [], "enable": False, "rollback": False}, fill)
    if alarms.get("alarmNames"):
        alarms["alarmNames"] = sorted(alarms["alarmNames"])
    dc["alarms"] = alarms
    return dc


def deployment_configuration_request(dc: dict[str, Any], *, daemon: bool, controller: Controller) -> dict[str, Any]:
    """The deploymentConfiguration UpdateService is sent: the declared one whole, with AWS's
    defaults for the members it leaves out. UpdateService merges a partial deploymentConfiguration
    into the current one (aws/copilot-cli#4565: alarms are kept unless sent), so a member removed
    from the file would stay in AWS and the plan would never go quiet."""
    out = copy.deepcopy(dc)
    for key, value in ({"maximumPercent": 100, "minimumHealthyPercent": 0} if daemon else _DEPLOYMENT_CONFIGURATION_DEFAULTS).items():
        out.setdefault(key, value)
    if controller is Controller.ECS:  # the circuit breaker and strategies are the rolling controller's
        out.setdefault("deploymentCircuitBreaker", {"enable": False, "rollback": False})
        out.setdefault("strategy", "ROLLING")
    out.setdefault("alarms", {"alarmNames": [], "enable": False, "rollback": False})
    return out


def _network_configuration(nc: dict[str, Any]) -> dict[str, Any]:
    nc = copy.deepcopy(nc)
    vpc = nc.get("awsvpcConfiguration")
    if isinstance(vpc, dict):
        vpc.setdefault("assignPublicIp", "DISABLED")  # assign-public-ip-default
        for key in ("subnets", "securityGroups"):  # sorted-sets
            if vpc.get(key):
                vpc[key] = sorted(vpc[key])
    return nc


def _load_balancers(lbs: list[dict[str, Any]], controller: Controller) -> Keyed:
    out = []
    for lb in lbs:
        lb = dict(lb)
        if controller is Controller.CODE_DEPLOY:
            lb.pop("targetGroupArn", None)  # code-deploy-target-group
        advanced = lb.get("advancedConfiguration")
        if isinstance(advanced, dict) and advanced.get("alternateTargetGroupArn") and lb.get("targetGroupArn"):
            # native-blue-green-target-groups: the pair, in a fixed order.
            first, second = sorted((str(lb["targetGroupArn"]), str(advanced["alternateTargetGroupArn"])))
            lb["targetGroupArn"] = first
            lb["advancedConfiguration"] = dict(advanced, alternateTargetGroupArn=second)
        out.append(lb)
    return _keyed(out, lambda lb: f"{lb.get('containerName', '')}:{lb.get('containerPort', '')}")


_SERVICE_DEFAULTS = {
    "deploymentController": {"type": "ECS"},
    "schedulingStrategy": "REPLICA",
    "propagateTags": "NONE",
    "enableECSManagedTags": False,
    "enableExecuteCommand": False,
    "platformVersion": "LATEST",
    "healthCheckGracePeriodSeconds": 0,
}


def canonical_service(sd: dict[str, Any] | None, controller: Controller = Controller.ECS, *, fill: bool = True) -> dict[str, Any]:
    """Canonical form of a service definition (user file or DescribeServices output); with
    `fill` False, without AWS's defaults (a new service, shown as written)."""
    if not sd:
        return {}
    sd = copy.deepcopy(sd)
    # service-connect-from-deployment: DescribeServices reports these on the PRIMARY deployment.
    primary = primary_deployment(sd)
    for key in DEPLOYMENT_REPORTED_FIELDS:
        if key not in sd and primary.get(key):
            sd[key] = primary[key]
    for key in SERVICE_READ_ONLY:  # service-read-only
        sd.pop(key, None)
    if "roleArn" in sd and "role" not in sd:  # role-arn
        sd["role"] = sd.pop("roleArn")
    else:
        sd.pop("roleArn", None)
    if isinstance(sd.get("deploymentConfiguration"), dict):
        sd["deploymentConfiguration"] = _deployment_configuration(
            sd["deploymentConfiguration"], sd.get("schedulingStrategy") == "DAEMON", controller, fill
        )
    if isinstance(sd.get("placementStrategy"), list):  # placement-strategy-host
        sd["placementStrategy"] = [
            dict(p, field="instanceId") if p.get("type") == "spread" and str(p.get("field", "")).lower() == "host" else p
            for p in sd["placementStrategy"]
        ]
    if isinstance(sd.get("networkConfiguration"), dict):
        sd["networkConfiguration"] = _network_configuration(sd["networkConfiguration"])
    if sd.get("loadBalancers"):
        sd["loadBalancers"] = _load_balancers(sd["loadBalancers"], controller)
    if sd.get("serviceRegistries"):  # sorted-sets
        sd["serviceRegistries"] = _sorted(sd["serviceRegistries"])
    if sd.get("placementConstraints"):
        sd["placementConstraints"] = _sorted(sd["placementConstraints"])
    if sd.get("capacityProviderStrategy"):  # capacity-providers-by-name
        sd["capacityProviderStrategy"] = _keyed(
            [_fill(c, {"base": 0, "weight": 0}, fill) for c in sd["capacityProviderStrategy"]],
            lambda c: str(c.get("capacityProvider", "")),
        )
    if sd.get("tags"):  # tags-by-key
        sd["tags"] = Keyed({t.get("key", ""): t.get("value", "") for t in sd["tags"]})
    if "desiredCount" in sd:
        sd["desiredCount"] = _int_if_numeric(sd["desiredCount"])
    sd = _fill(sd, _SERVICE_DEFAULTS, fill)  # service-defaults
    if sd.get("platformVersion") == "LATEST" and (sd.get("launchType") == "EC2" or sd.get("schedulingStrategy") == "DAEMON"):
        sd.pop("platformVersion")  # platform versions are a Fargate thing
    canonical: dict[str, Any] = prune(sd)
    return canonical


# ---------------------------------------------------------------------------------------------
# Comparing against what the user declared


def _pattern(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def drop_unknown(live: Any, desired: Any, schema: dict[str, frozenset[str]], path: str = "") -> Any:
    """Rule unknown-live-field: on the live side, drop what the user did not declare and the API
    model (planner/schema.py) does not know; a known field the user removed stays (a real change
    in a task definition, where a new revision resets it)."""
    if not isinstance(live, dict):
        return live
    want = desired if isinstance(desired, dict) else {}
    if isinstance(live, Keyed):
        return Keyed({k: drop_unknown(v, want.get(k), schema, f"{path}[*]") for k, v in live.items()})
    known = schema.get(path)
    if known is None:  # a free map (options, dockerLabels): every key is the user's
        return live
    out = {}
    for k, v in live.items():
        if k not in want and k not in known:
            continue
        if k not in want and not isinstance(v, (dict, list)) and v in (0, False, ""):
            continue  # zero-is-default: AWS reports its default for something you left out
        out[k] = drop_unknown(v, want.get(k), schema, _pattern(path, k))
    return out


def comparable_task_definitions(desired: dict[str, Any] | None, live: dict[str, Any] | None) -> tuple[dict[str, Any], dict[str, Any]]:
    want = canonical_task_definition(desired)
    have = canonical_task_definition(live)
    return want, drop_unknown(have, want, SCHEMA["task"])


def comparable_services(
    desired: dict[str, Any], live: dict[str, Any], keys: tuple[str, ...], controller: Controller
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The managed (declared) fields of both sides, canonical. Within a declared field the whole
    structure is compared: UpdateService sends it whole, so a sub-field removed from the file is
    removed in AWS (unless AWS fills it back as a default, which both sides then carry)."""
    want_c = canonical_service(desired, controller)
    have_c = drop_unknown(canonical_service(live, controller), want_c, SCHEMA["service"])
    want = {k: want_c[k] for k in keys if k in want_c}
    have = {k: have_c[k] for k in keys if k in have_c}
    return want, have
