"""CodeDeploy calls: finding each service's deployment group, creating, following and stopping
deployments."""

from __future__ import annotations

import datetime as dt
from typing import Any, Callable, Iterable, Mapping, Sequence

import botocore.exceptions

from planner.codedeploy import TrafficRouting
from planner.errors import ConfigError
from planner.model import CodeDeployDeployment, DeploymentGroupInfo, ReadTarget, ServiceRef, TargetTaskSet, cluster_name
from providers import writes
from providers.ecs import chunks
from providers.errors import AwsError
from providers.session import Session, aws_errors

ACTIVE_STATUSES = ["Created", "Queued", "InProgress", "Baking", "Ready"]


def _group_info(app: str, group: dict[str, Any]) -> DeploymentGroupInfo:
    """The group's names and its waits (blueGreenDeploymentConfiguration), from the
    BatchGetDeploymentGroups answer already read: no extra call."""
    blue_green = group.get("blueGreenDeploymentConfiguration") or {}
    ready = blue_green.get("deploymentReadyOption") or {}
    terminate = blue_green.get("terminateBlueInstancesOnDeploymentSuccess") or {}
    return DeploymentGroupInfo(
        application=app,
        group=group["deploymentGroupName"],
        deployment_config=group.get("deploymentConfigName"),
        ready_action=ready.get("actionOnTimeout"),
        ready_wait_minutes=int(ready.get("waitTimeInMinutes") or 0),
        termination_wait_minutes=int(terminate.get("terminationWaitTimeInMinutes") or 0),
    )


def _service_arn_names(arn: str) -> tuple[str | None, str]:
    """(cluster, service) an ECS service ARN names: arn:...:service/CLUSTER/NAME, or the old
    format arn:...:service/NAME (no cluster)."""
    parts = arn.split(":", 5)[-1].split("/")
    return (parts[1], parts[2]) if len(parts) >= 3 else (None, parts[-1])


def _serves(group: dict[str, Any], ref: ServiceRef, arns: tuple[str, str] | None = None) -> bool:
    """Whether the group's ecsServices lists the service. A group may hold the service and the
    cluster by name or by ARN, as the AWS CLI's `aws ecs deploy` accepts ("either ECS resource
    names or ARNs can be stored, so check both": aws/aws-cli awscli/customizations/ecs/deploy.py,
    validate_deployment_group). `arns`: the live service's (serviceArn, clusterArn), compared
    exactly; without them an ARN is matched by the names in it."""
    service_arn, cluster_arn = arns or ("", "")
    for target in group.get("ecsServices") or []:
        service, cluster = str(target.get("serviceName") or ""), str(target.get("clusterName") or "")
        if service.startswith("arn:"):
            arn_cluster, name = _service_arn_names(service)
            names_it = service == service_arn if service_arn else name == ref.service and arn_cluster in (None, ref.cluster)
        else:
            names_it = service == ref.service
        in_cluster = cluster == cluster_arn if cluster.startswith("arn:") and cluster_arn else cluster_name(cluster) == ref.cluster
        if names_it and in_cluster:
            return True
    return False


class DeploymentGroups:
    """Resolves CodeDeploy application + deployment group per service.

    Named in the config: one BatchGetDeploymentGroups per application (no List* calls).
    Otherwise discovered, once per run for all services (repeating it per service got ecspresso
    throttled: kayac/ecspresso#403): ListApplications -> BatchGetApplications (100 a call, ECS
    compute platform) -> ListDeploymentGroups -> BatchGetDeploymentGroups (100 a call) -> the
    group whose ecsServices lists the service.
    """

    def __init__(self, session: Session) -> None:
        self.session = session
        self._all: list[tuple[str, dict[str, Any]]] | None = None
        self._arns: dict[ServiceRef, tuple[str, str]] = {}

    @property
    def client(self) -> Any:
        return self.session.client("codedeploy")

    def _batch_groups(self, app: str, names: Sequence[str]) -> tuple[list[dict[str, Any]], str]:
        found: list[dict[str, Any]] = []
        errors = []
        for batch in chunks(list(names), 100):
            with aws_errors(f"reading CodeDeploy deployment groups of application {app}"):
                resp = self.client.batch_get_deployment_groups(applicationName=app, deploymentGroupNames=batch)
            found.extend(resp.get("deploymentGroupsInfo") or [])
            if resp.get("errorMessage"):
                errors.append(resp["errorMessage"])
        return found, "; ".join(errors)

    def _discover_all(self) -> list[tuple[str, dict[str, Any]]]:
        if self._all is not None:
            return self._all
        with aws_errors("listing CodeDeploy applications"):
            names = [n for page in self.client.get_paginator("list_applications").paginate() for n in page.get("applications", [])]
        ecs_apps = []
        for batch in chunks(names, 100):
            with aws_errors("reading CodeDeploy applications"):
                infos = self.client.batch_get_applications(applicationNames=batch).get("applicationsInfo") or []
            ecs_apps += [i["applicationName"] for i in infos if i.get("computePlatform") == "ECS"]
        groups: list[tuple[str, dict[str, Any]]] = []
        for app in ecs_apps:
            with aws_errors(f"listing deployment groups of CodeDeploy application {app}"):
                group_names = [
                    n
                    for page in self.client.get_paginator("list_deployment_groups").paginate(applicationName=app)
                    for n in page.get("deploymentGroups", [])
                ]
            found, _ = self._batch_groups(app, group_names)
            groups += [(app, g) for g in found]
        self._all = groups
        return groups

    def resolve(
        self, targets: Iterable[ReadTarget], arns: Mapping[ServiceRef, tuple[str, str]] | None = None
    ) -> dict[ServiceRef, DeploymentGroupInfo | ConfigError]:
        """Each service's group, or the error that says why it has none: the caller decides
        whether that matters (only a deployment needs the group). `arns`: each live service's
        (serviceArn, clusterArn), for groups that name them by ARN."""
        self._arns = dict(arns or {})
        out: dict[ServiceRef, DeploymentGroupInfo | ConfigError] = {}
        named: dict[str, list[tuple[ServiceRef, str, str]]] = {}
        for t in targets:
            app, group = t.codedeploy_application, t.codedeploy_group
            if app and group:
                named.setdefault(app, []).append((t.ref, group, t.source))
            elif app or group:
                out[t.ref] = ConfigError(
                    "name both codedeploy.application_name and codedeploy.deployment_group_name, or neither (to discover them)",
                    file=t.source,
                    where="codedeploy",
                )
            else:
                out[t.ref] = self._discover(t.ref, t.source)
        for app, items in named.items():
            try:
                found, error = self._batch_groups(app, sorted({g for _, g, _ in items}))
            except AwsError as err:
                found, error = [], str(err)
            by_name = {g["deploymentGroupName"]: g for g in found}
            for ref, group, source in items:
                if group not in by_name:
                    out[ref] = ConfigError(
                        f"CodeDeploy deployment group {group!r} of application {app!r} not found ({error or 'no such group'}); "
                        "check codedeploy.application_name / deployment_group_name, or remove them to discover the group",
                        file=source,
                        where="codedeploy",
                    )
                else:
                    out[ref] = _group_info(app, by_name[group])
        return out

    def _discover(self, ref: ServiceRef, source: str) -> DeploymentGroupInfo | ConfigError:
        try:
            everything = self._discover_all()
        except AwsError as err:
            return ConfigError(f"cannot discover the CodeDeploy deployment group of {ref}: {err}", file=source)
        matches = [(app, g) for app, g in everything if _serves(g, ref, self._arns.get(ref))]
        hint = (
            "name them in the config:\n  codedeploy:\n    application_name: AppECS-{c}-{s}\n    deployment_group_name: DgpECS-{c}-{s}"
        ).format(c=ref.cluster, s=ref.service)
        if not matches:
            return ConfigError(
                f"no CodeDeploy deployment group deploys service {ref.service} in cluster {ref.cluster} "
                f"(searched every application with compute platform ECS and its deployment groups' ecsServices); "
                f"create one, or {hint}",
                file=source,
            )
        if len(matches) > 1:
            names = ", ".join(f"{app}/{g['deploymentGroupName']}" for app, g in matches)
            return ConfigError(f"several CodeDeploy deployment groups deploy {ref}: {names}; {hint}", file=source)
        app, group = matches[0]
        return _group_info(app, group)


def create_deployment(
    session: Session, *, application: str, group: str, content: str, rollback_events: Sequence[str], description: str,
    emit: Callable[[str], None] = lambda line: None, who: str = "",
) -> str:
    """CreateDeployment, safe to retry (providers/writes.py): a deployment the lost reply would
    have named is recognised by its AppSpec's sha256 and description among the group's active
    ones."""
    params: dict[str, Any] = {
        "applicationName": application,
        "deploymentGroupName": group,
        "revision": {"revisionType": "AppSpecContent", "appSpecContent": {"content": content}},
        "description": description,
    }
    if rollback_events:
        params["autoRollbackConfiguration"] = {"enabled": True, "events": list(rollback_events)}
    client = session.write_client("codedeploy")

    def recognise() -> tuple[str, str] | None:
        ids = session.client("codedeploy").list_deployments(
            applicationName=application, deploymentGroupName=group, includeOnlyStatuses=ACTIVE_STATUSES
        ).get("deployments") or []
        for deployment_id in ids:
            info = get_deployment(session, deployment_id)
            digest = ((info.get("revision") or {}).get("appSpecContent") or {}).get("sha256")
            if digest == writes.appspec_sha256(content) and info.get("description", description) == description:
                return str(deployment_id), f"deployment {deployment_id} in {application}/{group} has this AppSpec"
        return None

    return writes.write(
        session, emit, doing=f"creating a CodeDeploy deployment in {application}/{group}",
        call=lambda: str(client.create_deployment(**params)["deploymentId"]), recognise=recognise, who=who,
    )


def get_deployment(session: Session, deployment_id: str) -> dict[str, Any]:
    with aws_errors(f"reading CodeDeploy deployment {deployment_id}"):
        return dict(session.client("codedeploy").get_deployment(deploymentId=deployment_id)["deploymentInfo"])


def ecs_target(session: Session, deployment_id: str) -> dict[str, Any]:
    """The deployment's ECS target: lifecycleEvents with their status, and taskSetsInfo (the
    Blue and Green task sets with their trafficWeight). Empty before the deployment started."""
    client = session.client("codedeploy")
    with aws_errors(f"reading the targets of CodeDeploy deployment {deployment_id}"):
        try:
            ids = client.list_deployment_targets(deploymentId=deployment_id).get("targetIds") or []
            if not ids:
                return {}
            target = client.get_deployment_target(deploymentId=deployment_id, targetId=ids[0]).get("deploymentTarget") or {}
        except botocore.exceptions.ClientError as err:
            # Right after CreateDeployment the targets may not exist yet: nothing to show.
            if err.response.get("Error", {}).get("Code") == "DeploymentNotStartedException":
                return {}
            raise
    return dict(target.get("ecsTarget") or {})


def traffic_routing(session: Session, config_name: str) -> TrafficRouting:
    """How a (custom) deployment config shifts traffic: GetDeploymentConfig's
    trafficRoutingConfig (there is no batch read of deployment configs). The predefined ECS
    configs need no call (planner.codedeploy.PREDEFINED_ECS_CONFIGS)."""
    with aws_errors(f"reading CodeDeploy deployment config {config_name}"):
        info = session.client("codedeploy").get_deployment_config(deploymentConfigName=config_name).get("deploymentConfigInfo") or {}
    return TrafficRouting.from_api(info.get("trafficRoutingConfig"))


def active_deployment(session: Session, group: DeploymentGroupInfo, *, with_status: bool) -> CodeDeployDeployment | None:
    """The deployment in progress in the group, if any. Its status needs a GetDeployment call, its
    task sets' traffic and lifecycle events the ECS target's calls: without `with_status` (all but
    `ecsplan status`) it is reported as "active", without them."""
    with aws_errors(f"listing deployments of {group.application}/{group.group}"):
        ids = session.client("codedeploy").list_deployments(
            applicationName=group.application, deploymentGroupName=group.group, includeOnlyStatuses=ACTIVE_STATUSES
        ).get("deployments") or []
    if not ids:
        return None
    if not with_status:
        return CodeDeployDeployment(id=ids[0], status="active")
    info = get_deployment(session, ids[0])
    target = ecs_target(session, ids[0])
    created = info.get("createTime")
    return CodeDeployDeployment(
        id=ids[0],
        status=str(info.get("status")),
        created_at=created if isinstance(created, dt.datetime) else None,
        deployment_config=info.get("deploymentConfigName"),
        task_sets=tuple(
            TargetTaskSet(
                label=str(ts.get("taskSetLabel") or ""),
                task_set_id=str(ts.get("identifer") or ""),  # sic: the API member is spelt so (ECSTaskSet)
                traffic_weight=float(ts["trafficWeight"]) if isinstance(ts.get("trafficWeight"), (int, float)) else None,
            )
            for ts in target.get("taskSetsInfo") or []
            if isinstance(ts, dict)
        ),
        lifecycle_events=tuple(
            (str(e.get("lifecycleEventName") or ""), str(e.get("status") or ""))
            for e in target.get("lifecycleEvents") or []
            if isinstance(e, dict)
        ),
    )


def stop_deployment(session: Session, deployment_id: str, *, rollback: bool) -> str:
    """StopDeployment; returns its status (Pending: the stop takes effect later, and the rollback
    deployment appears only then, in the deployment's rollbackInfo)."""
    with aws_errors(f"stopping CodeDeploy deployment {deployment_id}"):
        resp = session.client("codedeploy").stop_deployment(deploymentId=deployment_id, autoRollbackEnabled=rollback)
    return str(resp.get("status") or resp.get("statusMessage") or "")

