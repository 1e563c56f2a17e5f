"""The normalisation corpus, driven through the sandbox: for every case, an apply of the user's
files, then a plan must show no change for it. Each case in process (providers.app, as the CLI
calls it, over HTTP to the sandbox server: tests/helpers_cli.py), in a sandbox of its own; a few
cases together through the CLI, one `ecsplan apply` and one `ecsplan plan` for all of them.

The sandbox answers as AWS does (providers/sandbox.py fills in what real ECS fills in), so a
re-plan that is not clean is either the sandbox not yet returning what AWS returns, or a
normalisation rule the planner lacks: tests/test_corpus.py tells the two apart on the written
AWS responses. Cases with `roundtrip_skip` in case.yaml are ones the sandbox cannot host.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from planner import template
from tests.helpers_cli import Project

pytest.importorskip("moto")

CORPUS = Path(__file__).resolve().parent.parent / "fixtures" / "corpus"
REGION = "us-east-1"
# {{ env `NAME` `default` }} (either quote style), as the corpus files write their IDs.
TEMPLATE_VAR = re.compile(r"""\{\{-?\s*env\s+[`"](\w+)[`"]\s+[`"]([^`"]*)[`"]\s*-?\}\}""")


def _cases() -> list:
    out = []
    for path in sorted(p for p in CORPUS.iterdir() if p.is_dir()):
        spec = yaml.safe_load((path / "case.yaml").read_text(encoding="utf-8"))
        marks = [pytest.mark.skip(reason=spec["roundtrip_skip"])] if spec.get("roundtrip_skip") else []
        out.append(pytest.param(path, spec, id=path.name, marks=marks))
    return out


def _variables(case_dir: Path) -> dict[str, str]:
    """The template variables the user's files read, with their defaults."""
    found: dict[str, str] = {}
    for name in ("ecs-task-def.json", "ecs-service-def.json"):
        for var, default in TEMPLATE_VAR.findall((case_dir / name).read_text(encoding="utf-8")):
            found[var] = default
    return found


class CaseSetup:
    """The account resources a case's templates name, created in the sandbox: its cluster, a
    VPC with its subnets and security groups, its target groups behind an ALB listener (and,
    for CODE_DEPLOY, the green twin of the blue target group); `env` maps each template
    variable to the real ID."""

    def __init__(self, client, case_dir: Path, spec: dict):
        self.client, self.case_dir, self.spec = client, case_dir, spec
        self.target_groups: list[str] = []
        self.listener = ""
        self.env = self._seed(_variables(case_dir))

    def _seed(self, variables: dict[str, str]) -> dict[str, str]:
        ec2, elb = self.client("ec2"), self.client("elbv2")
        self.client("ecs").create_cluster(clusterName=self.spec["cluster"])
        vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
        env: dict[str, str] = {}
        subnets = sorted(v for v in variables if v.startswith("SUBNET_"))
        for i, var in enumerate(subnets):
            env[var] = ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.0.{i + 1}.0/24",
                                         AvailabilityZone=f"{REGION}{'abcdef'[i]}")["Subnet"]["SubnetId"]
        for var in sorted(v for v in variables if v.startswith("SECURITY_GROUP")):
            env[var] = ec2.create_security_group(GroupName=var.lower(), Description=var, VpcId=vpc)["GroupId"]
        groups = sorted(v for v in variables if v.startswith("TARGET_GROUP"))
        if groups:
            lb_subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.0.{100 + i}.0/24",
                                            AvailabilityZone=f"{REGION}{az}")["Subnet"]["SubnetId"]
                          for i, az in enumerate("ab")]
            lb = elb.create_load_balancer(Name=f"{self.spec['service']}-lb"[:32], Subnets=lb_subnets)["LoadBalancers"][0]
            names = [variables[v].split(":targetgroup/")[1].split("/")[0] for v in groups]
            if self.spec["controller"] == "CODE_DEPLOY":
                names.append(re.sub(r"-blue$", "", names[0]) + "-green")
            arns = {name: elb.create_target_group(Name=name, Protocol="HTTP", Port=80, VpcId=vpc, TargetType="ip")
                    ["TargetGroups"][0]["TargetGroupArn"] for name in names}
            env.update({var: arns[name] for var, name in zip(groups, names)})
            self.target_groups = names
            self.listener = elb.create_listener(
                LoadBalancerArn=lb["LoadBalancerArn"], Protocol="HTTP", Port=80,
                DefaultActions=[{"Type": "forward", "TargetGroupArn": arns[names[0]]}],
            )["Listeners"][0]["ListenerArn"]
        return env

    def write(self, folder: Path) -> Path:
        """The user's two files with the real IDs rendered in (the configs of several cases are
        planned together: each its own IDs), and an ecspresso.yml; returns the config."""
        folder.mkdir(parents=True)
        for name in ("ecs-task-def.json", "ecs-service-def.json"):
            source = self.case_dir / name
            (folder / name).write_text(template.render(source.read_text(encoding="utf-8"), source=str(source), environ=self.env),
                                       encoding="utf-8")
        config = folder / "ecspresso.yml"
        config.write_text(yaml.safe_dump({
            "region": REGION, "cluster": self.spec["cluster"], "service": self.spec["service"],
            "service_definition": "ecs-service-def.json", "task_definition": "ecs-task-def.json", "timeout": "5m",
        }), encoding="utf-8")
        return config

    def seed_codedeploy(self) -> None:
        """The application and deployment group, created after the service as AWS requires."""
        from providers import demo

        demo.seed_codedeploy(self.client, {"DEMO_LISTENER_ARN": self.listener}, cluster=self.spec["cluster"],
                             service=self.spec["service"], target_groups=(self.target_groups[0], self.target_groups[-1]))


def _not_clean(service: dict[str, Any]) -> list[str]:
    """What a service's entry in `ecsplan plan --format json` plans, one line per change."""
    shown = [f"{a['type']}: {c['path']}: {json.dumps(c['before'])} -> {json.dumps(c['after'])}"
             for a in service["actions"] for c in a["changes"]]
    shown += [f"blocked: {b['path']}: {b['reason']}" for b in service["blocked"]]
    if service["changed"] and not shown:
        shown.append(f"{service['service']}: changed")
    return shown


@pytest.mark.parametrize("case_dir, spec", _cases())
def test_apply_then_plan_is_clean(aws, tmp_path, case_dir, spec):
    setup = CaseSetup(aws.client, case_dir, spec)
    config = setup.write(tmp_path / case_dir.name)
    user = Project(tmp_path, aws)
    user.deploy(config=[config])
    if spec["controller"] == "CODE_DEPLOY":
        setup.seed_codedeploy()
    (service,) = user.plan_document(config=[config])["services"]
    shown = _not_clean(service)
    assert shown == [], "re-plan after apply is not clean:\n  " + "\n  ".join(shown)


# A rolling Fargate service, a CODE_DEPLOY one and an EC2 DAEMON one.
THROUGH_THE_CLI = ("01-fargate-web-secrets-awslogs", "10-codedeploy-bluegreen-swapped", "19-ec2-daemon-host-network")


def test_a_few_cases_in_one_apply_and_one_plan_through_the_cli(aws, tmp_path):
    setups, configs = [], []
    for param in _cases():
        if param.id in THROUGH_THE_CLI:
            case_dir, spec = param.values
            setup = CaseSetup(aws.client, case_dir, spec)
            configs += ["-c", str(setup.write(tmp_path / case_dir.name))]
            setups.append(setup)
    assert len(setups) == len(THROUGH_THE_CLI)
    user = Project(tmp_path, aws)
    applied = user.run("apply", "--auto-approve", *configs)
    assert applied.returncode == 0, f"ecsplan apply of the cases failed:\n{applied.stdout}{applied.stderr}"
    for setup in setups:
        if setup.spec["controller"] == "CODE_DEPLOY":
            setup.seed_codedeploy()
    planned = user.run("plan", "--detailed-exitcode", "--format", "json", *configs)
    assert planned.returncode in (0, 2) and planned.stdout.startswith("{"), planned.stdout + planned.stderr
    services = json.loads(planned.stdout)["services"]
    assert sorted(s["service"] for s in services) == sorted(s.spec["service"] for s in setups)
    shown = [line for s in services for line in _not_clean(s)]
    assert shown == [] and planned.returncode == 0, "re-plan after apply is not clean:\n  " + "\n  ".join(shown)


# ---- the sandbox returns what the corpus says AWS returns ----------------------------------

# Set by AWS at registration / creation, never compared (they differ per account and run).
TASK_READ_ONLY = {"taskDefinitionArn", "revision", "status", "requiresAttributes", "compatibilities",
                  "registeredAt", "registeredBy", "deregisteredAt"}
# Service fields compared with aws-service.json: those the sandbox models and that carry no
# account-specific IDs (subnets, security groups and target groups differ per sandbox).
SERVICE_FIELDS = ("launchType", "capacityProviderStrategy", "platformVersion", "platformFamily",
                  "deploymentConfiguration", "placementConstraints", "placementStrategy",
                  "healthCheckGracePeriodSeconds", "schedulingStrategy", "deploymentController",
                  "enableECSManagedTags", "propagateTags", "enableExecuteCommand", "serviceRegistries",
                  "availabilityZoneRebalancing")


def _pruned(value: Any) -> Any:
    """Without empty lists/objects and nulls (the sandbox need not spell out every empty list
    AWS returns; the planner treats them as absent), with name/key lists in name order."""
    if isinstance(value, dict):
        out = {k: _pruned(v) for k, v in value.items()}
        out = {k: v for k, v in out.items() if v not in (None, [], {})}
        for key, field in (("environment", "name"), ("tags", "key")):
            if isinstance(out.get(key), list):
                out[key] = sorted(out[key], key=lambda e: str(e.get(field)))
        return out
    if isinstance(value, list):
        return [_pruned(v) for v in value]
    return value


def _rendered(case_dir: Path, name: str, environ: dict[str, str]) -> dict:
    path = case_dir / name
    return json.loads(template.render(path.read_text(encoding="utf-8"), source=str(path), environ=environ))


@pytest.mark.parametrize("case_dir, spec", _cases())
def test_sandbox_describes_the_task_definition_as_aws_does(aws, case_dir, spec):
    task = _rendered(case_dir, "ecs-task-def.json", {})
    ecs = aws.client("ecs")
    arn = ecs.register_task_definition(**task)["taskDefinition"]["taskDefinitionArn"]
    got = ecs.describe_task_definition(taskDefinition=arn, include=["TAGS"])
    want = json.loads((case_dir / "aws-task-definition.json").read_text(encoding="utf-8"))
    for doc in (got, want):
        doc.pop("ResponseMetadata", None)
        for key in TASK_READ_ONLY:
            doc["taskDefinition"].pop(key, None)
    assert _pruned(got) == _pruned(want)


@pytest.mark.parametrize("case_dir, spec", _cases())
def test_sandbox_describes_the_service_as_aws_does(aws, case_dir, spec):
    setup = CaseSetup(aws.client, case_dir, spec)
    ecs = aws.client("ecs")
    task = _rendered(case_dir, "ecs-task-def.json", {})
    arn = ecs.register_task_definition(**task)["taskDefinition"]["taskDefinitionArn"]
    service = _rendered(case_dir, "ecs-service-def.json", setup.env)
    service.setdefault("desiredCount", 0 if service.get("schedulingStrategy") != "DAEMON" else None)
    service = {k: v for k, v in service.items() if v is not None}
    ecs.create_service(cluster=spec["cluster"], serviceName=spec["service"], taskDefinition=arn, **service)
    got = ecs.describe_services(cluster=spec["cluster"], services=[spec["service"]], include=["TAGS"])["services"][0]
    want = json.loads((case_dir / "aws-service.json").read_text(encoding="utf-8"))
    # Assumptions the sandbox does not take a side on (see the cases' notes): whether a
    # CODE_DEPLOY service reports a circuit breaker, whether a DAEMON service reports
    # availabilityZoneRebalancing; placement constraints are a set.
    skip = {"deploymentConfiguration"} if spec["controller"] == "CODE_DEPLOY" else set()
    if service.get("schedulingStrategy") == "DAEMON":
        skip.add("availabilityZoneRebalancing")
    fields = [f for f in SERVICE_FIELDS if f not in skip]
    for doc in (got, want):
        doc["placementConstraints"] = sorted(doc.get("placementConstraints") or [], key=str)
    assert _pruned({f: got.get(f) for f in fields}) == _pruned({f: want.get(f) for f in fields})
    assert sorted(got.get("tags") or [], key=str) == sorted(want.get("tags") or [], key=str)
