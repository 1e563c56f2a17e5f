"""`ecsplan sandbox --seed DIR`: make a sandbox hold what the projects below DIR need to plan clean.

For each config below DIR (found and loaded as `-c DIR` finds and loads them), the seeding
creates, in the sandbox:

1. the cluster;
2. the subnets and security groups the service definition's ``awsvpcConfiguration`` names, with
   exactly those ids (the sandbox's ECS refuses a service whose network does not exist; the
   VPC holding them gets a fresh id), and the target groups ``loadBalancers[].targetGroupArn``
   names, with exactly that ARN (providers/sandbox/fixed_ids.py);
3. the task definitions and services as the project declares them: an apply of the project's
   own plan, waited for, as `ecsplan demo` seeds itself.

After it, `ecsplan plan -c DIR --detailed-exitcode` against the sandbox exits 0.

A config that cannot be loaded is skipped, and said so, and the others are seeded: a lookup the
project makes (an SSM parameter, a tfstate in S3, a CloudFormation output...) reads the sandbox,
which has no such value, and a value cannot be invented; likewise a `must_env` variable that is
not set. Nothing is seeded for that project (a half-seeded project would plan as changes for
reasons that are not the user's). A project whose apply fails (the sandbox refuses a request) is
skipped the same way, with what the sandbox said; what was applied before stays. Not seeded:
CodeDeploy applications and deployment groups, load balancers and listeners, Lambda hooks, auto
scaling targets.

`--seed` naming a missing folder, or a folder without a config, is an error before the server
starts (exit 1).
"""

from __future__ import annotations

import os
import shlex
import signal
import threading
from collections.abc import Callable, Sequence
from typing import Any, TextIO

import attrs

from planner.config import CONFIG_NAMES, find_configs
from planner.errors import ConfigError, Interrupted, PlannerError
from planner.model import Controller, DesiredService
from providers import app
from providers.demo import environ_set
from providers.errors import ProviderError
from providers.sandbox import fixed_ids
from providers.session import AwsSettings, aws_errors


@attrs.frozen
class SeedReport:
    seeded: tuple[str, ...] = ()  # config paths whose services were created (or were there)
    skipped: tuple[tuple[str, str], ...] = ()  # (config path, why)


def _network(d: DesiredService) -> tuple[list[str], list[str]]:
    awsvpc = ((d.service_definition.get("networkConfiguration") or {}).get("awsvpcConfiguration")) or {}
    return [str(s) for s in awsvpc.get("subnets") or []], [str(g) for g in awsvpc.get("securityGroups") or []]


def _target_groups(d: DesiredService) -> list[str]:
    return [str(lb["targetGroupArn"]) for lb in d.service_definition.get("loadBalancers") or [] if lb.get("targetGroupArn")]


def seed(folder: str, *, endpoint_url: str, region: str, say: Callable[[str], None]) -> SeedReport:
    """Seed the sandbox at `endpoint_url` (running in this process) from the configs below
    `folder`; `region`: for configs without `region:`. `say` gets one line per step. Raises
    ConfigError when `folder` is missing or holds no config."""
    settings = AwsSettings(region=region, endpoint_url=endpoint_url)
    loaded: list[tuple[str, DesiredService]] = []
    skipped: list[tuple[str, str]] = []
    for path in find_configs([folder]):
        try:
            # One config at a time, so that a failing lookup skips only its project.
            loaded.extend((path, d) for d in app.load_project([path], settings))
        except (PlannerError, ProviderError) as err:
            skipped.append((path, str(err)))
            say(f"skipped {path}: {err}")
    seeded: list[str] = []
    by_region: dict[str, list[tuple[str, DesiredService]]] = {}
    for path, d in loaded:
        by_region.setdefault(d.region or region, []).append((path, d))
    with environ_set(ECSPLAN_POLL_INTERVAL=os.environ.get("ECSPLAN_POLL_INTERVAL", "0.05")):
        for name, items in sorted(by_region.items()):
            done, problems = _seed_region(name, items, endpoint_url=endpoint_url, say=say)
            seeded.extend(done)
            skipped.extend(problems)
    return SeedReport(seeded=tuple(seeded), skipped=tuple(skipped))


def _seed_region(
    region: str, items: Sequence[tuple[str, DesiredService]], *, endpoint_url: str, say: Callable[[str], None]
) -> tuple[list[str], list[tuple[str, str]]]:
    ctx = app.Context(settings=AwsSettings(region=region, endpoint_url=endpoint_url), progress=lambda line: None)
    ecs = ctx.session.client("ecs")
    problems: list[tuple[str, str]] = []
    ready: list[tuple[str, DesiredService]] = []
    for path, d in items:
        try:
            if not d.task_definition_only:
                _cluster(ecs, d.ref.cluster, say)
                subnets, groups = _network(d)
                for made in fixed_ids.create_network(region, subnets, groups):
                    say(f"created {made} in {region}")
                for arn in _target_groups(d):
                    if fixed_ids.create_target_group(arn):
                        say(f"created target group {arn}")
                if d.controller is Controller.CODE_DEPLOY:
                    say(f"note: {d.ref} is CODE_DEPLOY: the sandbox has no CodeDeploy deployment group for it; "
                        "plans are clean, a deployment through CodeDeploy needs one")
        except (PlannerError, ProviderError) as err:
            problems.append((path, str(err)))
            say(f"skipped {path}: {err}")
            continue
        ready.append((path, d))
    if not ready:
        return [], problems
    done: list[str] = []
    # One plan per config: a project that fails to apply does not stop the others.
    for path in dict.fromkeys(p for p, _ in ready):
        desired = [d for p, d in ready if p == path]
        try:
            plan = app.make_plan(ctx, desired)
            if plan.has_changes:
                report = app.run_apply(ctx, plan, wait=True, timeout=None, resume_hint="ecsplan wait")
                if report.error is not None:
                    raise report.error
        except Interrupted:
            raise  # Ctrl-C while seeding ends the command (exit 130), it skips no project
        except (PlannerError, ProviderError) as err:
            problems.append((path, str(err)))
            say(f"skipped {path}: {err}")
            continue
        say(f"seeded {path}: {', '.join(str(d.ref) for d in desired)}")
        done.append(path)
    return done, problems


def _cluster(ecs: Any, name: str, say: Callable[[str], None]) -> None:
    with aws_errors(f"creating the cluster {name}"):
        _create_cluster(ecs, name, say)


def _create_cluster(ecs: Any, name: str, say: Callable[[str], None]) -> None:
    found = ecs.describe_clusters(clusters=[name]).get("clusters") or []
    if any(c.get("status") == "ACTIVE" for c in found):
        return
    ecs.create_cluster(clusterName=name)
    say(f"created cluster {name}")


# ---- `ecsplan sandbox`: the server in the foreground ----------------------------------------

CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}  # any value: moto checks none


class _Stop(Exception):
    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


def _raise_stop(signum: int, frame: Any) -> None:
    raise _Stop(signum)


def environment(endpoint_url: str, region: str) -> list[str]:
    """The lines a shell can `eval`: where the sandbox is, dummy credentials, the region."""
    values = {"AWS_ENDPOINT_URL": endpoint_url, **CREDENTIALS, "AWS_REGION": region, "AWS_DEFAULT_REGION": region}
    return [f"export {name}={shlex.quote(value)}" for name, value in values.items()]


def serve(*, port: int, folder: str | None, region: str, out: TextIO, err: TextIO) -> int:
    """Start the sandbox server, seed it from `folder`, print the environment on `out` (only the
    export lines) and the rest on `err`, then serve until SIGINT or SIGTERM: both stop it
    cleanly, print one line and return 0 (stopping is how a foreground server ends). Ctrl-C
    while seeding is an interruption: KeyboardInterrupt reaches the CLI (exit 130)."""
    from providers import sandbox  # noqa: PLC0415 - needs moto, the optional `sandbox` extra

    if folder is not None and not os.path.isdir(folder):
        raise ConfigError("no such folder", where=f"--seed {folder}")
    if folder is not None:
        try:
            find_configs([folder])  # a folder without a config is an error before anything starts
        except ConfigError as error:
            raise ConfigError(f"no config below this folder (looked for {', '.join(CONFIG_NAMES)})", where=f"--seed {folder}") from error
    server = sandbox.start_server(port)
    previous = signal.signal(signal.SIGTERM, _raise_stop)
    try:
        if folder is not None:
            with environ_set(**CREDENTIALS, AWS_REGION=region):
                report = seed(folder, endpoint_url=server.endpoint_url, region=region,
                              say=lambda line: print(f"ecsplan sandbox: {line}", file=err, flush=True))
            if report.skipped:
                print(f"ecsplan sandbox: seeded {len(report.seeded)} config(s); {len(report.skipped)} skipped "
                      "(see above): their lookups or variables have no value in the sandbox", file=err, flush=True)
        signal.signal(signal.SIGINT, _raise_stop)  # from here on, Ctrl-C is how the server ends
        for line in environment(server.endpoint_url, region):
            print(line, file=out)
        out.flush()
        hint = f" Then: ecsplan plan -c {folder} --detailed-exitcode." if folder else ""
        print(f"ecsplan sandbox: serving on {server.endpoint_url}; `eval` the lines above in your shell.{hint} "
              "Ctrl-C stops it (its state goes with it).", file=err, flush=True)
        threading.Event().wait()
    except _Stop as stop:
        print(f"ecsplan sandbox: stopped ({stop}).", file=err, flush=True)
    finally:
        signal.signal(signal.SIGTERM, previous)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        server.stop()
    return 0
