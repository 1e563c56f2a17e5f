"""The rollback plan, built from the live state like any plan (pure).

Rolling services go back to the previous ACTIVE revision of their family by an UpdateService.
ECS-native BLUE_GREEN / LINEAR / CANARY services: a service deployment in progress is stopped
with rollback (StopServiceDeployment); otherwise the previous revision is deployed again.
CODE_DEPLOY services: a deployment in progress is stopped with rollback (CodeDeploy keeps the
original task set); otherwise the previous revision is deployed through CodeDeploy.

With `deregister` (ecspresso's `rollback --deregister`), each service's rolled-back revision
(the one it leaves) is deregistered after its rollback: a `deregister_task_definition` action
the executor runs only once the rollback deployment succeeded. A revision some service of the
plan runs after the rollback (the one it goes back to) is kept; one several services leave is
deregistered once, after the last of them.
"""

from __future__ import annotations

from typing import Iterable

import attrs

from planner.actions import (
    Action,
    ContinueServiceDeployment,
    DeregisterTaskDefinition,
    StopDeployment,
    StopServiceDeployment,
    TaskDefinitionRef,
    UpdateService,
)
from planner.build import codedeploy_group, deployment_action, deployment_configuration
from planner.diff import Change
from planner.errors import PlanError
from planner.model import Controller, DesiredService, LiveState, ServiceRef, arn_tail
from planner.plan import Plan, Purpose, ServicePlan, live_view


@attrs.frozen(kw_only=True)
class _Rollback:
    """One service's rollback: its actions, the revision it leaves and the ones it goes back to
    (None / empty when they cannot be told)."""

    actions: list[Action]
    leaves: str | None
    returns_to: frozenset[str]


def _rollback(desired: DesiredService, live: LiveState) -> _Rollback:
    actions = _rollback_actions(desired, live)
    current = live.running_task_definition
    service = live.service
    if isinstance(actions[0], StopDeployment) and service is not None:
        # The deployment in progress deploys the replacement (ACTIVE) task set; CodeDeploy's
        # rollback keeps the original (PRIMARY) one, whose revision the service names.
        replacement = {t.task_definition for t in service.task_sets if t.status != "PRIMARY" and t.task_definition}
        original = {t.task_definition for t in service.task_sets if t.status == "PRIMARY" and t.task_definition}
        leaves = replacement.pop() if len(replacement) == 1 else None
        return _Rollback(actions=actions, leaves=leaves, returns_to=frozenset(original | ({current} if current else set())))
    if isinstance(actions[0], StopServiceDeployment) and live.service_deployment is not None:
        # The stopped service deployment's target revision is left; its sources serve again.
        sd = live.service_deployment
        sources = frozenset(s.task_definition for s in sd.sources if s.task_definition)
        known = len(sources) == len(sd.sources) and sd.target is not None  # else the kept revision is not known either
        return _Rollback(actions=actions, leaves=sd.target.task_definition if known and sd.target else None, returns_to=sources)
    return _Rollback(actions=actions, leaves=current, returns_to=frozenset({live.previous_task_definition or ""}))


def _deregistrations(refs: list[tuple[DesiredService, _Rollback]]) -> dict[ServiceRef, DeregisterTaskDefinition]:
    """The deregister action of each service that is the last (in plan order) to leave a revision
    no service of the plan goes back to."""
    kept = frozenset().union(*(r.returns_to for _, r in refs))
    last: dict[str, DesiredService] = {}
    for desired, r in sorted(refs, key=lambda p: p[0].ref):
        if r.leaves is None:
            raise PlanError(
                f"{desired.ref}: cannot tell which revision the deployment in progress deploys, so none can be deregistered; "
                "roll back without --deregister"
            )
        if r.leaves not in kept:
            last[r.leaves] = desired
    return {
        desired.ref: DeregisterTaskDefinition(
            changes=[Change(path=f"taskDefinition[{arn_tail(arn)}].status", before="ACTIVE", after="INACTIVE")],
            cluster=desired.ref.cluster,
            service=desired.ref.service,
            task_definition_arn=arn,
        )
        for arn, desired in last.items()
    }


def _rollback_actions(desired: DesiredService, live: LiveState) -> list[Action]:
    service = live.service
    current = live.running_task_definition
    if service is None or not current:
        raise PlanError(f"{desired.ref}: the service does not exist; nothing to roll back")
    if service.controller is Controller.CODE_DEPLOY:
        group = codedeploy_group(live)
        if live.active_deployment is not None:
            deployment = live.active_deployment
            return [
                StopDeployment(
                    changes=[Change(path="codedeploy.deployment", before=f"{deployment.id} ({deployment.status})", after="stopped, rolled back")],
                    cluster=desired.ref.cluster,
                    service=desired.ref.service,
                    application=group.application,
                    deployment_group=group.group,
                    deployment_id=deployment.id,
                )
            ]
    elif service.controller is Controller.ECS and live.service_deployment is not None and live.service_deployment.active:
        # BLUE_GREEN / LINEAR / CANARY: stop the service deployment in progress with rollback
        # (StopServiceDeployment ROLLBACK): the source revision serves again.
        sd = live.service_deployment
        stage = f", stage {sd.lifecycle_stage}" if sd.lifecycle_stage else ""
        return [
            StopServiceDeployment(
                changes=[Change(path="serviceDeployment", before=f"{sd.id} ({sd.status}{stage})", after="stopped, rolled back")],
                cluster=desired.ref.cluster,
                service=desired.ref.service,
                service_deployment_arn=sd.arn,
            )
        ]
    elif service.controller is not Controller.ECS:
        raise PlanError(f"{desired.ref}: ecsplan cannot roll back services of the {service.controller.value} controller")
    previous = live.previous_task_definition
    if previous is None:
        raise PlanError(f"{desired.ref}: no ACTIVE revision older than {arn_tail(current)} to roll back to")
    changes = [Change(path="taskDefinition", before=current, after=previous)]
    if service.controller is Controller.CODE_DEPLOY:
        return [deployment_action(desired, live, changes, TaskDefinitionRef.known(previous), ())]
    return [
        UpdateService(
            changes=changes,
            cluster=desired.ref.cluster,
            service=desired.ref.service,
            service_arn=service.arn,
            task_definition=TaskDefinitionRef.known(previous),
            starts_deployment=True,
        )
    ]


def build_rollback_plan(
    pairs: Iterable[tuple[DesiredService, LiveState]],
    *,
    region: str | None = None,
    account: str | None = None,
    tool_version: str = "",
    deregister: bool = False,
) -> Plan:
    """`deregister`: also deregister the revision each service leaves (module docstring)."""
    pairs = list(pairs)
    rollbacks = [(desired, _rollback(desired, live)) for desired, live in pairs]
    deregistrations = _deregistrations(rollbacks) if deregister else {}
    services = [
        _service_plan(desired, live, [*r.actions, *([deregistrations[desired.ref]] if desired.ref in deregistrations else [])])
        for (desired, live), (_, r) in zip(pairs, rollbacks)
    ]
    return Plan(services=tuple(sorted(services, key=lambda s: s.ref)), region=region, account=account, tool_version=tool_version, purpose=Purpose.ROLLBACK)


def _service_plan(desired: DesiredService, live: LiveState, actions: list[Action]) -> ServicePlan:
    """A service's part of an operation plan (rollback, continue): the actions and the live view
    they depend on (a saved one goes stale like any plan)."""
    controller = live.service.controller if live.service else desired.controller
    return ServicePlan(
        ref=desired.ref,
        controller=controller,
        family=desired.family,
        source=desired.source,
        actions=tuple(actions),
        live_view=live_view(live, ()),
        codedeploy=live.codedeploy,
        timeout_seconds=desired.timeout_seconds,
        sensitive=desired.sensitive,
        secret_values=desired.secret_values,
        deployment_configuration=deployment_configuration(desired, live, controller),
    )


def build_continue_plan(
    pairs: Iterable[tuple[DesiredService, LiveState]],
    *,
    rollback: bool,
    region: str | None = None,
    account: str | None = None,
    tool_version: str = "",
) -> Plan:
    """`ecsplan continue [--rollback]`: one answer per lifecycle hook AWAITING_ACTION (a PAUSE
    hook) of each service's ECS-native deployment in progress. A service with nothing paused is
    an error naming it: there is nothing to answer."""
    answer = "ROLLBACK" if rollback else "CONTINUE"
    services = []
    for desired, live in pairs:
        sd = live.service_deployment
        paused = sd.paused_hooks if sd is not None and sd.active else ()
        if sd is None or not paused:
            raise PlanError(f"{desired.ref}: no service deployment is waiting at a paused lifecycle hook; nothing to continue")
        actions: list[Action] = [
            ContinueServiceDeployment(
                changes=[Change(path=f"serviceDeployment.hooks[{hook.hook_id}]", before=f"{hook.status} at {sd.lifecycle_stage}", after=answer)],
                cluster=desired.ref.cluster,
                service=desired.ref.service,
                service_deployment_arn=sd.arn,
                hook_id=hook.hook_id,
                action=answer,
            )
            for hook in paused
        ]
        services.append(_service_plan(desired, live, actions))
    return Plan(services=tuple(sorted(services, key=lambda s: s.ref)), region=region, account=account, tool_version=tool_version, purpose=Purpose.CONTINUE)
