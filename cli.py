"""ecsplan command line: argument parsing and exit codes only.

Exit codes (DESIGN.md): 0 success / no changes, 1 error (usage errors too: argparse's 2 would
read as "changes present"), 2 changes present with --detailed-exitcode, 130 interrupted (Ctrl-C,
SIGTERM and SIGHUP alike: a CI runner cancels a job with SIGTERM).

`--version` and `--help` must be instant, so this module imports neither boto3 nor deepdiff at
the top: each command imports the wiring (providers.app) when it runs, through `_app()`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import signal
import sys
import threading
from types import ModuleType
from typing import Any, Sequence

from planner.appspec import VALID_ROLLBACK_EVENTS
from planner.config import parse_duration
from planner.errors import ConfigError, Interrupted, PlannerError, UsageError
from planner.version import tool_version
from providers.errors import ProviderError

EXIT_OK, EXIT_ERROR, EXIT_CHANGES, EXIT_INTERRUPTED = 0, 1, 2, 130
# The errors a user may see, by layer: a message and exit 1, never a traceback.
USER_ERRORS = (PlannerError, ProviderError)


def _app() -> ModuleType:
    """providers.app, imported when a command runs (it brings boto3 and deepdiff)."""
    import providers.app  # noqa: PLC0415 - deferred on purpose: fast --help / --version

    return providers.app



class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(EXIT_ERROR, f"ecsplan: error: {message}\n")


def _duration(text: str) -> float:
    try:
        return parse_duration(text)
    except ConfigError as err:
        raise argparse.ArgumentTypeError(f"{text!r} is not a duration like 10m, 90s or 1h30m") from err


def _rollback_events(text: str) -> list[str]:
    events = [e.strip() for e in text.split(",") if e.strip()]
    bad = [e for e in events if e not in VALID_ROLLBACK_EVENTS]
    if bad or not events:
        raise argparse.ArgumentTypeError(f"unknown rollback event(s) {', '.join(bad) or text!r}; valid: {', '.join(VALID_ROLLBACK_EVENTS)}")
    return events


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number >= 0")
    return value


def _parallelism(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number >= 1")
    return value


def _key_value(text: str) -> tuple[str, str]:
    key, sep, value = text.partition("=")
    if not sep or not key:
        raise argparse.ArgumentTypeError(f"{text!r} is not KEY=VALUE")
    return key, value


# ecspresso's CLI reads its options from these variables too (kong `env:` tags); a CI job written
# for ecspresso sets them. Lists are comma-separated, maps `K=V;K=V` (kong's separators).
ECSPRESSO_ENVIRONMENT = (
    ("config", "ECSPRESSO_CONFIG", "list"),
    ("envfile", "ECSPRESSO_ENVFILE", "list"),
    ("ext_str", "ECSPRESSO_EXT_STR", "map"),
    ("ext_code", "ECSPRESSO_EXT_CODE", "map"),
    ("timeout", "ECSPRESSO_TIMEOUT", "duration"),
)


def apply_ecspresso_environment(args: argparse.Namespace, environ: Any) -> None:
    """Fill the options not given on the command line from ecspresso's environment variables;
    a flag given wins, as in ecspresso. A malformed value is a usage error naming the variable."""
    for attr, name, kind in ECSPRESSO_ENVIRONMENT:
        text = environ.get(name, "")
        if not hasattr(args, attr) or getattr(args, attr) or not text.strip():
            continue
        if getattr(args, "planfile", None) and attr != "timeout":
            continue  # a saved plan already says what to apply
        try:
            if kind == "list":
                value: Any = [part.strip() for part in text.split(",") if part.strip()]
            elif kind == "map":
                value = [_key_value(part.strip()) for part in text.split(";") if part.strip()]
            else:
                value = _duration(text.strip())
        except argparse.ArgumentTypeError as err:
            raise UsageError(f"{name}: {err}") from err
        setattr(args, attr, value)


# --wait-until, on apply and wait (CodeDeploy deployments; rolling ones are followed to the end).
WAIT_UNTIL_ARGS = ("--wait-until",)
WAIT_UNTIL_OPTIONS: dict[str, Any] = {
    "choices": ("succeeded", "traffic-shifted"),
    "default": None,
    "help": "CodeDeploy: wait until the deployment succeeded (default), or only until its traffic shifted to the replacement "
    "task set (AfterAllowTraffic succeeded; the original task set goes after the group's termination wait)",
}


def build_parser() -> argparse.ArgumentParser:
    common = _Parser(add_help=False)
    g = common.add_argument_group("AWS")
    g.add_argument("--region", help="AWS region (default: the config's region, then AWS_REGION)")
    g.add_argument("--profile", help="AWS profile (default: AWS_PROFILE)")
    g.add_argument("--endpoint-url", help="send API calls here (default: AWS_ENDPOINT_URL), e.g. a local moto server")
    common.add_argument("--no-color", action="store_true", help="no ANSI colour (NO_COLOR is honoured too)")
    common.add_argument("--parallelism", type=_parallelism, default=8, metavar="N", help="how many services to read / apply at once (default 8)")

    shaping = _Parser(add_help=False)
    g = shaping.add_argument_group("plan options (they shape the plan, so a saved plan carries them)")
    g.add_argument("--suspend-autoscaling", action="store_true",
                   help="suspend auto scaling of desiredCount before a deployment and resume it after, also when it fails")
    g.add_argument("--rollback-events", type=_rollback_events, metavar="E,...", default=[],
                   help=f"CodeDeploy automatic rollback on these events: {','.join(VALID_ROLLBACK_EVENTS)}")
    g.add_argument("--force-new-deployment", action="store_true",
                   help="start a new deployment even when nothing changed: the tasks are replaced, same task definition "
                   "(rolling and ECS-native services; not CODE_DEPLOY)")
    g.add_argument("--desired-count", type=_count, metavar="N", help="set the service's desiredCount to N, whatever the file says")
    g.add_argument("--autoscaling-min", type=_count, metavar="N", help="set MinCapacity of the service's existing scalable target")
    g.add_argument("--autoscaling-max", type=_count, metavar="N", help="set MaxCapacity of the service's existing scalable target")

    configs = _Parser(add_help=False)
    configs.add_argument(
        "-c",
        "--config",
        action="append",
        default=[],
        metavar="CONFIG",
        help="config file, or a folder to take every ecsplan/ecspresso config below it; repeatable "
        "(default: ecsplan.yml, else ecspresso.yml, in the current folder)",
    )
    g = configs.add_argument_group("templates (as ecspresso)")
    g.add_argument("--envfile", action="append", default=[], metavar="FILE",
                   help="load environment variables from FILE (KEY=VALUE lines) before templates render; repeatable, later wins")
    g.add_argument("--ext-str", action="append", default=[], type=_key_value, metavar="K=V", help="Jsonnet external string variable; repeatable")
    g.add_argument("--ext-code", action="append", default=[], type=_key_value, metavar="K=V", help="Jsonnet external code variable; repeatable")

    parser = _Parser(
        prog="ecsplan",
        description="Plan and apply Amazon ECS deployments from the service and task definitions in your repository.",
        epilog="Start with `ecsplan demo`: the whole loop on an embedded sandbox, no AWS account needed.",
    )
    parser.add_argument("--version", action="version", version=f"ecsplan {tool_version()}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    p = sub.add_parser("plan", parents=[common, configs, shaping], help="compare the definitions with live ECS and print the plan",
                       description="Read the config(s), compare with what runs in ECS, and print the ordered plan. Changes nothing.")
    p.add_argument("--out", metavar="FILE", help="save the plan (mode 0600) for `ecsplan apply FILE`")
    p.add_argument("--format", choices=("text", "json", "markdown"), default="text",
                   help="output format: text (terminal), json (scripts; see docs/plan-json.md), markdown (pull requests)")
    p.add_argument("--summary-file", metavar="PATH",
                   help="also write the plan as Markdown to PATH (e.g. a PR comment body), whatever --format is")
    p.add_argument("--github-step-summary", action="store_true",
                   help="also append the plan as Markdown to $GITHUB_STEP_SUMMARY (GitHub Actions)")
    p.add_argument("--detailed-exitcode", action="store_true", help="exit 0 when there are no changes, 2 when there are, 1 on error")

    a = sub.add_parser("apply", parents=[common, configs, shaping], help="carry out a plan and wait until the deployment succeeded",
                       description="Apply a saved plan (no prompt), or plan now and ask before applying. Waits until each "
                       "deployment really succeeded (the new deployment PRIMARY and COMPLETED), or says why not.")
    a.add_argument("planfile", nargs="?", help="a plan saved with `ecsplan plan --out FILE`")
    a.add_argument("--plan-id", metavar="ID",
                   help="refuse the plan file unless its plan id starts with ID (the reviewed id: full, or its first 12 characters)")
    a.add_argument("--auto-approve", action="store_true", help="do not ask before applying")
    a.add_argument("--no-wait", action="store_true", help="return once the changes are sent; follow later with `ecsplan wait`")
    a.add_argument("--timeout", type=_duration, metavar="DURATION",
                   help="how long to wait at most, e.g. 10m: a hard limit, each AWS call of the wait is cut to the time left (default: the config's timeout, else 10m for rolling deployments and, for "
                   "CodeDeploy, the deployment group's ready wait + traffic shifting + termination wait + 10m, 30m-6h)")
    a.add_argument(*WAIT_UNTIL_ARGS, **WAIT_UNTIL_OPTIONS)
    a.add_argument("--fail-fast", action="store_true",
                   help="once a service fails, start no other and stop the running ones before their next action (a wait "
                   "under way is followed to its end); default: the other services go on")
    a.add_argument("--force", action="store_true", help="apply even though a deployment is in progress on a service the plan changes")
    a.add_argument("--force-unlock", action="store_true",
                   help="break the apply lock another apply left on a service (the ecsplan:lock tag: it died, or was killed) "
                   "and go on; says whose lock it broke. Only when you know that apply is no longer running")

    w = sub.add_parser("wait", parents=[common, configs], help="wait for the deployment in progress to finish",
                       description="Follow the deployment in progress of each service until it succeeds or fails.")
    w.add_argument("--timeout", type=_duration, metavar="DURATION", help="how long to wait at most, e.g. 10m (a hard limit: each AWS call of the wait is cut to the time left)")
    w.add_argument(*WAIT_UNTIL_ARGS, **WAIT_UNTIL_OPTIONS)

    st = sub.add_parser("status", parents=[common, configs], help="show the service, its auto scaling, deployments or task sets, and recent events",
                        description="Show each service: task definition and counts, auto scaling (min, max, suspended), its "
                        "deployments with their rolloutState (rolling), service deployment (ECS-native blue/green, linear, "
                        "canary) or task sets and the CodeDeploy deployment in progress (blue/green), and its most recent "
                        "events. Changes nothing.")
    st.add_argument("--events", type=_count, default=5, metavar="N", help="how many recent events to show (default 5)")
    st.add_argument("--format", choices=("text", "json"), default="text",
                    help="output format: text (terminal) or json (scripts; see docs/status-json.md)")

    rb = sub.add_parser("rollback", parents=[common, configs], help="roll back: previous revision, or stop a CodeDeploy deployment",
                        description="Plan a rollback and apply it like any plan. Rolling services go back to the previous ACTIVE "
                        "revision of their family. CodeDeploy services: a deployment in progress is stopped with rollback; "
                        "otherwise the previous revision is deployed through CodeDeploy. With --deregister, the revision left is "
                        "deregistered once the rollback succeeded. Shows the plan and asks first; with "
                        "--out, saves it for `ecsplan apply FILE` instead.")
    rb.add_argument("--format", choices=("text", "json", "markdown"), default="text", help="how to print the rollback plan")
    rb.add_argument("--out", metavar="FILE", help="save the rollback plan (mode 0600) for `ecsplan apply FILE`; applies nothing")
    rb.add_argument("--auto-approve", action="store_true", help="do not ask")
    rb.add_argument("--no-wait", action="store_true", help="return once the rollback has started")
    rb.add_argument("--deregister", action="store_true",
                    help="deregister the rolled-back revision once the rollback succeeded (needs the wait)")
    rb.add_argument("--timeout", type=_duration, metavar="DURATION", help="how long to wait at most, e.g. 10m (a hard limit: each AWS call of the wait is cut to the time left)")

    co = sub.add_parser("continue", parents=[common, configs],
                        help="answer a paused lifecycle hook of an ECS-native deployment: go on, or roll back",
                        description="An ECS-native (BLUE_GREEN / LINEAR / CANARY) service deployment waits at a PAUSE "
                        "lifecycle hook until it is answered (ContinueServiceDeployment). Plans the answer for each "
                        "paused hook, shows it and asks first, then follows the deployment to its end.")
    co.add_argument("--rollback", action="store_true", help="answer ROLLBACK (roll the deployment back) instead of CONTINUE")
    co.add_argument("--format", choices=("text", "json", "markdown"), default="text", help="how to print the plan")
    co.add_argument("--auto-approve", action="store_true", help="do not ask")
    co.add_argument("--no-wait", action="store_true", help="return once the hook is answered")
    co.add_argument("--timeout", type=_duration, metavar="DURATION", help="how long to wait at most, e.g. 10m (a hard limit: each AWS call of the wait is cut to the time left)")

    i = sub.add_parser("init", parents=[common], help="write a config and definition files from a live service",
                       description="Read a live service and the task definition it runs, and write ecsplan.yml, "
                       "ecs-service-def.json and ecs-task-def.json, so that `ecsplan plan` on them is clean.")
    i.add_argument("--cluster", required=True, help="the cluster (name or ARN)")
    i.add_argument("--service", required=True, help="the service name")
    i.add_argument("--dir", default=".", metavar="DIR", help="where to write the files (default: the current folder)")
    i.add_argument("--force", action="store_true", help="overwrite files that exist")

    r = sub.add_parser("render", parents=[common, configs], help="print the config or a definition as ecsplan reads it",
                       description="Print the config (after templates and defaults), the task or service definition, or the "
                       "AppSpec as ecsplan reads them (templates rendered). Secret values are shown as (sensitive), as in "
                       "plans: SecureString lookups and environment entries with sensitive names; --unmask shows them.")
    r.add_argument("what", choices=("config", "taskdef", "servicedef", "appspec"),
                   help="config (as ecsplan understood it), taskdef, servicedef or appspec")
    r.add_argument("--format", choices=("json", "yaml"), default="json")
    r.add_argument("--task-definition", metavar="ARN", help="appspec: the task definition ARN to put in it")
    r.add_argument("--unmask", action="store_true", help="show secret values in clear (take care where the output goes)")

    sub.add_parser("demo", parents=[common], help="the whole loop on an embedded sandbox, no AWS account needed",
                   description="Seed an in-process sandbox (moto plus real-ECS behaviours) with a service, then plan, "
                   "apply and re-plan a new image, and show how a failing rollout is caught.")
    sb = sub.add_parser("sandbox", help="run the sandbox server in the foreground, to try ecsplan on your own project",
                        description="Start the sandbox (moto plus real-ECS behaviours) on 127.0.0.1 and print the environment "
                        "to point ecsplan at it (stdout: only `export` lines, for `eval`). With --seed, first create what the "
                        "configs below DIR need to plan clean: clusters, the subnets / security groups / target groups their "
                        "services name (with those ids), then the services themselves. Ctrl-C or SIGTERM stops it (exit 0).")
    sb.add_argument("--port", type=int, default=5000, metavar="P", help="the port (default 5000, moto's; 0: a free one, printed)")
    sb.add_argument("--seed", metavar="DIR", help="create what the ecsplan / ecspresso configs below DIR need to plan")
    sb.add_argument("--region", default="us-east-1", help="AWS_REGION to export, and the region of configs without one (default us-east-1)")
    return parser


def _exit_code(err: Exception) -> int:
    """The one mapping from error roots to exit codes."""
    if isinstance(err, Interrupted):
        return EXIT_INTERRUPTED
    return EXIT_ERROR


def _color(args: argparse.Namespace, stream: object) -> bool:
    if getattr(args, "no_color", False) or os.environ.get("NO_COLOR"):
        return False
    return bool(getattr(stream, "isatty", lambda: False)())


def _progress(line: str) -> None:
    # One write per line: services applied in parallel emit from several threads (the executor
    # serialises them; a single write keeps each line whole for any other caller too).
    sys.stdout.write(f"{dt.datetime.now().strftime('%H:%M:%S')} {line}\n")
    sys.stdout.flush()


def _context(args: argparse.Namespace, desired: Sequence[Any] = (), region: str | None = None) -> Any:
    app = _app()
    settings = app.AwsSettings(region=region or app.region_for(desired, args.region), profile=args.profile, endpoint_url=args.endpoint_url)
    return app.Context(settings=settings, out=sys.stdout, progress=_progress, parallelism=args.parallelism)


def _desired(args: argparse.Namespace, needs_service: str = "") -> list[Any]:
    """The configs' desired services; `needs_service`: the command, when it acts on services (a
    task-definition-only config is refused, naming the config)."""
    app = _app()
    if args.envfile:
        # As ecspresso (os.Setenv): the variables are there for templates and for the AWS SDK.
        os.environ.update(app.load_envfiles(list(args.envfile)))
    settings = app.AwsSettings(region=args.region, profile=args.profile, endpoint_url=args.endpoint_url)
    desired = list(app.load_project(args.config, settings, ext_str=dict(args.ext_str), ext_code=dict(args.ext_code)))
    if needs_service:
        app.require_services(desired, needs_service)
    return desired


def _options(args: argparse.Namespace) -> Any:
    return _app().PlanOptions(
        suspend_autoscaling=args.suspend_autoscaling,
        rollback_events=tuple(args.rollback_events or ()),
        force_new_deployment=args.force_new_deployment,
        desired_count=args.desired_count,
        autoscaling_min=args.autoscaling_min,
        autoscaling_max=args.autoscaling_max,
    )


# The plan options (`shaping`): a saved plan already carries what they did.
SHAPING_OPTIONS = ("suspend_autoscaling", "rollback_events", "force_new_deployment", "desired_count", "autoscaling_min", "autoscaling_max")


def _resume_hint(args: argparse.Namespace) -> str:
    flags = "".join(f" -c {c}" for c in getattr(args, "config", []) or [])
    return f"ecsplan wait{flags}"


def _save(plan: Any, path: str, what: str) -> None:
    _app().save_plan(plan, path)
    print(f"Saved the {what} to {path}. Apply exactly this plan with: ecsplan apply {path}", file=sys.stderr)


def _check_outputs(args: argparse.Namespace) -> None:
    """Before the configs are read or AWS is called: the files the command writes can be written."""
    for option in ("out", "summary_file"):
        if getattr(args, option, None):
            _app().check_out_path(getattr(args, option), f"--{option.replace('_', '-')}")


def cmd_plan(args: argparse.Namespace) -> int:
    app = _app()
    _check_outputs(args)
    desired = _desired(args)
    note = app.ignored_keys_note(desired)
    if note:
        print(note, file=sys.stderr)
    ctx = _context(args, desired)
    plan = app.make_plan(ctx, desired, _options(args))
    sys.stdout.write(app.render_plan(plan, args.format, color=_color(args, sys.stdout)))
    if args.summary_file or args.github_step_summary:
        markdown = app.render_plan(plan, "markdown", color=False)
        if args.summary_file:
            app.write_text(args.summary_file, markdown, append=False)
        if args.github_step_summary:
            target = os.environ.get("GITHUB_STEP_SUMMARY")
            if not target:
                raise UsageError("--github-step-summary: GITHUB_STEP_SUMMARY is not set (it is, inside a GitHub Actions job)")
            app.write_text(target, markdown, append=True)
    if args.out:
        _save(plan, args.out, "plan")
    if plan.blocked:
        return EXIT_ERROR if args.detailed_exitcode else EXIT_OK
    if args.detailed_exitcode and plan.has_changes:
        return EXIT_CHANGES
    return EXIT_OK


def _until(args: argparse.Namespace) -> Any:
    """--wait-until as the app's WaitUntil (succeeded when not given)."""
    return _app().WaitUntil(getattr(args, "wait_until", None) or "succeeded")


def _execute(args: argparse.Namespace, ctx: Any, plan: Any, *, done: str) -> int:
    """Hand the plan to the one executor; print what was done and not done when it stops early."""
    app = _app()
    until = _until(args)
    app.check_wait_until(plan, until)
    report = app.run_apply(ctx, plan, wait=not args.no_wait, timeout=args.timeout, resume_hint=_resume_hint(args), until=until,
                           fail_fast=getattr(args, "fail_fast", False), force=getattr(args, "force", False),
                           force_unlock=getattr(args, "force_unlock", False))
    if report.error is not None:
        # Every failed service's error (several may fail in one run), else what stopped the run.
        errors = [o.error for o in report.failed if o.error is not None] or [report.error]
        for err in errors:
            print(f"ecsplan: error: {err}", file=sys.stderr)
        for line in [*app.report_lines(report), *(app.result_lines(report) if report.failed or isinstance(report.error, Interrupted) else [])]:
            print(line, file=sys.stderr)
        if not isinstance(report.error, (*USER_ERRORS, Interrupted)):
            raise report.error  # a bug: the report is printed, then the traceback
        return _exit_code(report.error)
    if len(report.services) > 1:
        print("\n".join(app.result_lines(report)))
    if args.no_wait:
        print(f"{done} (not waited for). Follow the deployment with `{_resume_hint(args)}`.")
    elif until is app.WaitUntil.TRAFFIC_SHIFTED:
        print(f"{done}: traffic shifted in every CodeDeploy deployment (CodeDeploy removes the original task sets after "
              f"their termination wait; follow them with `{_resume_hint(args)}`); every other deployment succeeded.")
    else:
        print(f"{done}: every deployment succeeded.")
    return EXIT_OK


def cmd_apply(args: argparse.Namespace) -> int:
    app = _app()
    app.poll_interval()  # a bad ECSPLAN_POLL_INTERVAL stops apply here, not at its first wait
    if args.planfile and args.config:
        raise UsageError("give a plan file or -c CONFIG, not both: a saved plan already says what to apply")
    # Not truth: --desired-count 0 is given too.
    shaping = [f"--{name.replace('_', '-')}" for name in SHAPING_OPTIONS if getattr(args, name) not in (None, [], "") and getattr(args, name) is not False]
    if args.planfile and shaping:
        raise UsageError(f"{', '.join(shaping)}: plan options shape the plan: pass them to `ecsplan plan --out`")
    if args.no_wait and args.suspend_autoscaling:
        raise UsageError("--suspend-autoscaling resumes auto scaling when the deployment ends, so it needs the wait: drop --no-wait")
    if args.no_wait and args.wait_until:
        raise UsageError("--wait-until says how far to wait, so it needs the wait: drop --no-wait")
    if args.plan_id and not args.planfile:
        raise UsageError("--plan-id checks a saved plan: give the plan file (`ecsplan apply FILE --plan-id ID`)")
    if args.planfile:
        plan = app.planfile.load(args.planfile)  # refuses a file whose content is not its plan_id
        identity = app.planfile.plan_id(plan)
        if args.plan_id:
            app.check_expected_id(identity, args.plan_id, args.planfile)
        ctx = _context(args, region=args.region or plan.region)
    else:
        desired = _desired(args)
        ctx = _context(args, desired)
        plan = app.make_plan(ctx, desired, _options(args))
        sys.stdout.write(app.render_plan(plan, "text", color=_color(args, sys.stdout)))
        if not plan.has_changes:
            return EXIT_OK
        if plan.blocked:
            print("ecsplan: error: the plan has changes that cannot be made in place; nothing was applied", file=sys.stderr)
            return EXIT_ERROR
        if not args.auto_approve and not _confirm("Apply this plan?"):
            print("\nApply cancelled; nothing was changed.", file=sys.stderr)
            return EXIT_ERROR
    if not plan.has_changes:
        print("No changes in the plan; nothing to apply.")
        return EXIT_OK
    if args.planfile:
        print(f"Applying plan {app.planfile.short_id(identity)} ({args.planfile})")
    return _execute(args, ctx, plan, done="Apply complete")


def cmd_wait(args: argparse.Namespace) -> int:
    _app().poll_interval()
    desired = _desired(args, "wait")
    ctx = _context(args, desired)
    until = _until(args)
    _app().run_wait(ctx, desired, timeout=args.timeout, resume_hint=_resume_hint(args), until=until)
    if until is _app().WaitUntil.TRAFFIC_SHIFTED:
        print("Traffic shifted in every CodeDeploy deployment; every other deployment succeeded.")
    else:
        print("Every deployment succeeded.")
    return EXIT_OK


def _confirm(question: str, stream: Any = None) -> bool:
    """Ask on the terminal's output; on stderr when stdout carries a document (JSON, Markdown)."""
    stream = stream or sys.stdout
    stream.write(f"\n{question} Only 'y' or 'yes' goes ahead. [y/N] ")
    stream.flush()
    try:
        answer = sys.stdin.readline().strip().lower()
    except (OSError, ValueError):
        answer = ""
    return answer in ("y", "yes")


def cmd_rollback(args: argparse.Namespace) -> int:
    """A rollback is a plan: shown like any plan, saved with --out, applied by the executor."""
    app = _app()
    if args.deregister and args.no_wait:
        raise UsageError("--deregister deregisters the rolled-back revision once the rollback succeeded, so it needs the wait: drop --no-wait")
    if not args.out:
        app.poll_interval()
    _check_outputs(args)
    desired = _desired(args, "rollback")
    ctx = _context(args, desired)
    plan = app.make_rollback_plan(ctx, desired, deregister=args.deregister)
    sys.stdout.write(app.render_plan(plan, args.format, color=_color(args, sys.stdout)))
    if args.out:
        _save(plan, args.out, "rollback plan")
        return EXIT_OK
    if not args.auto_approve and not _confirm("Roll back?", sys.stdout if args.format == "text" else sys.stderr):
        print("\nRollback cancelled; nothing was changed.", file=sys.stderr)
        return EXIT_ERROR
    return _execute(args, ctx, plan, done="Rollback complete")


def cmd_continue(args: argparse.Namespace) -> int:
    """Answering a paused hook is a plan too: shown, confirmed, applied by the one executor."""
    app = _app()
    app.poll_interval()
    desired = _desired(args, "continue")
    ctx = _context(args, desired)
    plan = app.make_continue_plan(ctx, desired, rollback_deployment=args.rollback)
    sys.stdout.write(app.render_plan(plan, args.format, color=_color(args, sys.stdout)))
    question = "Roll the deployment back?" if args.rollback else "Let the deployment go on?"
    if not args.auto_approve and not _confirm(question, sys.stdout if args.format == "text" else sys.stderr):
        print("\nCancelled; the hook is still waiting and nothing was changed.", file=sys.stderr)
        return EXIT_ERROR
    return _execute(args, ctx, plan, done="Continue complete")


def cmd_status(args: argparse.Namespace) -> int:
    app = _app()
    desired = _desired(args, "status")
    ctx = _context(args, desired)
    states = app.read_status(ctx, desired)
    render = app.render_status_json if args.format == "json" else app.render_status
    sys.stdout.write(render(states, events=args.events))
    return EXIT_OK


def cmd_init(args: argparse.Namespace) -> int:
    ctx = _context(args)
    for path in _app().run_init(ctx, cluster=args.cluster, service=args.service, folder=args.dir, force=args.force):
        print(f"wrote {path}")
    print(f"Check the plan is clean: ecsplan plan -c {os.path.join(args.dir, 'ecsplan.yml')} --detailed-exitcode")
    return EXIT_OK


def cmd_render(args: argparse.Namespace) -> int:
    docs = [
        _app().render_document(d, args.what, task_definition_arn=args.task_definition, region=args.region, unmask=args.unmask)
        for d in _desired(args)
    ]
    doc = docs[0] if len(docs) == 1 else docs
    if args.format == "yaml":
        import yaml  # noqa: PLC0415 - only this format needs it

        sys.stdout.write(yaml.safe_dump(doc, sort_keys=False))
    else:
        sys.stdout.write(json.dumps(doc, indent=2) + "\n")
    return EXIT_OK


def cmd_demo(args: argparse.Namespace) -> int:
    from providers import demo  # noqa: PLC0415 - brings boto3 and the sandbox (fast --help)

    return demo.run(color=_color(args, sys.stdout))


def cmd_sandbox(args: argparse.Namespace) -> int:
    from providers import seed  # noqa: PLC0415 - brings boto3 and the sandbox (fast --help)

    return seed.serve(port=args.port, folder=args.seed, region=args.region, out=sys.stdout, err=sys.stderr)


COMMANDS = {"plan": cmd_plan, "apply": cmd_apply, "wait": cmd_wait, "status": cmd_status, "rollback": cmd_rollback, "continue": cmd_continue, "init": cmd_init, "render": cmd_render, "demo": cmd_demo, "sandbox": cmd_sandbox}


def _interrupt(signum: int, frame: Any) -> None:
    """SIGTERM / SIGHUP as Ctrl-C: a KeyboardInterrupt in the main thread, which the executor
    turns into its stop (no new work, auto scaling ecsplan suspended resumed, done / not done)."""
    raise KeyboardInterrupt(signal.Signals(signum).name)


# Handled like SIGINT; SIGHUP does not exist on Windows.
INTERRUPT_SIGNALS = tuple(getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name))


def _install_signal_handlers() -> dict[int, Any]:
    """The handlers replaced (main() puts them back), none outside the main thread."""
    if threading.current_thread() is not threading.main_thread():
        return {}
    return {signum: signal.signal(signum, _interrupt) for signum in INTERRUPT_SIGNALS}


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not args.command:
        parser.print_help(sys.stderr)
        return EXIT_ERROR
    previous = _install_signal_handlers()
    try:
        apply_ecspresso_environment(args, os.environ)
        return COMMANDS[args.command](args)
    except USER_ERRORS as err:
        print(f"ecsplan: error: {err}", file=sys.stderr)
        return _exit_code(err)
    except KeyboardInterrupt:
        print("\necsplan: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


if __name__ == "__main__":
    sys.exit(main())
