"""Rolling deployments as AWS really runs them, through the CLI in a subprocess against the
sandbox server: a failing rollout is slow (a timeout says what it saw and how to follow), a
circuit-breaker rollback makes the last COMPLETED deployment PRIMARY again (apply and wait name
both deployments; wait follows the rollback and reports it as one), and a service behind a
Classic Load Balancer has no rolloutState (judged by its task counts).

Timing is by polls (ECSPLAN_POLL_INTERVAL=0; the sandbox moves one step per DescribeServices):
`--timeout 0s` is exactly one poll."""

from __future__ import annotations

import json

from providers import sandbox

BROKEN = {"IMAGE_TAG": "broken-1"}


def apply_ok(project, *args, env=None):
    res = project.run("apply", "--auto-approve", *args, env=env)
    assert res.returncode == 0, res.stdout + res.stderr
    return res


def deployments(project):
    return project.aws.service()["deployments"]


def poll(project, times):
    """What a DescribeServices poll by someone else (the console, another waiter) does: the
    sandbox moves one step."""
    for _ in range(times):
        project.aws.service()


# ---- 3. failures are slow: a timeout while the rollout fails --------------------------------


def test_timeout_during_a_failing_rollout_says_what_it_saw_and_how_to_follow(project):
    big = {"DESIRED_COUNT": "10"}  # the circuit breaker trips at max(3, ceil(10 / 2)) = 5 failed tasks
    apply_ok(project, env=big)
    res = project.run("apply", "--auto-approve", "--timeout", "0s", env={**big, **BROKEN})
    assert res.returncode == 1, res.stdout + res.stderr
    err = res.stderr
    assert "timed out after 0s" in err
    failed = sandbox.FAILED_TASKS_PER_POLL  # one poll
    assert f"{failed} of 5 failed tasks" in err  # what it saw, and the circuit breaker's threshold
    assert "failed container health checks" in err  # the failures seen (service events)
    assert "ECS may still roll back" in err and "`ecsplan wait`" in err

    # Following it as told: the circuit breaker trips at the 5th failed task; wait says so.
    waited = project.run("wait", env={**big, **BROKEN})
    assert waited.returncode == 1, waited.stdout + waited.stderr
    assert "circuit breaker" in waited.stderr and "rolled back to web:1" in waited.stderr


def test_timeout_without_circuit_breaker_says_ecs_retries_for_ever(project):
    sd = project.path / "ecs-service-def.json"
    sd.write_text(sd.read_text().replace('"enable": true, "rollback": true', '"enable": false, "rollback": false'))
    apply_ok(project)
    res = project.run("apply", "--auto-approve", "--timeout", "0s", env=BROKEN)
    assert res.returncode == 1
    assert "circuit breaker is off" in res.stderr and "retries" in res.stderr


# ---- 4. a circuit-breaker rollback: the last COMPLETED deployment is PRIMARY again -----------


def test_failed_apply_names_the_failed_deployment_and_the_one_ecs_rolled_back_to(project):
    apply_ok(project)
    (good,) = deployments(project)
    res = project.run("apply", "--auto-approve", env=BROKEN)
    assert res.returncode == 1, res.stdout + res.stderr
    (failed,) = [d for d in deployments(project) if d["rolloutState"] == "FAILED"]
    assert f"deployment {failed['id']} (web:2) failed: ECS deployment circuit breaker" in res.stderr
    assert f"ECS rolled back to web:1 (deployment {good['id']})" in res.stderr
    assert "`ecsplan wait`" in res.stderr  # the rollback goes on: how to follow it


def test_wait_started_during_a_rollback_follows_it_and_reports_a_rollback(project):
    apply_ok(project)
    (good,) = deployments(project)
    apply_ok(project, "--no-wait", env=BROKEN)
    poll(project, 3)  # the circuit breaker trips at the 3rd failed task (desiredCount 2)
    primary, failed = deployments(project)  # one more poll: the rollback's first step
    assert (primary["id"], primary["rolloutState"], failed["rolloutState"]) == (good["id"], "IN_PROGRESS", "FAILED")

    waited = project.run("wait", env=BROKEN)
    out = waited.stdout
    assert waited.returncode == 1, out + waited.stderr  # a rollback is no success
    assert f"ECS is rolling back deployment {failed['id']} (web:2) to deployment {good['id']} (web:1)" in out
    assert "rolled back" in waited.stderr and "completed" not in waited.stderr.split("rolled back")[0]
    assert f"deployment {good['id']} completed" not in out  # not the success of a new deployment
    # Only the events from the wait's start on: the rollback's completion, not the failed tasks
    # nor the first rollout.
    events = [line for line in out.splitlines() if ": event: " in line]
    assert events, out
    assert not any("failed container health checks" in e or "has started" in e for e in events), events
    assert any("deployment completed" in e for e in events)


# ---- 5. no rolloutState behind a Classic Load Balancer --------------------------------------


CLASSIC = ("-c", "classic/ecsplan.yml")


def write_classic_project(project):
    """Beside the demo: an EC2 service in bridge mode behind a Classic Load Balancer (Fargate
    cannot use one), in the demo's cluster; run with -c classic/ecsplan.yml."""
    path = project.path / "classic"
    path.mkdir()
    (path / "ecsplan.yml").write_text(
        "region: us-east-1\ncluster: ecsplan-demo\nservice: legacy\n"
        "service_definition: service.json\ntask_definition: task.json\ntimeout: 1m\n"
    )
    (path / "task.json").write_text(json.dumps({
        "family": "legacy",
        "requiresCompatibilities": ["EC2"],
        "networkMode": "bridge",
        "containerDefinitions": [{
            "name": "web", "image": "public.ecr.aws/nginx/nginx:{{ env `IMAGE_TAG` `1.25` }}",
            "memory": 128, "essential": True, "portMappings": [{"containerPort": 80, "hostPort": 0}],
        }],
    }))
    (path / "service.json").write_text(json.dumps({
        "launchType": "EC2",
        "desiredCount": 2,
        "loadBalancers": [{"loadBalancerName": "legacy-clb", "containerName": "web", "containerPort": 80}],
    }))


def test_classic_load_balancer_service_is_judged_by_its_task_counts(project):
    write_classic_project(project)
    created = apply_ok(project, *CLASSIC)
    assert "rolloutState is not available behind a Classic Load Balancer" in created.stdout
    res = apply_ok(project, *CLASSIC, env={"IMAGE_TAG": "1.27"})
    out = res.stdout
    assert "rolloutState is not available behind a Classic Load Balancer" in out
    (only,) = project.aws.service(name="legacy")["deployments"]
    assert "rolloutState" not in only and only["taskDefinition"].endswith("legacy:2")
    assert f"deployment {only['id']} reached its desired count" in out and "running 2/2" in out
    assert project.run("plan", *CLASSIC, "--detailed-exitcode", env={"IMAGE_TAG": "1.27"}).returncode == 0
