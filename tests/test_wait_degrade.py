"""Display-only calls degrade (issue 13): a role that may not read a CodeDeploy deployment's
targets (lifecycle events and traffic, only printed) gets one warning, and the wait goes on to
the deployment's end, judged by GetDeployment."""

from __future__ import annotations

import botocore.exceptions
import pytest

from planner.codedeploy import WaitUntil
from planner.model import ServiceRef
from planner.rollout import CodeDeployExpectation
from providers import app
from providers.errors import AwsError
from providers.wait import AwsWaiter
from tests.helpers_cli import _SESSIONS

DENIED = {"ListDeploymentTargets", "GetDeploymentTarget"}


class _DenyingClient:
    """A sandbox client whose display-only CodeDeploy calls answer AccessDenied."""

    def __init__(self, client):
        self._client = client

    def __getattr__(self, name):
        attr = getattr(self._client, name)
        operation = self._client.meta.method_to_api_mapping.get(name)
        if operation not in DENIED:
            return attr

        def denied(**kwargs):
            raise botocore.exceptions.ClientError({"Error": {"Code": "AccessDeniedException", "Message": "not authorized"}}, operation)

        return denied


class _DenyingSession:
    def __init__(self, session):
        self._session = session

    def client(self, name):
        client = self._session.client(name)
        return _DenyingClient(client) if name == "codedeploy" else client

    def __getattr__(self, name):
        return getattr(self._session, name)


def _started_deployment(bg):
    bg.deploy(env={"IMAGE_TAG": "1.27"}, wait=False)
    with bg._environ({"IMAGE_TAG": "1.27"}) as environ:
        desired = bg._desired((), environ)
        ctx = bg._context(desired, [])
        state = app.read(ctx, desired)[desired[0].ref]
    assert state.active_deployment is not None
    session = _SESSIONS[ctx.settings]
    ref = ServiceRef(cluster="ecsplan-demo", service="web-bg")
    return session, ref, CodeDeployExpectation(deployment_id=state.active_deployment.id, task_definition_arn=None, group=state.codedeploy)


def test_access_denied_on_lifecycle_events_is_one_warning_and_the_wait_succeeds(bluegreen):
    bg = bluegreen.create(scalable_target=False)
    session, ref, expect = _started_deployment(bg)
    lines: list[str] = []
    AwsWaiter(_DenyingSession(session), sleep=lambda _: None).wait_codedeploy(ref, expect, 600, lines.append)
    warnings = [line for line in lines if "warning" in line]
    assert warnings == [f"ecsplan-demo/web-bg: warning: cannot show lifecycle events and traffic (reading the targets of CodeDeploy "
                        f"deployment {expect.deployment_id}: AccessDeniedException: not authorized); the wait goes on with the "
                        "deployment's status"]
    assert f"ecsplan-demo/web-bg: deployment {expect.deployment_id}: Succeeded" in lines, lines
    assert bg.aws.service(name="web-bg")["taskDefinition"].endswith("web-bg:2")


def test_waiting_until_traffic_shifted_needs_the_events_so_the_error_ends_the_wait(bluegreen):
    bg = bluegreen.create(scalable_target=False)
    session, ref, expect = _started_deployment(bg)
    waiter = AwsWaiter(_DenyingSession(session), sleep=lambda _: None, until=WaitUntil.TRAFFIC_SHIFTED)
    with pytest.raises(AwsError, match="AccessDeniedException"):
        waiter.wait_codedeploy(ref, expect, 600, [].append)
