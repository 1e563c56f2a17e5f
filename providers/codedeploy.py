"""CodeDeploy calls: finding each service's deployment group, creating, following and stopping
deployments."""

from __future__ import annotations

from typing import Any, Iterable, Sequence

import botocore.exceptions

from planner.errors import ConfigError
from planner.model import CodeDeployDeployment, DeploymentGroupInfo, ReadTarget, ServiceRef, cluster_name
from providers.ecs import chunks
from providers.errors import AwsError
from providers.session import Session, aws_errors

ACTIVE_STATUSES = ["Created", "Queued", "InProgress", "Baking", "Ready"]


def _group_info(app: str, group: dict[str, Any]) -> DeploymentGroupInfo:
    return DeploymentGroupInfo(application=app, group=group["deploymentGroupName"], deployment_config=group.get("deploymentConfigName"))


def _serves(group: dict[str, Any], ref: ServiceRef) -> bool:
    return any(
        s.get("serviceName") == ref.service and cluster_name(s.get("clusterName", "")) == ref.cluster
        for s in group.get("ecsServices") or []
    )


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

    def resolve(self, targets: Iterable[ReadTarget]) -> dict[ServiceRef, DeploymentGroupInfo | ConfigError]:
        """Each service's group, or the error that says why it has none: the caller decides
        whether that matters (only a deployment needs the group)."""
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
        matches = [(app, g) for app, g in everything if _serves(g, ref)]
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


def create_deployment(session: Session, *, application: str, group: str, content: str, rollback_events: Sequence[str], description: str) -> str:
    params: dict[str, Any] = {
        "applicationName": application,
        "deploymentGroupName": group,
        "revision": {"revisionType": "AppSpecContent", "appSpecContent": {"content": content}},
        "description": description,
    }
    if rollback_events:
        params["autoRollbackConfiguration"] = {"enabled": True, "events": list(rollback_events)}
    with aws_errors(f"creating a CodeDeploy deployment in {application}/{group}"):
        return str(session.client("codedeploy").create_deployment(**params)["deploymentId"])


def get_deployment(session: Session, deployment_id: str) -> dict[str, Any]:
    with aws_errors(f"reading CodeDeploy deployment {deployment_id}"):
        return dict(session.client("codedeploy").get_deployment(deploymentId=deployment_id)["deploymentInfo"])


def lifecycle_events(session: Session, deployment_id: str) -> list[dict[str, Any]]:
    """The ECS target's lifecycle events (BeforeInstall ... AfterAllowTraffic) with their status."""
    client = session.client("codedeploy")
    with aws_errors(f"reading the targets of CodeDeploy deployment {deployment_id}"):
        try:
            ids = client.list_deployment_targets(deploymentId=deployment_id).get("targetIds") or []
            if not ids:
                return []
            target = client.get_deployment_target(deploymentId=deployment_id, targetId=ids[0]).get("deploymentTarget") or {}
        except botocore.exceptions.ClientError as err:
            # Right after CreateDeployment the targets may not exist yet: nothing to show.
            if err.response.get("Error", {}).get("Code") == "DeploymentNotStartedException":
                return []
            raise
    return list((target.get("ecsTarget") or {}).get("lifecycleEvents") or [])


def active_deployment(session: Session, group: DeploymentGroupInfo, *, with_status: bool) -> CodeDeployDeployment | None:
    """The deployment in progress in the group, if any. Its status needs a GetDeployment call;
    without `with_status` it is reported as "active"."""
    with aws_errors(f"listing deployments of {group.application}/{group.group}"):
        ids = session.client("codedeploy").list_deployments(
            applicationName=group.application, deploymentGroupName=group.group, includeOnlyStatuses=ACTIVE_STATUSES
        ).get("deployments") or []
    if not ids:
        return None
    status = str(get_deployment(session, ids[0]).get("status")) if with_status else "active"
    return CodeDeployDeployment(id=ids[0], status=status)


def stop_deployment(session: Session, deployment_id: str, *, rollback: bool) -> str:
    with aws_errors(f"stopping CodeDeploy deployment {deployment_id}"):
        resp = session.client("codedeploy").stop_deployment(deploymentId=deployment_id, autoRollbackEnabled=rollback)
    return str(resp.get("statusMessage") or resp.get("status") or "")

