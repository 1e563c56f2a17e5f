"""`ecsplan demo`: the whole loop on an in-process sandbox, no AWS account, no network.

Seeds the sandbox from fixtures/demo/ (cluster, network, a service running nginx 1.25), plans a new
image, applies it with visible progress, re-plans clean, then shows how a rollout that never
becomes healthy is caught: the circuit breaker rolls back and ecsplan says so, where the peers'
`services_stable` waiter reported success (AWS-FACTS.md).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Callable, Iterator

import contextlib

from planner.render import text as render_text
from providers import commands
from providers.session import AwsSettings

DEMO_DIR = Path(__file__).resolve().parent.parent / "fixtures" / "demo"
REGION = "us-east-1"


@contextlib.contextmanager
def _env(**values: str) -> Iterator[None]:
    old = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def _seed_network(ctx: commands.Context) -> dict[str, str]:
    """The VPC, subnet and security group the demo service's awsvpc configuration names."""
    ec2 = ctx.session.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"]
    sg = ec2.create_security_group(GroupName="web", Description="demo web", VpcId=vpc)["GroupId"]
    ctx.session.client("ecs").create_cluster(clusterName="ecsplan-demo")
    return {"DEMO_SUBNET_ID": subnet, "DEMO_SECURITY_GROUP_ID": sg}


def run(*, color: bool, out: Callable[[str], None] = print) -> int:
    from providers import sandbox

    config = str(DEMO_DIR / "ecspresso.yml")
    rel = os.path.relpath(config)

    def heading(text: str) -> None:
        out("")
        out(("\033[1;36m" + text + "\033[0m") if color else text)

    def progress(line: str) -> None:
        out("    " + line)

    with _env(ECSPLAN_POLL_INTERVAL=os.environ.get("ECSPLAN_POLL_INTERVAL", "0.05"), AWS_DEFAULT_REGION=REGION):
        with sandbox.in_process():
            ctx = commands.Context(settings=AwsSettings(region=REGION), progress=progress)
            heading("ecsplan demo: an in-process sandbox (moto + real-ECS rollout behaviour); no AWS account, no network.")
            net = _seed_network(ctx)
            out("Seeding: `ecsplan apply` of the demo service on nginx:1.25 ...")
            with _env(**net, IMAGE_TAG="1.25"):
                seed = commands.make_plan(ctx, commands.load_desired([config]))
                report = commands.run_apply(ctx, seed, wait=True, timeout=None, resume_hint="ecsplan wait")
                if report.error:
                    raise report.error
            out(f"Seeded cluster ecsplan-demo: service web on nginx:1.25, 2 tasks, in subnet {net['DEMO_SUBNET_ID']}.")
            out(f"Config: {rel} (ecspresso format; the image tag comes from {{{{ env `IMAGE_TAG` }}}}).")

            with _env(**net, IMAGE_TAG="1.27"):
                desired = commands.load_desired([config])
                heading(f"1. A new image: IMAGE_TAG=1.27 ecsplan plan -c {rel}")
                plan = commands.make_plan(ctx, desired)
                out(render_text.render(plan, color=color).rstrip())

                heading(f"2. IMAGE_TAG=1.27 ecsplan apply -c {rel} --auto-approve")
                report = commands.run_apply(ctx, plan, wait=True, timeout=None, resume_hint="ecsplan wait")
                if report.error:
                    raise report.error
                out("Apply complete: the new deployment is PRIMARY, runs the new revision, rollout COMPLETED.")

                heading(f"3. Re-plan: IMAGE_TAG=1.27 ecsplan plan -c {rel} --detailed-exitcode")
                again = commands.make_plan(ctx, commands.load_desired([config]))
                out(render_text.render(again, color=color).rstrip())
                out(f"exit code: {2 if again.has_changes else 0}")
                if again.has_changes:
                    out("demo failed: the re-plan is not clean")
                    return 1

            with _env(**net, IMAGE_TAG="broken-1"):
                heading(f"4. An image that never becomes healthy: IMAGE_TAG=broken-1 ecsplan apply -c {rel} --auto-approve")
                bad = commands.make_plan(ctx, commands.load_desired([config]))
                report = commands.run_apply(ctx, bad, wait=True, timeout=None, resume_hint="ecsplan wait")
                if report.error is None:
                    out("demo failed: a broken rollout was reported as a success")
                    return 1
                out(f"ecsplan: error: {report.error}")
                out("exit code: 1. The circuit breaker rolled back; ecsplan reports the failure instead of a green deploy.")

            heading("Done. Point ecsplan at your own ecspresso.yml: `ecsplan plan -c ecspresso.yml`.")
    sys.stdout.flush()
    return 0
