"""LiveStateReader over AWS: one read per run, the whole live picture every command needs."""

from __future__ import annotations

from collections import defaultdict
from typing import Sequence

from planner.errors import ConfigError
from planner.model import Controller, DeploymentGroupInfo, LiveService, LiveState, LiveTaskDefinition, ReadTarget, ServiceRef
from planner.native import is_native, strategy_of
from providers import autoscaling as scaling
from providers import codedeploy, ecs
from providers.service_deployments import ServiceDeployments, current_revision
from providers.session import Session


class AwsReader:
    """`read` returns, per service: the service, the task definition to compare with, and for
    CODE_DEPLOY services the deployment group (resolved for all services in one discovery) and
    the deployment in progress. `history` adds the previous ACTIVE revision (rollback);
    `deployment_status` the status, traffic and lifecycle events of a CodeDeploy deployment in
    progress (status); `autoscaling` the services' scalable targets (plans that suspend auto
    scaling, status), in batched calls."""

    def __init__(self, session: Session, *, history: bool = False, deployment_status: bool = False, autoscaling: bool = False) -> None:
        self.session = session
        self.history = history
        self.deployment_status = deployment_status
        self.autoscaling = autoscaling

    def identity(self) -> tuple[str | None, str | None]:
        return self.session.identity()

    def read(self, targets: Sequence[ReadTarget]) -> dict[ServiceRef, LiveState]:
        """One DescribeServices per cluster (10 names a call), then each distinct task definition
        the services run: not the family's latest (kayac/ecspresso#218). For a missing service,
        the family's latest ACTIVE revision, if any. A fresh read on every call (the stale check
        re-reads)."""
        by_cluster: dict[str, list[ServiceRef]] = defaultdict(list)
        for t in targets:
            if not t.ref.is_task_definition_only:  # no service: only the family's latest revision
                by_cluster[t.ref.cluster].append(t.ref)
        services: dict[ServiceRef, LiveService | None] = {t.ref: None for t in targets}
        for cluster, refs in by_cluster.items():
            found = ecs.describe_services(self.session, cluster, sorted({r.service for r in refs}))
            for ref in refs:
                services[ref] = found.get(ref.service)
        task_definitions: dict[str, LiveTaskDefinition | None] = {}

        def task_definition(name: str) -> LiveTaskDefinition | None:
            if name not in task_definitions:
                task_definitions[name] = ecs.describe_task_definition(self.session, name)
            return task_definitions[name]

        code_deploy = [t for t in targets if (svc := services[t.ref]) is not None and svc.controller is Controller.CODE_DEPLOY]
        # Groups may name the service and cluster by ARN: the live ARNs let discovery match them.
        arns = {
            t.ref: (svc.arn, str(svc.description.get("clusterArn") or ""))
            for t in code_deploy
            if (svc := services[t.ref]) is not None
        }
        groups: dict[ServiceRef, DeploymentGroupInfo | ConfigError] = (
            codedeploy.DeploymentGroups(self.session).resolve(code_deploy, arns) if code_deploy else {}
        )
        # Every service's target when asked for; else those a plan changes the range of (stale check).
        wanted = [f"service/{t.ref.cluster}/{t.ref.service}" for t in targets if services[t.ref] is not None and (self.autoscaling or t.scalable_target)]
        scalable = scaling.targets(self.session, wanted) if wanted else {}
        deployments = ServiceDeployments(self.session)
        out = {}
        for t in targets:
            svc = services[t.ref]
            # BLUE_GREEN / LINEAR / CANARY: the service deployment under way (a wait, a status,
            # a rollback and the stale check need it).
            native = svc is not None and svc.controller is Controller.ECS and is_native(strategy_of(svc.description))
            unread: tuple[str, ...] = ()
            if svc is not None and t.revision_fields:
                # monitoring, gatewayConnectors: only the service revision has them.
                revision = current_revision(self.session, svc.description)
                if revision is None:
                    unread = t.revision_fields
                else:
                    folded = {f: revision[f] for f in t.revision_fields if f in revision}
                    svc = LiveService(arn=svc.arn, description={**svc.description, **folded})
            running = svc.task_definition_arn if svc is not None else None
            td = task_definition(running) if running else (task_definition(t.family) if t.family else None)
            group = groups.get(t.ref)
            info = group if isinstance(group, DeploymentGroupInfo) else None
            out[t.ref] = LiveState(
                ref=t.ref,
                service=svc,
                task_definition=td,
                codedeploy=info,
                codedeploy_problem=str(group) if isinstance(group, ConfigError) else None,
                active_deployment=codedeploy.active_deployment(self.session, info, with_status=self.deployment_status) if info else None,
                previous_task_definition=ecs.previous_revision(self.session, running) if self.history and running else None,
                scalable_target=scalable.get(f"service/{t.ref.cluster}/{t.ref.service}"),
                service_deployment=deployments.in_progress(t.ref) if native else None,
                unread_fields=unread,
                latest_task_definition=latest.arn if svc is not None and t.family and (latest := task_definition(t.family)) else None,
            )
        return out
