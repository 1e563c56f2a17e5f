"""The building blocks of `make bench` (tests/bench.py) on two services: seeding (one rolling,
one CODE_DEPLOY), one measurement (the bare minimum, through the launcher), the calls counted,
the report rendered. The figures themselves are not asserted (no timed tests): `make bench` is
where they are read. An `ecsplan plan` measurement is left out: it would add ~1 s of CPU."""

from __future__ import annotations

import json
from collections import Counter

from tests import bench
from tests.helpers_cli import MUTATING


def test_bench_seeds_a_mixed_fleet_and_measures_the_bare_minimum(aws, tmp_path, monkeypatch):
    monkeypatch.setattr(bench, "CODE_DEPLOY_EVERY", 2)  # service 0 rolling, 1 CODE_DEPLOY
    fleet = bench.Fleet(aws.server, tmp_path)

    folder, spec = bench.plan_fleet(fleet, 2)
    assert aws.server.requests == []  # seeding's requests forgotten

    assert sorted(p.name for p in folder.iterdir()) == ["svc-000", "svc-001"]
    assert json.loads(spec.read_text())["services"] == ["svc-000", "svc-001"]
    services = aws.client("ecs").describe_services(cluster=bench.CLUSTER, services=["svc-000", "svc-001"])["services"]
    assert [s["deploymentController"]["type"] for s in services] == ["ECS", "CODE_DEPLOY"]
    assert [s["deployments"][0]["rolloutState"] for s in services[:1]] == ["COMPLETED"]  # rollouts finished
    assert [s["taskDefinition"].rsplit("/", 1)[1] for s in services] == ["svc-000:1", "svc-001:1"]
    groups = aws.client("codedeploy").list_deployment_groups(applicationName="AppECS-bench-svc-001")
    assert groups["deploymentGroups"] == ["DgpECS-bench-svc-001"]

    bare = bench.measure_bare(fleet, spec)

    # One DescribeServices for both names, then one DescribeTaskDefinition each; nothing else.
    assert bare.calls == Counter({"DescribeServices": 1, "DescribeTaskDefinition": 2})
    assert not set(bare.calls) & MUTATING
    assert bare.returncode == 0 and bare.seconds > 0
    assert 10 < bare.peak_mb < 1000  # the child's own, not this process's (which holds the server)

    row = {"n": 2, "code_deploy": 1, "plan": bare, "bare": bare, "clean": False, "latency_ms": 25}
    text = bench.report([row], bare, bare, 0.2, 1.0)
    assert f"|   2 |  1 |     25 | {bare.seconds:>6.2f} | {bare.seconds:>6.2f} |     1.00x |     3 |      5 |" in text
    assert "DescribeTaskDefinition=2 DescribeServices=1 |" in text
    assert "NOTE: plan showed changes for N = 2." in text
