"""LiveStateReader over AWS: one read per run, the whole live picture every command needs."""

from __future__ import annotations

from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from typing import Callable, Iterable, Sequence, TypeVar

from planner.errors import ConfigError
from planner.model import Controller, DeploymentGroupInfo, LiveService, LiveState, ReadTarget, ServiceRef
from planner.native import is_native, strategy_of
from providers import autoscaling as scaling
from providers import codedeploy, ecs
from providers.service_deployments import ServiceDeployments, current_revision
from providers.session import Session

T = TypeVar("T")
R = TypeVar("R")
A = TypeVar("A")
B = TypeVar("B")

DEFAULT_PARALLELISM = 8


class AwsReader:
    """`read` returns, per service: the service, the task definition to compare with, and for
    CODE_DEPLOY services the deployment group (resolved for all services in one discovery) and
    the deployment in progress. `history` adds the previous ACTIVE revision (rollback);
    `deployment_status` the status, traffic and lifecycle events of a CodeDeploy deployment in
    progress (status); `autoscaling` the services' scalable targets (plans that suspend auto
    scaling, status), in batched calls.

    The calls of one phase run concurrently, at most `parallelism` at a time (boto3 clients are
    thread-safe; the Session makes them under a lock); the result does not depend on the order
    in which they answer."""

    def __init__(
        self,
        session: Session,
        *,
        history: bool = False,
        deployment_status: bool = False,
        autoscaling: bool = False,
        parallelism: int = DEFAULT_PARALLELISM,
    ) -> None:
        self.session = session
        self.history = history
        self.deployment_status = deployment_status
        self.autoscaling = autoscaling
        self.parallelism = max(1, parallelism)

    def identity(self) -> tuple[str | None, str | None]:
        return self.session.identity()

    def _map(self, fn: Callable[[T], R], items: Iterable[T]) -> list[R]:
        """fn over items, results in the items' order; the first failure (in that order) is raised."""
        todo = list(items)
        if self.parallelism == 1 or len(todo) <= 1:
            return [fn(item) for item in todo]
        with ThreadPoolExecutor(max_workers=min(self.parallelism, len(todo)), thread_name_prefix="ecsplan-read") as pool:
            return list(pool.map(fn, todo))

    def _pair(self, first: Callable[[], A], second: Callable[[], B]) -> tuple[A, B]:
        """Both at once (the second in a thread); the first's failure is the one raised when both fail."""
        if self.parallelism == 1:
            return first(), second()
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="ecsplan-read") as pool:
            other = pool.submit(second)
            return first(), other.result()

    def read(self, targets: Sequence[ReadTarget]) -> dict[ServiceRef, LiveState]:
        """DescribeServices 10 names a call per cluster, then each family's latest ACTIVE revision
        (DescribeTaskDefinition of the family), then each distinct task definition the services
        run that is not such a latest revision: not the family's latest (kayac/ecspresso#218).
        Usually a service runs its family's latest revision, and one call serves both. For a
        missing service, the family's latest ACTIVE revision, if any. A fresh read on every call
        (the stale check re-reads)."""
        services = self._services(targets)
        families = sorted({t.family for t in targets if t.family})
        latest = dict(zip(families, self._map(lambda family: ecs.describe_task_definition(self.session, family), families)))
        by_arn = {td.arn: td for td in latest.values() if td is not None}
        running = sorted({arn for svc in services.values() if svc is not None and (arn := svc.task_definition_arn) and arn not in by_arn})
        by_arn.update({arn: td for arn, td in zip(running, self._map(lambda arn: ecs.describe_task_definition(self.session, arn), running)) if td is not None})

        code_deploy = [t for t in targets if (svc := services[t.ref]) is not None and svc.controller is Controller.CODE_DEPLOY]
        # Groups may name the service and cluster by ARN: the live ARNs let discovery match them.
        arns = {
            t.ref: (svc.arn, str(svc.description.get("clusterArn") or ""))
            for t in code_deploy
            if (svc := services[t.ref]) is not None
        }
        # Every service's target when asked for; else those a plan changes the range of (stale check).
        wanted = [f"service/{t.ref.cluster}/{t.ref.service}" for t in targets if services[t.ref] is not None and (self.autoscaling or t.scalable_target)]

        groups, scalable = self._pair(
            lambda: codedeploy.DeploymentGroups(self.session).resolve(code_deploy, arns) if code_deploy else {},
            lambda: scaling.targets(self.session, wanted) if wanted else {},
        )

        def state(t: ReadTarget) -> LiveState:
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
            arn = svc.task_definition_arn if svc is not None else None
            family_latest = latest.get(t.family) if t.family else None
            td = by_arn.get(arn) if arn else family_latest
            group = groups.get(t.ref)
            info = group if isinstance(group, DeploymentGroupInfo) else None
            return LiveState(
                ref=t.ref,
                service=svc,
                task_definition=td,
                codedeploy=info,
                codedeploy_problem=str(group) if isinstance(group, ConfigError) else None,
                active_deployment=codedeploy.active_deployment(self.session, info, with_status=self.deployment_status) if info else None,
                previous_task_definition=ecs.previous_revision(self.session, arn) if self.history and arn else None,
                scalable_target=scalable.get(f"service/{t.ref.cluster}/{t.ref.service}"),
                service_deployment=ServiceDeployments(self.session).in_progress(t.ref) if native else None,
                unread_fields=unread,
                latest_task_definition=family_latest.arn if svc is not None and family_latest is not None else None,
                latest_revision=family_latest if svc is not None and family_latest is not None and family_latest.arn != arn else None,
            )

        return {t.ref: live for t, live in zip(targets, self._map(state, targets))}

    def _services(self, targets: Sequence[ReadTarget]) -> dict[ServiceRef, LiveService | None]:
        """DescribeServices, 10 names a call, every cluster's calls at once."""
        by_cluster: dict[str, set[str]] = defaultdict(set)
        for t in targets:
            if not t.ref.is_task_definition_only:  # no service: only the family's latest revision
                by_cluster[t.ref.cluster].add(t.ref.service)
        calls = [(cluster, batch) for cluster in sorted(by_cluster) for batch in ecs.chunks(sorted(by_cluster[cluster]), 10)]
        found: dict[tuple[str, str], LiveService] = {}
        for (cluster, _), answer in zip(calls, self._map(lambda call: ecs.describe_services(self.session, *call), calls)):
            found.update({(cluster, name): svc for name, svc in answer.items()})
        return {
            t.ref: None if t.ref.is_task_definition_only else found.get((t.ref.cluster, t.ref.service))
            for t in targets
        }
