"""CodeDeploy blue/green deployments of ECS services, their plan: what CreateDeployment checks,
and what it keeps on moto's DeploymentInfo for the deployment to run.

``create_deployment_validates_appspec`` (in ``codedeploy``) validates the AppSpec (JSON or
YAML), its task definition, container / port and hooks, the deployment group's service and
target group pair, and the autoRollbackConfiguration, with CodeDeploy's exceptions; it allows one
active deployment per group and gives deployments CodeDeploy's IDs (d-XXXXXXXXX). The plan, a
``_BlueGreen``, says which task set and target group are blue, which target group is green, and
where the deployment will fail (``_failure_of``); ``codedeploy_progress`` runs it.

The helpers are called with ``_STATE_LOCK`` held.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import attrs

from providers.sandbox.codedeploy_configs import _deployment_routing, _Routing
from providers.sandbox.common import (
    _network_with_defaults,
    _now,
    _random,
    _strategy_with_defaults,
)
from providers.sandbox.task_definitions import _task_definition_is_broken

#: The lifecycle events of an ECS blue/green deployment, in the order CodeDeploy runs them
#: (userguide/reference-appspec-file-structure-hooks.html#appspec-hooks-ecs).
ECS_LIFECYCLE_EVENTS: tuple[str, ...] = (
    "BeforeInstall",
    "Install",
    "AfterInstall",
    "AllowTestTraffic",
    "AfterAllowTestTraffic",
    "BeforeAllowTraffic",
    "AllowTraffic",
    "AfterAllowTraffic",
)

#: The events an AppSpec's Hooks may name a Lambda function for (the others are CodeDeploy's).
HOOKABLE_EVENTS: tuple[str, ...] = (
    "BeforeInstall",
    "AfterInstall",
    "AfterAllowTestTraffic",
    "BeforeAllowTraffic",
    "AfterAllowTraffic",
)

#: Deployment statuses that hold the deployment group (a second CreateDeployment is refused).
ACTIVE_DEPLOYMENT_STATUSES: tuple[str, ...] = ("Created", "Queued", "InProgress", "Baking", "Ready")

#: autoRollbackConfiguration.events values (API_AutoRollbackConfiguration.html).
AUTO_ROLLBACK_EVENTS: tuple[str, ...] = (
    "DEPLOYMENT_FAILURE",
    "DEPLOYMENT_STOP_ON_ALARM",
    "DEPLOYMENT_STOP_ON_REQUEST",
)

#: A hook whose Lambda function name contains this fails its lifecycle event.
FAILING_HOOK_MARKER = "Fail"

#: errorInformation of a deployment whose replacement task set never becomes healthy.
ECS_UPDATE_ERROR = {
    "code": "ECS_UPDATE_ERROR",
    "message": (
        "The deployment timed out while waiting for the replacement task set to become "
        "healthy. This time out period is 60 minutes."
    ),
}

# Sandbox bookkeeping on moto's DeploymentInfo objects (moto's reset discards them with it).
_RUN = "_ecsplan_run"


@attrs.frozen
class _Failure:
    """Where a deployment will fail, and what CodeDeploy then reports."""

    event: str
    error: dict[str, str]
    diagnostics: dict[str, str]


@attrs.frozen
class _StopRequest:
    """A StopDeployment not yet in effect: the polls until the deployment is Stopped."""

    polls_left: int
    rollback: bool


@attrs.define
class _BlueGreen:
    """One ECS blue/green deployment's plan and progress, kept on moto's DeploymentInfo.

    The waits come from the deployment group's blueGreenDeploymentConfiguration and the
    deployment configuration, counted in polls (one poll is one minute of CodeDeploy's time):
    ``ready_polls`` (deploymentReadyOption STOP_DEPLOYMENT: how long the deployment stays Ready
    for a ContinueDeployment; None: traffic is rerouted at once), ``routing`` (how AllowTraffic
    shifts traffic), ``termination_polls`` (terminateBlueInstancesOnDeploymentSuccess: how long
    the original task set stays after AfterAllowTraffic). ``hold`` names the wait the deployment
    is in ("ready", "shift", "termination"), ``hold_polls`` the polls spent in it.
    """

    cluster: str
    service: str
    service_arn: str
    task_definition: str  # the replacement (green) task set's; a rollback's is the blue one
    blue_task_definition: str
    blue_task_set: str | None
    blue_target_group: str | None
    green_target_group: str | None
    overrides: dict[str, Any]  # networkConfiguration / platformVersion / capacityProviderStrategy
    hooks: dict[str, str]
    failure: _Failure | None
    rollback_of: str | None = None
    events: list[dict[str, Any]] = attrs.Factory(
        lambda: [{"lifecycleEventName": name, "status": "Pending"} for name in ECS_LIFECYCLE_EVENTS]
    )
    polls: int = 0
    done: int = 0
    green_task_set: str | None = None
    updated_at: Any = None
    ready_polls: int | None = None
    routing: _Routing = attrs.Factory(lambda: _Routing("AllAtOnce"))
    termination_polls: int = 0
    hold: str | None = None
    hold_polls: int = 0
    ready_passed: bool = False
    green_weight: float = 0.0  # the replacement task set's share of production traffic
    stop: _StopRequest | None = None
    restore: dict[str, Any] | None = None  # what the service ran before the green task set took over


def _codedeploy_error(code: str, message: str) -> Exception:
    from moto.codedeploy.exceptions import CodeDeployException

    return CodeDeployException(code, message)


def _run_of(deployment: Any) -> _BlueGreen | None:
    return getattr(deployment, _RUN, None)


def _ecs_of(codedeploy: Any) -> Any:
    from moto.ecs.models import ecs_backends

    return ecs_backends[codedeploy.account_id][codedeploy.region_name]


def _new_codedeploy_id() -> str:
    """Deployment IDs as CodeDeploy writes them: d- and nine upper-case letters or digits."""
    pool = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
    return "d-" + "".join(_random().choice(pool) for _ in range(9))


def _store_deployment(codedeploy: Any, deployment: Any) -> None:
    """Give a deployment moto created a CodeDeploy-style ID (moto uses a UUID), tags included."""
    old = deployment.deployment_id
    new = _new_codedeploy_id()
    while new in codedeploy.deployments:
        new = _new_codedeploy_id()
    codedeploy.deployments.pop(old, None)
    deployment.deployment_id = new
    codedeploy.deployments[new] = deployment
    old_arn = codedeploy._arn(f"deployment:{old}")
    if codedeploy.tagger.has_tags(old_arn):
        codedeploy.tagger.copy_tags(old_arn, codedeploy._arn(f"deployment:{new}"))
        codedeploy.tagger.delete_all_tags_for_resource(old_arn)


def _appspec_digest(content: str) -> dict[str, Any]:
    """What GetDeployment shows of an AppSpecContent revision: its SHA-256, never the content
    (API_GetDeployment.html: "The content property ... is always null")."""
    return {
        "revisionType": "AppSpecContent",
        "appSpecContent": {"sha256": hashlib.sha256(content.encode("utf-8")).hexdigest()},
    }


def _invalid_revision(message: str) -> Exception:
    return _codedeploy_error("InvalidRevisionException", message)


def _parse_appspec(content: Any) -> dict[str, Any]:
    """An AppSpec is JSON or YAML (YAML first would also read JSON, but JSON errors read better)."""
    if not isinstance(content, str) or not content.strip():
        raise _invalid_revision("The AppSpec content is empty.")
    try:
        document = json.loads(content)
    except ValueError:
        import yaml

        try:
            document = yaml.safe_load(content)
        except yaml.YAMLError as err:
            raise _invalid_revision(f"The AppSpec file is neither valid JSON nor YAML: {err}") from err
    if not isinstance(document, dict):
        raise _invalid_revision("The AppSpec file must be a JSON or YAML object.")
    return document


def _camel_keys(value: Any) -> Any:
    """AppSpec properties are PascalCase; the ECS API members they set are camelCase."""
    if isinstance(value, dict):
        return {
            (key[:1].lower() + key[1:] if isinstance(key, str) else key): _camel_keys(item)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [_camel_keys(item) for item in value]
    return value


def _appspec_target_service(document: dict[str, Any]) -> dict[str, Any]:
    resources = document.get("Resources")
    if not isinstance(resources, list) or not resources or not isinstance(resources[0], dict):
        raise _invalid_revision("The AppSpec file must list the target ECS service in Resources.")
    target = resources[0].get("TargetService")
    if not isinstance(target, dict):
        raise _invalid_revision("The AppSpec file's first resource must be a TargetService.")
    if target.get("Type", "AWS::ECS::Service") != "AWS::ECS::Service":
        raise _invalid_revision(
            f"The TargetService type must be AWS::ECS::Service, not {target.get('Type')}."
        )
    properties = target.get("Properties")
    if not isinstance(properties, dict):
        raise _invalid_revision("The TargetService of the AppSpec file has no Properties.")
    return properties


def _appspec_hooks(document: dict[str, Any]) -> dict[str, str]:
    """Hooks: a list of one-entry maps ({BeforeInstall: FunctionName}); a single map is accepted."""
    given = document.get("Hooks") or []
    entries = given if isinstance(given, list) else [given]
    hooks: dict[str, str] = {}
    for entry in entries:
        if not isinstance(entry, dict):
            raise _invalid_revision("Each AppSpec hook must map a lifecycle event to a function.")
        for event, function in entry.items():
            if event not in HOOKABLE_EVENTS:
                raise _invalid_revision(
                    f"The AppSpec hook {event} is not a lifecycle event of an ECS deployment "
                    f"that takes a hook; use one of {', '.join(HOOKABLE_EVENTS)}."
                )
            hooks[str(event)] = str(function)
    return hooks


def _registered_task_definition(ecs: Any, arn: Any) -> Any:
    if not isinstance(arn, str) or not arn.startswith("arn:") or ":task-definition/" not in arn:
        raise _invalid_revision(
            f"The TaskDefinition in the AppSpec file must be a task definition ARN, not {arn!r}."
        )
    name = arn.split(":task-definition/", 1)[1]
    family, _, revision = name.partition(":")
    revisions = ecs.task_definitions.get(family) or {}
    found = revisions.get(int(revision)) if revision.isdigit() else None
    if found is None or found.arn != arn:
        raise _invalid_revision(f"The task definition {arn} in the AppSpec file does not exist.")
    if found.status != "ACTIVE":
        raise _invalid_revision(f"The task definition {arn} in the AppSpec file is not ACTIVE.")
    return found


def _group_service(ecs: Any, group: Any) -> Any:
    """The ECS service a deployment group deploys; it must exist and use CodeDeploy."""
    services = group.ecs_services or []
    if not services:
        raise _codedeploy_error(
            "InvalidECSServiceException",
            f"The deployment group {group.deployment_group_name} has no ECS service.",
        )
    cluster = str(services[0].get("clusterName", ""))
    name = str(services[0].get("serviceName", ""))
    try:
        service = ecs._get_service(cluster, name)
    except Exception:
        service = None
    if service is None or service.status != "ACTIVE":
        raise _codedeploy_error(
            "InvalidECSServiceException",
            f"The ECS service {name} in cluster {cluster.split('/')[-1]} does not exist.",
        )
    if (service.deployment_controller or {}).get("type") != "CODE_DEPLOY":
        raise _codedeploy_error(
            "InvalidECSServiceException",
            f"The ECS service {name} does not use the CODE_DEPLOY deployment controller.",
        )
    return service


def _target_group_name(codedeploy: Any, arn: str) -> str:
    found = _elbv2_of(codedeploy).target_groups.get(arn)
    if found is not None:
        return str(found.name)
    # arn:aws:elasticloadbalancing:<region>:<account>:targetgroup/<name>/<id>
    return arn.split(":targetgroup/", 1)[-1].split("/", 1)[0]


def _target_group_arn(codedeploy: Any, name: str) -> str | None:
    for target_group in _elbv2_of(codedeploy).target_groups.values():
        if target_group.name == name:
            return str(target_group.arn)
    return None


def _elbv2_of(codedeploy: Any) -> Any:
    from moto.elbv2.models import elbv2_backends

    return elbv2_backends[codedeploy.account_id][codedeploy.region_name]


def _blue_green_target_groups(codedeploy: Any, group: Any, service: Any) -> tuple[str, str]:
    """The service's target group (blue) and the other one of the group's pair (green)."""

    def invalid(message: str) -> Exception:
        return _codedeploy_error("InvalidLoadBalancerInfoException", message)

    pairs = (group.load_balancer_info or {}).get("targetGroupPairInfoList") or []
    given = (pairs[0].get("targetGroups") or []) if pairs else []
    names = [str(target_group.get("name", "")) for target_group in given]
    if len(names) != 2:
        raise invalid(
            f"The deployment group {group.deployment_group_name} must name a pair of target "
            "groups in loadBalancerInfo.targetGroupPairInfoList."
        )
    if not service.load_balancers or not service.load_balancers[0].get("targetGroupArn"):
        raise invalid(f"The ECS service {service.name} has no target group.")
    blue = str(service.load_balancers[0]["targetGroupArn"])
    blue_name = _target_group_name(codedeploy, blue)
    if blue_name not in names:
        raise invalid(
            f"The ECS service {service.name}'s target group {blue_name} is not one of the "
            f"deployment group's target groups {names[0]} and {names[1]}."
        )
    green_name = names[1] if blue_name == names[0] else names[0]
    green = _target_group_arn(codedeploy, green_name)
    if green is None:
        raise invalid(f"The target group {green_name} does not exist.")
    return blue, green


def _failure_of(ecs: Any, task_definition: str, hooks: dict[str, str]) -> _Failure | None:
    """The first lifecycle event that will fail: a hook named *Fail*, or Install when the
    replacement task set can never become healthy (a broken image)."""
    failures: list[_Failure] = []
    if _task_definition_is_broken(ecs, task_definition):
        failures.append(
            _Failure(
                event="Install",
                error=dict(ECS_UPDATE_ERROR),
                diagnostics={"errorCode": "UnknownError", "message": ECS_UPDATE_ERROR["message"]},
            )
        )
    for event, function in hooks.items():
        if FAILING_HOOK_MARKER in function:
            message = (
                f"The {event} lifecycle event hook failed: Lambda function {function} "
                "reported Failed to CodeDeploy."
            )
            failures.append(
                _Failure(
                    event=event,
                    error={"code": "HEALTH_CONSTRAINTS", "message": message},
                    diagnostics={
                        "errorCode": "ScriptFailed",
                        "scriptName": function,
                        "message": message,
                        "logTail": "",
                    },
                )
            )
    if not failures:
        return None
    return min(failures, key=lambda failure: ECS_LIFECYCLE_EVENTS.index(failure.event))


def _waits_of(codedeploy: Any, group: Any, config_name: str | None) -> dict[str, Any]:
    """The deployment's waits, in polls, from its group and its deployment configuration.

    API_BlueGreenDeploymentConfiguration.html / API_DeploymentReadyOption.html:
    actionOnTimeout STOP_DEPLOYMENT waits waitTimeInMinutes for ContinueDeployment, then the
    deployment is Stopped (CONTINUE_DEPLOYMENT, the default: no wait; waitTimeInMinutes
    "applies only to the STOP_DEPLOYMENT option"); terminationWaitTimeInMinutes (default 0)
    keeps the original task set after a successful deployment. The configuration is the
    deployment's own, else its group's (API_CreateDeployment.html: deploymentConfigName).
    """
    blue_green = group.blue_green_deployment_configuration or {}
    ready = blue_green.get("deploymentReadyOption") or {}
    ready_polls = None
    if ready.get("actionOnTimeout") == "STOP_DEPLOYMENT":
        ready_polls = max(1, int(ready.get("waitTimeInMinutes") or 0))
    terminate = blue_green.get("terminateBlueInstancesOnDeploymentSuccess") or {}
    termination_polls = int(terminate.get("terminationWaitTimeInMinutes") or 0)
    name = config_name or group.deployment_config_name
    return {
        "ready_polls": ready_polls,
        "routing": _deployment_routing(codedeploy, str(name) if name else None),
        "termination_polls": termination_polls,
    }


def _plan_ecs_deployment(
    codedeploy: Any, group: Any, revision: Any, config_name: str | None = None
) -> tuple[_BlueGreen, str]:
    """Validate an ECS CreateDeployment as CodeDeploy does; return its plan and AppSpec content."""
    if not revision:
        raise _codedeploy_error("RevisionRequiredException", "RevisionLocation must be specified")
    if revision.get("revisionType") != "AppSpecContent":
        raise _invalid_revision(
            "The sandbox deploys ECS services from revisionType AppSpecContent only, not "
            f"{revision.get('revisionType')}."
        )
    content = (revision.get("appSpecContent") or {}).get("content")
    document = _parse_appspec(content)
    properties = _appspec_target_service(document)
    if not properties.get("TaskDefinition"):
        raise _invalid_revision("The AppSpec file's TargetService has no TaskDefinition.")
    ecs = _ecs_of(codedeploy)
    service = _group_service(ecs, group)
    task_definition = _registered_task_definition(ecs, properties["TaskDefinition"])
    lb_info = properties.get("LoadBalancerInfo")
    if not isinstance(lb_info, dict) or not lb_info.get("ContainerName"):
        raise _invalid_revision("The AppSpec file's LoadBalancerInfo has no ContainerName.")
    if lb_info.get("ContainerPort") in (None, ""):
        raise _invalid_revision("The AppSpec file's LoadBalancerInfo has no ContainerPort.")
    container_name = str(lb_info["ContainerName"])
    containers = {str(c.get("name")): c for c in task_definition.container_definitions}
    if container_name not in containers:
        raise _invalid_revision(
            f"The container {container_name} in the AppSpec file's LoadBalancerInfo is not a "
            f"container of task definition {task_definition.arn}."
        )
    try:
        container_port = int(lb_info["ContainerPort"])
    except (TypeError, ValueError) as err:
        raise _invalid_revision(f"ContainerPort {lb_info['ContainerPort']!r} is not a number.") from err
    ports = {m.get("containerPort") for m in containers[container_name].get("portMappings") or []}
    if container_port not in ports:
        raise _invalid_revision(
            f"The container {container_name} of task definition {task_definition.arn} does "
            f"not map container port {container_port}."
        )
    hooks = _appspec_hooks(document)
    blue_target_group, green_target_group = _blue_green_target_groups(codedeploy, group, service)
    overrides: dict[str, Any] = {}
    if properties.get("NetworkConfiguration"):
        overrides["networkConfiguration"] = _network_with_defaults(
            _camel_keys(properties["NetworkConfiguration"])
        )
    if properties.get("PlatformVersion"):
        overrides["platformVersion"] = str(properties["PlatformVersion"])
    if properties.get("CapacityProviderStrategy"):
        overrides["capacityProviderStrategy"] = _strategy_with_defaults(
            _camel_keys(properties["CapacityProviderStrategy"])
        )
    primary = next((ts for ts in service.task_sets if ts.status == "PRIMARY"), None)
    run = _BlueGreen(
        cluster=service.cluster_name,
        service=service.name,
        service_arn=service.arn,
        task_definition=task_definition.arn,
        blue_task_definition=service.task_definition,
        blue_task_set=primary.id if primary is not None else None,
        blue_target_group=blue_target_group,
        green_target_group=green_target_group,
        overrides=overrides,
        hooks=hooks,
        failure=_failure_of(ecs, task_definition.arn, hooks),
        updated_at=_now(),
        **_waits_of(codedeploy, group, config_name),
    )
    return run, str(content)


def _refuse_concurrent_deployment(codedeploy: Any, application: str, group: str) -> None:
    for deployment in codedeploy.deployments.values():
        if (
            deployment.application_name == application
            and deployment.deployment_group_name == group
            and deployment.status in ACTIVE_DEPLOYMENT_STATUSES
        ):
            raise _codedeploy_error(
                "DeploymentLimitExceededException",
                f"The Deployment Group '{group}' already has an active Deployment "
                f"'{deployment.deployment_id}'",
            )


def _check_auto_rollback(configuration: Any) -> None:
    events = (configuration or {}).get("events") or []
    unknown = [event for event in events if event not in AUTO_ROLLBACK_EVENTS]
    if unknown:
        raise _codedeploy_error(
            "InvalidAutoRollbackConfigException",
            f"Auto rollback events {', '.join(map(str, unknown))} are not valid; use "
            f"{', '.join(AUTO_ROLLBACK_EVENTS)}.",
        )
