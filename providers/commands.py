"""What each command does, between cli.py (arguments, exit codes) and the planner/providers.

Lives in providers/ because it makes the AWS session; all decisions stay in planner/.
"""

from __future__ import annotations

import sys
from typing import Any, Callable, Mapping, Sequence, TextIO

import attrs

from planner import appspec, build, config, plan as plan_mod
from planner.actions import ActionType
from planner.errors import ConfigError, EcsplanError, UsageError
from planner.execute import ApplyReport, apply_plan
from planner.model import Controller, DesiredService, PlanOptions, ServiceRef
from planner.plan import Plan
from planner.rollout import CodeDeployExpectation, RolloutExpectation
from providers import codedeploy
from providers.codedeploy import DeploymentGroups
from providers.applier import AwsApplier
from providers.ecs import cluster_name
from providers.reader import AwsReader
from providers.session import AwsSettings, Session
from providers.validate import validate_plan
from providers.wait import AwsWaiter


def tool_version() -> str:
    try:
        from importlib.metadata import version

        return version("ecsplan")
    except Exception:  # not installed (running from a checkout)
        return "0.0.0+unknown"


def desired_from_config(cfg: config.ServiceConfig) -> DesiredService:
    if not cfg.service:
        raise ConfigError("no `service:` given; ecsplan plans services", file=cfg.path, where="service")
    if cfg.service_definition is None:
        raise ConfigError("no `service_definition:` given; ecsplan plans services", file=cfg.path, where="service_definition")
    cd = cfg.codedeploy
    return DesiredService(
        ref=ServiceRef(cluster=cluster_name(cfg.cluster), service=cfg.service),
        source=cfg.path,
        task_definition_path=cfg.task_definition_path,
        service_definition_path=cfg.service_definition_path or "",
        region=cfg.region,
        task_definition=cfg.task_definition,
        service_definition=cfg.service_definition,
        timeout_seconds=cfg.timeout_seconds,
        codedeploy_application=cd.application_name if cd else None,
        codedeploy_group=cd.deployment_group_name if cd else None,
        appspec=cfg.appspec,
        sensitive=cfg.sensitive,
    )


def load_desired(config_args: Sequence[str], *, cwd: str = ".", environ: Mapping[str, str] | None = None) -> list[DesiredService]:
    paths = config.find_configs(list(config_args), cwd=cwd)
    desired = [desired_from_config(config.load_config(p, environ=environ)) for p in paths]
    seen: dict[ServiceRef, str] = {}
    for d in desired:
        if d.ref in seen:
            raise ConfigError(f"service {d.ref} is also defined by {seen[d.ref]}; each service may be planned once", file=d.source)
        seen[d.ref] = d.source
    return desired


def region_for(desired: Sequence[DesiredService], cli_region: str | None) -> str | None:
    if cli_region:
        return cli_region
    regions = sorted({d.region for d in desired if d.region})
    if len(regions) > 1:
        raise UsageError(f"the configs name several regions ({', '.join(regions)}); plan them separately or pass --region")
    return regions[0] if regions else None


@attrs.define
class Context:
    """One run: the AWS session and where output goes."""

    settings: AwsSettings
    out: TextIO = sys.stdout
    progress: Callable[[str], None] = print
    _session: Session | None = None

    @property
    def session(self) -> Session:
        if self._session is None:
            self._session = Session(self.settings)
        return self._session


def make_plan(ctx: Context, desired: Sequence[DesiredService], options: PlanOptions = PlanOptions()) -> Plan:
    """Read the live state of every service (read-only) and build the plan. The CodeDeploy
    application and group are looked up only for services that get a deployment, all at once."""
    session = ctx.session
    reader = AwsReader(session)
    live = reader.read([(d.ref, str(d.task_definition.get("family", ""))) for d in desired])
    region, account = session.identity()

    def build_all() -> Plan:
        return build.build_plan(
            ((d, live[d.ref]) for d in desired), region=region, account=account, tool_version=tool_version(), options=options
        )

    plan = build_all()
    deploying = {s.ref for s in plan.services if s.action(ActionType.CREATE_DEPLOYMENT)}
    if deploying:
        groups = DeploymentGroups(session).resolve(
            (d.ref, d.codedeploy_application, d.codedeploy_group, d.source) for d in desired if d.ref in deploying
        )
        live = {ref: attrs.evolve(state, codedeploy=groups.get(ref)) for ref, state in live.items()}
        plan = build_all()
    validate_plan(plan, {d.ref: d for d in desired})
    return plan


def _code_deploy_groups(session: Session, desired: Sequence[DesiredService], live: Mapping[ServiceRef, Any]) -> dict[ServiceRef, Any]:
    """The deployment group of every live CODE_DEPLOY service, resolved together (one discovery)."""
    wanted = [d for d in desired if live[d.ref].service is not None and live[d.ref].service.controller is Controller.CODE_DEPLOY]
    if not wanted:
        return {}
    return DeploymentGroups(session).resolve((d.ref, d.codedeploy_application, d.codedeploy_group, d.source) for d in wanted)


def run_apply(ctx: Context, plan: Plan, *, wait: bool, timeout: float | None, resume_hint: str) -> ApplyReport:
    session = ctx.session
    waiter = AwsWaiter(session, resume_hint=resume_hint) if wait else None
    return apply_plan(plan, reader=AwsReader(session), applier=AwsApplier(session), waiter=waiter, emit=ctx.progress, timeout=timeout)


def run_wait(ctx: Context, desired: Sequence[DesiredService], *, timeout: float | None, resume_hint: str) -> None:
    """Follow the deployment in progress of each service until it ends."""
    session = ctx.session
    waiter = AwsWaiter(session, resume_hint=resume_hint)
    live = AwsReader(session).read([(d.ref, str(d.task_definition.get("family", ""))) for d in desired])
    groups = _code_deploy_groups(session, desired, live)
    for d in desired:
        state = live[d.ref]
        if state.service is None:
            raise EcsplanError(f"{d.ref}: the service does not exist; nothing to wait for")
        limit = timeout if timeout is not None else d.timeout_seconds
        if state.service.controller is Controller.CODE_DEPLOY:
            group = groups[d.ref]
            deployment_id = codedeploy.active_deployment(session, group.application, group.group)
            if deployment_id is None:
                ctx.progress(f"{d.ref}: no CodeDeploy deployment in progress in {group.application}/{group.group}")
                continue
            # The AppSpec names the task definition the service must run once it Succeeded.
            waiter.wait_codedeploy(d.ref, CodeDeployExpectation(deployment_id=deployment_id, task_definition_arn=None), limit, ctx.progress)
            continue
        if state.service.controller is not Controller.ECS:
            raise EcsplanError(f"{d.ref}: ecsplan cannot follow deployments of the {state.service.controller.value} controller")
        primary = next((x for x in state.service.description.get("deployments") or [] if x.get("status") == "PRIMARY"), None)
        expect = RolloutExpectation(
            deployment_id=primary.get("id") if primary else None,
            task_definition_arn=primary.get("taskDefinition") if primary else None,
        )
        waiter.wait_rolling(d.ref, expect, limit, ctx.progress)


def render_plan(plan: Plan, fmt: str, *, color: bool) -> str:
    if fmt == "json":
        from planner.render import json as render_json

        return render_json.render(plan)
    if fmt == "markdown":
        from planner.render import markdown as render_markdown

        return render_markdown.render(plan)
    from planner.render import text as render_text

    return render_text.render(plan, color=color)


def report_lines(report: ApplyReport) -> list[str]:
    """What was done and what was not: shown whenever apply stops early."""
    lines = []
    if report.done:
        lines.append("Done:")
        lines.extend(f"  {ref}: {t.value}: {detail}" for ref, t, detail in report.done)
    if report.not_done:
        lines.append("Not done:")
        lines.extend(f"  {ref}: {t.value}" for ref, t in report.not_done)
    return lines


def save_plan(plan: Plan, path: str) -> None:
    plan_mod.save(plan, path)


def load_plan(path: str) -> Plan:
    return plan_mod.load(path)


def describe_for_render(desired: DesiredService, what: str, *, task_definition_arn: str | None = None) -> dict[str, Any]:
    if what == "taskdef":
        return build.register_payload(desired.task_definition)
    if what == "servicedef":
        return dict(desired.service_definition)
    if what == "appspec":
        hooks = list((desired.appspec or {}).get("Hooks") or [])
        td = task_definition_arn or f"<the ARN of the {desired.task_definition.get('family')} revision to deploy>"
        return appspec.build_appspec(desired.service_definition, td, hooks, source=desired.service_definition_path or desired.source)
    raise UsageError(f"ecsplan render {what}: unknown document; choose taskdef, servicedef or appspec")


@attrs.frozen(kw_only=True)
class RollbackStep:
    """What `ecsplan rollback` will do for one service, shown before it asks."""

    desired: DesiredService
    description: str
    stop_deployment: str | None = None  # CodeDeploy: stop this deployment with rollback
    task_definition: str | None = None  # return to this revision
    group: Any = None


def plan_rollback(ctx: Context, desired: Sequence[DesiredService]) -> list[RollbackStep]:
    """Rolling: back to the previous ACTIVE revision of the family. CodeDeploy: stop the
    deployment in progress with rollback, else a deployment of the previous revision."""
    from providers.ecs import previous_revision

    session = ctx.session
    live = AwsReader(session).read([(d.ref, str(d.task_definition.get("family", ""))) for d in desired])
    groups = _code_deploy_groups(session, desired, live)
    steps = []
    for d in desired:
        svc = live[d.ref].service
        if svc is None or not svc.task_definition_arn:
            raise EcsplanError(f"{d.ref}: the service does not exist; nothing to roll back")
        current = svc.task_definition_arn
        group = groups.get(d.ref)
        if group is not None:
            active = codedeploy.active_deployment(session, group.application, group.group)
            if active:
                steps.append(RollbackStep(desired=d, group=group, stop_deployment=active,
                                          description=f"stop CodeDeploy deployment {active} and roll back (the service keeps {current.rsplit('/', 1)[-1]})"))
                continue
        previous = previous_revision(session, current)
        if previous is None:
            raise EcsplanError(f"{d.ref}: no ACTIVE revision older than {current.rsplit('/', 1)[-1]} to roll back to")
        how = "a CodeDeploy deployment" if group is not None else "a rolling update"
        steps.append(RollbackStep(desired=d, group=group, task_definition=previous,
                                  description=f"taskDefinition {current.rsplit('/', 1)[-1]} -> {previous.rsplit('/', 1)[-1]} by {how}"))
    return steps


def run_rollback(ctx: Context, steps: Sequence[RollbackStep], *, wait: bool, timeout: float | None, resume_hint: str) -> None:
    session = ctx.session
    waiter = AwsWaiter(session, resume_hint=resume_hint)
    for step in steps:
        d = step.desired
        limit = timeout if timeout is not None else d.timeout_seconds
        if step.stop_deployment:
            ctx.progress(f"{d.ref}: stopping CodeDeploy deployment {step.stop_deployment} with rollback ...")
            codedeploy.stop_deployment(session, step.stop_deployment, rollback=True)
            info = codedeploy.get_deployment(session, step.stop_deployment)
            rollback_id = (info.get("rollbackInfo") or {}).get("rollbackDeploymentId")
            ctx.progress(f"{d.ref}: deployment {step.stop_deployment} {info.get('status')}"
                         + (f"; rollback deployment {rollback_id}" if rollback_id else ""))
            if rollback_id and wait:
                waiter.wait_codedeploy(d.ref, CodeDeployExpectation(deployment_id=rollback_id, task_definition_arn=None), limit, ctx.progress)
            continue
        assert step.task_definition is not None
        if step.group is not None:
            hooks = list((d.appspec or {}).get("Hooks") or [])
            spec = appspec.build_appspec(d.service_definition, step.task_definition, hooks, source=d.source)
            deployment_id = codedeploy.create_deployment(
                session, application=step.group.application, group=step.group.group, content=appspec.appspec_content(spec),
                rollback_events=[], description=f"ecsplan rollback: {d.ref} to {step.task_definition.rsplit('/', 1)[-1]}",
            )
            ctx.progress(f"{d.ref}: created CodeDeploy deployment {deployment_id}")
            if wait:
                waiter.wait_codedeploy(d.ref, CodeDeployExpectation(deployment_id=deployment_id, task_definition_arn=step.task_definition),
                                       limit, ctx.progress)
            continue
        updated = AwsApplier(session).update_service(
            {"cluster": d.ref.cluster, "service": d.ref.service, "taskDefinition": step.task_definition, "set": {}}
        )
        primary = next((x for x in updated.get("deployments") or [] if x.get("status") == "PRIMARY"), None)
        ctx.progress(f"{d.ref}: updated taskDefinition to {step.task_definition.rsplit('/', 1)[-1]}")
        if wait:
            waiter.wait_rolling(d.ref, RolloutExpectation(deployment_id=(primary or {}).get("id"), task_definition_arn=step.task_definition),
                                limit, ctx.progress)


def write_text(path: str, text: str, *, append: bool) -> None:
    try:
        with open(path, "a" if append else "w") as fh:
            fh.write(text if not append else "\n" + text)
    except OSError as err:
        raise EcsplanError(f"cannot write {path}: {err.strerror}") from err


def status_lines(ctx: Context, desired: Sequence[DesiredService], *, events: int = 5) -> list[str]:
    """`ecsplan status`: each service, its deployments (rolling) or task sets (CodeDeploy), the
    CodeDeploy deployment in progress, and its most recent events."""
    from planner.rollout import describe_deployments, short_td

    session = ctx.session
    live = AwsReader(session).read([(d.ref, str(d.task_definition.get("family", ""))) for d in desired])
    groups = _code_deploy_groups(session, desired, live)
    lines: list[str] = []
    for d in desired:
        svc = live[d.ref].service
        if svc is None:
            raise EcsplanError(f"{d.ref}: the service does not exist (ecsplan apply creates it)")
        desc = svc.description
        lines.append(f"Service: {d.ref.service}  Cluster: {d.ref.cluster}  Controller: {svc.controller.value}")
        lines.append(f"  TaskDefinition: {short_td(desc.get('taskDefinition'))}  desired {desc.get('desiredCount')}, "
                     f"running {desc.get('runningCount')}, pending {desc.get('pendingCount')}")
        if svc.controller is Controller.CODE_DEPLOY:
            for ts in desc.get("taskSets") or []:
                lines.append(f"  TaskSet {ts.get('status')}: {short_td(ts.get('taskDefinition'))} desired {ts.get('computedDesiredCount')}, "
                             f"running {ts.get('runningCount')}, pending {ts.get('pendingCount')}")
            group = groups[d.ref]
            active = codedeploy.active_deployment(session, group.application, group.group)
            if active:
                info = codedeploy.get_deployment(session, active)
                lines.append(f"  CodeDeploy: deployment {active} {info.get('status')} ({group.application}/{group.group})")
        else:
            lines.append(f"  Deployments: {describe_deployments(desc)}")
        recent = (desc.get("events") or [])[:events]
        if recent:
            lines.append("  Events (newest first):")
            lines.extend(f"    {_when(e.get('createdAt'))} {e.get('message')}" for e in recent)
        lines.append("")
    return lines


def _when(value: Any) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S") if hasattr(value, "strftime") else str(value or "")


def run_init(ctx: Context, *, cluster: str, service: str, folder: str, force: bool) -> list[str]:
    """Write ecsplan.yml and the two definition files from a live service; returns the paths."""
    import json as _json
    import os

    import yaml as _yaml

    from planner import importer
    from providers import ecs

    session = ctx.session
    name = cluster_name(cluster)
    svc = ecs.describe_services(session, name, [service]).get(service)
    if svc is None:
        raise EcsplanError(f"service {service} not found (or not ACTIVE) in cluster {name}")
    td = ecs.describe_task_definition(session, svc.task_definition_arn or "") if svc.task_definition_arn else None
    if td is None:
        raise EcsplanError(f"{name}/{service}: cannot read the task definition it runs ({svc.task_definition_arn})")
    files = {
        "ecsplan.yml": _yaml.safe_dump(importer.config_document(region=session.region, cluster=name, service=service), sort_keys=False),
        "ecs-service-def.json": _json.dumps(importer.service_document(svc.description), indent=2, default=str) + "\n",
        "ecs-task-def.json": _json.dumps(importer.task_document(td.definition), indent=2, default=str) + "\n",
    }
    os.makedirs(folder, exist_ok=True)
    paths = [os.path.join(folder, f) for f in files]
    existing = [p for p in paths if os.path.exists(p)]
    if existing and not force:
        raise EcsplanError(f"{', '.join(existing)} already exist; nothing was written (pass --force to overwrite)")
    for path, text in zip(paths, files.values()):
        write_text(path, text, append=False)
    return paths
