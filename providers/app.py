"""Wiring between cli.py and the rest: read the live state (one read per run), hand it to the
planner, and give the result to the executor or a renderer. No decisions are made here: what
to do is planner/'s, how to call AWS is the other providers' modules'.

cli.py imports this module only when a command runs (it brings boto3 and deepdiff), and reaches
the planner's entry points through it: they are listed in __all__."""

from __future__ import annotations

import json
import os
import sys
import threading
from typing import Callable, Mapping, Sequence, TextIO

import attrs
import yaml

from planner import build, importer, planfile, rollback
from planner.codedeploy import WaitUntil, check_wait_until
from planner.desired import ignored_keys_note, load_desired, region_for, render_document, require_services
from planner.envfile import load_envfiles
from planner.errors import PlanError
from planner.execute import ApplyReport, apply_plan
from planner.integrity import check_expected_id
from planner.lock import ServiceLocks
from planner.model import Controller, DesiredService, LiveState, PlanOptions, ReadTarget, ServiceRef, cluster_name
from planner.native import ServiceDeploymentExpectation, is_native, strategy_of
from planner.plan import Plan
from planner.render import json as render_json
from planner.render import markdown as render_markdown
from planner.render import status_json
from planner.render import text as render_text
from planner.render.status import render as render_status
from planner.render.text import report_lines, result_lines
from planner.rollout import CodeDeployExpectation, expectation_in_progress
from planner.version import tool_version
from providers import ecs
from providers.applier import AwsApplier
from providers.errors import ProviderError
from providers.lock import TagLockStore, this_holder
from providers.lookups import Lookups
from providers.reader import AwsReader
from providers.session import AwsSettings, Session, poll_interval
from providers.validate import validate_plan
from providers.wait import AwsWaiter

__all__ = [
    "AwsSettings",
    "Context",
    "PlanOptions",
    "WaitUntil",
    "check_expected_id",
    "check_wait_until",
    "ignored_keys_note",
    "load_desired",
    "load_envfiles",
    "load_project",
    "make_continue_plan",
    "make_plan",
    "make_rollback_plan",
    "check_out_path",
    "planfile",
    "poll_interval",
    "read_status",
    "region_for",
    "render_document",
    "render_plan",
    "render_status",
    "render_status_json",
    "report_lines",
    "result_lines",
    "require_services",
    "save_plan",
    "run_apply",
    "run_init",
    "run_wait",
    "write_text",
]


@attrs.define
class Context:
    """One run: the AWS session, where output goes, and how many calls / services at once
    (`--parallelism`)."""

    settings: AwsSettings
    out: TextIO = sys.stdout
    progress: Callable[[str], None] = print
    parallelism: int = 8
    _session: Session | None = None

    @property
    def session(self) -> Session:
        if self._session is None:
            pool = max(self.settings.max_pool_connections, self.parallelism)
            self._session = Session(attrs.evolve(self.settings, max_pool_connections=pool))
        return self._session


def load_project(
    config_args: Sequence[str],
    settings: AwsSettings,
    *,
    cwd: str = ".",
    environ: Mapping[str, str] | None = None,
    ext_str: Mapping[str, str] | None = None,
    ext_code: Mapping[str, str] | None = None,
) -> list[DesiredService]:
    """The configs' desired services, with the lookups their plugins add (tfstate, ssm, ...) read
    through AWS with these settings (the region: --region, else each config's)."""
    return load_desired(config_args, cwd=cwd, environ=environ, lookups=Lookups(settings), ext_str=ext_str, ext_code=ext_code)


def read(
    ctx: Context, desired: Sequence[DesiredService], *, history: bool = False, deployment_status: bool = False, autoscaling: bool = False
) -> dict[ServiceRef, LiveState]:
    reader = AwsReader(ctx.session, history=history, deployment_status=deployment_status, autoscaling=autoscaling, parallelism=ctx.parallelism)
    return reader.read([ReadTarget.of(d) for d in desired])


def make_plan(ctx: Context, desired: Sequence[DesiredService], options: PlanOptions = PlanOptions()) -> Plan:
    """Read the live state of every service (read-only), build the plan once, and check every
    payload against the API model before anything can be applied. What AWS would refuse of the
    definitions is said before the first read (build_plan checks it again, for any caller)."""
    for d in desired:
        build.check_definitions(d)
    live = read(ctx, desired, autoscaling=options.reads_autoscaling)
    region, account = ctx.session.identity()
    plan = build.build_plan(((d, live[d.ref]) for d in desired), region=region, account=account, tool_version=tool_version(), options=options)
    validate_plan(plan, {d.ref: d for d in desired})
    return _stamped(plan)


def _stamped(plan: Plan) -> Plan:
    return attrs.evolve(plan, commit=commit_of(os.environ))


def commit_of(environ: Mapping[str, str]) -> str | None:
    """The commit the files come from, when known: ECSPLAN_COMMIT; else, in a GitHub Actions
    pull_request run, the PR's head (GITHUB_SHA is then GitHub's temporary merge commit, which
    no reviewer has seen); else GITHUB_SHA."""
    if environ.get("ECSPLAN_COMMIT"):
        return environ["ECSPLAN_COMMIT"]
    if environ.get("GITHUB_EVENT_NAME", "").startswith("pull_request") and environ.get("GITHUB_EVENT_PATH"):
        try:
            with open(environ["GITHUB_EVENT_PATH"]) as fh:
                head = json.load(fh).get("pull_request", {}).get("head", {}).get("sha")
        except (OSError, ValueError, AttributeError):
            head = None
        if isinstance(head, str) and head:
            return head
    return environ.get("GITHUB_SHA") or None


def make_rollback_plan(ctx: Context, desired: Sequence[DesiredService], *, deregister: bool = False) -> Plan:
    """`deregister`: the plan also deregisters each rolled-back revision (`rollback --deregister`)."""
    live = read(ctx, desired, history=True)
    region, account = ctx.session.identity()
    return _stamped(rollback.build_rollback_plan(
        ((d, live[d.ref]) for d in desired), region=region, account=account, tool_version=tool_version(), deregister=deregister
    ))


def make_continue_plan(ctx: Context, desired: Sequence[DesiredService], *, rollback_deployment: bool) -> Plan:
    live = read(ctx, desired)
    region, account = ctx.session.identity()
    return _stamped(rollback.build_continue_plan(
        ((d, live[d.ref]) for d in desired), rollback=rollback_deployment, region=region, account=account, tool_version=tool_version()
    ))


def run_apply(
    ctx: Context, plan: Plan, *, wait: bool, timeout: float | None, resume_hint: str, until: WaitUntil = WaitUntil.SUCCEEDED,
    fail_fast: bool = False, force: bool = False, force_unlock: bool = False,
) -> ApplyReport:
    """`until`: how far CodeDeploy deployments are followed (--wait-until). Up to ctx.parallelism
    services at once; the waiter shares the executor's stop event (Ctrl-C ends every wait). Each
    service's apply lock (its `ecsplan:lock` tag) is held while it is applied; `force_unlock`
    breaks another holder's."""
    session = ctx.session
    stop = threading.Event()
    waiter = AwsWaiter(session, resume_hint=resume_hint, until=until, stop=stop) if wait else None
    locks = ServiceLocks(TagLockStore(session), this_holder(planfile.plan_id(plan)), ctx.progress)
    return apply_plan(plan, reader=AwsReader(session, parallelism=ctx.parallelism), applier=AwsApplier(session, ctx.progress), waiter=waiter,
                      emit=ctx.progress, timeout=timeout, parallelism=ctx.parallelism, fail_fast=fail_fast, stop=stop, force=force,
                      locks=locks, force_unlock=force_unlock)


def run_wait(
    ctx: Context, desired: Sequence[DesiredService], *, timeout: float | None, resume_hint: str, until: WaitUntil = WaitUntil.SUCCEEDED
) -> None:
    """Follow the deployment in progress of each service until it ends (CodeDeploy: or, with
    `until` TRAFFIC_SHIFTED, until its traffic has moved)."""
    waiter = AwsWaiter(ctx.session, resume_hint=resume_hint, until=until)
    live = read(ctx, desired)
    for d in desired:
        state = live[d.ref]
        if state.service is None:
            raise PlanError(f"{d.ref}: the service does not exist; nothing to wait for")
        limit = timeout if timeout is not None else d.timeout_seconds
        if state.service.controller is Controller.CODE_DEPLOY:
            if state.codedeploy is None:
                raise PlanError(state.codedeploy_problem or f"{d.ref}: no CodeDeploy deployment group")
            if state.active_deployment is None:
                ctx.progress(f"{d.ref}: no CodeDeploy deployment in progress in {state.codedeploy.application}/{state.codedeploy.group}")
                continue
            # GetDeployment gives the AppSpec's hash, not its content: the final task definition
            # cannot be checked for a deployment ecsplan did not start.
            expect = CodeDeployExpectation(deployment_id=state.active_deployment.id, task_definition_arn=None, group=state.codedeploy)
            waiter.wait_codedeploy(d.ref, expect, limit, ctx.progress)
            continue
        if state.service.controller is not Controller.ECS:
            raise PlanError(f"{d.ref}: ecsplan cannot follow deployments of the {state.service.controller.value} controller")
        if is_native(strategy_of(state.service.description)):
            # BLUE_GREEN / LINEAR / CANARY: the service deployment under way, if any.
            if state.service_deployment is None:
                ctx.progress(f"{d.ref}: no service deployment in progress ({strategy_of(state.service.description)})")
                continue
            expect_sd = ServiceDeploymentExpectation(arn=state.service_deployment.arn, task_definition_arn=None)
            waiter.wait_service_deployment(d.ref, expect_sd, limit, ctx.progress)
            continue
        waiter.wait_rolling(d.ref, expectation_in_progress(state.service), limit, ctx.progress)


def read_status(ctx: Context, desired: Sequence[DesiredService]) -> list[LiveState]:
    live = read(ctx, desired, deployment_status=True, autoscaling=True)
    return [live[d.ref] for d in desired]


def render_status_json(states: Sequence[LiveState], *, events: int) -> str:
    """`ecsplan status --format json` (docs/status-json.md)."""
    return status_json.render(states, events=events, tool_version=tool_version())


def render_plan(plan: Plan, fmt: str, *, color: bool) -> str:
    if fmt == "json":
        return render_json.render(plan)
    if fmt == "markdown":
        return render_markdown.render(plan)
    return render_text.render(plan, color=color)


def write_text(path: str, text: str, *, append: bool) -> None:
    try:
        with open(path, "a" if append else "w") as fh:
            fh.write(text if not append else "\n" + text)
    except OSError as err:
        raise ProviderError(f"cannot write {path}: {err.strerror}") from err


def check_out_path(path: str, option: str) -> None:
    """Before the command reads or writes anything: the file `option` names can be written (its
    folder exists and is writable, the path is not a folder)."""
    folder = os.path.dirname(os.path.abspath(path))
    if os.path.isdir(path):
        raise ProviderError(f"{option} {path}: is a folder; name a file")
    if not os.path.isdir(folder):
        raise ProviderError(f"{option} {path}: folder {folder} does not exist; nothing was done")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise ProviderError(f"{option} {path}: folder {folder} is not writable; nothing was done")


def save_plan(plan: Plan, path: str) -> None:
    try:
        planfile.save(plan, path)
    except OSError as err:
        raise ProviderError(f"cannot write {path}: {err.strerror}") from err


def check_init_folder(folder: str) -> None:
    if os.path.exists(folder) and not os.path.isdir(folder):
        raise ProviderError(f"--dir {folder}: is a file, not a folder; nothing was written")


def run_init(ctx: Context, *, cluster: str, service: str, folder: str, force: bool) -> list[str]:
    """Write ecsplan.yml and the two definition files from a live service; returns the paths."""
    check_init_folder(folder)  # before any call to AWS
    session = ctx.session
    name = cluster_name(cluster)
    svc = ecs.describe_services(session, name, [service]).get(service)
    if svc is None:
        raise PlanError(f"service {service} not found (or not ACTIVE) in cluster {name}")
    td = ecs.describe_task_definition(session, svc.task_definition_arn or "") if svc.task_definition_arn else None
    if td is None:
        raise PlanError(f"{name}/{service}: cannot read the task definition it runs ({svc.task_definition_arn})")
    files = {
        "ecsplan.yml": yaml.safe_dump(importer.config_document(region=session.region, cluster=name, service=service), sort_keys=False),
        "ecs-service-def.json": json.dumps(importer.service_document(svc.description), indent=2, default=str) + "\n",
        "ecs-task-def.json": json.dumps(importer.task_document(td.definition), indent=2, default=str) + "\n",
    }
    try:
        os.makedirs(folder, exist_ok=True)
    except OSError as err:
        raise ProviderError(f"--dir {folder}: cannot create the folder: {err.strerror}") from err
    paths = [os.path.join(folder, f) for f in files]
    existing = [p for p in paths if os.path.exists(p)]
    if existing and not force:
        raise PlanError(f"{', '.join(existing)} already exist; nothing was written (pass --force to overwrite)")
    for path, text in zip(paths, files.values()):
        write_text(path, text, append=False)
    return paths
