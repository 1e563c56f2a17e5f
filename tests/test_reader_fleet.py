"""A fleet read through the reader against the sandbox: the API-call budget of one plan (issue
#12: ceil(N/10) + N + 2 calls for N rolling services with distinct families), and the same live
picture whatever the parallelism."""

from __future__ import annotations

import json
import math
from collections import Counter

import attrs
import pytest

from planner.model import ReadTarget
from providers import app
from providers.reader import AwsReader
from providers.session import Session
from tests.helpers_cli import REGION

CLUSTERS = ("ecsplan-demo", "fleet-b")
N = 12


def write_fleet(project, n=N):
    """n rolling EC2 services, each with its own family, half in each cluster, below fleet/."""
    project.aws.client("ecs").create_cluster(clusterName=CLUSTERS[1])
    for i in range(n):
        path = project.path / "fleet" / f"svc{i:02d}"
        path.mkdir(parents=True)
        (path / "ecsplan.yml").write_text(
            f"region: {REGION}\ncluster: {CLUSTERS[i % 2]}\nservice: svc{i:02d}\n"
            "service_definition: service.json\ntask_definition: task.json\ntimeout: 1m\n"
        )
        (path / "task.json").write_text(json.dumps({
            "family": f"fam{i:02d}",
            "requiresCompatibilities": ["EC2"],
            "networkMode": "bridge",
            "containerDefinitions": [{"name": "app", "image": "public.ecr.aws/nginx/nginx:1.25", "memory": 128, "essential": True}],
        }))
        (path / "service.json").write_text(json.dumps({"launchType": "EC2", "desiredCount": 1}))


@pytest.fixture
def fleet(project):
    write_fleet(project)
    project.deploy(config=["fleet"])
    with project._environ(None) as environ:
        desired = project._desired(["fleet"], environ)
    assert len(desired) == N
    return project, desired


def fresh_context(project, parallelism=8):
    """A run of its own: its own session (clients, the caller identity), as the CLI makes one."""
    settings = app.AwsSettings(region=REGION, endpoint_url=project.aws.endpoint_url)
    return app.Context(settings=settings, progress=lambda line: None, parallelism=parallelism)


def calls_of_plan(project, desired):
    with project._environ(None):
        ctx = fresh_context(project)
        project.aws.server.clear_requests()
        plan = app.make_plan(ctx, desired)
        return plan, Counter(r.action for r in project.aws.server.requests)


def test_a_plan_of_a_fleet_stays_within_the_call_budget(fleet):
    project, desired = fleet
    plan, calls = calls_of_plan(project, desired)
    assert not plan.has_changes and not plan.blocked
    # One DescribeServices per cluster (6 names each), one DescribeTaskDefinition per family: its
    # latest revision is the one the service runs, so it serves both; the caller identity once.
    assert calls == {"DescribeServices": 2, "DescribeTaskDefinition": N, "GetCallerIdentity": 1}
    assert sum(calls.values()) <= math.ceil(N / 10) + N + 2


def test_a_service_behind_its_familys_latest_revision_costs_one_more_call(fleet):
    """A newer revision registered, not deployed: the running one is read too, and compared."""
    project, desired = fleet
    running = project.aws.service(name="svc00")["taskDefinition"]
    newer = project.aws.client("ecs").register_task_definition(
        family="fam00", requiresCompatibilities=["EC2"], networkMode="bridge",
        containerDefinitions=[{"name": "app", "image": "public.ecr.aws/nginx/nginx:1.27", "memory": 128, "essential": True}],
    )["taskDefinition"]["taskDefinitionArn"]
    plan, calls = calls_of_plan(project, desired)
    assert calls == {"DescribeServices": 2, "DescribeTaskDefinition": N + 1, "GetCallerIdentity": 1}
    assert not plan.has_changes  # the definitions match what runs (1.25), not the newer 1.27
    with project._environ(None):
        live = AwsReader(Session(fresh_context(project).settings)).read([ReadTarget.of(d) for d in desired])
    states = {ref.service: state for ref, state in live.items()}
    assert states["svc00"].task_definition is not None and states["svc00"].task_definition.arn == running
    assert states["svc00"].latest_task_definition == newer != running
    others = [s for name, s in states.items() if name != "svc00"]
    assert all(s.task_definition is not None and s.latest_task_definition == s.task_definition.arn for s in others)


def with_ref(target, **ref):
    return attrs.evolve(target, ref=attrs.evolve(target.ref, **ref))


def test_the_live_picture_is_the_same_whatever_the_parallelism(fleet):
    project, desired = fleet
    # A missing service too: its family's latest revision is read instead.
    targets = [ReadTarget.of(d) for d in desired] + [with_ref(ReadTarget.of(desired[0]), service="gone")]
    with project._environ(None):
        session = Session(fresh_context(project).settings)
        reads = [AwsReader(session, parallelism=p, history=True, autoscaling=True).read(targets) for p in (1, 8, 1)]
    assert reads[0] == reads[1] == reads[2]
    assert list(reads[1]) == [t.ref for t in targets]
    gone = reads[1][targets[-1].ref]
    assert gone.service is None and gone.task_definition is not None and gone.task_definition.arn.endswith("task-definition/fam00:1")
    assert all(s.service is not None and s.task_definition is not None for s in list(reads[1].values())[:N])
    assert {s.service.description["serviceName"] for s in list(reads[1].values())[:N] if s.service} == {f"svc{i:02d}" for i in range(N)}
