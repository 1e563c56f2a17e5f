"""Shared fixtures: one sandbox server (moto + real-ECS behaviours) on 127.0.0.1 for the session,
reset before each test; a demo project copied into tmp_path with its network created; and a
runner for the CLI in a subprocess, as a user runs it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import boto3
import pytest

ROOT = Path(__file__).resolve().parent.parent
REGION = "us-east-1"
MUTATING = {
    "RegisterTaskDefinition", "CreateService", "UpdateService", "DeleteService", "TagResource",
    "UntagResource", "CreateDeployment", "RegisterScalableTarget", "DeregisterTaskDefinition",
}


@pytest.fixture(scope="session")
def sandbox_server():
    from providers import sandbox

    server = sandbox.start_server()
    yield server
    server.stop()


@pytest.fixture
def aws(sandbox_server):
    sandbox_server.reset()
    return Aws(sandbox_server)


class Aws:
    def __init__(self, server):
        self.server = server
        self.endpoint_url = server.endpoint_url

    def client(self, name):
        return boto3.client(name, region_name=REGION, endpoint_url=self.endpoint_url,
                            aws_access_key_id="testing", aws_secret_access_key="testing")

    def mutations(self):
        return [r for r in self.server.requests if r.action in MUTATING]

    def service(self, cluster="ecsplan-demo", name="web"):
        return self.client("ecs").describe_services(cluster=cluster, services=[name], include=["TAGS"])["services"][0]


class Project:
    """fixtures/demo copied to tmp_path, with the VPC/subnet/security group/cluster its service
    definition names; `env` holds what the templates read."""

    def __init__(self, path: Path, aws: Aws):
        self.path = path
        self.aws = aws
        ec2 = aws.client("ec2")
        vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
        subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"]
        sg = ec2.create_security_group(GroupName="web", Description="web", VpcId=vpc)["GroupId"]
        aws.client("ecs").create_cluster(clusterName="ecsplan-demo")
        self.env = {"DEMO_SUBNET_ID": subnet, "DEMO_SECURITY_GROUP_ID": sg, "IMAGE_TAG": "1.25"}

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
            AWS_ENDPOINT_URL=self.aws.endpoint_url, ECSPLAN_POLL_INTERVAL="0", NO_COLOR="1",
        )
        full_env.update(self.env)
        full_env.update(env or {})
        return {k: v for k, v in full_env.items() if v is not None}

    def run(self, *args, env=None, stdin=subprocess.DEVNULL, input=None):
        full_env = self._env(env)
        kwargs = {"input": input} if input is not None else {"stdin": stdin}
        return subprocess.run([sys.executable, str(ROOT / "cli.py"), *args], cwd=self.path, env=full_env,
                              capture_output=True, text=True, timeout=120, **kwargs)


@pytest.fixture
def project(tmp_path, aws):
    dest = tmp_path / "demo"
    shutil.copytree(ROOT / "fixtures" / "demo", dest, ignore=shutil.ignore_patterns("bluegreen"))
    return Project(dest, aws)


class BlueGreen(Project):
    """fixtures/demo/bluegreen: a CODE_DEPLOY service behind an ALB with a blue/green target group
    pair. `create()` makes the service with ecsplan, then its CodeDeploy application and group
    and an auto scaling target, as a team would have them."""

    def __init__(self, path: Path, aws: Aws):
        from providers import demo

        self.path, self.aws = path, aws
        self.env = demo.seed_network(aws.client)
        self.env.update(demo.seed_load_balancer(aws.client, self.env))
        self.env["IMAGE_TAG"] = "1.25"

    def create(self, *, codedeploy=True, scalable_target=True):
        from providers import demo

        res = self.run("apply", "--auto-approve")
        assert res.returncode == 0, res.stdout + res.stderr
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


@pytest.fixture
def bluegreen(tmp_path, aws):
    dest = tmp_path / "bluegreen"
    shutil.copytree(ROOT / "fixtures" / "demo" / "bluegreen", dest)
    return BlueGreen(dest, aws)
