"""Display-only calls degrade (issue 13): a role that may not read a CodeDeploy deployment's
targets (lifecycle events and traffic, only printed) gets one warning, and the wait goes on to
the deployment's end, judged by GetDeployment. The role is imitated by the fault proxy in front
of the sandbox (`faults`: AccessDeniedException for ListDeploymentTargets / GetDeploymentTarget)."""

from __future__ import annotations

import pytest

from planner.codedeploy import WaitUntil
from planner.model import ServiceRef
from planner.rollout import CodeDeployExpectation
from providers import app
from providers.errors import AwsError
from providers.wait import AwsWaiter
from tests.helpers_cli import _SESSIONS


def _started_deployment(bg, faults):
    bg.deploy(env={"IMAGE_TAG": "1.27"}, wait=False)
    bg.through(faults)
    for operation in ("ListDeploymentTargets", "GetDeploymentTarget"):
        faults.deny("codedeploy", operation)
    with bg._environ({"IMAGE_TAG": "1.27"}) as environ:
        desired = bg._desired((), environ)
        ctx = bg._context(desired, [])
        state = app.read(ctx, desired)[desired[0].ref]
    assert state.active_deployment is not None
    session = _SESSIONS[ctx.settings]
    ref = ServiceRef(cluster="ecsplan-demo", service="web-bg")
    return session, ref, CodeDeployExpectation(deployment_id=state.active_deployment.id, task_definition_arn=None, group=state.codedeploy)


def test_access_denied_on_lifecycle_events_is_one_warning_and_the_wait_succeeds(bluegreen, faults):
    bg = bluegreen.create(scalable_target=False)
    session, ref, expect = _started_deployment(bg, faults)
    lines: list[str] = []
    AwsWaiter(session, sleep=lambda _: None).wait_codedeploy(ref, expect, 600, lines.append)
    warnings = [line for line in lines if "warning" in line]
    assert warnings == [f"ecsplan-demo/web-bg: warning: cannot show lifecycle events and traffic (reading the targets of CodeDeploy "
                        f"deployment {expect.deployment_id}: AccessDeniedException: User: arn:aws:iam::123456789012:user/ci is not authorized to "
                        "perform this action); the wait goes on with the "
                        "deployment's status"]
    assert f"ecsplan-demo/web-bg: deployment {expect.deployment_id}: Succeeded" in lines, lines
    assert bg.aws.service(name="web-bg")["taskDefinition"].endswith("web-bg:2")


def test_waiting_until_traffic_shifted_needs_the_events_so_the_error_ends_the_wait(bluegreen, faults):
    bg = bluegreen.create(scalable_target=False)
    session, ref, expect = _started_deployment(bg, faults)
    waiter = AwsWaiter(session, sleep=lambda _: None, until=WaitUntil.TRAFFIC_SHIFTED)
    with pytest.raises(AwsError, match="AccessDeniedException"):
        waiter.wait_codedeploy(ref, expect, 600, [].append)
    assert faults.calls.count(("codedeploy", "ListDeploymentTargets", "deny")) == 1  # a refusal is not retried
