"""LiveStateReader over AWS: what runs now, read-only."""

from __future__ import annotations

from collections import defaultdict
from typing import Sequence

from planner.model import LiveState, LiveTaskDefinition, ServiceRef
from providers import ecs
from providers.session import Session


class AwsReader:
    def __init__(self, session: Session) -> None:
        self.session = session
        self._task_definitions: dict[str, LiveTaskDefinition | None] = {}

    def identity(self) -> tuple[str | None, str | None]:
        return self.session.identity()

    def _task_definition(self, name: str) -> LiveTaskDefinition | None:
        if name not in self._task_definitions:
            self._task_definitions[name] = ecs.describe_task_definition(self.session, name)
        return self._task_definitions[name]

    def read(self, targets: Sequence[tuple[ServiceRef, str]]) -> dict[ServiceRef, LiveState]:
        """One DescribeServices per cluster (10 names a call), then the task definition each
        service runs: not the family's latest (kayac/ecspresso#218). For a missing service, the
        family's latest ACTIVE revision, if any."""
        self._task_definitions.clear()  # a fresh read for every call (stale checks re-read)
        by_cluster: dict[str, list[ServiceRef]] = defaultdict(list)
        for ref, _family in targets:
            by_cluster[ref.cluster].append(ref)
        services = {}
        for cluster, refs in by_cluster.items():
            found = ecs.describe_services(self.session, cluster, sorted({r.service for r in refs}))
            for ref in refs:
                services[ref] = found.get(ref.service)
        out = {}
        for ref, family in targets:
            svc = services[ref]
            if svc is not None and svc.task_definition_arn:
                td = self._task_definition(svc.task_definition_arn)
            else:
                td = self._task_definition(family) if family else None
            out[ref] = LiveState(ref=ref, service=svc, task_definition=td)
        return out
