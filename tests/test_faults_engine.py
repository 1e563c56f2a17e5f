"""Faults ecsplan survives or explains (issue 13), through the fault proxy in front of the
sandbox (`faults`, providers/sandbox/faults.py), in process: throttling and 5xx during plan,
apply and wait; a wait whose reads fail longer than botocore retries; a stalled read and the
hard --timeout; a reply lost after a write that happened. The CLI's side (exit codes, messages
on stderr): tests/test_cli_faults.py."""

from __future__ import annotations

import threading

import pytest

from planner.errors import Interrupted, WaitTimeout
from planner.model import LiveService, ServiceRef
from planner.rollout import expectation_in_progress
from providers.session import AwsSettings, Session, call_budget
from providers.wait import AwsWaiter
from tests.helpers_cli import REGION

REF = ServiceRef(cluster="ecsplan-demo", service="web")


def _waiting(project, aws, faults, monkeypatch):
    """web deployed, then 1.26 applied without waiting; a waiter whose calls go through the proxy."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    project.deploy()
    project.deploy(env={"IMAGE_TAG": "1.26"}, wait=False)
    described = aws.service()
    expect = expectation_in_progress(LiveService(arn=described["serviceArn"], description=described))
    session = Session(AwsSettings(region=REGION, endpoint_url=faults.endpoint_url))
    return AwsWaiter(session, sleep=lambda _: None), expect


def test_the_time_left_bounds_each_calls_attempts_and_timeouts():
    assert call_budget(600) == (2, 60.0)
    assert call_budget(30) == (2, 8.0)
    assert call_budget(9) == (2, 2.0)
    assert call_budget(8.9) == (0, 2.0)
    assert call_budget(1.5) == (0, 1.0)
    for left in (1000, 100, 40, 12, 9):
        retries, seconds = call_budget(left)
        assert (retries + 1) * seconds + 3 <= left


def test_throttling_and_5xx_during_plan_and_apply_are_survived(project, aws, faults, no_backoff):
    project.deploy()
    aws.server.clear_requests()
    project.through(faults)
    rules = [
        faults.throttle("sts", times=1),
        faults.throttle("ecs", "DescribeServices", times=3),
        faults.fail("ecs", "DescribeTaskDefinition", times=2, status=500),
        faults.throttle("ecs", "RegisterTaskDefinition", times=2),
        faults.fail("ecs", "RegisterTaskDefinition", times=1),  # not done: the family's latest is not ours, so retried
        faults.fail("ecs", "UpdateService", times=1),
    ]
    progress = project.deploy(env={"IMAGE_TAG": "1.26"})
    assert [r.hits for r in rules] == [1, 3, 2, 2, 1, 1]
    assert [r.action for r in aws.mutations()] == ["TagResource", "RegisterTaskDefinition", "UpdateService", "UntagResource"]  # the lock around the writes
    assert aws.service()["taskDefinition"].endswith("task-definition/web:2")
    assert not [line for line in progress if "warning" in line or "note" in line], progress


def test_reads_that_fail_longer_than_botocore_retries_are_retried_by_the_wait_with_one_warning(project, aws, faults, no_backoff, monkeypatch):
    waiter, expect = _waiting(project, aws, faults, monkeypatch)
    rule = faults.fail("ecs", "DescribeServices", times=7)  # two polls of three attempts fail, then one attempt
    lines: list[str] = []
    waiter.wait_rolling(REF, expect, 600, lines.append)
    assert rule.hits == 7
    assert [line for line in lines if "warning" in line] == [
        "ecsplan-demo/web: warning: describing service web in cluster ecsplan-demo: ServiceUnavailable: injected 503; retrying until the timeout"
    ]
    assert lines[-1].startswith("ecsplan-demo/web: ") and "web:2" in lines[-1] and "timed out" not in lines[-1], lines


def test_a_refusal_while_waiting_is_not_retried(project, aws, faults, monkeypatch):
    waiter, expect = _waiting(project, aws, faults, monkeypatch)
    faults.deny("ecs", "DescribeServices")
    with pytest.raises(Exception, match="AccessDeniedException") as err:
        waiter.wait_rolling(REF, expect, 600, [].append)
    assert type(err.value).__name__ == "AwsError" and faults.calls.count(("ecs", "DescribeServices", "deny")) == 1


def test_a_stalled_read_ends_the_wait_at_its_timeout_saying_the_deployment_goes_on(project, aws, faults, monkeypatch):
    waiter, expect = _waiting(project, aws, faults, monkeypatch)
    faults.stall("ecs", "DescribeServices")
    with pytest.raises(WaitTimeout) as err:
        waiter.wait_rolling(REF, expect, 1.0, [].append)
    message = str(err.value)
    assert message.startswith("ecsplan-demo/web: timed out after 1s waiting for deployment ecs-svc/"), message
    assert message.endswith(
        f'; the last call failed (describing service web in cluster ecsplan-demo: Read timeout on endpoint URL: "{faults.endpoint_url}/"). '
        "The deployment goes on in AWS: follow it with `ecsplan wait`, or raise --timeout / `timeout:` in the config"
    ), message


# ---- a reply lost after the write happened ------------------------------------------------------


def test_a_lost_reply_to_register_task_definition_reuses_the_revision_it_registered(project, aws, faults, no_backoff):
    project.deploy()
    aws.server.clear_requests()
    faults.drop("ecs", "RegisterTaskDefinition")
    progress = project.through(faults).deploy(env={"IMAGE_TAG": "1.26"})
    arn = aws.service()["taskDefinition"]
    assert arn.endswith("task-definition/web:2")
    assert f"note: the reply to registering task definition web was lost; AWS had done it: registered {arn} (the family's latest revision equals the definition)" in progress
    assert [r.action for r in aws.mutations()] == ["TagResource", "RegisterTaskDefinition", "UpdateService", "UntagResource"]
    assert aws.client("ecs").list_task_definitions(familyPrefix="web")["taskDefinitionArns"][-1] == arn  # no web:3


def test_a_lost_reply_to_create_service_is_recognised(project, aws, faults, no_backoff):
    faults.drop("ecs", "CreateService")
    progress = project.through(faults).deploy()
    service = aws.service()
    assert service["status"] == "ACTIVE"
    assert f"ecsplan-demo/web: note: the reply to creating service web in cluster ecsplan-demo was lost; AWS had done it: created service {service['serviceArn']} (it runs web:1)" in progress
    assert [r.action for r in aws.mutations()] == ["RegisterTaskDefinition", "CreateService"]
    assert f"ecsplan-demo/web: create_service: created service {service['serviceArn']}" in progress, progress


def test_a_lost_reply_to_update_service_is_retried_by_botocore_to_the_same_end(project, aws, faults, no_backoff):
    project.deploy()
    aws.server.clear_requests()
    faults.drop("ecs", "UpdateService")
    progress = project.through(faults).deploy(env={"IMAGE_TAG": "1.26"})
    assert [r.action for r in aws.mutations()] == ["TagResource", "RegisterTaskDefinition", "UpdateService", "UpdateService", "UntagResource"]
    service = aws.service()
    assert service["taskDefinition"].endswith("web:2") and [d["status"] for d in service["deployments"]] == ["PRIMARY"]
    assert not [line for line in progress if "note" in line or "warning" in line], progress


def test_a_lost_reply_to_create_deployment_is_the_deployment_it_started(bluegreen, aws, faults, no_backoff):
    bg = bluegreen.create(scalable_target=False)
    faults.drop("codedeploy", "CreateDeployment")
    progress = bg.through(faults).deploy(env={"IMAGE_TAG": "1.27"})
    created = [r for r in aws.server.requests if r.action == "CreateDeployment"]
    assert len(created) == 1
    deployment_id = aws.client("codedeploy").list_deployments(applicationName=bg.application, deploymentGroupName=bg.group)["deployments"][0]
    notes = [line for line in progress if "note" in line]
    assert notes == [
        f"ecsplan-demo/web-bg: note: the reply to creating a CodeDeploy deployment in {bg.application}/{bg.group} was lost; AWS had done it: "
        f"deployment {deployment_id} in {bg.application}/{bg.group} has this AppSpec"
    ], progress
    assert f"ecsplan-demo/web-bg: deployment {deployment_id}: Succeeded" in progress, progress
    assert aws.service(name="web-bg")["taskDefinition"].endswith("web-bg:2")


def test_a_retry_refused_because_the_first_create_deployment_succeeded_is_recognised(bluegreen, aws, faults, no_backoff):
    """The reply to CreateDeployment is lost and the group's deployments cannot be read at once
    (nine failed ListDeployments: botocore's attempts), so it is made again: CodeDeploy refuses
    it (DeploymentLimitExceededException: one at a time per group), and the active deployment,
    with our AppSpec, is ours."""
    bg = bluegreen.create(scalable_target=False)
    faults.drop("codedeploy", "CreateDeployment")
    unreadable = faults.fail("codedeploy", "ListDeployments", times=9, after="CreateDeployment")
    progress = bg.through(faults).deploy(env={"IMAGE_TAG": "1.27"})
    assert unreadable.hits == 9
    assert [r.action for r in aws.server.requests if r.action == "CreateDeployment"] == ["CreateDeployment"] * 2
    assert len([line for line in progress if "note: the reply to creating a CodeDeploy deployment" in line]) == 1, progress
    assert aws.service(name="web-bg")["taskDefinition"].endswith("web-bg:2")


def test_a_refused_write_is_reported_once_not_retried(project, aws, faults):
    faults.deny("ecs", "RegisterTaskDefinition")
    with pytest.raises(AssertionError) as err:
        project.through(faults).deploy()
    assert str(err.value).splitlines()[0] == (
        "registering task definition web: AccessDeniedException: User: arn:aws:iam::123456789012:user/ci is not authorized to perform this action"
    )
    assert faults.calls.count(("ecs", "RegisterTaskDefinition", "deny")) == 1 and aws.mutations() == []


def test_throttling_that_outlasts_every_attempt_of_a_write_is_an_error(project, aws, faults, no_backoff):
    rule = faults.throttle("ecs", "RegisterTaskDefinition")
    with pytest.raises(AssertionError) as err:
        project.through(faults).deploy()
    assert str(err.value).splitlines()[0] == "registering task definition web: ThrottlingException: Rate exceeded"
    assert rule.hits == 9 and aws.mutations() == []  # botocore's 9 attempts (max_attempts 8 retries)


def test_service_events_a_native_deployment_only_prints_degrade_to_one_warning(native, aws, faults):
    native.deploy()
    denied = faults.deny("ecs", "DescribeServices", after="UpdateService")
    progress = native.through(faults).deploy(env={"IMAGE_TAG": "1.27"})
    warnings = [line for line in progress if "warning" in line]
    assert len(warnings) == 1 and warnings[0].startswith(
        "ecsplan-demo/web-native: warning: cannot show service events (describing service web-native in cluster ecsplan-demo: "
        "AccessDeniedException: "
    ) and warnings[0].endswith("; the wait goes on with the service deployment's status"), progress
    assert denied.hits > 1 and any("SUCCESSFUL: web-native:2" in line for line in progress), progress


def test_the_stop_event_ends_a_wait_whose_read_is_stalled(project, aws, faults, monkeypatch):
    """Ctrl-C / SIGTERM during apply set the waiter's stop event: a wait blocked in a stalled
    DescribeServices ends at once (before: when the read gave up, 3 x 60 s later)."""
    waiter, expect = _waiting(project, aws, faults, monkeypatch)
    waiter.stop = threading.Event()
    stalled = faults.stall("ecs", "DescribeServices")
    ended: list[BaseException] = []

    def wait() -> None:
        try:
            waiter.wait_rolling(REF, expect, 600, [].append)
        except BaseException as err:  # noqa: BLE001 - what the wait ended with is the test's
            ended.append(err)

    waiting = threading.Thread(target=wait)
    waiting.start()
    assert stalled.hit.wait(30)
    waiter.stop.set()
    waiting.join(30)  # a guard against a hang, not a timing
    assert not waiting.is_alive()
    assert [str(e) for e in ended] == [
        "ecsplan-demo/web: interrupted while waiting; the deployment may still be running: follow it with `ecsplan wait`"
    ]
    assert type(ended[0]) is Interrupted


def test_a_write_whose_outcome_stays_unknown_says_aws_may_have_done_it(project, aws, faults, no_backoff):
    project.deploy()
    failing = faults.fail("ecs", "UpdateService", status=500)
    with pytest.raises(AssertionError) as err:
        project.through(faults).deploy(env={"IMAGE_TAG": "1.26"})
    assert str(err.value).splitlines()[0] == (
        "updating service web in cluster ecsplan-demo: InternalFailure: injected 500; AWS may have done it all the same: "
        "`ecsplan plan` shows what is live"
    )
    assert failing.hits == 9
    # The report lists it apart: neither done nor not done.
    failing.hits = 0
    res = project.run("apply", "--auto-approve", env={"IMAGE_TAG": "1.27"})
    assert res.returncode == 1 and failing.hits == 9
    assert ("Outcome unknown (AWS may have done it; `ecsplan plan` shows what is live):\n"
            "  ecsplan-demo/web: update_service\nResult:") in res.stderr + res.stdout, res.stderr
