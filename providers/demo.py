"""`ecsplan demo`: the whole loop on an in-process sandbox, no AWS account, no network.

Seeds the sandbox from fixtures/demo/ (cluster, network, a service running nginx 1.25), plans a new
image, applies it with visible progress, re-plans clean, then shows how a rollout that never
becomes healthy is caught: the circuit breaker rolls back and ecsplan says so, where the peers'
`services_stable` waiter reported success (AWS-FACTS.md).
"""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path
from typing import Any, Callable, Iterator

from planner.desired import load_desired
from planner.model import PlanOptions
from planner.plan import Plan
from planner.render import text as render_text
from providers import app
from providers.session import AwsSettings

DEMO_DIR = Path(__file__).resolve().parent.parent / "fixtures" / "demo"
REGION = "us-east-1"


@contextlib.contextmanager
def environ_set(**values: str) -> Iterator[None]:
    """These environment variables set while the block runs, then as they were."""
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


Client = Callable[[str], Any]


def seed_network(client: Client, cluster: str = "ecsplan-demo") -> dict[str, str]:
    """The VPC, subnets, security group and cluster the demo services name; returns the values
    their templates read (DEMO_SUBNET_ID, ...)."""
    ec2 = client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24", AvailabilityZone=f"{REGION}a")["Subnet"]["SubnetId"]
    subnet_b = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.2.0/24", AvailabilityZone=f"{REGION}b")["Subnet"]["SubnetId"]
    sg = ec2.create_security_group(GroupName="web", Description="demo web", VpcId=vpc)["GroupId"]
    client("ecs").create_cluster(clusterName=cluster)
    return {"DEMO_VPC_ID": vpc, "DEMO_SUBNET_ID": subnet, "DEMO_SUBNET_B_ID": subnet_b, "DEMO_SECURITY_GROUP_ID": sg}


def seed_load_balancer(client: Client, net: dict[str, str]) -> dict[str, str]:
    """An ALB with a listener and the blue/green pair of target groups CodeDeploy switches between."""
    elb = client("elbv2")
    lb = elb.create_load_balancer(
        Name="web-bg", Subnets=[net["DEMO_SUBNET_ID"], net["DEMO_SUBNET_B_ID"]], SecurityGroups=[net["DEMO_SECURITY_GROUP_ID"]]
    )["LoadBalancers"][0]["LoadBalancerArn"]
    tgs = [
        elb.create_target_group(Name=name, Protocol="HTTP", Port=80, VpcId=net["DEMO_VPC_ID"], TargetType="ip")["TargetGroups"][0]["TargetGroupArn"]
        for name in ("web-bg-blue", "web-bg-green")
    ]
    listener = elb.create_listener(
        LoadBalancerArn=lb, Protocol="HTTP", Port=80, DefaultActions=[{"Type": "forward", "TargetGroupArn": tgs[0]}]
    )["Listeners"][0]["ListenerArn"]
    return {"DEMO_TARGET_GROUP_ARN": tgs[0], "DEMO_TARGET_GROUP_GREEN_ARN": tgs[1], "DEMO_LISTENER_ARN": listener}


def seed_native_load_balancer(client: Client, net: dict[str, str], lb: dict[str, str]) -> dict[str, str]:
    """For the ECS-native blue/green service: its pair of target groups (ECS swaps which one is
    production after each deployment) and the listener rule whose traffic ECS shifts, on the
    listener of `seed_load_balancer` (DEMO_LISTENER_ARN)."""
    elb = client("elbv2")
    blue, green = (
        elb.create_target_group(Name=name, Protocol="HTTP", Port=80, VpcId=net["DEMO_VPC_ID"], TargetType="ip")["TargetGroups"][0]["TargetGroupArn"]
        for name in ("web-native-blue", "web-native-green")
    )
    rule = elb.create_rule(
        ListenerArn=lb["DEMO_LISTENER_ARN"], Priority=10,
        Conditions=[{"Field": "path-pattern", "Values": ["/native/*"]}],
        Actions=[{"Type": "forward", "TargetGroupArn": blue}],
    )["Rules"][0]["RuleArn"]
    return {"DEMO_NATIVE_BLUE_ARN": blue, "DEMO_NATIVE_GREEN_ARN": green, "DEMO_NATIVE_RULE_ARN": rule}


def seed_codedeploy(client: Client, lb: dict[str, str], *, cluster: str = "ecsplan-demo", service: str = "web-bg",
                    application: str | None = None, group: str | None = None,
                    target_groups: tuple[str, str] = ("web-bg-blue", "web-bg-green")) -> tuple[str, str]:
    """The CodeDeploy application (compute platform ECS) and the deployment group for the service,
    named as `aws ecs deploy` names them; created after the service, as AWS requires. `lb` holds
    the listener (DEMO_LISTENER_ARN); `target_groups` names the blue/green pair."""
    application = application or f"AppECS-{cluster}-{service}"
    group = group or f"DgpECS-{cluster}-{service}"
    cd = client("codedeploy")
    cd.create_application(applicationName=application, computePlatform="ECS")
    cd.create_deployment_group(
        applicationName=application,
        deploymentGroupName=group,
        serviceRoleArn="arn:aws:iam::123456789012:role/ecsCodeDeployRole",
        deploymentConfigName="CodeDeployDefault.ECSAllAtOnce",
        deploymentStyle={"deploymentType": "BLUE_GREEN", "deploymentOption": "WITH_TRAFFIC_CONTROL"},
        blueGreenDeploymentConfiguration={
            "terminateBlueInstancesOnDeploymentSuccess": {"action": "TERMINATE", "terminationWaitTimeInMinutes": 0},
            "deploymentReadyOption": {"actionOnTimeout": "CONTINUE_DEPLOYMENT"},
        },
        loadBalancerInfo={
            "targetGroupPairInfoList": [
                {
                    "targetGroups": [{"name": name} for name in target_groups],
                    "prodTrafficRoute": {"listenerArns": [lb["DEMO_LISTENER_ARN"]]},
                }
            ]
        },
        ecsServices=[{"serviceName": service, "clusterName": cluster}],
    )
    return application, group


def run(*, color: bool, out: Callable[[str], None] = print) -> int:
    from providers import sandbox  # noqa: PLC0415 - needs moto, the optional `sandbox` extra

    config = str(DEMO_DIR / "ecspresso.yml")
    rel = os.path.relpath(config)

    def heading(text: str) -> None:
        out("")
        out(("\033[1;36m" + text + "\033[0m") if color else text)

    def progress(line: str) -> None:
        out("    " + line)

    def apply(plan: Plan) -> None:
        report = app.run_apply(ctx, plan, wait=True, timeout=None, resume_hint="ecsplan wait")
        if report.error:
            raise report.error

    def replan_is_clean(configs: list[str], why: str = "") -> bool:
        again = app.make_plan(ctx, load_desired(configs))
        out(render_text.render(again, color=color).rstrip())
        out(f"exit code: {2 if again.has_changes else 0}{why}")
        if again.has_changes:
            out("demo failed: the re-plan is not clean")
        return not again.has_changes

    with environ_set(ECSPLAN_POLL_INTERVAL=os.environ.get("ECSPLAN_POLL_INTERVAL", "0.05"), AWS_DEFAULT_REGION=REGION):
        with sandbox.in_process():
            ctx = app.Context(settings=AwsSettings(region=REGION), progress=progress)
            heading("ecsplan demo: an in-process sandbox (moto + real-ECS rollout behaviour); no AWS account, no network.")
            net = seed_network(ctx.session.client)
            out("Seeding: `ecsplan apply` of the demo service on nginx:1.25 ...")
            with environ_set(**net, IMAGE_TAG="1.25"):
                apply(app.make_plan(ctx, load_desired([config])))
            out(f"Seeded cluster ecsplan-demo: service web on nginx:1.25, 2 tasks, in subnet {net['DEMO_SUBNET_ID']}.")
            out(f"Config: {rel} (ecspresso format; the image tag comes from {{{{ env `IMAGE_TAG` }}}}).")

            with environ_set(**net, IMAGE_TAG="1.27"):
                desired = load_desired([config])
                heading(f"1. A new image: IMAGE_TAG=1.27 ecsplan plan -c {rel}")
                plan = app.make_plan(ctx, desired)
                out(render_text.render(plan, color=color).rstrip())

                heading(f"2. IMAGE_TAG=1.27 ecsplan apply -c {rel} --auto-approve")
                apply(plan)
                out("Apply complete: the new deployment is PRIMARY, runs the new revision, rollout COMPLETED.")

                heading(f"3. Re-plan: IMAGE_TAG=1.27 ecsplan plan -c {rel} --detailed-exitcode")
                if not replan_is_clean([config]):
                    return 1

            with environ_set(**net, IMAGE_TAG="broken-1"):
                heading(f"4. An image that never becomes healthy: IMAGE_TAG=broken-1 ecsplan apply -c {rel} --auto-approve")
                bad = app.make_plan(ctx, load_desired([config]))
                report = app.run_apply(ctx, bad, wait=True, timeout=None, resume_hint="ecsplan wait")
                if report.error is None:
                    out("demo failed: a broken rollout was reported as a success")
                    return 1
                out(f"ecsplan: error: {report.error}")
                out("exit code: 1. The circuit breaker rolled back; ecsplan reports the failure instead of a green deploy.")

            # Blue/green: a CODE_DEPLOY service beside the rolling one, planned together.
            bg_config = str(DEMO_DIR / "bluegreen" / "ecspresso.yml")
            folder = os.path.relpath(DEMO_DIR)
            lb = seed_load_balancer(ctx.session.client, net)
            with environ_set(**net, **lb, IMAGE_TAG="1.25"):
                heading("5. A blue/green service (deploymentController CODE_DEPLOY) behind an ALB with two target groups")
                out("Seeding: `ecsplan apply` of web-bg on nginx:1.25, then its CodeDeploy application, deployment group")
                out("and an auto scaling target, as a team would have them ...")
                apply(app.make_plan(ctx, load_desired([bg_config])))
                seed_codedeploy(ctx.session.client, lb)
                ctx.session.client("application-autoscaling").register_scalable_target(
                    ServiceNamespace="ecs", ResourceId="service/ecsplan-demo/web-bg",
                    ScalableDimension="ecs:service:DesiredCount", MinCapacity=1, MaxCapacity=4,
                )
            with environ_set(**net, **lb, IMAGE_TAG="1.27"):
                flags = "--suspend-autoscaling --rollback-events DEPLOYMENT_FAILURE"
                options = PlanOptions(suspend_autoscaling=True, rollback_events=("DEPLOYMENT_FAILURE",))
                heading(f"6. Both services in one plan: IMAGE_TAG=1.27 ecsplan plan -c {folder} {flags}")
                plan = app.make_plan(ctx, load_desired([str(DEMO_DIR)]), options)
                out(render_text.render(plan, color=color).rstrip())

                heading(f"7. IMAGE_TAG=1.27 ecsplan apply -c {folder} {flags} --auto-approve")
                apply(plan)
                out("Apply complete: CodeDeploy Succeeded, the service runs the new revision, auto scaling resumed.")

                heading(f"8. Re-plan: IMAGE_TAG=1.27 ecsplan plan -c {folder} --detailed-exitcode")
                if not replan_is_clean([str(DEMO_DIR)], " (CodeDeploy swapped the target groups; that is not a change)"):
                    return 1

            # ECS-native blue/green: deploymentController ECS, strategy BLUE_GREEN; no CodeDeploy.
            native_config = str(DEMO_DIR.parent / "native" / "ecspresso.yml")
            native_rel = os.path.relpath(native_config)
            native_lb = seed_native_load_balancer(ctx.session.client, net, lb)
            with environ_set(**net, **lb, **native_lb, IMAGE_TAG="1.25"):
                heading("9. An ECS-native blue/green service (strategy BLUE_GREEN, a Lambda hook, bake time), beside the others")
                out("Seeding: `ecsplan apply` of web-native on nginx:1.25 ...")
                apply(app.make_plan(ctx, load_desired([native_config])))
            with environ_set(**net, **lb, **native_lb, IMAGE_TAG="1.27"):
                heading(f"10. IMAGE_TAG=1.27 ecsplan apply -c {native_rel} --auto-approve")
                plan = app.make_plan(ctx, load_desired([native_config]))
                out(render_text.render(plan, color=color).rstrip())
                apply(plan)
                out("Apply complete: the service deployment is SUCCESSFUL, its bake time over; ECS swapped the target groups.")
                if not replan_is_clean([native_config], " (the swapped target groups are not a change)"):
                    return 1
            with environ_set(**net, **lb, **native_lb, IMAGE_TAG="1.28", DEMO_HOOK="ValidateFail"):
                heading(f"11. A hook that fails: IMAGE_TAG=1.28 DEMO_HOOK=ValidateFail ecsplan apply -c {native_rel} --auto-approve")
                report = app.run_apply(ctx, app.make_plan(ctx, load_desired([native_config])), wait=True, timeout=None, resume_hint="ecsplan wait")
                if report.error is None:
                    out("demo failed: a failed hook was reported as a success")
                    return 1
                out(f"ecsplan: error: {report.error}")
                out("exit code: 1. ECS rolled the service deployment back; ecsplan names the hook that failed.")

            heading("Done. Point ecsplan at your own ecspresso.yml: `ecsplan plan -c ecspresso.yml`.")
    sys.stdout.flush()
    return 0
