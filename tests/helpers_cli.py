"""Running ecsplan against the sandbox server, shared by the tests (conftest.py makes the
fixtures): `Aws` (clients and recorded requests of the worker's sandbox server), `Project` (a
folder of config files, run with the CLI as a user runs it, or with the same commands through
providers.app) and `BlueGreen` (the demo's CODE_DEPLOY service).

`Project.run` is `ecsplan ARGS` through cli.main in this process, with the environment, working
folder and standard streams a subprocess would have; its exit code is main's. A subprocess
(`run_process`, `popen`, `run_on_tty`) costs ~0.5 s of CPU to start (boto3, deepdiff) on a
suite that runs on 2 cores: it is kept for what only a process shows (signals, a terminal, two
runs at once, the interpreter's own exit). The helpers beside (`plan`, `deploy`, `save_plan`,
...) call providers.app directly, for what a test needs done before or beside what it tests."""

from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
import sys
import traceback
from pathlib import Path
from typing import Any, Iterator, Mapping, Sequence

import boto3

from providers import app, demo
from providers.session import Session

ROOT = Path(__file__).resolve().parent.parent
REGION = "us-east-1"
MUTATING = {
    "RegisterTaskDefinition", "CreateService", "UpdateService", "DeleteService", "TagResource",
    "UntagResource", "CreateDeployment", "RegisterScalableTarget", "DeregisterTaskDefinition",
}

# boto3 clients by (endpoint, service): making one costs ~25 ms of CPU (it loads the service
# model), and every test of a worker talks to the same sandbox server.
_CLIENTS: dict[tuple[str, str], Any] = {}


# providers.session.Session by settings, for the runs in process: a Session makes its boto3
# clients (~90 ms each: a new boto3 session loads the endpoint and service models again) and
# reads the caller identity once. Shared while it holds nothing else: state of one run kept in
# a Session would leak from test to test.
_SESSIONS: dict[Any, Session] = {}


def resealed(doc: dict[str, Any]) -> str:
    """An edited plan document with its plan_id recomputed (what an attacker who knows the
    scheme would do): the id check passes, the other checks are what must refuse it."""
    doc = dict(doc, plan_id=app.planfile.plan_id(app.planfile.from_document(doc, source="(test)")))
    return json.dumps(doc)


class Aws:
    def __init__(self, server):
        self.server = server
        self.endpoint_url = server.endpoint_url

    def client(self, name):
        key = (self.endpoint_url, name)
        if key not in _CLIENTS:
            _CLIENTS[key] = boto3.client(name, region_name=REGION, endpoint_url=self.endpoint_url,
                                         aws_access_key_id="testing", aws_secret_access_key="testing")
        return _CLIENTS[key]

    def mutations(self):
        return [r for r in self.server.requests if r.action in MUTATING]

    def service(self, cluster="ecsplan-demo", name="web"):
        return self.client("ecs").describe_services(cluster=cluster, services=[name], include=["TAGS"])["services"][0]


class Project:
    """A folder of config files run against the sandbox; `env` holds what the templates read.
    The demo project (fixtures/demo, `seed()` creating the VPC/subnet/security group/cluster its
    service definition names) unless made otherwise."""

    def __init__(self, path: Path, aws: Aws, env: Mapping[str, str] | None = None):
        self.path = path
        self.aws = aws
        self.env = dict(env or {})
        self.endpoint_url = aws.endpoint_url  # where ecsplan's calls go: the sandbox, or a FaultProxy before it

    def through(self, proxy: Any) -> Project:
        """ecsplan's calls (CLI and in process) go through `proxy` (the `faults` fixture's
        FaultProxy); the test's own setup and checks (`aws`) still go to the sandbox directly."""
        self.endpoint_url = proxy.endpoint_url
        return self

    @classmethod
    def demo(cls, path: Path, aws: Aws) -> Project:
        ec2 = aws.client("ec2")
        vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
        subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"]
        sg = ec2.create_security_group(GroupName="web", Description="web", VpcId=vpc)["GroupId"]
        aws.client("ecs").create_cluster(clusterName="ecsplan-demo")
        return cls(path, aws, {"DEMO_SUBNET_ID": subnet, "DEMO_SECURITY_GROUP_ID": sg, "IMAGE_TAG": "1.25"})

    # ---- the CLI in a subprocess ---------------------------------------------------------------

    def run_on_tty(self, *args, env=None):
        """Run with stdout on a pseudo-terminal, as in a person's shell; returns what it printed."""
        import pty

        leader, follower = pty.openpty()
        proc = self.popen(args, env, stdout=follower)
        os.close(follower)
        chunks = []
        while True:
            try:
                data = os.read(leader, 65536)
            except OSError:  # the follower side closed: the process is done
                break
            if not data:
                break
            chunks.append(data)
        proc.wait(timeout=120)
        os.close(leader)
        return b"".join(chunks).decode()

    def popen(self, args, env, **kwargs):
        return subprocess.Popen([sys.executable, str(ROOT / "cli.py"), *args], cwd=self.path, env=self._env(env),
                                stdin=subprocess.DEVNULL, stderr=subprocess.DEVNULL, **kwargs)

    def _env(self, env):
        full_env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_") and k != "NO_COLOR"}
        full_env.update(
            AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing", AWS_REGION=REGION,
            AWS_ENDPOINT_URL=self.endpoint_url, ECSPLAN_POLL_INTERVAL="0", NO_COLOR="1",
        )
        full_env.update(self.env)
        full_env.update(env or {})
        return {k: v for k, v in full_env.items() if v is not None}

    def run_process(self, *args, env=None, stdin=subprocess.DEVNULL, input=None):
        """`ecsplan ARGS` in a subprocess: for what only a process shows (signals, the exit of
        the interpreter itself, a pipe or terminal, two runs at once)."""
        full_env = self._env(env)
        kwargs = {"input": input} if input is not None else {"stdin": stdin}
        return subprocess.run([sys.executable, str(ROOT / "cli.py"), *args], cwd=self.path, env=full_env,
                              capture_output=True, text=True, timeout=120, **kwargs)

    def run(self, *args, env=None, stdin=None, input=None):
        """`ecsplan ARGS` as the user types it, run in this process: cli.main with the
        environment, working folder, stdin, stdout and stderr the subprocess would have, and
        its exit code (argparse's SystemExit included). An exception escaping main is printed
        as the interpreter would print it (a Traceback on stderr, exit 1), so a test that says
        "no traceback" still sees one. Costs a fraction of a subprocess (no interpreter start,
        no boto3 import)."""
        import cli  # here: helpers_cli is imported by tests that never run the CLI

        out, err = io.StringIO(), io.StringIO()
        saved = (sys.stdin, sys.stdout, sys.stderr, os.getcwd())
        with self._environ(env):
            sys.stdin, sys.stdout, sys.stderr = io.StringIO(input or ""), out, err
            os.chdir(self.path)
            try:
                code = cli.main(list(args))
            except SystemExit as exit_:
                code = exit_.code if isinstance(exit_.code, int) else (0 if exit_.code is None else 1)
                if isinstance(exit_.code, str):
                    err.write(exit_.code + "\n")
            except BaseException:  # noqa: BLE001 - shown as the interpreter shows it
                err.write(traceback.format_exc())
                code = 1
            finally:
                sys.stdin, sys.stdout, sys.stderr = saved[:3]
                os.chdir(saved[3])
        return subprocess.CompletedProcess(["ecsplan", *args], code, out.getvalue(), err.getvalue())

    # ---- the same commands in process ----------------------------------------------------------
    # `config` is what -c would name (relative to the project folder); none: the project's config.

    @contextlib.contextmanager
    def _environ(self, env: Mapping[str, str | None] | None) -> Iterator[dict[str, str]]:
        """os.environ as the CLI subprocess would have it (credentials, endpoint,
        ECSPLAN_POLL_INTERVAL=0, the templates' variables), restored afterwards."""
        full_env = self._env(env)
        saved = dict(os.environ)
        os.environ.clear()
        os.environ.update(full_env)
        try:
            yield full_env
        finally:
            os.environ.clear()
            os.environ.update(saved)

    def _desired(self, config: Sequence[str | Path], environ: Mapping[str, str]) -> list[Any]:
        return app.load_desired([str(c) for c in config], cwd=str(self.path), environ=environ)

    def _context(self, desired: Sequence[Any], progress: list[str]) -> Any:
        settings = app.AwsSettings(region=app.region_for(desired, None), endpoint_url=self.endpoint_url)
        if settings not in _SESSIONS:
            _SESSIONS[settings] = Session(settings)
        return app.Context(settings=settings, progress=progress.append, session=_SESSIONS[settings])

    def plan(self, *, env=None, config: Sequence[str | Path] = (), rollback: bool = False, options: Any = None) -> Any:
        """The Plan `ecsplan plan` (or `ecsplan rollback`) makes; `options`: its plan options (PlanOptions)."""
        with self._environ(env) as environ:
            desired = self._desired(config, environ)
            ctx = self._context(desired, [])
            return app.make_rollback_plan(ctx, desired) if rollback else app.make_plan(ctx, desired, options or app.PlanOptions())

    def plan_document(self, *, env=None, config: Sequence[str | Path] = ()) -> dict[str, Any]:
        """What `ecsplan plan --format json` prints, parsed."""
        return json.loads(app.render_plan(self.plan(env=env, config=config), "json", color=False))

    def plan_text(self, *, env=None, config: Sequence[str | Path] = ()) -> str:
        """What `ecsplan plan` prints, without colour."""
        return app.render_plan(self.plan(env=env, config=config), "text", color=False)

    def assert_plans_clean(self, *, env=None, config: Sequence[str | Path] = (), options: Any = None) -> None:
        """`ecsplan plan --detailed-exitcode` would exit 0: no change, nothing blocked."""
        plan = self.plan(env=env, config=config, options=options)
        assert not plan.has_changes and not plan.blocked, app.render_plan(plan, "text", color=False)

    def save_plan(self, path: Path, *, env=None, config: Sequence[str | Path] = (), rollback: bool = False) -> Path:
        """What `ecsplan plan --out PATH` (or `ecsplan rollback --out PATH`) saves."""
        app.planfile.save(self.plan(env=env, config=config, rollback=rollback), str(path))
        return path

    def deploy(self, *, env=None, config: Sequence[str | Path] = (), wait: bool = True) -> list[str]:
        """What `ecsplan apply --auto-approve [--no-wait]` does; returns its progress lines."""
        progress: list[str] = []
        with self._environ(env) as environ:
            desired = self._desired(config, environ)
            ctx = self._context(desired, progress)
            plan = app.make_plan(ctx, desired)
            assert not plan.blocked, plan.blocked
            report = app.run_apply(ctx, plan, wait=wait, timeout=None, resume_hint="ecsplan wait")
        assert report.error is None, f"{report.error}\n" + "\n".join(progress)
        return progress

    def wait(self, *, env=None, config: Sequence[str | Path] = ()) -> list[str]:
        """What `ecsplan wait` does; returns its progress lines."""
        progress: list[str] = []
        with self._environ(env) as environ:
            desired = self._desired(config, environ)
            app.run_wait(self._context(desired, progress), desired, timeout=None, resume_hint="ecsplan wait")
        return progress


class BlueGreen(Project):
    """fixtures/demo/bluegreen: a CODE_DEPLOY service behind an ALB with a blue/green target group
    pair. `create()` makes the service with ecsplan (in process), then its CodeDeploy application
    and group and an auto scaling target, as a team would have them."""

    def __init__(self, path: Path, aws: Aws):
        env = demo.seed_network(aws.client)
        env.update(demo.seed_load_balancer(aws.client, env))
        env["IMAGE_TAG"] = "1.25"
        super().__init__(path, aws, env)

    def create(self, *, codedeploy=True, scalable_target=True):
        self.deploy()
        if codedeploy:
            self.application, self.group = demo.seed_codedeploy(self.aws.client, self.env)
        if scalable_target:
            self.aws.client("application-autoscaling").register_scalable_target(
                ServiceNamespace="ecs", ResourceId="service/ecsplan-demo/web-bg",
                ScalableDimension="ecs:service:DesiredCount", MinCapacity=1, MaxCapacity=4)
        self.aws.server.clear_requests()
        return self

    def scalable_target(self):
        return self.aws.client("application-autoscaling").describe_scalable_targets(
            ServiceNamespace="ecs", ResourceIds=["service/ecsplan-demo/web-bg"])["ScalableTargets"][0]


class NativeBlueGreen(Project):
    """fixtures/native: an ECS-native blue/green service (deploymentController ECS, strategy
    BLUE_GREEN) behind an ALB listener rule with a pair of target groups ECS swaps."""

    def __init__(self, path: Path, aws: Aws):
        env = demo.seed_network(aws.client)
        lb = demo.seed_load_balancer(aws.client, env)
        env.update(lb)
        env.update(demo.seed_native_load_balancer(aws.client, env, lb))
        env["IMAGE_TAG"] = "1.25"
        super().__init__(path, aws, env)

    def set_strategy(self, strategy: str, **configuration: Any) -> None:
        """Make the service definition's strategy `strategy`, with more deploymentConfiguration
        members (linearConfiguration=..., canaryConfiguration=...)."""
        path = self.path / "ecs-service-def.json"
        extra = "".join(f"\n    {json.dumps(k)}: {json.dumps(v)}," for k, v in configuration.items())
        path.write_text(path.read_text().replace('"strategy": "BLUE_GREEN",', f'"strategy": "{strategy}",{extra}', 1))
